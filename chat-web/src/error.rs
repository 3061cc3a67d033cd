//! What can go wrong starting or stopping the web listener.

/// An error of the web transport.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot listen: {0}")]
    Bind(#[source] std::io::Error),
    /// A thread could not be started.
    #[error("cannot start the web listener's thread: {0}")]
    Spawn(#[source] std::io::Error),
    /// The accept thread panicked.
    #[error("the web listener's thread panicked")]
    Panicked,
}
