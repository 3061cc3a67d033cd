//! CPU time and resident memory of a process, read from `/proc` (Linux only).

use std::fs;
use std::io;
use std::time::Duration;

/// Clock ticks per second in `/proc/<pid>/stat`: `USER_HZ`, which Linux fixes at 100 for
/// every user-visible interface on the architectures this runs on.
const USER_HZ: u64 = 100;

/// Which process to read: this one, or another by pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The load generator itself (`/proc/self`).
    Current,
    /// Another process, such as the server under load.
    Pid(u32),
}

impl Process {
    fn path(self, file: &str) -> String {
        match self {
            Process::Current => format!("/proc/self/{file}"),
            Process::Pid(pid) => format!("/proc/{pid}/{file}"),
        }
    }

    /// User plus system CPU time of every thread of the process so far.
    pub fn cpu_time(self) -> io::Result<Duration> {
        let stat = fs::read_to_string(self.path("stat"))?;
        let ticks = parse_cpu_ticks(&stat).ok_or_else(|| invalid("stat"))?;
        Ok(Duration::from_millis(ticks * 1_000 / USER_HZ))
    }

    /// Resident set size in bytes (`VmRSS`).
    pub fn rss_bytes(self) -> io::Result<u64> {
        let status = fs::read_to_string(self.path("status"))?;
        let kib = parse_kib(&status, "VmRSS:").ok_or_else(|| invalid("status"))?;
        Ok(kib * 1024)
    }

    /// Resident memory (all of it, and its anonymous part) and threads, from one read of
    /// `status`.
    pub fn memory(self) -> io::Result<Memory> {
        let status = fs::read_to_string(self.path("status"))?;
        let kib = |field| parse_kib(&status, field).ok_or_else(|| invalid("status"));
        Ok(Memory {
            rss: kib("VmRSS:")? * 1024,
            anon: kib("RssAnon:")? * 1024,
            threads: parse_threads(&status).ok_or_else(|| invalid("status"))?,
        })
    }
}

/// One reading of a process's memory and threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size in bytes (`VmRSS`): the process's own pages and the pages of its
    /// binary and libraries that it has touched.
    pub rss: u64,
    /// The anonymous part of it in bytes (`RssAnon`: heap and stacks, what the process
    /// allocated), without the file-backed code and data pages.
    pub anon: u64,
    /// Threads.
    pub threads: u64,
}

fn invalid(file: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("unexpected /proc {file}"),
    )
}

/// `utime + stime` (fields 14 and 15) from the text of `/proc/<pid>/stat`. The command name
/// (field 2) is in parentheses and may hold spaces and parentheses, so fields are counted
/// from the last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The value in KiB of `field` (such as `VmRSS:`) from the text of `/proc/<pid>/status`.
fn parse_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    let mut words = line.split_whitespace().skip(1);
    let value = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(value)
}

/// The `Threads:` count from the text of `/proc/<pid>/status`.
fn parse_threads(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("Threads:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_counted_after_the_command_name() {
        let stat = "4242 (chat tcp) (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 \
                    123 45 0 0 20 0 9 0 777 1000000 200 18446744073709551615";
        assert_eq!(parse_cpu_ticks(stat), Some(168));
        assert_eq!(parse_cpu_ticks("4242 (x) S 1"), None);
    }

    #[test]
    fn memory_is_read_in_kib() {
        let status = "Name:\tchat-tcp\nVmPeak:\t  9000 kB\nVmRSS:\t    5120 kB\n\
                      RssAnon:\t     640 kB\nRssFile:\t    4480 kB\nThreads:\t3\n";
        assert_eq!(parse_kib(status, "VmRSS:"), Some(5120));
        assert_eq!(parse_kib(status, "RssAnon:"), Some(640));
        assert_eq!(parse_kib("Name:\tkthreadd\n", "VmRSS:"), None);
        assert_eq!(parse_kib("VmRSS:\t12 pages\n", "VmRSS:"), None);
        assert_eq!(parse_threads(status), Some(3));
        assert_eq!(parse_threads("Name:\tx\nThreads:\tmany\n"), None);
    }

    #[test]
    fn this_process_can_be_read() -> io::Result<()> {
        assert!(Process::Current.rss_bytes()? > 0);
        let m = Process::Current.memory()?;
        assert!(m.rss > 0 && m.anon > 0 && m.anon <= m.rss && m.threads >= 1);
        Process::Current.cpu_time()?;
        assert!(Process::Pid(u32::MAX).rss_bytes().is_err());
        Ok(())
    }
}
