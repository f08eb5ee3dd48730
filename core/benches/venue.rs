//! Venue benchmarks on the real file (687 venues, shared/data/venues) and on a
//! national-scale file of 100,048 rows derived from it (each venue repeated with its own
//! id and coordinates moved by up to ±0.05°). Nearest-venue queries through the R*-tree
//! are measured beside the reference linear scan in the same run.
//!
//! `cargo bench -p inclusif-core --bench venue`

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inclusif_core::venue::coverage::{IndexedVenue, VenueIndex};
use inclusif_core::venue::labels::{EvaluationContext, LabelRules, evaluate};
use inclusif_core::venue::migrate::{MigrationTable, migrate_file};
use inclusif_core::venue::validate::{Options, validate};
use inclusif_core::venue::{RawFile, RawRecord, as_v1, read_json};

fn real() -> RawFile {
    let path = format!(
        "{}/../../shared/data/venues/hinaura-2021-2022.standard-v0.json",
        env!("CARGO_MANIFEST_DIR")
    );
    read_json(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

/// The real file repeated to national scale, deterministic.
fn national(real: &RawFile) -> RawFile {
    let copies = 100_000 / real.records.len() + 1;
    let mut records = Vec::with_capacity(copies * real.records.len());
    for c in 0..copies {
        for (i, r) in real.records.iter().enumerate() {
            let mut r: RawRecord = r.clone();
            r.row = records.len() + 1;
            let id = format!("{}-{c}", r.get("id").unwrap_or("x"));
            r.fields.insert("id".into(), id);
            // A deterministic jitter of up to ±0.05° (about 5 km).
            let j = (((c * 7919 + i * 104_729) % 1000) as f64 - 500.0) / 10_000.0;
            for (field, shift) in [("latitude", j), ("longitude", -j)] {
                if let Some(v) = r.get(field).and_then(|v| v.parse::<f64>().ok()) {
                    r.fields.insert(field.into(), format!("{:.6}", v + shift));
                }
            }
            records.push(r);
        }
    }
    RawFile {
        columns: real.columns.clone(),
        records,
    }
}

fn bench(c: &mut Criterion) {
    let real = real();
    let big = national(&real);
    let options = Options {
        version: None,
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    };
    let table = MigrationTable::default();
    let labels = LabelRules::shipped();
    let ctx = EvaluationContext::default();
    for (name, file) in [("real_687", &real), ("national_100k", &big)] {
        let mut g = c.benchmark_group(format!("venues_{name}"));
        g.throughput(Throughput::Elements(file.records.len() as u64));
        if file.records.len() > 10_000 {
            g.sample_size(10);
        }
        g.bench_function("validate (v0.1, with every cross-check)", |b| {
            b.iter(|| validate(black_box(file), &options))
        });
        g.bench_function("migrate v0.1 to v1.0.2", |b| {
            b.iter(|| migrate_file(black_box(&file.records), &table))
        });
        let (v1, _) = as_v1(file);
        g.bench_function("label: the four shipped labels", |b| {
            b.iter(|| {
                let mut n = 0;
                for r in &v1 {
                    for l in &labels {
                        n += evaluate(black_box(r), l, &ctx).criteria.len();
                    }
                }
                n
            })
        });
        g.finish();
    }
    let (v1, _) = as_v1(&big);
    let index = VenueIndex::new(v1.iter().filter_map(|r| {
        Some(IndexedVenue {
            id: r.get("id")?.to_owned(),
            lat: r.get("latitude")?.parse().ok()?,
            lon: r.get("longitude")?.parse().ok()?,
        })
    }));
    let points: Vec<(f64, f64)> = (0..100)
        .map(|i| (44.5 + (i % 10) as f64 * 0.25, 4.5 + (i / 10) as f64 * 0.3))
        .collect();
    let mut g = c.benchmark_group(format!("nearest_5_among_{}", index.len()));
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_function("inclusif: R*-tree", |b| {
        b.iter(|| {
            points
                .iter()
                .map(|&(la, lo)| index.nearest(la, lo, 5).len())
                .sum::<usize>()
        })
    });
    g.sample_size(10);
    g.bench_function("reference: linear scan", |b| {
        b.iter(|| {
            points
                .iter()
                .map(|&(la, lo)| index.nearest_linear(la, lo, 5).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
