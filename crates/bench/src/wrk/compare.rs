//! `--compare`: two cerulean binaries in the same `wrk` rounds, each against the baseline run
//! just before it. Single runs of one binary span ±8 % on a shared two-core host (see
//! docs/performance.md), so a change is judged by many rounds in which the two binaries meet
//! the same machine, not by two runs an hour apart.

use super::WrkRound;
use crate::load::Spread;
use std::path::Path;

/// What the rounds say about B (`--compare`) against A (`--cerulean`).
#[derive(Debug, PartialEq)]
pub struct Summary {
    /// Each binary's rate over its round's baseline: the target's ratio, median of rounds.
    pub ratio_a: f64,
    pub ratio_b: f64,
    /// B's rate over A's in the same round, median of rounds.
    pub b_over_a: f64,
    /// Rounds in which B made more requests a second than A, of `rounds`.
    pub b_faster: usize,
    pub rounds: usize,
}

/// Rates (requests a second) of the baseline, A and B, one of each per round.
pub fn summary(base: &[f64], a: &[f64], b: &[f64]) -> Option<Summary> {
    let rounds = base.len().min(a.len()).min(b.len());
    if rounds == 0 {
        return None;
    }
    let each = |f: &dyn Fn(usize) -> f64| Spread::of((0..rounds).map(f)).median;
    Some(Summary {
        ratio_a: each(&|i| a[i] / base[i]),
        ratio_b: each(&|i| b[i] / base[i]),
        b_over_a: each(&|i| b[i] / a[i]),
        b_faster: (0..rounds).filter(|&i| b[i] > a[i]).count(),
        rounds,
    })
}

/// Prints the rounds side by side, then the summary.
pub fn print(a: &Path, b: &Path, base: &[WrkRound], a_rounds: &[WrkRound], b_rounds: &[WrkRound]) {
    let rate = |rs: &[WrkRound]| rs.iter().map(|r| r.round.ops_per_s).collect::<Vec<_>>();
    let (base_rates, a_rates, b_rates) = (rate(base), rate(a_rounds), rate(b_rounds));
    eprintln!(
        "  A/B: A = {}, B = {} (--compare)",
        a.display(),
        b.display()
    );
    for (i, ((base, ra), rb)) in base.iter().zip(a_rounds).zip(b_rounds).enumerate() {
        let base_rate = base.round.ops_per_s;
        eprintln!(
            "    round {i}: baseline {base_rate:.0}/s; A {:.0}/s = {:.3}, idle {:.0} %; B {:.0}/s = {:.3}, idle {:.0} %",
            ra.round.ops_per_s,
            ra.round.ops_per_s / base_rate,
            ra.idle * 100.0,
            rb.round.ops_per_s,
            rb.round.ops_per_s / base_rate,
            rb.idle * 100.0,
        );
    }
    if let Some(s) = summary(&base_rates, &a_rates, &b_rates) {
        eprintln!(
            "    median ratio A {:.3}, B {:.3}; B's rate over A's {:.3} (median), B faster in {} of {} rounds",
            s.ratio_a, s.ratio_b, s.b_over_a, s.b_faster, s.rounds
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_taken_round_by_round() {
        // The baseline's pace moves between rounds; each binary is held to its own round's.
        let s = summary(&[40.0, 20.0, 30.0], &[20.0, 10.0, 12.0], &[22.0, 9.0, 15.0]).unwrap();
        assert_eq!(s.ratio_a, 0.5);
        assert_eq!(s.ratio_b, 0.5);
        assert_eq!(s.b_over_a, 1.1);
        assert_eq!((s.b_faster, s.rounds), (2, 3));
    }

    #[test]
    fn no_rounds_no_summary() {
        assert_eq!(summary(&[], &[1.0], &[1.0]), None);
    }
}
