//! One `server.txt` record per event, each rendered as one line with an RFC 3339 UTC
//! timestamp with milliseconds, the event kind, the names and the sanitised text.

mod support;

use std::net::{IpAddr, Ipv6Addr};

use chatcore::DisconnectCause;
use support::{Sim, ms, secs};

#[test]
fn log_records_one_per_event() {
    let mut sim = Sim::config(|c| c.flood_burst = 2);
    let peer = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));

    sim.connect_from(1, Some(peer));
    sim.line(1, "Alice");
    sim.connect(2);
    sim.line(2, "bob!");
    sim.line(2, "Bob");
    sim.advance(ms(1));
    sim.line(1, "Hello everyone!");
    sim.line(2, "/rename Bobby");
    sim.line(1, "/dance");
    sim.advance(ms(1));
    sim.line(2, "/w Alice psst");
    sim.line(2, "/w Alice psst");
    sim.line(2, "/w Alice psst");
    sim.advance(ms(500));
    sim.line(2, "/schedule 06:30Z tea");
    sim.line(2, "/schedule 06:31Z cake");
    sim.advance(ms(498));
    sim.line(1, "/kick Bobby bye");
    sim.connect(3);
    sim.disconnect(3);
    sim.connect(4);
    sim.line(4, "Carol");
    sim.line(1, "/quit");
    sim.disconnect_with(4, DisconnectCause::SlowConsumer);
    sim.advance(secs(120));
    sim.shutdown();

    assert_eq!(
        sim.take_log_lines(),
        [
            "2026-11-25T06:29:59.000Z start capacity 10",
            "2026-11-25T06:29:59.000Z [lobby] room created",
            "2026-11-25T06:29:59.000Z connect c1 from 2001:db8::1",
            "2026-11-25T06:29:59.000Z [lobby] join Alice (c1)",
            "2026-11-25T06:29:59.000Z connect c2",
            "2026-11-25T06:29:59.000Z rejected c2: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:",
            "2026-11-25T06:29:59.000Z [lobby] join Bob (c2)",
            "2026-11-25T06:29:59.001Z [lobby] chat Alice: Hello everyone!",
            "2026-11-25T06:29:59.001Z [lobby] rename Bob -> Bobby",
            "2026-11-25T06:29:59.001Z [lobby] rejected Alice (c1): Unknown command \"/dance\". Type /help for the list.",
            "2026-11-25T06:29:59.002Z [lobby] whisper Bobby -> Alice: psst",
            // The two whispers over the limit are logged once, when the burst ends.
            "2026-11-25T06:29:59.502Z [lobby] flood Bobby dropped 2 lines",
            "2026-11-25T06:29:59.502Z [lobby] schedule #1 Bobby 2026-11-25T06:30+00:00: tea",
            "2026-11-25T06:29:59.502Z [lobby] schedule #2 Bobby 2026-11-25T06:31+00:00: cake",
            "2026-11-25T06:30:00.000Z [lobby] fired #1 Bobby: tea",
            "2026-11-25T06:30:00.000Z [lobby] kick Alice -> Bobby: bye",
            "2026-11-25T06:30:00.000Z [lobby] cancel #2 Bobby kicked",
            "2026-11-25T06:30:00.000Z connect c3",
            "2026-11-25T06:30:00.000Z abandoned c3",
            "2026-11-25T06:30:00.000Z connect c4",
            "2026-11-25T06:30:00.000Z [lobby] join Carol (c4)",
            "2026-11-25T06:30:00.000Z [lobby] leave Alice quit",
            "2026-11-25T06:30:00.000Z [lobby] admin Carol",
            "2026-11-25T06:30:00.000Z [lobby] leave Carol slow-consumer",
            "2026-11-25T06:32:00.000Z shutdown with 0 members",
        ]
    );
}
