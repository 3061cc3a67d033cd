//! Rooms as a whole: `/rooms`, `/join` (moving and creating), and removing idle rooms.

use super::admit::subnet_key;
use super::{Hall, RoomId, Slot, State};
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::nickname::Nickname;
use crate::reply::{Name, Reply};
use crate::room::{Greeting, Room, more_minutes, valid_code, wrap_list};
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
        let has_code = code.is_some();
        let rid = self.add_room(name);
        self.with_room(now, rid, |room, _| {
            room.persist(crate::persist::Change::RoomCreated {
                room: room.name().clone(),
                capacity: room.capacity(),
                code: code.clone(),
            });
            if let Some(code) = code {
                room.init_code(code);
            }
            room.log(now, Event::RoomCreated { by, code: has_code });
        });
        rid
    }

    /// Adds an empty room, reporting and logging nothing (see `create_room`, `restore`).
    pub(super) fn add_room(&mut self, name: RoomName) -> RoomId {
        let rid = RoomId(self.next_room);
        self.next_room += 1;
        self.by_key.insert(name.key(), rid);
        let room = Room::new(name, self.config.clone(), self.epoch);
        let slot = Slot {
            room,
            idle_since: None,
            armed: None,
            network: None,
        };
        self.rooms.insert(rid, slot);
        rid
    }

    /// Removes a room that has been idle for the room ttl.
    pub(super) fn remove_room(&mut self, now: Now, rid: RoomId) {
        self.with_room(now, rid, |room, _| {
            room.persist(crate::persist::Change::RoomRemoved {
                room: room.name().clone(),
            });
            room.log(now, Event::RoomRemoved);
        });
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
        let count = self.rooms.len();
        let head = Reply::Rooms { count, list: "" }.to_string().len();
        let entries = self.rooms.values().map(|slot| {
            let room = &slot.room;
            let code = if room.has_code() { " (code)" } else { "" };
            format!("{} {}/{cap}{code}", room.name(), room.len())
        });
        let lists = wrap_list(head, entries, max);
        self.with_room(now, here, |room, _| {
            for (i, list) in lists.iter().enumerate() {
                let list = list.as_str();
                room.reply(
                    id,
                    match i {
                        0 => Reply::Rooms { count, list },
                        _ => Reply::More { list },
                    },
                );
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
        let refuse = |hall: &mut Hall, reply: Reply<'_>| {
            hall.with_room(now, from, |room, _| room.reject(now, id, reply));
        };
        let name = match RoomName::parse(typed) {
            Ok(name) => name,
            Err(error) => return refuse(self, Reply::BadRoomName { error }),
        };
        let peer = self.clients.get(&id).and_then(|c| c.peer);
        let Some(nick) = self.nickname(id).cloned() else {
            return;
        };
        let cap = self.config.capacity;
        match self.by_key.get(&name.key()).copied() {
            Some(rid) if rid == from => {
                let name = self.rooms[&rid].room.name().clone();
                refuse(
                    self,
                    Reply::AlreadyInRoom {
                        room: (&name).into(),
                    },
                );
            }
            Some(rid) => {
                let room = &self.rooms[&rid].room;
                let name = room.name().clone();
                let online = room.len();
                let room_name = Name::from(&name);
                if room.is_full() {
                    let full = Reply::RoomFull {
                        room: room_name,
                        online,
                        capacity: cap,
                    };
                    return refuse(self, full);
                }
                if let Some(left) = self.ban_remaining(rid, &nick.key(), peer, now) {
                    let left = more_minutes(left);
                    return refuse(
                        self,
                        Reply::Banned {
                            room: room_name,
                            left,
                        },
                    );
                }
                // Charged before the code is checked: a guess at a code costs a join, so
                // codes cannot be guessed quickly.
                if let Err(wait) = self.take_join(peer, now) {
                    return refuse(self, join_wait(wait));
                }
                let room = &self.rooms[&rid].room;
                if !room.code_matches(code) {
                    let reason = match code {
                        None => Reply::NeedsCode { room: room_name },
                        Some(_) => Reply::WrongCode { room: room_name },
                    };
                    return refuse(self, reason);
                }
                self.move_member(now, id, from, rid, Greeting::Joined);
            }
            None => {
                let max = self.config.max_rooms;
                if self.rooms.len() >= max {
                    return refuse(self, Reply::TooManyRooms { max });
                }
                let network = self.limited(peer).map(subnet_key);
                let max = self.config.max_rooms_per_subnet;
                // Counted when needed (a room creation, join-rate limited): nothing to keep
                // in step as rooms come and go.
                let created = |n| self.rooms.values().filter(|s| s.network == Some(n)).count();
                if network.is_some_and(|n| created(n) >= max) {
                    return refuse(self, Reply::TooManyRoomsFromNetwork { max });
                }
                let code = match code.map(valid_code) {
                    None => None,
                    Some(Some(code)) => Some(code),
                    Some(None) => {
                        return refuse(self, Reply::BadCode);
                    }
                };
                if let Err(wait) = self.take_join(peer, now) {
                    return refuse(self, join_wait(wait));
                }
                let rid = self.create_room(now, name, Some(nick), code);
                if let Some(slot) = self.rooms.get_mut(&rid) {
                    slot.network = network;
                }
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
fn join_wait(wait: std::time::Duration) -> Reply<'static> {
    Reply::JoiningTooOften {
        secs: wait.as_secs().max(1),
    }
}
