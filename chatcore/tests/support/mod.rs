//! Simulated-time harness for the scenario tests: one [`Hall`], a clock that jumps from
//! deadline to deadline, and the drained actions sorted per client.
//!
//! Every drain also checks the transport-facing promises, so each scenario tests them for
//! free: nothing is sent to an unknown or closed client, nothing after a `Close`, every line
//! ends in exactly one `\n`, holds no control character but TAB (nor C1, bidi or line
//! separators) and fits `Config::max_output_line`, and no log line holds a line break.

// Each test file uses its own part of the harness.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chatcore::sanitize::is_forbidden;
use chatcore::{
    Action, ClientId, Config, DisconnectCause, Error, Frame, Hall, Input, LogRecord, Now,
};
use time::OffsetDateTime;
use time::macros::datetime;

/// The wall time the scenarios start at unless they pick another.
pub(crate) const START: OffsetDateTime = datetime!(2026-11-25 06:29:59 UTC);

/// One monotonic base for every simulation in the process, so two runs of the same ops
/// produce identical actions.
pub(crate) fn base_instant() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    // The one real clock read of the tests: an `Instant` cannot be built any other way.
    // Everything after it is simulated.
    #[allow(clippy::disallowed_methods)]
    *BASE.get_or_init(Instant::now)
}

/// A hall with a simulated clock and everything it sent, per client.
pub(crate) struct Sim {
    /// The hall under test.
    pub(crate) hall: Hall,
    /// The simulated moment at which the room was created.
    base: Now,
    /// The current simulated moment.
    now: Now,
    /// Lines received per client since the last `take`/`expect`.
    received: BTreeMap<ClientId, Vec<String>>,
    /// Log records since the last `take_logs`.
    logs: Vec<LogRecord>,
    /// Every action in order since the room was created, for replay comparisons.
    history: Vec<Action>,
    /// Ids the transport has connected and not yet disconnected.
    connected: BTreeSet<ClientId>,
    /// Connected ids the room has closed (and the transport not yet disconnected).
    closed: BTreeSet<ClientId>,
    /// Ids closed since the last `take_closed`.
    newly_closed: BTreeSet<ClientId>,
}

impl Sim {
    /// A room with the default config at [`START`].
    pub(crate) fn new() -> Sim {
        Sim::with(Config::default(), START)
    }

    /// A room with `config` at wall time `wall`.
    pub(crate) fn with(config: Config, wall: OffsetDateTime) -> Sim {
        Sim::restored(config, wall, chatcore::persist::State::default())
    }

    /// A hall rebuilt from `state` with `config`, at wall time `wall` (a restart).
    pub(crate) fn restored(
        config: Config,
        wall: OffsetDateTime,
        state: chatcore::persist::State,
    ) -> Sim {
        let base = Now::new(base_instant(), wall);
        let hall = Hall::restore(config, base, state).expect("valid config");
        Sim {
            hall,
            base,
            now: base,
            received: BTreeMap::new(),
            logs: Vec::new(),
            history: Vec::new(),
            connected: BTreeSet::new(),
            closed: BTreeSet::new(),
            newly_closed: BTreeSet::new(),
        }
    }

    /// A room with the default config changed by `f`, at [`START`].
    pub(crate) fn config(f: impl FnOnce(&mut Config)) -> Sim {
        let mut config = Config::default();
        f(&mut config);
        Sim::with(config, START)
    }

    // ---- time ----

    /// The current simulated moment.
    pub(crate) fn now(&self) -> Now {
        self.now
    }

    /// Simulated time since the room was created.
    pub(crate) fn elapsed(&self) -> Duration {
        self.now.instant - self.base.instant
    }

    /// The moment `instant` on both clocks (the wall clock moves with the monotonic one).
    pub(crate) fn at(&self, instant: Instant) -> Now {
        Now::new(instant, self.base.wall + (instant - self.base.instant))
    }

    /// The monotonic instant at which the wall clock reads `wall` (`wall` must not be before
    /// the room was created).
    pub(crate) fn instant_of(&self, wall: OffsetDateTime) -> Instant {
        let since = wall - self.base.wall;
        assert!(
            !since.is_negative(),
            "{wall} is before the simulation started"
        );
        self.base.instant + since.unsigned_abs()
    }

    /// Moves time on by `d`, calling `handle_timeout` at exactly every deadline on the way
    /// (never stepping), and checks that each call leaves no deadline at or before `now`.
    pub(crate) fn advance(&mut self, d: Duration) {
        let target = self.now.instant + d;
        while let Some(deadline) = self.hall.poll_timeout() {
            if deadline > target {
                break;
            }
            // A deadline never lies in the past: every earlier one was handled on time.
            assert!(
                deadline >= self.now.instant,
                "deadline {:?} before now {:?}",
                deadline - self.base.instant,
                self.elapsed()
            );
            self.now = self.at(deadline);
            self.timeout();
        }
        self.now = self.at(target);
    }

    /// Calls `handle_timeout` at the current moment (early calls must be harmless) and drains.
    pub(crate) fn timeout(&mut self) {
        self.hall.handle_timeout(self.now);
        self.drain();
        if let Some(next) = self.hall.poll_timeout() {
            assert!(
                next > self.now.instant,
                "poll_timeout after handle_timeout(now) is not later than now"
            );
        }
    }

    /// Time until the room's next deadline, if any.
    pub(crate) fn next_deadline_in(&self) -> Option<Duration> {
        self.hall
            .poll_timeout()
            .map(|t| t.saturating_duration_since(self.now.instant))
    }

    // ---- inputs ----

    /// Hands one input to the hall at the current moment and drains. Returns the hall's
    /// answer so misuse can be asserted.
    pub(crate) fn input(&mut self, input: Input) -> Result<(), Error> {
        let track = match &input {
            Input::Connect { id, .. } => Some((*id, true)),
            Input::Disconnect { id, .. } => Some((*id, false)),
            _ => None,
        };
        let result = self.hall.handle_input(self.now, input);
        if result.is_ok() {
            match track {
                Some((id, true)) => {
                    self.connected.insert(id);
                }
                Some((id, false)) => {
                    self.connected.remove(&id);
                    self.closed.remove(&id);
                }
                None => {}
            }
        }
        self.drain();
        result
    }

    /// Connects `id` with no peer address.
    pub(crate) fn connect(&mut self, id: u64) {
        self.connect_from(id, None);
    }

    /// Connects `id` from `peer`.
    pub(crate) fn connect_from(&mut self, id: u64, peer: Option<IpAddr>) {
        let id = ClientId(id);
        self.input(Input::Connect { id, peer })
            .unwrap_or_else(|e| panic!("connect {id}: {e}"));
    }

    /// `id` sends one line (without its LF).
    pub(crate) fn line(&mut self, id: u64, text: &str) {
        self.frame(id, Frame::Line(text.to_owned()));
    }

    /// `id` sends one decoded frame.
    pub(crate) fn frame(&mut self, id: u64, frame: Frame) {
        let id = ClientId(id);
        self.input(Input::Frame { id, frame })
            .unwrap_or_else(|e| panic!("frame from {id}: {e}"));
    }

    /// Connects `id`, sends `nick` and checks it joined; clears what it and others received.
    pub(crate) fn join(&mut self, id: u64, nick: &str) {
        self.connect(id);
        self.line(id, nick);
        assert_eq!(
            self.hall.nickname(ClientId(id)).map(|n| n.as_str()),
            Some(nick),
            "{id} should have joined as {nick}: got {:?}",
            self.received.get(&ClientId(id))
        );
        self.clear();
    }

    /// The transport reports `id` gone because the peer closed it.
    pub(crate) fn disconnect(&mut self, id: u64) {
        self.disconnect_with(id, DisconnectCause::Closed);
    }

    /// The transport reports `id` gone for `cause`.
    pub(crate) fn disconnect_with(&mut self, id: u64, cause: DisconnectCause) {
        let id = ClientId(id);
        self.input(Input::Disconnect { id, cause })
            .unwrap_or_else(|e| panic!("disconnect {id}: {e}"));
    }

    /// Shuts the room down at the current moment.
    pub(crate) fn shutdown(&mut self) {
        self.hall.handle_shutdown(self.now);
        self.drain();
    }

    // ---- outputs ----

    /// Drains the room's actions and checks every transport-facing promise on them.
    pub(crate) fn drain(&mut self) {
        let max = self.hall.config().max_output_line();
        while let Some(action) = self.hall.poll_action() {
            match &action {
                Action::Send { to, line } => {
                    assert!(
                        self.connected.contains(to),
                        "sent to unknown {to}: {line:?}"
                    );
                    assert!(
                        !self.closed.contains(to),
                        "sent to {to} after Close: {line:?}"
                    );
                    let text = check_line(line, max);
                    self.received.entry(*to).or_default().push(text);
                }
                Action::Close { id } => {
                    assert!(self.connected.contains(id), "Close for unknown {id}");
                    assert!(self.closed.insert(*id), "Close twice for {id}");
                    self.newly_closed.insert(*id);
                }
                Action::Log(record) => {
                    let text = record.to_string();
                    assert!(
                        !text.chars().any(|c| c == '\t' || is_forbidden(c)),
                        "log line holds a control character: {text:?}"
                    );
                    self.logs.push(record.clone());
                }
                // Kept in `history` for the tests of PROTOCOL.md §10.
                Action::Persist(_) => {}
                other => panic!("an action the harness does not know: {other:?}"),
            }
            self.history.push(action);
        }
    }

    /// Lines `id` received since the last call (each without its `\n`), and forgets them.
    pub(crate) fn take(&mut self, id: u64) -> Vec<String> {
        self.received.remove(&ClientId(id)).unwrap_or_default()
    }

    /// Asserts `id` received exactly `lines` (without `\n`) since the last take, in order.
    #[track_caller]
    pub(crate) fn expect(&mut self, id: u64, lines: &[&str]) {
        let got = self.take(id);
        assert_eq!(got, lines, "lines received by {id}");
    }

    /// Asserts none of `ids` received anything since the last take.
    #[track_caller]
    pub(crate) fn expect_silent(&mut self, ids: &[u64]) {
        for &id in ids {
            self.expect(id, &[]);
        }
    }

    /// Asserts nobody received anything since the last take.
    #[track_caller]
    pub(crate) fn expect_nothing_sent(&mut self) {
        let pending: Vec<_> = self
            .received
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        assert!(pending.is_empty(), "unexpected lines: {pending:?}");
    }

    /// Whether the room has closed `id` (and the transport not yet disconnected it).
    pub(crate) fn is_closed(&self, id: u64) -> bool {
        self.closed.contains(&ClientId(id))
    }

    /// Ids closed since the last call, and forgets them.
    pub(crate) fn take_closed(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.newly_closed)
            .into_iter()
            .map(|id| id.0)
            .collect()
    }

    /// Asserts exactly `ids` were closed since the last call.
    #[track_caller]
    pub(crate) fn expect_closed(&mut self, ids: &[u64]) {
        assert_eq!(self.take_closed(), ids, "closed connections");
    }

    /// Log records since the last call without their timestamp (`[lobby] chat Alice: Hi`),
    /// and forgets them.
    pub(crate) fn take_logs(&mut self) -> Vec<String> {
        std::mem::take(&mut self.logs)
            .iter()
            .map(|r| r.body().to_string())
            .collect()
    }

    /// Log records since the last call, as the full `server.txt` line, and forgets them.
    pub(crate) fn take_log_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.logs)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Asserts the log records since the last take are exactly `lines` (no timestamp).
    #[track_caller]
    pub(crate) fn expect_logs(&mut self, lines: &[&str]) {
        assert_eq!(self.take_logs(), lines, "log records");
    }

    /// Forgets every received line, log record and close seen so far.
    pub(crate) fn clear(&mut self) {
        self.received.clear();
        self.logs.clear();
        self.newly_closed.clear();
    }

    /// Every action since the room was created, in order.
    pub(crate) fn history(&self) -> &[Action] {
        &self.history
    }

    /// Member nicknames of the default room in join order.
    pub(crate) fn members(&self) -> Vec<String> {
        self.members_of(&self.hall.config().default_room.clone())
    }

    /// Member nicknames of room `name` in join order (empty if there is no such room).
    pub(crate) fn members_of(&self, name: &str) -> Vec<String> {
        self.hall.room(name).map_or_else(Vec::new, |r| {
            r.members().map(|(_, n)| n.to_string()).collect()
        })
    }

    /// The default room admin's nickname.
    pub(crate) fn admin(&self) -> Option<String> {
        self.admin_of(&self.hall.config().default_room.clone())
    }

    /// The nickname of room `name`'s admin.
    pub(crate) fn admin_of(&self, name: &str) -> Option<String> {
        let room = self.hall.room(name)?;
        let id = room.admin()?;
        self.hall.nickname(id).map(ToString::to_string)
    }
}

impl Default for Sim {
    fn default() -> Self {
        Sim::new()
    }
}

/// Checks one sent line and returns it without its `\n`.
#[track_caller]
pub(crate) fn check_line(line: &[u8], max: usize) -> String {
    assert!(
        line.len() <= max,
        "line of {} bytes over the cap {max}",
        line.len()
    );
    let Some((b'\n', body)) = line.split_last() else {
        panic!("line does not end in \\n: {line:?}");
    };
    let body = std::str::from_utf8(body).unwrap_or_else(|e| panic!("not UTF-8 ({e}): {line:?}"));
    assert!(
        !body.chars().any(is_forbidden),
        "line holds a control, bidi or separator character: {body:?}"
    );
    body.to_owned()
}

/// Shorthand for `ClientId(n)`.
pub(crate) fn cid(n: u64) -> ClientId {
    ClientId(n)
}

/// Shorthand for seconds.
pub(crate) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Shorthand for milliseconds.
pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
