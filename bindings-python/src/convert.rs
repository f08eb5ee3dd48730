//! Conversions shared by every domain: errors to the `inclusif.errors` exceptions,
//! `decimal.Decimal` amounts (never floats), aware `datetime`s, `date`s and `enum.Enum`
//! members. Each names the argument it checks, so a Python caller reads which one is wrong.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use inclusif_core::api::{Domain, Error, ErrorKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyFloat, PyInt, PyString, PyTzInfo};
use rust_decimal::Decimal;

/// The Python exception for a core error: `inclusif.errors.<Domain>Error`, or
/// `<Domain>ValidationError` (also a `ValueError`) when the input was at fault; `.code` is
/// the core's stable code.
pub fn to_py_err(e: Error) -> PyErr {
    Python::attach(|py| match raise(py, &e) {
        Ok(err) | Err(err) => err,
    })
}

fn raise(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = ERRORS.get_or_try_init(py, || py.import("inclusif.errors").map(Bound::unbind))?;
    let domain = match e.domain {
        Domain::Voucher => "Voucher",
        Domain::Funding => "Funding",
        Domain::Mandate => "Mandate",
        Domain::Venue => "Venue",
    };
    let class = match e.kind {
        ErrorKind::Invalid => format!("{domain}ValidationError"),
        ErrorKind::Refused => format!("{domain}Error"),
    };
    let value = module
        .bind(py)
        .getattr(class.as_str())?
        .call1((e.code, e.message.as_str()))?;
    Ok(PyErr::from_value(value))
}

/// `Result<T, api::Error>` into `PyResult<T>`.
pub trait IntoPy<T> {
    /// Converts the error, if any, with [`to_py_err`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

/// An amount: `decimal.Decimal` or `int`. A float is refused with `TypeError` (a float
/// amount is a bug: 0.1 + 0.2 is not 0.3), as is anything else; NaN and infinities with
/// `ValueError`.
pub fn decimal_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: a float is not an amount (it cannot hold cents exactly); pass decimal.Decimal(\"10.50\") or an int"
        )));
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected decimal.Decimal or int, got bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        let v: i64 = obj
            .extract()
            .map_err(|_| PyValueError::new_err(format!("{field}: the integer is out of range")))?;
        return Ok(Decimal::from(v));
    }
    if is_decimal(obj)? {
        if !obj.call_method0("is_finite")?.extract::<bool>()? {
            return Err(PyValueError::new_err(format!(
                "{field}: {} is not a finite amount",
                obj.str()?
            )));
        }
        return obj.extract::<Decimal>().map_err(|_| {
            PyValueError::new_err(format!(
                "{field}: {} does not fit in 28 significant digits",
                obj.str().map(|s| s.to_string()).unwrap_or_default()
            ))
        });
    }
    Err(PyTypeError::new_err(format!(
        "{field}: expected decimal.Decimal or int, got {}",
        type_name(obj)
    )))
}

fn is_decimal(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = obj.py();
    let class = DECIMAL.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("decimal")?.getattr("Decimal")?.unbind())
    })?;
    obj.is_instance(class.bind(py))
}

/// An instant: a timezone-aware `datetime` (any tzinfo), converted to UTC. A naive
/// datetime is refused with `ValueError`: its instant is unknown.
pub fn instant_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    if !obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a timezone-aware datetime.datetime, got {}",
            type_name(obj)
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{field}: a naive datetime is not an instant; give it a time zone, e.g. datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc) or ZoneInfo(\"Europe/Paris\")"
        )));
    }
    // pyo3 only extracts fixed-offset tzinfos: convert any tzinfo (ZoneInfo…) to UTC first.
    let utc = obj.call_method1("astimezone", (PyTzInfo::utc(obj.py())?,))?;
    let fixed: DateTime<FixedOffset> = utc.extract()?;
    Ok(fixed.to_utc())
}

/// A civil date: a `datetime.date` that is not a `datetime` (a datetime's date depends on
/// a time zone the caller should choose).
pub fn date_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    if obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a datetime.date, got a datetime (call .date() in the time zone you mean)"
        )));
    }
    if !obj.is_instance_of::<PyDate>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a datetime.date, got {}",
            type_name(obj)
        )));
    }
    obj.extract()
}

/// An enum argument: a member of the given `enum.Enum` class, or its string value.
/// Returns the value; the core checks that it is one it knows.
pub fn enum_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    if obj.is_instance_of::<PyString>() {
        return obj.extract();
    }
    if let Ok(value) = obj.getattr("value")
        && value.is_instance_of::<PyString>()
        && is_enum(obj)?
    {
        return value.extract();
    }
    Err(PyTypeError::new_err(format!(
        "{field}: expected an enum member or its string value, got {}",
        type_name(obj)
    )))
}

fn is_enum(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static ENUM: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = obj.py();
    let class = ENUM.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("enum")?.getattr("Enum")?.unbind())
    })?;
    obj.is_instance(class.bind(py))
}

/// A cached Python enum class, defined in a public module (`inclusif.voucher`, …), from
/// which [`enum_member`] builds members. Declare one `static` per enum class.
pub struct EnumClass {
    module: &'static str,
    name: &'static str,
    class: PyOnceLock<Py<PyAny>>,
}

impl EnumClass {
    /// The class `name` of `module`, imported on first use.
    pub const fn new(module: &'static str, name: &'static str) -> Self {
        EnumClass {
            module,
            name,
            class: PyOnceLock::new(),
        }
    }

    /// The member whose value is `value`.
    pub fn member<'py>(&self, py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyAny>> {
        let class = self.class.get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import(self.module)?.getattr(self.name)?.unbind())
        })?;
        class.bind(py).call1((value,))
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}
