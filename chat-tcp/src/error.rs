//! The server's one error type.

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be set up.
    #[error(
        "cannot listen on {addr}: {source} (another server there? choose other ports with --bind and --web)"
    )]
    Bind {
        /// The address asked for.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The web listener could not be set up.
    #[error("cannot serve the web page on {addr}: {source}")]
    Web {
        /// The address asked for.
        addr: String,
        /// What failed.
        source: chat_web::Error,
    },
    /// The runtime could not start or stopped abnormally.
    #[error(transparent)]
    Runtime(#[from] chat_runtime::Error),
    /// The accept thread could not be started.
    #[error("cannot start the accept thread: {0}")]
    Spawn(std::io::Error),
    /// The accept thread panicked.
    #[error("the accept thread panicked")]
    Panicked,
}
