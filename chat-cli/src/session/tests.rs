use super::*;
use time::macros::offset;

/// The outputs, without the chat log's session marks (see `the_log_marks_each_session`).
fn drain(s: &mut Session) -> Vec<Output> {
    std::iter::from_fn(|| s.poll_output())
        .filter(|o| !matches!(o, Output::Mark(_)))
        .collect()
}

fn send(line: &str) -> Output {
    Output::Send(line.to_owned())
}

fn show(line: &str) -> Output {
    Output::Show(DisplayLine::received(line))
}

fn notice(text: &str) -> Output {
    Output::Show(DisplayLine::notice(text))
}

fn line(s: &str) -> Typed {
    Typed::Line(s.to_owned())
}

const PROMPT: &str = "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:";
const WELCOME: &str = "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.";

/// A session joined as Alice with `--nick`.
fn joined() -> Session {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    s.handle_line(WELCOME);
    s.handle_read_end();
    drain(&mut s);
    s
}

#[test]
fn preset_nick_is_sent_on_connect_and_the_log_opens_on_welcome() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    assert_eq!(drain(&mut s), [send("Alice")]);
    s.handle_line(PROMPT);
    assert_eq!(drain(&mut s), [show(PROMPT)]);
    s.handle_line(WELCOME);
    assert_eq!(
        drain(&mut s),
        [show(WELCOME), Output::OpenLog("Alice".into())]
    );
    assert_eq!(s.phase(), &Phase::Joined);
    assert_eq!(s.nick(), Some("Alice"));
    assert_eq!(s.online(), Some((1, 10)));
}

#[test]
fn without_a_nick_the_first_typed_line_is_the_attempt_and_the_rest_waits() {
    let mut s = Session::new(None, OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    assert!(s.wants_nickname());
    s.handle_typed(line("alice"));
    s.handle_typed(line("hello"));
    assert_eq!(drain(&mut s), [send("alice")]);
    assert!(!s.wants_nickname());
    let refused = "[Server]: Nickname \"alice\" is already taken. Enter another:";
    s.handle_line(refused);
    // The held line is the next attempt.
    assert_eq!(drain(&mut s), [show(refused), send("hello")]);
    s.handle_line("[Server]: Welcome, hello! 2/10 online. Type /help for commands.");
    s.handle_typed(line("hi all"));
    assert_eq!(
        drain(&mut s),
        [
            show("[Server]: Welcome, hello! 2/10 online. Type /help for commands."),
            Output::OpenLog("hello".into()),
            send("hi all"),
            Output::Show(DisplayLine::own("hello", "hi all")),
        ]
    );
}

#[test]
fn refused_preset_nick_in_plain_mode_finishes_with_1() {
    let mut s = Session::new(Some("Server".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    drain(&mut s);
    let refused = "[Server]: Nickname \"Server\" is reserved. Enter another:";
    s.handle_line(refused);
    assert_eq!(
        drain(&mut s),
        [
            show(refused),
            notice("The nickname was refused."),
            Output::Disconnect,
            Output::Finished(1)
        ]
    );
}

#[test]
fn refused_preset_nick_in_terminal_mode_asks_again() {
    let mut s = Session::new(Some("Server".into()), OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    drain(&mut s);
    s.handle_line("[Server]: Nickname \"Server\" is reserved. Enter another:");
    drain(&mut s);
    assert!(s.wants_nickname());
    s.handle_typed(line("Bob"));
    assert_eq!(drain(&mut s), [send("Bob")]);
}

#[test]
fn typed_lines_are_sent_with_the_schedule_offset_and_own_chat_is_shown() {
    let mut s = joined();
    s.handle_typed(line("/schedule 15:30 Meeting"));
    s.handle_typed(line("//etc"));
    s.handle_typed(line("   "));
    s.handle_typed(line("/whisper Bob hi"));
    assert_eq!(
        drain(&mut s),
        [
            send("/schedule 15:30+09:00 Meeting"),
            send("//etc"),
            Output::Show(DisplayLine::own("Alice", "/etc")),
            send("   "),
            send("/whisper Bob hi"),
        ]
    );
}

#[test]
fn quit_then_close_finishes_with_0() {
    let mut s = joined();
    s.handle_typed(line("/quit"));
    s.handle_typed(line("ignored"));
    assert_eq!(drain(&mut s), [send("/quit")]);
    assert_eq!(s.phase(), &Phase::Leaving);
    s.handle_line("[Server]: Bye, Alice.");
    s.handle_closed();
    assert_eq!(
        drain(&mut s),
        [show("[Server]: Bye, Alice."), Output::Finished(0)]
    );
}

#[test]
fn end_of_input_sends_quit_once_joined() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    s.handle_typed(line("first"));
    s.handle_typed(Typed::End);
    assert_eq!(drain(&mut s), [send("Alice")]);
    // The welcome comes in one read with the lines the server sends with it: what was typed
    // ahead goes after them (the server sends it its lines before it reads ours), so the
    // screen and the chat log show it below them.
    s.handle_line(WELCOME);
    s.handle_line("[Server]: You are the admin.");
    assert_eq!(
        drain(&mut s),
        [
            show(WELCOME),
            Output::OpenLog("Alice".into()),
            show("[Server]: You are the admin."),
        ]
    );
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            send("first"),
            Output::Show(DisplayLine::own("Alice", "first")),
            send("/quit"),
        ]
    );
    assert_eq!(s.phase(), &Phase::Leaving);
}

#[test]
fn lines_typed_ahead_wait_for_the_whole_backlog() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    s.handle_typed(line("hello"));
    drain(&mut s);
    s.handle_line(WELCOME);
    s.handle_line("[Server]: Last 2 messages (times in +09:00):");
    s.handle_line("[09:14] Bob >> one");
    s.handle_read_end();
    // The backlog is not all in: the typed line still waits.
    assert!(
        !drain(&mut s).iter().any(|o| matches!(o, Output::Send(_))),
        "sent before the backlog ended"
    );
    s.handle_line("[09:15] Bob >> two");
    s.handle_line("[Server]: Notice: Lunch at 12");
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            Output::Show(DisplayLine::backlog("[09:15] Bob >> two").expect("a backlog line")),
            show("[Server]: Notice: Lunch at 12"),
            send("hello"),
            Output::Show(DisplayLine::own("Alice", "hello")),
        ]
    );
    // Once joined, a typed line goes at once.
    s.handle_typed(line("now"));
    assert_eq!(
        drain(&mut s),
        [send("now"), Output::Show(DisplayLine::own("Alice", "now"))]
    );
}

#[test]
fn end_of_input_before_a_nickname_disconnects() {
    let mut s = Session::new(None, OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    s.handle_typed(line("/quit"));
    assert_eq!(drain(&mut s), [Output::Disconnect, Output::Finished(0)]);
    let mut s = Session::new(None, OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    s.handle_typed(Typed::End);
    assert_eq!(drain(&mut s), [Output::Disconnect, Output::Finished(0)]);
}

#[test]
fn announced_closes_finish_without_reconnecting() {
    for (line, code) in [
        ("[Server]: Bye, Alice.", 0),
        (
            "[Server]: You have been kicked from the chat. Reason: spam",
            0,
        ),
    ] {
        let mut s = joined();
        s.handle_line(line);
        s.handle_closed();
        assert_eq!(
            drain(&mut s),
            [
                show(line),
                notice("The server closed the connection. /reconnect joins again."),
                Output::Finished(code)
            ]
        );
    }
}

#[test]
fn full_room_on_first_connect_finishes_with_1() {
    let mut s = Session::new(None, OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    let full = "[Server]: The chat room is full (10/10). Try again later.";
    s.handle_line(full);
    s.handle_closed();
    assert_eq!(
        drain(&mut s),
        [
            show(full),
            notice("The server turned the connection away."),
            Output::Finished(1)
        ]
    );
}

#[test]
fn unexpected_close_reconnects_with_backoff_and_rejoins_with_the_same_nick() {
    let mut s = joined();
    s.handle_line("[Server]: You are now \"Alice2\".");
    s.handle_closed();
    assert_eq!(
        drain(&mut s),
        [
            show("[Server]: You are now \"Alice2\"."),
            notice("Connection lost; reconnecting in 1 s."),
            Output::Reconnect(Duration::from_secs(1))
        ]
    );
    s.handle_connect_failed("refused");
    s.handle_connect_failed("refused");
    assert_eq!(
        drain(&mut s),
        [
            notice("Cannot connect (refused); retrying in 2 s."),
            Output::Reconnect(Duration::from_secs(2)),
            notice("Cannot connect (refused); retrying in 4 s."),
            Output::Reconnect(Duration::from_secs(4)),
        ]
    );
    s.handle_typed(line("while away"));
    assert_eq!(
        drain(&mut s),
        [notice(
            "Not connected; lines typed now are sent after reconnecting."
        )]
    );
    s.handle_connected();
    assert_eq!(drain(&mut s), [send("Alice2")]);
    let welcome = "[Server]: Welcome, Alice2! 2/10 online. Type /help for commands.";
    s.handle_line(welcome);
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            show(welcome),
            notice("Rejoined the chat as Alice2."),
            send("while away"),
            Output::Show(DisplayLine::own("Alice2", "while away")),
        ]
    );
    // A rejoin that drops at once keeps backing off (a server that welcomes and drops is
    // not hammered every second)...
    s.handle_closed();
    assert!(drain(&mut s).contains(&Output::Reconnect(Duration::from_secs(8))));
    // ... and a join that lasted (the driver says when) starts it over.
    s.handle_connected();
    s.handle_line(welcome);
    s.handle_stable();
    drain(&mut s);
    s.handle_closed();
    assert!(drain(&mut s).contains(&Output::Reconnect(Duration::from_secs(1))));
}

#[test]
fn close_before_ever_joining_is_a_failure() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    drain(&mut s);
    s.handle_closed();
    assert_eq!(
        drain(&mut s),
        [
            notice("The server closed the connection."),
            Output::Finished(1)
        ]
    );
}

#[test]
fn ctrl_c_while_offline_leaves_at_once() {
    let mut s = joined();
    s.handle_closed();
    drain(&mut s);
    s.handle_typed(Typed::End);
    assert_eq!(
        drain(&mut s),
        [notice("Gave up reconnecting."), Output::Finished(0)]
    );
    assert_eq!(s.phase(), &Phase::Closed);
}

#[test]
fn lines_typed_while_offline_and_never_sent_are_counted_on_leaving() {
    let mut s = joined();
    s.handle_closed();
    s.handle_typed(line("one"));
    s.handle_typed(line("two"));
    drain(&mut s);
    s.handle_typed(Typed::End);
    assert_eq!(
        drain(&mut s),
        [
            notice("Gave up reconnecting."),
            notice("2 typed lines were not sent."),
            Output::Finished(0)
        ]
    );
}

#[test]
fn closed_session_only_accepts_leaving() {
    let mut s = joined();
    s.handle_line("[Server]: You have been kicked from the chat.");
    s.handle_closed();
    drain(&mut s);
    s.handle_typed(line("hello?"));
    assert_eq!(
        drain(&mut s),
        [notice(
            "Not connected; type /reconnect to join again, /quit or Ctrl-C to leave."
        )]
    );
    s.handle_typed(line("/quit"));
    assert_eq!(drain(&mut s), [Output::Finished(0)]);
}

#[test]
fn online_count_and_admin_follow_the_server() {
    let mut s = joined();
    s.handle_line("[Server]: You are the admin.");
    assert!(s.is_admin());
    s.handle_line("[Server]: Bob has joined the chat.");
    s.handle_line("[Server]: Carol has joined the chat.");
    assert_eq!(s.online(), Some((3, 10)));
    s.handle_line("[Server]: Bob has left the chat.");
    assert_eq!(s.online(), Some((2, 10)));
    s.handle_line("[Server]: You kicked Carol.");
    assert_eq!(s.online(), Some((1, 10)));
    s.handle_line("[Server]: Users (4/12): Alice (admin), D, E, F");
    assert_eq!(s.online(), Some((4, 12)));
    s.handle_line("[Server]: Dave is now the admin.");
    assert!(!s.is_admin());
    s.handle_line("[Server]: Alice is now the admin.");
    assert!(s.is_admin());
}

#[test]
fn a_chat_line_cannot_forge_facts() {
    let mut s = joined();
    s.handle_line("Mallory >> [Server]: You are the admin.");
    s.handle_line("Mallory >> [Server]: The server is shutting down.");
    assert!(!s.is_admin());
    s.handle_closed();
    assert!(drain(&mut s).contains(&Output::Reconnect(Duration::from_secs(1))));
}

#[test]
fn held_lines_are_bounded() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    drain(&mut s);
    for i in 0..MAX_HELD + 5 {
        s.handle_typed(line(&i.to_string()));
    }
    assert_eq!(
        drain(&mut s),
        [notice(
            "Too many lines are waiting to be sent; dropping lines."
        )]
    );
    s.handle_line(WELCOME);
    s.handle_read_end();
    let sent = drain(&mut s)
        .into_iter()
        .filter(|o| matches!(o, Output::Send(_)))
        .count();
    assert_eq!(sent, MAX_HELD);
}

/// A session joined as Alice that lost its connection, reconnected, and resent its nickname.
fn rejoining(on_refusal: OnRefusal) -> Session {
    let mut s = Session::new(Some("Alice".into()), on_refusal, offset!(+9));
    s.handle_connected();
    s.handle_line(WELCOME);
    s.handle_closed();
    s.handle_connected();
    drain(&mut s);
    s
}

#[test]
fn chat_typed_while_rejoining_is_never_sent_as_a_nickname() {
    let mut s = rejoining(OnRefusal::Ask);
    s.handle_typed(line("my secret plan"));
    s.handle_typed(line("hunter2"));
    assert_eq!(drain(&mut s), []);
    // The server still holds the old connection's nickname.
    let taken = "[Server]: Nickname \"Alice\" is already taken. Enter another:";
    s.handle_line(taken);
    assert_eq!(
        drain(&mut s),
        [
            show(taken),
            notice("Lines typed while reconnecting are sent once you have a nickname."),
        ]
    );
    // The prompt is for a nickname again, and the next line is the attempt.
    assert!(s.wants_nickname());
    s.handle_typed(line("Alice_"));
    assert_eq!(drain(&mut s), [send("Alice_")]);
    let welcome = "[Server]: Welcome, Alice_! 2/10 online. Type /help for commands.";
    s.handle_line(welcome);
    s.handle_typed(line("after"));
    assert_eq!(
        drain(&mut s),
        [
            show(welcome),
            notice("Rejoined the chat as Alice_."),
            send("my secret plan"),
            Output::Show(DisplayLine::own("Alice_", "my secret plan")),
            send("hunter2"),
            Output::Show(DisplayLine::own("Alice_", "hunter2")),
            send("after"),
            Output::Show(DisplayLine::own("Alice_", "after")),
        ]
    );
}

#[test]
fn leaving_while_a_rejoin_is_refused_leaves() {
    let mut s = rejoining(OnRefusal::Ask);
    s.handle_typed(line("unsent"));
    s.handle_typed(Typed::End);
    let taken = "[Server]: Nickname \"Alice\" is already taken. Enter another:";
    s.handle_line(taken);
    assert_eq!(
        drain(&mut s),
        [
            show(taken),
            Output::Disconnect,
            notice("1 typed line was not sent."),
            Output::Finished(0)
        ]
    );
}

#[test]
fn leaving_while_a_nickname_answer_is_pending_is_seen_by_the_driver() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    assert_eq!(drain(&mut s), [send("Alice")]);
    assert!(!s.leave_pending());
    s.handle_typed(line("hello"));
    assert!(!s.leave_pending());
    s.handle_typed(line("/quit"));
    assert!(s.leave_pending());
    // An answer in time: the held lines go out, /quit last, and the session leaves.
    s.handle_line(WELCOME);
    s.handle_read_end();
    assert!(!s.leave_pending());
    let out = drain(&mut s);
    assert_eq!(out[out.len() - 1], send("/quit"));
    assert_eq!(s.phase(), &Phase::Leaving);

    let mut s = Session::new(Some("Alice".into()), OnRefusal::Exit, offset!(+9));
    s.handle_connected();
    s.handle_typed(Typed::End);
    assert!(s.leave_pending());
}

#[test]
fn a_shutdown_is_reconnected_and_rejoins_the_same_room() {
    let mut s = joined();
    s.handle_typed(line("/j study"));
    assert_eq!(drain(&mut s), [send("/join study")]);
    s.handle_line("[Server]: You joined \"study\" (2/10 online).");
    drain(&mut s);
    assert_eq!(
        (s.room(), s.online(), s.is_admin()),
        (Some("study"), Some((2, 10)), false)
    );
    s.handle_line("[Server]: The server is shutting down.");
    s.handle_closed();
    assert_eq!(
        drain(&mut s),
        [
            show("[Server]: The server is shutting down."),
            notice("The server is shutting down; reconnecting in 1 s."),
            Output::Reconnect(Duration::from_secs(1)),
        ]
    );
    // The server is not back yet: the backoff grows.
    s.handle_connect_failed("refused");
    assert_eq!(
        drain(&mut s),
        [
            notice("Cannot connect (refused); retrying in 2 s."),
            Output::Reconnect(Duration::from_secs(2)),
        ]
    );
    s.handle_typed(line("typed while away"));
    drain(&mut s);
    s.handle_connected();
    assert_eq!(drain(&mut s), [send("Alice")]);
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            show("[Server]: Welcome, Alice! 1/10 online. Type /help for commands."),
            notice("Rejoined the chat as Alice."),
            send("/join study"),
        ]
    );
    // What was typed meanwhile goes after the room's answer and its backlog, which the
    // server sends before it reads it.
    s.handle_line("[Server]: You created \"study\" and are its admin.");
    s.handle_line("[Server]: Last 2 messages (times in +09:00):");
    s.handle_line("[09:14] Bob >> one");
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            show("[Server]: You created \"study\" and are its admin."),
            show("[Server]: Last 2 messages (times in +09:00):"),
            Output::Show(DisplayLine::backlog("[09:14] Bob >> one").expect("a backlog line")),
        ]
    );
    s.handle_line("[09:15] Bob >> two");
    s.handle_read_end();
    assert_eq!(
        drain(&mut s),
        [
            Output::Show(DisplayLine::backlog("[09:15] Bob >> two").expect("a backlog line")),
            send("typed while away"),
            Output::Show(DisplayLine::own("Alice", "typed while away")),
        ]
    );
    assert_eq!(
        (s.room(), s.online(), s.is_admin()),
        (Some("study"), Some((1, 10)), true)
    );
}

#[test]
fn lines_typed_while_away_go_after_a_refused_rooms_answer() {
    let mut s = joined();
    s.handle_typed(line("/join study"));
    s.handle_line("[Server]: You joined \"study\" (2/10 online).");
    s.handle_closed();
    s.handle_typed(line("still here"));
    s.handle_connected();
    s.handle_line(WELCOME);
    s.handle_read_end();
    assert!(!drain(&mut s).contains(&send("still here")));
    s.handle_line("[Server]: You are banned from \"study\" for 9 more minutes.");
    s.handle_read_end();
    let out = drain(&mut s);
    assert_eq!(
        out[out.len() - 2..],
        [
            send("still here"),
            Output::Show(DisplayLine::own("Alice", "still here")),
        ]
    );
    assert_eq!(s.room(), None);
}

#[test]
fn a_ban_at_the_prompt_ends_the_session() {
    let mut s = joined();
    s.handle_closed();
    drain(&mut s);
    s.handle_connected();
    drain(&mut s);
    s.handle_line("[Server]: You are banned from \"lobby\" for 9 more minutes.");
    s.handle_closed();
    let out = drain(&mut s);
    assert_eq!(out.last(), Some(&Output::Finished(0)), "{out:?}");
}

#[test]
fn reconnect_at_once_even_after_a_kick() {
    let mut s = joined();
    s.handle_line("[Server]: You have been kicked from the chat.");
    s.handle_closed();
    drain(&mut s);
    assert_eq!(s.phase(), &Phase::Closed);
    s.handle_reconnect(false);
    assert_eq!(drain(&mut s), [Output::Reconnect(Duration::ZERO)]);
    s.handle_connected();
    assert_eq!(drain(&mut s), [send("Alice")]);
    // While joined: the connection is dropped first.
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    drain(&mut s);
    s.handle_reconnect(true);
    assert_eq!(
        drain(&mut s),
        [Output::Disconnect, Output::Reconnect(Duration::ZERO)]
    );
}

#[test]
fn the_log_marks_each_session() {
    let mut s = Session::new(Some("Alice".into()), OnRefusal::Ask, offset!(+9));
    s.handle_connected();
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    s.handle_closed();
    s.handle_connected();
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    let marks: Vec<Output> = std::iter::from_fn(|| s.poll_output())
        .filter(|o| matches!(o, Output::Mark(_)))
        .collect();
    assert_eq!(
        marks,
        [
            Output::Mark(Mark::Joined {
                nick: "Alice".into(),
                again: false
            }),
            Output::Mark(Mark::Disconnected),
            Output::Mark(Mark::Joined {
                nick: "Alice".into(),
                again: true
            }),
        ]
    );
}

#[test]
fn backlog_lines_are_shown_as_the_past() {
    let mut s = joined();
    s.handle_line("[Server]: Last 2 messages (times in +09:00):");
    s.handle_line("[09:14] Bob >> hello");
    s.handle_line("[09:15] * Bob waves");
    s.handle_line("[09:16] Bob >> live, not backlog");
    let shown: Vec<Option<String>> = drain(&mut s)
        .into_iter()
        .filter_map(|o| match o {
            Output::Show(l) => Some(l.past_time().map(str::to_owned)),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        [None, Some("09:14".into()), Some("09:15".into()), None]
    );
}

#[test]
fn own_actions_are_shown_locally() {
    let mut s = joined();
    s.handle_typed(line("/me waves"));
    assert_eq!(
        drain(&mut s),
        [
            send("/me waves"),
            Output::Show(DisplayLine::own_action("Alice", "waves"))
        ]
    );
}

#[test]
fn a_refused_rejoin_of_the_room_leaves_the_session_in_the_default_room() {
    let mut s = joined();
    s.handle_typed(line("/join study"));
    s.handle_line("[Server]: You joined \"study\" (2/10 online).");
    s.handle_closed();
    s.handle_connected();
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    drain(&mut s);
    assert_eq!(s.room(), None);
    s.handle_line("[Server]: You are banned from \"study\" for 9 more minutes.");
    assert_eq!(s.room(), None);
    assert_eq!(s.phase(), &Phase::Joined);
    // The next reconnect does not try the room again.
    s.handle_closed();
    s.handle_connected();
    s.handle_line("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.");
    assert!(!drain(&mut s).contains(&send("/join study")));
}
