//! Decoding the fuzzer's bytes into a hall config and a sequence of transport events.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use chatcore::{ClientId, Config, DisconnectCause, Frame};
use time::UtcOffset;

/// Distinct client ids the ops use: few, so ops often hit the same connection.
const IDS: u8 = 6;

/// Nicknames first lines may try: valid, clashing in case or look-alike, reserved, invalid.
const NICKS: [&str; 14] = [
    "Alice",
    "alice",
    "Bob",
    "BOB",
    "개똥이",
    "\u{410}lice",
    "Server",
    "admin",
    "x\u{202E}y",
    "  Carol  ",
    "-bad",
    "O0",
    "aaaaaaaaaaaaaaaaaaaaa",
    "Dave\t",
];

/// Member lines: chat, every command with good and bad arguments, hostile text.
const LINES: [&str; 38] = [
    "hello everyone",
    "hello everyone",
    "//etc",
    "\x1b[2J\u{2028}evil\u{85}\r",
    "\t \u{202E} ",
    "/kick Bob",
    "/kick alice spam \x07links",
    "/kick Server",
    "/rename Bob",
    "/rename ALICE",
    "/rename bad name",
    "/whisper Alice hi \u{2066}there",
    "/w bob   psst",
    "/whisper Alice",
    "/schedule 6:01 wake up",
    "/schedule 06:00 a day later",
    "/schedule 23:59-05:00 late",
    "/schedule 0:00Z midnight",
    "/schedule 25:00 never",
    "/user",
    "/HELP",
    "/quit",
    "/dance \u{1b}now",
    "/kick",
    "/join study",
    "/join LOBBY",
    "/join Study s3cret",
    "/code s3cret",
    "/code",
    "/rooms",
    "/me waves \x1b[2J",
    "/notice Lunch \u{202E}at 12",
    "/notice -",
    "/notice",
    "/bans",
    "/unban Bob",
    "/schedules",
    "/unschedule 1",
];

/// Where `LINES` starts among the first-line choices (`NICKS` then `LINES`).
#[cfg(test)]
pub(super) const LINE_BASE: u8 = NICKS.len() as u8;

/// Peers a connection may come from: none, loopback (exempt by config) or two remote hosts.
const PEERS: [Option<IpAddr>; 5] = [
    None,
    Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    Some(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
    Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))),
];

const CAUSES: [DisconnectCause; 4] = [
    DisconnectCause::Closed,
    DisconnectCause::Error,
    DisconnectCause::SlowConsumer,
    DisconnectCause::Requested,
];

/// Steps of simulated time: from a flood refill to most of a day.
const STEPS: [Duration; 8] = [
    Duration::from_millis(1),
    Duration::from_millis(100),
    Duration::from_secs(1),
    Duration::from_secs(59),
    Duration::from_secs(61),
    Duration::from_secs(600),
    Duration::from_secs(3_600),
    Duration::from_secs(86_340),
];

/// One transport event, or a step of time.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Connect(ClientId, Option<IpAddr>),
    Frame(ClientId, Frame),
    /// Raw bytes through the connection's own `LineDecoder`.
    Bytes(ClientId, Vec<u8>),
    Disconnect(ClientId, DisconnectCause),
    /// Time moves on by this much, then `handle_timeout`.
    Advance(Duration),
    /// Time jumps to `poll_timeout()`, if any, then `handle_timeout`.
    JumpToDeadline,
    Shutdown,
}

/// A cursor over the fuzzer's bytes.
pub(super) struct Script<'a> {
    data: &'a [u8],
}

impl<'a> Script<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Script { data }
    }

    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    /// Small limits from the first two bytes, so every limit is reached by short inputs.
    pub(super) fn config(&mut self) -> Config {
        let a = self.byte().unwrap_or(0);
        let b = self.byte().unwrap_or(0);
        let offsets = [UtcOffset::UTC, UtcOffset::UTC, hours(9), hours(-5)];
        let mut c = Config::default();
        c.capacity = 1 + usize::from(a % 4);
        c.max_pending = 1 + usize::from(a / 4 % 3);
        c.max_per_ip = 1 + usize::from(a / 16 % 2);
        c.exempt_loopback = a & 0x40 != 0;
        c.flood_burst = 1 + u32::from(b % 4);
        c.flood_rate = u32::from(b / 4 % 3);
        c.repeat_cost = u32::from(b / 16 % 3);
        c.max_line_bytes = 256;
        c.nick_timeout = Duration::from_secs(60);
        c.max_schedules_per_member = 2;
        c.max_schedules_per_room = 3;
        c.utc_offset = offsets[usize::from(b >> 6)];
        c.history = usize::from(a >> 7) * 3;
        c.kick_ban = Duration::from_secs(u64::from(b & 0x20) * 30);
        c.join_rate = u32::from(a >> 7) * 10;
        c.max_rooms = 2;
        c.room_ttl = Duration::from_secs(600);
        c
    }

    /// Every op takes three bytes, `[op, id, arg]`; `Bytes` then takes `arg % 32` more.
    pub(super) fn next_op(&mut self) -> Option<Op> {
        let (op, id, arg) = (self.byte()?, self.byte()?, self.byte()?);
        let id = ClientId(u64::from(id % IDS));
        let pick = |n: usize| usize::from(arg) % n;
        Some(match op % 8 {
            0 => Op::Connect(id, PEERS[pick(PEERS.len())]),
            1 | 2 => {
                let i = pick(NICKS.len() + LINES.len());
                let line = match i.checked_sub(NICKS.len()) {
                    None => NICKS[i],
                    Some(j) => LINES[j],
                };
                Op::Frame(id, Frame::Line(line.to_owned()))
            }
            3 => {
                let take = pick(32).min(self.data.len());
                let (bytes, rest) = self.data.split_at(take);
                self.data = rest;
                Op::Bytes(id, bytes.to_vec())
            }
            4 => Op::Disconnect(id, CAUSES[pick(CAUSES.len())]),
            5 => Op::Advance(STEPS[pick(STEPS.len())]),
            6 if op == 0xfe => Op::Shutdown,
            6 => Op::JumpToDeadline,
            _ => Op::Frame(
                id,
                match arg % 3 {
                    0 => Frame::TooLong,
                    1 => Frame::InvalidUtf8,
                    // A transport that frames lines itself may hand in more than the limit.
                    _ => Frame::Line("y".repeat(usize::from(arg) + 200)),
                },
            ),
        })
    }
}

fn hours(h: i8) -> UtcOffset {
    UtcOffset::from_hms(h, 0, 0).unwrap_or(UtcOffset::UTC)
}
