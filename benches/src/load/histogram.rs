//! A log-linear histogram of nanosecond latencies: constant memory, about 3 % resolution.

/// Sub-buckets per power of two, as a power of two: 32 sub-buckets, so a recorded value is
/// reported within 1/32 (3.1 %) above its true value.
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
/// Values below `SUB` get one bucket each; each power of two above gets `SUB` buckets.
const BUCKETS: usize = ((64 - SUB_BITS + 1) * (1 << SUB_BITS)) as usize;

/// Counts of values by bucket, with the exact maximum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn index(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BITS;
    let mantissa = (v >> shift) - SUB;
    ((u64::from(shift) + 1) * SUB + mantissa) as usize
}

/// The largest value that falls in bucket `i`.
fn upper(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = i / SUB - 1;
    let low = (SUB + i % SUB) << shift;
    low + ((1u64 << shift) - 1)
}

impl Histogram {
    /// Records one value.
    pub fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// Number of values recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The exact largest value, if any.
    pub fn max(&self) -> Option<u64> {
        (self.total > 0).then_some(self.max)
    }

    /// The value at quantile `q` (0..=1): at least that share of values are at or below it.
    /// Reported as its bucket's upper bound (never above the maximum), so never too low.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(upper(i).min(self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::default();
        for v in 0..SUB {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(15));
        assert_eq!(h.quantile(0.0), Some(0));
        assert_eq!(h.quantile(1.0), Some(31));
    }

    #[test]
    fn every_value_lands_in_a_bucket_that_bounds_it_tightly() {
        let mut v = 1u64;
        while v < u64::MAX / 3 {
            for x in [v, v + 1, v * 3 / 2, v * 2 - 1] {
                let i = index(x);
                assert!(i < BUCKETS);
                let hi = upper(i);
                assert!(hi >= x, "{x} -> {hi}");
                assert!(hi - x <= x / SUB, "{x} -> {hi}");
                assert!(i == 0 || upper(i - 1) < x, "{x} in the wrong bucket");
            }
            v = v * 2 + 1;
        }
        assert!(index(u64::MAX) < BUCKETS);
        assert_eq!(upper(index(u64::MAX)), u64::MAX);
    }

    #[test]
    fn quantiles_of_a_uniform_spread() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1_000);
        }
        let p50 = h.quantile(0.5).expect("values");
        let p99 = h.quantile(0.99).expect("values");
        assert!(
            (50_000_000..=50_000_000 + 50_000_000 / 32).contains(&p50),
            "{p50}"
        );
        assert!(
            (99_000_000..=99_000_000 + 99_000_000 / 32).contains(&p99),
            "{p99}"
        );
        assert_eq!(h.max(), Some(100_000_000));
        assert_eq!(h.quantile(1.0), Some(100_000_000));
    }

    #[test]
    fn merge_adds_counts() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        a.record(10);
        b.record(1_000_000);
        b.record(20);
        a.merge(&b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.max(), Some(1_000_000));
        assert_eq!(a.quantile(0.5), Some(20));
        assert!(Histogram::default().quantile(0.5).is_none());
    }
}
