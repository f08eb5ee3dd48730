//! The comparison as Markdown, with times read from criterion's estimates.
//!
//! This VM's speed drifts by up to 40 % over minutes, more than the differences being
//! measured. So the benchmark measures every format in [`ROUNDS`] consecutive rounds
//! (groups `peers_sign_r1`, `peers_verify_r1`, …) within one run, each ratio is taken
//! within a round, and the table gives the median of the rounds' ratios with their range.

use std::fmt::Write as _;
use std::path::Path;

/// Rounds of the benchmark; ratios are computed within a round.
pub const ROUNDS: usize = 7;
/// Criterion group name prefix for signing.
pub const SIGN_GROUP: &str = "peers_sign";
/// Criterion group name prefix for parsing and verifying from text.
pub const VERIFY_GROUP: &str = "peers_verify";

/// Criterion's group name for `prefix` in `round` (1-based).
pub fn group(prefix: &str, round: usize) -> String {
    format!("{prefix}_r{round}")
}

/// One measurement per round, in nanoseconds.
pub type Rounds = Vec<f64>;

/// One format's figures.
#[derive(Debug, Clone)]
pub struct Row {
    /// Benchmark id (`jwt`).
    pub id: &'static str,
    /// Name shown in the table.
    pub name: &'static str,
    /// Binary size in bytes.
    pub bytes: usize,
    /// Characters as it travels (text form).
    pub chars: usize,
    /// Smallest QR versions at M and Q, as `"6 / 8"`.
    pub qr: String,
    /// Median time to sign in each round.
    pub sign_ns: Rounds,
    /// Median time to parse and verify from text in each round.
    pub verify_ns: Rounds,
    /// What a verifier must remember to check by hand.
    pub by_hand: &'static str,
}

/// The raw Ed25519 operations measured in the same rounds.
#[derive(Debug, Clone)]
pub struct Reference {
    /// ed25519-dalek `sign` of inclusif's signed message.
    pub sign_ns: Rounds,
    /// ed25519-dalek `verify_strict` of the same.
    pub verify_strict_ns: Rounds,
    /// ed25519-dalek `verify` (not strict), what jsonwebtoken's rust_crypto backend calls.
    pub verify_ns: Rounds,
}

/// The median of one benchmark, in nanoseconds, from
/// `<criterion_dir>/<group>/<id>/new/estimates.json`.
pub fn median_ns(criterion_dir: &Path, group: &str, id: &str) -> Result<f64, String> {
    let path = criterion_dir
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (run `cargo bench -p inclusif-peers --bench peers` first)",
            path.display()
        )
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    json["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median.point_estimate", path.display()))
}

/// [`median_ns`] in each of the [`ROUNDS`] rounds.
pub fn rounds_ns(criterion_dir: &Path, prefix: &str, id: &str) -> Result<Rounds, String> {
    (1..=ROUNDS)
        .map(|round| median_ns(criterion_dir, &group(prefix, round), id))
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Ours ÷ theirs within each round: the median, and the range when rounds disagree.
fn ratio(ours: &[f64], theirs: &[f64]) -> String {
    let ratios: Vec<f64> = ours.iter().zip(theirs).map(|(o, t)| o / t).collect();
    let (lo, hi) = ratios
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    let mid = median(ratios);
    if format!("{lo:.2}") == format!("{hi:.2}") {
        format!("{mid:.2}×")
    } else {
        format!("{mid:.2}× ({lo:.2}–{hi:.2})")
    }
}

fn size_ratio(ours: usize, theirs: usize) -> String {
    format!("{:.2}×", ours as f64 / theirs as f64)
}

fn micros(rounds: &[f64]) -> String {
    format!("{:.1}", median(rounds.to_vec()) / 1000.0)
}

/// Renders the headline and three tables (size, time, checks by hand). `rows[0]` is
/// inclusif; every ratio is inclusif ÷ that row, so below 1 means inclusif is smaller or
/// faster. Times are the median over rounds; ratios the median of per-round ratios, with
/// their range in parentheses.
pub fn render(rows: &[Row], reference: &Reference) -> String {
    let Some(ours) = rows.first() else {
        return String::new();
    };
    let mut out = String::new();
    let peers = &rows[1..];
    let line = |f: &dyn Fn(&Row) -> String| {
        peers
            .iter()
            .map(|r| format!("{} {}", r.id, f(r)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "Headline, inclusif ÷ peer (below 1: inclusif smaller or faster; times: median of \
         {ROUNDS} rounds, range in parentheses):\n\n\
         - characters as it travels: {}\n\
         - parse and verify from text: {}\n\
         - sign: {}\n",
        line(&|r| size_ratio(ours.chars, r.chars)),
        line(&|r| ratio(&ours.verify_ns, &r.verify_ns)),
        line(&|r| ratio(&ours.sign_ns, &r.sign_ns)),
    );

    let _ = writeln!(
        out,
        "| format | binary bytes | characters as it travels | QR version (M / Q) | chars, inclusif ÷ peer |\n\
         |---|---:|---:|---|---:|"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.name,
            r.bytes,
            r.chars,
            r.qr,
            size_ratio(ours.chars, r.chars)
        );
    }

    let _ = writeln!(
        out,
        "\n| format | sign (µs) | inclusif ÷ peer | parse and verify from text (µs) | inclusif ÷ peer |\n\
         |---|---:|---:|---:|---:|"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.name,
            micros(&r.sign_ns),
            ratio(&ours.sign_ns, &r.sign_ns),
            micros(&r.verify_ns),
            ratio(&ours.verify_ns, &r.verify_ns)
        );
    }
    let _ = writeln!(
        out,
        "| reference: ed25519-dalek `sign` / `verify_strict` | {} | {} | {} | {} |\n\
         | reference: ed25519-dalek `verify` (not strict) | | | {} | {} |",
        micros(&reference.sign_ns),
        ratio(&ours.sign_ns, &reference.sign_ns),
        micros(&reference.verify_strict_ns),
        ratio(&ours.verify_ns, &reference.verify_strict_ns),
        micros(&reference.verify_ns),
        ratio(&ours.verify_ns, &reference.verify_ns),
    );

    let _ = writeln!(
        out,
        "\n| format | what the verifier must remember to check by hand |\n|---|---|"
    );
    for r in rows {
        let _ = writeln!(out, "| {} | {} |", r.name, r.by_hand);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &'static str, chars: usize, sign_ns: Rounds, verify_ns: Rounds) -> Row {
        Row {
            id,
            name: id,
            bytes: chars / 2,
            chars,
            qr: "1 / 1".into(),
            sign_ns,
            verify_ns,
            by_hand: "-",
        }
    }

    #[test]
    fn ratios_are_taken_within_each_round_then_the_median() {
        // Round 2 runs 40 % slower for everyone: per-round ratios stay put.
        let rows = [
            row(
                "inclusif",
                140,
                vec![20e3, 28e3, 20e3],
                vec![50e3, 70e3, 50e3],
            ),
            row("jwt", 280, vec![40e3, 56e3, 40e3], vec![40e3, 56e3, 50e3]),
        ];
        let reference = Reference {
            sign_ns: vec![20e3, 28e3, 20e3],
            verify_strict_ns: vec![49e3, 68.6e3, 49e3],
            verify_ns: vec![41e3, 57.4e3, 41e3],
        };
        let md = render(&rows, &reference);
        assert!(md.contains("characters as it travels: jwt 0.50×"), "{md}");
        assert!(
            md.contains("parse and verify from text: jwt 1.25× (1.00–1.25)"),
            "{md}"
        );
        assert!(md.contains("sign: jwt 0.50×\n"), "{md}");
        assert!(md.contains("| jwt | 140 | 280 | 1 / 1 | 0.50× |"), "{md}");
        assert!(
            md.contains("| jwt | 40.0 | 0.50× | 50.0 | 1.25× (1.00–1.25) |"),
            "{md}"
        );
        assert!(
            md.contains("`verify_strict` | 20.0 | 1.00× | 49.0 | 1.02× |"),
            "{md}"
        );
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![]).is_nan());
    }

    #[test]
    fn a_missing_estimate_names_the_file_and_the_command() {
        let err = rounds_ns(Path::new("/nonexistent"), SIGN_GROUP, "jwt").unwrap_err();
        assert!(
            err.contains("peers_sign_r1/jwt/new/estimates.json"),
            "{err}"
        );
        assert!(err.contains("cargo bench -p inclusif-peers"), "{err}");
    }
}
