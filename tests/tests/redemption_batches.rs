//! Offline sync: the batch vectors (`tests/vectors/batches.tsv`) through the core's
//! import, and property tests over random interleavings of offline venues (accept,
//! export, import, re-import, apply the answer; the same cheque at several venues)
//! against a model: the first redemption to reach the ledger wins, no cheque is paid
//! twice, and a batch imported again gives the very same report.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, TimeZone, Utc};
use inclusif_conformance::batch_vectors::{self, SIRETS, VENUES, batches_tsv};
use inclusif_conformance::{instant, read_tsv, root_key, vector_dir};
use inclusif_core::voucher::{
    ImportReport, Issuer, ItemOutcome, Kid, Ledger, MemoryImportLog, MemoryLedger,
    MemoryVenueRegistry, OfflineQueue, RedemptionBatch, RegisteredVenue, Scope, SecretKey, Serial,
    Token, TrustEntry, TrustList, Validity, VenueKey, Verifier, import_batch,
};
use proptest::prelude::*;

fn registry() -> MemoryVenueRegistry {
    let r = MemoryVenueRegistry::new();
    for (i, (venue, active, key_id, seed)) in VENUES.into_iter().enumerate() {
        r.put_venue(RegisteredVenue::new(venue, venue, SIRETS[i], active).unwrap())
            .unwrap();
        r.put_key(VenueKey {
            venue: venue.into(),
            key_id,
            public_key: SecretKey::from_seed(&seed).public_key(),
            active: true,
        })
        .unwrap();
    }
    r
}

fn vector_trust_list() -> TrustList {
    let hex = std::fs::read_to_string(vector_dir().join("trust_list.hex")).unwrap();
    let bytes = data_encoding::HEXLOWER
        .decode(hex.trim().as_bytes())
        .unwrap();
    TrustList::open(&bytes, &root_key()).unwrap()
}

fn shown(r: &ImportReport) -> String {
    r.items
        .iter()
        .map(|i| match &i.outcome {
            ItemOutcome::Redeemed(_) => "redeemed".to_owned(),
            ItemOutcome::Conflict { winner, .. } => format!(
                "conflict:{}@{}",
                winner.venue,
                winner.at.to_rfc3339_opts(SecondsFormat::Millis, true)
            ),
            ItemOutcome::Rejected(e) => format!("rejected:{}", e.code()),
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[test]
fn batch_vectors_match_the_generator() {
    let on_disk = std::fs::read_to_string(vector_dir().join("batches.tsv")).unwrap();
    assert_eq!(
        on_disk,
        batches_tsv(),
        "batches.tsv drifted: run `cargo run -p inclusif-conformance --bin gen-vectors`"
    );
}

#[test]
fn batch_vectors() {
    let (ledger, log, registry) = (MemoryLedger::new(), MemoryImportLog::new(), registry());
    let verifier = Verifier::new(vector_trust_list()).with_any_scope();
    let rows = read_tsv("batches.tsv");
    assert!(rows.len() >= 20);
    let mut codes = std::collections::BTreeSet::new();
    for row in &rows {
        let name = &row["name"];
        let bytes = data_encoding::HEXLOWER
            .decode(row["batch"].as_bytes())
            .unwrap();
        let got = import_batch(
            &ledger,
            &registry,
            &log,
            &verifier,
            &bytes,
            instant(&row["at"]),
        );
        match (row["expect"].as_str(), got) {
            ("ok", Ok(report)) => {
                assert_eq!(shown(&report), row["outcomes"], "{name}");
                assert_eq!(report.batch_id.to_string(), row["batch_id"], "{name}");
                let parsed = RedemptionBatch::parse_unverified(&bytes).unwrap();
                assert_eq!(parsed.batch_id(), report.batch_id, "{name}");
                codes.insert("ok");
            }
            (code, Err(e)) => {
                assert_eq!(e.code(), code, "{name}: {e}");
                codes.insert(e.code());
            }
            (expect, got) => panic!("{name}: expected {expect}, got {got:?}"),
        }
    }
    for code in [
        "ok",
        "batch_malformed",
        "bad_batch_signature",
        "unknown_venue",
    ] {
        assert!(codes.contains(code), "no batch vector for {code}");
    }
    // Two batches paid, the cd23 cheque, one of the same-serial pair, the last: 6.
    assert_eq!(ledger.len(), 6);
    assert_eq!(log.len(), 4, "one logged import per distinct batch id");
    // The vector bytes are the core's own encoding of what it read.
    let first = data_encoding::HEXLOWER
        .decode(rows[0]["batch"].as_bytes())
        .unwrap();
    let lyon = SecretKey::from_seed(&batch_vectors::LYON_SEED);
    let b = RedemptionBatch::open(&first, &lyon.public_key()).unwrap();
    assert_eq!(b.sign(&lyon), first);
}

// ---- property tests ----

const VENUE_NAMES: [&str; 3] = ["lyon", "gueret", "paris"];
const CHEQUES: u128 = 6;

struct Sim {
    issuer_tokens: Vec<Token>,
    verifier: Verifier,
    registry: MemoryVenueRegistry,
    keys: Vec<SecretKey>,
    ledger: MemoryLedger,
    log: MemoryImportLog,
    queues: Vec<OfflineQueue>,
    sequences: Vec<u64>,
    /// Batches sent, with their venue, in the order exported.
    sent: Vec<(usize, Vec<u8>)>,
    /// The first report of each batch id.
    reports: HashMap<String, ImportReport>,
    /// The report of each sent batch once imported.
    answers: HashMap<usize, ImportReport>,
    /// The model: who holds each serial, (venue, accepted_at), by first import.
    winners: HashMap<Serial, (String, DateTime<Utc>)>,
    now: DateTime<Utc>,
}

fn sim() -> Sim {
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let mut trust = TrustList::new(1, start, 30 * 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let validity = Validity::from_dates(d(1, 1), d(12, 31)).unwrap();
    let issuer_tokens = (1..=CHEQUES)
        .map(|i| {
            issuer
                .issue(
                    Serial::from_u128(i).unwrap(),
                    1000,
                    validity,
                    Scope::NATIONAL,
                )
                .unwrap()
        })
        .collect();
    let registry = MemoryVenueRegistry::new();
    let keys: Vec<SecretKey> = (0..3u8)
        .map(|i| SecretKey::from_seed(&[0x70 + i; 32]))
        .collect();
    for (i, v) in VENUE_NAMES.iter().enumerate() {
        registry
            .put_venue(RegisteredVenue::new(v, v, SIRETS[i], true).unwrap())
            .unwrap();
        registry
            .put_key(VenueKey {
                venue: (*v).into(),
                key_id: 1,
                public_key: keys[i].public_key(),
                active: true,
            })
            .unwrap();
    }
    Sim {
        issuer_tokens,
        verifier: Verifier::new(trust).with_any_scope(),
        registry,
        keys,
        ledger: MemoryLedger::new(),
        log: MemoryImportLog::new(),
        queues: VENUE_NAMES.iter().map(|v| OfflineQueue::new(v)).collect(),
        sequences: vec![0; 3],
        sent: Vec::new(),
        reports: HashMap::new(),
        answers: HashMap::new(),
        winners: HashMap::new(),
        now: start,
    }
}

#[derive(Debug, Clone)]
enum Op {
    Accept { venue: usize, cheque: usize },
    Export { venue: usize },
    Import { batch: usize },
    Apply { batch: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..CHEQUES as usize).prop_map(|(venue, cheque)| Op::Accept { venue, cheque }),
        2 => (0..3usize).prop_map(|venue| Op::Export { venue }),
        3 => (0..16usize).prop_map(|batch| Op::Import { batch }),
        1 => (0..16usize).prop_map(|batch| Op::Apply { batch }),
    ]
}

impl Sim {
    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        self.now += TimeDelta::minutes(1);
        match *op {
            Op::Accept { venue, cheque } => {
                let t = self.issuer_tokens[cheque];
                let v = self.verifier.verify(&t, self.now).unwrap();
                let q = &mut self.queues[venue];
                let already = q.pending().iter().any(|r| r.serial == t.serial());
                match q.accept_token(&t, &v, self.now) {
                    Ok(_) => prop_assert!(!already),
                    Err(e) => {
                        prop_assert!(already);
                        prop_assert_eq!(e.code(), "already_redeemed");
                    }
                }
            }
            Op::Export { venue } => {
                if self.queues[venue].pending().is_empty() {
                    return Ok(());
                }
                self.sequences[venue] += 1;
                let bytes = self.queues[venue]
                    .export_batch(&self.keys[venue], 1, self.sequences[venue], self.now)
                    .unwrap();
                self.sent.push((venue, bytes));
            }
            Op::Import { batch } => {
                if self.sent.is_empty() {
                    return Ok(());
                }
                let k = batch % self.sent.len();
                let (venue, bytes) = self.sent[k].clone();
                let report = import_batch(
                    &self.ledger,
                    &self.registry,
                    &self.log,
                    &self.verifier,
                    &bytes,
                    self.now,
                )
                .unwrap();
                let id = report.batch_id.to_string();
                if let Some(first) = self.reports.get(&id) {
                    prop_assert_eq!(first, &report, "a re-import changed the report");
                } else {
                    self.check_first_import(venue, &report)?;
                    self.reports.insert(id, report.clone());
                }
                self.answers.insert(k, report);
            }
            Op::Apply { batch } => {
                if self.sent.is_empty() {
                    return Ok(());
                }
                let k = batch % self.sent.len();
                if let Some(report) = self.answers.get(&k) {
                    let venue = self.sent[k].0;
                    let before = self.queues[venue].pending().len();
                    let removed = self.queues[venue].apply_outcomes(&report.items);
                    prop_assert_eq!(self.queues[venue].pending().len(), before - removed);
                    let q = &self.queues[venue];
                    for item in &report.items {
                        prop_assert!(
                            !q.pending().iter().zip(q.pending_tokens()).any(|(r, t)| {
                                *t == Some(item.token) && r.at == item.accepted_at
                            }),
                            "a settled item is still queued"
                        );
                    }
                }
            }
        }
        // No cheque is paid twice: the ledger holds exactly the model's winners.
        prop_assert_eq!(self.ledger.len(), self.winners.len());
        for (serial, (venue, at)) in &self.winners {
            let r = self.ledger.redemption("aptic", *serial).unwrap().unwrap();
            prop_assert_eq!((&r.venue, r.at), (venue, *at));
        }
        Ok(())
    }

    /// The model: items in batch order; the first to reach the ledger holds the serial.
    fn check_first_import(
        &mut self,
        venue: usize,
        report: &ImportReport,
    ) -> Result<(), TestCaseError> {
        let name = VENUE_NAMES[venue];
        for item in &report.items {
            let serial = item.token.serial();
            let mine = (name.to_owned(), item.accepted_at);
            let holder = self
                .winners
                .entry(serial)
                .or_insert_with(|| mine.clone())
                .clone();
            match &item.outcome {
                ItemOutcome::Redeemed(r) => {
                    prop_assert_eq!(
                        &holder,
                        &mine,
                        "redeemed, but another item holds the serial"
                    );
                    prop_assert_eq!((r.venue.as_str(), r.at), (name, item.accepted_at));
                }
                ItemOutcome::Conflict { queued, winner } => {
                    prop_assert_ne!(&holder, &mine);
                    prop_assert_eq!((&winner.venue, winner.at), (&holder.0, holder.1));
                    prop_assert_eq!((queued.venue.as_str(), queued.at), (name, item.accepted_at));
                }
                ItemOutcome::Rejected(e) => {
                    return Err(TestCaseError::fail(format!(
                        "a good cheque was rejected: {e}"
                    )));
                }
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn offline_venues_interleaved(ops in prop::collection::vec(op(), 1..60)) {
        let mut s = sim();
        for op in &ops {
            s.step(op)?;
        }
        // Finally every batch is imported, then again in reverse: nothing changes.
        for k in 0..s.sent.len() {
            s.step(&Op::Import { batch: k })?;
        }
        let held = s.ledger.redemptions();
        for k in (0..s.sent.len()).rev() {
            s.step(&Op::Import { batch: k })?;
        }
        prop_assert_eq!(s.ledger.redemptions(), held);
    }

    #[test]
    fn the_same_cheque_at_every_venue(order in Just([0usize, 1, 2]).prop_shuffle(), cheque in 0..CHEQUES as usize) {
        // Each venue accepts the cheque, in turn; their batches reach the ledger in
        // `order`: the first imported wins, whoever accepted first.
        let mut s = sim();
        for venue in 0..3 {
            s.step(&Op::Accept { venue, cheque })?;
            s.step(&Op::Export { venue })?;
        }
        for &venue in &order {
            s.step(&Op::Import { batch: venue })?;
        }
        let winner = s.ledger.redemption("aptic", s.issuer_tokens[cheque].serial()).unwrap().unwrap();
        prop_assert_eq!(winner.venue.as_str(), VENUE_NAMES[order[0]]);
        prop_assert_eq!(s.ledger.len(), 1);
    }
}
