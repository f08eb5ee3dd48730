//! The binding-friendly API: the one surface the Python and mobile bindings adapt.
//!
//! Everything here takes and returns owned, plain values (strings, integers, bytes,
//! [`Decimal`](rust_decimal::Decimal) amounts, UTC instants, civil dates, vectors and
//! records of those), names enum values by their stable snake_case strings, and fails
//! with one [`Error`] that carries its domain, its stable code and whether the input was
//! at fault. The domain modules stay the place for Rust callers who want the typed API;
//! this facade only converts, it holds no rule of its own.

pub mod error;
pub mod funding;
pub mod mandate;
pub mod venue;
pub mod voucher;

pub use error::{Domain, Error, ErrorKind};

/// The result of every call in this API.
pub type Result<T> = std::result::Result<T, Error>;
