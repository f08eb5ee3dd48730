//! Kotlin (`fr.inclusif`) and Swift (`Inclusif`) bindings of inclusif through UniFFI
//! proc-macros: a thin adapter over `inclusif_core::api` that converts values and errors
//! and holds no rule of its own.
//!
//! One module per domain ([`funding`], [`mandate`], [`venue`], [`voucher`], and [`store`]
//! for the files a phone keeps: the offline queue and the SQLite ledger); [`error`]
//! holds the one exception (`InclusifException` / `InclusifError`), [`types`] the custom
//! types (`BigDecimal`/`Decimal` amounts, `Instant`/`Date` instants, `LocalDate` civil
//! dates).
//! A new domain is a new module here and a new Kotlin test file in `tests/kotlin/`.
#![deny(missing_docs)]

uniffi::setup_scaffolding!("inclusif");

pub mod error;
pub mod funding;
pub mod mandate;
pub mod store;
pub mod types;
pub mod venue;
pub mod voucher;

pub use error::{ErrorDomain, InclusifError};

/// The library's version (the workspace's).
#[uniffi::export]
pub fn inclusif_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
