//! The `command` target: `command::parse` on arbitrary text.

use std::mem::discriminant;

use chatcore::command::{Command, parse};
use chatcore::sanitize::sanitize;

use super::within;

/// Parses the input (lossily decoded as UTF-8) as it arrives and after sanitising, and checks
/// the shape of the result: no panic, every borrowed part lies inside the line, commands and
/// arguments have no stray spaces, and ASCII case never changes what kind of command it is.
pub fn command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check(&text);
    check(&sanitize(&text));
}

fn check(line: &str) {
    let parsed = parse(line);
    let parts: Vec<&str> = match parsed {
        Command::Chat(text) => {
            let expected = match line.strip_prefix("//") {
                Some(_) => &line[1..],
                None => line,
            };
            assert!(
                !line.starts_with('/') || line.starts_with("//"),
                "{line:?} is a command"
            );
            assert!(std::ptr::eq(text, expected), "{line:?} -> {parsed:?}");
            vec![text]
        }
        Command::Rename(nick) => {
            assert!(
                !nick.is_empty() && nick.trim_matches(' ') == nick,
                "{nick:?}"
            );
            vec![nick]
        }
        Command::Whisper { to: word, text } | Command::Schedule { time: word, text } => {
            assert!(!word.is_empty() && !word.contains(' '), "{word:?}");
            assert!(
                !text.trim().is_empty() && !text.starts_with(' '),
                "{text:?}"
            );
            vec![word, text]
        }
        Command::Me(text) => {
            assert!(
                !text.trim().is_empty() && !text.starts_with(' '),
                "{text:?}"
            );
            vec![text]
        }
        Command::Admin(nick) | Command::Unschedule(nick) | Command::Unban(nick) => {
            assert!(!nick.is_empty() && !nick.contains(' '), "{nick:?}");
            vec![nick]
        }
        Command::Notice(text) => {
            assert_eq!(text.trim_matches(' '), text);
            vec![text]
        }
        Command::Kick { nick, reason } => {
            assert!(!nick.is_empty() && !nick.contains(' '), "{nick:?}");
            assert_eq!(reason.trim_matches(' '), reason);
            vec![nick, reason]
        }
        Command::Unknown(word) => {
            assert!(line.starts_with(word) && word.starts_with('/'), "{word:?}");
            assert!(!word.contains(' '), "{word:?}");
            vec![word]
        }
        Command::Join { name, code } => {
            assert!(!name.is_empty() && !name.contains(' '), "{name:?}");
            if let Some(code) = code {
                assert!(
                    !code.is_empty() && code.trim_matches(' ') == code,
                    "{code:?}"
                );
            }
            [name].into_iter().chain(code).collect()
        }
        Command::Code(code) => {
            if let Some(code) = code {
                assert!(
                    !code.is_empty() && code.trim_matches(' ') == code,
                    "{code:?}"
                );
            }
            code.into_iter().collect()
        }
        Command::User
        | Command::Help
        | Command::Quit
        | Command::Schedules
        | Command::Bans
        | Command::Usage(_)
        | Command::Rooms => {
            assert!(line.starts_with('/') && !line.starts_with("//"), "{line:?}");
            vec![]
        }
        other => panic!("a command this check does not know: {other:?}"),
    };
    for part in parts {
        assert!(within(line, part), "{part:?} is not part of {line:?}");
    }
    for cased in [line.to_ascii_uppercase(), line.to_ascii_lowercase()] {
        let other = parse(&cased);
        assert_eq!(discriminant(&other), discriminant(&parsed), "{cased:?}");
        if let (Command::Usage(a), Command::Usage(b)) = (other, parsed) {
            assert_eq!(a, b, "{cased:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_accepts_every_kind_of_line() {
        for line in [
            "",
            "hi",
            "//x",
            "/",
            "/ ",
            "/w a b",
            "/KICK  x  why ",
            "/rename  y ",
            "/user",
            "/help me",
            "/QUIT",
            "/schedule 1:00",
            "/ME  waves ",
            "/admin  Bob  x",
            "/SCHEDULES",
            "/unschedule #3",
            "/notice  a b ",
            "/Bans",
            "/unban  Bob x",
            "/dance",
            "/rooms",
            "/join  study  s3cret ",
            "/code",
            "/code x y",
            "/개똥 x",
        ] {
            command(line.as_bytes());
        }
        command(b"\xff/kick\x00");
    }

    #[test]
    #[should_panic(expected = "is not part of")]
    fn within_catches_a_copied_part() {
        let line = "hello";
        let copy = line.to_owned();
        assert!(within(line, &line[1..3]));
        assert!(within(line, &copy), "{copy:?} is not part of {line:?}");
    }
}
