//! The hall's inputs and outputs: what a transport hands in and drains out.

use core::net::{IpAddr, Ipv6Addr};
use std::time::Instant;

use bytes::Bytes;
use time::OffsetDateTime;

use crate::decoder::Frame;
use crate::log::LogRecord;

/// The current time, passed into every call: the core never reads a clock.
///
/// `instant` drives deadlines (it never goes back); `wall` is the UTC wall time used for
/// `/schedule` and log timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time: deadlines and the flood limiter are measured on it.
    pub instant: Instant,
    /// UTC wall time: what `/schedule HH:MM` and log timestamps refer to.
    pub wall: OffsetDateTime,
}

impl Now {
    /// Builds a `Now` from its two clocks.
    pub fn new(instant: Instant, wall: OffsetDateTime) -> Self {
        Now { instant, wall }
    }

    /// The same moment `d` later on both clocks.
    pub fn advanced(self, d: std::time::Duration) -> Self {
        Now {
            instant: self.instant + d,
            wall: self.wall + d,
        }
    }
}

/// A transport-chosen identifier for one connection; unique while the connection lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "c{}", self.0)
    }
}

/// Why a transport reports a connection as gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectCause {
    /// The peer closed the connection (end of stream).
    Closed,
    /// Reading or writing failed (reset, keepalive timeout, write timeout).
    Error,
    /// The peer did not read fast enough and its outbound queue filled up.
    SlowConsumer,
    /// The hall asked for the close with [`Action::Close`] and the transport has done it.
    Requested,
}

impl DisconnectCause {
    /// A short word for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectCause::Closed => "closed",
            DisconnectCause::Error => "error",
            DisconnectCause::SlowConsumer => "slow-consumer",
            DisconnectCause::Requested => "requested",
        }
    }
}

/// Something that happened on a transport, handed to [`crate::Hall::handle_input`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// A new connection was accepted.
    Connect {
        /// The transport's id for it; must not be in use.
        id: ClientId,
        /// The peer's address, for the per-address limit; `None` if the transport has none.
        peer: Option<IpAddr>,
    },
    /// One framed line (or framing error) from a connection, as produced by [`crate::LineDecoder`].
    /// A [`Frame::Line`] longer than [`crate::Config::max_line_bytes`] is treated as
    /// [`Frame::TooLong`].
    Frame {
        /// Which connection sent it.
        id: ClientId,
        /// The decoded line or why it was rejected.
        frame: Frame,
    },
    /// The connection is gone; the id may be reused afterwards.
    Disconnect {
        /// Which connection.
        id: ClientId,
        /// Why it went away.
        cause: DisconnectCause,
    },
}

/// A side effect the transport must carry out, drained with [`crate::Hall::poll_action`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Queue `line` (one protocol line ending in `\n`) for `to`. Every recipient of the same
    /// broadcast shares one `Bytes`: cloning it is a reference-count bump.
    Send {
        /// The recipient.
        to: ClientId,
        /// The exact bytes to write, ending in exactly one `\n`.
        line: Bytes,
    },
    /// Close `id` once everything queued for it is written. The hall sends it nothing more
    /// and ignores its input until the transport reports [`Input::Disconnect`].
    Close {
        /// The connection to close.
        id: ClientId,
    },
    /// Append one record to the server log (`server.txt`).
    Log(LogRecord),
    /// Keep this change in the durable state (PROTOCOL.md §10). It comes before the
    /// confirmation that depends on it: commit it before sending the next line.
    Persist(crate::persist::Change),
}

/// What counts as one address for the per-address limits: an IPv4 address, or an IPv6 /64
/// (one host usually owns a whole /64, so counting single IPv6 addresses would limit
/// nobody). An IPv4 address seen through an IPv6 socket should be passed as IPv4.
///
/// ```
/// use chatcore::io::address_key;
/// let a = "2001:db8:1:2::1".parse().unwrap();
/// let b = "2001:db8:1:2::ffff".parse().unwrap();
/// assert_eq!(address_key(a), address_key(b));
/// ```
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}
