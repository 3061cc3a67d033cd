//! Pacing of sent lines under the server's flood limit (PROTOCOL.md §6: a burst of 20, then
//! 10 lines a second, and a line that repeats the previous one costs 3), so a long paste
//! split into many lines arrives whole instead of being dropped by the server.
//!
//! Pure: the time is passed in. A generic cell rate algorithm: each line moves a
//! theoretical arrival time on by one interval (three for a repeat); a line may go while
//! that time is at most a burst's worth ahead of now.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The time one line uses up: a little slower than the server's 10 lines/s refill.
const INTERVAL: Duration = Duration::from_millis(112);

/// Lines that may go at once: a little under the server's burst of 20.
const BURST: u32 = 18;

/// What a line repeating the previous one costs (the server's extra `repeat_cost` is 2).
const REPEAT_COST: u32 = 3;

/// Lines the pacer holds at most (over a minute and a half of sending).
pub(crate) const MAX_QUEUED: usize = 1000;

/// Lines waiting to be sent, and when the next one may go.
#[derive(Debug)]
pub(crate) struct Pacer {
    /// Lines not yet sent, oldest first.
    queue: VecDeque<String>,
    /// The theoretical arrival time: past it, the burst is whole again.
    tat: Option<Instant>,
    /// The last line sent, for the repeat cost.
    last: Option<String>,
}

impl Pacer {
    /// An empty pacer with its whole burst.
    pub(crate) fn new() -> Self {
        Pacer {
            queue: VecDeque::new(),
            tat: None,
            last: None,
        }
    }

    /// Queues a line behind the others; false (and the line is dropped) when
    /// [`MAX_QUEUED`] lines are already waiting.
    pub(crate) fn push(&mut self, line: String) -> bool {
        if self.queue.len() >= MAX_QUEUED {
            return false;
        }
        self.queue.push_back(line);
        true
    }

    /// A new connection: the server counts afresh; queued lines are dropped and counted.
    pub(crate) fn reset(&mut self) -> usize {
        self.tat = None;
        self.last = None;
        let dropped = self.queue.len();
        self.queue.clear();
        dropped
    }

    /// The next line, if it may go at `now`.
    pub(crate) fn poll_ready(&mut self, now: Instant) -> Option<String> {
        let at = self.next_at(now)?;
        if at > now {
            return None;
        }
        let line = self.queue.pop_front()?;
        let cost = if self.last.as_deref() == Some(line.as_str()) {
            REPEAT_COST
        } else {
            1
        };
        let from = self.tat.map_or(now, |tat| tat.max(now));
        self.tat = Some(from + INTERVAL * cost);
        self.last = Some(line.clone());
        Some(line)
    }

    /// When the next queued line may go, `now` at the earliest (`None`: nothing queued).
    pub(crate) fn next_at(&self, now: Instant) -> Option<Instant> {
        self.queue.front()?;
        let tolerance = INTERVAL * (BURST - 1);
        let at = self.tat.and_then(|tat| tat.checked_sub(tolerance));
        Some(at.map_or(now, |at| at.max(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends everything, returning each line's send time as an offset from `start`.
    fn drain(pacer: &mut Pacer, start: Instant) -> Vec<Duration> {
        let mut now = start;
        let mut times = Vec::new();
        while let Some(at) = pacer.next_at(now) {
            now = now.max(at);
            let line = pacer.poll_ready(now);
            assert!(line.is_some(), "a line due at {at:?} did not go");
            times.push(now - start);
        }
        times
    }

    /// Simulates the server's bucket (burst 20, 10/s, a repeat costs 3) over `times`.
    fn server_accepts(times: &[Duration], costs: &[u32]) -> bool {
        let mut tokens = 20.0_f64;
        let mut last = Duration::ZERO;
        for (t, cost) in times.iter().zip(costs) {
            tokens = (tokens + (*t - last).as_secs_f64() * 10.0).min(20.0);
            last = *t;
            if tokens < f64::from(*cost) {
                return false;
            }
            tokens -= f64::from(*cost);
        }
        true
    }

    #[test]
    fn a_burst_goes_at_once_and_the_rest_under_the_servers_rate() {
        let mut pacer = Pacer::new();
        for i in 0..60 {
            assert!(pacer.push(format!("line {i}")));
        }
        let start = Instant::now();
        let times = drain(&mut pacer, start);
        assert_eq!(times.len(), 60);
        assert!(times[..BURST as usize].iter().all(|t| t.is_zero()));
        assert!(times[BURST as usize] > Duration::ZERO);
        assert!(server_accepts(&times, &[1; 60]));
        // Not much slower than the server allows: 60 lines in under 5 s.
        assert!(times[59] < Duration::from_secs(5), "{:?}", times[59]);
    }

    #[test]
    fn repeated_lines_cost_what_the_server_charges() {
        let mut pacer = Pacer::new();
        for _ in 0..30 {
            assert!(pacer.push("same".into()));
        }
        let times = drain(&mut pacer, Instant::now());
        let mut costs = vec![REPEAT_COST; 30];
        costs[0] = 1;
        assert!(server_accepts(&times, &costs));
    }

    #[test]
    fn the_queue_is_bounded_and_reset_counts_what_it_drops() {
        let mut pacer = Pacer::new();
        for i in 0..MAX_QUEUED {
            assert!(pacer.push(format!("{i}")));
        }
        assert!(!pacer.push("one too many".into()));
        assert_eq!(pacer.reset(), MAX_QUEUED);
        assert_eq!(pacer.next_at(Instant::now()), None);
    }
}
