//! Where the engine gets `now`: the real clocks, optionally with the wall time shifted.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chatcore::Now;
use time::{Duration, OffsetDateTime};

/// The engine's source of time. The monotonic clock is always real (deadlines are waited on
/// with it); the wall clock can be shifted, even while the server runs, so tests can make it
/// 15:29:59 right before they schedule something for 15:30.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Nanoseconds added to the real UTC wall time, shared by every clone.
    shift: Arc<AtomicI64>,
}

impl Clock {
    /// The real clocks.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock whose wall time reads `wall` right now and then runs at the real rate.
    pub fn starting_at(wall: OffsetDateTime) -> Clock {
        let clock = Clock::default();
        clock.set_wall(wall);
        clock
    }

    /// Makes the wall time read `wall` now (for this clock and every clone of it).
    pub fn set_wall(&self, wall: OffsetDateTime) {
        let shift = wall - OffsetDateTime::now_utc();
        let nanos = i64::try_from(shift.whole_nanoseconds()).unwrap_or(0);
        self.shift.store(nanos, Ordering::Relaxed);
    }

    /// The current time on both clocks.
    pub fn now(&self) -> Now {
        let shift = Duration::nanoseconds(self.shift.load(Ordering::Relaxed));
        Now::new(Instant::now(), OffsetDateTime::now_utc() + shift)
    }
}
