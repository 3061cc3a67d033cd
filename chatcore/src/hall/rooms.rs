//! Rooms as a whole: `/rooms`, `/join` (moving and creating), and removing idle rooms.

use super::{Hall, RoomId, Slot, State};
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::nickname::Nickname;
use crate::room::{Greeting, Room, banned_reason, valid_code};
use crate::roomname::RoomName;

impl Hall {
    /// Adds a room (creating its log record) and returns its id.
    pub(super) fn create_room(
        &mut self,
        now: Now,
        name: RoomName,
        by: Option<Nickname>,
        code: Option<String>,
    ) -> RoomId {
        let rid = RoomId(self.next_room);
        self.next_room += 1;
        self.by_key.insert(name.key(), rid);
        let mut room = Room::new(name, self.config.clone(), self.epoch);
        let has_code = code.is_some();
        if let Some(code) = code {
            room.init_code(code);
        }
        self.rooms.insert(
            rid,
            Slot {
                room,
                idle_since: None,
                armed: None,
            },
        );
        self.with_room(now, rid, |room, _| {
            room.log(now, Event::RoomCreated { by, code: has_code });
        });
        rid
    }

    /// Removes a room that has been idle for the room ttl.
    pub(super) fn remove_room(&mut self, now: Now, rid: RoomId) {
        self.with_room(now, rid, |room, _| room.log(now, Event::RoomRemoved));
        if let Some(slot) = self.rooms.remove(&rid) {
            self.by_key.remove(&slot.room.name().key());
            if let Some(t) = slot.armed {
                self.timers.remove(&(t, rid));
            }
        }
    }

    /// `/rooms`: every room with its members and capacity, marking those that need a code.
    pub(super) fn list_rooms(&mut self, now: Now, id: ClientId, here: RoomId) {
        let max = self.config.max_output_line();
        let cap = self.config.capacity;
        let mut lines = vec![format!("Rooms ({}): ", self.rooms.len())];
        for (i, slot) in self.rooms.values().enumerate() {
            let room = &slot.room;
            let code = if room.has_code() { " (code)" } else { "" };
            let entry = format!("{} {}/{cap}{code}", room.name(), room.len());
            let sep = if i == 0 { "" } else { ", " };
            let cur = lines.last().map_or(0, String::len);
            // "[Server]: " + line + sep + entry + "\n" must fit the output cap.
            if cur + sep.len() + entry.len() + 12 > max {
                lines.push(String::from("... "));
            } else if let Some(l) = lines.last_mut() {
                l.push_str(sep);
            }
            if let Some(l) = lines.last_mut() {
                l.push_str(&entry);
            }
        }
        self.with_room(now, here, |room, _| {
            for l in lines {
                room.reply(id, format_args!("{l}"));
            }
        });
    }

    /// `/join NAME [CODE]` from a member of room `from`.
    pub(super) fn join_room(
        &mut self,
        now: Now,
        id: ClientId,
        from: RoomId,
        typed: &str,
        code: Option<&str>,
    ) {
        let refuse = |hall: &mut Hall, reason: String| {
            hall.with_room(now, from, |room, _| room.reject(now, id, reason));
        };
        let name = match RoomName::parse(typed) {
            Ok(name) => name,
            Err(e) => return refuse(self, e.to_string()),
        };
        let peer = self.clients.get(&id).and_then(|c| c.peer);
        let Some(nick) = self.nickname(id).cloned() else {
            return;
        };
        let cap = self.config.capacity;
        match self.by_key.get(&name.key()).copied() {
            Some(rid) if rid == from => {
                let name = self.rooms[&rid].room.name().clone();
                refuse(self, format!("You are already in \"{name}\"."));
            }
            Some(rid) => {
                let room = &self.rooms[&rid].room;
                let name = room.name().clone();
                let n = room.len();
                if room.is_full() {
                    return refuse(self, format!("The room \"{name}\" is full ({n}/{cap})."));
                }
                if let Some(left) = self.ban_remaining(rid, &nick.key(), peer, now) {
                    return refuse(self, banned_reason(name.as_str(), left));
                }
                // Charged before the code is checked: a guess at a code costs a join, so
                // codes cannot be guessed quickly.
                if let Err(wait) = self.take_join(peer, now) {
                    return refuse(self, join_wait(wait));
                }
                let room = &self.rooms[&rid].room;
                if !room.code_matches(code) {
                    let reason = match code {
                        None => format!("The room \"{name}\" needs a code: /join {name} <code>"),
                        Some(_) => format!("Wrong code for \"{name}\"."),
                    };
                    return refuse(self, reason);
                }
                self.move_member(now, id, from, rid, Greeting::Joined);
            }
            None => {
                let max = self.config.max_rooms;
                if self.rooms.len() >= max {
                    return refuse(
                        self,
                        format!(
                            "The server already has {max} rooms (max {max}); join one of them."
                        ),
                    );
                }
                let code = match code.map(valid_code) {
                    None => None,
                    Some(Some(code)) => Some(code),
                    Some(None) => {
                        let reason = "A code is 4-32 visible characters, without spaces.";
                        return refuse(self, reason.to_owned());
                    }
                };
                if let Err(wait) = self.take_join(peer, now) {
                    return refuse(self, join_wait(wait));
                }
                let rid = self.create_room(now, name, Some(nick), code);
                self.move_member(now, id, from, rid, Greeting::Created);
            }
        }
    }

    /// Moves member `id` from room `from` to room `to`.
    fn move_member(
        &mut self,
        now: Now,
        id: ClientId,
        from: RoomId,
        to: RoomId,
        greeting: Greeting,
    ) {
        let Some(member) = self
            .with_room(now, from, |room, _| room.exit(now, id))
            .flatten()
        else {
            return;
        };
        if let Some(client) = self.clients.get_mut(&id) {
            client.state = State::Member(to);
        }
        self.with_room(now, to, |room, _| room.enter(now, id, member, greeting));
    }
}

/// The refusal of a join over the join rate.
fn join_wait(wait: std::time::Duration) -> String {
    format!(
        "You are joining rooms too often; try again in {} s.",
        wait.as_secs().max(1)
    )
}
