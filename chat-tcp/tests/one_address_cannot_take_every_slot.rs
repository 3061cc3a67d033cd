//! The per-address connection limit, with the loopback exemption turned off.

mod support;

use std::net::{IpAddr, Ipv4Addr, Shutdown};

use support::{Child, Client};

fn refused(max: usize) -> String {
    format!("[Server]: Too many connections from your address (max {max}). Bye.")
}

/// Connects and joins as `nick`; after the welcome the server's reader for it is running.
fn join(server: &Child, nick: &str) -> Client {
    let mut c = Client::connect(server.addr);
    let prompt = c.line();
    assert!(
        prompt.starts_with("[Server]: Welcome to the open chat"),
        "{prompt}"
    );
    c.send(nick);
    let welcome = c.line();
    assert!(
        welcome.starts_with(&format!("[Server]: Welcome, {nick}!")),
        "{welcome}"
    );
    c
}

#[test]
fn the_per_address_limit_refuses_with_a_line_until_a_connection_is_gone() {
    let server = Child::spawn("perip", &["--max-per-ip", "2", "--no-loopback-exemption"]);
    let mut ann = join(&server, "Ann");
    ann.expect(&["[Server]: You are the admin."]);
    let mut bob = join(&server, "Bob");
    ann.expect(&["[Server]: Bob has joined the chat."]);
    // A thread names itself once it runs, which nothing announces: poll.
    support::wait_for("both members' threads", || server.connection_threads() == 4);
    let mut c = Client::connect(server.addr);
    c.expect(&[&refused(2)]);
    assert_eq!(c.expect_closed(), Vec::<String>::new());

    // Ann closes her side; the server finishes with her connection and closes it too.
    ann.stream.shutdown(Shutdown::Write).expect("shutdown");
    assert_eq!(ann.expect_closed(), Vec::<String>::new());
    bob.expect(&[
        "[Server]: Ann has left the chat.",
        "[Server]: Bob is now the admin.",
    ]);
    // The address's count is given back when the connection's last owner lets go: the
    // engine did before telling Bob, its reader and writer threads do as they exit. A
    // thread's exit sends nothing anywhere, so /proc is polled for it.
    support::wait_for("Ann's connection threads to exit", || {
        server.connection_threads() == 2
    });
    let mut d = Client::connect(server.addr);
    let first = d.line();
    assert!(
        first.starts_with("[Server]: Welcome to the open chat (1/10 online)"),
        "{first}"
    );
}

#[test]
fn one_address_hammering_cannot_keep_another_address_out() {
    let mut server = Child::spawn("hammer", &["--max-per-ip", "5", "--no-loopback-exemption"]);
    // 100 connections from 127.0.0.1, all held open by this side: five are let in...
    let mut held: Vec<Client> = (0..5).map(|i| join(&server, &format!("h{i}"))).collect();
    let threads = server.threads();
    // ...and the other 95 are turned away by the hall (the one place the per-address
    // policy lives), each with the reason.
    for _ in 5..100 {
        let mut c = Client::connect(server.addr);
        c.expect(&[&refused(5)]);
        assert_eq!(c.expect_closed(), Vec::<String>::new());
        held.push(c);
    }
    // A refused connection holds no thread once it is closed, though its peer keeps the
    // socket open.
    support::wait_for("the refused connections' threads to exit", || {
        server.threads() == threads
    });

    // Another host (any of 127.0.0.0/8 is loopback) still gets in.
    let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let mut remote = Client::connect_from(other, server.addr);
    assert_eq!(remote.stream.local_addr().expect("addr").ip(), other);
    let prompt = remote.line();
    assert!(
        prompt.starts_with("[Server]: Welcome to the open chat (5/10 online)"),
        "{prompt}"
    );
    remote.send("Remote");
    let welcome = remote.line();
    assert!(
        welcome.starts_with("[Server]: Welcome, Remote! 6/10 online."),
        "{welcome}"
    );
    held[0].until("[Server]: Remote has joined the chat.");

    // Nothing was turned away at the door (the socket cap was never reached), so the
    // operator's stderr has no report of it.
    drop((held, remote));
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    let reports: Vec<String> = server
        .rest_of_stderr()
        .into_iter()
        .filter(|l| l.contains("connections refused at the door"))
        .collect();
    assert_eq!(reports, Vec::<String>::new());
}

#[test]
fn loopback_is_exempt_by_default() {
    let server = Child::spawn("perip-default", &["--max-per-ip", "1"]);
    let mut clients: Vec<Client> = (0..4).map(|_| Client::connect(server.addr)).collect();
    for c in &mut clients {
        assert!(c.line().starts_with("[Server]: Welcome to the open chat"));
    }
}
