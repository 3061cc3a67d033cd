//! A member whose host vanishes (no FIN, no RST, nothing) is found by TCP keepalive and the
//! user timeout, and its slot is freed. The vanishing is real: every packet from its port is
//! dropped by a firewall rule (nftables). So that no real root is needed, the test runs
//! itself again inside a network namespace of its own, owned by a user namespace of its own
//! (`unshare --user --map-root-user --net`, util-linux), with only a loopback interface; the
//! rule dies with the namespace. Where the kernel forbids user namespaces the test fails and
//! says how to allow them: it is never skipped.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::TestServer;

/// Set in the copy of this test that runs inside the namespace.
const INSIDE: &str = "CHAT_TCP_TEST_IN_NETNS";
const NAME: &str = "a_peer_that_vanishes_without_fin_frees_its_slot";

/// `name` on the PATH or in the system directories a normal user's PATH lacks.
fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("this test needs `{name}` (apt-get install {package}; scripts/test does it)")
        })
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_peer_that_vanishes_without_fin_frees_its_slot() {
    if std::env::var_os(INSIDE).is_none() {
        return run_inside_a_namespace();
    }
    // Namespace root, in a network of our own: only `lo`, down until brought up.
    run(Command::new(tool("ip", "iproute2")).args(["link", "set", "lo", "up"]));

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
    let nft = tool("nft", "nftables");
    run(Command::new(&nft).args(["add", "table", "inet", "vanish"]));
    run(Command::new(&nft).args([
        "add",
        "chain",
        "inet",
        "vanish",
        "input",
        "{ type filter hook input priority 0 ; }",
    ]));
    let port = port.to_string();
    run(Command::new(&nft).args([
        "add", "rule", "inet", "vanish", "input", "iif", "lo", "tcp", "sport", &port, "drop",
    ]));
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

/// Runs this test again, alone, in a user and network namespace of its own, and passes on
/// its result.
fn run_inside_a_namespace() {
    let unshare = tool("unshare", "util-linux");
    let probe = Command::new(&unshare)
        .args(["--user", "--map-root-user", "--net", "true"])
        .output()
        .expect("run unshare");
    assert!(
        probe.status.success(),
        "this test needs unprivileged user namespaces, which this kernel refuses ({}). \
         Allow them: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian), \
         `sudo sysctl -w user.max_user_namespaces=15000`, or on Ubuntu 24.04+ \
         `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`; in a container, \
         run it with user namespaces allowed (e.g. Docker's --security-opt seccomp=unconfined).",
        String::from_utf8_lossy(&probe.stderr).trim()
    );
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(&unshare)
        .args(["--user", "--map-root-user", "--net", "--"])
        .arg(exe)
        .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("run the test in a namespace");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "inside the namespace: {stdout}{stderr}"
    );
    // The copy really ran this test (a filter that matched nothing would pass too).
    assert!(stdout.contains("1 passed"), "{stdout}");
}
