//! The pieces of a line's text: how a template (`"Bye, {nick}."`) is matched against a
//! received line, and the typed fields that fill its `{name}`s.

use std::fmt;

use time::UtcOffset;

use crate::command::Usage;
use crate::nickname::NickError;
use crate::roomname::RoomNameError;
use crate::timespec::{TimeSpecError, format_offset, parse_offset};

/// A value that fills a `{name}` of a template: written with `Display`, read back here.
pub(crate) trait Field<'a>: Sized {
    /// The value whose `Display` is exactly `s`, if any.
    fn parse(s: &'a str) -> Option<Self>;
}

/// Most `{name}`s in one template.
const MAX_FIELDS: usize = 6;

/// The text of each `{name}` of `template` in `s`, when `s` has the template's shape.
#[derive(Debug)]
pub(crate) struct Matched<'s> {
    found: [(&'static str, &'s str); MAX_FIELDS],
    len: usize,
}

impl<'s> Matched<'s> {
    /// Matches `s` against `template`. A field ends at the first occurrence of the literal
    /// text after it (so only the last field of a template may hold free text with that
    /// literal in it); the last field takes everything up to the template's final literal.
    pub(crate) fn new(template: &'static str, s: &'s str) -> Option<Matched<'s>> {
        let mut found = [("", ""); MAX_FIELDS];
        let mut len = 0;
        let (first, mut t) = literal(template);
        let mut rest = s.strip_prefix(first)?;
        while !t.is_empty() {
            let close = t.find('}')?;
            let name = &t[1..close];
            let (lit, after) = literal(&t[close + 1..]);
            t = after;
            let value = if t.is_empty() {
                let v = rest.strip_suffix(lit)?;
                rest = "";
                v
            } else {
                let at = rest.find(lit).filter(|_| !lit.is_empty())?;
                let v = &rest[..at];
                rest = &rest[at + lit.len()..];
                v
            };
            *found.get_mut(len)? = (name, value);
            len += 1;
        }
        rest.is_empty().then_some(Matched { found, len })
    }

    /// The text of field `name`; a name used twice must hold the same text both times.
    pub(crate) fn get(&self, name: &str) -> Option<&'s str> {
        let mut values = self.found[..self.len]
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| *v);
        let first = values.next()?;
        values.all(|v| v == first).then_some(first)
    }
}

/// Splits `t` into its leading literal text and the rest (from the next `{`).
fn literal(t: &'static str) -> (&'static str, &'static str) {
    t.split_at(t.find('{').unwrap_or(t.len()))
}

/// Free text: never empty (an empty field is never sent).
impl<'a> Field<'a> for &'a str {
    fn parse(s: &'a str) -> Option<Self> {
        (!s.is_empty()).then_some(s)
    }
}

macro_rules! number_field {
    ($($t:ty),*) => {$(
        impl Field<'_> for $t {
            fn parse(s: &str) -> Option<Self> {
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                s.parse().ok()
            }
        }
    )*};
}
number_field!(u32, u64, usize);

/// A UTC offset as `+09:00` (the server's offset for backlog times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset(pub UtcOffset);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_offset(self.0))
    }
}

impl Field<'_> for Offset {
    fn parse(s: &str) -> Option<Self> {
        (s != "Z").then(|| parse_offset(s).map(Offset)).flatten()
    }
}

/// How long a ban still holds, in whole minutes rounded up: `1 more minute`,
/// `9 more minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minutes(pub u64);

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 more minute"),
            n => write!(f, "{n} more minutes"),
        }
    }
}

impl Field<'_> for Minutes {
    fn parse(s: &str) -> Option<Self> {
        if s == "1 more minute" {
            return Some(Minutes(1));
        }
        let n: u64 = Field::parse(s.strip_suffix(" more minutes")?)?;
        (n != 1).then_some(Minutes(n))
    }
}

/// A nickname or a room name in a line: never empty, and never holding a space, `"`, `[`,
/// `]` or `>` (the rules of both allow only letters, digits, `_`, `-` and `.`), so a line's
/// free text can never be read as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name<'a>(pub &'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> Field<'a> for Name<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        let bad = |c: char| c.is_whitespace() || matches!(c, '"' | '[' | ']' | '>');
        (!s.is_empty() && !s.contains(bad)).then_some(Name(s))
    }
}

impl<'a> From<&'a crate::Nickname> for Name<'a> {
    fn from(n: &'a crate::Nickname) -> Self {
        Name(n.as_str())
    }
}

impl<'a> From<&'a crate::RoomName> for Name<'a> {
    fn from(n: &'a crate::RoomName) -> Self {
        Name(n.as_str())
    }
}

/// Who set a schedule: `Bob`, or `Bob (left)` once the author's connection has left (a
/// newcomer may hold the name by then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Author<'a> {
    /// The nickname the schedule was set under.
    pub nick: Name<'a>,
    /// Whether the author's connection has left since.
    pub left: bool,
}

impl fmt::Display for Author<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.nick.0)?;
        if self.left {
            f.write_str(" (left)")?;
        }
        Ok(())
    }
}

impl<'a> Field<'a> for Author<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        let (nick, left) = match s.strip_suffix(" (left)") {
            Some(nick) => (nick, true),
            None => (s, false),
        };
        Some(Author {
            nick: Field::parse(nick)?,
            left,
        })
    }
}

/// A kick's reason as it ends the kick line: nothing, or ` Reason: spam`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KickReason<'a>(pub Option<&'a str>);

impl fmt::Display for KickReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(reason) => write!(f, " Reason: {reason}"),
            None => Ok(()),
        }
    }
}

impl<'a> Field<'a> for KickReason<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        if s.is_empty() {
            return Some(KickReason(None));
        }
        let reason = s.strip_prefix(" Reason: ")?;
        (!reason.is_empty()).then_some(KickReason(Some(reason)))
    }
}

/// A delivery time `HH:MM` in the server's offset, stamped on a backlog line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Field<'_> for Stamp {
    fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let digit = |i: usize| b.get(i).filter(|c| c.is_ascii_digit()).map(|c| c - b'0');
        if b.len() != 5 || b[2] != b':' {
            return None;
        }
        let hour = digit(0)? * 10 + digit(1)?;
        let minute = digit(3)? * 10 + digit(4)?;
        (hour < 24 && minute < 60).then_some(Stamp { hour, minute })
    }
}

/// The lines of `/help`, in order.
pub const HELP: [&str; 19] = [
    "Commands (case does not matter):",
    "/rename <nickname> - change your nickname",
    "/whisper <nickname> <message> - send a private message (also /w)",
    "/me <action> - tell everyone what you do (* Alice waves)",
    "/schedule <HH:MM> <message> - send a message to everyone at that time (HH:MM, H:MM, HH:MM+09:00 or HH:MMZ)",
    "/schedules - list your pending schedules (the admin sees all of them)",
    "/unschedule <id> - cancel a schedule of yours (the admin: any)",
    "/kick <nickname> [reason] - remove a member and ban them for a while (admin only)",
    "/bans - list the room's bans (admin only)",
    "/unban <nickname> - lift a ban (admin only)",
    "/admin <nickname> - hand the admin role to a member (admin only)",
    "/notice [text | -] - show the room's notice; the admin sets it, or clears it with -",
    "/user - list the members",
    "/rooms - list the rooms",
    "/join <room> [code] - go to a room; a new name creates it, with you as its admin",
    "/code [code] - set the room's participation code, or clear it (admin only)",
    "/help - show this list",
    "/quit - leave the chat",
    "//text - send a message that starts with /",
];

/// One line of [`HELP`], by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpLine(pub usize);

impl fmt::Display for HelpLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HELP.get(self.0).copied().unwrap_or_default())
    }
}

impl Field<'_> for HelpLine {
    fn parse(s: &str) -> Option<Self> {
        HELP.iter().position(|l| *l == s).map(HelpLine)
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.syntax())
    }
}

impl Field<'_> for Usage {
    fn parse(s: &str) -> Option<Self> {
        Usage::ALL.into_iter().find(|u| u.syntax() == s)
    }
}

impl Field<'_> for NickError {
    fn parse(s: &str) -> Option<Self> {
        let reserved = s
            .strip_prefix("Nickname \"")
            .and_then(|r| r.strip_suffix("\" is reserved."))
            .map(|name| NickError::Reserved(name.to_owned()));
        [
            NickError::Empty,
            NickError::TooLong,
            NickError::InvalidChars,
            NickError::MixedScript,
        ]
        .into_iter()
        .chain(reserved)
        .find(|e| e.to_string() == s)
    }
}

impl Field<'_> for RoomNameError {
    fn parse(s: &str) -> Option<Self> {
        [
            RoomNameError::Length,
            RoomNameError::InvalidChars,
            RoomNameError::MixedScript,
        ]
        .into_iter()
        .find(|e| e.to_string() == s)
    }
}

impl Field<'_> for TimeSpecError {
    fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix("Invalid time \"")?;
        let input = rest.strip_suffix("\"; use HH:MM, HH:MM+09:00 or HH:MMZ.")?;
        Some(TimeSpecError::new(input)).filter(|e| e.to_string() == s)
    }
}
