//! What the client learns from `[Server]:` lines: its nickname, the online count, the admin
//! marker and why the server is about to close.
//!
//! Only the fixed parts of the wording (PROTOCOL.md and docs/choices.md) are relied on.

/// One thing a server line tells the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fact {
    /// `Welcome, Alice! 3/10 online.`: the nickname was accepted (as the server spells it).
    Welcome {
        /// The accepted nickname.
        nick: String,
        /// `(online, capacity)` when the line says it.
        online: Option<(u32, u32)>,
    },
    /// `... Enter another:`: the nickname was refused; holds the line without `[Server]: `.
    Refused(String),
    /// `You are the admin.`
    YouAreAdmin,
    /// `Bob is now the admin.`
    NewAdmin(String),
    /// `You are now "Alice123".`
    Renamed(String),
    /// `You joined "study" (2/10 online).` or `You created "study" and are its admin.`
    EnteredRoom {
        /// The room's name as the server spells it.
        room: String,
        /// `(online, capacity)` when the line says it.
        online: Option<(u32, u32)>,
        /// True when the room was created, with this connection as its admin.
        created: bool,
    },
    /// `Last 3 messages (times in +09:00):`: that many backlog lines follow.
    Backlog(u32),
    /// `You are banned from "study" for 9 more minutes.`
    Banned,
    /// Someone joined.
    Joined,
    /// Someone left or was kicked.
    Left,
    /// `Users (3/10): ...`
    Users {
        /// Members online.
        online: u32,
        /// Room capacity.
        capacity: u32,
    },
    /// The server announces it will close this connection.
    Closing(Closing),
}

/// Why the server says it is closing the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closing {
    /// `Bye, Alice.` after `/quit`.
    Bye,
    /// `You have been kicked from the chat.`
    Kicked,
    /// `You are banned from "lobby" ...` at the nickname prompt.
    Banned,
    /// `The server is shutting down.`
    Shutdown,
    /// The room is full, no nickname was chosen in time, or too many connections: the
    /// connection never became (or stays) a member.
    Turned,
}

/// The fact a received (sanitised) line states, if any.
pub(crate) fn fact(line: &str) -> Option<Fact> {
    let s = line.strip_prefix("[Server]: ")?;
    if let Some(rest) = s.strip_prefix("Welcome, ")
        && let Some(end) = rest.find('!')
    {
        return Some(Fact::Welcome {
            nick: rest[..end].to_owned(),
            online: ratio(&rest[end..]),
        });
    }
    if s.ends_with("Enter another:") {
        return Some(Fact::Refused(s.to_owned()));
    }
    if s == "You are the admin." {
        return Some(Fact::YouAreAdmin);
    }
    if let Some(nick) = s.strip_suffix(" is now the admin.") {
        return Some(Fact::NewAdmin(nick.to_owned()));
    }
    if let Some(nick) = s
        .strip_prefix("You are now \"")
        .and_then(|r| r.strip_suffix("\"."))
    {
        return Some(Fact::Renamed(nick.to_owned()));
    }
    if let Some(rest) = s.strip_prefix("You joined \"")
        && let Some(end) = rest.find('"')
    {
        return Some(Fact::EnteredRoom {
            room: rest[..end].to_owned(),
            online: ratio(&rest[end..]),
            created: false,
        });
    }
    if let Some(rest) = s.strip_prefix("You created \"")
        && let Some(end) = rest.find('"')
    {
        return Some(Fact::EnteredRoom {
            room: rest[..end].to_owned(),
            online: None,
            created: true,
        });
    }
    if s.starts_with("Last message (") && s.ends_with(':') {
        return Some(Fact::Backlog(1));
    }
    if let Some(rest) = s.strip_prefix("Last ")
        && let Some((n, _)) = rest.split_once(' ')
        && rest.ends_with(':')
        && let Ok(n) = n.parse()
    {
        return Some(Fact::Backlog(n));
    }
    if s.starts_with("You are banned from ") {
        return Some(Fact::Banned);
    }
    if let Some(rest) = s.strip_prefix("Users (") {
        let (online, capacity) = ratio(rest)?;
        return Some(Fact::Users { online, capacity });
    }
    let closing = if s.starts_with("Bye, ") {
        Closing::Bye
    } else if s.starts_with("You have been kicked from the chat.") {
        Closing::Kicked
    } else if s.starts_with("The server is shutting down.") {
        Closing::Shutdown
    } else if s.starts_with("The chat room is full")
        || s.starts_with("No nickname chosen in time.")
        || s.starts_with("Too many connections")
    {
        Closing::Turned
    } else if s.ends_with(" has joined the chat.") {
        return Some(Fact::Joined);
    } else if s.ends_with(" has left the chat.")
        || s.ends_with(" has left the room.")
        || s.contains(" has been kicked from the chat.")
        || s.starts_with("You kicked ")
    {
        return Some(Fact::Left);
    } else {
        return None;
    };
    Some(Fact::Closing(closing))
}

/// The first `N/M` in `s` (digits around a slash).
fn ratio(s: &str) -> Option<(u32, u32)> {
    let slash = s.find('/')?;
    let before = &s[..slash];
    let digits_before = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let after = &s[slash + 1..];
    let digits_after = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let online = before[before.len() - digits_before..].parse().ok()?;
    let capacity = after[..digits_after].parse().ok()?;
    Some((online, capacity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Option<Fact> {
        fact(&format!("[Server]: {s}"))
    }

    #[test]
    fn welcome_names_the_nick_and_count() {
        assert_eq!(
            f("Welcome, Alice! 3/10 online. Type /help for commands."),
            Some(Fact::Welcome {
                nick: "Alice".into(),
                online: Some((3, 10))
            })
        );
        assert_eq!(
            f("Welcome, 개똥이!"),
            Some(Fact::Welcome {
                nick: "개똥이".into(),
                online: None
            })
        );
        // The prompt before a nickname is not a welcome.
        assert_eq!(
            f("Welcome to the open chat (3/10 online). Enter a nickname:"),
            None
        );
    }

    #[test]
    fn refusals_end_in_enter_another() {
        let line = "Nickname \"alice\" is already taken. Enter another:";
        assert_eq!(f(line), Some(Fact::Refused(line.into())));
        let line = "Nickname must not be empty. Enter another:";
        assert_eq!(f(line), Some(Fact::Refused(line.into())));
    }

    #[test]
    fn admin_rename_and_counts() {
        assert_eq!(f("You are the admin."), Some(Fact::YouAreAdmin));
        assert_eq!(
            f("Bob is now the admin."),
            Some(Fact::NewAdmin("Bob".into()))
        );
        assert_eq!(
            f("You are now \"Alice123\"."),
            Some(Fact::Renamed("Alice123".into()))
        );
        assert_eq!(f("Bob has joined the chat."), Some(Fact::Joined));
        assert_eq!(f("Bob has left the chat."), Some(Fact::Left));
        assert_eq!(f("Bob has been kicked from the chat."), Some(Fact::Left));
        assert_eq!(
            f("Bob has been kicked from the chat. Reason: spam"),
            Some(Fact::Left)
        );
        assert_eq!(f("You kicked Bob."), Some(Fact::Left));
        assert_eq!(
            f("Users (3/10): Alice (admin), Bob, Charlie"),
            Some(Fact::Users {
                online: 3,
                capacity: 10
            })
        );
        assert_eq!(
            f("User \"Alice\" has changed their nickname to \"Alice123\"."),
            None
        );
    }

    #[test]
    fn closings() {
        let c = |s| {
            f(s).and_then(|fact| match fact {
                Fact::Closing(c) => Some(c),
                _ => None,
            })
        };
        assert_eq!(c("Bye, Alice."), Some(Closing::Bye));
        assert_eq!(
            c("You have been kicked from the chat."),
            Some(Closing::Kicked)
        );
        assert_eq!(
            c("You have been kicked from the chat. Reason: spam"),
            Some(Closing::Kicked)
        );
        assert_eq!(c("The server is shutting down."), Some(Closing::Shutdown));
        assert_eq!(
            c("The chat room is full (10/10). Try again later."),
            Some(Closing::Turned)
        );
        assert_eq!(c("No nickname chosen in time. Bye."), Some(Closing::Turned));
        assert_eq!(
            c("Too many connections are waiting for a nickname. Bye."),
            Some(Closing::Turned)
        );
        assert_eq!(
            c("Too many connections from your address (max 5). Bye."),
            Some(Closing::Turned)
        );
    }

    #[test]
    fn other_lines_state_nothing() {
        assert_eq!(fact("Alice >> [Server]: Welcome, Bob!"), None);
        assert_eq!(fact("[Whisper from Bob] Welcome, X!"), None);
        assert_eq!(f("Unknown command \"/x\". Type /help for the list."), None);
    }

    #[test]
    fn ratio_parsing() {
        assert_eq!(ratio("! 3/10 online."), Some((3, 10)));
        assert_eq!(ratio("12/100): a"), Some((12, 100)));
        assert_eq!(ratio("no slash"), None);
        assert_eq!(ratio("a/b"), None);
    }

    #[test]
    fn rooms() {
        assert_eq!(
            f("You joined \"study\" (2/10 online)."),
            Some(Fact::EnteredRoom {
                room: "study".into(),
                online: Some((2, 10)),
                created: false
            })
        );
        assert_eq!(
            f("You created \"개발\" and are its admin."),
            Some(Fact::EnteredRoom {
                room: "개발".into(),
                online: None,
                created: true
            })
        );
        assert_eq!(
            f("Last 3 messages (times in +09:00):"),
            Some(Fact::Backlog(3))
        );
        assert_eq!(f("Last words:"), None);
        assert_eq!(f("Last message (time in +09:00):"), Some(Fact::Backlog(1)));
        assert_eq!(
            f("You are banned from \"study\" for 9 more minutes."),
            Some(Fact::Banned)
        );
        assert_eq!(f("Bob has left the room."), Some(Fact::Left));
    }
}
