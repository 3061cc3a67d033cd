//! Every line the server sends, as one typed definition: [`Line`] (chat, actions,
//! whispers, fired schedules, backlog lines and `[Server]:` lines) and [`Reply`] (the
//! sentence of a `[Server]:` line). Each variant's text is written once, as a template;
//! `Display` formats it and `parse` reads it back, so the room formats with it and a client
//! understands with it, and rewording a line cannot silently break a client.
//!
//! ```
//! use chatcore::reply::{Line, Name, Reply};
//! let reply = Reply::Welcome { nick: Name("Alice"), online: 2, capacity: 10 };
//! let line = Line::Server { reply };
//! assert_eq!(line.to_string(), "[Server]: Welcome, Alice! 2/10 online. Type /help for commands.");
//! assert_eq!(Line::parse(&line.to_string()), Some(line));
//! ```

mod field;
mod line;

pub use field::{Author, HELP, HelpLine, KickReason, Minutes, Name, Offset, Stamp};
pub use line::Line;

use std::fmt;

use crate::command::Usage;
use crate::nickname::NickError;
use crate::roomname::RoomNameError;
use crate::timespec::TimeSpecError;
use field::{Field, Matched};

/// Declares an enum of lines: each variant with its fields and its template, a string
/// literal whose `{field}`s name the fields. Generates the enum (its docs quoting the
/// template), `Display` (the template filled in) and `parse` (the template matched, variants
/// tried in order, the first that matches wins).
macro_rules! lines {
    (
        $(#[$meta:meta])*
        pub enum $enum:ident<'a>, wire $prefix:literal {
            $(
                $(#[doc = $doc:literal])*
                $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? = $tmpl:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        pub enum $enum<'a> {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Wire text: `", $prefix, $tmpl, "`")]
                $name $({ $(
                    #[doc = concat!("The `{", stringify!($field), "}` of the text.")]
                    $field: $ty
                ),* })?,
            )*
        }

        impl fmt::Display for $enum<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Self::$name $({ $($field),* })? => write!(f, $tmpl), )*
                }
            }
        }

        impl<'a> $enum<'a> {
            /// The value whose text is exactly `s` (without the line's `\n`), if any.
            pub fn parse(s: &'a str) -> Option<Self> {
                $(
                    if let Some(m) = Matched::new($tmpl, s) {
                        let _ = &m;
                        // A closure, so that `?` ends this variant's try only.
                        #[allow(clippy::redundant_closure_call)]
                        let v: Option<Self> = (|| Some(Self::$name $({ $(
                            $field: Field::parse(m.get(stringify!($field))?)?
                        ),* })?))();
                        if v.is_some() {
                            return v;
                        }
                    }
                )*
                None
            }

            /// The variant's name, for tests and diagnostics.
            pub fn variant(&self) -> &'static str {
                match self {
                    $( Self::$name { .. } => stringify!($name), )*
                }
            }

            /// Every variant's name, in the order `parse` tries them.
            pub const VARIANTS: &'static [&'static str] = &[$(stringify!($name)),*];
        }

        impl<'a> Field<'a> for $enum<'a> {
            fn parse(s: &'a str) -> Option<Self> {
                $enum::parse(s)
            }
        }
    };
}
pub(crate) use lines;

lines! {
    /// The sentence of a `[Server]:` line: a reply to one connection or an announcement to a
    /// room. `Display` gives the sentence without the `[Server]: ` prefix (as logged for a
    /// refusal); [`Line::Server`] adds it.
    ///
    /// Variants whose text starts with fixed words come first, then those that start with a
    /// nickname (tried last, so that free text ending another line is never mistaken for
    /// them).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum Reply<'a>, wire "[Server]: " {
        // The door and the nickname prompt.
        /// The first line a connection gets: the default room's head count and the prompt.
        Prompt { online: usize, capacity: usize } =
            "Welcome to the open chat ({online}/{capacity} online). Enter a nickname:",
        /// The server is shutting down; the connection closes (also to one that connects then).
        ShuttingDown = "The server is shutting down.",
        /// A transport holds as many sockets as it may; the connection closes.
        Busy = "The server is busy. Try again later.",
        /// Plain text on a port that speaks TLS (`nc` to the TLS port): sent in the clear,
        /// then the connection closes.
        NotTls = "This port speaks TLS: connect with chat-cli --tls or openssl s_client. Bye.",
        /// The default room is full; the connection closes.
        Full { online: usize, capacity: usize } =
            "The chat room is full ({online}/{capacity}). Try again later.",
        /// Over `max_per_ip`; the connection closes.
        TooManyFromAddress { max: usize } =
            "Too many connections from your address (max {max}). Bye.",
        /// Over `max_per_subnet`; the connection closes.
        TooManyFromNetwork { max: usize } =
            "Too many connections from your network (max {max}). Bye.",
        /// Closed to make room under `max_pending`.
        TooManyWaiting = "Too many connections are waiting for a nickname. Bye.",
        /// No nickname within `nick_timeout`; the connection closes.
        NickTimeout = "No nickname chosen in time. Bye.",
        /// `/quit` at the nickname prompt.
        ByeAtPrompt = "Bye.",
        /// Too many refused nicknames; the connection closes.
        TooManyAttempts = "Too many nickname attempts. Bye.",
        /// A nickname line over the line limit; another try.
        NickLineTooLong { max: usize } = "Line too long (max {max} bytes). Enter a nickname:",
        /// A nickname line that is not UTF-8; another try.
        NickNotUtf8 = "Line is not valid UTF-8. Enter a nickname:",
        /// A nickname taken on the server, at the prompt; another try.
        NickTakenAgain { nick: Name<'a> } = "Nickname \"{nick}\" is already taken. Enter another:",
        /// A nickname taken on the server, for `/rename`.
        NickTaken { nick: Name<'a> } = "Nickname \"{nick}\" is already taken.",
        /// Over the join rate at the prompt; the connection closes.
        TooManyJoinsAtPrompt { secs: u64 } =
            "Too many joins from your address; try again in {secs} s. Bye.",
        /// A kick ban on the room (at the prompt, the connection closes; `/join`, it stays).
        Banned { room: Name<'a>, left: Minutes } = "You are banned from \"{room}\" for {left}.",

        // Entering a room.
        /// The nickname is accepted and the member is in the default room.
        Welcome { nick: Name<'a>, online: usize, capacity: usize } =
            "Welcome, {nick}! {online}/{capacity} online. Type /help for commands.",
        /// `/join` to a room that existed.
        JoinedRoom { room: Name<'a>, online: usize, capacity: usize } =
            "You joined \"{room}\" ({online}/{capacity} online).",
        /// `/join` created the room.
        CreatedRoom { room: Name<'a> } = "You created \"{room}\" and are its admin.",
        /// The member is the admin of the room it entered.
        YouAreAdmin = "You are the admin.",
        /// One backlog line follows.
        BacklogOne { offset: Offset } = "Last message (time in {offset}):",
        /// `count` backlog lines follow.
        BacklogMany { count: usize, offset: Offset } =
            "Last {count} messages (times in {offset}):",
        /// The room's notice, to whoever enters and on `/notice`.
        Notice { text: &'a str } = "Notice: {text}",
        /// The admin set the notice (to every member).
        NoticeFrom { by: Name<'a>, text: &'a str } = "Notice from {by}: {text}",
        /// `/notice` with no notice set.
        NoNotice = "There is no notice.",
        /// `/notice -`.
        NoticeCleared = "Notice cleared.",

        // Lists.
        /// `/user`: the first line of members (`Alice (admin), Bob`).
        Users { online: usize, capacity: usize, list: &'a str } =
            "Users ({online}/{capacity}): {list}",
        /// `/rooms`: the first line of rooms (`lobby 3/10, study 1/10 (code)`).
        Rooms { count: usize, list: &'a str } = "Rooms ({count}): {list}",
        /// A list (`/user`, `/rooms`) continued past the output line limit.
        More { list: &'a str } = "... {list}",
        /// One line of `/help`.
        Help { line: HelpLine } = "{line}",
        /// `/bans` with no ban in force.
        NobodyBanned = "Nobody is banned.",
        /// `/schedules` with none pending.
        NoSchedules = "No pending schedules.",
        /// One pending schedule in `/schedules`.
        ScheduleEntry { seq: u64, when: &'a str, wait: &'a str, by: Author<'a>, text: &'a str } =
            "#{seq} for {when}, in {wait}, by {by}: {text}",

        // Commands.
        /// The flood limiter dropped lines (once per burst).
        TooFast = "You are sending too fast; some lines were not sent.",
        /// A line over the line limit.
        LineTooLong { max: usize } = "Line too long (max {max} bytes); it was not sent.",
        /// A line that is not UTF-8.
        NotUtf8 = "Line is not valid UTF-8; it was not sent.",
        /// A command missing its arguments.
        Usage { usage: Usage } = "Usage: {usage}",
        /// A `/word` that is no command (echoed up to 32 bytes).
        UnknownCommand { command: &'a str } =
            "Unknown command \"{command}\". Type /help for the list.",
        /// `/whisper`, `/kick`, `/admin` naming nobody in the room (echoed up to 32 bytes).
        NoSuchUser { typed: &'a str } = "No user named \"{typed}\" is in the chat.",
        /// `/rename` to the name one has.
        AlreadyNamed { nick: Name<'a> } = "You are already \"{nick}\".",
        /// Over the rename rate.
        RenamingTooOften { secs: u64 } = "You are renaming too often; try again in {secs} s.",
        /// A rename, to every other member.
        Renamed { old: Name<'a>, new: Name<'a> } =
            "User \"{old}\" has changed their nickname to \"{new}\".",
        /// A rename, to the one who renamed.
        YouAreNow { nick: Name<'a> } = "You are now \"{nick}\".",
        /// `/whisper` to oneself.
        WhisperSelf = "You cannot whisper to yourself.",
        /// `/kick` by a member who is not the admin.
        OnlyAdminKicks = "Only the admin can kick.",
        /// An admin-only command by a member who is not the admin.
        OnlyAdmin = "Only the admin can do that.",
        /// `/kick` of oneself.
        KickSelf = "You cannot kick yourself.",
        /// `/admin` naming oneself.
        AlreadyAdmin = "You are already the admin.",
        /// To the kicked member, before its connection closes.
        YouWereKicked { reason: KickReason<'a> } = "You have been kicked from the chat.{reason}",
        /// To the admin who kicked.
        YouKicked { nick: Name<'a> } = "You kicked {nick}.",
        /// `/unban` naming nobody banned (echoed up to 32 bytes).
        NotBanned { typed: &'a str } = "Nobody named \"{typed}\" is banned.",
        /// `/code` cleared the code.
        CodeCleared = "The participation code is cleared; anyone may join.",
        /// `/code CODE` set it.
        CodeSet { room: Name<'a> } = "The participation code is set; /join {room} <code> enters.",
        /// A code that is not 4-32 visible characters (never echoed).
        BadCode = "A code is 4-32 visible characters, without spaces.",
        /// `/schedule` set one.
        Scheduled { seq: u64, when: &'a str, wait: &'a str, text: &'a str } =
            "Scheduled #{seq} for {when}, in {wait}: {text}",
        /// Over the schedules one member may hold.
        TooManySchedules { max: usize } =
            "You already have {max} pending schedules (max {max}).",
        /// Over the schedules one address may hold.
        TooManyAddressSchedules { max: usize } =
            "Your address already has {max} pending schedules (max {max}).",
        /// Over the schedules one room may hold.
        TooManyRoomSchedules { max: usize } =
            "The room already has {max} pending schedules (max {max}).",
        /// `/unschedule` of an id not pending in the room.
        NoSuchSchedule { seq: u64 } = "No pending schedule #{seq}.",
        /// `/unschedule` by someone else than its author or the admin.
        NotYourSchedule { seq: u64 } = "Only its author or the admin can cancel schedule #{seq}.",
        /// `/unschedule` done.
        Unscheduled { seq: u64 } = "Schedule #{seq} cancelled.",
        /// Instead of the confirmation of a change the server could not save (a full disk,
        /// PROTOCOL.md §10): the change holds in memory, not across a restart.
        NotSaved = "Could not save this change to disk; it holds only until the server restarts.",
        /// `/join` to the room one is in.
        AlreadyInRoom { room: Name<'a> } = "You are already in \"{room}\".",
        /// `/join` to a full room.
        RoomFull { room: Name<'a>, online: usize, capacity: usize } =
            "The room \"{room}\" is full ({online}/{capacity}).",
        /// `/join` without the code a room needs.
        NeedsCode { room: Name<'a> } = "The room \"{room}\" needs a code: /join {room} <code>",
        /// `/join` with a wrong code.
        WrongCode { room: Name<'a> } = "Wrong code for \"{room}\".",
        /// `/join` creating a room past `max_rooms`.
        TooManyRooms { max: usize } =
            "The server already has {max} rooms (max {max}); join one of them.",
        /// `/join` creating a room past `max_rooms_per_subnet` for the member's network.
        TooManyRoomsFromNetwork { max: usize } =
            "Too many rooms were created from your network (max {max}); join one of them.",
        /// `/join` over the join rate.
        JoiningTooOften { secs: u64 } = "You are joining rooms too often; try again in {secs} s.",
        /// One announcement was folded by the churn budget since the last summary.
        OneNotShown = "1 more join, leave or rename was not shown.",
        /// `count` announcements were folded by the churn budget since the last summary.
        NotShown { count: u64 } = "{count} more joins, leaves and renames were not shown.",
        /// `/quit`: the last line before the connection closes.
        Bye { nick: Name<'a> } = "Bye, {nick}.",

        // Reasons that are their own types.
        /// A refused nickname at the prompt; another try.
        BadNicknameAgain { error: NickError } = "{error} Enter another:",
        /// A refused nickname for `/rename`.
        BadNickname { error: NickError } = "{error}",
        /// A refused room name for `/join`.
        BadRoomName { error: RoomNameError } = "{error}",
        /// A refused `/schedule` time.
        BadTime { error: TimeSpecError } = "{error}",

        // Lines that start with a nickname.
        /// `/kick`, to every other member.
        WasKicked { nick: Name<'a>, reason: KickReason<'a> } =
            "{nick} has been kicked from the chat.{reason}",
        /// One ban in force, in `/bans`.
        BanEntry { nick: Name<'a>, left: Minutes } = "{nick} is banned for {left}.",
        /// Someone entered the room.
        HasJoined { nick: Name<'a> } = "{nick} has joined the chat.",
        /// Someone left the server (quit or disconnected).
        HasLeft { nick: Name<'a> } = "{nick} has left the chat.",
        /// Someone went to another room with `/join`.
        LeftRoom { nick: Name<'a> } = "{nick} has left the room.",
        /// The admin role passed on.
        NewAdmin { nick: Name<'a> } = "{nick} is now the admin.",
        /// `/unban` done.
        Unbanned { nick: Name<'a> } = "{nick} may enter again.",
    }
}

#[cfg(test)]
mod tests;
