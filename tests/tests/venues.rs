//! The venue conformance vectors (`tests/vectors/venues/`) against the library:
//! - `problems.csv` validated on 2026-11-23 gives exactly `problems.expected.tsv` (row,
//!   field, code, severity, in order) and `problems.changes.tsv`, whether the version is
//!   given or detected;
//! - `hours.tsv`: weekly opening hours of strings checked by hand (overriding rules, clock
//!   changes, French public holidays, invalid strings);
//! - `labels.tsv`: the shipped labels on the venues of `labels.csv`, every criterion's
//!   outcome.
//!
//! The Python and Kotlin suites read the same files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use inclusif_conformance::{read_tsv, vector_dir};
use inclusif_core::venue::hours::{Holidays, OpeningHours};
use inclusif_core::venue::labels::{EvaluationContext, LabelRules, evaluate};
use inclusif_core::venue::validate::{Options, Report, validate};
use inclusif_core::venue::{RawFile, Version, read_any};

/// The day the problems vectors are validated on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

fn read_vector_file(name: &str) -> RawFile {
    let path = vector_dir().join("venues").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    read_any(&text).unwrap_or_else(|e| panic!("{name} reads: {e}"))
}

/// A unit variant's serde name (`error`, `not_met`, `not_eligible`…).
macro_rules! name {
    ($value:expr) => {
        match serde_json::to_value($value).expect("serialises") {
            serde_json::Value::String(s) => s,
            other => panic!("not a unit variant: {other}"),
        }
    };
}

fn problems_report(version: Option<Version>) -> Report {
    validate(
        &read_vector_file("problems.csv"),
        &Options {
            version,
            today: today(),
        },
    )
}

#[test]
fn problems_are_the_expected_ones_in_order() {
    let expected: Vec<[String; 4]> = read_tsv("venues/problems.expected.tsv")
        .into_iter()
        .map(|r| {
            [
                r["row"].clone(),
                r["field"].clone(),
                r["code"].clone(),
                r["severity"].clone(),
            ]
        })
        .collect();
    assert_eq!(expected.len(), 26);
    for version in [None, Some(Version::V1_0_2)] {
        let report = problems_report(version);
        assert_eq!(report.version, Version::V1_0_2);
        let got: Vec<[String; 4]> = report
            .problems
            .iter()
            .map(|p| {
                [
                    p.row.to_string(),
                    p.field.clone(),
                    p.code.to_owned(),
                    name!(&p.severity),
                ]
            })
            .collect();
        assert_eq!(got, expected, "version {version:?}");
        assert_eq!(report.rows, 11);
        let valid: Vec<usize> = report.valid.iter().map(|r| r.row).collect();
        assert_eq!(valid, [2, 12]);
        assert_eq!(report.valid_rows, 2);
        let changes: Vec<[String; 4]> = report
            .changes
            .iter()
            .map(|c| {
                [
                    c.row.to_string(),
                    c.field.clone(),
                    c.rule.to_owned(),
                    c.after.clone(),
                ]
            })
            .collect();
        let expected_changes: Vec<[String; 4]> = read_tsv("venues/problems.changes.tsv")
            .into_iter()
            .map(|r| {
                [
                    r["row"].clone(),
                    r["field"].clone(),
                    r["rule"].clone(),
                    r["after"].clone(),
                ]
            })
            .collect();
        assert_eq!(changes, expected_changes);
    }
}

#[test]
fn every_code_the_vectors_promise_is_triggered() {
    let report = problems_report(None);
    for code in [
        "missing_required",
        "invalid_pattern",
        "unknown_value",
        "wrong_list_separator",
        "empty_list_item",
        "invalid_email",
        "invalid_url",
        "invalid_opening_hours",
        "duplicate_id",
        "date_in_future",
        "coordinates_swapped",
        "unknown_postal_code",
        "insee_postal_mismatch",
        "invalid_siret_checksum",
        "unknown_column",
        "not_a_number",
        "invalid_date",
        "too_long",
        "incomplete_coordinates",
        "pivot_unknown",
        "unknown_insee",
        "commune_mismatch",
        "coordinates_outside_territory",
    ] {
        assert!(report.counts.contains_key(code), "{code} is not triggered");
    }
    // The four patterns: postal code, INSEE, phone and pivot.
    let mut patterns: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.code == "invalid_pattern")
        .map(|p| p.field.as_str())
        .collect();
    patterns.sort_unstable();
    assert_eq!(
        patterns,
        ["code_insee", "code_postal", "pivot", "telephone"]
    );
}

#[test]
fn weekly_hours() {
    let rows = read_tsv("venues/hours.tsv");
    assert_eq!(rows.len(), 26);
    for row in rows {
        let text = &row["horaires"];
        let monday: NaiveDate = row["week_of"].parse().expect("week_of");
        let holidays: Holidays = row["holidays"].parse().expect("holidays");
        let tz: Tz = row["time_zone"].parse().expect("time zone");
        let parsed = OpeningHours::parse(text);
        if !row["error"].is_empty() {
            let e = parsed.expect_err(text);
            assert_eq!(e.code(), row["error"], "{text:?}");
            continue;
        }
        let w = parsed
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .week(monday, tz, holidays)
            .expect("week");
        let per_day: Vec<u32> = row["per_day"]
            .split(' ')
            .map(|m| m.parse().expect("minutes"))
            .collect();
        let got = (
            w.per_day.to_vec(),
            w.minutes_open.to_string(),
            w.minutes_unknown.to_string(),
            w.days_open.to_string(),
        );
        let expected = (
            per_day,
            row["minutes_open"].clone(),
            row["minutes_unknown"].clone(),
            row["days_open"].clone(),
        );
        assert_eq!(
            got, expected,
            "{text:?}, week of {monday}, {holidays}, {tz}: {}",
            row["note"]
        );
    }
}

#[test]
fn label_outcomes() {
    let file = read_vector_file("labels.csv");
    assert_eq!(file.records.len(), 6);
    let ctx = EvaluationContext::default();
    let rules: BTreeMap<String, LabelRules> = LabelRules::shipped()
        .into_iter()
        .map(|r| (r.label.clone(), r))
        .collect();
    let rows = read_tsv("venues/labels.tsv");
    assert_eq!(rows.len(), 6 * rules.len());
    for row in rows {
        let record = file
            .records
            .iter()
            .find(|r| r.get("id") == Some(row["id"].as_str()))
            .unwrap_or_else(|| panic!("{} is in labels.csv", row["id"]));
        let result = evaluate(record, &rules[&row["label"]], &ctx);
        let criteria: Vec<String> = result
            .criteria
            .iter()
            .map(|c| format!("{}={}", c.id, name!(&c.outcome)))
            .collect();
        assert_eq!(
            (name!(&result.outcome), criteria.join(" ")),
            (row["outcome"].clone(), row["criteria"].clone()),
            "{} {}: {:#?}",
            row["id"],
            row["label"],
            result.criteria
        );
    }
}
