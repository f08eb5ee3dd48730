//! The voucher domain in Python (filled by its binding work).

use pyo3::prelude::*;

/// Adds the domain's classes and functions to the native module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
