//! Removal of control, bidi-override and line-separator characters from member-typed text.

use std::borrow::Cow;

/// Returns the text with every forbidden character removed (TAB -> space); borrows when
/// nothing changes.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let Some(first) = first_change(text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    // `first` is the start of a character, so slicing at it cannot split one.
    let (clean, rest) = text.split_at(first);
    let mut out = String::with_capacity(text.len());
    out.push_str(clean);
    for c in rest.chars() {
        if c == '\t' {
            out.push(' ');
        } else if !is_forbidden(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when the text is empty or only white space (such text is not sent).
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// True if `c` is removed by `sanitize` (TAB counts as allowed here since it becomes a space).
pub fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{A}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Byte offset of the first character `sanitize` would change, if any.
///
/// Works on bytes so clean text (the common case) is never decoded: every character
/// that needs changing is ASCII or starts with 0xC2 or 0xE2.
fn first_change(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8)
            && is_plain_ascii(word)
        {
            i += 8;
            continue;
        }
        // Byte-check the whole word before retrying the word test, so non-ASCII
        // text does not pay for a failed word test on every byte.
        let end = bytes.len().min(i + 8);
        while i < end {
            if changes_at(bytes, i) {
                return Some(i);
            }
            i += 1;
        }
    }
    None
}

/// True when the character starting (or continuing) at `bytes[i]` is one `sanitize` changes.
fn changes_at(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        0x00..=0x1F | 0x7F => true,
        // C1 controls U+0080..U+009F.
        0xC2 => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        // U+2028..U+202E and U+2066..U+2069.
        0xE2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xA8..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
        ),
        _ => false,
    }
}

/// True when all 8 bytes are printable ASCII (0x20..=0x7E), tested as one word.
fn is_plain_ascii(bytes: &[u8]) -> bool {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    let w = u64::from_ne_bytes(word);
    // Exact per-byte tests (valid because high-bit bytes are rejected first):
    // "some byte < 0x20" and "some byte == 0x7F".
    let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    let del = (w ^ (LO * 0x7F)).wrapping_sub(LO) & !(w ^ (LO * 0x7F)) & HI;
    (w & HI) | below_space | del == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_terminal_escapes() {
        assert_eq!(sanitize("\x1b[2J"), "[2J");
        assert_eq!(sanitize("a\x1b]52;c;aGVsbG8=\x07b"), "a]52;c;aGVsbG8=b");
    }

    #[test]
    fn strips_backspace_cr_and_del() {
        assert_eq!(sanitize("ab\x08c\rd\x7fe\n"), "abcde");
    }

    #[test]
    fn tab_becomes_space() {
        assert_eq!(sanitize("a\tb\t"), "a b ");
        assert!(!is_forbidden('\t'));
    }

    #[test]
    fn strips_bidi_controls() {
        assert_eq!(sanitize("abc\u{202E}def"), "abcdef");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "x");
        assert_eq!(sanitize("\u{202A}\u{202B}\u{202C}\u{202D}y"), "y");
        assert_eq!(sanitize("\u{2067}\u{2068}z"), "z");
    }

    #[test]
    fn strips_separators_and_c1() {
        assert_eq!(sanitize("a\u{2028}b\u{2029}c\u{85}d\u{80}\u{9F}"), "abcd");
    }

    #[test]
    fn keeps_neighbours_of_forbidden_ranges() {
        let kept = "\u{A0}\u{A9}\u{2027}\u{202F}\u{2065}\u{206A}\u{2014}\u{20AC}";
        assert!(matches!(sanitize(kept), Cow::Borrowed(_)));
    }

    #[test]
    fn keeps_korean_and_emoji() {
        let text = "안녕하세요 👋🏽 👨‍👩‍👧 e\u{301}";
        assert_eq!(sanitize(text), text);
        assert_eq!(sanitize(&format!("\x1b{text}\u{202E}")), text);
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("hello, world  "), Cow::Borrowed(_)));
        assert!(matches!(sanitize(""), Cow::Borrowed(_)));
        assert!(matches!(sanitize("a\tb"), Cow::Owned(_)));
    }

    #[test]
    fn blank_detection() {
        assert!(is_blank(""));
        assert!(is_blank("   "));
        assert!(is_blank(&sanitize("\x1b\x07 ")));
        assert!(is_blank(&sanitize("\t\u{202E}")));
        assert!(is_blank("\u{3000}\u{a0} "));
        assert!(!is_blank(" x "));
    }

    #[test]
    fn word_test_matches_byte_test() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut word = [b'a'; 8];
                word[pos] = b;
                assert_eq!(
                    is_plain_ascii(&word),
                    (0x20..=0x7E).contains(&b),
                    "{b:#x}@{pos}"
                );
            }
        }
    }

    #[test]
    fn forbidden_char_found_at_any_offset() {
        for c in [
            '\0', '\t', '\x1f', '\x7f', '\u{85}', '\u{2028}', '\u{202E}', '\u{2069}',
        ] {
            for pad in 0..20 {
                let text = format!("{}{c}{}", "x".repeat(pad), "y".repeat(20 - pad));
                assert_eq!(first_change(text.as_bytes()), Some(pad), "{c:?}@{pad}");
                let mixed = format!("한{}{c}", "x".repeat(pad));
                assert_eq!(first_change(mixed.as_bytes()), Some(3 + pad), "{c:?}@{pad}");
            }
        }
    }

    #[test]
    fn output_never_contains_forbidden_chars() {
        for cp in 0..=0x3000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let text = format!("a{c}b{c}");
            let out = sanitize(&text);
            assert!(!out.chars().any(is_forbidden), "U+{cp:04X}");
            assert!(!out.contains('\t'), "U+{cp:04X}");
            let expected_changed = is_forbidden(c) || c == '\t';
            assert_eq!(matches!(out, Cow::Owned(_)), expected_changed, "U+{cp:04X}");
            if !expected_changed {
                assert_eq!(out, text, "U+{cp:04X}");
            }
        }
    }
}
