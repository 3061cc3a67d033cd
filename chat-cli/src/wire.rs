//! Turning a line the user typed into the line sent to the server.

use chatcore::command::{self, Command};
use chatcore::timespec::{TimeSpec, format_offset};
use time::UtcOffset;

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
    let line = with_schedule_offset(&line, offset).unwrap_or(line);
    let kind = match command::parse(&line) {
        Command::Chat(text) => OutgoingKind::Chat(text.to_owned()),
        Command::Quit => OutgoingKind::Quit,
        _ => OutgoingKind::Command,
    };
    Outgoing { line, kind }
}

/// True when the typed line is `/quit` as the server understands it.
pub(crate) fn is_quit(typed: &str) -> bool {
    matches!(command::parse(typed.trim_end()), Command::Quit)
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
}
