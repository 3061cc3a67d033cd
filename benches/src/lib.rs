//! Benchmarks, the `chat-load` load generator and the checks behind the fuzz targets.
//!
//! The criterion benches live in `benches/` (one file per subject), the allocation-count and
//! fuzz-corpus replay tests in `tests/`. This library holds what those share with the
//! `chat-load` binary and with the cargo-fuzz crate in `../fuzz`.
//!
//! # Layout
//! - [`fixture`]: halls with members already joined in one room, beside many rooms or spread
//!   over rooms, and a fixed clock, for benches and tests.
//! - [`fuzz_checks`]: one check function per fuzz target; the fuzz crate and
//!   `tests/fuzz_corpus_replay.rs` both call them, so the committed corpus runs in `cargo test`.
//! - [`load`]: the pieces of `chat-load` (payload format, latency histogram, `/proc` readings,
//!   the client threads and the report, and the `--soak` reliability run).
//!
//! # Running
//! ```text
//! cargo bench -p chat-benches --bench broadcast -- --warm-up-time 1 --measurement-time 3
//! cargo run --release -p chat-benches --bin chat-load -- --addr 127.0.0.1:9999 \
//!     --clients 10 --rate 1000 --duration 10 --warmup 2 --server-pid "$(pidof chat-tcp)"
//! # 1,000 clients spread over 100 rooms with /join (rooms of 10: --capacity 10
//! # --max-connections 1100 on the server):
//! cargo run --release -p chat-benches --bin chat-load -- --clients 1000 --rooms 100 \
//!     --rate 1 --duration 30 --server-pid "$(pidof chat-tcp)"
//! cargo run --release -p chat-benches --bin chat-load -- --idle 1000 --duration 5 \
//!     --server-pid "$(pidof chat-tcp)"
//! # against a fresh server with its default flood limit, 10 minutes:
//! cargo run --release -p chat-benches --bin chat-load -- --soak --addr 127.0.0.1:9999 \
//!     --server-pid "$(pidof chat-tcp)"
//! cd fuzz && cargo fuzz run room_ops --sanitizer none -- -max_total_time=90
//! ```
//! The server needs `--flood-rate 0` (and `--capacity N` for N clients) or the flood limit
//! drops most load lines; the report counts the flood warnings it received. `--soak` is the
//! exception: it expects the default flood limit and checks the warnings. Measured figures
//! and the exact commands behind them are in `BENCHMARKS.md`; `scripts/bench-server.sh` runs
//! one measured server run.

pub mod fixture;
pub mod fuzz_checks;
pub mod load;
