//! Venues on a phone: read and validate a venue file (every problem of every row), the
//! shipped labels with their reasons, opening hours ("open now", "next opening", a
//! week's hours) and the venues nearest to a point.

use std::collections::HashMap;
use std::sync::Arc;

use inclusif_core::api::venue::{
    self as api, Eligibility, Format, Holidays, Outcome, Severity, Version,
};

use crate::error::{Api, ErrorDomain, Result};
use crate::types::{CivilDate, Timestamp, signed, signed_usize, to_u64};

#[uniffi::remote(Enum)]
enum Format {
    Auto,
    Csv,
    Json,
}

#[uniffi::remote(Enum)]
enum Version {
    V0_1,
    V1_0_2,
}

#[uniffi::remote(Enum)]
enum Severity {
    Error,
    Warning,
}

#[uniffi::remote(Enum)]
enum Outcome {
    Met,
    NotMet,
    Unknown,
}

#[uniffi::remote(Enum)]
enum Eligibility {
    Eligible,
    NotEligible,
    Unknown,
}

#[uniffi::remote(Enum)]
enum Holidays {
    None,
    France,
}

/// One venue as read: its row number and its values by field name.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VenueRecord {
    /// Row number in the file (CSV: the header is row 1; JSON: the first object is 1).
    pub row: i64,
    /// Values by field name (an empty cell is absent).
    pub fields: HashMap<String, String>,
}

impl From<api::VenueRecord> for VenueRecord {
    fn from(r: api::VenueRecord) -> Self {
        VenueRecord {
            row: signed(r.row),
            fields: r.fields.into_iter().collect(),
        }
    }
}

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Problem {
    /// Row number (0: the file as a whole).
    pub row: i64,
    /// The row's `id`, when it has one.
    pub id: Option<String>,
    /// The field (`latitude,longitude` for a pair).
    pub field: String,
    /// The value at fault, when there is one.
    pub value: Option<String>,
    /// The stable code (`missing_required`, `invalid_pattern`…).
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The rule, in words.
    pub message: String,
}

/// One normalisation applied to a value.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Change {
    /// Row number.
    pub row: i64,
    /// The field.
    pub field: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// `trimmed`, `phone_international`, `deduplicated` or `quirk_formations_labels`.
    pub rule: String,
}

/// Every problem of every row, every normalisation, the counts, and the valid rows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ValidationReport {
    /// The version validated against.
    pub version: Version,
    /// Rows read.
    pub rows: i64,
    /// Rows without an error.
    pub valid_rows: i64,
    /// Problems of severity error.
    pub errors: i64,
    /// Problems of severity warning.
    pub warnings: i64,
    /// Every problem, by row then field.
    pub problems: Vec<Problem>,
    /// Every normalisation, by row then field.
    pub changes: Vec<Change>,
    /// Problems by code.
    pub counts: HashMap<String, i64>,
    /// The valid records, normalised, in file order.
    pub valid: Vec<VenueRecord>,
}

impl From<api::ValidationReport> for ValidationReport {
    fn from(r: api::ValidationReport) -> Self {
        ValidationReport {
            version: r.version,
            rows: signed(r.rows),
            valid_rows: signed(r.valid_rows),
            errors: signed(r.errors()),
            warnings: signed(r.warnings()),
            problems: r
                .problems
                .into_iter()
                .map(|p| Problem {
                    row: signed(p.row),
                    id: p.id,
                    field: p.field,
                    value: p.value,
                    code: p.code,
                    severity: p.severity,
                    message: p.message,
                })
                .collect(),
            changes: r
                .changes
                .into_iter()
                .map(|c| Change {
                    row: signed(c.row),
                    field: c.field,
                    before: c.before,
                    after: c.after,
                    rule: c.rule,
                })
                .collect(),
            counts: r.counts.into_iter().map(|(k, v)| (k, signed(v))).collect(),
            valid: r
                .valid
                .records()
                .into_iter()
                .map(VenueRecord::from)
                .collect(),
        }
    }
}

/// The week, time zone and calendar label criteria on opening hours are read over.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvaluationSettings {
    /// The Monday of the reference week (null: the core's default, 2026-11-16).
    #[uniffi(default)]
    pub week_of: Option<CivilDate>,
    /// The venues' IANA time zone.
    #[uniffi(default = "Europe/Paris")]
    pub time_zone: String,
    /// The public-holiday calendar.
    pub holidays: Holidays,
}

impl From<EvaluationSettings> for api::EvaluationSettings {
    fn from(s: EvaluationSettings) -> Self {
        api::EvaluationSettings {
            week_of: s.week_of,
            time_zone: s.time_zone,
            holidays: s.holidays,
        }
    }
}

/// The core's default evaluation settings: week of 2026-11-16, Europe/Paris, no holidays.
#[uniffi::export]
pub fn default_evaluation_settings() -> EvaluationSettings {
    let d = api::EvaluationSettings::default();
    EvaluationSettings {
        week_of: d.week_of,
        time_zone: d.time_zone,
        holidays: d.holidays,
    }
}

/// One criterion's answer, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CriterionResult {
    /// The criterion's id.
    pub id: String,
    /// Met, not met or unknown.
    pub outcome: Outcome,
    /// Why, in plain words.
    pub reason: String,
}

/// A venue's answer for one label.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LabelEvaluation {
    /// The venue's row in its file.
    pub row: i64,
    /// The venue's id (empty when it has none).
    pub venue_id: String,
    /// The venue's département, when known.
    pub departement: Option<String>,
    /// The label.
    pub label: String,
    /// Eligible, not eligible or unknown.
    pub outcome: Eligibility,
    /// Every criterion, in the rule set's order.
    pub criteria: Vec<CriterionResult>,
}

/// Label outcomes of the venues of one département.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DepartementCounts {
    /// The label.
    pub label: String,
    /// The département (`?` when unknown).
    pub departement: String,
    /// Eligible venues.
    pub eligible: i64,
    /// Not eligible.
    pub not_eligible: i64,
    /// Unknown.
    pub unknown: i64,
}

/// A shipped label rule set, described.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LabelInfo {
    /// The label's id (`france_services`).
    pub label: String,
    /// The rule set's version.
    pub version: i64,
    /// Its name.
    pub title: String,
    /// `official` or `operator_policy`.
    pub kind: String,
    /// What it is and where it comes from.
    pub description: String,
    /// The criteria's ids, in order.
    pub criteria: Vec<String>,
}

/// The four shipped label rule sets.
#[uniffi::export]
pub fn shipped_labels() -> Vec<LabelInfo> {
    api::shipped_labels()
        .into_iter()
        .map(|l| LabelInfo {
            label: l.label,
            version: l.version.into(),
            title: l.title,
            kind: l.kind,
            description: l.description,
            criteria: l.criteria,
        })
        .collect()
}

/// A venue file as read: its columns and records, every value kept as text.
#[derive(Debug, uniffi::Object)]
pub struct VenueFile {
    inner: api::VenueFile,
}

#[uniffi::export]
impl VenueFile {
    /// Reads a file's text (`malformed_file` when its structure is broken; a problem
    /// *in* a row is not an error, see `validate`).
    #[uniffi::constructor]
    pub fn read(text: String, format: Format) -> Result<Arc<Self>> {
        let inner = api::VenueFile::read(&text, format).api()?;
        Ok(Arc::new(VenueFile { inner }))
    }

    /// Reads a file's bytes, which must be UTF-8 (a BOM is allowed).
    #[uniffi::constructor]
    pub fn read_bytes(bytes: Vec<u8>, format: Format) -> Result<Arc<Self>> {
        let inner = api::VenueFile::read_bytes(&bytes, format).api()?;
        Ok(Arc::new(VenueFile { inner }))
    }

    /// Column names in file order.
    pub fn columns(&self) -> Vec<String> {
        self.inner.columns().to_vec()
    }

    /// Number of records.
    pub fn size(&self) -> i64 {
        signed_usize(self.inner.len())
    }

    /// Every record, in file order.
    pub fn records(&self) -> Vec<VenueRecord> {
        self.inner
            .records()
            .into_iter()
            .map(VenueRecord::from)
            .collect()
    }

    /// The version the file looks like.
    pub fn detected_version(&self) -> Version {
        self.inner.detected_version()
    }

    /// The file as CSV, a header line first.
    pub fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// Validates every row against the standard (`version`, or detected when null);
    /// `date_maj` after `today` is a problem. Problems are the report's, never thrown;
    /// only a `today` the core cannot hold is (`invalid_argument`).
    #[uniffi::method(default(version = None))]
    pub fn validate(&self, today: CivilDate, version: Option<Version>) -> Result<ValidationReport> {
        Ok(self.inner.validate(version, today).into())
    }

    /// Evaluates the shipped labels named in `labels` (all four when empty) on every
    /// record, venue by venue (`invalid_argument` for an unknown label, week or zone).
    pub fn evaluate_labels(
        &self,
        labels: Vec<String>,
        settings: EvaluationSettings,
    ) -> Result<Vec<LabelEvaluation>> {
        let found = self
            .inner
            .evaluate_labels(&labels, &settings.into())
            .api()?;
        Ok(found
            .into_iter()
            .map(|e| LabelEvaluation {
                row: signed(e.row),
                venue_id: e.venue_id,
                departement: e.departement,
                label: e.label,
                outcome: e.outcome,
                criteria: e
                    .criteria
                    .into_iter()
                    .map(|c| CriterionResult {
                        id: c.id,
                        outcome: c.outcome,
                        reason: c.reason,
                    })
                    .collect(),
            })
            .collect())
    }

    /// Label outcomes counted per label and département.
    pub fn coverage_by_departement(
        &self,
        labels: Vec<String>,
        settings: EvaluationSettings,
    ) -> Result<Vec<DepartementCounts>> {
        let found = self
            .inner
            .coverage_by_departement(&labels, &settings.into())
            .api()?;
        Ok(found
            .into_iter()
            .map(|c| DepartementCounts {
                label: c.label,
                departement: c.departement,
                eligible: signed(c.eligible),
                not_eligible: signed(c.not_eligible),
                unknown: signed(c.unknown),
            })
            .collect())
    }
}

/// The opening of one week, Monday to Sunday in local time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WeekSummary {
    /// The Monday the week starts on.
    pub monday: CivilDate,
    /// Minutes open (real elapsed minutes).
    pub minutes_open: i64,
    /// Minutes in an `unknown` state.
    pub minutes_unknown: i64,
    /// Days with at least one open minute.
    pub days_open: i32,
    /// Minutes open per day, Monday first (seven values).
    pub per_day: Vec<i64>,
    /// Hours open, exactly.
    pub hours_per_week: rust_decimal::Decimal,
}

/// A parsed OpenStreetMap `opening_hours` string.
#[derive(Debug, uniffi::Object)]
pub struct OpeningHours {
    inner: api::OpeningHours,
}

#[uniffi::export]
impl OpeningHours {
    /// Parses a string (`invalid_opening_hours` when it is not valid syntax).
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>> {
        let inner = api::OpeningHours::parse(&text).api()?;
        Ok(Arc::new(OpeningHours { inner }))
    }

    /// The text it was parsed from.
    pub fn text(&self) -> String {
        self.inner.as_str().to_owned()
    }

    /// Whether the venue is open at `at`, read in `time_zone`.
    pub fn is_open(&self, at: Timestamp, time_zone: String, holidays: Holidays) -> Result<bool> {
        self.inner.is_open(at, &time_zone, holidays).api()
    }

    /// The first instant at or after `after` when the venue is open (`after` itself when
    /// open then); null when it does not open within 400 days.
    pub fn next_opening(
        &self,
        after: Timestamp,
        time_zone: String,
        holidays: Holidays,
    ) -> Result<Option<Timestamp>> {
        self.inner.next_opening(after, &time_zone, holidays).api()
    }

    /// The opening of the week starting on `monday` (00:00 local time).
    pub fn week(
        &self,
        monday: CivilDate,
        time_zone: String,
        holidays: Holidays,
    ) -> Result<WeekSummary> {
        let w = self.inner.week(monday, &time_zone, holidays).api()?;
        Ok(WeekSummary {
            monday: w.monday,
            minutes_open: w.minutes_open.into(),
            minutes_unknown: w.minutes_unknown.into(),
            days_open: w.days_open.into(),
            per_day: w.per_day.into_iter().map(i64::from).collect(),
            hours_per_week: w.hours_per_week,
        })
    }
}

/// A venue near a point.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearestVenue {
    /// The venue's id.
    pub id: String,
    /// Its row in the file.
    pub row: i64,
    /// Its name (`nom`), when given.
    pub name: Option<String>,
    /// Its commune, when given.
    pub commune: Option<String>,
    /// Great-circle distance from the point, in metres.
    pub distance_m: f64,
}

fn nearest(found: Vec<api::NearestVenue>) -> Vec<NearestVenue> {
    found
        .into_iter()
        .map(|v| NearestVenue {
            id: v.id,
            row: signed(v.row),
            name: v.name,
            commune: v.commune,
            distance_m: v.distance_m,
        })
        .collect()
}

/// The venues of a file with an id and valid coordinates, optionally only those a label
/// accepts, ready for nearest-venue queries.
#[derive(Debug, uniffi::Object)]
pub struct VenueIndex {
    inner: api::VenueIndex,
}

#[uniffi::export]
impl VenueIndex {
    /// Indexes the records of `file` (taken as v1.0.2) with an id and coordinates; with
    /// `label`, only the venues eligible for it (and unknown ones when `include_unknown`).
    #[uniffi::constructor(default(label = None, include_unknown = false))]
    pub fn new(
        file: Arc<VenueFile>,
        settings: EvaluationSettings,
        label: Option<String>,
        include_unknown: bool,
    ) -> Result<Arc<Self>> {
        let inner = api::VenueIndex::new(
            &file.inner,
            label.as_deref(),
            include_unknown,
            &settings.into(),
        )
        .api()?;
        Ok(Arc::new(VenueIndex { inner }))
    }

    /// Venues indexed.
    pub fn size(&self) -> i64 {
        signed_usize(self.inner.len())
    }

    /// Qualifying records left out: no id, no numeric coordinates, or out of range.
    pub fn skipped(&self) -> i64 {
        signed(self.inner.skipped())
    }

    /// The `k` venues nearest to (lat, lon), nearest first.
    pub fn nearest(&self, lat: f64, lon: f64, k: i64) -> Result<Vec<NearestVenue>> {
        let k = to_u64(k, ErrorDomain::Venue, "invalid_argument", "k")?;
        let k = u32::try_from(k).unwrap_or(u32::MAX);
        Ok(nearest(self.inner.nearest(lat, lon, k).api()?))
    }

    /// Every venue within `radius_m` metres of (lat, lon), nearest first.
    pub fn within(&self, lat: f64, lon: f64, radius_m: f64) -> Result<Vec<NearestVenue>> {
        Ok(nearest(self.inner.within(lat, lon, radius_m).api()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_file_validates_and_indexes() {
        let csv = "id,nom,commune,latitude,longitude\na,A,Reims,49.25,4.03\nb,B,Paris,48.85,2.35\n";
        let file = VenueFile::read(csv.into(), Format::Csv).unwrap();
        assert_eq!(file.size(), 2);
        let index = VenueIndex::new(file, default_evaluation_settings(), None, false).unwrap();
        let near = index.nearest(48.86, 2.35, 1).unwrap();
        assert_eq!(near[0].commune.as_deref(), Some("Paris"));
        assert_eq!(
            index.nearest(0.0, 0.0, -1).unwrap_err().error_code(),
            "invalid_argument"
        );
        let h = OpeningHours::new("Mo-Fr 09:00-18:00".into()).unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 6, 8, 10, 0, 0).unwrap();
        assert!(
            h.is_open(monday, "Europe/Paris".into(), Holidays::France)
                .unwrap()
        );
        let e = OpeningHours::new("Lu-Ve 09:00-12:00".into()).unwrap_err();
        assert_eq!(e.error_code(), "invalid_opening_hours");
    }
}
