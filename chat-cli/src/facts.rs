//! What the client learns from `[Server]:` lines: its nickname, the online count, the admin
//! marker and why the server is about to close.
//!
//! The lines are read with `chatcore`'s definition of them ([`chatcore::Reply`]).

use chatcore::{Line, Reply};

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

/// The fact a received (sanitised) line states, if any: a thin mapping from the server's
/// own definition of its lines ([`chatcore::Line`]), so no sentence is matched here.
pub(crate) fn fact(line: &str) -> Option<Fact> {
    let Line::Server { reply } = Line::parse(line)? else {
        return None;
    };
    let ratio = |online: usize, capacity: usize| {
        Some((u32::try_from(online).ok()?, u32::try_from(capacity).ok()?))
    };
    let closing = match reply {
        Reply::Welcome {
            nick,
            online,
            capacity,
        } => {
            return Some(Fact::Welcome {
                nick: nick.0.to_owned(),
                online: ratio(online, capacity),
            });
        }
        Reply::BadNicknameAgain { .. } | Reply::NickTakenAgain { .. } => {
            return Some(Fact::Refused(reply.to_string()));
        }
        Reply::YouAreAdmin => return Some(Fact::YouAreAdmin),
        Reply::NewAdmin { nick } => return Some(Fact::NewAdmin(nick.0.to_owned())),
        Reply::YouAreNow { nick } => return Some(Fact::Renamed(nick.0.to_owned())),
        Reply::JoinedRoom {
            room,
            online,
            capacity,
        } => {
            return Some(Fact::EnteredRoom {
                room: room.0.to_owned(),
                online: ratio(online, capacity),
                created: false,
            });
        }
        Reply::CreatedRoom { room } => {
            return Some(Fact::EnteredRoom {
                room: room.0.to_owned(),
                online: None,
                created: true,
            });
        }
        Reply::BacklogOne { .. } => return Some(Fact::Backlog(1)),
        Reply::BacklogMany { count, .. } => {
            return Some(Fact::Backlog(u32::try_from(count).ok()?));
        }
        Reply::Banned { .. } => return Some(Fact::Banned),
        Reply::Users {
            online, capacity, ..
        } => {
            let (online, capacity) = ratio(online, capacity)?;
            return Some(Fact::Users { online, capacity });
        }
        Reply::HasJoined { .. } => return Some(Fact::Joined),
        Reply::HasLeft { .. }
        | Reply::LeftRoom { .. }
        | Reply::WasKicked { .. }
        | Reply::YouKicked { .. } => return Some(Fact::Left),
        Reply::Bye { .. } | Reply::ByeAtPrompt => Closing::Bye,
        Reply::YouWereKicked { .. } => Closing::Kicked,
        Reply::ShuttingDown => Closing::Shutdown,
        Reply::Full { .. }
        | Reply::NickTimeout
        | Reply::TooManyWaiting
        | Reply::TooManyFromAddress { .. }
        | Reply::TooManyFromNetwork { .. }
        | Reply::TooManyAttempts
        | Reply::TooManyJoinsAtPrompt { .. }
        | Reply::Busy => Closing::Turned,
        _ => return None,
    };
    Some(Fact::Closing(closing))
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
            f("Welcome, 개똥이! 1/10 online. Type /help for commands."),
            Some(Fact::Welcome {
                nick: "개똥이".into(),
                online: Some((1, 10))
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
