//! `chat-cli`: the terminal client. A full-screen window when stdin and stdout are a
//! terminal, plain lines otherwise (or with `--plain`).
//!
//! # Layout
//! - Pure parts, unit-tested: [`wire`] (typed line -> wire line), [`display`] and [`facts`]
//!   (server line -> display line and what it means), [`chatlog`] (safe log file names),
//!   [`input`] and [`history`] (the line editor), [`session`] (the protocol state machine).
//! - I/O: [`net`] (connection threads, backoff), [`tls`] (`--tls`), [`client`] (runs a session), [`plain`] and
//!   [`tui`] (the two front ends), [`cli`] (arguments).

mod chatlog;
mod cli;
mod client;
mod display;
mod facts;
mod history;
mod input;
mod net;
mod pace;
mod plain;
mod session;
mod tls;
mod tui;
mod wire;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::mpsc;

use clap::Parser;
use time::UtcOffset;

use crate::client::{Client, Settings};
use crate::session::{OnRefusal, Session};

fn main() -> ExitCode {
    let args = cli::Args::parse();
    // Must run before any thread exists: `time` refuses to read the local offset after that.
    let offset = args.utc_offset.unwrap_or_else(|| {
        UtcOffset::current_local_offset().unwrap_or_else(|_| {
            say(format_args!(
                "chat-cli: cannot tell the local UTC offset; using +00:00"
            ));
            UtcOffset::UTC
        })
    });
    let plain = args.plain || !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal();
    let dialer = if args.tls {
        match tls::config(args.ca.as_deref()) {
            Ok(config) => net::Dialer::tls(config),
            Err(e) => {
                say(format_args!("chat-cli: {e}"));
                return ExitCode::from(2);
            }
        }
    } else {
        net::Dialer::plain()
    };
    let addr = args.addr(dialer.default_port());
    let stream = match dialer.connect(&addr) {
        Ok(stream) => stream,
        Err(e) => {
            say(format_args!("chat-cli: cannot connect to {addr}: {e}"));
            return ExitCode::from(1);
        }
    };
    // Plain mode with --nick has nobody to ask for another nickname.
    let on_refusal = if plain && args.nick.is_some() {
        OnRefusal::Exit
    } else {
        OnRefusal::Ask
    };
    let session = Session::new(args.nick.clone(), on_refusal, offset);
    let settings = Settings {
        addr: addr.clone(),
        log_dir: (!args.no_log).then(|| args.log_dir.clone()),
        offset,
        dialer,
    };
    let (tx, rx) = mpsc::sync_channel(client::EVENT_QUEUE);
    let client = match Client::new(session, settings, stream, tx.clone()) {
        Ok(client) => client,
        Err(e) => {
            say(format_args!(
                "chat-cli: cannot use the connection to {addr}: {e}"
            ));
            return ExitCode::from(1);
        }
    };
    if plain {
        return ExitCode::from(plain::run(client, tx, rx));
    }
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match tui::run(client, tx, rx, offset, color) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            say(format_args!("chat-cli: terminal error: {e}"));
            ExitCode::from(1)
        }
    }
}

/// One line to stderr; a closed stderr is ignored (`eprintln!` would panic on it).
fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}
