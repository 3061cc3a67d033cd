//! The pure parts of the soak's plan: the random source, the `/schedule` time, the
//! nicknames and the texts every kind of line carries (so receivers can tell them apart).

use std::time::Duration;

use time::OffsetDateTime;

/// A small deterministic random source (SplitMix64): enough to spread events, no
/// dependency, and the same `--seed` gives the same choices.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source seeded with `seed` and a stream number, so every thread draws its own.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `mean` seconds spread uniformly over `[mean / 2, 3 * mean / 2)`: events keep their
    /// average rate without falling into lock step.
    pub fn jittered(&mut self, mean: f64) -> Duration {
        Duration::try_from_secs_f64(mean * (0.5 + self.unit())).unwrap_or(Duration::ZERO)
    }
}

/// The UTC minute to schedule for at `now` with at least `lead` to go: the first whole minute
/// strictly after `now + lead`, so a 60 s lead gives a time 1 to 2 minutes ahead.
pub fn schedule_target(now: OffsetDateTime, lead: Duration) -> OffsetDateTime {
    let later = now.to_offset(time::UtcOffset::UTC) + lead;
    let minute_start = later
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(later);
    minute_start + time::Duration::minutes(1)
}

/// `target` as the explicit-offset `/schedule` time `HH:MMZ`.
pub fn hhmmz(target: OffsetDateTime) -> String {
    let t = target.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}Z", t.hour(), t.minute())
}

/// Who a nickname belongs to, given the run's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `<prefix>core<K>`: a long-lived member; K = 0 is the admin.
    Core(u32),
    /// `<prefix>churn<K>`: joins, chats a while and leaves (or is kicked).
    Churn(u64),
    /// `<prefix>flood<K>`: joins, floods once and quits.
    Flood(u64),
}

impl Role {
    /// The nickname for this role.
    pub fn nick(self, prefix: &str) -> String {
        match self {
            Role::Core(k) => format!("{prefix}core{k}"),
            Role::Churn(k) => format!("{prefix}churn{k}"),
            Role::Flood(k) => format!("{prefix}flood{k}"),
        }
    }

    /// The role a nickname names, if it is one of this run's.
    pub fn of(nick: &str, prefix: &str) -> Option<Role> {
        let rest = nick.strip_prefix(prefix)?;
        let number = |s: &str| -> Option<u64> {
            // "07" or "+7" would not round-trip to the same nickname.
            let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let canonical = s == "0" || !s.starts_with('0');
            (digits && canonical).then(|| s.parse().ok()).flatten()
        };
        if let Some(k) = rest.strip_prefix("core") {
            return number(k)
                .and_then(|k| u32::try_from(k).ok())
                .map(Role::Core);
        }
        if let Some(k) = rest.strip_prefix("churn") {
            return number(k).map(Role::Churn);
        }
        rest.strip_prefix("flood").and_then(number).map(Role::Flood)
    }
}

/// The text of whisper `n` from core member `from`: `w <from> <n>`.
pub fn whisper_text(from: u32, n: u64) -> String {
    format!("w {from} {n}")
}

/// The text of schedule `n` by core member `author`: `s <author> <n>`.
pub fn schedule_text(author: u32, n: u64) -> String {
    format!("s {author} {n}")
}

/// The text of line `i` of flood burst `k`: `f <k> <i>` (every line differs, so the
/// server's extra cost for repeated lines never applies).
pub fn flood_text(k: u64, i: u32) -> String {
    format!("f {k} {i}")
}

/// Parses `<tag> <a> <b>` as written by [`whisper_text`], [`schedule_text`] and
/// [`flood_text`].
pub fn parse_tagged(text: &str, tag: char) -> Option<(u64, u64)> {
    let mut words = text.split(' ');
    let mut first = words.next()?.chars();
    if first.next()? != tag || first.next().is_some() {
        return None;
    }
    let a = words.next()?.parse().ok()?;
    let b = words.next()?.parse().ok()?;
    words.next().is_none().then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_sixty_second_lead_gives_the_minute_one_to_two_minutes_ahead() {
        let lead = Duration::from_secs(60);
        for (now, want) in [
            (
                datetime!(2026-11-25 06:30:00 UTC),
                datetime!(2026-11-25 06:32:00 UTC),
            ),
            (
                datetime!(2026-11-25 06:30:00.001 UTC),
                datetime!(2026-11-25 06:32:00 UTC),
            ),
            (
                datetime!(2026-11-25 06:30:59.999 UTC),
                datetime!(2026-11-25 06:32:00 UTC),
            ),
            (
                datetime!(2026-11-25 23:58:30 UTC),
                datetime!(2026-11-26 00:00:00 UTC),
            ),
            (
                datetime!(2026-12-31 23:59:59 UTC),
                datetime!(2027-01-01 00:01:00 UTC),
            ),
        ] {
            let target = schedule_target(now, lead);
            assert_eq!(target, want, "{now}");
            let ahead = target - now;
            assert!(ahead > time::Duration::seconds(60), "{now}: {ahead}");
            assert!(ahead <= time::Duration::seconds(120), "{now}: {ahead}");
        }
    }

    #[test]
    fn the_target_is_computed_in_utc_whatever_the_input_offset() {
        let now = datetime!(2026-11-25 15:30:10 +09:00);
        let target = schedule_target(now, Duration::from_secs(60));
        assert_eq!(target, datetime!(2026-11-25 06:32:00 UTC));
        assert_eq!(hhmmz(target), "06:32Z");
        assert_eq!(hhmmz(datetime!(2026-11-26 00:00:00 UTC)), "00:00Z");
        // A one-second lead (the integration test's) still lands on a whole minute ahead.
        let t = schedule_target(datetime!(2026-11-25 06:30:55 UTC), Duration::from_secs(1));
        assert_eq!(t, datetime!(2026-11-25 06:31:00 UTC));
    }

    #[test]
    fn nicknames_round_trip_through_their_roles() {
        for role in [
            Role::Core(0),
            Role::Core(7),
            Role::Churn(123),
            Role::Flood(4),
        ] {
            assert_eq!(Role::of(&role.nick("load"), "load"), Some(role));
        }
        for nick in [
            "loadcore",
            "loadcore07",
            "loadcore-1",
            "loadchurnx",
            "other1",
            "load7",
        ] {
            assert_eq!(Role::of(nick, "load"), None, "{nick}");
        }
    }

    #[test]
    fn tagged_texts_parse_back_and_nothing_else_does() {
        assert_eq!(parse_tagged(&whisper_text(3, 41), 'w'), Some((3, 41)));
        assert_eq!(parse_tagged(&schedule_text(0, 2), 's'), Some((0, 2)));
        assert_eq!(parse_tagged(&flood_text(5, 199), 'f'), Some((5, 199)));
        for text in ["w 1", "w 1 2 3", "x 1 2", "ww 1 2", "w a 2", ""] {
            assert_eq!(parse_tagged(text, 'w'), None, "{text:?}");
        }
    }

    #[test]
    fn the_random_source_is_deterministic_and_in_range() {
        let mut a = Rng::new(42, 1);
        let mut b = Rng::new(42, 1);
        let mut c = Rng::new(42, 2);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        for _ in 0..1000 {
            assert!(a.below(7) < 7);
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
            let d = a.jittered(2.0).as_secs_f64();
            assert!((1.0..3.0).contains(&d), "{d}");
        }
        assert_eq!(a.below(0), 0);
    }
}
