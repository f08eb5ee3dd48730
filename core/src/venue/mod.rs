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

/// Files from several producers merged into one list of v1.0.2 records, with the pairs
/// that look like the same venue (same SIRET, same address close by, similar names close
/// by: [`coverage::duplicates`]). Nothing is dropped: the caller decides what to keep.
/// Ids are prefixed with their source (`source:id`) so they stay unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Every record of every file, in order, ids prefixed with the source.
    pub records: Vec<RawRecord>,
    /// Pairs that look like the same venue, by index into `records`.
    pub duplicates: Vec<coverage::DuplicatePair>,
}

/// Merges files given as (source name, file).
pub fn merge(files: &[(&str, &RawFile)]) -> Merged {
    let mut records = Vec::new();
    let mut candidates = Vec::new();
    for (source, file) in files {
        for r in as_v1(file).0 {
            let mut r = r;
            let id = format!("{source}:{}", r.get("id").unwrap_or(""));
            r.fields.insert("id".into(), id.clone());
            candidates.push(coverage::DuplicateCandidate {
                id,
                source: (*source).to_owned(),
                siret: r.get("pivot").map(str::to_owned),
                address: r.get("adresse").unwrap_or("").to_owned(),
                name: r.get("nom").unwrap_or("").to_owned(),
                lat: r.get("latitude").and_then(|v| v.parse().ok()),
                lon: r.get("longitude").and_then(|v| v.parse().ok()),
            });
            records.push(r);
        }
    }
    Merged {
        duplicates: coverage::duplicates(&candidates),
        records,
    }
}
