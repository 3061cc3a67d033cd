//! Per-member flood limit: a token bucket that drops excess lines and warns once per burst.

use std::time::Duration;

/// Sub-units per token. With nano-tokens a refill is `elapsed_ns * rate`, an exact integer
/// product, so no rounding error accumulates however the calls are spaced.
const SCALE: u64 = 1_000_000_000;

/// What the flood limiter decided about one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it. `dropped_before` is how many lines of the burst that just ended were dropped (0 if none).
    Allow {
        /// Lines dropped since the previous permitted line.
        dropped_before: u32,
    },
    /// Drop it and tell the sender (first drop of a burst).
    DropAndWarn,
    /// Drop it silently (a later drop of the same burst).
    Drop,
}

/// Token bucket; tokens are kept in fixed point (nano-tokens as `u64`) to avoid float drift.
///
/// Time is a monotonic [`Duration`] since an epoch of the caller's choosing, so the limiter
/// never reads a clock itself.
#[derive(Debug, Clone)]
pub struct FloodLimiter {
    /// `burst * SCALE`; zero means the limit is off.
    capacity: u64,
    /// Nano-tokens gained per nanosecond, i.e. lines per second.
    rate: u64,
    tokens: u64,
    last: Duration,
    dropped: u32,
}

impl FloodLimiter {
    /// `burst` lines at once, `rate` lines/s refill; `rate == 0` disables the limit, and a
    /// `burst` of 0 is taken as 1 (a limit that lets nothing through is no chat at all).
    ///
    /// The bucket starts full.
    #[must_use]
    pub fn new(burst: u32, rate: u32, now: Duration) -> Self {
        // u32::MAX * 1e9 < u64::MAX, so this cannot overflow.
        let capacity = if rate == 0 {
            0
        } else {
            u64::from(burst.max(1)) * SCALE
        };
        Self {
            capacity,
            rate: u64::from(rate),
            tokens: capacity,
            last: now,
            dropped: 0,
        }
    }

    /// Decides whether a line sent at `now` may go out, consuming one token if so.
    pub fn check(&mut self, now: Duration) -> Verdict {
        if self.capacity == 0 {
            return Verdict::Allow { dropped_before: 0 };
        }
        self.refill(now);
        if self.tokens >= SCALE {
            self.tokens -= SCALE;
            // Taking the count re-arms the warning for the next burst of drops.
            Verdict::Allow {
                dropped_before: std::mem::take(&mut self.dropped),
            }
        } else {
            self.dropped = self.dropped.saturating_add(1);
            if self.dropped == 1 {
                Verdict::DropAndWarn
            } else {
                Verdict::Drop
            }
        }
    }

    /// Lines dropped in the current (unfinished) burst.
    #[must_use]
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Consumes `extra` additional tokens if available (saturating at 0) — used to make repeated
    /// identical lines cost more; never produces a verdict.
    pub fn charge(&mut self, extra: u32, now: Duration) {
        if self.capacity == 0 {
            return;
        }
        self.refill(now);
        self.tokens = self
            .tokens
            .saturating_sub(u64::from(extra).saturating_mul(SCALE));
    }

    fn refill(&mut self, now: Duration) {
        // A clock stepping backwards earns nothing, and `last` stays put so the same interval
        // is not credited twice once time moves forward again.
        let Some(elapsed) = now.checked_sub(self.last) else {
            return;
        };
        self.last = now;
        let gained = elapsed.as_nanos().saturating_mul(u128::from(self.rate));
        let room = u128::from(self.capacity.saturating_sub(self.tokens));
        // `min(room)` fits in u64 because room does.
        let gained = u64::try_from(gained.min(room)).unwrap_or(0);
        self.tokens = self.tokens.saturating_add(gained);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn count_allowed(limiter: &mut FloodLimiter, lines: u32, now: Duration) -> u32 {
        let mut allowed = 0;
        for _ in 0..lines {
            if matches!(limiter.check(now), Verdict::Allow { .. }) {
                allowed += 1;
            }
        }
        allowed
    }

    #[test]
    fn burst_then_warn_once_then_silent() {
        let mut l = FloodLimiter::new(20, 10, ms(0));
        for _ in 0..20 {
            assert_eq!(l.check(ms(0)), Verdict::Allow { dropped_before: 0 });
        }
        assert_eq!(l.check(ms(0)), Verdict::DropAndWarn);
        assert_eq!(l.dropped(), 1);
        assert_eq!(l.check(ms(0)), Verdict::Drop);
        assert_eq!(l.dropped(), 2);

        // 100 ms at 10 lines/s is exactly one token.
        assert_eq!(l.check(ms(100)), Verdict::Allow { dropped_before: 2 });
        assert_eq!(l.dropped(), 0);
        assert_eq!(l.check(ms(100)), Verdict::DropAndWarn);
        assert_eq!(l.check(ms(199)), Verdict::Drop);
        assert_eq!(l.check(ms(200)), Verdict::Allow { dropped_before: 2 });
    }

    #[test]
    fn refills_to_full_but_not_over() {
        let mut l = FloodLimiter::new(20, 10, ms(0));
        assert_eq!(count_allowed(&mut l, 25, ms(0)), 20);
        assert_eq!(l.dropped(), 5);
        // 10 s would refill 100 tokens; only 20 fit.
        assert_eq!(l.check(ms(10_000)), Verdict::Allow { dropped_before: 5 });
        assert_eq!(count_allowed(&mut l, 19, ms(10_000)), 19);
        assert_eq!(l.check(ms(10_000)), Verdict::DropAndWarn);
    }

    #[test]
    fn zero_rate_disables_and_zero_burst_is_one() {
        let mut l = FloodLimiter::new(20, 0, ms(0));
        assert_eq!(count_allowed(&mut l, 1_000_000, ms(0)), 1_000_000);
        l.charge(1_000, ms(0));
        assert_eq!(l.check(ms(0)), Verdict::Allow { dropped_before: 0 });
        assert_eq!(l.dropped(), 0);

        let mut l = FloodLimiter::new(0, 10, ms(0));
        assert_eq!(count_allowed(&mut l, 1_000, ms(0)), 1);
    }

    #[test]
    fn steady_stream_gets_burst_plus_rate() {
        // Lines at t = 0, 1, ..., 10_000 ms: the initial 20 plus exactly 10 s * 10/s.
        let mut l = FloodLimiter::new(20, 10, ms(0));
        let allowed = (0..=10_000)
            .filter(|&t| matches!(l.check(ms(t)), Verdict::Allow { .. }))
            .count();
        assert_eq!(allowed, 120);

        // A rate that does not divide a second evenly still loses nothing.
        let mut l = FloodLimiter::new(5, 3, ms(0));
        let allowed = (0..=10_000)
            .filter(|&t| matches!(l.check(ms(t)), Verdict::Allow { .. }))
            .count();
        assert_eq!(allowed, 35);
    }

    #[test]
    fn many_tiny_steps_do_not_drift() {
        // 250 ns steps at 7 lines/s gain 1.75 micro-tokens each; any per-step rounding would
        // lose a large share of the refill over the 4 million steps of one second.
        // Burst 2, not 1, so the cap never clips the fraction left over after each refill.
        let mut l = FloodLimiter::new(2, 7, Duration::ZERO);
        let mut allowed = 0;
        let mut t = Duration::ZERO;
        while t <= Duration::from_secs(1) {
            if matches!(l.check(t), Verdict::Allow { .. }) {
                allowed += 1;
            }
            t += Duration::from_nanos(250);
        }
        // The initial two tokens, then exactly 7 refilled by t = 1 s.
        assert_eq!(allowed, 2 + 7);
    }

    #[test]
    fn time_going_backwards_earns_nothing() {
        let mut l = FloodLimiter::new(2, 10, ms(10_000));
        assert_eq!(count_allowed(&mut l, 2, ms(10_000)), 2);
        assert_eq!(l.check(ms(5_000)), Verdict::DropAndWarn);
        assert_eq!(l.check(ms(0)), Verdict::Drop);
        // Only the 100 ms past the latest time seen counts.
        assert_eq!(l.check(ms(10_100)), Verdict::Allow { dropped_before: 2 });
        assert_eq!(l.check(ms(10_100)), Verdict::DropAndWarn);
    }

    #[test]
    fn charge_reduces_allowance() {
        let mut l = FloodLimiter::new(20, 10, ms(0));
        l.charge(5, ms(0));
        assert_eq!(count_allowed(&mut l, 20, ms(0)), 15);
        assert_eq!(l.dropped(), 5);

        // Overcharging saturates at empty; the debt is not carried.
        let mut l = FloodLimiter::new(20, 10, ms(0));
        l.charge(1_000, ms(0));
        assert_eq!(l.dropped(), 0);
        assert_eq!(l.check(ms(0)), Verdict::DropAndWarn);
        assert_eq!(l.check(ms(100)), Verdict::Allow { dropped_before: 1 });
    }

    #[test]
    fn extreme_parameters_do_not_overflow() {
        let mut l = FloodLimiter::new(u32::MAX, u32::MAX, Duration::ZERO);
        l.charge(u32::MAX, Duration::ZERO);
        assert_eq!(l.check(Duration::MAX), Verdict::Allow { dropped_before: 0 });
        l.charge(u32::MAX, Duration::MAX);
        assert_eq!(l.check(Duration::MAX), Verdict::DropAndWarn);
    }
}
