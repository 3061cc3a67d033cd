//! Token buckets refilled per minute: the join rate per address, the rename rate per member
//! and the announcement budget per address and room (PROTOCOL.md §6).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Sub-units per token: nanoseconds per minute, so a refill (`elapsed_ns * per_minute`)
/// and the wait for the next token are exact integers.
const SCALE: u128 = 60_000_000_000;

/// Buckets kept before full ones are swept out (then twice the survivors).
const SWEEP_AT: usize = 1024;

/// A limit: a burst, then so many a minute.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rate {
    /// `burst * SCALE`; zero means the limit is off.
    capacity: u128,
    /// Tokens per minute.
    per_minute: u128,
}

/// One bucket of a [`Rate`]; it starts full.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    tokens: u128,
    last: Instant,
}

impl Rate {
    /// `burst` at once, then `per_minute`; a `per_minute` of 0 turns the limit off.
    pub(crate) fn new(burst: u32, per_minute: u32) -> Rate {
        let capacity = if per_minute == 0 {
            0
        } else {
            u128::from(burst.max(1)) * SCALE
        };
        Rate {
            capacity,
            per_minute: u128::from(per_minute),
        }
    }

    /// A full bucket at `now`.
    pub(crate) fn full(&self, now: Instant) -> Bucket {
        Bucket {
            tokens: self.capacity,
            last: now,
        }
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(b.last).as_nanos();
        let gained = elapsed.saturating_mul(self.per_minute);
        b.tokens = b.tokens.saturating_add(gained).min(self.capacity);
        b.last = now;
    }

    /// Takes one token from `b`, or says how long until one is available (in whole
    /// seconds, rounded up).
    pub(crate) fn take(&self, b: &mut Bucket, now: Instant) -> Result<(), Duration> {
        if self.capacity == 0 {
            return Ok(());
        }
        self.refill(b, now);
        if b.tokens >= SCALE {
            b.tokens -= SCALE;
            return Ok(());
        }
        let ns = (SCALE - b.tokens).div_ceil(self.per_minute);
        let secs = u64::try_from(ns.div_ceil(1_000_000_000)).unwrap_or(u64::MAX);
        Err(Duration::from_secs(secs))
    }
}

/// A bucket per key (an address), created full on first use; full buckets are swept out
/// when there are many, so the map stays as small as the keys recently active.
#[derive(Debug)]
pub(crate) struct Buckets<K> {
    rate: Rate,
    by_key: BTreeMap<K, Bucket>,
    sweep_at: usize,
}

impl<K: Ord + Copy> Buckets<K> {
    /// Buckets of `rate`.
    pub(crate) fn new(rate: Rate) -> Self {
        Buckets {
            rate,
            by_key: BTreeMap::new(),
            sweep_at: SWEEP_AT,
        }
    }

    /// Takes one token of `key`, or says how long until one is available.
    pub(crate) fn take(&mut self, key: K, now: Instant) -> Result<(), Duration> {
        if self.rate.capacity == 0 {
            return Ok(());
        }
        if self.by_key.len() >= self.sweep_at {
            let rate = self.rate;
            self.by_key.retain(|_, b| {
                rate.refill(b, now);
                b.tokens < rate.capacity
            });
            self.sweep_at = (self.by_key.len() * 2).max(SWEEP_AT);
        }
        let b = self.by_key.entry(key).or_insert(self.rate.full(now));
        self.rate.take(b, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::IpAddr;

    /// A base instant: the one clock read of these tests (an `Instant` cannot be built
    /// any other way); everything after it is simulated.
    #[allow(clippy::disallowed_methods)]
    fn t0() -> Instant {
        Instant::now()
    }

    #[test]
    fn a_burst_then_one_every_six_seconds() {
        let t0 = t0();
        let ip = IpAddr::from([192, 0, 2, 1]);
        let mut rate = Buckets::new(Rate::new(5, 10));
        for _ in 0..5 {
            assert_eq!(rate.take(ip, t0), Ok(()));
        }
        assert_eq!(rate.take(ip, t0), Err(Duration::from_secs(6)));
        assert_eq!(
            rate.take(ip, t0 + Duration::from_secs(2)),
            Err(Duration::from_secs(4))
        );
        assert_eq!(rate.take(ip, t0 + Duration::from_secs(6)), Ok(()));
        let other = IpAddr::from([192, 0, 2, 2]);
        assert_eq!(rate.take(other, t0), Ok(()));
    }

    #[test]
    fn a_rate_of_zero_is_off() {
        let t0 = t0();
        let mut rate = Buckets::new(Rate::new(0, 0));
        let ip = IpAddr::from([192, 0, 2, 1]);
        for _ in 0..100 {
            assert_eq!(rate.take(ip, t0), Ok(()));
        }
    }

    #[test]
    fn one_bucket_waits_the_real_remaining_time() {
        let t0 = t0();
        let rate = Rate::new(5, 5);
        let mut b = rate.full(t0);
        for _ in 0..5 {
            assert_eq!(rate.take(&mut b, t0), Ok(()));
        }
        assert_eq!(rate.take(&mut b, t0), Err(Duration::from_secs(12)));
        let later = t0 + Duration::from_millis(2500);
        assert_eq!(rate.take(&mut b, later), Err(Duration::from_secs(10)));
        assert_eq!(rate.take(&mut b, t0 + Duration::from_secs(12)), Ok(()));
    }
}
