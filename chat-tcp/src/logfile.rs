//! The log thread: writes `server.txt` through a buffer, flushed when idle and at the end.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use chatcore::LogRecord;
use slog::{Logger, error, info};

/// Longest a written record waits in the buffer while records keep coming.
const MAX_UNFLUSHED: Duration = Duration::from_secs(1);

/// Opens (appends to) the log file; called before any thread starts so a bad path is a
/// startup error.
pub(crate) fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// Writes every record received until the channel closes, then flushes.
pub(crate) fn run(file: impl Write, records: Receiver<LogRecord>, diag: Logger) {
    let mut out = LogWriter::new(file, diag);
    let mut last_flush = Instant::now();
    loop {
        let record = match records.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => {
                // Idle: flush, then block for the next record.
                out.flush();
                last_flush = Instant::now();
                match records.recv() {
                    Ok(r) => r,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        out.write(&record);
        if last_flush.elapsed() >= MAX_UNFLUSHED {
            out.flush();
            last_flush = Instant::now();
        }
    }
    out.flush();
}

/// A buffered log that survives write errors: the first error is reported once, records go
/// on into the buffer (what does not fit while the disk is full is lost), and the next
/// successful flush reports the recovery.
struct LogWriter<W: Write> {
    out: BufWriter<W>,
    diag: Logger,
    /// Set by a failed write or flush, cleared by a successful flush.
    failing: bool,
}

impl<W: Write> LogWriter<W> {
    fn new(inner: W, diag: Logger) -> Self {
        LogWriter {
            out: BufWriter::with_capacity(64 * 1024, inner),
            diag,
            failing: false,
        }
    }

    fn write(&mut self, record: &LogRecord) {
        if let Err(e) = writeln!(self.out, "{record}") {
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
}
