//! Up/Down recall of lines sent earlier, shell style: the line being typed is kept as a draft
//! and comes back after the newest entry.

use std::collections::VecDeque;

/// Lines kept for recall.
const MAX_ENTRIES: usize = 500;

/// Sent lines, oldest first, and where Up/Down has got to.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Sent lines, oldest first; consecutive duplicates are stored once.
    entries: VecDeque<String>,
    /// Index into `entries` while browsing; `None` while editing the draft.
    pos: Option<usize>,
    /// What was typed before the first Up, restored after Down past the newest entry.
    draft: String,
}

impl History {
    /// Records a sent line and stops browsing.
    pub(crate) fn push(&mut self, line: &str) {
        self.pos = None;
        self.draft.clear();
        if line.trim().is_empty() || self.entries.back().is_some_and(|l| l == line) {
            return;
        }
        if self.entries.len() == MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(line.to_owned());
    }

    /// The older entry to show for Up, given the line currently in the editor; `None` when
    /// there is nothing older (the editor keeps its line).
    pub(crate) fn up(&mut self, current: &str) -> Option<&str> {
        let next = match self.pos {
            None => {
                self.draft = current.to_owned();
                self.entries.len().checked_sub(1)?
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.pos = Some(next);
        self.entries.get(next).map(String::as_str)
    }

    /// The newer entry to show for Down, or the draft after the newest; `None` when not
    /// browsing.
    pub(crate) fn down(&mut self) -> Option<&str> {
        let i = self.pos?;
        if i + 1 < self.entries.len() {
            self.pos = Some(i + 1);
            self.entries.get(i + 1).map(String::as_str)
        } else {
            self.pos = None;
            Some(&self.draft)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browse_back_and_forth_keeping_the_draft() {
        let mut h = History::default();
        h.push("one");
        h.push("two");
        assert_eq!(h.up("dra"), Some("two"));
        assert_eq!(h.up("two"), Some("one"));
        assert_eq!(h.up("one"), None);
        assert_eq!(h.down(), Some("two"));
        assert_eq!(h.down(), Some("dra"));
        assert_eq!(h.down(), None);
        assert_eq!(h.up(""), Some("two"));
    }

    #[test]
    fn empty_history_recalls_nothing() {
        let mut h = History::default();
        assert_eq!(h.up("x"), None);
        assert_eq!(h.down(), None);
    }

    #[test]
    fn duplicates_and_blanks_are_not_stored() {
        let mut h = History::default();
        h.push("a");
        h.push("a");
        h.push("  ");
        h.push("b");
        h.push("a");
        assert_eq!(h.up(""), Some("a"));
        assert_eq!(h.up(""), Some("b"));
        assert_eq!(h.up(""), Some("a"));
        assert_eq!(h.up(""), None);
    }

    #[test]
    fn push_stops_browsing() {
        let mut h = History::default();
        h.push("a");
        h.push("b");
        assert_eq!(h.up(""), Some("b"));
        h.push("c");
        assert_eq!(h.down(), None);
        assert_eq!(h.up(""), Some("c"));
    }

    #[test]
    fn oldest_entries_are_dropped() {
        let mut h = History::default();
        for i in 0..MAX_ENTRIES + 5 {
            h.push(&i.to_string());
        }
        let mut oldest = None;
        while let Some(line) = h.up("") {
            oldest = Some(line.to_owned());
        }
        assert_eq!(oldest.as_deref(), Some("5"));
    }
}
