//! Kotlin (`fr.inclusif`) and Swift (`Inclusif`) bindings of inclusif through UniFFI
//! proc-macros. A thin adapter over `inclusif-core`; its own issue fills it.
#![deny(missing_docs)]

uniffi::setup_scaffolding!();

/// Every stable error code of the voucher domain.
#[uniffi::export]
pub fn voucher_error_codes() -> Vec<String> {
    inclusif_core::voucher::VoucherError::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}
