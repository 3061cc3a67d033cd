//! How many sockets the server holds, in all and per address, checked before any thread is
//! started for a connection.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chatcore::io::address_key;
use parking_lot::Mutex;

/// Shortest time between two reports of refused connections: a flood of them is one line a
/// minute in the operator's log, not one line per connection.
pub(crate) const REPORT_EVERY: Duration = Duration::from_secs(60);

/// Why a connection is turned away at the door.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Every socket the server may hold is taken.
    Busy,
    /// This address already holds its share.
    PerAddress(usize),
}

impl Refusal {
    /// The line the peer gets before the socket is closed.
    pub(crate) fn line(&self) -> String {
        match self {
            Refusal::Busy => "[Server]: The server is busy. Try again later.\n".to_owned(),
            Refusal::PerAddress(max) => {
                format!("[Server]: Too many connections from your address (max {max}). Bye.\n")
            }
        }
    }
}

/// Connections turned away since the last report, for the operator (they never reach the
/// room, so `server.txt` does not see them).
#[derive(Debug, Default)]
pub(crate) struct Refused {
    /// Turned away because every socket was taken.
    pub(crate) busy: u64,
    /// Turned away because their address held its share.
    pub(crate) per_address: u64,
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
            Refusal::PerAddress(_) => self.per_address += 1,
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
        (quiet && self.busy + self.per_address > 0).then(|| self.take(Some(now)))
    }

    /// The counts not yet reported, whatever the time (at shutdown).
    pub(crate) fn rest(&mut self) -> Option<Refused> {
        (self.busy + self.per_address > 0).then(|| self.take(self.last_report))
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
    counts: Mutex<Counts>,
    max_total: usize,
    max_per_address: usize,
    exempt_loopback: bool,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// One admitted connection's place in the counters, given back on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    limits: Arc<Limits>,
    /// The counted address, `None` if exempt.
    key: Option<IpAddr>,
}

impl Limits {
    pub(crate) fn new(
        max_total: usize,
        max_per_address: usize,
        exempt_loopback: bool,
    ) -> Arc<Self> {
        Arc::new(Limits {
            counts: Mutex::default(),
            max_total,
            max_per_address,
            exempt_loopback,
        })
    }

    /// Takes a slot for a connection from `peer` (already canonical), or says why not.
    pub(crate) fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Slot, Refusal> {
        let key = (!(self.exempt_loopback && peer.is_loopback())).then(|| address_key(peer));
        let mut c = self.counts.lock();
        if c.total >= self.max_total {
            return Err(Refusal::Busy);
        }
        if let Some(k) = key {
            let n = c.per_address.entry(k).or_insert(0);
            if *n >= self.max_per_address {
                if *n == 0 {
                    c.per_address.remove(&k);
                }
                return Err(Refusal::PerAddress(self.max_per_address));
            }
            *n += 1;
        }
        c.total += 1;
        Ok(Slot {
            limits: self.clone(),
            key,
        })
    }

    /// Sockets held now.
    #[cfg(test)]
    pub(crate) fn total(&self) -> usize {
        self.counts.lock().total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.limits.counts.lock();
        c.total = c.total.saturating_sub(1);
        if let Some(k) = self.key {
            if let Some(n) = c.per_address.get_mut(&k) {
                *n -= 1;
                if *n == 0 {
                    c.per_address.remove(&k);
                }
            }
        }
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
    fn slots_are_counted_per_address_and_given_back() {
        let limits = Limits::new(10, 2, true);
        let a = limits.admit(ip("10.0.0.1")).expect("first");
        let _b = limits.admit(ip("10.0.0.1")).expect("second");
        assert_eq!(
            limits.admit(ip("10.0.0.1")).err(),
            Some(Refusal::PerAddress(2))
        );
        let _c = limits.admit(ip("10.0.0.2")).expect("another address");
        drop(a);
        assert!(limits.admit(ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn the_total_is_capped_and_loopback_is_exempt_only_from_the_per_address_cap() {
        let limits = Limits::new(3, 1, true);
        let held: Vec<_> = (0..3)
            .map(|_| limits.admit(ip("127.0.0.1")).expect("exempt"))
            .collect();
        assert_eq!(limits.admit(ip("10.0.0.1")).err(), Some(Refusal::Busy));
        assert_eq!(limits.total(), 3);
        drop(held);
        assert_eq!(limits.total(), 0);
        let strict = Limits::new(3, 1, false);
        let _a = strict.admit(ip("127.0.0.1")).expect("first");
        assert_eq!(
            strict.admit(ip("127.0.0.1")).err(),
            Some(Refusal::PerAddress(1))
        );
    }

    #[test]
    fn refusals_are_reported_at_once_then_once_a_minute() {
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let mut r = Refused::default();
        let first = r.count(&Refusal::PerAddress(5), a, at(0)).expect("first");
        assert_eq!(
            (first.busy, first.per_address, first.last_from),
            (0, 1, Some(a))
        );
        // Within the minute: counted, not reported.
        assert!(r.count(&Refusal::Busy, b, at(10)).is_none());
        assert!(r.count(&Refusal::PerAddress(5), a, at(30)).is_none());
        assert!(r.due(at(59)).is_none());
        let summary = r.due(at(60)).expect("a minute on");
        assert_eq!((summary.busy, summary.per_address), (1, 1));
        assert_eq!(summary.last_from, Some(a));
        // Nothing new: nothing to report, now or at shutdown.
        assert!(r.due(at(200)).is_none() && r.rest().is_none());
        // One more, 61 s after the last report: at once again.
        assert!(r.count(&Refusal::Busy, b, at(121)).is_some());
        assert!(r.count(&Refusal::Busy, b, at(122)).is_none());
        let rest = r.rest().expect("the rest at shutdown");
        assert_eq!(
            (rest.busy, rest.per_address, rest.last_from),
            (1, 0, Some(b))
        );
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_is_ipv4() {
        let limits = Limits::new(10, 1, true);
        let _a = limits.admit(ip("2001:db8:1:2::1")).expect("first");
        assert!(limits.admit(ip("2001:db8:1:2::ffff")).is_err());
        assert!(limits.admit(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(canonical(ip("::ffff:127.0.0.1")), ip("127.0.0.1"));
        assert_eq!(canonical(ip("::1")), ip("::1"));
    }
}
