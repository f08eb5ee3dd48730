//! Venues: the national data standard for lieux de médiation numérique (v1.0.2 and
//! v0.1), read and validated with every problem reported, migrated, and labelled with
//! reasons (research note venues.md; real data in shared/data/venues).

pub mod coverage;
pub mod error;
pub mod geo;
pub mod hours;
pub mod labels;
pub mod migrate;
pub mod read;
pub mod schema;
pub mod validate;

pub use error::VenueError;
pub use read::{RawFile, RawRecord, read_any, read_csv, read_json};
pub use schema::{Schema, Version};
