//! Churn (PROTOCOL.md §6): what one address's comings and goings cost the others in a room.
//! Each address has a budget of announcements here (joins, leaves, renames, kicks it
//! provokes, admin changes); past it they are folded: counted instead of shown, and the
//! count is one summary line at most once a minute.

use core::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::Room;
use crate::config::Config;
use crate::io::{ClientId, Now};
use crate::rate::{Buckets, Rate};
use crate::reply::Reply;

/// How long after the first folded announcement its summary comes, so the count covers
/// the burst rather than its first line.
const FIRST_SUMMARY: Duration = Duration::from_secs(10);
/// The least time between two summaries of one room.
const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// One room's announcement budgets and what they folded.
#[derive(Debug)]
pub(super) struct Churn {
    /// Announcements each address may still cause here.
    budgets: Buckets<IpAddr>,
    /// Announcements folded since the last summary.
    folded: u64,
    /// When the summary of `folded` is due, once something is folded.
    due: Option<Instant>,
    /// When the last summary went out, so that there is at most one a minute.
    last: Option<Instant>,
}

impl Churn {
    pub(super) fn new(config: &Config) -> Churn {
        Churn {
            budgets: Buckets::new(Rate::new(config.announce_burst, config.announce_rate)),
            folded: 0,
            due: None,
            last: None,
        }
    }

    /// When the summary is due, if one is waiting.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.due
    }

    /// Forgets what was folded (the server shuts down).
    pub(super) fn clear(&mut self) {
        self.folded = 0;
        self.due = None;
    }

    fn fold(&mut self, now: Instant) {
        self.folded += 1;
        if self.due.is_none() {
            let first = now + FIRST_SUMMARY;
            let next = self.last.map_or(first, |t| (t + SUMMARY_EVERY).max(first));
            self.due = Some(next);
        }
    }

    /// The count to summarise, if its time has come.
    fn take_due(&mut self, now: Instant) -> Option<u64> {
        if self.due? > now {
            return None;
        }
        self.due = None;
        self.last = Some(now);
        Some(std::mem::take(&mut self.folded))
    }
}

impl Room {
    /// Sends `line`, an announcement a connection from `source` caused, to every member but
    /// `except`, if `source`'s budget in this room allows; otherwise counts it for the
    /// summary. Returns whether it was sent.
    pub(super) fn announce(
        &mut self,
        now: Now,
        source: Option<IpAddr>,
        line: &Bytes,
        except: Option<ClientId>,
    ) -> bool {
        if let Some(addr) = self.limited_address(source)
            && self.churn.budgets.take(addr, now.instant).is_err()
        {
            self.churn.fold(now.instant);
            return false;
        }
        self.broadcast(line, except);
        true
    }

    /// Tells every member how many announcements were folded, once that is due.
    pub(super) fn send_summary(&mut self, now: Now) {
        let Some(n) = self.churn.take_due(now.instant) else {
            return;
        };
        let line = match n {
            1 => Reply::OneNotShown,
            count => Reply::NotShown { count },
        }
        .to_bytes();
        self.broadcast(&line, None);
    }
}
