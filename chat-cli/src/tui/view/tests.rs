use super::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

fn entry(text: &str) -> Entry {
    Entry {
        time: "12:34".into(),
        line: DisplayLine::received(text),
        mention: None,
    }
}

/// The buffer's rows as text (a wide character's trailing cell is skipped).
fn rows(buffer: &Buffer) -> Vec<String> {
    let width = usize::from(buffer.area.width);
    buffer
        .content
        .chunks(width)
        .map(|row| {
            let mut s = String::new();
            let mut skip = 0;
            for cell in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                s.push_str(cell.symbol());
                skip = cell.symbol().width().saturating_sub(1);
            }
            s.trim_end().to_owned()
        })
        .collect()
}

fn render(
    pane: &Pane,
    editor: &LineEditor,
    width: u16,
    height: u16,
) -> Result<(Vec<String>, Position), Box<dyn std::error::Error>> {
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    let status = Status {
        nick: Some("Alice"),
        admin: true,
        server: "127.0.0.1:9999",
        room: Some("lobby"),
        online: Some((3, 10)),
        state: "connected".into(),
    };
    let prompt = Prompt {
        label: "> ",
        editor,
    };
    terminal.draw(|f| draw(f, pane, &status, prompt, Palette { color: true }))?;
    let cursor = terminal.get_cursor_position()?;
    Ok((rows(terminal.backend().buffer()), cursor))
}

type R = Result<(), Box<dyn std::error::Error>>;

#[test]
fn lines_above_status_and_input_below() -> R {
    let mut pane = Pane::default();
    pane.push(entry("[Server]: Welcome, Alice! 1/10 online."));
    pane.push(entry("Bob >> 안녕 👋"));
    let mut editor = LineEditor::default();
    let _ = editor.insert_str("half typ");
    let (rows, cursor) = render(&pane, &editor, 70, 6)?;
    assert_eq!(
        rows,
        [
            "",
            "",
            "12:34 [Server]: Welcome, Alice! 1/10 online.",
            "12:34 Bob >> 안녕 👋",
            " Alice (admin) | 127.0.0.1:9999 | lobby 3/10 online | connected",
            "> half typ",
        ]
    );
    assert_eq!(cursor, Position::new(10, 5));
    Ok(())
}

#[test]
fn long_lines_wrap_with_an_indent() -> R {
    let mut pane = Pane::default();
    pane.push(entry(&format!("Bob >> {}", "x".repeat(30))));
    let (rows, _) = render(&pane, &LineEditor::default(), 30, 5)?;
    assert_eq!(
        rows[..3],
        [
            String::new(),
            format!("12:34 Bob >> {}", "x".repeat(17)),
            format!("      {}", "x".repeat(13)),
        ]
    );
    Ok(())
}

#[test]
fn scrolling_back_keeps_the_view_and_says_how_much_is_below() -> R {
    let mut pane = Pane::default();
    for i in 0..10 {
        pane.push(entry(&format!("Bob >> line {i}")));
    }
    pane.set_width(90);
    pane.scroll_up(3);
    pane.push(entry("Bob >> line 10"));
    let (rows, _) = render(&pane, &LineEditor::default(), 90, 4)?;
    assert_eq!(rows[0], "12:34 Bob >> line 5");
    assert_eq!(rows[1], "12:34 Bob >> line 6");
    assert!(
        rows[2].ends_with("| 4 more rows below (PgDn)"),
        "{}",
        rows[2]
    );
    pane.scroll_down(100);
    let (rows, _) = render(&pane, &LineEditor::default(), 90, 4)?;
    assert_eq!(rows[1], "12:34 Bob >> line 10");
    pane.scroll_up(1000);
    assert_eq!(pane.hidden_below(), 10);
    Ok(())
}

#[test]
fn every_row_of_a_long_wrapped_message_can_be_scrolled_to() -> R {
    // 30 columns: each message wraps to several rows, more than the 3-row pane holds.
    let mut pane = Pane::default();
    pane.set_width(30);
    let words: Vec<String> = (0..20).map(|i| format!("w{i:02}")).collect();
    pane.push(entry(&format!("Bob >> {}", words.join(" "))));
    pane.push(entry("Bob >> last"));
    let (rows, _) = render(&pane, &LineEditor::default(), 30, 5)?;
    assert_eq!(rows[2], "12:34 Bob >> last");
    // Step back a row at a time: every word of the long message comes into view.
    let mut seen = String::new();
    for _ in 0..20 {
        pane.scroll_up(1);
        let (rows, _) = render(&pane, &LineEditor::default(), 30, 5)?;
        seen.push_str(&rows[..3].join(" "));
    }
    for w in &words {
        assert!(seen.contains(w.as_str()), "{w} never shown: {seen}");
    }
    // At the top the long message's first row is at the bottom of the pane, no further.
    let (rows, _) = render(&pane, &LineEditor::default(), 30, 5)?;
    assert!(rows[2].starts_with("12:34 Bob >> w00"), "{rows:?}");
    pane.scroll_to_bottom();
    let (rows, _) = render(&pane, &LineEditor::default(), 30, 5)?;
    assert_eq!(rows[2], "12:34 Bob >> last");
    Ok(())
}

#[test]
fn scrolled_to_the_top_of_a_full_scrollback_the_view_stays_on_the_oldest_rows() -> R {
    let mut pane = Pane::default();
    pane.set_width(40);
    for i in 0..SCROLLBACK {
        pane.push(entry(&format!("line {i}")));
    }
    pane.scroll_up(usize::MAX / 2);
    let (before, _) = render(&pane, &LineEditor::default(), 40, 6)?;
    assert_eq!(before[3], "12:34 line 0", "{before:?}");
    // Each new line evicts the oldest: the view shows the oldest kept.
    pane.push(entry("one more"));
    pane.push(entry("and another"));
    let (after, _) = render(&pane, &LineEditor::default(), 40, 6)?;
    assert_eq!(after[3], "12:34 line 2", "{after:?}");
    assert_eq!(pane.hidden_below(), SCROLLBACK - 1);
    Ok(())
}

#[test]
fn a_resize_while_scrolled_back_never_blanks_the_pane() -> R {
    let mut pane = Pane::default();
    pane.set_width(20);
    for i in 0..20 {
        pane.push(entry(&format!("line {i} {}", "word ".repeat(20))));
    }
    pane.scroll_up(usize::MAX / 2);
    // Drawn at a new width before the pane hears of it, then after.
    let (stale, _) = render(&pane, &LineEditor::default(), 200, 6)?;
    assert!(stale[..4].iter().any(|r| r.contains("line 0")), "{stale:?}");
    pane.set_width(200);
    assert_eq!(pane.hidden_below(), 19);
    let (after, _) = render(&pane, &LineEditor::default(), 200, 6)?;
    assert!(after[3].starts_with("12:34 line 0 word"), "{after:?}");
    Ok(())
}

#[test]
fn scrollback_holds_ten_thousand_lines() {
    let mut pane = Pane::default();
    for i in 0..SCROLLBACK + 5 {
        pane.push(entry(&i.to_string()));
    }
    assert_eq!(pane.len(), SCROLLBACK);
    assert!(pane.len() >= 5000);
}

#[test]
fn the_input_line_scrolls_and_keeps_its_cursor_visible() -> R {
    let mut editor = LineEditor::default();
    editor.insert_str(&"abcdefghij".repeat(5));
    let (rows, cursor) = render(&Pane::default(), &editor, 20, 4)?;
    let input = &rows[3];
    assert!(input.starts_with("> "), "{input}");
    assert!(input.ends_with("hij"), "{input}");
    assert!(cursor.x < 20);
    assert_eq!(usize::from(cursor.x), input.width());
    Ok(())
}

#[test]
fn tiny_terminals_still_show_the_input() -> R {
    let mut editor = LineEditor::default();
    editor.insert_str("hi");
    let (rows, _) = render(&Pane::default(), &editor, 20, 1)?;
    assert_eq!(rows, ["> hi"]);
    Ok(())
}

#[test]
fn nick_colours_are_stable_and_no_color_drops_them() {
    let color = Palette { color: true };
    assert_eq!(color.nick("Alice"), color.nick("alice"));
    assert!(color.nick("Alice").fg.is_some());
    let plain = Palette { color: false };
    for style in [
        plain.nick("Alice"),
        plain.server(),
        plain.whisper(),
        plain.scheduled(),
        plain.notice(),
        plain.mention(),
        plain.stamp(),
        plain.action(),
        plain.room_notice(),
        plain.alert(),
    ] {
        assert_eq!((style.fg, style.bg), (None, None));
    }
    let spans = plain.spans(&Entry {
        mention: Some("Alice".into()),
        ..entry("Bob >> alice look")
    });
    assert!(
        spans
            .iter()
            .all(|s| s.style.fg.is_none() && s.style.bg.is_none())
    );
    assert!(
        spans
            .iter()
            .any(|s| s.style.add_modifier.contains(Modifier::REVERSED))
    );
}

#[test]
fn kinds_are_styled_apart() {
    let p = Palette { color: true };
    let style_of = |text: &str| {
        let spans = p.spans(&entry(text));
        spans.get(1).map(|s| s.style)
    };
    let server = style_of("[Server]: hi");
    let whisper = style_of("[Whisper from Bob] hi");
    let scheduled = style_of("[Scheduled by Bob] hi");
    let chat = style_of("Bob >> hi");
    assert_ne!(server, whisper);
    assert_ne!(server, scheduled);
    assert_ne!(whisper, scheduled);
    assert_eq!(chat, Some(p.nick("Bob")));
}

#[test]
fn wrap_never_splits_a_wide_character() {
    let rows = wrap(vec![Span::raw("가나다라마")], 5, 6);
    let texts: Vec<String> = rows.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["가나", "다라", "마"]);
}

#[test]
fn wrap_breaks_at_spaces_and_indents_continuation_rows() {
    let rows = wrap(
        vec![
            Span::raw("12:00 "),
            Span::raw("Bob >> the quick brown fox jumps over"),
        ],
        26,
        6,
    );
    let texts: Vec<String> = rows.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        ["12:00 Bob >> the quick", "      brown fox jumps over"]
    );
}

#[test]
fn wrap_splits_a_word_only_when_it_is_wider_than_a_row() {
    let rows = wrap(vec![Span::raw("ab 0123456789abcdefghijklmnop")], 20, 2);
    let texts: Vec<String> = rows.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["ab 0123456789abcdefg", "  hijklmnop"]);
}

#[test]
fn wrap_keeps_styles_apart() {
    let bold = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
    let rows = wrap(vec![Span::raw("a "), Span::styled("b c", bold)], 80, 6);
    assert_eq!(rows.len(), 1);
    let spans: Vec<(String, Style)> = rows[0]
        .spans
        .iter()
        .map(|s| (s.content.to_string(), s.style))
        .collect();
    assert_eq!(
        spans,
        [
            ("a ".to_owned(), Style::default()),
            ("b c".to_owned(), bold)
        ]
    );
}

#[test]
fn a_narrow_status_line_drops_the_address_first_and_never_the_state() {
    let pane = Pane::default();
    let status = |width: usize| {
        let status = Status {
            nick: Some("Alice"),
            admin: true,
            server: "127.0.0.1:9999",
            room: Some("study"),
            online: Some((3, 10)),
            state: "reconnecting (attempt 2)".into(),
        };
        let mut terminal = Terminal::new(TestBackend::new(u16::try_from(width).unwrap_or(1), 1))
            .expect("terminal");
        terminal
            .draw(|f| f.render_widget(status_line(&status, &pane, width), f.area()))
            .expect("draw");
        rows(terminal.backend().buffer()).concat()
    };
    assert_eq!(
        status(80),
        " Alice (admin) | 127.0.0.1:9999 | study 3/10 online | reconnecting (attempt 2)"
    );
    assert_eq!(
        status(65),
        " Alice (admin) | study 3/10 online | reconnecting (attempt 2)"
    );
    assert_eq!(
        status(55),
        " Alice (admin) | study 3/10 | reconnecting (attempt 2)"
    );
    assert_eq!(status(40), " study 3/10 | reconnecting (attempt 2)");
    assert_eq!(status(26), " reconnecting (attempt 2)");
}

#[test]
fn mentions_mark_the_name_and_backlog_is_dimmed() {
    let p = Palette { color: true };
    let spans = p.spans(&Entry {
        mention: Some("Alice".into()),
        ..entry("Bob >> hi alice, look")
    });
    let marked: Vec<&str> = spans
        .iter()
        .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
        .map(|s| s.content.as_ref())
        .collect();
    assert_eq!(marked, ["alice"]);
    let past = Entry {
        line: DisplayLine::backlog("[09:14] Bob >> earlier").expect("backlog line"),
        ..entry("x")
    };
    let spans = p.spans(&past);
    assert_eq!(spans[0].content, "09:14 ");
    assert!(
        spans
            .iter()
            .all(|s| s.style.add_modifier.contains(Modifier::DIM))
    );
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    assert_eq!(text, "09:14 Bob >> earlier");
}

#[test]
fn without_colour_alerts_and_notices_still_stand_out() {
    let plain = Palette { color: false };
    assert!(
        plain
            .alert()
            .add_modifier
            .contains(Modifier::REVERSED | Modifier::BOLD)
    );
    assert!(plain.room_notice().add_modifier.contains(Modifier::BOLD));
    assert_ne!(plain.alert(), plain.server());
    assert_ne!(plain.room_notice(), plain.server());
}
