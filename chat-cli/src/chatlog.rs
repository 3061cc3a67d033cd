//! The chat log `<nickname>_chat_log.txt`: a file name that is safe whatever the nickname,
//! and an append-only writer flushed per line.

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
    /// direct child of the canonical `dir`, and on Unix the file is opened without following a
    /// symbolic link, so nothing is ever written outside the log directory.
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
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        let file = options.open(&path)?;
        Ok(ChatLog { path, file })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry stamped `at`.
    pub(crate) fn append(&mut self, at: OffsetDateTime, line: &str) -> io::Result<()> {
        let mut entry = entry(at, line);
        entry.push('\n');
        self.file.write_all(entry.as_bytes())?;
        self.file.flush()
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
        log.append(datetime!(2026-11-25 06:00 UTC), "one")?;
        log.append(datetime!(2026-11-25 06:01 UTC), "two")?;
        assert_eq!(log.path().parent(), Some(inner.canonicalize()?.as_path()));
        let text = std::fs::read_to_string(inner.join("_._evil_chat_log.txt"))?;
        assert_eq!(
            text,
            "2026-11-25 06:00:00+00:00 one\n2026-11-25 06:01:00+00:00 two\n"
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
        assert!(ChatLog::open(&dir, "Bob").is_err());
        assert_eq!(std::fs::read_to_string(&target)?, "");
        std::fs::remove_dir_all(&dir)
    }
}
