//! The hall's `Action::Persist` changes, staged through the runtime's hook, are kept.

use chat_store::{BanRecord, Change as Record, ScheduleRecord, Store};
use chatcore::persist::{Change, Removed};
use chatcore::{Action, Nickname, RoomName};
use time::macros::datetime;

#[test]
fn schedules_notice_code_and_bans_from_the_hall_survive_reopening()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("chat.db");
    let room = RoomName::parse("study")?;
    let bob = Nickname::parse("Bob")?;
    let mut store = Store::open(&path, 20)?;
    // Rooms are not reported by the hall yet; created here the store's own way.
    store.stage(Record::RoomCreated {
        name: "study".into(),
        capacity: 10,
        code: None,
    });
    chat_runtime::Store::stage(
        &mut store,
        &Action::Persist(Change::ScheduleAdded {
            id: 1,
            room: room.clone(),
            author: Nickname::parse("Charlie")?,
            due: datetime!(2026-12-05 15:30 +09:00),
            text: "Meeting starts soon".into(),
            next_id: 2,
        }),
    );
    chat_runtime::Store::stage(
        &mut store,
        &Action::Persist(Change::ScheduleAdded {
            id: 2,
            room: room.clone(),
            author: Nickname::parse("Charlie")?,
            due: datetime!(2026-12-05 15:45 +09:00),
            text: "gone".into(),
            next_id: 3,
        }),
    );
    chat_runtime::Store::stage(
        &mut store,
        &Action::Persist(Change::ScheduleRemoved {
            id: 2,
            why: Removed::Unscheduled,
        }),
    );
    chat_runtime::Store::stage(
        &mut store,
        &Action::Persist(Change::BanAdded {
            room: room.clone(),
            nick: bob,
            address: Some("192.0.2.7".parse()?),
            until: datetime!(2026-12-05 06:40 UTC),
        }),
    );
    chat_runtime::Store::commit(&mut store)?;
    drop(store);

    let snap = Store::open(&path, 20)?.load()?;
    assert_eq!(snap.next_schedule_id, 3);
    assert_eq!(
        snap.schedules,
        vec![ScheduleRecord {
            id: 1,
            room: "study".into(),
            author: "Charlie".into(),
            due_ms: 1_796_452_200_000,
            offset_s: 32_400,
            text: "Meeting starts soon".into(),
        }]
    );
    assert_eq!(
        snap.rooms[0].bans,
        vec![BanRecord {
            key: "Bob".into(),
            address: Some("192.0.2.7".into()),
            until_ms: 1_796_452_800_000,
        }]
    );
    Ok(())
}
