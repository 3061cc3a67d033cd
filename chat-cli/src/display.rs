//! Server lines as classified display lines, sanitised again before anything draws them.

use chatcore::reply::Author;
use chatcore::sanitize::sanitize;
use chatcore::{Line, Reply};

/// What a shown line is, so each front end can style it (the text is the same everywhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `[Server]: ...`
    Server,
    /// `[Server]: Notice from Alice: ...` or `[Server]: Notice: ...`: the room's notice.
    RoomNotice,
    /// `[Server]:` lines that end or refuse the session: kicked, banned, shutting down.
    Alert,
    /// `[Server]: Last 3 messages (times in +09:00):`, drawn as a separator.
    BacklogHeader,
    /// `* Alice waves` (`/me`).
    Action {
        /// Who acts.
        nick: String,
    },
    /// The user's own `/me`, shown locally because the server never echoes it.
    OwnAction {
        /// The user's nickname when it was sent.
        nick: String,
    },
    /// `[Whisper from Bob] ...`
    WhisperFrom {
        /// The sender.
        nick: String,
    },
    /// `[Whisper to Charlie] ...`
    WhisperTo {
        /// The recipient.
        nick: String,
    },
    /// `[Scheduled by Charlie] ...`
    Scheduled {
        /// The author (as named when it was scheduled).
        nick: String,
    },
    /// `Alice >> Hello`
    Chat {
        /// The sender.
        nick: String,
    },
    /// The user's own chat line, shown locally because the server never echoes it.
    Own {
        /// The user's nickname when it was sent.
        nick: String,
    },
    /// A message from the client itself (connection state and the like), never from the network.
    Notice,
    /// A line that fits no known shape; shown as is.
    Other,
}

/// One line ready to show: its kind and its sanitised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DisplayLine {
    /// How to style it.
    pub(crate) kind: Kind,
    /// The whole line as shown and logged, free of control characters.
    pub(crate) text: String,
    /// Byte offset in `text` where the message body starts (after `Alice >> `,
    /// `[Whisper from Bob] `, ...); 0 for lines without a sender.
    pub(crate) body_start: usize,
    /// Bytes of the `[09:14] ` stamp a backlog line starts with; 0 for live lines.
    pub(crate) stamp: usize,
}

impl DisplayLine {
    /// Classifies a line received from the server.
    ///
    /// The server already sanitises what members send; the client does it again so that no
    /// escape sequence from the network can reach the terminal, whatever the server is.
    pub(crate) fn received(line: &str) -> DisplayLine {
        let text = sanitize(line).into_owned();
        let (kind, body_start) = classify(&text);
        DisplayLine {
            kind,
            text,
            body_start,
            stamp: 0,
        }
    }

    /// A backlog line, `[09:14] ` and then the line as it was delivered; `None` when `line`
    /// does not start with such a stamp.
    pub(crate) fn backlog(line: &str) -> Option<DisplayLine> {
        let text = sanitize(line).into_owned();
        let b = text.as_bytes();
        let stamped = b.len() > 8
            && b[0] == b'['
            && b[3] == b':'
            && text[6..8] == *"] "
            && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit());
        if !stamped {
            return None;
        }
        let (kind, body_start) = classify(&text[8..]);
        Some(DisplayLine {
            kind,
            body_start: body_start + 8,
            text,
            stamp: 8,
        })
    }

    /// The `HH:MM` of a backlog line (its delivery time in the server's offset).
    pub(crate) fn past_time(&self) -> Option<&str> {
        (self.stamp == 8).then(|| &self.text[1..6])
    }

    /// The line without a backlog stamp.
    pub(crate) fn shown_text(&self) -> &str {
        &self.text[self.stamp..]
    }

    /// The user's own `/me`, as the others see it.
    pub(crate) fn own_action(nick: &str, action: &str) -> DisplayLine {
        let nick = sanitize(nick).into_owned();
        let text = format!("* {nick} {}", sanitize(action));
        DisplayLine {
            body_start: nick.len() + 3,
            kind: Kind::OwnAction { nick },
            text,
            stamp: 0,
        }
    }

    /// The user's own chat line, as the others see it.
    pub(crate) fn own(nick: &str, chat: &str) -> DisplayLine {
        let nick = sanitize(nick).into_owned();
        let text = format!("{nick} >> {}", sanitize(chat));
        DisplayLine {
            body_start: nick.len() + 4,
            kind: Kind::Own { nick },
            text,
            stamp: 0,
        }
    }

    /// A message from the client itself.
    pub(crate) fn notice(text: &str) -> DisplayLine {
        DisplayLine {
            kind: Kind::Notice,
            text: format!("* {}", sanitize(text)),
            body_start: 0,
            stamp: 0,
        }
    }

    /// The message body (the whole text for lines without a sender).
    pub(crate) fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    /// True when this line is someone else's message that names `nick` as a word
    /// (case-insensitively), the way IRC clients highlight mentions.
    pub(crate) fn mentions(&self, nick: &str) -> bool {
        match &self.kind {
            Kind::Chat { nick: from }
            | Kind::Action { nick: from }
            | Kind::WhisperFrom { nick: from }
            | Kind::Scheduled { nick: from } => {
                !from.eq_ignore_ascii_case(nick) && mentions(self.body(), nick)
            }
            _ => false,
        }
    }
}

fn classify(text: &str) -> (Kind, usize) {
    match Line::parse(text) {
        Some(Line::Server { reply }) => {
            let kind = match reply {
                Reply::Notice { .. } | Reply::NoticeFrom { .. } => Kind::RoomNotice,
                Reply::YouWereKicked { .. } | Reply::Banned { .. } | Reply::ShuttingDown => {
                    Kind::Alert
                }
                Reply::BacklogOne { .. } | Reply::BacklogMany { .. } => Kind::BacklogHeader,
                _ => Kind::Server,
            };
            (kind, 0)
        }
        // `[Scheduled by Bob (left)] text` (or `[Scheduled by Bob, 12 min late] text`, fired
        // at a restart): the author's name, then the text.
        Some(
            Line::Scheduled {
                by: Author { nick, .. },
                text: body,
            }
            | Line::LateScheduled {
                by: nick,
                text: body,
                ..
            },
        ) => {
            let nick = nick.0.to_owned();
            (Kind::Scheduled { nick }, text.len() - body.len())
        }
        Some(Line::Action { nick, text: body }) => {
            let nick = nick.0.to_owned();
            (Kind::Action { nick }, text.len() - body.len())
        }
        Some(Line::WhisperFrom { nick, text: body }) => {
            let nick = nick.0.to_owned();
            (Kind::WhisperFrom { nick }, text.len() - body.len())
        }
        Some(Line::WhisperTo { nick, text: body }) => {
            let nick = nick.0.to_owned();
            (Kind::WhisperTo { nick }, text.len() - body.len())
        }
        Some(Line::Chat { nick, text: body }) => {
            let nick = nick.0.to_owned();
            (Kind::Chat { nick }, text.len() - body.len())
        }
        // A `[Server]:` sentence of a newer server, and anything else.
        _ if text.starts_with("[Server]:") => (Kind::Server, 0),
        _ => (Kind::Other, 0),
    }
}

/// True when `nick` occurs in `text` as a whole word, ignoring case. Nickname characters
/// (letters, digits, `_`, `-`) on either side make it part of another word; a `.` does not,
/// so `see you, alice.` still counts.
pub(crate) fn mentions(text: &str, nick: &str) -> bool {
    !mention_ranges(text, nick).is_empty()
}

/// The byte ranges of `text` where `nick` occurs as a whole word, ignoring case (see
/// [`mentions`]), so only the name is marked, not the whole line.
pub(crate) fn mention_ranges(text: &str, nick: &str) -> Vec<(usize, usize)> {
    let want: Vec<char> = nick.chars().flat_map(char::to_lowercase).collect();
    if want.is_empty() {
        return Vec::new();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    let mut skip_to = 0;
    for (at, c) in text.char_indices() {
        if at >= skip_to && !prev.is_some_and(is_word) {
            // Compare lower-cased characters from here until `want` is used up.
            let mut lower = text[at..]
                .char_indices()
                .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i + c.len_utf8(), l)));
            let mut end = at;
            let matched = want.iter().all(|w| match lower.next() {
                Some((next, l)) if l == *w => {
                    end = at + next;
                    true
                }
                _ => false,
            });
            // Whole characters only, and no word character right after.
            if matched
                && text.is_char_boundary(end)
                && !text[end..].chars().next().is_some_and(is_word)
            {
                found.push((at, end));
                skip_to = end;
            }
        }
        prev = Some(c);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Kind {
        DisplayLine::received(line).kind
    }

    #[test]
    fn classifies_every_shape() {
        let nick = |s: &str| s.to_owned();
        assert_eq!(kind("[Server]: Bob has joined the chat."), Kind::Server);
        assert_eq!(
            kind("[Whisper from Bob] Hi, Charlie!"),
            Kind::WhisperFrom { nick: nick("Bob") }
        );
        assert_eq!(
            kind("[Whisper to Charlie] Hi, Charlie!"),
            Kind::WhisperTo {
                nick: nick("Charlie")
            }
        );
        assert_eq!(
            kind("[Scheduled by 개똥이] 회의"),
            Kind::Scheduled {
                nick: nick("개똥이")
            }
        );
        assert_eq!(
            kind("[Scheduled by Charlie, 12 min late] standup"),
            Kind::Scheduled {
                nick: nick("Charlie")
            }
        );
        assert_eq!(
            kind("Alice >> Hello >> all"),
            Kind::Chat {
                nick: nick("Alice")
            }
        );
        assert_eq!(kind("no shape here"), Kind::Other);
        assert_eq!(kind(" >> empty nick"), Kind::Other);
        assert_eq!(kind("two words >> x"), Kind::Other);
        assert_eq!(kind("[Whisper from ] x"), Kind::Other);
    }

    #[test]
    fn body_follows_the_prefix() {
        assert_eq!(DisplayLine::received("Alice >> Hello").body(), "Hello");
        assert_eq!(DisplayLine::received("[Whisper from Bob] Hi").body(), "Hi");
        assert_eq!(DisplayLine::received("[Scheduled by Bob] go").body(), "go");
        let late = DisplayLine::received("[Scheduled by Charlie, 12 min late] go");
        assert_eq!(late.body(), "go");
        assert_eq!(
            DisplayLine::received("[Server]: Welcome").body(),
            "[Server]: Welcome"
        );
    }

    #[test]
    fn escape_sequences_are_removed_again() {
        let line = DisplayLine::received("Mallory >> \x1b[31mRED\x1b[0m \x1b]0;PWNED\x07\u{202E}x");
        assert_eq!(line.text, "Mallory >> [31mRED[0m ]0;PWNEDx");
        assert_eq!(
            line.kind,
            Kind::Chat {
                nick: "Mallory".into()
            }
        );
        assert!(!line.text.chars().any(char::is_control));
        let notice = DisplayLine::notice("lost\x1b[2J");
        assert_eq!(notice.text, "* lost[2J");
        let own = DisplayLine::own("Alice", "a\tb\x07");
        assert_eq!(own.text, "Alice >> a b");
        assert_eq!(own.body(), "a b");
    }

    #[test]
    fn own_and_notice_lines() {
        let own = DisplayLine::own("Alice", "/etc");
        assert_eq!(own.text, "Alice >> /etc");
        assert_eq!(
            own.kind,
            Kind::Own {
                nick: "Alice".into()
            }
        );
        assert_eq!(DisplayLine::notice("Reconnecting").kind, Kind::Notice);
    }

    #[test]
    fn mention_is_a_whole_word_in_any_case() {
        assert!(mentions("hi alice", "Alice"));
        assert!(mentions("ALICE: look", "Alice"));
        assert!(mentions("see you, alice.", "Alice"));
        assert!(mentions("@alice!", "Alice"));
        assert!(mentions("개똥이 안녕", "개똥이"));
        assert!(!mentions("malice", "Alice"));
        assert!(!mentions("alice_b", "Alice"));
        assert!(!mentions("alice2", "Alice"));
        assert!(!mentions("nothing", "Alice"));
        assert!(!mentions("anything", ""));
        assert!(mentions("malice and alice", "Alice"));
    }

    #[test]
    fn only_other_peoples_messages_mention() {
        assert!(DisplayLine::received("Bob >> hey alice").mentions("Alice"));
        assert!(DisplayLine::received("[Whisper from Bob] alice?").mentions("Alice"));
        assert!(DisplayLine::received("[Scheduled by Bob] alice").mentions("Alice"));
        assert!(!DisplayLine::received("[Server]: Alice has joined the chat.").mentions("Alice"));
        assert!(!DisplayLine::received("Bob >> hey").mentions("Alice"));
        assert!(!DisplayLine::received("Alice >> I am alice").mentions("Alice"));
        assert!(!DisplayLine::own("Alice", "alice").mentions("Alice"));
    }

    #[test]
    fn room_lines() {
        assert_eq!(
            kind("[Server]: Notice from Alice: Lunch at 12"),
            Kind::RoomNotice
        );
        assert_eq!(kind("[Server]: Notice: Lunch at 12"), Kind::RoomNotice);
        assert_eq!(
            kind("[Server]: You have been kicked from the chat."),
            Kind::Alert
        );
        assert_eq!(
            kind("[Server]: You are banned from \"study\" for 9 more minutes."),
            Kind::Alert
        );
        assert_eq!(kind("[Server]: The server is shutting down."), Kind::Alert);
        assert_eq!(
            kind("[Server]: Last 3 messages (times in +09:00):"),
            Kind::BacklogHeader
        );
        assert_eq!(
            kind("[Server]: Last message (time in +09:00):"),
            Kind::BacklogHeader
        );
        let action = DisplayLine::received("* Alice waves at bob");
        assert_eq!(
            action.kind,
            Kind::Action {
                nick: "Alice".into()
            }
        );
        assert_eq!(action.body(), "waves at bob");
        assert!(action.mentions("Bob"));
        assert_eq!(kind("* lonely"), Kind::Other);
        let own = DisplayLine::own_action("Bob", "waves");
        assert_eq!((own.text.as_str(), own.body()), ("* Bob waves", "waves"));
    }

    #[test]
    fn backlog_lines_keep_their_time_and_shape() {
        let line =
            DisplayLine::backlog("[09:14] Alice >> Hello everyone!").expect("a backlog line");
        assert_eq!(
            line.kind,
            Kind::Chat {
                nick: "Alice".into()
            }
        );
        assert_eq!(line.past_time(), Some("09:14"));
        assert_eq!(line.shown_text(), "Alice >> Hello everyone!");
        assert_eq!(line.body(), "Hello everyone!");
        assert_eq!(line.text, "[09:14] Alice >> Hello everyone!");
        let action = DisplayLine::backlog("[23:59] * Bob waves").expect("a backlog action");
        assert_eq!(action.kind, Kind::Action { nick: "Bob".into() });
        assert_eq!(DisplayLine::backlog("Alice >> [09:14] x"), None);
        assert_eq!(DisplayLine::backlog("[9:14] x"), None);
        assert_eq!(DisplayLine::received("x").past_time(), None);
    }

    #[test]
    fn mention_ranges_mark_only_the_name() {
        assert_eq!(
            mention_ranges("hi ALICE and alice.", "Alice"),
            [(3, 8), (13, 18)]
        );
        assert_eq!(mention_ranges("malice", "Alice"), []);
        assert_eq!(mention_ranges("개똥이 안녕", "개똥이"), [(0, 9)]);
        assert_eq!(mention_ranges("İx", "i̇x"), [(0, 3)]);
    }
}
