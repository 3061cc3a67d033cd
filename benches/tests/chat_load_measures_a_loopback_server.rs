//! `chat-load` against a minimal in-process line-protocol server on 127.0.0.1: every line
//! sent in the window is counted, delivered to every other client and timed.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use chat_benches::load::LoadError;
use chat_benches::load::options::Options;
use chat_benches::load::run::{Outcome, run};
use clap::Parser;

/// Accepts connections forever: prompt, nickname, welcome, then `nick >> line` to everyone
/// else, like the real server with the flood limit off. `capacity` members at most.
fn fake_server(capacity: usize) -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let members: Arc<Mutex<Vec<(String, TcpStream)>>> = Arc::default();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let members = Arc::clone(&members);
            thread::spawn(move || serve(stream, &members, capacity));
        }
    });
    Ok(port)
}

fn serve(mut stream: TcpStream, members: &Mutex<Vec<(String, TcpStream)>>, capacity: usize) {
    let lock = || members.lock().unwrap_or_else(|e| e.into_inner());
    let n = lock().len();
    if n >= capacity {
        let _ = writeln!(
            stream,
            "[Server]: The chat room is full ({n}/{capacity}). Try again later."
        );
        return;
    }
    let _ = writeln!(
        stream,
        "[Server]: Welcome to the open chat. Enter a nickname:"
    );
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut lines = BufReader::new(read_half).lines();
    let Some(Ok(nick)) = lines.next() else { return };
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    {
        let mut members = lock();
        for (_, other) in members.iter_mut() {
            let _ = writeln!(other, "[Server]: {nick} has joined the chat.");
        }
        members.push((nick.clone(), write_half));
    }
    let _ = writeln!(
        stream,
        "[Server]: Welcome, {nick}! Type /help for commands."
    );
    for line in lines.map_while(Result::ok) {
        for (_, other) in lock().iter_mut().filter(|(name, _)| *name != nick) {
            let _ = writeln!(other, "{nick} >> {line}");
        }
    }
    lock().retain(|(name, _)| *name != nick);
}

fn options(port: u16, extra: &[&str]) -> Options {
    let addr = format!("127.0.0.1:{port}");
    let base = [
        "chat-load",
        "--addr",
        &addr,
        "--warmup",
        "0.2",
        "--drain",
        "20",
    ];
    Options::parse_from(base.iter().chain(extra))
}

#[test]
fn every_window_line_reaches_every_other_client() -> Result<(), Box<dyn std::error::Error>> {
    let port = fake_server(10)?;
    let o = options(
        port,
        &["--clients", "3", "--rate", "200", "--duration", "0.5"],
    );
    let Outcome::Load(report) = run(&o)? else {
        panic!("a sending run gives a load report");
    };
    // Open loop: each client's window holds exactly rate * duration due times (+-1 for
    // where the window's edges fall between two of them), however late they went out.
    assert!((297..=303).contains(&report.sent), "sent {}", report.sent);
    assert_eq!(report.expected(), report.sent * 2);
    assert_eq!(report.delivered, report.expected());
    assert_eq!(report.latency.len(), report.delivered);
    assert_eq!(report.ratio(), Some(1.0));
    // 3 joins seen by those already there: 0 + 1 + 2.
    assert_eq!(report.server_lines, 3);
    assert_eq!(report.other_lines, 0);
    assert!(report.reader_endings.is_empty() && report.writer_errors.is_empty());
    let json = report.json();
    assert!(json.starts_with('{') && json.ends_with('}') && !json.contains('\n'));
    assert!(json.contains(r#""delivery_ratio":1,"#), "{json}");
    Ok(())
}

#[test]
fn a_full_room_is_an_error_not_a_report() -> Result<(), Box<dyn std::error::Error>> {
    let port = fake_server(2)?;
    let o = options(port, &["--clients", "3", "--duration", "0.1"]);
    match run(&o) {
        Err(LoadError::Refused { nick, line }) => {
            assert_eq!(nick, "load2");
            assert!(line.contains("is full (2/2)"), "{line}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    Ok(())
}

#[test]
fn idle_clients_are_joined_and_held() -> Result<(), Box<dyn std::error::Error>> {
    let port = fake_server(50)?;
    let o = options(port, &["--idle", "20", "--duration", "0.1"]);
    let Outcome::Idle(report) = run(&o)? else {
        panic!("an idle run gives an idle report");
    };
    assert_eq!((report.clients, report.dropped), (20, 0));
    assert!(report.rss_before.is_none(), "no --server-pid, no RSS");
    Ok(())
}
