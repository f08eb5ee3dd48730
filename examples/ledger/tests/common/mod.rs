//! What the ledger tests share: synthetic redemptions, the PostgreSQL test server, one
//! harness per backend, and the shared suite (`ledger_suite!`).
#![allow(dead_code)]

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::DateTime;
use inclusif_core::voucher::sync::{ImportStore, VenueStore};
use inclusif_core::voucher::{
    BatchId, ImportLog, ImportReport, Kid, Ledger, MemoryImportLog, MemoryLedger,
    MemoryVenueRegistry, Redemption, RegisteredVenue, Serial, VenueKey, VenueRegistry,
    VoucherError,
};
use inclusif_ledger::{PgLedger, PgOptions, Retry, SqliteLedger, SqliteOptions};

/// 2026-06-01T10:00:00.000000001Z in nanoseconds: every instant has a nanosecond part,
/// so a backend that rounded would fail the equality checks.
pub const BASE_NS: i64 = 1_780_308_000_000_000_001;

/// A synthetic redemption (no signing: the ledger stores what it is given).
pub fn red(issuer: &str, n: u128, venue: &str, at_ns: i64) -> Redemption {
    Redemption {
        issuer: issuer.into(),
        serial: Serial::from_u128(n).expect("below 2^80"),
        kid: Kid::new(7).expect("non-zero"),
        value_cents: 1000,
        venue: venue.to_owned(),
        at: DateTime::from_timestamp_nanos(at_ns),
    }
}

/// The schema version both backends write (2: the ledger, then the operator's state).
pub const LATEST_SCHEMA: u32 = 2;
const _: () = assert!(
    inclusif_ledger::SQLITE_SCHEMA_VERSION == LATEST_SCHEMA
        && inclusif_ledger::PG_SCHEMA_VERSION == LATEST_SCHEMA
);

/// The PostgreSQL server of the tests. Missing, the test FAILS: tests/run.sh starts a
/// throwaway cluster and sets the variable.
pub fn pg_url() -> String {
    match std::env::var("INCLUSIF_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "INCLUSIF_TEST_PG_URL is not set, and the PostgreSQL ledger tests need a server: \
             run tests/run.sh, which starts a throwaway cluster and sets it (or start one and \
             set INCLUSIF_TEST_PG_URL=postgresql://user@/db?host=/socket/dir yourself)"
        ),
    }
}

/// A schema name of its own for each test (a fresh ledger on the shared server).
pub fn unique_schema(tag: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tag: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("t{}_{n}_{nanos}_{tag}", std::process::id())
}

/// Short timeouts for the busy tests: 3 attempts of 50 ms each, pauses of 10–20 ms.
pub fn short_retry() -> Retry {
    Retry {
        attempts: 3,
        first_pause: Duration::from_millis(10),
        max_pause: Duration::from_millis(20),
    }
}

/// One backend under the shared suite.
pub trait Harness: Sized + Sync {
    /// Whether the store outlives the value (memory does not).
    const PERSISTENT: bool;
    /// A fresh, empty store.
    fn new(tag: &str) -> Self;
    /// Opens (again) the same store.
    fn open(&self) -> Result<Box<dyn Ledger>, VoucherError>;
    /// A ledger with short timeouts, while something else holds the write lock (kept
    /// alive by the guard); `None` where there is no lock to hold.
    fn busy(&self) -> Option<(Box<dyn Ledger>, Box<dyn Any>)>;
    /// Opens a store of another application; `None` where there is no such thing.
    fn open_foreign(&self) -> Option<Result<Box<dyn Ledger>, VoucherError>>;
    /// The store's schema version; `None` where there is no schema.
    fn schema_version(&self) -> Option<u32>;
    /// Opens (again) the same store with the operator's state: ledger, venue registry
    /// and import log in one.
    fn open_store(&self) -> Result<Box<dyn OperatorStore>, VoucherError>;
}

/// A ledger with the operator's state next to it (what each backend is).
pub trait OperatorStore: Ledger + VenueStore + ImportStore {}

impl<T: Ledger + VenueStore + ImportStore> OperatorStore for T {}

/// The memory backend's operator state, shared by every "reopening" of one harness.
#[derive(Clone, Default)]
pub struct MemoryStore {
    ledger: Arc<MemoryLedger>,
    registry: Arc<MemoryVenueRegistry>,
    log: Arc<MemoryImportLog>,
}

impl Ledger for MemoryStore {
    fn redeem(&self, r: Redemption) -> Result<Redemption, VoucherError> {
        self.ledger.redeem(r)
    }
    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError> {
        self.ledger.redemption(issuer, serial)
    }
}

impl VenueRegistry for MemoryStore {
    fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>, VoucherError> {
        VenueRegistry::venue(&*self.registry, id)
    }
    fn venue_key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>, VoucherError> {
        self.registry.venue_key(venue, key_id)
    }
}

impl VenueStore for MemoryStore {
    fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError> {
        self.registry.put_venue(venue)
    }
    fn put_key(&self, key: VenueKey) -> Result<(), VoucherError> {
        self.registry.put_key(key)
    }
    fn venues(&self) -> Result<Vec<RegisteredVenue>, VoucherError> {
        Ok(self.registry.venues())
    }
    fn keys(&self, venue: &str) -> Result<Vec<VenueKey>, VoucherError> {
        Ok(self.registry.keys(venue))
    }
}

impl ImportLog for MemoryStore {
    fn finished(&self, id: &BatchId) -> Result<Option<ImportReport>, VoucherError> {
        self.log.finished(id)
    }
    fn record(&self, report: &ImportReport) -> Result<(), VoucherError> {
        self.log.record(report)
    }
}

impl ImportStore for MemoryStore {
    fn reports(&self) -> Result<Vec<ImportReport>, VoucherError> {
        Ok(self.log.reports())
    }
    fn count(&self) -> Result<u64, VoucherError> {
        Ok(self.log.len() as u64)
    }
}

/// A shared memory ledger (a test's "reopen" sees the same map).
pub struct Memory(Arc<MemoryLedger>, MemoryStore);

struct SharedMemory(Arc<MemoryLedger>);

impl Ledger for SharedMemory {
    fn redeem(&self, r: Redemption) -> Result<Redemption, VoucherError> {
        self.0.redeem(r)
    }
    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError> {
        self.0.redemption(issuer, serial)
    }
}

impl Harness for Memory {
    const PERSISTENT: bool = false;
    fn new(_: &str) -> Self {
        Memory(Arc::new(MemoryLedger::new()), MemoryStore::default())
    }
    fn open(&self) -> Result<Box<dyn Ledger>, VoucherError> {
        Ok(Box::new(SharedMemory(self.0.clone())))
    }
    fn busy(&self) -> Option<(Box<dyn Ledger>, Box<dyn Any>)> {
        None
    }
    fn open_foreign(&self) -> Option<Result<Box<dyn Ledger>, VoucherError>> {
        None
    }
    fn schema_version(&self) -> Option<u32> {
        None
    }
    fn open_store(&self) -> Result<Box<dyn OperatorStore>, VoucherError> {
        Ok(Box::new(self.1.clone()))
    }
}

/// A SQLite file in a temporary directory.
pub struct Sqlite {
    pub dir: tempfile::TempDir,
}

impl Sqlite {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("ledger.sqlite")
    }
}

impl Harness for Sqlite {
    const PERSISTENT: bool = true;
    fn new(_: &str) -> Self {
        Sqlite {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }
    fn open(&self) -> Result<Box<dyn Ledger>, VoucherError> {
        Ok(Box::new(SqliteLedger::open(self.path())?))
    }
    fn busy(&self) -> Option<(Box<dyn Ledger>, Box<dyn Any>)> {
        drop(SqliteLedger::open(self.path()).expect("created"));
        let holder = rusqlite::Connection::open(self.path()).expect("a second connection");
        holder
            .execute_batch("BEGIN IMMEDIATE")
            .expect("the write lock");
        let options = SqliteOptions::default()
            .busy_timeout(Duration::from_millis(50))
            .retry(short_retry());
        let ledger = SqliteLedger::open_with(self.path(), options).expect("opens while locked");
        Some((Box::new(ledger), Box::new(holder)))
    }
    fn open_foreign(&self) -> Option<Result<Box<dyn Ledger>, VoucherError>> {
        let path = self.dir.path().join("notes.sqlite");
        let other = rusqlite::Connection::open(&path).expect("another application's file");
        other
            .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
            .expect("written");
        drop(other);
        Some(SqliteLedger::open(&path).map(|l| Box::new(l) as Box<dyn Ledger>))
    }
    fn schema_version(&self) -> Option<u32> {
        Some(
            SqliteLedger::open(self.path())
                .unwrap()
                .schema_version()
                .unwrap(),
        )
    }
    fn open_store(&self) -> Result<Box<dyn OperatorStore>, VoucherError> {
        Ok(Box::new(SqliteLedger::open(self.path())?))
    }
}

/// A schema of its own on the test server.
pub struct Postgres {
    pub url: String,
    pub schema: String,
}

impl Postgres {
    pub fn options(&self) -> PgOptions {
        PgOptions::default().schema(&self.schema)
    }

    pub fn client(&self) -> postgres::Client {
        let mut config: postgres::Config = self.url.parse().expect("a valid URL");
        config.options(&format!("-c search_path={}", self.schema));
        config.connect(postgres::NoTls).expect("the test server")
    }
}

impl Harness for Postgres {
    const PERSISTENT: bool = true;
    fn new(tag: &str) -> Self {
        Postgres {
            url: pg_url(),
            schema: unique_schema(tag),
        }
    }
    fn open(&self) -> Result<Box<dyn Ledger>, VoucherError> {
        Ok(Box::new(PgLedger::connect_with(&self.url, self.options())?))
    }
    fn busy(&self) -> Option<(Box<dyn Ledger>, Box<dyn Any>)> {
        let options = self
            .options()
            .lock_timeout(Duration::from_millis(50))
            .retry(short_retry());
        let ledger = PgLedger::connect_with(&self.url, options).expect("connects");
        let mut holder = self.client();
        holder
            .batch_execute("BEGIN; LOCK TABLE redemption IN ACCESS EXCLUSIVE MODE;")
            .expect("the table lock");
        Some((Box::new(ledger), Box::new(holder)))
    }
    fn open_foreign(&self) -> Option<Result<Box<dyn Ledger>, VoucherError>> {
        let schema = format!("{}_f", self.schema);
        let mut c = self.client();
        c.batch_execute(&format!(
            "CREATE SCHEMA {schema}; CREATE TABLE {schema}.redemption (x INTEGER);"
        ))
        .expect("another application's table");
        Some(
            PgLedger::connect_with(&self.url, PgOptions::default().schema(&schema))
                .map(|l| Box::new(l) as Box<dyn Ledger>),
        )
    }
    fn schema_version(&self) -> Option<u32> {
        Some(
            PgLedger::connect_with(&self.url, self.options())
                .unwrap()
                .schema_version()
                .unwrap(),
        )
    }
    fn open_store(&self) -> Result<Box<dyn OperatorStore>, VoucherError> {
        Ok(Box::new(PgLedger::connect_with(&self.url, self.options())?))
    }
}

// ---- the shared suite ---------------------------------------------------------------

pub fn redeem_and_look_up<H: Harness>() {
    let h = H::new("redeem");
    let l = h.open().unwrap();
    let r = red("aptic", 1, "venue-lyon-01", BASE_NS);
    assert_eq!(l.redeem(r.clone()).unwrap(), r);
    assert_eq!(l.redemption("aptic", r.serial).unwrap(), Some(r.clone()));
    assert_eq!(
        l.redemption("aptic", Serial::from_u128(2).unwrap())
            .unwrap(),
        None
    );
    // The key is (issuer, serial): the same serial of another issuer is another cheque.
    let other = red("other-issuer", 1, "venue-lyon-01", BASE_NS + 5);
    assert_eq!(l.redeem(other.clone()).unwrap(), other);
    assert_eq!(l.redemption("aptic", r.serial).unwrap(), Some(r));
}

pub fn double_spend_names_the_first<H: Harness>() {
    let h = H::new("double");
    let l = h.open().unwrap();
    let first = red("aptic", 7, "venue-lyon-01", BASE_NS + 123_456_789);
    l.redeem(first.clone()).unwrap();
    for second in [
        red("aptic", 7, "venue-gueret-02", BASE_NS + 10_000_000_000),
        first.clone(),
    ] {
        match l.redeem(second).unwrap_err() {
            VoucherError::AlreadyRedeemed { serial, venue, at } => {
                assert_eq!(serial, first.serial.to_string());
                assert_eq!(venue, "venue-lyon-01");
                assert_eq!(at, first.at, "the first time, to the nanosecond");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(l.redemption("aptic", first.serial).unwrap(), Some(first));
}

pub fn redeem_all_settles_in_order<H: Harness>() {
    let h = H::new("redeem_all");
    let l = h.open().unwrap();
    let earlier = red("aptic", 1, "venue-gueret-02", BASE_NS);
    l.redeem(earlier.clone()).unwrap();
    // Not in key order, with a serial already redeemed and one twice in the batch.
    let batch = vec![
        red("aptic", 9, "venue-lyon-01", BASE_NS + 1),
        red("aptic", 1, "venue-lyon-01", BASE_NS + 2),
        red("aptic", 3, "venue-lyon-01", BASE_NS + 3),
        red("aptic", 9, "venue-paris-03", BASE_NS + 4),
    ];
    let out = l.redeem_all(&batch).unwrap();
    assert_eq!(
        out,
        vec![
            Ok(batch[0].clone()),
            Err(earlier.clone()),
            Ok(batch[2].clone()),
            Err(batch[0].clone()),
        ]
    );
    // Again: everything comes back with its winner, nothing changes.
    let again = l.redeem_all(&batch).unwrap();
    assert_eq!(
        again,
        vec![
            Err(batch[0].clone()),
            Err(earlier),
            Err(batch[2].clone()),
            Err(batch[0].clone()),
        ]
    );
    assert_eq!(l.redeem_all(&[]).unwrap(), vec![]);
    if !H::PERSISTENT {
        return; // the memory ledger stores any instant
    }
    // A bad item refuses the whole slice before anything is written.
    let far = DateTime::from_timestamp(10_000_000_000, 0).unwrap();
    let bad = vec![
        red("aptic", 20, "v", BASE_NS),
        Redemption {
            at: far,
            ..red("aptic", 21, "v", 0)
        },
    ];
    assert_eq!(l.redeem_all(&bad).unwrap_err().code(), "invalid_field");
    assert_eq!(
        l.redemption("aptic", Serial::from_u128(20).unwrap())
            .unwrap(),
        None
    );
}

pub fn bad_input_is_an_error_not_a_panic<H: Harness>() {
    let h = H::new("bad_input");
    let l = h.open().unwrap();
    let far = DateTime::from_timestamp(10_000_000_000, 0).unwrap();
    let r = Redemption {
        at: far,
        ..red("aptic", 1, "v", 0)
    };
    if H::PERSISTENT {
        assert_eq!(l.redeem(r).unwrap_err().code(), "invalid_field");
        let long = "v".repeat(256);
        assert_eq!(
            l.redeem(red("aptic", 2, &long, 0)).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            l.redeem(red("", 2, "v", 0)).unwrap_err().code(),
            "invalid_field"
        );
    } else {
        // The memory ledger stores any instant.
        l.redeem(r).unwrap();
    }
}

pub fn busy_is_ledger_busy_within_the_bound<H: Harness>() {
    let h = H::new("busy");
    let Some((l, guard)) = h.busy() else {
        return; // memory: no lock to hold
    };
    let started = Instant::now();
    let e = l
        .redeem(red("aptic", 1, "venue-lyon-01", BASE_NS))
        .unwrap_err();
    let took = started.elapsed();
    match e {
        VoucherError::LedgerBusy {
            attempts,
            waited_ms,
        } => {
            assert_eq!(attempts, 3);
            assert!((100..2000).contains(&waited_ms), "{waited_ms} ms");
        }
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(2), "{took:?}");
    drop(guard);
    // Once the lock is gone the same ledger works.
    l.redeem(red("aptic", 1, "venue-lyon-01", BASE_NS)).unwrap();
}

pub fn foreign_store_is_ledger_corrupt<H: Harness>() {
    let h = H::new("foreign");
    let Some(opened) = h.open_foreign() else {
        return; // memory: nothing foreign
    };
    match opened {
        Err(VoucherError::LedgerCorrupt { location, problem }) => {
            assert!(problem.starts_with("foreign"), "{problem}");
            assert!(!location.is_empty());
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a foreign store opened"),
    }
}

pub fn migrations_are_idempotent<H: Harness>() {
    let h = H::new("migrations");
    if !H::PERSISTENT {
        return;
    }
    // Four first openings at once, then more one after the other.
    std::thread::scope(|s| {
        let all: Vec<_> = (0..4).map(|_| s.spawn(|| h.open().map(drop))).collect();
        for t in all {
            t.join().unwrap().unwrap();
        }
    });
    assert_eq!(h.schema_version(), Some(LATEST_SCHEMA));
    let l = h.open().unwrap();
    let r = red("aptic", 1, "venue-lyon-01", BASE_NS);
    l.redeem(r.clone()).unwrap();
    drop(l);
    for _ in 0..3 {
        let l = h.open().unwrap();
        assert_eq!(l.redemption("aptic", r.serial).unwrap(), Some(r.clone()));
    }
    assert_eq!(h.schema_version(), Some(LATEST_SCHEMA));
}

pub fn reopen_keeps_data<H: Harness>() {
    let h = H::new("reopen");
    let rs: Vec<_> = (0..50)
        .map(|i| {
            red(
                "aptic",
                i,
                &format!("venue-{}", i % 3),
                BASE_NS + i as i64 * 7,
            )
        })
        .collect();
    {
        let l = h.open().unwrap();
        for r in &rs[..25] {
            l.redeem(r.clone()).unwrap();
        }
        l.redeem_all(&rs[25..]).unwrap();
    }
    let l = h.open().unwrap();
    for r in &rs {
        assert_eq!(l.redemption("aptic", r.serial).unwrap().as_ref(), Some(r));
    }
    assert_eq!(
        l.redeem(red("aptic", 3, "elsewhere", BASE_NS))
            .unwrap_err()
            .code(),
        "already_redeemed"
    );
}

pub fn offline_sync_round_trips_exactly<H: Harness>() {
    use inclusif_core::voucher::{OfflineQueue, SyncOutcome};
    let h = H::new("sync");
    let l = h.open().unwrap();
    let mine = red("aptic", 1, "lyon", BASE_NS + 999);
    let theirs = red("aptic", 2, "gueret", BASE_NS);
    l.redeem(theirs.clone()).unwrap();
    let mut q = OfflineQueue::restore(
        "lyon",
        [
            mine.clone(),
            Redemption {
                venue: "lyon".into(),
                ..theirs.clone()
            },
        ],
    )
    .unwrap();
    // A commit whose answer was lost: the item is already there as itself.
    l.redeem(mine.clone()).unwrap();
    let out = q.sync(&*l).unwrap();
    assert_eq!(
        out[0],
        SyncOutcome::Redeemed(mine),
        "found as its own winner"
    );
    assert!(matches!(&out[1], SyncOutcome::Conflict { winner, .. } if *winner == theirs));
}

/// The shared suite, instantiated for one backend.
#[macro_export]
macro_rules! ledger_suite {
    ($name:ident, $harness:ident) => {
        mod $name {
            #[test]
            fn redeem_and_look_up() {
                super::common::redeem_and_look_up::<super::common::$harness>();
            }
            #[test]
            fn double_spend_names_the_first() {
                super::common::double_spend_names_the_first::<super::common::$harness>();
            }
            #[test]
            fn redeem_all_settles_in_order() {
                super::common::redeem_all_settles_in_order::<super::common::$harness>();
            }
            #[test]
            fn bad_input_is_an_error_not_a_panic() {
                super::common::bad_input_is_an_error_not_a_panic::<super::common::$harness>();
            }
            #[test]
            fn busy_is_ledger_busy_within_the_bound() {
                super::common::busy_is_ledger_busy_within_the_bound::<super::common::$harness>();
            }
            #[test]
            fn foreign_store_is_ledger_corrupt() {
                super::common::foreign_store_is_ledger_corrupt::<super::common::$harness>();
            }
            #[test]
            fn migrations_are_idempotent() {
                super::common::migrations_are_idempotent::<super::common::$harness>();
            }
            #[test]
            fn reopen_keeps_data() {
                super::common::reopen_keeps_data::<super::common::$harness>();
            }
            #[test]
            fn offline_sync_round_trips_exactly() {
                super::common::offline_sync_round_trips_exactly::<super::common::$harness>();
            }
        }
    };
}
