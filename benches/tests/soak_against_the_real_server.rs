//! `chat-load --soak`, shortened to a few seconds, against the real server in this process
//! with its default flood limit: churn, kicks, whispers, schedules and flood bursts, and not
//! one core delivery lost. The server's wall clock is set to 5 s before a whole minute so
//! the schedules (whole minutes, 1 s lead here) fire within the run. A second run has a
//! warm-up soak first (no schedules there: the next whole minute would be a minute away).

use chat_benches::load::options::Options;
use chat_benches::load::soak::{self, WallClock};
use chat_tcp::{Clock, Server, ServerConfig};
use clap::Parser;
use std::path::PathBuf;
use time::OffsetDateTime;

/// A server in this process for a room of 40 on `clock`, logging into a fresh directory.
fn room_of_40(tag: &str, clock: Clock) -> Result<(Server, PathBuf), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut room = chatcore::Config::default();
    room.capacity = 40;
    let config = ServerConfig {
        room,
        log_path: dir.join("server.txt"),
        clock,
        ..ServerConfig::default()
    };
    Ok((Server::bind("127.0.0.1:0", config)?, dir))
}

#[test]
fn a_short_soak_loses_nothing_and_every_kind_of_event_happens()
-> Result<(), Box<dyn std::error::Error>> {
    let now = OffsetDateTime::now_utc();
    let wall = now.replace_second(55)?.replace_nanosecond(0)?;
    let clock = Clock::starting_at(wall);
    let shift = clock.now().wall - OffsetDateTime::now_utc();
    let (server, dir) = room_of_40("chat-soak-test", clock)?;
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
        "--sample-every", "1", "--settle", "0.5", "--warmup", "0",
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
    assert!(
        report.warm_up.is_none() && !json.contains("warmup"),
        "{json}"
    );
    Ok(())
}

#[test]
fn a_warm_up_soak_runs_first_and_the_memory_baseline_is_read_after_it()
-> Result<(), Box<dyn std::error::Error>> {
    let (server, dir) = room_of_40("chat-soak-warm-test", Clock::system())?;
    let addr = server.local_addr().to_string();
    let pid = std::process::id().to_string();
    #[rustfmt::skip]
    let argv = [
        "chat-load", "--soak", "--addr", &addr, "--server-pid", &pid,
        "--warmup", "3", "--duration", "3", "--drain", "5", "--core", "3",
        "--churn-max", "6", "--churn-every", "0.15", "--churn-stay", "1",
        "--chat-rate", "4", "--whisper-every", "0.5", "--schedule-every", "86400",
        "--kick-every", "0.7", "--flood-every", "1", "--flood-stay", "0.5",
        "--sample-every", "1", "--settle", "0.5",
    ];
    let report = soak::run(&Options::parse_from(argv))?;
    server.shutdown();
    server.join()?;
    let log = std::fs::read_to_string(dir.join("server.txt"))?;
    let _ = std::fs::remove_dir_all(&dir);

    let human = report.human();
    eprintln!("{human}");
    assert!(report.failures().is_empty(), "{human}");
    let warm = report.warm_up.as_deref().ok_or("no warm-up report")?;
    // The warm-up is a whole soak of its own, checked like one...
    assert!(warm.core_lines_sent >= 24 && warm.lost == 0, "{human}");
    assert!(warm.churn_joined >= 3 && warm.floods >= 1, "{human}");
    // ... that ends with its room empty: the soak proper's core0 is the admin again.
    assert!(warm.admin && report.admin, "{human}");
    assert!(report.core_lines_sent >= 24 && report.lost == 0, "{human}");
    // Both cores were in the room, under their own nicknames, one after the other.
    let joined = |nick: &str| log.contains(&format!(" join {nick} ("));
    assert!(joined("loadwcore0") && joined("loadcore0"), "{log}");
    let cold = report.cold_start().ok_or("no reading before the warm-up")?;
    let start = report.memory.ok_or("no memory readings")?.start;
    assert!(cold.rss > 0 && cold.anon > 0 && start.anon <= start.rss);
    assert!(
        human.contains("warm-up (its own soak, run first):"),
        "{human}"
    );
    assert!(human.contains("before the warm-up: rss"), "{human}");
    let json = report.json();
    assert!(json.contains(r#""warmup_failures":0,"#), "{json}");
    assert!(json.contains(r#""rss_cold_bytes":"#), "{json}");
    Ok(())
}
