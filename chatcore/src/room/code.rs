//! The participation code: `/code` (admin) and the check on `/join`. The code is never
//! logged, listed or broadcast, and compared in constant time.

use unicode_normalization::UnicodeNormalization;

use super::Room;
use crate::io::{ClientId, Now};
use crate::log::Event;
use crate::reply::Reply;

/// Shortest and longest code, in Unicode scalar values.
const CODE_CHARS: core::ops::RangeInclusive<usize> = 4..=32;

impl Room {
    /// `/code [CODE]`: sets the code (admin only), or clears it.
    pub(super) fn set_code(&mut self, now: Now, id: ClientId, code: Option<&str>) {
        if self.admin() != Some(id) {
            return self.only_admin(now, id);
        }
        let Some(nick) = self.nickname(id).cloned() else {
            return;
        };
        match code {
            None => {
                self.code = None;
                self.persist(crate::persist::Change::CodeSet {
                    room: self.name.clone(),
                    code: None,
                });
                self.log(now, Event::Code { nick, set: false });
                self.reply(id, Reply::CodeCleared);
            }
            Some(code) => {
                let Some(code) = valid_code(code) else {
                    // The reason never echoes the code.
                    return self.reject(now, id, Reply::BadCode);
                };
                self.persist(crate::persist::Change::CodeSet {
                    room: self.name.clone(),
                    code: Some(code.clone()),
                });
                self.code = Some(code);
                self.log(now, Event::Code { nick, set: true });
                let name = self.name.clone();
                let room = (&name).into();
                self.reply(id, Reply::CodeSet { room });
            }
        }
    }

    /// Sets the code of a room being created (already validated).
    pub(crate) fn init_code(&mut self, code: String) {
        self.code = Some(code);
    }

    /// Whether `given` lets one enter: always without a code, else it must match,
    /// compared in constant time.
    pub(crate) fn code_matches(&self, given: Option<&str>) -> bool {
        match (&self.code, given) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(code), Some(given)) => {
                let given: String = given.nfc().collect();
                constant_time_eq(code.as_bytes(), given.as_bytes())
            }
        }
    }
}

/// The code in NFC if it is 4-32 visible characters (no spaces), else `None`. Called on
/// sanitised text, so control and bidi characters are already gone.
pub(crate) fn valid_code(code: &str) -> Option<String> {
    let code: String = code.nfc().collect();
    let n = code.chars().count();
    (CODE_CHARS.contains(&n) && !code.chars().any(char::is_whitespace)).then_some(code)
}

/// Compares without an early exit, so the time taken does not tell how much of a guess
/// was right (the length of the stored code may show; it is at most 32 characters).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        diff |= usize::from(x ^ y);
    }
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_to_thirty_two_visible_characters() {
        assert_eq!(valid_code("abc"), None);
        assert_eq!(valid_code("abcd").as_deref(), Some("abcd"));
        assert_eq!(valid_code("비밀번호").as_deref(), Some("비밀번호"));
        assert_eq!(valid_code(&"x".repeat(33)), None);
        assert_eq!(valid_code("ab cd"), None);
    }

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(!constant_time_eq(b"s3cret", b"s3cret\0"));
        assert!(!constant_time_eq(b"s3cret", b"S3cret"));
    }
}
