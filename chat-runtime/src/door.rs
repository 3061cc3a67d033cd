//! The admission door: how many connections the server holds in all, checked before a
//! transport starts anything for a peer (a resource limit), connection ids, and the
//! operator's count of refusals. Who may connect (per address, per subnet, pending) is the
//! hall's policy (`chatcore::Hall`), kept in one place.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::{Duration, Instant};

use chatcore::ClientId;
use parking_lot::Mutex;
use slog::{Logger, warn};

use crate::conn::{Reader, Shared, Sink, Writer};
use crate::engine::Msg;
use crate::outbox::Outbox;
use crate::pressure::Pressure;

/// How long `admit`, at the connection cap, waits for the engine to evict a waiting
/// connection before it refuses the newcomer.
const EVICT_WAIT: Duration = Duration::from_secs(1);

/// Where transports ask to let a peer in. Cheap to clone; every transport of one runtime
/// shares the same count, so one room can be served over several transports at once.
#[derive(Clone)]
pub struct Door {
    /// Everything the clones share.
    inner: Arc<DoorInner>,
}

struct DoorInner {
    /// The connection count and its cap.
    limits: Arc<Limits>,
    /// Where `Connect` and `Evict` go (bounded: a busy engine makes admission wait).
    engine: SyncSender<Msg>,
    /// The next connection id; ids are never reused.
    next_id: AtomicU64,
    /// Refusals not yet reported to the operator.
    refused: Mutex<Refused>,
    /// The outbox bounds of every connection: lines, bytes.
    outbox: (usize, usize),
    /// What every outbox wakes the engine with when it drains while input is paused.
    pressure: Arc<Pressure>,
    /// The hall's line limit, which transports decode with.
    max_line: usize,
    /// Where refusal reports go.
    diag: Logger,
}

impl std::fmt::Debug for Door {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Door")
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// A peer let in: the two halves a transport drives, usually from two threads.
#[derive(Debug)]
pub struct Admitted {
    /// Feeds the peer's lines in and reports the end.
    pub reader: Reader,
    /// Takes the lines the runtime could not write through the sink directly.
    pub writer: Writer,
}

impl Door {
    pub(crate) fn new(
        limits: Arc<Limits>,
        engine: SyncSender<Msg>,
        outbox: (usize, usize),
        pressure: Arc<Pressure>,
        max_line: usize,
        diag: Logger,
    ) -> Door {
        Door {
            inner: Arc::new(DoorInner {
                limits,
                engine,
                next_id: AtomicU64::new(1),
                refused: Mutex::new(Refused::default()),
                outbox,
                pressure,
                max_line,
                diag,
            }),
        }
    }

    /// Lets `peer` in with `sink` as the way out, or says why not (write
    /// [`Refusal::line`] to the peer, best effort, and close). At the connection cap, a
    /// connection still choosing a nickname is evicted first when there is one (waiting up
    /// to a second for the engine). On success the engine already knows the connection: its
    /// greeting is queued.
    pub fn admit(&self, peer: IpAddr, sink: std::sync::Arc<dyn Sink>) -> Result<Admitted, Refusal> {
        let peer = canonical(peer);
        let inner = &self.inner;
        let admitted = match inner.limits.admit() {
            // At the socket cap a waiting connection goes before a newcomer is refused.
            Err(Refusal::Busy) if self.evict_one() => inner.limits.admit(),
            admitted => admitted,
        };
        let slot = match admitted {
            Ok(slot) => slot,
            Err(refusal) => return Err(self.count(refusal, peer)),
        };
        if let Some(counts) = inner.refused.lock().due(Instant::now()) {
            self.report(&counts);
        }
        let id = ClientId(inner.next_id.fetch_add(1, Ordering::Relaxed));
        let outbox = Outbox::new(inner.outbox.0, inner.outbox.1, inner.pressure.clone());
        let shared = Arc::new(Shared::new(id, peer, outbox, sink, slot));
        let connect = Msg::Connect {
            conn: shared.clone(),
        };
        if inner.engine.send(connect).is_err() {
            return Err(Refusal::Busy);
        }
        Ok(Admitted {
            reader: Reader::new(shared.clone(), inner.engine.clone(), inner.max_line),
            writer: Writer::new(shared),
        })
    }

    /// Counts a refusal the transport made on its own (out of file descriptors, say) and
    /// gives the line to turn `peer` away with.
    pub fn turn_away(&self, peer: IpAddr) -> Refusal {
        self.count(Refusal::Busy, canonical(peer))
    }

    /// The hall's longest line in bytes: what a transport's decoder should accept.
    pub fn max_line_bytes(&self) -> usize {
        self.inner.max_line
    }

    /// Asks the engine to evict a connection still choosing a nickname (the hall picks which,
    /// as for its pending cap); whether one was, and so a slot is free again.
    fn evict_one(&self) -> bool {
        let (reply, answer) = sync_channel(1);
        if self.inner.engine.send(Msg::Evict { reply }).is_err() {
            return false;
        }
        answer.recv_timeout(EVICT_WAIT).unwrap_or(false)
    }

    /// Counts `refusal` and tells the operator (at most once a minute, with counts).
    fn count(&self, refusal: Refusal, peer: IpAddr) -> Refusal {
        let due = self
            .inner
            .refused
            .lock()
            .count(&refusal, peer, Instant::now());
        if let Some(counts) = due {
            self.report(&counts);
        }
        refusal
    }

    /// Reports the refusals not reported yet (at shutdown).
    pub(crate) fn report_rest(&self) {
        let rest = self.inner.refused.lock().rest();
        if let Some(counts) = rest {
            self.report(&counts);
        }
    }

    fn report(&self, counts: &Refused) {
        let last_from = counts
            .last_from
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        warn!(self.inner.diag, "connections refused at the door";
            "busy" => counts.busy, "last_from" => last_from);
    }
}

/// Shortest time between two reports of refused connections: a flood of them is one line a
/// minute in the operator's log, not one line per connection.
pub(crate) const REPORT_EVERY: Duration = Duration::from_secs(60);

/// Why a connection is turned away at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Every socket the server may hold is taken.
    Busy,
}

impl Refusal {
    /// The line the peer gets before the connection is closed, ending in `\n`.
    pub fn line(&self) -> &'static str {
        // Formatted once from chatcore's one definition of every server line.
        static BUSY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        match self {
            Refusal::Busy => BUSY.get_or_init(|| {
                String::from_utf8_lossy(&chatcore::reply::Reply::Busy.to_bytes()).into_owned()
            }),
        }
    }
}

/// Connections turned away since the last report, for the operator (they never reach the
/// room, so `server.txt` does not see them).
#[derive(Debug, Default)]
pub(crate) struct Refused {
    /// Turned away because every socket was taken.
    pub(crate) busy: u64,
    /// The address of the latest one.
    pub(crate) last_from: Option<IpAddr>,
    last_report: Option<Instant>,
}

impl Refused {
    /// Counts a refusal of `peer` at `now`; returns the counts to report if it is time: the
    /// first refusal at once, then at most one report per [`REPORT_EVERY`].
    pub(crate) fn count(
        &mut self,
        refusal: &Refusal,
        peer: IpAddr,
        now: Instant,
    ) -> Option<Refused> {
        match refusal {
            Refusal::Busy => self.busy += 1,
        }
        self.last_from = Some(peer);
        self.due(now)
    }

    /// The counts not yet reported, if any and if the last report is [`REPORT_EVERY`] old
    /// (or there was none).
    pub(crate) fn due(&mut self, now: Instant) -> Option<Refused> {
        let quiet = self
            .last_report
            .is_none_or(|t| now.saturating_duration_since(t) >= REPORT_EVERY);
        (quiet && self.busy > 0).then(|| self.take(Some(now)))
    }

    /// The counts not yet reported, whatever the time (at shutdown).
    pub(crate) fn rest(&mut self) -> Option<Refused> {
        (self.busy > 0).then(|| self.take(self.last_report))
    }

    fn take(&mut self, reported: Option<Instant>) -> Refused {
        let counts = std::mem::take(self);
        self.last_report = reported;
        counts
    }
}

/// The counters, shared by the acceptor and every connection's [`Slot`].
#[derive(Debug)]
pub(crate) struct Limits {
    total: Mutex<usize>,
    max_total: usize,
}

/// One admitted connection's place in the count, given back on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    limits: Arc<Limits>,
}

impl Limits {
    pub(crate) fn new(max_total: usize) -> Arc<Self> {
        Arc::new(Limits {
            total: Mutex::new(0),
            max_total,
        })
    }

    /// Takes a slot for a new connection, or says why not.
    pub(crate) fn admit(self: &Arc<Self>) -> Result<Slot, Refusal> {
        let mut total = self.total.lock();
        if *total >= self.max_total {
            return Err(Refusal::Busy);
        }
        *total += 1;
        Ok(Slot {
            limits: self.clone(),
        })
    }

    /// Sockets held now.
    #[cfg(test)]
    pub(crate) fn total(&self) -> usize {
        *self.total.lock()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut total = self.limits.total.lock();
        *total = total.saturating_sub(1);
    }
}

/// An IPv4 address seen through an IPv6 socket as the IPv4 address itself.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn the_total_is_capped_and_given_back() {
        let limits = Limits::new(3);
        let held: Vec<_> = (0..3).map(|_| limits.admit().expect("room")).collect();
        assert_eq!(limits.admit().err(), Some(Refusal::Busy));
        assert_eq!(limits.total(), 3);
        drop(held);
        assert_eq!(limits.total(), 0);
        assert!(limits.admit().is_ok());
    }

    #[test]
    fn refusals_are_reported_at_once_then_once_a_minute() {
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let mut r = Refused::default();
        let first = r.count(&Refusal::Busy, a, at(0)).expect("first");
        assert_eq!((first.busy, first.last_from), (1, Some(a)));
        // Within the minute: counted, not reported.
        assert!(r.count(&Refusal::Busy, b, at(10)).is_none());
        assert!(r.count(&Refusal::Busy, a, at(30)).is_none());
        assert!(r.due(at(59)).is_none());
        let summary = r.due(at(60)).expect("a minute on");
        assert_eq!(summary.busy, 2);
        assert_eq!(summary.last_from, Some(a));
        // Nothing new: nothing to report, now or at shutdown.
        assert!(r.due(at(200)).is_none() && r.rest().is_none());
        // One more, 61 s after the last report: at once again.
        assert!(r.count(&Refusal::Busy, b, at(121)).is_some());
        assert!(r.count(&Refusal::Busy, b, at(122)).is_none());
        let rest = r.rest().expect("the rest at shutdown");
        assert_eq!((rest.busy, rest.last_from), (1, Some(b)));
    }

    #[test]
    fn mapped_ipv4_is_ipv4() {
        assert_eq!(canonical(ip("::ffff:127.0.0.1")), ip("127.0.0.1"));
        assert_eq!(canonical(ip("::1")), ip("::1"));
    }
}
