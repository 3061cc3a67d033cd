//! Fuzz target `room_ops`: the check lives in `chat_benches::fuzz_checks`, so the committed
//! corpus in `fuzz/corpus/room_ops/` also runs under `cargo test` (`tests/fuzz_corpus_replay.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chat_benches::fuzz_checks::room_ops(data));
