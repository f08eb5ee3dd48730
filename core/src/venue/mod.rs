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
pub use read::{RawFile, RawRecord, read_any, read_csv, read_json, write_csv};
pub use schema::{Schema, Version};

/// Every record of a file as v1.0.2 records, normalised: v0.1 files are migrated with the
/// shipped table first (see [`migrate`]); the migration, when there was one, comes back
/// too. Records are returned whatever their problems (run [`validate`] to know them).
pub fn as_v1(file: &RawFile) -> (Vec<RawRecord>, Option<migrate::Migration>) {
    match validate::detect_version(file) {
        Version::V1_0_2 => (
            file.records
                .iter()
                .map(|r| validate::normalise(r, Version::V1_0_2).0)
                .collect(),
            None,
        ),
        Version::V0_1 => {
            let m = migrate::migrate_file(&file.records, &migrate::MigrationTable::default());
            let records = m
                .records
                .iter()
                .map(|r| validate::normalise(r, Version::V1_0_2).0)
                .collect();
            (records, Some(m))
        }
    }
}
