//! Where the engine gets `now`: the real clocks, optionally with the wall time shifted.

use std::time::Instant;

use chatcore::Now;
use time::{Duration, OffsetDateTime};

/// The engine's source of time. The monotonic clock is always real (deadlines are waited on
/// with it); the wall clock can be shifted so tests can pretend it is 15:29:59.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// Added to the real UTC wall time.
    shift: Duration,
}

impl Clock {
    /// The real clocks.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock whose wall time reads `wall` right now and then runs at the real rate.
    pub fn starting_at(wall: OffsetDateTime) -> Clock {
        Clock {
            shift: wall - OffsetDateTime::now_utc(),
        }
    }

    /// The current time on both clocks.
    pub fn now(&self) -> Now {
        Now::new(Instant::now(), OffsetDateTime::now_utc() + self.shift)
    }
}
