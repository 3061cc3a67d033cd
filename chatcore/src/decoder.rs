//! Push-style framing of LF-terminated UTF-8 lines with a hard per-line byte limit.

/// One decoded item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, without its LF and without a CR right before that LF.
    Line(String),
    /// A line longer than the limit; it is discarded whole and reported once.
    TooLong,
    /// A complete line that is not valid UTF-8.
    InvalidUtf8,
}

/// Incremental line decoder that never buffers more than `max_line_bytes + 1` bytes.
#[derive(Debug)]
pub struct LineDecoder {
    max: usize,
    buf: Vec<u8>,
    // Set after reporting `TooLong` until the offending line's LF goes by.
    discarding: bool,
}

impl LineDecoder {
    /// Creates a decoder that rejects lines with more than `max_line_bytes` content bytes.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            max: max_line_bytes,
            buf: Vec::new(),
            discarding: false,
        }
    }

    /// Consumes bytes from the front of `input` and returns the next frame, or `None`
    /// once `input` is used up (a partial line stays buffered).
    ///
    /// Call in a loop: `while let Some(f) = dec.decode(&mut rest) { .. }`.
    pub fn decode(&mut self, input: &mut &[u8]) -> Option<Frame> {
        loop {
            if input.is_empty() {
                return None;
            }
            let Some(lf) = find_lf(input) else {
                return self.absorb_partial(std::mem::take(input));
            };
            let (head, tail) = input.split_at(lf);
            *input = &tail[1..];
            if self.discarding {
                // The rejected line ends here; it was already reported.
                self.discarding = false;
                continue;
            }
            return Some(self.complete(head));
        }
    }

    /// At end of stream: the buffered partial line (no LF seen) as a frame, if any
    /// non-empty and not being discarded; clears state.
    ///
    /// A trailing CR is kept here because no LF follows it.
    pub fn finish(&mut self) -> Option<Frame> {
        let discarding = std::mem::replace(&mut self.discarding, false);
        if discarding || self.buf.is_empty() {
            self.buf.clear();
            return None;
        }
        let frame = if self.buf.len() > self.max {
            Frame::TooLong
        } else {
            to_frame(&self.buf)
        };
        self.buf.clear();
        Some(frame)
    }

    /// Bytes currently buffered (for tests/metrics).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Buffers a chunk that contains no LF, or rejects the line once it cannot fit.
    fn absorb_partial(&mut self, chunk: &[u8]) -> Option<Frame> {
        if self.discarding {
            return None;
        }
        let total = self.buf.len() + chunk.len();
        // One byte of slack: a trailing CR may still turn out to precede the LF.
        let may_fit = total <= self.max || (total - 1 == self.max && chunk.last() == Some(&b'\r'));
        if !may_fit {
            self.buf.clear();
            self.discarding = true;
            return Some(Frame::TooLong);
        }
        self.buf.extend_from_slice(chunk);
        None
    }

    /// Turns the buffered prefix plus `head` (the bytes before an LF) into a frame.
    fn complete(&mut self, head: &[u8]) -> Frame {
        let ends_cr = head.last().or(self.buf.last()) == Some(&b'\r');
        let content = self.buf.len() + head.len() - usize::from(ends_cr);
        // Checked before extending so the buffer never grows past max + 1.
        if content > self.max {
            self.buf.clear();
            return Frame::TooLong;
        }
        if self.buf.is_empty() {
            return to_frame(&head[..content]);
        }
        self.buf.extend_from_slice(head);
        let frame = to_frame(&self.buf[..content]);
        self.buf.clear();
        frame
    }
}

fn to_frame(bytes: &[u8]) -> Frame {
    match std::str::from_utf8(bytes) {
        Ok(s) => Frame::Line(s.to_owned()),
        Err(_) => Frame::InvalidUtf8,
    }
}

/// Position of the first LF, scanning 16 bytes per step with word-at-a-time tests.
fn find_lf(hay: &[u8]) -> Option<usize> {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    const LF: u64 = u64::from_ne_bytes([b'\n'; 8]);
    // Exact "any byte is zero" test on `word ^ LF`; the position is then found
    // by a byte scan of the 16-byte chunk only.
    let has_lf = |bytes: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        let x = u64::from_ne_bytes(word) ^ LF;
        x.wrapping_sub(LO) & !x & HI != 0
    };
    let mut chunks = hay.chunks_exact(16);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let (a, b) = chunk.split_at(8);
        if has_lf(a) || has_lf(b) {
            return chunk.iter().position(|&c| c == b'\n').map(|p| offset + p);
        }
        offset += 16;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'\n')
        .map(|p| offset + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Frame {
        Frame::Line(s.to_owned())
    }

    /// Feeds `chunks` in order, then finishes, collecting every frame.
    fn run(max: usize, chunks: &[&[u8]]) -> Vec<Frame> {
        let mut dec = LineDecoder::new(max);
        let mut out = Vec::new();
        for chunk in chunks {
            let mut rest = *chunk;
            while let Some(f) = dec.decode(&mut rest) {
                out.push(f);
            }
            assert!(rest.is_empty());
            assert!(dec.buffered() <= max + 1);
        }
        out.extend(dec.finish());
        out
    }

    fn run_bytewise(max: usize, data: &[u8]) -> Vec<Frame> {
        let chunks: Vec<&[u8]> = data.chunks(1).collect();
        run(max, &chunks)
    }

    const MIXED: &[u8] = b"hello\r\nworld\n\nab\rcd\n0123456789abcdef\nxyz\xff\nok\r\r\n\
        exactly8\nexactly8\r\n123456789\nlong line that goes on and on\r\ntail";

    #[test]
    fn split_reads_match_single_read() {
        let whole = run(8, &[MIXED]);
        assert_eq!(run_bytewise(8, MIXED), whole);
        for split in 0..=MIXED.len() {
            let (a, b) = MIXED.split_at(split);
            assert_eq!(run(8, &[a, b]), whole, "split at {split}");
        }
        assert_eq!(
            whole,
            vec![
                line("hello"),
                line("world"),
                line(""),
                line("ab\rcd"),
                Frame::TooLong,
                Frame::InvalidUtf8,
                line("ok\r"),
                line("exactly8"),
                line("exactly8"),
                Frame::TooLong,
                Frame::TooLong,
                line("tail"),
            ]
        );
    }

    #[test]
    fn crlf_and_lone_cr() {
        assert_eq!(
            run(100, &[b"a\r\nb\rc\n\r\n"]),
            vec![line("a"), line("b\rc"), line("")]
        );
    }

    #[test]
    fn cr_split_from_lf_across_chunks() {
        assert_eq!(run(3, &[b"abc\r", b"\n"]), vec![line("abc")]);
        assert_eq!(run(3, &[b"abc\r", b"d\n"]), vec![Frame::TooLong]);
    }

    #[test]
    fn empty_line() {
        assert_eq!(run(0, &[b"\n"]), vec![line("")]);
        assert_eq!(run(0, &[b"\r\n"]), vec![line("")]);
    }

    #[test]
    fn length_limit_boundaries() {
        assert_eq!(run(4, &[b"abcd\n"]), vec![line("abcd")]);
        assert_eq!(run(4, &[b"abcde\n"]), vec![Frame::TooLong]);
        assert_eq!(run(4, &[b"abcd\r\n"]), vec![line("abcd")]);
        assert_eq!(run(4, &[b"abcde\r\n"]), vec![Frame::TooLong]);
        assert_eq!(run_bytewise(4, b"abcd\r\nabcde\r\nx\n"), {
            vec![line("abcd"), Frame::TooLong, line("x")]
        });
    }

    #[test]
    fn huge_line_is_reported_once_with_bounded_memory() {
        let max = 1024;
        let mut dec = LineDecoder::new(max);
        let chunk = [b'a'; 4096];
        let mut frames = Vec::new();
        for _ in 0..256 {
            let mut rest = &chunk[..];
            while let Some(f) = dec.decode(&mut rest) {
                frames.push(f);
            }
            assert!(dec.buffered() <= max + 1);
        }
        // Without this LF, "ok" would just be more of the rejected line.
        let mut rest = &b"\nok\n"[..];
        while let Some(f) = dec.decode(&mut rest) {
            frames.push(f);
        }
        assert_eq!(frames, vec![Frame::TooLong, line("ok")]);
        assert_eq!(dec.finish(), None);
    }

    #[test]
    fn too_long_with_lf_in_later_chunk() {
        assert_eq!(
            run(5, &[b"abc", b"defgh", b"ij", b"k\nnext\n"]),
            vec![Frame::TooLong, line("next")]
        );
        // Whole too-long line inside a single chunk, LF included.
        assert_eq!(
            run(5, &[b"abc", b"defgh\nnext\n"]),
            vec![Frame::TooLong, line("next")]
        );
    }

    #[test]
    fn invalid_utf8_then_recovery() {
        let bad: [&[u8]; 4] = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"];
        for seq in bad {
            let mut data = b"x".to_vec();
            data.extend_from_slice(seq);
            data.extend_from_slice(b"\nfine \xe2\x82\xac\n");
            let expected = vec![Frame::InvalidUtf8, line("fine \u{20ac}")];
            assert_eq!(run(64, &[&data]), expected, "{seq:x?}");
            assert_eq!(run_bytewise(64, &data), expected, "{seq:x?}");
        }
    }

    #[test]
    fn finish_returns_partial_line() {
        assert_eq!(run(10, &[b"one\ntw", b"o"]), vec![line("one"), line("two")]);
        assert_eq!(run(10, &[b"one\n"]), vec![line("one")]);
        assert_eq!(run(10, &[b"a\r"]), vec![line("a\r")]);
        assert_eq!(run(10, &[b"\xff"]), vec![Frame::InvalidUtf8]);
        assert_eq!(run(2, &[b"ab\r"]), vec![Frame::TooLong]);
        assert_eq!(run(2, &[b"abcdef"]), vec![Frame::TooLong]);
    }

    #[test]
    fn finish_clears_state() {
        let mut dec = LineDecoder::new(10);
        let mut rest = &b"partial"[..];
        assert_eq!(dec.decode(&mut rest), None);
        assert_eq!(dec.buffered(), 7);
        assert_eq!(dec.finish(), Some(line("partial")));
        assert_eq!(dec.buffered(), 0);
        assert_eq!(dec.finish(), None);
    }

    #[test]
    fn find_lf_matches_naive_search() {
        let mut data = vec![0u8; 80];
        for i in 0..data.len() {
            data.iter_mut().for_each(|b| *b = 0x8a);
            data[i] = b'\n';
            for start in 0..=i {
                assert_eq!(find_lf(&data[start..]), Some(i - start));
            }
        }
        data.iter_mut().for_each(|b| *b = 0x0b);
        assert_eq!(find_lf(&data), None);
        assert_eq!(find_lf(&[]), None);
    }
}
