//! Halls with members already joined in the default room, for benches and tests.

use std::time::Instant;

use chatcore::{ClientId, Config, Error, Frame, Hall, Input, Now};

/// The wall time every fixture starts at: benches must not depend on today's date.
pub const WALL: time::OffsetDateTime = time::macros::datetime!(2026-11-25 06:00 UTC);

/// `Now` at [`WALL`] on the wall clock and the current monotonic instant.
pub fn now() -> Now {
    Now::new(Instant::now(), WALL)
}

/// The default config with the flood limit off, sized for `capacity` members.
pub fn config(capacity: usize) -> Config {
    let mut config = Config::default();
    config.capacity = capacity;
    config.flood_rate = 0;
    config
}

/// The nickname fixture member `i` joins with.
pub fn nick(i: usize) -> String {
    format!("m{i}")
}

/// A hall made from `config` with `members` members in its default room (`ClientId(0)`
/// first, the admin), every output of the joins drained.
pub fn room(config: Config, members: usize, now: Now) -> Result<Hall, Error> {
    let mut room = Hall::new(config, now)?;
    for i in 0..members {
        join(&mut room, now, ClientId(i as u64), &nick(i))?;
    }
    Ok(room)
}

/// Like [`room`], and beside the default room `rooms` more rooms, each created by one
/// roaming member's `/join` and left empty (so each waits in the timer table for its ttl).
/// The roaming member ends in a room of its own, apart from the default room's members.
pub fn room_beside_rooms(
    mut config: Config,
    members: usize,
    rooms: usize,
    now: Now,
) -> Result<Hall, Error> {
    config.max_rooms = rooms + 2;
    let mut hall = room(config, members, now)?;
    let roamer = ClientId(u64::MAX);
    join(&mut hall, now, roamer, "roamer")?;
    for i in 0..=rooms {
        hall.handle_input(now, line(roamer, &format!("/join r{i}")))?;
        drain(&mut hall);
    }
    Ok(hall)
}

/// A hall whose rooms `r0`, `r1`, ... hold `per_room` members each (member `i` in room
/// `i / per_room`, its first member the admin), each created by that member's `/join`; the
/// default room is left empty. Members join one at a time, so the default room never needs
/// more than one place.
pub fn rooms_of(
    mut config: Config,
    rooms: usize,
    per_room: usize,
    now: Now,
) -> Result<Hall, Error> {
    config.max_rooms = config.max_rooms.max(rooms + 2);
    let mut hall = Hall::new(config, now)?;
    for i in 0..rooms * per_room {
        let id = ClientId(i as u64);
        join(&mut hall, now, id, &nick(i))?;
        hall.handle_input(now, line(id, &format!("/join r{}", i / per_room)))?;
        drain(&mut hall);
    }
    Ok(hall)
}

/// Connects `id`, sends `nick` as its first line and drains the outputs.
pub fn join(room: &mut Hall, now: Now, id: ClientId, nick: &str) -> Result<(), Error> {
    room.handle_input(now, Input::Connect { id, peer: None })?;
    room.handle_input(
        now,
        Input::Frame {
            id,
            frame: Frame::Line(nick.to_owned()),
        },
    )?;
    drain(room);
    Ok(())
}

/// One line from `id`, as a transport would hand it in.
pub fn line(id: ClientId, text: &str) -> Input {
    Input::Frame {
        id,
        frame: Frame::Line(text.to_owned()),
    }
}

/// Drains every pending action and returns how many there were.
pub fn drain(room: &mut Hall) -> usize {
    let mut n = 0;
    while room.poll_action().is_some() {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_room_has_its_members_in_order() -> Result<(), Error> {
        let mut room = room(config(5), 3, now())?;
        let lobby = room.default_room();
        let names: Vec<String> = lobby.members().map(|(_, n)| n.to_string()).collect();
        assert_eq!(names, ["m0", "m1", "m2"]);
        assert_eq!(lobby.admin(), Some(ClientId(0)));
        room.handle_input(now(), line(ClientId(0), "hi"))?;
        // Two sends, one log record and the backlog line kept (Action::Persist); nothing was
        // left over from the joins.
        assert_eq!(drain(&mut room), 4);
        Ok(())
    }

    #[test]
    fn rooms_of_holds_each_room_full_and_the_default_room_empty() -> Result<(), Error> {
        let mut hall = rooms_of(config(4), 3, 4, now())?;
        // The default room and r0..r2.
        assert_eq!(hall.rooms().count(), 4);
        assert_eq!(hall.default_room().len(), 0);
        let r1 = hall.room("r1").expect("r1 was created");
        let names: Vec<String> = r1.members().map(|(_, n)| n.to_string()).collect();
        assert_eq!(names, ["m4", "m5", "m6", "m7"]);
        assert_eq!(r1.admin(), Some(ClientId(4)));
        hall.handle_input(now(), line(ClientId(5), "hi"))?;
        // Three sends in r1, one log record and the backlog line kept.
        assert_eq!(drain(&mut hall), 5);
        Ok(())
    }

    #[test]
    fn rooms_beside_the_default_room_are_there_and_apart() -> Result<(), Error> {
        let mut hall = room_beside_rooms(config(10), 3, 50, now())?;
        // The default room, 50 empty rooms and the roamer's own.
        assert_eq!(hall.rooms().count(), 52);
        assert_eq!(hall.default_room().len(), 3);
        hall.handle_input(now(), line(ClientId(0), "hi"))?;
        // Two sends, one log record and the backlog line kept.
        assert_eq!(drain(&mut hall), 4);
        Ok(())
    }
}
