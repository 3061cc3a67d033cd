//! Members leaving: disconnects, quits, moving to another room, shutdown, and the admin
//! role passing on.

use super::{Cx, Member, Room};
use crate::io::{Action, ClientId, Now};
use crate::log::{Event, LeaveCause};
use crate::reply::Reply;

impl Room {
    /// Removes a member whose connection went away (or quit): tells the others, hands the
    /// admin role on and frees its nickname on the server.
    pub(crate) fn depart(&mut self, now: Now, id: ClientId, cause: LeaveCause, cx: &mut Cx) {
        let Some((m, was_admin)) = self.take_member(id) else {
            return;
        };
        cx.nicks.remove(&m.nick.key());
        let nick = (&m.nick).into();
        self.left(now, id, &m, was_admin, cause, Reply::HasLeft { nick });
    }

    /// Removes a member that goes to another room with `/join`: the others get
    /// `X has left the room.`; its nickname stays registered. Returns the member to enter
    /// elsewhere, with no schedules counted there.
    pub(crate) fn exit(&mut self, now: Now, id: ClientId) -> Option<Member> {
        let (mut m, was_admin) = self.take_member(id)?;
        let nick = m.nick.clone();
        let left = Reply::LeftRoom {
            nick: (&nick).into(),
        };
        self.left(now, id, &m, was_admin, LeaveCause::Moved, left);
        m.schedules = 0;
        Some(m)
    }

    /// Every member leaves because the server shuts down: each gets `line` and is closed,
    /// in join order.
    pub(crate) fn shut_down(&mut self, now: Now, line: &bytes::Bytes) {
        for id in std::mem::take(&mut self.members) {
            if let Some(m) = self.by_id.remove(&id) {
                self.log_open_flood(now, &m);
                let cause = LeaveCause::Shutdown;
                self.log(
                    now,
                    Event::Leave {
                        nick: m.nick,
                        cause,
                    },
                );
            }
            self.send(id, line.clone());
            self.actions.push_back(Action::Close { id });
        }
        self.admin = None;
        self.nicks.clear();
        self.schedules.clear();
        self.churn.clear();
    }

    /// Removes a member; also says whether it was the admin (then the longest member is).
    pub(super) fn take_member(&mut self, id: ClientId) -> Option<(Member, bool)> {
        let m = self.by_id.remove(&id)?;
        let was_admin = self.admin == Some(id);
        self.members.retain(|&x| x != id);
        self.nicks.remove(&m.nick.key());
        if was_admin {
            self.admin = self.members.first().copied();
        }
        Some((m, was_admin))
    }

    /// After a member is removed: its open flood burst, the record, the others told, the
    /// admin role handed on.
    pub(super) fn left(
        &mut self,
        now: Now,
        id: ClientId,
        m: &Member,
        was_admin: bool,
        cause: LeaveCause,
        what: Reply<'_>,
    ) {
        self.log_open_flood(now, m);
        self.detach_schedules_of(id);
        self.log(
            now,
            Event::Leave {
                nick: m.nick.clone(),
                cause,
            },
        );
        let line = what.to_bytes();
        self.announce(now, m.peer, &line, None);
        if was_admin {
            self.announce_admin(now, m.peer);
        }
    }

    /// Tells everyone who the admin is now, an announcement on the account of `source`
    /// (who left, or handed the role on); the new admin is told even when it is folded.
    pub(super) fn announce_admin(&mut self, now: Now, source: Option<core::net::IpAddr>) {
        let Some(admin) = self.admin() else {
            return;
        };
        if let Some(nick) = self.nickname(admin).cloned() {
            self.log(now, Event::Admin { nick: nick.clone() });
            let line = Reply::NewAdmin {
                nick: (&nick).into(),
            }
            .to_bytes();
            if !self.announce(now, source, &line, None) {
                self.send(admin, line);
            }
        }
    }
}
