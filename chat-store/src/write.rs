//! Applying staged changes in one transaction, and reading everything back.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::{BacklogRecord, BanRecord, Change, RoomRecord, ScheduleRecord, Snapshot};

/// Applies `changes` in order in one transaction, then trims the backlog of every room
/// that got lines to its last `history`.
pub(crate) fn commit(
    conn: &mut Connection,
    changes: &[Change],
    history: usize,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let mut grew = BTreeSet::new();
    for change in changes {
        apply(&tx, change)?;
        if let Change::BacklogAppended { room, .. } = change {
            grew.insert(room.as_str());
        }
    }
    let keep = i64::try_from(history).unwrap_or(i64::MAX);
    for room in grew {
        tx.execute(
            "DELETE FROM backlog WHERE room = ?1 AND seq NOT IN
             (SELECT seq FROM backlog WHERE room = ?1 ORDER BY seq DESC LIMIT ?2)",
            params![room, keep],
        )?;
    }
    tx.commit()
}

fn apply(tx: &Transaction<'_>, change: &Change) -> rusqlite::Result<()> {
    match change {
        Change::RoomCreated {
            name,
            capacity,
            code,
        } => {
            tx.execute(
                "INSERT OR REPLACE INTO rooms (name, capacity, code, notice)
                 VALUES (?1, ?2, ?3, NULL)",
                params![name, capacity, code],
            )?;
        }
        Change::RoomRemoved { name } => {
            for table in [
                "DELETE FROM rooms WHERE name = ?1",
                "DELETE FROM bans WHERE room = ?1",
                "DELETE FROM backlog WHERE room = ?1",
                "DELETE FROM schedules WHERE room = ?1",
            ] {
                tx.execute(table, [name])?;
            }
        }
        Change::CodeSet { room, code } => {
            tx.execute(
                "UPDATE rooms SET code = ?2 WHERE name = ?1",
                params![room, code],
            )?;
        }
        Change::NoticeSet { room, notice } => {
            tx.execute(
                "UPDATE rooms SET notice = ?2 WHERE name = ?1",
                params![room, notice],
            )?;
        }
        Change::BanAdded { room, ban } => {
            tx.execute(
                "INSERT OR REPLACE INTO bans (room, key, address, until_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![room, ban.key, ban.address, ban.until_ms],
            )?;
        }
        Change::BanRemoved { room, key } => {
            tx.execute(
                "DELETE FROM bans WHERE room = ?1 AND key = ?2",
                params![room, key],
            )?;
        }
        Change::ScheduleAdded {
            schedule: s,
            next_id,
        } => {
            tx.execute(
                "INSERT OR REPLACE INTO schedules (id, room, author, due_ms, offset_s, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    to_sql_id(s.id),
                    s.room,
                    s.author,
                    s.due_ms,
                    s.offset_s,
                    s.text
                ],
            )?;
            // The counter only grows, whatever order the changes come in.
            tx.execute(
                "UPDATE meta SET value = max(value, ?1) WHERE key = 'next_schedule_id'",
                [to_sql_id(*next_id)],
            )?;
        }
        Change::ScheduleRemoved { id } => {
            tx.execute("DELETE FROM schedules WHERE id = ?1", [to_sql_id(*id)])?;
        }
        Change::BacklogAppended { room, line } => {
            tx.execute(
                "INSERT INTO backlog (room, at_ms, line) VALUES (?1, ?2, ?3)",
                params![room, line.at_ms, line.line],
            )?;
        }
    }
    Ok(())
}

/// Ids are u64 in the hall and i64 in SQLite; the hall never comes near 2^63.
fn to_sql_id(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn from_sql_id(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

/// Reads the whole state.
pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Snapshot> {
    let mut rooms: Vec<RoomRecord> = conn
        .prepare("SELECT name, capacity, code, notice FROM rooms ORDER BY name")?
        .query_map([], |r| {
            Ok(RoomRecord {
                name: r.get(0)?,
                capacity: r.get(1)?,
                code: r.get(2)?,
                notice: r.get(3)?,
                bans: Vec::new(),
                backlog: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut bans = conn.prepare(
        "SELECT key, address, until_ms FROM bans WHERE room = ?1 ORDER BY until_ms, key",
    )?;
    let mut backlog =
        conn.prepare("SELECT at_ms, line FROM backlog WHERE room = ?1 ORDER BY seq")?;
    for room in &mut rooms {
        room.bans = bans
            .query_map([&room.name], |r| {
                Ok(BanRecord {
                    key: r.get(0)?,
                    address: r.get(1)?,
                    until_ms: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        room.backlog = backlog
            .query_map([&room.name], |r| {
                Ok(BacklogRecord {
                    at_ms: r.get(0)?,
                    line: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    let schedules = conn
        .prepare("SELECT id, room, author, due_ms, offset_s, text FROM schedules ORDER BY id")?
        .query_map([], |r| {
            Ok(ScheduleRecord {
                id: from_sql_id(r.get(0)?),
                room: r.get(1)?,
                author: r.get(2)?,
                due_ms: r.get(3)?,
                offset_s: r.get(4)?,
                text: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let counter: Option<i64> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'next_schedule_id'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let above_every_id = schedules.iter().map(|s| s.id + 1).max().unwrap_or(1);
    Ok(Snapshot {
        rooms,
        schedules,
        next_schedule_id: from_sql_id(counter.unwrap_or(1)).max(above_every_id),
    })
}
