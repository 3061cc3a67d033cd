//! The `decoder` target: `LineDecoder` fed in chunks against a whole-input reference model.

use chatcore::{Frame, LineDecoder};

/// Input layout: `[chunk, max, data..]`. `data` is fed in chunks of `1 + chunk % 64` bytes to
/// a decoder with a limit of `max` bytes, then finished.
///
/// Checks: the decoder never buffers more than `max + 1` bytes, consumes every chunk, every
/// line is valid UTF-8 without an LF and at most `max` bytes, and the frames equal those of
/// a simple model that splits the whole input at each LF.
pub fn decoder(data: &[u8]) {
    let Some(([chunk, max], data)) = data.split_first_chunk::<2>() else {
        return;
    };
    let (chunk, max) = (1 + usize::from(*chunk) % 64, usize::from(*max));
    let mut dec = LineDecoder::new(max);
    let mut frames = Vec::new();
    for piece in data.chunks(chunk) {
        let mut rest = piece;
        while let Some(frame) = dec.decode(&mut rest) {
            frames.push(frame);
            assert!(dec.buffered() <= max + 1, "buffered {}", dec.buffered());
        }
        assert!(rest.is_empty(), "decode returned None with input left");
        assert!(dec.buffered() <= max + 1, "buffered {}", dec.buffered());
    }
    frames.extend(dec.finish());
    assert_eq!(dec.buffered(), 0, "finish leaves nothing buffered");
    for frame in &frames {
        if let Frame::Line(line) = frame {
            assert!(!line.contains('\n') && line.len() <= max, "{line:?}");
        }
    }
    assert_eq!(frames, model(max, data));
}

/// The frames of `data` as PROTOCOL.md §1 defines them, computed on the whole input at once.
fn model(max: usize, data: &[u8]) -> Vec<Frame> {
    let mut parts: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    // The part after the last LF is a partial line: `finish` reports it as it is, CR kept.
    let tail = parts.pop().unwrap_or_default();
    let mut frames: Vec<Frame> = parts
        .into_iter()
        .map(|line| frame(max, line.strip_suffix(b"\r").unwrap_or(line)))
        .collect();
    if !tail.is_empty() {
        frames.push(frame(max, tail));
    }
    frames
}

fn frame(max: usize, content: &[u8]) -> Frame {
    if content.len() > max {
        return Frame::TooLong;
    }
    match std::str::from_utf8(content) {
        Ok(line) => Frame::Line(line.to_owned()),
        Err(_) => Frame::InvalidUtf8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_follows_the_protocol() {
        let frames = model(4, b"ab\r\nabcde\nx\xff\n\r\nabcd\r\nta");
        assert_eq!(
            frames,
            [
                Frame::Line("ab".into()),
                Frame::TooLong,
                Frame::InvalidUtf8,
                Frame::Line(String::new()),
                Frame::Line("abcd".into()),
                Frame::Line("ta".into()),
            ]
        );
    }

    #[test]
    fn check_accepts_odd_inputs() {
        for data in [
            &b""[..],
            b"\x00",
            b"\x00\x00",
            b"\x06\x04ab\r\nabcde\n\xff\n\ntail\r",
        ] {
            decoder(data);
        }
    }
}
