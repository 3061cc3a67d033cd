//! A line over 4096 bytes or not UTF-8 is rejected whole with a reason; nothing of it is
//! delivered and the connection stays open.

mod support;

use chatcore::{Frame, LineDecoder};
use support::Sim;

/// Feeds raw bytes through a decoder as a transport would, sending each frame from `id`.
fn feed(sim: &mut Sim, id: u64, bytes: &[u8]) {
    let mut decoder = LineDecoder::new(sim.hall.config().max_line_bytes);
    let mut rest = bytes;
    while let Some(frame) = decoder.decode(&mut rest) {
        sim.frame(id, frame);
    }
}

#[test]
fn too_long_and_invalid_utf8_lines_are_rejected_whole() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    let mut bytes = "a".repeat(4097).into_bytes();
    bytes.extend_from_slice(b"\nfits\n");
    bytes.extend_from_slice(b"caf\xe9\n");
    bytes.extend_from_slice(&"b".repeat(4096).into_bytes());
    bytes.extend_from_slice(b"\r\n");
    feed(&mut sim, 1, &bytes);

    sim.expect(
        1,
        &[
            "[Server]: Line too long (max 4096 bytes); it was not sent.",
            "[Server]: Line is not valid UTF-8; it was not sent.",
        ],
    );
    let longest = format!("Alice >> {}", "b".repeat(4096));
    sim.expect(2, &["Alice >> fits", longest.as_str()]);
    sim.expect_closed(&[]);
    let logs = sim.take_logs();
    assert_eq!(
        logs[0],
        "[lobby] rejected Alice (c1): Line too long (max 4096 bytes); it was not sent."
    );
    assert_eq!(
        logs[2],
        "[lobby] rejected Alice (c1): Line is not valid UTF-8; it was not sent."
    );
}

#[test]
fn the_limit_follows_the_config() {
    let mut sim = Sim::config(|c| c.max_line_bytes = 300);
    sim.join(1, "Alice");
    sim.frame(1, Frame::TooLong);
    sim.expect(
        1,
        &["[Server]: Line too long (max 300 bytes); it was not sent."],
    );
}

#[test]
fn an_overlong_line_from_a_transport_without_the_decoder_is_rejected_too() {
    let mut sim = Sim::config(|c| c.max_line_bytes = 300);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, &"x".repeat(301));
    sim.expect(
        1,
        &["[Server]: Line too long (max 300 bytes); it was not sent."],
    );
    sim.expect_silent(&[2]);
    sim.line(1, &format!("/whisper Bob {}", "x".repeat(288)));
    sim.expect(
        1,
        &["[Server]: Line too long (max 300 bytes); it was not sent."],
    );
    sim.expect_silent(&[2]);
    sim.line(1, &"x".repeat(300));
    assert_eq!(sim.take(2).len(), 1);
}
