//! A real headless chromium driven over the DevTools protocol (its own WebSocket, spoken
//! with tungstenite's client). Every wait is bounded; chromium is killed on drop. A missing
//! chromium fails the test with what to install: browser tests are never skipped.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::protocol::WebSocket;
use tungstenite::{Message, client::IntoClientRequest};

/// The longest any wait for the page lasts.
const WAIT: Duration = Duration::from_secs(10);

/// How long chromium may take to start (a loaded CI machine is slow).
const START: Duration = Duration::from_secs(30);

/// How often a condition in the page is looked at again while waiting for it.
const POLL: Duration = Duration::from_millis(25);

/// Only one chromium at a time: the machine has two cores for everything.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The chromium binary: `$CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "the browser tests need chromium at {} (set CHROMIUM to use another): \
         `apt-get install chromium` (scripts/test installs it)",
        path.display()
    );
    path
}

/// One chromium with one page (tab) attached.
pub struct Browser {
    child: Child,
    cdp: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Console errors, uncaught exceptions and error log entries seen so far.
    pub errors: Vec<String>,
    profile: PathBuf,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromium with a phone-sized window and attaches to a blank page.
    pub fn launch() -> Browser {
        Browser::launch_with(&[])
    }

    /// Like [`Browser::launch`], with more command-line flags (a trusted test certificate).
    pub fn launch_with(flags: &[String]) -> Browser {
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "chat-chromium-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        // chromium's own temporary files go inside the profile, so one removal takes all.
        let tmp = profile.join("tmp");
        std::fs::create_dir_all(&tmp).expect("chromium's temporary directory");
        let mut child = Command::new(chromium())
            // Its own process group: the drop kills the renderers and helpers with it.
            .process_group(0)
            .env("TMPDIR", &tmp)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--mute-audio",
                "--remote-debugging-port=0",
                "--window-size=400,720",
                "--lang=ko-KR",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(flags)
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = match rx.recv_timeout(START) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not open its DevTools port within {START:?}");
            }
        };
        let request = url.as_str().into_client_request().expect("devtools url");
        let addr = request.uri().authority().expect("host:port").to_string();
        let stream = TcpStream::connect(&addr).expect("connect to devtools");
        let (cdp, _) = tungstenite::client(request, stream).expect("devtools handshake");
        let mut b = Browser {
            child,
            cdp,
            session: String::new(),
            next_id: 0,
            errors: Vec::new(),
            profile,
            _turn: turn,
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().expect("targetId").to_owned();
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        b.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_owned();
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            b.call(domain, json!({}));
        }
        b
    }

    /// Sends a command (to the page once attached) and waits for its result; events that
    /// arrive meanwhile are looked at for errors.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.cdp
            .send(Message::text(msg.to_string()))
            .expect("send to devtools");
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "devtools did not answer {method} within {WAIT:?}"
            );
            self.cdp
                .get_ref()
                .set_read_timeout(Some(left))
                .expect("timeout");
            let text = match self.cdp.read().expect("devtools message") {
                Message::Text(t) => t,
                _ => continue,
            };
            let v: Value = serde_json::from_str(text.as_str()).expect("devtools json");
            if v["id"] == json!(id) {
                if let Some(err) = v.get("error") {
                    panic!("devtools {method} failed: {err}");
                }
                return v["result"].clone();
            }
            self.event(&v);
        }
    }

    /// Records what counts as an error in the page.
    fn event(&mut self, v: &Value) {
        let p = &v["params"];
        match v["method"].as_str() {
            Some("Runtime.consoleAPICalled")
                if matches!(p["type"].as_str(), Some("error" | "assert")) =>
            {
                self.errors
                    .push(format!("console.{}: {}", p["type"], p["args"]));
            }
            Some("Runtime.exceptionThrown") => {
                self.errors
                    .push(format!("exception: {}", p["exceptionDetails"]));
            }
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                self.errors.push(format!("log: {}", p["entry"]["text"]));
            }
            _ => {}
        }
    }

    /// Loads `url` and waits until the document is complete.
    pub fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("the page is loaded", "document.readyState === 'complete'");
    }

    /// Evaluates `expr` in the page and returns its value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("evaluating {expr:?} threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true in the page.
    pub fn wait_for(&mut self, what: &str, expr: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.eval(expr) == json!(true) {
                return;
            }
            std::thread::sleep(POLL);
        }
        panic!(
            "{what}: `{expr}` not true within {WAIT:?}; the page shows {:#?}, status {:?}",
            self.lines(),
            self.status()
        );
    }

    /// Waits until the page shows a line (without its time) equal to `text`.
    pub fn wait_for_line(&mut self, text: &str) {
        let expr = format!(
            "[...document.querySelectorAll('#log .msg')].some(m => m.textContent === {})",
            json!(text)
        );
        self.wait_for(&format!("the line {text:?}"), &expr);
    }

    /// Waits until the page shows a line (without its time) starting with `prefix`.
    pub fn wait_for_prefix(&mut self, prefix: &str) {
        let expr = format!(
            "[...document.querySelectorAll('#log .msg')].some(m => m.textContent.startsWith({}))",
            json!(prefix)
        );
        self.wait_for(&format!("a line starting with {prefix:?}"), &expr);
    }

    /// Every line shown, as text, each without its time.
    pub fn lines(&mut self) -> Vec<String> {
        let v = self.eval("[...document.querySelectorAll('#log .msg')].map(m => m.textContent)");
        serde_json::from_value(v).unwrap_or_default()
    }

    /// The status line as text.
    pub fn status(&mut self) -> String {
        self.eval("document.getElementById('status').innerText")
            .as_str()
            .unwrap_or_default()
            .replace('\n', " ")
    }

    /// Types `text` into the input as a committed IME or paste would, then presses Enter.
    pub fn type_line(&mut self, text: &str) {
        self.eval("document.getElementById('input').focus()");
        self.call("Input.insertText", json!({"text": text}));
        self.key("Enter", 13);
    }

    /// Presses and releases a key.
    pub fn key(&mut self, key: &str, code: u32) {
        let text = if key == "Enter" { "\r" } else { "" };
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                       "text": if kind == "keyDown" { text } else { "" }}),
            );
        }
    }

    /// A PNG of the page as it is.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("png data"))
            .expect("base64")
    }

    /// Fails the test if the page logged an error.
    pub fn assert_no_errors(&mut self) {
        // Drain events that came since the last call.
        self.eval("0");
        assert!(
            self.errors.is_empty(),
            "the page logged errors: {:#?}",
            self.errors
        );
    }
}

impl Drop for Browser {
    /// Kills chromium's whole process group and removes its profile. A helper process that
    /// was still writing when it died can recreate a file after the first removal, so the
    /// removal is repeated until the directory is gone (bounded).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + WAIT;
        while self.profile.exists() && Instant::now() < deadline {
            if std::fs::remove_dir_all(&self.profile).is_err() {
                std::thread::sleep(POLL);
            }
        }
    }
}
