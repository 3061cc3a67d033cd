//! The hall's durable changes as records, and the store behind the runtime's hook.

use chatcore::Action;
use chatcore::persist::Change as HallChange;
use time::OffsetDateTime;

use crate::{BacklogRecord, BanRecord, Change, ScheduleRecord, Store};

/// Unix milliseconds of a wall time.
fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
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
        let Some(record) = from_hall(change) else {
            return false;
        };
        Store::stage(self, record);
        true
    }

    fn commit(&mut self) -> Result<(), chat_runtime::Error> {
        Store::commit(self).map_err(|e| chat_runtime::Error::Store(Box::new(e)))
    }
}
