//! Turning a line the user typed into the line sent to the server.

use chatcore::command::{self, Command};
use chatcore::timespec::{TimeSpec, format_offset};
use time::UtcOffset;
use unicode_segmentation::UnicodeSegmentation;

/// Longest line the server takes, without its LF (PROTOCOL.md §1).
pub(crate) const MAX_LINE_BYTES: usize = 4096;

/// What a typed line becomes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    /// The line to send, without its LF.
    pub(crate) line: String,
    /// What the server will make of it, as far as the client needs to know.
    pub(crate) kind: OutgoingKind,
}

/// The kinds of typed line the client treats differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutgoingKind {
    /// Chat for everyone else; holds the text as the others will see it (`//x` -> `/x`),
    /// because the server never echoes a member's own chat back and the client shows it itself.
    Chat(String),
    /// `/me waves`: an action the others see as `* Alice waves`; holds the text, shown
    /// locally since the server does not echo it either.
    Action(String),
    /// `/join NAME [CODE]` (or `/j`): remembered so a rejoin enters the room again.
    Join {
        /// The room's name as typed.
        room: String,
        /// Its participation code, if given.
        code: Option<String>,
    },
    /// `/quit` (any case, any arguments): the server answers and closes.
    Quit,
    /// Any other command; the server answers it.
    Command,
}

/// Turns a typed line into its wire form.
///
/// A CR or LF the terminal or a pipe left in the line is dropped (one line is one message).
/// `/schedule HH:MM text` with a bare time gets `offset` appended to the time
/// (`/schedule 15:30+09:00 text`) so the server reads it in the user's own clock; a time that
/// already names an offset, or is not a time at all, is left for the server to judge.
pub(crate) fn outgoing(typed: &str, offset: UtcOffset) -> Outgoing {
    let line: String = typed
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let line = with_alias(&line).unwrap_or(line);
    outgoing_piece(with_schedule_offset(&line, offset).unwrap_or(line))
}

/// A piece of a split line ([`split_long`]) as it goes on the wire: already in its wire
/// form, so no `/schedule` offset is added.
pub(crate) fn outgoing_piece(line: String) -> Outgoing {
    let kind = match command::parse(&line) {
        Command::Chat(text) => OutgoingKind::Chat(text.to_owned()),
        Command::Quit => OutgoingKind::Quit,
        _ => match split_command(&line).as_ref().map(|(n, a)| (n.as_str(), *a)) {
            Some(("me", text)) if !text.trim().is_empty() => OutgoingKind::Action(text.to_owned()),
            Some(("join", args)) => {
                let mut args = args.split(' ').filter(|a| !a.is_empty());
                match (args.next(), args.next()) {
                    (Some(room), code) => OutgoingKind::Join {
                        room: room.to_owned(),
                        code: code.map(str::to_owned),
                    },
                    (None, _) => OutgoingKind::Command,
                }
            }
            _ => OutgoingKind::Command,
        },
    };
    Outgoing { line, kind }
}

/// `/name args` as the lower-case name and the arguments after the spaces that follow it.
fn split_command(line: &str) -> Option<(String, &str)> {
    let rest = line.strip_prefix('/')?;
    if rest.starts_with('/') {
        return None;
    }
    let end = rest.find(' ').unwrap_or(rest.len());
    Some((
        rest[..end].to_ascii_lowercase(),
        rest[end..].trim_start_matches(' '),
    ))
}

/// A command the client carries out itself, never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Local {
    /// `/reconnect`: drop the connection and connect again at once.
    Reconnect,
    /// `/connect HOST[:PORT]`: connect to another server (the default port unless given).
    Connect(String),
    /// A client command used wrongly: its usage line.
    Usage(String),
    /// `/clear`: the window's, never sent (the full-screen client empties its window before
    /// this is asked; plain mode has no window to clear).
    Clear,
}

/// The client's own commands (`/reconnect`, `/connect`, with `default_port` for a host given
/// alone); `None` for anything else.
pub(crate) fn local_command(line: &str, default_port: u16) -> Option<Local> {
    let (name, args) = split_command(line.trim_end())?;
    match name.as_str() {
        "reconnect" => Some(Local::Reconnect),
        "clear" if args.trim().is_empty() => Some(Local::Clear),
        "connect" => Some(match server_addr(args, default_port) {
            Some(addr) => Local::Connect(addr),
            None => Local::Usage("Usage: /connect HOST[:PORT]".into()),
        }),
        _ => None,
    }
}

/// `HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address as `host:port` (`default_port`
/// when not given).
fn server_addr(arg: &str, default_port: u16) -> Option<String> {
    let arg = arg.trim();
    if arg.is_empty() || arg.contains(' ') {
        return None;
    }
    if let Some(rest) = arg.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse::<u16>().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some(format!("[{host}]:{port}"));
    }
    match arg.matches(':').count() {
        0 => Some(format!("{arg}:{default_port}")),
        1 => {
            let (host, port) = arg.split_once(':')?;
            let port: u16 = port.parse().ok()?;
            (!host.is_empty()).then(|| format!("{host}:{port}"))
        }
        _ => Some(format!("[{arg}]:{default_port}")),
    }
}

/// IRC habits: `/nick` is `/rename`, `/msg` is `/whisper`, `/j` is `/join` (any case).
fn with_alias(line: &str) -> Option<String> {
    let (name, _) = split_command(line)?;
    let target = match name.as_str() {
        "nick" => "rename",
        "msg" => "whisper",
        "j" => "join",
        _ => return None,
    };
    Some(format!("/{target}{}", &line[1 + name.len()..]))
}

/// True when the typed line is `/quit` as the server understands it.
pub(crate) fn is_quit(typed: &str) -> bool {
    matches!(command::parse(typed.trim_end()), Command::Quit)
}

/// A wire line longer than [`MAX_LINE_BYTES`] as several that each fit, so nothing is cut
/// off: chat, `/me` and `/whisper` (`/msg`) text is split at the last space in the second
/// half of a piece, else at a grapheme boundary, and each piece keeps the command and its
/// nickname (a chat piece that would start with `/` is escaped as `//`). `None` for any
/// other command, which cannot be split without changing what it means.
pub(crate) fn split_long(line: &str) -> Option<Vec<String>> {
    let (prefix, body, chat) = match command::parse(line) {
        Command::Chat(text) => ("", text, true),
        _ => {
            let rest = line.strip_prefix('/')?;
            let name_end = rest.find(' ')?;
            let name = rest[..name_end].to_ascii_lowercase();
            let args = 1 + name_end + spaces(&line[1 + name_end..]);
            let text_start = match name.as_str() {
                "me" => args,
                "whisper" | "msg" => {
                    let nick_end = args + line[args..].find(' ')?;
                    nick_end + spaces(&line[nick_end..])
                }
                _ => return None,
            };
            (&line[..text_start], &line[text_start..], false)
        }
    };
    // One byte kept for the `//` escape of a chat piece.
    let budget = MAX_LINE_BYTES.checked_sub(prefix.len() + 1)?.max(4);
    let pieces = split_text(body, budget)
        .into_iter()
        .map(|piece| {
            if chat && piece.starts_with('/') {
                format!("/{piece}")
            } else {
                format!("{prefix}{piece}")
            }
        })
        .collect();
    Some(pieces)
}

/// Leading spaces of `s`, in bytes.
fn spaces(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// `text` in pieces of at most `budget` bytes, none blank, cut at a space where one falls
/// in the second half of a piece (the spaces at a cut are dropped), else between graphemes.
fn split_text(text: &str, budget: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.len() > budget {
        let mut cut = 0;
        let mut space = None;
        for (i, g) in rest.grapheme_indices(true) {
            if i + g.len() > budget {
                break;
            }
            cut = i + g.len();
            if g == " " && i > budget / 2 {
                space = Some(i);
            }
        }
        if cut == 0 {
            // A single grapheme longer than a line (thousands of combining marks): cut it
            // at a character boundary rather than loop.
            cut = (1..=budget)
                .rev()
                .find(|&i| rest.is_char_boundary(i))
                .unwrap_or(rest.len());
        }
        let (piece, next) = match space {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (&rest[..cut], &rest[cut..]),
        };
        if !piece.trim().is_empty() {
            pieces.push(piece.trim_end_matches(' '));
        }
        rest = next.trim_start_matches(' ');
    }
    if !rest.trim().is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// The line with the offset appended to a bare `/schedule` time, or `None` to keep it as is.
fn with_schedule_offset(line: &str, offset: UtcOffset) -> Option<String> {
    let rest = line.strip_prefix('/')?;
    let name_end = rest.find(' ')?;
    if !rest[..name_end].eq_ignore_ascii_case("schedule") {
        return None;
    }
    let after_name = &rest[name_end..];
    let time_start = 1 + name_end + (after_name.len() - after_name.trim_start_matches(' ').len());
    let time_len = line[time_start..]
        .find(' ')
        .unwrap_or(line.len() - time_start);
    let time_end = time_start + time_len;
    let spec = TimeSpec::parse(&line[time_start..time_end]).ok()?;
    if spec.offset.is_some() {
        return None;
    }
    let mut out = String::with_capacity(line.len() + 6);
    out.push_str(&line[..time_end]);
    out.push_str(&format_offset(offset));
    out.push_str(&line[time_end..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::offset;

    fn wire(typed: &str) -> String {
        outgoing(typed, offset!(+9)).line
    }

    #[test]
    fn bare_schedule_time_gets_the_local_offset() {
        assert_eq!(
            wire("/schedule 15:30 Meeting starts soon"),
            "/schedule 15:30+09:00 Meeting starts soon"
        );
        assert_eq!(wire("/schedule 9:05 x"), "/schedule 9:05+09:00 x");
        assert_eq!(
            wire("/SCHEDULE   9:05  two  spaces"),
            "/SCHEDULE   9:05+09:00  two  spaces"
        );
        assert_eq!(
            outgoing("/schedule 07:00 up", offset!(-5:30)).line,
            "/schedule 07:00-05:30 up"
        );
        assert_eq!(
            outgoing("/schedule 07:00 up", UtcOffset::UTC).line,
            "/schedule 07:00+00:00 up"
        );
    }

    #[test]
    fn time_without_text_still_gets_the_offset() {
        // The server answers with the usage line either way.
        assert_eq!(wire("/schedule 15:30"), "/schedule 15:30+09:00");
        assert_eq!(wire("/schedule 15:30 "), "/schedule 15:30+09:00 ");
    }

    #[test]
    fn explicit_offsets_and_non_times_are_left_alone() {
        for line in [
            "/schedule 15:30+02:00 x",
            "/schedule 15:30Z x",
            "/schedule 15:30z x",
            "/schedule 25:00 x",
            "/schedule soon x",
            "/schedule",
            "/schedule ",
            "/scheduled 15:30 x",
            "//schedule 15:30 x",
            "schedule 15:30 x",
            " /schedule 15:30 x",
            "/whisper Bob /schedule 15:30 x",
        ] {
            assert_eq!(wire(line), line, "{line:?}");
        }
    }

    #[test]
    fn kinds() {
        let chat = |t: &str| OutgoingKind::Chat(t.to_owned());
        assert_eq!(outgoing("hello", UtcOffset::UTC).kind, chat("hello"));
        assert_eq!(outgoing("//etc", UtcOffset::UTC).kind, chat("/etc"));
        assert_eq!(outgoing("", UtcOffset::UTC).kind, chat(""));
        assert_eq!(outgoing("/quit", UtcOffset::UTC).kind, OutgoingKind::Quit);
        assert_eq!(
            outgoing("/QUIT bye all", UtcOffset::UTC).kind,
            OutgoingKind::Quit
        );
        assert_eq!(
            outgoing("/whisper Bob hi", UtcOffset::UTC).kind,
            OutgoingKind::Command
        );
        assert_eq!(
            outgoing("/nope", UtcOffset::UTC).kind,
            OutgoingKind::Command
        );
        assert_eq!(
            outgoing("/schedule 1:00 x", UtcOffset::UTC).kind,
            OutgoingKind::Command
        );
    }

    #[test]
    fn line_breaks_are_dropped() {
        assert_eq!(wire("hello\r"), "hello");
        assert_eq!(wire("a\nb\r\n"), "ab");
    }

    #[test]
    fn quit_detection() {
        assert!(is_quit("/quit"));
        assert!(is_quit("/Quit "));
        assert!(is_quit("/quit now"));
        assert!(!is_quit("//quit"));
        assert!(!is_quit("quit"));
        assert!(!is_quit("/quitter"));
    }

    #[test]
    fn korean_text_after_the_time_is_kept() {
        assert_eq!(
            wire("/schedule 9:00 회의 시작"),
            "/schedule 9:00+09:00 회의 시작"
        );
    }

    #[test]
    fn long_chat_is_split_at_spaces_into_lines_that_fit() {
        let words: Vec<String> = (0..600).map(|i| format!("word{i:04}")).collect();
        let text = words.join(" ");
        assert!(text.len() > MAX_LINE_BYTES);
        let pieces = split_long(&text).expect("chat splits");
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.len() <= MAX_LINE_BYTES));
        assert!(
            pieces
                .iter()
                .all(|p| p.starts_with("word") && !p.ends_with(' '))
        );
        assert_eq!(pieces.join(" "), text);
    }

    #[test]
    fn text_without_spaces_is_split_between_graphemes() {
        let text = "가".repeat(3000);
        let pieces = split_long(&text).expect("chat splits");
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.len() <= MAX_LINE_BYTES));
        assert_eq!(pieces.concat(), text);
        let flags = "🇰🇷".repeat(600);
        let pieces = split_long(&flags).expect("chat splits");
        assert!(
            pieces
                .iter()
                .all(|p| p.len() <= MAX_LINE_BYTES && p.len() % 8 == 0)
        );
        assert_eq!(pieces.concat(), flags);
    }

    #[test]
    fn commands_keep_their_prefix_and_chat_pieces_stay_chat() {
        let body = format!("{} /etc {}", "a".repeat(3000), "b".repeat(3000));
        for (line, prefix) in [
            (format!("/me {body}"), "/me "),
            (format!("/ME  {body}"), "/ME  "),
            (format!("/whisper Bob {body}"), "/whisper Bob "),
            (format!("/msg  Bob  {body}"), "/msg  Bob  "),
        ] {
            let pieces = split_long(&line).expect("splits");
            assert_eq!(pieces.len(), 2, "{line:.20}");
            assert!(pieces.iter().all(|p| p.starts_with(prefix)));
            assert!(pieces.iter().all(|p| p.len() <= MAX_LINE_BYTES));
        }
        // A piece of chat that starts with `/` is escaped, so it is not a command.
        let line = format!("{} /quit now", "x".repeat(4094));
        let pieces = split_long(&line).expect("splits");
        assert_eq!(pieces, ["x".repeat(4094), "//quit now".to_owned()]);
        // `//` chat keeps meaning chat.
        let pieces = split_long(&format!("//{}", "y".repeat(5000))).expect("splits");
        assert!(pieces[0].starts_with("//y"), "{:.10}", pieces[0]);
        assert!(pieces[1].starts_with('y'));
        // Other commands are not split.
        assert_eq!(
            split_long(&format!("/schedule 9:00 {}", "z".repeat(5000))),
            None
        );
        assert_eq!(split_long(&format!("/notice {}", "z".repeat(5000))), None);
    }

    #[test]
    fn irc_aliases_become_the_servers_commands() {
        assert_eq!(wire("/nick Alice2"), "/rename Alice2");
        assert_eq!(wire("/NICK Alice2"), "/rename Alice2");
        assert_eq!(wire("/msg Bob hi there"), "/whisper Bob hi there");
        assert_eq!(wire("/j study 1234"), "/join study 1234");
        assert_eq!(wire("/j"), "/join");
        // Only whole command names, and never chat.
        assert_eq!(wire("/nickname x"), "/nickname x");
        assert_eq!(wire("//nick x"), "//nick x");
        assert_eq!(wire("nick x"), "nick x");
    }

    #[test]
    fn actions_and_joins_are_recognised() {
        assert_eq!(
            outgoing("/me waves 👋", UtcOffset::UTC).kind,
            OutgoingKind::Action("waves 👋".into())
        );
        assert_eq!(outgoing("/me", UtcOffset::UTC).kind, OutgoingKind::Command);
        assert_eq!(
            outgoing("/j study", UtcOffset::UTC).kind,
            OutgoingKind::Join {
                room: "study".into(),
                code: None
            }
        );
        assert_eq!(
            outgoing("/JOIN  study  secret", UtcOffset::UTC).kind,
            OutgoingKind::Join {
                room: "study".into(),
                code: Some("secret".into())
            }
        );
    }

    #[test]
    fn the_clients_own_commands() {
        assert_eq!(local_command("/reconnect", 9999), Some(Local::Reconnect));
        assert_eq!(local_command("/RECONNECT ", 9999), Some(Local::Reconnect));
        let connect = |s: &str| local_command(s, 9999);
        assert_eq!(
            connect("/connect chat.example.org"),
            Some(Local::Connect("chat.example.org:9999".into()))
        );
        assert_eq!(
            connect("/connect 10.0.0.2:7000"),
            Some(Local::Connect("10.0.0.2:7000".into()))
        );
        assert_eq!(
            connect("/connect ::1"),
            Some(Local::Connect("[::1]:9999".into()))
        );
        assert_eq!(
            connect("/connect [::1]:7000"),
            Some(Local::Connect("[::1]:7000".into()))
        );
        // With --tls a host given alone means the TLS port.
        assert_eq!(
            local_command("/connect chat.example.org", 9993),
            Some(Local::Connect("chat.example.org:9993".into()))
        );
        assert_eq!(
            local_command("/connect ::1", 9993),
            Some(Local::Connect("[::1]:9993".into()))
        );
        for bad in ["/connect", "/connect a b", "/connect host:x", "/connect :1"] {
            assert!(matches!(connect(bad), Some(Local::Usage(_))), "{bad}");
        }
        assert_eq!(local_command("//reconnect", 9999), None);
        assert_eq!(local_command("/clear", 9999), Some(Local::Clear));
        assert_eq!(local_command("/CLEAR ", 9999), Some(Local::Clear));
        assert_eq!(local_command("/rename x", 9999), None);
    }
}
