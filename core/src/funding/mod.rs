//! Funding arithmetic: every euro of the programmes computed exactly and traced to its
//! rule.
//!
//! - [`money`]: [`Euros`] (never negative, never from a float), [`Rate`] (0..=1) and
//!   named [`Rounding`]s; intermediate values stay exact, rounding happens where an
//!   amount becomes payable.
//! - [`split`]: parts that always sum to the whole (largest remainder) and instalments
//!   from cumulative targets.
//! - [`rules`]: the programmes' rules as dated, sourced data ([`RuleBook`]), shipped as
//!   `core/data/funding-rules.tsv` and replaceable.
//! - [`explain`]: every result is a [`Breakdown`] naming its rules, sources, inputs and
//!   formulas.
//! - Programmes: [`cnfs`] (conseillers numériques), [`pass`] (Pass numérique calls and
//!   operator arithmetic), [`hubs`], [`france_services`], [`relance`] (the recovery plan);
//!   [`plan`] checks plans line by line; [`simulation`] computes the national picture;
//!   [`request`] is one serde-friendly entry point for all of them.
//!
//! ```
//! use chrono::NaiveDate;
//! use inclusif_core::funding::{cnfs, Euros, RuleBook};
//! use inclusif_core::funding::cnfs::{EmployerType, PrivateAmountSource, Territory};
//!
//! let book = RuleBook::default();
//! let on = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! let estimate = cnfs::anct_estimated_investment(
//!     &book, EmployerType::Public, Territory::Mainland, 3, PrivateAmountSource::AnctCode, on,
//! ).unwrap();
//! assert_eq!(estimate.total, Euros::whole(166_286));
//! println!("{estimate}"); // every line with its rule, source and formula
//! ```

pub mod cnfs;
pub mod error;
pub mod explain;
pub mod france_services;
pub mod hubs;
pub mod money;
pub mod pass;
pub mod plan;
pub mod relance;
pub mod request;
pub mod rules;
pub mod simulation;
pub mod split;

pub use error::FundingError;
pub use explain::{Breakdown, Line, RuleRef};
pub use money::{Euros, Precision, Rate, Rounding, RoundingMode};
pub use request::{Request, compute};
pub use rules::{Confidence, Rule, RuleBook, RuleValue};
