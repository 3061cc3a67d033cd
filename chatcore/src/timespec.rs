//! The `/schedule` time argument (`HH:MM`, `HH:MMZ`, `HH:MM+09:00`) and its next occurrence.

use std::fmt;

use time::{Duration, OffsetDateTime, Time, UtcOffset};

/// The error echoes the user's text back; a cap keeps a pasted essay out of the reply.
const MAX_ECHO_CHARS: usize = 16;

/// A parsed `/schedule` time: a wall-clock time of day, with the offset if the user named one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSpec {
    /// Time of day; seconds and nanoseconds are zero when it comes from [`TimeSpec::parse`].
    pub time: Time,
    /// The offset the user named (`Z` is `+00:00`), or `None` to use the caller's default.
    pub offset: Option<UtcOffset>,
}

/// Why a time argument was refused; holds the offending text truncated to 16 chars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeSpecError(String);

impl TimeSpecError {
    pub(crate) fn new(input: &str) -> Self {
        // Counting chars, not bytes, so truncation never splits a multi-byte character.
        Self(input.chars().take(MAX_ECHO_CHARS).collect())
    }

    /// The offending input as it will be echoed (at most 16 chars).
    #[must_use]
    pub fn input(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TimeSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Invalid time \"{}\"; use HH:MM, HH:MM+09:00 or HH:MMZ.",
            self.0
        )
    }
}

impl std::error::Error for TimeSpecError {}

impl TimeSpec {
    /// Parses `H:MM` / `HH:MM` (24 h), optionally followed by `Z`, `z`, `+HH:MM` or `-HH:MM`.
    ///
    /// Only ASCII digits are accepted; minutes and both offset fields need exactly two digits.
    ///
    /// # Errors
    ///
    /// [`TimeSpecError`] for anything else, including out-of-range hours, minutes or offsets.
    pub fn parse(s: &str) -> Result<TimeSpec, TimeSpecError> {
        parse_bytes(s.as_bytes()).ok_or_else(|| TimeSpecError::new(s))
    }

    /// The next occurrence of this time of day strictly after `now`, in `self.offset` or else
    /// `default_offset`.
    ///
    /// The result always lies in `(now, now + 24h]` and carries that offset, so it formats as
    /// local time.
    #[must_use]
    pub fn next_after(&self, now: OffsetDateTime, default_offset: UtcOffset) -> OffsetDateTime {
        let offset = self.offset.unwrap_or(default_offset);
        // Only fails within a day of the representable range; staying put beats panicking.
        let local = now.checked_to_offset(offset).unwrap_or(now);
        let candidate = local.replace_time(self.time);
        if candidate > now {
            candidate
        } else {
            // Fixed offsets have no DST, so one calendar day is exactly 24 h.
            candidate.saturating_add(Duration::DAY)
        }
    }
}

fn parse_bytes(b: &[u8]) -> Option<TimeSpec> {
    let (hour, rest) = match b {
        [h, b':', rest @ ..] => (digit(*h)?, rest),
        [h1, h2, b':', rest @ ..] => (two_digits(*h1, *h2)?, rest),
        _ => return None,
    };
    let (minute, rest) = match rest {
        [m1, m2, rest @ ..] => (two_digits(*m1, *m2)?, rest),
        _ => return None,
    };
    let offset = match rest {
        [] => None,
        rest => Some(parse_offset_bytes(rest)?),
    };
    // `Time::from_hms` rejects 24:00 and minute 60 for us.
    let time = Time::from_hms(hour, minute, 0).ok()?;
    Some(TimeSpec { time, offset })
}

/// Parses an offset as `/schedule` and the programs' `--utc-offset` flags accept it:
/// `+09:00`, `-05:30` (hours up to 23, two digits each) or `Z`.
#[must_use]
pub fn parse_offset(s: &str) -> Option<UtcOffset> {
    parse_offset_bytes(s.as_bytes())
}

fn parse_offset_bytes(b: &[u8]) -> Option<UtcOffset> {
    match b {
        [b'Z' | b'z'] => Some(UtcOffset::UTC),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = i8::try_from(two_digits(*h1, *h2)?).ok()?;
            let minutes = i8::try_from(two_digits(*m1, *m2)?).ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            // `UtcOffset` wants every component to carry the sign.
            let (hours, minutes) = if *sign == b'-' {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            UtcOffset::from_hms(hours, minutes, 0).ok()
        }
        _ => None,
    }
}

fn digit(c: u8) -> Option<u8> {
    c.is_ascii_digit().then(|| c - b'0')
}

fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    Some(digit(tens)? * 10 + digit(ones)?)
}

/// Formats an offset as `+09:00` / `-05:00` / `+00:00` (seconds, if any, are dropped).
#[must_use]
pub fn format_offset(offset: UtcOffset) -> String {
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "{sign}{:02}:{:02}",
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs()
    )
}

/// Formats a wait as `2h 05m`, or `31m` under an hour, rounding seconds up to the next
/// minute (30 s -> `1m`, exactly 24 h -> `24h 00m`); negative waits format as `0m`.
#[must_use]
pub fn format_wait(wait: Duration) -> String {
    // Rounding up so a pending wait never reads as "0m", i.e. as already due.
    let whole = u64::try_from(wait.whole_seconds()).unwrap_or(0);
    let secs = if wait.subsec_nanoseconds() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    };
    let minutes = secs.div_ceil(60);
    match minutes / 60 {
        0 => format!("{minutes}m"),
        hours => format!("{hours}h {:02}m", minutes % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset, time};

    type R = Result<(), TimeSpecError>;

    fn ok(s: &str, time: Time, offset: Option<UtcOffset>) {
        assert_eq!(TimeSpec::parse(s), Ok(TimeSpec { time, offset }), "{s:?}");
    }

    fn next(
        spec: &str,
        now: OffsetDateTime,
        default: UtcOffset,
    ) -> Result<OffsetDateTime, TimeSpecError> {
        Ok(TimeSpec::parse(spec)?.next_after(now, default))
    }

    #[test]
    fn parses_accepted_forms() {
        ok("09:05", time!(9:05), None);
        ok("9:05", time!(9:05), None);
        ok("0:00", time!(0:00), None);
        ok("00:00", time!(0:00), None);
        ok("23:59", time!(23:59), None);
        ok("12:30Z", time!(12:30), Some(UtcOffset::UTC));
        ok("12:30z", time!(12:30), Some(UtcOffset::UTC));
        ok("15:30+09:00", time!(15:30), Some(offset!(+9)));
        ok("7:15-05:00", time!(7:15), Some(offset!(-5)));
        ok("7:15+05:30", time!(7:15), Some(offset!(+5:30)));
        ok("7:15-03:30", time!(7:15), Some(offset!(-3:30)));
        ok("7:15+00:00", time!(7:15), Some(UtcOffset::UTC));
        ok("7:15-00:00", time!(7:15), Some(UtcOffset::UTC));
        ok("7:15+23:59", time!(7:15), Some(offset!(+23:59)));
        ok("7:15-23:59", time!(7:15), Some(offset!(-23:59)));
    }

    #[test]
    fn rejects_everything_else() {
        for s in [
            "",
            "12",
            "12:",
            ":30",
            "12:3",
            "7:5",
            "012:30",
            "24:00",
            "23:60",
            "-1:00",
            "12:30:00",
            " 12:30",
            "12:30 ",
            "12 :30",
            "12:30+9",
            "12:30+9:00",
            "12:30+09:0",
            "12:30+0900",
            "12:30 +09:00",
            "12:30Z+09:00",
            "12:30ZZ",
            "12:30UTC",
            "12:30+24:00",
            "12:30+09:60",
            "12:30-24:00",
            "12:30x",
            "１２:００",
            "12:３0",
            "+1:00",
            "1a:00",
        ] {
            let err = TimeSpec::parse(s);
            assert_eq!(err, Err(TimeSpecError::new(s)), "{s:?} should be rejected");
        }
    }

    #[test]
    fn error_display_and_truncation() {
        let err = TimeSpec::parse("25:00").err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("Invalid time \"25:00\"; use HH:MM, HH:MM+09:00 or HH:MMZ.")
        );
        let long = "안녕하세요여러분오늘도좋은하루되세요감사합니다";
        assert!(long.chars().count() > 16);
        let err = TimeSpec::parse(long).err();
        assert_eq!(
            err.as_ref().map(TimeSpecError::input),
            Some("안녕하세요여러분오늘도좋은하루되")
        );
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some(
                "Invalid time \"안녕하세요여러분오늘도좋은하루되\"; use HH:MM, HH:MM+09:00 or HH:MMZ."
            )
        );
    }

    #[test]
    fn next_after_one_second_later() -> R {
        let now = datetime!(2026-11-25 06:29:59 UTC);
        let at = next("15:30+09:00", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-25 15:30 +09:00));
        assert_eq!(at.offset(), offset!(+9));
        assert_eq!(at - now, Duration::SECOND);
        Ok(())
    }

    #[test]
    fn next_after_is_strict() -> R {
        let now = datetime!(2026-11-25 06:30:00 UTC);
        let at = next("15:30+09:00", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-26 15:30 +09:00));
        assert_eq!(at - now, Duration::DAY);
        Ok(())
    }

    #[test]
    fn next_after_across_midnight() -> R {
        let now = datetime!(2026-11-25 23:59 UTC);
        let at = next("00:00Z", now, offset!(+9))?;
        assert_eq!(at, datetime!(2026-11-26 00:00 UTC));
        assert_eq!(at - now, Duration::MINUTE);

        let now = datetime!(2026-11-25 23:59:30 UTC);
        let at = next("23:59Z", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-26 23:59 UTC));
        assert_eq!(at - now, Duration::DAY - Duration::seconds(30));
        Ok(())
    }

    #[test]
    fn next_after_negative_offset() -> R {
        let now = datetime!(2026-11-25 12:00 UTC);
        let at = next("6:00-05:00", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-26 06:00 -05:00));
        assert_eq!(at - now, Duration::hours(23));
        let at = next("8:00-05:00", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-25 08:00 -05:00));
        assert_eq!(at - now, Duration::hours(1));
        Ok(())
    }

    #[test]
    fn next_after_date_change_in_offset() -> R {
        let now = datetime!(2026-11-25 20:00 UTC);
        let at = next("08:00+09:00", now, UtcOffset::UTC)?;
        assert_eq!(at, datetime!(2026-11-26 08:00 +09:00));
        assert_eq!(at, datetime!(2026-11-25 23:00 UTC));
        Ok(())
    }

    #[test]
    fn next_after_uses_default_offset() -> R {
        let now = datetime!(2026-11-25 06:29:59 UTC);
        let at = next("15:30", now, offset!(+9))?;
        assert_eq!(at, datetime!(2026-11-25 15:30 +09:00));
        assert_eq!(at.offset(), offset!(+9));
        let at = next("15:30Z", now, offset!(+9))?;
        assert_eq!(at, datetime!(2026-11-25 15:30 UTC));
        Ok(())
    }

    #[test]
    fn next_after_always_within_a_day() {
        let day = datetime!(2026-11-25 00:00 UTC);
        let offsets = [
            offset!(-12),
            offset!(-5),
            offset!(-3:30),
            UtcOffset::UTC,
            offset!(+5:45),
            offset!(+9),
            offset!(+14),
        ];
        for offset in offsets {
            for spec_min in (0..1440).step_by(37).chain([0, 1439]) {
                let spec = TimeSpec {
                    time: Time::MIDNIGHT + Duration::minutes(spec_min),
                    offset: Some(offset),
                };
                for now_min in 0..1440 {
                    for now_sec in [0, 59] {
                        let now = day + Duration::minutes(now_min) + Duration::seconds(now_sec);
                        let at = spec.next_after(now, offset!(+1));
                        assert!(
                            at > now && at - now <= Duration::DAY,
                            "{spec:?} after {now}: {at}"
                        );
                        assert_eq!(at.offset(), offset);
                        assert_eq!(at.time(), spec.time);
                    }
                }
            }
        }
    }

    #[test]
    fn formats_offsets() {
        assert_eq!(format_offset(offset!(+9)), "+09:00");
        assert_eq!(format_offset(offset!(-5)), "-05:00");
        assert_eq!(format_offset(UtcOffset::UTC), "+00:00");
        assert_eq!(format_offset(offset!(+5:30)), "+05:30");
        assert_eq!(format_offset(offset!(-0:30)), "-00:30");
        assert_eq!(format_offset(offset!(-23:59)), "-23:59");
    }

    #[test]
    fn parses_offsets_alone() {
        assert_eq!(parse_offset("+09:00"), Some(offset!(+9)));
        assert_eq!(parse_offset("-05:30"), Some(offset!(-5:30)));
        assert_eq!(parse_offset("Z"), Some(UtcOffset::UTC));
        for bad in ["", "9", "+9:00", "+24:00", "+09:60", "UTC", "+09:00 "] {
            assert_eq!(parse_offset(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_waits() {
        assert_eq!(
            format_wait(Duration::hours(2) + Duration::minutes(5)),
            "2h 05m"
        );
        assert_eq!(format_wait(Duration::seconds(30)), "1m");
        assert_eq!(format_wait(Duration::seconds(1)), "1m");
        assert_eq!(format_wait(Duration::nanoseconds(1)), "1m");
        assert_eq!(format_wait(Duration::seconds(60)), "1m");
        assert_eq!(format_wait(Duration::seconds(61)), "2m");
        assert_eq!(
            format_wait(Duration::minutes(59) + Duration::milliseconds(1)),
            "1h 00m"
        );
        assert_eq!(format_wait(Duration::DAY), "24h 00m");
        assert_eq!(
            format_wait(Duration::DAY - Duration::seconds(30)),
            "24h 00m"
        );
        assert_eq!(format_wait(Duration::ZERO), "0m");
        assert_eq!(format_wait(Duration::seconds(-90)), "0m");
    }
}
