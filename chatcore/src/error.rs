//! The one error type of the crate: misuse of the API, never a peer's mistake.

use crate::io::ClientId;

/// Misuse of the `chatcore` API by the embedding program. A peer's mistake is never an
/// `Error`: it becomes a `[Server]:` reply.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `Connect` with an id that is still in use.
    #[error("client id {0} is already connected")]
    DuplicateClient(ClientId),
    /// `Frame` or `Disconnect` for an id that is not connected.
    #[error("client id {0} is not connected")]
    UnknownClient(ClientId),
    /// A [`crate::Config`] value out of range.
    #[error("invalid config: {0}")]
    InvalidConfig(&'static str),
}
