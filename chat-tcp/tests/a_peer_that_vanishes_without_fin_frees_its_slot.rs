//! A member whose host vanishes (no FIN, no RST, nothing) is found by TCP keepalive and the
//! user timeout, and its slot is freed. The vanishing is real: every packet from its port is
//! dropped with iptables (so this test needs root or passwordless sudo, and iptables; CI
//! installs it).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::TestServer;

/// Drops every packet from a local port while it lives.
struct Blackhole {
    rule: Vec<String>,
}

fn iptables(args: &[String]) -> std::process::ExitStatus {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if root {
        Command::new("iptables")
    } else {
        Command::new("sudo")
    };
    if !root {
        cmd.args(["-n", "iptables"]);
    }
    cmd.args(args).status().unwrap_or_else(|e| {
        panic!("this test needs iptables (apt-get install iptables) and root: {e}")
    })
}

impl Blackhole {
    fn port(port: u16) -> Blackhole {
        let rule: Vec<String> = [
            "INPUT",
            "-i",
            "lo",
            "-p",
            "tcp",
            "--sport",
            &port.to_string(),
            "-j",
            "DROP",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut add = vec!["-I".to_owned()];
        add.extend(rule.iter().cloned());
        assert!(
            iptables(&add).success(),
            "iptables refused the rule (root needed)"
        );
        Blackhole { rule }
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        let mut del = vec!["-D".to_owned()];
        del.extend(self.rule.iter().cloned());
        let _ = iptables(&del);
    }
}

#[test]
fn a_peer_that_vanishes_without_fin_frees_its_slot() {
    let server = TestServer::with("vanish", |c| {
        c.keepalive = Duration::from_secs(1);
        c.write_timeout = Duration::from_secs(2);
    });
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let port = bob.stream.local_addr().expect("addr").port();

    let vanished = Instant::now();
    let _hole = Blackhole::port(port);
    // Bob's host is gone: nothing more comes from it, not even a FIN.
    alice.expect(&["[Server]: Bob has left the chat."]);
    let took = vanished.elapsed();
    // keepalive (1 s) + user timeout (2 s), give or take the probe timing.
    eprintln!("a vanished peer was dropped after {took:?}");
    assert!(
        took >= Duration::from_secs(2),
        "dropped too early: {took:?}"
    );
    alice.send("/user");
    alice.expect(&["[Server]: Users (1/10): Alice (admin)"]);
    drop(bob);
}
