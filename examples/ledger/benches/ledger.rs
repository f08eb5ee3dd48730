//! Redemptions per second, side by side in one run: SQLite with one transaction per
//! redemption (synchronous=FULL, each commit an fsync), SQLite batched (1,000 per
//! transaction through `redeem_all`), and PostgreSQL one redemption per statement; then
//! the import of one signed batch of 100,000 queued redemptions (open the batch, check
//! its signature against the registry, verify every token at its acceptance, redeem in
//! chunks of 1,000, log the report) into memory, SQLite and PostgreSQL, one run each.
//!
//! `cargo bench -p inclusif-ledger --bench ledger` (PostgreSQL needs
//! INCLUSIF_TEST_PG_URL, which tests/run.sh sets; without it the bench fails). Under
//! `cargo test` each case runs once, on a batch of 10, and the import on 100 items.

use std::cell::Cell;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use inclusif_core::voucher::sync::VenueStore;
use inclusif_core::voucher::{
    BatchItem, ImportLog, Issuer, Kid, Ledger, MemoryImportLog, MemoryLedger, MemoryVenueRegistry,
    Redemption, RedemptionBatch, RegisteredVenue, Scope, SecretKey, Serial, TrustEntry, TrustList,
    Validity, VenueKey, VenueRegistry, Verifier, import_batch,
};
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
    let url = pg_url();
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

fn pg_url() -> String {
    std::env::var("INCLUSIF_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "INCLUSIF_TEST_PG_URL is not set: the PostgreSQL bench needs a server; run \
             tests/run.sh (it starts a throwaway cluster) or set the variable"
        )
    })
}

/// The import of one signed batch of queued redemptions into each backend, one run
/// each (a batch is imported once; a second import only reads the log): wall time and
/// items per second, printed side by side.
fn import(_: &mut Criterion) {
    let n: u32 = if bench_mode() { 100_000 } else { 100 };
    let at = |h| Utc.with_ymd_and_hms(2026, 6, 1, h, 0, 0).unwrap();
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let mut trust = TrustList::new(1, at(0), 90 * 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    let verifier = Verifier::new(trust).with_any_scope();
    let venue_key = SecretKey::from_seed(&[0x51; 32]);
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let validity = Validity::from_dates(d(1, 1), d(12, 31)).unwrap();
    let started = Instant::now();
    let items: Vec<BatchItem> = (0..n)
        .map(|i| BatchItem {
            token: issuer
                .issue(
                    Serial::from_u128(u128::from(i) + 1).unwrap(),
                    1000,
                    validity,
                    Scope::NATIONAL,
                )
                .unwrap(),
            accepted_at: at(8) + chrono::TimeDelta::milliseconds(i64::from(i)),
        })
        .collect();
    let bytes = RedemptionBatch::new("venue-lyon-01", 1, 1, at(9), items)
        .unwrap()
        .sign(&venue_key);
    eprintln!(
        "import: a batch of {n} items ({} bytes) issued and signed in {:.2} s",
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    let register = |r: &dyn VenueStore| {
        r.put_venue(RegisteredVenue::new("venue-lyon-01", "Lyon", "12345678900007", true).unwrap())
            .unwrap();
        r.put_key(VenueKey {
            venue: "venue-lyon-01".into(),
            key_id: 1,
            public_key: venue_key.public_key(),
            active: true,
        })
        .unwrap();
    };
    let run =
        |name: &str, ledger: &dyn Ledger, registry: &dyn VenueRegistry, log: &dyn ImportLog| {
            let started = Instant::now();
            let report = import_batch(ledger, registry, log, &verifier, &bytes, at(10)).unwrap();
            let took = started.elapsed().as_secs_f64();
            assert_eq!(report.counts(), [n as usize, 0, 0]);
            println!(
                "import/{name}: {n} items in {took:.3} s, {:.0} items/s",
                f64::from(n) / took
            );
        };

    let (ledger, registry, log) = (
        MemoryLedger::new(),
        MemoryVenueRegistry::new(),
        MemoryImportLog::new(),
    );
    register(&registry);
    run("memory", &ledger, &registry, &log);

    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteLedger::open(dir.path().join("import.sqlite")).unwrap();
    register(&sqlite);
    run("sqlite (FULL)", &sqlite, &sqlite, &sqlite);
    assert_eq!(sqlite.len().unwrap(), u64::from(n));

    let schema = format!("bench_import_{}", std::process::id());
    let pg = PgLedger::connect_with(&pg_url(), PgOptions::default().schema(&schema)).unwrap();
    register(&pg);
    run("postgresql", &pg, &pg, &pg);
    assert_eq!(pg.len().unwrap(), u64::from(n));
}

criterion_group!(benches, bench);
criterion_group!(imports, import);
criterion_main!(benches, imports);
