//! Sanitising member-typed text: the all-ASCII fast path, other scripts, emoji sequences
//! and text that needs cleaning.

use std::hint::black_box;

use chatcore::sanitize::sanitize;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Typical lines, each 60-70 bytes, by kind.
const CASES: [(&str, &str); 5] = [
    (
        "ascii_64B",
        "Hello everyone, the meeting moved to room 4 at three o'clock!!",
    ),
    (
        "korean",
        "안녕하세요 여러분, 회의는 세 시에 4번 방에서 해요",
    ),
    ("hindi", "नमस्ते सब लोग, बैठक तीन बजे कमरे चार में है"),
    (
        "emoji",
        "see you there 👨‍👩‍👧 👍🏽 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} ok",
    ),
    (
        "dirty",
        "he\x1b[2Jllo\u{200B} wor\u{202E}ld\tand e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301} x",
    ),
];

fn sanitize_lines(c: &mut Criterion) {
    let mut group = c.benchmark_group("sanitize");
    for (name, text) in CASES {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| black_box(sanitize(black_box(text)))));
    }
    group.finish();
}

criterion_group!(benches, sanitize_lines);
criterion_main!(benches);
