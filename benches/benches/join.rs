//! `/join` churn in a hall of 100 rooms of 10 (the shape of the rooms load run): a member
//! moving between two rooms, and a room created by `/join`, left and removed after its ttl.
//! The same beside 10,000 rooms: what a move costs must not grow with the number of rooms.

use std::hint::black_box;
use std::time::Duration;

use chat_benches::fixture;
use chatcore::{ClientId, Hall, Now};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Members in each room besides the one that moves.
const PER_ROOM: usize = 9;

/// How long an empty room waits before it is removed, in the create-and-remove bench.
const TTL: Duration = Duration::from_secs(1);

/// `rooms` rooms of 9 members and a mover (with no public line said yet, so no backlog)
/// that sits in `r0`, making it a room of 10.
fn hall_with_mover(rooms: usize, now: Now) -> (Hall, ClientId) {
    let mut config = fixture::config(PER_ROOM + 1);
    config.room_ttl = TTL;
    let mut hall = fixture::rooms_of(config, rooms, PER_ROOM, now).expect("fixture hall builds");
    let mover = ClientId(u64::MAX);
    fixture::join(&mut hall, now, mover, "mover").expect("the mover joins");
    hall.handle_input(now, fixture::line(mover, "/join r0"))
        .expect("the mover is connected");
    fixture::drain(&mut hall);
    (hall, mover)
}

/// Moves `mover` to `to` and drains what the move produced.
fn go(hall: &mut Hall, now: Now, mover: ClientId, to: &str) -> usize {
    hall.handle_input(now, fixture::line(mover, to))
        .expect("the mover is connected");
    fixture::drain(hall)
}

/// Per move between rooms of 10: the room left gets 9 `has left the room.` lines, the mover
/// `You joined ...`, the room entered 9 `has joined the chat.` lines; and two log records
/// (`leave ... moved`, `join`).
const MOVE_ACTIONS: usize = 2 * PER_ROOM + 1 + 2;

fn moves(c: &mut Criterion) {
    let mut group = c.benchmark_group("join");
    // One iteration is two moves, there and back.
    group.throughput(Throughput::Elements(2));
    for rooms in [100, 10_000] {
        let now = fixture::now();
        let (mut hall, mover) = hall_with_mover(rooms, now);
        assert_eq!(go(&mut hall, now, mover, "/join r1"), MOVE_ACTIONS);
        assert_eq!(go(&mut hall, now, mover, "/join r0"), MOVE_ACTIONS);
        group.bench_function(
            format!("move_between_rooms_of_10_among_{rooms}_rooms"),
            |b| {
                b.iter(|| {
                    black_box(go(&mut hall, now, mover, black_box("/join r1")));
                    black_box(go(&mut hall, now, mover, black_box("/join r0")))
                });
            },
        );
    }
    group.finish();
}

/// Creating `fresh` (the room of 10 left: 9 lines; the mover: `You created ...`; log:
/// `leave ... moved`, `room created by`, `join`), coming back to `r0` (the mover:
/// `You joined ...`; 9 joined lines; log: `leave ... moved`, `join`), and `fresh`'s removal
/// a ttl later (log: `room removed`).
const CREATE_REMOVE_ACTIONS: usize = (PER_ROOM + 1 + 3) + (1 + PER_ROOM + 2) + 1;

fn create_and_remove(c: &mut Criterion) {
    let mut group = c.benchmark_group("join");
    group.throughput(Throughput::Elements(1));
    for rooms in [100, 10_000] {
        let mut now = fixture::now();
        let (mut hall, mover) = hall_with_mover(rooms, now);
        let count = hall.rooms().count();
        // Each round runs a ttl after the last, when the room it left is due for removal.
        let mut round = |hall: &mut Hall| {
            let mut n = go(hall, now, mover, "/join fresh");
            n += go(hall, now, mover, "/join r0");
            now = now.advanced(TTL);
            hall.handle_timeout(now);
            n + fixture::drain(hall)
        };
        assert_eq!(round(&mut hall), CREATE_REMOVE_ACTIONS);
        assert_eq!(hall.rooms().count(), count, "the fresh room was removed");
        group.bench_function(format!("create_leave_remove_among_{rooms}_rooms"), |b| {
            b.iter(|| black_box(round(&mut hall)));
        });
        assert_eq!(hall.rooms().count(), count, "no room was left behind");
    }
    group.finish();
}

criterion_group!(benches, moves, create_and_remove);
criterion_main!(benches);
