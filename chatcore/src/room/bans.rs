//! Kick bans: a kicked member may not enter the room again for `Config::kick_ban`, matched
//! by its nickname's key and by its address. `/bans` lists them, `/unban` lifts one.

use core::net::IpAddr;
use std::time::{Duration, Instant};

use super::Room;
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::nickname::{NickKey, Nickname};
use crate::reply::{Minutes, Reply};

/// Most bans a room keeps; past it, a new ban replaces the one that ends soonest.
const MAX_BANS: usize = 100;

/// The room's bans, in the order they were made. Expired ones are dropped whenever the list
/// is touched, and it never holds more than [`MAX_BANS`].
#[derive(Debug, Default)]
pub(super) struct Bans {
    list: Vec<Ban>,
}

#[derive(Debug)]
struct Ban {
    /// The nickname the member was kicked under (its key is matched).
    nick: Nickname,
    /// The address it counted as ([`Room::limited_address`]); `None` when it is not limited
    /// (no address, or loopback while loopback is exempt), so no address is banned.
    addr: Option<IpAddr>,
    until: Instant,
}

impl Bans {
    fn add(&mut self, now: Instant, nick: Nickname, addr: Option<IpAddr>, until: Instant) {
        self.list
            .retain(|b| b.until > now && b.nick.key() != nick.key());
        if self.list.len() >= MAX_BANS
            && let Some(i) = (0..self.list.len()).min_by_key(|&i| self.list[i].until)
        {
            self.list.remove(i);
        }
        self.list.push(Ban { nick, addr, until });
    }

    fn remaining(&self, key: &NickKey, addr: Option<IpAddr>, now: Instant) -> Option<Duration> {
        self.list
            .iter()
            .filter(|b| b.until > now)
            .filter(|b| b.nick.key() == *key || (b.addr.is_some() && b.addr == addr))
            .map(|b| b.until - now)
            .max()
    }
}

/// How long a ban still holds, in minutes rounded up (at least 1).
pub(crate) fn more_minutes(left: Duration) -> Minutes {
    Minutes(left.as_secs().div_ceil(60).max(1))
}

impl Room {
    /// How much longer someone with nickname key `key`, connecting from `addr`, is banned
    /// from this room; `None` when not banned. The address matches when the ban recorded
    /// one (an IPv6 /64 counts as one address; loopback never matches while it is exempt
    /// from `max_per_ip`).
    pub(crate) fn ban_remaining(
        &self,
        key: &NickKey,
        addr: Option<IpAddr>,
        now: Instant,
    ) -> Option<Duration> {
        self.bans.remaining(key, self.limited_address(addr), now)
    }

    /// Bans a member just kicked (`peer` is its connection's address).
    pub(super) fn ban(&mut self, now: Now, nick: Nickname, peer: Option<IpAddr>) {
        let length = self.config.kick_ban;
        if length.is_zero() {
            return;
        }
        let addr = self.limited_address(peer);
        self.persist(crate::persist::Change::BanAdded {
            room: self.name.clone(),
            nick: nick.clone(),
            address: addr,
            until: now.wall + length,
        });
        self.bans.add(now.instant, nick, addr, now.instant + length);
    }

    /// Puts a kept ban back at start, unless it is over.
    pub(crate) fn restore_ban(&mut self, now: Now, ban: crate::persist::BanState) {
        let left = ban.until - now.wall;
        if !left.is_positive() {
            return;
        }
        let until = now.instant + left.unsigned_abs();
        self.bans.add(now.instant, ban.nick, ban.address, until);
    }

    /// `/bans` (admin): every ban in force with its remaining time.
    pub(super) fn list_bans(&mut self, now: Now, id: ClientId) {
        if self.admin() != Some(id) {
            return self.only_admin(now, id);
        }
        self.log_command(now, id, "/bans");
        let lines: Vec<_> = self
            .bans
            .list
            .iter()
            .filter(|b| b.until > now.instant)
            .map(|b| {
                let left = more_minutes(b.until - now.instant);
                let nick = (&b.nick).into();
                Reply::BanEntry { nick, left }.to_bytes()
            })
            .collect();
        if lines.is_empty() {
            return self.reply(id, Reply::NobodyBanned);
        }
        for l in lines {
            self.send(id, l);
        }
    }

    /// `/unban NICK` (admin): lifts the ban on that nickname (and the address it came with).
    pub(super) fn unban(&mut self, now: Now, id: ClientId, typed: &str) {
        if self.admin() != Some(id) {
            return self.only_admin(now, id);
        }
        let key = Nickname::parse(typed).ok().map(|n| n.key());
        let at = now.instant;
        let found = self
            .bans
            .list
            .iter()
            .position(|b| b.until > at && Some(b.nick.key()) == key);
        let (Some(i), Some(by)) = (found, self.nickname(id).cloned()) else {
            let typed = super::member::truncate(typed, 32);
            return self.reject(now, id, Reply::NotBanned { typed: &typed });
        };
        let ban = self.bans.list.remove(i);
        self.persist(crate::persist::Change::BanRemoved {
            room: self.name.clone(),
            nick: ban.nick.clone(),
        });
        self.log(
            now,
            Event::Unban {
                by,
                nick: ban.nick.clone(),
            },
        );
        let nick = (&ban.nick).into();
        self.reply(id, Reply::Unbanned { nick });
    }
}
