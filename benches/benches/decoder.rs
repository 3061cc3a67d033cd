//! `LineDecoder` throughput on short, 64-byte and long lines, and on split reads.

use std::hint::black_box;

use chatcore::{Frame, LineDecoder};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// About this much input per iteration, so every case decodes a comparable amount.
const INPUT_BYTES: usize = 64 * 1024;

/// The protocol's line limit.
const MAX_LINE: usize = 4096;

/// `INPUT_BYTES` (rounded to whole lines) of LF-terminated lines of `len` bytes, LF included.
fn lines(len: usize) -> Vec<u8> {
    let mut line: Vec<u8> = b"The quick brown fox jumps over the lazy dog 0123456789 "
        .iter()
        .copied()
        .cycle()
        .take(len - 1)
        .collect();
    line.push(b'\n');
    let count = INPUT_BYTES.div_ceil(len);
    line.repeat(count)
}

/// Decodes `chunks` in order and returns the number of lines.
fn decode(dec: &mut LineDecoder, chunks: &[&[u8]]) -> usize {
    let mut n = 0;
    for chunk in chunks {
        let mut rest = *chunk;
        while let Some(frame) = dec.decode(&mut rest) {
            if let Frame::Line(line) = frame {
                black_box(line);
                n += 1;
            }
        }
    }
    n
}

fn decoder(c: &mut Criterion) {
    let mut group = c.benchmark_group("decoder");
    let (short, line64, long) = (lines(20), lines(64), lines(4000));
    let cases: [(&str, Vec<&[u8]>, usize); 4] = [
        ("short_20B", vec![&short], short.len() / 20),
        ("line_64B", vec![&line64], line64.len() / 64),
        ("long_4000B", vec![&long], long.len() / 4000),
        (
            "split_7B_chunks_64B",
            line64.chunks(7).collect(),
            line64.len() / 64,
        ),
    ];
    for (name, chunks, count) in cases {
        let bytes: usize = chunks.iter().map(|c| c.len()).sum();
        let mut dec = LineDecoder::new(MAX_LINE);
        // Guard against measuring the wrong thing: every line comes out.
        assert_eq!(decode(&mut dec, &chunks), count, "{name}");
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| b.iter(|| decode(&mut dec, black_box(&chunks))));
    }
    group.finish();
}

criterion_group!(benches, decoder);
criterion_main!(benches);
