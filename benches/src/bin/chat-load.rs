//! `chat-load`: drives a chat server on loopback with N clients and reports throughput,
//! delivery and one-way latency; `--idle` measures memory per connection and `--soak` runs
//! the long reliability check. See `chat_benches::load` and `chat-load --help`.
// Printing the report is this program's whole output.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use chat_benches::load::options::Options;
use chat_benches::load::run::{Outcome, run};
use clap::Parser;

fn main() -> ExitCode {
    let options = Options::parse();
    let outcome = match run(&options) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("chat-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = match (&outcome, options.json) {
        (Outcome::Load(r), false) => r.human(),
        (Outcome::Load(r), true) => r.json() + "\n",
        (Outcome::Idle(r), false) => r.human(),
        (Outcome::Idle(r), true) => r.json() + "\n",
        (Outcome::Soak(r), false) => r.human(),
        (Outcome::Soak(r), true) => r.json() + "\n",
    };
    print!("{text}");
    // A soak whose checks failed is a failed run (memory is reported, not judged).
    match outcome {
        Outcome::Soak(r) if !r.failures().is_empty() => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}
