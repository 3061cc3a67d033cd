//! The driver shared by both front ends: it feeds events to the [`Session`] and carries out
//! its outputs on the connection, the chat log and the reconnect timer.
//!
//! A front end owns one [`Client`] and follows the same rule as `chatcore`'s run loop: after
//! each `handle_*` call, drain [`Client::poll_shown`]; then wait for the next [`Event`] or
//! until [`Client::poll_timeout`] and call [`Client::handle_timeout`].

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use time::{OffsetDateTime, UtcOffset};

use crate::chatlog::{self, ChatLog};
use crate::display::DisplayLine;
use crate::net::{self, Connection, Dialer, NetEvent, Stream};
use crate::pace::Pacer;
use crate::session::{Mark, Output, Phase, Session, Typed};
use crate::wire::{Local, local_command};

/// How long to wait for the server to close after `/quit`, or to answer a nickname after the
/// user asked to leave, before leaving anyway.
const LEAVE_GRACE: Duration = Duration::from_secs(3);

/// Events waiting for the front end. When it falls behind (a server sending faster than the
/// screen or stdout takes lines), the connection's reader waits, then TCP pushes back on the
/// server: memory stays bounded and the server, not the client, decides to drop a slow
/// reader.
pub(crate) const EVENT_QUEUE: usize = 1024;

/// How long a joined connection must last before the reconnect backoff starts over.
const STABLE_AFTER: Duration = Duration::from_secs(30);

/// Lines shown before the nickname is accepted are kept for the log, up to this many.
const MAX_EARLY_LOG_LINES: usize = 100;

/// Everything that can wake a front end up, from any thread.
#[derive(Debug)]
pub(crate) enum Event {
    /// Something happened on connection `conn`.
    Net {
        /// Which connection (late events of an old one are ignored).
        conn: u64,
        /// What happened.
        event: NetEvent,
    },
    /// A typed line or the end of input (plain mode's stdin thread).
    Typed(Typed),
    /// A key, paste or resize (terminal mode's input thread).
    Terminal(crossterm::event::Event),
    /// Reading the terminal failed; terminal mode ends.
    TerminalFailed(String),
    /// SIGTERM, SIGHUP or SIGINT arrived (terminal mode): leave as with Ctrl-C.
    Signal,
}

/// Where to connect and log.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `host:port`, for connecting and the status line.
    pub(crate) addr: String,
    /// The chat log directory, or `None` for `--no-log`.
    pub(crate) log_dir: Option<PathBuf>,
    /// The user's UTC offset, for log timestamps.
    pub(crate) offset: UtcOffset,
    /// Plain TCP or TLS, for every connection of the session.
    pub(crate) dialer: Dialer,
}

/// The chat log's state over a session.
#[derive(Debug)]
enum Log {
    /// `--no-log`.
    Off,
    /// No nickname yet: entries (and whether each is a session mark) wait here to be
    /// written once the file is opened.
    Pending(Vec<(OffsetDateTime, String, bool)>),
    /// Open, named after the session's first accepted nickname (kept after renames).
    Open(ChatLog),
    /// Could not be opened or written; the user was told once.
    Failed,
}

/// The session plus its connection, chat log and timers.
#[derive(Debug)]
pub(crate) struct Client {
    /// The protocol state.
    session: Session,
    /// Where to connect and log.
    settings: Settings,
    /// The open connection, if any.
    conn: Option<Connection>,
    /// The id of a background connect in progress.
    connecting: Option<u64>,
    /// The id for the next connection.
    next_id: u64,
    /// Where connection threads send their events.
    tx: SyncSender<Event>,
    /// When to try reconnecting.
    reconnect_at: Option<Instant>,
    /// When to stop waiting for the server to close after `/quit`.
    leave_by: Option<Instant>,
    /// When the current joined connection counts as lasting (reconnects only).
    stable_at: Option<Instant>,
    /// Lines to send, paced under the server's flood limit.
    pacer: Pacer,
    /// When the pacer lets the next line go.
    send_at: Option<Instant>,
    /// Set once a line was dropped because the pacer was full, so that is said once.
    pacer_full: bool,
    /// The chat log.
    log: Log,
    /// Lines for the front end to show, oldest first.
    shown: VecDeque<DisplayLine>,
    /// The exit code, once the session is over.
    finished: Option<u8>,
}

impl Client {
    /// Starts the session on an open connection; its reader thread reports to `tx`.
    pub(crate) fn new(
        session: Session,
        settings: Settings,
        stream: Stream,
        tx: SyncSender<Event>,
    ) -> io::Result<Client> {
        let log = if settings.log_dir.is_some() {
            Log::Pending(Vec::new())
        } else {
            Log::Off
        };
        let mut client = Client {
            session,
            settings,
            conn: None,
            connecting: None,
            next_id: 1,
            tx,
            reconnect_at: None,
            leave_by: None,
            stable_at: None,
            pacer: Pacer::new(),
            send_at: None,
            pacer_full: false,
            log,
            shown: VecDeque::new(),
            finished: None,
        };
        net::spawn_reader(&stream, client.reporter(0))?;
        client.conn = Some(Connection::new(0, stream)?);
        client.session.handle_connected();
        client.drive(Instant::now());
        Ok(client)
    }

    // Getters.

    /// The protocol state, for the status line.
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// Where it connects.
    pub(crate) fn addr(&self) -> &str {
        &self.settings.addr
    }

    /// Whether its connections are TLS.
    pub(crate) fn is_tls(&self) -> bool {
        self.settings.dialer.is_tls()
    }

    /// The exit code, once nothing more will happen on the network.
    pub(crate) fn finished(&self) -> Option<u8> {
        self.finished
    }

    // Inputs.

    /// Handles one event (terminal events are the front end's and are ignored here).
    pub(crate) fn handle_event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Net { conn, event } => self.handle_net(conn, event),
            Event::Typed(typed) => return self.handle_typed(now, typed),
            Event::Terminal(_) | Event::TerminalFailed(_) | Event::Signal => return,
        }
        self.drive(now);
    }

    /// A line typed in the terminal, or its end (Ctrl-C, Ctrl-D).
    pub(crate) fn handle_typed(&mut self, now: Instant, typed: Typed) {
        match &typed {
            Typed::Line(line) if !self.session.wants_nickname() => {
                match local_command(line, self.settings.dialer.default_port()) {
                    Some(Local::Reconnect) => return self.reconnect_now(now, None),
                    Some(Local::Connect(addr)) => return self.reconnect_now(now, Some(addr)),
                    Some(Local::Usage(usage)) => {
                        self.notice(&usage);
                        return self.drive(now);
                    }
                    Some(Local::Clear) => {
                        self.notice("/clear empties the full-screen window; nothing was sent.");
                        return self.drive(now);
                    }
                    None => {}
                }
            }
            _ => {}
        }
        self.session.handle_typed(typed);
        self.drive(now);
    }

    /// `/reconnect` (same server) or `/connect HOST[:PORT]`: at once, whatever the state.
    fn reconnect_now(&mut self, now: Instant, addr: Option<String>) {
        let new_server = addr.as_ref().is_some_and(|a| *a != self.settings.addr);
        if let Some(addr) = addr {
            self.settings.addr = addr;
        }
        self.finished = None;
        self.connecting = None;
        self.leave_by = None;
        self.notice(&format!("Connecting to {}...", self.settings.addr));
        self.session.handle_reconnect(new_server);
        self.drive(now);
    }

    /// Shows (and logs) a notice from the client itself.
    pub(crate) fn notice(&mut self, text: &str) {
        self.show(DisplayLine::notice(text));
    }

    /// Fires the reconnect, stable-connection and leave timers that are due.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if self.reconnect_at.is_some_and(|at| at <= now) {
            self.reconnect_at = None;
            let id = self.next_id;
            self.next_id += 1;
            self.connecting = Some(id);
            net::spawn_connect(
                self.settings.dialer.clone(),
                self.settings.addr.clone(),
                self.reporter(id),
            );
        }
        if self.stable_at.is_some_and(|at| at <= now) {
            self.stable_at = None;
            self.session.handle_stable();
        }
        if self.leave_by.is_some_and(|at| at <= now) && self.finished.is_none() {
            self.leave_by = None;
            if self.session.leave_pending() {
                self.show(DisplayLine::notice("No answer from the server; leaving."));
            }
            self.disconnect();
            self.finished = Some(0);
        }
        if self.send_at.is_some_and(|at| at <= now) {
            self.drive(now);
        }
    }

    // Outputs.

    /// The next line to show.
    pub(crate) fn poll_shown(&mut self) -> Option<DisplayLine> {
        self.shown.pop_front()
    }

    /// When [`Client::handle_timeout`] should be called next.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        if self.finished.is_some() {
            return None;
        }
        [
            self.reconnect_at,
            self.leave_by,
            self.stable_at,
            self.send_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // Internals.

    fn handle_net(&mut self, id: u64, event: NetEvent) {
        let current = self.conn.as_ref().is_some_and(|c| c.id() == id);
        match event {
            NetEvent::Connected(stream) if self.connecting == Some(id) => {
                self.connecting = None;
                match Connection::new(id, stream) {
                    Ok(conn) => {
                        self.conn = Some(conn);
                        self.pacer.reset();
                        self.session.handle_connected();
                    }
                    // No writer thread: as good as a failed connect (its reader sees the
                    // close of the dropped stream and is ignored, being no longer current).
                    Err(e) => self.session.handle_connect_failed(&e.to_string()),
                }
            }
            NetEvent::Failed(e) if self.connecting == Some(id) => {
                self.connecting = None;
                self.session.handle_connect_failed(&e.to_string());
            }
            NetEvent::Line(line) if current => self.session.handle_line(&line),
            NetEvent::ReadEnd if current => self.session.handle_read_end(),
            NetEvent::Closed if current => {
                self.conn = None;
                self.session.handle_closed();
            }
            // A connect completed after it was given up on: close it unused (its reader then
            // reports a close nobody listens to).
            NetEvent::Connected(stream) => stream.shutdown(),
            // A late event from a connection already given up on.
            NetEvent::Failed(_) | NetEvent::Line(_) | NetEvent::ReadEnd | NetEvent::Closed => {}
        }
    }

    /// Carries out the session's outputs, then sends what the pacer lets go.
    fn drive(&mut self, now: Instant) {
        loop {
            self.carry_out(now);
            if !self.send_paced(now) {
                break;
            }
        }
        self.send_at = if self.conn.is_some() {
            self.pacer.next_at(now)
        } else {
            None
        };
        // A rejoined connection is timed; any other phase cancels the timer.
        match self.session.phase() {
            Phase::Joined if self.session.attempts() > 0 => {
                self.stable_at.get_or_insert(now + STABLE_AFTER);
            }
            Phase::Joined => {}
            _ => self.stable_at = None,
        }
        let leaving = *self.session.phase() == Phase::Leaving || self.session.leave_pending();
        if leaving && self.leave_by.is_none() {
            self.leave_by = Some(now + LEAVE_GRACE);
        }
    }

    /// Sends the lines the pacer lets go now; true when sending failed and the session was
    /// told the connection is gone (it then has outputs to carry out).
    fn send_paced(&mut self, now: Instant) -> bool {
        let Some(conn) = &mut self.conn else {
            return false;
        };
        while let Some(line) = self.pacer.poll_ready(now) {
            if let Err(e) = conn.send(&line) {
                // The connection is given up on now, and the session told now (its reader's
                // close, which follows, is then a late event): the session reconnects, and
                // lines typed meanwhile wait for it.
                conn.close();
                self.conn = None;
                self.show(DisplayLine::notice(&format!("Could not send ({e}).")));
                self.drop_paced();
                self.session.handle_closed();
                return true;
            }
        }
        false
    }

    /// Lines queued for a connection that is gone are not sent; the user is told how many.
    fn drop_paced(&mut self) {
        let dropped = self.pacer.reset();
        if dropped > 0 {
            let lines = if dropped == 1 {
                "line was"
            } else {
                "lines were"
            };
            let text = format!("{dropped} {lines} not sent (the connection closed first).");
            self.show(DisplayLine::notice(&text));
        }
    }

    /// Carries out the session's outputs.
    fn carry_out(&mut self, now: Instant) {
        while let Some(output) = self.session.poll_output() {
            match output {
                Output::Send(line) => {
                    if self.pacer.push(line) {
                        self.pacer_full = false;
                    } else if !self.pacer_full {
                        self.pacer_full = true;
                        self.show(DisplayLine::notice(
                            "Too many lines are waiting to be sent; dropping lines.",
                        ));
                    }
                }
                Output::Show(line) => self.show(line),
                Output::OpenLog(nick) => self.open_log(&nick),
                Output::Disconnect => self.disconnect(),
                Output::Mark(mark) => {
                    let text = match mark {
                        Mark::Joined { nick, again: false } => {
                            format!("connected to {} as {nick}", self.settings.addr)
                        }
                        Mark::Joined { nick, again: true } => {
                            format!("reconnected to {} as {nick}", self.settings.addr)
                        }
                        Mark::Disconnected => format!("disconnected from {}", self.settings.addr),
                    };
                    self.write_log(&text, true);
                }
                Output::Reconnect(delay) => {
                    self.conn = None;
                    self.drop_paced();
                    self.reconnect_at = Some(now + delay);
                }
                Output::Finished(code) => {
                    self.disconnect();
                    self.reconnect_at = None;
                    // A connect still under way is given up: when it completes, its
                    // stream is dropped unused instead of rejoining a finished session.
                    self.connecting = None;
                    self.leave_by = None;
                    self.finished = Some(code);
                }
            }
        }
    }

    fn disconnect(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close();
        }
        self.drop_paced();
    }

    fn reporter(&self, id: u64) -> impl FnMut(NetEvent) -> bool + Send + 'static {
        let tx = self.tx.clone();
        move |event| tx.send(Event::Net { conn: id, event }).is_ok()
    }

    fn show(&mut self, line: DisplayLine) {
        let entry_line = line.text.clone();
        self.shown.push_back(line);
        self.record(&entry_line);
    }

    fn record(&mut self, line: &str) {
        self.write_log(line, false);
    }

    fn write_log(&mut self, line: &str, is_mark: bool) {
        let at = OffsetDateTime::now_utc().to_offset(self.settings.offset);
        match &mut self.log {
            Log::Open(log) => {
                if let Err(e) = log.append(at, line, is_mark) {
                    self.log = Log::Failed;
                    let text = format!("Could not write the chat log ({e}); logging stopped.");
                    self.shown.push_back(DisplayLine::notice(&text));
                }
            }
            Log::Pending(entries) if entries.len() < MAX_EARLY_LOG_LINES => {
                entries.push((at, line.to_owned(), is_mark));
            }
            Log::Pending(_) | Log::Off | Log::Failed => {}
        }
    }

    fn open_log(&mut self, nick: &str) {
        let (Some(dir), Log::Pending(early)) = (&self.settings.log_dir, &mut self.log) else {
            return;
        };
        let early = std::mem::take(early);
        let opened = std::fs::create_dir_all(dir).and_then(|()| {
            let mut log = ChatLog::open(dir, nick)?;
            for (at, line, is_mark) in &early {
                log.append(*at, line, *is_mark)?;
            }
            Ok(log)
        });
        match opened {
            Ok(log) => {
                let text = format!("Chat log: {}", log.path().display());
                self.log = Log::Open(log);
                // Said on screen only: the log does not need its own name in it.
                self.shown.push_back(DisplayLine::notice(&text));
            }
            Err(e) => {
                self.log = Log::Failed;
                let name = chatlog::file_name(nick);
                let text = format!("Could not open the chat log {name} ({e}); not logging.");
                self.show(DisplayLine::notice(&text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::OnRefusal;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc::{Receiver, sync_channel};

    const WAIT: Duration = Duration::from_secs(10);

    fn next_net(rx: &Receiver<Event>) -> (u64, NetEvent) {
        match rx.recv_timeout(WAIT) {
            Ok(Event::Net { conn, event }) => (conn, event),
            other => panic!("expected a network event, got {other:?}"),
        }
    }

    /// Hands `client` network events up to and including the end of a read.
    fn handle_read(client: &mut Client, rx: &Receiver<Event>) {
        loop {
            let (conn, event) = next_net(rx);
            let end = matches!(event, NetEvent::ReadEnd);
            client.handle_event(Instant::now(), Event::Net { conn, event });
            if end {
                return;
            }
        }
    }

    /// A client joined as Alice on a connection from `listener`, and the server's end.
    fn joined(listener: &TcpListener) -> io::Result<(Client, TcpStream, Receiver<Event>)> {
        let addr = listener.local_addr()?.to_string();
        let (tx, rx) = sync_channel(EVENT_QUEUE);
        let session = Session::new(Some("Alice".into()), OnRefusal::Exit, UtcOffset::UTC);
        let settings = Settings {
            addr: addr.clone(),
            log_dir: None,
            offset: UtcOffset::UTC,
            dialer: Dialer::plain(),
        };
        let mut client = Client::new(session, settings, Dialer::plain().connect(&addr)?, tx)?;
        let (mut server, _) = listener.accept()?;
        let mut nick = [0u8; 6];
        server.read_exact(&mut nick)?;
        assert_eq!(&nick, b"Alice\n");
        server.write_all(b"[Server]: Welcome, Alice! 1/10 online. Type /help for commands.\n")?;
        handle_read(&mut client, &rx);
        assert_eq!(*client.session().phase(), Phase::Joined);
        Ok((client, server, rx))
    }

    /// The server drops the connection: the client hears of it, and the reconnect's timer is
    /// run at once, so its background connect starts.
    fn lose_and_start_reconnecting(
        client: &mut Client,
        server_end: TcpStream,
        rx: &Receiver<Event>,
    ) {
        drop(server_end);
        let (conn, event) = next_net(rx);
        client.handle_event(Instant::now(), Event::Net { conn, event });
        let due = client.poll_timeout().expect("a reconnect is due");
        client.handle_timeout(due);
    }

    #[test]
    fn a_server_that_stops_reading_is_reconnected_and_later_lines_wait() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let (mut client, _server, _rx) = joined(&listener)?;
        // The server reads nothing: type until the send queue is full.
        let line = "x".repeat(4000);
        let mut notices = Vec::new();
        let start = Instant::now();
        for i in 0..100_000 {
            // Time goes on (the pacer lets about two lines go per step), so the lines reach
            // the connection's queue.
            let now = start + Duration::from_millis(200) * i;
            // Distinct lines: a repeated one costs the pacer three.
            client.handle_typed(now, Typed::Line(format!("{i} {line}")));
            let shown = std::iter::from_fn(|| client.poll_shown()).map(|l| l.text);
            notices.extend(shown.filter(|t| t.starts_with("* ")));
            if !notices.is_empty() {
                break;
            }
        }
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("Could not send (the server is not reading"));
        assert!(notices[1].contains("Connection lost; reconnecting in 1 s."));
        // The session knows: a reconnect is due, and what is typed now waits for it.
        assert_eq!(*client.session().phase(), Phase::Offline);
        assert!(client.poll_timeout().is_some());
        client.handle_typed(Instant::now(), Typed::Line("later".into()));
        let shown: Vec<String> = std::iter::from_fn(|| client.poll_shown())
            .map(|l| l.text)
            .collect();
        assert_eq!(
            shown,
            ["* Not connected; lines typed now are sent after reconnecting."]
        );
        Ok(())
    }

    #[test]
    fn the_backoff_starts_over_once_a_rejoined_connection_has_lasted() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let (mut client, first, rx) = joined(&listener)?;
        lose_and_start_reconnecting(&mut client, first, &rx);
        let (conn, event) = next_net(&rx);
        client.handle_event(Instant::now(), Event::Net { conn, event });
        let (mut second, _) = listener.accept()?;
        let mut nick = [0u8; 6];
        second.read_exact(&mut nick)?;
        second.write_all(b"[Server]: Welcome, Alice! 1/10 online. Type /help for commands.\n")?;
        let (conn, event) = next_net(&rx);
        let rejoined = Instant::now();
        client.handle_event(rejoined, Event::Net { conn, event });
        assert_eq!(*client.session().phase(), Phase::Joined);
        assert_eq!(client.session().attempts(), 1);
        // The next timer is the connection having lasted; then the backoff starts over.
        let stable = client.poll_timeout().expect("the stable timer");
        assert_eq!(stable, rejoined + STABLE_AFTER);
        client.handle_timeout(stable);
        assert_eq!(client.session().attempts(), 0);
        assert_eq!(client.poll_timeout(), None);
        Ok(())
    }

    #[test]
    fn a_connect_that_completes_after_leaving_sends_nothing() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let (mut client, first, rx) = joined(&listener)?;
        lose_and_start_reconnecting(&mut client, first, &rx);
        // The user leaves before the connect is reported.
        client.handle_typed(Instant::now(), Typed::End);
        assert_eq!(client.finished(), Some(0));
        let (conn, event) = next_net(&rx);
        assert!(matches!(event, NetEvent::Connected(_)), "{event:?}");
        client.handle_event(Instant::now(), Event::Net { conn, event });
        // The late connection is closed without a word: no nickname, nothing.
        let (mut late, _) = listener.accept()?;
        late.set_read_timeout(Some(WAIT))?;
        let mut got = Vec::new();
        late.read_to_end(&mut got)?;
        assert_eq!(String::from_utf8_lossy(&got), "");
        Ok(())
    }
}
