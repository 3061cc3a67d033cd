//! `chat-runtime` runs a [`chatcore::Hall`] for any number of transports at once and knows
//! no socket type: the engine thread that drives the hall, each connection's bounded outbox
//! and the slow-consumer policy, the `server.txt` writer, the admission door, connection
//! ids, the clock and shutdown live here, written once. A transport (line over TCP in
//! `chat-tcp`, WebSocket, the in-process [`local`] one) plugs in through [`Door`], [`Sink`],
//! [`Reader`] and [`Writer`] and nothing else.
//!
//! # Layout
//! - `runtime`: [`Runtime::start`], [`Runtime::join`] and the [`ShutdownHandle`].
//! - `engine`: the one thread that owns the hall; it sleeps until the next input or the
//!   hall's next deadline and handles what is queued as one batch.
//! - `door`: [`Door::admit`], the connection cap and ids, refusals counted for the operator.
//! - `conn`: the [`Sink`] trait and the two halves of a connection, [`Reader`] and
//!   [`Writer`]; the engine writes through the sink while it takes data, and the transport's
//!   writer takes over when it does not.
//! - `outbox`: the bounded queue of one connection and its water marks: past the high one
//!   the engine stops taking input (back-pressure); a connection far behind the rest is
//!   dropped alone.
//! - `pressure`: what wakes the engine when the outboxes it waits for drain.
//! - `logfile`: the log thread behind a bounded queue that never blocks the chat.
//! - `store`: where durable changes are committed before their confirmation ([`Store`]), on
//!   a thread of its own; [`Runtime::with_store`] rebuilds the hall from what it kept.
//! - [`local`]: the in-process transport (channels), for embedders and tests.
//! - [`Clock`]: the time source, shiftable for tests.
//!
//! # Lifecycle
//! 1. [`Runtime::start`] opens the log and starts the engine and log threads.
//! 2. Each transport takes a [`Runtime::door`] and registers how it stops accepting with
//!    [`ShutdownHandle::on_shutdown`].
//! 3. [`ShutdownHandle::shutdown`] says goodbye to every member, runs those hooks and
//!    closes every connection; the transports end their accept loops, then
//!    [`Runtime::join`] waits for the engine and the log.
//!
#![doc = include_str!("../README.md")]

mod clock;
mod conn;
mod door;
mod engine;
mod error;
pub mod local;
mod logfile;
mod outbox;
mod pressure;
mod runtime;
mod store;

pub use clock::Clock;
pub use conn::{Reader, Sink, Writer};
pub use door::{Admitted, Door, Refusal};
pub use error::Error;
pub use logfile::{LogNotes, LogReopener};
pub use outbox::Next;
pub use runtime::{Runtime, RuntimeConfig, ShutdownHandle};
pub use store::{MemoryStore, Store};
