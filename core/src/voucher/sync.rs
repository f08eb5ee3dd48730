//! Offline sync, the operator's side: the venue registry, the log of finished imports,
//! and the import of signed redemption batches ([`redemption_batch`](super::redemption_batch)).
//!
//! A venue device registers a key with the operator ([`VenueRegistry`]), verifies
//! tokens offline, queues them ([`OfflineQueue`](super::OfflineQueue)) and sends its
//! queue as a signed batch. [`import_batch`] opens the batch, checks it against the
//! registry, verifies each token as it stood when the venue accepted it, and redeems
//! the good ones in the ledger, in queue order: the first redemption to reach the
//! ledger wins, and each item comes back `redeemed`, `conflict` (with the winner's venue
//! and time) or `rejected` (with the token's error code).
//!
//! Importing a batch again changes nothing and returns the same outcomes: a finished
//! import is kept in an [`ImportLog`] by [`BatchId`], and even without it an item whose
//! winner is itself counts as redeemed (the rule of [`OfflineQueue::sync`](super::OfflineQueue::sync)).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, RwLock};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::error::VoucherError;
use super::keys::PublicKey;
use super::ledger::{Ledger, Redemption, SyncOutcome, settle};
use super::redemption_batch::{BatchId, RedemptionBatch, is_registry_id};
use super::token::Token;
use super::verify::{VerifiedVoucher, Verifier};
use crate::venue::geo::{PivotStatus, siret_status};

/// How far past the import instant an acceptance may lie (device clocks drift): later
/// items are rejected with `invalid_field`.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// Longest venue name, in characters.
pub const MAX_VENUE_NAME_CHARS: usize = 200;

/// A venue known to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegisteredVenue {
    /// Registry identifier (`a-z`, `0-9`, `-`, `_`, `.`; 1..=64 bytes): what batches name.
    pub id: String,
    /// Name, for people.
    pub name: String,
    /// SIRET: 14 digits whose checksum holds (La Poste's rule included).
    pub siret: String,
    /// Whether the venue's batches are accepted.
    pub active: bool,
}

impl RegisteredVenue {
    /// A venue: `invalid_field` for an identifier that is not a registry identifier, an
    /// empty or overlong name, or a SIRET that is not one (checked as
    /// [`siret_status`] does).
    pub fn new(id: &str, name: &str, siret: &str, active: bool) -> Result<Self, VoucherError> {
        let v = RegisteredVenue {
            id: id.to_owned(),
            name: name.to_owned(),
            siret: siret.to_owned(),
            active,
        };
        v.check()?;
        Ok(v)
    }

    /// Checks the rules of [`new`](RegisteredVenue::new).
    pub fn check(&self) -> Result<(), VoucherError> {
        if !is_registry_id(&self.id) {
            return Err(VoucherError::invalid(
                "venue",
                format!(
                    "{:?} must be a registry identifier: 1..=64 bytes of a-z, 0-9, '-', '_', '.'",
                    self.id
                ),
            ));
        }
        let chars = self.name.trim().chars().count();
        if chars == 0 || self.name.chars().count() > MAX_VENUE_NAME_CHARS {
            return Err(VoucherError::invalid(
                "name",
                format!("venue {}: 1..={MAX_VENUE_NAME_CHARS} characters", self.id),
            ));
        }
        match siret_status(&self.siret) {
            PivotStatus::Siret => Ok(()),
            other => Err(VoucherError::invalid(
                "siret",
                format!(
                    "venue {}: {:?} is not a SIRET ({})",
                    self.id,
                    self.siret,
                    other.as_str()
                ),
            )),
        }
    }
}

/// A key a venue registered to sign its batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueKey {
    /// The venue's identifier.
    pub venue: String,
    /// The key id the venue's batches name (1..=65535, per venue).
    pub key_id: u16,
    /// The Ed25519 public key.
    pub public_key: PublicKey,
    /// Whether batches signed with it are accepted.
    pub active: bool,
}

/// Where the operator keeps venues and their keys.
pub trait VenueRegistry: Send + Sync {
    /// The venue, if registered.
    fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>, VoucherError>;

    /// A venue's key, if registered.
    fn venue_key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>, VoucherError>;
}

/// The key that must have signed a batch of `venue` naming `key_id`: `unknown_venue`
/// (saying which) unless the venue and the key are registered and active.
pub fn batch_key(
    registry: &dyn VenueRegistry,
    venue: &str,
    key_id: u16,
) -> Result<PublicKey, VoucherError> {
    let unknown = |reason: &str| VoucherError::UnknownVenue {
        venue: venue.to_owned(),
        key_id,
        reason: reason.to_owned(),
    };
    match registry.venue(venue)? {
        None => return Err(unknown("no such venue is registered")),
        Some(v) if !v.active => return Err(unknown("the venue is not active")),
        Some(_) => {}
    }
    match registry.venue_key(venue, key_id)? {
        None => Err(unknown("no such key is registered for the venue")),
        Some(k) if !k.active => Err(unknown("the key is not active")),
        Some(k) => Ok(k.public_key),
    }
}

type Registry = (
    BTreeMap<String, RegisteredVenue>,
    BTreeMap<(String, u16), VenueKey>,
);

/// A thread-safe in-memory venue registry (lost when the process ends).
#[derive(Debug, Default)]
pub struct MemoryVenueRegistry {
    inner: RwLock<Registry>,
}

impl MemoryVenueRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        // Every write is one insert: a poisoned lock is still consistent.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a venue, or replaces it (to change its name or deactivate it):
    /// `invalid_field` if it breaks a rule of [`RegisteredVenue::check`].
    pub fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError> {
        venue.check()?;
        self.write().0.insert(venue.id.clone(), venue);
        Ok(())
    }

    /// Registers a venue's key, or replaces it (to deactivate it): `unknown_venue` if the
    /// venue is not registered, `invalid_field` for key id 0.
    pub fn put_key(&self, key: VenueKey) -> Result<(), VoucherError> {
        if key.key_id == 0 {
            return Err(VoucherError::invalid("key_id", "0 is reserved"));
        }
        let mut g = self.write();
        if !g.0.contains_key(&key.venue) {
            return Err(VoucherError::UnknownVenue {
                venue: key.venue.clone(),
                key_id: key.key_id,
                reason: "no such venue is registered".into(),
            });
        }
        g.1.insert((key.venue.clone(), key.key_id), key);
        Ok(())
    }

    /// Every venue, by identifier.
    pub fn venues(&self) -> Vec<RegisteredVenue> {
        self.read().0.values().cloned().collect()
    }

    /// A venue's keys, by key id.
    pub fn keys(&self, venue: &str) -> Vec<VenueKey> {
        self.read()
            .1
            .values()
            .filter(|k| k.venue == venue)
            .cloned()
            .collect()
    }
}

impl VenueRegistry for MemoryVenueRegistry {
    fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>, VoucherError> {
        Ok(self.read().0.get(id).cloned())
    }

    fn venue_key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>, VoucherError> {
        Ok(self.read().1.get(&(venue.to_owned(), key_id)).cloned())
    }
}

/// What became of one item of an imported batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Recorded: this venue's redemption is the one that counts.
    Redeemed(Redemption),
    /// Another redemption reached the ledger first; this one does not count.
    Conflict {
        /// The redemption the venue made.
        queued: Redemption,
        /// The one that won.
        winner: Redemption,
    },
    /// The token did not verify when the venue accepted it (or the acceptance lies in
    /// the future): nothing was recorded.
    Rejected(VoucherError),
}

impl ItemOutcome {
    /// `redeemed`, `conflict` or `rejected`.
    pub fn status(&self) -> &'static str {
        match self {
            ItemOutcome::Redeemed(_) => "redeemed",
            ItemOutcome::Conflict { .. } => "conflict",
            ItemOutcome::Rejected(_) => "rejected",
        }
    }
}

/// The statuses of [`ItemOutcome`], in order.
pub const ITEM_STATUSES: &[&str] = &["redeemed", "conflict", "rejected"];

/// One item of an imported batch and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    /// The token as the batch carries it.
    pub token: Token,
    /// When the venue accepted it.
    pub accepted_at: DateTime<Utc>,
    /// What became of it.
    pub outcome: ItemOutcome,
}

/// The result of importing one batch: its identity and one outcome per item, in the
/// batch's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The batch's identity.
    pub batch_id: BatchId,
    /// The venue that sent it.
    pub venue: String,
    /// The venue key that signed it.
    pub key_id: u16,
    /// The device's sequence number.
    pub sequence: u64,
    /// When the device made it.
    pub created_at: DateTime<Utc>,
    /// One per item, in order.
    pub items: Vec<ImportedItem>,
}

impl ImportReport {
    /// How many items were redeemed, in conflict and rejected.
    pub fn counts(&self) -> [usize; 3] {
        let mut c = [0; 3];
        for i in &self.items {
            c[match i.outcome {
                ItemOutcome::Redeemed(_) => 0,
                ItemOutcome::Conflict { .. } => 1,
                ItemOutcome::Rejected(_) => 2,
            }] += 1;
        }
        c
    }
}

/// Where the operator keeps finished imports, by batch id, so that a batch imported again
/// returns the very same report.
pub trait ImportLog: Send + Sync {
    /// The report of a finished import of this batch, if any.
    fn finished(&self, batch_id: &BatchId) -> Result<Option<ImportReport>, VoucherError>;

    /// Records a finished import. Recording the same batch again keeps the first report.
    fn record(&self, report: &ImportReport) -> Result<(), VoucherError>;
}

/// A thread-safe in-memory import log (lost when the process ends).
#[derive(Debug, Default)]
pub struct MemoryImportLog {
    done: Mutex<HashMap<BatchId, ImportReport>>,
}

impl MemoryImportLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<BatchId, ImportReport>> {
        // One insert per operation: a poisoned lock is still consistent.
        self.done.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many batches were imported.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no batch was imported yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finished import, by venue, then sequence, then batch id.
    pub fn reports(&self) -> Vec<ImportReport> {
        let mut all: Vec<ImportReport> = self.lock().values().cloned().collect();
        all.sort_by(|a, b| {
            (&a.venue, a.sequence, a.batch_id).cmp(&(&b.venue, b.sequence, b.batch_id))
        });
        all
    }
}

impl ImportLog for MemoryImportLog {
    fn finished(&self, batch_id: &BatchId) -> Result<Option<ImportReport>, VoucherError> {
        Ok(self.lock().get(batch_id).cloned())
    }

    fn record(&self, report: &ImportReport) -> Result<(), VoucherError> {
        self.lock()
            .entry(report.batch_id)
            .or_insert_with(|| report.clone());
        Ok(())
    }
}

/// Imports a signed redemption batch at `now`.
///
/// In order:
/// 1. the bytes are read (`batch_malformed`);
/// 2. the venue and key the batch names must be registered and active (`unknown_venue`);
/// 3. the signature must verify under that key (`bad_batch_signature`);
/// 4. a batch already imported returns its logged report, unchanged;
/// 5. the verifier's trust list must be fresh at `now` (`trust_list_expired`: fail closed);
/// 6. each token is verified as it stood at its `accepted_at` (civil dates in the
///    verifier's time zone; tokens of one civil date are verified as one batch), and an
///    acceptance later than `now` + [`MAX_CLOCK_SKEW`] is rejected with `invalid_field`;
/// 7. the verified items are redeemed in the ledger in the batch's order; a winner equal
///    to the item itself (an earlier import of the same item) counts as redeemed;
/// 8. the report is logged.
///
/// The operator's verifier normally accepts every scope ([`Verifier::with_any_scope`]).
/// If the ledger fails (`ledger_unavailable`) the import stops with that error and
/// nothing is logged: importing again is safe, since items already recorded come back
/// as their own winners.
pub fn import_batch(
    ledger: &dyn Ledger,
    registry: &dyn VenueRegistry,
    log: &dyn ImportLog,
    verifier: &Verifier,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportReport, VoucherError> {
    let batch = RedemptionBatch::parse_unverified(bytes)?;
    let key = batch_key(registry, batch.venue(), batch.key_id())?;
    batch.verify_signature(bytes, &key)?;
    let batch_id = batch.batch_id();
    if let Some(done) = log.finished(&batch_id)? {
        return Ok(done);
    }
    verifier.trust_list().check_fresh(now)?;
    let verdicts = verify_at_acceptance(verifier, &batch, now);
    let mut items = Vec::with_capacity(verdicts.len());
    for (item, verdict) in batch.items().iter().zip(verdicts) {
        let outcome = match verdict {
            Err(e) => ItemOutcome::Rejected(e),
            Ok(v) => {
                let r = Redemption::new(&v, batch.venue(), item.accepted_at);
                match settle(ledger, &r)? {
                    SyncOutcome::Redeemed(r) => ItemOutcome::Redeemed(r),
                    SyncOutcome::Conflict { queued, winner } => {
                        ItemOutcome::Conflict { queued, winner }
                    }
                }
            }
        };
        items.push(ImportedItem {
            token: item.token,
            accepted_at: item.accepted_at,
            outcome,
        });
    }
    let report = ImportReport {
        batch_id,
        venue: batch.venue().to_owned(),
        key_id: batch.key_id(),
        sequence: batch.sequence(),
        created_at: batch.created_at(),
        items,
    };
    log.record(&report)?;
    Ok(report)
}

/// Each item's verdict at its acceptance instant. Verdicts depend on the instant only
/// through its civil date and the trust list's freshness, so the items of one civil
/// date are verified together at the latest of their instants when the list was still
/// fresh then, one by one otherwise.
fn verify_at_acceptance(
    verifier: &Verifier,
    batch: &RedemptionBatch,
    now: DateTime<Utc>,
) -> Vec<Result<VerifiedVoucher, VoucherError>> {
    let items = batch.items();
    let mut verdicts: Vec<Option<Result<VerifiedVoucher, VoucherError>>> = vec![None; items.len()];
    let mut by_date: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    let tz = verifier.time_zone();
    for (i, item) in items.iter().enumerate() {
        if item.accepted_at > now + MAX_CLOCK_SKEW {
            verdicts[i] = Some(Err(VoucherError::invalid(
                "accepted_at",
                format!(
                    "accepted at {}, later than the import ({now}) by more than {} minutes",
                    item.accepted_at,
                    MAX_CLOCK_SKEW.num_minutes()
                ),
            )));
            continue;
        }
        by_date
            .entry(item.accepted_at.with_timezone(&tz).date_naive())
            .or_default()
            .push(i);
    }
    for group in by_date.values() {
        let latest = group
            .iter()
            .map(|&i| items[i].accepted_at)
            .max()
            .expect("a group is never empty");
        if verifier.trust_list().check_fresh(latest).is_ok() {
            let tokens: Vec<Token> = group.iter().map(|&i| items[i].token).collect();
            for (&i, v) in group.iter().zip(verifier.verify_batch(&tokens, latest)) {
                verdicts[i] = Some(v);
            }
        } else {
            for &i in group {
                verdicts[i] = Some(verifier.verify(&items[i].token, items[i].accepted_at));
            }
        }
    }
    verdicts
        .into_iter()
        .map(|v| v.expect("every item gets a verdict"))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::voucher::{
        BatchItem, Issuer, Kid, MemoryLedger, OfflineQueue, Scope, SecretKey, Serial, TrustEntry,
        TrustList, Validity,
    };

    fn at(day: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, day, 10, minute, 0).unwrap()
    }

    struct World {
        issuer: Issuer,
        verifier: Verifier,
        registry: MemoryVenueRegistry,
        keys: [SecretKey; 2],
        ledger: MemoryLedger,
        log: MemoryImportLog,
    }

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
        let registry = MemoryVenueRegistry::new();
        let keys = [
            SecretKey::from_seed(&[0x51; 32]),
            SecretKey::from_seed(&[0x52; 32]),
        ];
        for (i, (id, siret)) in [("lyon", "12345678900007"), ("gueret", "35600000000048")]
            .into_iter()
            .enumerate()
        {
            registry
                .put_venue(RegisteredVenue::new(id, id, siret, true).unwrap())
                .unwrap();
            registry
                .put_key(VenueKey {
                    venue: id.into(),
                    key_id: 1,
                    public_key: keys[i].public_key(),
                    active: true,
                })
                .unwrap();
        }
        World {
            issuer,
            verifier: Verifier::new(trust).with_any_scope(),
            registry,
            keys,
            ledger: MemoryLedger::new(),
            log: MemoryImportLog::new(),
        }
    }

    impl World {
        fn token(&self, serial: u128, until_day: u32) -> Token {
            let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
            self.issuer
                .issue(
                    Serial::from_u128(serial).unwrap(),
                    1000,
                    Validity::from_dates(d(1, 1), d(6, until_day)).unwrap(),
                    Scope::NATIONAL,
                )
                .unwrap()
        }

        fn queue(&self, venue: &str, items: &[(Token, DateTime<Utc>)]) -> OfflineQueue {
            let mut q = OfflineQueue::new(venue);
            for (t, when) in items {
                let v = self.verifier.verify(t, *when).unwrap();
                q.accept_token(t, &v, *when).unwrap();
            }
            q
        }

        fn import(&self, bytes: &[u8], now: DateTime<Utc>) -> Result<ImportReport, VoucherError> {
            import_batch(
                &self.ledger,
                &self.registry,
                &self.log,
                &self.verifier,
                bytes,
                now,
            )
        }
    }

    fn statuses(r: &ImportReport) -> Vec<&'static str> {
        r.items.iter().map(|i| i.outcome.status()).collect()
    }

    #[test]
    fn first_to_the_ledger_wins_and_reimports_change_nothing() {
        let w = world();
        let (a, b) = (w.token(1, 30), w.token(2, 30));
        let lyon = w.queue("lyon", &[(a, at(2, 0)), (b, at(2, 1))]);
        let mut gueret = w.queue("gueret", &[(a, at(2, 5))]);
        let g = gueret.export_batch(&w.keys[1], 1, 1, at(2, 30)).unwrap();
        let l = lyon.export_batch(&w.keys[0], 1, 1, at(2, 30)).unwrap();
        // Guéret reaches the ledger first, though Lyon accepted the cheque earlier.
        let gr = w.import(&g, at(3, 0)).unwrap();
        assert_eq!(statuses(&gr), ["redeemed"]);
        let lr = w.import(&l, at(3, 1)).unwrap();
        assert_eq!(statuses(&lr), ["conflict", "redeemed"]);
        match &lr.items[0].outcome {
            ItemOutcome::Conflict { queued, winner } => {
                assert_eq!((queued.venue.as_str(), queued.at), ("lyon", at(2, 0)));
                assert_eq!((winner.venue.as_str(), winner.at), ("gueret", at(2, 5)));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lr.counts(), [1, 1, 0]);
        assert_eq!(w.ledger.len(), 2);
        // Again, later: the same report, nothing changes.
        assert_eq!(w.import(&l, at(4, 0)).unwrap(), lr);
        assert_eq!(w.import(&g, at(4, 0)).unwrap(), gr);
        assert_eq!((w.ledger.len(), w.log.len()), (2, 2));
        // Without the log, the ledger alone gives the same outcomes.
        let fresh_log = MemoryImportLog::new();
        let again = import_batch(
            &w.ledger,
            &w.registry,
            &fresh_log,
            &w.verifier,
            &l,
            at(4, 0),
        )
        .unwrap();
        assert_eq!(again, lr);
        // The device settles its queue from the answer.
        assert_eq!(gueret.apply_outcomes(&gr.items), 1);
        assert!(gueret.pending().is_empty());
        assert_eq!(gueret.apply_outcomes(&gr.items), 0);
    }

    #[test]
    fn tokens_are_judged_when_the_venue_accepted_them() {
        let w = world();
        // Valid until 10 June: accepted on the 9th, imported on the 20th.
        let t = w.token(3, 10);
        let q = w.queue("lyon", &[(t, at(9, 0))]);
        let bytes = q.export_batch(&w.keys[0], 1, 1, at(9, 1)).unwrap();
        assert_eq!(
            w.verifier.verify(&t, at(20, 0)).unwrap_err().code(),
            "expired"
        );
        assert_eq!(
            statuses(&w.import(&bytes, at(20, 0)).unwrap()),
            ["redeemed"]
        );
        // A batch claiming an acceptance after the validity: rejected, not recorded.
        let late = RedemptionBatch::new(
            "lyon",
            1,
            2,
            at(12, 0),
            vec![BatchItem {
                token: w.token(4, 10),
                accepted_at: at(11, 0),
            }],
        )
        .unwrap()
        .sign(&w.keys[0]);
        let r = w.import(&late, at(20, 0)).unwrap();
        match &r.items[0].outcome {
            ItemOutcome::Rejected(e) => assert_eq!(e.code(), "expired"),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.ledger.len(), 1);
        // An acceptance in the future (beyond the clock skew) is rejected.
        let future = RedemptionBatch::new(
            "lyon",
            1,
            3,
            at(5, 10),
            vec![BatchItem {
                token: w.token(5, 30),
                accepted_at: at(5, 10),
            }],
        )
        .unwrap()
        .sign(&w.keys[0]);
        let r = w.import(&future, at(5, 4)).unwrap();
        match &r.items[0].outcome {
            ItemOutcome::Rejected(e) => assert_eq!(e.code(), "invalid_field"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            statuses(&w.import(&future, at(5, 6)).unwrap()),
            ["rejected"],
            "a finished import is final"
        );
    }

    #[test]
    fn batch_level_refusals() {
        let w = world();
        let q = w.queue("lyon", &[(w.token(6, 30), at(2, 0))]);
        let good = q.export_batch(&w.keys[0], 1, 1, at(2, 1)).unwrap();
        let code = |bytes: &[u8]| w.import(bytes, at(3, 0)).unwrap_err().code();
        // Signed with Guéret's key while naming Lyon's.
        let forged = q.export_batch(&w.keys[1], 1, 1, at(2, 1)).unwrap();
        assert_eq!(code(&forged), "bad_batch_signature");
        assert_eq!(
            code(&q.export_batch(&w.keys[0], 2, 1, at(2, 1)).unwrap()),
            "unknown_venue"
        );
        assert_eq!(code(&good[..good.len() - 1]), "batch_malformed");
        let paris = w.queue("paris", &[(w.token(7, 30), at(2, 0))]);
        assert_eq!(
            code(&paris.export_batch(&w.keys[0], 1, 1, at(2, 1)).unwrap()),
            "unknown_venue"
        );
        // A deactivated key, then a deactivated venue.
        let lyon_key = w.registry.keys("lyon").pop().unwrap();
        w.registry
            .put_key(VenueKey {
                active: false,
                ..lyon_key.clone()
            })
            .unwrap();
        let e = w.import(&good, at(3, 0)).unwrap_err();
        assert_eq!(e.code(), "unknown_venue");
        assert!(e.to_string().contains("key is not active"), "{e}");
        w.registry.put_key(lyon_key).unwrap();
        let mut venue = w.registry.venue("lyon").unwrap().unwrap();
        venue.active = false;
        w.registry.put_venue(venue).unwrap();
        assert_eq!(code(&good), "unknown_venue");
        assert!(w.ledger.is_empty() && w.log.is_empty());
        // A stale trust list fails closed.
        let stale = w.verifier.trust_list().expires_at() + TimeDelta::seconds(1);
        w.registry
            .put_venue(RegisteredVenue::new("lyon", "Lyon", "12345678900007", true).unwrap())
            .unwrap();
        assert_eq!(
            w.import(&good, stale).unwrap_err().code(),
            "trust_list_expired"
        );
    }

    #[test]
    fn registry_rules() {
        let r = MemoryVenueRegistry::new();
        let bad = |id: &str, name: &str, siret: &str| {
            RegisteredVenue::new(id, name, siret, true)
                .unwrap_err()
                .code()
        };
        assert_eq!(bad("Lyon", "Lyon", "12345678900007"), "invalid_field");
        assert_eq!(bad("lyon", " ", "12345678900007"), "invalid_field");
        assert_eq!(bad("lyon", "Lyon", "12345678900008"), "invalid_field");
        assert_eq!(bad("lyon", "Lyon", "00000000000000"), "invalid_field");
        let key = VenueKey {
            venue: "lyon".into(),
            key_id: 1,
            public_key: SecretKey::from_seed(&[1; 32]).public_key(),
            active: true,
        };
        assert_eq!(r.put_key(key.clone()).unwrap_err().code(), "unknown_venue");
        r.put_venue(RegisteredVenue::new("lyon", "Lyon", "44234567800019", true).unwrap())
            .unwrap();
        assert_eq!(
            r.put_key(VenueKey {
                key_id: 0,
                ..key.clone()
            })
            .unwrap_err()
            .code(),
            "invalid_field"
        );
        r.put_key(key.clone()).unwrap();
        assert_eq!(r.keys("lyon"), vec![key]);
        assert_eq!(r.venues().len(), 1);
    }
}
