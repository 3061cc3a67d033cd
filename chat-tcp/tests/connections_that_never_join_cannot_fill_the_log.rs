//! Connections that never join cannot fill `server.txt`: 10 s of connections from one
//! address, each sending refused nicknames until it is closed, write under 1 MiB.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use support::{Child, Client};

const ATTACK: Duration = Duration::from_secs(10);
/// As many at a time as one address may hold.
const WORKERS: usize = 5;

#[test]
fn connections_that_never_join_cannot_fill_the_log() {
    let mut server = Child::spawn("prejoin-log", &["--no-loopback-exemption"]);
    let addr = server.addr;
    let from = IpAddr::V4(Ipv4Addr::new(127, 0, 3, 1));
    let stop = Arc::new(AtomicBool::new(false));
    let cycles = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (stop, cycles) = (stop.clone(), cycles.clone());
            thread::spawn(move || {
                // One write of 21 refused nicknames: the 21st closes the connection.
                let burst = "../x\n".repeat(21);
                while !stop.load(Ordering::Acquire) {
                    let mut c = Client::connect_from(from, addr);
                    c.send_raw(burst.as_bytes());
                    c.read_until_closed(Duration::from_secs(10));
                    cycles.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    thread::sleep(ATTACK);
    stop.store(true, Ordering::Release);
    for w in workers {
        w.join().expect("worker");
    }
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    let size = std::fs::metadata(&server.log).expect("server.txt").len();
    let cycles = cycles.load(Ordering::Relaxed);
    eprintln!("{cycles} connections in {ATTACK:?} wrote {size} bytes to server.txt");
    assert!(
        cycles >= 100,
        "the attack was too slow to mean anything: {cycles}"
    );
    assert!(size < 1 << 20, "{cycles} connections wrote {size} bytes");
}
