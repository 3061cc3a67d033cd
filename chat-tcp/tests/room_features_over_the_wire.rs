//! The room features against the real binary over real sockets: a late `nc`-style joiner
//! gets the backlog (header naming `--utc-offset`, `[HH:MM]` lines, only `--history` of
//! them, no whisper and no `[Server]:` line) and then the notice; a kick bans the nickname
//! and the address for `--kick-ban` minutes until `/unban`; `--help` lists both flags.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use support::{Child, Client};
use time::{OffsetDateTime, UtcOffset};

fn local(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// `[HH:MM] ` for the current minute in +09:00, read before and after the lines were made
/// so a minute turning over in between is allowed.
fn stamp_now() -> String {
    let t = OffsetDateTime::now_utc().to_offset(UtcOffset::from_hms(9, 0, 0).expect("offset"));
    format!("[{:02}:{:02}] ", t.hour(), t.minute())
}

#[test]
fn backlog_and_notice_reach_a_late_joiner_and_a_kick_ban_holds() {
    let server = Child::spawn(
        "room-features",
        &[
            "--utc-offset",
            "+09:00",
            "--history",
            "2",
            "--kick-ban",
            "5",
            "--no-loopback-exemption",
        ],
    );
    let before = stamp_now();
    let mut alice = Client::connect_from(local(1), server.addr);
    alice.line();
    alice.send("Alice");
    alice.expect(&[
        "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
        "[Server]: You are the admin.",
    ]);
    for l in [
        "one",
        "two",
        "/me waves",
        "/w Alice to myself?",
        "/notice Lunch at 12",
    ] {
        alice.send(l);
    }
    alice.expect(&[
        "[Server]: You cannot whisper to yourself.",
        "[Server]: Notice from Alice: Lunch at 12",
    ]);
    let after = stamp_now();

    let mut bob = Client::connect_from(local(2), server.addr);
    bob.expect(&["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"]);
    bob.send("Bob");
    bob.expect(&[
        "[Server]: Welcome, Bob! 2/10 online. Type /help for commands.",
        "[Server]: Last 2 messages (times in +09:00):",
    ]);
    for want in ["Alice >> two", "* Alice waves"] {
        let got = bob.line();
        assert!(
            got == format!("{before}{want}") || got == format!("{after}{want}"),
            "{got:?}, expected {want:?} after {before:?} or {after:?}"
        );
    }
    bob.expect(&["[Server]: Notice: Lunch at 12"]);
    alice.expect(&["[Server]: Bob has joined the chat."]);

    // A kick bans the nickname (any case) and the address.
    alice.send("/kick Bob");
    bob.expect(&["[Server]: You have been kicked from the chat."]);
    assert_eq!(bob.expect_closed(), Vec::<String>::new());
    alice.expect(&["[Server]: You kicked Bob."]);
    let banned = "[Server]: You are banned from \"lobby\" for 5 more minutes.";
    for (from, nick) in [(2, "Robert"), (3, "bob")] {
        let mut c = Client::connect_from(local(from), server.addr);
        c.line();
        c.send(nick);
        c.expect(&[banned]);
        assert_eq!(c.expect_closed(), Vec::<String>::new(), "{nick}");
    }
    let mut carol = Client::connect_from(local(3), server.addr);
    carol.line();
    carol.send("Carol");
    carol.line(); // welcome
    assert!(carol.line().starts_with("[Server]: Last 2 messages"));

    alice.expect(&["[Server]: Carol has joined the chat."]);
    alice.send("/bans");
    alice.expect(&["[Server]: Bob is banned for 5 more minutes."]);
    alice.send("/unban Bob");
    alice.expect(&["[Server]: Bob may enter again."]);
    let mut bob = Client::connect_from(local(2), server.addr);
    bob.line();
    bob.send("Bob");
    bob.expect(&["[Server]: Welcome, Bob! 3/10 online. Type /help for commands."]);
}

#[test]
fn help_lists_the_history_and_kick_ban_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .arg("--help")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--history <HISTORY>",
        "[default: 20]",
        "--kick-ban <KICK_BAN>",
        "[default: 10]",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
