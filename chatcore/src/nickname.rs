//! Nickname validation, NFC normalisation and the confusable-aware uniqueness key.

use std::fmt;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;
use unicode_security::mixed_script::AugmentedScriptSet;

/// Maximum number of Unicode scalar values in a nickname, counted after NFC.
pub const MAX_CHARS: usize = 20;

/// Maximum number of UTF-8 bytes in a nickname, counted after NFC.
pub const MAX_BYTES: usize = 64;

/// Raw inputs above this are refused before normalising, so a huge line costs
/// nothing. NFC composition shrinks text by at most about 3x (Hangul jamo), so
/// nothing this long could normalise down to `MAX_BYTES`.
const MAX_RAW_BYTES: usize = 256;

/// Names nobody may take, in any case or look-alike spelling.
const RESERVED: [&str; 3] = ["Server", "admin", "system"];

/// Bounds the fold/skeleton fixed-point loop; real text settles in one or
/// two rounds, and the key must stay cheap whatever the input.
const MAX_KEY_ROUNDS: usize = 4;

/// A validated, NFC-normalised nickname, with its uniqueness key computed once. Cheap to
/// clone.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nickname {
    name: Arc<str>,
    key: NickKey,
}

/// The comparison key of a nickname; two nicknames collide when their keys are equal.
/// Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NickKey(Arc<str>);

/// Why a candidate nickname was refused.
///
/// `Display` gives the user-facing reason sentence, without any sender prefix
/// and without a follow-up prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NickError {
    /// The candidate was the empty string.
    Empty,
    /// More than [`MAX_CHARS`] scalar values or [`MAX_BYTES`] bytes after NFC.
    TooLong,
    /// A character other than a letter, digit, `_`, `-` or `.`, or a leading `.` or `-`.
    InvalidChars,
    /// Scripts mixed beyond what TR39's "Highly Restrictive" level allows.
    MixedScript,
    /// The name matches a reserved name; carries the NFC candidate.
    Reserved(String),
}

impl fmt::Display for NickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NickError::Empty => f.write_str("Nickname must not be empty."),
            NickError::TooLong => {
                f.write_str("Nickname is too long (max 20 characters and 64 bytes).")
            }
            NickError::InvalidChars => f.write_str(
                "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
            ),
            NickError::MixedScript => {
                f.write_str("Nickname mixes scripts that look alike (such as Latin and Cyrillic).")
            }
            // Safe to echo: a reserved candidate already passed the character rules.
            NickError::Reserved(name) => write!(f, "Nickname \"{name}\" is reserved."),
        }
    }
}

impl std::error::Error for NickError {}

impl Nickname {
    /// Validates and normalises a candidate nickname.
    ///
    /// Checks run in this order: empty, too long, characters, mixed script,
    /// reserved. The caller is expected to have trimmed the line already.
    pub fn parse(candidate: &str) -> Result<Nickname, NickError> {
        if candidate.is_empty() {
            return Err(NickError::Empty);
        }
        if candidate.len() > MAX_RAW_BYTES {
            return Err(NickError::TooLong);
        }
        let nfc: String = candidate.nfc().collect();
        if nfc.chars().count() > MAX_CHARS || nfc.len() > MAX_BYTES {
            return Err(NickError::TooLong);
        }
        if !valid_chars(&nfc) {
            return Err(NickError::InvalidChars);
        }
        if !highly_restrictive(&nfc) {
            return Err(NickError::MixedScript);
        }
        let key = key_of(&nfc);
        if RESERVED.iter().any(|reserved| key_of(reserved) == key) {
            return Err(NickError::Reserved(nfc));
        }
        Ok(Nickname {
            name: nfc.into(),
            key,
        })
    }

    /// The nickname as stored, in NFC.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The uniqueness key: NFKC + case folding + combining diacritics removed + confusable
    /// skeleton, of the name in capitals and in small letters.
    pub fn key(&self) -> NickKey {
        self.key.clone()
    }
}

impl fmt::Display for Nickname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for Nickname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.name, f)
    }
}

impl AsRef<str> for Nickname {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

pub(crate) fn valid_chars(name: &str) -> bool {
    let allowed =
        |c: char| (c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) && !default_ignorable(c);
    !name.starts_with(['.', '-']) && name.chars().all(allowed)
}

/// Unicode's `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt, Unicode 15.1):
/// characters a terminal draws as nothing. A few of them are letters (the Hangul fillers
/// U+115F, U+1160, U+3164, U+FFA0), so `is_alphanumeric` alone would let a nickname be
/// invisible.
fn default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// TR39 "Highly Restrictive" on script sets alone.
///
/// `RestrictionLevelDetection` is not used because it reports `Unrestricted`
/// for any character outside TR39's identifier profile (full-width Latin,
/// historic scripts such as Deseret), which would contradict the "letters of
/// any script" rule; the character rules are ours to enforce.
pub(crate) fn highly_restrictive(name: &str) -> bool {
    // `unicode-script` is not re-exported, so Latin is named by a sample letter.
    let latin = AugmentedScriptSet::for_char('a').base;
    let mut all = AugmentedScriptSet::default();
    let mut non_latin = AugmentedScriptSet::default();
    for c in name.chars() {
        let set = AugmentedScriptSet::for_char(c);
        all.intersect_with(set);
        if set.base.intersection(latin).is_empty() {
            non_latin.intersect_with(set);
        }
    }
    // Single script, or Latin plus one of the CJK writing systems (which
    // already include Han and their own kana/Hangul/Bopomofo).
    !all.is_empty() || non_latin.hanb || non_latin.jpan || non_latin.kore
}

/// Full case folding, approximated by upper- then lowercasing: unlike `to_lowercase` alone it
/// folds `ß` and `ẞ` to `ss` and a final `ς` to `σ`, so `Straße`, `STRASSE` and `strasse`,
/// or `ΟΔΟΣ` and `οδοσ`, are one name.
fn fold(s: &str) -> String {
    s.to_uppercase().to_lowercase()
}

/// The key: NFKC (full-width and compatibility forms), case folding, the combining
/// diacritics removed, and the TR39 confusable skeleton taken of the name both in capitals
/// and in small letters, repeated until it settles.
///
/// Both cases matter because many look-alikes exist in one case only: Cyrillic `Т`, `М`,
/// Greek `Β` and Cherokee `Ꮪ` look like Latin capitals while their small letters look like
/// nothing Latin (so `ТОМ` must meet `TOM`, and `том` must meet `ТОМ`), and Cyrillic `у`
/// looks like `y` in small letters only. Taking the skeleton of the capitals first and of
/// the folded result after covers both, at the price of also joining `том` with `tom`
/// (stricter, never looser). The skeleton's prototypes can be capitals (`0` -> `O`), hence
/// the fold after each step.
///
/// Case folding and the skeleton disagree about `I`: as a capital it looks like `l`, as a
/// letter it is `i`. So `AIice` (capital i) looks like `Alice` and `ALICE` is `Alice` in
/// another case: both must collide with `Alice`, which makes `i` and `l` one letter here.
pub(crate) fn key_of(name: &str) -> NickKey {
    let mut current = fold(&name.nfkc().collect::<String>());
    for _ in 0..MAX_KEY_ROUNDS {
        let capitals: String = skeleton(&current.to_uppercase()).collect();
        let next = without_diacritics(&fold(&skeleton(&fold(&capitals)).collect::<String>()));
        if next == current {
            break;
        }
        current = next;
    }
    NickKey(current.replace('i', "l").into())
}

/// The text decomposed (NFD) without its combining diacritics: the marks any alphabet may
/// put on a letter (`é`, `ė`, `ḅ`, `ñ`, `й`), so `Alicė` is `Alice`.
///
/// Marks that belong to one script and spell its sounds stay: Devanagari and Thai vowel
/// signs, viramas and tone marks, Hebrew points, Arabic harakat and the kana voicing
/// marks (`が` is not `か`). Hangul decomposes to jamo, which are letters, not marks.
fn without_diacritics(s: &str) -> String {
    s.nfd().filter(|&c| !is_diacritic(c)).collect()
}

/// The blocks of combining marks shared by the Latin, Greek and Cyrillic alphabets (and
/// any other): Combining Diacritical Marks (and their Extended and Supplement blocks),
/// those for symbols, the half marks, and the Cyrillic combining marks.
fn is_diacritic(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36F}'
            | '\u{483}'..='\u{489}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(s: &str) -> Nickname {
        match Nickname::parse(s) {
            Ok(n) => n,
            Err(e) => panic!("{s:?} should be valid, got {e:?}"),
        }
    }

    fn key(s: &str) -> NickKey {
        parse_ok(s).key()
    }

    #[test]
    fn valid_names() {
        for s in [
            "Alice",
            "개똥이",
            "Kim김",
            "bob_2.0",
            "a-b",
            "abc漢字かな",
            "Ωμέγα",
        ] {
            assert_eq!(parse_ok(s).as_str(), s);
        }
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(Nickname::parse(""), Err(NickError::Empty));
    }

    #[test]
    fn ascii_length_limit() {
        assert_eq!(parse_ok(&"a".repeat(20)).as_str().len(), 20);
        assert_eq!(Nickname::parse(&"a".repeat(21)), Err(NickError::TooLong));
    }

    #[test]
    fn korean_length_limit() {
        assert_eq!(Nickname::parse(&"개".repeat(22)), Err(NickError::TooLong));
        assert_eq!(Nickname::parse(&"개".repeat(21)), Err(NickError::TooLong));
        assert!(Nickname::parse(&"개".repeat(20)).is_ok());
    }

    #[test]
    fn byte_limit_with_four_byte_letters() {
        let deseret = "\u{10400}".repeat(20);
        assert_eq!(deseret.chars().count(), 20);
        assert_eq!(deseret.len(), 80);
        assert_eq!(Nickname::parse(&deseret), Err(NickError::TooLong));
        // 16 of them is exactly 64 bytes: allowed, so the byte rule is what bit above.
        assert!(Nickname::parse(&"\u{10400}".repeat(16)).is_ok());
    }

    #[test]
    fn huge_input_refused_early() {
        assert_eq!(
            Nickname::parse(&" ".repeat(10_000)),
            Err(NickError::TooLong)
        );
    }

    #[test]
    fn length_counted_after_nfc() {
        // 20 decomposed é are 40 scalars raw but 20 after NFC.
        let decomposed = "e\u{301}".repeat(20);
        assert_eq!(parse_ok(&decomposed).as_str(), "é".repeat(20));
    }

    #[test]
    fn invalid_characters() {
        for s in [
            "../x",
            "a/b",
            "..",
            ".hidden",
            "-x",
            "a b",
            "a\u{200B}b",
            "a\u{200C}b",
            "a\u{200D}b",
            "a\u{2060}b",
            "a\u{FEFF}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\tb",
            "[Server]",
        ] {
            assert_eq!(Nickname::parse(s), Err(NickError::InvalidChars), "{s:?}");
        }
    }

    #[test]
    fn reserved_names_refused() {
        for s in ["Server", "server", "ADMIN", "System", "\u{405}erver"] {
            assert!(Nickname::parse(s).is_err(), "{s:?} must be refused");
        }
        assert_eq!(
            Nickname::parse("Server"),
            Err(NickError::Reserved("Server".to_owned()))
        );
        assert_eq!(
            Nickname::parse("ADMIN"),
            Err(NickError::Reserved("ADMIN".to_owned()))
        );
        // Cyrillic Ѕ: caught by the script rule before the reserved check.
        assert_eq!(Nickname::parse("\u{405}erver"), Err(NickError::MixedScript));
    }

    #[test]
    fn capital_i_and_digit_one_look_like_l() {
        let alice = key("Alice");
        for lookalike in ["AIice", "A1ice", "ALICE", "aLiCe", "Al1ce"] {
            assert_eq!(key(lookalike), alice, "{lookalike}");
        }
        assert_ne!(key("Alicia"), alice);
    }

    #[test]
    fn reserved_by_skeleton_lookalike() {
        // The skeleton spells `m` as `rn`, so `systern` reads as `system`.
        assert_eq!(
            Nickname::parse("systern"),
            Err(NickError::Reserved("systern".to_owned()))
        );
        // Only exact key matches are reserved, not prefixes.
        assert!(Nickname::parse("servers").is_ok());
        assert!(Nickname::parse("admin2").is_ok());
    }

    #[test]
    fn cyrillic_a_alice_is_mixed_script() {
        assert_eq!(Nickname::parse("\u{410}lice"), Err(NickError::MixedScript));
    }

    #[test]
    fn mixed_script_rules() {
        assert_eq!(Nickname::parse("pаypal"), Err(NickError::MixedScript));
        assert_eq!(Nickname::parse("Αlpha"), Err(NickError::MixedScript));
        assert!(Nickname::parse("Kim김").is_ok());
        assert!(Nickname::parse("Tanaka田中たなか").is_ok());
        assert!(Nickname::parse("Иван_2").is_ok());
    }

    #[test]
    fn case_and_width_variants_collide() {
        let alice = key("alice");
        assert_eq!(key("Alice"), alice);
        assert_eq!(key("ALICE"), alice);
        // Full-width Latin is alphanumeric and single-script, so it parses.
        assert_eq!(key("\u{FF21}lice"), alice);
        assert_eq!(key("\u{FF21}\u{FF2C}\u{FF29}\u{FF23}\u{FF25}"), alice);
    }

    #[test]
    fn cyrillic_lookalike_key_collides() {
        // Refused at parse, but the key function itself must still fold it.
        assert_eq!(key_of("\u{410}lice"), key("alice"));
    }

    #[test]
    fn capital_only_lookalikes_collide() {
        // Cyrillic, Greek and Cherokee capitals that look like Latin ones, whose small
        // letters do not: single-script, so they parse, and must meet the Latin name.
        for (latin, other) in [
            ("TOM", "\u{422}\u{41E}\u{41C}"),
            ("HAT", "\u{41D}\u{410}\u{422}"),
            ("MOCK", "\u{41C}\u{41E}\u{421}\u{41A}"),
            ("PHOHE", "\u{420}\u{41D}\u{41E}\u{41D}\u{415}"),
            ("BOB", "\u{392}\u{39F}\u{392}"),
            ("KATE", "\u{39A}\u{391}\u{3A4}\u{395}"),
            ("XENIA", "\u{3A7}\u{395}\u{39D}\u{399}\u{391}"),
            ("ALICE", "\u{13AA}\u{13DE}\u{13A5}\u{13DF}\u{13AC}"),
        ] {
            assert_eq!(key(other), key(latin), "{other} vs {latin}");
            assert_eq!(key(other), key(&latin.to_lowercase()), "{other}");
        }
        // And their small letters meet their capitals (case-insensitive in every script).
        assert_eq!(key("\u{442}\u{43E}\u{43C}"), key("\u{422}\u{41E}\u{41C}"));
        // Cherokee for SERVER is the reserved name.
        let cherokee_server = "\u{13DA}\u{13AC}\u{13D2}\u{13D9}\u{13AC}\u{13D2}";
        assert!(matches!(
            Nickname::parse(cherokee_server),
            Err(NickError::Reserved(_))
        ));
        // The key is one equivalence, so it joins what case and looks chain together,
        // within one script too (docs/choices.md): Cyrillic в ~ В ~ B ~ b ~ ь.
        assert_eq!(
            key("\u{432}\u{435}\u{440}\u{430}"),
            key("\u{44C}\u{435}\u{440}\u{430}")
        );
        // Different names stay different.
        assert_ne!(key("\u{422}\u{41E}\u{41C}"), key("TIM"));
        assert_ne!(key("Tom"), key("Tomas"));
    }

    #[test]
    fn case_folding_is_full() {
        assert_eq!(key("Straße"), key("STRASSE"));
        assert_eq!(key("Straße"), key("strasse"));
        assert_eq!(
            key("\u{39F}\u{394}\u{39F}\u{3A3}"),
            key("\u{3BF}\u{3B4}\u{3BF}\u{3C3}")
        );
        assert_eq!(
            key("\u{39F}\u{394}\u{39F}\u{3A3}"),
            key("\u{3BF}\u{3B4}\u{3BF}\u{3C2}")
        );
    }

    #[test]
    fn invisible_letters_are_refused() {
        for filler in ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'] {
            assert!(filler.is_alphanumeric(), "U+{:04X}", u32::from(filler));
            assert_eq!(
                Nickname::parse(&filler.to_string()),
                Err(NickError::InvalidChars),
                "U+{:04X}",
                u32::from(filler)
            );
            assert_eq!(
                Nickname::parse(&format!("a{filler}b")),
                Err(NickError::InvalidChars)
            );
        }
        // Hangul syllables and jamo that draw are fine.
        assert!(Nickname::parse("\u{1100}\u{1161}").is_ok());
    }

    #[test]
    fn digit_lookalikes_collide() {
        assert_eq!(key("B0B"), key("bob"));
        assert_eq!(key("Bob"), key("BOB"));
    }

    #[test]
    fn decomposed_input_stored_as_nfc() {
        let n = parse_ok("e\u{301}");
        assert_eq!(n.as_str().as_bytes(), "\u{e9}".as_bytes());
        assert_eq!(n.key(), key("\u{e9}"));
        assert_eq!(n, parse_ok("\u{e9}"));
    }

    #[test]
    fn different_names_different_keys() {
        assert_ne!(key("Bob"), key("Alice"));
        assert_ne!(key("alice"), key("alice2"));
    }

    #[test]
    fn display_debug_as_ref() {
        let n = parse_ok("Alice");
        assert_eq!(n.to_string(), "Alice");
        assert_eq!(format!("{n:?}"), "\"Alice\"");
        assert_eq!(AsRef::<str>::as_ref(&n), "Alice");
    }

    #[test]
    fn error_messages() {
        assert_eq!(NickError::Empty.to_string(), "Nickname must not be empty.");
        assert_eq!(
            NickError::TooLong.to_string(),
            "Nickname is too long (max 20 characters and 64 bytes)."
        );
        assert_eq!(
            NickError::InvalidChars.to_string(),
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -)."
        );
        assert_eq!(
            NickError::MixedScript.to_string(),
            "Nickname mixes scripts that look alike (such as Latin and Cyrillic)."
        );
        assert_eq!(
            NickError::Reserved("Server".to_owned()).to_string(),
            "Nickname \"Server\" is reserved."
        );
    }

    #[test]
    fn combining_diacritics_are_ignored() {
        for (plain, marked) in [
            ("Alice", "Alic\u{117}"),
            ("Alice", "Alice\u{307}"),
            ("Alice", "\u{C1}l\u{12D}\u{107}\u{E9}"),
            ("Bob", "Bo\u{1E05}"),
            ("Bob", "B\u{F6}b"),
            ("Jose", "Jos\u{E9}"),
            ("Muller", "M\u{FC}ller"),
            ("Nguyen", "Nguy\u{1EC5}n"),
            (
                "\u{410}\u{43D}\u{434}\u{440}\u{435}\u{438}",
                "\u{410}\u{43D}\u{434}\u{440}\u{435}\u{439}",
            ),
            (
                "\u{3A9}\u{3BC}\u{3B5}\u{3B3}\u{3B1}",
                "\u{3A9}\u{3BC}\u{3AD}\u{3B3}\u{3B1}",
            ),
        ] {
            assert_eq!(key(marked), key(plain), "{marked} vs {plain}");
            // The name is shown as typed, in NFC.
            let nfc: String = marked.nfc().collect();
            assert_eq!(parse_ok(marked).as_str(), nfc);
        }
        // A reserved name with accents is still reserved.
        assert_eq!(
            Nickname::parse("S\u{E9}rv\u{E8}r"),
            Err(NickError::Reserved("S\u{E9}rv\u{E8}r".to_owned()))
        );
        // Letters stay letters: a stroke or a different base is not a diacritic.
        assert_ne!(key("Bob"), key("Bab"));
        assert_ne!(key("Alice"), key("Alica"));
    }

    #[test]
    fn marks_that_spell_a_script_still_count() {
        // Devanagari vowel signs: Ram, Ram without the long a, Reem; Mohan and Mahaan.
        let devanagari = [
            "\u{930}\u{93E}\u{92E}",
            "\u{930}\u{92E}",
            "\u{930}\u{940}\u{92E}",
        ];
        assert_ne!(key(devanagari[0]), key(devanagari[1]));
        assert_ne!(key(devanagari[0]), key(devanagari[2]));
        assert_ne!(key(devanagari[1]), key(devanagari[2]));
        assert_ne!(
            key("\u{92E}\u{94B}\u{939}\u{928}"),
            key("\u{92E}\u{939}\u{93E}\u{928}")
        );
        // Thai vowel sign: Somchai with sara ai and with mai han-akat.
        assert_ne!(
            key("\u{E2A}\u{E21}\u{E0A}\u{E32}\u{E22}"),
            key("\u{E2A}\u{E21}\u{E0A}\u{E31}\u{E22}")
        );
        // Kana voicing marks: Kazuki and Kasuki.
        assert_ne!(
            key("\u{304B}\u{305A}\u{304D}"),
            key("\u{304B}\u{3059}\u{304D}")
        );
    }

    #[test]
    fn korean_names_stay_apart() {
        let names = [
            "개똥이",
            "개똥",
            "소똥이",
            "개동이",
            "김민준",
            "김민주",
            "민준",
        ];
        for (i, a) in names.iter().enumerate() {
            assert_eq!(parse_ok(a).as_str(), *a);
            for b in &names[i + 1..] {
                assert_ne!(key(a), key(b), "{a} vs {b}");
            }
        }
        // Typed as conjoining jamo, it is the same name.
        let jamo: String = "개똥이".nfd().collect();
        assert_ne!(jamo, "개똥이");
        assert_eq!(parse_ok(&jamo).as_str(), "개똥이");
        assert_eq!(key(&jamo), key("개똥이"));
    }

    /// Letters, diacritics and look-alikes for the key's properties.
    const NAME_CHARS: &[char] = &[
        'a', 'b', 'e', 'i', 'l', 'o', 'I', 'L', 'O', '0', '1', '_', '\u{E9}', '\u{117}',
        '\u{1E05}', '\u{301}', '\u{307}', '\u{323}', '\u{DF}', '\u{3A3}', '\u{3C2}', '\u{410}',
        '\u{439}', '\u{FF21}', '\u{930}', '\u{93E}', '\u{E2A}', '\u{E31}', '\u{304B}', '\u{3099}',
        '\u{AC1C}', '\u{1100}', '\u{1161}',
    ];

    proptest::proptest! {
        #[test]
        fn key_is_idempotent_and_ignores_form_and_diacritics(
            chars in proptest::collection::vec(proptest::sample::select(NAME_CHARS), 1..12),
            at in 0usize..12,
        ) {
            let name: String = chars.into_iter().collect();
            let key = key_of(&name);
            // The key is its own key: the chain has settled.
            proptest::prop_assert_eq!(key_of(&key.0), key.clone());
            // Any normalisation form is the same name.
            let nfd: String = name.nfd().collect();
            let nfc: String = name.nfc().collect();
            proptest::prop_assert_eq!(key_of(&nfd), key.clone());
            proptest::prop_assert_eq!(key_of(&nfc), key.clone());
            // A diacritic added anywhere after the first character changes nothing.
            let at = name.char_indices().nth(at % name.chars().count()).map_or(0, |(i, c)| i + c.len_utf8());
            let marked = format!("{}\u{323}{}", &name[..at], &name[at..]);
            proptest::prop_assert_eq!(key_of(&marked), key);
        }
    }
}
