//! Handling a chat line allocates the same small number of times whatever the room's size:
//! the line is formatted once and every recipient shares it.
// A counting `#[global_allocator]` has to implement the unsafe `GlobalAlloc` trait; this test
// file is the only place in the workspace that needs `unsafe`, and it only forwards to the
// system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chat_benches::fixture;
use chatcore::{ClientId, Input};

/// Counts allocations made by the current thread while counting is on, so the test
/// harness's other threads do not disturb the figure.
struct Counting;

thread_local! {
    /// `None` while not counting.
    static ALLOCATIONS: Cell<Option<u64>> = const { Cell::new(None) };
}

fn count_one() {
    // `try_with`: the allocator may run while thread-locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get().map(|n| n + 1)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(Some(0)));
    f();
    ALLOCATIONS.with(|n| n.replace(None)).unwrap_or(0)
}

const TEXT: &str = "Hello everyone, the meeting moved to room 4 at three o'clock.";

/// Allocations for handling one chat line from member 0 and draining every action, in a
/// warmed-up room of `members` members. The input line itself is built before counting.
fn per_line(members: usize) -> u64 {
    per_line_beside(members, 0)
}

/// As [`per_line`], with `rooms` other rooms on the server (none when 0).
fn per_line_beside(members: usize, rooms: usize) -> u64 {
    let now = fixture::now();
    let mut room = if rooms == 0 {
        fixture::room(fixture::config(members), members, now)
    } else {
        fixture::room_beside_rooms(fixture::config(members), members, rooms, now)
    }
    .expect("fixture hall builds");
    let mut one_line = |count: bool| {
        let input: Input = fixture::line(ClientId(0), TEXT);
        let handle = || {
            room.handle_input(now, input)
                .expect("member 0 is connected");
            assert_eq!(
                fixture::drain(&mut room),
                members + 1,
                "n - 1 sends, one log record and the backlog line kept (Action::Persist)"
            );
        };
        if count {
            allocations(handle)
        } else {
            handle();
            0
        }
    };
    // Warm-up: the action queue grows to hold one broadcast, and keeps that capacity.
    for _ in 0..3 {
        one_line(false);
    }
    one_line(true)
}

#[test]
fn broadcast_allocations_do_not_grow_with_the_room() {
    let small = per_line(10);
    let large = per_line(1_000);
    // Shown with --nocapture; BENCHMARKS.md quotes it.
    eprintln!("allocations per chat line: {small} in a room of 10, {large} in a room of 1,000");
    assert_eq!(
        small, large,
        "allocations per line: {small} for 10, {large} for 1000"
    );
    // Measured: 3 (the formatted line, its shared header when first cloned, the log text).
    assert!(small <= 4, "{small} allocations per chat line");
}

#[test]
fn broadcast_allocations_do_not_grow_with_the_number_of_rooms() {
    let alone = per_line(10);
    let beside = per_line_beside(10, 10_000);
    eprintln!("allocations per chat line: {alone} alone, {beside} beside 10,000 rooms");
    assert_eq!(
        alone, beside,
        "allocations per line: {alone} alone, {beside} beside"
    );
}

#[test]
fn the_counter_sees_allocations() {
    let n = allocations(|| {
        let v: Vec<u64> = std::hint::black_box(Vec::with_capacity(8));
        drop(v);
    });
    assert_eq!(n, 1);
}
