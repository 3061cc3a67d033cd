//! The backlog: a room's last public lines, shown to whoever enters it.

use std::collections::VecDeque;

use bytes::Bytes;
use time::OffsetDateTime;

use super::Room;
use crate::io::{ClientId, Now};
use crate::reply::{Line, Offset, Reply, Stamp};

/// The last `Config::history` public lines (chat, `/me` actions, fired schedules) as they
/// were delivered, with their delivery time. Each entry shares the delivered bytes, so
/// keeping a line costs no copy and no allocation once the queue has its capacity.
#[derive(Debug, Default)]
pub(super) struct Backlog {
    lines: VecDeque<(OffsetDateTime, Bytes)>,
}

impl Backlog {
    /// Keeps `line` (delivered at `at`), forgetting the oldest past `max` lines.
    fn push(&mut self, max: usize, at: OffsetDateTime, line: &Bytes) {
        if max == 0 {
            return;
        }
        if self.lines.capacity() == 0 {
            // Once, at the first line: a room that never chats allocates nothing.
            self.lines.reserve_exact(max);
        }
        while self.lines.len() >= max {
            self.lines.pop_front();
        }
        self.lines.push_back((at, line.clone()));
    }
}

impl Room {
    /// Keeps a public line just delivered for the backlog, and reports it as a durable
    /// change (a store batches these; nobody waits for them).
    pub(super) fn keep_in_backlog(&mut self, now: Now, line: &Bytes) {
        if self.config.history == 0 {
            return;
        }
        self.backlog.push(self.config.history, now.wall, line);
        self.persist(crate::persist::Change::BacklogAppended {
            room: self.name.clone(),
            at: now.wall,
            line: line.clone(),
        });
    }

    /// Puts kept lines back at start (the last `Config::history` of them). A line holding
    /// a character no server line may hold (the file was edited) is skipped.
    pub(crate) fn restore_backlog(&mut self, lines: Vec<crate::persist::BacklogLine>) {
        for kept in lines {
            if !super::is_clean(&kept.line) {
                continue;
            }
            let mut line = kept.line.into_bytes();
            line.push(b'\n');
            self.backlog
                .push(self.config.history, kept.at, &Bytes::from(line));
        }
    }

    /// Sends the backlog to a member entering the room: a header naming the offset, then
    /// `[HH:MM] ` + each line as it was delivered. Nothing when it is empty.
    pub(super) fn send_backlog(&mut self, id: ClientId) {
        let n = self.backlog.lines.len();
        if n == 0 {
            return;
        }
        let offset = self.config.utc_offset;
        self.reply(
            id,
            match n {
                1 => Reply::BacklogOne {
                    offset: Offset(offset),
                },
                count => Reply::BacklogMany {
                    count,
                    offset: Offset(offset),
                },
            },
        );
        for i in 0..n {
            let Some((at, line)) = self.backlog.lines.get(i) else {
                break;
            };
            let at = at.to_offset(offset);
            let at = Stamp {
                hour: at.hour(),
                minute: at.minute(),
            };
            // Kept lines are lines this room formatted: UTF-8, ending in `\n`.
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            let Ok(line) = std::str::from_utf8(text) else {
                continue;
            };
            let out = Line::Backlog { at, line }.to_bytes();
            self.send(id, out);
        }
    }
}
