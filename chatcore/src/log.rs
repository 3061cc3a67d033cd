//! Structured log records for `server.txt`: one per event, rendered as one safe text line.

use core::net::IpAddr;
use std::fmt;

use time::OffsetDateTime;

use crate::io::ClientId;
use crate::nickname::Nickname;
use crate::roomname::RoomName;

/// One line of the server log: when, and what happened.
///
/// `Display` renders `2026-11-25T06:30:00.000Z [lobby] chat Alice: Hello` (RFC 3339 UTC with
/// milliseconds, the room in brackets when the event happened in one, an event kind, the
/// names, the sanitised text); a server-wide record has no room:
/// `2026-11-25T06:30:00.000Z connect c1 from 192.0.2.1`. Every text field has been
/// sanitised before it got here, so a rendered record never holds a control character or a
/// line break and cannot forge another entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogRecord {
    /// Wall time of the event (UTC).
    pub at: OffsetDateTime,
    /// The room it happened in; `None` for what concerns the whole server (connections,
    /// admission, start and shutdown).
    pub room: Option<RoomName>,
    /// What happened.
    pub event: Event,
}

impl LogRecord {
    /// A record of `event` at `at`, in `room` if it happened in one.
    pub fn new(at: OffsetDateTime, room: Option<RoomName>, event: Event) -> Self {
        LogRecord { at, room, event }
    }

    /// The record without its timestamp: `[lobby] chat Alice: Hello`.
    pub fn body(&self) -> impl fmt::Display + '_ {
        Body(self)
    }
}

struct Body<'a>(&'a LogRecord);

impl fmt::Display for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(room) = &self.0.room {
            f.write_str("[")?;
            f.write_str(room.as_str())?;
            f.write_str("] ")?;
        }
        self.0.event.fmt(f)
    }
}

/// Why a member left the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaveCause {
    /// It sent `/quit`.
    Quit,
    /// The connection closed or failed (the transport's cause).
    Disconnected(crate::io::DisconnectCause),
    /// The server shut down.
    Shutdown,
    /// It went to another room with `/join`.
    Moved,
}

/// Every kind of event the server logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server started.
    Start {
        /// The capacity of each room.
        capacity: usize,
    },
    /// A room was created: the default room at start (`by` is `None`), any other by `/join`.
    RoomCreated {
        /// The member who created it.
        by: Option<Nickname>,
        /// Whether it was created with a participation code (never the code itself).
        code: bool,
    },
    /// An idle room was removed after the room ttl.
    RoomRemoved,
    /// The admin set or cleared the room's participation code (never the code itself).
    Code {
        /// The admin.
        nick: Nickname,
        /// `true` when set, `false` when cleared.
        set: bool,
    },
    /// A connection arrived.
    Connect {
        /// Its id.
        id: ClientId,
        /// Its address, if known.
        peer: Option<IpAddr>,
    },
    /// A connection was turned away or closed before joining; `reason` is what it was told.
    Refused {
        /// Its id.
        id: ClientId,
        /// The reply it got, without the `[Server]: ` prefix.
        reason: String,
    },
    /// A connection without a nickname went away.
    Abandoned {
        /// Its id.
        id: ClientId,
    },
    /// A member joined.
    Join {
        /// Its connection.
        id: ClientId,
        /// Its nickname.
        nick: Nickname,
    },
    /// A member left.
    Leave {
        /// Its nickname.
        nick: Nickname,
        /// Why.
        cause: LeaveCause,
    },
    /// The admin role moved to another member.
    Admin {
        /// The new admin.
        nick: Nickname,
    },
    /// A chat line was broadcast.
    Chat {
        /// The sender.
        nick: Nickname,
        /// The sanitised text.
        text: String,
    },
    /// An action line (`/me`) was broadcast.
    Action {
        /// The sender.
        nick: Nickname,
        /// The sanitised text.
        text: String,
    },
    /// The admin set (`Some`) or cleared (`None`) the room's notice.
    Notice {
        /// The admin.
        by: Nickname,
        /// The sanitised text, `None` when cleared.
        text: Option<String>,
    },
    /// A member renamed itself.
    Rename {
        /// The old nickname.
        from: Nickname,
        /// The new nickname.
        to: Nickname,
    },
    /// A whisper was delivered.
    Whisper {
        /// The sender.
        from: Nickname,
        /// The recipient.
        to: Nickname,
        /// The sanitised text.
        text: String,
    },
    /// A message was scheduled.
    Scheduled {
        /// The room-wide schedule number.
        seq: u64,
        /// The author.
        nick: Nickname,
        /// When it fires, in the offset it was asked in.
        due: OffsetDateTime,
        /// The sanitised text.
        text: String,
    },
    /// A scheduled message fired.
    Fired {
        /// The schedule number.
        seq: u64,
        /// The author's nickname at scheduling time.
        nick: Nickname,
        /// The text delivered.
        text: String,
    },
    /// A scheduled message was cancelled because its author was kicked.
    Cancelled {
        /// The schedule number.
        seq: u64,
        /// The author.
        nick: Nickname,
    },
    /// A scheduled message was cancelled with `/unschedule`.
    Unscheduled {
        /// The schedule number.
        seq: u64,
        /// Its author's nickname at scheduling time.
        nick: Nickname,
        /// Who cancelled it (the author or the admin).
        by: Nickname,
    },
    /// The admin kicked a member.
    Kick {
        /// The admin.
        by: Nickname,
        /// The kicked member.
        nick: Nickname,
        /// The sanitised reason, empty if none was given.
        reason: String,
    },
    /// The admin lifted a kick ban.
    Unban {
        /// The admin.
        by: Nickname,
        /// The nickname the ban was on.
        nick: Nickname,
    },
    /// A member ran a command that changes nothing (`/user`, `/help`).
    Command {
        /// The member.
        nick: Nickname,
        /// The command name with its slash.
        command: &'static str,
    },
    /// A line or command from a connection was refused; `reason` is the reply it got.
    Rejected {
        /// The connection.
        id: ClientId,
        /// Its nickname, if it had joined.
        nick: Option<Nickname>,
        /// The reply, without the `[Server]: ` prefix.
        reason: String,
    },
    /// Refusals of a connection still choosing a nickname that were not logged one by one
    /// (past its first few), logged once when it joins or closes.
    RejectedMore {
        /// The connection.
        id: ClientId,
        /// How many refusals were not logged.
        count: u32,
    },
    /// Records of connections that had not joined, from one address, that were not written
    /// because the address used up its budget for the minute (§6).
    Unwritten {
        /// The address (an IPv6 /64 as its prefix); `None` for the budget shared by many
        /// addresses once too many are tracked.
        from: Option<IpAddr>,
        /// How many records were not written.
        count: u64,
    },
    /// Records the server could not keep for its log, which was blocked or too slow, logged
    /// once the log takes records again (§6). Not produced by the room: a transport whose
    /// log buffer overflowed writes it.
    Lost {
        /// How many records were lost.
        count: u64,
    },
    /// The hall was rebuilt from the durable state at start ([`crate::Hall::restore`]).
    Restored {
        /// Rooms restored (the default room counted when it was kept).
        rooms: usize,
        /// Pending schedules restored (those firing late at once included).
        schedules: usize,
    },
    /// A restored schedule fell due longer than `Config::late_limit` ago while the server
    /// was down: dropped, not fired.
    TooLate {
        /// The schedule number.
        seq: u64,
        /// The author's nickname at scheduling time.
        nick: Nickname,
        /// How late it was, in whole minutes.
        minutes: u64,
        /// The text that was not delivered.
        text: String,
    },
    /// Durable changes could not be saved (disk full, I/O error); the chat goes on. Not
    /// produced by the hall: the runtime that commits writes it, once until saving works
    /// again.
    NotSaved {
        /// What the store said.
        error: String,
    },
    /// Saving works again after [`Event::NotSaved`].
    SavedAgain,
    /// The operator had the TLS certificate and key read again (SIGHUP in `chat-tcp`). Not
    /// produced by the hall: the transport that holds the certificate writes it.
    TlsReload {
        /// Why the new pair was refused (the one in force stays); `None` when it was put in
        /// force for new connections.
        error: Option<String>,
    },
    /// The flood limiter dropped lines of one burst.
    Flood {
        /// The member.
        nick: Nickname,
        /// How many lines were dropped.
        dropped: u32,
    },
    /// The server shut down with this many members in the room.
    Shutdown {
        /// Members at the time.
        members: usize,
    },
}

impl Event {
    /// The connection a record is about if it comes before that connection joined (its
    /// connect, refusals and goodbye), so the record counts against its address's budget.
    pub fn before_joining(&self) -> Option<ClientId> {
        match self {
            Event::Connect { id, .. }
            | Event::Refused { id, .. }
            | Event::Abandoned { id }
            | Event::RejectedMore { id, .. }
            | Event::Rejected { id, nick: None, .. } => Some(*id),
            _ => None,
        }
    }
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.at.to_offset(time::UtcOffset::UTC);
        if (0..=9999).contains(&t.year()) {
            // Digits by hand: the server formats one of these per chat line.
            let mut stamp = *b"0000-00-00T00:00:00.000Z ";
            for (at, width, value) in [
                (0, 4, t.year() as u32),
                (5, 2, u32::from(u8::from(t.month()))),
                (8, 2, u32::from(t.day())),
                (11, 2, u32::from(t.hour())),
                (14, 2, u32::from(t.minute())),
                (17, 2, u32::from(t.second())),
                (20, 3, u32::from(t.millisecond())),
            ] {
                let mut value = value;
                for digit in stamp[at..at + width].iter_mut().rev() {
                    *digit = b'0' + (value % 10) as u8;
                    value /= 10;
                }
            }
            f.write_str(core::str::from_utf8(&stamp).map_err(|_| fmt::Error)?)?;
        } else {
            write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z ",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )?;
        }
        self.body().fmt(f)
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Start { capacity } => write!(f, "start capacity {capacity}"),
            Event::RoomCreated { by: None, .. } => write!(f, "room created"),
            Event::RoomCreated {
                by: Some(nick),
                code,
            } => {
                let with = if *code { " with a code" } else { "" };
                write!(f, "room created by {nick}{with}")
            }
            Event::RoomRemoved => write!(f, "room removed"),
            Event::Code { nick, set: true } => write!(f, "code set by {nick}"),
            Event::Code { nick, set: false } => write!(f, "code cleared by {nick}"),
            Event::Connect { id, peer: Some(p) } => write!(f, "connect {id} from {p}"),
            Event::Connect { id, peer: None } => write!(f, "connect {id}"),
            Event::Refused { id, reason } => write!(f, "refused {id}: {reason}"),
            Event::Abandoned { id } => write!(f, "abandoned {id}"),
            Event::Join { id, nick } => write!(f, "join {nick} ({id})"),
            Event::Leave { nick, cause } => match cause {
                LeaveCause::Quit => write!(f, "leave {nick} quit"),
                LeaveCause::Disconnected(c) => write!(f, "leave {nick} {}", c.as_str()),
                LeaveCause::Shutdown => write!(f, "leave {nick} shutdown"),
                LeaveCause::Moved => write!(f, "leave {nick} moved"),
            },
            Event::Admin { nick } => write!(f, "admin {nick}"),
            Event::Chat { nick, text } => {
                // The most frequent record: pieces, not a format string.
                f.write_str("chat ")?;
                f.write_str(nick.as_str())?;
                f.write_str(": ")?;
                f.write_str(text)
            }
            Event::Action { nick, text } => write!(f, "me {nick}: {text}"),
            Event::Notice { by, text: Some(t) } => write!(f, "notice {by}: {t}"),
            Event::Notice { by, text: None } => write!(f, "notice {by} cleared"),
            Event::Rename { from, to } => write!(f, "rename {from} -> {to}"),
            Event::Whisper { from, to, text } => write!(f, "whisper {from} -> {to}: {text}"),
            Event::Scheduled {
                seq,
                nick,
                due,
                text,
            } => {
                let off = crate::timespec::format_offset(due.offset());
                write!(
                    f,
                    "schedule #{seq} {nick} {}-{:02}-{:02}T{:02}:{:02}{off}: {text}",
                    due.year(),
                    u8::from(due.month()),
                    due.day(),
                    due.hour(),
                    due.minute()
                )
            }
            Event::Fired { seq, nick, text } => write!(f, "fired #{seq} {nick}: {text}"),
            Event::Cancelled { seq, nick } => write!(f, "cancel #{seq} {nick} kicked"),
            Event::Unscheduled { seq, nick, by } => write!(f, "unschedule #{seq} {nick} by {by}"),
            Event::Kick { by, nick, reason } if reason.is_empty() => {
                write!(f, "kick {by} -> {nick}")
            }
            Event::Kick { by, nick, reason } => write!(f, "kick {by} -> {nick}: {reason}"),
            Event::Unban { by, nick } => write!(f, "unban {by} -> {nick}"),
            Event::Rejected {
                id,
                nick: Some(n),
                reason,
            } => {
                write!(f, "rejected {n} ({id}): {reason}")
            }
            Event::Rejected {
                id,
                nick: None,
                reason,
            } => write!(f, "rejected {id}: {reason}"),
            Event::RejectedMore { id, count: 1 } => {
                write!(f, "rejected {id}: 1 more refused nickname")
            }
            Event::RejectedMore { id, count } => {
                write!(f, "rejected {id}: {count} more refused nicknames")
            }
            Event::Unwritten {
                from: Some(ip),
                count,
            } => write!(
                f,
                "unwritten {count} records of connections from {ip} that had not joined"
            ),
            Event::Unwritten { from: None, count } => write!(
                f,
                "unwritten {count} records of connections from many addresses that had not joined"
            ),
            Event::Lost { count } => {
                write!(f, "lost {count} records: the log could not keep up")
            }
            Event::TlsReload { error: None } => write!(f, "tls certificate reloaded"),
            Event::TlsReload { error: Some(e) } => {
                // Operator text (paths, rustls's reason), kept on one line.
                let e: String = e.chars().filter(|c| !c.is_control()).collect();
                write!(
                    f,
                    "tls certificate not reloaded, the one in force stays: {e}"
                )
            }
            Event::Command { nick, command } => write!(f, "command {nick} {command}"),
            Event::Restored { rooms, schedules } => {
                let (r, s) = (plural(*rooms), plural(*schedules));
                write!(f, "restored {rooms} room{r} and {schedules} schedule{s}")
            }
            Event::TooLate {
                seq,
                nick,
                minutes,
                text,
            } => write!(
                f,
                "dropped #{seq} {nick}: {minutes} min late, over the late limit: {text}"
            ),
            Event::NotSaved { error } => {
                write!(f, "not saved: {error}; the chat goes on")
            }
            Event::SavedAgain => write!(f, "saving works again"),
            Event::Flood { nick, dropped } => write!(f, "flood {nick} dropped {dropped} lines"),
            Event::Shutdown { members: 1 } => write!(f, "shutdown with 1 member"),
            Event::Shutdown { members } => write!(f, "shutdown with {members} members"),
        }
    }
}

/// `"s"` unless `n` is 1.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timestamp_is_rfc3339_utc_with_padded_fields_and_milliseconds() {
        let record = |at: OffsetDateTime| LogRecord::new(at, None, Event::SavedAgain).to_string();
        let at = time::macros::datetime!(0987-01-02 03:04:05.006 +09:00);
        assert_eq!(record(at), "0987-01-01T18:04:05.006Z saving works again");
        let at = time::macros::datetime!(2026-12-31 23:59:59.999 UTC);
        assert_eq!(record(at), "2026-12-31T23:59:59.999Z saving works again");
        let at = time::macros::datetime!(-0001-01-01 00:00 UTC);
        assert_eq!(record(at), "-001-01-01T00:00:00.000Z saving works again");
    }
}
