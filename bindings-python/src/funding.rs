//! The funding domain in Python: a thin adapter over `inclusif_core::api::funding`.
//!
//! Requests and plans are walked once into the API's value tree (floats refused with
//! `TypeError` naming the field) and read by the core's serde types; results are frozen
//! classes with `to_dict()` and pickling (through the API's JSON form).

use std::sync::OnceLock;

use inclusif_core::api::funding::{self as api, JsonRecord};
use inclusif_core::api::{Domain, Error};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple,
};
use rust_decimal::Decimal;

use crate::convert::{EnumClass, IntoPy, date_arg, decimal_arg, enum_arg, to_py_err};

static EMPLOYER_TYPE: EnumClass = EnumClass::new("inclusif.funding", "EmployerType");
static TERRITORY: EnumClass = EnumClass::new("inclusif.funding", "Territory");
static ROUNDING: EnumClass = EnumClass::new("inclusif.funding", "Rounding");
static CONFIDENCE: EnumClass = EnumClass::new("inclusif.funding", "Confidence");

fn invalid(code: &'static str, message: impl Into<String>) -> PyErr {
    to_py_err(Error::invalid(Domain::Funding, code, message))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// The shipped rule book, read once.
fn shipped() -> &'static api::RuleBook {
    static BOOK: OnceLock<api::RuleBook> = OnceLock::new();
    BOOK.get_or_init(api::RuleBook::shipped)
}

fn book<'a>(rules: Option<&'a Bound<'_, PyRuleBook>>) -> &'a api::RuleBook {
    match rules {
        Some(r) => &r.get().inner,
        None => shipped(),
    }
}

fn python_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let class = cell.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import(module)?.getattr(name)?.unbind())
    })?;
    Ok(class.bind(py).clone())
}

fn is_instance(
    obj: &Bound<'_, PyAny>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    name: &str,
) -> PyResult<bool> {
    obj.is_instance(&python_class(obj.py(), cell, module, name)?)
}

fn is_decimal(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    is_instance(obj, &CLASS, "decimal", "Decimal")
}

fn is_enum(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    is_instance(obj, &CLASS, "enum", "Enum")
}

fn is_mapping(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    is_instance(obj, &CLASS, "collections.abc", "Mapping")
}

// ---- requests and plans: Python values to the API's value tree ----

/// One value of a request or plan, `path` naming it in errors (`request["subsidy"]`).
fn value_of(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<api::Value> {
    if depth > api::MAX_DEPTH {
        return Err(invalid(
            "invalid_input",
            format!("{path}: nested deeper than {} levels", api::MAX_DEPTH),
        ));
    }
    if obj.is_none() {
        return Ok(api::Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(api::Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{path}: a float is not an amount (it cannot hold cents exactly); pass decimal.Decimal(\"10.50\"), an int or decimal text"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(api::Value::Int).map_err(|_| {
            invalid(
                "invalid_input",
                format!(
                    "{path}: {} is out of range",
                    obj.str().map(|s| s.to_string()).unwrap_or_default()
                ),
            )
        });
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(api::Value::Text(obj.extract()?));
    }
    if is_decimal(obj)? {
        return decimal_value(obj, path);
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "{path}: expected a datetime.date, got a datetime (call .date() in the time zone you mean)"
        )));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(api::Value::Date(obj.extract()?));
    }
    if is_enum(obj)? {
        return value_of(&obj.getattr("value")?, path, depth + 1);
    }
    if is_mapping(obj)? {
        let mut pairs = Vec::new();
        for item in obj.call_method0("items")?.try_iter()? {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let key: String = key.extract().map_err(|_| {
                PyTypeError::new_err(format!("{path}: keys must be str, got {}", type_name(&key)))
            })?;
            let value = value_of(&value, &format!("{path}[{key:?}]"), depth + 1)?;
            pairs.push((key, value));
        }
        return Ok(api::Value::Map(pairs));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| value_of(&item?, &format!("{path}[{i}]"), depth + 1))
            .collect::<PyResult<_>>()?;
        return Ok(api::Value::List(items));
    }
    Err(PyTypeError::new_err(format!(
        "{path}: {} is not a request value (use str, int, decimal.Decimal, bool, datetime.date, an enum member, a dict or a list)",
        type_name(obj)
    )))
}

/// A `decimal.Decimal`: finite and within 28 significant digits, or `invalid_amount`.
fn decimal_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<api::Value> {
    let text = obj.str()?.to_string();
    let finite: bool = obj.call_method0("is_finite")?.extract()?;
    let amount = if finite {
        obj.extract::<Decimal>().ok()
    } else {
        None
    };
    amount.map(api::Value::Decimal).ok_or_else(|| {
        invalid(
            "invalid_amount",
            format!("{path}: {text} is not a finite decimal of at most 28 significant digits"),
        )
    })
}

fn tree(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<api::Value> {
    if !is_mapping(obj)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a dict (a Mapping), got {}",
            type_name(obj)
        )));
    }
    value_of(obj, what, 0)
}

// ---- pickling ----

fn reduce<'py, T: JsonRecord>(
    py: Python<'py>,
    kind: &str,
    record: &T,
) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
    let unpickle = py
        .import("inclusif._inclusif")?
        .getattr("_funding_unpickle")?;
    Ok((unpickle, (kind.to_owned(), record.to_json().py()?)))
}

/// Rebuilds a funding record pickled by `__reduce__` (internal).
#[pyfunction]
fn _funding_unpickle(py: Python<'_>, kind: &str, json: &str) -> PyResult<Py<PyAny>> {
    match kind {
        "Breakdown" => PyBreakdown {
            inner: api::Breakdown::from_json(json).py()?,
        }
        .into_py_any(py),
        "BreakdownLine" => PyBreakdownLine {
            inner: api::BreakdownLine::from_json(json).py()?,
        }
        .into_py_any(py),
        "RuleCitation" => PyRuleCitation {
            inner: api::RuleCitation::from_json(json).py()?,
        }
        .into_py_any(py),
        "FundingRule" => PyFundingRule {
            inner: api::Rule::from_json(json).py()?,
        }
        .into_py_any(py),
        "PlanIssue" => PyPlanIssue {
            inner: api::PlanIssue::from_json(json).py()?,
        }
        .into_py_any(py),
        "PlanReport" => PyPlanReport {
            inner: api::PlanReport::from_json(json).py()?,
        }
        .into_py_any(py),
        "SimulationRow" => PySimulationRow {
            inner: api::SimulationRow::from_json(json).py()?,
        }
        .into_py_any(py),
        "Simulation" => PySimulation::new(api::Simulation::from_json(json).py()?).into_py_any(py),
        "RuleBook" => PyRuleBook {
            inner: api::RuleBook::from_tsv(json).py()?,
        }
        .into_py_any(py),
        k => Err(invalid(
            "invalid_input",
            format!("kind: {k:?} is not a funding record"),
        )),
    }
}

/// Python's own repr of a value (quotes as Python writes them).
fn pr<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> String {
    value
        .into_bound_py_any(py)
        .ok()
        .and_then(|v| v.repr().ok().map(|r| r.to_string()))
        .unwrap_or_default()
}

fn optional_date(py: Python<'_>, d: Option<chrono::NaiveDate>) -> PyResult<Py<PyAny>> {
    match d {
        Some(d) => d.into_py_any(py),
        None => Ok(py.None()),
    }
}

fn str_tuple<'py>(py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items)
}

// ---- the rule book ----

/// One dated, sourced rule of a :class:`RuleBook`.
///
/// >>> from datetime import date
/// >>> rule = RuleBook().rule("cnfs.v1.public.mainland", date(2021, 6, 1))
/// >>> (rule.kind, rule.value, rule.sources[0])
/// ('amount', Decimal('50000'), 'S1')
#[pyclass(module = "inclusif._inclusif", name = "FundingRule", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyFundingRule {
    inner: api::Rule,
}

#[pymethods]
impl PyFundingRule {
    /// Stable id, e.g. ``cnfs.v1.public.mainland``.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// ``amount`` (euros), ``rate`` (0..1), ``count`` or ``months``.
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    /// The value, exact.
    #[getter]
    fn value(&self) -> Decimal {
        self.inner.value
    }
    /// First day it applies (inclusive), or None.
    #[getter]
    fn valid_from(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        optional_date(py, self.inner.valid_from)
    }
    /// Last day it applies (inclusive), or None.
    #[getter]
    fn valid_until(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        optional_date(py, self.inner.valid_until)
    }
    /// How far it can be trusted (a :class:`Confidence`).
    #[getter]
    fn confidence<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        CONFIDENCE.member(py, self.inner.confidence.as_str())
    }
    /// Source ids (see the shipped sources table).
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        str_tuple(py, &self.inner.sources)
    }
    /// What it is, with the formula it belongs to.
    #[getter]
    fn note(&self) -> &str {
        &self.inner.note
    }
    /// The rule as a plain dict (enum values as strings).
    ///
    /// >>> RuleBook().rules()[0].to_dict()["kind"] in ("amount", "rate", "count", "months")
    /// True
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let r = &self.inner;
        d.set_item("id", &r.id)?;
        d.set_item("kind", &r.kind)?;
        d.set_item("value", r.value)?;
        d.set_item("valid_from", r.valid_from)?;
        d.set_item("valid_until", r.valid_until)?;
        d.set_item("confidence", r.confidence.as_str())?;
        d.set_item("sources", PyList::new(py, &r.sources)?)?;
        d.set_item("note", &r.note)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "FundingRule(id={}, kind={}, value=Decimal('{}'))",
            pr(py, &self.inner.id),
            pr(py, &self.inner.kind),
            self.inner.value
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "FundingRule", &self.inner)
    }
}

/// The programmes' rules as dated, sourced data: the shipped table by default, or a
/// table in the same TSV format (``RuleBook.from_tsv(text)``).
///
/// >>> book = RuleBook()
/// >>> len(book) > 20
/// True
/// >>> RuleBook.from_tsv(book.to_tsv()) == book
/// True
#[pyclass(module = "inclusif._inclusif", name = "RuleBook", frozen, eq)]
#[derive(PartialEq, Eq)]
pub struct PyRuleBook {
    inner: api::RuleBook,
}

#[pymethods]
impl PyRuleBook {
    /// The rule table shipped with the library.
    #[new]
    fn new() -> Self {
        PyRuleBook {
            inner: shipped().clone(),
        }
    }
    /// A rule table in the shipped TSV format; ``FundingError`` (code ``rule_table``) if
    /// a line cannot be read.
    ///
    /// >>> RuleBook.from_tsv("id\\tkind\\tvalue\\tvalid_from\\tvalid_until\\tconfidence\\tsources\\tnote\\n").rules()
    /// []
    #[staticmethod]
    fn from_tsv(text: &str) -> PyResult<Self> {
        Ok(PyRuleBook {
            inner: api::RuleBook::from_tsv(text).py()?,
        })
    }
    /// The TSV text this book was read from.
    fn to_tsv(&self) -> &str {
        self.inner.tsv()
    }
    /// Every rule, by id then period.
    fn rules(&self) -> Vec<PyFundingRule> {
        self.inner
            .rules()
            .into_iter()
            .map(|inner| PyFundingRule { inner })
            .collect()
    }
    /// The rule ``id`` in force on ``on`` (``unknown_rule``, ``outside_rule_validity``).
    ///
    /// >>> from datetime import date
    /// >>> RuleBook().rule("cnfs.v1.private.faq", date(2021, 6, 1)).value
    /// Decimal('40000')
    fn rule(&self, id: &str, on: &Bound<'_, PyAny>) -> PyResult<PyFundingRule> {
        let on = date_arg(on, "on")?;
        Ok(PyFundingRule {
            inner: self.inner.rule(id, on).py()?,
        })
    }
    /// Every rule as columns (``pandas.DataFrame(book.to_dict())``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rules = self.inner.rules();
        let d = PyDict::new(py);
        d.set_item("id", PyList::new(py, rules.iter().map(|r| &r.id))?)?;
        d.set_item("kind", PyList::new(py, rules.iter().map(|r| &r.kind))?)?;
        d.set_item("value", PyList::new(py, rules.iter().map(|r| r.value))?)?;
        d.set_item(
            "valid_from",
            PyList::new(py, rules.iter().map(|r| r.valid_from))?,
        )?;
        d.set_item(
            "valid_until",
            PyList::new(py, rules.iter().map(|r| r.valid_until))?,
        )?;
        d.set_item(
            "confidence",
            PyList::new(py, rules.iter().map(|r| r.confidence.as_str()))?,
        )?;
        d.set_item(
            "sources",
            PyList::new(py, rules.iter().map(|r| r.sources.join(";")))?,
        )?;
        d.set_item("note", PyList::new(py, rules.iter().map(|r| &r.note))?)?;
        Ok(d)
    }
    fn __len__(&self) -> usize {
        self.inner.rules().len()
    }
    fn __repr__(&self) -> String {
        format!("RuleBook(<{} rules>)", self.inner.rules().len())
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        let unpickle = py
            .import("inclusif._inclusif")?
            .getattr("_funding_unpickle")?;
        Ok((
            unpickle,
            ("RuleBook".to_owned(), self.inner.tsv().to_owned()),
        ))
    }
}

// ---- explained results ----

/// A rule as a breakdown line cites it: id, sources and confidence.
///
/// >>> from datetime import date
/// >>> b = compute({"programme": "france_services_forfait", "year": 2023})
/// >>> b.lines[0].rules[0].id.startswith("france_services")
/// True
#[pyclass(module = "inclusif._inclusif", name = "RuleCitation", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyRuleCitation {
    inner: api::RuleCitation,
}

#[pymethods]
impl PyRuleCitation {
    /// Rule id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Source ids.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        str_tuple(py, &self.inner.sources)
    }
    /// A :class:`Confidence`.
    #[getter]
    fn confidence<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        CONFIDENCE.member(py, self.inner.confidence.as_str())
    }
    /// As a plain dict.
    ///
    /// >>> sorted(compute({"programme": "france_services_forfait", "year": 2023}).lines[0].rules[0].to_dict())
    /// ['confidence', 'id', 'sources']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        citation_dict(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "RuleCitation(id={}, sources={}, confidence={})",
            pr(py, &self.inner.id),
            pr(py, PyTuple::new(py, &self.inner.sources).ok()),
            pr(py, self.inner.confidence.as_str())
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "RuleCitation", &self.inner)
    }
}

fn citation_dict<'py>(py: Python<'py>, c: &api::RuleCitation) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &c.id)?;
    d.set_item("sources", PyList::new(py, &c.sources)?)?;
    d.set_item("confidence", c.confidence.as_str())?;
    Ok(d)
}

fn line_dict<'py>(py: Python<'py>, l: &api::BreakdownLine) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("label", &l.label)?;
    d.set_item("amount", l.amount)?;
    let rules = l
        .rules
        .iter()
        .map(|c| citation_dict(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("rules", PyList::new(py, rules)?)?;
    d.set_item("inputs", inputs_dict(py, l)?)?;
    d.set_item("formula", &l.formula)?;
    d.set_item("rounding", l.rounding.map(api::Rounding::as_str))?;
    Ok(d)
}

fn inputs_dict<'py>(py: Python<'py>, l: &api::BreakdownLine) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for i in &l.inputs {
        d.set_item(&i.name, &i.value)?;
    }
    Ok(d)
}

/// One line of a :class:`Breakdown`: what the amount is, the amount, the rules and
/// sources behind it, the inputs and the formula with the values put in.
///
/// >>> line = compute({"programme": "hub_grant", "on": "2021-03-01"}).lines[0]
/// >>> (line.amount, line.rule_ids)
/// (Decimal('250000'), ('hub.ami2020.base',))
#[pyclass(
    module = "inclusif._inclusif",
    name = "BreakdownLine",
    frozen,
    eq,
    hash
)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyBreakdownLine {
    inner: api::BreakdownLine,
}

#[pymethods]
impl PyBreakdownLine {
    /// What the amount is.
    #[getter]
    fn label(&self) -> &str {
        &self.inner.label
    }
    /// The amount, exact (``decimal.Decimal``).
    #[getter]
    fn amount(&self) -> Decimal {
        self.inner.amount
    }
    /// The rules used (:class:`RuleCitation`).
    #[getter]
    fn rules(&self) -> Vec<PyRuleCitation> {
        self.inner
            .rules
            .iter()
            .map(|c| PyRuleCitation { inner: c.clone() })
            .collect()
    }
    /// The ids of the rules used.
    #[getter]
    fn rule_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.rules.iter().map(|r| r.id.as_str()))
    }
    /// Every source the rules cite, once each, in order.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut seen: Vec<&str> = Vec::new();
        for s in self.inner.rules.iter().flat_map(|r| &r.sources) {
            if !seen.contains(&s.as_str()) {
                seen.push(s);
            }
        }
        PyTuple::new(py, seen)
    }
    /// The inputs, name to value (as text).
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        inputs_dict(py, &self.inner)
    }
    /// The formula with the values put in.
    #[getter]
    fn formula(&self) -> &str {
        &self.inner.formula
    }
    /// The :class:`Rounding` applied if the amount is payable, else None.
    #[getter]
    fn rounding(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.rounding {
            Some(r) => Ok(ROUNDING.member(py, r.as_str())?.unbind()),
            None => Ok(py.None()),
        }
    }
    /// As a plain dict (enum values as strings).
    ///
    /// >>> compute({"programme": "hub_grant", "on": "2021-03-01"}).lines[0].to_dict()["amount"]
    /// Decimal('250000')
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        line_dict(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "BreakdownLine(label={}, amount=Decimal('{}'), formula={})",
            pr(py, &self.inner.label),
            self.inner.amount,
            pr(py, &self.inner.formula)
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "BreakdownLine", &self.inner)
    }
}

/// A programme's explained result: the total and the lines that make it, each with its
/// rules, sources, inputs and formula. ``str(breakdown)`` is the core's explained text.
///
/// >>> from datetime import date
/// >>> b = compute({"programme": "anct_estimate", "employer": "public",
/// ...              "territory": "75", "posts": 3, "on": date(2024, 1, 1)})
/// >>> b.total
/// Decimal('166286')
/// >>> print(b)  # doctest: +SKIP
#[pyclass(module = "inclusif._inclusif", name = "Breakdown", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyBreakdown {
    inner: api::Breakdown,
}

#[pymethods]
impl PyBreakdown {
    /// What was computed.
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }
    /// The total, exact (``decimal.Decimal``).
    #[getter]
    fn total(&self) -> Decimal {
        self.inner.total
    }
    /// What the total means.
    #[getter]
    fn total_label(&self) -> &str {
        &self.inner.total_label
    }
    /// The lines, in order (:class:`BreakdownLine`).
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let lines = self
            .inner
            .lines
            .iter()
            .map(|l| PyBreakdownLine { inner: l.clone() }.into_py_any(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, lines)
    }
    /// The line with this label, or None.
    ///
    /// >>> compute({"programme": "hub_grant", "on": "2021-03-01"}).line("nothing") is None
    /// True
    fn line(&self, label: &str) -> Option<PyBreakdownLine> {
        self.inner
            .lines
            .iter()
            .find(|l| l.label == label)
            .map(|l| PyBreakdownLine { inner: l.clone() })
    }
    /// As a plain dict: title, total, total_label, lines (each a dict) and text.
    ///
    /// >>> compute({"programme": "france_services_forfait", "year": 2023}).to_dict()["total"]
    /// Decimal('35000')
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let b = &self.inner;
        let d = PyDict::new(py);
        d.set_item("title", &b.title)?;
        d.set_item("total", b.total)?;
        d.set_item("total_label", &b.total_label)?;
        let lines = b
            .lines
            .iter()
            .map(|l| line_dict(py, l))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("lines", PyList::new(py, lines)?)?;
        d.set_item("text", &b.text)?;
        Ok(d)
    }
    fn __str__(&self) -> &str {
        &self.inner.text
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Breakdown(title={}, total=Decimal('{}'))",
            pr(py, &self.inner.title),
            self.inner.total
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "Breakdown", &self.inner)
    }
}

/// Computes any programme from one request dict, tagged by ``programme`` (a
/// :class:`Programme` or its value), with the core's fields and defaults. Amounts are
/// ``decimal.Decimal``, ``int`` or decimal text; a float anywhere is a ``TypeError``
/// naming the field. Dates are ``datetime.date`` or ``"YYYY-MM-DD"``; enums are members
/// or their values. Errors: ``FundingValidationError`` with the core's code.
///
/// >>> from datetime import date
/// >>> compute({"programme": "cnfs_first_wave", "employer": EmployerType.PUBLIC,
/// ...          "territory": "972", "on": date(2021, 6, 1)}).total
/// Decimal('70000')
#[pyfunction]
#[pyo3(signature = (request, *, rules = None))]
fn compute(
    request: &Bound<'_, PyAny>,
    rules: Option<&Bound<'_, PyRuleBook>>,
) -> PyResult<PyBreakdown> {
    let value = tree(request, "request")?;
    Ok(PyBreakdown {
        inner: api::compute(book(rules), &value).py()?,
    })
}

/// Computes one request given as JSON text (the command line's format).
///
/// >>> compute_json('{"programme": "france_services_forfait", "year": 2021}').total
/// Decimal('30000')
#[pyfunction]
#[pyo3(signature = (request, *, rules = None))]
fn compute_json(request: &str, rules: Option<&Bound<'_, PyRuleBook>>) -> PyResult<PyBreakdown> {
    Ok(PyBreakdown {
        inner: api::compute_json(book(rules), request).py()?,
    })
}

// ---- plans ----

/// One problem of a plan: on a ``line`` or an ``envelope`` (``kind``), its ``id``, the
/// stable ``code`` and the message.
///
/// >>> report = check_plan({"envelopes": [{"id": "e", "amount": 10}],
/// ...                      "lines": [{"id": "l", "envelope": "e", "amount": 20}]})
/// >>> report.issues[0].code
/// 'envelope_overspent'
#[pyclass(module = "inclusif._inclusif", name = "PlanIssue", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyPlanIssue {
    inner: api::PlanIssue,
}

#[pymethods]
impl PyPlanIssue {
    /// ``line`` or ``envelope``.
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    /// The line's or envelope's id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The stable error code.
    #[getter]
    fn code(&self) -> &str {
        &self.inner.code
    }
    /// The message, naming the field and the rule.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }
    /// As a plain dict.
    ///
    /// >>> sorted(check_plan({"envelopes": [], "lines": [{"id": "l", "envelope": "x", "amount": 1}]}).issues[0].to_dict())
    /// ['code', 'id', 'kind', 'message']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        issue_dict(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "PlanIssue(kind={}, id={}, code={}, message={})",
            pr(py, &self.inner.kind),
            pr(py, &self.inner.id),
            pr(py, &self.inner.code),
            pr(py, &self.inner.message)
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "PlanIssue", &self.inner)
    }
}

fn issue_dict<'py>(py: Python<'py>, i: &api::PlanIssue) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", &i.kind)?;
    d.set_item("id", &i.id)?;
    d.set_item("code", &i.code)?;
    d.set_item("message", &i.message)?;
    Ok(d)
}

/// The result of :func:`check_plan`: every issue at once, and what each envelope spends.
///
/// >>> check_plan({"envelopes": [{"id": "e", "amount": 10, "balance": True}],
/// ...             "lines": [{"id": "l", "envelope": "e", "amount": 10}]}).ok
/// True
#[pyclass(module = "inclusif._inclusif", name = "PlanReport", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyPlanReport {
    inner: api::PlanReport,
}

#[pymethods]
impl PyPlanReport {
    /// Every problem (:class:`PlanIssue`), lines first, then envelopes, in plan order.
    #[getter]
    fn issues(&self) -> Vec<PyPlanIssue> {
        self.inner
            .issues
            .iter()
            .map(|i| PyPlanIssue { inner: i.clone() })
            .collect()
    }
    /// What each envelope's lines and sub-envelopes spend, by envelope id.
    #[getter]
    fn spent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in &self.inner.spent {
            d.set_item(&s.envelope, s.spent)?;
        }
        Ok(d)
    }
    /// Whether the plan has no problem.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok()
    }
    /// As a plain dict: ok, issues (dicts) and spent.
    ///
    /// >>> check_plan({"envelopes": []}).to_dict()
    /// {'ok': True, 'issues': [], 'spent': {}}
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("ok", self.inner.ok())?;
        let issues = self
            .inner
            .issues
            .iter()
            .map(|i| issue_dict(py, i))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("issues", PyList::new(py, issues)?)?;
        d.set_item("spent", self.spent(py)?)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let codes: Vec<&str> = self.inner.issues.iter().map(|i| i.code.as_str()).collect();
        format!(
            "PlanReport(ok={}, issues={})",
            pr(py, self.inner.ok()),
            pr(py, codes)
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "PlanReport", &self.inner)
    }
}

/// Checks a plan (a dict of ``envelopes`` and ``lines``, as the command line reads it)
/// and reports every problem at once. A plan that cannot be read at all raises
/// ``FundingValidationError``; floats raise ``TypeError``.
///
/// >>> check_plan({"envelopes": [{"id": "e", "amount": "100"}],
/// ...             "lines": [{"id": "l", "envelope": "e", "amount": 30,
/// ...                        "unit": 10, "quantity": 2}]}).issues[0].code
/// 'line_does_not_add_up'
#[pyfunction]
#[pyo3(signature = (plan, *, rules = None))]
fn check_plan(
    plan: &Bound<'_, PyAny>,
    rules: Option<&Bound<'_, PyRuleBook>>,
) -> PyResult<PyPlanReport> {
    let value = tree(plan, "plan")?;
    Ok(PyPlanReport {
        inner: api::check_plan(book(rules), &value).py()?,
    })
}

// ---- the national simulation ----

/// One structure's simulated result.
///
/// >>> row = simulate(synthetic_structures(3, seed=1)).rows[0]
/// >>> row.total_subsidy == row.first_wave + row.renewal_year1 + row.renewal_year2 + row.renewal_year3
/// True
#[pyclass(
    module = "inclusif._inclusif",
    name = "SimulationRow",
    frozen,
    eq,
    hash
)]
#[derive(PartialEq, Eq, Hash)]
pub struct PySimulationRow {
    inner: api::SimulationRow,
}

#[pymethods]
impl PySimulationRow {
    /// Structure id.
    #[getter]
    fn structure_id(&self) -> &str {
        &self.inner.structure_id
    }
    /// An :class:`EmployerType`.
    #[getter]
    fn employer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        EMPLOYER_TYPE.member(py, self.inner.employer.as_str())
    }
    /// A :class:`Territory`.
    #[getter]
    fn territory<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        TERRITORY.member(py, self.inner.territory.as_str())
    }
    /// Posts.
    #[getter]
    fn posts(&self) -> u32 {
        self.inner.posts
    }
    /// First-wave subsidy, all posts.
    #[getter]
    fn first_wave(&self) -> Decimal {
        self.inner.first_wave
    }
    /// The agency's estimated State investment.
    #[getter]
    fn anct_estimate(&self) -> Decimal {
        self.inner.anct_estimate
    }
    /// Renewal, year 1 tranche, all posts (0 if not renewed).
    #[getter]
    fn renewal_year1(&self) -> Decimal {
        self.inner.renewal_year1
    }
    /// Renewal, year 2 tranche.
    #[getter]
    fn renewal_year2(&self) -> Decimal {
        self.inner.renewal_year2
    }
    /// Renewal, year 3 tranche.
    #[getter]
    fn renewal_year3(&self) -> Decimal {
        self.inner.renewal_year3
    }
    /// State-funded training paths.
    #[getter]
    fn training_paths(&self) -> u32 {
        self.inner.training_paths
    }
    /// First wave plus renewal.
    #[getter]
    fn total_subsidy(&self) -> Decimal {
        self.inner.total_subsidy
    }
    /// As a plain dict (enum values as strings).
    ///
    /// >>> simulate(synthetic_structures(1, seed=1)).rows[0].to_dict()["structure_id"]
    /// 'S00000'
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner;
        let d = PyDict::new(py);
        d.set_item("structure_id", &r.structure_id)?;
        d.set_item("employer", r.employer.as_str())?;
        d.set_item("territory", r.territory.as_str())?;
        d.set_item("posts", r.posts)?;
        d.set_item("first_wave", r.first_wave)?;
        d.set_item("anct_estimate", r.anct_estimate)?;
        d.set_item("renewal_year1", r.renewal_year1)?;
        d.set_item("renewal_year2", r.renewal_year2)?;
        d.set_item("renewal_year3", r.renewal_year3)?;
        d.set_item("training_paths", r.training_paths)?;
        d.set_item("total_subsidy", r.total_subsidy)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SimulationRow(structure_id={}, employer={}, territory={}, posts={}, total_subsidy=Decimal('{}'))",
            pr(py, &self.inner.structure_id),
            pr(py, self.inner.employer.as_str()),
            pr(py, self.inner.territory.as_str()),
            self.inner.posts,
            self.inner.total_subsidy
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "SimulationRow", &self.inner)
    }
}

/// The national picture from :func:`simulate`: one row per structure (sorted by
/// structure id) and the totals. ``pandas.DataFrame(sim.to_dict())`` gives one row per
/// structure; ``sim.to_csv()`` the core's CSV.
///
/// >>> sim = simulate(synthetic_structures(100, seed=7))
/// >>> len(sim) == len(sim.rows) == 100
/// True
/// >>> sim.total_subsidy == sum(r.total_subsidy for r in sim.rows)
/// True
#[pyclass(module = "inclusif._inclusif", name = "Simulation", frozen, eq, hash)]
pub struct PySimulation {
    inner: api::Simulation,
    rows: PyOnceLock<Py<PyTuple>>,
}

impl PartialEq for PySimulation {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for PySimulation {}

impl std::hash::Hash for PySimulation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state)
    }
}

impl PySimulation {
    fn new(inner: api::Simulation) -> Self {
        PySimulation {
            inner,
            rows: PyOnceLock::new(),
        }
    }
}

const SIMULATION_COLUMNS: [&str; 11] = [
    "structure_id",
    "employer",
    "territory",
    "posts",
    "first_wave",
    "anct_estimate",
    "renewal_year1",
    "renewal_year2",
    "renewal_year3",
    "training_paths",
    "total_subsidy",
];

#[pymethods]
impl PySimulation {
    /// The rows (:class:`SimulationRow`), by structure id.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rows = self.rows.get_or_try_init(py, || {
            let rows = self
                .inner
                .rows
                .iter()
                .map(|r| PySimulationRow { inner: r.clone() }.into_py_any(py))
                .collect::<PyResult<Vec<_>>>()?;
            Ok::<_, PyErr>(PyTuple::new(py, rows)?.unbind())
        })?;
        Ok(rows.bind(py).clone())
    }
    /// Posts in all.
    #[getter]
    fn posts(&self) -> u64 {
        self.inner.posts
    }
    /// First-wave subsidies in all.
    #[getter]
    fn first_wave(&self) -> Decimal {
        self.inner.first_wave
    }
    /// The agency's estimates in all.
    #[getter]
    fn anct_estimate(&self) -> Decimal {
        self.inner.anct_estimate
    }
    /// Renewal tranches in all.
    #[getter]
    fn renewal(&self) -> Decimal {
        self.inner.renewal
    }
    /// Everything: first wave plus renewal.
    #[getter]
    fn total_subsidy(&self) -> Decimal {
        self.inner.total_subsidy
    }
    /// The national totals as a dict (structures, posts, first_wave, anct_estimate,
    /// renewal, total_subsidy).
    ///
    /// >>> simulate(synthetic_structures(10, seed=1)).totals()["structures"]
    /// 10
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let d = PyDict::new(py);
        d.set_item("structures", s.rows.len())?;
        d.set_item("posts", s.posts)?;
        d.set_item("first_wave", s.first_wave)?;
        d.set_item("anct_estimate", s.anct_estimate)?;
        d.set_item("renewal", s.renewal)?;
        d.set_item("total_subsidy", s.total_subsidy)?;
        Ok(d)
    }
    /// The rows as columns, DataFrame-ready: ``pandas.DataFrame(sim.to_dict())``.
    /// Amounts are ``decimal.Decimal``, enum values strings.
    ///
    /// >>> list(simulate(synthetic_structures(2, seed=1)).to_dict())[:3]
    /// ['structure_id', 'employer', 'territory']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = &self.inner.rows;
        let d = PyDict::new(py);
        let col = |f: fn(&api::SimulationRow) -> Decimal| PyList::new(py, rows.iter().map(f));
        d.set_item(
            SIMULATION_COLUMNS[0],
            PyList::new(py, rows.iter().map(|r| r.structure_id.as_str()))?,
        )?;
        d.set_item(
            SIMULATION_COLUMNS[1],
            PyList::new(py, rows.iter().map(|r| r.employer.as_str()))?,
        )?;
        d.set_item(
            SIMULATION_COLUMNS[2],
            PyList::new(py, rows.iter().map(|r| r.territory.as_str()))?,
        )?;
        d.set_item(
            SIMULATION_COLUMNS[3],
            PyList::new(py, rows.iter().map(|r| r.posts))?,
        )?;
        d.set_item(SIMULATION_COLUMNS[4], col(|r| r.first_wave)?)?;
        d.set_item(SIMULATION_COLUMNS[5], col(|r| r.anct_estimate)?)?;
        d.set_item(SIMULATION_COLUMNS[6], col(|r| r.renewal_year1)?)?;
        d.set_item(SIMULATION_COLUMNS[7], col(|r| r.renewal_year2)?)?;
        d.set_item(SIMULATION_COLUMNS[8], col(|r| r.renewal_year3)?)?;
        d.set_item(
            SIMULATION_COLUMNS[9],
            PyList::new(py, rows.iter().map(|r| r.training_paths))?,
        )?;
        d.set_item(SIMULATION_COLUMNS[10], col(|r| r.total_subsidy)?)?;
        Ok(d)
    }
    /// The rows as a list of dicts (``pandas.DataFrame(sim.to_records())`` works too).
    ///
    /// >>> simulate(synthetic_structures(2, seed=1)).to_records()[1]["structure_id"]
    /// 'S00001'
    fn to_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .inner
            .rows
            .iter()
            .map(|r| PySimulationRow { inner: r.clone() }.to_dict(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }
    /// The rows as CSV text, exactly as the command line writes them (header first).
    ///
    /// >>> simulate(synthetic_structures(1, seed=1)).to_csv().splitlines()[0].split(",")[0]
    /// 'structure_id'
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        let inner = &self.inner;
        py.detach(|| inner.to_csv()).py()
    }
    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "Simulation(structures={}, posts={}, total_subsidy=Decimal('{}'))",
            self.inner.rows.len(),
            self.inner.posts,
            self.inner.total_subsidy
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        reduce(py, "Simulation", &self.inner)
    }
}

/// A field of one structure, `None` if absent.
fn field<'py>(row: &Bound<'py, PyAny>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match row.get_item(key) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(row.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

fn required<'py>(row: &Bound<'py, PyAny>, key: &str, path: &str) -> PyResult<Bound<'py, PyAny>> {
    field(row, key)?.ok_or_else(|| invalid("invalid_input", format!("{path}: missing {key:?}")))
}

fn no_float(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<()> {
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{path}: a float is not accepted here; pass an int (a pandas column with missing values becomes float: fill it first)"
        )));
    }
    Ok(())
}

fn flag(row: &Bound<'_, PyAny>, key: &str, path: &str) -> PyResult<bool> {
    match field(row, key)? {
        None => Ok(false),
        Some(v) if v.is_none() => Ok(false),
        Some(v) => {
            let path = format!("{path}[{key:?}]");
            no_float(&v, &path)?;
            v.extract::<bool>().map_err(|_| {
                PyTypeError::new_err(format!("{path}: expected a bool, got {}", type_name(&v)))
            })
        }
    }
}

/// One structure dict (or mapping) as the API's input row.
fn structure(row: &Bound<'_, PyAny>, path: &str) -> PyResult<api::StructurePosts> {
    if !is_mapping(row)? {
        return Err(PyTypeError::new_err(format!(
            "{path}: expected a dict, got {}",
            type_name(row)
        )));
    }
    let id = required(row, "structure_id", path)?;
    let structure_id = if id.is_instance_of::<PyString>() {
        id.extract()?
    } else if id.is_instance_of::<PyInt>() && !id.is_instance_of::<PyBool>() {
        id.str()?.to_string()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{path}[\"structure_id\"]: expected str or int, got {}",
            type_name(&id)
        )));
    };
    let employer = enum_arg(
        &required(row, "employer", path)?,
        &format!("{path}[\"employer\"]"),
    )?;
    let territory = territory_value(
        &required(row, "territory", path)?,
        &format!("{path}[\"territory\"]"),
    )?;
    let posts_obj = required(row, "posts", path)?;
    let posts_path = format!("{path}[\"posts\"]");
    no_float(&posts_obj, &posts_path)?;
    if posts_obj.is_instance_of::<PyBool>() || posts_obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{posts_path}: expected an int, got {}",
            type_name(&posts_obj)
        )));
    }
    let posts: u32 = posts_obj.extract().map_err(|_| {
        invalid(
            "invalid_input",
            format!(
                "{posts_path}: {} is not a count of posts (0 to 4294967295)",
                posts_obj.str().map(|s| s.to_string()).unwrap_or_default()
            ),
        )
    })?;
    Ok(api::StructurePosts {
        structure_id,
        employer,
        territory,
        posts,
        qpv_or_zrr: flag(row, "qpv_or_zrr", path)?,
        renewed: flag(row, "renewed", path)?,
    })
}

/// A territory: a :class:`Territory` member, its value, a département code as text, or
/// a département code as an int (``75``).
fn territory_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        let code: u32 = obj.extract().map_err(|_| {
            invalid(
                "unknown_territory",
                format!(
                    "{path}: {} is not a département code",
                    obj.str().map(|s| s.to_string()).unwrap_or_default()
                ),
            )
        })?;
        return Ok(format!("{code:02}"));
    }
    enum_arg(obj, path)
}

/// Structures as a list of dicts or as one dict of columns.
fn structures(obj: &Bound<'_, PyAny>) -> PyResult<Vec<api::StructurePosts>> {
    if is_mapping(obj)? {
        let mapping = obj.cast::<PyMapping>()?;
        let mut columns = Vec::new();
        let mut len: Option<usize> = None;
        for key in mapping.keys()? {
            let name: String = key
                .extract()
                .map_err(|_| PyTypeError::new_err("structures: column names must be str"))?;
            let column = obj.get_item(&key)?;
            if column.is_instance_of::<PyString>() || column.len().is_err() {
                return Err(PyTypeError::new_err(format!(
                    "structures[{name:?}]: a columnar dict needs a sequence per column, got {}",
                    type_name(&column)
                )));
            }
            let n = column.len()?;
            if len.is_some_and(|l| l != n) {
                return Err(invalid(
                    "invalid_input",
                    format!(
                        "structures[{name:?}]: {n} values, other columns have {}",
                        len.unwrap_or(0)
                    ),
                ));
            }
            len = Some(n);
            let values: Vec<Bound<'_, PyAny>> = column.try_iter()?.collect::<PyResult<_>>()?;
            columns.push((name, values));
        }
        let py = obj.py();
        (0..len.unwrap_or(0))
            .map(|i| {
                let row = PyDict::new(py);
                for (name, values) in &columns {
                    row.set_item(name, &values[i])?;
                }
                structure(row.as_any(), &format!("structures[{i}]"))
            })
            .collect()
    } else {
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "structures: expected a list of dicts or a dict of columns, got str",
            ));
        }
        obj.try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "structures: expected a list of dicts or a dict of columns, got {}",
                    type_name(obj)
                ))
            })?
            .enumerate()
            .map(|(i, row)| structure(&row?, &format!("structures[{i}]")))
            .collect()
    }
}

fn options(obj: Option<&Bound<'_, PyAny>>) -> PyResult<api::SimulationOptions> {
    let mut o = api::SimulationOptions::default();
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(o);
    };
    if !is_mapping(obj)? {
        return Err(PyTypeError::new_err(format!(
            "options: expected a dict, got {}",
            type_name(obj)
        )));
    }
    for item in obj.call_method0("items")?.try_iter()? {
        let (key, value): (String, Bound<'_, PyAny>) = item?.extract()?;
        let path = format!("options[{key:?}]");
        match key.as_str() {
            "private_source" => {
                o.private_source =
                    api::PrivateAmountSource::parse(&enum_arg(&value, &path)?).py()?
            }
            "first_wave_on" => o.first_wave_on = date_arg(&value, &path)?,
            "renewal_on" => o.renewal_on = date_arg(&value, &path)?,
            "anct_export_on" => o.anct_export_on = date_arg(&value, &path)?,
            "training_rounding" => {
                o.training_rounding = api::RoundingMode::parse(&enum_arg(&value, &path)?).py()?
            }
            _ => {
                return Err(invalid(
                    "invalid_input",
                    format!(
                        "options: unknown option {key:?} (private_source, first_wave_on, renewal_on, anct_export_on, training_rounding)"
                    ),
                ));
            }
        }
    }
    Ok(o)
}

/// Simulates every structure's conseiller numérique posts: first-wave subsidy, the
/// agency's estimate, the renewal tranches and training paths, with national totals.
/// ``structures`` is a list of dicts or a dict of columns (``structure_id``,
/// ``employer``, ``territory``, ``posts``, optional ``qpv_or_zrr`` and ``renewed``);
/// ``options`` a dict (``private_source``, ``first_wave_on``, ``renewal_on``,
/// ``anct_export_on``, ``training_rounding``). The computation runs without the GIL.
///
/// >>> sim = simulate([{"structure_id": "A", "employer": "public", "territory": "75",
/// ...                  "posts": 2, "renewed": True}])
/// >>> (sim.first_wave, sim.renewal)
/// (Decimal('100000'), Decimal('85000'))
#[pyfunction]
#[pyo3(signature = (structures, options = None, *, rules = None))]
fn simulate(
    py: Python<'_>,
    structures: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
    rules: Option<&Bound<'_, PyRuleBook>>,
) -> PyResult<PySimulation> {
    let rows = self::structures(structures)?;
    let options = self::options(options)?;
    let book = book(rules);
    let sim = py.detach(|| api::simulate(book, &rows, &options)).py()?;
    Ok(PySimulation::new(sim))
}

/// A deterministic synthetic national dataset (not real data) as a list of structure
/// dicts, ready for :func:`simulate`: about two thirds public, a few overseas, 1 to 3
/// posts each, four in five renewed.
///
/// >>> synthetic_structures(2, seed=7)[0]["structure_id"]
/// 'S00000'
#[pyfunction]
#[pyo3(signature = (n, seed = 0))]
fn synthetic_structures<'py>(py: Python<'py>, n: u32, seed: u64) -> PyResult<Bound<'py, PyList>> {
    let rows = py.detach(|| api::synthetic_structures(n, seed));
    let dicts = rows
        .iter()
        .map(|s| {
            let d = PyDict::new(py);
            d.set_item("structure_id", &s.structure_id)?;
            d.set_item("employer", &s.employer)?;
            d.set_item("territory", &s.territory)?;
            d.set_item("posts", s.posts)?;
            d.set_item("qpv_or_zrr", s.qpv_or_zrr)?;
            d.set_item("renewed", s.renewed)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, dicts)
}

// ---- money ----

fn rounding_arg(obj: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<api::Rounding> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(api::Rounding::Cent),
        Some(o) => api::Rounding::parse(&enum_arg(o, field)?).py(),
    }
}

fn decimals(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<Decimal>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a sequence of amounts, got str"
        )));
    }
    obj.try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{field}: expected a sequence of amounts, got {}",
                type_name(obj)
            ))
        })?
        .enumerate()
        .map(|(i, item)| decimal_arg(&item?, &format!("{field}[{i}]")))
        .collect()
}

/// An amount rounded with a named :class:`Rounding` (default: to the cent, half away
/// from zero); negative amounts are ``negative_amount``.
///
/// >>> from decimal import Decimal
/// >>> round_amount(Decimal("2.5"), Rounding.EURO_HALF_EVEN)
/// Decimal('2')
#[pyfunction]
#[pyo3(signature = (amount, rounding = None))]
fn round_amount(
    amount: &Bound<'_, PyAny>,
    rounding: Option<&Bound<'_, PyAny>>,
) -> PyResult<Decimal> {
    let amount = decimal_arg(amount, "amount")?;
    api::round_amount(amount, rounding_arg(rounding, "rounding")?).py()
}

/// Splits ``total`` (a whole number of ``precision`` units) in proportion to
/// non-negative weights by the largest-remainder method: the parts always sum to the
/// total.
///
/// >>> from decimal import Decimal
/// >>> split_by_weights(Decimal("100"), [1, 1, 1])
/// [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
#[pyfunction]
#[pyo3(signature = (total, weights, precision = None))]
fn split_by_weights(
    total: &Bound<'_, PyAny>,
    weights: &Bound<'_, PyAny>,
    precision: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Decimal>> {
    let total = decimal_arg(total, "total")?;
    let weights = decimals(weights, "weights")?;
    api::split_by_weights(total, &weights, precision_arg(precision)?).py()
}

fn precision_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<api::Precision> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(api::Precision::Cent),
        Some(o) => api::Precision::parse(&enum_arg(o, "precision")?).py(),
    }
}

/// Splits ``total`` by rates (each in 0..1) that add up to exactly 1; the parts sum to
/// the total.
///
/// >>> from decimal import Decimal
/// >>> split_by_rates(Decimal("10"), [Decimal("0.5"), Decimal("0.5")], Precision.EURO)
/// [Decimal('5'), Decimal('5')]
#[pyfunction]
#[pyo3(signature = (total, rates, precision = None))]
fn split_by_rates(
    total: &Bound<'_, PyAny>,
    rates: &Bound<'_, PyAny>,
    precision: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Decimal>> {
    let total = decimal_arg(total, "total")?;
    let rates = decimals(rates, "rates")?;
    api::split_by_rates(total, &rates, precision_arg(precision)?).py()
}

/// Instalments from cumulative targets (non-decreasing fractions, the last exactly 1),
/// each running total rounded: they sum to the total.
///
/// >>> from decimal import Decimal
/// >>> instalments(Decimal("100"), [Decimal("0.3"), Decimal("1")], Rounding.EURO)
/// [Decimal('30'), Decimal('70')]
#[pyfunction]
#[pyo3(signature = (total, cumulative, rounding = None))]
fn instalments(
    total: &Bound<'_, PyAny>,
    cumulative: &Bound<'_, PyAny>,
    rounding: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Decimal>> {
    let total = decimal_arg(total, "total")?;
    let cumulative = decimals(cumulative, "cumulative")?;
    api::instalments(total, &cumulative, rounding_arg(rounding, "rounding")?).py()
}

/// ``n`` instalments as equal as the rounding allows, the remainder in the last ones.
///
/// >>> from decimal import Decimal
/// >>> equal_instalments(Decimal("100"), 3)
/// [Decimal('33.33'), Decimal('33.34'), Decimal('33.33')]
#[pyfunction]
#[pyo3(signature = (total, n, rounding = None))]
fn equal_instalments(
    total: &Bound<'_, PyAny>,
    n: u32,
    rounding: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Decimal>> {
    let total = decimal_arg(total, "total")?;
    api::equal_instalments(total, n, rounding_arg(rounding, "rounding")?).py()
}

/// Adds the domain's classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFundingRule>()?;
    m.add_class::<PyRuleBook>()?;
    m.add_class::<PyRuleCitation>()?;
    m.add_class::<PyBreakdownLine>()?;
    m.add_class::<PyBreakdown>()?;
    m.add_class::<PyPlanIssue>()?;
    m.add_class::<PyPlanReport>()?;
    m.add_class::<PySimulationRow>()?;
    m.add_class::<PySimulation>()?;
    m.add("FUNDING_PROGRAMMES", PyTuple::new(m.py(), api::PROGRAMMES)?)?;
    m.add_function(wrap_pyfunction!(compute, m)?)?;
    m.add_function(wrap_pyfunction!(compute_json, m)?)?;
    m.add_function(wrap_pyfunction!(check_plan, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_structures, m)?)?;
    m.add_function(wrap_pyfunction!(round_amount, m)?)?;
    m.add_function(wrap_pyfunction!(split_by_weights, m)?)?;
    m.add_function(wrap_pyfunction!(split_by_rates, m)?)?;
    m.add_function(wrap_pyfunction!(instalments, m)?)?;
    m.add_function(wrap_pyfunction!(equal_instalments, m)?)?;
    m.add_function(wrap_pyfunction!(_funding_unpickle, m)?)?;
    Ok(())
}
