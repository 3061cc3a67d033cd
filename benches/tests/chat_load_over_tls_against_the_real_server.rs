//! `chat-load --tls --ca FILE` against the real server's TLS listener in this process
//! (certificates made in the test): every window line reaches the other clients, and a CA
//! that did not sign the server's certificate stops the run at the first join.

#[path = "../../chat-tls/tests/support/testcerts.rs"]
mod testcerts;

use chat_benches::load::LoadError;
use chat_benches::load::options::Options;
use chat_benches::load::run::{Outcome, run};
use chat_tcp::{Server, ServerConfig};
use clap::Parser;
use testcerts::TestCa;

#[test]
fn five_clients_over_tls_get_every_line() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("chat-load-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let mut room = chatcore::Config::default();
    room.flood_rate = 0;
    let config = ServerConfig {
        room,
        log_path: dir.join("server.txt"),
        tls: Some(chat_tls::Certs::load(&pair.cert, &pair.key)?),
        tls_bind: Some("127.0.0.1:0".into()),
        ..ServerConfig::default()
    };
    let server = Server::bind("127.0.0.1:0", config)?;
    let addr = server.tls_addr().ok_or("a TLS listener")?.to_string();
    let pid = std::process::id().to_string();
    let ca_pem = TestCa::pem_path(&dir);
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir)?;
    // Another CA (of the same name): its key did not sign the server's certificate.
    TestCa::new(&other_dir);
    let options = |ca: &std::path::Path| {
        #[rustfmt::skip]
        let args = [
            "chat-load", "--addr", &addr, "--server-pid", &pid, "--tls", "--ca",
            ca.to_str().unwrap_or_default(), "--clients", "5", "--rate", "50",
            "--duration", "0.5", "--warmup", "0.2", "--drain", "20",
        ];
        Options::parse_from(args)
    };
    let refused = run(&options(&TestCa::pem_path(&other_dir)));
    let outcome = run(&options(&ca_pem));
    server.shutdown();
    server.join()?;
    let _ = std::fs::remove_dir_all(&dir);

    match refused {
        Err(LoadError::Io { nick, source }) => {
            assert_eq!(nick, "load0");
            assert_eq!(source.to_string(), "invalid peer certificate: BadSignature");
        }
        other => panic!("a CA that did not sign the certificate: {other:?}"),
    }
    let Outcome::Load(report) = outcome? else {
        panic!("a sending run gives a load report");
    };
    let human = report.human();
    eprintln!("{human}");
    assert!((115..=135).contains(&report.sent), "{human}");
    assert_eq!(report.delivered, report.expected(), "{human}");
    assert_eq!(report.expected(), report.sent * 4, "{human}");
    assert_eq!(report.ratio(), Some(1.0));
    assert!(report.reader_endings.is_empty() && report.writer_errors.is_empty());
    Ok(())
}
