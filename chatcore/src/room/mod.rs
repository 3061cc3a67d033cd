//! One room: its members in join order, the admin, chat, whispers, kicks, the code,
//! schedules and the member commands. Crate-private: [`crate::Hall`] owns every room and
//! is the one entry point (see the crate docs).
//!
//! A room never sees a connection that is not one of its members. What is server-wide
//! (the nickname registry, schedule ids, connections a room closes) reaches it through a
//! [`Cx`] passed into the calls that need it; what it sends and logs waits in its own
//! outbox until the hall moves it into the server's queue, in order.

mod backlog;
mod bans;
mod churn;
mod code;
mod join;
mod leave;
mod member;
mod notice;
mod roles;
mod schedule;

use core::net::IpAddr;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::config::Config;
use crate::flood::FloodLimiter;
use crate::io::{Action, ClientId, Now, address_key};
use crate::log::{Event, LogRecord};
use crate::nickname::{NickKey, Nickname};
use crate::reply::Reply;
use crate::roomname::RoomName;
use schedule::Schedules;

pub(crate) use bans::more_minutes;
pub(crate) use code::valid_code;
pub(crate) use join::Greeting;

/// What is server-wide but touched by a room's commands.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    /// Every member's nickname key on the whole server (PROTOCOL.md §8: unique everywhere).
    pub(crate) nicks: BTreeMap<NickKey, ClientId>,
    /// The id the last schedule got; ids are unique on the whole server.
    pub(crate) last_seq: u64,
    /// Connections a room closed (quit, kick) since the hall last looked.
    pub(crate) closing: Vec<ClientId>,
}

/// A command a room hands up to the hall: it concerns more than one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    /// `/rooms`.
    Rooms,
    /// `/join NAME [CODE]`.
    Join {
        /// The room name as typed.
        name: String,
        /// The participation code, if one was given.
        code: Option<String>,
    },
}

/// One chat room as a pure state machine, driven by the hall.
#[derive(Debug)]
pub(crate) struct Room {
    /// Its name (the key is `name.key()`).
    name: RoomName,
    /// The server's limits, shared by every room.
    config: Arc<Config>,
    /// The zero of the flood limiters' clocks (the hall's).
    epoch: Instant,
    /// Members in join order.
    members: Vec<ClientId>,
    /// The admin: the first member, then whoever it hands the role to (`/admin`), and when
    /// the admin leaves, the member who has been in the room longest.
    admin: Option<ClientId>,
    /// Member state by connection.
    by_id: BTreeMap<ClientId, Member>,
    /// Nickname keys of this room's members, for `/whisper` and `/kick`.
    nicks: BTreeMap<NickKey, ClientId>,
    /// Pending `/schedule`s by due time.
    schedules: Schedules,
    /// The last public lines, for newcomers.
    backlog: backlog::Backlog,
    /// Kick bans in force.
    bans: bans::Bans,
    /// The admin's `/notice`, shown to newcomers.
    notice: Option<notice::Notice>,
    /// The participation code, if set. Never logged, listed or broadcast.
    code: Option<String>,
    /// Announcement budgets per address, and what they folded.
    churn: churn::Churn,
    /// Outputs not yet moved to the hall's queue.
    pub(crate) actions: VecDeque<Action>,
}

/// A member: what moves with the connection from room to room.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) nick: Nickname,
    /// The connection's address, for the per-address schedule limit.
    pub(crate) peer: Option<IpAddr>,
    pub(crate) flood: FloodLimiter,
    /// The previous chat line sent, to charge repeats extra (wallpapering).
    last_line: Bytes,
    /// How many of this room's pending schedules are this member's.
    schedules: usize,
    /// Renames left (PROTOCOL.md §6); it moves with the member, so `/join` resets nothing.
    renames: crate::rate::Bucket,
}

impl Member {
    /// A member that has just chosen `nick` at `now` (`since` the hall's epoch), with full
    /// flood and rename buckets.
    pub(crate) fn new(
        config: &Config,
        nick: Nickname,
        peer: Option<IpAddr>,
        now: Instant,
        since: Duration,
    ) -> Self {
        Member {
            nick,
            peer,
            flood: FloodLimiter::new(config.flood_burst, config.flood_rate, since),
            last_line: Bytes::new(),
            schedules: 0,
            renames: rename_rate(config).full(now),
        }
    }
}

impl Room {
    /// An empty room.
    pub(crate) fn new(name: RoomName, config: Arc<Config>, epoch: Instant) -> Room {
        let churn = churn::Churn::new(&config);
        Room {
            name,
            config,
            epoch,
            members: Vec::new(),
            admin: None,
            by_id: BTreeMap::new(),
            nicks: BTreeMap::new(),
            schedules: Schedules::default(),
            backlog: backlog::Backlog::default(),
            bans: bans::Bans::default(),
            notice: None,
            code: None,
            churn,
            actions: VecDeque::new(),
        }
    }

    /// Its name.
    pub(crate) fn name(&self) -> &RoomName {
        &self.name
    }

    /// How many members it has.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// How many members it may hold.
    pub(crate) fn capacity(&self) -> usize {
        self.config.capacity
    }

    /// Puts a kept room's code, notice, bans and backlog back at start.
    pub(crate) fn restore(&mut self, now: Now, kept: crate::persist::RoomState) {
        self.code = kept.code;
        if let Some(text) = kept.notice {
            self.restore_notice(text);
        }
        for ban in kept.bans {
            self.restore_ban(now, ban);
        }
        self.restore_backlog(kept.backlog);
    }

    /// Whether it holds as many members as it may.
    pub(crate) fn is_full(&self) -> bool {
        self.members.len() >= self.config.capacity
    }

    /// Whether entering needs a participation code.
    pub(crate) fn has_code(&self) -> bool {
        self.code.is_some()
    }

    /// No members and no pending schedules: the room ttl runs.
    pub(crate) fn is_idle(&self) -> bool {
        self.members.is_empty() && self.schedules.is_empty()
    }

    /// Its next deadline (a schedule, or the summary of folded announcements), if any.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        [self.schedules.next_due(), self.churn.next_due()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Fires what is due at `now`: schedules, then the summary of folded announcements.
    pub(crate) fn handle_timeout(&mut self, now: Now) {
        self.fire_schedules(now);
        self.send_summary(now);
    }

    /// Members in join order with their nicknames.
    pub(crate) fn members(&self) -> impl Iterator<Item = (ClientId, &Nickname)> + '_ {
        self.members
            .iter()
            .filter_map(|id| self.by_id.get(id).map(|m| (*id, &m.nick)))
    }

    /// The admin: the first member, or the one the admin handed the role to (`/admin`);
    /// when the admin leaves, the member who has been in the room longest.
    pub(crate) fn admin(&self) -> Option<ClientId> {
        self.admin
    }

    /// The nickname of a member, `None` for anyone else.
    pub(crate) fn nickname(&self, id: ClientId) -> Option<&Nickname> {
        self.by_id.get(&id).map(|m| &m.nick)
    }

    fn since_epoch(&self, now: Now) -> Duration {
        now.instant.saturating_duration_since(self.epoch)
    }

    /// The address `peer` counts as for the per-address limits, or `None` if it is not
    /// limited (no address, or loopback while loopback is exempt).
    pub(crate) fn limited_address(&self, peer: Option<IpAddr>) -> Option<IpAddr> {
        let ip = peer?;
        (!(self.config.exempt_loopback && ip.is_loopback())).then(|| address_key(ip))
    }

    /// Sends `line` to every member except `except`, sharing the bytes.
    fn broadcast(&mut self, line: &Bytes, except: Option<ClientId>) {
        for &to in &self.members {
            if Some(to) != except {
                self.actions.push_back(Action::Send {
                    to,
                    line: line.clone(),
                });
            }
        }
    }

    fn send(&mut self, to: ClientId, line: Bytes) {
        self.actions.push_back(Action::Send { to, line });
    }

    /// A `[Server]:` reply to one connection.
    pub(crate) fn reply(&mut self, to: ClientId, reply: Reply<'_>) {
        self.send(to, reply.to_bytes());
    }

    /// A refused input: reply, and log it with the reply as the reason.
    pub(crate) fn reject(&mut self, now: Now, id: ClientId, reply: Reply<'_>) {
        let nick = self.nickname(id).cloned();
        let reason = reply.to_string();
        self.send(id, reply.to_bytes());
        self.log(now, Event::Rejected { id, nick, reason });
    }

    /// Reports a durable change; call it before the reply that confirms it.
    pub(crate) fn persist(&mut self, change: crate::persist::Change) {
        self.actions.push_back(Action::Persist(change));
    }

    /// Logs one event of this room.
    pub(crate) fn log(&mut self, now: Now, event: Event) {
        self.actions.push_back(Action::Log(LogRecord::new(
            now.wall,
            Some(self.name.clone()),
            event,
        )));
    }
}

/// Whether restored text may go out in a line as it is: no control, bidi or other character
/// the sanitiser removes (a state file edited by hand is not a peer's input, but it must
/// not put control bytes on anyone's screen either).
pub(crate) fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c == '\t' || crate::sanitize::is_forbidden(c))
}

/// The rename limit of `config` (PROTOCOL.md §6).
fn rename_rate(config: &Config) -> crate::rate::Rate {
    crate::rate::Rate::new(config.rename_burst, config.rename_rate)
}

/// Splits `entries` into `, `-separated lists for a listing reply (`/user`, `/rooms`): the
/// first follows a head of `head` bytes, the rest follow [`Reply::More`]'s `... `, so that
/// every `[Server]:` line fits `max` bytes.
pub(crate) fn wrap_list(
    head: usize,
    entries: impl IntoIterator<Item = String>,
    max: usize,
) -> Vec<String> {
    let more = Reply::More { list: "" }.to_string().len();
    let mut lists = vec![String::new()];
    let mut prefix = head;
    for (i, entry) in entries.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let cur = prefix + lists.last().map_or(0, String::len);
        // "[Server]: " + line + sep + entry + "\n" must fit the output cap.
        if cur + sep.len() + entry.len() + 12 > max {
            lists.push(String::new());
            prefix = more;
        } else if let Some(l) = lists.last_mut() {
            l.push_str(sep);
        }
        if let Some(l) = lists.last_mut() {
            l.push_str(&entry);
        }
    }
    lists
}
