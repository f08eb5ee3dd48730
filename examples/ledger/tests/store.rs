//! The operator's state next to the ledger (schema v2), in the shared-suite style over
//! memory, SQLite and PostgreSQL: the venue registry, the import log (a re-import after
//! reopening gives the identical report), batch-level refusals, and two "servers"
//! importing overlapping batches at once. PostgreSQL needs INCLUSIF_TEST_PG_URL (set by
//! tests/run.sh); without it these tests fail.

mod common;

use std::sync::Barrier;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{Harness, OperatorStore, Postgres, Sqlite};
use inclusif_core::voucher::{
    ImportReport, Issuer, ItemOutcome, Kid, Ledger, OfflineQueue, RegisteredVenue, Scope,
    SecretKey, Serial, Token, TrustEntry, TrustList, Validity, VenueKey, Verifier, VoucherError,
    import_batch,
};

fn at(day: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, day, 10, minute, 0).unwrap()
}

/// An issuer, an operator's verifier and two venue keys.
struct World {
    issuer: Issuer,
    verifier: Verifier,
    keys: [SecretKey; 2],
}

const VENUES: [(&str, &str); 2] = [("lyon", "12345678900007"), ("gueret", "35600000000048")];

fn world() -> World {
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let mut trust = TrustList::new(1, at(1, 0), 90 * 86_400).unwrap();
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
        keys: [
            SecretKey::from_seed(&[0x51; 32]),
            SecretKey::from_seed(&[0x52; 32]),
        ],
    }
}

impl World {
    fn register(&self, store: &dyn OperatorStore) {
        for (i, (id, siret)) in VENUES.into_iter().enumerate() {
            store
                .put_venue(RegisteredVenue::new(id, &format!("Venue {id}"), siret, true).unwrap())
                .unwrap();
            store.put_key(self.key(i)).unwrap();
        }
    }

    fn key(&self, i: usize) -> VenueKey {
        VenueKey {
            venue: VENUES[i].0.into(),
            key_id: 1,
            public_key: self.keys[i].public_key(),
            active: true,
        }
    }

    fn token(&self, serial: u128, until_day: u32) -> Token {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        self.issuer
            .issue(
                Serial::from_u128(serial).unwrap(),
                1000,
                Validity::from_dates(d(1, 1), d(6, until_day)).unwrap(),
                Scope::NATIONAL,
            )
            .unwrap()
    }

    /// Venue `i`'s signed batch of these tokens, accepted at `when` plus one ms each.
    fn batch(&self, i: usize, tokens: &[Token], when: DateTime<Utc>, sequence: u64) -> Vec<u8> {
        let mut q = OfflineQueue::new(VENUES[i].0);
        for (n, t) in tokens.iter().enumerate() {
            let accepted = when + chrono::TimeDelta::milliseconds(n as i64);
            let v = self.verifier.verify(t, accepted).unwrap();
            q.accept_token(t, &v, accepted).unwrap();
        }
        q.export_batch(
            &self.keys[i],
            1,
            sequence,
            when + chrono::TimeDelta::hours(1),
        )
        .unwrap()
    }

    fn import(
        &self,
        store: &dyn OperatorStore,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ImportReport, VoucherError> {
        import_batch(store, store, store, &self.verifier, bytes, now)
    }
}

fn statuses(r: &ImportReport) -> Vec<&'static str> {
    r.items.iter().map(|i| i.outcome.status()).collect()
}

pub fn registry_round_trip<H: Harness>() {
    let h = H::new("registry");
    let w = world();
    {
        let s = h.open_store().unwrap();
        assert_eq!(s.venues().unwrap(), vec![]);
        assert_eq!(s.venue("lyon").unwrap(), None);
        // A key before its venue, key id 0, a venue breaking the rules.
        assert_eq!(s.put_key(w.key(0)).unwrap_err().code(), "unknown_venue");
        let bad = RegisteredVenue {
            siret: "12345678900008".into(),
            ..RegisteredVenue::new("lyon", "Lyon", "12345678900007", true).unwrap()
        };
        assert_eq!(s.put_venue(bad).unwrap_err().code(), "invalid_field");
        w.register(&*s);
        assert_eq!(
            s.put_key(VenueKey {
                key_id: 0,
                ..w.key(0)
            })
            .unwrap_err()
            .code(),
            "invalid_field"
        );
        // Rename Guéret, deactivate Lyon's key, add a second key.
        s.put_venue(RegisteredVenue::new("gueret", "Guéret, la salle", VENUES[1].1, true).unwrap())
            .unwrap();
        s.put_key(VenueKey {
            active: false,
            ..w.key(0)
        })
        .unwrap();
        s.put_key(VenueKey {
            key_id: 2,
            public_key: w.keys[1].public_key(),
            ..w.key(0)
        })
        .unwrap();
    }
    let s = h.open_store().unwrap();
    let venues = s.venues().unwrap();
    assert_eq!(
        venues.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["gueret", "lyon"]
    );
    assert_eq!(venues[0].name, "Guéret, la salle");
    assert_eq!(s.venue("lyon").unwrap(), Some(venues[1].clone()));
    assert_eq!(
        s.keys("lyon").unwrap(),
        vec![
            VenueKey {
                active: false,
                ..w.key(0)
            },
            VenueKey {
                key_id: 2,
                public_key: w.keys[1].public_key(),
                ..w.key(0)
            },
        ]
    );
    assert_eq!(s.venue_key("gueret", 1).unwrap(), Some(w.key(1)));
    assert_eq!(s.venue_key("gueret", 2).unwrap(), None);
    assert_eq!(s.keys("paris").unwrap(), vec![]);
}

pub fn reimport_after_reopen_is_identical<H: Harness>() {
    let h = H::new("reimport");
    let w = world();
    let (a, b, c) = (w.token(1, 30), w.token(2, 30), w.token(3, 10));
    let g = w.batch(1, &[a], at(2, 5), 1);
    let l = {
        // Lyon: a conflict with Guéret, a redemption, and one accepted too late.
        let mut q = OfflineQueue::new("lyon");
        for (t, when) in [(a, at(2, 0)), (b, at(2, 1))] {
            let v = w.verifier.verify(&t, when).unwrap();
            q.accept_token(&t, &v, when).unwrap();
        }
        let late = inclusif_core::voucher::RedemptionBatch::new(
            "lyon",
            1,
            1,
            at(12, 0),
            q.pending_tokens()
                .iter()
                .zip(q.pending())
                .map(|(t, r)| inclusif_core::voucher::BatchItem {
                    token: t.unwrap(),
                    accepted_at: r.at,
                })
                .chain([inclusif_core::voucher::BatchItem {
                    token: c,
                    accepted_at: at(11, 0),
                }])
                .collect(),
        )
        .unwrap();
        late.sign(&w.keys[0])
    };
    let (gr, lr) = {
        let s = h.open_store().unwrap();
        w.register(&*s);
        let gr = w.import(&*s, &g, at(3, 0)).unwrap();
        let lr = w.import(&*s, &l, at(12, 1)).unwrap();
        assert_eq!(statuses(&gr), ["redeemed"]);
        assert_eq!(statuses(&lr), ["conflict", "redeemed", "rejected"]);
        match &lr.items[2].outcome {
            ItemOutcome::Rejected(e) => assert_eq!(e.code(), "expired"),
            other => panic!("{other:?}"),
        }
        (gr, lr)
    };
    let s = h.open_store().unwrap();
    // After reopening: the same reports, from the log; nothing recorded twice.
    assert_eq!(w.import(&*s, &l, at(20, 0)).unwrap(), lr);
    assert_eq!(w.import(&*s, &g, at(20, 0)).unwrap(), gr);
    assert_eq!(s.finished(&lr.batch_id).unwrap(), Some(lr.clone()));
    assert_eq!(s.count().unwrap(), 2);
    assert_eq!(s.reports().unwrap(), vec![gr.clone(), lr.clone()]);
    let winner = s.redemption("aptic", a.serial()).unwrap().unwrap();
    assert_eq!((winner.venue.as_str(), winner.at), ("gueret", at(2, 5)));
    // Even with the log lost, the ledger alone gives the same outcomes for what was
    // redeemed (each item is found as its own winner).
    let fresh = inclusif_core::voucher::MemoryImportLog::new();
    let again = import_batch(&*s, &*s, &fresh, &w.verifier, &l, at(12, 2)).unwrap();
    assert_eq!(again, lr);
}

pub fn unknown_venue_and_bad_signature<H: Harness>() {
    let h = H::new("refusals");
    let w = world();
    let t = w.token(9, 30);
    {
        let s = h.open_store().unwrap();
        w.register(&*s);
    }
    let s = h.open_store().unwrap();
    let good = w.batch(0, &[t], at(2, 0), 1);
    // Signed with Guéret's key while naming Lyon's.
    let forged = {
        let mut q = OfflineQueue::new("lyon");
        let v = w.verifier.verify(&t, at(2, 0)).unwrap();
        q.accept_token(&t, &v, at(2, 0)).unwrap();
        q.export_batch(&w.keys[1], 1, 1, at(2, 1)).unwrap()
    };
    let e = w.import(&*s, &forged, at(3, 0)).unwrap_err();
    assert_eq!(e.code(), "bad_batch_signature", "{e}");
    // A venue nobody registered, then a key id nobody registered.
    let paris = {
        let mut q = OfflineQueue::new("paris");
        let v = w.verifier.verify(&t, at(2, 0)).unwrap();
        q.accept_token(&t, &v, at(2, 0)).unwrap();
        q.export_batch(&w.keys[0], 1, 1, at(2, 1)).unwrap()
    };
    assert_eq!(
        w.import(&*s, &paris, at(3, 0)).unwrap_err().code(),
        "unknown_venue"
    );
    let key2 = {
        let mut q = OfflineQueue::new("lyon");
        let v = w.verifier.verify(&t, at(2, 0)).unwrap();
        q.accept_token(&t, &v, at(2, 0)).unwrap();
        q.export_batch(&w.keys[0], 2, 1, at(2, 1)).unwrap()
    };
    assert_eq!(
        w.import(&*s, &key2, at(3, 0)).unwrap_err().code(),
        "unknown_venue"
    );
    // A deactivated venue, persisted.
    s.put_venue(RegisteredVenue::new("lyon", "Lyon", VENUES[0].1, false).unwrap())
        .unwrap();
    drop(s);
    let s = h.open_store().unwrap();
    let e = w.import(&*s, &good, at(3, 0)).unwrap_err();
    assert_eq!(e.code(), "unknown_venue");
    assert!(e.to_string().contains("not active"), "{e}");
    assert_eq!(s.count().unwrap(), 0);
    assert_eq!(s.redemption("aptic", t.serial()).unwrap(), None);
    // Reactivated: it imports.
    s.put_venue(RegisteredVenue::new("lyon", "Lyon", VENUES[0].1, true).unwrap())
        .unwrap();
    assert_eq!(
        statuses(&w.import(&*s, &good, at(3, 0)).unwrap()),
        ["redeemed"]
    );
}

/// Two "servers" (two stores opened on one database, each with its own connection)
/// import overlapping batches at once, each larger than an import chunk: every serial
/// of the overlap is redeemed by exactly one, the other is told who won, nothing is
/// paid twice, and re-imports answer the same.
pub fn two_servers_import_overlapping_batches<H: Harness>() {
    let h = H::new("two_servers");
    let w = world();
    let n: u128 = 1500;
    let tokens: Vec<Token> = (0..2 * n).map(|i| w.token(10_000 + i, 30)).collect();
    // Lyon: serials 0..1500; Guéret: 500..2000 (in reverse, to cross the chunks).
    let lyon = w.batch(0, &tokens[..n as usize], at(2, 0), 1);
    let mut gueret_tokens = tokens[500..(n + 500) as usize].to_vec();
    gueret_tokens.reverse();
    let gueret = w.batch(1, &gueret_tokens, at(2, 0), 1);
    w.register(&*h.open_store().unwrap());
    let servers = [h.open_store().unwrap(), h.open_store().unwrap()];
    let go = Barrier::new(2);
    let reports: Vec<ImportReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = servers
            .iter()
            .zip([&lyon, &gueret])
            .map(|(s, bytes)| {
                let (w, go) = (&w, &go);
                scope.spawn(move || {
                    go.wait();
                    w.import(&**s, bytes, at(3, 0)).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let s = h.open_store().unwrap();
    let mut won = std::collections::HashMap::new();
    for r in &reports {
        for item in &r.items {
            match &item.outcome {
                ItemOutcome::Redeemed(red) => {
                    assert!(
                        won.insert(red.serial, red.clone()).is_none(),
                        "serial {} paid twice",
                        red.serial
                    );
                }
                ItemOutcome::Conflict { .. } => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(won.len(), 2000, "every serial redeemed once");
    for r in &reports {
        for item in &r.items {
            if let ItemOutcome::Conflict { queued, winner } = &item.outcome {
                assert_ne!(queued.venue, winner.venue);
                assert_eq!(won.get(&winner.serial), Some(winner), "told who won");
            }
        }
    }
    let conflicts: usize = reports.iter().map(|r| r.counts()[1]).sum();
    assert_eq!(conflicts, 1000, "the overlap");
    for red in won.values() {
        assert_eq!(
            s.redemption("aptic", red.serial).unwrap().as_ref(),
            Some(red)
        );
    }
    // Re-imports, on either server, answer the same.
    assert_eq!(w.import(&*servers[1], &lyon, at(4, 0)).unwrap(), reports[0]);
    assert_eq!(
        w.import(&*servers[0], &gueret, at(4, 0)).unwrap(),
        reports[1]
    );
    assert_eq!(s.count().unwrap(), 2);
}

macro_rules! store_suite {
    ($name:ident, $harness:ident) => {
        mod $name {
            #[test]
            fn registry_round_trip() {
                super::registry_round_trip::<super::common::$harness>();
            }
            #[test]
            fn reimport_after_reopen_is_identical() {
                super::reimport_after_reopen_is_identical::<super::common::$harness>();
            }
            #[test]
            fn unknown_venue_and_bad_signature() {
                super::unknown_venue_and_bad_signature::<super::common::$harness>();
            }
            #[test]
            fn two_servers_import_overlapping_batches() {
                super::two_servers_import_overlapping_batches::<super::common::$harness>();
            }
        }
    };
}

store_suite!(memory, Memory);
store_suite!(sqlite, Sqlite);
store_suite!(postgres, Postgres);

/// A version-1 SQLite file (the ledger alone) gains the operator's tables on opening,
/// its redemptions kept.
#[test]
fn sqlite_v1_file_migrates_to_v2() {
    let h = Sqlite::new("v1");
    {
        let c = rusqlite::Connection::open(h.path()).unwrap();
        c.execute_batch(&format!(
            "CREATE TABLE redemption (
                issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 255),
                serial BLOB NOT NULL CHECK (length(serial) = 10),
                kid INTEGER NOT NULL CHECK (kid BETWEEN 1 AND 65535),
                value_cents INTEGER NOT NULL CHECK (value_cents BETWEEN 1 AND 65535),
                venue TEXT NOT NULL CHECK (length(venue) BETWEEN 1 AND 255),
                at_ns INTEGER NOT NULL,
                recorded_at_ns INTEGER NOT NULL,
                PRIMARY KEY (issuer, serial)
            ) STRICT, WITHOUT ROWID;
            INSERT INTO redemption VALUES ('aptic', x'00000000000000000001', 7, 1000, 'lyon', {}, 0);
            PRAGMA user_version = 1; PRAGMA application_id = {};",
            common::BASE_NS,
            inclusif_ledger::SQLITE_APPLICATION_ID
        ))
        .unwrap();
    }
    let l = inclusif_ledger::SqliteLedger::open(h.path()).unwrap();
    assert_eq!(l.schema_version().unwrap(), 2);
    assert_eq!(
        l.redemption("aptic", Serial::from_u128(1).unwrap())
            .unwrap()
            .unwrap()
            .venue,
        "lyon"
    );
    let w = world();
    w.register(&l);
    assert_eq!(
        inclusif_core::voucher::sync::VenueStore::venues(&l)
            .unwrap()
            .len(),
        2
    );
    l.integrity_check().unwrap();
}

/// A version-1 PostgreSQL schema (the ledger alone) gains the operator's tables.
#[test]
fn postgres_v1_schema_migrates_to_v2() {
    let h = Postgres::new("v1");
    let mut c = h.client();
    c.batch_execute(&format!(
        "CREATE SCHEMA {s};
         CREATE TABLE {s}.ledger_schema (application TEXT NOT NULL, version INTEGER NOT NULL);
         INSERT INTO {s}.ledger_schema VALUES ('inclusif-ledger', 1);
         CREATE TABLE {s}.redemption (issuer TEXT NOT NULL, serial BYTEA NOT NULL,
             kid INTEGER NOT NULL, value_cents INTEGER NOT NULL, venue TEXT NOT NULL,
             at_ns BIGINT NOT NULL, recorded_at_ns BIGINT NOT NULL,
             PRIMARY KEY (issuer, serial));
         INSERT INTO {s}.redemption VALUES ('aptic', '\\x00000000000000000001', 7, 1000,
             'lyon', {ns}, 0);",
        s = h.schema,
        ns = common::BASE_NS
    ))
    .unwrap();
    let l = inclusif_ledger::PgLedger::connect_with(&h.url, h.options()).unwrap();
    assert_eq!(l.schema_version().unwrap(), 2);
    assert_eq!(
        l.redemption("aptic", Serial::from_u128(1).unwrap())
            .unwrap()
            .unwrap()
            .venue,
        "lyon"
    );
    world().register(&l);
}

/// A closed store refuses every call with `ledger_unavailable`; the file stays usable.
#[test]
fn closed_ledgers_refuse_calls() {
    let h = Sqlite::new("closed");
    let l = inclusif_ledger::SqliteLedger::open(h.path()).unwrap();
    l.close();
    l.close();
    assert!(l.is_closed());
    let e = l
        .redemption("aptic", Serial::from_u128(1).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "ledger_unavailable");
    assert!(e.to_string().contains("closed"), "{e}");
    inclusif_ledger::SqliteLedger::open(h.path()).unwrap();
    let p = Postgres::new("closed");
    let l = inclusif_ledger::PgLedger::connect_with(&p.url, p.options()).unwrap();
    l.close();
    let e = inclusif_core::voucher::sync::VenueStore::venues(&l).unwrap_err();
    assert_eq!(e.code(), "ledger_unavailable");
}
