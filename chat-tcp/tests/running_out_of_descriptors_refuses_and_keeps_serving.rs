//! The process runs out of file descriptors: new connections are told so and closed, the
//! members it has keep chatting.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A raw line client with a bounded wait per line.
struct Raw {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Raw {
    fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Raw { stream, reader }
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        let n = self.reader.read_line(&mut l).expect("a line within 10 s");
        assert!(n > 0, "closed without a line");
        l.trim_end_matches('\n').to_owned()
    }

    fn send(&mut self, text: &str) {
        writeln!(self.stream, "{text}").expect("send");
    }
}

#[test]
fn running_out_of_descriptors_refuses_and_keeps_serving() {
    let dir = std::env::temp_dir().join(format!("chat-tcp-fds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    // 24 descriptors: about ten go to stdio, the log, the listener, the spare and signal
    // handling, so the server runs out after a dozen connections (no state file, whose
    // three descriptors would move the count).
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 24 && exec \"$0\" --bind 127.0.0.1:0 --web none --max-connections 1000 --state none --log \"$1\"")
        .arg(env!("CARGO_BIN_EXE_chat-tcp"))
        .arg(dir.join("server.txt"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chat-tcp");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let addr: SocketAddr = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "server exited early"
        );
        if let Some(rest) = line.trim().strip_prefix("chat-tcp: listening on ") {
            break rest
                .split_whitespace()
                .next()
                .expect("addr")
                .parse()
                .expect("addr");
        }
    };

    let mut alice = Raw::connect(addr);
    alice.line();
    alice.send("Alice");
    assert!(alice.line().starts_with("[Server]: Welcome, Alice!"));
    alice.line();
    let mut bob = Raw::connect(addr);
    bob.line();
    bob.send("Bob");
    bob.line();
    assert_eq!(alice.line(), "[Server]: Bob has joined the chat.");

    // Every further connection gets a line at once: a welcome while descriptors last, then
    // the refusal; none is left hanging in the backlog.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..40 {
        let mut c = Raw::connect(addr);
        let first = c.line();
        if first == "[Server]: The server is busy. Try again later." {
            refused += 1;
        } else {
            assert!(
                first.starts_with("[Server]: Welcome to the open chat"),
                "{first}"
            );
        }
        held.push(c);
    }
    assert!(refused > 0, "the descriptor limit was never reached");

    bob.send("still serving");
    assert_eq!(alice.line(), "Bob >> still serving");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
