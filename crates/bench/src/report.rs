//! The markdown table, the ratios and the targets of issue 8, and the JSON form.

use crate::load::{Measured, Spread};
use serde_json::{json, Value};
use std::fmt::Write;

pub struct Context {
    pub command: String,
    pub load_before: String,
    pub load_after: String,
    pub seconds: f64,
    pub auth_none: bool,
    pub skipped: Vec<String>,
    pub failed: Vec<String>,
    /// Per cerulean mode: NICs stored at the end of the scenarios and peak RSS then (MiB).
    pub nics_stored: Vec<(String, u64, f64)>,
}

fn cell(s: Spread, digits: usize) -> String {
    format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max, d = digits)
}

fn digits_for(v: f64) -> usize {
    if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else if v >= 1.0 {
        2
    } else {
        3
    }
}

fn auto(s: Spread) -> String {
    cell(s, digits_for(s.median))
}

fn find<'a>(
    out: &'a [Measured],
    target: &str,
    scenario: &str,
    clients: usize,
) -> Option<&'a Measured> {
    out.iter()
        .find(|m| m.target == target && m.scenario.starts_with(scenario) && m.clients == clients)
}

struct Target {
    what: String,
    goal: String,
    measured: String,
    met: Option<bool>,
}

fn targets(out: &[Measured], ctx: &Context) -> Vec<Target> {
    let mut t = Vec::new();
    let sqlite = "cerulean sqlite";
    let base_put = find(out, "baseline", "PUT", 32).map(|m| m.ops_per_s().median);
    let base_get = find(out, "baseline", "GET", 32).map(|m| m.ops_per_s().median);
    let create = find(out, sqlite, "NIC create (dynamic", 32).map(|m| m.ops_per_s().median);
    // The target's figure (issue 21): both sides driven by wrk, which the baseline does not
    // outrun, over plain HTTP.
    let wrk_base = find(out, crate::wrk::BASELINE, "PUT", 32).map(|m| m.ops_per_s().median);
    let wrk_create = find(out, crate::wrk::SQLITE, "NIC create", 32).map(|m| m.ops_per_s().median);
    if let (Some(b), Some(c)) = (wrk_base, wrk_create) {
        t.push(Target {
            what: "NIC create, durable SQLite, 32 connections, wrk (the target's figure)".into(),
            goal: "≥ 1/3 of baseline PUT (goal 0.5)".into(),
            measured: format!("{c:.0}/s vs {b:.0}/s = {:.3}", c / b),
            met: Some(c / b >= 1.0 / 3.0),
        });
    }
    if let (Some(w), Some(r)) = (wrk_base, base_put) {
        t.push(Target {
            what:
                "(information) baseline PUT at 32: wrk (plain HTTP) vs the reqwest client (HTTPS)"
                    .into(),
            goal: "wrk at least as fast".into(),
            measured: format!("{w:.0}/s vs {r:.0}/s = {:.2}×", w / r),
            met: None,
        });
    }
    if let (Some(b), Some(c)) = (base_put, create) {
        t.push(Target {
            what: "(information) NIC create, durable SQLite, 32 clients, reqwest client".into(),
            goal: "the same ratio, client-bound (issue 21)".into(),
            measured: format!("{c:.0}/s vs {b:.0}/s = {:.2}", c / b),
            met: None,
        });
    }
    let get = find(out, sqlite, "NIC GET", 32).map(|m| m.ops_per_s().median);
    if let (Some(b), Some(g)) = (base_get, get) {
        t.push(Target {
            what: "NIC GET, durable SQLite, 32 clients".into(),
            goal: "≥ 1/2 of baseline GET".into(),
            measured: format!("{g:.0}/s vs {b:.0}/s = {:.2}", g / b),
            met: Some(g / b >= 0.5),
        });
    }
    if let Some(m) = find(out, sqlite, "NIC GET", 1) {
        let p = m.p50().median;
        t.push(Target {
            what: "NIC GET p50, 1 client".into(),
            goal: "< 0.3 ms".into(),
            measured: format!("{p:.3} ms"),
            met: Some(p < 0.3),
        });
    }
    for mode in ["cerulean sqlite", "cerulean in-memory", "cerulean postgres"] {
        let levels: Vec<&Measured> = out
            .iter()
            .filter(|m| m.target == mode && m.scenario.starts_with("NIC create, /16 at"))
            .collect();
        let lvl = |m: &Measured| {
            m.scenario
                .trim_start_matches("NIC create, /16 at ")
                .to_string()
        };
        let (Some(first), Some(last)) = (levels.first(), levels.last()) else {
            continue;
        };
        // The target: the full /16 against an empty one measured beside it, on the same
        // database at the same moment.
        if let Some(empty) = find(out, mode, crate::azure::EMPTY_BESIDE, 1) {
            let (a, b) = (empty.p50().median, last.p50().median);
            t.push(Target {
                what: format!(
                    "NIC create p50 at {} vs an empty /16 beside it, {mode}",
                    lvl(last)
                ),
                goal: "≤ 1.2×".into(),
                measured: format!("{b:.3} ms / {a:.3} ms = {:.2}×", b / a),
                met: Some(b / a <= 1.2),
            });
        }
        // For information: against the first point, before the database grew by the fill.
        if levels.len() >= 2 {
            let (a, b) = (first.p50().median, last.p50().median);
            t.push(Target {
                what: format!(
                    "(information) NIC create p50 at {} vs {} (database grown by the fill), {mode}",
                    lvl(last),
                    lvl(first)
                ),
                goal: "—".into(),
                measured: format!("{b:.3} ms / {a:.3} ms = {:.2}×", b / a),
                met: None,
            });
        }
    }
    for mode in ["cerulean sqlite", "cerulean in-memory", "cerulean postgres"] {
        if let Some(m) = find(out, mode, "list NICs of a group, 10k", 1) {
            let p = m.p50().median;
            t.push(Target {
                what: format!("list 10k NICs, all pages, {mode}"),
                goal: "< 100 ms".into(),
                measured: format!("{p:.1} ms"),
                met: Some(p < 100.0),
            });
        }
    }
    for mode in ["cerulean sqlite", "cerulean postgres"] {
        if let Some(m) = find(out, mode, "cold start", 1) {
            let p = m.p50().median;
            t.push(Target {
                what: format!("cold start to /health, {mode} ({})", m.note),
                goal: "< 100 ms".into(),
                measured: format!("{p:.1} ms"),
                met: Some(p < 100.0),
            });
        }
    }
    for (mode, n, rss) in &ctx.nics_stored {
        t.push(Target {
            what: format!("peak RSS, {mode}, {n} NICs stored"),
            goal: "< 200 MiB with 100k NICs".into(),
            measured: if *n >= 100_000 {
                format!("{rss:.0} MiB")
            } else {
                format!("{rss:.0} MiB (fewer NICs than the target's)")
            },
            met: if *n >= 100_000 {
                Some(*rss < 200.0)
            } else {
                None
            },
        });
    }
    t
}

fn moto_ratios(out: &[Measured]) -> Vec<String> {
    let moto = "moto (EC2, plain HTTP)";
    let mut lines = Vec::new();
    let pairs = [
        ("NIC create (dynamic", "ENI create", "create NIC / ENI"),
        (
            "VM NIC add+remove",
            "ENI attach+detach",
            "attach + detach cycle",
        ),
    ];
    for (ours, theirs, label) in pairs {
        for clients in [1, 32] {
            if let (Some(a), Some(b)) = (
                find(out, "cerulean sqlite", ours, clients),
                find(out, moto, theirs, clients),
            ) {
                let (x, y) = (a.ops_per_s().median, b.ops_per_s().median);
                lines.push(format!(
                    "- {label}, {clients} client(s): cerulean sqlite {x:.0}/s vs moto {y:.0}/s = {:.1}×",
                    x / y
                ));
            }
        }
    }
    for m in out
        .iter()
        .filter(|m| m.target == moto && m.scenario.starts_with("list ENIs"))
    {
        let size = m.scenario.trim_start_matches("list ENIs of a subnet, ");
        let ours = find(
            out,
            "cerulean sqlite",
            &format!("list NICs of a group, {size}"),
            1,
        );
        let theirs = m.p50().median;
        match ours {
            Some(o) => lines.push(format!(
                "- list {size}: cerulean sqlite {:.1} ms vs moto {theirs:.1} ms = {:.1}× faster",
                o.p50().median,
                theirs / o.p50().median
            )),
            None => lines.push(format!("- list {size}: moto {theirs:.1} ms")),
        }
    }
    lines
}

pub fn markdown(out: &[Measured], ctx: &Context) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "command: `{}`  ", ctx.command);
    let _ = writeln!(
        s,
        "load average before: {}, after: {}; wall time {:.0} s; auth: {}  ",
        ctx.load_before,
        ctx.load_after,
        ctx.seconds,
        if ctx.auth_none {
            "--auth none"
        } else {
            "(no --auth flag in this build)"
        }
    );
    let _ = writeln!(
        s,
        "Each cell: median (min–max) over the rounds. CPU and RSS are the server process's.\n"
    );
    let _ = writeln!(
        s,
        "| target | scenario | clients | ops/s | p50 ms | p99 ms | server CPU ms/op | server peak RSS MiB |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|");
    for m in out {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            m.target,
            m.scenario,
            m.clients,
            auto(m.ops_per_s()),
            auto(m.p50()),
            auto(m.p99()),
            auto(m.cpu()),
            cell(m.rss(), 0)
        );
    }
    let notes: Vec<&Measured> = out.iter().filter(|m| !m.note.is_empty()).collect();
    if !notes.is_empty() {
        let _ = writeln!(s, "\nNotes:");
        let mut seen = std::collections::BTreeSet::new();
        for m in notes {
            if seen.insert((m.scenario.clone(), m.note.clone())) {
                let _ = writeln!(s, "- {} ({}): {}", m.scenario, m.target, m.note);
            }
        }
    }
    let _ = writeln!(s, "\nTargets (issue 8):\n");
    let _ = writeln!(s, "| target | goal | measured | met |");
    let _ = writeln!(s, "|---|---|---|---|");
    for t in targets(out, ctx) {
        let met = match t.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "n/a",
        };
        let _ = writeln!(s, "| {} | {} | {} | {met} |", t.what, t.goal, t.measured);
    }
    let ratios = moto_ratios(out);
    if !ratios.is_empty() {
        let _ = writeln!(s, "\nAgainst moto:\n");
        for l in ratios {
            let _ = writeln!(s, "{l}");
        }
    }
    for k in &ctx.skipped {
        let _ = writeln!(s, "\nskipped: {k}");
    }
    for f in &ctx.failed {
        let _ = writeln!(s, "\nFAILED: {f}");
    }
    s
}

pub fn json(out: &[Measured], ctx: &Context) -> Value {
    json!({
        "command": ctx.command,
        "load_before": ctx.load_before,
        "load_after": ctx.load_after,
        "seconds": ctx.seconds,
        "skipped": ctx.skipped,
        "failed": ctx.failed,
        "results": out.iter().map(Measured::json).collect::<Vec<_>>(),
        "targets": targets(out, ctx).iter().map(|t| json!({
            "what": t.what, "goal": t.goal, "measured": t.measured, "met": t.met
        })).collect::<Vec<_>>(),
    })
}
