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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, RwLock};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::error::VoucherError;
use super::keys::PublicKey;
use super::ledger::{Ledger, Redemption};
use super::redemption_batch::{BatchId, RedemptionBatch, is_registry_id};
use super::token::{Kid, Serial, TOKEN_LEN, Token};
use super::verify::{VerifiedVoucher, Verifier};
use crate::venue::geo::{PivotStatus, siret_status};
use serde::Deserialize;

/// How far past the import instant an acceptance may lie (device clocks drift): later
/// items are rejected with `invalid_field`.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// How many redemptions [`import_batch`] hands to [`Ledger::redeem_all`] at a time.
pub const IMPORT_CHUNK: usize = 1000;

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

/// A venue registry that can also be written and listed: what an operator keeps (in
/// memory, or next to a persistent ledger in the same database).
pub trait VenueStore: VenueRegistry {
    /// Registers a venue, or replaces it (to rename or deactivate it): `invalid_field` if
    /// it breaks a rule of [`RegisteredVenue::check`].
    fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError>;

    /// Registers a venue's key, or replaces it (to deactivate it): `unknown_venue` if the
    /// venue is not registered, `invalid_field` for key id 0.
    fn put_key(&self, key: VenueKey) -> Result<(), VoucherError>;

    /// Every venue, by identifier.
    fn venues(&self) -> Result<Vec<RegisteredVenue>, VoucherError>;

    /// A venue's keys, by key id.
    fn keys(&self, venue: &str) -> Result<Vec<VenueKey>, VoucherError>;
}

impl VenueStore for MemoryVenueRegistry {
    fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError> {
        MemoryVenueRegistry::put_venue(self, venue)
    }

    fn put_key(&self, key: VenueKey) -> Result<(), VoucherError> {
        MemoryVenueRegistry::put_key(self, key)
    }

    fn venues(&self) -> Result<Vec<RegisteredVenue>, VoucherError> {
        Ok(MemoryVenueRegistry::venues(self))
    }

    fn keys(&self, venue: &str) -> Result<Vec<VenueKey>, VoucherError> {
        Ok(MemoryVenueRegistry::keys(self, venue))
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

/// An import log that can also be listed: what an operator keeps (in memory, or next to
/// a persistent ledger in the same database).
pub trait ImportStore: ImportLog {
    /// Every finished import, by venue, then sequence, then batch id.
    fn reports(&self) -> Result<Vec<ImportReport>, VoucherError>;

    /// How many batches were imported.
    fn count(&self) -> Result<u64, VoucherError>;
}

impl ImportStore for MemoryImportLog {
    fn reports(&self) -> Result<Vec<ImportReport>, VoucherError> {
        Ok(MemoryImportLog::reports(self))
    }

    fn count(&self) -> Result<u64, VoucherError> {
        Ok(u64::try_from(self.len()).unwrap_or(u64::MAX))
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
/// 7. the verified items are redeemed in the ledger in the batch's order,
///    [`IMPORT_CHUNK`] at a time through [`Ledger::redeem_all`] (one transaction per
///    chunk on a persistent ledger); a winner equal to the item itself (an earlier
///    import of the same item) counts as redeemed;
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
    let mut outcomes: Vec<Option<ItemOutcome>> = Vec::with_capacity(verdicts.len());
    let mut good: Vec<(usize, Redemption)> = Vec::new();
    for (i, (item, verdict)) in batch.items().iter().zip(verdicts).enumerate() {
        match verdict {
            Err(e) => outcomes.push(Some(ItemOutcome::Rejected(e))),
            Ok(v) => {
                good.push((i, Redemption::new(&v, batch.venue(), item.accepted_at)));
                outcomes.push(None);
            }
        }
    }
    // In queue order, IMPORT_CHUNK at a time (one transaction each on a persistent
    // ledger); a winner equal to the item itself counts as redeemed (the rule of
    // `settle`).
    for chunk in good.chunks(IMPORT_CHUNK) {
        let rs: Vec<Redemption> = chunk.iter().map(|(_, r)| r.clone()).collect();
        let settled = ledger.redeem_all(&rs)?;
        if settled.len() != rs.len() {
            return Err(VoucherError::LedgerUnavailable {
                reason: format!(
                    "the ledger settled {} of {} redemptions; retry the import",
                    settled.len(),
                    rs.len()
                ),
            });
        }
        for ((i, queued), out) in chunk.iter().zip(settled) {
            outcomes[*i] = Some(match out {
                Ok(r) => ItemOutcome::Redeemed(r),
                Err(winner) if winner == *queued => ItemOutcome::Redeemed(winner),
                Err(winner) => ItemOutcome::Conflict {
                    queued: queued.clone(),
                    winner,
                },
            });
        }
    }
    let items = batch
        .items()
        .iter()
        .zip(outcomes)
        .map(|(item, outcome)| ImportedItem {
            token: item.token,
            accepted_at: item.accepted_at,
            outcome: outcome.expect("every item is settled or rejected"),
        })
        .collect();
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

// ---- the stored form of an import report -----------------------------------------

/// An [`ImportReport`] in the form a persistent [`ImportLog`] keeps it: the items as
/// bytes (the header, then each token and acceptance instant) and the outcomes as
/// compact JSON. [`ImportReport::from_stored`] rebuilds the very same report, errors
/// included, so a batch imported again after a restart answers exactly as the first
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// Format byte 1, batch id (32), key id (u16), sequence (u64), created_at (i64
    /// seconds, u32 nanoseconds), venue (u16 length and bytes), count (u32), then per
    /// item the token (85 bytes) and accepted_at (i64 seconds, u32 nanoseconds); all
    /// big-endian.
    pub items: Vec<u8>,
    /// One JSON value per item, in order: `{"s":"r"}` redeemed, `{"s":"c","w":…}` in
    /// conflict with the winner, `{"s":"x","e":…}` rejected with the error; the issuer
    /// (`"i"`) when the redemption is the item's own, the whole redemption (`"r"`, `"q"`)
    /// otherwise.
    pub outcomes: String,
}

const STORED_FORMAT: u8 = 1;
const STORED_ITEM_LEN: usize = TOKEN_LEN + 12;

fn put_instant(out: &mut Vec<u8>, at: DateTime<Utc>) {
    out.extend_from_slice(&at.timestamp().to_be_bytes());
    out.extend_from_slice(&at.timestamp_subsec_nanos().to_be_bytes());
}

/// A reader over stored bytes; every shortfall is an error naming what was missing.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(format!("stored import: truncated at {what}"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        Ok(self.take(N, what)?.try_into().expect("N bytes taken"))
    }

    fn instant(&mut self, what: &str) -> Result<DateTime<Utc>, String> {
        let secs = i64::from_be_bytes(self.array(what)?);
        let nanos = u32::from_be_bytes(self.array(what)?);
        DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| format!("stored import: {what} {secs}.{nanos} is out of range"))
    }
}

/// The redemption an item makes: the token's serial, key id and value at the batch's
/// venue and the acceptance instant (what `import_batch` records), if the token's key
/// id is one.
fn own_redemption(
    issuer: &str,
    venue: &str,
    token: &Token,
    at: DateTime<Utc>,
) -> Option<Redemption> {
    Some(Redemption {
        issuer: issuer.into(),
        serial: token.serial(),
        kid: Kid::new(token.kid_raw())?,
        value_cents: token.value_cents_raw(),
        venue: venue.to_owned(),
        at,
    })
}

fn redemption_json(r: &Redemption) -> serde_json::Value {
    serde_json::json!({
        "issuer": &*r.issuer,
        "serial": r.serial.to_string(),
        "kid": r.kid.get(),
        "value_cents": r.value_cents,
        "venue": r.venue,
        "at": r.at,
    })
}

fn redemption_from_json(v: &serde_json::Value) -> Result<Redemption, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        issuer: String,
        serial: String,
        kid: u16,
        value_cents: u16,
        venue: String,
        at: DateTime<Utc>,
    }
    let raw = Raw::deserialize(v).map_err(|e| format!("stored redemption: {e}"))?;
    Ok(Redemption {
        issuer: raw.issuer.into(),
        serial: Serial::from_hex(&raw.serial).map_err(|e| format!("stored redemption: {e}"))?,
        kid: Kid::new(raw.kid).ok_or("stored redemption: kid 0")?,
        value_cents: raw.value_cents,
        venue: raw.venue,
        at: raw.at,
    })
}

/// A stored field name as the `&'static str` the error types hold: interned, so each
/// distinct name is allocated once per process. Only names of the form the code uses
/// (1..=64 bytes of `a-z`, `0-9`, `_`, `.`) are accepted.
fn intern_field(name: &str) -> Result<&'static str, String> {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Err(format!("stored error: {name:?} is not a field name"));
    }
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = names.get(name) {
        return Ok(known);
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    Ok(leaked)
}

/// An error as JSON: its code and every field, so it can be rebuilt exactly.
pub fn error_to_json(e: &VoucherError) -> serde_json::Value {
    use VoucherError::*;
    use serde_json::json;
    let fields = match e {
        Malformed { field, rule }
        | InvalidField { field, rule }
        | TrustListMalformed { field, rule }
        | InvalidKey { field, rule }
        | BatchMalformed { field, rule } => json!({"field": field, "rule": rule}),
        UnsupportedVersion { version } => json!({"version": version}),
        UnknownKey { kid } | RevokedKey { kid } | BadSignature { kid } | WeakKey { kid } => {
            json!({"kid": kid})
        }
        NotYetValid {
            valid_from,
            today,
            time_zone,
        } => json!({"valid_from": valid_from, "today": today, "time_zone": time_zone}),
        Expired {
            valid_until,
            today,
            time_zone,
        } => json!({"valid_until": valid_until, "today": today, "time_zone": time_zone}),
        OutsideKeyWindow {
            kid,
            valid_from,
            window_from,
            window_until,
        } => json!({"kid": kid, "valid_from": valid_from, "window_from": window_from,
                    "window_until": window_until}),
        ValueAboveKeyLimit {
            kid,
            value_cents,
            max_value_cents,
        } => json!({"kid": kid, "value_cents": value_cents, "max_value_cents": max_value_cents}),
        ScopeNotAllowedForKey { kid, scope } => json!({"kid": kid, "scope": scope}),
        ScopeNotAccepted { scope } => json!({"scope": scope}),
        RevokedSerial { serial } => json!({"serial": serial}),
        AlreadyRedeemed { serial, venue, at } => {
            json!({"serial": serial, "venue": venue, "at": at})
        }
        BadCheckCharacter { field } => json!({"field": field}),
        TrustListBadSignature => json!({}),
        TrustListExpired {
            issued_at,
            expires_at,
            now,
        } => json!({"issued_at": issued_at, "expires_at": expires_at, "now": now}),
        TrustListRollback { current, offered } => json!({"current": current, "offered": offered}),
        LedgerUnavailable { reason } => json!({"reason": reason}),
        BadBatchSignature { venue, key_id } => json!({"venue": venue, "key_id": key_id}),
        UnknownVenue {
            venue,
            key_id,
            reason,
        } => json!({"venue": venue, "key_id": key_id, "reason": reason}),
        LedgerBusy {
            attempts,
            waited_ms,
        } => json!({"attempts": attempts, "waited_ms": waited_ms}),
        LedgerCorrupt { location, problem } => json!({"location": location, "problem": problem}),
    };
    let mut obj = fields;
    if let Some(map) = obj.as_object_mut() {
        map.insert("code".into(), json!(e.code()));
    }
    obj
}

/// Rebuilds an error written by [`error_to_json`]; a description of the fault if the
/// value is not one.
pub fn error_from_json(v: &serde_json::Value) -> Result<VoucherError, String> {
    use VoucherError::*;
    fn get<T: serde::de::DeserializeOwned>(v: &serde_json::Value, key: &str) -> Result<T, String> {
        let x = v
            .get(key)
            .ok_or_else(|| format!("stored error: no {key:?}"))?;
        T::deserialize(x).map_err(|e| format!("stored error: {key:?}: {e}"))
    }
    let s = |k| get::<String>(v, k);
    let field = || intern_field(&get::<String>(v, "field")?);
    let code: String = get(v, "code")?;
    Ok(match code.as_str() {
        "malformed" => Malformed {
            field: field()?,
            rule: s("rule")?,
        },
        "invalid_field" => InvalidField {
            field: field()?,
            rule: s("rule")?,
        },
        "trust_list_malformed" => TrustListMalformed {
            field: field()?,
            rule: s("rule")?,
        },
        "invalid_key" => InvalidKey {
            field: field()?,
            rule: s("rule")?,
        },
        "batch_malformed" => BatchMalformed {
            field: field()?,
            rule: s("rule")?,
        },
        "unsupported_version" => UnsupportedVersion {
            version: get(v, "version")?,
        },
        "unknown_key" => UnknownKey {
            kid: get(v, "kid")?,
        },
        "revoked_key" => RevokedKey {
            kid: get(v, "kid")?,
        },
        "bad_signature" => BadSignature {
            kid: get(v, "kid")?,
        },
        "weak_key" => WeakKey {
            kid: get(v, "kid")?,
        },
        "not_yet_valid" => NotYetValid {
            valid_from: get(v, "valid_from")?,
            today: get(v, "today")?,
            time_zone: s("time_zone")?,
        },
        "expired" => Expired {
            valid_until: get(v, "valid_until")?,
            today: get(v, "today")?,
            time_zone: s("time_zone")?,
        },
        "outside_key_window" => OutsideKeyWindow {
            kid: get(v, "kid")?,
            valid_from: get(v, "valid_from")?,
            window_from: get(v, "window_from")?,
            window_until: get(v, "window_until")?,
        },
        "value_above_key_limit" => ValueAboveKeyLimit {
            kid: get(v, "kid")?,
            value_cents: get(v, "value_cents")?,
            max_value_cents: get(v, "max_value_cents")?,
        },
        "scope_not_allowed_for_key" => ScopeNotAllowedForKey {
            kid: get(v, "kid")?,
            scope: get(v, "scope")?,
        },
        "scope_not_accepted" => ScopeNotAccepted {
            scope: get(v, "scope")?,
        },
        "revoked_serial" => RevokedSerial {
            serial: s("serial")?,
        },
        "already_redeemed" => AlreadyRedeemed {
            serial: s("serial")?,
            venue: s("venue")?,
            at: get(v, "at")?,
        },
        "bad_check_character" => BadCheckCharacter { field: field()? },
        "trust_list_bad_signature" => TrustListBadSignature,
        "trust_list_expired" => TrustListExpired {
            issued_at: get(v, "issued_at")?,
            expires_at: get(v, "expires_at")?,
            now: get(v, "now")?,
        },
        "trust_list_rollback" => TrustListRollback {
            current: get(v, "current")?,
            offered: get(v, "offered")?,
        },
        "ledger_unavailable" => LedgerUnavailable {
            reason: s("reason")?,
        },
        "bad_batch_signature" => BadBatchSignature {
            venue: s("venue")?,
            key_id: get(v, "key_id")?,
        },
        "unknown_venue" => UnknownVenue {
            venue: s("venue")?,
            key_id: get(v, "key_id")?,
            reason: s("reason")?,
        },
        "ledger_busy" => LedgerBusy {
            attempts: get(v, "attempts")?,
            waited_ms: get(v, "waited_ms")?,
        },
        "ledger_corrupt" => LedgerCorrupt {
            location: s("location")?,
            problem: s("problem")?,
        },
        other => return Err(format!("stored error: unknown code {other:?}")),
    })
}

impl ImportReport {
    /// The report in its stored form (see [`StoredReport`]).
    pub fn to_stored(&self) -> StoredReport {
        use serde_json::json;
        let mut items =
            Vec::with_capacity(64 + self.venue.len() + self.items.len() * STORED_ITEM_LEN);
        items.push(STORED_FORMAT);
        items.extend_from_slice(self.batch_id.as_bytes());
        items.extend_from_slice(&self.key_id.to_be_bytes());
        items.extend_from_slice(&self.sequence.to_be_bytes());
        put_instant(&mut items, self.created_at);
        // A batch's venue is a registry identifier (1..=64 bytes).
        let venue = &self.venue.as_bytes()[..self.venue.len().min(usize::from(u16::MAX))];
        items.extend_from_slice(&u16::try_from(venue.len()).unwrap_or(u16::MAX).to_be_bytes());
        items.extend_from_slice(venue);
        items.extend_from_slice(
            &u32::try_from(self.items.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        let mut outcomes = Vec::with_capacity(self.items.len());
        for item in &self.items {
            items.extend_from_slice(item.token.as_bytes());
            put_instant(&mut items, item.accepted_at);
            let own = |r: &Redemption| {
                own_redemption(&r.issuer, &self.venue, &item.token, item.accepted_at).as_ref()
                    == Some(r)
            };
            let mut o = match &item.outcome {
                ItemOutcome::Redeemed(_) => json!({"s": "r"}),
                ItemOutcome::Conflict { winner, .. } => {
                    json!({"s": "c", "w": redemption_json(winner)})
                }
                ItemOutcome::Rejected(e) => json!({"s": "x", "e": error_to_json(e)}),
            };
            let mine = match &item.outcome {
                ItemOutcome::Redeemed(r) => Some(("r", r)),
                ItemOutcome::Conflict { queued, .. } => Some(("q", queued)),
                ItemOutcome::Rejected(_) => None,
            };
            if let (Some((key, r)), Some(map)) = (mine, o.as_object_mut()) {
                if own(r) {
                    map.insert("i".into(), json!(&*r.issuer));
                } else {
                    map.insert(key.into(), redemption_json(r));
                }
            }
            outcomes.push(o);
        }
        StoredReport {
            items,
            outcomes: serde_json::Value::Array(outcomes).to_string(),
        }
    }

    /// Rebuilds a report from its stored form; a description of the fault (for a
    /// `ledger_corrupt` error) if the bytes or the JSON are not one.
    pub fn from_stored(items: &[u8], outcomes: &str) -> Result<ImportReport, String> {
        let mut c = Cursor(items);
        let format = c.array::<1>("format")?[0];
        if format != STORED_FORMAT {
            return Err(format!(
                "stored import: format {format} is not {STORED_FORMAT}"
            ));
        }
        let batch_id = BatchId::from_bytes(c.array("batch_id")?);
        let key_id = u16::from_be_bytes(c.array("key_id")?);
        let sequence = u64::from_be_bytes(c.array("sequence")?);
        let created_at = c.instant("created_at")?;
        let venue_len = usize::from(u16::from_be_bytes(c.array("venue")?));
        let venue = std::str::from_utf8(c.take(venue_len, "venue")?)
            .map_err(|_| "stored import: the venue is not UTF-8".to_owned())?
            .to_owned();
        let count = u32::from_be_bytes(c.array("count")?) as usize;
        if c.0.len() != count * STORED_ITEM_LEN {
            return Err(format!(
                "stored import: {} bytes of items for {count} items",
                c.0.len()
            ));
        }
        let values: Vec<serde_json::Value> =
            serde_json::from_str(outcomes).map_err(|e| format!("stored import: outcomes: {e}"))?;
        if values.len() != count {
            return Err(format!(
                "stored import: {} outcomes for {count} items",
                values.len()
            ));
        }
        let mut out = Vec::with_capacity(count);
        for (i, o) in values.iter().enumerate() {
            let token = Token::from_array(c.array("token")?)
                .map_err(|e| format!("stored import: item {i}: {e}"))?;
            let accepted_at = c.instant("accepted_at")?;
            let bad = |what: String| format!("stored import: item {i}: {what}");
            let mine = |key: &str| -> Result<Redemption, String> {
                match (o.get("i").and_then(|v| v.as_str()), o.get(key)) {
                    (Some(issuer), _) => own_redemption(issuer, &venue, &token, accepted_at)
                        .ok_or_else(|| bad("a redemption of key id 0".into())),
                    (None, Some(r)) => redemption_from_json(r).map_err(bad),
                    (None, None) => Err(bad(format!("no issuer and no {key:?}"))),
                }
            };
            let outcome = match o.get("s").and_then(|v| v.as_str()) {
                Some("r") => ItemOutcome::Redeemed(mine("r")?),
                Some("c") => ItemOutcome::Conflict {
                    queued: mine("q")?,
                    winner: redemption_from_json(
                        o.get("w").ok_or_else(|| bad("no winner".into()))?,
                    )
                    .map_err(bad)?,
                },
                Some("x") => ItemOutcome::Rejected(
                    error_from_json(o.get("e").ok_or_else(|| bad("no error".into()))?)
                        .map_err(bad)?,
                ),
                other => return Err(bad(format!("status {other:?}"))),
            };
            out.push(ImportedItem {
                token,
                accepted_at,
                outcome,
            });
        }
        Ok(ImportReport {
            batch_id,
            venue,
            key_id,
            sequence,
            created_at,
            items: out,
        })
    }
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

    #[test]
    fn stored_reports_round_trip_exactly() {
        let w = world();
        let (a, b, c) = (w.token(11, 30), w.token(12, 30), w.token(13, 10));
        let gueret = w.queue("gueret", &[(a, at(2, 5))]);
        let g = gueret.export_batch(&w.keys[1], 1, 1, at(2, 30)).unwrap();
        w.import(&g, at(3, 0)).unwrap();
        // Lyon's batch: a conflict with Guéret, a redemption, and an item accepted after
        // the token's validity (rejected: expired).
        let late = RedemptionBatch::new(
            "lyon",
            1,
            7,
            at(12, 0),
            vec![
                BatchItem {
                    token: a,
                    accepted_at: at(2, 0),
                },
                BatchItem {
                    token: b,
                    accepted_at: at(2, 1),
                },
                BatchItem {
                    token: c,
                    accepted_at: at(11, 0),
                },
            ],
        )
        .unwrap()
        .sign(&w.keys[0]);
        let report = w.import(&late, at(12, 1)).unwrap();
        assert_eq!(statuses(&report), ["conflict", "redeemed", "rejected"]);
        let stored = report.to_stored();
        assert_eq!(
            ImportReport::from_stored(&stored.items, &stored.outcomes).unwrap(),
            report
        );
        // A redemption that is not the item's own is stored whole.
        let mut odd = report.clone();
        if let ItemOutcome::Redeemed(r) = &mut odd.items[1].outcome {
            r.venue = "elsewhere".into();
        }
        let stored = odd.to_stored();
        assert!(stored.outcomes.contains("elsewhere"));
        assert_eq!(
            ImportReport::from_stored(&stored.items, &stored.outcomes).unwrap(),
            odd
        );
        // Damage is an error, never a panic.
        for cut in [0, 1, 40, stored.items.len() - 1] {
            assert!(ImportReport::from_stored(&stored.items[..cut], &stored.outcomes).is_err());
        }
        assert!(ImportReport::from_stored(&stored.items, "[]").is_err());
        assert!(ImportReport::from_stored(&stored.items, "{").is_err());
    }

    #[test]
    fn every_error_round_trips_through_json() {
        use VoucherError::*;
        let t = at(1, 2) + TimeDelta::nanoseconds(3);
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let all = vec![
            Malformed {
                field: "token",
                rule: "r".into(),
            },
            UnsupportedVersion { version: 2 },
            UnknownKey { kid: 3 },
            RevokedKey { kid: 3 },
            BadSignature { kid: 3 },
            InvalidField {
                field: "accepted_at",
                rule: "late".into(),
            },
            NotYetValid {
                valid_from: d,
                today: d,
                time_zone: "Europe/Paris".into(),
            },
            Expired {
                valid_until: d,
                today: d,
                time_zone: "Europe/Paris".into(),
            },
            OutsideKeyWindow {
                kid: 1,
                valid_from: d,
                window_from: d,
                window_until: d,
            },
            ValueAboveKeyLimit {
                kid: 1,
                value_cents: 5,
                max_value_cents: 4,
            },
            ScopeNotAllowedForKey { kid: 1, scope: 9 },
            ScopeNotAccepted { scope: 9 },
            RevokedSerial {
                serial: "00".into(),
            },
            AlreadyRedeemed {
                serial: "00".into(),
                venue: "v".into(),
                at: t,
            },
            BadCheckCharacter {
                field: "short_code",
            },
            TrustListMalformed {
                field: "entries",
                rule: "r".into(),
            },
            TrustListBadSignature,
            TrustListExpired {
                issued_at: t,
                expires_at: t,
                now: t,
            },
            TrustListRollback {
                current: 2,
                offered: 1,
            },
            WeakKey { kid: 0 },
            InvalidKey {
                field: "public_key",
                rule: "r".into(),
            },
            LedgerUnavailable { reason: "r".into() },
            BatchMalformed {
                field: "count",
                rule: "r".into(),
            },
            BadBatchSignature {
                venue: "v".into(),
                key_id: 1,
            },
            UnknownVenue {
                venue: "v".into(),
                key_id: 1,
                reason: "r".into(),
            },
            LedgerBusy {
                attempts: 6,
                waited_ms: 70,
            },
            LedgerCorrupt {
                location: "l".into(),
                problem: "p".into(),
            },
            InvalidField {
                field: "a_field_never_seen_before",
                rule: "r".into(),
            },
        ];
        let codes: BTreeSet<&str> = all.iter().map(VoucherError::code).collect();
        assert_eq!(codes.len(), VoucherError::CODES.len(), "one of each code");
        for e in all {
            let back = error_from_json(&error_to_json(&e)).unwrap();
            assert_eq!(back, e);
            assert_eq!(back.to_string(), e.to_string());
        }
        let bad = serde_json::json!({"code": "invalid_field", "field": "Not A Field", "rule": "r"});
        assert!(error_from_json(&bad).is_err());
        assert!(error_from_json(&serde_json::json!({"code": "nope"})).is_err());
    }
}
