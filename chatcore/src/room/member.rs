//! What a member's line does: chat and every command.

use super::{Cx, Request, Room, line, server_line};
use crate::command::{self, Command};
use crate::decoder::Frame;
use crate::flood::Verdict;
use crate::io::{Action, ClientId, Now};
use crate::log::{Event, LeaveCause};
use crate::nickname::{NickError, Nickname};
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
                self.reply(
                    id,
                    format_args!("You are sending too fast; some lines were not sent."),
                );
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
            Command::Rename(_) => self.reject(now, id, NickError::InvalidChars.to_string()),
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
            Command::Usage(u) => self.reject(now, id, format!("Usage: {}", u.syntax())),
            Command::Unknown(cmd) => {
                let cmd = truncate(cmd, ECHO_MAX);
                let reason = format!("Unknown command \"{cmd}\". Type /help for the list.");
                self.reject(now, id, reason);
            }
        }
        None
    }

    /// The text of a framed line; a framing error is refused here.
    fn frame_text(&mut self, now: Now, id: ClientId, frame: Frame) -> Option<String> {
        let reason = match frame {
            Frame::Line(text) => return Some(text),
            Frame::TooLong => format!(
                "Line too long (max {} bytes); it was not sent.",
                self.config.max_line_bytes
            ),
            Frame::InvalidUtf8 => "Line is not valid UTF-8; it was not sent.".to_owned(),
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
        let typed = truncate(typed, ECHO_MAX);
        self.reject(
            now,
            id,
            format!("No user named \"{typed}\" is in the chat."),
        );
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
            Say::Chat => line(&[nick.as_str(), " >> ", text]),
            Say::Action => line(&["* ", nick.as_str(), " ", text]),
        };
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
            Err(e) => return self.reject(now, id, e.to_string()),
        };
        let Some(old) = self.nickname(id).cloned() else {
            return;
        };
        if new == old {
            return self.reject(now, id, format!("You are already \"{old}\"."));
        }
        // Unique on the whole server, not only in this room (PROTOCOL.md §8).
        if cx.nicks.get(&new.key()).is_some_and(|&owner| owner != id) {
            return self.reject(now, id, format!("Nickname \"{new}\" is already taken."));
        }
        // Charged only for a rename that happens: a refused one tells nobody else.
        let rate = super::rename_rate(&self.config);
        let Some(member) = self.member_mut(id) else {
            return;
        };
        let peer = member.peer;
        if let Err(wait) = rate.take(&mut member.renames, now.instant) {
            let secs = wait.as_secs().max(1);
            let reason = format!("You are renaming too often; try again in {secs} s.");
            return self.reject(now, id, reason);
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
        let line = server_line(format_args!(
            "User \"{old}\" has changed their nickname to \"{new}\"."
        ));
        self.announce(now, peer, &line, Some(id));
        self.reply(id, format_args!("You are now \"{new}\"."));
    }

    fn whisper(&mut self, now: Now, id: ClientId, typed: &str, text: &str) {
        let Some((to, to_nick)) = self.find(typed) else {
            return self.no_such_user(now, id, typed);
        };
        if to == id {
            return self.reject(now, id, "You cannot whisper to yourself.".to_owned());
        }
        let Some(from) = self.nickname(id).cloned() else {
            return;
        };
        self.send(to, line(&["[Whisper from ", from.as_str(), "] ", text]));
        self.send(id, line(&["[Whisper to ", to_nick.as_str(), "] ", text]));
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
            return self.reject(now, id, "Only the admin can kick.".to_owned());
        }
        let Some((target, nick)) = self.find(typed) else {
            return self.no_such_user(now, id, typed);
        };
        if target == id {
            return self.reject(now, id, "You cannot kick yourself.".to_owned());
        }
        let Some(by) = self.nickname(id).cloned() else {
            return;
        };
        let peer = self.by_id.get(&target).and_then(|m| m.peer);
        self.ban(now, nick.clone(), peer);
        let suffix = if is_blank(reason) {
            String::new()
        } else {
            format!(" Reason: {reason}")
        };
        self.reply(
            target,
            format_args!("You have been kicked from the chat.{suffix}"),
        );
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
        let line = server_line(format_args!(
            "{nick} has been kicked from the chat.{suffix}"
        ));
        // Charged to the kicked member's address: kicks it provokes are its churn.
        self.announce(now, peer, &line, Some(id));
        self.reply(id, format_args!("You kicked {nick}."));
    }

    fn user_list(&mut self, id: ClientId) {
        let max = self.config.max_output_line();
        let head = format!("Users ({}/{}): ", self.members.len(), self.config.capacity);
        let mut lines = vec![head];
        let admin = self.admin();
        for (i, (m, nick)) in self.members().enumerate() {
            let entry = if Some(m) == admin {
                format!("{nick} (admin)")
            } else {
                nick.to_string()
            };
            let sep = if i == 0 { "" } else { ", " };
            let cur = lines.last_mut().map_or(0, |l| l.len());
            // "[Server]: " + line + sep + entry + "\n" must fit the output cap.
            if cur + sep.len() + entry.len() + 12 > max {
                lines.push(String::from("... "));
            } else if let Some(l) = lines.last_mut() {
                l.push_str(sep);
            }
            if let Some(l) = lines.last_mut() {
                l.push_str(&entry);
            }
        }
        for l in lines {
            self.reply(id, format_args!("{l}"));
        }
    }

    fn help(&mut self, id: ClientId) {
        const HELP: [&str; 19] = [
            "Commands (case does not matter):",
            "/rename <nickname> - change your nickname",
            "/whisper <nickname> <message> - send a private message (also /w)",
            "/me <action> - tell everyone what you do (* Alice waves)",
            "/schedule <HH:MM> <message> - send a message to everyone at that time (HH:MM, H:MM, HH:MM+09:00 or HH:MMZ)",
            "/schedules - list your pending schedules (the admin sees all of them)",
            "/unschedule <id> - cancel a schedule of yours (the admin: any)",
            "/kick <nickname> [reason] - remove a member and ban them for a while (admin only)",
            "/bans - list the room's bans (admin only)",
            "/unban <nickname> - lift a ban (admin only)",
            "/admin <nickname> - hand the admin role to a member (admin only)",
            "/notice [text | -] - show the room's notice; the admin sets it, or clears it with -",
            "/user - list the members",
            "/rooms - list the rooms",
            "/join <room> [code] - go to a room; a new name creates it, with you as its admin",
            "/code [code] - set the room's participation code, or clear it (admin only)",
            "/help - show this list",
            "/quit - leave the chat",
            "//text - send a message that starts with /",
        ];
        for l in HELP {
            self.reply(id, format_args!("{l}"));
        }
    }

    fn quit(&mut self, now: Now, id: ClientId, cx: &mut Cx) {
        let Some((m, was_admin)) = self.take_member(id) else {
            return;
        };
        cx.nicks.remove(&m.nick.key());
        self.reply(id, format_args!("Bye, {}.", m.nick));
        self.actions.push_back(Action::Close { id });
        cx.closing.push(id);
        self.left(
            now,
            id,
            &m,
            was_admin,
            LeaveCause::Quit,
            "has left the chat.",
        );
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
