//! Members leaving: disconnects, quits, shutdown, and the admin role passing on.

use super::{Client, Member, Room, State, server_line};
use crate::error::Error;
use crate::io::{Action, ClientId, DisconnectCause, Now, address_key};
use crate::log::{Event, LeaveCause};
use crate::nickname::Nickname;

impl Room {
    /// Tells everyone the server is shutting down, closes every connection and cancels the
    /// schedules. Later connections are refused.
    pub fn handle_shutdown(&mut self, now: Now) {
        let now = self.clamp(now);
        self.log(
            now,
            Event::Shutdown {
                members: self.members.len(),
            },
        );
        let line = server_line(format_args!("The server is shutting down."));
        // Members in join order, then everyone still choosing a nickname.
        let mut ids = self.members.clone();
        ids.extend(self.pending.iter().map(|&(_, id)| id));
        for id in ids {
            if let Some(state) = self.mark_closing(id) {
                match state {
                    State::Closing => continue,
                    State::Member(m) => {
                        self.log_open_flood(now, &m);
                        let cause = LeaveCause::Shutdown;
                        self.log(
                            now,
                            Event::Leave {
                                nick: m.nick.clone(),
                                cause,
                            },
                        );
                    }
                    State::Pending => self.log_unlogged(now, id),
                }
                self.actions.push_back(Action::Send {
                    to: id,
                    line: line.clone(),
                });
                self.actions.push_back(Action::Close { id });
            }
        }
        self.members.clear();
        self.admin = None;
        self.nicks.clear();
        self.pending.clear();
        self.log_unwritten(now, true);
        self.schedules.clear();
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
        if let Some(Client {
            state: State::Pending,
            ..
        }) = self.clients.get(&id)
        {
            self.log(now, Event::Abandoned { id });
        }
        let client = self.clients.remove(&id).ok_or(Error::UnknownClient(id))?;
        if let Some(key) = client.peer.filter(|_| client.counted).map(address_key) {
            if let Some(n) = self.per_ip.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    self.per_ip.remove(&key);
                }
            }
        }
        match client.state {
            State::Closing => {}
            State::Pending => self.pending.retain(|&(_, p)| p != id),
            State::Member(m) => {
                self.leave(now, id, *m, LeaveCause::Disconnected(cause));
            }
        }
        Ok(())
    }

    /// Removes a member that is leaving (its client entry already removed or set to
    /// closing), tells the others and hands the admin role on.
    pub(super) fn leave(&mut self, now: Now, id: ClientId, m: Member, cause: LeaveCause) {
        self.log_open_flood(now, &m);
        let was_admin = self.admin() == Some(id);
        self.remove_member(id, &m.nick);
        self.detach_schedules_of(id);
        self.log(
            now,
            Event::Leave {
                nick: m.nick.clone(),
                cause,
            },
        );
        let line = server_line(format_args!("{} has left the chat.", m.nick));
        self.broadcast(&line, None);
        self.announce_admin(now, was_admin);
    }

    /// Removes a member; when it was the admin, the longest member becomes admin.
    pub(super) fn remove_member(&mut self, id: ClientId, nick: &Nickname) {
        self.members.retain(|&m| m != id);
        self.nicks.remove(&nick.key());
        if self.admin == Some(id) {
            self.admin = self.members.first().copied();
        }
    }

    pub(super) fn announce_admin(&mut self, now: Now, was_admin: bool) {
        if !was_admin {
            return;
        }
        if let Some(nick) = self.admin().and_then(|a| self.nickname(a)).cloned() {
            self.log(now, Event::Admin { nick: nick.clone() });
            let line = server_line(format_args!("{nick} is now the admin."));
            self.broadcast(&line, None);
        }
    }
}
