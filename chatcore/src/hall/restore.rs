//! Building the hall from the durable state a store kept (PROTOCOL.md §10).

use super::{DEFAULT, Hall};
use crate::config::Config;
use crate::error::Error;
use crate::io::Now;
use crate::log::Event;
use crate::persist::State;
use crate::roomname::RoomName;

impl Hall {
    /// Creates the server from `state`, what a store kept of the [`crate::persist::Change`]s
    /// an earlier hall reported. Fails only on an invalid `config`.
    ///
    /// - Rooms come back with their code, notice, bans (those not over) and backlog (its
    ///   last `Config::history` lines), in `state`'s order after the default room, which is
    ///   created (and reported) only if `state` lacks it. Restored rooms are not reported
    ///   again; those left empty are removed after `Config::room_ttl` from `now`.
    /// - Schedules come back with their ids; the next id is above every id in `state` and
    ///   `state.next_id - 1`, so ids never repeat. Their authors' connections are gone, so
    ///   they fire marked `(left)`. One that fell due while the server was down fires at
    ///   the first [`Hall::handle_timeout`] if it is at most `Config::late_limit` late, as
    ///   `[Scheduled by Charlie, 12 min late] text` (whole minutes; under a minute
    ///   late, the plain form); older ones are dropped, logged and reported removed
    ///   ([`crate::persist::Removed::TooLate`]). A schedule of a room not in `state` is
    ///   skipped.
    /// - Text that holds a character no server line may hold (a file edited by hand) is
    ///   skipped, so a state file can never put control bytes on anyone's screen (such a
    ///   schedule is reported removed, [`crate::persist::Removed::Unreadable`]).
    ///
    /// Members and the admin role belong to connections and are never restored.
    pub fn restore(config: Config, now: Now, state: State) -> Result<Hall, Error> {
        let mut hall = Hall::empty(config, now)?;
        let default = RoomName::parse(&hall.config.default_room)
            .map_err(|_| Error::InvalidConfig("default_room must be a valid room name"))?;
        let capacity = hall.config.capacity;
        hall.log(now, Event::Start { capacity });
        let mut kept_rooms = state.rooms;
        let mut rooms = 0;
        match kept_rooms
            .iter()
            .position(|r| r.name.key() == default.key())
        {
            Some(i) => {
                let kept = kept_rooms.remove(i);
                let rid = hall.add_room(default);
                debug_assert_eq!(rid, DEFAULT);
                hall.restore_room(now, rid, kept);
                rooms += 1;
            }
            None => {
                hall.create_room(now, default, None, None);
            }
        }
        for kept in kept_rooms {
            if hall.by_key.contains_key(&kept.name.key()) {
                continue;
            }
            let rid = hall.add_room(kept.name.clone());
            hall.restore_room(now, rid, kept);
            rooms += 1;
        }
        let mut schedules = 0;
        let mut last = state.next_id.saturating_sub(1);
        for kept in state.schedules {
            last = last.max(kept.id);
            let Some(slot) = hall
                .by_key
                .get(&kept.room.key())
                .and_then(|rid| hall.rooms.get_mut(rid))
            else {
                continue;
            };
            if slot.room.restore_schedule(now, kept) {
                schedules += 1;
            }
        }
        hall.cx.last_seq = last;
        if rooms > 0 || schedules > 0 {
            hall.log(now, Event::Restored { rooms, schedules });
        }
        // Moves out what restoring logged and reported, arms each room's next deadline,
        // and starts the ttl of the rooms left idle.
        let ids: Vec<_> = hall.rooms.keys().copied().collect();
        for rid in ids {
            hall.with_room(now, rid, |_, _| ());
        }
        Ok(hall)
    }

    fn restore_room(&mut self, now: Now, rid: super::RoomId, kept: crate::persist::RoomState) {
        if let Some(slot) = self.rooms.get_mut(&rid) {
            slot.room.restore(now, kept);
        }
    }
}
