//! Terminal mode in tmux with `--tls --ca`. Against the real server: chat with a plain-TCP
//! member, and a server restart is rejoined over TLS. Against Debian's `openssl s_server`:
//! the status line says TLS, `/connect` to a server whose certificate no trusted authority
//! signed shows one clear line in the window (not a panic, not a dump) and keeps retrying,
//! and `/connect` back joins over TLS again.

mod common;

use std::path::Path;

use common::{BIN, OpensslServer, RawMember, TestCa, Tmux, quoted, start_tls_server, stop_server};

/// Starts the real client in the pane: `--tls --ca CA --host localhost --port PORT` as
/// Alice; the shell prints `EXITED <code>` when it ends.
fn run_alice_over_tls(tmux: &Tmux, ca: &Path, port: u16) {
    tmux.type_line(&format!(
        "{} --tls --ca {} --host localhost --port {port} --nick Alice --no-log; echo EXITED $?",
        quoted(BIN.as_ref()),
        quoted(ca),
    ));
}

#[test]
fn a_real_server_restart_is_rejoined_over_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let server = start_tls_server(dir.path(), "server.txt", &cert, "127.0.0.1:0");
    let tls_addr = server.tls_addr().expect("a TLS port");
    let tmux = Tmux::start(dir.path());
    run_alice_over_tls(&tmux, &ca.pem, tls_addr.port());
    let status = format!(
        " Alice (admin) | localhost:{} (TLS) | lobby",
        tls_addr.port()
    );
    tmux.wait_for_text(&format!("{status} 1/10 online | connected"));
    let mut bob = RawMember::join(server.local_addr(), "Bob");
    tmux.wait_for_text("[Server]: Bob has joined the chat.");
    bob.send("hi Alice, I am on plain TCP");
    tmux.wait_for_text("Bob >> hi Alice, I am on plain TCP");
    tmux.type_line("hello Bob, over TLS");
    bob.lines.expect("Alice >> hello Bob, over TLS");

    // The server restarts on the same ports: the client comes back over TLS by itself.
    server.shutdown();
    tmux.wait_for_text("* The server is shutting down; reconnecting in 1 s.");
    server.join().expect("server threads end");
    let server = start_tls_server(dir.path(), "server2.txt", &cert, &tls_addr.to_string());
    tmux.wait_for_text("* Rejoined the chat as Alice.");
    tmux.wait_for_text(&format!("{status} 1/10 online | connected"));
    let mut bob = RawMember::join(server.local_addr(), "Bob");
    tmux.type_line("back over TLS");
    bob.lines.expect("Alice >> back over TLS");
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    bob.lines.expect("[Server]: Alice has left the chat.");
    stop_server(server);
}

const WELCOME: &str = "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.";

/// The pane's text with each row's indentation and the row breaks made single spaces, so a
/// wrapped line reads whole.
fn joined(rows: &[String]) -> String {
    let words: Vec<&str> = rows.iter().flat_map(|r| r.split_whitespace()).collect();
    words.join(" ")
}

/// The server's side of Alice joining, and the status line saying so.
fn joined_over_tls(server: &mut OpensslServer, tmux: &Tmux) {
    server.out.expect("Alice");
    server.send(WELCOME);
    tmux.wait_for_text(&format!(
        " Alice | localhost:{} (TLS) | lobby 1/10 online | connected",
        server.port
    ));
}

#[test]
fn tls_in_the_window_and_a_refused_certificate_is_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let stranger = TestCa::new(dir.path(), "stranger-ca");
    let strange = stranger.server_cert(dir.path(), "strange", &["localhost"]);
    let mut server = OpensslServer::start(&cert);
    let other = OpensslServer::start(&strange);

    let tmux = Tmux::start(dir.path());
    run_alice_over_tls(&tmux, &ca.pem, server.port);
    joined_over_tls(&mut server, &tmux);
    tmux.type_line("hello over TLS");
    server.out.expect("hello over TLS");

    tmux.type_line(&format!("/connect localhost:{}", other.port));
    let refusal = "* Cannot connect (the server's certificate for \"localhost\" is not signed \
                   by an authority this client trusts (--ca FILE trusts a private CA or a \
                   self-signed certificate)); retrying in 1 s.";
    let rows = tmux.wait_for(&format!("{refusal:?}"), |rows| {
        joined(rows).contains(refusal)
    });
    let text = joined(&rows);
    assert!(
        text.contains(&format!("* Connecting to localhost:{}...", other.port)),
        "{text}"
    );
    for dump in ["InvalidCertificate", "UnknownIssuer", "panicked", "Error"] {
        assert!(
            !text.contains(dump),
            "{dump:?} in the window:\n{}",
            rows.join("\n")
        );
    }
    tmux.wait_for_text(&format!(
        " Alice | localhost:{} (TLS) | lobby | reconnecting (attempt ",
        other.port
    ));

    // Back to the first server, over TLS again (s_server speaks nothing else).
    tmux.type_line(&format!("/connect localhost:{}", server.port));
    joined_over_tls(&mut server, &tmux);
    tmux.keys(&["C-c"]);
    server.out.expect("/quit");
    server.send("q");
    tmux.wait_for_text("EXITED 0");
}
