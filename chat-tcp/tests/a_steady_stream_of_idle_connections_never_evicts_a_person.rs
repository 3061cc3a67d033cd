//! A steady stream of idle connections (about 100 a second from 40 loopback addresses, with
//! the loopback exemption off) keeps the pending cap full, yet a person who sends a
//! nickname at once, or after thinking 1-3 s, gets in: at the cap the room evicts the
//! oldest waiting connection of the address with the most waiting, never the person's.

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::{Child, Client};

/// Idle connections opened per second, spread over [`ATTACKERS`] addresses.
const RATE: u64 = 100;
const ATTACKERS: u8 = 40;
/// How long an idle connection is held open before its owner drops it.
const HOLD: Duration = Duration::from_millis(1500);
/// People per kind (at once / after 1-3 s).
const PEOPLE: usize = 20;

#[test]
fn a_steady_stream_of_idle_connections_never_evicts_a_person() {
    let server = Child::spawn("stream", &["--no-loopback-exemption"]);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let attack = {
        let stop = stop.clone();
        thread::spawn(move || stream_of_idle_connections(addr, &stop))
    };
    // Let the stream fill the pending cap first.
    thread::sleep(Duration::from_secs(1));

    // People from addresses of their own, one every 200 ms, alternating: nickname at once,
    // nickname after 1, 2 or 3 s.
    let people: Vec<_> = (0..2 * PEOPLE)
        .map(|i| {
            let think = if i % 2 == 0 {
                Duration::ZERO
            } else {
                Duration::from_secs(1 + (i as u64 / 2) % 3)
            };
            let from = IpAddr::V4(Ipv4Addr::new(127, 0, 2, 1 + i as u8));
            let person = thread::spawn(move || person(addr, from, &format!("P{i}"), think));
            thread::sleep(Duration::from_millis(200));
            (think, person)
        })
        .collect();
    let (mut at_once, mut later) = (Vec::new(), Vec::new());
    for (think, person) in people {
        let outcome = person.join().expect("person thread");
        if think.is_zero() {
            at_once.push(outcome);
        } else {
            later.push(outcome);
        }
    }
    stop.store(true, Ordering::Release);
    let opened = attack.join().expect("attack thread");
    assert!(
        opened >= 500,
        "the stream was too thin to fill the cap: {opened}"
    );
    for (kind, outcomes) in [("at once", &at_once), ("after 1-3 s", &later)] {
        let got_in = outcomes.iter().filter(|o| o.is_ok()).count();
        eprintln!(
            "{opened} idle connections: {got_in}/{} people who sent a nickname {kind} got in",
            outcomes.len()
        );
        // At least 95 %: with 20 people, 19.
        assert!(
            got_in * 100 >= outcomes.len() * 95,
            "people who sent a nickname {kind}: {got_in}/{} got in; {:?}",
            outcomes.len(),
            outcomes
                .iter()
                .filter_map(|o| o.as_ref().err())
                .collect::<Vec<_>>()
        );
    }
}

/// Opens idle connections at [`RATE`] per second round-robin from 127.0.1.1-40, each held
/// for [`HOLD`], until `stop`; returns how many were opened.
fn stream_of_idle_connections(addr: SocketAddr, stop: &AtomicBool) -> usize {
    let start = Instant::now();
    let mut held: std::collections::VecDeque<(Instant, std::net::TcpStream)> =
        std::collections::VecDeque::new();
    let mut opened = 0usize;
    while !stop.load(Ordering::Acquire) {
        let from = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            1,
            1 + (opened % ATTACKERS as usize) as u8,
        ));
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.bind(&SocketAddr::new(from, 0).into()).expect("bind");
        if socket.connect(&addr.into()).is_ok() {
            held.push_back((Instant::now() + HOLD, socket.into()));
        }
        opened += 1;
        while held
            .front()
            .is_some_and(|(until, _)| *until <= Instant::now())
        {
            held.pop_front();
        }
        // Paced to RATE from the start, so a slow moment is caught up, not lost.
        let due = start + Duration::from_millis(opened as u64 * 1000 / RATE);
        thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    opened
}

/// Connects from `from`, reads the prompt, thinks, sends `nick` and expects the welcome.
fn person(addr: SocketAddr, from: IpAddr, nick: &str, think: Duration) -> Result<(), String> {
    let mut c = Client::connect_from(from, addr);
    let prompt = c.try_line().ok_or("closed before the prompt")?;
    if !prompt.starts_with("[Server]: Welcome to the open chat") {
        return Err(format!("{nick}: {prompt}"));
    }
    thread::sleep(think);
    c.send(nick);
    let reply = c
        .try_line()
        .ok_or(format!("{nick}: closed after {think:?}"))?;
    if !reply.starts_with(&format!("[Server]: Welcome, {nick}!")) {
        return Err(format!("{nick} after {think:?}: {reply}"));
    }
    c.send("/quit");
    Ok(())
}
