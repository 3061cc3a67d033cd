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
}
