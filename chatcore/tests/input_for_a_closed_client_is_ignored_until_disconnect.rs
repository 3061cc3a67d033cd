//! Between the room's `Close` and the transport's `Disconnect`, input from that client is
//! accepted (`Ok`) and does nothing; the id stays taken until the disconnect.

mod support;

use chatcore::{DisconnectCause, Error, Frame, Input};
use support::{Sim, cid, secs};

fn closed_client_is_inert(sim: &mut Sim, id: u64) {
    sim.clear();
    for line in ["hello", "/quit", "/kick Alice", "/schedule 07:00Z x", "Zed"] {
        let input = Input::Frame {
            id: cid(id),
            frame: Frame::Line(line.into()),
        };
        assert_eq!(sim.input(input), Ok(()));
    }
    assert_eq!(
        sim.input(Input::Frame {
            id: cid(id),
            frame: Frame::TooLong
        }),
        Ok(())
    );
    let again = Input::Connect {
        id: cid(id),
        peer: None,
    };
    assert_eq!(sim.input(again), Err(Error::DuplicateClient(cid(id))));
    let gone = Input::Disconnect {
        id: cid(id),
        cause: DisconnectCause::Requested,
    };
    assert_eq!(sim.input(gone), Ok(()));
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);
    sim.expect_closed(&[]);
    assert_eq!(sim.hall.poll_timeout(), None);
}

#[test]
fn after_a_kick() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/kick Bob");
    closed_client_is_inert(&mut sim, 2);
    assert_eq!(sim.members(), ["Alice"]);
}

#[test]
fn after_a_quit() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/quit");
    closed_client_is_inert(&mut sim, 2);
}

#[test]
fn after_the_nickname_deadline() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect(2);
    sim.advance(secs(60));
    assert!(sim.is_closed(2));
    closed_client_is_inert(&mut sim, 2);
}

#[test]
fn after_a_refusal() {
    let mut sim = Sim::config(|c| c.capacity = 1);
    sim.join(1, "Alice");
    sim.connect(2);
    assert!(sim.is_closed(2));
    closed_client_is_inert(&mut sim, 2);
}
