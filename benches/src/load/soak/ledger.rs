//! The soak's bookkeeping, free of I/O so it can be tested on its own: per-sender sequence
//! tracking, the schedules and whispers expected, the flood warnings a burst should have
//! earned, and the memory samples.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::time::Duration;

use time::OffsetDateTime;

/// Holes remembered one by one; past this a gap is only counted (a corrupt sequence number
/// must not make the tracker allocate without bound).
const MAX_HOLES: u64 = 100_000;

/// The lines one receiver got from one sender whose lines are numbered 0, 1, 2, ...: checks
/// they arrive exactly once and in order.
#[derive(Debug, Default, Clone)]
pub struct SeqTracker {
    /// One past the highest sequence number seen.
    next: u64,
    /// Numbers below `next` not seen (yet).
    holes: BTreeSet<u64>,
    /// Gaps too long to remember one by one, as ranges.
    wide: Vec<Range<u64>>,
    /// Distinct numbers seen.
    pub distinct: u64,
    /// Numbers seen after a higher one (a hole filled late: out of order).
    pub late: u64,
    /// Numbers seen more than once.
    pub duplicates: u64,
}

impl SeqTracker {
    /// Records the arrival of line `seq`.
    pub fn observe(&mut self, seq: u64) {
        if seq >= self.next {
            let gap = seq - self.next;
            if gap > MAX_HOLES {
                self.wide.push(self.next..seq);
            } else {
                self.holes.extend(self.next..seq);
            }
            self.next = seq.saturating_add(1);
            self.distinct += 1;
        } else if self.holes.remove(&seq) || self.fill_wide(seq) {
            self.late += 1;
            self.distinct += 1;
        } else {
            self.duplicates += 1;
        }
    }

    /// Takes `seq` out of a wide gap, if it is in one.
    fn fill_wide(&mut self, seq: u64) -> bool {
        let Some(i) = self.wide.iter().position(|r| r.contains(&seq)) else {
            return false;
        };
        let r = self.wide.swap_remove(i);
        self.wide.extend(
            [r.start..seq, seq + 1..r.end]
                .into_iter()
                .filter(|r| !r.is_empty()),
        );
        true
    }

    /// Numbers in `range` not seen although a later one was.
    fn holes_in(&self, range: Range<u64>) -> u64 {
        let wide: u64 = self
            .wide
            .iter()
            .map(|r| {
                r.end
                    .min(range.end)
                    .saturating_sub(r.start.max(range.start))
            })
            .sum();
        self.holes.range(range).count() as u64 + wide
    }

    /// Lines of the first `sent` never seen.
    pub fn missing(&self, sent: u64) -> u64 {
        self.holes_in(0..sent) + sent.saturating_sub(self.next)
    }

    /// Numbers seen that were never sent (at or past `sent`).
    pub fn phantom(&self, sent: u64) -> u64 {
        let above = self.next.saturating_sub(sent);
        above.saturating_sub(self.holes_in(sent..u64::MAX))
    }

    /// Whether every one of the first `sent` lines has arrived.
    pub fn complete(&self, sent: u64) -> bool {
        self.missing(sent) == 0
    }

    /// Exactly once and in order, no more and no less than `sent` lines.
    pub fn exact(&self, sent: u64) -> bool {
        self.missing(sent) == 0 && self.phantom(sent) == 0 && self.late == 0 && self.duplicates == 0
    }
}

/// What a member who was in the room for part of the run got from one sender: the numbers
/// must form one run without gaps (it was there from its join to its leave, and the server
/// sends in order), but may start and end anywhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunTracker {
    last: Option<u64>,
    /// Lines seen.
    pub seen: u64,
    /// Arrivals that did not follow the previous one (a gap, a repeat or a step back).
    pub breaks: u64,
}

impl RunTracker {
    /// Records the arrival of line `seq`.
    pub fn observe(&mut self, seq: u64) {
        if let Some(last) = self.last
            && seq != last + 1
        {
            self.breaks += 1;
        }
        self.last = Some(seq);
        self.seen += 1;
    }
}

/// A schedule the run set: who, which, and the minute it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// Core member index of the author.
    pub author: u32,
    /// The author's schedule number.
    pub n: u64,
    /// When it is due (UTC, a whole minute).
    pub target: OffsetDateTime,
}

/// A scheduled line as one receiver got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firing {
    /// Core member index of the author.
    pub author: u32,
    /// The author's schedule number.
    pub n: u64,
    /// The receiver's wall clock when the line arrived.
    pub at: OffsetDateTime,
}

/// How long after its minute a schedule still counts as pending on the server, for the
/// limits (the server fires within 1 s; the margin keeps the count on the safe side).
const PENDING_GRACE: time::Duration = time::Duration::seconds(5);

/// How much earlier than its minute a firing may be seen before it counts as early: the
/// receiver reads its clock after the server read its own, so only clock-read jitter
/// (the in-process test shifts two clocks by nearly the same amount) needs room.
pub const EARLY_TOLERANCE: time::Duration = time::Duration::milliseconds(5);

/// Every schedule set, with the server's limits on pending ones.
#[derive(Debug, Clone)]
pub struct ScheduleBook {
    planned: Vec<Planned>,
    per_member: usize,
    per_room: usize,
}

impl ScheduleBook {
    /// An empty book for a server allowing `per_member` and `per_room` pending schedules.
    pub fn new(per_member: usize, per_room: usize) -> ScheduleBook {
        ScheduleBook {
            planned: Vec::new(),
            per_member,
            per_room,
        }
    }

    /// Whether `author` may set one more at `now` without reaching a limit.
    pub fn can_schedule(&self, author: u32, now: OffsetDateTime) -> bool {
        let pending = self
            .planned
            .iter()
            .filter(|p| p.target + PENDING_GRACE > now);
        let (mine, all) = pending.fold((0, 0), |(m, a), p| {
            (m + usize::from(p.author == author), a + 1)
        });
        mine < self.per_member && all < self.per_room
    }

    /// Records a schedule sent.
    pub fn add(&mut self, planned: Planned) {
        self.planned.push(planned);
    }

    /// The schedules set.
    pub fn planned(&self) -> &[Planned] {
        &self.planned
    }

    /// The latest due time, if any.
    pub fn last_target(&self) -> Option<OffsetDateTime> {
        self.planned.iter().map(|p| p.target).max()
    }

    /// Whether every receiver has every schedule.
    pub fn all_fired(&self, receivers: &[&[Firing]]) -> bool {
        receivers.iter().all(|got| {
            self.planned
                .iter()
                .all(|p| got.iter().any(|f| (f.author, f.n) == (p.author, p.n)))
        })
    }

    /// Checks what every receiver got against the book.
    pub fn check(&self, receivers: &[&[Firing]]) -> ScheduleCheck {
        let mut c = ScheduleCheck {
            expected: self.planned.len() as u64 * receivers.len() as u64,
            ..ScheduleCheck::default()
        };
        let by_key: HashMap<(u32, u64), OffsetDateTime> = self
            .planned
            .iter()
            .map(|p| ((p.author, p.n), p.target))
            .collect();
        for got in receivers {
            let mut seen: HashMap<(u32, u64), u32> = HashMap::new();
            for f in *got {
                let Some(&target) = by_key.get(&(f.author, f.n)) else {
                    c.unknown += 1;
                    continue;
                };
                let times = seen.entry((f.author, f.n)).or_default();
                *times += 1;
                if *times > 1 {
                    c.duplicates += 1;
                    continue;
                }
                c.fired += 1;
                if f.at + EARLY_TOLERANCE < target {
                    c.early += 1;
                }
                let late = f.at - target;
                if late > time::Duration::ZERO {
                    let late = Duration::try_from(late).unwrap_or(Duration::ZERO);
                    c.max_late = c.max_late.max(late);
                }
            }
        }
        c.missing = c.expected - c.fired;
        c
    }
}

/// Schedules as the receivers saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleCheck {
    /// Schedules times receivers.
    pub expected: u64,
    /// Of those, arrived (once).
    pub fired: u64,
    /// Of those, never arrived.
    pub missing: u64,
    /// Second and later arrivals of the same schedule at the same receiver.
    pub duplicates: u64,
    /// Arrivals before their minute.
    pub early: u64,
    /// Scheduled lines nobody set.
    pub unknown: u64,
    /// The latest arrival after its minute.
    pub max_late: Duration,
}

impl ScheduleCheck {
    /// Every schedule reached every receiver once, never early.
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.duplicates == 0 && self.early == 0 && self.unknown == 0
    }
}

/// Whispers between core members: each must reach its addressee exactly once, and nobody
/// else.
#[derive(Debug, Clone, Default)]
pub struct WhisperBook {
    to: HashMap<(u32, u64), u32>,
}

/// Whispers as the core saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WhisperCheck {
    /// Whispers sent to core members.
    pub expected: u64,
    /// Of those, received once by the addressee.
    pub delivered: u64,
    /// Never received.
    pub missing: u64,
    /// Received again, or by someone else, or never sent.
    pub wrong: u64,
}

impl WhisperBook {
    /// Records whisper `n` from core member `from` to core member `to`.
    pub fn add(&mut self, from: u32, n: u64, to: u32) {
        self.to.insert((from, n), to);
    }

    /// Whispers recorded.
    pub fn len(&self) -> usize {
        self.to.len()
    }

    /// Whether none was recorded.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }

    /// Whether every whisper has reached its addressee (`received[i]`: what core member `i`
    /// got, as `(from, n)`).
    pub fn all_delivered(&self, received: &[&[(u32, u64)]]) -> bool {
        self.to.iter().all(|(key, &to)| {
            received
                .get(to as usize)
                .is_some_and(|got| got.contains(key))
        })
    }

    /// Checks what every core member got.
    pub fn check(&self, received: &[&[(u32, u64)]]) -> WhisperCheck {
        let mut c = WhisperCheck {
            expected: self.to.len() as u64,
            ..WhisperCheck::default()
        };
        let mut seen: HashMap<(u32, u64), u32> = HashMap::new();
        for (i, got) in received.iter().enumerate() {
            for key in *got {
                let right = self.to.get(key) == Some(&(i as u32));
                let times = seen.entry(*key).or_default();
                *times += 1;
                if right && *times == 1 {
                    c.delivered += 1;
                } else {
                    c.wrong += 1;
                }
            }
        }
        c.missing = c.expected - c.delivered;
        c
    }
}

/// The warnings a burst of `lines` lines should have earned when the lines numbered
/// `accepted` (ascending) got through: one per maximal run of dropped lines, since each
/// accepted line re-arms the warning.
pub fn expected_warnings(lines: u32, accepted: &[u32]) -> u64 {
    let mut runs = 0;
    let mut in_run = false;
    let mut next_accepted = accepted.iter().peekable();
    for i in 0..lines {
        let taken = next_accepted.next_if(|&&a| a == i).is_some();
        if !taken && !in_run {
            runs += 1;
        }
        in_run = !taken;
    }
    runs
}

/// Whether `xs` is strictly increasing.
pub fn strictly_increasing(xs: &[u32]) -> bool {
    xs.windows(2).all(|w| w[0] < w[1])
}

/// One reading of the server process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Seconds since the soak started (after the core joined).
    pub at: Duration,
    /// Resident memory in bytes (`VmRSS`).
    pub rss: u64,
    /// Its anonymous part in bytes (`RssAnon`: heap and stacks, without code pages).
    pub anon: u64,
    /// Threads.
    pub threads: u64,
}

/// The start, largest and end readings of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySummary {
    /// The first reading (the core joined, nothing else).
    pub start: Sample,
    /// The reading with the most memory.
    pub max_rss: Sample,
    /// The most threads seen.
    pub max_threads: u64,
    /// The last reading (the churn gone and settled).
    pub end: Sample,
    /// Readings taken.
    pub samples: usize,
}

impl MemorySummary {
    /// Summarises `samples` (in time order); `None` without any.
    pub fn of(samples: &[Sample]) -> Option<MemorySummary> {
        let (start, end) = (*samples.first()?, *samples.last()?);
        let max_rss = *samples.iter().max_by_key(|s| s.rss)?;
        let max_threads = samples.iter().map(|s| s.threads).max()?;
        Some(MemorySummary {
            start,
            max_rss,
            max_threads,
            end,
            samples: samples.len(),
        })
    }

    /// Whether the end's RSS is within `percent` % of the start's (above or below).
    pub fn end_within(&self, percent: f64) -> bool {
        let (a, b) = (self.start.rss as f64, self.end.rss as f64);
        (b - a).abs() <= a * percent / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn in_order_lines_are_exact() {
        let mut t = SeqTracker::default();
        (0..5).for_each(|s| t.observe(s));
        assert!(t.exact(5));
        assert_eq!((t.missing(5), t.missing(7), t.phantom(4)), (0, 2, 1));
        assert!(!t.complete(6));
    }

    #[test]
    fn gaps_duplicates_and_late_lines_are_told_apart() {
        let mut t = SeqTracker::default();
        for s in [0, 1, 3, 3, 5, 2] {
            t.observe(s);
        }
        // 4 never came; 2 came after 3 and 5; 3 came twice.
        assert_eq!((t.distinct, t.late, t.duplicates), (5, 1, 1));
        assert_eq!(t.missing(6), 1);
        assert_eq!(t.missing(8), 3);
        assert!(!t.exact(6));
        t.observe(4);
        assert_eq!(t.missing(6), 0);
        assert!(t.complete(6) && !t.exact(6));
    }

    #[test]
    fn a_wild_sequence_number_is_counted_not_stored() {
        let mut t = SeqTracker::default();
        let wild = u64::MAX / 2;
        t.observe(wild);
        assert_eq!(t.missing(10), 10);
        assert_eq!(t.phantom(10), 1);
        // The lines that were due still count once they come, late.
        (0..10).for_each(|s| t.observe(s));
        assert_eq!((t.missing(10), t.late, t.duplicates), (0, 10, 0));
        t.observe(3);
        assert_eq!(t.duplicates, 1);
        assert_eq!(t.missing(wild + 1), wild - 10);
    }

    #[test]
    fn a_partial_stay_must_be_one_run() {
        let mut r = RunTracker::default();
        for s in 40..50 {
            r.observe(s);
        }
        assert_eq!((r.seen, r.breaks), (10, 0));
        r.observe(52);
        r.observe(52);
        assert_eq!((r.seen, r.breaks), (12, 2));
    }

    fn planned(author: u32, n: u64, target: OffsetDateTime) -> Planned {
        Planned { author, n, target }
    }

    #[test]
    fn pending_schedules_respect_the_limits() {
        let t0 = datetime!(2026-11-25 06:30:00 UTC);
        let mut book = ScheduleBook::new(2, 3);
        book.add(planned(0, 0, t0));
        book.add(planned(0, 1, t0 + time::Duration::minutes(1)));
        assert!(!book.can_schedule(0, t0 - time::Duration::seconds(30)));
        assert!(book.can_schedule(1, t0 - time::Duration::seconds(30)));
        book.add(planned(1, 0, t0));
        assert!(!book.can_schedule(2, t0), "the room's limit");
        // Well after the first minute, two of them have fired.
        let later = t0 + time::Duration::seconds(10);
        assert!(book.can_schedule(0, later) && book.can_schedule(2, later));
        assert_eq!(book.last_target(), Some(t0 + time::Duration::minutes(1)));
    }

    #[test]
    fn firings_are_checked_for_presence_repeats_and_timing() {
        let t0 = datetime!(2026-11-25 06:30:00 UTC);
        let mut book = ScheduleBook::new(5, 100);
        book.add(planned(0, 0, t0));
        book.add(planned(1, 0, t0));
        let f = |author, n, ms: i64| Firing {
            author,
            n,
            at: t0 + time::Duration::milliseconds(ms),
        };
        let a = [f(0, 0, 3), f(1, 0, 250)];
        let b = [f(0, 0, 2), f(0, 0, 900), f(1, 0, -500), f(7, 7, 0)];
        let c = book.check(&[&a, &b]);
        assert_eq!(c.expected, 4);
        assert_eq!((c.fired, c.missing, c.duplicates), (4, 0, 1));
        assert_eq!((c.early, c.unknown), (1, 1));
        assert_eq!(c.max_late, Duration::from_millis(250));
        assert!(!c.ok());
        assert!(book.all_fired(&[&a, &b]));
        assert!(!book.all_fired(&[&a[..1]]));
        let good = book.check(&[&a]);
        assert!(good.ok() && good.missing == 0, "{good:?}");
        // A few milliseconds early is clock-read jitter, not an early firing.
        assert!(book.check(&[&[f(0, 0, -4), f(1, 0, 0)]]).ok());
    }

    #[test]
    fn whispers_must_reach_their_addressee_once() {
        let mut book = WhisperBook::default();
        book.add(0, 0, 1);
        book.add(0, 1, 2);
        book.add(2, 0, 0);
        let got0: [(u32, u64); 1] = [(2, 0)];
        let got1 = [(0, 0), (0, 0)];
        let got2 = [(0, 0)];
        let c = book.check(&[&got0, &got1, &got2]);
        assert_eq!(c.expected, 3);
        // (0, 1) never came; (0, 0) came twice to 1 and once to 2.
        assert_eq!((c.delivered, c.missing, c.wrong), (2, 1, 2));
        assert!(!book.all_delivered(&[&got0, &got1, &got2]));
        let got2 = [(0, 1)];
        assert!(book.all_delivered(&[&got0, &got1[..1], &got2]));
        assert_eq!(book.len(), 3);
    }

    #[test]
    fn each_run_of_dropped_lines_earns_one_warning() {
        // 20 through, the rest dropped: one warning.
        let first20: Vec<u32> = (0..20).collect();
        assert_eq!(expected_warnings(200, &first20), 1);
        // A token refilled mid-burst lets line 120 through and re-arms the warning.
        let mut refilled = first20.clone();
        refilled.push(120);
        assert_eq!(expected_warnings(200, &refilled), 2);
        // ... but not when it was the last line.
        let mut last = first20;
        last.push(199);
        assert_eq!(expected_warnings(200, &last), 1);
        assert_eq!(expected_warnings(5, &[0, 1, 2, 3, 4]), 0);
        assert_eq!(expected_warnings(3, &[]), 1);
        assert!(strictly_increasing(&[1, 2, 5]) && !strictly_increasing(&[1, 1]));
    }

    #[test]
    fn memory_is_summarised_from_start_to_end() {
        let s = |secs, mib: u64, threads| Sample {
            at: Duration::from_secs(secs),
            rss: mib << 20,
            anon: mib << 18,
            threads,
        };
        let samples = [s(0, 10, 13), s(30, 14, 53), s(60, 12, 33), s(90, 10, 13)];
        let m = MemorySummary::of(&samples).expect("samples");
        assert_eq!(
            (m.start, m.end, m.max_rss),
            (samples[0], samples[3], samples[1])
        );
        assert_eq!((m.max_threads, m.samples), (53, 4));
        assert!(m.end_within(10.0));
        let grown = MemorySummary::of(&[s(0, 10, 13), s(90, 12, 13)]).expect("samples");
        assert!(!grown.end_within(10.0));
        assert!(MemorySummary::of(&[]).is_none());
    }
}
