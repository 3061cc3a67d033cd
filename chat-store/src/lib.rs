//! The server's durable state (PROTOCOL.md §10) in one SQLite file.
//!
//! The hall reports every durable change; the runtime [`Store::stage`]s them in order and
//! [`Store::commit`]s before it sends a confirmation that depends on them (one transaction,
//! `synchronous=FULL`, so a committed change survives `kill -9` and a power cut). Backlog
//! lines are staged the same way and simply ride along with the next commit, so a chat line
//! never waits for the disk: the runtime commits at least once a second and at shutdown.
//! At start [`Store::open`] checks that the file is ours before anything is written to it
//! and [`Store::load`] returns everything for the hall to be rebuilt from.
//!
//! # Layout
//! - `lib.rs`: [`Store`], the records ([`Change`], [`Snapshot`] and their parts), [`Error`].
//! - `schema.rs`: the schema versions, the checks at open and the migrations.
//! - `write.rs`: applying staged changes in one transaction.
//! - `claim.rs`: opening the file safely, its lock, and the check that it is still there.
//! - `hall.rs`: the hall's [`chatcore::persist::Change`]s as records, and [`Store`] as a
//!   [`chat_runtime::Store`].

mod claim;
mod hall;
mod schema;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use hall::{from_hall, to_hall};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

/// Everything that can go wrong with the state file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file (or its directory) cannot be opened or created.
    #[error("cannot open state file {path}: {source}")]
    Open {
        /// The state file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file cannot be opened or created for writing (before SQLite opens it).
    #[error("cannot open state file {path}: {source}")]
    Claim {
        /// The state file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The path is a symbolic link, or names a file that is not a regular file, belongs to
    /// another user or is writable by every user; it was left untouched.
    #[error("{path} {why}; it was left untouched")]
    Unsafe {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The file was deleted or replaced at its path while the server ran: a commit would
    /// go to a file no one reads again, so none is made.
    #[error("{path} was deleted or replaced while the server ran; changes are not being saved")]
    Replaced {
        /// The state file.
        path: PathBuf,
    },
    /// Another server (or another program holding our lock) has the file open: two servers
    /// on one file would both fire its schedules.
    #[error(
        "{path} is in use by another server; it was left untouched (stop that server, or give this one its own file with --state PATH, or --state none)"
    )]
    InUse {
        /// The state file.
        path: PathBuf,
    },
    /// The file belongs to another program (not SQLite, or another application id, or
    /// tables of its own); it was left untouched.
    #[error("{path} is not a chat state file ({why}); it was left untouched")]
    Foreign {
        /// The state file.
        path: PathBuf,
        /// What gave it away.
        why: String,
    },
    /// The file was written by a newer server; it was left untouched.
    #[error(
        "{path} has schema version {found}, newer than this server's {SCHEMA_VERSION}; it was left untouched"
    )]
    Newer {
        /// The state file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
    },
    /// SQLite found the file damaged; it was left untouched.
    #[error("{path} is corrupt ({why}); it was left untouched")]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What the integrity check reported.
        why: String,
    },
    /// Reading the state failed after the file was opened.
    #[error("cannot read the state: {0}")]
    Read(#[source] rusqlite::Error),
    /// A commit failed (disk full, I/O error); nothing of it was kept.
    #[error("cannot save the state: {0}")]
    Write(#[source] rusqlite::Error),
}

/// A room as it is kept. Members and the admin role belong to connections and are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecord {
    /// Its name as first written.
    pub name: String,
    /// Its capacity.
    pub capacity: u32,
    /// Its participation code, if any.
    pub code: Option<String>,
    /// Its notice, if any.
    pub notice: Option<String>,
    /// Its bans.
    pub bans: Vec<BanRecord>,
    /// Its last backlog lines, oldest first.
    pub backlog: Vec<BacklogRecord>,
}

/// A kick ban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRecord {
    /// The banned nickname as the hall wrote it (its look-alike-aware key is derived
    /// again at restore); one ban per nickname and room.
    pub key: String,
    /// The address (or /64) it also matches, as text, if any.
    pub address: Option<String>,
    /// When it ends, Unix milliseconds.
    pub until_ms: i64,
}

/// One delivered public line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogRecord {
    /// When it was delivered, Unix milliseconds.
    pub at_ms: i64,
    /// The line as delivered, without its LF.
    pub line: String,
}

/// A pending `/schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    /// Its id, unique for the life of the file.
    pub id: u64,
    /// The room it fires in.
    pub room: String,
    /// The author's nickname when it was set.
    pub author: String,
    /// When it fires, Unix milliseconds.
    pub due_ms: i64,
    /// The UTC offset it was asked in, seconds (for `/schedules`).
    pub offset_s: i32,
    /// The sanitised text.
    pub text: String,
}

/// One durable change, in the order the hall made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A room was created.
    RoomCreated {
        /// Its name.
        name: String,
        /// Its capacity.
        capacity: u32,
        /// Its participation code, if created with one.
        code: Option<String>,
    },
    /// A room was removed (with its bans, backlog and schedules).
    RoomRemoved {
        /// Its name.
        name: String,
    },
    /// `/code` set or cleared a room's code.
    CodeSet {
        /// The room.
        room: String,
        /// The new code, `None` when cleared.
        code: Option<String>,
    },
    /// `/notice` set or cleared a room's notice.
    NoticeSet {
        /// The room.
        room: String,
        /// The new notice, `None` when cleared.
        notice: Option<String>,
    },
    /// A kick banned someone (replacing an earlier ban of the same key).
    BanAdded {
        /// The room.
        room: String,
        /// The ban.
        ban: BanRecord,
    },
    /// `/unban` (or expiry) lifted a ban.
    BanRemoved {
        /// The room.
        room: String,
        /// The nickname key.
        key: String,
    },
    /// A schedule was set; `next_id` is the id counter after it.
    ScheduleAdded {
        /// The schedule.
        schedule: ScheduleRecord,
        /// The next id the hall will hand out.
        next_id: u64,
    },
    /// A schedule was cancelled or fired.
    ScheduleRemoved {
        /// Its id.
        id: u64,
    },
    /// A public line was delivered in a room.
    BacklogAppended {
        /// The room.
        room: String,
        /// The line.
        line: BacklogRecord,
    },
}

/// Everything the hall is rebuilt from at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every kept room, in name order.
    pub rooms: Vec<RoomRecord>,
    /// Every pending schedule, by id.
    pub schedules: Vec<ScheduleRecord>,
    /// The next schedule id to hand out (greater than every id ever handed out).
    pub next_schedule_id: u64,
}

/// The open state file.
#[derive(Debug)]
pub struct Store {
    /// The connection, in WAL mode with `synchronous=FULL`.
    conn: Connection,
    /// The file, held locked (`flock`, exclusive) while the store is open so that a second
    /// server refuses it, and checked at each commit to still be at its path. Declared
    /// after `conn`: it is closed after SQLite's own handle, as closing any descriptor of
    /// the file drops the process's SQLite (`fcntl`) locks.
    claim: claim::Claim,
    /// Changes staged since the last commit, in order.
    staged: Vec<Change>,
    /// The hall's backlog lines staged since the last confirmed change, as the hall gave
    /// them (shared bytes): turned into records only when they are about to be written, so
    /// a chat line costs no copy (see `hall.rs`). At most `history` per room.
    lines: Vec<(chatcore::RoomName, time::OffsetDateTime, bytes::Bytes)>,
    /// Backlog lines kept per room (`--history`); older ones are deleted at commit.
    history: usize,
}

impl Store {
    /// Opens (or creates) the state file at `path`, keeping `history` backlog lines per
    /// room. Refuses a file that is not ours, is newer or is corrupt without writing to it;
    /// migrates a file of an older schema version.
    pub fn open(path: &Path, history: usize) -> Result<Self, Error> {
        let claim = claim::Claim::open(path)?;
        let conn = schema::open(path)?;
        Ok(Self {
            conn,
            claim,
            staged: Vec::new(),
            lines: Vec::new(),
            history,
        })
    }

    /// Reads everything back.
    pub fn load(&self) -> Result<Snapshot, Error> {
        write::load(&self.conn).map_err(Error::Read)
    }

    /// Queues a change for the next [`Store::commit`]. Staged backlog lines are bounded: a
    /// room keeps only its last `history` (the commit would trim the rest anyway), so a
    /// flood between two commits holds at most that many lines per room.
    pub fn stage(&mut self, change: Change) {
        if let Change::BacklogAppended { room, .. } = &change {
            let of_room =
                |c: &Change| matches!(c, Change::BacklogAppended { room: r, .. } if r == room);
            if self.staged.iter().filter(|c| of_room(c)).count() >= self.history {
                if let Some(oldest) = self.staged.iter().position(of_room) {
                    self.staged.remove(oldest);
                }
                if self.history == 0 {
                    return;
                }
            }
        }
        self.staged.push(change);
    }

    /// Whether something is staged that a member was (or is about to be) told about, i.e.
    /// anything but backlog lines: the runtime commits before the next line it sends.
    pub fn has_confirmed_changes(&self) -> bool {
        self.staged
            .iter()
            .any(|c| !matches!(c, Change::BacklogAppended { .. }))
    }

    /// Whether anything is staged at all.
    pub fn has_staged(&self) -> bool {
        !self.staged.is_empty() || !self.lines.is_empty()
    }

    /// Writes everything staged in one durable transaction. On error nothing of it is kept
    /// and the staged changes are dropped: the caller turns the confirmations that depended
    /// on them into `[Server]: Could not save ...`. Fails ([`Error::Replaced`]) once the
    /// file is no longer at its path.
    pub fn commit(&mut self) -> Result<(), Error> {
        if self.staged.is_empty() {
            return Ok(());
        }
        let staged = std::mem::take(&mut self.staged);
        self.claim.check_in_place()?;
        write::commit(&mut self.conn, &staged, self.history).map_err(Error::Write)
    }
}
