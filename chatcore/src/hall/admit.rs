//! Admission: connecting, the pending queue, the per-address and per-subnet limits, the
//! join rate and choosing a nickname, up to entering the default room.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::collections::BTreeMap;
use std::time::Duration;

use super::leave::release;
use super::{Client, DEFAULT, Hall, State};
use crate::decoder::Frame;
use crate::error::Error;
use crate::io::{Action, ClientId, Now, address_key};
use crate::log::Event;
use crate::nickname::{NickKey, Nickname};
use crate::reply::Reply;
use crate::room::{Greeting, Member, more_minutes};

/// Nickname lines a connection may try before it is closed.
const MAX_NICK_ATTEMPTS: u32 = 20;

/// Refused nicknames of one connection logged one by one; the rest are counted and logged
/// as one record when it joins or closes, so connections that never join cannot fill the
/// disk with refusals.
const LOGGED_NICK_REFUSALS: u32 = 3;

/// What counts as one network for `max_per_subnet`: an IPv4 /24 or an IPv6 /48.
///
/// ```
/// use chatcore::hall::subnet_key;
/// assert_eq!(subnet_key("192.0.2.7".parse().unwrap()), subnet_key("192.0.2.200".parse().unwrap()));
/// assert_ne!(subnet_key("192.0.2.7".parse().unwrap()), subnet_key("192.0.3.7".parse().unwrap()));
/// assert_eq!(subnet_key("2001:db8:1:2::1".parse().unwrap()), subnet_key("2001:db8:1:ff::9".parse().unwrap()));
/// ```
pub fn subnet_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
        }
    }
}

impl Hall {
    pub(super) fn handle_connect(
        &mut self,
        now: Now,
        id: ClientId,
        peer: Option<IpAddr>,
    ) -> Result<(), Error> {
        if self.clients.contains_key(&id) {
            return Err(Error::DuplicateClient(id));
        }
        self.clients.insert(
            id,
            Client {
                peer,
                counted: peer.is_some(),
                state: State::Pending,
                attempts: 0,
                unlogged: 0,
            },
        );
        if let Some(ip) = peer {
            *self.per_ip.entry(address_key(ip)).or_insert(0) += 1;
            *self.per_subnet.entry(subnet_key(ip)).or_insert(0) += 1;
        }
        self.log(now, Event::Connect { id, peer });
        let lobby = self.default_room();
        let (online, capacity) = (lobby.len(), self.config.capacity);
        if self.shut_down {
            self.refuse(now, id, Reply::ShuttingDown);
        } else if online >= capacity {
            self.refuse(now, id, Reply::Full { online, capacity });
        } else if self.over_limit(
            peer,
            |h, ip| h.per_ip.get(&address_key(ip)),
            self.config.max_per_ip,
        ) {
            let max = self.config.max_per_ip;
            self.refuse(now, id, Reply::TooManyFromAddress { max });
        } else if self.over_limit(
            peer,
            |h, ip| h.per_subnet.get(&subnet_key(ip)),
            self.config.max_per_subnet,
        ) {
            let max = self.config.max_per_subnet;
            self.refuse(now, id, Reply::TooManyFromNetwork { max });
        } else {
            if self.pending.len() >= self.config.max_pending {
                self.evict_waiting(now);
            }
            self.pending
                .push_back((now.instant + self.config.nick_timeout, id));
            self.reply(id, Reply::Prompt { online, capacity });
        }
        Ok(())
    }

    /// Closes one connection still choosing a nickname to make room for a newcomer, as the
    /// pending cap does (PROTOCOL.md §2.4): the oldest of the address with the most pending
    /// connections (ties: the oldest overall). For a transport at its own socket cap, so a
    /// waiting connection is evicted before a newcomer is refused. Returns the evicted
    /// connection (its `Close` is queued), or `None` if nobody is waiting.
    pub fn evict_pending(&mut self, now: Now) -> Option<ClientId> {
        let now = self.clamp(now);
        self.evict_waiting(now)
    }

    fn evict_waiting(&mut self, now: Now) -> Option<ClientId> {
        let key = |id: &ClientId| self.clients.get(id).and_then(|c| c.peer).map(address_key);
        let mut per_address: BTreeMap<Option<IpAddr>, usize> = BTreeMap::new();
        for (_, id) in &self.pending {
            *per_address.entry(key(id)).or_insert(0) += 1;
        }
        let most = per_address.values().copied().max()?;
        let victim = self
            .pending
            .iter()
            .map(|&(_, id)| id)
            .find(|id| per_address.get(&key(id)) == Some(&most))?;
        self.pending.retain(|&(_, p)| p != victim);
        self.refuse(now, victim, Reply::TooManyWaiting);
        Some(victim)
    }

    /// Sets a connection's state to closing and returns the state it had. A connection the
    /// hall has decided to close stops counting against the per-address and per-subnet
    /// limits at once, not when the transport reports it gone.
    pub(super) fn mark_closing(&mut self, id: ClientId) -> Option<State> {
        let client = self.clients.get_mut(&id)?;
        let was = std::mem::replace(&mut client.state, State::Closing);
        if std::mem::take(&mut client.counted)
            && let Some(ip) = client.peer
        {
            release(&mut self.per_ip, address_key(ip));
            release(&mut self.per_subnet, subnet_key(ip));
        }
        Some(was)
    }

    /// Logs how many refusals of connection `id` were not logged one by one, if any.
    pub(super) fn log_unlogged(&mut self, now: Now, id: ClientId) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let count = std::mem::take(&mut client.unlogged);
        if count > 0 {
            self.log(now, Event::RejectedMore { id, count });
        }
    }

    /// Whether `peer` (counted already) is over `max` in the count `get` looks up.
    fn over_limit(
        &self,
        peer: Option<IpAddr>,
        get: impl Fn(&Hall, IpAddr) -> Option<&usize>,
        max: usize,
    ) -> bool {
        let Some(ip) = self.limited(peer) else {
            return false;
        };
        get(self, ip).copied().unwrap_or(0) > max
    }

    /// `peer` if the per-address limits apply to it (not loopback while it is exempt).
    pub(super) fn limited(&self, peer: Option<IpAddr>) -> Option<IpAddr> {
        let ip = peer?;
        (!(self.config.exempt_loopback && ip.is_loopback())).then_some(ip)
    }

    /// Closes pending connections whose nickname deadline has passed.
    pub(super) fn expire_pending(&mut self, now: Now) {
        while let Some(&(deadline, id)) = self.pending.front() {
            if deadline > now.instant {
                break;
            }
            self.pending.pop_front();
            self.refuse(now, id, Reply::NickTimeout);
        }
    }

    pub(super) fn handle_nickname(&mut self, now: Now, id: ClientId, frame: Frame) {
        if matches!(&frame, Frame::Line(t) if t.trim().eq_ignore_ascii_case("/quit")) {
            self.pending.retain(|&(_, p)| p != id);
            return self.refuse(now, id, Reply::ByeAtPrompt);
        }
        // Every frame counts, refused ones too: each one costs a reply and a log line.
        if let Some(client) = self.clients.get_mut(&id) {
            client.attempts += 1;
            if client.attempts > MAX_NICK_ATTEMPTS {
                self.pending.retain(|&(_, p)| p != id);
                return self.refuse(now, id, Reply::TooManyAttempts);
            }
        }
        let text = match frame {
            Frame::Line(text) => text,
            Frame::TooLong => {
                let max = self.config.max_line_bytes;
                return self.reject(now, id, Reply::NickLineTooLong { max });
            }
            Frame::InvalidUtf8 => return self.reject(now, id, Reply::NickNotUtf8),
        };
        // Not sanitised first: a nickname with a control or bidi character is refused, not
        // silently cleaned into a different name.
        let nick = match Nickname::parse(text.trim_matches([' ', '\t'])) {
            Ok(nick) => nick,
            Err(error) => return self.reject(now, id, Reply::BadNicknameAgain { error }),
        };
        // Unique on the whole server, whatever room its owner is in (PROTOCOL.md §8).
        if self.cx.nicks.contains_key(&nick.key()) {
            let nick = (&nick).into();
            return self.reject(now, id, Reply::NickTakenAgain { nick });
        }
        let peer = self.clients.get(&id).and_then(|c| c.peer);
        let lobby = self.default_room();
        let (online, capacity) = (lobby.len(), self.config.capacity);
        let name = lobby.name().clone();
        if online >= capacity {
            self.pending.retain(|&(_, p)| p != id);
            return self.refuse(now, id, Reply::Full { online, capacity });
        }
        if let Some(left) = self.ban_remaining(DEFAULT, &nick.key(), peer, now) {
            self.pending.retain(|&(_, p)| p != id);
            let (room, left) = ((&name).into(), more_minutes(left));
            return self.refuse(now, id, Reply::Banned { room, left });
        }
        if let Err(wait) = self.take_join(peer, now) {
            self.pending.retain(|&(_, p)| p != id);
            let secs = wait.as_secs().max(1);
            return self.refuse(now, id, Reply::TooManyJoinsAtPrompt { secs });
        }
        self.pending.retain(|&(_, p)| p != id);
        self.log_unlogged(now, id);
        let since = now.instant.saturating_duration_since(self.epoch);
        let member = Member::new(&self.config, nick.clone(), peer, now.instant, since);
        self.cx.nicks.insert(nick.key(), id);
        if let Some(client) = self.clients.get_mut(&id) {
            client.state = State::Member(DEFAULT);
        }
        self.with_room(now, DEFAULT, |room, _| {
            room.enter(now, id, member, Greeting::Welcome);
        });
    }

    /// Takes one join from `peer`'s budget, or says how long until the next one.
    pub(super) fn take_join(&mut self, peer: Option<IpAddr>, now: Now) -> Result<(), Duration> {
        match self.limited(peer) {
            Some(ip) => self.joins.take(address_key(ip), now.instant),
            None => Ok(()),
        }
    }

    /// How long `key` (or `peer`) is still banned from room `rid` (its kick bans,
    /// PROTOCOL.md §9), `None` if not banned. Asked at the nickname prompt for the default
    /// room and by `/join` for every room.
    pub(super) fn ban_remaining(
        &self,
        rid: super::RoomId,
        key: &NickKey,
        peer: Option<IpAddr>,
        now: Now,
    ) -> Option<Duration> {
        self.rooms
            .get(&rid)?
            .room
            .ban_remaining(key, peer, now.instant)
    }

    /// A refused input from a connection without a nickname: reply, and log it (only its
    /// first few refusals one by one; the rest are counted for [`Hall::log_unlogged`]).
    fn reject(&mut self, now: Now, id: ClientId, reply: Reply<'_>) {
        let reason = reply.to_string();
        self.reply(id, reply);
        if let Some(c) = self.clients.get_mut(&id)
            && c.attempts > LOGGED_NICK_REFUSALS
        {
            c.unlogged += 1;
            return;
        }
        self.log(
            now,
            Event::Rejected {
                id,
                nick: None,
                reason,
            },
        );
    }

    /// Tells a connection without a nickname why it is turned away and closes it.
    pub(super) fn refuse(&mut self, now: Now, id: ClientId, reply: Reply<'_>) {
        self.mark_closing(id);
        self.log_unlogged(now, id);
        let reason = reply.to_string();
        self.reply(id, reply);
        self.actions.push_back(Action::Close { id });
        self.log(now, Event::Refused { id, reason });
    }
}
