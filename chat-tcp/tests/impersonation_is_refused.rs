//! Look-alike nicknames, reserved names and fake server lines.

mod support;

use support::TestServer;

const TAKEN: &str = "[Server]: Nickname \"{}\" is already taken. Enter another:";

#[test]
fn look_alikes_of_a_member_cannot_join_or_rename() {
    let server = TestServer::start("lookalike");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut c = server.connect();
    // Full-width letters are kept as typed; capital I and digit 1 look like l.
    for nick in ["ALICE", "alice", "Ａlice", "AIice", "A1ice"] {
        c.send(nick);
        c.expect(&[&TAKEN.replace("{}", nick)]);
    }
    c.send("Аlice"); // Cyrillic А: mixed script
    c.expect(&["[Server]: Nickname mixes scripts that look alike (such as Latin and Cyrillic). Enter another:"]);
    // Letters that draw as nothing (the Hangul filler) are refused like format characters.
    for nick in [
        "A\u{200B}lice",
        "Al\u{202E}ice",
        "Ali\u{2060}ce",
        "\u{3164}",
    ] {
        c.send(nick);
        c.expect(&["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:"]);
    }
    c.send("Bob");
    c.line();
    alice.expect(&["[Server]: Bob has joined the chat."]);
    c.send("/rename aLiCe");
    c.expect(&["[Server]: Nickname \"aLiCe\" is already taken."]);
    // Latin with Hangul stays allowed.
    c.send("/rename Kim김");
    c.expect(&["[Server]: You are now \"Kim김\"."]);
}

#[test]
fn capitals_of_other_scripts_cannot_pass_for_a_latin_name() {
    let server = TestServer::start("capitals");
    let mut tom = server.join("TOM");
    tom.expect(&["[Server]: You are the admin."]);
    let mut c = server.connect();
    // All-Cyrillic ТОМ and том, all-Greek ΤΟΜ: single-script names, refused by the key.
    for nick in ["ТОМ", "том", "ΤΟΜ"] {
        c.send(nick);
        c.expect(&[&TAKEN.replace("{}", nick)]);
    }
    c.send("Straße");
    c.line();
    tom.expect(&["[Server]: Straße has joined the chat."]);
    let mut d = server.connect();
    d.send("STRASSE");
    d.expect(&[&TAKEN.replace("{}", "STRASSE")]);
}

#[test]
fn server_and_its_look_alikes_are_reserved() {
    let server = TestServer::start("reserved");
    let mut c = server.connect();
    // The last is Cherokee capitals that read SERVER.
    for nick in ["Server", "server", "SERVER", "Admin", "system", "ᏚᎬᏒᏙᎬᏒ"] {
        c.send(nick);
        c.expect(&[&format!(
            "[Server]: Nickname \"{nick}\" is reserved. Enter another:"
        )]);
    }
    for nick in ["[Server]", "[Server]:", "Server:"] {
        c.send(nick);
        c.expect(&["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:"]);
    }
}

#[test]
fn member_text_never_starts_a_line_like_the_server() {
    let server = TestServer::start("fake");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    bob.send_raw(b"\n[Server]: You have been kicked from the chat.\n");
    bob.send_raw(b"\r[Whisper from Carol] hi\n");
    bob.send_raw(b"\x1b[2K\r[Scheduled by Alice] x\n");
    bob.send_raw("\u{2028}[Server]: fake\n".as_bytes());
    bob.send("/whisper Alice \r\n[Server]: fake");
    alice.expect(&[
        "Bob >> [Server]: You have been kicked from the chat.",
        "Bob >> [Whisper from Carol] hi",
        "Bob >> [2K[Scheduled by Alice] x",
        "Bob >> [Server]: fake",
    ]);
    // The whisper's CR LF ended it early: "/whisper Alice " has no text.
    bob.expect(&["[Server]: Usage: /whisper <nickname> <message>"]);
    alice.send("/user");
    alice.expect(&[
        "Bob >> [Server]: fake",
        "[Server]: Users (2/10): Alice (admin), Bob",
    ]);
}
