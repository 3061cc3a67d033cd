//! The join rate: a token bucket per address, refilled per minute (PROTOCOL.md §6).

use core::net::IpAddr;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Sub-units per token: nanoseconds per minute, so a refill (`elapsed_ns * per_minute`)
/// and the wait for the next token are exact integers.
const SCALE: u128 = 60_000_000_000;

/// Buckets kept before full ones are swept out (then twice the survivors).
const SWEEP_AT: usize = 1024;

#[derive(Debug)]
pub(super) struct JoinRate {
    /// `burst * SCALE`; zero means the limit is off.
    capacity: u128,
    /// Tokens per minute.
    per_minute: u128,
    by_addr: BTreeMap<IpAddr, Bucket>,
    sweep_at: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u128,
    last: Instant,
}

impl JoinRate {
    pub(super) fn new(burst: u32, per_minute: u32) -> Self {
        let capacity = if per_minute == 0 {
            0
        } else {
            u128::from(burst.max(1)) * SCALE
        };
        JoinRate {
            capacity,
            per_minute: u128::from(per_minute),
            by_addr: BTreeMap::new(),
            sweep_at: SWEEP_AT,
        }
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(b.last).as_nanos();
        let gained = elapsed.saturating_mul(self.per_minute);
        b.tokens = b.tokens.saturating_add(gained).min(self.capacity);
        b.last = now;
    }

    /// Takes one join for `addr`, or says how long until one is available.
    pub(super) fn take(&mut self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.capacity == 0 {
            return Ok(());
        }
        if self.by_addr.len() >= self.sweep_at {
            let mut all = std::mem::take(&mut self.by_addr);
            all.retain(|_, b| {
                self.refill(b, now);
                b.tokens < self.capacity
            });
            self.by_addr = all;
            self.sweep_at = (self.by_addr.len() * 2).max(SWEEP_AT);
        }
        let fresh = Bucket {
            tokens: self.capacity,
            last: now,
        };
        let mut b = self.by_addr.get(&addr).copied().unwrap_or(fresh);
        self.refill(&mut b, now);
        let result = if b.tokens >= SCALE {
            b.tokens -= SCALE;
            Ok(())
        } else {
            // ns until one token, rounded up to a whole second.
            let ns = (SCALE - b.tokens).div_ceil(self.per_minute);
            let secs = u64::try_from(ns.div_ceil(1_000_000_000)).unwrap_or(u64::MAX);
            Err(Duration::from_secs(secs))
        };
        self.by_addr.insert(addr, b);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut rate = JoinRate::new(5, 10);
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
        let mut rate = JoinRate::new(0, 0);
        let ip = IpAddr::from([192, 0, 2, 1]);
        for _ in 0..100 {
            assert_eq!(rate.take(ip, t0), Ok(()));
        }
    }
}
