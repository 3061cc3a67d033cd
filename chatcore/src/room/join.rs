//! Entering a room: the welcome, the admin line, and telling the others.

use super::{Member, Room};
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::reply::{Name, Reply};

/// Which welcome a member entering a room gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Greeting {
    /// Its nickname was just accepted (the default room, PROTOCOL.md §2.3).
    Welcome,
    /// It came with `/join` to a room that existed.
    Joined,
    /// It created the room with `/join`.
    Created,
}

impl Room {
    /// Adds `member` (its nickname already registered server-wide) as the newest member,
    /// greets it and tells the others.
    pub(crate) fn enter(&mut self, now: Now, id: ClientId, member: Member, greeting: Greeting) {
        let (nick, peer) = (member.nick.clone(), member.peer);
        self.members.push(id);
        self.nicks.insert(nick.key(), id);
        self.by_id.insert(id, member);
        self.log(
            now,
            Event::Join {
                id,
                nick: nick.clone(),
            },
        );
        let (online, capacity) = (self.members.len(), self.config.capacity);
        let name = self.name.clone();
        let room = Name::from(&name);
        self.reply(
            id,
            match greeting {
                Greeting::Welcome => Reply::Welcome {
                    nick: (&nick).into(),
                    online,
                    capacity,
                },
                Greeting::Joined => Reply::JoinedRoom {
                    room,
                    online,
                    capacity,
                },
                Greeting::Created => Reply::CreatedRoom { room },
            },
        );
        // The first member of an empty room is its admin (PROTOCOL.md §4, §8).
        if self.admin.is_none() {
            self.admin = Some(id);
            if greeting != Greeting::Created {
                self.reply(id, Reply::YouAreAdmin);
            }
        }
        self.send_backlog(id);
        self.send_notice(id);
        let line = Reply::HasJoined {
            nick: (&nick).into(),
        }
        .to_bytes();
        self.announce(now, peer, &line, Some(id));
    }
}
