//! Pending `/schedule`s: setting, firing at their deadline, cancelling on a kick.

use core::net::IpAddr;
use std::collections::BTreeMap;
use std::time::Instant;

use super::{Cx, Room, line};
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::nickname::Nickname;
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
            Err(e) => return self.reject(now, id, e.to_string()),
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
            let reason =
                format!("You already have {per_member} pending schedules (max {per_member}).");
            return self.reject(now, id, reason);
        }
        if address_full {
            let reason = format!(
                "Your address already has {per_address} pending schedules (max {per_address})."
            );
            return self.reject(now, id, reason);
        }
        if room_full {
            let reason =
                format!("The room already has {per_room} pending schedules (max {per_room}).");
            return self.reject(now, id, reason);
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
        };
        self.schedules.by_due.insert((due_instant, seq), schedule);
        self.log(
            now,
            Event::Scheduled {
                seq,
                nick,
                due,
                text: text.to_owned(),
            },
        );
        self.reply(
            id,
            format_args!(
                "Scheduled #{seq} for {}, in {}: {text}",
                when(due, now),
                format_wait(wait)
            ),
        );
    }

    pub(super) fn fire_schedules(&mut self, now: Now) {
        while let Some(entry) = self.schedules.by_due.first_entry() {
            if entry.key().0 > now.instant {
                break;
            }
            let ((_, seq), s) = entry.remove_entry();
            if let Some(m) = s.author.and_then(|a| self.member_mut(a)) {
                m.schedules = m.schedules.saturating_sub(1);
            }
            // Once the author's connection has left, a newcomer may hold the name: say so.
            let by = if s.author.is_some() {
                "] "
            } else {
                " (left)] "
            };
            let out = line(&["[Scheduled by ", s.nick.as_str(), by, &s.text]);
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
        let lines: Vec<String> = self
            .schedules
            .by_due
            .iter()
            .filter(|(_, s)| all || s.author == Some(id))
            .map(|(&(due, seq), s)| {
                let left = if s.author.is_some() { "" } else { " (left)" };
                format!(
                    "#{seq} for {}, in {}, by {}{left}: {}",
                    when(s.due, now),
                    format_wait(
                        time::Duration::try_from(due.saturating_duration_since(now.instant))
                            .unwrap_or_default(),
                    ),
                    s.nick,
                    s.text
                )
            })
            .collect();
        if lines.is_empty() {
            return self.reply(id, format_args!("No pending schedules."));
        }
        for l in lines {
            self.reply(id, format_args!("{l}"));
        }
    }

    /// `/unschedule ID`: its author or the admin cancels a pending schedule.
    pub(super) fn unschedule(&mut self, now: Now, id: ClientId, typed: &str) {
        let Ok(seq) = typed.strip_prefix('#').unwrap_or(typed).parse::<u64>() else {
            let reason = format!("Usage: {}", crate::command::Usage::Unschedule.syntax());
            return self.reject(now, id, reason);
        };
        let Some(&key) = self.schedules.by_due.keys().find(|&&(_, n)| n == seq) else {
            return self.reject(now, id, format!("No pending schedule #{seq}."));
        };
        let author = self.schedules.by_due.get(&key).and_then(|s| s.author);
        if author != Some(id) && self.admin() != Some(id) {
            let reason = format!("Only its author or the admin can cancel schedule #{seq}.");
            return self.reject(now, id, reason);
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
        self.log(
            now,
            Event::Unscheduled {
                seq,
                nick: s.nick,
                by,
            },
        );
        self.reply(id, format_args!("Schedule #{seq} cancelled."));
    }
}
