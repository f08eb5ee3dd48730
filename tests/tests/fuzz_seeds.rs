//! Replays the fuzzing seeds (`fuzz/seeds/<target>/`) and the saved crashes
//! (`fuzz/regressions/<target>/`, when present) through the fuzz targets of
//! `inclusif_conformance::fuzz_targets`, on stable Rust: `cargo +nightly fuzz` is only
//! needed to find new inputs, never to check old ones.
//!
//! Every target reads its input by itself (`scenario` with serde_json, `venue_file` with
//! the core's readers), so replaying is only calling the functions.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use inclusif_conformance::fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("fuzz")
}

/// The files of a folder, sorted; none if the folder does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every seed and regression of `name`; returns how many inputs were replayed.
fn replay(name: &str) -> usize {
    let (_, target) = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("known target");
    let seeds = files(&fuzz_dir().join("seeds").join(name));
    assert!(!seeds.is_empty(), "fuzz/seeds/{name}/ is empty or missing");
    let regressions = files(&fuzz_dir().join("regressions").join(name));
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("read input");
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{name}: {} input(s) broke a property (panic messages above):\n{}",
        failed.len(),
        failed.join("\n")
    );
    println!(
        "{name}: replayed {} inputs ({} seeds, {} regressions)",
        seeds.len() + regressions.len(),
        seeds.len(),
        regressions.len()
    );
    seeds.len() + regressions.len()
}

#[test]
fn every_target_has_a_test_here() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "strict_parse",
            "human_parse",
            "short_code",
            "trust_list",
            "verify",
            "mandate_token",
            "journal",
            "scenario",
            "venue_file",
            "opening_hours",
            "redemption_batch"
        ]
    );
    for name in names {
        let bin = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(bin.is_file(), "{} is missing", bin.display());
    }
}

#[test]
fn strict_parse_seeds() {
    replay("strict_parse");
}

#[test]
fn human_parse_seeds() {
    replay("human_parse");
}

#[test]
fn short_code_seeds() {
    replay("short_code");
}

#[test]
fn trust_list_seeds() {
    replay("trust_list");
}

#[test]
fn verify_seeds() {
    replay("verify");
}

#[test]
fn mandate_token_seeds() {
    replay("mandate_token");
}

#[test]
fn journal_seeds() {
    replay("journal");
}

#[test]
fn scenario_seeds() {
    replay("scenario");
}

#[test]
fn venue_file_seeds() {
    replay("venue_file");
}

#[test]
fn opening_hours_seeds() {
    replay("opening_hours");
}

#[test]
fn redemption_batch_seeds() {
    replay("redemption_batch");
}
