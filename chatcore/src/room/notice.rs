//! `/notice`: the room's notice, set by the admin and shown to everyone who enters.

use bytes::Bytes;

use super::Room;
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::reply::Reply;

/// The room's notice.
#[derive(Debug)]
pub(super) struct Notice {
    /// The sanitised text.
    text: String,
    /// `[Server]: Notice: text\n`, formatted once for every newcomer.
    line: Bytes,
}

impl Room {
    /// `/notice` (show), `/notice -` (clear, admin) or `/notice text` (set, admin).
    pub(super) fn notice(&mut self, now: Now, id: ClientId, text: &str) {
        if text.is_empty() {
            self.log_command(now, id, "/notice");
            return match &self.notice {
                Some(n) => self.send(id, n.line.clone()),
                None => self.reply(id, Reply::NoNotice),
            };
        }
        if self.admin() != Some(id) {
            return self.only_admin(now, id);
        }
        let Some(by) = self.nickname(id).cloned() else {
            return;
        };
        if text == "-" {
            self.notice = None;
            self.persist(crate::persist::Change::NoticeSet {
                room: self.name.clone(),
                notice: None,
            });
            self.log(now, Event::Notice { by, text: None });
            return self.reply(id, Reply::NoticeCleared);
        }
        self.notice = Some(Notice {
            text: text.to_owned(),
            line: Reply::Notice { text }.to_bytes(),
        });
        self.persist(crate::persist::Change::NoticeSet {
            room: self.name.clone(),
            notice: Some(text.to_owned()),
        });
        let line = Reply::NoticeFrom {
            by: (&by).into(),
            text,
        }
        .to_bytes();
        self.broadcast(&line, None);
        let text = Some(text.to_owned());
        self.log(now, Event::Notice { by, text });
    }

    /// Puts a kept notice back at start (skipped if it holds a character no server line may
    /// hold: the file was edited).
    pub(crate) fn restore_notice(&mut self, text: String) {
        if text.is_empty() || !super::is_clean(&text) {
            return;
        }
        let line = Reply::Notice { text: &text }.to_bytes();
        self.notice = Some(Notice { text, line });
    }

    /// Shows the notice, if any, to a member entering the room.
    pub(super) fn send_notice(&mut self, id: ClientId) {
        if let Some(line) = self.notice.as_ref().map(|n| n.line.clone()) {
            self.send(id, line);
        }
    }

    /// The room's notice, if one is set.
    pub(crate) fn notice_text(&self) -> Option<&str> {
        self.notice.as_ref().map(|n| n.text.as_str())
    }
}
