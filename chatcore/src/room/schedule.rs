//! Pending `/schedule`s: setting, firing at their deadline, cancelling on a kick.

use core::net::IpAddr;
use std::collections::BTreeMap;
use std::time::Instant;

use super::{Cx, Room};
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::nickname::Nickname;
use crate::persist::{Change, Removed};
use crate::reply::{Author, Line, Reply};
use crate::timespec::{TimeSpec, format_offset, format_wait};
use time::OffsetDateTime;

/// Schedules ordered by (due, sequence), so the first key is the next deadline and two
/// schedules for the same minute fire in the order they were set.
#[derive(Debug, Default)]
pub(super) struct Schedules {
    by_due: BTreeMap<(Instant, u64), Schedule>,
}

#[derive(Debug)]
struct Schedule {
    /// The author's connection while it is a member; `None` once it left, so a reused id
    /// is never mistaken for the author.
    author: Option<ClientId>,
    /// The address the author's connection counted as ([`Room::limited_address`]), kept
    /// after the author leaves: reconnecting does not give an address more schedules.
    from: Option<IpAddr>,
    /// The author's nickname when it was set: the name the message goes out under.
    nick: Nickname,
    /// When it fires, in the offset it was asked in (for `/schedules`).
    due: OffsetDateTime,
    /// The sanitised text.
    text: String,
    /// Whole minutes it was late when restored to fire at once at start (PROTOCOL.md §10);
    /// `None` for one that fires at its time (or less than a minute late).
    late: Option<u64>,
}

impl Schedules {
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.by_due.keys().next().map(|&(t, _)| t)
    }

    pub(super) fn clear(&mut self) {
        self.by_due.clear();
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_due.is_empty()
    }

    fn len(&self) -> usize {
        self.by_due.len()
    }

    fn count_from(&self, address: IpAddr) -> usize {
        self.by_due
            .values()
            .filter(|s| s.from == Some(address))
            .count()
    }
}

impl Room {
    pub(super) fn schedule(&mut self, now: Now, id: ClientId, time: &str, text: &str, cx: &mut Cx) {
        let spec = match TimeSpec::parse(time) {
            Ok(spec) => spec,
            Err(error) => return self.reject(now, id, Reply::BadTime { error }),
        };
        let (per_member, per_room) = (
            self.config.max_schedules_per_member,
            self.config.max_schedules_per_room,
        );
        let room_full = self.schedules.len() >= per_room;
        // An address may hold what its allowed connections could hold at once.
        let per_address = per_member.saturating_mul(self.config.max_per_ip);
        let from = self.limited_address(self.by_id.get(&id).and_then(|m| m.peer));
        let address_full = from.is_some_and(|a| self.schedules.count_from(a) >= per_address);
        let Some(member) = self.member_mut(id) else {
            return;
        };
        if member.schedules >= per_member {
            let max = per_member;
            return self.reject(now, id, Reply::TooManySchedules { max });
        }
        if address_full {
            let max = per_address;
            return self.reject(now, id, Reply::TooManyAddressSchedules { max });
        }
        if room_full {
            let max = per_room;
            return self.reject(now, id, Reply::TooManyRoomSchedules { max });
        }
        member.schedules += 1;
        let nick = member.nick.clone();
        let due = spec.next_after(now.wall, self.config.utc_offset);
        let wait = due - now.wall;
        let due_instant = now.instant + wait.unsigned_abs();
        // Unique on the whole server (PROTOCOL.md §9).
        cx.last_seq += 1;
        let seq = cx.last_seq;
        let schedule = Schedule {
            author: Some(id),
            from,
            nick: nick.clone(),
            due,
            text: text.to_owned(),
            late: None,
        };
        self.schedules.by_due.insert((due_instant, seq), schedule);
        self.persist(Change::ScheduleAdded {
            id: seq,
            room: self.name.clone(),
            author: nick.clone(),
            due,
            text: text.to_owned(),
            next_id: seq + 1,
        });
        self.log(
            now,
            Event::Scheduled {
                seq,
                nick,
                due,
                text: text.to_owned(),
            },
        );
        let (when, wait) = (when(due, now), format_wait(wait));
        self.reply(
            id,
            Reply::Scheduled {
                seq,
                when: &when,
                wait: &wait,
                text,
            },
        );
    }

    pub(super) fn fire_schedules(&mut self, now: Now) {
        while let Some(entry) = self.schedules.by_due.first_entry() {
            if entry.key().0 > now.instant {
                break;
            }
            let ((_, seq), s) = entry.remove_entry();
            self.persist(Change::ScheduleRemoved {
                id: seq,
                why: Removed::Fired,
            });
            if let Some(m) = s.author.and_then(|a| self.member_mut(a)) {
                m.schedules = m.schedules.saturating_sub(1);
            }
            // Once the author's connection has left, a newcomer may hold the name: say so.
            let by = Author {
                nick: (&s.nick).into(),
                left: s.author.is_none(),
            };
            let text = &s.text;
            let out = match s.late {
                Some(late) => Line::LateScheduled {
                    by: by.nick,
                    late,
                    text,
                }
                .to_bytes(),
                None => Line::Scheduled { by, text }.to_bytes(),
            };
            self.broadcast(&out, None);
            self.keep_in_backlog(now, &out);
            self.log(
                now,
                Event::Fired {
                    seq,
                    nick: s.nick,
                    text: s.text,
                },
            );
        }
    }

    /// Puts a kept schedule back at start. Its author's connection is gone, so it fires
    /// marked `(left)`. One that fell due while the server was down fires at once if at
    /// most `Config::late_limit` late (marked with its lateness from a minute on); older,
    /// it is dropped, logged and reported as removed. Returns whether it was kept.
    pub(crate) fn restore_schedule(
        &mut self,
        now: Now,
        kept: crate::persist::ScheduleState,
    ) -> bool {
        if !super::is_clean(&kept.text) || kept.text.is_empty() {
            self.persist(Change::ScheduleRemoved {
                id: kept.id,
                why: Removed::Unreadable,
            });
            return false;
        }
        let wait = kept.due - now.wall;
        let (due, late) = if wait.is_positive() {
            (now.instant + wait.unsigned_abs(), None)
        } else {
            let late = (-wait).unsigned_abs();
            let minutes = late.as_secs() / 60;
            if late > self.config.late_limit {
                self.persist(Change::ScheduleRemoved {
                    id: kept.id,
                    why: Removed::TooLate,
                });
                let (seq, nick, text) = (kept.id, kept.author, kept.text);
                self.log(
                    now,
                    Event::TooLate {
                        seq,
                        nick,
                        minutes,
                        text,
                    },
                );
                return false;
            }
            (now.instant, (minutes > 0).then_some(minutes))
        };
        let schedule = Schedule {
            author: None,
            from: None,
            nick: kept.author,
            due: kept.due,
            text: kept.text,
            late,
        };
        self.schedules.by_due.insert((due, kept.id), schedule);
        true
    }

    pub(super) fn cancel_schedules_of(&mut self, now: Now, author: ClientId) {
        let mut cancelled = Vec::new();
        self.schedules.by_due.retain(|&(_, seq), s| {
            let keep = s.author != Some(author);
            if !keep {
                cancelled.push((seq, s.nick.clone()));
            }
            keep
        });
        for (seq, nick) in cancelled {
            self.persist(Change::ScheduleRemoved {
                id: seq,
                why: Removed::AuthorKicked,
            });
            self.log(now, Event::Cancelled { seq, nick });
        }
    }

    /// Keeps a departing member's schedules but forgets whose connection they came from.
    pub(super) fn detach_schedules_of(&mut self, author: ClientId) {
        for s in self.schedules.by_due.values_mut() {
            if s.author == Some(author) {
                s.author = None;
            }
        }
    }
}

/// `15:30 today (+09:00)`: a due time within the next 24 h, in the offset it was asked in.
fn when(due: OffsetDateTime, now: Now) -> String {
    // Always within 24 h, so the day is one of these two in the author's offset.
    let day = if due.date() == now.wall.to_offset(due.offset()).date() {
        "today"
    } else {
        "tomorrow"
    };
    format!(
        "{:02}:{:02} {day} ({})",
        due.hour(),
        due.minute(),
        format_offset(due.offset())
    )
}

impl Room {
    /// `/schedules`: the asker's pending schedules, or every one for the admin, soonest first.
    pub(super) fn list_schedules(&mut self, now: Now, id: ClientId) {
        self.log_command(now, id, "/schedules");
        let all = self.admin() == Some(id);
        let lines: Vec<_> = self
            .schedules
            .by_due
            .iter()
            .filter(|(_, s)| all || s.author == Some(id))
            .map(|(&(due, seq), s)| {
                let wait = due.saturating_duration_since(now.instant);
                let wait = format_wait(time::Duration::try_from(wait).unwrap_or_default());
                Reply::ScheduleEntry {
                    seq,
                    when: &when(s.due, now),
                    wait: &wait,
                    by: Author {
                        nick: (&s.nick).into(),
                        left: s.author.is_none(),
                    },
                    text: &s.text,
                }
                .to_bytes()
            })
            .collect();
        if lines.is_empty() {
            return self.reply(id, Reply::NoSchedules);
        }
        for l in lines {
            self.send(id, l);
        }
    }

    /// `/unschedule ID`: its author or the admin cancels a pending schedule.
    pub(super) fn unschedule(&mut self, now: Now, id: ClientId, typed: &str) {
        let Ok(seq) = typed.strip_prefix('#').unwrap_or(typed).parse::<u64>() else {
            let usage = crate::command::Usage::Unschedule;
            return self.reject(now, id, Reply::Usage { usage });
        };
        let Some(&key) = self.schedules.by_due.keys().find(|&&(_, n)| n == seq) else {
            return self.reject(now, id, Reply::NoSuchSchedule { seq });
        };
        let author = self.schedules.by_due.get(&key).and_then(|s| s.author);
        if author != Some(id) && self.admin() != Some(id) {
            return self.reject(now, id, Reply::NotYourSchedule { seq });
        }
        let (Some(s), Some(by)) = (
            self.schedules.by_due.remove(&key),
            self.nickname(id).cloned(),
        ) else {
            return;
        };
        if let Some(m) = s.author.and_then(|a| self.member_mut(a)) {
            m.schedules = m.schedules.saturating_sub(1);
        }
        self.persist(Change::ScheduleRemoved {
            id: seq,
            why: Removed::Unscheduled,
        });
        self.log(
            now,
            Event::Unscheduled {
                seq,
                nick: s.nick,
                by,
            },
        );
        self.reply(id, Reply::Unscheduled { seq });
    }
}
