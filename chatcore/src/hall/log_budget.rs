//! What connections from one address may write to the log before they join: a budget per
//! address and per minute, past which records are counted, not written, and the count is
//! logged once when the minute ends. Connections that never join cannot fill the disk,
//! however many of them one address opens.

use core::net::IpAddr;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Records before joining one address may write per [`WINDOW`].
pub(super) const PER_WINDOW: u32 = 50;
/// The budget's period.
pub(super) const WINDOW: Duration = Duration::from_secs(60);
/// Addresses tracked at once; past it, the addresses not yet tracked share one budget.
const MAX_TRACKED: usize = 4096;

/// Budgets by address; `None` is the shared budget of addresses past [`MAX_TRACKED`].
#[derive(Debug, Default)]
pub(super) struct LogBudget {
    windows: BTreeMap<Option<IpAddr>, Window>,
    /// Windows with records counted, not written, by the end of the window.
    due: BTreeSet<(Instant, Option<IpAddr>)>,
}

#[derive(Debug)]
struct Window {
    ends: Instant,
    written: u32,
    dropped: u64,
}

impl LogBudget {
    /// Charges one record of `addr` at `now`: `true` if it may be written.
    pub(super) fn charge(&mut self, now: Instant, addr: IpAddr) -> bool {
        let mut key = Some(addr);
        if !self.windows.contains_key(&key) && self.windows.len() >= MAX_TRACKED {
            // Windows that ended with nothing to report are as good as absent.
            self.windows.retain(|_, w| w.ends > now || w.dropped > 0);
            if self.windows.len() >= MAX_TRACKED {
                key = None;
            }
        }
        let w = self.windows.entry(key).or_insert(Window {
            ends: now + WINDOW,
            written: 0,
            dropped: 0,
        });
        if w.ends <= now && w.dropped == 0 {
            *w = Window {
                ends: now + WINDOW,
                written: 0,
                dropped: 0,
            };
        }
        if w.written < PER_WINDOW {
            w.written += 1;
            return true;
        }
        w.dropped += 1;
        if w.dropped == 1 {
            self.due.insert((w.ends, key));
        }
        false
    }

    /// When the next count is due, if any.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|&(t, _)| t)
    }

    /// The next count due at `now` (or any, with `all`): the address (`None`: many) and how
    /// many records were not written. Its window is forgotten.
    pub(super) fn take_due(&mut self, now: Instant, all: bool) -> Option<(Option<IpAddr>, u64)> {
        let &(ends, key) = self.due.first()?;
        if ends > now && !all {
            return None;
        }
        self.due.pop_first();
        let w = self.windows.remove(&key)?;
        Some((key, w.dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_records_a_minute_then_one_count() {
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        let a: IpAddr = "203.0.113.7".parse().expect("ip");
        let b: IpAddr = "203.0.113.8".parse().expect("ip");
        let mut budget = LogBudget::default();
        for _ in 0..PER_WINDOW {
            assert!(budget.charge(t0, a));
        }
        assert!(!budget.charge(t0, a));
        assert!(!budget.charge(t0 + Duration::from_secs(30), a));
        // Another address has its own budget.
        assert!(budget.charge(t0, b));
        assert_eq!(budget.next_due(), Some(t0 + WINDOW));
        assert_eq!(budget.take_due(t0 + Duration::from_secs(59), false), None);
        assert_eq!(budget.take_due(t0 + WINDOW, false), Some((Some(a), 2)));
        assert_eq!(budget.next_due(), None);
        // A new minute, a new budget.
        assert!(budget.charge(t0 + WINDOW, a));
    }
}
