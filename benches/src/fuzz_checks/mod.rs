//! One check function per fuzz target, shared by `../fuzz` and `tests/fuzz_corpus_replay.rs`.
//!
//! Each function takes the fuzzer's bytes, never fails on any input it is given, and panics
//! (an `assert!`) exactly when `chatcore` breaks one of its promises, so a crash found by the
//! fuzzer replays as a failing `cargo test` once its input is added to `fuzz/corpus/`.

mod command;
mod decoder;
mod room_ops;

pub use command::command;
pub use decoder::decoder;
pub use room_ops::room_ops;

/// A check: panics when the input reveals a broken promise.
pub type Check = fn(&[u8]);

/// The fuzz targets by name, as in `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`.
pub const TARGETS: [(&str, Check); 3] = [
    ("decoder", decoder),
    ("command", command),
    ("room_ops", room_ops),
];

/// Whether `inner` lies inside `outer` (a sub-slice of it, not merely equal text). An empty
/// part counts as inside: the parser may return a literal `""` for a missing argument.
fn within(outer: &str, inner: &str) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}
