//! `chat-load --soak`, shortened to a few seconds, against the real server in this process
//! with its default flood limit: churn, kicks, whispers, schedules and flood bursts, and not
//! one core delivery lost. The server's wall clock is set to 5 s before a whole minute so
//! the schedules (whole minutes, 1 s lead here) fire within the run.

use chat_benches::load::options::Options;
use chat_benches::load::soak::{self, WallClock};
use chat_tcp::{Clock, Server, ServerConfig};
use clap::Parser;
use time::OffsetDateTime;

#[test]
fn a_short_soak_loses_nothing_and_every_kind_of_event_happens()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("chat-soak-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let now = OffsetDateTime::now_utc();
    let wall = now.replace_second(55)?.replace_nanosecond(0)?;
    let clock = Clock::starting_at(wall);
    let shift = clock.now().wall - OffsetDateTime::now_utc();
    let config = ServerConfig {
        room: chatcore::Config {
            capacity: 40,
            ..chatcore::Config::default()
        },
        log_path: dir.join("server.txt"),
        clock,
        ..ServerConfig::default()
    };
    let server = Server::bind("127.0.0.1:0", config)?;
    let addr = server.local_addr().to_string();
    let pid = std::process::id().to_string();
    #[rustfmt::skip]
    let argv = [
        "chat-load", "--soak", "--addr", &addr, "--server-pid", &pid,
        "--duration", "7", "--drain", "5", "--core", "3",
        "--churn-max", "6", "--churn-every", "0.15", "--churn-stay", "2",
        "--chat-rate", "4", "--whisper-every", "0.5",
        "--schedule-every", "0.5", "--schedule-lead", "1",
        "--kick-every", "0.7", "--flood-every", "2", "--flood-stay", "1",
        "--sample-every", "1", "--settle", "0.5",
    ];
    let options = Options::parse_from(argv);
    let report = soak::run_with_clock(&options, WallClock::shifted(shift))?;
    server.shutdown();
    server.join()?;
    let _ = std::fs::remove_dir_all(&dir);

    let human = report.human();
    eprintln!("{human}");
    assert!(report.failures().is_empty(), "{human}");
    assert_eq!(report.lost, 0, "{human}");
    // 3 core members at 4 lines/s for 7 s, each line checked at the 2 others.
    assert!(report.core_lines_sent >= 60, "{human}");
    assert_eq!(report.deliveries_checked, report.core_lines_sent * 2);
    assert_eq!(report.delivered, report.deliveries_checked);
    assert!(report.churn_joined >= 10, "{human}");
    assert!(report.kicks_confirmed >= 1, "{human}");
    assert!(
        report.disconnects >= 1 && report.quits > report.floods,
        "{human}"
    );
    assert!(report.floods >= 1, "{human}");
    // 200 lines at once against a burst of 20: most are dropped, each burst warned.
    assert!(
        report.flood_lines_accepted < report.flood_lines_sent / 2,
        "{human}"
    );
    assert!(report.flood_warnings >= report.floods, "{human}");
    assert!(report.whispers_core.expected >= 1, "{human}");
    assert!(report.schedules.expected >= 3, "{human}");
    assert_eq!(report.schedules.missing, 0, "{human}");
    let memory = report.memory.ok_or("no memory readings")?;
    assert!(memory.samples >= 3, "{human}");
    let json = report.json();
    assert!(
        json.starts_with(r#"{"mode":"soak""#) && !json.contains('\n'),
        "{json}"
    );
    assert!(json.contains(r#""lost":0,"#), "{json}");
    Ok(())
}
