//! `chat-tcp`: runs the chat server until SIGINT or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chat_tcp::{Server, ServerConfig};
use clap::Parser;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use slog::{Drain, o};
use time::UtcOffset;

/// The chat server: many rooms, plain text lines over TCP (try `nc 127.0.0.1 9999`).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; use 0.0.0.0:9999 to accept other hosts.
    #[arg(long, default_value = "127.0.0.1:9999")]
    bind: String,
    /// Most members in each room.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    capacity: u32,
    /// The server log (appended).
    #[arg(long, default_value = "server.txt")]
    log: PathBuf,
    /// Offset for a bare `/schedule HH:MM`, like +09:00 or -05:00 [default: this machine's
    /// offset when the server starts]
    #[arg(long, value_parser = parse_offset, allow_hyphen_values = true)]
    utc_offset: Option<UtcOffset>,
    /// Seconds a new connection has to choose a nickname.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    nick_timeout: u64,
    /// Most connections waiting for a nickname; the oldest is closed past it.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    max_pending: u32,
    /// Most concurrent connections from one address (an IPv6 /64 counts as one; loopback is
    /// exempt unless --no-loopback-exemption).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_per_ip: u32,
    /// Most concurrent connections from one network, an IPv4 /24 or an IPv6 /48 (loopback
    /// exempt unless --no-loopback-exemption).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    max_per_subnet: u32,
    /// Most rooms that members from one network (an IPv4 /24 or an IPv6 /48) created and
    /// that still exist (empty rooms live --room-ttl); loopback exempt unless
    /// --no-loopback-exemption.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    max_rooms_per_subnet: u32,
    /// Apply --max-per-ip, --max-per-subnet, --max-rooms-per-subnet and --join-rate to
    /// loopback addresses too.
    #[arg(long)]
    no_loopback_exemption: bool,
    /// Joins (an accepted nickname or a /join) one address may make per minute after a
    /// burst of --join-burst; 0 turns the limit off (loopback exempt unless
    /// --no-loopback-exemption).
    #[arg(long, default_value_t = 10)]
    join_rate: u32,
    /// Joins one address may make at once before --join-rate applies.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    join_burst: u32,
    /// The room every member enters once its nickname is accepted; it always exists.
    #[arg(long, default_value = "lobby", value_parser = parse_room)]
    default_room: String,
    /// Most rooms at once, the default room included; /join creates no more.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    max_rooms: u32,
    /// How long a room other than the default one stays with no member and no pending
    /// schedule before it is removed: seconds, or with a unit (90s, 30m, 24h, 7d).
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    room_ttl: Duration,
    /// Most sockets held at once (members, waiting and closing) [default: capacity +
    /// max-pending + 64]; more are refused before any thread starts for them.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Lines a member may send in one burst (at least 1).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    flood_burst: u32,
    /// Lines per second refilled; 0 turns the flood limit off.
    #[arg(long, default_value_t = 10)]
    flood_rate: u32,
    /// Public lines (chat, /me, fired schedules) shown to whoever enters the room, with
    /// their times in --utc-offset; 0 turns the backlog off (at most 100).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=100))]
    history: u32,
    /// Minutes a kicked member may not enter the room again (matched by nickname and by
    /// address, loopback excepted while exempt); 0 turns kick bans off.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=10_080))]
    kick_ban: u64,
    /// Where the web page (GET /) and its WebSocket (/ws) listen, on the same rooms; `none`
    /// serves no web page.
    #[arg(long, default_value = "127.0.0.1:9980")]
    web: String,
    /// An origin besides the page's own that may open the WebSocket (a page served
    /// elsewhere, like https://chat.example.org); repeat for more, `*` allows any.
    #[arg(long = "web-origin", value_name = "ORIGIN")]
    web_origin: Vec<String>,
    /// The certificate chain (PEM, the server's certificate first): with --tls-key, serves
    /// the line protocol over TLS at --tls-bind and the web page over https/wss. SIGHUP
    /// reloads both files.
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where the line protocol over TLS listens (with --tls-cert and --tls-key); `none`
    /// serves TLS on the web listener only.
    #[arg(long, default_value = "127.0.0.1:9993", value_name = "ADDR")]
    tls_bind: String,
    /// The state file: rooms, codes, notices, bans, backlog and pending schedules survive
    /// a restart in it (SQLite); `none` keeps everything in memory only [default: chat.db
    /// beside --log]
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// How late a schedule that fell due while the server was down may be and still fire
    /// at start (marked late); older ones are dropped and logged (90s, 30m, 1h, 7d at most).
    #[arg(long, default_value = "1h", value_parser = parse_late_limit)]
    late_limit: Duration,
}

/// A room name, by the same rules as `/join`.
fn parse_room(s: &str) -> Result<String, String> {
    chatcore::RoomName::parse(s)
        .map(|name| name.to_string())
        .map_err(|e| e.to_string())
}

/// `90`, `90s`, `30m`, `24h` or `7d`, between 1 s and 365 days.
fn parse_duration(s: &str) -> Result<Duration, String> {
    parse_duration_up_to(s, 365)
}

/// A duration as [`parse_duration`], at most the 7 days the hall keeps a late schedule for.
fn parse_late_limit(s: &str) -> Result<Duration, String> {
    parse_duration_up_to(s, 7)
}

/// `90`, `90s`, `30m`, `24h` or `7d`, between 1 s and `days` days.
fn parse_duration_up_to(s: &str, days: u64) -> Result<Duration, String> {
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("{s:?} is not a duration like 90s, 30m, 24h or 7d")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 90s, 30m, 24h or 7d"))?;
    let secs = n.saturating_mul(scale);
    if !(1..=days * 86_400).contains(&secs) {
        return Err(format!("{s:?} is not between 1s and {days}d"));
    }
    Ok(Duration::from_secs(secs))
}

/// `+09:00`, `-05:30` or `Z`, as `/schedule` and chat-cli accept them.
fn parse_offset(s: &str) -> Result<UtcOffset, String> {
    chatcore::timespec::parse_offset(s)
        .ok_or_else(|| format!("{s:?} is not an offset like +09:00, -05:30 or Z"))
}

fn main() -> ExitCode {
    // Read before any thread exists: the local offset cannot be read soundly afterwards.
    let local = UtcOffset::current_local_offset();
    let args = Args::parse();
    // Diagnostics must never take the server down: a closed stderr is ignored.
    let decorator = slog_term::PlainSyncDecorator::new(std::io::stderr());
    let drain = slog_term::FullFormat::new(decorator).build().ignore_res();
    let diag = slog::Logger::root(drain, o!());

    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match chat_tls::Certs::load(cert, key) {
            Ok(certs) => Some(certs),
            Err(e) => return fail(&e.to_string()),
        },
        _ => None,
    };
    let mut config = ServerConfig {
        log_path: args.log.clone(),
        diag: diag.clone(),
        max_connections: args.max_connections.map(|n| n as usize),
        web_bind: (args.web != "none").then_some(args.web),
        tls: tls.clone(),
        tls_bind: (args.tls_bind != "none").then_some(args.tls_bind),
        state: match args.state {
            Some(path) if path.as_os_str() == "none" => None,
            Some(path) => Some(path),
            None => Some(args.log.with_file_name("chat.db")),
        },
        ..ServerConfig::default()
    };
    config.web.origins.allowed = args.web_origin;
    let room = &mut config.room;
    room.capacity = args.capacity as usize;
    room.utc_offset = args
        .utc_offset
        .unwrap_or_else(|| local.unwrap_or(UtcOffset::UTC));
    room.nick_timeout = Duration::from_secs(args.nick_timeout);
    room.max_pending = args.max_pending as usize;
    room.max_per_ip = args.max_per_ip as usize;
    room.exempt_loopback = !args.no_loopback_exemption;
    room.flood_burst = args.flood_burst;
    room.flood_rate = args.flood_rate;
    room.history = args.history as usize;
    room.kick_ban = Duration::from_secs(args.kick_ban * 60);
    room.max_per_subnet = args.max_per_subnet as usize;
    room.max_rooms_per_subnet = args.max_rooms_per_subnet as usize;
    room.join_rate = args.join_rate;
    room.join_burst = args.join_burst;
    room.default_room = args.default_room;
    room.max_rooms = args.max_rooms as usize;
    room.room_ttl = args.room_ttl;
    room.late_limit = args.late_limit;

    let mut signals = match Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot install signal handlers: {e}")),
    };
    let server = match Server::bind(&args.bind, config) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    // SIGHUP reopens the log (logrotate), so closing the terminal does not stop a server
    // started in the foreground: say how to.
    let pid = std::process::id();
    say(&format!(
        "chat-tcp: listening on {} (pid {pid}; stop it with Ctrl-C or kill {pid}: closing the terminal does not)",
        server.local_addr()
    ));
    if let Some(addr) = server.tls_addr() {
        say(&format!("chat-tcp: listening with TLS on {addr}"));
    }
    if let Some(web) = server.web_addr() {
        let scheme = if tls.is_some() { "https" } else { "http" };
        say(&format!("chat-tcp: web page on {scheme}://{web}/"));
    }
    let handle = server.shutdown_handle();
    let reopener = server.log_reopener();
    let reloads = match tls.map(|certs| reloader(certs, server.log_notes(), diag.clone())) {
        Some(Ok(reloads)) => Some(reloads),
        Some(Err(e)) => return fail(&format!("cannot start the reload thread: {e}")),
        None => None,
    };
    let signal_thread = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut seen = 0;
            for sig in signals.forever() {
                if sig == SIGHUP {
                    // Log rotation moved server.txt away: write a new one at its path.
                    reopener.request();
                    slog::info!(diag, "reopening the server log before the next record");
                    // A reload already waiting will read the files anew: one is enough.
                    if let Some(reloads) = &reloads {
                        let _ = reloads.try_send(());
                    }
                    continue;
                }
                seen += 1;
                if seen > 1 {
                    say("chat-tcp: second signal, exiting now");
                    std::process::exit(1);
                }
                slog::info!(diag, "shutting down"; "signal" => sig);
                handle.shutdown();
            }
        });
    if let Err(e) = signal_thread {
        return fail(&format!("cannot start the signal thread: {e}"));
    }
    // Returns after a signal's shutdown, or at once if a server thread failed.
    match server.join() {
        Ok(()) => ExitCode::SUCCESS,
        // The chat ended cleanly but its last records could not be written: say so, and
        // exit 1 (not 2, which means the server could not start).
        Err(e @ chat_tcp::Error::Runtime(chat_runtime::Error::LogBlocked { .. })) => {
            say(&format!("chat-tcp: error: {e}"));
            ExitCode::from(1)
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// Starts the thread that reloads the certificate files on each request it receives, so
/// that a read that blocks (a hung mount) never holds up the signal thread and SIGTERM.
/// At most one request waits behind the reload in progress.
fn reloader(
    certs: chat_tls::Certs,
    log: chat_tcp::LogNotes,
    diag: slog::Logger,
) -> std::io::Result<std::sync::mpsc::SyncSender<()>> {
    let (requests, received) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("tls-reload".into())
        .spawn(move || {
            for () in received {
                reload(&certs, &log, &diag);
            }
        })?;
    Ok(requests)
}

/// Puts the certificate files' new pair in force for new connections (certbot renewed
/// them); on an error the pair in force stays. Either way the operator is told once, on
/// stderr and in the server log.
fn reload(certs: &chat_tls::Certs, log: &chat_tcp::LogNotes, diag: &slog::Logger) {
    let error = certs.reload().err().map(|e| e.to_string());
    match &error {
        None => slog::info!(diag, "reloaded the TLS certificate for new connections";
            "cert" => %certs.cert_path().display()),
        Some(e) => {
            slog::error!(diag, "cannot reload the TLS certificate, keeping the one in force";
                "error" => e)
        }
    }
    log.write(chatcore::Event::TlsReload { error });
}

/// One line on stderr, ignoring a closed stderr.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn fail(msg: &str) -> ExitCode {
    say(&format!("chat-tcp: error: {msg}"));
    ExitCode::from(2)
}
