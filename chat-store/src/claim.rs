//! The state file's claim: opened without following a link, checked to be ours alone,
//! locked for this process, and checked again at each commit to still be at its path.

use std::fs::File;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};

use crate::Error;

/// The open, locked state file.
#[derive(Debug)]
pub(crate) struct Claim {
    /// The path it was claimed at, for the check at each commit and for messages.
    path: PathBuf,
    /// The file, held locked (`flock`, exclusive) so that a second server refuses it.
    file: File,
}

impl Claim {
    /// Opens (or creates, readable by its owner and group only: it holds room codes and
    /// chat) the state file and locks it for this process alone. Refuses, leaving it
    /// untouched, a symbolic link (a dangling one would have the server create its target)
    /// and a file that is not a regular file, belongs to another user or is writable by
    /// every user: in a shared directory another user could have planted it to read the
    /// room codes or feed the server a state of their own.
    pub(crate) fn open(path: &Path) -> Result<Claim, Error> {
        let io = |source| Error::Claim {
            path: path.to_path_buf(),
            source,
        };
        let euid = rustix::process::geteuid().as_raw();
        check_side_files(path, euid)?;
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file = match rustix::fs::open(path, flags, Mode::from_raw_mode(0o640)) {
            Ok(fd) => File::from(fd),
            Err(rustix::io::Errno::LOOP) => {
                return Err(unsafe_file(
                    path,
                    "is a symbolic link (the server follows none: give the file's own path)"
                        .to_owned(),
                ));
            }
            Err(e) => return Err(io(e.into())),
        };
        let meta = file.metadata().map_err(io)?;
        if let Some(why) = refusal(&meta, euid) {
            return Err(unsafe_file(path, why));
        }
        match file.try_lock() {
            Ok(()) => Ok(Claim {
                path: path.to_path_buf(),
                file,
            }),
            // The whole path: the operator looks for the other server by it.
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::InUse {
                path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
        }
    }

    /// Whether the path still names the claimed file: deleted or replaced (by a restore
    /// done while the server ran, a cleanup), every later commit would go to a file no one
    /// will ever read, and a second server could claim the path.
    pub(crate) fn check_in_place(&self) -> Result<(), Error> {
        let replaced = || Error::Replaced {
            path: self.path.clone(),
        };
        let now = std::fs::symlink_metadata(&self.path).map_err(|_| replaced())?;
        let ours = self.file.metadata().map_err(|_| replaced())?;
        if (now.dev(), now.ino()) == (ours.dev(), ours.ino()) {
            Ok(())
        } else {
            Err(replaced())
        }
    }
}

/// SQLite opens its side files (`-wal`, `-shm`, and `-journal` while it converts) by name
/// beside the state file, following links: one planted there by another user (a link to a
/// file of ours, or a file of theirs) would have the server write into it or read from it.
/// Those that exist must pass the state file's own checks, and be no link.
fn check_side_files(path: &Path, euid: u32) -> Result<(), Error> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        match std::fs::symlink_metadata(&side) {
            Ok(meta) => {
                if let Some(why) = refusal(&meta, euid) {
                    return Err(unsafe_file(&side, why));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Claim { path: side, source }),
        }
    }
    Ok(())
}

fn unsafe_file(path: &Path, why: String) -> Error {
    Error::Unsafe {
        path: path.to_path_buf(),
        why,
    }
}

/// Why a file with `meta` must not be the state of a server running as `euid`, if so.
fn refusal(meta: &std::fs::Metadata, euid: u32) -> Option<String> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Some("is a symbolic link (the server follows none)".to_owned());
    }
    if !kind.is_file() {
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        return Some(format!("is not a regular file ({what})"));
    }
    if meta.uid() != euid {
        return Some(format!(
            "belongs to another user (uid {}; this server runs as uid {euid})",
            meta.uid()
        ));
    }
    if meta.mode() & 0o002 != 0 {
        return Some(format!(
            "is writable by every user (mode {:o})",
            meta.mode() & 0o7777
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The owner check, on a real file, for a server running as another user than the
    /// file's (a file of another user needs root to make; the binary's test does it then).
    #[test]
    fn a_file_of_another_user_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("chat.db");
        std::fs::write(&path, b"").expect("write");
        let meta = std::fs::metadata(&path).expect("meta");
        assert_eq!(refusal(&meta, meta.uid()), None);
        assert_eq!(
            refusal(&meta, meta.uid() + 1),
            Some(format!(
                "belongs to another user (uid {}; this server runs as uid {})",
                meta.uid(),
                meta.uid() + 1
            ))
        );
    }
}
