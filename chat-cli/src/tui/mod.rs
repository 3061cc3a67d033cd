//! Terminal mode: a full-screen chat window (ratatui + crossterm) whose input line incoming
//! lines never garble, and a terminal that is restored on every way out, panics included.

mod view;

use std::io::{self, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::Instant;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, KeyCode, KeyEvent,
    KeyEventKind, KeyModifiers,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, DisableLineWrap, EnableLineWrap, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, queue, style::Print};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::client::{Client, Event};
use crate::display::DisplayLine;
use crate::history::History;
use crate::input::LineEditor;
use crate::session::{Phase, Typed};
use view::{Entry, Palette, Pane, Prompt, Status};

/// The room a connection enters after its nickname unless the server was started with
/// another `--default-room`: the welcome does not name it, so the status line assumes it.
const DEFAULT_ROOM: &str = "lobby";

/// Events handled between two draws at most.
const MAX_BATCH: usize = 256;

/// Restores the terminal when dropped: raw mode off, bracketed paste off, main screen back,
/// cursor shown. A panic hook does the same before the panic message is printed.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        // From here on the guard exists, so a failure below still restores.
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        enable_raw_mode()?;
        // No autowrap: a character the terminal draws wider than expected at the right edge
        // is clipped instead of wrapping (and, on the last row, scrolling the screen).
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            DisableLineWrap
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the terminal is in chat mode. Restoring twice (the panic hook, then the guard
/// while unwinding) must not leave the alternate screen twice: that would move the cursor
/// back over the panic message.
static ACTIVE: AtomicBool = AtomicBool::new(false);

fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    // Each step is tried even if one fails: a half-restored terminal is the worst outcome.
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        EnableLineWrap,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// The window's state besides the client: pane, input line, history, styles.
struct App {
    /// Received and shown lines.
    pane: Pane,
    /// The line being typed.
    editor: LineEditor,
    /// Lines sent earlier, for Up/Down.
    history: History,
    /// Colours or not.
    palette: Palette,
    /// The user's offset, for `HH:MM` stamps.
    offset: UtcOffset,
    /// Set by Ctrl-C, Ctrl-D or `/quit`: leave once the session is over.
    leaving: bool,
    /// Rows of the message pane at the last draw, for PgUp/PgDn.
    page: usize,
    /// A paste of many lines waiting for Enter (send) or Esc (cancel).
    pending_paste: Option<PendingPaste>,
    /// The last line shown was (part of) a `/rooms` answer: a `[Server]: ... ` line
    /// continues it.
    listing_rooms: bool,
    /// Pane rows that held a cluster of disputed width at the last draw: written whole
    /// again at the next one.
    disputed_rows: Vec<usize>,
}

/// A multi-line paste of [`PASTE_CONFIRM`] lines or more, held until confirmed (irssi's
/// paste guard): an accidental paste of a whole file must not flood the room.
struct PendingPaste {
    /// The lines to send, the draft joined to the first.
    lines: Vec<String>,
    /// The text after the last line break, left on the input line once sent.
    rest: String,
}

/// A paste of this many lines or more asks first.
const PASTE_CONFIRM: usize = 5;

/// Runs terminal mode until the user leaves; returns the exit code.
pub(crate) fn run(
    mut client: Client,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    offset: UtcOffset,
    color: bool,
) -> io::Result<u8> {
    let guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    spawn_signal_watcher(tx.clone());
    spawn_terminal_reader(tx);
    let mut app = App {
        pane: Pane::default(),
        editor: LineEditor::default(),
        history: History::default(),
        palette: Palette { color },
        offset,
        leaving: false,
        page: 10,
        pending_paste: None,
        disputed_rows: Vec::new(),
        listing_rooms: false,
    };
    let code = event_loop(&mut client, &mut app, &mut terminal, &rx);
    drop(terminal);
    drop(guard);
    code
}

fn event_loop(
    client: &mut Client,
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &Receiver<Event>,
) -> io::Result<u8> {
    loop {
        take_shown(client, app);
        if app.leaving
            && let Some(code) = client.finished()
        {
            return Ok(code);
        }
        draw(client, app, terminal)?;
        let first = match client.poll_timeout() {
            // Due timers fire even while events keep coming (a flooding server).
            Some(at) if at <= Instant::now() => Err(RecvTimeoutError::Timeout),
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let mut event = match first {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => {
                client.handle_timeout(Instant::now());
                None
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(1),
        };
        // Handle what is already queued before drawing again, so a burst of lines costs one
        // frame; but at most a batch, so a server that never stops sending cannot keep the
        // screen from being drawn or a key (Ctrl-C) from being read.
        let mut batch = 0;
        while let Some(ev) = event {
            match ev {
                Event::Terminal(ev) => handle_terminal(client, app, terminal, ev)?,
                Event::TerminalFailed(e) => return Err(io::Error::other(e)),
                Event::Signal => leave(client, app),
                other => client.handle_event(Instant::now(), other),
            }
            batch += 1;
            if batch == MAX_BATCH {
                break;
            }
            event = rx.try_recv().ok();
        }
    }
}

/// Turns SIGTERM, SIGHUP (the terminal went away) and SIGINT into a clean leave, so the
/// terminal is restored and the server hears `/quit` instead of a dropped connection.
fn spawn_signal_watcher(tx: SyncSender<Event>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return;
    };
    let _ = thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                if tx.send(Event::Signal).is_err() {
                    break;
                }
            }
        });
}

fn take_shown(client: &mut Client, app: &mut App) {
    let time = now_hhmm(app.offset);
    while let Some(line) = client.poll_shown() {
        let mention = client
            .session()
            .nick()
            .filter(|n| line.mentions(n))
            .map(str::to_owned);
        // `/rooms` as a list, one room a row (the log keeps the line as received).
        let rows = room_rows(&line.text, app.listing_rooms);
        app.listing_rooms = rows.is_some();
        if let Some(rows) = rows {
            for row in rows {
                app.pane.push(Entry {
                    time: time.clone(),
                    line: DisplayLine {
                        text: row,
                        ..line.clone()
                    },
                    mention: None,
                });
            }
            continue;
        }
        app.pane.push(Entry {
            time: time.clone(),
            line,
            mention,
        });
    }
}

/// A `/rooms` answer (`[Server]: Rooms (3): lobby 3/10, study 2/10 (code)`, or, right after
/// one, a continuation `[Server]: ... x 1/10`) as rows: the head, then one room each; `None`
/// for any other line. Read with chatcore's one definition of the server's lines.
fn room_rows(text: &str, listing: bool) -> Option<Vec<String>> {
    let (head, list) = match chatcore::Line::parse(text)? {
        chatcore::Line::Server {
            reply: chatcore::Reply::Rooms { count, list },
        } => (Some(format!("[Server]: Rooms ({count}):")), list),
        chatcore::Line::Server {
            reply: chatcore::Reply::More { list },
        } if listing => (None, list),
        _ => return None,
    };
    Some(
        head.into_iter()
            .chain(
                list.split(", ")
                    .filter(|room| !room.is_empty())
                    .map(|room| format!("[Server]:   {room}")),
            )
            .collect(),
    )
}

fn draw(
    client: &Client,
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
) -> io::Result<()> {
    let session = client.session();
    let state = match session.phase() {
        Phase::Naming { attempt: None } => "choose a nickname".to_owned(),
        Phase::Naming { attempt: Some(_) } => "joining".to_owned(),
        Phase::Joined => "connected".to_owned(),
        Phase::Offline => format!("reconnecting (attempt {})", session.attempts()),
        Phase::Leaving => "leaving".to_owned(),
        Phase::Closed => "disconnected (Ctrl-C to leave)".to_owned(),
    };
    let server = if client.is_tls() {
        format!("{} (TLS)", client.addr())
    } else {
        client.addr().to_owned()
    };
    let status = Status {
        nick: session.nick(),
        admin: session.is_admin(),
        server: &server,
        room: session
            .nick()
            .map(|_| session.room().unwrap_or(DEFAULT_ROOM)),
        online: session.online(),
        state,
    };
    let label = match &app.pending_paste {
        Some(paste) => format!("Send {} pasted lines? Enter/Esc ", paste.lines.len()),
        None if session.wants_nickname() => "Nickname: ".to_owned(),
        None => "> ".to_owned(),
    };
    let prompt = Prompt {
        label: &label,
        editor: &app.editor,
    };
    // The width first: a resize changes how many rows the scrolled-back view spans.
    app.pane.set_width(usize::from(terminal.size()?.width));
    let frame =
        terminal.draw(|frame| view::draw(frame, &app.pane, &status, prompt, app.palette))?;
    let area = frame.area;
    app.page = usize::from(area.height.saturating_sub(2)).max(1);
    paint_disputed_rows(
        terminal,
        area,
        &app.pane,
        app.palette,
        &mut app.disputed_rows,
    )?;
    paint_input(terminal, area, prompt)
}

/// Writes again, whole, each message row that holds (or held at the last draw) a cluster
/// terminals disagree on the width of (a flag drawn 4 columns wide where ratatui counts 2):
/// ratatui only writes the cells it believes changed, which would leave half a flag behind
/// when the row scrolls or changes. Each such row is written from its first column in its
/// styles and the rest of it cleared.
fn paint_disputed_rows(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    area: ratatui::layout::Rect,
    pane: &Pane,
    palette: Palette,
    last: &mut Vec<usize>,
) -> io::Result<()> {
    use crossterm::style::{Attribute, PrintStyledContent, SetAttribute, StyledContent};
    use ratatui::backend::IntoCrossterm;
    let (messages, rows) = view::message_rows(area, pane, palette);
    let disputed: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| {
            row.spans
                .iter()
                .any(|s| crate::input::has_disputed_width(&s.content))
        })
        .map(|(i, _)| i)
        .collect();
    let out = terminal.backend_mut();
    let mut again: Vec<usize> = disputed.iter().chain(last.iter()).copied().collect();
    again.sort_unstable();
    again.dedup();
    for i in again {
        let (Some(row), Ok(dy)) = (rows.get(i), u16::try_from(i)) else {
            continue;
        };
        queue!(
            out,
            cursor::MoveTo(messages.x, messages.y.saturating_add(dy))
        )?;
        for span in &row.spans {
            let style = span.style.into_crossterm();
            queue!(
                out,
                PrintStyledContent(StyledContent::new(style, span.content.as_ref()))
            )?;
        }
        queue!(
            out,
            SetAttribute(Attribute::Reset),
            Clear(ClearType::UntilNewLine)
        )?;
    }
    *last = disputed;
    Ok(())
}

/// Writes the input line again over what ratatui drew, the way no width disagreement can
/// spoil: the text up to the cursor, the terminal's own cursor position saved, the rest of
/// the text, everything after it on the row cleared, the cursor restored. ratatui only
/// writes the cells it believes changed, so a flag the terminal drew wider than ratatui
/// counts would otherwise stay on screen after it is deleted.
fn paint_input(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    area: ratatui::layout::Rect,
    prompt: Prompt<'_>,
) -> io::Result<()> {
    let (x, y, field) = view::input_field(area, prompt.label);
    let (before, after) = prompt.editor.view_parts(field);
    let out = terminal.backend_mut();
    queue!(
        out,
        cursor::MoveTo(x, y),
        Print(before),
        cursor::SavePosition,
        Print(after),
        Clear(ClearType::UntilNewLine),
        cursor::RestorePosition,
    )?;
    io::Write::flush(out)
}

/// Clears the screen and has the next draw write every cell, without asking the terminal
/// anything: `Terminal::clear` reads the cursor position, whose answer the input thread
/// (blocked in `event::read`) takes, and then fails after 2 s.
fn redraw(terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

fn handle_terminal(
    client: &mut Client,
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    event: TermEvent,
) -> io::Result<()> {
    match event {
        TermEvent::Key(key)
            if key.kind != KeyEventKind::Release && handle_key(client, app, key) =>
        {
            redraw(terminal)?;
        }
        TermEvent::Paste(text) if app.pending_paste.is_none() => paste(client, app, &text),
        // A resize is picked up by the next draw.
        _ => {}
    }
    Ok(())
}

/// Applies one key; true when the screen should be cleared and redrawn (Ctrl-L).
fn handle_key(client: &mut Client, app: &mut App, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if let Some(pending) = app.pending_paste.take() {
        match key.code {
            KeyCode::Enter => send_paste(client, app, pending),
            KeyCode::Esc => client.notice("Paste cancelled; nothing was sent."),
            KeyCode::Char('c') if ctrl => leave(client, app),
            // Anything else waits for the answer.
            _ => app.pending_paste = Some(pending),
        }
        return false;
    }
    let editor = &mut app.editor;
    match key.code {
        KeyCode::Char('c') if ctrl => leave(client, app),
        // Ctrl-D leaves on an empty line, as in a shell; otherwise it deletes forward.
        KeyCode::Char('d') if ctrl && editor.is_empty() => leave(client, app),
        KeyCode::Char('d') if ctrl => editor.delete(),
        KeyCode::Char('l') if ctrl => return true,
        KeyCode::Char('a') if ctrl => editor.home(),
        KeyCode::Char('e') if ctrl => editor.end(),
        KeyCode::Char('b') if ctrl => editor.left(),
        KeyCode::Char('f') if ctrl => editor.right(),
        KeyCode::Char('u') if ctrl => editor.delete_to_start(),
        KeyCode::Char('k') if ctrl => editor.delete_to_end(),
        KeyCode::Char('w') if ctrl => editor.delete_word_before(),
        KeyCode::Char('b') if alt => editor.word_left(),
        KeyCode::Char('f') if alt => editor.word_right(),
        // Alt with a letter is a command (Meta) key in readline and irssi, never text.
        KeyCode::Char(c) if !ctrl && !alt => editor.insert(c),
        KeyCode::Enter => submit(client, app),
        KeyCode::Backspace if ctrl || alt => editor.delete_word_before(),
        KeyCode::Backspace => editor.backspace(),
        KeyCode::Delete => editor.delete(),
        KeyCode::Left if ctrl || alt => editor.word_left(),
        KeyCode::Right if ctrl || alt => editor.word_right(),
        KeyCode::Left => editor.left(),
        KeyCode::Right => editor.right(),
        KeyCode::Home => editor.home(),
        // End on an empty line, and Ctrl-End / Alt-End always, jump to the newest line.
        KeyCode::End if ctrl || alt || editor.is_empty() => app.pane.scroll_to_bottom(),
        KeyCode::End => editor.end(),
        KeyCode::Up => {
            if let Some(line) = app.history.up(editor.text()) {
                editor.set(line);
            }
        }
        KeyCode::Down => {
            if let Some(line) = app.history.down() {
                editor.set(line);
            }
        }
        KeyCode::PageUp => app.pane.scroll_up((app.page / 2).max(1)),
        KeyCode::PageDown => app.pane.scroll_down((app.page / 2).max(1)),
        _ => {}
    }
    false
}

fn submit(client: &mut Client, app: &mut App) {
    if app.editor.text().trim().is_empty() {
        return;
    }
    test_panic();
    let line = app.editor.take();
    app.history.push(&line);
    if !client.session().wants_nickname() {
        match line.trim_end().to_ascii_lowercase().as_str() {
            // The window only: the chat log keeps everything.
            "/clear" => return app.pane.clear(),
            // The client's keys first, then the server's list (the line is sent).
            "/help" => show_help(app),
            _ => {}
        }
    }
    send_line(client, app, line);
}

/// What `/help` shows before the server's own list (on screen only, not logged).
const HELP: [&str; 6] = [
    "Keys: Enter sends; Up/Down history; PgUp/PgDn scroll; End on an empty line, Ctrl-End \
     or Alt-End: back to the newest line; Ctrl-L redraws.",
    "Editing: Left/Right, Home/End (Ctrl-A/E), Ctrl-Left/Right or Alt-B/F by word, \
     Backspace, Delete, Ctrl-W (word), Ctrl-U/Ctrl-K (to start/end).",
    "Leaving: Ctrl-C, Ctrl-D on an empty line, or /quit.",
    "Client commands: /reconnect; /connect HOST[:PORT]; /clear (the window, not the log); \
     /nick = /rename, /msg = /whisper, /j = /join; /me waves.",
    "A paste of 5 lines or more asks first; a line too long for the server is sent as \
     several.",
    "The server's commands:",
];

fn show_help(app: &mut App) {
    let time = now_hhmm(app.offset);
    for text in HELP {
        app.pane.push(Entry {
            time: time.clone(),
            line: DisplayLine::notice(text),
            mention: None,
        });
    }
}

fn now_hhmm(offset: UtcOffset) -> String {
    OffsetDateTime::now_utc()
        .to_offset(offset)
        .format(format_description!("[hour]:[minute]"))
        .unwrap_or_default()
}

fn send_line(client: &mut Client, app: &mut App, line: String) {
    app.pane.scroll_to_bottom();
    if crate::wire::is_quit(&line) {
        app.leaving = true;
    }
    client.handle_typed(Instant::now(), Typed::Line(line));
}

/// A bracketed paste. Without a line break it goes in at the cursor. With line breaks it
/// acts as if typed: the draft with the first line is sent, then each further line, and
/// the text after the last break stays on the input line; from [`PASTE_CONFIRM`] lines on
/// it asks first. Blank lines are skipped, as Enter on an empty line is.
fn paste(client: &mut Client, app: &mut App, text: &str) {
    let mut parts: Vec<&str> = text.split('\n').flat_map(|l| l.split('\r')).collect();
    // CR LF leaves an empty piece between CR and LF; blank pieces are skipped below.
    if parts.len() == 1 {
        if !app.editor.insert_str(text) {
            client.notice(&format!(
                "The paste was cut at {} KiB (the input line's limit).",
                crate::input::MAX_INPUT_BYTES / 1024
            ));
        }
        return;
    }
    let rest = parts.pop().unwrap_or_default().to_owned();
    let mut first = app.editor.clone();
    let _ = first.insert_str(parts.first().copied().unwrap_or_default());
    let mut lines = vec![first.take()];
    // Each line as if typed: tabs become spaces, other control characters vanish.
    lines.extend(parts.iter().skip(1).map(|l| {
        let mut typed = LineEditor::default();
        let _ = typed.insert_str(l);
        typed.take()
    }));
    lines.retain(|l| !l.trim().is_empty());
    let pending = PendingPaste { lines, rest };
    if pending.lines.len() >= PASTE_CONFIRM {
        client.notice(&format!(
            "You pasted {} lines: Enter sends them, Esc cancels.",
            pending.lines.len()
        ));
        app.pending_paste = Some(pending);
    } else {
        send_paste(client, app, pending);
    }
}

fn send_paste(client: &mut Client, app: &mut App, paste: PendingPaste) {
    app.editor.take();
    for line in paste.lines {
        send_line(client, app, line);
    }
    let _ = app.editor.insert_str(&paste.rest);
}

/// Debug builds only: with `CHAT_CLI_TEST_PANIC` set, Enter panics, so the tests can prove
/// a panic restores the terminal. Release builds have no such switch.
fn test_panic() {
    #[cfg(debug_assertions)]
    if std::env::var_os("CHAT_CLI_TEST_PANIC").is_some() {
        panic!("CHAT_CLI_TEST_PANIC is set");
    }
}

fn leave(client: &mut Client, app: &mut App) {
    app.leaving = true;
    client.handle_typed(Instant::now(), Typed::End);
}

/// Forwards terminal events to the loop from a thread, so the loop sleeps on one channel.
fn spawn_terminal_reader(tx: SyncSender<Event>) {
    thread::spawn(move || {
        loop {
            let event = match crossterm::event::read() {
                Ok(event) => Event::Terminal(event),
                Err(e) => Event::TerminalFailed(e.to_string()),
            };
            let failed = matches!(event, Event::TerminalFailed(_));
            if tx.send(event).is_err() || failed {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::room_rows;

    #[test]
    fn rooms_are_listed_one_a_row() {
        assert_eq!(
            room_rows(
                "[Server]: Rooms (3): lobby 3/10, study 2/10 (code), 개발 1/10",
                false
            )
            .expect("a rooms line"),
            [
                "[Server]: Rooms (3):",
                "[Server]:   lobby 3/10",
                "[Server]:   study 2/10 (code)",
                "[Server]:   개발 1/10",
            ]
        );
        assert_eq!(
            room_rows("[Server]: ... x 1/10, y 2/10", true).expect("a continuation"),
            ["[Server]:   x 1/10", "[Server]:   y 2/10"]
        );
        // A continuation counts only right after a list; other lines are no rooms.
        assert_eq!(room_rows("[Server]: ... x 1/10", false), None);
        assert_eq!(room_rows("Alice >> Rooms (3): a, b", false), None);
        assert_eq!(room_rows("[Server]: Bob has joined the chat.", true), None);
    }
}
