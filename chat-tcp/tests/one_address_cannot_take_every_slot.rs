//! The per-address connection limit, with the loopback exemption turned off.

mod support;

use support::{Child, Client};

#[test]
fn the_per_address_limit_refuses_with_a_line() {
    let server = Child::spawn("perip", &["--max-per-ip", "2", "--no-loopback-exemption"]);
    let mut a = Client::connect(server.addr);
    a.line();
    let mut b = Client::connect(server.addr);
    b.line();
    let mut c = Client::connect(server.addr);
    c.expect(&["[Server]: Too many connections from your address (max 2). Bye."]);
    assert_eq!(c.expect_closed(), Vec::<String>::new());
    // Once one leaves, the address may connect again.
    drop(a);
    b.send("Bob");
    assert!(b.line().starts_with("[Server]: Welcome, Bob!"));
    let deadline = std::time::Instant::now() + support::WAIT;
    loop {
        let mut d = Client::connect(server.addr);
        let first = d.line();
        if first.starts_with("[Server]: Welcome to the open chat") {
            break;
        }
        // The server may not have seen `a` close yet.
        assert_eq!(
            first,
            "[Server]: Too many connections from your address (max 2). Bye."
        );
        assert!(std::time::Instant::now() < deadline, "slot never freed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn loopback_is_exempt_by_default() {
    let server = Child::spawn("perip-default", &["--max-per-ip", "1"]);
    let mut clients: Vec<Client> = (0..4).map(|_| Client::connect(server.addr)).collect();
    for c in &mut clients {
        assert!(c.line().starts_with("[Server]: Welcome to the open chat"));
    }
}
