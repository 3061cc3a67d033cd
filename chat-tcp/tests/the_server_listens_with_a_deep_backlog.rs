//! The listening socket queues 1024 completed connections (the standard library's default
//! is 128): a burst of connects waits for `accept` instead of having its SYNs dropped and
//! retried a second later.

mod support;

use support::Child;

#[test]
fn the_server_listens_with_a_deep_backlog() {
    let server = Child::spawn("backlog", &[]);
    // For a listening socket, `ss` shows the backlog as its Send-Q.
    let out = std::process::Command::new("ss")
        .args(["-Hltn", &format!("sport = :{}", server.addr.port())])
        .output()
        .expect("run ss (iproute2; scripts/test installs it)");
    assert!(out.status.success(), "ss failed: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    // State, Recv-Q, Send-Q, local address, peer address.
    assert_eq!(fields.get(2), Some(&"1024"), "ss said: {text}");
    assert_eq!(fields.get(3), Some(&server.addr.to_string().as_str()));
}
