//! The soak's results: counts of what happened, the checks, and the server's memory.

use std::fmt::Write as _;
use std::time::Duration;

use super::clients::{CoreView, Counters, Ctx, lock};
use super::ledger::{
    self, Firing, MemorySummary, Sample, ScheduleCheck, WhisperCheck, expected_warnings,
};
use crate::load::histogram::Histogram;
use crate::load::json::Json;
use crate::load::report::{MIB, fmt_ns};

/// How long the phases took.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The active phase (`--duration`).
    pub duration: Duration,
    /// From the end of the active phase until everything was in (or the drain gave up).
    pub drain: Duration,
    /// The whole run, joins to the core's goodbye.
    pub total: Duration,
    /// Whether everything expected arrived before the drain's end.
    pub drained: bool,
    /// Whether every visitor's thread finished.
    pub visitors_left: bool,
}

/// Server memory readings and their end-to-start verdict.
pub const MEMORY_TOLERANCE_PERCENT: f64 = 10.0;

/// What a soak did and found.
#[derive(Debug, Clone)]
pub struct SoakReport {
    /// Core members.
    pub core: u32,
    /// The phases' lengths.
    pub timing: Timing,
    /// Whether core0 was told it is the admin.
    pub admin: bool,
    /// Churning members that joined.
    pub churn_joined: u64,
    /// Joins the server refused (room full).
    pub churn_refused: u64,
    /// Joins that failed otherwise (timeouts, I/O errors).
    pub join_errors: u64,
    /// Visitors (churn and flooders) that left by `/quit`, and of those, got `Bye`.
    pub quits: u64,
    /// See `quits`.
    pub quits_confirmed: u64,
    /// Churning members that dropped their connection.
    pub disconnects: u64,
    /// `/kick` sent by the admin, and kicks the victim was told of.
    pub kicks_sent: u64,
    /// See `kicks_sent`.
    pub kicks_confirmed: u64,
    /// Visitors that did not end the way they meant to.
    pub unexpected_ends: u64,
    /// Writes that failed.
    pub write_errors: u64,
    /// Most churning members in the room at once.
    pub peak_churn: u64,
    /// Chat lines written by churning members.
    pub churn_lines_sent: u64,
    /// Core lines received by churning members, and breaks in those runs.
    pub churn_core_lines: u64,
    /// See `churn_core_lines`.
    pub churn_breaks: u64,
    /// Whispers between core members.
    pub whispers_core: WhisperCheck,
    /// Whispers to churning members, and how many they received.
    pub whispers_churn: u64,
    /// See `whispers_churn`.
    pub whispers_churn_received: u64,
    /// `No user named` replies (whispers to members that had just left).
    pub no_such_user: u64,
    /// Schedules sent, accepted (`Scheduled #` replies), and skipped for the limits.
    pub schedules_sent: u64,
    /// See `schedules_sent`.
    pub schedule_replies: u64,
    /// See `schedules_sent`.
    pub schedules_skipped: u64,
    /// The firings as the core saw them.
    pub schedules: ScheduleCheck,
    /// Flood bursts, their lines written, accepted (as the core saw them) and the warnings
    /// received and expected.
    pub floods: u64,
    /// See `floods`.
    pub flood_lines_sent: u64,
    /// See `floods`.
    pub flood_lines_accepted: u64,
    /// See `floods`.
    pub flood_warnings: u64,
    /// See `floods`.
    pub flood_warnings_expected: u64,
    /// Whether every core member got the same accepted lines of every burst, in order.
    pub flood_consistent: bool,
    /// Core chat lines written.
    pub core_lines_sent: u64,
    /// Deliveries checked: each core line times the other core members.
    pub deliveries_checked: u64,
    /// Of those, arrived.
    pub delivered: u64,
    /// Of those, never arrived.
    pub lost: u64,
    /// Arrivals twice, out of order, or of lines never sent.
    pub duplicates: u64,
    /// See `duplicates`.
    pub out_of_order: u64,
    /// See `duplicates`.
    pub phantom: u64,
    /// One-way latency of the core lines, in nanoseconds.
    pub latency: Histogram,
    /// Flood warnings sent to core members (they stay under the limit: must be 0).
    pub core_warnings: u64,
    /// Lines the core could not place.
    pub core_other: u64,
    /// Core readers that ended before the end, and why.
    pub core_ended: Vec<String>,
    /// Joins, leaves and kicks every core member should have been told of.
    pub presence_expected: (u64, u64, u64),
    /// Core members whose counts differ, with what they saw.
    pub presence_mismatches: Vec<String>,
    /// Start, largest and end readings of the server.
    pub memory: Option<MemorySummary>,
    /// Every reading.
    pub samples: Vec<Sample>,
    /// Why the server could not be read, if it could not.
    pub sample_error: Option<String>,
    /// The first problems met.
    pub problems: Vec<String>,
    /// The warm-up soak run before this one (`--warmup`), if any.
    pub warm_up: Option<Box<SoakReport>>,
}

impl SoakReport {
    pub(super) fn build(
        ctx: &Ctx,
        views: &[CoreView],
        timing: Timing,
        memory: Option<MemorySummary>,
        samples: Vec<Sample>,
        sample_error: Option<String>,
    ) -> SoakReport {
        let c = &ctx.counters;
        let get = Counters::get;
        let sent: Vec<u64> = ctx
            .core_sent
            .iter()
            .map(|a| a.load(std::sync::atomic::Ordering::Relaxed))
            .collect();
        let (mut delivered, mut lost, mut dup, mut late, mut phantom) = (0, 0, 0, 0, 0);
        let mut latency = Histogram::default();
        for (i, v) in views.iter().enumerate() {
            for (j, t) in v.from_core.iter().enumerate() {
                if i == j {
                    continue;
                }
                delivered += t.distinct.min(sent[j]);
                lost += t.missing(sent[j]);
                dup += t.duplicates;
                late += t.late;
                phantom += t.phantom(sent[j]);
            }
            latency.merge(&v.latency);
        }
        let core_lines_sent: u64 = sent.iter().sum();
        let deliveries_checked = core_lines_sent * (views.len() as u64).saturating_sub(1);

        let firings: Vec<&[Firing]> = views.iter().map(|v| &v.firings[..]).collect();
        let schedules = lock(&ctx.schedules).check(&firings);
        let whispers: Vec<&[(u32, u64)]> = views.iter().map(|v| &v.whispers[..]).collect();
        let whispers_core = lock(&ctx.whispers).check(&whispers);

        let bursts = lock(&ctx.bursts).clone();
        let (mut accepted, mut warnings, mut expected, mut consistent) = (0, 0, 0, true);
        for b in &bursts {
            let empty = Vec::new();
            let lists: Vec<&Vec<u32>> = views
                .iter()
                .map(|v| v.flood_lines.get(&b.k).unwrap_or(&empty))
                .collect();
            let first = lists.first().copied().unwrap_or(&empty);
            consistent &= lists.iter().all(|l| *l == first) && ledger::strictly_increasing(first);
            accepted += first.len() as u64;
            warnings += b.warnings;
            expected += expected_warnings(b.lines, first);
        }

        let joins = get(&c.churn_joined) + get(&c.flood_joined);
        let kicks = get(&c.kicks_confirmed);
        let leaves = joins.saturating_sub(kicks);
        let mut presence_mismatches = Vec::new();
        for (i, v) in views.iter().enumerate() {
            let (kicks_told, you_kicked) = if i == 0 { (0, kicks) } else { (kicks, 0) };
            let seen = (v.joins, v.leaves, v.kicks, v.you_kicked);
            if seen != (joins, leaves, kicks_told, you_kicked) {
                presence_mismatches.push(format!(
                    "core{i}: joins {} leaves {} kicks {} you-kicked {}",
                    seen.0, seen.1, seen.2, seen.3
                ));
            }
        }

        SoakReport {
            core: ctx.opts.core,
            timing,
            admin: views.first().is_some_and(|v| v.admin),
            churn_joined: get(&c.churn_joined),
            churn_refused: get(&c.churn_refused),
            join_errors: get(&c.join_errors),
            quits: get(&c.quits),
            quits_confirmed: get(&c.quits_confirmed),
            disconnects: get(&c.disconnects),
            kicks_sent: get(&c.kicks_sent),
            kicks_confirmed: kicks,
            unexpected_ends: get(&c.unexpected_ends),
            write_errors: get(&c.write_errors),
            peak_churn: get(&c.peak_churn),
            churn_lines_sent: get(&c.churn_lines_sent),
            churn_core_lines: get(&c.churn_core_lines),
            churn_breaks: get(&c.churn_breaks),
            whispers_core,
            whispers_churn: get(&c.whispers_to_churn),
            whispers_churn_received: get(&c.whispers_to_churn_received),
            no_such_user: views.iter().map(|v| v.no_such_user).sum(),
            schedules_sent: get(&c.schedules_sent),
            schedule_replies: views.iter().map(|v| v.schedule_replies).sum(),
            schedules_skipped: get(&c.schedules_skipped),
            schedules,
            floods: bursts.len() as u64,
            flood_lines_sent: get(&c.flood_lines_sent),
            flood_lines_accepted: accepted,
            flood_warnings: warnings,
            flood_warnings_expected: expected,
            flood_consistent: consistent,
            core_lines_sent,
            deliveries_checked,
            delivered,
            lost,
            duplicates: dup,
            out_of_order: late,
            phantom,
            latency,
            core_warnings: views.iter().map(|v| v.warnings).sum(),
            core_other: views.iter().map(|v| v.other).sum(),
            core_ended: views.iter().filter_map(|v| v.ended.clone()).collect(),
            presence_expected: (joins, leaves, kicks),
            presence_mismatches,
            memory,
            samples,
            sample_error,
            problems: lock(&ctx.problems).clone(),
            warm_up: None,
        }
    }

    /// The checks that failed (empty: the run passed). Memory is reported, not judged here.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        let mut check = |ok: bool, what: &str| {
            if !ok {
                f.push(what.to_owned());
            }
        };
        check(
            self.admin,
            "core0 was not the admin (was the server fresh?)",
        );
        check(self.lost == 0, "core chat lines lost");
        check(
            self.duplicates == 0 && self.out_of_order == 0 && self.phantom == 0,
            "core chat lines duplicated, out of order or never sent",
        );
        check(
            self.whispers_core.missing == 0 && self.whispers_core.wrong == 0,
            "core whispers lost or misdelivered",
        );
        check(self.schedules.ok(), "schedules lost, repeated or early");
        check(
            self.schedule_replies == self.schedules_sent,
            "schedules not acknowledged",
        );
        check(
            self.flood_consistent && self.flood_warnings == self.flood_warnings_expected,
            "flood bursts: warnings or accepted lines inconsistent",
        );
        check(
            self.presence_mismatches.is_empty(),
            "join/leave/kick announcements",
        );
        check(
            self.churn_breaks == 0,
            "gaps in what churning members received",
        );
        check(
            self.kicks_sent == self.kicks_confirmed,
            "kicks not carried out",
        );
        check(
            self.unexpected_ends == 0 && self.write_errors == 0 && self.join_errors == 0,
            "clients that failed to join, write or leave as planned",
        );
        check(self.core_warnings == 0, "flood warnings to core members");
        check(self.core_ended.is_empty(), "core members disconnected");
        check(
            self.timing.drained,
            "the drain gave up before everything arrived",
        );
        check(
            self.timing.visitors_left,
            "visitors still running at the end",
        );
        if let Some(w) = &self.warm_up {
            f.extend(w.failures().into_iter().map(|x| format!("warm-up: {x}")));
        }
        f
    }

    /// The server's first reading before the warm-up, if there was a warm-up and readings.
    pub fn cold_start(&self) -> Option<Sample> {
        Some(self.warm_up.as_ref()?.memory?.start)
    }

    /// Whether the end's RSS is within 10 % of the start's (`None` without readings).
    pub fn memory_ok(&self) -> Option<bool> {
        self.memory.map(|m| m.end_within(MEMORY_TOLERANCE_PERCENT))
    }

    /// The summary for people (the warm-up's first, indented, if there was one).
    pub fn human(&self) -> String {
        let mut s = String::new();
        if let Some(w) = &self.warm_up {
            let _ = writeln!(s, "warm-up (its own soak, run first):");
            for line in w.human().lines() {
                let _ = writeln!(s, "  {line}");
            }
            let _ = writeln!(s, "soak (after the warm-up):");
        }
        let t = &self.timing;
        let failures = self.failures();
        let _ = writeln!(
            s,
            "chat-load --soak: {} core members, {:.0} s active, drained in {:.1} s, {:.0} s in all",
            self.core,
            t.duration.as_secs_f64(),
            t.drain.as_secs_f64(),
            t.total.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "core chat   {} lines sent, {} deliveries checked: {} delivered, {} lost, {} duplicate, {} out of order, {} never sent",
            self.core_lines_sent,
            self.deliveries_checked,
            self.delivered,
            self.lost,
            self.duplicates,
            self.out_of_order,
            self.phantom
        );
        let q = |q: f64| fmt_ns(self.latency.quantile(q));
        let _ = writeln!(
            s,
            "latency     p50 {}  p99 {}  max {}",
            q(0.5),
            q(0.99),
            fmt_ns(self.latency.max())
        );
        let _ = writeln!(
            s,
            "churn       {} joined ({} refused, {} join errors), peak {} at once; left: {} quit / {} disconnect / {} kicked; {} chat lines",
            self.churn_joined,
            self.churn_refused,
            self.join_errors,
            self.peak_churn,
            self.quits.saturating_sub(self.floods),
            self.disconnects,
            self.kicks_confirmed,
            self.churn_lines_sent
        );
        let _ = writeln!(
            s,
            "            {} core lines received by churning members, {} breaks; {} unexpected ends, {} write errors",
            self.churn_core_lines, self.churn_breaks, self.unexpected_ends, self.write_errors
        );
        let _ = writeln!(
            s,
            "kicks       {} sent, {} carried out",
            self.kicks_sent, self.kicks_confirmed
        );
        let w = &self.whispers_core;
        let _ = writeln!(
            s,
            "whispers    core->core {} sent, {} delivered, {} missing, {} wrong; to churn {} sent, {} received, {} \"no such user\"",
            w.expected,
            w.delivered,
            w.missing,
            w.wrong,
            self.whispers_churn,
            self.whispers_churn_received,
            self.no_such_user
        );
        let c = &self.schedules;
        let _ = writeln!(
            s,
            "schedules   {} set ({} acknowledged, {} skipped for limits); {} firings expected: {} arrived, {} missing, {} repeated, {} early, latest {:.1} ms after its minute",
            self.schedules_sent,
            self.schedule_replies,
            self.schedules_skipped,
            c.expected,
            c.fired,
            c.missing,
            c.duplicates,
            c.early,
            c.max_late.as_secs_f64() * 1e3
        );
        let _ = writeln!(
            s,
            "floods      {} bursts, {} lines written, {} accepted; {} warnings (expected {}); same at every core member: {}",
            self.floods,
            self.flood_lines_sent,
            self.flood_lines_accepted,
            self.flood_warnings,
            self.flood_warnings_expected,
            yes(self.flood_consistent)
        );
        let (j, l, k) = self.presence_expected;
        let _ = writeln!(
            s,
            "presence    every core member told of {j} joins, {l} leaves, {k} kicks: {}",
            yes(self.presence_mismatches.is_empty())
        );
        for m in &self.presence_mismatches {
            let _ = writeln!(s, "            {m}");
        }
        match (&self.memory, &self.sample_error) {
            (Some(m), _) => {
                let mib = |b: u64| b as f64 / MIB;
                let _ = writeln!(
                    s,
                    "server      rss start {:.1} MiB, max {:.1} MiB (at {:.0} s), end {:.1} MiB: end within {MEMORY_TOLERANCE_PERCENT:.0} % of start: {}",
                    mib(m.start.rss),
                    mib(m.max_rss.rss),
                    m.max_rss.at.as_secs_f64(),
                    mib(m.end.rss),
                    yes(m.end_within(MEMORY_TOLERANCE_PERCENT))
                );
                let _ = writeln!(
                    s,
                    "            anonymous (heap, stacks) start {:.2} MiB, end {:.2} MiB; the rest is file-backed (code) pages",
                    mib(m.start.anon),
                    mib(m.end.anon)
                );
                let _ = writeln!(
                    s,
                    "            threads start {}, max {}, end {}; {} readings",
                    m.start.threads, m.max_threads, m.end.threads, m.samples
                );
                if let Some(cold) = self.cold_start() {
                    let _ = writeln!(
                        s,
                        "            before the warm-up: rss {:.1} MiB, anonymous {:.2} MiB, threads {}",
                        mib(cold.rss),
                        mib(cold.anon),
                        cold.threads
                    );
                }
                let list: Vec<String> = self
                    .samples
                    .iter()
                    .map(|x| {
                        format!(
                            "{:.0}s:{:.1}MiB/{:.2}anon/{}t",
                            x.at.as_secs_f64(),
                            mib(x.rss),
                            mib(x.anon),
                            x.threads
                        )
                    })
                    .collect();
                let _ = writeln!(s, "            readings {}", list.join(" "));
            }
            (None, Some(e)) => {
                let _ = writeln!(s, "server      unreadable: {e}");
            }
            (None, None) => {}
        }
        if self.core_other > 0 {
            let _ = writeln!(
                s,
                "other       {} lines the core could not place",
                self.core_other
            );
        }
        for p in &self.problems {
            let _ = writeln!(s, "problem     {p}");
        }
        if failures.is_empty() {
            let _ = writeln!(s, "verdict     PASS: no lost delivery, every check held");
        } else {
            let _ = writeln!(s, "verdict     FAIL: {}", failures.join("; "));
        }
        s
    }

    /// One JSON object on one line.
    pub fn json(&self) -> String {
        let mut j = Json::default();
        let n = |v: u64| v as f64;
        j.str("mode", "soak");
        j.num("core", f64::from(self.core));
        j.num("duration_s", self.timing.duration.as_secs_f64());
        j.num("drain_s", self.timing.drain.as_secs_f64());
        j.num("total_s", self.timing.total.as_secs_f64());
        j.num("core_lines_sent", n(self.core_lines_sent));
        j.num("deliveries_checked", n(self.deliveries_checked));
        j.num("delivered", n(self.delivered));
        j.num("lost", n(self.lost));
        j.num("duplicates", n(self.duplicates));
        j.num("out_of_order", n(self.out_of_order));
        let ns = |v: Option<u64>| v.map(|v| v as f64);
        j.opt("latency_p50_ns", ns(self.latency.quantile(0.5)));
        j.opt("latency_p99_ns", ns(self.latency.quantile(0.99)));
        j.opt("latency_max_ns", ns(self.latency.max()));
        j.num("churn_joined", n(self.churn_joined));
        j.num("churn_refused", n(self.churn_refused));
        j.num("join_errors", n(self.join_errors));
        j.num("peak_churn", n(self.peak_churn));
        j.num("quits", n(self.quits));
        j.num("disconnects", n(self.disconnects));
        j.num("kicks_sent", n(self.kicks_sent));
        j.num("kicks", n(self.kicks_confirmed));
        j.num("churn_breaks", n(self.churn_breaks));
        j.num("whispers_core", n(self.whispers_core.expected));
        j.num("whispers_core_missing", n(self.whispers_core.missing));
        j.num("whispers_churn", n(self.whispers_churn));
        j.num("schedules", n(self.schedules_sent));
        j.num("schedule_firings_expected", n(self.schedules.expected));
        j.num("schedule_firings_missing", n(self.schedules.missing));
        j.num("schedule_max_late_s", self.schedules.max_late.as_secs_f64());
        j.num("floods", n(self.floods));
        j.num("flood_lines_accepted", n(self.flood_lines_accepted));
        j.num("flood_warnings", n(self.flood_warnings));
        j.num("flood_warnings_expected", n(self.flood_warnings_expected));
        j.num("presence_mismatches", self.presence_mismatches.len() as f64);
        if let Some(m) = &self.memory {
            j.num("rss_start_bytes", n(m.start.rss));
            j.num("rss_max_bytes", n(m.max_rss.rss));
            j.num("rss_end_bytes", n(m.end.rss));
            j.num("rss_anon_start_bytes", n(m.start.anon));
            j.num("rss_anon_end_bytes", n(m.end.anon));
            j.num("threads_start", n(m.start.threads));
            j.num("threads_max", n(m.max_threads));
            j.num("threads_end", n(m.end.threads));
        }
        if let Some(w) = &self.warm_up {
            j.num("warmup_s", w.timing.duration.as_secs_f64());
            j.num("warmup_lost", n(w.lost));
            j.num("warmup_failures", w.failures().len() as f64);
        }
        if let Some(cold) = self.cold_start() {
            j.num("rss_cold_bytes", n(cold.rss));
            j.num("rss_anon_cold_bytes", n(cold.anon));
        }
        j.num("failures", self.failures().len() as f64);
        j.finish()
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}
