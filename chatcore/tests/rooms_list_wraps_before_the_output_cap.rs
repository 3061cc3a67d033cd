//! `/rooms` on a server at its room limit (1,000 rooms, the default): every room exactly
//! once, the default room first and then in creation order, on `[Server]: ... ` lines that
//! each fit the output cap, to the asker only.

mod support;

use support::Sim;

#[test]
fn rooms_list_wraps_before_the_output_cap() {
    let mut sim = Sim::config(|c| {
        c.join_rate = 0;
        c.flood_rate = 0;
        assert_eq!(c.max_rooms, 1_000, "the default limit");
    });
    sim.join(1, "Asker");
    sim.join(2, "Roamer");
    // The roamer creates r0..r998 one after the other, leaving each empty behind it.
    for r in 0..999 {
        sim.line(2, &format!("/join r{r}"));
    }
    sim.take(1);
    sim.take(2);

    sim.line(1, "/rooms");
    let lines = sim.take(1);
    // The harness already checked each line ends in one LF and fits the output cap.
    let first = lines[0]
        .strip_prefix("[Server]: Rooms (1000): ")
        .expect("head");
    let mut listed: Vec<&str> = first.split(", ").collect();
    for more in &lines[1..] {
        let rest = more.strip_prefix("[Server]: ... ").expect("continuation");
        listed.extend(rest.split(", "));
    }
    let mut expected = vec!["lobby 1/10".to_owned()];
    expected.extend((0..998).map(|r| format!("r{r} 0/10")));
    expected.push("r998 1/10".to_owned());
    assert_eq!(listed, expected);
    // About 10 KB: filled lines (4,352 bytes at most each), not one room each.
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(sim.take(2).is_empty(), "only the asker gets the list");
}
