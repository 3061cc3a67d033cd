//! The hall: the whole server as one state machine above its rooms. It owns what is
//! server-wide (connections, admission, nicknames, the rooms by name, one timer table)
//! and hands each member's line to the member's room.

mod admit;
mod log_budget;

pub use admit::subnet_key;
mod leave;
mod restore;
mod rooms;

use core::net::IpAddr;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::decoder::Frame;
use crate::error::Error;
use crate::io::{Action, ClientId, Input, Now, address_key};
use crate::log::{Event, LogRecord};
use crate::nickname::{NickKey, Nickname};
use crate::rate::{Buckets, Rate};
use crate::reply::Reply;
use crate::room::{Cx, Request, Room};
use crate::roomname::RoomName;

/// The server: every connection and every room, as one pure state machine.
///
/// Methods come in three kinds, as in quinn-proto:
/// - **inputs**: [`Hall::handle_input`], [`Hall::handle_timeout`], [`Hall::handle_shutdown`];
///   each takes `now` first, and `now` never goes back (an earlier instant is treated as the
///   latest one seen).
/// - **outputs**: [`Hall::poll_action`], drained until `None` after every input, and
///   [`Hall::poll_timeout`], the next deadline at which to call `handle_timeout`.
/// - **construction**: [`Hall::new`], or [`Hall::restore`] from a durable state a store kept.
/// - **getters**: [`Hall::config`], [`Hall::nickname`], [`Hall::room_of`], [`Hall::room`],
///   [`Hall::rooms`], [`Hall::default_room`], [`Hall::connections`].
///
/// A connection enters the default room once its nickname is accepted and moves between
/// rooms with `/join`; nicknames are unique on the whole server. Every deadline (nickname
/// deadlines, schedules, churn summaries, idle rooms' removal) sits in one ordered table, so the next one
/// is found in O(log n) and a timeout touches only the rooms that are due.
#[derive(Debug)]
pub struct Hall {
    /// Limits, validated once, shared with every room.
    config: Arc<Config>,
    /// The zero of the flood limiters' clocks.
    epoch: Instant,
    /// The latest monotonic instant seen, so time never goes back.
    latest: Instant,
    /// Every live connection by id (ordered, so nothing depends on hash order).
    clients: BTreeMap<ClientId, Client>,
    /// Connections still choosing a nickname, oldest first, with their deadlines.
    pending: VecDeque<(Instant, ClientId)>,
    /// Live connections per address ([`crate::io::address_key`]), for `max_per_ip`.
    per_ip: BTreeMap<IpAddr, usize>,
    /// Live connections per IPv4 /24 or IPv6 /48, for `max_per_subnet`.
    per_subnet: BTreeMap<IpAddr, usize>,
    /// Joins per address, for `join_rate`.
    joins: Buckets<IpAddr>,
    /// What rooms share: the nickname registry and schedule ids.
    cx: Cx,
    /// Every room by id; the default room is [`DEFAULT`] and always exists.
    rooms: BTreeMap<RoomId, Slot>,
    /// Room ids by name key (`Lobby` and `lobby` are one room).
    by_key: BTreeMap<NickKey, RoomId>,
    /// The id the next room gets.
    next_room: u64,
    /// One timer table across rooms: each room's next deadline (schedule, churn summary or
    /// removal).
    timers: BTreeSet<(Instant, RoomId)>,
    /// Outputs not yet drained.
    actions: VecDeque<Action>,
    /// Set by `handle_shutdown`: nobody joins afterwards.
    shut_down: bool,
    /// What each address may log before its connections join.
    prejoin_log: log_budget::LogBudget,
}

/// A room's id in the hall; ids are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RoomId(u64);

/// The default room's id.
const DEFAULT: RoomId = RoomId(0);

#[derive(Debug)]
struct Slot {
    room: Room,
    /// Since when it has had no member and no pending schedule.
    idle_since: Option<Instant>,
    /// Its entry in `Hall::timers`, if any.
    armed: Option<Instant>,
    /// The network (`subnet_key`) whose member created it, for `max_rooms_per_subnet`.
    network: Option<IpAddr>,
}

#[derive(Debug)]
struct Client {
    /// Its remote address, if known.
    peer: Option<IpAddr>,
    /// Whether it still counts in `per_ip` and `per_subnet`: until the hall decides to
    /// close it (not when the transport reports it gone).
    counted: bool,
    /// Nickname lines tried while pending, bounded so a connection cannot make the server
    /// reply (and log) without end before it joins.
    attempts: u32,
    /// Refused nicknames not logged one by one (past the first few), logged as one count
    /// when the connection joins or closes.
    unlogged: u32,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Connected, no nickname yet.
    Pending,
    /// A member of this room.
    Member(RoomId),
    /// Told to close; waiting for the transport's `Disconnect`.
    Closing,
}

/// A read-only view of one room, from [`Hall::room`], [`Hall::rooms`] and friends.
#[derive(Debug, Clone, Copy)]
pub struct RoomView<'a> {
    room: &'a Room,
}

impl<'a> RoomView<'a> {
    /// Its name.
    pub fn name(&self) -> &'a RoomName {
        self.room.name()
    }

    /// Members in join order with their nicknames; the first is the admin.
    pub fn members(self) -> impl Iterator<Item = (ClientId, &'a Nickname)> + 'a {
        self.room.members()
    }

    /// How many members it has.
    pub fn len(&self) -> usize {
        self.room.len()
    }

    /// Whether it has no member.
    pub fn is_empty(&self) -> bool {
        self.room.len() == 0
    }

    /// The admin: the member who has been in the room longest.
    pub fn admin(&self) -> Option<ClientId> {
        self.room.admin()
    }

    /// How much longer nickname key `key`, connecting from `addr`, is banned from this room
    /// after a kick (PROTOCOL.md §9); `None` when not banned.
    pub fn ban_remaining(
        self,
        key: &crate::nickname::NickKey,
        addr: Option<IpAddr>,
        now: Instant,
    ) -> Option<std::time::Duration> {
        self.room.ban_remaining(key, addr, now)
    }

    /// The room's notice (`/notice`), if one is set.
    pub fn notice(self) -> Option<&'a str> {
        self.room.notice_text()
    }

    /// Whether entering needs a participation code (never the code itself).
    pub fn has_code(&self) -> bool {
        self.room.has_code()
    }
}

impl Hall {
    /// Creates the server with its default room. Fails only on an invalid `config`.
    pub fn new(config: Config, now: Now) -> Result<Hall, Error> {
        Hall::restore(config, now, crate::persist::State::default())
    }

    /// A hall without any room yet.
    fn empty(config: Config, now: Now) -> Result<Hall, Error> {
        config.validate()?;
        let config = Arc::new(config);
        Ok(Hall {
            joins: Buckets::new(Rate::new(config.join_burst, config.join_rate)),
            config,
            epoch: now.instant,
            latest: now.instant,
            clients: BTreeMap::new(),
            pending: VecDeque::new(),
            per_ip: BTreeMap::new(),
            per_subnet: BTreeMap::new(),
            cx: Cx::default(),
            rooms: BTreeMap::new(),
            by_key: BTreeMap::new(),
            next_room: 0,
            timers: BTreeSet::new(),
            actions: VecDeque::new(),
            shut_down: false,
            prejoin_log: log_budget::LogBudget::default(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The nickname of a member, `None` for anyone else.
    pub fn nickname(&self, id: ClientId) -> Option<&Nickname> {
        self.room_of(id)?.room.nickname(id)
    }

    /// The room a member is in, `None` for a connection that is not a member.
    pub fn room_of(&self, id: ClientId) -> Option<RoomView<'_>> {
        match self.clients.get(&id)?.state {
            State::Member(rid) => self.view(rid),
            State::Pending | State::Closing => None,
        }
    }

    /// The room named `name` (any case or look-alike spelling), if it exists.
    pub fn room(&self, name: &str) -> Option<RoomView<'_>> {
        let key = RoomName::parse(name).ok()?.key();
        self.view(*self.by_key.get(&key)?)
    }

    /// The default room (it always exists).
    pub fn default_room(&self) -> RoomView<'_> {
        match self.rooms.get(&DEFAULT) {
            Some(slot) => RoomView { room: &slot.room },
            None => unreachable!("the default room is never removed"),
        }
    }

    /// Every room, the default room first, then in the order they were created.
    pub fn rooms(&self) -> impl Iterator<Item = RoomView<'_>> + '_ {
        self.rooms
            .values()
            .map(|slot| RoomView { room: &slot.room })
    }

    /// Number of live connections the hall tracks (members, pending and closing).
    pub fn connections(&self) -> usize {
        self.clients.len()
    }

    fn view(&self, rid: RoomId) -> Option<RoomView<'_>> {
        self.rooms
            .get(&rid)
            .map(|slot| RoomView { room: &slot.room })
    }

    /// Applies one transport event. `Err` only for API misuse (an id reused while live, or an
    /// unknown id); a peer's mistakes become `[Server]:` replies.
    pub fn handle_input(&mut self, now: Now, input: Input) -> Result<(), Error> {
        let now = self.clamp(now);
        // What fell due before this input happened first, even if the transport has not
        // called `handle_timeout` yet: a nickname after its deadline is too late.
        if self.poll_timeout().is_some_and(|t| t <= now.instant) {
            self.handle_timeout(now);
        }
        match input {
            Input::Connect { id, peer } => self.handle_connect(now, id, peer),
            Input::Frame { id, frame } => self.handle_frame(now, id, frame),
            Input::Disconnect { id, cause } => self.handle_disconnect(now, id, cause),
        }
    }

    /// Fires what is due at `now`: nickname deadlines, scheduled messages, the summaries
    /// of folded announcements (PROTOCOL.md §6 "Churn") and the removal of rooms idle for
    /// the room ttl. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Now) {
        let now = self.clamp(now);
        self.expire_pending(now);
        self.log_unwritten(now, false);
        while let Some(&(due, rid)) = self.timers.first() {
            if due > now.instant {
                break;
            }
            self.timers.pop_first();
            let Some(slot) = self.rooms.get_mut(&rid) else {
                continue;
            };
            slot.armed = None;
            let expired = slot
                .idle_since
                .is_some_and(|t| t + self.config.room_ttl <= now.instant);
            if expired && rid != DEFAULT {
                self.remove_room(now, rid);
            } else {
                self.with_room(now, rid, |room, _| room.handle_timeout(now));
            }
        }
    }

    /// The next output, or `None` when drained. Drain after every input.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Hall::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let nick = self.pending.front().map(|&(t, _)| t);
        let room = self.timers.first().map(|&(t, _)| t);
        let unwritten = self.prejoin_log.next_due();
        [nick, room, unwritten].into_iter().flatten().min()
    }

    fn clamp(&mut self, now: Now) -> Now {
        if now.instant < self.latest {
            Now {
                instant: self.latest,
                ..now
            }
        } else {
            self.latest = now.instant;
            now
        }
    }

    fn handle_frame(&mut self, now: Now, id: ClientId, frame: Frame) -> Result<(), Error> {
        let client = self.clients.get(&id).ok_or(Error::UnknownClient(id))?;
        // A transport that frames lines itself may hand in more than the limit: reject it
        // as the decoder would, so no output line can pass `Config::max_output_line`.
        let frame = match frame {
            Frame::Line(text) if text.len() > self.config.max_line_bytes => Frame::TooLong,
            frame => frame,
        };
        match client.state {
            State::Closing => {}
            State::Pending => self.handle_nickname(now, id, frame),
            State::Member(rid) => {
                let request = self
                    .with_room(now, rid, |room, cx| {
                        room.handle_member_frame(now, id, frame, cx)
                    })
                    .flatten();
                match request {
                    None => {}
                    Some(Request::Rooms) => self.list_rooms(now, id, rid),
                    Some(Request::Join { name, code }) => {
                        self.join_room(now, id, rid, &name, code.as_deref());
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs `f` on room `rid`, then moves its outputs into the hall's queue in order,
    /// marks the connections it closed, and re-arms its entry in the timer table.
    fn with_room<R>(
        &mut self,
        now: Now,
        rid: RoomId,
        f: impl FnOnce(&mut Room, &mut Cx) -> R,
    ) -> Option<R> {
        let slot = self.rooms.get_mut(&rid)?;
        let out = f(&mut slot.room, &mut self.cx);
        self.actions.append(&mut slot.room.actions);
        for id in std::mem::take(&mut self.cx.closing) {
            self.mark_closing(id);
        }
        let Some(slot) = self.rooms.get_mut(&rid) else {
            return Some(out);
        };
        // The ttl runs from the moment a room other than the default one is idle.
        if rid != DEFAULT && slot.room.is_idle() {
            slot.idle_since.get_or_insert(now.instant);
        } else {
            slot.idle_since = None;
        }
        let removal = slot.idle_since.map(|t| t + self.config.room_ttl);
        let next = match (slot.room.next_due(), removal) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if next != slot.armed {
            if let Some(old) = slot.armed {
                self.timers.remove(&(old, rid));
            }
            if let Some(new) = next {
                self.timers.insert((new, rid));
            }
            slot.armed = next;
        }
        Some(out)
    }

    /// A `[Server]:` line to one connection.
    fn reply(&mut self, to: ClientId, reply: Reply<'_>) {
        self.actions.push_back(Action::Send {
            to,
            line: reply.to_bytes(),
        });
    }

    /// Logs a server-wide event (one that happens in no room). Records of connections that
    /// have not joined are charged to their address's budget (PROTOCOL.md §6).
    fn log(&mut self, now: Now, event: Event) {
        if let Some(id) = event.before_joining() {
            let peer = self.clients.get(&id).and_then(|c| c.peer);
            if let Some(ip) = self.limited(peer)
                && !self.prejoin_log.charge(now.instant, address_key(ip))
            {
                return;
            }
        }
        self.actions
            .push_back(Action::Log(LogRecord::new(now.wall, None, event)));
    }

    /// Logs the counts of pre-join records not written whose minute has ended (all of
    /// them with `all`, at shutdown).
    fn log_unwritten(&mut self, now: Now, all: bool) {
        while let Some((from, count)) = self.prejoin_log.take_due(now.instant, all) {
            self.log(now, Event::Unwritten { from, count });
        }
    }
}
