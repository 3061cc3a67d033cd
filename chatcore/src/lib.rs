//! `chatcore` is a pure, I/O-free state machine for a small group chat room: it never reads a
//! clock, touches a socket or a file, or spawns a thread. It takes events with the current
//! time passed in and returns the actions a transport must carry out, so it embeds in any
//! program and every behaviour is deterministic to test.
//!
//! The wire contract it implements is the project's `PROTOCOL.md`: nicknames, the admin,
//! chat broadcast, `/rename`, `/whisper`, `/schedule`, `/kick`, `/user`, `/help`, `/quit`,
//! the flood limiter, text sanitising and one [`LogRecord`] per event for `server.txt`.
//!
//! # Run loop
//!
//! A transport owns one [`Room`] and follows one rule: after every input, drain
//! [`Room::poll_action`] until it returns `None`, then wait for the next input or until
//! [`Room::poll_timeout`], whichever comes first, and call [`Room::handle_timeout`] when the
//! deadline passes. Bytes from a connection go through a [`LineDecoder`] (one per
//! connection) and each [`Frame`] is handed in as [`Input::Frame`].
//!
//! ```
//! use std::time::Instant;
//! use chatcore::{Action, ClientId, Config, Frame, Input, Now, Room};
//!
//! let now = Now::new(Instant::now(), time::macros::datetime!(2026-11-25 06:00 UTC));
//! let mut room = Room::new(Config::default(), now)?;
//! let (alice, bob) = (ClientId(1), ClientId(2));
//! for (id, nick) in [(alice, "Alice"), (bob, "Bob")] {
//!     room.handle_input(now, Input::Connect { id, peer: None })?;
//!     room.handle_input(now, Input::Frame { id, frame: Frame::Line(nick.into()) })?;
//! }
//! while room.poll_action().is_some() {} // welcome lines and join logs
//!
//! room.handle_input(now, Input::Frame { id: alice, frame: Frame::Line("Hello everyone!".into()) })?;
//! let mut sent = Vec::new();
//! let mut logged = Vec::new();
//! while let Some(action) = room.poll_action() {
//!     match action {
//!         Action::Send { to, line } => sent.push((to, line)),
//!         Action::Log(record) => logged.push(record.to_string()),
//!         Action::Close { .. } => unreachable!("nobody leaves"),
//!     }
//! }
//! assert_eq!(sent, [(bob, bytes::Bytes::from("Alice >> Hello everyone!\n"))]);
//! assert_eq!(logged, ["2026-11-25T06:00:00.000Z chat Alice: Hello everyone!"]);
//! assert_eq!(room.poll_timeout(), None);
//! # Ok::<(), chatcore::Error>(())
//! ```
//!
//! # Layout
//! - [`room`](Room): members, nicknames, the admin, schedules and the output queue.
//! - [`io`]: [`Input`], [`Action`], [`Now`], [`ClientId`].
//! - [`decoder`]: the push-style line decoder shared by transports.
//! - [`command`]: parsing a member's line.
//! - [`nickname`], [`sanitize`], [`timespec`], [`flood`]: the rules for names, text, times
//!   and rate.
//! - [`log`]: the records written to `server.txt`.
#![deny(missing_docs)]

pub mod command;
pub mod config;
pub mod decoder;
pub mod error;
pub mod flood;
pub mod io;
pub mod log;
pub mod nickname;
mod room;
pub mod sanitize;
pub mod timespec;

pub use config::Config;
pub use decoder::{Frame, LineDecoder};
pub use error::Error;
pub use io::{Action, ClientId, DisconnectCause, Input, Now};
pub use log::{Event, LeaveCause, LogRecord};
pub use nickname::{NickError, NickKey, Nickname};
pub use room::Room;
