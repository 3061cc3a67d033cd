//! Connections going away, and the server shutting down.

use super::{Hall, State};
use crate::error::Error;
use crate::io::{Action, ClientId, DisconnectCause, Now, address_key};
use crate::log::{Event, LeaveCause};
use crate::reply::Reply;

use super::admit::subnet_key;

impl Hall {
    /// Tells everyone the server is shutting down, closes every connection and cancels the
    /// schedules. Later connections are refused.
    pub fn handle_shutdown(&mut self, now: Now) {
        let now = self.clamp(now);
        let members = self.rooms.values().map(|s| s.room.len()).sum();
        self.log(now, Event::Shutdown { members });
        let line = Reply::ShuttingDown.to_bytes();
        // Members room by room in join order, then everyone still choosing a nickname.
        let rids: Vec<_> = self.rooms.keys().copied().collect();
        for rid in rids {
            self.with_room(now, rid, |room, _| room.shut_down(now, &line));
        }
        let members: Vec<ClientId> = self
            .clients
            .iter()
            .filter(|(_, c)| matches!(c.state, State::Member(_)))
            .map(|(&id, _)| id)
            .collect();
        for id in members {
            self.mark_closing(id);
        }
        for (_, id) in std::mem::take(&mut self.pending) {
            if self.mark_closing(id) == Some(State::Pending) {
                self.log_unlogged(now, id);
                self.actions.push_back(Action::Send {
                    to: id,
                    line: line.clone(),
                });
                self.actions.push_back(Action::Close { id });
            }
        }
        self.cx.nicks.clear();
        self.log_unwritten(now, true);
        self.timers.clear();
        for slot in self.rooms.values_mut() {
            slot.armed = None;
        }
        self.shut_down = true;
    }

    pub(super) fn handle_disconnect(
        &mut self,
        now: Now,
        id: ClientId,
        cause: DisconnectCause,
    ) -> Result<(), Error> {
        self.log_unlogged(now, id);
        // Logged while the client is known, so the record is charged to its address.
        if self
            .clients
            .get(&id)
            .is_some_and(|c| c.state == State::Pending)
        {
            self.log(now, Event::Abandoned { id });
        }
        let client = self.clients.remove(&id).ok_or(Error::UnknownClient(id))?;
        if let Some(ip) = client.peer.filter(|_| client.counted) {
            release(&mut self.per_ip, address_key(ip));
            release(&mut self.per_subnet, subnet_key(ip));
        }
        match client.state {
            State::Closing => {}
            State::Pending => self.pending.retain(|&(_, p)| p != id),
            State::Member(rid) => {
                let cause = LeaveCause::Disconnected(cause);
                self.with_room(now, rid, |room, cx| room.depart(now, id, cause, cx));
            }
        }
        Ok(())
    }
}

/// Counts one connection of `key` as gone.
pub(super) fn release(
    counts: &mut std::collections::BTreeMap<core::net::IpAddr, usize>,
    key: core::net::IpAddr,
) {
    if let Some(n) = counts.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            counts.remove(&key);
        }
    }
}
