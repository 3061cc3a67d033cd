//! Room names: the nickname rules (PROTOCOL.md §2.2) with a longer limit, and the same
//! look-alike-aware key, so `Lobby` and `lobby` are one room.

use std::fmt;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;

use crate::nickname::{self, NickKey};

/// Maximum number of Unicode scalar values in a room name, counted after NFC.
pub const MAX_CHARS: usize = 32;

/// Maximum number of UTF-8 bytes in a room name, counted after NFC.
pub const MAX_BYTES: usize = 128;

/// Raw inputs above this are refused before normalising (see the nickname rules).
const MAX_RAW_BYTES: usize = 512;

/// A validated, NFC-normalised room name with its key computed once. Cheap to clone.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoomName {
    name: Arc<str>,
    key: NickKey,
}

/// Why a candidate room name was refused. `Display` gives the user-facing sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoomNameError {
    /// More than [`MAX_CHARS`] scalar values or [`MAX_BYTES`] bytes after NFC, or empty.
    Length,
    /// A character other than a letter, digit, `_`, `-` or `.`, or a leading `.` or `-`.
    InvalidChars,
    /// Scripts mixed beyond what TR39's "Highly Restrictive" level allows.
    MixedScript,
}

impl fmt::Display for RoomNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomNameError::Length => {
                f.write_str("Room names are 1-32 characters (at most 128 bytes).")
            }
            RoomNameError::InvalidChars => {
                f.write_str("Room names are letters, digits, _ - or . (not starting with . or -).")
            }
            RoomNameError::MixedScript => {
                f.write_str("Room name mixes scripts that look alike (such as Latin and Cyrillic).")
            }
        }
    }
}

impl std::error::Error for RoomNameError {}

impl RoomName {
    /// Validates and normalises a candidate room name (already trimmed).
    pub fn parse(candidate: &str) -> Result<RoomName, RoomNameError> {
        if candidate.is_empty() || candidate.len() > MAX_RAW_BYTES {
            return Err(RoomNameError::Length);
        }
        let nfc: String = candidate.nfc().collect();
        if nfc.chars().count() > MAX_CHARS || nfc.len() > MAX_BYTES {
            return Err(RoomNameError::Length);
        }
        if !nickname::valid_chars(&nfc) {
            return Err(RoomNameError::InvalidChars);
        }
        if !nickname::highly_restrictive(&nfc) {
            return Err(RoomNameError::MixedScript);
        }
        let key = nickname::key_of(&nfc);
        Ok(RoomName {
            name: nfc.into(),
            key,
        })
    }

    /// The name as stored, in NFC.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The key two names are one room by (the nickname key's rules).
    pub fn key(&self) -> NickKey {
        self.key.clone()
    }
}

impl fmt::Display for RoomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for RoomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.name, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_nickname_rules_with_a_longer_limit() {
        assert_eq!(
            RoomName::parse("개발").map(|r| r.to_string()),
            Ok("개발".into())
        );
        assert!(RoomName::parse(&"a".repeat(32)).is_ok());
        assert_eq!(RoomName::parse(&"a".repeat(33)), Err(RoomNameError::Length));
        assert_eq!(RoomName::parse(""), Err(RoomNameError::Length));
        assert_eq!(RoomName::parse("a b"), Err(RoomNameError::InvalidChars));
        assert_eq!(RoomName::parse(".x"), Err(RoomNameError::InvalidChars));
        // Not reserved: `admin` is a fine room name.
        assert!(RoomName::parse("admin").is_ok());
    }

    #[test]
    fn case_and_look_alikes_are_one_room() {
        let key = |s: &str| RoomName::parse(s).map(|r| r.key()).ok();
        assert_eq!(key("Lobby"), key("lobby"));
        assert_eq!(key("AIice"), key("alice"));
        assert_eq!(key("study"), key("ＳＴＵＤＹ"));
    }
}
