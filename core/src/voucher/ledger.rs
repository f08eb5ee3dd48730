//! Redemption: each serial is redeemed at most once per issuer.
//!
//! [`Ledger`] is the storage contract (a persistent implementation follows the same
//! trait); [`MemoryLedger`] is the thread-safe in-memory one. [`OfflineQueue`] is what a
//! venue device keeps while offline: it syncs later, the first redemption to reach the
//! ledger wins and later ones come back as conflicts.
//!
//! The key is (issuer, serial), never the token or signature bytes: the holder of a
//! signing key can make many signatures over one body, and all of them are one cheque.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::error::VoucherError;
use super::keys::SecretKey;
use super::redemption_batch::{BatchItem, RedemptionBatch, truncate_to_ms};
use super::sync::ImportedItem;
use super::token::{Kid, Serial, TOKEN_LEN, Token};
use super::verify::VerifiedVoucher;

/// A recorded redemption.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redemption {
    /// Issuer (trust list identifier).
    pub issuer: Arc<str>,
    /// Serial.
    pub serial: Serial,
    /// Key id that signed the redeemed token.
    pub kid: Kid,
    /// Face value in cents.
    pub value_cents: u16,
    /// Venue that accepted the cheque.
    pub venue: String,
    /// When the venue accepted it.
    pub at: DateTime<Utc>,
}

impl Redemption {
    /// A redemption of a verified voucher at a venue and instant.
    pub fn new(voucher: &VerifiedVoucher, venue: &str, at: DateTime<Utc>) -> Self {
        Redemption {
            issuer: Arc::clone(voucher.issuer_arc()),
            serial: voucher.serial(),
            kid: voucher.kid(),
            value_cents: voucher.value_cents(),
            venue: venue.to_owned(),
            at,
        }
    }

    fn conflict(&self) -> VoucherError {
        VoucherError::AlreadyRedeemed {
            serial: self.serial.to_string(),
            venue: self.venue.clone(),
            at: self.at,
        }
    }
}

/// Where redemptions are recorded. Implementations must be atomic per (issuer, serial):
/// of two concurrent redemptions of one serial, exactly one succeeds.
pub trait Ledger: Send + Sync {
    /// Records a redemption, or `already_redeemed` with the first one's venue and time;
    /// `ledger_unavailable` if the storage failed. After a failure the redemption may or
    /// may not be recorded (a commit whose answer was lost): retrying is always safe,
    /// since a second attempt finds it as its own first redemption.
    fn redeem(&self, redemption: Redemption) -> Result<Redemption, VoucherError>;

    /// The redemption of a serial, if any.
    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError>;

    /// Records several redemptions, in order: for each, `Ok` with the redemption now
    /// recorded, or `Err` with the one that won (recorded earlier, or earlier in this same
    /// slice). A storage error fails the whole call.
    ///
    /// Persistent ledgers override this to use one transaction, so either every item is
    /// settled or (after an error) none is. This default redeems one item at a time: after
    /// an error, the items before it may be recorded. Retrying is safe either way, since
    /// an item recorded by an earlier attempt comes back as its own winner.
    #[allow(clippy::type_complexity)]
    fn redeem_all(
        &self,
        redemptions: &[Redemption],
    ) -> Result<Vec<Result<Redemption, Redemption>>, VoucherError> {
        let mut out = Vec::with_capacity(redemptions.len());
        for r in redemptions {
            match self.redeem(r.clone()) {
                Ok(done) => out.push(Ok(done)),
                Err(VoucherError::AlreadyRedeemed { .. }) => {
                    match self.redemption(&r.issuer, r.serial)? {
                        Some(winner) => out.push(Err(winner)),
                        None => {
                            return Err(VoucherError::LedgerUnavailable {
                                reason: format!(
                                    "serial {} reported redeemed but not found; retry",
                                    r.serial
                                ),
                            });
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// A thread-safe in-memory ledger (lost when the process ends).
#[derive(Debug, Default)]
pub struct MemoryLedger {
    spent: Mutex<HashMap<(Arc<str>, Serial), Redemption>>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of redemptions recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing was redeemed yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every redemption recorded, by time, then issuer and serial (an export for
    /// reports; the ledger itself is keyed by issuer and serial).
    pub fn redemptions(&self) -> Vec<Redemption> {
        let mut all: Vec<Redemption> = self.lock().values().cloned().collect();
        all.sort_by(|a, b| (a.at, &a.issuer, a.serial).cmp(&(b.at, &b.issuer, b.serial)));
        all
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Arc<str>, Serial), Redemption>> {
        // A panic while holding the lock cannot leave the map half-written (each
        // operation is one insert), so a poisoned lock is still consistent.
        self.spent.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Ledger for MemoryLedger {
    fn redeem(&self, redemption: Redemption) -> Result<Redemption, VoucherError> {
        let mut map = self.lock();
        match map.entry((Arc::clone(&redemption.issuer), redemption.serial)) {
            Entry::Occupied(first) => Err(first.get().conflict()),
            Entry::Vacant(slot) => Ok(slot.insert(redemption).clone()),
        }
    }

    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError> {
        Ok(self.lock().get(&(Arc::from(issuer), serial)).cloned())
    }
}

/// What happened to one queued redemption at sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Recorded: this venue's redemption is the one that counts.
    Redeemed(Redemption),
    /// Another redemption reached the ledger first; this one does not count.
    Conflict {
        /// The redemption this venue queued.
        queued: Redemption,
        /// The one that won.
        winner: Redemption,
    },
}

/// Settles one redemption against the ledger: recorded, or in conflict with the one that
/// won. A winner equal to the item itself (a commit whose answer was lost, a re-import)
/// counts as redeemed.
pub(crate) fn settle(ledger: &dyn Ledger, item: &Redemption) -> Result<SyncOutcome, VoucherError> {
    match ledger.redeem(item.clone()) {
        Ok(r) => Ok(SyncOutcome::Redeemed(r)),
        Err(VoucherError::AlreadyRedeemed { .. }) => {
            match ledger.redemption(&item.issuer, item.serial)? {
                Some(winner) if winner == *item => Ok(SyncOutcome::Redeemed(winner)),
                Some(winner) => Ok(SyncOutcome::Conflict {
                    queued: item.clone(),
                    winner,
                }),
                None => Err(VoucherError::LedgerUnavailable {
                    reason: format!(
                        "serial {} reported redeemed but not found; retry the sync",
                        item.serial
                    ),
                }),
            }
        }
        Err(e) => Err(e),
    }
}

/// A venue device's queue of redemptions accepted offline.
///
/// Redemptions accepted with their token ([`accept_token`](OfflineQueue::accept_token))
/// keep its bytes, with the instant cut to the millisecond, so the queue can be sent as
/// a signed batch ([`export_batch`](OfflineQueue::export_batch)) and settled from the
/// operator's answer ([`apply_outcomes`](OfflineQueue::apply_outcomes)); every item can
/// also be synced straight to a ledger ([`sync`](OfflineQueue::sync)).
#[derive(Debug)]
pub struct OfflineQueue {
    venue: String,
    items: Vec<Redemption>,
    /// The token of each item, when the queue kept it (same index as `items`).
    tokens: Vec<Option<Token>>,
}

impl OfflineQueue {
    /// An empty queue for a venue.
    pub fn new(venue: &str) -> Self {
        OfflineQueue {
            venue: venue.to_owned(),
            items: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// A queue restored from its pending redemptions (saved before a restart, in the
    /// order they were accepted): `invalid_field` for a redemption of another venue,
    /// `already_redeemed` for a serial queued twice.
    pub fn restore(
        venue: &str,
        pending: impl IntoIterator<Item = Redemption>,
    ) -> Result<Self, VoucherError> {
        OfflineQueue::restore_with_tokens(venue, pending.into_iter().map(|r| (r, None)))
    }

    /// A queue restored from its pending redemptions and their tokens, where kept (see
    /// [`push_with_token`](OfflineQueue::push_with_token) for the rules).
    pub fn restore_with_tokens(
        venue: &str,
        pending: impl IntoIterator<Item = (Redemption, Option<Token>)>,
    ) -> Result<Self, VoucherError> {
        let mut q = OfflineQueue::new(venue);
        for (r, t) in pending {
            q.push_with_token(r, t)?;
        }
        Ok(q)
    }

    /// Queues a redemption made at this venue (the redemption of a verified voucher, or
    /// one saved earlier): `invalid_field` if it names another venue, `already_redeemed`
    /// if this device already accepted the same serial.
    pub fn push(&mut self, redemption: Redemption) -> Result<Redemption, VoucherError> {
        self.push_with_token(redemption, None)
    }

    /// Queues a redemption with the token it redeems, if kept: as [`push`], and
    /// `invalid_field` if the token's serial, key id or value differ from the
    /// redemption's. With a token, the instant is cut to the millisecond (what a batch
    /// carries).
    ///
    /// [`push`]: OfflineQueue::push
    pub fn push_with_token(
        &mut self,
        mut redemption: Redemption,
        token: Option<Token>,
    ) -> Result<Redemption, VoucherError> {
        if redemption.venue != self.venue {
            return Err(VoucherError::invalid(
                "venue",
                format!(
                    "{:?} is not this queue's venue {:?}",
                    redemption.venue, self.venue
                ),
            ));
        }
        if let Some(t) = &token {
            if t.serial() != redemption.serial
                || t.kid_raw() != redemption.kid.get()
                || t.value_cents_raw() != redemption.value_cents
            {
                return Err(VoucherError::invalid(
                    "token",
                    format!(
                        "the token (serial {}, key {}, {} cents) is not the one redeemed (serial {}, key {}, {} cents)",
                        t.serial(),
                        t.kid_raw(),
                        t.value_cents_raw(),
                        redemption.serial,
                        redemption.kid,
                        redemption.value_cents
                    ),
                ));
            }
            redemption.at = truncate_to_ms(redemption.at);
        }
        if let Some(first) = self
            .items
            .iter()
            .find(|r| r.serial == redemption.serial && r.issuer == redemption.issuer)
        {
            return Err(first.conflict());
        }
        self.items.push(redemption.clone());
        self.tokens.push(token);
        Ok(redemption)
    }

    /// The venue.
    pub fn venue(&self) -> &str {
        &self.venue
    }

    /// The redemptions waiting for sync, in the order they were accepted.
    pub fn pending(&self) -> &[Redemption] {
        &self.items
    }

    /// The token of each pending redemption, where the queue kept it (same order as
    /// [`pending`](OfflineQueue::pending)).
    pub fn pending_tokens(&self) -> &[Option<Token>] {
        &self.tokens
    }

    /// Accepts a verified voucher offline; `already_redeemed` if this device already
    /// accepted the same serial. The token is not kept: prefer
    /// [`accept_token`](OfflineQueue::accept_token) when the queue is sent as a batch.
    pub fn accept(
        &mut self,
        voucher: &VerifiedVoucher,
        at: DateTime<Utc>,
    ) -> Result<Redemption, VoucherError> {
        if let Some(first) = self
            .items
            .iter()
            .find(|r| r.serial == voucher.serial() && *r.issuer == *voucher.issuer())
        {
            return Err(first.conflict());
        }
        let r = Redemption::new(voucher, &self.venue, at);
        self.items.push(r.clone());
        self.tokens.push(None);
        Ok(r)
    }

    /// Accepts a verified voucher offline and keeps its token, the instant cut to the
    /// millisecond: `invalid_field` if `voucher` is not the verification of `token`,
    /// `already_redeemed` if this device already accepted the same serial.
    pub fn accept_token(
        &mut self,
        token: &Token,
        voucher: &VerifiedVoucher,
        at: DateTime<Utc>,
    ) -> Result<Redemption, VoucherError> {
        if token.claims().as_ref() != Ok(voucher.claims()) {
            return Err(VoucherError::invalid(
                "token",
                "the verified voucher is not this token's verification",
            ));
        }
        let r = Redemption::new(voucher, &self.venue, truncate_to_ms(at));
        self.push_with_token(r, Some(*token))
    }

    /// The pending redemptions as a batch signed with the venue's key `key_id`, for the
    /// operator's [`import_batch`](super::sync::import_batch). The items stay queued
    /// until [`apply_outcomes`](OfflineQueue::apply_outcomes) settles them, so a batch
    /// lost on the way is simply exported again (the same items, sequence and instant
    /// give the same bytes).
    ///
    /// `created_at` is `now` cut to the millisecond, or the latest acceptance if the
    /// device's clock went back. `invalid_field` if a pending item was queued without its
    /// token (sync it with [`sync`](OfflineQueue::sync)); `batch_malformed` for an empty
    /// queue, a venue that is not a registry identifier, `key_id` or `sequence` 0.
    pub fn export_batch(
        &self,
        key: &SecretKey,
        key_id: u16,
        sequence: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, VoucherError> {
        Ok(self.batch(key_id, sequence, now)?.sign(key))
    }

    /// The pending redemptions as an unsigned batch (see
    /// [`export_batch`](OfflineQueue::export_batch)).
    pub fn batch(
        &self,
        key_id: u16,
        sequence: u64,
        now: DateTime<Utc>,
    ) -> Result<RedemptionBatch, VoucherError> {
        let items = self
            .items
            .iter()
            .zip(&self.tokens)
            .map(|(r, t)| match t {
                Some(token) => Ok(BatchItem {
                    token: *token,
                    accepted_at: r.at,
                }),
                None => Err(VoucherError::invalid(
                    "token",
                    format!(
                        "serial {} was queued without its token: a batch needs it (sync this item instead)",
                        r.serial
                    ),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let latest = items.iter().map(|i| truncate_to_ms(i.accepted_at)).max();
        let created_at = latest.map_or(truncate_to_ms(now), |l| l.max(truncate_to_ms(now)));
        RedemptionBatch::new(&self.venue, key_id, sequence, created_at, items)
    }

    /// Settles pending items from the operator's answer to a batch: every item of the
    /// answer (redeemed, in conflict or rejected) leaves the queue, matched by its token
    /// bytes and acceptance instant (a cheque accepted again later is another item).
    /// Returns how many left; items the answer does not name stay queued.
    pub fn apply_outcomes(&mut self, outcomes: &[ImportedItem]) -> usize {
        let settled: Vec<(Token, DateTime<Utc>)> =
            outcomes.iter().map(|o| (o.token, o.accepted_at)).collect();
        self.remove_settled(&settled)
    }

    /// Removes the pending items with these (token, acceptance instant) pairs: what
    /// [`apply_outcomes`](OfflineQueue::apply_outcomes) does with an answer. Returns how
    /// many left.
    pub fn remove_settled(&mut self, settled: &[(Token, DateTime<Utc>)]) -> usize {
        let settled: HashSet<(&[u8; TOKEN_LEN], DateTime<Utc>)> =
            settled.iter().map(|(t, at)| (t.as_bytes(), *at)).collect();
        let before = self.items.len();
        let (items, tokens): (Vec<Redemption>, Vec<Option<Token>>) =
            std::mem::take(&mut self.items)
                .into_iter()
                .zip(std::mem::take(&mut self.tokens))
                .filter(|(r, t)| {
                    !t.as_ref()
                        .is_some_and(|t| settled.contains(&(t.as_bytes(), r.at)))
                })
                .unzip();
        self.items = items;
        self.tokens = tokens;
        before - self.items.len()
    }

    /// Sends the queue to the ledger, in order. Each item comes back redeemed or in
    /// conflict with the redemption that won.
    ///
    /// Safe to retry: if the ledger fails, the items not yet settled stay queued and the
    /// error is returned with the outcomes so far. An item that the ledger recorded
    /// although it then reported a failure (a commit followed by a lost answer) is found
    /// again at the retry as its own winner and reported `Redeemed`, never as a conflict
    /// with itself; nothing is lost or counted twice.
    pub fn sync(
        &mut self,
        ledger: &dyn Ledger,
    ) -> Result<Vec<SyncOutcome>, (Vec<SyncOutcome>, VoucherError)> {
        let mut outcomes = Vec::with_capacity(self.items.len());
        for (done, item) in self.items.iter().enumerate() {
            match settle(ledger, item) {
                Ok(o) => outcomes.push(o),
                Err(e) => {
                    self.items.drain(..done);
                    self.tokens.drain(..done);
                    return Err((outcomes, e));
                }
            }
        }
        self.items.clear();
        self.tokens.clear();
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::TimeZone;

    use super::*;
    use crate::voucher::{Issuer, Scope, SecretKey, TrustEntry, TrustList, Validity, Verifier};

    fn vouchers(n: usize) -> Vec<VerifiedVoucher> {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
        let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
        let mut trust = TrustList::new(1, now, 86_400).unwrap();
        trust
            .insert(TrustEntry::unrestricted(
                issuer.kid(),
                "aptic",
                issuer.public_key(),
            ))
            .unwrap();
        let v = Verifier::new(trust);
        let validity = Validity::from_dates(now.date_naive(), now.date_naive()).unwrap();
        (0..n)
            .map(|_| {
                let t = issuer
                    .issue_random(1000, validity, Scope::NATIONAL)
                    .unwrap();
                v.verify(&t, now).unwrap()
            })
            .collect()
    }

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 10, minute, 0).unwrap()
    }

    /// A ledger that records, then fails to answer, on chosen calls.
    struct Flaky {
        inner: MemoryLedger,
        calls: AtomicUsize,
        fail_after_record_on: usize,
        fail_before_record_on: usize,
    }

    impl Ledger for Flaky {
        fn redeem(&self, r: Redemption) -> Result<Redemption, VoucherError> {
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            if call == self.fail_before_record_on {
                return Err(VoucherError::LedgerUnavailable {
                    reason: "disk full".into(),
                });
            }
            let out = self.inner.redeem(r);
            if call == self.fail_after_record_on {
                return Err(VoucherError::LedgerUnavailable {
                    reason: "answer lost".into(),
                });
            }
            out
        }
        fn redemption(
            &self,
            issuer: &str,
            serial: Serial,
        ) -> Result<Option<Redemption>, VoucherError> {
            self.inner.redemption(issuer, serial)
        }
    }

    #[test]
    fn exactly_once_under_threads() {
        let v = vouchers(1).pop().unwrap();
        let ledger = std::sync::Arc::new(MemoryLedger::new());
        let wins: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (ledger, v) = (ledger.clone(), v.clone());
                    s.spawn(move || {
                        ledger
                            .redeem(Redemption::new(&v, &format!("venue-{i}"), at(0)))
                            .is_ok() as usize
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(wins, 1);
        assert_eq!(ledger.len(), 1);
    }

    #[test]
    fn offline_queue_refuses_a_local_double_accept() {
        let v = vouchers(1).pop().unwrap();
        let mut q = OfflineQueue::new("lyon");
        q.accept(&v, at(0)).unwrap();
        let e = q.accept(&v, at(1)).unwrap_err();
        assert_eq!(e.code(), "already_redeemed");
        assert_eq!(q.pending().len(), 1);
    }

    #[test]
    fn sync_failure_keeps_unsettled_items_and_a_retry_settles_them_once() {
        let vs = vouchers(3);
        let mut q = OfflineQueue::new("lyon");
        for (i, v) in vs.iter().enumerate() {
            q.accept(v, at(i as u32)).unwrap();
        }
        // Call 1 (the second item) is recorded but its answer is lost; call 2 fails
        // before recording.
        let ledger = Flaky {
            inner: MemoryLedger::new(),
            calls: AtomicUsize::new(0),
            fail_after_record_on: 1,
            fail_before_record_on: 99,
        };
        let (done, e) = q.sync(&ledger).unwrap_err();
        assert_eq!(e.code(), "ledger_unavailable");
        assert_eq!(done.len(), 1);
        assert_eq!(q.pending().len(), 2, "the unsettled items stay queued");
        let outcomes = q.sync(&ledger).unwrap();
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, SyncOutcome::Redeemed(_))),
            "{outcomes:?}"
        );
        assert!(q.pending().is_empty());
        assert_eq!(ledger.inner.len(), 3);
    }

    #[test]
    fn a_queue_restores_from_its_pending_items_and_keeps_its_rules() {
        let vs = vouchers(2);
        let mut q = OfflineQueue::new("lyon");
        q.accept(&vs[0], at(0)).unwrap();
        q.accept(&vs[1], at(1)).unwrap();
        let back = OfflineQueue::restore("lyon", q.pending().to_vec()).unwrap();
        assert_eq!(back.pending(), q.pending());
        let e = OfflineQueue::restore("gueret", q.pending().to_vec()).unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        let twice = vec![q.pending()[0].clone(), q.pending()[0].clone()];
        let e = OfflineQueue::restore("lyon", twice).unwrap_err();
        assert_eq!(e.code(), "already_redeemed");
        let ledger = MemoryLedger::new();
        ledger.redeem(q.pending()[1].clone()).unwrap();
        ledger.redeem(q.pending()[0].clone()).unwrap();
        let all = ledger.redemptions();
        assert_eq!(all.len(), 2);
        assert!(all[0].at <= all[1].at);
        assert_eq!(all[0], q.pending()[0]);
    }

    #[test]
    fn redeem_all_settles_each_item_in_order_with_its_winner() {
        let vs = vouchers(3);
        let ledger = MemoryLedger::new();
        let first = ledger
            .redeem(Redemption::new(&vs[0], "gueret", at(0)))
            .unwrap();
        let batch = vec![
            Redemption::new(&vs[0], "lyon", at(1)),
            Redemption::new(&vs[1], "lyon", at(2)),
            Redemption::new(&vs[2], "lyon", at(3)),
            Redemption::new(&vs[1], "paris", at(4)),
        ];
        let out = ledger.redeem_all(&batch).unwrap();
        assert_eq!(
            out,
            vec![
                Err(first),
                Ok(batch[1].clone()),
                Ok(batch[2].clone()),
                Err(batch[1].clone()),
            ]
        );
        assert_eq!(ledger.len(), 3);
        assert_eq!(ledger.redeem_all(&[]).unwrap(), vec![]);
        // A storage failure fails the call; a retry settles everything once.
        let flaky = Flaky {
            inner: MemoryLedger::new(),
            calls: AtomicUsize::new(0),
            fail_after_record_on: 1,
            fail_before_record_on: 99,
        };
        let e = flaky.redeem_all(&batch[1..3]).unwrap_err();
        assert_eq!(e.code(), "ledger_unavailable");
        let out = flaky.redeem_all(&batch[1..3]).unwrap();
        assert_eq!(out, vec![Err(batch[1].clone()), Err(batch[2].clone())]);
        assert_eq!(flaky.inner.len(), 2);
    }

    #[test]
    fn sync_reports_the_real_winner() {
        let v = vouchers(1).pop().unwrap();
        let ledger = MemoryLedger::new();
        let mut lyon = OfflineQueue::new("lyon");
        let mut gueret = OfflineQueue::new("gueret");
        lyon.accept(&v, at(0)).unwrap();
        gueret.accept(&v, at(1)).unwrap();
        gueret.sync(&ledger).unwrap();
        match &lyon.sync(&ledger).unwrap()[0] {
            SyncOutcome::Conflict { queued, winner } => {
                assert_eq!(queued.venue, "lyon");
                assert_eq!(winner.venue, "gueret");
                assert_eq!(winner.at, at(1));
            }
            other => panic!("{other:?}"),
        }
        // A failure before recording leaves the item queued for the next sync.
        let flaky = Flaky {
            inner: MemoryLedger::new(),
            calls: AtomicUsize::new(0),
            fail_after_record_on: 99,
            fail_before_record_on: 0,
        };
        let mut q = OfflineQueue::new("lyon");
        q.accept(&v, at(0)).unwrap();
        assert!(q.sync(&flaky).is_err());
        assert_eq!(q.pending().len(), 1);
        assert!(matches!(
            q.sync(&flaky).unwrap()[0],
            SyncOutcome::Redeemed(_)
        ));
    }

    #[test]
    fn a_queue_keeps_tokens_exports_a_batch_and_settles_from_outcomes() {
        use crate::voucher::redemption_batch::RedemptionBatch;
        use crate::voucher::sync::{ImportedItem, ItemOutcome};
        let now = at(0);
        let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
        let mut trust = TrustList::new(1, now, 86_400).unwrap();
        trust
            .insert(TrustEntry::unrestricted(
                issuer.kid(),
                "aptic",
                issuer.public_key(),
            ))
            .unwrap();
        let v = Verifier::new(trust);
        let validity = Validity::from_dates(now.date_naive(), now.date_naive()).unwrap();
        let tokens: Vec<Token> = (0..3)
            .map(|_| {
                issuer
                    .issue_random(1000, validity, Scope::NATIONAL)
                    .unwrap()
            })
            .collect();
        let verified: Vec<VerifiedVoucher> =
            tokens.iter().map(|t| v.verify(t, now).unwrap()).collect();
        let mut q = OfflineQueue::new("lyon");
        let fine = at(1) + chrono::TimeDelta::nanoseconds(2_500_001);
        let r = q.accept_token(&tokens[0], &verified[0], fine).unwrap();
        assert_eq!(r.at.timestamp_subsec_nanos(), 2_000_000, "cut to the ms");
        assert_eq!(
            q.accept_token(&tokens[1], &verified[0], at(2))
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        assert_eq!(
            q.accept_token(&tokens[0], &verified[0], at(2))
                .unwrap_err()
                .code(),
            "already_redeemed"
        );
        q.accept_token(&tokens[1], &verified[1], at(2)).unwrap();
        let key = SecretKey::from_seed(&[0x44; 32]);
        let bytes = q.export_batch(&key, 3, 9, at(3)).unwrap();
        let batch = RedemptionBatch::open(&bytes, &key.public_key()).unwrap();
        assert_eq!(
            (batch.venue(), batch.key_id(), batch.sequence()),
            ("lyon", 3, 9)
        );
        assert_eq!(batch.items().len(), 2);
        assert_eq!(batch.items()[0].accepted_at, r.at);
        assert_eq!(batch.created_at(), at(3));
        // A clock gone back: created_at is the latest acceptance.
        let back = RedemptionBatch::open(
            &q.export_batch(&key, 3, 10, at(0)).unwrap(),
            &key.public_key(),
        )
        .unwrap();
        assert_eq!(back.created_at(), at(2));
        // Restored with its tokens, the queue exports the same bytes.
        let restored = OfflineQueue::restore_with_tokens(
            "lyon",
            q.pending()
                .iter()
                .cloned()
                .zip(q.pending_tokens().iter().copied()),
        )
        .unwrap();
        assert_eq!(restored.export_batch(&key, 3, 9, at(3)).unwrap(), bytes);
        // A token that is not the redemption's is refused.
        let e = OfflineQueue::new("lyon")
            .push_with_token(q.pending()[0].clone(), Some(tokens[2]))
            .unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        // An item without its token cannot go in a batch.
        let mut mixed = OfflineQueue::new("lyon");
        mixed.accept(&verified[2], at(4)).unwrap();
        assert_eq!(
            mixed.export_batch(&key, 1, 1, at(5)).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            OfflineQueue::new("lyon")
                .export_batch(&key, 1, 1, at(5))
                .unwrap_err()
                .code(),
            "batch_malformed"
        );
        // The answer names the first item only: it leaves, the second stays.
        let answer = [ImportedItem {
            token: tokens[0],
            accepted_at: r.at,
            outcome: ItemOutcome::Redeemed(r.clone()),
        }];
        assert_eq!(q.apply_outcomes(&answer), 1);
        assert_eq!(q.pending().len(), 1);
        assert_eq!(q.pending_tokens(), &[Some(tokens[1])]);
    }
}
