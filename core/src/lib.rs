//! # inclusif-core
//!
//! The pure-Rust core of **inclusif**, the reference implementation of the rules behind
//! France's digital-inclusion programmes. It does no I/O and holds no binding code: the
//! Python and mobile bindings are thin adapters over it.
//!
//! Bindings adapt one surface, [`api`]: owned plain values and one error type.
//!
//! Domains:
//! - [`funding`]: exact money for the programmes (conseillers numériques, Pass numérique,
//!   hubs, France Services, the recovery plan), every amount traced to a dated, sourced rule.
//! - [`mandate`]: Aidants Connect mandates: the rules and the decision function, signed
//!   mandate tokens checked offline, and a tamper-evident journal.
//! - [`venue`]: the national data standard for lieux de médiation numérique: reading,
//!   validation with every problem reported, migration, opening hours, labels, coverage.
//! - [`voucher`]: signed Pass numérique cheques (format v1, 85 bytes, Ed25519), their text,
//!   QR, short-code and keypad forms, trust lists, verification and redemption.
//!
//! ```
//! use inclusif_core::voucher::{Issuer, Kid, Scope, TrustEntry, TrustList, Validity, Verifier};
//! use chrono::{NaiveDate, TimeZone, Utc};
//!
//! let issuer = Issuer::generate(Kid::new(7).unwrap());
//! let validity = Validity::from_dates(
//!     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
//!     NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
//! ).unwrap();
//! let token = issuer.issue_random(1000, validity, Scope::NATIONAL).unwrap();
//!
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
//! let mut trust = TrustList::new(1, now, 86_400 * 7).unwrap();
//! trust.insert(TrustEntry::unrestricted(issuer.kid(), "aptic", issuer.public_key())).unwrap();
//! let verifier = Verifier::new(trust);
//!
//! let verified = verifier.verify_text(&token.to_text(), now).unwrap();
//! assert_eq!(verified.value_cents(), 1000);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod funding;
pub mod mandate;
pub mod venue;
pub mod voucher;
