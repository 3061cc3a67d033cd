//! What is committed is there after reopening; what was only staged is not.

use chat_store::{BacklogRecord, BanRecord, Change, ScheduleRecord, Store};

fn schedule(id: u64, room: &str) -> ScheduleRecord {
    ScheduleRecord {
        id,
        room: room.into(),
        author: "Charlie".into(),
        due_ms: 1_000_000 + i64::try_from(id).unwrap_or(0),
        offset_s: 9 * 3600,
        text: format!("Meeting {id}"),
    }
}

fn line(at_ms: i64, text: &str) -> Change {
    Change::BacklogAppended {
        room: "study".into(),
        line: BacklogRecord {
            at_ms,
            line: text.into(),
        },
    }
}

#[test]
fn committed_changes_survive_a_drop_and_staged_ones_do_not()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    {
        let mut store = Store::open(&path, 2)?;
        store.stage(Change::RoomCreated {
            name: "study".into(),
            capacity: 10,
            code: Some("s3cret".into()),
        });
        store.stage(Change::NoticeSet {
            room: "study".into(),
            notice: Some("Lunch at 12".into()),
        });
        store.stage(Change::BanAdded {
            room: "study".into(),
            ban: BanRecord {
                key: "bob".into(),
                address: Some("192.0.2.7".into()),
                until_ms: 5_000,
            },
        });
        store.stage(Change::ScheduleAdded {
            schedule: schedule(1, "study"),
            next_id: 2,
        });
        store.stage(Change::ScheduleAdded {
            schedule: schedule(2, "study"),
            next_id: 3,
        });
        store.stage(Change::ScheduleRemoved { id: 1 });
        for (at, text) in [(1, "Alice >> one"), (2, "Alice >> two"), (3, "* Bob waves")] {
            store.stage(line(at, text));
        }
        assert!(store.has_confirmed_changes());
        store.commit()?;
        assert!(!store.has_staged());
        // Staged but never committed: a crash loses it, and nobody was told.
        store.stage(Change::CodeSet {
            room: "study".into(),
            code: None,
        });
        store.stage(Change::ScheduleAdded {
            schedule: schedule(3, "study"),
            next_id: 4,
        });
    } // dropped without commit: the simulated crash
    let store = Store::open(&path, 2)?;
    let snap = store.load()?;
    assert_eq!(snap.next_schedule_id, 3);
    assert_eq!(snap.schedules, vec![schedule(2, "study")]);
    assert_eq!(snap.rooms.len(), 1);
    let room = &snap.rooms[0];
    assert_eq!(room.name, "study");
    assert_eq!(room.capacity, 10);
    assert_eq!(room.code.as_deref(), Some("s3cret"));
    assert_eq!(room.notice.as_deref(), Some("Lunch at 12"));
    assert_eq!(
        room.bans,
        vec![BanRecord {
            key: "bob".into(),
            address: Some("192.0.2.7".into()),
            until_ms: 5_000,
        }]
    );
    // --history 2: the oldest line was trimmed.
    let lines: Vec<&str> = room.backlog.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(lines, ["Alice >> two", "* Bob waves"]);
    Ok(())
}

#[test]
fn removing_a_room_removes_its_bans_backlog_and_schedules() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    let mut store = Store::open(&path, 20)?;
    for name in ["study", "lobby"] {
        store.stage(Change::RoomCreated {
            name: name.into(),
            capacity: 10,
            code: None,
        });
    }
    store.stage(line(1, "Alice >> hi"));
    store.stage(Change::ScheduleAdded {
        schedule: schedule(7, "study"),
        next_id: 8,
    });
    store.stage(Change::ScheduleAdded {
        schedule: schedule(8, "lobby"),
        next_id: 9,
    });
    store.commit()?;
    store.stage(Change::RoomRemoved {
        name: "study".into(),
    });
    store.commit()?;
    drop(store);
    let snap = Store::open(&path, 20)?.load()?;
    let names: Vec<&str> = snap.rooms.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["lobby"]);
    assert_eq!(snap.schedules, vec![schedule(8, "lobby")]);
    // The counter never goes back, even with the schedules of the removed room gone.
    assert_eq!(snap.next_schedule_id, 9);
    Ok(())
}

#[test]
fn the_id_counter_stays_above_every_id_even_after_all_fired()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    let mut store = Store::open(&path, 20)?;
    store.stage(Change::ScheduleAdded {
        schedule: schedule(41, "lobby"),
        next_id: 42,
    });
    store.stage(Change::ScheduleRemoved { id: 41 });
    store.commit()?;
    drop(store);
    assert_eq!(Store::open(&path, 20)?.load()?.next_schedule_id, 42);
    Ok(())
}
