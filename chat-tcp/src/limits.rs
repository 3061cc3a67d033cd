//! How many sockets the server holds, in all and per address, checked before any thread is
//! started for a connection.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use parking_lot::Mutex;

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

/// What counts as one address: an IPv4 address, or an IPv6 /64 (one host usually owns a
/// whole /64, so counting single IPv6 addresses would not limit anyone).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
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
    fn ipv6_counts_per_64_and_mapped_ipv4_is_ipv4() {
        let limits = Limits::new(10, 1, true);
        let _a = limits.admit(ip("2001:db8:1:2::1")).expect("first");
        assert!(limits.admit(ip("2001:db8:1:2::ffff")).is_err());
        assert!(limits.admit(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(canonical(ip("::ffff:127.0.0.1")), ip("127.0.0.1"));
        assert_eq!(canonical(ip("::1")), ip("::1"));
    }
}
