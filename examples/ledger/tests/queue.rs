//! A venue device's offline queue in a SQLite file (`SqliteQueue`): the core
//! `OfflineQueue`'s rules, kept across reopening; a persisted, monotonic batch sequence;
//! the same batch bytes as the in-memory queue; settlement from the operator's report;
//! foreign and damaged files refused as `ledger_corrupt`.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use inclusif_core::voucher::{
    ImportedItem, Issuer, ItemOutcome, Kid, MemoryImportLog, MemoryLedger, MemoryVenueRegistry,
    OfflineQueue, RedemptionBatch, RegisteredVenue, Scope, SecretKey, Serial, Token, TrustEntry,
    TrustList, Validity, VenueKey, VerifiedVoucher, Verifier, VoucherError, import_batch,
};
use inclusif_ledger::{QUEUE_APPLICATION_ID, SqliteLedger, SqliteQueue};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, minute, 0).unwrap()
}

struct World {
    issuer: Issuer,
    verifier: Verifier,
    venue_key: SecretKey,
}

fn world() -> World {
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let mut trust = TrustList::new(1, at(0), 90 * 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    World {
        issuer,
        verifier: Verifier::new(trust).with_any_scope(),
        venue_key: SecretKey::from_seed(&[0x51; 32]),
    }
}

impl World {
    fn cheque(&self, serial: u128) -> (Token, VerifiedVoucher) {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let t = self
            .issuer
            .issue(
                Serial::from_u128(serial).unwrap(),
                1000,
                Validity::from_dates(d(1, 1), d(12, 31)).unwrap(),
                Scope::NATIONAL,
            )
            .unwrap();
        let v = self.verifier.verify(&t, at(0)).unwrap();
        (t, v)
    }
}

fn corrupt_problem(e: VoucherError) -> String {
    match e {
        VoucherError::LedgerCorrupt { location, problem } => format!("{location}: {problem}"),
        other => panic!("expected ledger_corrupt, got {other:?}"),
    }
}

#[test]
fn accepted_items_survive_reopening_with_the_cores_rules() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.sqlite");
    let (t1, v1) = w.cheque(1);
    let (t2, v2) = w.cheque(2);
    let fine = at(1) + TimeDelta::nanoseconds(2_500_001);
    {
        let q = SqliteQueue::open(&path, "lyon").unwrap();
        let r = q.accept(&t1, &v1, fine).unwrap();
        assert_eq!(r.at.timestamp_subsec_nanos(), 2_000_000, "cut to the ms");
        assert_eq!(
            q.accept(&t1, &v1, at(2)).unwrap_err().code(),
            "already_redeemed"
        );
        assert_eq!(
            q.accept(&t2, &v1, at(2)).unwrap_err().code(),
            "invalid_field"
        );
        q.accept(&t2, &v2, at(2)).unwrap();
        assert_eq!(q.len().unwrap(), 2);
    }
    let q = SqliteQueue::open(&path, "lyon").unwrap();
    let items = q.pending_items().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!((items[0].1, items[1].1), (t1, t2), "acceptance order kept");
    assert_eq!(items[0].0.at, fine - TimeDelta::nanoseconds(500_001));
    assert_eq!(items[0].0.issuer.as_ref(), "aptic");
    // The rule holds across reopening, and a failed accept writes nothing.
    let e = q.accept(&t2, &v2, at(9)).unwrap_err();
    match e {
        VoucherError::AlreadyRedeemed {
            venue, at: first, ..
        } => {
            assert_eq!((venue.as_str(), first), ("lyon", at(2)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(q.len().unwrap(), 2);
    q.integrity_check().unwrap();
    // The file belongs to one venue.
    drop(q);
    let e = SqliteQueue::open(&path, "gueret").unwrap_err();
    assert_eq!(e.code(), "invalid_field");
    assert!(e.to_string().contains("lyon"), "{e}");
}

#[test]
fn the_sequence_is_persisted_and_monotonic_and_batches_match_the_memory_queue() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.sqlite");
    let cheques: Vec<_> = (1..=3).map(|s| w.cheque(s)).collect();
    let mut memory = OfflineQueue::new("lyon");
    {
        let q = SqliteQueue::open(&path, "lyon").unwrap();
        assert_eq!(q.next_sequence().unwrap(), 1);
        // An empty queue exports nothing and keeps its sequence.
        assert_eq!(
            q.export_batch(&w.venue_key, 1, at(5)).unwrap_err().code(),
            "batch_malformed"
        );
        assert_eq!(q.next_sequence().unwrap(), 1);
        for (i, (t, v)) in cheques.iter().enumerate() {
            let when = at(1) + TimeDelta::microseconds(1234 * i as i64);
            q.accept(t, v, when).unwrap();
            memory.accept_token(t, v, when).unwrap();
        }
        let first = q.export_batch(&w.venue_key, 1, at(5)).unwrap();
        assert_eq!(
            first,
            memory.export_batch(&w.venue_key, 1, 1, at(5)).unwrap()
        );
        assert_eq!(q.next_sequence().unwrap(), 2);
    }
    let q = SqliteQueue::open(&path, "lyon").unwrap();
    assert_eq!(q.next_sequence().unwrap(), 2, "kept across reopening");
    let second = q.export_batch(&w.venue_key, 1, at(6)).unwrap();
    assert_eq!(
        second,
        memory.export_batch(&w.venue_key, 1, 2, at(6)).unwrap()
    );
    let b = RedemptionBatch::open(&second, &w.venue_key.public_key()).unwrap();
    assert_eq!((b.venue(), b.key_id(), b.sequence()), ("lyon", 1, 2));
    assert_eq!(b.items().len(), 3);
    drop(q);
    let q = SqliteQueue::open(&path, "lyon").unwrap();
    let third = q.export_batch(&w.venue_key, 1, at(6)).unwrap();
    let b = RedemptionBatch::open(&third, &w.venue_key.public_key()).unwrap();
    assert_eq!(b.sequence(), 3);
    assert_eq!(q.to_queue().unwrap().pending(), memory.pending());
}

#[test]
fn the_operators_report_settles_items_and_unnamed_ones_stay() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.sqlite");
    let q = SqliteQueue::open(&path, "lyon").unwrap();
    let (t1, v1) = w.cheque(1);
    let (t2, v2) = w.cheque(2);
    q.accept(&t1, &v1, at(1)).unwrap();
    q.accept(&t2, &v2, at(2)).unwrap();
    // The operator imports the batch: both redeemed.
    let registry = MemoryVenueRegistry::new();
    registry
        .put_venue(RegisteredVenue::new("lyon", "Venue lyon", "12345678900007", true).unwrap())
        .unwrap();
    registry
        .put_key(VenueKey {
            venue: "lyon".into(),
            key_id: 1,
            public_key: w.venue_key.public_key(),
            active: true,
        })
        .unwrap();
    let ledger = MemoryLedger::new();
    let log = MemoryImportLog::new();
    let bytes = q.export_batch(&w.venue_key, 1, at(5)).unwrap();
    let report = import_batch(&ledger, &registry, &log, &w.verifier, &bytes, at(6)).unwrap();
    assert!(
        report
            .items
            .iter()
            .all(|i| matches!(i.outcome, ItemOutcome::Redeemed(_)))
    );
    // An answer naming the first item only, with a wrong instant for the second.
    let partial: Vec<ImportedItem> = vec![
        report.items[0].clone(),
        ImportedItem {
            accepted_at: at(3),
            ..report.items[1].clone()
        },
    ];
    assert_eq!(q.apply_outcomes(&partial).unwrap(), 1);
    drop(q);
    let q = SqliteQueue::open(&path, "lyon").unwrap();
    assert_eq!(q.pending_items().unwrap()[0].1, t2);
    assert_eq!(q.apply_outcomes(&report.items).unwrap(), 1);
    assert!(q.is_empty().unwrap());
    assert_eq!(q.apply_outcomes(&report.items).unwrap(), 0, "idempotent");
    // The serial may be accepted again later (another item, as in the core).
    q.accept(&t1, &v1, at(7)).unwrap();
    assert_eq!(q.len().unwrap(), 1);
    q.close();
    assert_eq!(q.len().unwrap_err().code(), "ledger_unavailable");
}

#[test]
fn foreign_damaged_and_ledger_files_are_ledger_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    // Another application's database, left untouched.
    let foreign = dir.path().join("foreign.sqlite");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let p = corrupt_problem(SqliteQueue::open(&foreign, "lyon").unwrap_err());
    assert!(p.contains("foreign.sqlite") && p.contains("foreign"), "{p}");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    // A redemption ledger is not a queue, nor the reverse.
    let ledger = dir.path().join("ledger.sqlite");
    drop(SqliteLedger::open(&ledger).unwrap());
    corrupt_problem(SqliteQueue::open(&ledger, "lyon").unwrap_err());
    let queue = dir.path().join("queue.sqlite");
    drop(SqliteQueue::open(&queue, "lyon").unwrap());
    assert_eq!(
        SqliteLedger::open(&queue).unwrap_err().code(),
        "ledger_corrupt"
    );
    // Not a database at all.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![0x5a; 8192]).unwrap();
    let p = corrupt_problem(SqliteQueue::open(&junk, "lyon").unwrap_err());
    assert!(p.contains("junk.sqlite"), "{p}");
    // A newer queue schema is never downgraded.
    let newer = dir.path().join("newer.sqlite");
    drop(SqliteQueue::open(&newer, "lyon").unwrap());
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        let id: i32 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(id, QUEUE_APPLICATION_ID);
    }
    let p = corrupt_problem(SqliteQueue::open(&newer, "lyon").unwrap_err());
    assert!(p.contains("newer schema"), "{p}");
    // A row edited by hand (a token cut short) is caught when read.
    let edited = dir.path().join("edited.sqlite");
    let w = world();
    let (t, v) = w.cheque(1);
    {
        let q = SqliteQueue::open(&edited, "lyon").unwrap();
        q.accept(&t, &v, at(1)).unwrap();
    }
    {
        let c = rusqlite::Connection::open(&edited).unwrap();
        c.execute_batch(
            "PRAGMA ignore_check_constraints = ON; UPDATE queue_item SET token = zeroblob(85);",
        )
        .unwrap();
    }
    let q = SqliteQueue::open(&edited, "lyon").unwrap();
    assert_eq!(q.pending().unwrap_err().code(), "ledger_corrupt");
}
