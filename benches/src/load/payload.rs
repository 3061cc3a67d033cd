//! What one load line carries: sender index, sequence number and send time, padded to a
//! fixed size.

use std::time::Instant;

/// Smallest line size that holds every field at its widest.
pub const MIN_LINE_BYTES: usize = 56;

/// The fields of one load line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload {
    /// Index of the sending client (`loadK` sends `K`).
    pub sender: u32,
    /// The sender's line number, from 0.
    pub seq: u64,
    /// When the line was due to be sent, in nanoseconds since the run's [`Clock`] base.
    pub sent_ns: u64,
}

impl Payload {
    /// Appends the text of this payload, padded with `.` to `len` bytes, and an LF.
    pub fn write(&self, out: &mut Vec<u8>, len: usize) {
        use std::io::Write as _;
        let start = out.len();
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{} {} {} ", self.sender, self.seq, self.sent_ns);
        let written = out.len() - start;
        out.resize(start + len.max(written), b'.');
        out.push(b'\n');
    }

    /// Parses a line as a receiver gets it, `<prefix><K> >> <payload>` (LF already removed),
    /// checking that the nickname's index matches the payload's sender.
    pub fn parse_received(line: &[u8], nick_prefix: &str) -> Option<Payload> {
        let line = std::str::from_utf8(line).ok()?;
        let (nick, text) = line.split_once(" >> ")?;
        let index: u32 = nick.strip_prefix(nick_prefix)?.parse().ok()?;
        let payload = Payload::parse(text)?;
        (payload.sender == index).then_some(payload)
    }

    /// Parses an IRC line as a `--irc` receiver gets it,
    /// `:<prefix><K>!<user>@<host> PRIVMSG <channel> :<payload>` (LF removed, a CR is
    /// allowed), checking that the nickname's index matches the payload's sender.
    pub fn parse_irc(line: &[u8], nick_prefix: &str) -> Option<Payload> {
        let line = std::str::from_utf8(line).ok()?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (source, rest) = line.strip_prefix(':')?.split_once(' ')?;
        let nick = source.split_once('!').map_or(source, |(nick, _)| nick);
        let (_, text) = rest.strip_prefix("PRIVMSG ")?.split_once(" :")?;
        let index: u32 = nick.strip_prefix(nick_prefix)?.parse().ok()?;
        let payload = Payload::parse(text)?;
        (payload.sender == index).then_some(payload)
    }

    /// Parses the payload text written by [`Payload::write`].
    pub fn parse(text: &str) -> Option<Payload> {
        let mut fields = text.split(' ');
        let sender = fields.next()?.parse().ok()?;
        let seq = fields.next()?.parse().ok()?;
        let sent_ns = fields.next()?.parse().ok()?;
        let padding = fields.next()?;
        (fields.next().is_none() && padding.bytes().all(|b| b == b'.')).then_some(Payload {
            sender,
            seq,
            sent_ns,
        })
    }
}

/// The run's shared time base: every sender and receiver measures from the same instant.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Instant,
}

impl Clock {
    /// A clock whose zero is now.
    pub fn start() -> Clock {
        Clock {
            base: Instant::now(),
        }
    }

    /// Nanoseconds since the base.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The instant `ns` nanoseconds after the base.
    pub fn instant(&self, ns: u64) -> Instant {
        self.base + std::time::Duration::from_nanos(ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_payload_is_padded_and_parses_back() {
        let p = Payload {
            sender: 7,
            seq: 123_456,
            sent_ns: 9_876_543_210,
        };
        let mut out = b"load7 >> ".to_vec();
        p.write(&mut out, 64);
        assert_eq!(out.len(), 9 + 64 + 1);
        assert_eq!(out.last(), Some(&b'\n'));
        let line = &out[..out.len() - 1];
        assert_eq!(Payload::parse_received(line, "load"), Some(p));
    }

    #[test]
    fn widest_fields_fit_the_minimum_size() {
        let p = Payload {
            sender: u32::MAX,
            seq: u64::MAX,
            sent_ns: u64::MAX,
        };
        let mut out = Vec::new();
        p.write(&mut out, MIN_LINE_BYTES);
        assert_eq!(out.len(), MIN_LINE_BYTES + 1);
        let text = std::str::from_utf8(&out[..MIN_LINE_BYTES]).expect("ASCII");
        assert_eq!(Payload::parse(text), Some(p));
    }

    #[test]
    fn an_irc_privmsg_parses_and_other_irc_lines_do_not() {
        let line = b":load7!~load7@localhost PRIVMSG #load :7 12 345 ....\r";
        let p = Payload {
            sender: 7,
            seq: 12,
            sent_ns: 345,
        };
        assert_eq!(Payload::parse_irc(line, "load"), Some(p));
        for line in [
            &b":load6!~load6@localhost PRIVMSG #load :7 12 345 ....\r"[..],
            b":irc.local 366 load7 #load :End of NAMES list\r",
            b":load7!~load7@localhost JOIN :#load\r",
            b"PING :irc.local\r",
        ] {
            assert_eq!(Payload::parse_irc(line, "load"), None, "{line:?}");
        }
    }

    #[test]
    fn other_lines_do_not_parse() {
        for line in [
            &b"[Server]: load3 has joined the chat."[..],
            b"load3 >> 4 1 2 ....",
            b"load3 >> 3 1 ....",
            b"load3 >> 3 1 2 ..x.",
            b"other3 >> 3 1 2 ....",
            b"load3 >> 3 1 2 .... extra",
            b"load3 >> \xff",
        ] {
            assert_eq!(Payload::parse_received(line, "load"), None, "{line:?}");
        }
    }
}
