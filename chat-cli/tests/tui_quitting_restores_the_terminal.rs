//! Leaving terminal mode (Ctrl-C, Ctrl-D, /quit) sends /quit and gives the terminal back as
//! it was: main screen, cooked mode with echo, the shell's earlier output still there.

mod common;

use common::{BIN, Tmux, quoted, start_server, stop_server};

fn run_and_leave(keys: &[&str], nick: &str) {
    leave_with(keys, nick, "", 0);
}

/// Starts the client with `env` before it on the command line, presses `keys`, and checks
/// the exit code and that the terminal is back as it was.
fn leave_with(keys: &[&str], nick: &str, env: &str, code: i32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let tmux = Tmux::start(dir.path());
    // Arithmetic, so the output differs from the typed command.
    tmux.type_line("echo BEFORE-$((2+3))");
    tmux.wait_for("the shell's output", |rows| {
        rows.iter().any(|r| r == "BEFORE-5")
    });
    assert_eq!(tmux.format("#{alternate_on}"), "0");
    tmux.type_line(&format!(
        "{env}{} --port {} --nick {nick} --no-log; echo EXITED $?",
        quoted(BIN.as_ref()),
        server.local_addr().port(),
    ));
    tmux.wait_for_text(&format!("{nick} (admin) | 127.0.0.1"));
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "not on the alternate screen"
    );

    for key in keys {
        if *key == "SIGTERM" || *key == "SIGHUP" {
            // The client is the shell's child in the pane.
            let shell = tmux.format("#{pane_pid}");
            let out = std::process::Command::new("pgrep")
                .args(["-P", &shell])
                .output()
                .expect("pgrep");
            let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            assert!(!pid.is_empty(), "no client process under the pane's shell");
            let status = std::process::Command::new("kill")
                .args([&format!("-{}", &key[3..]), &pid])
                .status()
                .expect("kill");
            assert!(status.success());
        } else if key.starts_with('/') {
            tmux.type_text(key);
        } else {
            tmux.keys(&[key]);
        }
    }
    let rows = tmux.wait_for_text(&format!("EXITED {code}"));
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "alternate screen left on"
    );
    assert!(rows.iter().any(|r| r == "BEFORE-5"), "{rows:#?}");
    if code == 101 {
        // The panic message was printed on the main screen and nothing moved over it.
        let message = rows.iter().position(|r| r == "CHAT_CLI_TEST_PANIC is set");
        let exited = rows.iter().position(|r| r == "EXITED 101");
        assert!(message.is_some() && message < exited, "{rows:#?}");
    }
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor left hidden");

    // `sh` does not touch the tty modes, so `stty` shows what the client left behind.
    tmux.type_line(
        "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo MODES-$((1+1))",
    );
    let rows = tmux.wait_for("stty's output", |rows| {
        rows.iter().any(|r| r.ends_with("MODES-2"))
    });
    assert!(
        rows.iter().any(|r| r == "icanon echo MODES-2"),
        "raw mode left on:\n{}",
        rows.join("\n")
    );

    stop_server(server);
    let log = std::fs::read_to_string(dir.path().join("server.txt")).expect("server log");
    // A dead process's socket closes (or resets, if a line was still unread).
    let causes: &[&str] = if code == 0 {
        &["quit"]
    } else {
        &["closed", "error"]
    };
    assert!(
        causes
            .iter()
            .any(|c| log.contains(&format!(" leave {nick} {c}\n"))),
        "{log}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal() {
    run_and_leave(&["C-c"], "Alice");
}

#[test]
fn ctrl_d_on_an_empty_line_restores_the_terminal() {
    run_and_leave(&["C-d"], "Bob");
}

#[test]
fn slash_quit_restores_the_terminal() {
    run_and_leave(&["/quit", "Enter"], "Carol");
}

#[test]
fn a_panic_restores_the_terminal_and_the_message_is_readable() {
    // Debug builds panic on Enter with this set (see `tui::test_panic`).
    leave_with(
        &["x", "Enter"],
        "Dave",
        "CHAT_CLI_TEST_PANIC=1 RUST_BACKTRACE=0 ",
        101,
    );
}

#[test]
fn sigterm_leaves_cleanly_and_restores_the_terminal() {
    run_and_leave(&["SIGTERM"], "Eve");
}

#[test]
fn sighup_leaves_cleanly_and_restores_the_terminal() {
    run_and_leave(&["SIGHUP"], "Frank");
}
