//! The page in a real headless chromium: it loads without a console error, joins with a
//! Korean nickname, chats with another member both ways, shows every kind of line, shows
//! markup as text, keeps an IME's Enter, recalls history, and rejoins after a restart.

mod support;

use support::browser::Browser;
use support::{WAIT, WebServer, expect_local};

/// Opens the page and joins as `nick`.
fn join(server: &WebServer, nick: &str) -> Browser {
    let mut b = Browser::launch();
    b.open(&format!("http://{}/", server.addr));
    b.wait_for_prefix("[Server]: Welcome to the open chat (");
    b.wait_for(
        "the input asks for a nickname",
        "document.getElementById('input').placeholder === 'Choose a nickname'",
    );
    b.type_line(nick);
    b.wait_for_prefix(&format!("[Server]: Welcome, {nick}! "));
    b
}

#[test]
fn joins_with_a_korean_nickname_without_a_console_error() {
    let server = WebServer::start("browser-join");
    let mut b = join(&server, "개똥이");
    b.wait_for_line("[Server]: You are the admin.");
    b.wait_for(
        "the status line",
        "document.getElementById('status').innerText.replace(/\\s+/g, ' ').trim() === '개똥이 (admin) lobby 1/10 online connected'",
    );
    assert_eq!(b.eval("document.title"), "개똥이 · chat");
    b.assert_no_errors();
}

#[test]
fn chats_with_another_member_and_shows_each_kind_of_line() {
    let server = WebServer::start("browser-chat");
    let mut bob = server.member("Bob");
    expect_local(&mut bob, "[Server]: You are the admin.");
    bob.send("before you came").expect("send");
    bob.send("/me waves early").expect("send");
    let mut b = join(&server, "개똥이");
    // The backlog: a header, then the lines as delivered, dimmed, with their own times.
    b.wait_for(
        "the backlog is shown dimmed",
        "document.querySelectorAll('#log .line.past').length === 2",
    );
    let past = b
        .eval("[...document.querySelectorAll('#log .line.past')].map(l => l.textContent.slice(6))");
    assert_eq!(
        past,
        serde_json::json!(["Bob >> before you came", "* Bob waves early"])
    );
    assert_eq!(b.eval("document.querySelector('#log .backlog-header').textContent.startsWith('──── Last 2 messages (times in ')"), true);
    expect_local(&mut bob, "[Server]: 개똥이 has joined the chat.");

    b.type_line("안녕하세요 👋 Bob");
    expect_local(&mut bob, "개똥이 >> 안녕하세요 👋 Bob");
    b.wait_for_line("개똥이 >> 안녕하세요 👋 Bob");
    bob.send("Hi!").expect("send");
    b.wait_for_line("Bob >> Hi!");
    bob.send("/whisper 개똥이 psst").expect("send");
    b.wait_for_line("[Whisper from Bob] psst");
    expect_local(&mut bob, "[Whisper to 개똥이] psst");
    bob.send("/me waves").expect("send");
    b.wait_for_line("* Bob waves");
    b.type_line("/me bows");
    expect_local(&mut bob, "* 개똥이 bows");
    b.type_line("//slash");
    expect_local(&mut bob, "개똥이 >> /slash");

    // Each line is styled by its kind, and a nickname has the colour chat-cli gives it.
    let kinds =
        b.eval("[...document.querySelectorAll('#log .line:not(.past)')].map(l => l.dataset.kind)");
    let kinds: Vec<String> = serde_json::from_value(kinds).expect("kinds");
    for kind in ["server", "chat", "own", "whisper", "action", "own-action"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} line in {kinds:?}"
        );
    }
    let colour = b.eval("[...document.querySelectorAll('#log .line.chat .nick')].pop().className");
    // FNV-1a of "bob" modulo 12, as chat-cli's Palette::nick computes it.
    let fnv = "bob".bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    });
    assert_eq!(colour, format!("nick n{}", fnv % 12));
    // Every line starts with its time.
    assert_eq!(b.eval("[...document.querySelectorAll('#log .line:not(.backlog-header) .time')].every(t => /^\\d\\d:\\d\\d $/.test(t.textContent))"), true);

    // The classifier on the kinds the server sends and this test cannot wait for.
    let classified = b.eval(
        "['[Scheduled by Bob] lunch', '[Scheduled by Bob (left)] lunch', '[Server]: Notice from Bob: hi', \
          '[Server]: You have been kicked from the chat.', '[Whisper to Bob] hi', 'no kind at all', \
          '[Scheduled by Bob, 12 min late] lunch', '[Scheduled by two words] x', \
          '[Whisper from Bob (left)] x']\
          .map(t => window.chatClassify(t).kind + ' ' + (window.chatClassify(t).nick || ''))",
    );
    assert_eq!(
        classified,
        serde_json::json!([
            "scheduled Bob",
            "scheduled Bob",
            "room-notice ",
            "alert ",
            "whisper Bob",
            "other ",
            "scheduled Bob",
            "other ",
            "other "
        ])
    );
    b.assert_no_errors();
}

#[test]
fn markup_and_script_are_shown_as_text() {
    let server = WebServer::start("browser-markup");
    let mut b = join(&server, "Alice");
    let mut bob = server.member("Bob");
    let payload = r#"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b> &amp; </div>"#;
    bob.send(payload).expect("send");
    b.wait_for_line(&format!("Bob >> {payload}"));
    bob.send("/me <i>italic</i>").expect("send");
    b.wait_for_line("* Bob <i>italic</i>");
    assert_eq!(b.eval("typeof window.pwned"), "undefined");
    assert_eq!(
        b.eval("document.querySelectorAll('#log img, #log script, #log b, #log i').length"),
        0
    );
    b.type_line("<b>mine</b>");
    expect_local(&mut bob, "Alice >> <b>mine</b>");
    b.wait_for_line("Alice >> <b>mine</b>");
    assert_eq!(b.eval("document.querySelectorAll('#log b').length"), 0);
    b.assert_no_errors();
}

#[test]
fn enter_while_an_ime_composes_never_sends() {
    let server = WebServer::start("browser-ime");
    let mut b = join(&server, "개똥이");
    let mut bob = server.member("Bob");
    b.wait_for_line("[Server]: Bob has joined the chat.");
    // A syllable being composed: Enter (isComposing) belongs to the IME.
    b.eval(
        "(() => { const i = document.getElementById('input'); i.focus(); i.value = '안'; \
          i.dispatchEvent(new CompositionEvent('compositionstart', {data: ''})); \
          i.dispatchEvent(new CompositionEvent('compositionupdate', {data: '안'})); \
          i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', isComposing: true, bubbles: true, cancelable: true})); \
          return i.value; })()",
    );
    // Some browsers send the IME's Enter after compositionend-less keydowns without the
    // flag: the page's own composition state still holds it.
    b.eval(
        "(() => { const i = document.getElementById('input'); \
          i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true})); })()",
    );
    assert_eq!(b.eval("document.getElementById('input').value"), "안");
    // The composition ends with the whole word; the next Enter sends it.
    b.eval(
        "(() => { const i = document.getElementById('input'); i.value = '안녕'; \
          i.dispatchEvent(new CompositionEvent('compositionend', {data: '안녕'})); })()",
    );
    b.key("Enter", 13);
    // The very next line Bob gets is the whole word: nothing was sent before it.
    expect_local(&mut bob, "개똥이 >> 안녕");
    assert_eq!(b.eval("document.getElementById('input').value"), "");
    b.assert_no_errors();
}

#[test]
fn up_and_down_recall_history() {
    let server = WebServer::start("browser-history");
    let mut b = join(&server, "Alice");
    b.type_line("one");
    b.type_line("two");
    b.eval("document.getElementById('input').value = 'draft'");
    let value = |b: &mut Browser| b.eval("document.getElementById('input').value");
    b.key("ArrowUp", 38);
    assert_eq!(value(&mut b), "two");
    b.key("ArrowUp", 38);
    assert_eq!(value(&mut b), "one");
    b.key("ArrowUp", 38);
    assert_eq!(value(&mut b), "Alice", "the nickname is history too");
    b.key("ArrowDown", 40);
    b.key("ArrowDown", 40);
    assert_eq!(value(&mut b), "two");
    b.key("ArrowDown", 40);
    assert_eq!(value(&mut b), "draft");
    b.assert_no_errors();
}

#[test]
fn a_server_restart_is_rejoined_with_the_same_nickname() {
    let mut server = WebServer::start("browser-restart");
    let addr = server.addr.to_string();
    let mut b = join(&server, "개똥이");
    server.stop();
    b.wait_for_line("[Server]: The server is shutting down.");
    b.wait_for(
        "the status says reconnecting",
        "document.getElementById('conn').textContent.startsWith('reconnecting in ')",
    );
    let server = WebServer::at("browser-restart-2", &addr, |_, _| {});
    let mut bob = server.member("Bob");
    bob.recv_until(WAIT, |l| l == "[Server]: 개똥이 has joined the chat.")
        .expect("개똥이 rejoins");
    b.wait_for_line("* Rejoined the chat as 개똥이.");
    b.wait_for(
        "the status says connected",
        "document.getElementById('conn').textContent === 'connected'",
    );
    b.type_line("back again");
    expect_local(&mut bob, "개똥이 >> back again");
}

#[test]
fn follows_colour_scheme_reduced_motion_and_a_phone_width() {
    let server = WebServer::start("browser-media");
    let mut b = join(&server, "Alice");
    let mut bob = server.member("Bob");
    b.call(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 360, "height": 640, "deviceScaleFactor": 2, "mobile": true}),
    );
    assert_eq!(b.eval("window.innerWidth"), 360);
    // A long word must wrap, not widen the page past a phone's width.
    bob.send(&"가".repeat(300)).expect("send");
    b.wait_for_prefix("Bob >> 가가가");
    assert_eq!(
        b.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        true
    );
    // The input and the send button stay on the screen.
    assert_eq!(
        b.eval(
            "document.getElementById('send').getBoundingClientRect().right <= window.innerWidth"
        ),
        true
    );
    let media = |b: &mut Browser, name: &str, value: &str| {
        b.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"features": [{"name": name, "value": value}]}),
        );
    };
    let background = "getComputedStyle(document.body).backgroundColor";
    media(&mut b, "prefers-color-scheme", "light");
    assert_eq!(b.eval(background), "rgb(251, 251, 249)");
    media(&mut b, "prefers-color-scheme", "dark");
    assert_eq!(b.eval(background), "rgb(20, 20, 22)");
    // The reconnecting pulse is the page's only animation; reduced motion turns it off.
    b.eval("document.getElementById('conn').className = 'reconnecting'");
    let animation = "getComputedStyle(document.getElementById('conn')).animationName";
    media(&mut b, "prefers-reduced-motion", "no-preference");
    assert_eq!(b.eval(animation), "pulse");
    media(&mut b, "prefers-reduced-motion", "reduce");
    assert_eq!(b.eval(animation), "none");
    b.assert_no_errors();
}

/// The README's picture: a short conversation. Set `CHAT_WEB_SCREENSHOT` to a path to write
/// it there (`docs/web-page.png`); the test checks it is a PNG of the window either way.
#[test]
fn a_screenshot_shows_a_conversation() {
    let server = WebServer::start("browser-screenshot");
    let mut bob = server.member("Bob");
    expect_local(&mut bob, "[Server]: You are the admin.");
    bob.send("/notice Lunch at 12 in room 301").expect("send");
    bob.send("Hi everyone! Anyone up for lunch?").expect("send");
    bob.send("/me waves").expect("send");
    let mut b = join(&server, "개똥이");
    expect_local(
        &mut bob,
        "[Server]: Notice from Bob: Lunch at 12 in room 301",
    );
    expect_local(&mut bob, "[Server]: 개똥이 has joined the chat.");
    b.type_line("안녕하세요 👋 Bob, did you see the release notes?");
    expect_local(
        &mut bob,
        "개똥이 >> 안녕하세요 👋 Bob, did you see the release notes?",
    );
    bob.send("/whisper 개똥이 psst, the demo is at 3")
        .expect("send");
    bob.send("Sounds good, see you at noon").expect("send");
    b.type_line("/user");
    b.wait_for_prefix("[Server]: Users (2/10)");
    b.wait_for_line("Bob >> Sounds good, see you at noon");
    let png = b.screenshot();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    if let Some(path) = std::env::var_os("CHAT_WEB_SCREENSHOT") {
        std::fs::write(&path, &png).expect("write the screenshot");
    }
    b.assert_no_errors();
}
