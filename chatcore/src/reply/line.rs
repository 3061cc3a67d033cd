//! [`Line`]: every line the server sends, `[Server]:` lines included.

use std::fmt::{self, Write as _};

use bytes::{BufMut, Bytes, BytesMut};

use super::field::{Field, Matched};
use super::{Author, Name, Reply, Stamp, lines};

lines! {
    /// One line the server sends, without its `\n`. Members' lines (chat, actions,
    /// whispers, fired schedules) carry the sender's nickname, which never holds a space,
    /// `>`, `[` or `]`; the text after it is free.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum Line<'a>, wire "" {
        /// A `[Server]:` line.
        Server { reply: Reply<'a> } = "[Server]: {reply}",
        /// A whisper, to its recipient.
        WhisperFrom { nick: Name<'a>, text: &'a str } = "[Whisper from {nick}] {text}",
        /// A whisper, echoed to its sender.
        WhisperTo { nick: Name<'a>, text: &'a str } = "[Whisper to {nick}] {text}",
        /// A restored `/schedule` firing at start, `late` whole minutes (at least 1) after
        /// it fell due while the server was down (PROTOCOL.md §10's exact form: no `(left)`,
        /// since the lateness already says the server restarted and nobody's connection did).
        LateScheduled { by: Name<'a>, late: u64, text: &'a str } =
            "[Scheduled by {by}, {late} min late] {text}",
        /// A `/schedule` firing, to every member of its room.
        Scheduled { by: Author<'a>, text: &'a str } = "[Scheduled by {by}] {text}",
        /// A public line (chat, action, fired schedule) replayed to a member entering the
        /// room, stamped with when it was delivered (in the server's offset).
        Backlog { at: Stamp, line: &'a str } = "[{at}] {line}",
        /// `/me`, to every other member.
        Action { nick: Name<'a>, text: &'a str } = "* {nick} {text}",
        /// A chat line, to every other member.
        Chat { nick: Name<'a>, text: &'a str } = "{nick} >> {text}",
    }
}

impl Line<'_> {
    /// The line as sent, ending in `\n`, in one allocation of exactly its size (a broadcast
    /// is formatted once and its recipients share the bytes).
    pub fn to_bytes(&self) -> Bytes {
        let mut len = Len(1);
        let _ = write!(len, "{self}");
        let mut b = BytesMut::with_capacity(len.0);
        let _ = write!(b, "{self}");
        b.put_u8(b'\n');
        b.freeze()
    }
}

impl Reply<'_> {
    /// `[Server]: ` + the sentence + `\n` (see [`Line::to_bytes`]).
    pub fn to_bytes(&self) -> Bytes {
        Line::Server {
            reply: self.clone(),
        }
        .to_bytes()
    }
}

/// Counts the bytes written, to size a line's buffer before formatting into it.
struct Len(usize);

impl fmt::Write for Len {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}
