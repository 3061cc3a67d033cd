//! The hall's durable changes as records, and the store behind the runtime's hook.

use chatcore::persist::{self, Change as HallChange};
use chatcore::{Action, Nickname, RoomName};
use time::{OffsetDateTime, UtcOffset};

use crate::{BacklogRecord, BanRecord, Change, ScheduleRecord, Snapshot, Store};

/// Unix milliseconds of a wall time.
fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The wall time of Unix milliseconds `ms` in `offset`, if it is one.
fn wall(ms: i64, offset: UtcOffset) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(t.to_offset(offset))
}

impl Store {
    /// Keeps a backlog line as the hall gave it, at most `history` per room (older ones of
    /// the room are dropped: the commit would trim them).
    fn stage_line(&mut self, room: &RoomName, at: OffsetDateTime, line: &bytes::Bytes) {
        if self.history == 0 {
            return;
        }
        let of_room = |l: &&(RoomName, OffsetDateTime, bytes::Bytes)| l.0 == *room;
        if self.lines.iter().filter(of_room).count() >= self.history
            && let Some(oldest) = self.lines.iter().position(|l| l.0 == *room)
        {
            self.lines.remove(oldest);
        }
        self.lines.push((room.clone(), at, line.clone()));
    }

    /// Turns the backlog lines kept so far into records, in order, before a change that
    /// comes after them (or the commit).
    fn flush_lines(&mut self) {
        for (room, at, line) in std::mem::take(&mut self.lines) {
            let change = HallChange::BacklogAppended { room, at, line };
            if let Some(record) = from_hall(&change) {
                Store::stage(self, record);
            }
        }
    }
}

/// What the hall is rebuilt from: the snapshot's records as the hall's types. A record
/// that no longer parses (a name this build refuses, a file edited by hand) is skipped:
/// one bad row must not keep the server from starting.
pub fn to_hall(snapshot: Snapshot) -> persist::State {
    let rooms = snapshot
        .rooms
        .into_iter()
        .filter_map(|r| {
            Some(persist::RoomState {
                name: RoomName::parse(&r.name).ok()?,
                code: r.code,
                notice: r.notice,
                bans: r
                    .bans
                    .into_iter()
                    .filter_map(|b| {
                        Some(persist::BanState {
                            nick: Nickname::parse(&b.key).ok()?,
                            address: match b.address {
                                Some(a) => Some(a.parse().ok()?),
                                None => None,
                            },
                            until: wall(b.until_ms, UtcOffset::UTC)?,
                        })
                    })
                    .collect(),
                backlog: r
                    .backlog
                    .into_iter()
                    .filter_map(|l| {
                        Some(persist::BacklogLine {
                            at: wall(l.at_ms, UtcOffset::UTC)?,
                            line: l.line,
                        })
                    })
                    .collect(),
            })
        })
        .collect();
    let schedules = snapshot
        .schedules
        .into_iter()
        .filter_map(|s| {
            let offset = UtcOffset::from_whole_seconds(s.offset_s).ok()?;
            Some(persist::ScheduleState {
                id: s.id,
                room: RoomName::parse(&s.room).ok()?,
                author: Nickname::parse(&s.author).ok()?,
                due: wall(s.due_ms, offset)?,
                text: s.text,
            })
        })
        .collect();
    persist::State {
        rooms,
        schedules,
        next_id: snapshot.next_schedule_id,
    }
}

/// The record of one change the hall reported; `None` for a kind this build does not keep.
pub fn from_hall(change: &HallChange) -> Option<Change> {
    Some(match change {
        HallChange::ScheduleAdded {
            id,
            room,
            author,
            due,
            text,
            next_id,
        } => Change::ScheduleAdded {
            schedule: ScheduleRecord {
                id: *id,
                room: room.as_str().to_owned(),
                author: author.as_str().to_owned(),
                due_ms: unix_ms(*due),
                offset_s: due.offset().whole_seconds(),
                text: text.clone(),
            },
            next_id: *next_id,
        },
        HallChange::RoomCreated {
            room,
            capacity,
            code,
        } => Change::RoomCreated {
            name: room.as_str().to_owned(),
            capacity: u32::try_from(*capacity).unwrap_or(u32::MAX),
            code: code.clone(),
        },
        HallChange::RoomRemoved { room } => Change::RoomRemoved {
            name: room.as_str().to_owned(),
        },
        HallChange::ScheduleRemoved { id, .. } => Change::ScheduleRemoved { id: *id },
        HallChange::NoticeSet { room, notice } => Change::NoticeSet {
            room: room.as_str().to_owned(),
            notice: notice.clone(),
        },
        HallChange::CodeSet { room, code } => Change::CodeSet {
            room: room.as_str().to_owned(),
            code: code.clone(),
        },
        HallChange::BanAdded {
            room,
            nick,
            address,
            until,
        } => Change::BanAdded {
            room: room.as_str().to_owned(),
            ban: BanRecord {
                key: nick.as_str().to_owned(),
                address: address.map(|a| a.to_string()),
                until_ms: unix_ms(*until),
            },
        },
        HallChange::BanRemoved { room, nick } => Change::BanRemoved {
            room: room.as_str().to_owned(),
            key: nick.as_str().to_owned(),
        },
        HallChange::BacklogAppended { room, at, line } => Change::BacklogAppended {
            room: room.as_str().to_owned(),
            line: BacklogRecord {
                at_ms: unix_ms(*at),
                line: String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(line))
                    .into_owned(),
            },
        },
        _ => return None,
    })
}

impl chat_runtime::Store for Store {
    fn stage(&mut self, action: &Action) -> bool {
        let Action::Persist(change) = action else {
            return false;
        };
        if let HallChange::BacklogAppended { room, at, line } = change {
            self.stage_line(room, *at, line);
            return true;
        }
        let Some(record) = from_hall(change) else {
            return false;
        };
        self.flush_lines();
        Store::stage(self, record);
        true
    }

    fn commit(&mut self) -> Result<(), chat_runtime::Error> {
        self.flush_lines();
        Store::commit(self).map_err(|e| chat_runtime::Error::Store(Box::new(e)))
    }

    fn load(&mut self) -> Result<persist::State, chat_runtime::Error> {
        let snapshot = Store::load(self).map_err(|e| chat_runtime::Error::State(Box::new(e)))?;
        Ok(to_hall(snapshot))
    }
}
