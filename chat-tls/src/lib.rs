//! `chat-tls` is what the chat's transports need to speak TLS (PROTOCOL.md §11): the
//! server's certificate and key, loaded from PEM files and reloaded on request (new
//! connections get the new pair, established ones keep theirs), and [`TlsStream`], a TLS
//! connection over a [`std::net::TcpStream`] that a reader thread and a writer thread share:
//! the server's side, or a client's (chat-cli's `--tls`, whose handshake
//! [`TlsStream::complete_handshake`] runs to its end before the first line). rustls with the
//! `ring` provider only, TLS 1.2 and 1.3.
//!
//! rustls's session cannot be split into a read half and a write half, so [`TlsStream`]
//! keeps it behind one lock, held only while bytes go in or out of it: the socket is read
//! outside the lock (a blocked read never stops a write), and every encrypted byte leaves
//! through one ordered path, so records reach the socket in the order they were sealed.
//!
//! # Layout
//! - `certs`: [`Certs`], the pair in force and its reload.
//! - `stream`: [`TlsStream`].

mod certs;
mod stream;

pub use certs::{Certs, Error};
pub use stream::TlsStream;
