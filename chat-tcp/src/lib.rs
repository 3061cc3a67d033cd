//! `chat-tcp` is the bundled chat server: it wires a [`chatcore::Hall`] to blocking std TCP
//! and writes the server log.
//!
//! # Layout
//! - `server`: [`Server::bind`], the accept loop and the shutdown handle.
//! - `engine`: the one thread that owns the room; it sleeps until the next input or the
//!   room's next deadline and handles what is queued as one batch.
//! - `conn`: one reader and one writer thread per connection; the engine writes to the
//!   socket itself while it takes data, and the writer takes over when it does not.
//! - `outbox`: the bounded queue of one connection; a full one disconnects that client only.
//! - `limits`: sockets held in all and per address, checked before any thread starts.
//! - `logfile`: the log thread behind a bounded channel that never drops.
//! - [`Clock`]: the time source, shiftable for tests.
//!
//! ```no_run
//! let server = chat_tcp::Server::bind("127.0.0.1:9999", chat_tcp::ServerConfig::default())?;
//! println!("listening on {}", server.local_addr());
//! server.shutdown();
//! server.join()?;
//! # Ok::<(), chat_tcp::Error>(())
//! ```

mod clock;
mod conn;
mod engine;
mod error;
mod limits;
mod logfile;
mod outbox;
mod server;

pub use clock::Clock;
pub use error::Error;
pub use logfile::LogReopener;
pub use server::{Server, ServerConfig, ShutdownHandle};
