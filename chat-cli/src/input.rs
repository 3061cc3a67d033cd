//! The input line editor: text, a cursor on grapheme boundaries, and what part of the line
//! fits the screen. Pure; the terminal code maps keys onto these methods.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Most bytes the editor holds. Longer than one server line (4096 bytes): a long line is
/// sent as several (`wire::split_long`), never cut.
pub(crate) const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The columns a grapheme may take on a terminal: its Unicode width, or, for a cluster
/// terminals disagree on (regional-indicator flags, ZWJ sequences, emoji with a variation
/// selector), the width of its characters drawn one by one (a regional indicator as 2), when
/// that is more. Counting high only leaves blank cells; counting low would push text past
/// the edge.
pub(crate) fn cell_width(g: &str) -> usize {
    if !has_disputed_width(g) {
        return g.width();
    }
    let apart: usize = g
        .chars()
        .map(|c| match c {
            '\u{1F1E6}'..='\u{1F1FF}' => 2,
            c => unicode_width::UnicodeWidthChar::width(c).unwrap_or(0),
        })
        .sum();
    apart.max(g.width())
}

/// Whether `s` holds a character that makes terminals disagree on a cluster's width: a
/// regional indicator (flags), a zero-width joiner or an emoji variation selector.
pub(crate) fn has_disputed_width(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{1F1E6}'..='\u{1F1FF}' | '\u{200D}' | '\u{FE0F}'))
}

/// An editable line. The cursor is a byte offset that always sits on a grapheme boundary, so
/// `e` + combining accent, a Hangul syllable or a ZWJ emoji moves and deletes as one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineEditor {
    /// The line typed so far.
    text: String,
    /// Byte offset of the cursor in `text`.
    cursor: usize,
}

impl LineEditor {
    /// The line typed so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// True when nothing is typed.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the whole line (history recall); the cursor goes to the end.
    pub(crate) fn set(&mut self, text: &str) {
        self.text.clear();
        self.cursor = 0;
        let _ = self.insert_str(text);
    }

    /// Takes the line out (Enter), leaving the editor empty.
    pub(crate) fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// Inserts text at the cursor (a paste), as one line, since one line is one message: each
    /// line break (CR, LF or CR LF; terminals paste them as CR) and each tab becomes one
    /// space, and other control characters vanish; past [`MAX_INPUT_BYTES`] the rest is
    /// dropped, and then it returns false.
    pub(crate) fn insert_str(&mut self, s: &str) -> bool {
        let fits = self.text.len() + s.len() <= MAX_INPUT_BYTES;
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    // CR LF is one break, not two.
                    chars.next_if_eq(&'\n');
                    self.insert(' ');
                }
                '\n' | '\t' => self.insert(' '),
                c => self.insert(c),
            }
        }
        fits
    }

    /// Inserts one character at the cursor (controls are ignored).
    pub(crate) fn insert(&mut self, c: char) {
        if c.is_control() || self.text.len() + c.len_utf8() > MAX_INPUT_BYTES {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        // A combining mark joins the grapheme before it; keep the cursor on a boundary.
        self.cursor = self.boundary_at_or_after(self.cursor);
    }

    /// Deletes the grapheme before the cursor (Backspace).
    pub(crate) fn backspace(&mut self) {
        let start = self.prev_boundary();
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Deletes the grapheme under the cursor (Delete).
    pub(crate) fn delete(&mut self) {
        let end = self.next_boundary();
        self.text.replace_range(self.cursor..end, "");
    }

    /// Moves one grapheme left.
    pub(crate) fn left(&mut self) {
        self.cursor = self.prev_boundary();
    }

    /// Moves one grapheme right.
    pub(crate) fn right(&mut self) {
        self.cursor = self.next_boundary();
    }

    /// Moves to the start of the line.
    pub(crate) fn home(&mut self) {
        self.cursor = 0;
    }

    /// Moves to the end of the line.
    pub(crate) fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Moves to the start of the previous word.
    pub(crate) fn word_left(&mut self) {
        self.cursor = self.word_start_before();
    }

    /// Moves past the end of the next word.
    pub(crate) fn word_right(&mut self) {
        let rest = &self.text[self.cursor..];
        let skipped = rest.len() - rest.trim_start_matches(' ').len();
        let word = rest[skipped..].find(' ').unwrap_or(rest.len() - skipped);
        self.cursor += skipped + word;
    }

    /// Deletes the word before the cursor (Ctrl-W).
    pub(crate) fn delete_word_before(&mut self) {
        let start = self.word_start_before();
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Deletes from the line start to the cursor (Ctrl-U).
    pub(crate) fn delete_to_start(&mut self) {
        self.text.replace_range(..self.cursor, "");
        self.cursor = 0;
    }

    /// Deletes from the cursor to the line end (Ctrl-K).
    pub(crate) fn delete_to_end(&mut self) {
        self.text.truncate(self.cursor);
    }

    /// The part of the line to draw in `width` columns and the cursor's column in it.
    ///
    /// The view scrolls horizontally so the cursor is always visible, keeping a quarter of
    /// the width of context before it when the line is longer than the field; a wide
    /// character that would straddle the edge is left out rather than cut. Widths are
    /// [`cell_width`]'s, which never undercounts what a terminal may draw.
    pub(crate) fn view(&self, width: usize) -> (&str, usize) {
        let (start, end) = self.view_range(width);
        let col = self.text[start..self.cursor.max(start)]
            .graphemes(true)
            .map(cell_width)
            .sum();
        (&self.text[start..end], col)
    }

    /// [`LineEditor::view`] split at the cursor: what is drawn before it and after it, so
    /// the terminal itself can put the cursor after the first part, whatever width it
    /// gives each character.
    pub(crate) fn view_parts(&self, width: usize) -> (&str, &str) {
        let (start, end) = self.view_range(width);
        let at = self.cursor.clamp(start, end);
        (&self.text[start..at], &self.text[at..end])
    }

    fn view_range(&self, width: usize) -> (usize, usize) {
        if width == 0 {
            return (self.cursor, self.cursor);
        }
        let before = &self.text[..self.cursor];
        let cursor_col: usize = before.graphemes(true).map(cell_width).sum();
        // Start as late as needed for the cursor (and a cell after it) to fit.
        let mut start = 0;
        if cursor_col + 1 > width {
            let keep = (width * 3 / 4).max(1);
            let mut col = cursor_col;
            start = self.cursor;
            for (i, g) in before.grapheme_indices(true).rev() {
                let w = cell_width(g);
                if cursor_col - (col - w) >= keep {
                    break;
                }
                col -= w;
                start = i;
            }
        }
        let mut end = start;
        let mut used = 0;
        for (i, g) in self.text[start..].grapheme_indices(true) {
            let w = cell_width(g);
            if used + w > width {
                break;
            }
            used += w;
            end = start + i + g.len();
        }
        (start, end)
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(self.cursor, |g| self.cursor + g.len())
    }

    fn boundary_at_or_after(&self, at: usize) -> usize {
        // Only the graphemes around `at` can change when a character is inserted there, so
        // segment from two graphemes back instead of from the start (a 4 KB paste stays
        // linear).
        let back = |end: usize| {
            self.text[..end]
                .grapheme_indices(true)
                .next_back()
                .map_or(0, |(i, _)| i)
        };
        let mut pos = back(back(at));
        for g in self.text[pos..].graphemes(true) {
            if pos >= at {
                return pos;
            }
            pos += g.len();
        }
        self.text.len()
    }

    fn word_start_before(&self) -> usize {
        let before = self.text[..self.cursor].trim_end_matches(' ');
        before.rfind(' ').map_or(0, |i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineEditor {
        let mut e = LineEditor::default();
        let _ = e.insert_str(s);
        e
    }

    #[test]
    fn insert_move_and_delete() {
        let mut e = typed("helo");
        e.left();
        e.insert('l');
        assert_eq!(e.text(), "hello");
        e.home();
        e.delete();
        e.insert('H');
        e.end();
        e.insert('!');
        assert_eq!(e.text(), "Hello!");
        e.backspace();
        e.backspace();
        assert_eq!(e.text(), "Hell");
        e.home();
        e.backspace();
        e.end();
        e.delete();
        assert_eq!(e.text(), "Hell");
        assert_eq!(e.take(), "Hell");
        assert!(e.is_empty());
        e.backspace();
        e.left();
        e.right();
        assert_eq!(e.view(10), ("", 0));
    }

    #[test]
    fn korean_and_emoji_move_as_one() {
        let mut e = typed("안녕👨‍👩‍👧e\u{301}");
        e.backspace();
        assert_eq!(e.text(), "안녕👨‍👩‍👧");
        e.backspace();
        assert_eq!(e.text(), "안녕");
        e.left();
        e.insert('a');
        assert_eq!(e.text(), "안a녕");
        e.right();
        e.right();
        e.insert('!');
        assert_eq!(e.text(), "안a녕!");
    }

    #[test]
    fn combining_mark_joins_the_previous_grapheme() {
        let mut e = typed("e");
        e.insert('\u{301}');
        e.left();
        assert_eq!(e.view(10).1, 0);
        e.delete();
        assert!(e.is_empty());
    }

    #[test]
    fn words_and_kills() {
        let mut e = typed("one two  three");
        e.word_left();
        assert_eq!(e.view(40).1, 9);
        e.word_left();
        assert_eq!(e.view(40).1, 4);
        e.word_right();
        assert_eq!(e.view(40).1, 7);
        e.delete_to_end();
        assert_eq!(e.text(), "one two");
        e.delete_word_before();
        assert_eq!(e.text(), "one ");
        assert!(e.insert_str("x y"));
        e.left();
        e.delete_to_start();
        assert_eq!(e.text(), "y");
        e.end();
        e.delete_word_before();
        e.delete_word_before();
        assert!(e.is_empty());
    }

    #[test]
    fn paste_is_one_line() {
        let e = typed("a\r\nb\tc\x1bd");
        assert_eq!(e.text(), "a b cd");
    }

    #[test]
    fn pasted_line_breaks_become_one_space_each() {
        assert_eq!(typed("line one\rline two").text(), "line one line two");
        assert_eq!(typed("line one\nline two").text(), "line one line two");
        assert_eq!(typed("line one\r\nline two").text(), "line one line two");
        // Two breaks (a blank line) are two spaces, whatever the line ending.
        assert_eq!(typed("a\r\rb").text(), "a  b");
        assert_eq!(typed("a\n\nb").text(), "a  b");
        assert_eq!(typed("a\r\n\r\nb").text(), "a  b");
        assert_eq!(typed("a\n\rb").text(), "a  b");
        assert_eq!(typed("\rx\r").text(), " x ");
    }

    #[test]
    fn a_paste_goes_in_at_the_cursor() {
        let mut e = typed("ac");
        e.left();
        assert!(e.insert_str("1\r2\r\n3"));
        assert_eq!(e.text(), "a1 2 3c");
        e.insert('!');
        assert_eq!(e.text(), "a1 2 3!c");
    }

    #[test]
    fn length_is_capped() {
        let mut e = LineEditor::default();
        assert!(!e.insert_str(&"x".repeat(MAX_INPUT_BYTES + 10)));
        assert_eq!(e.text().len(), MAX_INPUT_BYTES);
        e.backspace();
        e.insert('가');
        assert_eq!(e.text().len(), MAX_INPUT_BYTES - 1);
    }

    #[test]
    fn set_replaces_and_moves_to_end() {
        let mut e = typed("abc");
        e.home();
        e.set("xyz");
        e.insert('!');
        assert_eq!(e.text(), "xyz!");
    }

    #[test]
    fn view_counts_wide_characters() {
        let e = typed("가나다");
        assert_eq!(e.view(10), ("가나다", 6));
        let mut e = typed("ab");
        e.home();
        e.right();
        assert_eq!(e.view(10), ("ab", 1));
    }

    #[test]
    fn view_scrolls_to_keep_the_cursor_visible() {
        let e = typed("0123456789abcdef");
        let (shown, col) = e.view(8);
        assert!(shown.ends_with('f'), "{shown}");
        assert_eq!(col, shown.len());
        assert!(col < 8);
        let mut e = e;
        e.home();
        assert_eq!(e.view(8), ("01234567", 0));
    }

    #[test]
    fn view_never_cuts_a_wide_character() {
        let mut e = typed("가나다라마바사");
        for _ in 0..7 {
            let (shown, col) = e.view(5);
            assert!(shown.width() <= 5, "{shown}");
            assert!(col < 5, "{col}");
            e.left();
        }
        let (shown, col) = e.view(5);
        assert_eq!((shown, col), ("가나", 0));
    }

    #[test]
    fn clusters_terminals_disagree_on_count_high() {
        assert_eq!(cell_width("a"), 1);
        assert_eq!(cell_width("가"), 2);
        assert_eq!(cell_width("🇰🇷"), 4);
        assert_eq!(cell_width("👨\u{200D}👩\u{200D}👧"), 6);
        let e = typed("a🇰🇷b");
        assert_eq!(e.view(20), ("a🇰🇷b", 6));
        assert_eq!(e.view_parts(20), ("a🇰🇷b", ""));
        let mut e = e;
        e.left();
        e.left();
        assert_eq!(e.view_parts(20), ("a", "🇰🇷b"));
        // A field too narrow for the flag and the cursor: the flag is left out, not cut.
        let e = typed("🇰🇷🇯🇵");
        assert_eq!(e.view(8), ("🇯🇵", 4));
    }
}
