//! Letters of any script are nickname letters: `개똥이` joins, chats and is whispered to.

mod support;

use support::Sim;

#[test]
fn korean_nickname_is_accepted() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect(2);
    sim.take(2);
    sim.line(2, "개똥이");
    sim.expect(
        2,
        &["[Server]: Welcome, 개똥이! 2/10 online. Type /help for commands."],
    );
    sim.expect(1, &["[Server]: 개똥이 has joined the chat."]);

    sim.line(2, "안녕하세요");
    sim.expect(1, &["개똥이 >> 안녕하세요"]);
    sim.line(1, "/w 개똥이 반가워요");
    sim.expect(2, &["[Whisper from Alice] 반가워요"]);
    sim.expect(1, &["[Whisper to 개똥이] 반가워요"]);

    // Latin mixed with Hangul is allowed too.
    sim.join(3, "Kim김");
    assert_eq!(sim.members(), ["Alice", "개똥이", "Kim김"]);
}
