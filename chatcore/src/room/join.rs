//! Entering a room: the welcome, the admin line, and telling the others.

use super::{Member, Room, server_line};
use crate::io::{ClientId, Now};
use crate::log::Event;

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
        let (n, cap) = (self.members.len(), self.config.capacity);
        match greeting {
            Greeting::Welcome => self.reply(
                id,
                format_args!("Welcome, {nick}! {n}/{cap} online. Type /help for commands."),
            ),
            Greeting::Joined => {
                let name = self.name.clone();
                self.reply(
                    id,
                    format_args!("You joined \"{name}\" ({n}/{cap} online)."),
                );
            }
            Greeting::Created => {
                let name = self.name.clone();
                self.reply(
                    id,
                    format_args!("You created \"{name}\" and are its admin."),
                );
            }
        }
        // The first member of an empty room is its admin (PROTOCOL.md §4, §8).
        if self.admin.is_none() {
            self.admin = Some(id);
            if greeting != Greeting::Created {
                self.reply(id, format_args!("You are the admin."));
            }
        }
        self.send_backlog(id);
        self.send_notice(id);
        let line = server_line(format_args!("{nick} has joined the chat."));
        self.announce(now, peer, &line, Some(id));
    }
}
