//! Connecting, the pending queue and choosing a nickname.

use core::net::IpAddr;
use std::collections::BTreeMap;

use super::{Client, Member, Room, State, server_line};
use crate::decoder::Frame;
use crate::error::Error;
use crate::flood::FloodLimiter;
use crate::io::{Action, ClientId, Now, address_key};
use crate::log::Event;
use crate::nickname::Nickname;

/// Nickname lines a connection may try before it is closed.
const MAX_NICK_ATTEMPTS: u32 = 20;

/// Refused nicknames of one connection logged one by one; the rest are counted and logged
/// as one record when it joins or closes, so connections that never join cannot fill the
/// disk with refusals.
const LOGGED_NICK_REFUSALS: u32 = 3;

impl Room {
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
        }
        self.log(now, Event::Connect { id, peer });
        let (members, cap) = (self.members.len(), self.config.capacity);
        if self.shut_down {
            self.refuse(now, id, "The server is shutting down.");
        } else if members >= cap {
            let reason = format!("The chat room is full ({members}/{cap}). Try again later.");
            self.refuse(now, id, &reason);
        } else if self.over_ip_limit(peer) {
            let max = self.config.max_per_ip;
            let reason = format!("Too many connections from your address (max {max}). Bye.");
            self.refuse(now, id, &reason);
        } else {
            if self.pending.len() >= self.config.max_pending {
                self.evict_waiting(now);
            }
            self.pending
                .push_back((now.instant + self.config.nick_timeout, id));
            self.reply(
                id,
                format_args!(
                    "Welcome to the open chat ({members}/{cap} online). Enter a nickname:"
                ),
            );
        }
        Ok(())
    }

    /// Closes one connection still choosing a nickname, as the pending cap does: the oldest
    /// of the address with the most pending connections (ties: the oldest overall), so
    /// neither a burst nor a steady stream from other addresses pushes out a person who
    /// takes a few seconds to type a name. Returns it, or `None` if nobody is pending.
    pub(super) fn evict_waiting(&mut self, now: Now) -> Option<ClientId> {
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
        self.refuse(
            now,
            victim,
            "Too many connections are waiting for a nickname. Bye.",
        );
        Some(victim)
    }

    fn over_ip_limit(&self, peer: Option<IpAddr>) -> bool {
        let Some(key) = self.limited_address(peer) else {
            return false;
        };
        self.per_ip.get(&key).copied().unwrap_or(0) > self.config.max_per_ip
    }

    /// The address `peer` counts as for the per-address limits, or `None` if it is not
    /// limited (no address, or loopback while loopback is exempt).
    pub(super) fn limited_address(&self, peer: Option<IpAddr>) -> Option<IpAddr> {
        let ip = peer?;
        (!(self.config.exempt_loopback && ip.is_loopback())).then(|| address_key(ip))
    }

    pub(super) fn handle_nickname(&mut self, now: Now, id: ClientId, frame: Frame) {
        if matches!(&frame, Frame::Line(t) if t.trim().eq_ignore_ascii_case("/quit")) {
            self.pending.retain(|&(_, p)| p != id);
            return self.refuse(now, id, "Bye.");
        }
        // Every frame counts, refused ones too: each one costs a reply and a log line.
        if let Some(client) = self.clients.get_mut(&id) {
            client.attempts += 1;
            if client.attempts > MAX_NICK_ATTEMPTS {
                self.pending.retain(|&(_, p)| p != id);
                return self.refuse(now, id, "Too many nickname attempts. Bye.");
            }
        }
        let Some(text) = self.frame_text(now, id, frame, ". Enter a nickname:") else {
            return;
        };
        // Not sanitised first: a nickname with a control or bidi character is refused, not
        // silently cleaned into a different name.
        let nick = match Nickname::parse(text.trim_matches([' ', '\t'])) {
            Ok(nick) => nick,
            Err(e) => return self.reject(now, id, format!("{e} Enter another:")),
        };
        if self.nicks.contains_key(&nick.key()) {
            let reason = format!("Nickname \"{nick}\" is already taken. Enter another:");
            return self.reject(now, id, reason);
        }
        let (members, cap) = (self.members.len(), self.config.capacity);
        if members >= cap {
            self.pending.retain(|&(_, p)| p != id);
            let reason = format!("The chat room is full ({members}/{cap}). Try again later.");
            return self.refuse(now, id, &reason);
        }
        if self.refuse_if_banned(now, id, &nick) {
            return;
        }
        self.join(now, id, nick);
    }

    fn join(&mut self, now: Now, id: ClientId, nick: Nickname) {
        self.pending.retain(|&(_, p)| p != id);
        self.log_unlogged(now, id);
        let since = self.since_epoch(now);
        let member = Member {
            nick: nick.clone(),
            flood: FloodLimiter::new(self.config.flood_burst, self.config.flood_rate, since),
            last_line: bytes::Bytes::new(),
            schedules: 0,
        };
        if let Some(client) = self.clients.get_mut(&id) {
            client.state = State::Member(Box::new(member));
        }
        self.members.push(id);
        self.nicks.insert(nick.key(), id);
        self.log(
            now,
            Event::Join {
                id,
                nick: nick.clone(),
            },
        );
        let (n, cap) = (self.members.len(), self.config.capacity);
        self.reply(
            id,
            format_args!("Welcome, {nick}! {n}/{cap} online. Type /help for commands."),
        );
        if self.admin.is_none() {
            self.admin = Some(id);
            self.reply(id, format_args!("You are the admin."));
        }
        self.send_backlog(id);
        self.send_notice(id);
        let line = server_line(format_args!("{nick} has joined the chat."));
        self.broadcast(&line, Some(id));
    }

    /// Whether `nick` may be taken by `id` (free, or `id`'s own key for a case-only rename).
    pub(super) fn nick_free_for(&self, nick: &Nickname, id: ClientId) -> bool {
        self.nicks.get(&nick.key()).is_none_or(|&owner| owner == id)
    }

    /// Marks a connection closing and tells the transport to close it after its queue.
    /// Returns the member it was, if it had joined.
    pub(super) fn close(&mut self, id: ClientId) -> Option<Box<Member>> {
        self.actions.push_back(Action::Close { id });
        match self.mark_closing(id)? {
            State::Member(m) => Some(m),
            State::Pending | State::Closing => None,
        }
    }

    /// Sets a connection's state to closing and returns the state it had. A connection the
    /// room has decided to close stops counting against the per-address limit at once, not
    /// when the transport reports it gone.
    pub(super) fn mark_closing(&mut self, id: ClientId) -> Option<State> {
        let client = self.clients.get_mut(&id)?;
        let was = std::mem::replace(&mut client.state, State::Closing);
        if std::mem::take(&mut client.counted) {
            if let Some(key) = client.peer.map(address_key) {
                if let Some(n) = self.per_ip.get_mut(&key) {
                    *n -= 1;
                    if *n == 0 {
                        self.per_ip.remove(&key);
                    }
                }
            }
        }
        Some(was)
    }

    /// Whether a refusal of pending connection `id` is logged one by one; if not, it is
    /// counted for [`Room::log_unlogged`].
    pub(super) fn log_refusal_of_pending(&mut self, id: ClientId) -> bool {
        match self.clients.get_mut(&id) {
            Some(
                c @ Client {
                    state: State::Pending,
                    ..
                },
            ) if c.attempts > LOGGED_NICK_REFUSALS => {
                c.unlogged += 1;
                false
            }
            _ => true,
        }
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
}
