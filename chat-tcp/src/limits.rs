//! How many sockets the server holds in all, checked before any thread is started for a
//! connection: a resource limit. Who may connect (per address, per subnet, pending) is the
//! hall's policy (`chatcore::Hall`), kept in one place.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Shortest time between two reports of refused connections: a flood of them is one line a
/// minute in the operator's log, not one line per connection.
pub(crate) const REPORT_EVERY: Duration = Duration::from_secs(60);

/// Why a connection is turned away at the door.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Every socket the server may hold is taken.
    Busy,
}

impl Refusal {
    /// The line the peer gets before the socket is closed.
    pub(crate) fn line(&self) -> String {
        match self {
            Refusal::Busy => "[Server]: The server is busy. Try again later.\n".to_owned(),
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
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
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
