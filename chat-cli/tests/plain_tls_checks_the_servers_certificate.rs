//! `chat-cli --tls` in plain mode against the real server's TLS port, where it chats with a
//! plain-TCP member, and against Debian's `openssl s_server` (certificates made here with
//! rcgen), where it chats with a private CA's or a self-signed certificate given with
//! `--ca`, uses the system's roots without it, survives a key update, reconnects over TLS,
//! and refuses a certificate for another name, a CA's own certificate, an expired one, an
//! unknown authority and a plain-TCP port in one line each; a refusal the real server makes
//! before the handshake ends is shown, not taken for a plain-TCP port.

mod common;

use std::path::Path;

use common::{
    OpensslServer, PlainClient, RawMember, ServerCert, TestCa, start_server, start_tls_server,
    start_tls_server_with, stop_server,
};

const PROMPT: &str = "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:";
const WELCOME: &str = "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.";

/// The line for a server on `localhost:PORT` whose certificate no trusted authority signed.
fn untrusted(port: u16) -> String {
    format!(
        "chat-cli: cannot connect to localhost:{port}: the server's certificate for \
         \"localhost\" is not signed by an authority this client trusts (--ca FILE trusts \
         a private CA or a self-signed certificate)"
    )
}

/// `chat-cli --plain --tls [--ca CA] --host HOST --port PORT --nick Alice --no-log`, with
/// these environment variables.
fn tls_client(
    dir: &Path,
    ca: Option<&Path>,
    host: &str,
    port: u16,
    env: &[(&str, &Path)],
) -> PlainClient {
    let port = port.to_string();
    let mut args = vec!["--tls"];
    if let Some(ca) = ca {
        args.extend(["--ca", ca.to_str().expect("utf-8 path")]);
    }
    args.extend([
        "--host", host, "--port", &port, "--nick", "Alice", "--no-log",
    ]);
    PlainClient::spawn_with(dir, &args, env)
}

/// The client exits 1 having printed nothing but its one line on stderr; returns that.
fn refused(mut client: PlainClient) -> String {
    assert_eq!(client.wait().code(), Some(1));
    assert_eq!(client.out.until_end(), Vec::<String>::new());
    let err = client.err.until_end();
    assert_eq!(err.len(), 1, "{err:#?}");
    err[0].clone()
}

/// Plays the server's side of joining over `server`'s connection.
fn welcome_alice(server: &mut OpensslServer, client: &mut PlainClient) {
    // The client sends its --nick as soon as it is connected (s_server reports a resumed
    // session differently, so its own lines are no sign).
    server.out.expect("Alice");
    server.send(PROMPT);
    client.out.expect(PROMPT);
    server.send(WELCOME);
    client.out.expect(WELCOME);
}

/// The client leaves: `/quit` reaches the server, which closes; exit 0.
fn quit(server: &mut OpensslServer, mut client: PlainClient) {
    client.close_stdin();
    server.out.expect("/quit");
    server.send("q");
    assert!(client.wait().success());
}

#[test]
fn chats_through_a_private_ca_survives_a_key_update_and_reconnects_over_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let mut server = OpensslServer::start(&cert);
    let mut client = tls_client(dir.path(), Some(&ca.pem), "localhost", server.port, &[]);
    welcome_alice(&mut server, &mut client);
    client.send("hello over TLS");
    server.out.expect("hello over TLS");
    // A key update that asks for one back: the reader thread takes it in the session the
    // writer uses, and lines still go both ways.
    server.send("K");
    // s_server drops what follows a command in the same read: wait until it is done.
    server.out.expect("SSL_do_handshake -> 1");
    server.send("Bob >> after the key update");
    client.out.expect("Bob >> after the key update");
    client.send("still here");
    server.out.expect("still here");
    // s_server's `q` closes this connection and keeps listening: the client reconnects to
    // it over TLS (s_server speaks nothing else) and joins again.
    server.send("q");
    client
        .err
        .expect("chat-cli: Connection lost; reconnecting in 1 s.");
    welcome_alice(&mut server, &mut client);
    client.err.expect("chat-cli: Rejoined the chat as Alice.");
    quit(&mut server, client);
}

#[test]
fn a_self_signed_certificate_is_trusted_with_ca_and_the_system_roots_without_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let own = ServerCert::self_signed(dir.path(), "own", &["localhost"], false);
    let mut server = OpensslServer::start(&own);
    let mut client = tls_client(dir.path(), Some(&own.cert), "localhost", server.port, &[]);
    welcome_alice(&mut server, &mut client);
    quit(&mut server, client);
    drop(server);

    // Without --ca the system's roots decide; SSL_CERT_FILE stands in for them.
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let mut server = OpensslServer::start(&cert);
    let env = [("SSL_CERT_FILE", ca.pem.as_path())];
    let mut client = tls_client(dir.path(), None, "localhost", server.port, &env);
    welcome_alice(&mut server, &mut client);
    quit(&mut server, client);

    // ...and a system without that authority refuses the same server.
    let other = TestCa::new(dir.path(), "other-ca");
    let env = [("SSL_CERT_FILE", other.pem.as_path())];
    let client = tls_client(dir.path(), None, "localhost", server.port, &env);
    assert_eq!(refused(client), untrusted(server.port));
}

#[test]
fn another_name_a_cas_own_an_expired_one_or_an_unknown_authority_is_refused_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["chat.example.org", "10.0.0.7"]);
    let server = OpensslServer::start(&cert);
    let client = tls_client(dir.path(), Some(&ca.pem), "127.0.0.1", server.port, &[]);
    assert_eq!(
        refused(client),
        format!(
            "chat-cli: cannot connect to 127.0.0.1:{}: the server's certificate for \
             \"127.0.0.1\" is not for that name (it is for chat.example.org, 10.0.0.7)",
            server.port
        )
    );
    drop(server);

    // A CA's certificate as the server's own (what `openssl req -x509` makes by default).
    let own = ServerCert::self_signed(dir.path(), "ca-as-server", &["localhost"], true);
    let server = OpensslServer::start(&own);
    let client = tls_client(dir.path(), Some(&own.cert), "localhost", server.port, &[]);
    assert_eq!(
        refused(client),
        format!(
            "chat-cli: cannot connect to localhost:{}: the server's certificate for \
             \"localhost\" is a CA's certificate, not a server's (a self-signed certificate \
             must say CA:FALSE; see chat-cli/README.md)",
            server.port
        )
    );
    drop(server);

    // Expired.
    let old = ca.server_cert_with(dir.path(), "old", &["localhost"], |params| {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 6, 30);
    });
    let server = OpensslServer::start(&old);
    let client = tls_client(dir.path(), Some(&ca.pem), "localhost", server.port, &[]);
    assert_eq!(
        refused(client),
        format!(
            "chat-cli: cannot connect to localhost:{}: the server's certificate for \
             \"localhost\" expired on 2021-06-30 00:00 UTC",
            server.port
        )
    );
    drop(server);

    // Signed by an authority the client was not given.
    let stranger = TestCa::new(dir.path(), "stranger-ca");
    let cert = stranger.server_cert(dir.path(), "stranger", &["localhost"]);
    let server = OpensslServer::start(&cert);
    let client = tls_client(dir.path(), Some(&ca.pem), "localhost", server.port, &[]);
    assert_eq!(refused(client), untrusted(server.port));
}

#[test]
fn a_plain_tcp_port_and_an_unusable_ca_file_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let client = tls_client(dir.path(), Some(&ca.pem), "127.0.0.1", addr.port(), &[]);
    assert_eq!(
        refused(client),
        format!(
            "chat-cli: cannot connect to {addr}: the server did not answer in TLS (a \
             plain-TCP port? leave out --tls)"
        )
    );
    stop_server(server);

    // A --ca file with no certificate in it stops the client before it connects.
    let key_only = dir.path().join("key.pem");
    std::fs::write(
        &key_only,
        rcgen::KeyPair::generate().expect("key").serialize_pem(),
    )
    .expect("write");
    let mut client = tls_client(dir.path(), Some(&key_only), "127.0.0.1", 1, &[]);
    assert_eq!(client.wait().code(), Some(2));
    assert_eq!(
        client.err.until_end(),
        [format!(
            "chat-cli: cannot use --ca {}: no usable PEM certificate in it",
            key_only.display()
        )]
    );
}

#[test]
fn a_tls_member_and_a_plain_member_chat_on_the_real_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let server = start_tls_server(dir.path(), "server.txt", &cert, "127.0.0.1:0");
    let tls_port = server.tls_addr().expect("a TLS port").port();
    let mut alice = tls_client(dir.path(), Some(&ca.pem), "localhost", tls_port, &[]);
    alice.out.expect(PROMPT);
    alice.out.expect(WELCOME);
    alice.out.expect("[Server]: You are the admin.");
    let mut bob = RawMember::join(server.local_addr(), "Bob");
    alice.out.expect("[Server]: Bob has joined the chat.");
    alice.send("hello from TLS 🔒");
    bob.lines.expect("Alice >> hello from TLS 🔒");
    bob.send("hi over plain TCP");
    alice.out.expect("Bob >> hi over plain TCP");
    bob.send("/whisper Alice psst");
    alice.out.expect("[Whisper from Bob] psst");
    alice.send("/w Bob got it");
    bob.lines.expect("[Whisper from Alice] got it");
    alice.close_stdin();
    bob.lines.expect("[Server]: Alice has left the chat.");
    assert!(alice.wait().success());
    stop_server(server);
}

#[test]
fn a_refusal_made_before_the_handshake_ends_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "test-ca");
    let cert = ca.server_cert(dir.path(), "server", &["localhost"]);
    let mut room = chatcore::Config::default();
    room.max_per_ip = 1;
    room.exempt_loopback = false;
    let server = start_tls_server_with(dir.path(), "server.txt", &cert, "127.0.0.1:0", room);
    let tls_port = server.tls_addr().expect("a TLS port").port();
    // The address's one place, held over plain TCP: the hall refuses the TLS client at once.
    let bob = RawMember::join(server.local_addr(), "Bob");
    let mut alice = tls_client(dir.path(), Some(&ca.pem), "localhost", tls_port, &[]);
    assert_eq!(alice.wait().code(), Some(1));
    assert_eq!(
        alice.out.until_end(),
        ["[Server]: Too many connections from your address (max 1). Bye."]
    );
    assert_eq!(
        alice.err.until_end(),
        ["chat-cli: The server turned the connection away."]
    );
    drop(bob);
    stop_server(server);
}
