//! The pieces of `chat-load`, the line-protocol load generator.
//!
//! `chat-load` connects N clients to a server on loopback, joins them as `load0..loadN`, and
//! has each send fixed-size lines at a fixed rate (open loop: line k is due at
//! `start + k * interval`, whatever happened to line k - 1) while every client reads
//! everything on its own thread. Each line carries its sender, a sequence number and its
//! send time, so receivers measure one-way latency against the same process-local clock.
//!
//! # Layout
//! - [`options`]: the command line.
//! - [`payload`]: what a line carries, written by senders and parsed by receivers.
//! - [`histogram`]: a log-linear latency histogram (about 3 % resolution, constant memory).
//! - [`procfs`]: CPU time and RSS of a process from `/proc`.
//! - [`client`]: joining, and the reader and writer loops of one client.
//! - [`run`]: the whole run, bounded by a hard deadline.
//! - [`report`]: the summary, for people and as one JSON line.
//! - [`soak`]: `--soak`, the long reliability run (churn, kicks, whispers, schedules,
//!   floods) with its exact lost-delivery check and the server's memory over time.

pub mod client;
pub mod conn;
pub mod histogram;
mod json;
pub mod options;
pub mod payload;
pub mod procfs;
pub mod report;
pub mod run;
pub mod soak;

use std::io;

/// Why a load run could not be carried out. Problems during the run (a client dropped, a
/// write timed out) are not errors: they are counted in the report.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The target is not a loopback address: load is only ever sent to this machine.
    #[error("refusing to load {0}: only loopback addresses (127.0.0.0/8, ::1) are allowed")]
    NotLoopback(String),
    /// The address could not be parsed or resolved.
    #[error("cannot resolve {addr}: {source}")]
    Resolve {
        /// The address as given.
        addr: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// An option is out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A client could not connect or set up its socket.
    #[error("{nick}: {source}")]
    Io {
        /// The client's nickname.
        nick: String,
        /// What failed.
        source: io::Error,
    },
    /// The server turned a client away (room full, nickname refused).
    #[error("{nick} was refused: {line}")]
    Refused {
        /// The client's nickname.
        nick: String,
        /// The server's line.
        line: String,
    },
    /// The server did not finish the join in time.
    #[error("{nick} did not join within the join timeout")]
    JoinTimeout {
        /// The client's nickname.
        nick: String,
    },
    /// The server closed the connection during the join.
    #[error("{nick}: the server closed the connection during the join")]
    Closed {
        /// The client's nickname.
        nick: String,
    },
}
