//! The schema versions, the checks made before anything is written, and the migrations.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::Error;

/// `PRAGMA application_id` of a chat state file: "CHAT" in ASCII.
pub const APPLICATION_ID: i32 = 0x4348_4154;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// Version 1: rooms, schedules and the id counter (no bans, no backlog).
pub(crate) const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE rooms (
    name TEXT PRIMARY KEY,
    capacity INTEGER NOT NULL,
    code TEXT,
    notice TEXT
);
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    author TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    offset_s INTEGER NOT NULL,
    text TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('next_schedule_id', 1);
";

/// Version 1 to 2: bans and the backlog.
const V1_TO_V2: &str = "
CREATE TABLE bans (
    room TEXT NOT NULL,
    key TEXT NOT NULL,
    address TEXT,
    until_ms INTEGER NOT NULL,
    PRIMARY KEY (room, key)
);
CREATE TABLE backlog (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX backlog_room ON backlog (room, seq);
";

/// Opens `path`, checks it, migrates it and sets the durability pragmas.
pub(crate) fn open(path: &Path) -> Result<Connection, Error> {
    let p = || path.to_path_buf();
    let open_err = |source| Error::Open { path: p(), source };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    // Reads only, until the file is known to be ours.
    let classify = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::Foreign {
            path: p(),
            why: "not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt {
            path: p(),
            why: e.to_string(),
        },
        _ => Error::Open {
            path: p(),
            source: e,
        },
    };
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(classify)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(classify)?;
    let fresh = app == 0 && version == 0 && tables == 0;
    if !fresh {
        if app != APPLICATION_ID {
            return Err(Error::Foreign {
                path: p(),
                why: format!("application id {app:#x}"),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(Error::Newer {
                path: p(),
                found: version,
            });
        }
        if version < 1 {
            return Err(Error::Corrupt {
                path: p(),
                why: "no schema version".into(),
            });
        }
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(classify)?;
        if check != "ok" {
            return Err(Error::Corrupt {
                path: p(),
                why: one_line(&check),
            });
        }
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open_err)?;
    let tx = conn.transaction().map_err(open_err)?;
    if fresh {
        tx.execute_batch(V1).map_err(open_err)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(open_err)?;
    }
    if fresh || version < 2 {
        tx.execute_batch(V1_TO_V2).map_err(open_err)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(open_err)?;
    tx.commit().map_err(open_err)?;
    Ok(conn)
}

/// An integrity check's report (one problem a line, possibly hundreds) as one line: the
/// first problem and how many more.
fn one_line(report: &str) -> String {
    let mut problems = report
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("***"));
    let first = problems
        .next()
        .unwrap_or("integrity check failed")
        .to_owned();
    match problems.count() {
        0 => first,
        1 => format!("{first}, and 1 more problem"),
        n => format!("{first}, and {n} more problems"),
    }
}
