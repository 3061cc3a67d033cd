//! `chat-tcp`: runs the chat server until SIGINT or SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chat_tcp::{Server, ServerConfig};
use clap::Parser;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use slog::{Drain, o};
use time::UtcOffset;

/// The chat server: one room, plain text lines over TCP (try `nc 127.0.0.1 9999`).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; use 0.0.0.0:9999 to accept other hosts.
    #[arg(long, default_value = "127.0.0.1:9999")]
    bind: String,
    /// Most members in the room.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    capacity: u32,
    /// The server log (appended).
    #[arg(long, default_value = "server.txt")]
    log: PathBuf,
    /// Offset for a bare `/schedule HH:MM`, like +09:00 [default: this machine's offset]
    #[arg(long, value_parser = parse_offset)]
    utc_offset: Option<UtcOffset>,
    /// Seconds a new connection has to choose a nickname.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    nick_timeout: u64,
    /// Most connections waiting for a nickname; the oldest is closed past it.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    max_pending: u32,
    /// Most concurrent connections from one address (loopback is exempt unless
    /// --no-loopback-exemption).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_per_ip: u32,
    /// Apply --max-per-ip to loopback addresses too.
    #[arg(long)]
    no_loopback_exemption: bool,
    /// Most sockets held at once (members, waiting and closing) [default: capacity +
    /// max-pending + 64]; more are refused before any thread starts for them.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Lines a member may send in one burst.
    #[arg(long, default_value_t = 20)]
    flood_burst: u32,
    /// Lines per second refilled; 0 turns the flood limit off.
    #[arg(long, default_value_t = 10)]
    flood_rate: u32,
}

fn parse_offset(s: &str) -> Result<UtcOffset, String> {
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Ok(UtcOffset::UTC);
    }
    UtcOffset::parse(s, format).map_err(|_| format!("expected an offset like +09:00, got {s:?}"))
}

fn main() -> ExitCode {
    // Read before any thread exists: the local offset cannot be read soundly afterwards.
    let local = UtcOffset::current_local_offset();
    let args = Args::parse();
    let decorator = slog_term::PlainSyncDecorator::new(std::io::stderr());
    let diag = slog::Logger::root(slog_term::FullFormat::new(decorator).build().fuse(), o!());

    let mut config = ServerConfig {
        log_path: args.log,
        diag: diag.clone(),
        ..ServerConfig::default()
    };
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
    config.max_connections = match args.max_connections {
        Some(n) => n as usize,
        None => room.capacity + room.max_pending + 64,
    };

    let mut signals = match Signals::new([SIGINT, SIGTERM]) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot install signal handlers: {e}")),
    };
    let server = match Server::bind(&args.bind, config) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    eprintln!(
        "chat-tcp: listening on {} (Ctrl-C to stop)",
        server.local_addr()
    );
    if let Some(sig) = signals.forever().next() {
        slog::info!(diag, "shutting down"; "signal" => sig);
    }
    server.shutdown();
    match server.join() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("chat-tcp: error: {msg}");
    ExitCode::from(2)
}
