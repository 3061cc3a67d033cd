//! Misusing the API (a live id connected again, input for an id never connected or already
//! disconnected) is an `Err`, and changes nothing.

mod support;

use chatcore::{DisconnectCause, Error, Frame, Input};
use support::{Sim, cid};

#[test]
fn api_misuse_is_an_error() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");

    let again = Input::Connect {
        id: cid(1),
        peer: None,
    };
    assert_eq!(sim.input(again), Err(Error::DuplicateClient(cid(1))));
    let frame = Input::Frame {
        id: cid(7),
        frame: Frame::Line("hi".into()),
    };
    assert_eq!(sim.input(frame), Err(Error::UnknownClient(cid(7))));
    let gone = Input::Disconnect {
        id: cid(7),
        cause: DisconnectCause::Closed,
    };
    assert_eq!(sim.input(gone), Err(Error::UnknownClient(cid(7))));
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);

    // Alice is untouched.
    assert_eq!(sim.members(), ["Alice"]);
    sim.join(2, "Bob");
    sim.line(1, "still here");
    sim.expect(2, &["Alice >> still here"]);

    // After a disconnect the id is unknown again.
    sim.disconnect(2);
    let twice = Input::Disconnect {
        id: cid(2),
        cause: DisconnectCause::Closed,
    };
    assert_eq!(sim.input(twice), Err(Error::UnknownClient(cid(2))));
    let late = Input::Frame {
        id: cid(2),
        frame: Frame::Line("hi".into()),
    };
    assert_eq!(sim.input(late), Err(Error::UnknownClient(cid(2))));
}

#[test]
fn an_invalid_config_is_an_error() {
    let mut config = chatcore::Config::default();
    config.capacity = 0;
    let now = chatcore::Now::new(support::base_instant(), support::START);
    assert!(matches!(
        chatcore::Hall::new(config, now),
        Err(Error::InvalidConfig(_))
    ));
}
