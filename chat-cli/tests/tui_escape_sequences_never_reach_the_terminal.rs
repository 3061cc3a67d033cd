//! Terminal mode sanitises every received line again: a server that sends colour codes, a
//! title change or a screen clear gets them shown as harmless text.

mod common;

use common::{BIN, FakeServer, Tmux, quoted};

#[test]
fn escape_sequences_from_the_network_are_shown_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A hostile server: the real one strips these before the client ever sees them.
    let fake = FakeServer::bind();
    let tmux = Tmux::start(dir.path());
    let title = tmux.format("#{pane_title}");
    // NO_COLOR: the client itself draws no colour, so any colour in the pane was injected.
    tmux.type_line(&format!(
        "NO_COLOR=1 {} --port {} --nick Tester --no-log; echo EXITED $?",
        quoted(BIN.as_ref()),
        fake.addr().port(),
    ));
    let mut conn = fake.accept();
    assert_eq!(conn.welcome(), "Tester");
    tmux.wait_for_text("Tester | 127.0.0.1");
    conn.send("Bob >> before");
    conn.send_raw(
        b"Mallory >> \x1b[31mRED\x1b[0m \x1b]2;PWNED\x07 \x1b[2J\x1b[H\xc2\x9b31m \xe2\x80\xae after\n",
    );
    let rows = tmux.wait_for_text("after");
    let shown = rows
        .iter()
        .find(|r| r.contains("Mallory >> "))
        .expect("Mallory's line");
    assert!(
        shown.ends_with("Mallory >> [31mRED[0m ]2;PWNED [2J[H31m  after"),
        "{shown:?}"
    );
    // The screen was not cleared: the earlier line is still there.
    assert!(
        rows.iter().any(|r| r.ends_with("Bob >> before")),
        "{rows:#?}"
    );
    assert_eq!(tmux.format("#{pane_title}"), title, "the title changed");
    let raw = tmux.capture_escapes();
    assert!(
        colours(&raw).is_empty(),
        "colour in the pane: {:?}\n{raw:?}",
        colours(&raw)
    );

    tmux.keys(&["C-c"]);
    conn.lines.expect("/quit");
    conn.send("[Server]: Bye, Tester.");
    conn.close();
    tmux.wait_for_text("EXITED 0");
}

/// The colour-setting SGR parameters (foreground or background, not the defaults 39/49) in
/// `capture-pane -e` output.
fn colours(raw: &str) -> Vec<String> {
    raw.split("\x1b[")
        .skip(1)
        .filter_map(|seq| seq.split_once('m').map(|(params, _)| params))
        .filter(|params| params.bytes().all(|b| b.is_ascii_digit() || b == b';'))
        .flat_map(|params| params.split(';'))
        .filter(|p| {
            matches!(
                p.parse::<u32>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        })
        .map(str::to_owned)
        .collect()
}
