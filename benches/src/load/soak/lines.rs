//! What a line from the server is, as far as the soak cares: pure parsing, tested here.

/// One line from the server (LF removed), classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// `nick >> text`.
    Chat {
        /// The sender's nickname.
        from: &'a str,
        /// What they said.
        text: &'a str,
    },
    /// `[Whisper from nick] text`.
    WhisperFrom {
        /// The whisperer.
        from: &'a str,
        /// The whisper.
        text: &'a str,
    },
    /// `[Whisper to nick] text`: the echo to the whisperer.
    WhisperTo {
        /// The addressee.
        to: &'a str,
    },
    /// `[Scheduled by nick] text`.
    Scheduled {
        /// The author (at scheduling time).
        by: &'a str,
        /// The scheduled text.
        text: &'a str,
    },
    /// `[Server]: nick has joined the chat.`
    Joined(&'a str),
    /// `[Server]: nick has left the chat.`
    Left(&'a str),
    /// `[Server]: nick has been kicked from the chat.` (a reason may follow)
    Kicked(&'a str),
    /// `[Server]: You kicked nick.`
    YouKicked(&'a str),
    /// `[Server]: You have been kicked from the chat.`
    YouWereKicked,
    /// `[Server]: Bye, nick.`
    Bye,
    /// `[Server]: You are the admin.`
    YouAreAdmin,
    /// `[Server]: No user named "..." is in the chat.`
    NoSuchUser,
    /// `[Server]: You are sending too fast; ...`
    TooFast,
    /// `[Server]: Scheduled #N for ...`: a schedule was accepted.
    ScheduleSet,
    /// Any other `[Server]:` line.
    OtherServer,
    /// Anything else.
    Unrecognised,
}

const SERVER: &str = "[Server]: ";

/// Classifies one line.
pub fn classify(line: &str) -> Line<'_> {
    if let Some(rest) = line.strip_prefix(SERVER) {
        return server(rest);
    }
    let bracketed =
        |prefix: &str| -> Option<(&str, &str)> { line.strip_prefix(prefix)?.split_once("] ") };
    if let Some((from, text)) = bracketed("[Whisper from ") {
        return Line::WhisperFrom { from, text };
    }
    if let Some((to, _)) = bracketed("[Whisper to ") {
        return Line::WhisperTo { to };
    }
    if let Some((by, text)) = bracketed("[Scheduled by ") {
        return Line::Scheduled { by, text };
    }
    match line.split_once(" >> ") {
        // Nicknames hold no spaces, so a space before " >> " means it is not a chat line.
        Some((from, text)) if !from.is_empty() && !from.contains(' ') => Line::Chat { from, text },
        _ => Line::Unrecognised,
    }
}

fn server(rest: &str) -> Line<'_> {
    let nick_before = |suffix: &str| -> Option<&str> {
        rest.strip_suffix(suffix)
            .filter(|n| !n.is_empty() && !n.contains(' '))
    };
    if let Some(nick) = nick_before(" has joined the chat.") {
        return Line::Joined(nick);
    }
    if let Some(nick) = nick_before(" has left the chat.") {
        return Line::Left(nick);
    }
    if let Some((nick, _)) = rest.split_once(" has been kicked from the chat.")
        && !nick.is_empty()
        && !nick.contains(' ')
    {
        return Line::Kicked(nick);
    }
    if let Some(nick) = rest
        .strip_prefix("You kicked ")
        .and_then(|r| r.strip_suffix('.'))
    {
        return Line::YouKicked(nick);
    }
    if rest.starts_with("You have been kicked from the chat.") {
        return Line::YouWereKicked;
    }
    if rest.starts_with("Bye, ") {
        return Line::Bye;
    }
    if rest == "You are the admin." {
        return Line::YouAreAdmin;
    }
    if rest.starts_with("No user named ") {
        return Line::NoSuchUser;
    }
    if rest.starts_with("You are sending too fast;") {
        return Line::TooFast;
    }
    if rest.starts_with("Scheduled #") {
        return Line::ScheduleSet;
    }
    Line::OtherServer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_the_soak_counts_is_recognised() {
        let cases = [
            (
                "loadcore1 >> 1 2 3 ....",
                Line::Chat {
                    from: "loadcore1",
                    text: "1 2 3 ....",
                },
            ),
            (
                "[Whisper from loadcore0] w 0 5",
                Line::WhisperFrom {
                    from: "loadcore0",
                    text: "w 0 5",
                },
            ),
            (
                "[Whisper to loadchurn3] w 1 2",
                Line::WhisperTo { to: "loadchurn3" },
            ),
            (
                "[Scheduled by loadcore2] s 2 0",
                Line::Scheduled {
                    by: "loadcore2",
                    text: "s 2 0",
                },
            ),
            (
                "[Server]: loadchurn4 has joined the chat.",
                Line::Joined("loadchurn4"),
            ),
            (
                "[Server]: loadchurn4 has left the chat.",
                Line::Left("loadchurn4"),
            ),
            (
                "[Server]: loadchurn4 has been kicked from the chat.",
                Line::Kicked("loadchurn4"),
            ),
            (
                "[Server]: loadchurn4 has been kicked from the chat. Reason: spam",
                Line::Kicked("loadchurn4"),
            ),
            (
                "[Server]: You kicked loadchurn4.",
                Line::YouKicked("loadchurn4"),
            ),
            (
                "[Server]: You have been kicked from the chat.",
                Line::YouWereKicked,
            ),
            ("[Server]: Bye, loadchurn4.", Line::Bye),
            ("[Server]: You are the admin.", Line::YouAreAdmin),
            (
                "[Server]: No user named \"x\" is in the chat.",
                Line::NoSuchUser,
            ),
            (
                "[Server]: You are sending too fast; some lines were not sent.",
                Line::TooFast,
            ),
            (
                "[Server]: Scheduled #3 for 06:32 today (+00:00), in 2m: s 0 1",
                Line::ScheduleSet,
            ),
            ("[Server]: loadcore1 is now the admin.", Line::OtherServer),
            (
                "[Server]: Welcome, loadcore1! 2/50 online.",
                Line::OtherServer,
            ),
            ("not a chat line", Line::Unrecognised),
            ("two words >> x", Line::Unrecognised),
        ];
        for (line, want) in cases {
            assert_eq!(classify(line), want, "{line}");
        }
    }

    #[test]
    fn chat_text_that_looks_like_a_server_line_stays_chat() {
        assert_eq!(
            classify("mallory >> [Server]: bob has left the chat."),
            Line::Chat {
                from: "mallory",
                text: "[Server]: bob has left the chat."
            }
        );
    }
}
