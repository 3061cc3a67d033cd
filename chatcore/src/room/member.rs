//! What a member's line does: chat and every command.

use super::{Cx, Request, Room, wrap_list};
use crate::command::{self, Command};
use crate::decoder::Frame;
use crate::flood::Verdict;
use crate::io::{Action, ClientId, Now};
use crate::log::{Event, LeaveCause};
use crate::nickname::{NickError, Nickname};
use crate::reply::{HELP, HelpLine, KickReason, Line, Name, Reply};
use crate::sanitize::{is_blank, sanitize};

/// Longest user-typed word echoed back in a reply, in bytes.
const ECHO_MAX: usize = 32;

impl Room {
    /// Handles one line from a member. Returns what only the hall can do (`/rooms`,
    /// `/join`), after the flood limit let it through.
    pub(crate) fn handle_member_frame(
        &mut self,
        now: Now,
        id: ClientId,
        frame: Frame,
        cx: &mut Cx,
    ) -> Option<Request> {
        let since = self.since_epoch(now);
        let member = self.member_mut(id)?;
        match member.flood.check(since) {
            Verdict::Allow { dropped_before: 0 } => {}
            Verdict::Allow { dropped_before } => {
                let nick = member.nick.clone();
                self.log(
                    now,
                    Event::Flood {
                        nick,
                        dropped: dropped_before,
                    },
                );
            }
            Verdict::DropAndWarn => {
                self.reply(id, Reply::TooFast);
                return None;
            }
            Verdict::Drop => return None,
        }
        let text = self.frame_text(now, id, frame)?;
        let clean = sanitize(&text);
        match command::parse(&clean) {
            Command::Chat(text) => self.say(now, id, text, Say::Chat),
            Command::Me(text) => self.say(now, id, text, Say::Action),
            Command::Admin(nick) => self.hand_admin(now, id, nick),
            Command::Schedules => self.list_schedules(now, id),
            Command::Notice(text) => self.notice(now, id, text),
            Command::Bans => self.list_bans(now, id),
            Command::Unban(nick) => self.unban(now, id, nick),
            Command::Unschedule(n) => self.unschedule(now, id, n),
            Command::Rename(to) if only_tabs_cleaned(&text, &clean) => {
                self.rename(now, id, to, cx);
            }
            // A nickname with a control or bidi character is refused, not cleaned (a TAB
            // is a space here, as around a nickname at the prompt).
            Command::Rename(_) => {
                let error = NickError::InvalidChars;
                self.reject(now, id, Reply::BadNickname { error });
            }
            Command::Whisper { to, text } => self.whisper(now, id, to, text),
            Command::Schedule { time, text } => self.schedule(now, id, time, text, cx),
            Command::Kick { nick, reason } => self.kick(now, id, nick, reason, cx),
            Command::User => {
                self.log_command(now, id, "/user");
                self.user_list(id);
            }
            Command::Help => {
                self.log_command(now, id, "/help");
                self.help(id);
            }
            Command::Quit => self.quit(now, id, cx),
            Command::Rooms => {
                self.log_command(now, id, "/rooms");
                return Some(Request::Rooms);
            }
            Command::Join { name, code } => {
                return Some(Request::Join {
                    name: name.to_owned(),
                    code: code.map(str::to_owned),
                });
            }
            Command::Code(code) => self.set_code(now, id, code),
            Command::Usage(usage) => self.reject(now, id, Reply::Usage { usage }),
            Command::Unknown(cmd) => {
                let command = &truncate(cmd, ECHO_MAX);
                self.reject(now, id, Reply::UnknownCommand { command });
            }
        }
        None
    }

    /// The text of a framed line; a framing error is refused here.
    fn frame_text(&mut self, now: Now, id: ClientId, frame: Frame) -> Option<String> {
        let reason = match frame {
            Frame::Line(text) => return Some(text),
            Frame::TooLong => Reply::LineTooLong {
                max: self.config.max_line_bytes,
            },
            Frame::InvalidUtf8 => Reply::NotUtf8,
        };
        self.reject(now, id, reason);
        None
    }

    pub(super) fn log_command(&mut self, now: Now, id: ClientId, command: &'static str) {
        if let Some(nick) = self.nickname(id).cloned() {
            self.log(now, Event::Command { nick, command });
        }
    }

    /// Logs the drops of a flood burst still open when a member goes (leave, kick,
    /// shutdown): the next accepted line, which would log them, never comes.
    pub(super) fn log_open_flood(&mut self, now: Now, m: &super::Member) {
        let dropped = m.flood.dropped();
        if dropped > 0 {
            let nick = m.nick.clone();
            self.log(now, Event::Flood { nick, dropped });
        }
    }

    pub(super) fn member_mut(&mut self, id: ClientId) -> Option<&mut super::Member> {
        self.by_id.get_mut(&id)
    }

    /// The member a typed nickname names, if it is in the room.
    pub(super) fn find(&self, typed: &str) -> Option<(ClientId, Nickname)> {
        let key = Nickname::parse(typed).ok()?.key();
        let &id = self.nicks.get(&key)?;
        Some((id, self.nickname(id)?.clone()))
    }

    pub(super) fn no_such_user(&mut self, now: Now, id: ClientId, typed: &str) {
        let typed = &truncate(typed, ECHO_MAX);
        self.reject(now, id, Reply::NoSuchUser { typed });
    }

    /// A public line to every other member: chat (`Alice >> hi`) or an action
    /// (`* Alice waves`). Both are charged alike, repeats included.
    fn say(&mut self, now: Now, id: ClientId, text: &str, kind: Say) {
        if is_blank(text) {
            return;
        }
        let repeat_cost = self.config.repeat_cost;
        let since = self.since_epoch(now);
        let Some(member) = self.member_mut(id) else {
            return;
        };
        let nick = member.nick.clone();
        let out = match kind {
            Say::Chat => Line::Chat {
                nick: (&nick).into(),
                text,
            },
            Say::Action => Line::Action {
                nick: (&nick).into(),
                text,
            },
        }
        .to_bytes();
        if repeat_cost > 0 && out == member.last_line {
            member.flood.charge(repeat_cost, since);
        }
        member.last_line = out.clone();
        self.broadcast(&out, Some(id));
        self.keep_in_backlog(now, &out);
        let text = text.to_owned();
        let event = match kind {
            Say::Chat => Event::Chat { nick, text },
            Say::Action => Event::Action { nick, text },
        };
        self.log(now, event);
    }

    fn rename(&mut self, now: Now, id: ClientId, typed: &str, cx: &mut Cx) {
        let new = match Nickname::parse(typed) {
            Ok(n) => n,
            Err(error) => return self.reject(now, id, Reply::BadNickname { error }),
        };
        let Some(old) = self.nickname(id).cloned() else {
            return;
        };
        if new == old {
            let nick = (&old).into();
            return self.reject(now, id, Reply::AlreadyNamed { nick });
        }
        // Unique on the whole server, not only in this room (PROTOCOL.md §8).
        if cx.nicks.get(&new.key()).is_some_and(|&owner| owner != id) {
            let nick = (&new).into();
            return self.reject(now, id, Reply::NickTaken { nick });
        }
        // Charged only for a rename that happens: a refused one tells nobody else.
        let rate = super::rename_rate(&self.config);
        let Some(member) = self.member_mut(id) else {
            return;
        };
        let peer = member.peer;
        if let Err(wait) = rate.take(&mut member.renames, now.instant) {
            let secs = wait.as_secs().max(1);
            return self.reject(now, id, Reply::RenamingTooOften { secs });
        }
        self.nicks.remove(&old.key());
        self.nicks.insert(new.key(), id);
        cx.nicks.remove(&old.key());
        cx.nicks.insert(new.key(), id);
        if let Some(m) = self.member_mut(id) {
            m.nick = new.clone();
            m.last_line = bytes::Bytes::new();
        }
        self.log(
            now,
            Event::Rename {
                from: old.clone(),
                to: new.clone(),
            },
        );
        let line = Reply::Renamed {
            old: (&old).into(),
            new: (&new).into(),
        }
        .to_bytes();
        self.announce(now, peer, &line, Some(id));
        let nick = (&new).into();
        self.reply(id, Reply::YouAreNow { nick });
    }

    fn whisper(&mut self, now: Now, id: ClientId, typed: &str, text: &str) {
        let Some((to, to_nick)) = self.find(typed) else {
            return self.no_such_user(now, id, typed);
        };
        if to == id {
            return self.reject(now, id, Reply::WhisperSelf);
        }
        let Some(from) = self.nickname(id).cloned() else {
            return;
        };
        let nick = Name::from(&from);
        self.send(to, Line::WhisperFrom { nick, text }.to_bytes());
        let nick = Name::from(&to_nick);
        self.send(id, Line::WhisperTo { nick, text }.to_bytes());
        self.log(
            now,
            Event::Whisper {
                from,
                to: to_nick,
                text: text.to_owned(),
            },
        );
    }

    fn kick(&mut self, now: Now, id: ClientId, typed: &str, reason: &str, cx: &mut Cx) {
        if self.admin() != Some(id) {
            return self.reject(now, id, Reply::OnlyAdminKicks);
        }
        let Some((target, nick)) = self.find(typed) else {
            return self.no_such_user(now, id, typed);
        };
        if target == id {
            return self.reject(now, id, Reply::KickSelf);
        }
        let Some(by) = self.nickname(id).cloned() else {
            return;
        };
        let peer = self.by_id.get(&target).and_then(|m| m.peer);
        self.ban(now, nick.clone(), peer);
        let why = KickReason((!is_blank(reason)).then_some(reason));
        self.reply(target, Reply::YouWereKicked { reason: why });
        if let Some((m, _)) = self.take_member(target) {
            self.log_open_flood(now, &m);
            cx.nicks.remove(&m.nick.key());
        }
        self.actions.push_back(Action::Close { id: target });
        cx.closing.push(target);
        let reason = if is_blank(reason) {
            String::new()
        } else {
            reason.to_owned()
        };
        self.log(
            now,
            Event::Kick {
                by,
                nick: nick.clone(),
                reason,
            },
        );
        self.cancel_schedules_of(now, target);
        let line = Reply::WasKicked {
            nick: (&nick).into(),
            reason: why,
        }
        .to_bytes();
        // Charged to the kicked member's address: kicks it provokes are its churn.
        self.announce(now, peer, &line, Some(id));
        let nick = (&nick).into();
        self.reply(id, Reply::YouKicked { nick });
    }

    fn user_list(&mut self, id: ClientId) {
        let (online, capacity) = (self.members.len(), self.config.capacity);
        let head = Reply::Users {
            online,
            capacity,
            list: "",
        };
        let admin = self.admin();
        let entries = self.members().map(|(m, nick)| {
            if Some(m) == admin {
                format!("{nick} (admin)")
            } else {
                nick.to_string()
            }
        });
        let max = self.config.max_output_line();
        let lists = wrap_list(head.to_string().len(), entries, max);
        for (i, list) in lists.iter().enumerate() {
            let list = list.as_str();
            self.reply(
                id,
                match i {
                    0 => Reply::Users {
                        online,
                        capacity,
                        list,
                    },
                    _ => Reply::More { list },
                },
            );
        }
    }

    fn help(&mut self, id: ClientId) {
        for line in 0..HELP.len() {
            let line = HelpLine(line);
            self.reply(id, Reply::Help { line });
        }
    }

    fn quit(&mut self, now: Now, id: ClientId, cx: &mut Cx) {
        let Some((m, was_admin)) = self.take_member(id) else {
            return;
        };
        cx.nicks.remove(&m.nick.key());
        let nick = (&m.nick).into();
        self.reply(id, Reply::Bye { nick });
        self.actions.push_back(Action::Close { id });
        cx.closing.push(id);
        let nick = m.nick.clone();
        let left = Reply::HasLeft {
            nick: (&nick).into(),
        };
        self.left(now, id, &m, was_admin, LeaveCause::Quit, left);
    }
}

/// The kinds of public line a member sends.
#[derive(Debug, Clone, Copy)]
enum Say {
    /// `Alice >> text`.
    Chat,
    /// `* Alice text` (`/me`).
    Action,
}

/// At most `max` bytes of `s`, cut on a character boundary, with `...` when cut.
pub(super) fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return s.into();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end]).into()
}

/// Whether cleaning `raw` into `clean` changed nothing but TABs into spaces.
fn only_tabs_cleaned(raw: &str, clean: &str) -> bool {
    raw.len() == clean.len()
        && raw
            .chars()
            .zip(clean.chars())
            .all(|(r, c)| r == c || (r == '\t' && c == ' '))
}
