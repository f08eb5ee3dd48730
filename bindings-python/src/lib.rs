//! Python bindings of inclusif: the extension module `inclusif._inclusif`, re-exported by
//! the `inclusif` package. A thin adapter over `inclusif-core`; its own issue fills it.
#![deny(missing_docs)]

use pyo3::prelude::*;

/// The native module.
#[pymodule]
mod _inclusif {
    use pyo3::prelude::*;

    /// The library version.
    #[allow(non_upper_case_globals)] // Python's name for it.
    #[pymodule_export]
    const __version__: &str = env!("CARGO_PKG_VERSION");

    /// Every stable error code of the voucher domain.
    #[pyfunction]
    fn voucher_error_codes() -> Vec<&'static str> {
        inclusif_core::voucher::VoucherError::CODES.to_vec()
    }
}
