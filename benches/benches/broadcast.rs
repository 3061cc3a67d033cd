//! One chat line into a room of 10 and into a room of 1,000, flood limit off: the cost of
//! handling the line and draining every action it produces (n - 1 sends and one log record).
//! And a room of 10 beside 10,000 other rooms: what a line costs must not grow with the
//! number of rooms on the server.

use std::hint::black_box;

use chat_benches::fixture;
use chatcore::ClientId;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A typical chat line: long enough to be realistic, clean so sanitising borrows.
const TEXT: &str = "Hello everyone, the meeting moved to room 4 at three o'clock.";

fn broadcast(c: &mut Criterion) {
    let mut group = c.benchmark_group("broadcast");
    group.throughput(Throughput::Elements(1));
    for members in [10, 1_000] {
        let now = fixture::now();
        let mut room =
            fixture::room(fixture::config(members), members, now).expect("fixture room builds");
        group.bench_function(format!("chat_line_room_{members}"), |b| {
            b.iter(|| {
                room.handle_input(now, fixture::line(ClientId(0), black_box(TEXT)))
                    .expect("member 0 is connected");
                black_box(fixture::drain(&mut room))
            });
        });
        // Guard against measuring the wrong thing: n - 1 sends plus one log record.
        room.handle_input(now, fixture::line(ClientId(0), TEXT))
            .expect("member 0 is connected");
        assert_eq!(fixture::drain(&mut room), members);
    }
    let now = fixture::now();
    let mut hall = fixture::room_beside_rooms(fixture::config(10), 10, 10_000, now)
        .expect("fixture hall builds");
    group.bench_function("chat_line_room_10_beside_10000_rooms", |b| {
        b.iter(|| {
            hall.handle_input(now, fixture::line(ClientId(0), black_box(TEXT)))
                .expect("member 0 is connected");
            black_box(fixture::drain(&mut hall))
        });
    });
    hall.handle_input(now, fixture::line(ClientId(0), TEXT))
        .expect("member 0 is connected");
    assert_eq!(fixture::drain(&mut hall), 10);
    group.finish();
}

criterion_group!(benches, broadcast);
criterion_main!(benches);
