//! The log thread: writes `server.txt` through a buffer, one whole record at a time,
//! flushed shortly after the records stop coming and at the end, and reopened by its path
//! when asked (after a log rotation moved the file away).

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chatcore::LogRecord;
use slog::{Logger, error, info};

/// How long written records may wait in the buffer for more to share one write.
const FLUSH_DELAY: Duration = Duration::from_millis(20);

/// Opens (appends to) the log file; called before any thread starts so a bad path is a
/// startup error, and again on a reopen. A new file is created `0640`: it holds whispers.
pub(crate) fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(path)
}

/// Asks the log thread to reopen the server log by its path, as log rotation needs (SIGHUP
/// in `chat-tcp`): the records written from then on go to a file at that path, created if
/// the old one was moved away. Cheap to clone; any thread may ask.
#[derive(Debug, Clone, Default)]
pub struct LogReopener {
    requested: Arc<AtomicBool>,
}

impl LogReopener {
    /// Reopens the log before the next records are written (an idle server keeps the old
    /// file open until something happens in the room).
    pub fn request(&self) {
        self.requested.store(true, Ordering::Release);
    }

    /// Whether a reopen was asked for since the last call.
    pub(crate) fn take(&self) -> bool {
        self.requested.swap(false, Ordering::AcqRel)
    }
}

/// Writes every record received until the channel closes, then flushes. Waits on the
/// channel with the flush deadline (never a tick): idle means no pending write and no timer.
/// Before each batch, `reopen` may hand over a new file to write to (or say why not).
pub(crate) fn run<W: Write>(
    file: W,
    batches: Receiver<Vec<LogRecord>>,
    diag: Logger,
    mut reopen: impl FnMut() -> Option<std::io::Result<W>>,
) {
    let mut out = LogWriter::new(file, diag);
    let mut flush_at: Option<Instant> = None;
    loop {
        let next = match flush_at {
            Some(at) => batches.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => batches.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(records) => {
                if let Some(file) = reopen() {
                    out.reopened(file);
                }
                for record in &records {
                    out.write(record);
                }
                flush_at.get_or_insert_with(|| Instant::now() + FLUSH_DELAY);
            }
            Err(RecvTimeoutError::Timeout) => {
                out.flush();
                flush_at = None;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    out.flush();
}

/// A buffered log that survives write errors: the first error is reported once, and the
/// next successful flush reports the recovery. A record is written whole or not at all
/// (while the disk is full), so lines never merge.
struct LogWriter<W: Write> {
    out: BufWriter<W>,
    diag: Logger,
    /// One formatted record, reused.
    line: String,
    /// Set by a failed write or flush, cleared by a successful flush.
    failing: bool,
}

impl<W: Write> LogWriter<W> {
    fn new(inner: W, diag: Logger) -> Self {
        LogWriter {
            out: BufWriter::with_capacity(64 * 1024, inner),
            diag,
            line: String::with_capacity(256),
            failing: false,
        }
    }

    fn write(&mut self, record: &LogRecord) {
        self.line.clear();
        let _ = writeln!(self.line, "{record}");
        // BufWriter appends a buffer that fits whole, or flushes first and drops it whole
        // when the flush fails.
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.failed(&e);
        }
    }

    fn flush(&mut self) {
        match self.out.flush() {
            Ok(()) if self.failing => {
                self.failing = false;
                info!(self.diag, "the server log is writable again");
            }
            Ok(()) => {}
            Err(e) => self.failed(&e),
        }
    }

    /// Switches to a reopened file: what is buffered goes to the old one first. A file that
    /// could not be reopened leaves the old one in use, with an error saying so.
    fn reopened(&mut self, file: std::io::Result<W>) {
        match file {
            Ok(file) => {
                self.flush();
                self.out = BufWriter::with_capacity(64 * 1024, file);
                info!(self.diag, "reopened the server log");
            }
            Err(e) => {
                error!(self.diag, "cannot reopen the server log; still writing the old file"; "error" => %e);
            }
        }
    }

    fn failed(&mut self, e: &std::io::Error) {
        if !self.failing {
            self.failing = true;
            error!(self.diag, "cannot write the server log; the chat goes on"; "error" => %e);
        }
    }
}
#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use chatcore::{Event, LogRecord};
    use parking_lot::Mutex;
    use slog::{Drain, o};

    use super::*;

    /// A disk that is full while `full` is set.
    #[derive(Clone, Default)]
    struct Disk {
        full: Arc<AtomicBool>,
        data: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Disk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.full.load(Ordering::SeqCst) {
                return Err(std::io::Error::from_raw_os_error(28));
            }
            self.data.lock().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Collects diagnostics messages.
    struct Collect(Arc<std::sync::Mutex<Vec<String>>>);

    impl Drain for Collect {
        type Ok = ();
        type Err = slog::Never;
        fn log(&self, r: &slog::Record<'_>, _: &slog::OwnedKVList) -> Result<(), slog::Never> {
            self.0.lock().expect("lock").push(r.msg().to_string());
            Ok(())
        }
    }

    fn record(n: usize) -> LogRecord {
        let at = time::macros::datetime!(2026-11-25 06:00 UTC);
        LogRecord {
            at,
            event: Event::Shutdown { members: n },
        }
    }

    #[test]
    fn a_full_disk_is_reported_once_and_writing_resumes() {
        let disk = Disk::default();
        let msgs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let diag = Logger::root(Collect(msgs.clone()).fuse(), o!());
        let mut log = LogWriter::new(disk.clone(), diag);
        log.write(&record(1));
        log.flush();
        disk.full.store(true, Ordering::SeqCst);
        for n in 2..5 {
            log.write(&record(n));
            log.flush();
        }
        disk.full.store(false, Ordering::SeqCst);
        log.write(&record(5));
        log.flush();
        let text = String::from_utf8(disk.data.lock().clone()).expect("utf8");
        let members: Vec<&str> = text
            .lines()
            .map(|l| l.rsplit(' ').nth(1).unwrap_or(""))
            .collect();
        // Records buffered while the disk was full are written once it has room.
        assert_eq!(members, ["1", "2", "3", "4", "5"]);
        assert_eq!(
            *msgs.lock().expect("lock"),
            [
                "cannot write the server log; the chat goes on",
                "the server log is writable again"
            ]
        );
    }

    #[test]
    fn a_reopen_sends_later_records_to_the_new_file_and_a_failed_one_keeps_the_old() {
        let (old, new) = (Disk::default(), Disk::default());
        let msgs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let diag = Logger::root(Collect(msgs.clone()).fuse(), o!());
        let mut log = LogWriter::new(old.clone(), diag);
        log.write(&record(1));
        log.reopened(Err(std::io::Error::from_raw_os_error(13)));
        log.write(&record(2));
        log.reopened(Ok(new.clone()));
        log.write(&record(3));
        log.flush();
        let text = |d: &Disk| String::from_utf8(d.data.lock().clone()).expect("utf8");
        assert_eq!(text(&old).lines().count(), 2, "{}", text(&old));
        assert!(
            text(&new).ends_with("shutdown with 3 members\n"),
            "{}",
            text(&new)
        );
        assert_eq!(text(&new).lines().count(), 1);
        assert_eq!(
            *msgs.lock().expect("lock"),
            [
                "cannot reopen the server log; still writing the old file",
                "reopened the server log"
            ]
        );
    }

    #[test]
    fn records_are_never_cut_or_merged_when_the_buffer_fills_on_a_full_disk() {
        let disk = Disk::default();
        let msgs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let diag = Logger::root(Collect(msgs.clone()).fuse(), o!());
        let mut log = LogWriter::new(disk.clone(), diag);
        disk.full.store(true, Ordering::SeqCst);
        // Far more than the 64 KiB buffer holds.
        for n in 10..5_000 {
            log.write(&record(n));
        }
        disk.full.store(false, Ordering::SeqCst);
        log.write(&record(9_999));
        log.flush();
        let text = String::from_utf8(disk.data.lock().clone()).expect("utf8");
        assert!(
            text.ends_with("shutdown with 9999 members\n"),
            "{}",
            &text[text.len() - 80..]
        );
        for line in text.lines() {
            assert!(
                line.starts_with("2026-11-25T06:00:00.000Z shutdown with ")
                    && line.ends_with(" members"),
                "cut or merged line: {line:?}"
            );
        }
    }
}
