//! The `room_ops` target: a sequence of transport events decoded from bytes drives a `Hall`,
//! and every output and the room's state are checked after each event.

mod script;
mod watch;

use std::time::Instant;

use chatcore::Action;

use script::{Op, Script};
use watch::Watch;

/// Input layout: two config bytes, then ops (see `script`). Runs the ops twice from the same
/// start and checks both runs give the same actions, and every invariant after each op:
/// members <= capacity, unique nicknames, the admin is the first member, pending connections
/// within their cap, sent lines end in one LF with no control bytes, nothing sent to a
/// connection after its `Close`, every schedule fires at most once and never early, and
/// `poll_timeout` after `handle_timeout(now)` is `None` or later than `now`.
pub fn room_ops(data: &[u8]) {
    let start = Instant::now();
    let first = run(data, start);
    let second = run(data, start);
    assert!(first == second, "the same ops gave different actions");
}

fn run(data: &[u8], start: Instant) -> Vec<Action> {
    let mut script = Script::new(data);
    let mut watch = Watch::new(script.config(), start);
    while let Some(op) = script.next_op() {
        watch.apply(op);
    }
    watch.apply(Op::Shutdown);
    watch.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatcore::Event;

    /// Config byte 3: capacity 4, one pending at a time; flood byte 0: limit off.
    fn session(ops: &[[u8; 3]]) -> Vec<Action> {
        let mut data = vec![0x03, 0x00];
        for op in ops {
            data.extend(op);
        }
        run(&data, Instant::now())
    }

    fn logged(actions: &[Action]) -> Vec<String> {
        let events = actions.iter().filter_map(|a| match a {
            Action::Log(record) => Some(&record.event),
            _ => None,
        });
        let kind = |e: &Event| format!("{e}").split(' ').next().map(str::to_owned);
        events.filter_map(kind).collect()
    }

    #[test]
    fn scripted_session_passes_every_check() {
        let nick = |id, i| [1, id, i];
        let line = |id, i| [1, id, script::LINE_BASE + i];
        let actions = session(&[
            [0, 0, 0],   // connect 0
            nick(0, 0),  // Alice
            [0, 1, 0],   // connect 1
            nick(1, 2),  // Bob
            [0, 2, 0],   // connect 2
            nick(2, 1),  // alice: taken
            nick(2, 5),  // a Cyrillic look-alike of Alice: taken
            line(0, 0),  // chat
            line(1, 14), // schedule for 06:01
            [6, 0, 0],   // jump to it
            line(0, 5),  // kick Bob
            [4, 1, 3],   // Bob's connection closes
        ]);
        let kinds = logged(&actions);
        for kind in ["join", "chat", "schedule", "fired", "kick", "shutdown"] {
            assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
        }
        assert_eq!(kinds.iter().filter(|k| *k == "rejected").count(), 2);
    }

    #[test]
    fn odd_inputs_pass() {
        room_ops(&[]);
        room_ops(&[0xff; 64]);
        room_ops(&(0..=255).collect::<Vec<u8>>());
    }
}
