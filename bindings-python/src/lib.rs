//! Python bindings of inclusif: the extension module `inclusif._inclusif`, re-exported by
//! the `inclusif` package and its domain modules (`inclusif.voucher`, `inclusif.funding`,
//! `inclusif.mandate`, `inclusif.venue`). A thin adapter over `inclusif_core::api`: it
//! converts values and errors, and holds no rule of its own.
#![deny(missing_docs)]

mod convert;
mod funding;
mod mandate;
mod venue;
mod voucher;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _inclusif(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    voucher::register(m)?;
    funding::register(m)?;
    mandate::register(m)?;
    venue::register(m)?;
    Ok(())
}
