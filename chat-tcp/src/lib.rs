//! `chat-tcp` is the bundled chat server: the line-over-TCP transport (blocking std
//! sockets, a reader and a writer thread per connection) on [`chat_runtime`], which owns
//! the engine, the outboxes, the server log, the admission door and shutdown.
//!
//! # Layout
//! - `server`: [`Server::bind`], socket options and the accept loop, which asks the
//!   runtime's door to admit each peer.
//! - `conn`: the socket as the runtime's sink, and one reader and one writer thread per
//!   connection; the engine writes to the socket itself while it takes data, and the writer
//!   takes over when it does not.
//!
//! ```no_run
//! let server = chat_tcp::Server::bind("127.0.0.1:9999", chat_tcp::ServerConfig::default())?;
//! println!("listening on {}", server.local_addr());
//! server.shutdown();
//! server.join()?;
//! # Ok::<(), chat_tcp::Error>(())
//! ```

mod conn;
mod error;
mod server;

pub use chat_runtime::{Clock, LogNotes, LogReopener, ShutdownHandle};
pub use error::Error;
pub use server::{Server, ServerConfig};
