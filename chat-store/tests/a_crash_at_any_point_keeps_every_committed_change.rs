//! Crash consistency (in-process): random batches of changes are committed, then the
//! server "crashes" at any point, with a batch half staged: the files as they are on disk
//! at that moment (the connection still open, as `kill -9` leaves them), and the store
//! dropped without a commit, both reopen to exactly the state of the committed batches,
//! nothing of the uncommitted one. The reference is a second file that got only the
//! committed batches and was closed cleanly.

use chat_store::{BacklogRecord, BanRecord, Change, ScheduleRecord, Store};
use proptest::prelude::*;

fn room() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["lobby", "study", "카페"]).prop_map(str::to_owned)
}

fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-z ]{1,12}")
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (room(), 1u32..20, text()).prop_map(|(name, capacity, code)| Change::RoomCreated {
            name,
            capacity,
            code
        }),
        room().prop_map(|name| Change::RoomRemoved { name }),
        (room(), text()).prop_map(|(room, code)| Change::CodeSet { room, code }),
        (room(), text()).prop_map(|(room, notice)| Change::NoticeSet { room, notice }),
        (room(), "[A-Za-z]{1,8}", any::<bool>(), 0i64..1 << 40).prop_map(
            |(room, key, addr, until_ms)| Change::BanAdded {
                room,
                ban: BanRecord {
                    key,
                    address: addr.then(|| "192.0.2.7".to_owned()),
                    until_ms,
                },
            }
        ),
        (room(), "[A-Za-z]{1,8}").prop_map(|(room, key)| Change::BanRemoved { room, key }),
        (1u64..30, room(), 0i64..1 << 40, "[a-z ]{1,20}").prop_map(|(id, room, due_ms, text)| {
            Change::ScheduleAdded {
                schedule: ScheduleRecord {
                    id,
                    room,
                    author: "Charlie".into(),
                    due_ms,
                    offset_s: 9 * 3600,
                    text,
                },
                next_id: id + 1,
            }
        }),
        (1u64..30).prop_map(|id| Change::ScheduleRemoved { id }),
        (room(), 0i64..1 << 40, "[a-z >]{1,20}").prop_map(|(room, at_ms, line)| {
            Change::BacklogAppended {
                room,
                line: BacklogRecord { at_ms, line },
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_crash_at_any_point_keeps_every_committed_batch_and_nothing_else(
        batches in prop::collection::vec(prop::collection::vec(change(), 1..6), 0..10),
        half_staged in prop::collection::vec(change(), 0..5),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (live_path, reference_path) = (dir.path().join("live.db"), dir.path().join("ref.db"));
        let mut live = Store::open(&live_path, 5).expect("open");
        let mut reference = Store::open(&reference_path, 5).expect("open");
        for batch in &batches {
            for c in batch {
                live.stage(c.clone());
                reference.stage(c.clone());
            }
            live.commit().expect("commit");
            reference.commit().expect("commit");
        }
        drop(reference);
        let expected = Store::open(&reference_path, 5).expect("reopen").load().expect("load");
        for c in half_staged {
            live.stage(c);
        }

        // kill -9 now: the database and its write-ahead log as they are on disk.
        let crash = dir.path().join("crash");
        std::fs::create_dir(&crash).expect("dir");
        std::fs::copy(&live_path, crash.join("chat.db")).expect("copy");
        let wal = dir.path().join("live.db-wal");
        if wal.exists() {
            std::fs::copy(&wal, crash.join("chat.db-wal")).expect("copy wal");
        }
        let crashed = Store::open(&crash.join("chat.db"), 5).expect("reopen").load().expect("load");
        prop_assert_eq!(&crashed, &expected);

        // The process ends without committing what was staged.
        drop(live);
        let dropped = Store::open(&live_path, 5).expect("reopen").load().expect("load");
        prop_assert_eq!(&dropped, &expected);
    }
}
