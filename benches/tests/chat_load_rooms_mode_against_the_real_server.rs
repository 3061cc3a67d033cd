//! `chat-load --rooms` against the real server in this process: the clients are spread over
//! rooms with `/join`, every window line reaches the other members of its sender's room and
//! nobody else, and a full room is reported as a refusal.

use std::path::PathBuf;

use chat_benches::load::LoadError;
use chat_benches::load::options::Options;
use chat_benches::load::run::{Outcome, run};
use chat_tcp::{Server, ServerConfig};
use clap::Parser;

/// A server in this process with rooms of `capacity`, the flood limit off, logging into a
/// fresh directory.
fn server(tag: &str, capacity: usize) -> Result<(Server, PathBuf), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut room = chatcore::Config::default();
    room.capacity = capacity;
    room.flood_rate = 0;
    let config = ServerConfig {
        room,
        log_path: dir.join("server.txt"),
        ..ServerConfig::default()
    };
    Ok((Server::bind("127.0.0.1:0", config)?, dir))
}

fn options(server: &Server, extra: &[&str]) -> Options {
    let addr = server.local_addr().to_string();
    let pid = std::process::id().to_string();
    #[rustfmt::skip]
    let base = [
        "chat-load", "--addr", &addr, "--server-pid", &pid,
        "--warmup", "0.2", "--drain", "20",
    ];
    Options::parse_from(base.iter().chain(extra))
}

#[test]
fn ten_clients_in_three_rooms_hear_their_own_room_only() -> Result<(), Box<dyn std::error::Error>> {
    let (server, dir) = server("chat-load-rooms", 4)?;
    #[rustfmt::skip]
    let o = options(&server, &[
        "--clients", "10", "--rooms", "3", "--rate", "40", "--duration", "0.5",
    ]);
    let outcome = run(&o);
    server.shutdown();
    server.join()?;
    let _ = std::fs::remove_dir_all(&dir);
    let Outcome::Load(report) = outcome? else {
        panic!("a sending run gives a load report");
    };
    let human = report.human();
    eprintln!("{human}");
    assert_eq!(report.rooms, Some(3));
    assert!(human.starts_with("chat-load: 10 clients in 3 rooms, 40 lines/s each"));
    // 10 clients, each with 20 due times in the window (+-1 at its edges).
    assert!((190..=210).contains(&report.sent), "{human}");
    // room0 holds clients 0, 3, 6, 9 (3 receivers each); room1 and room2 hold 3 (2 each):
    // 2.4 receivers per line on average, not the 9 of one room of 10.
    let per_line = report.expected() as f64 / report.sent as f64;
    assert!((2.3..=2.5).contains(&per_line), "{human}");
    assert_eq!(report.delivered, report.expected(), "{human}");
    assert_eq!(report.ratio(), Some(1.0));
    assert_eq!(report.misrouted, 0, "{human}");
    assert_eq!(report.latency.len(), report.delivered);
    // The joins each member saw after its own, in rooms of 4, 3 and 3: 6 + 3 + 3.
    assert_eq!(report.server_lines, 12, "{human}");
    assert_eq!(
        (report.other_lines, report.flood_warnings),
        (0, 0),
        "{human}"
    );
    assert!(report.reader_endings.is_empty() && report.writer_errors.is_empty());
    assert!(matches!(report.server_cpu, Some(Ok(_))), "{human}");
    let json = report.json();
    assert!(json.contains(r#""rooms":3,"#), "{json}");
    assert!(json.contains(r#""misrouted":0,"#), "{json}");
    Ok(())
}

#[test]
fn a_full_room_is_a_refusal_naming_it() -> Result<(), Box<dyn std::error::Error>> {
    let (server, dir) = server("chat-load-rooms-full", 2)?;
    // room0 gets load0, load2, then load4 finds it full.
    #[rustfmt::skip]
    let o = options(&server, &[
        "--clients", "6", "--rooms", "2", "--rate", "10", "--duration", "0.1",
    ]);
    let outcome = run(&o);
    server.shutdown();
    server.join()?;
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Err(LoadError::Refused { nick, line }) => {
            assert_eq!(nick, "load4");
            assert_eq!(line, r#"[Server]: The room "room0" is full (2/2)."#);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    Ok(())
}
