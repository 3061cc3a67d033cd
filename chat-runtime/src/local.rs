//! The in-process transport: a member driven by method calls on a [`LocalClient`], with no
//! socket and no thread of its own. For embedders (a bot, a bridge) and for tests that want
//! the whole server without sockets. It uses only the public transport API, so it is also
//! the smallest example of one (see the crate's "Write your own transport").
//!
//! ```
//! use std::time::Duration;
//! use chat_runtime::{Runtime, RuntimeConfig, local::LocalClient};
//!
//! let dir = std::env::temp_dir().join(format!("chat-runtime-local-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let runtime = Runtime::start(RuntimeConfig { log_path: dir.join("server.txt"), ..Default::default() })?;
//! let mut alice = LocalClient::connect(&runtime.door(), "127.0.0.1".parse()?)?;
//! let wait = Duration::from_secs(10);
//! assert_eq!(alice.recv(wait).as_deref(),
//!            Some("[Server]: Welcome to the open chat (0/10 online). Enter a nickname:"));
//! alice.send("Alice")?;
//! assert_eq!(alice.recv_until(wait, |l| l.contains("admin")).as_deref(),
//!            Some("[Server]: You are the admin."));
//! runtime.shutdown();
//! runtime.join()?;
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatcore::{ClientId, DisconnectCause, LineDecoder};

use crate::{Door, Error, Next, Reader, Sink, Writer};

/// The sink of an in-process member: it takes nothing directly, so every line waits in the
/// member's outbox (bounded: a member that never reads is a slow consumer, as over TCP)
/// until [`LocalClient::recv`] takes it.
struct LocalSink;

impl Sink for LocalSink {
    // `try_write` and `wake_writer` keep their defaults: `recv` waits in `Writer::next_until`,
    // which the runtime wakes itself.

    fn abort(&self) {}
}

/// One member connected in-process.
#[derive(Debug)]
pub struct LocalClient {
    /// Feeds our lines in; `None` once the end was reported.
    reader: Option<Reader>,
    /// Where the runtime's lines for us wait.
    writer: Writer,
    /// Frames what `send` is given exactly as the TCP transport frames a socket's bytes.
    decoder: LineDecoder,
    /// Lines taken from the writer and not yet returned by `recv`.
    pending: VecDeque<Bytes>,
    /// The server closed the connection or tore it down.
    closed: bool,
}

impl LocalClient {
    /// Asks `door` to let a member from `peer` in (the per-address rules apply to it);
    /// [`Error::Refused`] when the door turns it away.
    pub fn connect(door: &Door, peer: IpAddr) -> Result<LocalClient, Error> {
        let admitted = door
            .admit(peer, Arc::new(LocalSink))
            .map_err(Error::Refused)?;
        Ok(LocalClient {
            decoder: LineDecoder::new(admitted.reader.max_line_bytes()),
            reader: Some(admitted.reader),
            writer: admitted.writer,
            pending: VecDeque::new(),
            closed: false,
        })
    }

    /// The hall's name for this member's connection.
    pub fn id(&self) -> ClientId {
        self.writer.id()
    }

    /// Sends `text` as one line (a `\n` in it ends a line, as on the wire). Waits while
    /// the engine's queue is full. `Err(Stopped)`: the connection or the server is gone.
    pub fn send(&mut self, text: &str) -> Result<(), Error> {
        let Some(reader) = &self.reader else {
            return Err(Error::Stopped);
        };
        let mut frames = Vec::new();
        for mut bytes in [text.as_bytes(), b"\n"] {
            while let Some(frame) = self.decoder.decode(&mut bytes) {
                frames.push(frame);
            }
        }
        reader.feed(frames)
    }

    /// The next line the server sent (without its `\n`), waiting up to `timeout`; `None`
    /// after the timeout or once the connection is closed and every line was taken.
    pub fn recv(&mut self, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while self.pending.is_empty() && !self.closed {
            match self.writer.next_until(&mut self.pending, deadline)? {
                Next::Write => {}
                Next::Close | Next::Stop => self.end(),
            }
        }
        let line = self.pending.front()?.clone();
        self.writer.written(&mut self.pending, line.len());
        let text = String::from_utf8_lossy(&line);
        Some(text.strip_suffix('\n').unwrap_or(&text).to_owned())
    }

    /// Takes lines until one matches `wanted` and returns it; `None` if none came within
    /// `timeout` (the lines before it are dropped).
    pub fn recv_until(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let line = self.recv(deadline.saturating_duration_since(Instant::now()))?;
            if wanted(&line) {
                return Some(line);
            }
        }
    }

    /// Whether the server closed this connection (lines may still wait for `recv`).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Leaves as a peer closing its connection does.
    pub fn close(mut self) {
        self.end();
    }

    fn end(&mut self) {
        self.closed = true;
        if let Some(reader) = self.reader.take() {
            reader.end(DisconnectCause::Closed);
        }
    }
}

impl Drop for LocalClient {
    fn drop(&mut self) {
        self.end();
    }
}
