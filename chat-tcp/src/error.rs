//! The server's one error type.

use std::path::PathBuf;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be set up.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
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
    /// A server thread could not be started.
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
}
