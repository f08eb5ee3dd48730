//! Kotlin (`fr.inclusif`) and Swift (`Inclusif`) bindings of inclusif through UniFFI
//! proc-macros: a thin adapter over `inclusif_core::api` that converts values and errors
//! and holds no rule of its own.
//!
//! One module per domain ([`funding`], [`mandate`], [`venue`]); [`error`] holds the one
//! exception (`InclusifException` / `InclusifError`), [`types`] the custom types
//! (`BigDecimal`/`Decimal` amounts, `Instant`/`Date` instants, `LocalDate` civil dates).
//! A new domain is a new module here and a new Kotlin test file in `tests/kotlin/`.
#![deny(missing_docs)]

uniffi::setup_scaffolding!("inclusif");

pub mod error;
pub mod funding;
pub mod mandate;
pub mod types;
pub mod venue;

pub use error::{ErrorDomain, InclusifError};

/// Every stable error code of the voucher domain.
#[uniffi::export]
pub fn voucher_error_codes() -> Vec<String> {
    inclusif_core::voucher::VoucherError::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

/// The library's version (the workspace's).
#[uniffi::export]
pub fn inclusif_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
