//! Parsing one member line into a chat message or a command.

/// What a member's line asks for. Borrowed from the (already sanitised) line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// Plain text for everyone else (`//x` arrives here as `/x`).
    Chat(&'a str),
    /// `/rename <nickname>`.
    Rename(&'a str),
    /// `/whisper <nickname> <message>`.
    Whisper {
        /// The recipient as typed.
        to: &'a str,
        /// The message.
        text: &'a str,
    },
    /// `/schedule <time> <message>`.
    Schedule {
        /// The time argument as typed.
        time: &'a str,
        /// The message.
        text: &'a str,
    },
    /// `/kick <nickname> [reason]`.
    Kick {
        /// The member to kick, as typed.
        nick: &'a str,
        /// The reason; empty when none was given.
        reason: &'a str,
    },
    /// `/me <action>`: an action line, `* Alice waves`.
    Me(&'a str),
    /// `/admin <nickname>`: hand the admin role over.
    Admin(&'a str),
    /// `/schedules`: list pending schedules.
    Schedules,
    /// `/unschedule <id>`: the id as typed (`3` or `#3`).
    Unschedule(&'a str),
    /// `/notice [text | -]`: empty to show the notice, `-` to clear it, or the new text.
    Notice(&'a str),
    /// `/bans`: list the room's bans.
    Bans,
    /// `/unban <nickname>`: lift a ban.
    Unban(&'a str),
    /// `/user`.
    User,
    /// `/rooms`.
    Rooms,
    /// `/join <room> [code]`.
    Join {
        /// The room name as typed.
        name: &'a str,
        /// The participation code, if one was given (everything after the name).
        code: Option<&'a str>,
    },
    /// `/code [code]`: `None` clears the code.
    Code(Option<&'a str>),
    /// `/help`.
    Help,
    /// `/quit`.
    Quit,
    /// A known command with missing arguments.
    Usage(Usage),
    /// A `/word` that is no command; holds the word with its slash.
    Unknown(&'a str),
}

/// The commands that take arguments, for their usage line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Usage {
    /// `/rename`.
    Rename,
    /// `/whisper`.
    Whisper,
    /// `/schedule`.
    Schedule,
    /// `/kick`.
    Kick,
    /// `/me`.
    Me,
    /// `/admin`.
    Admin,
    /// `/unschedule`.
    Unschedule,
    /// `/unban`.
    Unban,
    /// `/join`.
    Join,
}

impl Usage {
    /// Every command that takes arguments.
    pub const ALL: [Usage; 9] = [
        Usage::Rename,
        Usage::Whisper,
        Usage::Schedule,
        Usage::Kick,
        Usage::Me,
        Usage::Admin,
        Usage::Unschedule,
        Usage::Unban,
        Usage::Join,
    ];

    /// The syntax line shown after `Usage: ` and in `/help`.
    pub fn syntax(self) -> &'static str {
        match self {
            Usage::Rename => "/rename <nickname>",
            Usage::Whisper => "/whisper <nickname> <message>",
            Usage::Schedule => "/schedule <HH:MM> <message>",
            Usage::Kick => "/kick <nickname> [reason]",
            Usage::Me => "/me <action>",
            Usage::Admin => "/admin <nickname>",
            Usage::Unschedule => "/unschedule <id>",
            Usage::Unban => "/unban <nickname>",
            Usage::Join => "/join <room> [code]",
        }
    }
}

use crate::sanitize::is_blank;

/// Splits off the first space-separated word; the rest starts after the run of spaces.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start_matches(' ');
    match s.find(' ') {
        Some(i) => (&s[..i], s[i..].trim_start_matches(' ')),
        None => (s, ""),
    }
}

/// Parses one line. Commands are matched without regard to case; arguments are separated
/// by one or more spaces and a message is everything after them.
pub fn parse(line: &str) -> Command<'_> {
    let Some(rest) = line.strip_prefix('/') else {
        return Command::Chat(line);
    };
    if rest.starts_with('/') {
        return Command::Chat(rest);
    }
    let (name, args) = match rest.find(' ') {
        Some(i) => (&rest[..i], rest[i..].trim_start_matches(' ')),
        None => (rest, ""),
    };
    let is = |cmd: &str| name.eq_ignore_ascii_case(cmd);
    if is("rename") {
        let nick = args.trim_end_matches(' ');
        if nick.is_empty() {
            Command::Usage(Usage::Rename)
        } else {
            Command::Rename(nick)
        }
    } else if is("whisper") || is("w") {
        match word(args) {
            (to, text) if !to.is_empty() && !is_blank(text) => Command::Whisper { to, text },
            _ => Command::Usage(Usage::Whisper),
        }
    } else if is("schedule") {
        match word(args) {
            (time, text) if !time.is_empty() && !is_blank(text) => Command::Schedule { time, text },
            _ => Command::Usage(Usage::Schedule),
        }
    } else if is("kick") {
        match word(args) {
            ("", _) => Command::Usage(Usage::Kick),
            (nick, reason) => Command::Kick {
                nick,
                reason: reason.trim_end_matches(' '),
            },
        }
    } else if is("me") {
        if is_blank(args) {
            Command::Usage(Usage::Me)
        } else {
            Command::Me(args)
        }
    } else if is("admin") {
        match word(args) {
            ("", _) => Command::Usage(Usage::Admin),
            (nick, _) => Command::Admin(nick),
        }
    } else if is("schedules") {
        Command::Schedules
    } else if is("unschedule") {
        match word(args) {
            ("", _) => Command::Usage(Usage::Unschedule),
            (n, _) => Command::Unschedule(n),
        }
    } else if is("notice") {
        if is_blank(args) {
            Command::Notice("")
        } else {
            Command::Notice(args.trim_end_matches(' '))
        }
    } else if is("bans") {
        Command::Bans
    } else if is("unban") {
        match word(args) {
            ("", _) => Command::Usage(Usage::Unban),
            (nick, _) => Command::Unban(nick),
        }
    } else if is("user") || is("users") {
        Command::User
    } else if is("rooms") {
        Command::Rooms
    } else if is("join") {
        match word(args) {
            ("", _) => Command::Usage(Usage::Join),
            (name, code) => {
                let code = code.trim_end_matches(' ');
                Command::Join {
                    name,
                    code: (!code.is_empty()).then_some(code),
                }
            }
        }
    } else if is("code") {
        let code = args.trim_end_matches(' ');
        Command::Code((!code.is_empty()).then_some(code))
    } else if is("help") {
        Command::Help
    } else if is("quit") {
        Command::Quit
    } else {
        Command::Unknown(&line[..=name.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_chat() {
        assert_eq!(parse("Hello everyone!"), Command::Chat("Hello everyone!"));
        assert_eq!(parse(""), Command::Chat(""));
        assert_eq!(parse(" /x"), Command::Chat(" /x"));
    }

    #[test]
    fn double_slash_escapes_one_slash() {
        assert_eq!(parse("//etc"), Command::Chat("/etc"));
        assert_eq!(parse("///x"), Command::Chat("//x"));
    }

    #[test]
    fn commands_ignore_case_and_extra_spaces() {
        assert_eq!(
            parse("/KICK   Bob"),
            Command::Kick {
                nick: "Bob",
                reason: ""
            }
        );
        assert_eq!(
            parse("/Whisper  Charlie   Hi,  Charlie! "),
            Command::Whisper {
                to: "Charlie",
                text: "Hi,  Charlie! "
            }
        );
        assert_eq!(
            parse("/schedule 15:30 Meeting starts soon"),
            Command::Schedule {
                time: "15:30",
                text: "Meeting starts soon"
            }
        );
        assert_eq!(parse("/rename  Alice123 "), Command::Rename("Alice123"));
        assert_eq!(parse("/ME  waves  hello"), Command::Me("waves  hello"));
        assert_eq!(parse("/admin  Bob "), Command::Admin("Bob"));
        assert_eq!(parse("/Schedules"), Command::Schedules);
        assert_eq!(parse("/unschedule  #3 x"), Command::Unschedule("#3"));
        assert_eq!(parse("/notice"), Command::Notice(""));
        assert_eq!(parse("/NOTICE  -  "), Command::Notice("-"));
        assert_eq!(
            parse("/notice Lunch at 12 "),
            Command::Notice("Lunch at 12")
        );
        assert_eq!(parse("/BANS"), Command::Bans);
        assert_eq!(parse("/unban  Bob "), Command::Unban("Bob"));
        assert_eq!(parse("/user"), Command::User);
        assert_eq!(parse("/users"), Command::User);
        assert_eq!(parse("/HELP"), Command::Help);
        assert_eq!(parse("/quit now"), Command::Quit);
        assert_eq!(
            parse("/kick Bob spamming links"),
            Command::Kick {
                nick: "Bob",
                reason: "spamming links"
            }
        );
    }

    #[test]
    fn missing_arguments_give_the_usage() {
        assert_eq!(parse("/rename"), Command::Usage(Usage::Rename));
        assert_eq!(parse("/rename   "), Command::Usage(Usage::Rename));
        assert_eq!(parse("/whisper"), Command::Usage(Usage::Whisper));
        assert_eq!(parse("/whisper Bob"), Command::Usage(Usage::Whisper));
        assert_eq!(parse("/whisper Bob    "), Command::Usage(Usage::Whisper));
        assert_eq!(parse("/schedule 15:30"), Command::Usage(Usage::Schedule));
        assert_eq!(parse("/kick"), Command::Usage(Usage::Kick));
        assert_eq!(parse("/kick   "), Command::Usage(Usage::Kick));
        assert_eq!(parse("/me"), Command::Usage(Usage::Me));
        assert_eq!(parse("/me   "), Command::Usage(Usage::Me));
        assert_eq!(parse("/admin"), Command::Usage(Usage::Admin));
        assert_eq!(parse("/unschedule "), Command::Usage(Usage::Unschedule));
        assert_eq!(parse("/unban"), Command::Usage(Usage::Unban));
    }

    #[test]
    fn room_commands() {
        assert_eq!(parse("/ROOMS"), Command::Rooms);
        assert_eq!(
            parse("/join  study "),
            Command::Join {
                name: "study",
                code: None
            }
        );
        assert_eq!(
            parse("/join study s3cret "),
            Command::Join {
                name: "study",
                code: Some("s3cret")
            }
        );
        assert_eq!(parse("/join"), Command::Usage(Usage::Join));
        assert_eq!(parse("/code"), Command::Code(None));
        assert_eq!(parse("/code  abcd "), Command::Code(Some("abcd")));
    }

    #[test]
    fn unknown_commands_name_the_word() {
        assert_eq!(parse("/dance now"), Command::Unknown("/dance"));
        assert_eq!(parse("/"), Command::Unknown("/"));
        assert_eq!(parse("/kickBob"), Command::Unknown("/kickBob"));
        assert_eq!(parse("/개똥"), Command::Unknown("/개똥"));
    }
}
