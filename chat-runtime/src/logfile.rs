//! The log thread: writes `server.txt` through a buffer, one whole record at a time,
//! flushed shortly after the records stop coming and at the end, and reopened by its path
//! when asked (after a log rotation moved the file away).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chatcore::{Event, LogRecord};
use parking_lot::{Condvar, Mutex};
use slog::{Logger, error, info};

use crate::clock::Clock;

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

/// Writes a record that does not come from the hall (a transport's certificate reload, say)
/// to the server log, through the same bounded queue as every other record: it never waits
/// for the log. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LogNotes {
    queue: Arc<LogQueue>,
    clock: Clock,
}

impl LogNotes {
    pub(crate) fn new(queue: Arc<LogQueue>, clock: Clock) -> LogNotes {
        LogNotes { queue, clock }
    }

    /// Queues `event`, stamped now, outside any room.
    pub fn write(&self, event: Event) {
        let at = self.clock.now().wall;
        self.queue.push([LogRecord::new(at, None, event)]);
    }
}

/// The records waiting for the log thread, already formatted: bounded in bytes, and past
/// the bound counted as lost instead of waiting. The engine never waits for the log: a log
/// file that blocks (a full pipe, a hung network file system) stops only the log thread.
#[derive(Debug)]
pub(crate) struct LogQueue {
    state: Mutex<Queued>,
    ready: Condvar,
    /// Most bytes waiting.
    cap: usize,
}

#[derive(Debug, Default)]
struct Queued {
    /// Whole lines, each ending in `\n` (a `String`: formatting into it is a plain copy).
    lines: String,
    /// Records dropped since the log thread last took the queue.
    lost: u64,
    /// No more records will come.
    closed: bool,
}

impl LogQueue {
    pub(crate) fn new(cap: usize) -> Arc<LogQueue> {
        Arc::new(LogQueue {
            state: Mutex::new(Queued::default()),
            ready: Condvar::new(),
            cap,
        })
    }

    /// Queues `records` (formatted here, one line each); a record that does not fit is
    /// counted as lost. Never waits for the log thread.
    pub(crate) fn push(&self, records: impl IntoIterator<Item = LogRecord>) {
        use std::fmt::Write as _;
        let mut q = self.state.lock();
        for record in records {
            // Once one record is lost, later ones are too until the log thread takes the
            // queue, so the count it writes after the queued lines stands where they were.
            if q.lost > 0 {
                q.lost += 1;
                continue;
            }
            let start = q.lines.len();
            let _ = writeln!(q.lines, "{record}");
            if q.lines.len() > self.cap {
                q.lines.truncate(start);
                q.lost += 1;
            }
        }
        drop(q);
        self.ready.notify_one();
    }

    /// No more records: the log thread writes what is queued and ends.
    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.ready.notify_one();
    }

    /// Records queued or lost and not yet taken by the log thread.
    pub(crate) fn unwritten(&self) -> u64 {
        let q = self.state.lock();
        q.lines.bytes().filter(|&b| b == b'\n').count() as u64 + q.lost
    }

    /// Waits until there is something to write, the queue closes or `until` passes; swaps
    /// the queued lines into `into` (empty) and returns the lost count and whether the queue
    /// is closed.
    fn take(&self, into: &mut String, until: Option<Instant>) -> (u64, bool) {
        let mut q = self.state.lock();
        while q.lines.is_empty() && q.lost == 0 && !q.closed {
            match until {
                Some(at) => {
                    if self.ready.wait_until(&mut q, at).timed_out() {
                        break;
                    }
                }
                None => self.ready.wait(&mut q),
            }
        }
        std::mem::swap(&mut q.lines, into);
        (std::mem::take(&mut q.lost), q.closed)
    }
}

/// Writes every record queued until the queue closes, then flushes. Waits on the queue with
/// the flush deadline (never a tick): idle means no pending write and no timer. Before each
/// batch, `reopen` may hand over a new file to write to (or say why not). After records
/// were lost, one record says how many, as soon as the log takes records again.
pub(crate) fn run<W: Write>(
    file: W,
    queue: &LogQueue,
    clock: &Clock,
    diag: Logger,
    mut reopen: impl FnMut() -> Option<std::io::Result<W>>,
) {
    let mut out = LogWriter::new(file, diag);
    let mut flush_at: Option<Instant> = None;
    let mut lines = String::new();
    loop {
        let (lost, closed) = queue.take(&mut lines, flush_at);
        if lines.is_empty() && lost == 0 {
            out.flush();
            flush_at = None;
            if closed {
                return;
            }
            continue;
        }
        if let Some(file) = reopen() {
            out.reopened(file);
        }
        for line in lines.split_inclusive('\n') {
            out.write_line(line.as_bytes());
        }
        lines.clear();
        if lost > 0 {
            let at = clock.now().wall;
            let event = Event::Lost { count: lost };
            out.write_line(format!("{}\n", LogRecord::new(at, None, event)).as_bytes());
        }
        flush_at.get_or_insert_with(|| Instant::now() + FLUSH_DELAY);
    }
}

/// A buffered log that survives write errors: the first error is reported once, and the
/// next successful flush reports the recovery. A record is written whole or not at all
/// (while the disk is full), so lines never merge.
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

    #[cfg(test)]
    fn write(&mut self, record: &LogRecord) {
        self.write_line(format!("{record}\n").as_bytes());
    }

    /// Writes one whole formatted record.
    fn write_line(&mut self, line: &[u8]) {
        // BufWriter appends a buffer that fits whole, or flushes first and drops it whole
        // when the flush fails.
        if let Err(e) = self.out.write_all(line) {
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
        LogRecord::new(at, None, Event::Shutdown { members: n })
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
