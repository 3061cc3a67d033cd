//! The room: members, nicknames, the admin, schedules and the output queue.

mod backlog;
mod bans;
mod join;
mod leave;
mod log_budget;
mod member;
mod notice;
mod roles;
mod schedule;

use core::net::IpAddr;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};

use crate::config::Config;
use crate::decoder::Frame;
use crate::error::Error;
use crate::flood::FloodLimiter;
use crate::io::{Action, ClientId, Input, Now};
use crate::log::{Event, LogRecord};
use crate::nickname::{NickKey, Nickname};
use schedule::Schedules;

/// One chat room as a pure state machine.
///
/// Methods come in three kinds, as in quinn-proto:
/// - **inputs**: [`Room::handle_input`], [`Room::handle_timeout`], [`Room::handle_shutdown`];
///   each takes `now` first, and `now` never goes back (an earlier instant is treated as the
///   latest one seen).
/// - **outputs**: [`Room::poll_action`], drained until `None` after every input, and
///   [`Room::poll_timeout`], the next deadline at which to call `handle_timeout`.
/// - **getters**: [`Room::members`], [`Room::admin`], [`Room::nickname`], [`Room::config`].
#[derive(Debug)]
pub struct Room {
    /// Limits, validated once.
    config: Config,
    /// The zero of the flood limiters' clocks.
    epoch: Instant,
    /// The latest monotonic instant seen, so time never goes back.
    latest: Instant,
    /// Every live connection by id (ordered, so nothing depends on hash order).
    clients: BTreeMap<ClientId, Client>,
    /// Members in join order.
    members: Vec<ClientId>,
    /// The admin: the first member, then whoever it hands the role to (`/admin`), and when
    /// the admin leaves, the member who has been in the room longest.
    admin: Option<ClientId>,
    /// Nickname keys in use, for case- and look-alike-insensitive uniqueness.
    nicks: BTreeMap<NickKey, ClientId>,
    /// Connections still choosing a nickname, oldest first, with their deadlines.
    pending: VecDeque<(Instant, ClientId)>,
    /// Live connections per remote address, for `max_per_ip`.
    per_ip: BTreeMap<IpAddr, usize>,
    /// Pending `/schedule`s by due time.
    schedules: Schedules,
    /// The last public lines, for newcomers.
    backlog: backlog::Backlog,
    /// Kick bans in force.
    bans: bans::Bans,
    /// The admin's `/notice`, shown to newcomers.
    notice: Option<notice::Notice>,
    /// Outputs not yet drained.
    actions: VecDeque<Action>,
    /// Set by `handle_shutdown`: nobody joins afterwards.
    shut_down: bool,
    /// What each address may log before its connections join.
    prejoin_log: log_budget::LogBudget,
}

#[derive(Debug)]
struct Client {
    /// Its remote address, if known.
    peer: Option<IpAddr>,
    /// Whether it still counts in `per_ip`: until the room decides to close it.
    counted: bool,
    /// Nickname lines tried while pending, bounded so a connection cannot make the server
    /// reply (and log) without end before it joins.
    attempts: u32,
    /// Refused nicknames not logged one by one (past the first few), logged as one count
    /// when the connection joins or closes.
    unlogged: u32,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Connected, no nickname yet.
    Pending,
    /// Joined.
    Member(Box<Member>),
    /// Told to close; waiting for the transport's `Disconnect`.
    Closing,
}

#[derive(Debug)]
struct Member {
    nick: Nickname,
    flood: FloodLimiter,
    /// The previous chat line sent, to charge repeats extra (wallpapering).
    last_line: Bytes,
    /// How many of the room's pending schedules are this member's.
    schedules: usize,
}

impl Room {
    /// Creates an empty room. Fails only on an invalid `config`.
    pub fn new(config: Config, now: Now) -> Result<Room, Error> {
        config.validate()?;
        let mut room = Room {
            config,
            epoch: now.instant,
            latest: now.instant,
            clients: BTreeMap::new(),
            members: Vec::new(),
            admin: None,
            nicks: BTreeMap::new(),
            pending: VecDeque::new(),
            per_ip: BTreeMap::new(),
            schedules: Schedules::default(),
            backlog: backlog::Backlog::default(),
            bans: bans::Bans::default(),
            notice: None,
            actions: VecDeque::new(),
            shut_down: false,
            prejoin_log: log_budget::LogBudget::default(),
        };
        let capacity = room.config.capacity;
        room.log(now, Event::Start { capacity });
        Ok(room)
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Members in join order with their nicknames.
    pub fn members(&self) -> impl Iterator<Item = (ClientId, &Nickname)> + '_ {
        self.members
            .iter()
            .filter_map(|id| match self.clients.get(id) {
                Some(Client {
                    state: State::Member(m),
                    ..
                }) => Some((*id, &m.nick)),
                _ => None,
            })
    }

    /// The admin: the first member, or the one the admin handed the role to (`/admin`);
    /// when the admin leaves, the member who has been in the room longest.
    pub fn admin(&self) -> Option<ClientId> {
        self.admin
    }

    /// The nickname of a member, `None` for anyone else.
    pub fn nickname(&self, id: ClientId) -> Option<&Nickname> {
        match self.clients.get(&id) {
            Some(Client {
                state: State::Member(m),
                ..
            }) => Some(&m.nick),
            _ => None,
        }
    }

    /// Closes one connection still choosing a nickname to make room for a newcomer, as the
    /// pending cap does (§2.4): the oldest of the address with the most pending connections
    /// (ties: the oldest overall). For a transport at its own socket cap, so a waiting
    /// connection is evicted before a newcomer is refused. Returns the evicted connection
    /// (its `Close` is queued), or `None` if nobody is waiting.
    pub fn evict_pending(&mut self, now: Now) -> Option<ClientId> {
        let now = self.clamp(now);
        self.evict_waiting(now)
    }

    /// Number of live connections the room tracks (members, pending and closing).
    pub fn connections(&self) -> usize {
        self.clients.len()
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

    /// Fires what is due at `now`: nickname deadlines and scheduled messages. Calling it early
    /// is harmless.
    pub fn handle_timeout(&mut self, now: Now) {
        let now = self.clamp(now);
        while let Some(&(deadline, id)) = self.pending.front() {
            if deadline > now.instant {
                break;
            }
            self.pending.pop_front();
            self.refuse(now, id, "No nickname chosen in time. Bye.");
        }
        self.log_unwritten(now, false);
        self.fire_schedules(now);
    }

    /// The next output, or `None` when drained. Drain after every input.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Room::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let nick = self.pending.front().map(|&(t, _)| t);
        let sched = self.schedules.next_due();
        let unwritten = self.prejoin_log.next_due();
        [nick, sched, unwritten].into_iter().flatten().min()
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

    fn since_epoch(&self, now: Now) -> Duration {
        now.instant.saturating_duration_since(self.epoch)
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
            State::Closing => Ok(()),
            State::Pending => {
                self.handle_nickname(now, id, frame);
                Ok(())
            }
            State::Member(_) => {
                self.handle_member_frame(now, id, frame);
                Ok(())
            }
        }
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
    fn reply(&mut self, to: ClientId, text: std::fmt::Arguments<'_>) {
        self.send(to, server_line(text));
    }

    /// The text of a framed line; a framing error is refused here, its reply ending in
    /// `suffix` (what the sender should do next).
    fn frame_text(&mut self, now: Now, id: ClientId, frame: Frame, suffix: &str) -> Option<String> {
        let reason = match frame {
            Frame::Line(text) => return Some(text),
            Frame::TooLong => {
                format!(
                    "Line too long (max {} bytes){suffix}",
                    self.config.max_line_bytes
                )
            }
            Frame::InvalidUtf8 => format!("Line is not valid UTF-8{suffix}"),
        };
        self.reject(now, id, reason);
        None
    }

    /// A refused input: reply, and log it with the reply as the reason (for a connection
    /// still choosing a nickname, only its first few refusals one by one).
    fn reject(&mut self, now: Now, id: ClientId, reason: String) {
        let nick = self.nickname(id).cloned();
        self.send(id, server_line(format_args!("{reason}")));
        if self.log_refusal_of_pending(id) {
            self.log(now, Event::Rejected { id, nick, reason });
        }
    }

    /// Tells a connection without a nickname why it is turned away and closes it.
    fn refuse(&mut self, now: Now, id: ClientId, reason: &str) {
        self.mark_closing(id);
        self.log_unlogged(now, id);
        self.reply(id, format_args!("{reason}"));
        self.actions.push_back(Action::Close { id });
        self.log(
            now,
            Event::Refused {
                id,
                reason: reason.to_owned(),
            },
        );
    }

    fn log(&mut self, now: Now, event: Event) {
        // Records of connections that have not joined are charged to their address.
        if let Some(id) = event.before_joining() {
            let peer = self.clients.get(&id).and_then(|c| c.peer);
            if let Some(addr) = self.limited_address(peer) {
                if !self.prejoin_log.charge(now.instant, addr) {
                    return;
                }
            }
        }
        self.actions.push_back(Action::Log(LogRecord {
            at: now.wall,
            event,
        }));
    }

    /// Logs the counts of pre-join records not written whose minute has ended (all of
    /// them with `all`, at shutdown).
    fn log_unwritten(&mut self, now: Now, all: bool) {
        while let Some((from, count)) = self.prejoin_log.take_due(now.instant, all) {
            self.log(now, Event::Unwritten { from, count });
        }
    }
}

/// Formats `[Server]: text\n` once into shared bytes.
fn server_line(text: std::fmt::Arguments<'_>) -> Bytes {
    let mut s = String::with_capacity(64);
    s.push_str("[Server]: ");
    let _ = s.write_fmt(text);
    s.push('\n');
    Bytes::from(s)
}

/// Formats `prefix` + `text` + `\n` into one allocation.
fn line(parts: &[&str]) -> Bytes {
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + 1;
    let mut b = BytesMut::with_capacity(len);
    for p in parts {
        b.put_slice(p.as_bytes());
    }
    b.put_u8(b'\n');
    b.freeze()
}
