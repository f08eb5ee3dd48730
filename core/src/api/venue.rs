//! The venue domain for bindings: venue files read, validated with every problem of every
//! row, migrated from v0.1, merged; the shipped labels evaluated with reasons; opening
//! hours; the nearest venues to a point.
//!
//! A [`VenueFile`] holds what was read (every value as text, every row numbered) and is the
//! entry point of the batch operations, so a binding converts the file once and runs the
//! heavy work (validation, migration, labels) on it without crossing the boundary per row.
//! Enum values cross as their stable strings ([`Severity::as_str`], …). Nothing here
//! decides a rule: every answer comes from [`crate::venue`].

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{Error, Result};
use crate::venue::{self as core, RawFile, RawRecord, VenueError};
use crate::venue::{coverage, hours, labels, migrate, validate};

/// A plain enum with stable string values: `as_str`, `parse` and the list of all values.
macro_rules! string_enum {
    (
        $(#[$doc:meta])*
        $name:ident ($field:literal) {
            $( $(#[$vdoc:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable string value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $value ),+
                }
            }

            /// The value spelled `s` exactly; `invalid_argument` otherwise.
            pub fn parse(s: &str) -> Result<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    invalid_argument($field, format!("{s:?} is not one of {}", known.join(", ")))
                })
            }
        }
    };
}

string_enum! {
    /// How to read a file's text.
    Format ("format") {
        /// JSON when the first non-blank character is `[` or `{`, CSV otherwise.
        Auto = "auto",
        /// CSV with a header line.
        Csv = "csv",
        /// A JSON array of objects.
        Json = "json",
    }
}

string_enum! {
    /// A version of the national venue data standard.
    Version ("version") {
        /// v0.1 (2022): lists separated by `;`.
        V0_1 = "0.1",
        /// v1.0.2 (2024): lists separated by `|`.
        V1_0_2 = "1.0.2",
    }
}

string_enum! {
    /// How bad a validation problem is.
    Severity ("severity") {
        /// The row is invalid.
        Error = "error",
        /// Worth knowing; the row stays valid.
        Warning = "warning",
    }
}

string_enum! {
    /// A label criterion's answer.
    Outcome ("outcome") {
        /// The criterion holds.
        Met = "met",
        /// It does not.
        NotMet = "not_met",
        /// The data cannot tell.
        Unknown = "unknown",
    }
}

string_enum! {
    /// A label's overall answer for a venue.
    Eligibility ("eligibility") {
        /// Every criterion met.
        Eligible = "eligible",
        /// At least one criterion not met.
        NotEligible = "not_eligible",
        /// None failed, at least one unknown.
        Unknown = "unknown",
    }
}

string_enum! {
    /// The public-holiday calendar `PH` rules are read against (the core's codes).
    Holidays ("holidays") {
        /// No public holidays: `PH` never matches.
        None = "none",
        /// France's eleven national public holidays.
        France = "FR",
    }
}

string_enum! {
    /// What a migration note says happened.
    NoteCode ("note_code") {
        /// A field took its v1 name.
        Renamed = "renamed",
        /// An enumerated value became v1 values of the same field.
        ValueMapped = "value_mapped",
        /// A value of a split field went to one of its v1 fields.
        Split = "split",
        /// A value with no v1 home went to the extension column.
        ToExtension = "to_extension",
        /// A blank field or empty list item was dropped.
        DroppedEmpty = "dropped_empty",
        /// A value or field the table does not know, kept in the extension column.
        UnknownValue = "unknown_value",
        /// A v1 value already present was not repeated.
        Deduplicated = "deduplicated",
        /// A field v1 removed.
        RemovedField = "removed_field",
    }
}

string_enum! {
    /// Why two merged venues look like the same one.
    DuplicateReason ("duplicate_reason") {
        /// The same SIRET.
        SameSiret = "same_siret",
        /// The same address, close by.
        SameAddressNearby = "same_address_nearby",
        /// Similar names, close by.
        SimilarNameNearby = "similar_name_nearby",
    }
}

fn invalid_argument(field: &'static str, rule: String) -> Error {
    VenueError::InvalidArgument { field, rule }.into()
}

impl From<core::Version> for Version {
    fn from(v: core::Version) -> Self {
        match v {
            core::Version::V0_1 => Version::V0_1,
            core::Version::V1_0_2 => Version::V1_0_2,
        }
    }
}

impl From<Version> for core::Version {
    fn from(v: Version) -> Self {
        match v {
            Version::V0_1 => core::Version::V0_1,
            Version::V1_0_2 => core::Version::V1_0_2,
        }
    }
}

impl From<Holidays> for hours::Holidays {
    fn from(h: Holidays) -> Self {
        match h {
            Holidays::None => hours::Holidays::None,
            Holidays::France => hours::Holidays::France,
        }
    }
}

impl From<labels::Outcome> for Outcome {
    fn from(o: labels::Outcome) -> Self {
        match o {
            labels::Outcome::Met => Outcome::Met,
            labels::Outcome::NotMet => Outcome::NotMet,
            labels::Outcome::Unknown => Outcome::Unknown,
        }
    }
}

impl From<labels::Eligibility> for Eligibility {
    fn from(e: labels::Eligibility) -> Self {
        match e {
            labels::Eligibility::Eligible => Eligibility::Eligible,
            labels::Eligibility::NotEligible => Eligibility::NotEligible,
            labels::Eligibility::Unknown => Eligibility::Unknown,
        }
    }
}

impl From<migrate::NoteCode> for NoteCode {
    fn from(c: migrate::NoteCode) -> Self {
        // Both spell the same stable values.
        NoteCode::ALL
            .iter()
            .copied()
            .find(|n| n.as_str() == c.as_str())
            .unwrap_or(NoteCode::UnknownValue)
    }
}

impl From<coverage::DuplicateReason> for DuplicateReason {
    fn from(r: coverage::DuplicateReason) -> Self {
        match r {
            coverage::DuplicateReason::SameSiret => DuplicateReason::SameSiret,
            coverage::DuplicateReason::SameAddressNearby => DuplicateReason::SameAddressNearby,
            coverage::DuplicateReason::SimilarNameNearby => DuplicateReason::SimilarNameNearby,
        }
    }
}

/// An IANA time zone by name (`Europe/Paris`, `America/Cayenne`…).
pub fn time_zone(name: &str) -> Result<Tz> {
    name.parse().map_err(|_| {
        invalid_argument(
            "time_zone",
            format!("{name:?} is not an IANA time zone (e.g. Europe/Paris)"),
        )
    })
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------
// Files and records
// ---------------------------------------------------------------------------------------

/// One venue as read: its row number and its values by field name (an empty cell is
/// absent). CSV: the header is row 1; JSON: the first object is row 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct VenueRecord {
    /// Row number in the file.
    pub row: u64,
    /// Values by field name.
    pub fields: BTreeMap<String, String>,
}

impl From<&RawRecord> for VenueRecord {
    fn from(r: &RawRecord) -> Self {
        VenueRecord {
            row: count(r.row),
            fields: r.fields.clone(),
        }
    }
}

impl VenueRecord {
    /// A value, if present and not blank.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// A venue file as read: its columns and records, every value kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VenueFile {
    raw: RawFile,
}

impl VenueFile {
    /// Reads a file's text. Errors: `malformed_file` (with its row) when the structure is
    /// broken; a problem *in* a row is not an error (see [`VenueFile::validate`]).
    pub fn read(text: &str, format: Format) -> Result<Self> {
        let raw = match format {
            Format::Auto => core::read_any(text),
            Format::Csv => core::read_csv(text),
            Format::Json => core::read_json(text),
        }?;
        Ok(VenueFile { raw })
    }

    /// Reads a file's bytes, which must be UTF-8 (a BOM is allowed); `malformed_file`
    /// otherwise, naming the first bad byte.
    pub fn read_bytes(bytes: &[u8], format: Format) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| VenueError::Malformed {
            row: 0,
            rule: format!(
                "not UTF-8 at byte {} (re-encode the file as UTF-8)",
                e.valid_up_to()
            ),
        })?;
        Self::read(text, format)
    }

    /// A file made of records given one by one (columns in the given order).
    pub fn from_records(columns: Vec<String>, records: Vec<VenueRecord>) -> Self {
        let records = records
            .into_iter()
            .map(|r| RawRecord {
                row: usize::try_from(r.row).unwrap_or(usize::MAX),
                fields: r.fields,
            })
            .collect();
        VenueFile {
            raw: RawFile { columns, records },
        }
    }

    /// The core's file, for Rust callers.
    pub fn raw(&self) -> &RawFile {
        &self.raw
    }

    /// Column names in file order (CSV: the header; JSON: the union of keys).
    pub fn columns(&self) -> &[String] {
        &self.raw.columns
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.raw.records.len()
    }

    /// Whether the file has no record.
    pub fn is_empty(&self) -> bool {
        self.raw.records.is_empty()
    }

    /// Every record, in file order.
    pub fn records(&self) -> Vec<VenueRecord> {
        self.raw.records.iter().map(VenueRecord::from).collect()
    }

    /// The `index`-th record (0-based), if any.
    pub fn record(&self, index: usize) -> Option<VenueRecord> {
        self.raw.records.get(index).map(VenueRecord::from)
    }

    /// The version the file looks like (v0.1 when a v0.1-only column or v0.1 services
    /// are present).
    pub fn detected_version(&self) -> Version {
        validate::detect_version(&self.raw).into()
    }

    /// The file as CSV: its columns, a header line first.
    pub fn to_csv(&self) -> String {
        let columns: Vec<&str> = self.raw.columns.iter().map(String::as_str).collect();
        core::write_csv(&self.raw.records, &columns)
    }

    /// Validates every row against the standard (`version`, or detected when `None`);
    /// `date_maj` after `today` is an error.
    pub fn validate(&self, version: Option<Version>, today: NaiveDate) -> ValidationReport {
        let options = validate::Options {
            version: version.map(Into::into),
            today,
        };
        ValidationReport::from_core(validate::validate(&self.raw, &options), &self.raw.columns)
    }

    /// The records as v1.0.2, normalised: a v0.1 file is migrated with the shipped table
    /// first, and its migration comes back too. Rows are kept.
    pub fn as_v1(&self) -> (VenueFile, Option<Migration>) {
        let (records, migration) = core::as_v1(&self.raw);
        let columns = match migration {
            None => self.raw.columns.clone(),
            Some(_) => v1_columns(&records),
        };
        let file = VenueFile {
            raw: RawFile { columns, records },
        };
        (file, migration.map(Migration::from))
    }

    /// Evaluates labels on every record taken as v1.0.2 ([`VenueFile::as_v1`]): the
    /// shipped rule sets named in `labels` (all four when empty), venue by venue, labels
    /// in the order given. Errors: `invalid_argument` for an unknown label, week or zone.
    pub fn evaluate_labels(
        &self,
        labels: &[String],
        settings: &EvaluationSettings,
    ) -> Result<Vec<LabelEvaluation>> {
        let rules = label_rules(labels)?;
        let ctx = settings.context()?;
        let (records, _) = core::as_v1(&self.raw);
        let mut out = Vec::with_capacity(records.len() * rules.len());
        for record in &records {
            let departement = labels::departement(record);
            for r in &rules {
                let result = labels::evaluate(record, r, &ctx);
                out.push(LabelEvaluation::from_core(
                    record.row,
                    departement.clone(),
                    result,
                ));
            }
        }
        Ok(out)
    }

    /// Label outcomes counted per label and département (`?` when a venue has no code),
    /// over the records as v1.0.2; labels as for [`VenueFile::evaluate_labels`].
    pub fn coverage_by_departement(
        &self,
        labels: &[String],
        settings: &EvaluationSettings,
    ) -> Result<Vec<DepartementCounts>> {
        let rules = label_rules(labels)?;
        let ctx = settings.context()?;
        let (records, _) = core::as_v1(&self.raw);
        Ok(labels::coverage_by_departement(&records, &rules, &ctx)
            .into_iter()
            .map(|((label, departement), c)| DepartementCounts {
                label,
                departement,
                eligible: count(c.eligible),
                not_eligible: count(c.not_eligible),
                unknown: count(c.unknown),
            })
            .collect())
    }
}

/// The columns of migrated records: v1.0.2's, then the extension column when used.
fn v1_columns(records: &[RawRecord]) -> Vec<String> {
    let mut columns: Vec<String> = migrate::V1_0_2_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    if records
        .iter()
        .any(|r| r.fields.contains_key(migrate::EXTENSION_COLUMN))
    {
        columns.push(migrate::EXTENSION_COLUMN.to_owned());
    }
    columns
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Row number (0: the file as a whole).
    pub row: u64,
    /// The row's `id`, when it has one.
    pub id: Option<String>,
    /// The field.
    pub field: String,
    /// The value at fault (after normalisation), when there is one.
    pub value: Option<String>,
    /// The stable code (`missing_required`, `invalid_pattern`…).
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The rule, in words.
    pub message: String,
}

/// One normalisation applied to a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// Row number.
    pub row: u64,
    /// The field.
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// `trimmed`, `phone_international`, `deduplicated` or `quirk_formations_labels`.
    pub rule: String,
}

/// The report of a file: every problem of every row, every normalisation, the counts,
/// and the valid rows (normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationReport {
    /// The version validated against.
    pub version: Version,
    /// Rows read.
    pub rows: u64,
    /// Rows without an error.
    pub valid_rows: u64,
    /// Every problem, by row then field.
    pub problems: Vec<Problem>,
    /// Every normalisation, by row then field.
    pub changes: Vec<Change>,
    /// Problems by code.
    pub counts: BTreeMap<String, u64>,
    /// The valid records, normalised, in file order (the file's columns).
    pub valid: VenueFile,
}

impl ValidationReport {
    fn from_core(r: validate::Report, columns: &[String]) -> Self {
        ValidationReport {
            version: r.version.into(),
            rows: count(r.rows),
            valid_rows: count(r.valid_rows),
            problems: r
                .problems
                .into_iter()
                .map(|p| Problem {
                    row: count(p.row),
                    id: p.id,
                    field: p.field,
                    value: p.value,
                    code: p.code.to_owned(),
                    severity: match p.severity {
                        validate::Severity::Error => Severity::Error,
                        validate::Severity::Warning => Severity::Warning,
                    },
                    message: p.message,
                })
                .collect(),
            changes: r
                .changes
                .into_iter()
                .map(|c| Change {
                    row: count(c.row),
                    field: c.field,
                    before: c.before,
                    after: c.after,
                    rule: c.rule.to_owned(),
                })
                .collect(),
            counts: r
                .counts
                .into_iter()
                .map(|(k, v)| (k.to_owned(), count(v)))
                .collect(),
            valid: VenueFile {
                raw: RawFile {
                    columns: columns.to_vec(),
                    records: r.valid,
                },
            },
        }
    }

    /// Problems of severity error.
    pub fn errors(&self) -> u64 {
        count(
            self.problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count(),
        )
    }

    /// Problems of severity warning.
    pub fn warnings(&self) -> u64 {
        count(self.problems.len()) - self.errors()
    }
}

// ---------------------------------------------------------------------------------------
// Migration and merge
// ---------------------------------------------------------------------------------------

/// One change made by the v0.1 → v1.0.2 migration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MigrationNote {
    /// The record's row.
    pub row: u64,
    /// The v0.1 field.
    pub field: String,
    /// The v0.1 value (a cell or one list item).
    pub old_value: String,
    /// Where it went: the v1 field, the extension column, or nowhere (dropped).
    pub new_field: Option<String>,
    /// The v1 value(s) or the extension item.
    pub new_values: Vec<String>,
    /// What happened.
    pub code: NoteCode,
}

/// A migration: every note and the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Records migrated (all of them).
    pub records: u64,
    /// Every change, record by record.
    pub notes: Vec<MigrationNote>,
    /// Notes per code.
    pub note_counts: BTreeMap<String, u64>,
    /// Records with a non-empty extension column.
    pub records_with_extension: u64,
    /// Records per extension item (`key=value`).
    pub extension_items: BTreeMap<String, u64>,
    /// Occurrences per unknown value or field (`field=value`).
    pub unknown_values: BTreeMap<String, u64>,
}

impl From<migrate::Migration> for Migration {
    fn from(m: migrate::Migration) -> Self {
        let counts = |map: BTreeMap<String, usize>| -> BTreeMap<String, u64> {
            map.into_iter().map(|(k, v)| (k, count(v))).collect()
        };
        Migration {
            records: count(m.summary.records),
            notes: m
                .notes
                .into_iter()
                .map(|n| MigrationNote {
                    row: count(n.row),
                    field: n.field,
                    old_value: n.old_value,
                    new_field: n.new_field,
                    new_values: n.new_values,
                    code: n.code.into(),
                })
                .collect(),
            note_counts: m
                .summary
                .notes
                .into_iter()
                .map(|(k, v)| (k.as_str().to_owned(), count(v)))
                .collect(),
            records_with_extension: count(m.summary.records_with_extension),
            extension_items: counts(m.summary.extension_items),
            unknown_values: counts(m.summary.unknown_values),
        }
    }
}

/// Two merged records that look like the same venue.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatePair {
    /// Index of the first record in the merged file (`a < b`).
    pub a: u64,
    /// Index of the second.
    pub b: u64,
    /// Id of the first (`source:id`).
    pub a_id: String,
    /// Id of the second.
    pub b_id: String,
    /// Every rule that matched.
    pub reasons: Vec<DuplicateReason>,
    /// Great-circle distance in metres, when both have coordinates.
    pub distance_m: Option<f64>,
    /// Name similarity, 0 to 1.
    pub name_similarity: f64,
}

/// Files merged into one list of v1.0.2 records, with the pairs that look alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Every record of every file, in order, ids prefixed `source:`.
    pub file: VenueFile,
    /// Pairs that look like the same venue (indexes into `file`).
    pub duplicates: Vec<DuplicatePair>,
}

/// Merges files given as (source name, file); nothing is dropped.
pub fn merge(files: &[(String, &VenueFile)]) -> Merged {
    let raw: Vec<(&str, &RawFile)> = files.iter().map(|(s, f)| (s.as_str(), &f.raw)).collect();
    let m = core::merge(&raw);
    Merged {
        file: VenueFile {
            raw: RawFile {
                columns: v1_columns(&m.records),
                records: m.records,
            },
        },
        duplicates: m
            .duplicates
            .into_iter()
            .map(|d| DuplicatePair {
                a: count(d.a),
                b: count(d.b),
                a_id: d.a_id,
                b_id: d.b_id,
                reasons: d.reasons.into_iter().map(Into::into).collect(),
                distance_m: d.distance_m,
                name_similarity: d.name_similarity,
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------

/// A shipped label rule set, described.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LabelInfo {
    /// The label's id (`france_services`).
    pub label: String,
    /// The rule set's version.
    pub version: u32,
    /// Its name.
    pub title: String,
    /// `official` or `operator_policy`.
    pub kind: String,
    /// What it is and where it comes from.
    pub description: String,
    /// The criteria's ids, in order.
    pub criteria: Vec<String>,
}

fn kind_str(k: labels::CriterionKind) -> &'static str {
    match k {
        labels::CriterionKind::Official => "official",
        labels::CriterionKind::OperatorPolicy => "operator_policy",
    }
}

/// The four shipped rule sets (`core/data/labels/`).
pub fn shipped_labels() -> Vec<LabelInfo> {
    labels::LabelRules::shipped()
        .into_iter()
        .map(|l| LabelInfo {
            kind: kind_str(l.kind).to_owned(),
            criteria: l.criteria.into_iter().map(|c| c.id).collect(),
            label: l.label,
            version: l.version,
            title: l.title,
            description: l.description,
        })
        .collect()
}

fn label_rules(ids: &[String]) -> Result<Vec<labels::LabelRules>> {
    if ids.is_empty() {
        return Ok(labels::LabelRules::shipped());
    }
    ids.iter()
        .map(|id| labels::LabelRules::shipped_label(id).map_err(Error::from))
        .collect()
}

/// The week, time zone and calendar that label criteria on opening hours are read over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationSettings {
    /// The Monday of the reference week (`None`: the core's default, 2026-11-16).
    pub week_of: Option<NaiveDate>,
    /// The venues' IANA time zone.
    pub time_zone: String,
    /// The public-holiday calendar.
    pub holidays: Holidays,
}

impl Default for EvaluationSettings {
    /// The core's default context: week of 2026-11-16, Europe/Paris, no holidays.
    fn default() -> Self {
        EvaluationSettings {
            week_of: None,
            time_zone: hours::DEFAULT_TIME_ZONE.name().to_owned(),
            holidays: Holidays::None,
        }
    }
}

impl EvaluationSettings {
    fn context(&self) -> Result<labels::EvaluationContext> {
        let mut ctx = labels::EvaluationContext::default();
        if let Some(w) = self.week_of {
            if chrono::Datelike::weekday(&w) != chrono::Weekday::Mon {
                return Err(invalid_argument(
                    "week_of",
                    format!("{w} is a {}, not a Monday", chrono::Datelike::weekday(&w)),
                ));
            }
            ctx.week_of = w;
        }
        ctx.time_zone = time_zone(&self.time_zone)?;
        ctx.holidays = self.holidays.into();
        Ok(ctx)
    }
}

/// One criterion's answer, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CriterionResult {
    /// The criterion's id.
    pub id: String,
    /// Met, not met or unknown.
    pub outcome: Outcome,
    /// Why, in plain words.
    pub reason: String,
}

/// A venue's answer for one label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LabelEvaluation {
    /// The venue's row in its file.
    pub row: u64,
    /// The venue's id (empty when it has none).
    pub venue_id: String,
    /// The venue's département (from its INSEE or postal code), when known.
    pub departement: Option<String>,
    /// The label.
    pub label: String,
    /// Eligible, not eligible or unknown.
    pub outcome: Eligibility,
    /// Every criterion, in the rule set's order.
    pub criteria: Vec<CriterionResult>,
}

impl LabelEvaluation {
    fn from_core(row: usize, departement: Option<String>, r: labels::LabelResult) -> Self {
        LabelEvaluation {
            row: count(row),
            venue_id: r.id,
            departement,
            label: r.label,
            outcome: r.outcome.into(),
            criteria: r
                .criteria
                .into_iter()
                .map(|c| CriterionResult {
                    id: c.id,
                    outcome: c.outcome.into(),
                    reason: c.reason,
                })
                .collect(),
        }
    }

    /// Whether the outcome is `eligible`.
    pub fn eligible(&self) -> bool {
        self.outcome == Eligibility::Eligible
    }
}

/// Label outcomes of the venues of one département.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DepartementCounts {
    /// The label.
    pub label: String,
    /// The département (`?` when unknown).
    pub departement: String,
    /// Eligible venues.
    pub eligible: u64,
    /// Not eligible.
    pub not_eligible: u64,
    /// Unknown.
    pub unknown: u64,
}

// ---------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------

/// A parsed OpenStreetMap `opening_hours` string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpeningHours {
    inner: hours::OpeningHours,
}

/// The opening of one week, Monday to Sunday in local time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeekSummary {
    /// The Monday the week starts on.
    pub monday: NaiveDate,
    /// Minutes open (real elapsed minutes).
    pub minutes_open: u32,
    /// Minutes in an `unknown` state.
    pub minutes_unknown: u32,
    /// Days with at least one open minute.
    pub days_open: u8,
    /// Minutes open per day, Monday first (seven values).
    pub per_day: Vec<u32>,
    /// Hours open, exactly (`minutes_open / 60`).
    pub hours_per_week: Decimal,
}

impl OpeningHours {
    /// Parses a string; `invalid_opening_hours` when it is not valid syntax.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(OpeningHours {
            inner: hours::OpeningHours::parse(text)?,
        })
    }

    /// The text it was parsed from.
    pub fn as_str(&self) -> &str {
        self.inner.as_str()
    }

    /// Whether the venue is open at `at`, read in `time_zone`.
    pub fn is_open(&self, at: DateTime<Utc>, time_zone: &str, holidays: Holidays) -> Result<bool> {
        Ok(self
            .inner
            .is_open(at, self::time_zone(time_zone)?, holidays.into()))
    }

    /// The first instant at or after `after` when the venue is open (`after` itself when
    /// open then); `None` when it does not open within 400 days.
    pub fn next_opening(
        &self,
        after: DateTime<Utc>,
        time_zone: &str,
        holidays: Holidays,
    ) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .inner
            .next_opening(after, self::time_zone(time_zone)?, holidays.into()))
    }

    /// The opening of the week starting on `monday` (00:00 local time). Errors:
    /// `invalid_argument` when `monday` is not a Monday or the zone is unknown.
    pub fn week(
        &self,
        monday: NaiveDate,
        time_zone: &str,
        holidays: Holidays,
    ) -> Result<WeekSummary> {
        let w = self
            .inner
            .week(monday, self::time_zone(time_zone)?, holidays.into())?;
        Ok(WeekSummary {
            monday: w.monday,
            minutes_open: w.minutes_open,
            minutes_unknown: w.minutes_unknown,
            days_open: w.days_open,
            per_day: w.per_day.to_vec(),
            hours_per_week: w.hours_per_week(),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Nearest venues
// ---------------------------------------------------------------------------------------

/// A venue near a point.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestVenue {
    /// The venue's id.
    pub id: String,
    /// Its row in the file.
    pub row: u64,
    /// Its name (`nom`), when given.
    pub name: Option<String>,
    /// Its commune, when given.
    pub commune: Option<String>,
    /// Great-circle distance from the point, in metres.
    pub distance_m: f64,
}

/// The venues of a file with an id and valid coordinates, in an R*-tree.
#[derive(Debug, Clone)]
pub struct VenueIndex {
    index: coverage::VenueIndex,
    /// Row, name and commune of each indexed id (the first record with that id).
    details: HashMap<String, (u64, Option<String>, Option<String>)>,
    skipped: u64,
}

impl VenueIndex {
    /// Indexes the records of `file` taken as v1.0.2 ([`VenueFile::as_v1`]) that have an
    /// id and numeric coordinates; when `label` is given, only the venues eligible for it
    /// (and those the data cannot tell when `include_unknown`).
    pub fn new(
        file: &VenueFile,
        label: Option<&str>,
        include_unknown: bool,
        settings: &EvaluationSettings,
    ) -> Result<Self> {
        let rules = label.map(labels::LabelRules::shipped_label).transpose()?;
        let ctx = settings.context()?;
        let (records, _) = core::as_v1(&file.raw);
        let mut details = HashMap::new();
        let mut items = Vec::new();
        let mut skipped = 0;
        for r in &records {
            let qualifies =
                rules
                    .as_ref()
                    .is_none_or(|rules| match labels::evaluate(r, rules, &ctx).outcome {
                        labels::Eligibility::Eligible => true,
                        labels::Eligibility::Unknown => include_unknown,
                        labels::Eligibility::NotEligible => false,
                    });
            if !qualifies {
                continue;
            }
            let point = (|| {
                Some(coverage::IndexedVenue {
                    id: r.get("id")?.to_owned(),
                    lat: r.get("latitude")?.trim().parse().ok()?,
                    lon: r.get("longitude")?.trim().parse().ok()?,
                })
            })();
            let Some(v) = point else {
                skipped += 1;
                continue;
            };
            details.entry(v.id.clone()).or_insert_with(|| {
                (
                    count(r.row),
                    r.get("nom").map(str::to_owned),
                    r.get("commune").map(str::to_owned),
                )
            });
            items.push(v);
        }
        let index = coverage::VenueIndex::new(items);
        let skipped = skipped + count(index.rejected().len());
        Ok(VenueIndex {
            index,
            details,
            skipped,
        })
    }

    /// Venues indexed.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no venue is indexed.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Qualifying records left out: no id, no numeric coordinates, or out of range.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    fn point(lat: f64, lon: f64) -> Result<()> {
        if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
            Ok(())
        } else {
            Err(invalid_argument(
                "lat/lon",
                format!("({lat}, {lon}) is not a WGS84 point (|lat| <= 90, |lon| <= 180)"),
            ))
        }
    }

    fn answer(&self, found: Vec<(&str, f64)>) -> Vec<NearestVenue> {
        found
            .into_iter()
            .map(|(id, distance_m)| {
                let (row, name, commune) = self.details.get(id).cloned().unwrap_or_default();
                NearestVenue {
                    id: id.to_owned(),
                    row,
                    name,
                    commune,
                    distance_m,
                }
            })
            .collect()
    }

    /// The `k` venues nearest to (lat, lon), nearest first. Errors: `invalid_argument`
    /// for a point off the globe.
    pub fn nearest(&self, lat: f64, lon: f64, k: u32) -> Result<Vec<NearestVenue>> {
        Self::point(lat, lon)?;
        let k = usize::try_from(k).unwrap_or(usize::MAX);
        Ok(self.answer(self.index.nearest(lat, lon, k)))
    }

    /// Every venue within `radius_m` metres of (lat, lon), nearest first.
    pub fn within(&self, lat: f64, lon: f64, radius_m: f64) -> Result<Vec<NearestVenue>> {
        Self::point(lat, lon)?;
        if radius_m.is_nan() || radius_m < 0.0 {
            return Err(invalid_argument(
                "radius_m",
                format!("{radius_m} is not a distance"),
            ));
        }
        Ok(self.answer(self.index.within(lat, lon, radius_m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Domain;

    const LABELS_CSV: &str = include_str!("../../../tests/vectors/venues/labels.csv");

    #[test]
    fn enums_round_trip_their_values() {
        for v in Severity::ALL {
            assert_eq!(Severity::parse(v.as_str()).unwrap(), *v);
        }
        for c in [
            migrate::NoteCode::Renamed,
            migrate::NoteCode::RemovedField,
            migrate::NoteCode::UnknownValue,
            migrate::NoteCode::DroppedEmpty,
        ] {
            assert_eq!(NoteCode::from(c).as_str(), c.as_str());
        }
        let e = Holidays::parse("fr").unwrap_err();
        assert_eq!((e.code, e.domain), ("invalid_argument", Domain::Venue));
        assert_eq!(Holidays::parse("FR").unwrap(), Holidays::France);
    }

    #[test]
    fn bytes_must_be_utf8() {
        let e = VenueFile::read_bytes(b"id,nom\nv1,\xff\n", Format::Csv).unwrap_err();
        assert_eq!(e.code, "malformed_file");
        let f =
            VenueFile::read_bytes("\u{feff}id,nom\nv1,Lieu\n".as_bytes(), Format::Auto).unwrap();
        assert_eq!(f.records()[0].row, 2);
        assert_eq!(f.columns(), ["id", "nom"]);
    }

    #[test]
    fn labels_on_the_file_match_the_core_on_records_as_read() {
        let file = VenueFile::read(LABELS_CSV, Format::Csv).unwrap();
        let got = file
            .evaluate_labels(&[], &EvaluationSettings::default())
            .unwrap();
        let ctx = labels::EvaluationContext::default();
        let mut expected = Vec::new();
        for r in &file.raw.records {
            for rules in labels::LabelRules::shipped() {
                expected.push(labels::evaluate(r, &rules, &ctx));
            }
        }
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!((&g.venue_id, &g.label), (&e.id, &e.label));
            assert_eq!(g.outcome, Eligibility::from(e.outcome));
            let got: Vec<(&str, Outcome, &str)> = g
                .criteria
                .iter()
                .map(|c| (c.id.as_str(), c.outcome, c.reason.as_str()))
                .collect();
            let want: Vec<(&str, Outcome, &str)> = e
                .criteria
                .iter()
                .map(|c| (c.id.as_str(), Outcome::from(c.outcome), c.reason.as_str()))
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn settings_are_checked() {
        let file = VenueFile::read(LABELS_CSV, Format::Csv).unwrap();
        let bad_zone = EvaluationSettings {
            time_zone: "Mars/Olympus".into(),
            ..EvaluationSettings::default()
        };
        assert_eq!(
            file.evaluate_labels(&[], &bad_zone).unwrap_err().code,
            "invalid_argument"
        );
        let tuesday = EvaluationSettings {
            week_of: NaiveDate::from_ymd_opt(2026, 11, 17),
            ..EvaluationSettings::default()
        };
        assert_eq!(
            file.evaluate_labels(&[], &tuesday).unwrap_err().code,
            "invalid_argument"
        );
        assert_eq!(
            file.evaluate_labels(&["nope".into()], &EvaluationSettings::default())
                .unwrap_err()
                .code,
            "invalid_argument"
        );
    }

    #[test]
    fn nearest_keeps_names_and_rejects_bad_points() {
        let csv = "id,nom,commune,latitude,longitude\na,A,Reims,49.25,4.03\nb,B,Paris,48.85,2.35\nc,C,,x,1\n";
        let file = VenueFile::read(csv, Format::Csv).unwrap();
        let index = VenueIndex::new(&file, None, false, &EvaluationSettings::default()).unwrap();
        assert_eq!((index.len(), index.skipped()), (2, 1));
        let near = index.nearest(48.86, 2.35, 5).unwrap();
        assert_eq!(near[0].id, "b");
        assert_eq!(near[0].commune.as_deref(), Some("Paris"));
        assert_eq!(near[1].row, 2);
        assert_eq!(
            index.nearest(91.0, 0.0, 1).unwrap_err().code,
            "invalid_argument"
        );
    }
}
