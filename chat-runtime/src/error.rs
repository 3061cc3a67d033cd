//! The runtime's one error type.

use std::path::PathBuf;

/// Why the runtime could not start, stopped abnormally, or refused a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The log file could not be opened.
    #[error("cannot open log file {path}: {source}")]
    Log {
        /// The path asked for.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The room configuration is invalid.
    #[error(transparent)]
    Config(#[from] chatcore::Error),
    /// A runtime thread could not be started.
    #[error("cannot start the {what} thread: {source}")]
    Spawn {
        /// Which thread.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server log blocked (a full pipe, a hung network file system) and did not take
    /// the last records before the server stopped.
    #[error("the server log is blocked; {unwritten} records were not written")]
    LogBlocked {
        /// Records queued or lost and not written.
        unwritten: u64,
    },
    /// A server thread panicked.
    #[error("the {0} thread panicked")]
    Panicked(&'static str),
    /// The state file could not be opened or read at start (not ours, newer, corrupt...).
    #[error("{0}")]
    State(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store did not finish a commit within the time the engine waits (a disk that
    /// hangs); the chat went on without it.
    #[error("the disk did not finish saving within {waited:?}")]
    StoreHung {
        /// How long the engine waited.
        waited: std::time::Duration,
    },
    /// The store could not make a change durable.
    #[error("cannot save: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The door turned the connection away (the in-process transport says so this way).
    #[error("refused at the door: {}", .0.line().trim_end())]
    Refused(crate::Refusal),
    /// The engine has stopped: nothing more can be fed in.
    #[error("the chat engine has stopped")]
    Stopped,
}
