//! The venue domain in Python: an adapter over `inclusif_core::api::venue`. Files are
//! converted once into a native `VenueFile`; validation, migration, labels and the index
//! run on it with the GIL released, and results come back as frozen value classes with
//! `to_dict()` (columnar for batches).

use chrono::{NaiveDate, Utc};
use inclusif_core::api::venue as api;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyList, PyString, PyType};

use crate::convert::{EnumClass, IntoPy, date_arg, enum_arg, instant_arg};

static VERSION: EnumClass = EnumClass::new("inclusif.venue", "Version");
static SEVERITY: EnumClass = EnumClass::new("inclusif.venue", "Severity");
static OUTCOME: EnumClass = EnumClass::new("inclusif.venue", "Outcome");
static ELIGIBILITY: EnumClass = EnumClass::new("inclusif.venue", "Eligibility");
static NOTE_CODE: EnumClass = EnumClass::new("inclusif.venue", "NoteCode");
static DUPLICATE_REASON: EnumClass = EnumClass::new("inclusif.venue", "DuplicateReason");

const PARIS: &str = "Europe/Paris";

/// What `__reduce__` returns: the class and its constructor's arguments.
type Reduced<'py, A> = PyResult<(Bound<'py, PyType>, A)>;

/// `VenueProblem`'s constructor arguments.
type ProblemArgs = (
    u64,
    Option<String>,
    String,
    Option<String>,
    String,
    &'static str,
    String,
);

/// `NearestVenue`'s constructor arguments.
type NearestArgs = (String, u64, Option<String>, Option<String>, f64);

/// A string as Python's `repr` writes it (single quotes unless the text holds one and
/// no double quote; backslashes, the quote and control characters escaped).
fn q(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An optional string as Python's `repr` writes it.
fn q_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), q)
}

/// A list of strings as Python's `repr` writes it.
fn q_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

fn format_arg(obj: &Bound<'_, PyAny>) -> PyResult<api::Format> {
    api::Format::parse(&enum_arg(obj, "format")?).py()
}

fn holidays_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<api::Holidays> {
    match obj {
        None => Ok(api::Holidays::None),
        Some(o) if o.is_none() => Ok(api::Holidays::None),
        Some(o) => api::Holidays::parse(&enum_arg(o, "holidays")?).py(),
    }
}

fn settings(
    week_of: Option<&Bound<'_, PyAny>>,
    time_zone: &str,
    holidays: Option<&Bound<'_, PyAny>>,
) -> PyResult<api::EvaluationSettings> {
    let week_of = match week_of {
        Some(w) if !w.is_none() => Some(date_arg(w, "week_of")?),
        _ => None,
    };
    Ok(api::EvaluationSettings {
        week_of,
        time_zone: time_zone.to_owned(),
        holidays: holidays_arg(holidays)?,
    })
}

fn label_ids(labels: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match labels {
        None => Ok(Vec::new()),
        Some(l) if l.is_none() => Ok(Vec::new()),
        Some(l) if l.is_instance_of::<PyString>() => Ok(vec![l.extract()?]),
        Some(l) => l.try_iter()?.map(|x| x?.extract::<String>()).collect(),
    }
}

fn iter_of<'py, T>(py: Python<'py>, items: Vec<T>) -> PyResult<Bound<'py, PyIterator>>
where
    T: IntoPyObject<'py>,
{
    PyList::new(py, items)?.try_iter()
}

fn columns<'py>(
    py: Python<'py>,
    names: &[&str],
) -> PyResult<(Bound<'py, PyDict>, Vec<Bound<'py, PyList>>)> {
    let dict = PyDict::new(py);
    let mut lists = Vec::with_capacity(names.len());
    for name in names {
        let list = PyList::empty(py);
        dict.set_item(name, &list)?;
        lists.push(list);
    }
    Ok((dict, lists))
}

// ---------------------------------------------------------------------------------------
// Records and files
// ---------------------------------------------------------------------------------------

/// One venue as read: its row number and its values by field name (text; an empty cell
/// is absent).
///
/// >>> r = VenueRecord(2, {"id": "v1", "nom": "Médiathèque"})
/// >>> r.get("nom"), r.to_dict()
/// ('Médiathèque', {'row': 2, 'id': 'v1', 'nom': 'Médiathèque'})
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VenueRecord {
    inner: api::VenueRecord,
}

#[pymethods]
impl VenueRecord {
    #[new]
    fn new(row: u64, fields: std::collections::BTreeMap<String, String>) -> Self {
        VenueRecord {
            inner: api::VenueRecord { row, fields },
        }
    }

    /// The row number in the file (CSV: the header is row 1; JSON: the first object is 1).
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }

    /// The values by field name (a new dict).
    #[getter]
    fn fields(&self) -> std::collections::BTreeMap<String, String> {
        self.inner.fields.clone()
    }

    /// A value, or `None` when absent or blank.
    ///
    /// >>> VenueRecord(2, {"nom": " "}).get("nom") is None
    /// True
    fn get(&self, field: &str) -> Option<String> {
        self.inner.get(field).map(str::to_owned)
    }

    /// `{"row": …, field: value, …}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("row", self.inner.row)?;
        for (k, v) in &self.inner.fields {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> Reduced<'py, (u64, std::collections::BTreeMap<String, String>)> {
        let me = slf.get();
        Ok((slf.get_type(), (me.inner.row, me.inner.fields.clone())))
    }

    fn __repr__(&self) -> String {
        format!(
            "VenueRecord(row={}, id={}, fields={})",
            self.inner.row,
            q_opt(self.inner.get("id")),
            self.inner.fields.len()
        )
    }
}

/// A venue file as read (CSV or JSON, v0.1 or v1.0.2): columns and records, every value
/// as text. Read one with `read_venues` or `inclusif.venue.read_file`.
///
/// >>> f = read_venues("id,nom\nv1,Lieu\n")
/// >>> len(f), f.columns, f[0].row
/// (1, ['id', 'nom'], 2)
/// >>> report = f.validate()            # every problem of every row
/// >>> labels = f.evaluate_labels()     # every shipped label, with reasons
#[pyclass(module = "inclusif._inclusif", frozen, eq)]
#[derive(PartialEq)]
pub struct VenueFile {
    inner: api::VenueFile,
}

impl VenueFile {
    fn wrap(inner: api::VenueFile) -> Self {
        VenueFile { inner }
    }
}

#[pymethods]
impl VenueFile {
    /// A file from its columns and records (also how a `VenueFile` unpickles).
    #[new]
    fn new(columns: Vec<String>, records: Vec<PyRef<'_, VenueRecord>>) -> Self {
        let records = records.iter().map(|r| r.inner.clone()).collect();
        VenueFile::wrap(api::VenueFile::from_records(columns, records))
    }

    /// Column names in file order (CSV: the header; JSON: the union of keys).
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns().to_vec()
    }

    /// Every record, in file order.
    #[getter]
    fn records(&self) -> Vec<VenueRecord> {
        self.inner
            .records()
            .into_iter()
            .map(|inner| VenueRecord { inner })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __getitem__(&self, index: isize) -> PyResult<VenueRecord> {
        let len = self.inner.len() as isize;
        let i = if index < 0 { index + len } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.inner.record(i))
            .map(|inner| VenueRecord { inner })
            .ok_or_else(|| PyIndexError::new_err("record index out of range"))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        iter_of(py, self.records())
    }

    /// The version the file looks like.
    ///
    /// >>> read_venues("id,services\nv1,Numérique\n").detected_version()
    /// <Version.V1_0_2: '1.0.2'>
    fn detected_version<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        VERSION.member(py, self.inner.detected_version().as_str())
    }

    /// Records as a list of dicts (`row` and the fields): `pandas.DataFrame(f.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.records().iter().map(|r| r.to_dict(py)).collect()
    }

    /// Columnar: `{"row": [...], column: [value or None, ...]}` over the file's columns.
    ///
    /// >>> read_venues("id,nom\nv1,\n").to_dict()
    /// {'row': [2], 'id': ['v1'], 'nom': [None]}
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut names = vec!["row"];
        names.extend(self.inner.columns().iter().map(String::as_str));
        let (dict, lists) = columns(py, &names)?;
        for r in self.inner.raw().records.iter() {
            lists[0].append(r.row)?;
            for (list, c) in lists[1..].iter().zip(self.inner.columns()) {
                list.append(r.fields.get(c))?;
            }
        }
        Ok(dict)
    }

    /// The file as CSV text (its columns, a header line first).
    fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// Validates every row (GIL released): `version` a `Version` or `"0.1"`/`"1.0.2"`
    /// (`None`: detected); `date_maj` after `today` (default: today, UTC) is an error.
    ///
    /// >>> r = read_venues("id,nom\nv1,Lieu\n").validate(today=date(2026, 11, 23))
    /// >>> r.counts["missing_required"] > 0, r.valid_rows
    /// (True, 0)
    #[pyo3(signature = (version=None, today=None))]
    fn validate(
        &self,
        py: Python<'_>,
        version: Option<&Bound<'_, PyAny>>,
        today: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VenueValidationReport> {
        let version = match version {
            Some(v) if !v.is_none() => Some(api::Version::parse(&enum_arg(v, "version")?).py()?),
            _ => None,
        };
        let today: NaiveDate = match today {
            Some(t) if !t.is_none() => date_arg(t, "today")?,
            _ => Utc::now().date_naive(),
        };
        let inner = &self.inner;
        let report = py.detach(|| inner.validate(version, today));
        Ok(VenueValidationReport { inner: report })
    }

    /// The records as v1.0.2, normalised (GIL released): `(file, migration)`, where a
    /// v0.1 file is migrated with the shipped table and `migration` says what changed
    /// (`None` for a v1.0.2 file).
    ///
    /// >>> v1, migration = read_file(HINAURA).as_v1()
    /// >>> migration.note_counts["renamed"] > 0
    /// True
    fn as_v1(&self, py: Python<'_>) -> (VenueFile, Option<VenueMigration>) {
        let inner = &self.inner;
        let (file, migration) = py.detach(|| inner.as_v1());
        (
            VenueFile::wrap(file),
            migration.map(|inner| VenueMigration { inner }),
        )
    }

    /// Evaluates the shipped labels on every venue, taken as v1.0.2 (`as_v1`), with a
    /// reason per criterion (GIL released). `labels`: a label id or ids (default: all four
    /// shipped); opening hours are read over the week of `week_of` (a Monday; default
    /// 2026-11-16) in `time_zone` with `holidays`.
    ///
    /// >>> results = read_file(HINAURA).evaluate_labels(["pass_numerique"])
    /// >>> pandas.DataFrame(results.to_dict()).groupby("outcome").size()
    #[pyo3(signature = (labels=None, *, week_of=None, time_zone=PARIS, holidays=None))]
    fn evaluate_labels(
        &self,
        py: Python<'_>,
        labels: Option<&Bound<'_, PyAny>>,
        week_of: Option<&Bound<'_, PyAny>>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<LabelResults> {
        let ids = label_ids(labels)?;
        let settings = settings(week_of, time_zone, holidays)?;
        let inner = &self.inner;
        let results = py.detach(|| inner.evaluate_labels(&ids, &settings)).py()?;
        Ok(LabelResults { inner: results })
    }

    /// Label outcomes counted per label and département (`?` when unknown), columnar:
    /// `{"label", "departement", "eligible", "not_eligible", "unknown"}` (GIL released).
    /// Same arguments as `evaluate_labels`.
    #[pyo3(signature = (labels=None, *, week_of=None, time_zone=PARIS, holidays=None))]
    fn coverage_by_departement<'py>(
        &self,
        py: Python<'py>,
        labels: Option<&Bound<'py, PyAny>>,
        week_of: Option<&Bound<'py, PyAny>>,
        time_zone: &str,
        holidays: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let ids = label_ids(labels)?;
        let settings = settings(week_of, time_zone, holidays)?;
        let inner = &self.inner;
        let counts = py
            .detach(|| inner.coverage_by_departement(&ids, &settings))
            .py()?;
        let (dict, l) = columns(
            py,
            &[
                "label",
                "departement",
                "eligible",
                "not_eligible",
                "unknown",
            ],
        )?;
        for c in counts {
            l[0].append(c.label)?;
            l[1].append(c.departement)?;
            l[2].append(c.eligible)?;
            l[3].append(c.not_eligible)?;
            l[4].append(c.unknown)?;
        }
        Ok(dict)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> Reduced<'py, (Vec<String>, Vec<VenueRecord>)> {
        let me = slf.get();
        Ok((slf.get_type(), (me.columns(), me.records())))
    }

    fn __repr__(&self) -> String {
        format!(
            "VenueFile(records={}, columns={})",
            self.inner.len(),
            self.inner.columns().len()
        )
    }
}

/// Reads a venue file's contents: `str`, or `bytes` in UTF-8; `format` a `FileFormat`
/// or `"auto"` (JSON when it starts with `[` or `{`), `"csv"`, `"json"`. Raises
/// `VenueValidationError` (`malformed_file`, naming the row) when the structure is broken.
///
/// >>> f = read_venues('[{"id": "v1", "latitude": 45.5}]')
/// >>> f[0].fields
/// {'id': 'v1', 'latitude': '45.5'}
#[pyfunction]
#[pyo3(signature = (data, format=None))]
fn read_venues(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
) -> PyResult<VenueFile> {
    let format = match format {
        Some(f) if !f.is_none() => format_arg(f)?,
        _ => api::Format::Auto,
    };
    let file = if let Ok(bytes) = data.cast::<PyBytes>() {
        let bytes = bytes.as_bytes().to_vec();
        py.detach(|| api::VenueFile::read_bytes(&bytes, format))
    } else if data.is_instance_of::<PyString>() {
        let text: String = data.extract()?;
        py.detach(|| api::VenueFile::read(&text, format))
    } else {
        return Err(PyTypeError::new_err(format!(
            "data: expected str or bytes, got {}",
            data.get_type().name()?
        )));
    };
    file.py().map(VenueFile::wrap)
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/// One problem in one row: `row` (0: the file as a whole), `id`, `field`, `value`, the
/// stable `code`, `severity` (a `Severity`) and the rule in words.
///
/// >>> p = report.problems[0]
/// >>> (p.row, p.field, p.code, p.severity)
/// (0, 'couleur', 'unknown_column', <Severity.WARNING: 'warning'>)
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VenueProblem {
    inner: api::Problem,
}

#[pymethods]
impl VenueProblem {
    #[new]
    #[pyo3(signature = (row, id, field, value, code, severity, message))]
    fn new(
        row: u64,
        id: Option<String>,
        field: String,
        value: Option<String>,
        code: String,
        severity: &Bound<'_, PyAny>,
        message: String,
    ) -> PyResult<Self> {
        let severity = api::Severity::parse(&enum_arg(severity, "severity")?).py()?;
        Ok(VenueProblem {
            inner: api::Problem {
                row,
                id,
                field,
                value,
                code,
                severity,
                message,
            },
        })
    }

    /// Row number (0: the file as a whole).
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }
    /// The row's `id`, when it has one.
    #[getter]
    fn id(&self) -> Option<String> {
        self.inner.id.clone()
    }
    /// The field.
    #[getter]
    fn field(&self) -> String {
        self.inner.field.clone()
    }
    /// The value at fault (after normalisation), when there is one.
    #[getter]
    fn value(&self) -> Option<String> {
        self.inner.value.clone()
    }
    /// The stable code (`missing_required`, `invalid_pattern`, …).
    #[getter]
    fn code(&self) -> String {
        self.inner.code.clone()
    }
    /// `Severity.ERROR` (the row is invalid) or `Severity.WARNING`.
    #[getter]
    fn severity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        SEVERITY.member(py, self.inner.severity.as_str())
    }
    /// The rule, in words.
    #[getter]
    fn message(&self) -> String {
        self.inner.message.clone()
    }

    /// A dict of the fields (severity as its string value).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let p = &self.inner;
        let d = PyDict::new(py);
        d.set_item("row", p.row)?;
        d.set_item("id", &p.id)?;
        d.set_item("field", &p.field)?;
        d.set_item("value", &p.value)?;
        d.set_item("code", &p.code)?;
        d.set_item("severity", p.severity.as_str())?;
        d.set_item("message", &p.message)?;
        Ok(d)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> Reduced<'py, ProblemArgs> {
        let p = &slf.get().inner;
        Ok((
            slf.get_type(),
            (
                p.row,
                p.id.clone(),
                p.field.clone(),
                p.value.clone(),
                p.code.clone(),
                p.severity.as_str(),
                p.message.clone(),
            ),
        ))
    }

    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "VenueProblem(row={}, field={}, code={}, severity={})",
            p.row,
            q(&p.field),
            q(&p.code),
            q(p.severity.as_str())
        )
    }
}

/// One normalisation applied to a value: `row`, `field`, `before`, `after` and `rule`
/// (`trimmed`, `phone_international`, `deduplicated`, `quirk_formations_labels`).
///
/// >>> c = report.changes[0]
/// >>> (c.row, c.field, c.rule, c.after)
/// (11, 'nom', 'trimmed', 'Espace numérique')
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VenueChange {
    inner: api::Change,
}

#[pymethods]
impl VenueChange {
    /// Row number.
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }
    /// The field.
    #[getter]
    fn field(&self) -> String {
        self.inner.field.clone()
    }
    /// The value before.
    #[getter]
    fn before(&self) -> String {
        self.inner.before.clone()
    }
    /// The value after.
    #[getter]
    fn after(&self) -> String {
        self.inner.after.clone()
    }
    /// Which normalisation.
    #[getter]
    fn rule(&self) -> String {
        self.inner.rule.clone()
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "VenueChange(row={}, field={}, rule={}, after={})",
            c.row,
            q(&c.field),
            q(&c.rule),
            q(&c.after)
        )
    }
}

/// A validation report: every problem of every row, every normalisation, counts by code,
/// and the valid rows. `to_dict()` gives the problems columnar.
///
/// >>> report = read_file(path).validate(today=date(2026, 11, 23))
/// >>> report.rows, report.valid_rows, report.counts
/// >>> pandas.DataFrame(report.to_dict())
#[pyclass(module = "inclusif._inclusif", frozen)]
pub struct VenueValidationReport {
    inner: api::ValidationReport,
}

#[pymethods]
impl VenueValidationReport {
    /// The version validated against.
    #[getter]
    fn version<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        VERSION.member(py, self.inner.version.as_str())
    }
    /// Rows read.
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows
    }
    /// Rows without an error.
    #[getter]
    fn valid_rows(&self) -> u64 {
        self.inner.valid_rows
    }
    /// Problems of severity error.
    #[getter]
    fn errors(&self) -> u64 {
        self.inner.errors()
    }
    /// Problems of severity warning.
    #[getter]
    fn warnings(&self) -> u64 {
        self.inner.warnings()
    }
    /// Every problem, by row then field.
    #[getter]
    fn problems(&self) -> Vec<VenueProblem> {
        self.inner
            .problems
            .iter()
            .map(|p| VenueProblem { inner: p.clone() })
            .collect()
    }
    /// Every normalisation, by row then field.
    #[getter]
    fn changes(&self) -> Vec<VenueChange> {
        self.inner
            .changes
            .iter()
            .map(|c| VenueChange { inner: c.clone() })
            .collect()
    }
    /// Problems by code.
    #[getter]
    fn counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.counts.clone()
    }
    /// The valid records, normalised, in file order.
    #[getter]
    fn valid(&self) -> VenueFile {
        VenueFile::wrap(self.inner.valid.clone())
    }

    /// The problems, columnar: `row`, `id`, `field`, `value`, `code`, `severity`
    /// (string values), `message`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(
            py,
            &["row", "id", "field", "value", "code", "severity", "message"],
        )?;
        for p in &self.inner.problems {
            l[0].append(p.row)?;
            l[1].append(&p.id)?;
            l[2].append(&p.field)?;
            l[3].append(&p.value)?;
            l[4].append(&p.code)?;
            l[5].append(p.severity.as_str())?;
            l[6].append(&p.message)?;
        }
        Ok(dict)
    }

    /// The normalisations, columnar: `row`, `field`, `before`, `after`, `rule`.
    fn changes_to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(py, &["row", "field", "before", "after", "rule"])?;
        for c in &self.inner.changes {
            l[0].append(c.row)?;
            l[1].append(&c.field)?;
            l[2].append(&c.before)?;
            l[3].append(&c.after)?;
            l[4].append(&c.rule)?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "VenueValidationReport(version={}, rows={}, valid_rows={}, errors={}, warnings={})",
            q(self.inner.version.as_str()),
            self.inner.rows,
            self.inner.valid_rows,
            self.inner.errors(),
            self.inner.warnings()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Migration and merge
// ---------------------------------------------------------------------------------------

/// One change made by the v0.1 → v1.0.2 migration.
///
/// >>> n = migration.notes[0]
/// >>> (n.row, n.field, n.code, n.new_field)
/// (1, 'services', <NoteCode.VALUE_MAPPED: 'value_mapped'>, 'services')
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VenueMigrationNote {
    inner: api::MigrationNote,
}

#[pymethods]
impl VenueMigrationNote {
    /// The record's row.
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }
    /// The v0.1 field.
    #[getter]
    fn field(&self) -> String {
        self.inner.field.clone()
    }
    /// The v0.1 value (a cell or one list item).
    #[getter]
    fn old_value(&self) -> String {
        self.inner.old_value.clone()
    }
    /// Where it went: a v1 field, `extension_v0`, or `None` (dropped).
    #[getter]
    fn new_field(&self) -> Option<String> {
        self.inner.new_field.clone()
    }
    /// The v1 value(s) or the extension item.
    #[getter]
    fn new_values(&self) -> Vec<String> {
        self.inner.new_values.clone()
    }
    /// What happened (a `NoteCode`).
    #[getter]
    fn code<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        NOTE_CODE.member(py, self.inner.code.as_str())
    }

    fn __repr__(&self) -> String {
        let n = &self.inner;
        format!(
            "VenueMigrationNote(row={}, field={}, old_value={}, code={}, new_field={})",
            n.row,
            q(&n.field),
            q(&n.old_value),
            q(n.code.as_str()),
            q_opt(n.new_field.as_deref())
        )
    }
}

/// What the v0.1 → v1.0.2 migration changed: every note and the counts.
///
/// >>> v1, migration = read_file(HINAURA).as_v1()
/// >>> migration.records, migration.records_with_extension
/// >>> pandas.DataFrame(migration.to_dict())
#[pyclass(module = "inclusif._inclusif", frozen, eq)]
#[derive(PartialEq)]
pub struct VenueMigration {
    inner: api::Migration,
}

#[pymethods]
impl VenueMigration {
    /// Records migrated (all of them: migration never rejects a record).
    #[getter]
    fn records(&self) -> u64 {
        self.inner.records
    }
    /// Every change, record by record.
    #[getter]
    fn notes(&self) -> Vec<VenueMigrationNote> {
        self.inner
            .notes
            .iter()
            .map(|n| VenueMigrationNote { inner: n.clone() })
            .collect()
    }
    /// Notes per code (string values).
    #[getter]
    fn note_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.note_counts.clone()
    }
    /// Records with a non-empty extension column.
    #[getter]
    fn records_with_extension(&self) -> u64 {
        self.inner.records_with_extension
    }
    /// Records per extension item (`key=value`).
    #[getter]
    fn extension_items(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.extension_items.clone()
    }
    /// Occurrences per unknown value or field (`field=value`).
    #[getter]
    fn unknown_values(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.unknown_values.clone()
    }

    /// The notes, columnar: `row`, `field`, `old_value`, `new_field`, `new_values`
    /// (joined with `|`), `code`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(
            py,
            &[
                "row",
                "field",
                "old_value",
                "new_field",
                "new_values",
                "code",
            ],
        )?;
        for n in &self.inner.notes {
            l[0].append(n.row)?;
            l[1].append(&n.field)?;
            l[2].append(&n.old_value)?;
            l[3].append(&n.new_field)?;
            l[4].append(n.new_values.join("|"))?;
            l[5].append(n.code.as_str())?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "VenueMigration(records={}, notes={}, records_with_extension={})",
            self.inner.records,
            self.inner.notes.len(),
            self.inner.records_with_extension
        )
    }
}

/// Two merged records that look like the same venue: indexes `a < b` into the merged
/// file, their ids, the `reasons` (`DuplicateReason`s), distance and name similarity.
#[pyclass(module = "inclusif._inclusif", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct VenueDuplicatePair {
    inner: api::DuplicatePair,
}

#[pymethods]
impl VenueDuplicatePair {
    /// Index of the first record in the merged file.
    #[getter]
    fn a(&self) -> u64 {
        self.inner.a
    }
    /// Index of the second.
    #[getter]
    fn b(&self) -> u64 {
        self.inner.b
    }
    /// Id of the first (`source:id`).
    #[getter]
    fn a_id(&self) -> String {
        self.inner.a_id.clone()
    }
    /// Id of the second.
    #[getter]
    fn b_id(&self) -> String {
        self.inner.b_id.clone()
    }
    /// Every rule that matched.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.inner
            .reasons
            .iter()
            .map(|r| DUPLICATE_REASON.member(py, r.as_str()))
            .collect()
    }
    /// Great-circle distance in metres, when both have coordinates.
    #[getter]
    fn distance_m(&self) -> Option<f64> {
        self.inner.distance_m
    }
    /// Name similarity, 0 to 1.
    #[getter]
    fn name_similarity(&self) -> f64 {
        self.inner.name_similarity
    }

    fn __repr__(&self) -> String {
        let reasons: Vec<&str> = self.inner.reasons.iter().map(|r| r.as_str()).collect();
        format!(
            "VenueDuplicatePair(a_id={}, b_id={}, reasons={})",
            q(&self.inner.a_id),
            q(&self.inner.b_id),
            q_list(&reasons)
        )
    }
}

/// Files merged into one list of v1.0.2 records (`file`, ids prefixed `source:`), with
/// the `duplicates` that look like the same venue; nothing is dropped.
///
/// >>> m = merge_venues({"hinaura": read_file(HINAURA), "anct": read_file(OTHER)})
/// >>> len(m.file), pandas.DataFrame(m.duplicates_to_dict())
#[pyclass(module = "inclusif._inclusif", frozen)]
pub struct MergedVenues {
    file: api::VenueFile,
    duplicates: Vec<api::DuplicatePair>,
}

#[pymethods]
impl MergedVenues {
    /// Every record of every file, in order.
    #[getter]
    fn file(&self) -> VenueFile {
        VenueFile::wrap(self.file.clone())
    }
    /// The pairs that look like the same venue.
    #[getter]
    fn duplicates(&self) -> Vec<VenueDuplicatePair> {
        self.duplicates
            .iter()
            .map(|d| VenueDuplicatePair { inner: d.clone() })
            .collect()
    }

    /// The pairs, columnar: `a`, `b`, `a_id`, `b_id`, `reasons` (joined with `|`),
    /// `distance_m`, `name_similarity`.
    fn duplicates_to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(
            py,
            &[
                "a",
                "b",
                "a_id",
                "b_id",
                "reasons",
                "distance_m",
                "name_similarity",
            ],
        )?;
        for d in &self.duplicates {
            let reasons: Vec<&str> = d.reasons.iter().map(|r| r.as_str()).collect();
            l[0].append(d.a)?;
            l[1].append(d.b)?;
            l[2].append(&d.a_id)?;
            l[3].append(&d.b_id)?;
            l[4].append(reasons.join("|"))?;
            l[5].append(d.distance_m)?;
            l[6].append(d.name_similarity)?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "MergedVenues(records={}, duplicates={})",
            self.file.len(),
            self.duplicates.len()
        )
    }
}

/// Merges venue files given as a mapping (or pairs) of source name → `VenueFile` into
/// one list of v1.0.2 records with the pairs that look alike (GIL released).
///
/// >>> m = merge_venues([("a", read_venues(A)), ("b", read_venues(B))])
#[pyfunction]
fn merge_venues(py: Python<'_>, files: &Bound<'_, PyAny>) -> PyResult<MergedVenues> {
    let items = if let Ok(d) = files.cast::<PyDict>() {
        d.items().into_any()
    } else {
        files.clone()
    };
    let mut owned: Vec<(String, Py<VenueFile>)> = Vec::new();
    for item in items.try_iter()? {
        let (source, file): (String, Py<VenueFile>) = item?.extract()?;
        owned.push((source, file));
    }
    let pairs: Vec<(String, &api::VenueFile)> = owned
        .iter()
        .map(|(s, f)| (s.clone(), &f.get().inner))
        .collect();
    let merged = py.detach(|| api::merge(&pairs));
    Ok(MergedVenues {
        file: merged.file,
        duplicates: merged.duplicates,
    })
}

// ---------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------

/// A shipped label rule set: `label` id, `version`, `title`, `kind` (`official` or
/// `operator_policy`), `description` and its `criteria` ids.
///
/// >>> [l.label for l in shipped_labels()]
/// ['france_services', 'pass_numerique', 'aidants_connect', 'conseiller_numerique']
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash, get_all)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LabelInfo {
    /// The label's id.
    label: String,
    /// The rule set's version.
    version: u32,
    /// Its name.
    title: String,
    /// `official` or `operator_policy`.
    kind: String,
    /// What it is and where it comes from.
    description: String,
    /// The criteria's ids, in order.
    criteria: Vec<String>,
}

#[pymethods]
impl LabelInfo {
    fn __repr__(&self) -> String {
        format!(
            "LabelInfo(label={}, version={}, criteria={})",
            q(&self.label),
            self.version,
            q_list(&self.criteria)
        )
    }
}

/// The four shipped label rule sets (`core/data/labels/`).
///
/// >>> shipped_labels()[1].kind
/// 'operator_policy'
#[pyfunction]
fn shipped_labels() -> Vec<LabelInfo> {
    api::shipped_labels()
        .into_iter()
        .map(|l| LabelInfo {
            label: l.label,
            version: l.version,
            title: l.title,
            kind: l.kind,
            description: l.description,
            criteria: l.criteria,
        })
        .collect()
}

/// One criterion's answer: `id`, `outcome` (an `Outcome`) and the `reason` in words.
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LabelCriterion {
    inner: api::CriterionResult,
}

#[pymethods]
impl LabelCriterion {
    /// The criterion's id.
    #[getter]
    fn id(&self) -> String {
        self.inner.id.clone()
    }
    /// Met, not met or unknown.
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        OUTCOME.member(py, self.inner.outcome.as_str())
    }
    /// Why, in plain words.
    #[getter]
    fn reason(&self) -> String {
        self.inner.reason.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "LabelCriterion(id={}, outcome={}, reason={})",
            q(&self.inner.id),
            q(self.inner.outcome.as_str()),
            q(&self.inner.reason)
        )
    }
}

fn reasons(e: &api::LabelEvaluation) -> String {
    e.criteria
        .iter()
        .map(|c| format!("{}={}: {}", c.id, c.outcome.as_str(), c.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A venue's answer for one label: `row`, `venue_id`, `departement`, `label`, `outcome`
/// (an `Eligibility`), `eligible`, and every criterion with its reason.
///
/// >>> e = results[0]
/// >>> e.label, e.outcome, e.criteria[0].reason
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LabelEvaluation {
    inner: api::LabelEvaluation,
}

#[pymethods]
impl LabelEvaluation {
    /// The venue's row in its file.
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }
    /// The venue's id (empty when it has none).
    #[getter]
    fn venue_id(&self) -> String {
        self.inner.venue_id.clone()
    }
    /// The venue's département, when its INSEE or postal code tells.
    #[getter]
    fn departement(&self) -> Option<String> {
        self.inner.departement.clone()
    }
    /// The label.
    #[getter]
    fn label(&self) -> String {
        self.inner.label.clone()
    }
    /// Eligible, not eligible or unknown.
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ELIGIBILITY.member(py, self.inner.outcome.as_str())
    }
    /// Whether the outcome is `Eligibility.ELIGIBLE`.
    #[getter]
    fn eligible(&self) -> bool {
        self.inner.eligible()
    }
    /// Every criterion, in the rule set's order.
    #[getter]
    fn criteria(&self) -> Vec<LabelCriterion> {
        self.inner
            .criteria
            .iter()
            .map(|c| LabelCriterion { inner: c.clone() })
            .collect()
    }
    /// The criteria in one line: `id=outcome: reason; …`.
    #[getter]
    fn reasons(&self) -> String {
        reasons(&self.inner)
    }

    /// A dict: `row`, `venue_id`, `departement`, `label`, `outcome` (string value),
    /// `eligible`, `reasons`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.inner;
        let d = PyDict::new(py);
        d.set_item("row", e.row)?;
        d.set_item("venue_id", &e.venue_id)?;
        d.set_item("departement", &e.departement)?;
        d.set_item("label", &e.label)?;
        d.set_item("outcome", e.outcome.as_str())?;
        d.set_item("eligible", e.eligible())?;
        d.set_item("reasons", reasons(e))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "LabelEvaluation(venue_id={}, label={}, outcome={})",
            q(&self.inner.venue_id),
            q(&self.inner.label),
            q(self.inner.outcome.as_str())
        )
    }
}

/// Label evaluations of a file, venue by venue then label by label. A sequence of
/// `LabelEvaluation`; `to_dict()` is columnar (`row`, `venue_id`, `departement`, `label`,
/// `outcome`, `eligible`, `reasons`), `criteria_to_dict()` one row per criterion.
///
/// >>> results = read_file(path).evaluate_labels()
/// >>> df = pandas.DataFrame(results.to_dict())
/// >>> df[df.eligible].groupby(["departement", "label"]).size()
#[pyclass(module = "inclusif._inclusif", frozen)]
pub struct LabelResults {
    inner: Vec<api::LabelEvaluation>,
}

#[pymethods]
impl LabelResults {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __getitem__(&self, index: isize) -> PyResult<LabelEvaluation> {
        let len = self.inner.len() as isize;
        let i = if index < 0 { index + len } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.inner.get(i))
            .map(|e| LabelEvaluation { inner: e.clone() })
            .ok_or_else(|| PyIndexError::new_err("evaluation index out of range"))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        let items: Vec<LabelEvaluation> = self
            .inner
            .iter()
            .map(|e| LabelEvaluation { inner: e.clone() })
            .collect();
        iter_of(py, items)
    }

    /// Columnar: `row`, `venue_id`, `departement`, `label`, `outcome` (string values),
    /// `eligible`, `reasons`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(
            py,
            &[
                "row",
                "venue_id",
                "departement",
                "label",
                "outcome",
                "eligible",
                "reasons",
            ],
        )?;
        for e in &self.inner {
            l[0].append(e.row)?;
            l[1].append(&e.venue_id)?;
            l[2].append(&e.departement)?;
            l[3].append(&e.label)?;
            l[4].append(e.outcome.as_str())?;
            l[5].append(e.eligible())?;
            l[6].append(reasons(e))?;
        }
        Ok(dict)
    }

    /// One row per criterion, columnar: `row`, `venue_id`, `label`, `criterion`,
    /// `outcome` (string values), `reason`.
    fn criteria_to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (dict, l) = columns(
            py,
            &["row", "venue_id", "label", "criterion", "outcome", "reason"],
        )?;
        for e in &self.inner {
            for c in &e.criteria {
                l[0].append(e.row)?;
                l[1].append(&e.venue_id)?;
                l[2].append(&e.label)?;
                l[3].append(&c.id)?;
                l[4].append(c.outcome.as_str())?;
                l[5].append(&c.reason)?;
            }
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let eligible = self.inner.iter().filter(|e| e.eligible()).count();
        format!(
            "LabelResults(evaluations={}, eligible={eligible})",
            self.inner.len()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------

/// The opening of one week (Monday 00:00 to the next Monday, local time): minutes open
/// (real elapsed minutes), minutes `unknown`, days open, minutes per day (Monday first)
/// and `hours_per_week` as an exact `decimal.Decimal`.
///
/// >>> w = OpeningHours("Mo-Fr 09:00-12:00,13:30-17:00").week(date(2026, 11, 16))
/// >>> w.minutes_open, w.days_open, w.hours_per_week
/// (1950, 5, Decimal('32.5'))
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WeekSummary {
    inner: api::WeekSummary,
}

#[pymethods]
impl WeekSummary {
    /// The Monday the week starts on.
    #[getter]
    fn monday(&self) -> NaiveDate {
        self.inner.monday
    }
    /// Minutes open in the week.
    #[getter]
    fn minutes_open(&self) -> u32 {
        self.inner.minutes_open
    }
    /// Minutes in an `unknown` state (not counted as open).
    #[getter]
    fn minutes_unknown(&self) -> u32 {
        self.inner.minutes_unknown
    }
    /// Days with at least one open minute.
    #[getter]
    fn days_open(&self) -> u8 {
        self.inner.days_open
    }
    /// Minutes open per day, Monday first (seven values).
    #[getter]
    fn per_day(&self) -> Vec<u32> {
        self.inner.per_day.clone()
    }
    /// Hours open, exactly.
    #[getter]
    fn hours_per_week(&self) -> rust_decimal::Decimal {
        self.inner.hours_per_week
    }

    /// A dict of the fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let w = &self.inner;
        let d = PyDict::new(py);
        d.set_item("monday", w.monday)?;
        d.set_item("minutes_open", w.minutes_open)?;
        d.set_item("minutes_unknown", w.minutes_unknown)?;
        d.set_item("days_open", w.days_open)?;
        d.set_item("per_day", w.per_day.clone())?;
        d.set_item("hours_per_week", w.hours_per_week)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let w = &self.inner;
        format!(
            "WeekSummary(monday={}, minutes_open={}, days_open={}, per_day={:?})",
            w.monday, w.minutes_open, w.days_open, w.per_day
        )
    }
}

/// An OpenStreetMap `opening_hours` string, parsed. Invalid syntax raises
/// `VenueValidationError` with code `invalid_opening_hours`. Instants are aware
/// datetimes (naive ones are refused); rules are read in `time_zone` (default
/// Europe/Paris) with `holidays` (`Holidays.NONE` or `Holidays.FRANCE`).
///
/// >>> h = OpeningHours("Mo-Fr 09:00-12:00,14:00-17:30; PH off")
/// >>> h.is_open(datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))
/// True
/// >>> h.next_opening(datetime(2026, 11, 14, 12, 0, tzinfo=timezone.utc))
/// datetime.datetime(2026, 11, 16, 8, 0, tzinfo=datetime.timezone.utc)
#[pyclass(module = "inclusif._inclusif", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OpeningHours {
    inner: api::OpeningHours,
}

#[pymethods]
impl OpeningHours {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        Ok(OpeningHours {
            inner: api::OpeningHours::parse(text).py()?,
        })
    }

    /// The text it was parsed from.
    #[getter]
    fn text(&self) -> String {
        self.inner.as_str().to_owned()
    }

    /// Whether the venue is open at the aware datetime `at`.
    #[pyo3(signature = (at, *, time_zone=PARIS, holidays=None))]
    fn is_open(
        &self,
        at: &Bound<'_, PyAny>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let at = instant_arg(at, "at")?;
        self.inner
            .is_open(at, time_zone, holidays_arg(holidays)?)
            .py()
    }

    /// The first instant at or after `after` when the venue is open (UTC; `after` itself
    /// when open then), or `None` when it does not open within 400 days.
    #[pyo3(signature = (after, *, time_zone=PARIS, holidays=None))]
    fn next_opening(
        &self,
        py: Python<'_>,
        after: &Bound<'_, PyAny>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<chrono::DateTime<Utc>>> {
        let after = instant_arg(after, "after")?;
        let holidays = holidays_arg(holidays)?;
        let inner = &self.inner;
        py.detach(|| inner.next_opening(after, time_zone, holidays))
            .py()
    }

    /// The opening of the week starting on `monday` (a `date`, a Monday).
    #[pyo3(signature = (monday, *, time_zone=PARIS, holidays=None))]
    fn week(
        &self,
        monday: &Bound<'_, PyAny>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<WeekSummary> {
        let monday = date_arg(monday, "monday")?;
        let inner = self
            .inner
            .week(monday, time_zone, holidays_arg(holidays)?)
            .py()?;
        Ok(WeekSummary { inner })
    }

    /// Minutes open in the week starting on `monday`: `week(monday).minutes_open`.
    #[pyo3(signature = (monday, *, time_zone=PARIS, holidays=None))]
    fn weekly_minutes(
        &self,
        monday: &Bound<'_, PyAny>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u32> {
        Ok(self.week(monday, time_zone, holidays)?.inner.minutes_open)
    }

    fn __str__(&self) -> String {
        self.inner.as_str().to_owned()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> Reduced<'py, (String,)> {
        Ok((slf.get_type(), (slf.get().inner.as_str().to_owned(),)))
    }

    fn __repr__(&self) -> String {
        format!("OpeningHours({})", q(self.inner.as_str()))
    }
}

// ---------------------------------------------------------------------------------------
// Nearest venues
// ---------------------------------------------------------------------------------------

/// A venue near a point: `id`, `row`, `name`, `commune`, `distance_m` (great-circle).
///
/// >>> index.nearest(45.76, 4.83, k=1)[0]
/// NearestVenue(id='...', distance_m=...)
#[pyclass(module = "inclusif._inclusif", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct NearestVenue {
    inner: api::NearestVenue,
}

#[pymethods]
impl NearestVenue {
    #[new]
    fn new(
        id: String,
        row: u64,
        name: Option<String>,
        commune: Option<String>,
        distance_m: f64,
    ) -> Self {
        NearestVenue {
            inner: api::NearestVenue {
                id,
                row,
                name,
                commune,
                distance_m,
            },
        }
    }

    /// The venue's id.
    #[getter]
    fn id(&self) -> String {
        self.inner.id.clone()
    }
    /// Its row in the file.
    #[getter]
    fn row(&self) -> u64 {
        self.inner.row
    }
    /// Its name (`nom`), when given.
    #[getter]
    fn name(&self) -> Option<String> {
        self.inner.name.clone()
    }
    /// Its commune, when given.
    #[getter]
    fn commune(&self) -> Option<String> {
        self.inner.commune.clone()
    }
    /// Great-circle distance from the point, in metres.
    #[getter]
    fn distance_m(&self) -> f64 {
        self.inner.distance_m
    }

    /// A dict of the fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let n = &self.inner;
        let d = PyDict::new(py);
        d.set_item("id", &n.id)?;
        d.set_item("row", n.row)?;
        d.set_item("name", &n.name)?;
        d.set_item("commune", &n.commune)?;
        d.set_item("distance_m", n.distance_m)?;
        Ok(d)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> Reduced<'py, NearestArgs> {
        let n = &slf.get().inner;
        Ok((
            slf.get_type(),
            (
                n.id.clone(),
                n.row,
                n.name.clone(),
                n.commune.clone(),
                n.distance_m,
            ),
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "NearestVenue(id={}, name={}, distance_m={:.1})",
            q(&self.inner.id),
            q_opt(self.inner.name.as_deref()),
            self.inner.distance_m
        )
    }
}

/// The venues of a file (taken as v1.0.2) with an id and coordinates, in an R*-tree; with
/// `label`, only those eligible for it (and `unknown` ones with `include_unknown`).
///
/// >>> index = VenueIndex(read_file(HINAURA), label="pass_numerique", include_unknown=True)
/// >>> [(v.name, round(v.distance_m)) for v in index.nearest(45.764, 4.8357, k=3)]
#[pyclass(module = "inclusif._inclusif", frozen)]
pub struct VenueIndex {
    inner: api::VenueIndex,
}

#[pymethods]
impl VenueIndex {
    #[new]
    #[pyo3(signature = (file, label=None, *, include_unknown=false, week_of=None, time_zone=PARIS, holidays=None))]
    fn new(
        py: Python<'_>,
        file: &Bound<'_, VenueFile>,
        label: Option<&str>,
        include_unknown: bool,
        week_of: Option<&Bound<'_, PyAny>>,
        time_zone: &str,
        holidays: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let settings = settings(week_of, time_zone, holidays)?;
        let file = &file.get().inner;
        let inner = py
            .detach(|| api::VenueIndex::new(file, label, include_unknown, &settings))
            .py()?;
        Ok(VenueIndex { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Qualifying records left out: no id, no numeric coordinates, or out of range.
    #[getter]
    fn skipped(&self) -> u64 {
        self.inner.skipped()
    }

    /// The `k` venues nearest to (lat, lon) in WGS84 degrees, nearest first.
    #[pyo3(signature = (lat, lon, k=5))]
    fn nearest(&self, lat: f64, lon: f64, k: u32) -> PyResult<Vec<NearestVenue>> {
        Ok(self
            .inner
            .nearest(lat, lon, k)
            .py()?
            .into_iter()
            .map(|inner| NearestVenue { inner })
            .collect())
    }

    /// Every venue within `radius_m` metres of (lat, lon), nearest first.
    fn within(&self, lat: f64, lon: f64, radius_m: f64) -> PyResult<Vec<NearestVenue>> {
        Ok(self
            .inner
            .within(lat, lon, radius_m)
            .py()?
            .into_iter()
            .map(|inner| NearestVenue { inner })
            .collect())
    }

    fn __repr__(&self) -> String {
        format!(
            "VenueIndex(venues={}, skipped={})",
            self.inner.len(),
            self.inner.skipped()
        )
    }
}

/// Adds the domain's classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<VenueRecord>()?;
    m.add_class::<VenueFile>()?;
    m.add_class::<VenueProblem>()?;
    m.add_class::<VenueChange>()?;
    m.add_class::<VenueValidationReport>()?;
    m.add_class::<VenueMigrationNote>()?;
    m.add_class::<VenueMigration>()?;
    m.add_class::<VenueDuplicatePair>()?;
    m.add_class::<MergedVenues>()?;
    m.add_class::<LabelInfo>()?;
    m.add_class::<LabelCriterion>()?;
    m.add_class::<LabelEvaluation>()?;
    m.add_class::<LabelResults>()?;
    m.add_class::<WeekSummary>()?;
    m.add_class::<OpeningHours>()?;
    m.add_class::<NearestVenue>()?;
    m.add_class::<VenueIndex>()?;
    m.add_function(wrap_pyfunction!(read_venues, m)?)?;
    m.add_function(wrap_pyfunction!(merge_venues, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_labels, m)?)?;
    Ok(())
}
