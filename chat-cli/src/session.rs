//! The client's side of the protocol as a pure state machine: choosing a nickname, sending
//! typed lines, reading what the server's lines mean, and deciding what happens when the
//! connection closes (leave, or reconnect with backoff and rejoin).
//!
//! Like `chatcore::Room` it does no I/O: the driver (`client.rs`) feeds it `handle_*` inputs
//! and, after each, drains [`Session::poll_output`] until `None`, carrying out each
//! [`Output`].

use std::collections::VecDeque;
use std::time::Duration;

use chatcore::sanitize::{is_blank, sanitize};
use time::UtcOffset;

use crate::display::DisplayLine;
use crate::facts::{Closing, Fact, fact};
use crate::net::backoff;
use crate::wire::{
    MAX_LINE_BYTES, Outgoing, OutgoingKind, is_quit, outgoing, outgoing_piece, split_long,
};

/// Typed lines kept while they cannot be sent yet (offline, or a nickname answer pending).
const MAX_HELD: usize = 1000;

/// Something the user typed, or the end of their input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Typed {
    /// One line, without its line break.
    Line(String),
    /// End of input: stdin closed, Ctrl-C or Ctrl-D. Leaves like `/quit`.
    End,
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Output {
    /// Write this line (an LF is added) to the connection.
    Send(String),
    /// Show this line and write it to the chat log.
    Show(DisplayLine),
    /// The first nickname of the session was accepted: open the chat log named after it.
    OpenLog(String),
    /// Close the current connection now.
    Disconnect,
    /// The connection is gone: connect again after this delay, then call
    /// [`Session::handle_connected`] or [`Session::handle_connect_failed`].
    Reconnect(Duration),
    /// Nothing more will happen on the network; the process may exit with this code.
    Finished(u8),
    /// Write a session mark in the chat log (`--- 2026-12-04 09:14 connected ... ---`).
    Mark(Mark),
}

/// A turn in the session that the chat log marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mark {
    /// The first nickname of a connection was accepted.
    Joined {
        /// The nickname.
        nick: String,
        /// False on the first connection of the run, true on later ones.
        again: bool,
    },
    /// A joined connection closed.
    Disconnected,
}

/// Lines typed ahead of a welcome (piped in with the nickname, typed while it was answered,
/// or while reconnecting) wait until the lines the server sent before it read them are
/// shown, so the screen and the chat log show them where the server put them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// Nothing waits.
    No,
    /// Until the end of the read that brought the welcome, with the admin line, the backlog
    /// and the notice the server sends with it (the whole backlog: it may take more reads).
    Welcome {
        /// A rejoin sent `/join` for its room: then wait for the answer too.
        then_room: bool,
    },
    /// Until the end of the next read that brings a line after the welcome's: the answer to
    /// the rejoin's `/join` (the room's backlog and notice, or a refusal), which the server
    /// sends before it reads the lines that follow the `/join`.
    Room {
        /// A line came since the welcome's read.
        answered: bool,
    },
}

/// What to do when the server refuses a nickname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnRefusal {
    /// Show why and take the next typed line as the next attempt.
    Ask,
    /// Show why and finish with exit code 1 (plain mode with `--nick`).
    Exit,
}

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Connected, no nickname accepted yet; `attempt` is the one sent and not yet answered.
    Naming {
        /// The nickname awaiting the server's answer.
        attempt: Option<String>,
    },
    /// A member of the room.
    Joined,
    /// No connection; a reconnect is pending.
    Offline,
    /// `/quit` was sent; waiting for the server to close.
    Leaving,
    /// Over: nothing more will be sent.
    Closed,
}

/// The client's protocol state.
#[derive(Debug)]
pub(crate) struct Session {
    /// Where the session is.
    phase: Phase,
    /// The nickname in use (as the server spells it, following renames); rejoins use it.
    nick: Option<String>,
    /// `--nick`, tried on the first connection before asking.
    preset: Option<String>,
    /// What a refused nickname leads to.
    on_refusal: OnRefusal,
    /// Appended to bare `/schedule` times.
    offset: UtcOffset,
    /// Typed lines waiting for the session to be able to send them, oldest first.
    held: VecDeque<Typed>,
    /// Chat typed while reconnecting whose rejoin was refused: it waits for the new
    /// nickname, and is never taken as one.
    parked: VecDeque<Typed>,
    /// `(online, capacity)` as last learnt, for the status line.
    online: Option<(u32, u32)>,
    /// Whether this connection is the room's admin.
    admin: bool,
    /// The room entered with `/join`, and its code; `None` is the server's default room.
    /// A rejoin enters it again.
    room: Option<(String, Option<String>)>,
    /// A `/join NAME [CODE]` sent and not answered yet.
    joining: Option<(String, Option<String>)>,
    /// Backlog lines (`[09:14] Alice >> ...`) still expected after the backlog header.
    backlog_left: u32,
    /// Why lines typed ahead of a welcome still wait for a read to end.
    settle: Settle,
    /// The reason the server gave for closing, if it announced one on this connection.
    closing: Option<Closing>,
    /// Reconnect attempts since the last join that lasted ([`Session::handle_stable`]), for
    /// the backoff: a server that welcomes and drops at once is not reconnected every second.
    attempts: u32,
    /// Whether any connection of this session got a nickname accepted (only then a lost
    /// connection is reconnected, and only the first acceptance opens the log).
    ever_joined: bool,
    /// Set once a line was dropped because `held` was full, so that is said once per burst.
    overflowed: bool,
    /// Outputs not yet drained.
    out: VecDeque<Output>,
}

impl Session {
    /// A session about to connect for the first time.
    pub(crate) fn new(preset: Option<String>, on_refusal: OnRefusal, offset: UtcOffset) -> Self {
        Session {
            phase: Phase::Offline,
            nick: None,
            preset,
            on_refusal,
            offset,
            held: VecDeque::new(),
            parked: VecDeque::new(),
            online: None,
            admin: false,
            room: None,
            joining: None,
            backlog_left: 0,
            settle: Settle::No,
            closing: None,
            attempts: 0,
            ever_joined: false,
            overflowed: false,
            out: VecDeque::new(),
        }
    }

    // Getters.

    /// Where the session is.
    pub(crate) fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The nickname in use, once accepted.
    pub(crate) fn nick(&self) -> Option<&str> {
        self.nick.as_deref()
    }

    /// `(online, capacity)` as last learnt.
    pub(crate) fn online(&self) -> Option<(u32, u32)> {
        self.online
    }

    /// Whether this connection is the room's admin.
    pub(crate) fn is_admin(&self) -> bool {
        self.admin
    }

    /// The current room's name, `None` for the server's default room.
    pub(crate) fn room(&self) -> Option<&str> {
        self.room.as_ref().map(|(name, _)| name.as_str())
    }

    /// True when the next typed line is taken as a nickname attempt.
    pub(crate) fn wants_nickname(&self) -> bool {
        self.phase == Phase::Naming { attempt: None } && self.held.is_empty()
    }

    /// True when the user asked to leave (Ctrl-C, Ctrl-D, the end of stdin, `/quit`) while a
    /// nickname answer is pending: the driver gives the server a moment to answer, then
    /// leaves anyway, so a server that never answers cannot keep the client.
    pub(crate) fn leave_pending(&self) -> bool {
        self.is_awaiting_answer() && self.held.iter().any(is_leave)
    }

    /// Reconnect attempts since the last join that lasted.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The room was joined and the connection has lasted: the reconnect backoff starts over.
    pub(crate) fn handle_stable(&mut self) {
        if self.phase == Phase::Joined {
            self.attempts = 0;
        }
    }

    // Inputs.

    /// `/reconnect` or `/connect`: drop the connection (if any) and connect again at once,
    /// rejoining with the same nickname (and, to the same server, the same room). Also
    /// after a kick or when the session was over.
    pub(crate) fn handle_reconnect(&mut self, new_server: bool) {
        if matches!(
            self.phase,
            Phase::Naming { .. } | Phase::Joined | Phase::Leaving
        ) {
            if self.phase == Phase::Joined {
                self.out.push_back(Output::Mark(Mark::Disconnected));
            }
            self.out.push_back(Output::Disconnect);
        }
        if new_server {
            self.room = None;
        }
        self.phase = Phase::Offline;
        self.online = None;
        self.admin = false;
        self.closing = None;
        self.attempts = 0;
        self.out.push_back(Output::Reconnect(Duration::ZERO));
    }

    /// A connection is open: send the nickname (the current one on a rejoin, else `--nick`),
    /// or wait for one to be typed.
    pub(crate) fn handle_connected(&mut self) {
        self.closing = None;
        self.admin = false;
        self.joining = None;
        self.backlog_left = 0;
        self.settle = Settle::No;
        self.phase = Phase::Naming { attempt: None };
        match self.nick.clone().or_else(|| self.preset.clone()) {
            Some(nick) => self.send_attempt(nick),
            None => self.pump(),
        }
    }

    /// A reconnect attempt failed: try again after the next backoff.
    pub(crate) fn handle_connect_failed(&mut self, error: &str) {
        if self.phase == Phase::Offline {
            let delay = self.next_backoff();
            self.notice(&format!(
                "Cannot connect ({error}); retrying in {} s.",
                delay.as_secs()
            ));
            self.out.push_back(Output::Reconnect(delay));
        }
    }

    /// The lines of one read from the server have all been handed in: lines typed ahead of
    /// a welcome go now, unless the backlog that came with it is not all in yet, or a rejoin
    /// into a room waits for the answer to its `/join` (see [`Settle`]).
    pub(crate) fn handle_read_end(&mut self) {
        if self.backlog_left > 0 {
            return;
        }
        match self.settle {
            Settle::No | Settle::Room { answered: false } => {}
            Settle::Welcome { then_room: true } => self.settle = Settle::Room { answered: false },
            Settle::Welcome { then_room: false } | Settle::Room { answered: true } => self.pump(),
        }
    }

    /// One line from the server (then, after the last line of a read,
    /// [`Session::handle_read_end`]).
    pub(crate) fn handle_line(&mut self, line: &str) {
        if let Settle::Room { answered } = &mut self.settle {
            *answered = true;
        }
        if self.backlog_left > 0 {
            self.backlog_left -= 1;
            if let Some(past) = DisplayLine::backlog(line) {
                self.out.push_back(Output::Show(past));
                return;
            }
            // Not a backlog line after all: the backlog is over.
            self.backlog_left = 0;
        }
        let shown = DisplayLine::received(line);
        let fact = fact(&shown.text);
        self.out.push_back(Output::Show(shown));
        if let Some(Fact::Welcome { nick, .. }) = &fact
            && self.is_awaiting_answer()
        {
            if !self.ever_joined {
                self.out.push_back(Output::OpenLog(nick.clone()));
            }
            self.out.push_back(Output::Mark(Mark::Joined {
                nick: nick.clone(),
                again: self.ever_joined,
            }));
        }
        match fact {
            Some(Fact::Welcome { nick, online }) if self.is_awaiting_answer() => {
                self.online = online;
                let rejoined = self.ever_joined;
                self.nick = Some(nick.clone());
                self.ever_joined = true;
                self.phase = Phase::Joined;
                if rejoined {
                    self.notice(&format!("Rejoined the chat as {nick}."));
                }
                // Back into the room this session was in, before anything typed meanwhile;
                // until the server says so, this connection is in the default room (a
                // refusal, such as a ban, leaves it there).
                let into_room = self.room.is_some();
                if let Some((room, code)) = self.room.take() {
                    let line = match &code {
                        Some(code) => format!("/join {room} {code}"),
                        None => format!("/join {room}"),
                    };
                    self.joining = Some((room, code));
                    self.out.push_back(Output::Send(line));
                }
                // Chat parked by a refused rejoin goes first, then what was typed since,
                // once the lines that come with the welcome (or the room's answer) are in.
                while let Some(typed) = self.parked.pop_back() {
                    self.held.push_front(typed);
                }
                if !self.held.is_empty() {
                    self.settle = Settle::Welcome {
                        then_room: into_room,
                    };
                }
            }
            Some(Fact::Refused(_)) if self.is_awaiting_answer() => {
                self.phase = Phase::Naming { attempt: None };
                // A refused name is not tried again on a later connection.
                self.nick = None;
                self.preset = None;
                match self.on_refusal {
                    OnRefusal::Exit => {
                        self.notice("The nickname was refused.");
                        self.out.push_back(Output::Disconnect);
                        self.finish(1);
                    }
                    OnRefusal::Ask if self.ever_joined => self.park(),
                    OnRefusal::Ask => self.pump(),
                }
            }
            Some(Fact::YouAreAdmin) => self.admin = true,
            Some(Fact::NewAdmin(nick)) => self.admin = self.nick.as_ref() == Some(&nick),
            Some(Fact::Renamed(nick)) => self.nick = Some(nick),
            Some(Fact::Joined) => self.count(1),
            Some(Fact::Left) => self.count(-1),
            Some(Fact::Users { online, capacity }) => self.online = Some((online, capacity)),
            Some(Fact::Closing(closing)) => self.closing = Some(closing),
            Some(Fact::EnteredRoom {
                room,
                online,
                created,
            }) => {
                let code = self
                    .joining
                    .take()
                    .filter(|(name, _)| name.to_lowercase() == room.to_lowercase())
                    .and_then(|(_, code)| code);
                self.room = Some((room, code));
                self.admin = created;
                self.online = match (online, self.online) {
                    (Some(online), _) => Some(online),
                    (None, Some((_, capacity))) => Some((1, capacity)),
                    (None, None) => None,
                };
            }
            Some(Fact::Backlog(n)) => self.backlog_left = n,
            Some(Fact::Banned) if self.is_awaiting_answer() => {
                self.closing = Some(Closing::Banned);
            }
            Some(Fact::Welcome { .. } | Fact::Refused(_) | Fact::Banned) | None => {}
        }
    }

    /// The connection closed (EOF or an error).
    pub(crate) fn handle_closed(&mut self) {
        match self.phase {
            Phase::Offline | Phase::Closed => return,
            Phase::Leaving => {
                self.out.push_back(Output::Mark(Mark::Disconnected));
                return self.finish(0);
            }
            Phase::Naming { .. } | Phase::Joined => {}
        }
        let can_rejoin = self.ever_joined && self.nick.is_some();
        if self.phase == Phase::Joined {
            self.out.push_back(Output::Mark(Mark::Disconnected));
        }
        match self.closing {
            Some(Closing::Bye | Closing::Kicked | Closing::Banned) => {
                self.notice("The server closed the connection. /reconnect joins again.");
                self.finish(0);
            }
            // A restart (an upgrade, systemctl restart): come back when it is up again.
            Some(Closing::Shutdown) if can_rejoin => {
                self.phase = Phase::Offline;
                self.online = None;
                self.admin = false;
                let delay = self.next_backoff();
                self.notice(&format!(
                    "The server is shutting down; reconnecting in {} s.",
                    delay.as_secs()
                ));
                self.out.push_back(Output::Reconnect(delay));
            }
            Some(Closing::Shutdown) => {
                self.notice("The server closed the connection.");
                self.finish(0);
            }
            Some(Closing::Turned) | None if can_rejoin => {
                self.phase = Phase::Offline;
                self.online = None;
                self.admin = false;
                let delay = self.next_backoff();
                self.notice(&format!(
                    "Connection lost; reconnecting in {} s.",
                    delay.as_secs()
                ));
                self.out.push_back(Output::Reconnect(delay));
            }
            Some(Closing::Turned) => {
                self.notice("The server turned the connection away.");
                self.finish(1);
            }
            None => {
                self.notice("The server closed the connection.");
                self.finish(1);
            }
        }
    }

    /// A line the user typed, or the end of input.
    pub(crate) fn handle_typed(&mut self, typed: Typed) {
        match &self.phase {
            Phase::Leaving => {}
            Phase::Closed => {
                if matches!(&typed, Typed::End) || matches!(&typed, Typed::Line(l) if is_quit(l)) {
                    self.finish(0);
                } else {
                    self.notice(
                        "Not connected; type /reconnect to join again, /quit or Ctrl-C to leave.",
                    );
                }
            }
            Phase::Offline => match typed {
                Typed::End => {
                    self.notice("Gave up reconnecting.");
                    self.finish(0);
                }
                Typed::Line(line) if is_quit(&line) => self.finish(0),
                line => {
                    if self.held.is_empty() {
                        self.notice("Not connected; lines typed now are sent after reconnecting.");
                    }
                    self.hold(line);
                }
            },
            Phase::Naming { attempt: Some(_) } => self.hold(typed),
            Phase::Naming { attempt: None } | Phase::Joined => {
                self.hold(typed);
                self.pump();
            }
        }
    }

    // Outputs.

    /// The next thing for the driver to do.
    pub(crate) fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    // Internals.

    fn is_awaiting_answer(&self) -> bool {
        matches!(self.phase, Phase::Naming { attempt: Some(_) })
    }

    /// Sends held lines while the session can.
    fn pump(&mut self) {
        self.settle = Settle::No;
        while matches!(self.phase, Phase::Naming { attempt: None } | Phase::Joined) {
            let Some(typed) = self.held.pop_front() else {
                return;
            };
            self.process(typed);
        }
    }

    fn process(&mut self, typed: Typed) {
        let joined = self.phase == Phase::Joined;
        let line = match typed {
            Typed::Line(line) if joined || !is_quit(&line) => line,
            // Ctrl-C, Ctrl-D or the end of stdin leave like `/quit`.
            _ if joined => "/quit".to_owned(),
            // Before a nickname `/quit` would be taken as one; leave without a word instead.
            _ => {
                self.out.push_back(Output::Disconnect);
                return self.finish(0);
            }
        };
        if !joined {
            return self.send_attempt(line);
        }
        let outgoing = outgoing(&line, self.offset);
        if outgoing.line.len() <= MAX_LINE_BYTES {
            return self.send(outgoing);
        }
        // Never cut off: split into lines that fit, or keep it whole and say why.
        match split_long(&outgoing.line) {
            Some(pieces) => {
                let count = pieces.len();
                for piece in pieces {
                    // Each piece is sent as typed (`//x` stays chat); no offset to add.
                    self.send(outgoing_piece(piece));
                }
                self.notice(&format!("Sent as {count} lines."));
            }
            None => self.notice(&format!(
                "Line too long (max {MAX_LINE_BYTES} bytes); it was not sent. Up brings it back."
            )),
        }
    }

    /// Sends one wire line, showing it first when it is chat (the server never echoes it).
    fn send(&mut self, outgoing: Outgoing) {
        match outgoing.kind {
            OutgoingKind::Chat(text) => {
                if let Some(nick) = &self.nick
                    && !is_blank(&sanitize(&text))
                {
                    let own = DisplayLine::own(nick, &text);
                    self.out.push_back(Output::Send(outgoing.line));
                    self.out.push_back(Output::Show(own));
                    return;
                }
            }
            OutgoingKind::Action(text) => {
                if let Some(nick) = &self.nick {
                    let own = DisplayLine::own_action(nick, &text);
                    self.out.push_back(Output::Send(outgoing.line));
                    self.out.push_back(Output::Show(own));
                    return;
                }
            }
            OutgoingKind::Join { room, code } => self.joining = Some((room, code)),
            OutgoingKind::Quit => self.phase = Phase::Leaving,
            OutgoingKind::Command => {}
        }
        self.out.push_back(Output::Send(outgoing.line));
    }

    fn send_attempt(&mut self, nick: String) {
        let nick: String = nick.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        self.out.push_back(Output::Send(nick.clone()));
        self.phase = Phase::Naming {
            attempt: Some(nick),
        };
    }

    /// A rejoin was refused: what was typed meanwhile is chat, not the next nickname, so it
    /// waits for a new one (or, if it asked to leave, the session leaves).
    fn park(&mut self) {
        if self.held.iter().any(is_leave) {
            self.out.push_back(Output::Disconnect);
            return self.finish(0);
        }
        if !self.held.is_empty() {
            self.notice("Lines typed while reconnecting are sent once you have a nickname.");
        }
        self.parked.extend(self.held.drain(..));
    }

    fn hold(&mut self, typed: Typed) {
        if self.held.len() < MAX_HELD {
            self.held.push_back(typed);
            self.overflowed = false;
        } else if !self.overflowed {
            self.overflowed = true;
            self.notice("Too many lines are waiting to be sent; dropping lines.");
        }
    }

    fn next_backoff(&mut self) -> Duration {
        let delay = backoff(self.attempts);
        self.attempts = self.attempts.saturating_add(1);
        delay
    }

    fn count(&mut self, delta: i32) {
        if let Some((online, _)) = &mut self.online {
            *online = online.saturating_add_signed(delta);
        }
    }

    fn notice(&mut self, text: &str) {
        self.out.push_back(Output::Show(DisplayLine::notice(text)));
    }

    fn finish(&mut self, code: u8) {
        let unsent = self
            .held
            .iter()
            .chain(&self.parked)
            .filter(|t| matches!(t, Typed::Line(_)))
            .count();
        if unsent > 0 {
            let lines = if unsent == 1 {
                "line was"
            } else {
                "lines were"
            };
            self.notice(&format!("{unsent} typed {lines} not sent."));
        }
        self.phase = Phase::Closed;
        self.online = None;
        self.admin = false;
        self.held.clear();
        self.parked.clear();
        self.out.push_back(Output::Finished(code));
    }
}

/// Whether a typed line asks to leave: the end of input, or `/quit`.
fn is_leave(typed: &Typed) -> bool {
    match typed {
        Typed::End => true,
        Typed::Line(line) => is_quit(line),
    }
}

#[cfg(test)]
mod tests;
