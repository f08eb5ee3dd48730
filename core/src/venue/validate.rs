//! Validation: every problem of every row, at once, with a stable code.
//!
//! Each value is first **normalised**, as an explicit, reported step (trimmed whitespace,
//! national phone numbers written in the standard's international form, de-duplicated
//! list values, the `formations_labels` spelling quirk), then checked against the rules
//! of the standard's schema for its version ([`Schema`]), then cross-checked where the
//! schema cannot express a rule. Nothing is dropped or fixed silently: invalid rows are
//! reported and kept out of `valid`; every change is listed.
//!
//! Problem codes (`error` makes the row invalid; `warning` does not):
//! `missing_required`, `invalid_pattern`, `not_a_number`, `invalid_date`, `date_in_future`,
//! `too_long`, `unknown_value`, `wrong_list_separator`, `empty_list_item`, `invalid_email`,
//! `invalid_url`, `invalid_opening_hours`, `invalid_siret_checksum`, `duplicate_id`
//! (errors); `unknown_column`, `incomplete_coordinates`, `pivot_unknown` (warnings); and
//! the cross-checks of [`super::geo`] (`unknown_postal_code`, `unknown_insee`,
//! `insee_postal_mismatch`, `commune_mismatch`, `coordinates_outside_territory`,
//! `coordinates_swapped`, `coordinates_out_of_range`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::geo;
use super::hours::OpeningHours;
use super::read::{RawFile, RawRecord};
use super::schema::{FieldSpec, FieldType, Schema, Version};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row is invalid.
    Error,
    /// Worth knowing; the row stays valid.
    Warning,
}

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Row number in the file (CSV: the header is row 1; JSON: the first object is row 1;
    /// 0 for the file as a whole).
    pub row: usize,
    /// The row's `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field.
    pub field: String,
    /// The value at fault, as read (after normalisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The stable code.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The rule, in words.
    pub message: String,
}

/// One normalisation applied to a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Row number.
    pub row: usize,
    /// The field.
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// Which normalisation: `trimmed`, `phone_international`, `deduplicated`,
    /// `quirk_formations_labels`.
    pub rule: &'static str,
}

/// The report of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The version validated against.
    pub version: Version,
    /// Rows read.
    pub rows: usize,
    /// Rows without an error.
    pub valid_rows: usize,
    /// Every problem, by row then field.
    pub problems: Vec<Problem>,
    /// Every normalisation, by row then field.
    pub changes: Vec<Change>,
    /// Problems by code.
    pub counts: BTreeMap<&'static str, usize>,
    /// The normalised records, valid ones only, in file order.
    #[serde(skip)]
    pub valid: Vec<RawRecord>,
}

/// Options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The version, or `None` to detect it.
    pub version: Option<Version>,
    /// Today's date: `date_maj` after it is an error.
    pub today: NaiveDate,
}

/// The fields that only v0.1 has.
const V0_ONLY: [&str; 8] = [
    "courriel",
    "cle_ban",
    "accessibilite",
    "conditions_acces",
    "publics_accueillis",
    "labels_nationaux",
    "labels_autres",
    "modalites_accompagnement_v0",
];

/// Detects the version: v0.1 if a column only v0.1 has is present, or if `services`
/// values are `;`-separated v0.1 services; v1.0.2 otherwise.
pub fn detect_version(file: &RawFile) -> Version {
    if file.columns.iter().any(|c| V0_ONLY.contains(&c.as_str())) {
        return Version::V0_1;
    }
    let v0_services = Schema::of(Version::V0_1)
        .field("services")
        .and_then(|f| f.allowed.clone())
        .unwrap_or_default();
    let v0 = file
        .records
        .iter()
        .filter_map(|r| r.get("services"))
        .any(|s| s.split(';').any(|x| v0_services.contains(x.trim())));
    if v0 { Version::V0_1 } else { Version::V1_0_2 }
}

/// The standard's spelling of the La Poste label in its schema (no space) and in its
/// documentation and the reference implementation (a space): both are accepted, and the
/// documented spelling is rewritten to the schema's so the output validates everywhere.
const ETAPES_SCHEMA: &str = "Étapes numériques(La Poste)";
const ETAPES_DOCUMENTED: &str = "Étapes numériques (La Poste)";

/// A national phone number in the standard's international form, if it is one: ten
/// digits starting with 0 (spaces, dots and dashes allowed). Overseas prefixes follow
/// the French numbering plan (ARCEP): 0590/0690/0691 Guadeloupe, Saint-Martin and
/// Saint-Barthélemy (+590); 0594/0694 Guyane (+594); 0596/0696/0697 Martinique (+596);
/// 0262/0263/0692/0693 La Réunion and 0269/0639 Mayotte (+262); everything else +33.
pub fn phone_international(national: &str) -> Option<String> {
    let digits: String = national
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .collect();
    if digits.len() != 10 || !digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let rest = &digits[1..];
    let prefix = match &digits[..4] {
        "0590" | "0690" | "0691" => "+590",
        "0594" | "0694" => "+594",
        "0596" | "0696" | "0697" => "+596",
        "0262" | "0263" | "0692" | "0693" | "0269" | "0639" => "+262",
        _ => "+33",
    };
    // E.164 keeps the nine digits after the trunk 0: 0262 12 34 56 is +262 262 12 34 56.
    Some(format!("{prefix}{rest}"))
}

/// Normalises one record, reporting each change.
pub fn normalise(record: &RawRecord, version: Version) -> (RawRecord, Vec<Change>) {
    let schema = Schema::of(version);
    let sep = version.separator();
    let mut out = record.clone();
    let mut changes = Vec::new();
    let mut change = |field: &str, before: &str, after: &str, rule: &'static str| {
        changes.push(Change {
            row: record.row,
            field: field.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
            rule,
        });
    };
    for (field, value) in out.fields.iter_mut() {
        let trimmed = value.trim();
        if trimmed != value {
            change(field, value, trimmed, "trimmed");
            *value = trimmed.to_owned();
        }
        if field == "telephone"
            && !value.starts_with('+')
            && let Some(intl) = phone_international(value)
        {
            change(field, value, &intl, "phone_international");
            *value = intl;
        }
        let is_list = schema.field(field).is_some_and(|f| f.allowed.is_some())
            || matches!(
                field.as_str(),
                "typologie" | "courriels" | "site_web" | "autres_formations_labels" | "courriel"
            );
        if is_list {
            let mut seen: Vec<String> = Vec::new();
            let mut quirk = false;
            for item in value.split(sep).map(str::trim) {
                let item = if field == "formations_labels" && item == ETAPES_DOCUMENTED {
                    quirk = true;
                    ETAPES_SCHEMA
                } else {
                    item
                };
                if !seen.iter().any(|s| s == item) {
                    seen.push(item.to_owned());
                }
            }
            let joined = seen.join(&sep.to_string());
            if joined != *value {
                let rule = if quirk {
                    "quirk_formations_labels"
                } else if value.split(sep).count() != seen.len() {
                    "deduplicated"
                } else {
                    "trimmed"
                };
                change(field, value, &joined, rule);
                *value = joined;
            }
        }
    }
    (out, changes)
}

fn valid_pivot(s: &str) -> bool {
    (9..=14).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn valid_postal(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
}

fn valid_insee(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2..].iter().all(u8::is_ascii_digit)
        && match (b[0], b[1]) {
            (b'2', b'A' | b'B' | b'1'..=b'9') => true,
            (b'0' | b'1' | b'3'..=b'9', d) => d.is_ascii_digit(),
            _ => false,
        }
}

fn valid_phone(s: &str) -> bool {
    const PREFIXES: [&str; 10] = [
        "+33", "+590", "+594", "+262", "+596", "+269", "+687", "+689", "+508", "+681",
    ];
    PREFIXES.iter().any(|p| {
        s.strip_prefix(p).is_some_and(|rest| {
            (6..=9).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
        })
    })
}

fn valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn valid_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !host.starts_with('.') && !s.chars().any(char::is_whitespace)
    })
}

/// Checks one normalised record against a schema; problems in field order.
pub fn check_record(record: &RawRecord, schema: &Schema, today: NaiveDate) -> Vec<Problem> {
    let id = record.get("id").map(str::to_owned);
    let mut problems = Vec::new();
    let mut add = |field: &str,
                   value: Option<&str>,
                   code: &'static str,
                   severity: Severity,
                   message: String| {
        problems.push(Problem {
            row: record.row,
            id: id.clone(),
            field: field.to_owned(),
            value: value.map(str::to_owned),
            code,
            severity,
            message,
        });
    };
    let sep = schema.version.separator();
    let other_sep = if sep == '|' { ';' } else { '|' };
    for spec in &schema.fields {
        let FieldSpec {
            name,
            kind,
            required,
            max_length,
            allowed,
            pattern,
            ..
        } = spec;
        let Some(value) = record.get(name) else {
            if *required {
                add(
                    name,
                    None,
                    "missing_required",
                    Severity::Error,
                    format!(
                        "{name} is required by the standard v{}",
                        schema.version.name()
                    ),
                );
            }
            continue;
        };
        match kind {
            FieldType::Number => {
                if !value.parse::<f64>().is_ok_and(f64::is_finite) {
                    add(
                        name,
                        Some(value),
                        "not_a_number",
                        Severity::Error,
                        format!("{name} must be a decimal number (WGS84 degrees)"),
                    );
                }
            }
            FieldType::Date => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Err(_) => add(
                    name,
                    Some(value),
                    "invalid_date",
                    Severity::Error,
                    format!("{name} must be an ISO 8601 date (YYYY-MM-DD)"),
                ),
                Ok(d) if d > today => add(
                    name,
                    Some(value),
                    "date_in_future",
                    Severity::Error,
                    format!("{name} {d} is after today ({today})"),
                ),
                Ok(_) => {}
            },
            FieldType::String => {}
        }
        if let Some(max) = max_length
            && value.chars().count() > *max
        {
            add(
                name,
                Some(value),
                "too_long",
                Severity::Error,
                format!(
                    "{name} has {} characters; at most {max}",
                    value.chars().count()
                ),
            );
        }
        if let Some(p) = pattern {
            let ok = match name.as_str() {
                "pivot" => valid_pivot(value),
                "code_postal" => valid_postal(value),
                "code_insee" => valid_insee(value),
                "telephone" => valid_phone(value),
                _ => true,
            };
            if !ok {
                add(
                    name,
                    Some(value),
                    "invalid_pattern",
                    Severity::Error,
                    format!("{name} does not match the standard's pattern {p}"),
                );
            }
        }
        if let Some(allowed) = allowed {
            for item in value.split(sep) {
                if item.is_empty() {
                    add(
                        name,
                        Some(value),
                        "empty_list_item",
                        Severity::Error,
                        format!("{name}: an empty item between two '{sep}'"),
                    );
                } else if !allowed.contains(item) {
                    let split_ok = item.contains(other_sep)
                        && item.split(other_sep).all(|x| allowed.contains(x.trim()));
                    if split_ok {
                        add(
                            name,
                            Some(item),
                            "wrong_list_separator",
                            Severity::Error,
                            format!(
                                "{name}: items are separated by '{sep}' in v{}, not '{other_sep}'",
                                schema.version.name()
                            ),
                        );
                    } else {
                        add(
                            name,
                            Some(item),
                            "unknown_value",
                            Severity::Error,
                            format!(
                                "{name}: {item:?} is not one of the standard's {} values",
                                allowed.len()
                            ),
                        );
                    }
                }
            }
        }
        match name.as_str() {
            "courriels" | "courriel" => {
                for item in value.split(sep).filter(|i| !valid_email(i)) {
                    add(
                        name,
                        Some(item),
                        "invalid_email",
                        Severity::Error,
                        format!("{name}: {item:?} is not an e-mail address"),
                    );
                }
            }
            "site_web" | "fiche_acces_libre" | "prise_rdv" | "accessibilite" => {
                for item in value
                    .split(if name == "site_web" { sep } else { '\u{0}' })
                    .filter(|i| !valid_url(i))
                {
                    add(
                        name,
                        Some(item),
                        "invalid_url",
                        Severity::Error,
                        format!("{name}: {item:?} is not an http(s) URL"),
                    );
                }
            }
            "pivot" if value.bytes().all(|b| b == b'0') => {
                add(
                    name,
                    Some(value),
                    "pivot_unknown",
                    Severity::Warning,
                    "pivot: the all-zero placeholder means the SIRET is unknown".into(),
                );
            }
            _ => {}
        }
    }
    match (record.get("latitude"), record.get("longitude")) {
        (Some(_), None) | (None, Some(_)) => add(
            "latitude",
            None,
            "incomplete_coordinates",
            Severity::Warning,
            "latitude and longitude go together; one is missing".into(),
        ),
        _ => {}
    }
    cross_check(record, &mut add);
    problems
}

/// The checks the schema cannot express: the commune against the shipped list of
/// communes and postal codes, coordinates against the postal code's territory, the SIRET
/// checksum, and the opening hours' syntax.
fn cross_check(
    record: &RawRecord,
    add: &mut impl FnMut(&str, Option<&str>, &'static str, Severity, String),
) {
    let postal = record.get("code_postal").filter(|c| valid_postal(c));
    if let (Some(cp), Some(commune)) = (postal, record.get("commune")) {
        for f in geo::check_commune(cp, record.get("code_insee"), commune) {
            let value = record.get(f.field).unwrap_or(cp);
            add(
                f.field,
                Some(value),
                f.code.as_str(),
                severity(f.severity),
                f.message,
            );
        }
    }
    let coords = (
        record.get("latitude").and_then(|v| v.parse::<f64>().ok()),
        record.get("longitude").and_then(|v| v.parse::<f64>().ok()),
    );
    if let (Some(cp), (Some(lat), Some(lon))) = (postal, coords)
        && lat.is_finite()
        && lon.is_finite()
        && let Some(f) = geo::check_coordinates(cp, lat, lon)
    {
        add(
            f.field,
            Some(&format!("{lat},{lon}")),
            f.code.as_str(),
            severity(f.severity),
            f.message,
        );
    }
    if let Some(p) = record.get("pivot")
        && geo::siret_status(p) == geo::PivotStatus::InvalidSiretChecksum
    {
        add(
            "pivot",
            Some(p),
            "invalid_siret_checksum",
            Severity::Error,
            format!(
                "pivot {p} has 14 digits but fails the SIRET checksum (Luhn, or La Poste's rule)"
            ),
        );
    }
    if let Some(h) = record.get("horaires")
        && let Err(e) = OpeningHours::parse(h)
    {
        add(
            "horaires",
            Some(h),
            "invalid_opening_hours",
            Severity::Error,
            e.to_string(),
        );
    }
}

fn severity(s: geo::GeoSeverity) -> Severity {
    match s {
        geo::GeoSeverity::Error => Severity::Error,
        geo::GeoSeverity::Warning => Severity::Warning,
    }
}

/// Validates a whole file: normalises, checks every row, finds duplicate ids and unknown
/// columns, and keeps the valid (normalised) rows.
pub fn validate(file: &RawFile, options: &Options) -> Report {
    let version = options.version.unwrap_or_else(|| detect_version(file));
    let schema = Schema::of(version);
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    for c in &file.columns {
        if schema.field(c).is_none() && c != "extension_v0" {
            problems.push(Problem {
                row: 0,
                id: None,
                field: c.clone(),
                value: None,
                code: "unknown_column",
                severity: Severity::Warning,
                message: format!(
                    "{c} is not a field of the standard v{}; its values are kept but not checked",
                    version.name()
                ),
            });
        }
    }
    let mut first_row_of_id: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::new();
    for record in &file.records {
        let (normal, ch) = normalise(record, version);
        changes.extend(ch);
        let mut row_problems = check_record(&normal, schema, options.today);
        if let Some(id) = normal.get("id") {
            if let Some(first) = first_row_of_id.get(id) {
                row_problems.push(Problem {
                    row: normal.row,
                    id: Some(id.to_owned()),
                    field: "id".into(),
                    value: Some(id.to_owned()),
                    code: "duplicate_id",
                    severity: Severity::Error,
                    message: format!("id {id:?} was already used by row {first}; ids are unique"),
                });
            } else {
                first_row_of_id.insert(id.to_owned(), normal.row);
            }
        }
        if !row_problems.iter().any(|p| p.severity == Severity::Error) {
            valid.push(normal);
        }
        problems.extend(row_problems);
    }
    let mut counts = BTreeMap::new();
    for p in &problems {
        *counts.entry(p.code).or_insert(0) += 1;
    }
    Report {
        version,
        rows: file.records.len(),
        valid_rows: valid.len(),
        problems,
        changes,
        counts,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::read::read_csv;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn phones_become_international() {
        assert_eq!(
            phone_international("04 50 73 57 23").as_deref(),
            Some("+33450735723")
        );
        assert_eq!(
            phone_international("0262.12.34.56").as_deref(),
            Some("+262262123456")
        );
        assert_eq!(
            phone_international("06-90-12-34-56").as_deref(),
            Some("+590690123456")
        );
        assert_eq!(
            phone_international("0594 30 00 00").as_deref(),
            Some("+594594300000")
        );
        assert_eq!(phone_international("12 34"), None);
        assert!(valid_phone(&phone_international("0596 61 23 45").unwrap()));
    }

    #[test]
    fn the_standards_own_example_is_valid() {
        let text = include_str!("../../data/venue-example-v1.0.2.csv");
        let file = read_csv(text).unwrap();
        let r = validate(
            &file,
            &Options {
                version: None,
                today: today(),
            },
        );
        assert_eq!(r.version, Version::V1_0_2);
        assert_eq!(r.valid_rows, 1, "{:#?}", r.problems);
        assert!(r.problems.is_empty(), "{:#?}", r.problems);
    }

    #[test]
    fn every_problem_of_every_row_is_reported() {
        let csv = "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,telephone,courriels,site_web,date_maj,services,formations_labels,presentation_resume,couleur\n\
                   a,123,,Lyon,6900,2C001,1 rue X,45.7,abc,04 72 00 00 00,x@y|nope,ftp://x,2027-01-01,Aide aux démarches administratives;Loisirs et créations numériques,Étapes numériques (La Poste),ok,bleu\n\
                   a,00000000000000,Lieu,Lyon,69001,69381,1 rue X,45.7,,,,,2024-01-01,Inventé||Aide aux démarches administratives,,,\n";
        let r = validate(
            &read_csv(csv).unwrap(),
            &Options {
                version: Some(Version::V1_0_2),
                today: today(),
            },
        );
        let codes: Vec<(usize, &str, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.field.as_str(), p.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                (0, "couleur", "unknown_column"),
                (2, "pivot", "invalid_pattern"),
                (2, "nom", "missing_required"),
                (2, "code_postal", "invalid_pattern"),
                (2, "code_insee", "invalid_pattern"),
                (2, "longitude", "not_a_number"),
                (2, "courriels", "invalid_email"),
                (2, "courriels", "invalid_email"),
                (2, "site_web", "invalid_url"),
                (2, "date_maj", "date_in_future"),
                (2, "services", "wrong_list_separator"),
                (3, "pivot", "pivot_unknown"),
                (3, "services", "unknown_value"),
                (3, "services", "empty_list_item"),
                (3, "latitude", "incomplete_coordinates"),
                (3, "id", "duplicate_id"),
            ]
        );
        assert_eq!(r.valid_rows, 0);
        let rules: Vec<&str> = r.changes.iter().map(|c| c.rule).collect();
        assert_eq!(
            rules,
            vec!["quirk_formations_labels", "phone_international"]
        );
        assert_eq!(r.counts["invalid_email"], 2);
    }
}
