//! A file written by schema version 1 (rooms and schedules, no bans, no backlog) opens,
//! keeps its data, and becomes version 2.

use chat_store::{APPLICATION_ID, BanRecord, Change, SCHEMA_VERSION, ScheduleRecord, Store};
use rusqlite::Connection;

/// What a version-1 server wrote, as raw SQL, so the test does not depend on this build's
/// code for the old schema.
const V1_FIXTURE: &str = "
PRAGMA application_id = 1128808788;
PRAGMA user_version = 1;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE rooms (name TEXT PRIMARY KEY, capacity INTEGER NOT NULL, code TEXT, notice TEXT);
CREATE TABLE schedules (id INTEGER PRIMARY KEY, room TEXT NOT NULL, author TEXT NOT NULL,
    due_ms INTEGER NOT NULL, offset_s INTEGER NOT NULL, text TEXT NOT NULL);
INSERT INTO meta VALUES ('next_schedule_id', 13);
INSERT INTO rooms VALUES ('lobby', 10, NULL, 'Welcome'), ('study', 4, 'pw1234', NULL);
INSERT INTO schedules VALUES (12, 'study', 'Charlie', 1700000000000, 32400, 'Meeting starts soon');
";

#[test]
fn a_version_1_file_is_migrated_and_keeps_its_data() -> Result<(), Box<dyn std::error::Error>> {
    assert_eq!(APPLICATION_ID, 1_128_808_788);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    Connection::open(&path)?.execute_batch(V1_FIXTURE)?;

    let mut store = Store::open(&path, 20)?;
    let snap = store.load()?;
    assert_eq!(snap.next_schedule_id, 13);
    assert_eq!(
        snap.schedules,
        vec![ScheduleRecord {
            id: 12,
            room: "study".into(),
            author: "Charlie".into(),
            due_ms: 1_700_000_000_000,
            offset_s: 32_400,
            text: "Meeting starts soon".into(),
        }]
    );
    let rooms: Vec<_> = snap
        .rooms
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.capacity,
                r.code.as_deref(),
                r.notice.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rooms,
        [
            ("lobby", 10, None, Some("Welcome")),
            ("study", 4, Some("pw1234"), None)
        ]
    );
    // The new tables work.
    store.stage(Change::BanAdded {
        room: "study".into(),
        ban: BanRecord {
            key: "bob".into(),
            address: None,
            until_ms: 1,
        },
    });
    store.commit()?;
    drop(store);

    let conn = Connection::open(&path)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    assert_eq!(version, SCHEMA_VERSION);
    drop(conn);
    let snap = Store::open(&path, 20)?.load()?;
    assert_eq!(snap.rooms[1].bans.len(), 1);
    Ok(())
}
