//! The engine's wait while input is paused: outboxes that drain under their low-water mark,
//! and shutdown, wake it (no polling).

use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// A counter of wake-ups and the condition variable the engine sleeps on. The engine reads
/// the counter, looks at the outboxes it waits for, and sleeps only while the counter is
/// unchanged, so a drain between its look and its sleep is never missed.
#[derive(Debug, Default)]
pub(crate) struct Pressure {
    /// Bumped by every wake-up.
    wakes: Mutex<u64>,
    /// Signalled with every bump.
    woken: Condvar,
}

impl Pressure {
    /// The current count, read before looking at the outboxes.
    pub(crate) fn wakes(&self) -> u64 {
        *self.wakes.lock()
    }

    /// An outbox the engine waits for drained, or shutdown began.
    pub(crate) fn wake(&self) {
        *self.wakes.lock() += 1;
        self.woken.notify_all();
    }

    /// Sleeps until the count differs from `seen` or `deadline` passes.
    pub(crate) fn wait(&self, seen: u64, deadline: Instant) {
        let mut wakes = self.wakes.lock();
        while *wakes == seen {
            if self.woken.wait_until(&mut wakes, deadline).timed_out() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_wake_before_the_sleep_is_not_missed() {
        let p = Pressure::default();
        let seen = p.wakes();
        p.wake();
        // Returns at once: the count moved since it was read.
        p.wait(seen, Instant::now() + Duration::from_secs(3600));
        assert_eq!(p.wakes(), seen + 1);
    }

    #[test]
    fn a_wake_from_another_thread_ends_the_sleep() {
        let p = Arc::new(Pressure::default());
        let seen = p.wakes();
        let waker = {
            let p = p.clone();
            std::thread::spawn(move || p.wake())
        };
        p.wait(seen, Instant::now() + Duration::from_secs(3600));
        waker.join().expect("waker");
        assert_ne!(p.wakes(), seen);
    }

    #[test]
    fn the_sleep_ends_at_the_deadline() {
        let p = Pressure::default();
        p.wait(p.wakes(), Instant::now());
    }
}
