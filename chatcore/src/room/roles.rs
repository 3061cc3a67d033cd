//! `/admin`: the admin hands its role to another member.

use super::Room;
use crate::io::{ClientId, Now};
use crate::reply::Reply;

impl Room {
    pub(super) fn hand_admin(&mut self, now: Now, id: ClientId, typed: &str) {
        if self.admin() != Some(id) {
            return self.only_admin(now, id);
        }
        let Some((target, _)) = self.find(typed) else {
            return self.no_such_user(now, id, typed);
        };
        if target == id {
            return self.reject(now, id, Reply::AlreadyAdmin);
        }
        self.admin = Some(target);
        let source = self.by_id.get(&id).and_then(|m| m.peer);
        self.announce_admin(now, source);
    }

    /// The refusal of an admin-only command to anyone else.
    pub(super) fn only_admin(&mut self, now: Now, id: ClientId) {
        self.reject(now, id, Reply::OnlyAdmin);
    }
}
