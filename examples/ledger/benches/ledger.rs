//! Redemptions per second, side by side in one run: SQLite with one transaction per
//! redemption (synchronous=FULL, each commit an fsync), SQLite batched (1,000 per
//! transaction through `redeem_all`), and PostgreSQL one redemption per statement.
//!
//! `cargo bench -p inclusif-ledger --bench ledger` (PostgreSQL needs
//! INCLUSIF_TEST_PG_URL, which tests/run.sh sets; without it the bench fails). Under
//! `cargo test` each case runs once, on a batch of 10.

use std::cell::Cell;
use std::time::Duration;

use chrono::DateTime;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use inclusif_core::voucher::{Kid, Ledger, Redemption, Serial};
use inclusif_ledger::{PgLedger, PgOptions, SqliteLedger};

/// 2026-06-01T10:00:00Z in nanoseconds.
const BASE_NS: i64 = 1_780_308_000_000_000_000;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A fresh redemption each call (the ledger would refuse a serial twice).
fn next(counter: &Cell<u64>) -> Redemption {
    let n = counter.get();
    counter.set(n + 1);
    Redemption {
        issuer: "bench".into(),
        serial: Serial::from_u128(u128::from(n)).unwrap(),
        kid: Kid::new(7).unwrap(),
        value_cents: 1000,
        venue: "venue-lyon-01".into(),
        at: DateTime::from_timestamp_nanos(BASE_NS + n as i64),
    }
}

fn bench(c: &mut Criterion) {
    let batch = if bench_mode() { 1000 } else { 10 };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteLedger::open(dir.path().join("bench.sqlite")).unwrap();
    let url = std::env::var("INCLUSIF_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "INCLUSIF_TEST_PG_URL is not set: the PostgreSQL bench needs a server; run \
             tests/run.sh (it starts a throwaway cluster) or set the variable"
        )
    });
    let schema = format!("bench_{}", std::process::id());
    let pg = PgLedger::connect_with(&url, PgOptions::default().schema(&schema)).unwrap();
    let counter = Cell::new(0u64);

    let mut g = c.benchmark_group("redeem");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1));
    g.bench_function("sqlite: one transaction per redemption (FULL)", |b| {
        b.iter_batched(
            || next(&counter),
            |r| sqlite.redeem(r).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("postgresql: one redemption per statement", |b| {
        b.iter_batched(
            || next(&counter),
            |r| pg.redeem(r).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.throughput(Throughput::Elements(batch));
    g.bench_function(
        format!("sqlite: batched, {batch} per transaction (FULL)"),
        |b| {
            b.iter_batched(
                || (0..batch).map(|_| next(&counter)).collect::<Vec<_>>(),
                |rs| sqlite.redeem_all(&rs).unwrap(),
                BatchSize::LargeInput,
            )
        },
    );
    g.bench_function(
        format!("postgresql: batched, {batch} per transaction"),
        |b| {
            b.iter_batched(
                || (0..batch).map(|_| next(&counter)).collect::<Vec<_>>(),
                |rs| pg.redeem_all(&rs).unwrap(),
                BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
