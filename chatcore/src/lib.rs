//! `chatcore` is a pure, I/O-free state machine for a small group chat server of many rooms: it never reads a
//! clock, touches a socket or a file, or spawns a thread. It takes events with the current
//! time passed in and returns the actions a transport must carry out, so it embeds in any
//! program and every behaviour is deterministic to test.
//!
//! The wire contract it implements is the project's `PROTOCOL.md`: nicknames, the admin,
//! chat broadcast, `/rename`, `/whisper`, `/schedule`, `/kick`, `/user`, `/help`, `/quit`,
//! the flood limiter, text sanitising and one [`LogRecord`] per event for `server.txt`.
//!
//! # One entry point: the [`Hall`]
//!
//! A server is many rooms (PROTOCOL.md §8), and what protects it is server-wide: the
//! per-address, per-subnet and pending limits, the nickname deadline, the join rate,
//! nickname uniqueness, schedule ids. So the one public state machine is the [`Hall`],
//! which owns every connection and every room; a room is internal to it (a single-room
//! server is a hall with one room, and `max_rooms = 1` keeps it so). There is no second
//! copy of admission logic to keep in step, and a transport needs no routing of its own.
//!
//! # Run loop
//!
//! A transport owns one [`Hall`] and follows one rule: after every input, drain
//! [`Hall::poll_action`] until it returns `None`, then wait for the next input or until
//! [`Hall::poll_timeout`], whichever comes first, and call [`Hall::handle_timeout`] when the
//! deadline passes. Bytes from a connection go through a [`LineDecoder`] (one per
//! connection) and each [`Frame`] is handed in as [`Input::Frame`].
//!
//! ```
//! use std::time::Instant;
//! use chatcore::{Action, ClientId, Config, Frame, Hall, Input, Now};
//!
//! let now = Now::new(Instant::now(), time::macros::datetime!(2026-11-25 06:00 UTC));
//! let mut hall = Hall::new(Config::default(), now)?;
//! let (alice, bob) = (ClientId(1), ClientId(2));
//! for (id, nick) in [(alice, "Alice"), (bob, "Bob")] {
//!     hall.handle_input(now, Input::Connect { id, peer: None })?;
//!     hall.handle_input(now, Input::Frame { id, frame: Frame::Line(nick.into()) })?;
//! }
//! while hall.poll_action().is_some() {} // welcome lines and join logs
//!
//! hall.handle_input(now, Input::Frame { id: alice, frame: Frame::Line("Hello everyone!".into()) })?;
//! let mut sent = Vec::new();
//! let mut logged = Vec::new();
//! while let Some(action) = hall.poll_action() {
//!     match action {
//!         Action::Send { to, line } => sent.push((to, line)),
//!         Action::Log(record) => logged.push(record.to_string()),
//!         // The line joins the backlog: a durable change, for a store (PROTOCOL.md §10).
//!         Action::Persist(_) => {}
//!         _ => unreachable!("nobody leaves"),
//!     }
//! }
//! assert_eq!(sent, [(bob, bytes::Bytes::from("Alice >> Hello everyone!\n"))]);
//! assert_eq!(logged, ["2026-11-25T06:00:00.000Z [lobby] chat Alice: Hello everyone!"]);
//! assert_eq!(hall.poll_timeout(), None);
//! # Ok::<(), chatcore::Error>(())
//! ```
//!
//! # Layout
//! - [`hall`](Hall): connections, admission, the nickname registry, the rooms by name,
//!   `/rooms` and `/join`, the timer table and the output queue.
//! - `room` (internal): one room's members, admin, chat, whispers, kicks, code, schedules
//!   and member commands.
//! - [`io`]: [`Input`], [`Action`], [`Now`], [`ClientId`].
//! - [`decoder`]: the push-style line decoder shared by transports.
//! - [`command`]: parsing a member's line.
//! - [`nickname`], [`roomname`], [`sanitize`], [`timespec`], [`flood`]: the rules for
//!   names, text, times and rate.
//! - `rate` (internal): the token buckets of the join rate, the rename rate and the
//!   announcement budget per address and room (PROTOCOL.md §6).
//! - [`reply`]: every line the server sends ([`Line`], [`Reply`]), formatted and parsed.
//! - [`log`]: the records written to `server.txt`.
//! - [`persist`]: the durable changes reported as [`Action::Persist`] (PROTOCOL.md §10).
#![deny(missing_docs)]

pub mod command;
pub mod config;
pub mod decoder;
pub mod error;
pub mod flood;
pub mod hall;
pub mod io;
pub mod log;
pub mod nickname;
pub mod persist;
mod rate;
pub mod reply;
mod room;
pub mod roomname;
pub mod sanitize;
pub mod timespec;

pub use config::Config;
pub use decoder::{Frame, LineDecoder};
pub use error::Error;
pub use hall::{Hall, RoomView};
pub use io::{Action, ClientId, DisconnectCause, Input, Now};
pub use log::{Event, LeaveCause, LogRecord};
pub use nickname::{NickError, NickKey, Nickname};
pub use reply::{Line, Reply};
pub use roomname::RoomName;
