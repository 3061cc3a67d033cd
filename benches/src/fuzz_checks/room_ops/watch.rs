//! Drives the hall like a transport would and checks every output and every room's state.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Instant;

use chatcore::sanitize::is_forbidden;
use chatcore::{
    Action, ClientId, Config, DisconnectCause, Error, Event, Frame, Hall, Input, LineDecoder, Now,
};
use time::OffsetDateTime;

use super::script::Op;

/// A connection as the transport sees it.
struct Conn {
    peer: Option<IpAddr>,
    /// Set once the room asked to close it: nothing may be sent to it any more.
    closing: bool,
    /// Its byte stream's framing, as in a real transport.
    decoder: LineDecoder,
}

/// The room under test and what a transport knows about it.
pub(super) struct Watch {
    room: Hall,
    config: Config,
    now: Now,
    /// Connections the room knows about (connected, not yet disconnected).
    conns: BTreeMap<ClientId, Conn>,
    /// Due time of every schedule set, by number.
    due: BTreeMap<u64, OffsetDateTime>,
    /// Schedules fired or cancelled: neither may fire afterwards.
    done: BTreeSet<u64>,
    /// Every action, in order, to compare two runs.
    trace: Vec<Action>,
}

impl Watch {
    pub(super) fn new(config: Config, start: Instant) -> Watch {
        let now = Now::new(start, crate::fixture::WALL);
        let room = match Hall::new(config.clone(), now) {
            Ok(room) => room,
            Err(e) => panic!("script configs are valid: {e}"),
        };
        Watch {
            room,
            config,
            now,
            conns: BTreeMap::new(),
            due: BTreeMap::new(),
            done: BTreeSet::new(),
            trace: Vec::new(),
        }
    }

    pub(super) fn apply(&mut self, op: Op) {
        let pending_before = self.pending();
        let mut timed_out = false;
        match op {
            Op::Connect(id, peer) => self.connect(id, peer),
            Op::Frame(id, frame) => self.frame(id, frame),
            Op::Bytes(id, bytes) => {
                let Some(conn) = self.conns.get_mut(&id) else {
                    return;
                };
                let mut rest = &bytes[..];
                let mut frames = Vec::new();
                while let Some(frame) = conn.decoder.decode(&mut rest) {
                    frames.push(frame);
                }
                for frame in frames {
                    self.frame(id, frame);
                }
            }
            Op::Disconnect(id, cause) => self.disconnect(id, cause),
            Op::Advance(step) => {
                self.now = self.now.advanced(step);
                self.room.handle_timeout(self.now);
                timed_out = true;
            }
            Op::JumpToDeadline => {
                if let Some(deadline) = self.room.poll_timeout() {
                    let step = deadline.saturating_duration_since(self.now.instant);
                    self.now = self.now.advanced(step);
                    self.room.handle_timeout(self.now);
                    timed_out = true;
                }
            }
            Op::Shutdown => self.room.handle_shutdown(self.now),
        }
        self.drain(&pending_before);
        if timed_out {
            let next = self.room.poll_timeout();
            assert!(
                next.is_none_or(|t| t > self.now.instant),
                "deadline not moved on"
            );
        }
        self.check_state();
    }

    /// Disconnects everyone, as a transport does after a shutdown, and returns the trace.
    pub(super) fn finish(mut self) -> Vec<Action> {
        let ids: Vec<ClientId> = self.conns.keys().copied().collect();
        for id in ids {
            assert!(self.conns[&id].closing, "{id} not closed by the shutdown");
            self.disconnect(id, DisconnectCause::Requested);
            self.drain(&BTreeSet::new());
        }
        assert_eq!(self.room.connections(), 0);
        assert_eq!(self.room.rooms().map(|r| r.len()).sum::<usize>(), 0);
        assert_eq!(
            self.room.poll_timeout(),
            None,
            "a deadline outlived the shutdown"
        );
        self.trace
    }

    fn connect(&mut self, id: ClientId, peer: Option<IpAddr>) {
        let result = self
            .room
            .handle_input(self.now, Input::Connect { id, peer });
        if self.conns.contains_key(&id) {
            assert_eq!(result, Err(Error::DuplicateClient(id)));
            return;
        }
        assert_eq!(result, Ok(()));
        let decoder = LineDecoder::new(self.config.max_line_bytes);
        let conn = Conn {
            peer,
            closing: false,
            decoder,
        };
        self.conns.insert(id, conn);
    }

    fn frame(&mut self, id: ClientId, frame: Frame) {
        let result = self.room.handle_input(self.now, Input::Frame { id, frame });
        match self.conns.get(&id) {
            None => assert_eq!(result, Err(Error::UnknownClient(id))),
            Some(conn) => {
                assert_eq!(result, Ok(()));
                if conn.closing {
                    assert_eq!(self.room.poll_action(), None, "input from {id} after Close");
                }
            }
        }
    }

    fn disconnect(&mut self, id: ClientId, cause: DisconnectCause) {
        let result = self
            .room
            .handle_input(self.now, Input::Disconnect { id, cause });
        match self.conns.remove(&id) {
            None => assert_eq!(result, Err(Error::UnknownClient(id))),
            Some(_) => assert_eq!(result, Ok(())),
        }
    }

    /// Connections still choosing a nickname.
    fn pending(&self) -> BTreeSet<ClientId> {
        let members: BTreeSet<ClientId> = self
            .room
            .rooms()
            .flat_map(|r| r.members().map(|(id, _)| id).collect::<Vec<_>>())
            .collect();
        let open = self.conns.iter().filter(|(_, c)| !c.closing);
        open.map(|(&id, _)| id)
            .filter(|id| !members.contains(id))
            .collect()
    }

    fn drain(&mut self, pending_before: &BTreeSet<ClientId>) {
        let pending_after = self.pending();
        while let Some(action) = self.room.poll_action() {
            match &action {
                Action::Send { to, line } => {
                    let conn = self.conns.get(to);
                    assert!(conn.is_some_and(|c| !c.closing), "sent to {to} after Close");
                    let text = match std::str::from_utf8(line) {
                        Ok(text) => text,
                        Err(_) => panic!("{line:?} is not UTF-8"),
                    };
                    check_line(text, self.config.max_output_line());
                    if pending_before.contains(to) && pending_after.contains(to) {
                        assert!(text.starts_with("[Server]: "), "{text:?} to pending {to}");
                    }
                }
                Action::Close { id } => match self.conns.get_mut(id) {
                    Some(conn) if !conn.closing => conn.closing = true,
                    _ => panic!("Close for {id}, which is gone or already closing"),
                },
                Action::Log(record) => {
                    let text = record.to_string();
                    assert!(
                        !text.chars().any(|c| c == '\t' || is_forbidden(c)),
                        "{text:?}"
                    );
                    self.check_schedule(record.at, &record.event);
                }
                // Durable changes are the store's; their order before the confirming line
                // is checked by chatcore's scenario tests.
                Action::Persist(_) => {}
                other => panic!("an action this check does not know: {other:?}"),
            }
            self.trace.push(action);
        }
    }

    fn check_schedule(&mut self, at: OffsetDateTime, event: &Event) {
        match *event {
            Event::Scheduled { seq, due, .. } => {
                assert!(due > at, "#{seq} due {due}, not after {at}");
                assert!(self.due.insert(seq, due).is_none(), "#{seq} reused");
            }
            Event::Fired { seq, .. } => {
                assert!(
                    self.due.get(&seq).is_some_and(|&due| at >= due),
                    "#{seq} early"
                );
                assert!(
                    self.done.insert(seq),
                    "#{seq} fired twice or after a cancel"
                );
            }
            Event::Cancelled { seq, .. } | Event::Unscheduled { seq, .. } => {
                assert!(self.done.insert(seq), "#{seq} cancelled after it was done");
            }
            _ => {}
        }
    }

    fn check_state(&self) {
        assert!(
            self.room.rooms().count() <= self.config.max_rooms,
            "over max_rooms"
        );
        for room in self.room.rooms() {
            let here: Vec<_> = room.members().collect();
            assert!(here.len() <= self.config.capacity, "over capacity");
            assert_eq!(room.admin(), here.first().map(|&(id, _)| id));
        }
        // Nicknames are unique on the whole server, across rooms.
        let members: Vec<_> = self.room.rooms().flat_map(|r| r.members()).collect();
        let keys: BTreeSet<_> = members.iter().map(|(_, nick)| nick.key()).collect();
        assert_eq!(
            keys.len(),
            members.len(),
            "nicknames not unique: {members:?}"
        );
        for (id, _) in &members {
            assert!(
                self.conns.get(id).is_some_and(|c| !c.closing),
                "{id} closed member"
            );
        }
        assert_eq!(self.room.connections(), self.conns.len());
        assert!(
            self.pending().len() <= self.config.max_pending,
            "pending over cap"
        );
        let mut per_ip: BTreeMap<IpAddr, usize> = BTreeMap::new();
        for conn in self.conns.values().filter(|c| !c.closing) {
            if let Some(ip) = conn.peer
                && !(self.config.exempt_loopback && ip.is_loopback())
            {
                *per_ip.entry(ip).or_default() += 1;
            }
        }
        assert!(
            per_ip.values().all(|&n| n <= self.config.max_per_ip),
            "{per_ip:?}"
        );
    }
}

/// A line the room sends: one LF at the end, valid text without control characters (TAB
/// aside) or line separators, within the output limit.
fn check_line(text: &str, max: usize) {
    assert!(text.len() <= max, "{} bytes: {text:?}", text.len());
    let Some(body) = text.strip_suffix('\n') else {
        panic!("{text:?} does not end in LF");
    };
    assert!(
        !body.chars().any(is_forbidden),
        "control character in {text:?}"
    );
}
