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
use inclusif_peers::table::{self, Reference, Row, SIGN_GROUP, VERIFY_GROUP, rounds_ns};
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
    for p in peers::all(now) {
        let text = p
            .sign(&claims)
            .map_err(|e| format!("{}: sign: {e}", p.id()))?;
        let back = p
            .verify(&text, now)
            .map_err(|e| format!("{}: verify: {e}", p.id()))?;
        if back != claims {
            return Err(format!("{}: verified claims differ: {back:?}", p.id()));
        }
        rows.push(Row {
            id: p.id(),
            name: p.name(),
            bytes: p
                .binary_len(&text)
                .map_err(|e| format!("{}: {e}", p.id()))?,
            chars: text.chars().count(),
            qr: qr::versions_m_q(&text),
            sign_ns: rounds_ns(dir, SIGN_GROUP, p.id())?,
            verify_ns: rounds_ns(dir, VERIFY_GROUP, p.id())?,
            by_hand: p.by_hand(),
        });
    }
    let reference = Reference {
        sign_ns: rounds_ns(dir, SIGN_GROUP, "reference_sign")?,
        verify_strict_ns: rounds_ns(dir, VERIFY_GROUP, "reference_verify_strict")?,
        verify_ns: rounds_ns(dir, VERIFY_GROUP, "reference_verify")?,
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
                 are criterion medians from the same `cargo bench` run.\n",
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
    use inclusif_peers::table::{ROUNDS, group};

    /// Criterion's layout with made-up medians, the same in every round.
    fn fake_estimates(dir: &std::path::Path, ids: &[(&str, &str, f64)]) {
        for ((prefix, id, ns), round) in ids.iter().flat_map(|i| (1..=ROUNDS).map(move |r| (i, r)))
        {
            let path = dir.join(group(prefix, round)).join(id).join("new");
            std::fs::create_dir_all(&path).unwrap();
            let json = format!(r#"{{"median":{{"point_estimate":{ns},"standard_error":1.0}}}}"#);
            std::fs::write(path.join("estimates.json"), json).unwrap();
        }
    }

    #[test]
    fn rows_measure_every_format_live_and_read_criterion_medians() {
        let dir = tempfile::tempdir().unwrap();
        let mut ids = vec![
            (SIGN_GROUP, "reference_sign", 20_000.0),
            (VERIFY_GROUP, "reference_verify_strict", 50_000.0),
            (VERIFY_GROUP, "reference_verify", 45_000.0),
        ];
        for id in ["inclusif", "jwt", "paseto", "biscuit", "cose"] {
            ids.push((SIGN_GROUP, id, 40_000.0));
            ids.push((VERIFY_GROUP, id, 100_000.0));
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
        for peer in &rows[1..] {
            assert!(
                peer.bytes > ours.bytes && peer.chars > ours.chars,
                "{peer:?}"
            );
        }
        assert_eq!(reference.verify_ns, vec![45_000.0; ROUNDS]);
        assert_eq!(rows[2].verify_ns, vec![100_000.0; ROUNDS]);
        let md = table::render(&rows, &reference);
        assert!(md.contains("parse and verify from text: jwt 1.00×"), "{md}");
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
