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

/// Writes every record received until the channel closes, then flushes. Never drops a
/// record; a write error is reported once and writing goes on with the next record.
pub(crate) fn run(file: File, records: Receiver<LogRecord>, log: Logger) {
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    let mut failing = false;
    let mut last_flush = Instant::now();
    let report = |r: std::io::Result<()>, failing: &mut bool| match r {
        Ok(()) if *failing => {
            *failing = false;
            info!(log, "server log writable again");
        }
        Ok(()) => {}
        Err(e) if !*failing => {
            *failing = true;
            error!(log, "cannot write the server log"; "error" => %e);
        }
        Err(_) => {}
    };
    loop {
        let record = match records.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => {
                // Idle: flush, then block for the next record.
                report(out.flush(), &mut failing);
                last_flush = Instant::now();
                match records.recv() {
                    Ok(r) => r,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        report(writeln!(out, "{record}"), &mut failing);
        if last_flush.elapsed() >= MAX_UNFLUSHED {
            report(out.flush(), &mut failing);
            last_flush = Instant::now();
        }
    }
    report(out.flush(), &mut failing);
}
