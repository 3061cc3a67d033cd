//! Every variant round-trips: `Display`, then `parse`, gives the same value, whatever its
//! fields hold; `to_bytes` is `Display` plus `\n`.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use time::UtcOffset;

use super::*;

/// Field values the strategies draw.
#[derive(Debug, Clone)]
struct Values {
    nick: String,
    other: String,
    room: String,
    text: String,
    typed: String,
    when: String,
    wait: String,
    n: usize,
    m: usize,
    seq: u64,
    minutes: u64,
    offset: UtcOffset,
    flag: bool,
    help: usize,
    usage: usize,
    input: String,
}

fn values() -> impl Strategy<Value = Values> {
    let nick = "[A-Za-z0-9_가-힣][A-Za-z0-9_.가-힣-]{0,19}";
    (
        (nick, nick, "[a-z0-9_가-힣][a-z0-9_.가-힣-]{0,31}"),
        // Free text: anything a sanitised line may hold, `"`, `:` and `>>` included.
        ("[^\n\r]{1,60}", "[^\n\r]{1,32}"),
        (
            "[0-2][0-9]:[0-5][0-9] (today|tomorrow) \\([+-][0-9]{2}:[0-9]{2}\\)",
            "([1-9]h )?[0-9]{1,2}m",
        ),
        (0..10_000usize, 0..10_000usize, any::<u64>(), 0..100_000u64),
        (
            -86_399..86_400i32,
            any::<bool>(),
            0..HELP.len(),
            0..Usage::ALL.len(),
        ),
        "[^\n\r]{1,16}",
    )
        .prop_map(
            |(
                (nick, other, room),
                (text, typed),
                (when, wait),
                (n, m, seq, minutes),
                (secs, flag, help, usage),
                input,
            )| {
                let offset =
                    UtcOffset::from_whole_seconds(secs / 60 * 60).unwrap_or(UtcOffset::UTC);
                Values {
                    nick,
                    other,
                    room,
                    text,
                    typed,
                    when,
                    wait,
                    n,
                    m,
                    seq,
                    minutes,
                    offset,
                    flag,
                    help,
                    usage,
                    input,
                }
            },
        )
}

/// One value of every [`Reply`] variant.
fn replies(v: &Values) -> Vec<Reply<'_>> {
    let (nick, room, text) = (Name(&v.nick), Name(&v.room), v.text.as_str());
    let (online, capacity, max, seq) = (v.n, v.m, v.n, v.seq);
    let reason = KickReason(v.flag.then_some(text));
    let nick_errors = [
        NickError::Empty,
        NickError::TooLong,
        NickError::InvalidChars,
        NickError::MixedScript,
        NickError::Reserved(v.nick.clone()),
    ];
    let mut all = vec![
        Reply::Prompt { online, capacity },
        Reply::ShuttingDown,
        Reply::Busy,
        Reply::NotTls,
        Reply::Full { online, capacity },
        Reply::TooManyFromAddress { max },
        Reply::TooManyFromNetwork { max },
        Reply::TooManyWaiting,
        Reply::NickTimeout,
        Reply::ByeAtPrompt,
        Reply::TooManyAttempts,
        Reply::NickLineTooLong { max },
        Reply::NickNotUtf8,
        Reply::NickTakenAgain { nick },
        Reply::NickTaken { nick },
        Reply::TooManyJoinsAtPrompt { secs: seq },
        Reply::Banned {
            room,
            left: Minutes(v.minutes),
        },
        Reply::Welcome {
            nick,
            online,
            capacity,
        },
        Reply::JoinedRoom {
            room,
            online,
            capacity,
        },
        Reply::CreatedRoom { room },
        Reply::YouAreAdmin,
        Reply::BacklogOne {
            offset: Offset(v.offset),
        },
        Reply::BacklogMany {
            count: v.n,
            offset: Offset(v.offset),
        },
        Reply::Notice { text },
        Reply::NoticeFrom { by: nick, text },
        Reply::NoNotice,
        Reply::NoticeCleared,
        Reply::Users {
            online,
            capacity,
            list: text,
        },
        Reply::Rooms {
            count: v.n,
            list: text,
        },
        Reply::More { list: text },
        Reply::Help {
            line: HelpLine(v.help),
        },
        Reply::NobodyBanned,
        Reply::NoSchedules,
        Reply::ScheduleEntry {
            seq,
            when: &v.when,
            wait: &v.wait,
            by: Author { nick, left: v.flag },
            text,
        },
        Reply::TooFast,
        Reply::LineTooLong { max },
        Reply::NotUtf8,
        Reply::Usage {
            usage: Usage::ALL[v.usage],
        },
        Reply::UnknownCommand { command: &v.typed },
        Reply::NoSuchUser { typed: &v.typed },
        Reply::AlreadyNamed { nick },
        Reply::RenamingTooOften { secs: seq },
        Reply::Renamed {
            old: nick,
            new: Name(&v.other),
        },
        Reply::YouAreNow { nick },
        Reply::WhisperSelf,
        Reply::OnlyAdminKicks,
        Reply::OnlyAdmin,
        Reply::KickSelf,
        Reply::AlreadyAdmin,
        Reply::YouWereKicked { reason },
        Reply::YouKicked { nick },
        Reply::NotBanned { typed: &v.typed },
        Reply::CodeCleared,
        Reply::CodeSet { room },
        Reply::BadCode,
        Reply::Scheduled {
            seq,
            when: &v.when,
            wait: &v.wait,
            text,
        },
        Reply::TooManySchedules { max },
        Reply::TooManyAddressSchedules { max },
        Reply::TooManyRoomSchedules { max },
        Reply::NoSuchSchedule { seq },
        Reply::NotYourSchedule { seq },
        Reply::Unscheduled { seq },
        Reply::NotSaved,
        Reply::AlreadyInRoom { room },
        Reply::RoomFull {
            room,
            online,
            capacity,
        },
        Reply::NeedsCode { room },
        Reply::WrongCode { room },
        Reply::TooManyRooms { max },
        Reply::TooManyRoomsFromNetwork { max },
        Reply::JoiningTooOften { secs: seq },
        Reply::OneNotShown,
        Reply::NotShown { count: seq },
        Reply::Bye { nick },
        Reply::BadTime {
            error: TimeSpecError::new(&v.input),
        },
        Reply::WasKicked { nick, reason },
        Reply::BanEntry {
            nick,
            left: Minutes(v.minutes),
        },
        Reply::HasJoined { nick },
        Reply::HasLeft { nick },
        Reply::LeftRoom { nick },
        Reply::NewAdmin { nick },
        Reply::Unbanned { nick },
    ];
    for error in nick_errors {
        all.push(Reply::BadNicknameAgain {
            error: error.clone(),
        });
        all.push(Reply::BadNickname { error });
    }
    for error in [
        RoomNameError::Length,
        RoomNameError::InvalidChars,
        RoomNameError::MixedScript,
    ] {
        all.push(Reply::BadRoomName { error });
    }
    all
}

/// One value of every [`Line`] variant (a `[Server]:` line of every reply).
fn lines<'a>(v: &'a Values, replies: &[Reply<'a>], chat: &'a str) -> Vec<Line<'a>> {
    let (nick, text) = (Name(&v.nick), v.text.as_str());
    let at = Stamp {
        hour: (v.n % 24) as u8,
        minute: (v.m % 60) as u8,
    };
    let mut all = vec![
        Line::WhisperFrom { nick, text },
        Line::WhisperTo { nick, text },
        Line::Scheduled {
            by: Author { nick, left: v.flag },
            text,
        },
        Line::LateScheduled {
            by: nick,
            late: v.n as u64,
            text,
        },
        Line::Backlog { at, line: chat },
        Line::Action { nick, text },
        Line::Chat { nick, text },
    ];
    all.extend(replies.iter().map(|r| Line::Server { reply: r.clone() }));
    all
}

#[test]
fn the_examples_cover_every_variant() {
    let v = values()
        .new_tree(&mut proptest::test_runner::TestRunner::deterministic())
        .map(|t| t.current())
        .unwrap_or_else(|_| unreachable!("the strategy always yields"));
    let replies = replies(&v);
    let names: BTreeSet<_> = replies.iter().map(Reply::variant).collect();
    assert_eq!(names, Reply::VARIANTS.iter().copied().collect());
    let lines = lines(&v, &replies, "x");
    let names: BTreeSet<_> = lines.iter().map(Line::variant).collect();
    assert_eq!(names, Line::VARIANTS.iter().copied().collect());
}

proptest! {
    #[test]
    fn every_line_round_trips(v in values()) {
        let replies = replies(&v);
        let chat = Line::Chat { nick: Name(&v.other), text: &v.text }.to_string();
        for line in lines(&v, &replies, &chat) {
            let text = line.to_string();
            prop_assert_eq!(Line::parse(&text), Some(line.clone()), "{:?}", text);
            let mut sent = text.clone().into_bytes();
            sent.push(b'\n');
            prop_assert_eq!(&line.to_bytes()[..], &sent[..]);
        }
        for reply in replies {
            let text = reply.to_string();
            prop_assert_eq!(Reply::parse(&text), Some(reply.clone()), "{:?}", text);
            prop_assert_eq!(reply.to_bytes(), Line::Server { reply: reply.clone() }.to_bytes());
        }
    }
}

#[test]
fn wire_texts_are_exact() {
    let cases: [(Line<'_>, &str); 7] = [
        (
            Line::Chat {
                nick: Name("Alice"),
                text: "hi >> there",
            },
            "Alice >> hi >> there",
        ),
        (
            Line::Action {
                nick: Name("Alice"),
                text: "waves",
            },
            "* Alice waves",
        ),
        (
            Line::Scheduled {
                by: Author {
                    nick: Name("Bob"),
                    left: true,
                },
                text: "lunch",
            },
            "[Scheduled by Bob (left)] lunch",
        ),
        (
            Line::LateScheduled {
                by: Name("Charlie"),
                late: 12,
                text: "standup, now",
            },
            "[Scheduled by Charlie, 12 min late] standup, now",
        ),
        (
            Line::Backlog {
                at: Stamp { hour: 9, minute: 4 },
                line: "Alice >> hi",
            },
            "[09:04] Alice >> hi",
        ),
        (
            Line::Server {
                reply: Reply::WasKicked {
                    nick: Name("Bob"),
                    reason: KickReason(Some("spam")),
                },
            },
            "[Server]: Bob has been kicked from the chat. Reason: spam",
        ),
        (
            Line::Server {
                reply: Reply::Banned {
                    room: Name("lobby"),
                    left: Minutes(1),
                },
            },
            "[Server]: You are banned from \"lobby\" for 1 more minute.",
        ),
    ];
    for (line, text) in cases {
        assert_eq!(line.to_string(), text);
        assert_eq!(Line::parse(text), Some(line));
    }
}

#[test]
fn lines_of_no_variant_parse_to_none() {
    for text in [
        "",
        "hello",
        "[Server]: Welcome to nowhere.",
        "[Whisper from ] x",
        "[25:00] x >> y",
    ] {
        assert_eq!(Line::parse(text), None, "{text:?}");
    }
}
