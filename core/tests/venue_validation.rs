//! Validation on the real data shipped in `shared/data/venues/` (read at run time; a
//! missing file fails the test with its path, it is never skipped).

use chrono::NaiveDate;
use inclusif_core::venue::validate::{Options, Severity, detect_version, validate};
use inclusif_core::venue::{Version, read_csv, read_json};

fn shared(name: &str) -> String {
    let path = format!(
        "{}/../../shared/data/venues/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (the real data lives beside the repository in shared/)")
    })
}

/// Rows of the v0.1 file with no v1.0.2 error: none, since every row has `services`
/// written with v0.1 values (checked with a script over the file: 0 rows lack services).
const VALID_AS_V1: usize = 0;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[test]
fn the_real_hinaura_file_is_valid_against_v0_1() {
    let file = read_json(&shared("hinaura-2021-2022.standard-v0.json")).unwrap();
    assert_eq!(detect_version(&file), Version::V0_1);
    let r = validate(
        &file,
        &Options {
            version: None,
            today: today(),
        },
    );
    assert_eq!(r.rows, 687);
    let errors: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{:#?}", &errors[..errors.len().min(5)]);
    assert_eq!(r.valid_rows, 687);
    assert_eq!(
        r.counts.get("pivot_unknown"),
        Some(&687),
        "every pivot is the placeholder"
    );
    // Warnings only, counted on the real data: 43 commune names that differ from the
    // official ones (old or merged communes), 3 CEDEX postal codes absent from the list.
    let counts: Vec<(&str, usize)> = r.counts.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        counts,
        vec![
            ("commune_mismatch", 43),
            ("pivot_unknown", 687),
            ("unknown_postal_code", 3)
        ]
    );
}

#[test]
fn the_real_file_read_as_v1_shows_what_changed() {
    // The same file checked against v1.0.2: every v0.1-only column is unknown, and the
    // services written with ';' and v0.1 values are reported, row by row.
    let file = read_json(&shared("hinaura-2021-2022.standard-v0.json")).unwrap();
    let r = validate(
        &file,
        &Options {
            version: Some(Version::V1_0_2),
            today: today(),
        },
    );
    let unknown: Vec<&str> = r
        .problems
        .iter()
        .filter(|p| p.code == "unknown_column")
        .map(|p| p.field.as_str())
        .collect();
    assert_eq!(
        unknown,
        vec!["publics_accueillis", "conditions_acces", "courriel"]
    );
    assert_eq!(r.counts["unknown_value"], 1257);
    assert_eq!(r.counts["pivot_unknown"], 687);
    assert_eq!(r.valid_rows, VALID_AS_V1);
}

#[test]
fn the_standards_example_is_valid_and_round_trips_between_csv_and_json() {
    let file = read_csv(&shared("exemple-valide-v1.0.2.csv")).unwrap();
    let r = validate(
        &file,
        &Options {
            version: None,
            today: today(),
        },
    );
    assert_eq!(
        (r.version, r.valid_rows),
        (Version::V1_0_2, 1),
        "{:#?}",
        r.problems
    );
    let json = serde_json::to_string(&[&file.records[0].fields]).unwrap();
    let back = read_json(&json).unwrap();
    assert_eq!(back.records[0].fields, file.records[0].fields);
}
