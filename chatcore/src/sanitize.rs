//! Removal of control, bidi, invisible and stacking characters from member-typed text
//! (PROTOCOL.md §1).
//!
//! Most characters are removed wherever they stand ([`is_forbidden`]). Four rules look at
//! the neighbours:
//! - a tag character (U+E0000..U+E007F) stays only inside an emoji flag tag sequence: the
//!   black flag U+1F3F4, 3 to 7 tag digits or small letters (a subdivision code such as
//!   `gbsct`), then CANCEL TAG U+E007F;
//! - at most [`MAX_MARKS`] combining marks (General_Category Mark) stay on one base
//!   character; the rest are removed;
//! - a ZERO WIDTH JOINER U+200D stays between two pictographs (an emoji ZWJ sequence such
//!   as 👨‍👩‍👧, modifiers and variation selectors allowed before it);
//! - a ZWJ or ZERO WIDTH NON-JOINER U+200C stays between two characters of a script that
//!   shapes with them (Arabic, Syriac, the Indic scripts and their neighbours); one joiner
//!   at most between two characters.
//!
//! Every decision depends only on characters that are kept, so sanitising twice gives the
//! same text as sanitising once.

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;

/// Combining marks kept on one base character; the ones after are removed.
pub const MAX_MARKS: usize = 4;

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';
const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

/// Returns the text with every forbidden character removed (TAB -> space); borrows when
/// nothing changes.
///
/// The output is never longer than the input, and `sanitize(sanitize(x)) == sanitize(x)`.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // The common case, text of plain characters only, returns before any state is set up.
    let mut i = plain_run_end(bytes, 0);
    if i == bytes.len() {
        return Cow::Borrowed(text);
    }
    let mut s = Sanitizer::new(text);
    if i > 0 {
        s.out.keep(0, i);
        s.base_seen(' ');
    }
    while i < bytes.len() {
        // Runs of plain characters are kept as they are; only a waiting joiner needs to see
        // its next character.
        if s.joiner.is_none() {
            let start = i;
            i = plain_run_end(bytes, i);
            if i > start {
                s.out.keep(start, i);
                s.base_seen(' ');
            }
        }
        if i < bytes.len() {
            i = s.step(i);
        }
    }
    s.finish()
}

/// True when the text is empty or only white space (such text is not sent).
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// True if `sanitize` removes `c` wherever it stands (TAB counts as allowed here since it
/// becomes a space).
///
/// Besides §1's list this removes a few more characters that draw as nothing and have no
/// use in chat: the invisible math operators U+2061..U+2064, the deprecated format
/// characters U+206A..U+206F, the Hangul fillers U+3164 and U+FFA0 (a "blank" line made of
/// them would otherwise be sent), and the interlinear annotation controls U+FFF9..U+FFFB.
///
/// Tag characters, combining marks and joiners are removed or kept by their neighbours,
/// so they are not counted here.
pub fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{A}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{61C}'
            | '\u{200B}'
            | '\u{200E}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// The text seen so far and what the next character's fate depends on.
struct Sanitizer<'a> {
    text: &'a str,
    out: Out<'a>,
    /// The last kept character that is not a combining mark or a joiner (NUL at the start).
    base: char,
    /// Combining marks kept on `base`.
    marks: usize,
    /// A joiner that is kept or removed by the next kept character: its byte range and
    /// which one it is.
    joiner: Option<(usize, usize, char)>,
}

impl<'a> Sanitizer<'a> {
    fn new(text: &'a str) -> Self {
        Sanitizer {
            text,
            out: Out {
                text,
                owned: None,
                span: (0, 0),
            },
            base: '\0',
            marks: 0,
            joiner: None,
        }
    }

    /// Handles the character starting at byte `i`; returns where the next one starts.
    #[inline]
    fn step(&mut self, i: usize) -> usize {
        let byte = self.text.as_bytes()[i];
        if byte < 0x80 {
            match byte {
                b'\t' => {
                    self.settle_joiner(' ');
                    self.out.push(' ', i + 1);
                    self.base_seen(' ');
                }
                0x00..=0x1F | 0x7F => {}
                _ => self.keep_base(i, i + 1, char::from(byte)),
            }
            return i + 1;
        }
        let Some(c) = self.text[i..].chars().next() else {
            return self.text.len();
        };
        let end = i + c.len_utf8();
        match c {
            // Below U+2000 only C1 controls and U+061C are removed wherever they stand, and
            // there are no joiners, tags or flags: a shorter way for the letters of most
            // scripts.
            '\u{80}'..='\u{9F}' | '\u{61C}' => {}
            '\u{A0}'..='\u{1FFF}' if !is_mark(c) => self.keep_base(i, end, c),
            _ if is_forbidden(c) => {}
            // Valid flag sequences are kept whole from their black flag, below.
            '\u{E0000}'..='\u{E007F}' => {}
            ZWJ | ZWNJ => {
                // A second joiner is removed.
                if self.joiner.is_none() {
                    self.joiner = Some((i, end, c));
                }
            }
            BLACK_FLAG => {
                let end = flag_tags_end(self.text, end).unwrap_or(end);
                self.keep_base(i, end, c);
                return end;
            }
            _ if is_mark(c) => {
                if self.marks < MAX_MARKS {
                    // A joiner joins letters, never a letter to its own mark: one waiting
                    // here is removed (else a second one after the mark made two joiners
                    // in one cluster).
                    self.joiner = None;
                    self.out.keep(i, end);
                    self.marks += 1;
                }
            }
            _ => self.keep_base(i, end, c),
        }
        end
    }

    #[inline]
    fn keep_base(&mut self, start: usize, end: usize, c: char) {
        self.settle_joiner(c);
        self.out.keep(start, end);
        self.base_seen(c);
    }

    fn base_seen(&mut self, c: char) {
        self.base = c;
        self.marks = 0;
    }

    /// Keeps or removes the waiting joiner, now that `next` is the next kept character.
    #[inline]
    fn settle_joiner(&mut self, next: char) {
        if let Some((start, end, joiner)) = self.joiner {
            self.settle(start, end, joiner, next);
        }
    }

    #[cold]
    fn settle(&mut self, start: usize, end: usize, joiner: char, next: char) {
        self.joiner = None;
        let shaping = shapes_with_joiners(self.base) && shapes_with_joiners(next);
        let emoji = joiner == ZWJ && is_pictograph(self.base) && is_pictograph(next);
        if shaping || emoji {
            self.out.keep(start, end);
        }
    }

    /// A joiner still waiting at the end joins nothing and is left out.
    fn finish(self) -> Cow<'a, str> {
        self.out.finish()
    }
}

/// The output: spans of the input, borrowed while there is only one that starts at 0,
/// copied once there is a gap or a replacement.
struct Out<'a> {
    text: &'a str,
    owned: Option<String>,
    /// The kept span of the input not yet copied.
    span: (usize, usize),
}

impl<'a> Out<'a> {
    /// Appends `text[start..end]`.
    #[inline]
    fn keep(&mut self, start: usize, end: usize) {
        if start == self.span.1 {
            self.span.1 = end;
        } else {
            self.flush();
            self.span = (start, end);
        }
    }

    /// Appends a character that is not in the input at this place; the input resumes at
    /// `resume`.
    fn push(&mut self, c: char, resume: usize) {
        self.flush();
        if let Some(out) = &mut self.owned {
            out.push(c);
        }
        self.span = (resume, resume);
    }

    fn flush(&mut self) {
        let (start, end) = self.span;
        let text = self.text;
        self.owned
            .get_or_insert_with(|| String::with_capacity(text.len()))
            .push_str(&text[start..end]);
    }

    fn finish(mut self) -> Cow<'a, str> {
        if self.owned.is_none() && self.span == (0, self.text.len()) {
            return Cow::Borrowed(self.text);
        }
        self.flush();
        Cow::Owned(self.owned.unwrap_or_default())
    }
}

/// Where the run of plain characters starting at byte `i` ends: characters kept as they
/// are that each start a new base and join nothing, found from their first byte alone.
/// Printable ASCII (eight bytes at a time when it can), U+00C0..U+02FF (Latin letters),
/// U+0380..U+047F (Greek, Cyrillic), U+4000..U+9FFF (CJK) and U+AC00..U+D7FF (Hangul).
/// Everything else goes through [`Sanitizer::step`].
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        let Some(&byte) = bytes.get(i) else {
            return i;
        };
        i += match byte {
            b' '..=b'~' => match bytes.get(i..i + 8) {
                Some(word) if is_plain_ascii(word) => 8,
                _ => 1,
            },
            0xC3..=0xCB | 0xCE..=0xD1 => 2,
            0xE4..=0xE9 | 0xEB..=0xED => 3,
            0xEA if bytes.get(i + 1).is_some_and(|&b| b >= 0xB0) => 3,
            _ => return i,
        };
    }
}

/// The end of the flag's tag sequence starting at byte `from` (just after a black flag),
/// if there is a valid one: 3 to 7 tag digits or small letters, then CANCEL TAG.
fn flag_tags_end(text: &str, from: usize) -> Option<usize> {
    let mut tags = 0;
    for (offset, c) in text[from..].char_indices().take(8) {
        match c {
            '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}' => tags += 1,
            CANCEL_TAG if (3..=7).contains(&tags) => return Some(from + offset + c.len_utf8()),
            _ => return None,
        }
    }
    None
}

/// General_Category Mark, with a quick answer for the big blocks that hold none and a
/// bitmap for U+0300..U+0FFF (the combining diacritics, Hebrew, Arabic, the Indic scripts,
/// Thai, Tibetan), where marks are frequent.
fn is_mark(c: char) -> bool {
    /// `is_combining_mark` for U+0300..U+0FFF, one bit per character, built on first use.
    static NEAR: OnceLock<[u64; NEAR_WORDS]> = OnceLock::new();
    const NEAR_START: u32 = 0x300;
    const NEAR_WORDS: usize = (0x1000 - NEAR_START as usize) / 64;
    let cp = u32::from(c);
    match cp {
        0..NEAR_START | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0x1F000..=0x1FAFF => false,
        NEAR_START..0x1000 => {
            let near = NEAR.get_or_init(|| {
                let mut bits = [0u64; NEAR_WORDS];
                for (offset, c) in (NEAR_START..0x1000).filter_map(char::from_u32).enumerate() {
                    if is_combining_mark(c) {
                        bits[offset / 64] |= 1 << (offset % 64);
                    }
                }
                bits
            });
            let offset = (cp - NEAR_START) as usize;
            near[offset / 64] & (1 << (offset % 64)) != 0
        }
        _ => is_combining_mark(c),
    }
}

/// True for the scripts that use ZWJ and ZWNJ between letters to choose a shape (a
/// half form, a conjunct or not, a joined or unjoined letter): Arabic, Syriac, Thaana, N'Ko,
/// the Indic scripts from Devanagari to Sinhala, Tibetan, Myanmar, Khmer, Mongolian, the
/// South-East Asian scripts of U+1900..U+1CFF and U+A800..U+AAFF, Meetei Mayek, Arabic
/// presentation forms, and the historic joining and Brahmic scripts of U+10800..U+11FFF
/// and Adlam.
fn shapes_with_joiners(c: char) -> bool {
    matches!(
        c,
        '\u{600}'..='\u{8FF}'
            | '\u{900}'..='\u{DFF}'
            | '\u{F00}'..='\u{109F}'
            | '\u{1780}'..='\u{18AF}'
            | '\u{1900}'..='\u{1CFF}'
            | '\u{A800}'..='\u{AAFF}'
            | '\u{ABC0}'..='\u{ABFF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFE}'
            | '\u{10800}'..='\u{11FFF}'
            | '\u{1E900}'..='\u{1E95F}'
    )
}

/// Pictographs an emoji ZWJ sequence joins: the emoji blocks of the supplementary planes
/// (skin-tone modifiers included), and the arrows, technical symbols, geometric shapes,
/// dingbats and other symbols of the BMP that have emoji forms (`❤`, `⚧`, `↔`, `⬛`). A
/// superset of Unicode's Extended_Pictographic, which is enough: a joiner between two
/// symbols hides nothing.
fn is_pictograph(c: char) -> bool {
    matches!(
        c,
        '\u{A9}'
            | '\u{AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{24C2}'
            | '\u{25A0}'..='\u{27BF}'
            | '\u{2900}'..='\u{297F}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{1F000}'..='\u{1FAFF}'
            | '\u{1FC00}'..='\u{1FFFD}'
    )
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
    use proptest::prelude::*;

    const SCOTLAND: &str = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";
    const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";

    fn borrowed(text: &str) -> bool {
        matches!(sanitize(text), Cow::Borrowed(_))
    }

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
    fn strips_bidi_marks_and_invisible_characters() {
        for c in [
            '\u{200E}', '\u{200F}', '\u{61C}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{2062}',
            '\u{206F}', '\u{3164}', '\u{FFA0}', '\u{FFF9}',
        ] {
            assert!(is_forbidden(c), "U+{:04X}", u32::from(c));
            assert_eq!(
                sanitize(&format!("{c}pay{c}pal{c}")),
                "paypal",
                "U+{:04X}",
                u32::from(c)
            );
            assert_eq!(
                sanitize(&format!("한{c}글")),
                "한글",
                "U+{:04X}",
                u32::from(c)
            );
        }
        assert!(is_blank(&sanitize("\u{3164}\u{3164} \u{200B}")));
    }

    #[test]
    fn keeps_neighbours_of_forbidden_ranges() {
        let kept = "\u{A0}\u{A9}\u{61B}\u{61D}\u{200A}\u{2010}\u{2027}\u{202F}\u{2065}\
                    \u{2070}\u{20AC}\u{3163}\u{3165}\u{FEFE}\u{FF9F}\u{FFA1}\u{FFFC}\u{FFFD}";
        assert!(borrowed(kept));
    }

    #[test]
    fn removed_at_any_offset() {
        for c in [
            '\0',
            '\t',
            '\x1f',
            '\x7f',
            '\u{85}',
            '\u{2028}',
            '\u{202E}',
            '\u{2069}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{E0041}',
            '\u{200D}',
        ] {
            let instead = if c == '\t' { " " } else { "" };
            for pad in 0..20 {
                let (x, y) = ("x".repeat(pad), "y".repeat(20 - pad));
                let text = format!("{x}{c}{y}");
                assert_eq!(sanitize(&text), format!("{x}{instead}{y}"), "{c:?}@{pad}");
                let mixed = format!("한{x}{c}");
                let expected = format!("한{x}{instead}");
                assert_eq!(sanitize(&mixed), expected, "{c:?}@{pad}");
            }
        }
    }

    #[test]
    fn keeps_korean_and_emoji() {
        let text = "안녕하세요 👋🏽 👨‍👩‍👧 e\u{301}";
        assert_eq!(sanitize(text), text);
        assert_eq!(sanitize(&format!("\x1b{text}\u{202E}")), text);
    }

    #[test]
    fn emoji_zwj_sequences_stay_whole() {
        for emoji in [
            FAMILY,
            "\u{1F469}\u{1F3FD}\u{200D}\u{1F4BB}", // woman technologist, medium skin
            "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",  // rainbow flag
            "\u{2764}\u{FE0F}\u{200D}\u{1F525}",   // heart on fire
            "\u{1F642}\u{200D}\u{2194}\u{FE0F}",   // head shaking horizontally
            "\u{1F408}\u{200D}\u{2B1B}",           // black cat
            "\u{1F441}\u{FE0F}\u{200D}\u{1F5E8}\u{FE0F}", // eye in speech bubble
            "\u{1F9D1}\u{200D}\u{1F91D}\u{200D}\u{1F9D1}", // people holding hands
        ] {
            let line = format!("look {emoji} here");
            assert!(borrowed(&line), "{emoji}");
        }
    }

    #[test]
    fn a_joiner_between_other_characters_is_removed() {
        assert_eq!(sanitize("a\u{200D}b"), "ab");
        assert_eq!(sanitize("a\u{200C}b"), "ab");
        assert_eq!(sanitize("\u{200D}\u{1F469}"), "\u{1F469}");
        assert_eq!(sanitize("\u{1F469}\u{200D}"), "\u{1F469}");
        assert_eq!(sanitize("\u{1F469}\u{200D} "), "\u{1F469} ");
        assert_eq!(sanitize("\u{1F469}\u{200D}x"), "\u{1F469}x");
        // Only a ZWJ joins emoji; a ZWNJ between them does nothing.
        assert_eq!(sanitize("\u{1F468}\u{200C}\u{1F469}"), "\u{1F468}\u{1F469}");
        // One joiner at most between two characters.
        assert_eq!(
            sanitize("\u{1F468}\u{200D}\u{200D}\u{1F469}"),
            "\u{1F468}\u{200D}\u{1F469}"
        );
        assert_eq!(
            sanitize("\u{915}\u{200C}\u{200D}\u{937}"),
            "\u{915}\u{200C}\u{937}"
        );
        // Removed characters count as never there.
        assert_eq!(
            sanitize("\u{1F468}\u{200D}\u{200B}\u{1F469}"),
            "\u{1F468}\u{200D}\u{1F469}"
        );
        assert_eq!(sanitize("a\u{200B}\u{200D}\u{200B}b"), "ab");
        assert_eq!(
            sanitize("\u{1F468}\u{200B}\u{200D}\u{1F469}"),
            "\u{1F468}\u{200D}\u{1F469}"
        );
        // Between scripts that use joiners and one that does not.
        assert_eq!(sanitize("\u{915}\u{94D}\u{200D}x"), "\u{915}\u{94D}x");
        assert_eq!(sanitize("\u{62F}\u{200C}\u{1F469}"), "\u{62F}\u{1F469}");
    }

    #[test]
    fn joiners_that_shape_indic_and_arabic_letters_stay() {
        for text in [
            "\u{915}\u{94D}\u{200D}\u{937}", // Devanagari half KA + SSA
            "\u{930}\u{94D}\u{200D}\u{92F}", // eyelash RA
            "\u{915}\u{94D}\u{200C}\u{937}", // explicit virama, no conjunct
            "\u{D28}\u{D4D}\u{200D}",        // Malayalam chillu: a joiner at the end goes
            "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}", // Persian mi-khaham
            "\u{DC1}\u{DCA}\u{200D}\u{DBB}\u{DD3}", // Sinhala sri (rakaaraansaya)
        ] {
            let expected = text.trim_end_matches('\u{200D}');
            assert_eq!(sanitize(text), expected, "{text:?}");
        }
        assert!(borrowed(
            "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645} x"
        ));
    }

    #[test]
    fn a_joiner_before_a_mark_is_removed() {
        // Found by the property below: a joiner kept before the virama and another after it
        // made two joiners in one cluster.
        let out = sanitize("\u{915}\u{200C}\u{94D}\u{200C}\u{915}");
        assert_eq!(out, "\u{915}\u{94D}\u{200C}\u{915}");
        assert_clean(&out);
    }

    #[test]
    fn flag_tag_sequences_stay_and_other_tags_go() {
        let wales = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}";
        for flag in [SCOTLAND, wales] {
            let line = format!("go {flag}!");
            assert!(borrowed(&line), "{line:?}");
        }
        // Tags hidden after ordinary text: the old "ASCII smuggling" trick.
        assert_eq!(sanitize("hi\u{E0068}\u{E0069}\u{E007F} there"), "hi there");
        assert_eq!(sanitize("\u{E007F}"), "");
        // Not a valid sequence: no CANCEL TAG, a capital tag letter, too short, too long,
        // something between the flag and its tags.
        let tags = "\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}";
        for bad in [
            format!("\u{1F3F4}{tags}"),
            "\u{1F3F4}\u{E0047}\u{E0042}\u{E0053}\u{E007F}".to_owned(),
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E007F}".to_owned(),
            format!("\u{1F3F4}{tags}{tags}\u{E007F}"),
            format!("\u{1F3F4}\u{200B}{tags}\u{E007F}"),
            format!("\u{1F3F4}\x07{tags}\u{E007F}"),
            format!("\u{1F3F3}{tags}\u{E007F}"),
        ] {
            let flag = if bad.starts_with('\u{1F3F3}') {
                "\u{1F3F3}"
            } else {
                "\u{1F3F4}"
            };
            assert_eq!(sanitize(&bad), flag, "{bad:?}");
        }
        // A flag can end an emoji ZWJ sequence.
        assert!(borrowed(&format!("\u{1F468}\u{200D}{SCOTLAND}")));
    }

    #[test]
    fn combining_marks_past_the_fourth_are_removed() {
        let zalgo = format!("e{}", "\u{301}".repeat(300));
        assert_eq!(sanitize(&zalgo), format!("e{}", "\u{301}".repeat(4)));
        let four = format!("a{}b", "\u{300}\u{301}\u{302}\u{303}");
        assert!(borrowed(&four));
        let five = format!("a{}\u{304}b", "\u{300}\u{301}\u{302}\u{303}");
        assert_eq!(sanitize(&five), four);
        // Each base character gets its own four, a space included.
        let marks = "\u{301}".repeat(6);
        let four = "\u{301}".repeat(4);
        assert_eq!(
            sanitize(&format!("a{marks} {marks}b{marks}")),
            format!("a{four} {four}b{four}")
        );
        // Marks at the start have no base but the same limit.
        assert_eq!(sanitize(&marks), four);
        // Removed characters and joiners between marks do not start a new count.
        let split = format!("a{four}\u{200B}{four}\u{200D}{four}");
        assert_eq!(sanitize(&split), format!("a{four}"));
        // Enclosing and spacing marks count too.
        assert_eq!(
            sanitize(&format!("1{}", "\u{20DD}".repeat(9))),
            format!("1{}", "\u{20DD}".repeat(4))
        );
        // Real text is never cut: Vietnamese, Devanagari, Thai, a keycap, Hebrew with points.
        for text in [
            "Vie\u{323}\u{302}t",
            "\u{915}\u{94D}\u{937}\u{93F} \u{928}\u{92E}\u{938}\u{94D}\u{924}\u{947}",
            "\u{E01}\u{E34}\u{E48}\u{E07}",
            "1\u{FE0F}\u{20E3}",
            "\u{5E9}\u{5C1}\u{5B8}\u{5DC}\u{5D5}\u{5B9}\u{5DD}",
        ] {
            assert!(borrowed(text), "{text:?}");
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(borrowed("hello, world  "));
        assert!(borrowed(""));
        assert!(borrowed("안녕하세요, 世界 नमस्ते مرحبا"));
        assert!(matches!(sanitize("a\tb"), Cow::Owned(_)));
    }

    #[test]
    fn blank_detection() {
        assert!(is_blank(""));
        assert!(is_blank("   "));
        assert!(is_blank(&sanitize("\x1b\x07 ")));
        assert!(is_blank(&sanitize("\t\u{202E}")));
        assert!(is_blank(&sanitize("\u{200B}\u{FEFF}\u{200D}")));
        assert!(is_blank("\u{3000}\u{a0} "));
        assert!(!is_blank(" x "));
    }

    #[test]
    fn mark_bitmap_matches_the_unicode_table() {
        for c in (0..=0x2_0000).filter_map(char::from_u32) {
            assert_eq!(is_mark(c), is_combining_mark(c), "U+{:04X}", u32::from(c));
        }
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
    fn every_character_between_two_letters() {
        let planes = (0..=0x3400u32)
            .chain(0xFB00..=0x1_0000)
            .chain(0x1_F000..=0x1_FB00)
            .chain(0xE_0000..=0xE_0200);
        for cp in planes {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let text = format!("a{c}b{c}");
            let out = sanitize(&text);
            let removed =
                is_forbidden(c) || matches!(c, '\u{200C}' | '\u{200D}' | '\u{E0000}'..='\u{E007F}');
            let expected = match c {
                '\t' => "a b ".to_owned(),
                _ if removed => "ab".to_owned(),
                _ => text.clone(),
            };
            assert_eq!(out, expected, "U+{cp:04X}");
            assert_eq!(matches!(out, Cow::Owned(_)), out != text, "U+{cp:04X}");
        }
    }

    /// Checks the output's promises without the sanitiser's own state machine.
    fn assert_clean(out: &str) {
        let chars: Vec<char> = out.chars().collect();
        let mut marks = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            assert!(!is_forbidden(c) && c != '\t', "{c:?} in {out:?}");
            if c == BLACK_FLAG
                && let Some(end) = flag_tags_end(
                    out,
                    out.char_indices()
                        .nth(i + 1)
                        .map_or(out.len(), |(at, _)| at),
                )
            {
                let tags = out[..end].chars().count() - i - 1;
                i += 1 + tags;
                marks = 0;
                continue;
            }
            assert!(
                !matches!(c, '\u{E0000}'..='\u{E007F}'),
                "stray tag in {out:?}"
            );
            if matches!(c, ZWJ | ZWNJ) {
                let base = chars[..i].iter().rev().find(|&&p| !is_mark(p)).copied();
                let next = chars.get(i + 1).copied();
                let (Some(base), Some(next)) = (base, next) else {
                    panic!("joiner at an end of {out:?}");
                };
                let shaping = shapes_with_joiners(base) && shapes_with_joiners(next);
                let emoji = c == ZWJ && is_pictograph(base) && is_pictograph(next);
                assert!(shaping || emoji, "joiner between {base:?} and {next:?}");
            } else if is_mark(c) {
                marks += 1;
                assert!(marks <= MAX_MARKS, "{marks} marks in {out:?}");
            } else {
                marks = 0;
            }
            i += 1;
        }
    }

    /// Characters that exercise every rule, for the properties below.
    const ALPHABET: &[char] = &[
        'a',
        'b',
        ' ',
        '\t',
        '\x1b',
        '\x7f',
        '\u{85}',
        '\u{301}',
        '\u{323}',
        '\u{20DD}',
        '\u{FE0F}',
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{200E}',
        '\u{202E}',
        '\u{2066}',
        '\u{FEFF}',
        '\u{2028}',
        '\u{915}',
        '\u{937}',
        '\u{94D}',
        '\u{93F}',
        '\u{62F}',
        '\u{E01}',
        '\u{E48}',
        '한',
        '글',
        '\u{1F468}',
        '\u{1F469}',
        '\u{1F3FD}',
        '\u{2764}',
        BLACK_FLAG,
        '\u{E0067}',
        '\u{E0062}',
        '\u{E0073}',
        '\u{E0041}',
        CANCEL_TAG,
    ];

    fn text() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            4 => prop::sample::select(ALPHABET),
            1 => any::<char>(),
        ];
        prop::collection::vec(c, 0..48).prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn output_is_clean_idempotent_and_never_longer(text in text()) {
            let once = sanitize(&text);
            assert_clean(&once);
            prop_assert!(once.len() <= text.len());
            prop_assert_eq!(matches!(once, Cow::Borrowed(_)), once == text);
            let twice = sanitize(&once);
            prop_assert!(matches!(twice, Cow::Borrowed(_)), "{:?} -> {:?} -> {:?}", text, once, twice);
        }

        #[test]
        fn clean_pieces_survive_dirty_neighbours(
            head in "[a-z ]{0,9}",
            tail in "[a-z ]{0,9}",
            dirt in prop::collection::vec(prop::sample::select(ALPHABET), 0..6),
        ) {
            // Whatever is put between two clean ASCII pieces, both come out untouched.
            let dirt: String = dirt.into_iter().collect();
            let text = format!("{head}{dirt}{tail}");
            let out = sanitize(&text);
            prop_assert!(out.starts_with(&head), "{:?}", out);
            prop_assert!(out.ends_with(&tail), "{:?}", out);
        }
    }
}
