//! The comparison as Markdown, with times and ratios read from criterion's estimates.
//!
//! This VM's speed drifts by 20 to 40 % within seconds (other tenants on the host), more
//! than several of the differences being measured. Benchmarks measured one after the other
//! cannot give a stable ratio, so the ratios come from paired benchmarks
//! (`peers_sign_ratio`, `peers_verify_ratio`): each iteration runs inclusif's operation
//! and the peer's back to back, in alternating order, and reports inclusif's time ÷ the
//! peer's as [`RATIO_UNIT_NS`] nanoseconds per unit. criterion's median and its 95 %
//! confidence interval then apply to the ratio itself. The plain groups (`peers_sign`,
//! `peers_verify`) give absolute times, for scale only.

use std::fmt::Write as _;
use std::path::Path;

/// Absolute time to sign, one benchmark per format.
pub const SIGN_GROUP: &str = "peers_sign";
/// Absolute time to parse and verify from text, one benchmark per format.
pub const VERIFY_GROUP: &str = "peers_verify";
/// inclusif ÷ peer when signing, paired.
pub const SIGN_RATIO_GROUP: &str = "peers_sign_ratio";
/// inclusif ÷ peer when parsing and verifying from text, paired.
pub const VERIFY_RATIO_GROUP: &str = "peers_verify_ratio";
/// A paired benchmark reports a ratio of 1 as this many nanoseconds per iteration.
pub const RATIO_UNIT_NS: f64 = 1000.0;

/// criterion's median of one benchmark and its 95 % confidence interval, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Median.
    pub median: f64,
    /// Lower bound of the median's 95 % confidence interval.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Estimate {
    /// The same value at every bound (tests, and inclusif ÷ itself).
    pub fn exact(value: f64) -> Self {
        Estimate {
            median: value,
            lower: value,
            upper: value,
        }
    }

    fn micros(&self) -> String {
        format!("{:.1}", self.median / 1000.0)
    }

    /// A paired benchmark's estimate as a ratio, `0.92× (0.90–0.94)`.
    fn ratio(&self) -> String {
        let [m, lo, hi] = [self.median, self.lower, self.upper].map(|v| v / RATIO_UNIT_NS);
        if format!("{lo:.2}") == format!("{hi:.2}") {
            format!("{m:.2}×")
        } else {
            format!("{m:.2}× ({lo:.2}–{hi:.2})")
        }
    }
}

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
    /// Time to sign.
    pub sign: Estimate,
    /// Time to parse and verify from text.
    pub verify: Estimate,
    /// inclusif ÷ this format when signing (paired; exactly 1 for inclusif itself).
    pub sign_ratio: Estimate,
    /// inclusif ÷ this format when verifying (paired; exactly 1 for inclusif itself).
    pub verify_ratio: Estimate,
    /// What a verifier must remember to check by hand.
    pub by_hand: &'static str,
}

/// The raw Ed25519 operations on inclusif's signed message, measured in the same run.
#[derive(Debug, Clone)]
pub struct Reference {
    /// ed25519-dalek `sign` and inclusif ÷ it.
    pub sign: (Estimate, Estimate),
    /// ed25519-dalek `verify_strict` and inclusif ÷ it.
    pub verify_strict: (Estimate, Estimate),
    /// ed25519-dalek `verify` (not strict; what jsonwebtoken's rust_crypto backend calls)
    /// and inclusif ÷ it.
    pub verify: (Estimate, Estimate),
}

/// The median and its confidence interval of one benchmark, from
/// `<criterion_dir>/<group>/<id>/new/estimates.json`.
pub fn estimate(criterion_dir: &Path, group: &str, id: &str) -> Result<Estimate, String> {
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
    let median = &json["median"];
    let number = |v: &serde_json::Value, what: &str| {
        v.as_f64()
            .ok_or_else(|| format!("{}: no {what}", path.display()))
    };
    Ok(Estimate {
        median: number(&median["point_estimate"], "median.point_estimate")?,
        lower: number(
            &median["confidence_interval"]["lower_bound"],
            "median.confidence_interval.lower_bound",
        )?,
        upper: number(
            &median["confidence_interval"]["upper_bound"],
            "median.confidence_interval.upper_bound",
        )?,
    })
}

fn size_ratio(ours: usize, theirs: usize) -> String {
    format!("{:.2}×", ours as f64 / theirs as f64)
}

/// Renders the headline and three tables (size, time, checks by hand). `rows[0]` is
/// inclusif; every ratio is inclusif ÷ that row, so below 1 means inclusif is smaller or
/// faster. Time ratios are the paired medians with their 95 % confidence intervals.
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
        "Headline, inclusif ÷ peer (below 1: inclusif smaller or faster; times paired, \
         median and 95 % confidence interval):\n\n\
         - characters as it travels: {}\n\
         - parse and verify from text: {}\n\
         - sign: {}\n",
        line(&|r| size_ratio(ours.chars, r.chars)),
        line(&|r| r.verify_ratio.ratio()),
        line(&|r| r.sign_ratio.ratio()),
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
        "\n| format | sign (µs) | inclusif ÷ peer, paired | parse and verify from text (µs) | inclusif ÷ peer, paired |\n\
         |---|---:|---:|---:|---:|"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.name,
            r.sign.micros(),
            r.sign_ratio.ratio(),
            r.verify.micros(),
            r.verify_ratio.ratio()
        );
    }
    let _ = writeln!(
        out,
        "| reference: ed25519-dalek `sign` / `verify_strict` | {} | {} | {} | {} |\n\
         | reference: ed25519-dalek `verify` (not strict) | | | {} | {} |",
        reference.sign.0.micros(),
        reference.sign.1.ratio(),
        reference.verify_strict.0.micros(),
        reference.verify_strict.1.ratio(),
        reference.verify.0.micros(),
        reference.verify.1.ratio(),
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

    fn row(id: &'static str, chars: usize, sign_ratio: Estimate) -> Row {
        Row {
            id,
            name: id,
            bytes: chars / 2,
            chars,
            qr: "1 / 1".into(),
            sign: Estimate::exact(40e3),
            verify: Estimate::exact(50e3),
            sign_ratio,
            verify_ratio: Estimate {
                median: 1250.0,
                lower: 1200.0,
                upper: 1304.0,
            },
            by_hand: "-",
        }
    }

    #[test]
    fn ratios_come_from_the_paired_benchmarks_with_their_interval() {
        let rows = [
            row("inclusif", 140, Estimate::exact(RATIO_UNIT_NS)),
            row("jwt", 280, Estimate::exact(500.0)),
        ];
        let e = Estimate::exact;
        let reference = Reference {
            sign: (e(20e3), e(1000.0)),
            verify_strict: (e(49e3), e(1020.0)),
            verify: (e(41e3), e(1220.0)),
        };
        let md = render(&rows, &reference);
        assert!(md.contains("characters as it travels: jwt 0.50×"), "{md}");
        assert!(
            md.contains("parse and verify from text: jwt 1.25× (1.20–1.30)"),
            "{md}"
        );
        assert!(md.contains("sign: jwt 0.50×\n"), "{md}");
        assert!(md.contains("| jwt | 140 | 280 | 1 / 1 | 0.50× |"), "{md}");
        assert!(
            md.contains("| jwt | 40.0 | 0.50× | 50.0 | 1.25× (1.20–1.30) |"),
            "{md}"
        );
        assert!(
            md.contains("`verify_strict` | 20.0 | 1.00× | 49.0 | 1.02× |"),
            "{md}"
        );
    }

    #[test]
    fn a_missing_estimate_names_the_file_and_the_command() {
        let err = estimate(Path::new("/nonexistent"), SIGN_RATIO_GROUP, "jwt").unwrap_err();
        assert!(
            err.contains("peers_sign_ratio/jwt/new/estimates.json"),
            "{err}"
        );
        assert!(err.contains("cargo bench -p inclusif-peers"), "{err}");
    }
}
