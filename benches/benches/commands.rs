//! Command parsing, firing 1,000 due schedules at once, and join/leave churn.

use std::hint::black_box;
use std::time::Duration;

use chat_benches::fixture;
use chatcore::{ClientId, DisconnectCause, Hall, Input, command};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// What members type, roughly in proportion: mostly chat, some commands, a few mistakes.
const LINES: [&str; 16] = [
    "Hello everyone!",
    "did anyone see the game last night? that last goal was unreal",
    "ok",
    "안녕하세요 여러분",
    "//etc is where the config lives",
    "/whisper Charlie Hi, Charlie!",
    "/w Bob   see you at 5",
    "/schedule 15:30 Meeting starts soon",
    "/schedule 9:05+09:00 standup",
    "/rename Alice123",
    "/kick Bob spamming links",
    "/user",
    "/HELP",
    "/quit",
    "/whisper Bob",
    "/dance now",
];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("commands");
    group.throughput(Throughput::Elements(LINES.len() as u64));
    group.bench_function("parse_mix_16", |b| {
        b.iter(|| {
            for line in black_box(&LINES) {
                black_box(command::parse(line));
            }
        });
    });
    group.finish();
}

/// Members that set the schedules, and how many each sets.
const AUTHORS: usize = 10;
const PER_AUTHOR: usize = 100;
const SCHEDULES: usize = AUTHORS * PER_AUTHOR;

/// A room of `AUTHORS` members holding `SCHEDULES` schedules that all fall due at 06:30,
/// half an hour after the fixture's wall time.
fn scheduled_room(now: chatcore::Now) -> Hall {
    let mut config = fixture::config(AUTHORS);
    config.max_schedules_per_member = SCHEDULES;
    config.max_schedules_per_room = SCHEDULES;
    let mut room = fixture::room(config, AUTHORS, now).expect("fixture room builds");
    for k in 0..PER_AUTHOR {
        for author in 0..AUTHORS {
            let text = format!("/schedule 06:30 reminder {k} from the team, do not forget");
            room.handle_input(now, fixture::line(ClientId(author as u64), &text))
                .expect("author is connected");
        }
    }
    fixture::drain(&mut room);
    room
}

fn fire_schedules(c: &mut Criterion) {
    let mut group = c.benchmark_group("commands");
    group.throughput(Throughput::Elements(SCHEDULES as u64));
    let now = fixture::now();
    let due = now.advanced(Duration::from_secs(30 * 60));
    let mut room = scheduled_room(now);
    assert_eq!(room.poll_timeout(), Some(due.instant));
    room.handle_timeout(due);
    // Every schedule goes to every member, plus one log record each.
    assert_eq!(fixture::drain(&mut room), SCHEDULES * (AUTHORS + 1));
    group.bench_function("fire_1000_due_schedules", |b| {
        b.iter_batched(
            || scheduled_room(now),
            |mut room| {
                room.handle_timeout(due);
                black_box(fixture::drain(&mut room));
                // Returned so dropping the room is not timed.
                room
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// Members already present while one connection joins and leaves.
const PRESENT: usize = 9;

fn churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("commands");
    group.throughput(Throughput::Elements(1));
    let now = fixture::now();
    let mut room =
        fixture::room(fixture::config(PRESENT + 1), PRESENT, now).expect("fixture room builds");
    let id = ClientId(1_000);
    let join_and_leave = |room: &mut Hall| {
        room.handle_input(now, Input::Connect { id, peer: None })
            .expect("id is free");
        room.handle_input(now, fixture::line(id, "churner"))
            .expect("id is connected");
        room.handle_input(
            now,
            Input::Disconnect {
                id,
                cause: DisconnectCause::Closed,
            },
        )
        .expect("id is connected");
        fixture::drain(room)
    };
    // Connect log, prompt, join log, welcome, 9 joined, leave log, 9 left.
    assert_eq!(join_and_leave(&mut room), 5 + 2 * PRESENT);
    group.bench_function("join_leave_room_of_9", |b| {
        b.iter(|| black_box(join_and_leave(&mut room)));
    });
    group.finish();
}

criterion_group!(benches, parse, fire_schedules, churn);
criterion_main!(benches);
