//! `chat-web` serves the chat over WebSocket and the web page that is its client
//! (PROTOCOL.md §11): `GET /` is one self-contained page, `/ws` the WebSocket endpoint, one
//! text message one protocol line. It plugs into [`chat_runtime`] through the runtime's
//! public transport API only ([`chat_runtime::Door`], [`chat_runtime::Sink`], the reader
//! and writer halves).
//!
//! # Layout
//! - `listener`: [`WebListener::bind`], the accept loop, one thread per HTTP exchange.
//! - `exchanges`: the HTTP exchanges under way: how many, how many per address, one
//!   deadline for each whole exchange.
//! - `http`: the request head, the page, the origin check and the upgrade.
//! - `stream`: the bytes under a connection, plain TCP or TLS (https and wss).
//! - `conn`: an upgraded connection: the sink, the reader that owns tungstenite's protocol
//!   state, the writer that alone writes to the socket (lines, pongs, close frames in order).
//! - `page.html`: the page ([`PAGE`]), HTML, CSS and JS in one file, no build step.

mod conn;
mod error;
mod exchanges;
mod http;
mod listener;
mod stream;

pub use error::Error;
pub use http::{Origins, PAGE};
pub use listener::{WebConfig, WebListener, WebStopper};
