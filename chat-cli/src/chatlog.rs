//! The chat log `<nickname>_chat_log.txt`: a file name that is safe whatever the nickname,
//! a file that is safe to write whoever else can write the directory, and an append-only
//! writer flushed per line.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

/// Longest file-name stem kept, in bytes; nicknames are at most 64 bytes, so this only
/// matters for a server that breaks the protocol.
const MAX_STEM_BYTES: usize = 128;

/// Names Windows reserves for devices, whatever the extension.
const DEVICE_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// The nickname made safe as a file-name stem (PROTOCOL.md §7).
///
/// `/ \ : * ? " < > |`, control characters and a leading `.` become `_`; an empty name, a
/// name of dots and a Windows device name (`CON`, `com1.x`, any case) get a `_` prefix, and
/// the stem is cut to 128 bytes. The result never contains a path separator and is never
/// `.` or `..`.
pub(crate) fn safe_stem(nick: &str) -> String {
    let mut stem: String = nick
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let bad = c.is_control()
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                || (i == 0 && c == '.');
            if bad { '_' } else { c }
        })
        .collect();
    let base = stem.split('.').next().unwrap_or_default();
    let is_device = DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(base));
    if stem.is_empty() || stem.chars().all(|c| c == '.') || is_device {
        stem.insert(0, '_');
    }
    if stem.len() > MAX_STEM_BYTES {
        let mut cut = MAX_STEM_BYTES;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
    }
    stem
}

/// The log file's name for a nickname: `<safe stem>_chat_log.txt`.
pub(crate) fn file_name(nick: &str) -> String {
    format!("{}_chat_log.txt", safe_stem(nick))
}

/// One log entry: `YYYY-MM-DD HH:MM:SS+09:00 line` in the given (local) time with its
/// offset (so entries from runs with different offsets still sort out), without the LF.
pub(crate) fn entry(at: OffsetDateTime, line: &str) -> String {
    let stamp = at
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
        ))
        .unwrap_or_default();
    format!("{stamp} {line}")
}

/// A session mark: `--- 2026-12-04 09:14 connected to 127.0.0.1:9999 as Alice ---`.
pub(crate) fn mark(at: OffsetDateTime, text: &str) -> String {
    let stamp = at
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default();
    format!("--- {stamp} {text} ---")
}

/// An open chat log, appended to and flushed one line at a time.
#[derive(Debug)]
pub(crate) struct ChatLog {
    /// Where it is, to tell the user.
    path: PathBuf,
    /// Unbuffered: every `write_all` is one `write` call, so a crash loses no shown line.
    file: File,
}

impl ChatLog {
    /// Opens (creating or appending to) the nickname's log in `dir`.
    ///
    /// The file name comes from [`file_name`]; as a second guard the resolved path must be a
    /// direct child of the canonical `dir`. On Unix the file must also be safe to write in a
    /// directory others can write to (see [`open_unix`]); otherwise the error says why.
    pub(crate) fn open(dir: &Path, nick: &str) -> io::Result<ChatLog> {
        let name = file_name(nick);
        let mut parts = Path::new(&name).components();
        if !matches!(
            (parts.next(), parts.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe log file name {name:?}"),
            ));
        }
        let dir = dir.canonicalize()?;
        let path = dir.join(&name);
        if path.parent() != Some(dir.as_path()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("log file {} is outside {}", path.display(), dir.display()),
            ));
        }
        #[cfg(unix)]
        let file = open_unix(&path)?;
        #[cfg(not(unix))]
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(ChatLog { path, file })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry stamped `at`, or (`is_mark`) a session mark made at `at`.
    pub(crate) fn append(
        &mut self,
        at: OffsetDateTime,
        line: &str,
        is_mark: bool,
    ) -> io::Result<()> {
        let mut entry = if is_mark {
            mark(at, line)
        } else {
            entry(at, line)
        };
        entry.push('\n');
        self.file.write_all(entry.as_bytes())?;
        self.file.flush()
    }
}

/// Opens `path` for appending, refusing anything but a regular file of ours with one name.
///
/// A shared log directory may hold a file planted by someone else under our name: a symbolic
/// link (`O_NOFOLLOW` refuses it), a FIFO (opening it would block until someone reads, and
/// they would read the chat; `O_NONBLOCK` makes the open return, then `fstat` refuses it), a
/// file of another user (who could read what we append), or a hard link to one of our own
/// files (appending would write into it). `O_NOCTTY` keeps a terminal device from becoming
/// ours on the way. A new file is created `0600`, as whispers end up in it.
#[cfg(unix)]
fn open_unix(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
        .map_err(explain_open_error)?;
    check_ours(&file.metadata()?, sys::euid())?;
    sys::clear_nonblocking(&file)?;
    Ok(file)
}

/// Names the refusals `open` reports only as an errno.
#[cfg(unix)]
fn explain_open_error(e: io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(libc::ELOOP) => refused("a symbolic link, not followed".to_owned()),
        // What a non-blocking write-only open of a FIFO without a reader, or of a socket, says.
        Some(libc::ENXIO) => refused("not a regular file but a FIFO or socket".to_owned()),
        _ => e,
    }
}

/// Refuses an opened log that is not a regular file owned by `euid` with exactly one name.
#[cfg(unix)]
fn check_ours(meta: &std::fs::Metadata, euid: u32) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if !meta.file_type().is_file() {
        return Err(refused(format!(
            "not a regular file but {}",
            kind_name(meta.file_type())
        )));
    }
    if meta.uid() != euid {
        return Err(refused(format!("owned by uid {}, not by you", meta.uid())));
    }
    if meta.nlink() != 1 {
        return Err(refused(format!(
            "a file with {} hard links, so perhaps one of your other files",
            meta.nlink()
        )));
    }
    Ok(())
}

/// What a non-regular file is, for the refusal message.
#[cfg(unix)]
fn kind_name(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "a file of an unknown kind"
    }
}

/// A refusal to log into a file, worded to follow "Could not open the chat log NAME (".
#[cfg(unix)]
fn refused(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, why)
}

/// The two calls std has no safe API for, through `rustix`'s safe wrappers.
#[cfg(unix)]
mod sys {
    use std::fs::File;
    use std::io;

    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};

    /// The effective user id, which must own the log.
    pub(super) fn euid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// Clears `O_NONBLOCK` (set only so that opening a FIFO could not block), so writes to
    /// the log behave as ordinary blocking writes.
    pub(super) fn clear_nonblocking(file: &File) -> io::Result<()> {
        let flags = fcntl_getfl(file)?;
        fcntl_setfl(file, flags - OFlags::NONBLOCK)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn escapes_separators_and_reserved_characters() {
        assert_eq!(safe_stem("Alice"), "Alice");
        assert_eq!(safe_stem("개똥이"), "개똥이");
        assert_eq!(safe_stem("a.b-c_d"), "a.b-c_d");
        assert_eq!(safe_stem("../evil"), "_._evil");
        assert_eq!(safe_stem("a/b"), "a_b");
        assert_eq!(safe_stem("a\\b"), "a_b");
        assert_eq!(safe_stem("C:x*?\"<>|"), "C_x______");
        assert_eq!(safe_stem("a\x1b[31m\n\u{85}"), "a_[31m__");
    }

    #[test]
    fn dots_and_empty_names_are_defused() {
        assert_eq!(safe_stem(".hidden"), "_hidden");
        assert_eq!(safe_stem(".."), "_.");
        assert_eq!(safe_stem("."), "_");
        assert_eq!(safe_stem(""), "_");
        assert_eq!(safe_stem("a.."), "a..");
    }

    #[test]
    fn device_names_get_a_prefix() {
        for nick in ["CON", "con", "Nul", "COM1", "lpt9", "aux.txt", "PRN.a.b"] {
            assert_eq!(safe_stem(nick), format!("_{nick}"), "{nick}");
        }
        for nick in ["CONSOLE", "COM10", "xCON", "a.CON"] {
            assert_eq!(safe_stem(nick), nick, "{nick}");
        }
    }

    #[test]
    fn long_names_are_cut_on_a_char_boundary() {
        let stem = safe_stem(&"가".repeat(100));
        assert!(stem.len() <= MAX_STEM_BYTES);
        assert_eq!(stem, "가".repeat(MAX_STEM_BYTES / 3));
    }

    #[test]
    fn file_names_are_always_one_plain_component() {
        for nick in [
            "../evil",
            "a/b",
            "..",
            ".",
            "",
            "CON",
            ".x",
            "/",
            "\\..\\x",
            "~",
            "a\0b",
            "/etc/passwd",
        ] {
            let name = file_name(nick);
            assert!(name.ends_with("_chat_log.txt"), "{name}");
            let parts: Vec<_> = Path::new(&name).components().collect();
            assert!(
                matches!(parts[..], [Component::Normal(_)]),
                "{nick:?} -> {name:?}"
            );
            assert!(!name.starts_with('.'), "{name}");
        }
    }

    #[test]
    fn entry_format() {
        assert_eq!(
            entry(datetime!(2026-11-25 15:30:07 +09:00), "Alice >> hi"),
            "2026-11-25 15:30:07+09:00 Alice >> hi"
        );
    }

    #[test]
    fn appends_inside_the_directory() -> io::Result<()> {
        let dir = std::env::temp_dir().join(format!("chat-cli-log-{}", std::process::id()));
        let inner = dir.join("logs");
        std::fs::create_dir_all(&inner)?;
        let mut log = ChatLog::open(&inner, "../evil")?;
        log.append(datetime!(2026-11-25 06:00 UTC), "one", false)?;
        log.append(
            datetime!(2026-11-25 06:00 UTC),
            "connected to h:1 as x",
            true,
        )?;
        log.append(datetime!(2026-11-25 06:01 UTC), "two", false)?;
        assert_eq!(log.path().parent(), Some(inner.canonicalize()?.as_path()));
        let text = std::fs::read_to_string(inner.join("_._evil_chat_log.txt"))?;
        assert_eq!(
            text,
            "2026-11-25 06:00:00+00:00 one\n--- 2026-11-25 06:00 connected to h:1 as x ---\n\
             2026-11-25 06:01:00+00:00 two\n"
        );
        assert_eq!(
            std::fs::read_dir(&dir)?.count(),
            1,
            "only logs/ in the parent"
        );
        std::fs::remove_dir_all(&dir)
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() -> io::Result<()> {
        let dir = std::env::temp_dir().join(format!("chat-cli-link-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let target = dir.join("target.txt");
        std::fs::write(&target, "")?;
        std::os::unix::fs::symlink(&target, dir.join("Bob_chat_log.txt"))?;
        let err = ChatLog::open(&dir, "Bob").expect_err("a symlink is refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target)?, "");
        std::fs::remove_dir_all(&dir)
    }

    /// Opens Bob's log in `dir` on another thread, failing the test if that blocks.
    #[cfg(unix)]
    fn open_within_deadline(dir: &Path) -> io::Result<ChatLog> {
        let (tx, rx) = std::sync::mpsc::channel();
        let dir = dir.to_owned();
        std::thread::spawn(move || tx.send(ChatLog::open(&dir, "Bob")));
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("ChatLog::open returns within 10 s")
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo {}", path.display());
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_fifo_is_refused_without_blocking() -> io::Result<()> {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir()?;
        let fifo = dir.path().join("Bob_chat_log.txt");
        mkfifo(&fifo);
        // Nobody reading: a blocking open would wait for a reader forever.
        let err = open_within_deadline(dir.path()).expect_err("a FIFO is refused");
        assert!(err.to_string().contains("FIFO"), "{err}");
        // Someone reading (the planter's `cat`): the open succeeds, fstat refuses it.
        let mut reader = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)?;
        let err = open_within_deadline(dir.path()).expect_err("a read FIFO is refused");
        assert_eq!(err.to_string(), "not a regular file but a FIFO");
        let mut leaked = Vec::new();
        match reader.read_to_end(&mut leaked) {
            Ok(_) => {}
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "{e}"),
        }
        assert_eq!(leaked, b"", "nothing was written to the FIFO");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_new_log_is_readable_by_its_owner_only() -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let log = ChatLog::open(dir.path(), "Bob")?;
        let mode = std::fs::metadata(log.path())?.permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn writes_to_an_opened_log_block_as_usual() -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let dir = tempfile::tempdir()?;
        let log = ChatLog::open(dir.path(), "Bob")?;
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", log.file.as_raw_fd()))?;
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| i32::from_str_radix(f.trim(), 8).ok())
            .expect("fdinfo has flags");
        assert_eq!(
            flags & libc::O_NONBLOCK,
            0,
            "O_NONBLOCK left set: {flags:o}"
        );
        assert_ne!(flags & libc::O_APPEND, 0, "O_APPEND missing: {flags:o}");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_log_of_ours_is_appended_to() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("Bob_chat_log.txt");
        std::fs::write(&path, "2026-11-24 06:00:00+00:00 yesterday\n")?;
        let mut log = ChatLog::open(dir.path(), "Bob")?;
        log.append(datetime!(2026-11-25 06:00 UTC), "today", false)?;
        assert_eq!(
            std::fs::read_to_string(&path)?,
            "2026-11-24 06:00:00+00:00 yesterday\n2026-11-25 06:00:00+00:00 today\n"
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_log_owned_by_someone_else_is_refused() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("Bob_chat_log.txt");
        std::fs::write(&path, "")?;
        let meta = std::fs::metadata(&path)?;
        // The check itself, for any user: the same file is refused to a different one.
        check_ours(&meta, sys::euid())?;
        let other = sys::euid().wrapping_add(1);
        let err = check_ours(&meta, other).expect_err("another user's file is refused");
        assert_eq!(
            err.to_string(),
            format!("owned by uid {}, not by you", sys::euid())
        );
        // Only root can give a file away; then the whole open refuses it.
        if sys::euid() == 0 {
            std::os::unix::fs::chown(&path, Some(65534), Some(65534))?;
            let err = ChatLog::open(dir.path(), "Bob").expect_err("a nobody-owned log");
            assert_eq!(err.to_string(), "owned by uid 65534, not by you");
            assert_eq!(std::fs::read_to_string(&path)?, "");
        }
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_link_is_refused() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, "keep\n")?;
        std::fs::hard_link(&precious, dir.path().join("Bob_chat_log.txt"))?;
        let err = ChatLog::open(dir.path(), "Bob").expect_err("a hard link is refused");
        assert!(err.to_string().contains("2 hard links"), "{err}");
        assert_eq!(std::fs::read_to_string(&precious)?, "keep\n");
        Ok(())
    }
}
