//! Churn (PROTOCOL.md §6): cycles of connect / nickname / 19 renames / quit, from one address
//! and from 5 addresses of one /24, for 10 s against the real binary. Every other member gets
//! at most 10 + 30 a minute `[Server]:` lines per address (plus the summaries of what was
//! folded), and a member reading at 64 KiB/s is never dropped.
//!
//! `cargo test -p chat-tcp --test churn_from_one_address_cannot_flood_the_room -- --nocapture`
//! prints the figures.

mod support;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::{Child, Client, WAIT};

const ATTACK: Duration = Duration::from_secs(10);
/// How fast the slow member reads.
const SLOW_READ: usize = 64 * 1024;
/// Connections per attacking address at a time: `--max-per-ip`.
const WORKERS_PER_ADDRESS: usize = 5;

#[test]
fn churn_from_one_address_cannot_flood_the_room() {
    churn("churn-one", Ipv4Addr::new(127, 0, 21, 0), 1);
}

#[test]
fn churn_from_five_addresses_of_one_network_cannot_flood_the_room() {
    churn("churn-five", Ipv4Addr::new(127, 0, 22, 0), 5);
}

/// Runs the churn from `addresses` hosts of the /24 `net` against a room where Alice reads
/// at full speed and Bob at [`SLOW_READ`].
fn churn(name: &str, net: Ipv4Addr, addresses: u8) {
    let server = Child::spawn(name, &["--no-loopback-exemption"]);
    let addr = server.addr;
    // The members watching, from a /24 of their own.
    let [a, b, c, _] = net.octets();
    let home = |n: u8| IpAddr::V4(Ipv4Addr::new(a, b, c + 100, n));
    let mut alice = Client::connect_from(home(1), addr);
    alice.line();
    alice.send("Alice");
    alice.expect(&[
        "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
        "[Server]: You are the admin.",
    ]);
    let mut bob = slow_member(home(2), addr);
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let bob_writer = bob.try_clone().expect("clone");
    let bob_reader = thread::spawn(move || read_paced(&mut bob, SLOW_READ));
    // Alice reads at full speed all along, so only Bob can fall behind.
    let mut alice_writer = alice.stream.try_clone().expect("clone");
    let (tx, alice_lines) = mpsc::channel();
    let alice_reader = thread::spawn(move || {
        while let Some(l) = alice.try_line() {
            if tx.send(l).is_err() {
                break;
            }
        }
    });

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let (joins, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (1..=addresses)
        .flat_map(|host| (0..WORKERS_PER_ADDRESS).map(move |w| (host, w)))
        .map(|(host, w)| {
            let from = IpAddr::V4(Ipv4Addr::new(a, b, c, host));
            let (stop, joins, refused) = (stop.clone(), joins.clone(), refused.clone());
            thread::spawn(move || {
                let mut cycle = 0;
                while !stop.load(Ordering::Acquire) {
                    cycle += 1;
                    let nick = format!("h{host}w{w}c{cycle}");
                    if cycle_once(from, addr, &nick) {
                        joins.fetch_add(1, Ordering::Relaxed);
                    } else {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    // The attack's length, not a wait for an event: the workers run until told to stop.
    thread::sleep(ATTACK);
    stop.store(true, Ordering::Release);
    for w in workers {
        w.join().expect("worker");
    }
    // Every attacking connection is closed on the client's side; the server has handled
    // them all once the room holds only Alice and Bob again (each /user is a round trip).
    let mut seen = Vec::new();
    let deadline = Instant::now() + WAIT;
    'settle: loop {
        alice_writer.write_all(b"/user\n").expect("alice /user");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let l = alice_lines.recv_timeout(left).expect("Alice's lines");
            if l == "[Server]: Users (2/10): Alice (admin), Bob" {
                break 'settle;
            }
            if l.starts_with("[Server]: Users (") {
                break;
            }
            seen.push(l);
        }
    }
    let elapsed = start.elapsed();
    (&bob_writer).write_all(b"/user\n").expect("bob /user");
    // Alice's reader ends at the end of its stream.
    alice_writer.shutdown(Shutdown::Both).expect("shutdown");
    alice_reader.join().expect("Alice's reader");
    let bob_result = bob_reader.join().expect("bob's reader");

    let summaries = seen.iter().filter(|l| is_summary(l)).count();
    let announcements = seen.len() - summaries;
    let minutes = elapsed.as_secs_f64() / 60.0;
    let joins = joins.load(Ordering::Relaxed);
    let refused = refused.load(Ordering::Relaxed);
    eprintln!(
        "{addresses} address(es), {elapsed:.1?}: {joins} cycles joined, {refused} refused; \
         Alice got {announcements} announcements ({:.1}/s) and {summaries} summaries; \
         Bob at {} KiB/s: {}",
        announcements as f64 / elapsed.as_secs_f64(),
        SLOW_READ / 1024,
        match &bob_result {
            Ok(n) => format!("stayed, read {n} bytes"),
            Err((t, n)) => format!("dropped after {t:.2?} ({n} bytes read)"),
        }
    );
    assert!(seen.iter().all(|l| l.starts_with("[Server]: ")), "{seen:?}");
    assert!(
        joins >= 5,
        "the attack was too slow to mean anything: {joins}"
    );
    let allowed = f64::from(addresses) * (10.0 + 30.0 * minutes);
    assert!(
        announcements as f64 <= allowed,
        "{announcements} announcements in {elapsed:?} from {addresses} address(es), \
         at most {allowed:.0} allowed: {:?}",
        &seen[..seen.len().min(5)]
    );
    assert!(
        summaries as f64 <= 1.0 + minutes,
        "{summaries} summaries in {elapsed:?}"
    );
    if let Err((t, n)) = bob_result {
        panic!("Bob, reading at 64 KiB/s, was dropped after {t:?} ({n} bytes read)");
    }
}

/// One cycle from `from`: connect, choose `nick`, rename 19 times, quit. Returns whether the
/// nickname was accepted.
fn cycle_once(from: IpAddr, addr: SocketAddr, nick: &str) -> bool {
    let mut c = Client::connect_from(from, addr);
    let mut burst = format!("{nick}\n");
    for r in 1..=19 {
        burst.push_str(&format!("/rename {nick}r{r}\n"));
    }
    burst.push_str("/quit\n");
    // A refused connection may be closed before it has read everything.
    let _ = c.stream.write_all(burst.as_bytes());
    let got = c.read_until_closed(WAIT);
    let text = String::from_utf8_lossy(&got);
    text.contains(&format!("[Server]: Welcome, {nick}!"))
}

/// Bob joins from `from` with a small receive buffer, so what the server sends waits in the
/// server, not in the client's kernel.
fn slow_member(from: IpAddr, addr: SocketAddr) -> TcpStream {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(64 * 1024).expect("rcvbuf");
    socket
        .bind(&SocketAddr::new(from, 0).into())
        .expect("bind the client's address");
    socket.connect(&addr.into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    // The attack may be quiet for a while (everything folded): longer than one wait.
    stream
        .set_read_timeout(Some(ATTACK + WAIT))
        .expect("timeout");
    stream.write_all(b"Bob\n").expect("nickname");
    // Byte by byte, so nothing after the welcome is read here.
    let mut got = Vec::new();
    let mut byte = [0];
    while got.iter().filter(|&&b| b == b'\n').count() < 2 {
        stream.read_exact(&mut byte).expect("prompt and welcome");
        got.push(byte[0]);
    }
    let got = String::from_utf8_lossy(&got);
    let welcome = got.lines().nth(1);
    assert_eq!(
        welcome,
        Some("[Server]: Welcome, Bob! 2/10 online. Type /help for commands."),
        "{got}"
    );
    stream
}

/// Reads at `rate` bytes a second until the reply to `/user` arrives: `Ok(bytes read)`, or
/// `Err((when, bytes read))` if the server closed the connection first.
fn read_paced(stream: &mut TcpStream, rate: usize) -> Result<usize, (Duration, usize)> {
    const CHUNK: usize = 4096;
    let start = Instant::now();
    let mut buf = [0; CHUNK];
    let mut got = Vec::new();
    loop {
        // Pacing, not synchronisation: never more than `rate` bytes a second in total.
        let due = start + Duration::from_secs_f64(got.len() as f64 / rate as f64);
        thread::sleep(due.saturating_duration_since(Instant::now()));
        match stream.read(&mut buf) {
            Ok(0) => return Err((start.elapsed(), got.len())),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Err((start.elapsed(), got.len()));
            }
            Err(e) => panic!("Bob read nothing for {:?}: {e}", ATTACK + WAIT),
        }
        let tail = &got[got.len().saturating_sub(CHUNK * 2)..];
        if String::from_utf8_lossy(tail).contains("[Server]: Users (") {
            return Ok(got.len());
        }
    }
}

/// A summary of announcements folded away (docs/choices.md).
fn is_summary(line: &str) -> bool {
    line.starts_with("[Server]: ") && line.ends_with(" not shown.")
}
