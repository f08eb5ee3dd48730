//! Prints the comparison of `docs/benchmarks.md` as Markdown: sizes and QR versions
//! computed now, times read from the criterion run of `benches/peers.rs`.
//!
//! ```text
//! cargo bench -p inclusif-peers --bench peers
//! cargo run --release -p inclusif-peers --example peers-table [-- --criterion DIR]
//! ```
//!
//! Exit codes: 0 printed, 1 a token failed or criterion's estimates are missing, 2 usage.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use inclusif_peers::table::{
    self, Estimate, Reference, Row, SIGN_GROUP, SIGN_RATIO_GROUP, VERIFY_GROUP, VERIFY_RATIO_GROUP,
    estimate,
};
use inclusif_peers::{VoucherClaims, qr};

#[path = "../peers/mod.rs"]
mod peers;

const USAGE: &str = "usage: peers-table [--criterion DIR]\n\
    DIR defaults to $CARGO_TARGET_DIR/criterion, else the workspace's target/criterion";

fn criterion_dir(args: &[String]) -> Result<PathBuf, String> {
    match args {
        [] => Ok(std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .join("criterion")),
        [flag, dir] if flag == "--criterion" => Ok(PathBuf::from(dir)),
        _ => Err(USAGE.to_owned()),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores, {}", std::env::consts::ARCH)
}

fn rows(dir: &std::path::Path) -> Result<(Vec<Row>, Reference), String> {
    let now = Utc::now();
    let claims = VoucherClaims::today();
    let mut rows = Vec::new();
    for (i, p) in peers::all(now).into_iter().enumerate() {
        let text = p
            .sign(&claims)
            .map_err(|e| format!("{}: sign: {e}", p.id()))?;
        let back = p
            .verify(&text, now)
            .map_err(|e| format!("{}: verify: {e}", p.id()))?;
        if back != claims {
            return Err(format!("{}: verified claims differ: {back:?}", p.id()));
        }
        // inclusif (first) is not paired with itself.
        let ratio = |group| match i {
            0 => Ok(Estimate::exact(table::RATIO_UNIT_NS)),
            _ => estimate(dir, group, p.id()),
        };
        rows.push(Row {
            id: p.id(),
            name: p.name(),
            bytes: p
                .binary_len(&text)
                .map_err(|e| format!("{}: {e}", p.id()))?,
            chars: text.chars().count(),
            qr: qr::versions_m_q(&text),
            sign: estimate(dir, SIGN_GROUP, p.id())?,
            verify: estimate(dir, VERIFY_GROUP, p.id())?,
            sign_ratio: ratio(SIGN_RATIO_GROUP)?,
            verify_ratio: ratio(VERIFY_RATIO_GROUP)?,
            by_hand: p.by_hand(),
        });
    }
    let both = |group, ratio_group, id| -> Result<(Estimate, Estimate), String> {
        Ok((estimate(dir, group, id)?, estimate(dir, ratio_group, id)?))
    };
    let reference = Reference {
        sign: both(SIGN_GROUP, SIGN_RATIO_GROUP, "reference_sign")?,
        verify_strict: both(VERIFY_GROUP, VERIFY_RATIO_GROUP, "reference_verify_strict")?,
        verify: both(VERIFY_GROUP, VERIFY_RATIO_GROUP, "reference_verify")?,
    };
    Ok((rows, reference))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match criterion_dir(&args) {
        Ok(dir) => dir,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match rows(&dir) {
        Ok((rows, reference)) => {
            println!(
                "Measured {} on {}. Sizes and QR versions computed by the table program; times \
                 and paired ratios are criterion medians from the same `cargo bench` run.\n",
                Utc::now().format("%Y-%m-%d"),
                machine()
            );
            print!("{}", table::render(&rows, &reference));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("peers-table: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Criterion's layout with made-up medians and intervals.
    fn fake_estimates(dir: &std::path::Path, ids: &[(&str, &str, f64)]) {
        for (group, id, ns) in ids {
            let path = dir.join(group).join(id).join("new");
            std::fs::create_dir_all(&path).unwrap();
            let json = format!(
                r#"{{"median":{{"point_estimate":{ns},"standard_error":1.0,
                   "confidence_interval":{{"confidence_level":0.95,"lower_bound":{lo},"upper_bound":{hi}}}}}}}"#,
                lo = ns * 0.9,
                hi = ns * 1.1
            );
            std::fs::write(path.join("estimates.json"), json).unwrap();
        }
    }

    #[test]
    fn rows_measure_every_format_live_and_read_criterion_estimates() {
        let dir = tempfile::tempdir().unwrap();
        let mut ids = vec![
            (SIGN_GROUP, "reference_sign", 20_000.0),
            (VERIFY_GROUP, "reference_verify_strict", 50_000.0),
            (VERIFY_GROUP, "reference_verify", 45_000.0),
            (SIGN_RATIO_GROUP, "reference_sign", 1_050.0),
            (VERIFY_RATIO_GROUP, "reference_verify_strict", 1_010.0),
            (VERIFY_RATIO_GROUP, "reference_verify", 1_100.0),
        ];
        for id in ["inclusif", "jwt", "paseto", "biscuit", "cose"] {
            ids.push((SIGN_GROUP, id, 40_000.0));
            ids.push((VERIFY_GROUP, id, 100_000.0));
            ids.push((SIGN_RATIO_GROUP, id, 500.0));
            ids.push((VERIFY_RATIO_GROUP, id, 800.0));
        }
        // Missing estimates: exit 1 with the command to run.
        let err = rows(dir.path()).unwrap_err();
        assert!(err.contains("cargo bench -p inclusif-peers"), "{err}");

        fake_estimates(dir.path(), &ids);
        let (rows, reference) = rows(dir.path()).unwrap();
        let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["inclusif", "jwt", "paseto", "biscuit", "cose"]);
        let ours = &rows[0];
        assert_eq!(
            (ours.bytes, ours.chars, ours.qr.as_str()),
            (85, 140, "6 / 8")
        );
        assert_eq!(
            ours.verify_ratio,
            Estimate::exact(1000.0),
            "not paired with itself"
        );
        for peer in &rows[1..] {
            assert!(
                peer.bytes > ours.bytes && peer.chars > ours.chars,
                "{peer:?}"
            );
        }
        assert_eq!(reference.verify.0.median, 45_000.0);
        assert!((rows[2].verify_ratio.upper - 880.0).abs() < 1e-6);
        let md = table::render(&rows, &reference);
        assert!(
            md.contains("parse and verify from text: jwt 0.80× (0.72–0.88)"),
            "{md}"
        );
    }

    #[test]
    fn usage_errors() {
        assert!(criterion_dir(&[]).unwrap().ends_with("criterion"));
        assert_eq!(
            criterion_dir(&["--criterion".into(), "/x".into()]).unwrap(),
            PathBuf::from("/x")
        );
        assert!(criterion_dir(&["--bogus".into()]).is_err());
    }
}
