//! Durable changes (PROTOCOL.md §10) the hall reports as [`crate::Action::Persist`].
//!
//! The hall stays pure: it never writes a file. It reports each change to what a restart
//! must keep, in the order it made them, and always *before* the confirmation line that
//! depends on it, so a runtime that commits whatever it was handed before it sends the
//! next line never confirms something that a crash could lose.

use core::net::IpAddr;

use time::OffsetDateTime;

use crate::nickname::Nickname;
use crate::roomname::RoomName;

/// One change to the durable state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A room was created (the default room at start, or by `/join`).
    RoomCreated {
        /// Its name.
        room: RoomName,
        /// Its capacity.
        capacity: usize,
        /// Its participation code, if created with one.
        code: Option<String>,
    },
    /// An idle room was removed, with its notice, code, bans and backlog.
    RoomRemoved {
        /// Its name.
        room: RoomName,
    },
    /// A `/schedule` was set.
    ScheduleAdded {
        /// Its id, unique on the server for the life of its state.
        id: u64,
        /// The room it fires in.
        room: RoomName,
        /// The author's nickname when it was set.
        author: Nickname,
        /// When it fires, in the offset it was asked in.
        due: OffsetDateTime,
        /// The sanitised text.
        text: String,
        /// The next id the hall will hand out: the store keeps it so ids never repeat.
        next_id: u64,
    },
    /// A schedule left the pending set.
    ScheduleRemoved {
        /// Its id.
        id: u64,
        /// Why.
        why: Removed,
    },
    /// `/notice` set or cleared a room's notice.
    NoticeSet {
        /// The room.
        room: RoomName,
        /// The sanitised notice, `None` when cleared.
        notice: Option<String>,
    },
    /// A kick banned a nickname (and an address) from a room, replacing an earlier ban of
    /// the same nickname key.
    BanAdded {
        /// The room.
        room: RoomName,
        /// The banned nickname.
        nick: Nickname,
        /// The address (an IPv6 /64 as its prefix) it also matches, if any.
        address: Option<IpAddr>,
        /// When it ends, on the wall clock.
        until: OffsetDateTime,
    },
    /// `/unban` lifted a ban.
    BanRemoved {
        /// The room.
        room: RoomName,
        /// The nickname it banned.
        nick: Nickname,
    },
    /// A public line (chat, `/me`, a fired schedule) was delivered in a room and joins its
    /// backlog. Not confirmed to anyone: a store may batch these (PROTOCOL.md §10: kept
    /// within 1 s). Reported only while `Config::history` is not 0.
    BacklogAppended {
        /// The room.
        room: RoomName,
        /// When it was delivered.
        at: OffsetDateTime,
        /// The line as delivered, ending in `\n` (the broadcast's own bytes, shared).
        line: bytes::Bytes,
    },
    /// `/code` set or cleared a room's participation code.
    CodeSet {
        /// The room.
        room: RoomName,
        /// The code, `None` when cleared.
        code: Option<String>,
    },
}

/// Why a schedule is no longer pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// It fired.
    Fired,
    /// `/unschedule` by its author or the admin.
    Unscheduled,
    /// Its author was kicked.
    AuthorKicked,
    /// It fell due while the server was down, more than `Config::late_limit` ago: it was
    /// dropped at start, not fired.
    TooLate,
    /// Its kept text holds a character no server line may hold (the file was edited by
    /// hand): dropped at start, not fired.
    Unreadable,
}

/// The durable state a hall is rebuilt from at start ([`crate::Hall::restore`]): what a
/// store kept of the [`Change`]s a hall reported before. Plain data; the store builds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Every kept room (the default room among them, or not: it is created if missing).
    pub rooms: Vec<RoomState>,
    /// Every pending schedule.
    pub schedules: Vec<ScheduleState>,
    /// The next schedule id to hand out; ids below it are never handed out again.
    pub next_id: u64,
}

/// One kept room. Its capacity is not restored: every room has `Config::capacity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomState {
    /// Its name.
    pub name: RoomName,
    /// Its participation code, if any.
    pub code: Option<String>,
    /// Its notice, if any.
    pub notice: Option<String>,
    /// Its kick bans (those already over are skipped).
    pub bans: Vec<BanState>,
    /// Its last public lines, oldest first (only the last `Config::history` are kept).
    pub backlog: Vec<BacklogLine>,
}

/// One kept kick ban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanState {
    /// The banned nickname.
    pub nick: Nickname,
    /// The address (an IPv6 /64 as its prefix) it also matches, if any.
    pub address: Option<IpAddr>,
    /// When it ends, on the wall clock.
    pub until: OffsetDateTime,
}

/// One kept public line of a room's backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogLine {
    /// When it was delivered.
    pub at: OffsetDateTime,
    /// The line as delivered, without its `\n`.
    pub line: String,
}

/// One kept pending `/schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleState {
    /// Its id.
    pub id: u64,
    /// The room it fires in.
    pub room: RoomName,
    /// The author's nickname when it was set.
    pub author: Nickname,
    /// When it fires, in the offset it was asked in.
    pub due: OffsetDateTime,
    /// The sanitised text.
    pub text: String,
}
