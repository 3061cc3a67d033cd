//! What terminal mode draws: the message pane with its scrollback, the status line and the
//! input line, with their styles. Drawing is a pure function of this state, tested on
//! ratatui's `TestBackend`.

use std::collections::VecDeque;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::display::{DisplayLine, Kind, mention_ranges};
use crate::input::{LineEditor, cell_width};

/// Lines kept in the scrollback (the issue asks for at least 5,000).
pub(crate) const SCROLLBACK: usize = 10_000;

/// Columns of `HH:MM ` before each line; wrapped rows are indented by as much.
const STAMP_WIDTH: usize = 6;

/// One shown line with its arrival time.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// `HH:MM` local time of arrival.
    pub(crate) time: String,
    /// The line.
    pub(crate) line: DisplayLine,
    /// The user's nickname when the line names them: each occurrence is marked.
    pub(crate) mention: Option<String>,
}

/// The message pane: entries oldest first, and how far the view is scrolled back, in screen
/// rows (a long message wraps over many rows, and each of them can be scrolled to).
#[derive(Debug, Default)]
pub(crate) struct Pane {
    /// At most [`SCROLLBACK`] entries, oldest first.
    entries: VecDeque<Entry>,
    /// Rows of the newest entries hidden below the view; 0 follows new lines. Never more
    /// than `rows - 1`, so the view always shows something.
    scroll: usize,
    /// The width the pane was last drawn at, which decides how entries wrap (0: not drawn
    /// yet, every entry counts as one row).
    width: usize,
    /// Rows all the entries take at `width`.
    rows: usize,
}

impl Pane {
    /// Adds a line; a view scrolled back stays on the rows it shows.
    pub(crate) fn push(&mut self, entry: Entry) {
        if self.entries.len() == SCROLLBACK
            && let Some(oldest) = self.entries.pop_front()
        {
            self.rows -= self.rows_of(&oldest);
        }
        let rows = self.rows_of(&entry);
        self.rows += rows;
        if self.scroll > 0 {
            self.scroll += rows;
        }
        self.entries.push_back(entry);
        self.clamp();
    }

    /// Scrolls back by `rows` (PgUp), stopping with the oldest row at the bottom.
    pub(crate) fn scroll_up(&mut self, rows: usize) {
        self.scroll = self.scroll.saturating_add(rows);
        self.clamp();
    }

    /// Scrolls forward by `rows` (PgDn), stopping at the newest row.
    pub(crate) fn scroll_down(&mut self, rows: usize) {
        self.scroll = self.scroll.saturating_sub(rows);
    }

    /// Empties the window (`/clear`).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.rows = 0;
        self.scroll = 0;
    }

    /// Back to the newest row, following new lines again.
    pub(crate) fn scroll_to_bottom(&mut self) {
        self.scroll = 0;
    }

    /// Rows below the view.
    pub(crate) fn hidden_below(&self) -> usize {
        self.scroll
    }

    /// Sets the width the pane is drawn at (after each draw); a new width re-counts the rows
    /// (a scrolled-back view keeps its distance from the bottom, in rows of the new width).
    pub(crate) fn set_width(&mut self, width: usize) {
        if width != self.width {
            self.width = width;
            self.rows = self.entries.iter().map(|e| self.rows_of(e)).sum();
            self.clamp();
        }
    }

    /// Lines kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Rows `entry` takes at the current width (colours do not change the wrapping).
    fn rows_of(&self, entry: &Entry) -> usize {
        if self.width == 0 {
            return 1;
        }
        wrap(
            Palette { color: false }.spans(entry),
            self.width,
            STAMP_WIDTH,
        )
        .len()
    }

    fn clamp(&mut self) {
        self.scroll = self.scroll.min(self.rows.saturating_sub(1));
    }
}

/// Styles, with or without colour (`NO_COLOR`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    /// False when `NO_COLOR` is set: only bold, italic, dim and reverse are used.
    pub(crate) color: bool,
}

/// Nickname colours; the hash of a nickname picks one, so it is the same every session.
const NICK_COLORS: [Color; 12] = [
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
];

impl Palette {
    fn pick(self, color: Style, plain: Style) -> Style {
        if self.color { color } else { plain }
    }

    fn stamp(self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    fn server(self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan),
            Style::new().add_modifier(Modifier::ITALIC),
        )
    }

    fn whisper(self) -> Style {
        self.pick(
            Style::new().fg(Color::Magenta),
            Style::new().add_modifier(Modifier::ITALIC),
        )
    }

    fn scheduled(self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(
            bold.fg(Color::LightBlue),
            bold.add_modifier(Modifier::ITALIC),
        )
    }

    fn notice(self) -> Style {
        let dim = Style::new().add_modifier(Modifier::DIM);
        self.pick(dim.fg(Color::DarkGray), dim)
    }

    /// The user's nickname where a line names them: bold and reversed, in no colour a
    /// nickname uses.
    fn mention(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    fn action(self) -> Style {
        Style::new().add_modifier(Modifier::ITALIC)
    }

    fn room_notice(self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(
            bold.fg(Color::Yellow),
            bold.add_modifier(Modifier::UNDERLINED),
        )
    }

    /// Kicked, banned, shutting down: impossible to miss.
    fn alert(self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(
            bold.fg(Color::White).bg(Color::Red),
            bold.add_modifier(Modifier::REVERSED),
        )
    }

    /// The nickname's stable colour (FNV-1a of its lower-case form).
    pub(crate) fn nick(self, nick: &str) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if !self.color {
            return bold;
        }
        let hash = nick
            .to_lowercase()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        let index = usize::try_from(hash % NICK_COLORS.len() as u64).unwrap_or(0);
        bold.fg(NICK_COLORS[index])
    }

    /// The styled pieces of one entry, before wrapping. A backlog line shows its own time
    /// and is dimmed; a mention marks the nickname only.
    fn spans(self, entry: &Entry) -> Vec<Span<'static>> {
        let line = &entry.line;
        let time = line.past_time().unwrap_or(&entry.time);
        let mut spans = vec![Span::styled(format!("{time} "), self.stamp())];
        let text = line.shown_text();
        let split = line.body_start.saturating_sub(line.stamp).min(text.len());
        let (head, body) = text.split_at(split);
        let mention = entry.mention.as_deref();
        match &line.kind {
            Kind::Chat { nick } | Kind::Own { nick } => {
                let (name, arrow) = head.split_at(nick.len().min(head.len()));
                spans.push(Span::styled(name.to_owned(), self.nick(nick)));
                spans.push(Span::styled(arrow.to_owned(), self.stamp()));
                self.body(&mut spans, body, Style::new(), mention);
            }
            Kind::Action { nick } | Kind::OwnAction { nick } => {
                let name = head.get(2..2 + nick.len()).unwrap_or_default();
                spans.push(Span::styled("* ".to_owned(), self.action()));
                spans.push(Span::styled(
                    name.to_owned(),
                    self.nick(nick).patch(self.action()),
                ));
                spans.push(Span::styled(" ".to_owned(), self.action()));
                self.body(&mut spans, body, self.action(), mention);
            }
            Kind::WhisperFrom { .. } | Kind::WhisperTo { .. } => {
                spans.push(Span::styled(head.to_owned(), self.whisper()));
                self.body(&mut spans, body, self.whisper(), mention);
            }
            Kind::Scheduled { .. } => {
                spans.push(Span::styled(head.to_owned(), self.scheduled()));
                self.body(&mut spans, body, Style::new(), mention);
            }
            Kind::Server => spans.push(Span::styled(text.to_owned(), self.server())),
            Kind::RoomNotice => spans.push(Span::styled(text.to_owned(), self.room_notice())),
            Kind::Alert => spans.push(Span::styled(text.to_owned(), self.alert())),
            Kind::BacklogHeader => {
                let said = text.strip_prefix("[Server]: ").unwrap_or(text);
                let said = said.strip_suffix(':').unwrap_or(said);
                spans.push(Span::styled(format!("──── {said} ────"), self.server()));
            }
            Kind::Notice => spans.push(Span::styled(text.to_owned(), self.notice())),
            Kind::Other => spans.push(Span::raw(text.to_owned())),
        }
        if line.past_time().is_some() {
            for span in &mut spans {
                span.style = span.style.add_modifier(Modifier::DIM);
            }
        }
        spans
    }

    /// A message body in `style`, with each occurrence of the user's nickname marked.
    fn body(self, spans: &mut Vec<Span<'static>>, body: &str, style: Style, nick: Option<&str>) {
        let mut at = 0;
        for (start, end) in nick.map(|n| mention_ranges(body, n)).unwrap_or_default() {
            if start > at {
                spans.push(Span::styled(body[at..start].to_owned(), style));
            }
            spans.push(Span::styled(
                body[start..end].to_owned(),
                style.patch(self.mention()),
            ));
            at = end;
        }
        if at < body.len() || at == 0 {
            spans.push(Span::styled(body[at..].to_owned(), style));
        }
    }
}

/// Splits styled text into rows of at most `width` columns at spaces, breaking inside a word
/// only when the word alone is wider than a row, and never splitting a grapheme; rows after
/// the first are indented by `indent` columns when that leaves room.
pub(crate) fn wrap(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let indent = if width > indent + 10 { indent } else { 0 };
    // One cell per grapheme, with its style and width.
    let cells: Vec<(&str, Style, usize)> = spans
        .iter()
        .flat_map(|span| {
            span.content
                .graphemes(true)
                .map(move |g| (g, span.style, cell_width(g)))
        })
        .collect();
    let mut rows: Vec<Vec<(&str, Style)>> = vec![Vec::new()];
    let mut col = 0;
    let mut i = 0;
    while i < cells.len() {
        // The next word (or a single space) and its width.
        let end = if cells[i].0 == " " {
            i + 1
        } else {
            (i..cells.len())
                .find(|&j| cells[j].0 == " ")
                .unwrap_or(cells.len())
        };
        let word: usize = cells[i..end].iter().map(|c| c.2).sum();
        let fits_fresh_row = indent + word <= width;
        if col + word > width && col > indent && fits_fresh_row {
            if let Some(row) = rows.last_mut() {
                while row.last().is_some_and(|c| c.0 == " ") {
                    row.pop();
                }
            }
            rows.push(vec![(" ", Style::default()); indent]);
            col = indent;
            if cells[i].0 == " " {
                // A space at a break is dropped.
                i = end;
                continue;
            }
        }
        for &(g, style, w) in &cells[i..end] {
            if col + w > width && col > indent {
                rows.push(vec![(" ", Style::default()); indent]);
                col = indent;
            }
            if let Some(row) = rows.last_mut() {
                row.push((g, style));
            }
            col += w;
        }
        i = end;
    }
    rows.into_iter()
        .map(|row| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (g, style) in row {
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push_str(g),
                    _ => spans.push(Span::styled(g.to_owned(), style)),
                }
            }
            Line::from(spans)
        })
        .collect()
}

/// What the status line says.
#[derive(Debug, Clone)]
pub(crate) struct Status<'a> {
    /// The nickname in use.
    pub(crate) nick: Option<&'a str>,
    /// Whether the user is the room's admin.
    pub(crate) admin: bool,
    /// `host:port`.
    pub(crate) server: &'a str,
    /// The current room (`None` before a nickname is accepted).
    pub(crate) room: Option<&'a str>,
    /// `(online, capacity)`.
    pub(crate) online: Option<(u32, u32)>,
    /// The connection state in words.
    pub(crate) state: String,
}

/// The input line: a label and the editor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prompt<'a> {
    /// `> ` or `Nickname: `.
    pub(crate) label: &'a str,
    /// The line being typed.
    pub(crate) editor: &'a LineEditor,
}

/// Draws the whole screen: messages, then the status line, then the input line with the
/// cursor in it.
pub(crate) fn draw(
    frame: &mut Frame<'_>,
    pane: &Pane,
    status: &Status<'_>,
    prompt: Prompt<'_>,
    palette: Palette,
) {
    let area = frame.area();
    if area.height < 3 || area.width < 4 {
        // Too small for anything useful; the input line is what matters.
        draw_prompt(frame, area, prompt);
        return;
    }
    let messages = Rect::new(area.x, area.y, area.width, area.height - 2);
    let status_row = Rect::new(area.x, area.y + area.height - 2, area.width, 1);
    let input_row = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    frame.render_widget(Paragraph::new(pane_rows(pane, messages, palette)), messages);
    frame.render_widget(
        status_line(status, pane, usize::from(area.width)),
        status_row,
    );
    draw_prompt(frame, input_row, prompt);
}

/// The message pane's area in a screen of `area` and the rows drawn in it (empty when the
/// screen is too small for a pane).
pub(crate) fn message_rows(
    area: Rect,
    pane: &Pane,
    palette: Palette,
) -> (Rect, Vec<Line<'static>>) {
    if area.height < 3 || area.width < 4 {
        return (area, Vec::new());
    }
    let messages = Rect::new(area.x, area.y, area.width, area.height - 2);
    (messages, pane_rows(pane, messages, palette))
}

/// The rows that fill the message pane, bottom-aligned like a chat.
fn pane_rows(pane: &Pane, area: Rect, palette: Palette) -> Vec<Line<'static>> {
    let height = usize::from(area.height);
    let width = usize::from(area.width);
    // Newest row first, until the rows scrolled below and a screenful are there.
    let mut rows: Vec<Line<'static>> = Vec::with_capacity(height + pane.scroll);
    for entry in pane.entries.iter().rev() {
        let wrapped = wrap(palette.spans(entry), width, STAMP_WIDTH);
        rows.extend(wrapped.into_iter().rev());
        if rows.len() >= height + pane.scroll {
            break;
        }
    }
    // At most down to the oldest row, also for a scroll counted at another width.
    rows.drain(..pane.scroll.min(rows.len().saturating_sub(1)));
    rows.truncate(height);
    rows.resize(height, Line::default());
    rows.reverse();
    rows
}

/// The status line: ` Alice (admin) | 127.0.0.1:9999 | lobby 3/10 online | connected`. When
/// the window is too narrow, the least useful parts go first: the server address, then the
/// word `online`, the scrollback hint, the nickname; the connection state always stays.
fn status_line<'a>(status: &Status<'_>, pane: &Pane, width: usize) -> Paragraph<'a> {
    // (text, the order it is dropped in: lower goes first; None is never dropped).
    let mut parts: Vec<(String, Option<u8>)> = Vec::new();
    match (status.nick, status.admin) {
        (Some(nick), true) => parts.push((format!("{nick} (admin)"), Some(3))),
        (Some(nick), false) => parts.push((nick.to_owned(), Some(3))),
        (None, _) => {}
    }
    parts.push((status.server.to_owned(), Some(0)));
    let room = status.room.map(|r| format!("{r} ")).unwrap_or_default();
    match status.online {
        Some((online, capacity)) => {
            parts.push((format!("{room}{online}/{capacity} online"), Some(4)));
        }
        None if !room.is_empty() => parts.push((room.trim_end().to_owned(), Some(4))),
        None => {}
    }
    parts.push((status.state.clone(), None));
    if pane.hidden_below() > 0 {
        parts.push((
            format!("{} more rows below (PgDn)", pane.hidden_below()),
            Some(2),
        ));
    }
    let render = |parts: &[(String, Option<u8>)]| {
        let texts: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
        format!(" {}", texts.join(" | "))
    };
    let mut text = render(&parts);
    for rank in 0..=4 {
        if text.width() <= width {
            break;
        }
        if rank == 1 {
            // Before dropping whole parts: `3/10 online` becomes `3/10`.
            for (t, r) in &mut parts {
                if *r == Some(4) {
                    *t = t.trim_end_matches(" online").to_owned();
                }
            }
        } else {
            parts.retain(|(_, r)| *r != Some(rank));
        }
        text = render(&parts);
    }
    Paragraph::new(text).style(Style::new().add_modifier(Modifier::REVERSED))
}

/// Where the input field starts (column, row) and how many columns it has, in a screen of
/// `area`: the bottom row after the label.
pub(crate) fn input_field(area: Rect, label: &str) -> (u16, u16, usize) {
    let row = if area.height < 3 || area.width < 4 {
        area
    } else {
        Rect::new(area.x, area.y + area.height - 1, area.width, 1)
    };
    let label_width = label.width().min(usize::from(row.width) / 2);
    let field = usize::from(row.width).saturating_sub(label_width);
    let x = row
        .x
        .saturating_add(u16::try_from(label_width).unwrap_or(u16::MAX));
    (x, row.y, field)
}

fn draw_prompt(frame: &mut Frame<'_>, area: Rect, prompt: Prompt<'_>) {
    let label_width = prompt.label.width().min(usize::from(area.width) / 2);
    let field = usize::from(area.width).saturating_sub(label_width);
    let (shown, col) = prompt.editor.view(field);
    let line = Line::from(vec![
        Span::styled(
            prompt.label.to_owned(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(shown.to_owned()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let x = u16::try_from(label_width + col).unwrap_or(u16::MAX);
    frame.set_cursor_position(Position::new(area.x.saturating_add(x), area.y));
}

#[cfg(test)]
mod tests;
