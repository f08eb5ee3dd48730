//! Redemption: each serial is redeemed at most once per issuer.
//!
//! [`Ledger`] is the storage contract (a persistent implementation follows the same
//! trait); [`MemoryLedger`] is the thread-safe in-memory one. [`OfflineQueue`] is what a
//! venue device keeps while offline: it syncs later, the first redemption to reach the
//! ledger wins and later ones come back as conflicts.
//!
//! The key is (issuer, serial), never the token or signature bytes: the holder of a
//! signing key can make many signatures over one body, and all of them are one cheque.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::error::VoucherError;
use super::token::{Kid, Serial};
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

/// A venue device's queue of redemptions accepted offline.
#[derive(Debug)]
pub struct OfflineQueue {
    venue: String,
    items: Vec<Redemption>,
}

impl OfflineQueue {
    /// An empty queue for a venue.
    pub fn new(venue: &str) -> Self {
        OfflineQueue {
            venue: venue.to_owned(),
            items: Vec::new(),
        }
    }

    /// A queue restored from its pending redemptions (saved before a restart, in the
    /// order they were accepted): `invalid_field` for a redemption of another venue,
    /// `already_redeemed` for a serial queued twice.
    pub fn restore(
        venue: &str,
        pending: impl IntoIterator<Item = Redemption>,
    ) -> Result<Self, VoucherError> {
        let mut q = OfflineQueue::new(venue);
        for r in pending {
            q.push(r)?;
        }
        Ok(q)
    }

    /// Queues a redemption made at this venue (the redemption of a verified voucher, or
    /// one saved earlier): `invalid_field` if it names another venue, `already_redeemed`
    /// if this device already accepted the same serial.
    pub fn push(&mut self, redemption: Redemption) -> Result<Redemption, VoucherError> {
        if redemption.venue != self.venue {
            return Err(VoucherError::invalid(
                "venue",
                format!(
                    "{:?} is not this queue's venue {:?}",
                    redemption.venue, self.venue
                ),
            ));
        }
        if let Some(first) = self
            .items
            .iter()
            .find(|r| r.serial == redemption.serial && r.issuer == redemption.issuer)
        {
            return Err(first.conflict());
        }
        self.items.push(redemption.clone());
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

    /// Accepts a verified voucher offline; `already_redeemed` if this device already
    /// accepted the same serial.
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
        Ok(r)
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
            let outcome = match ledger.redeem(item.clone()) {
                Ok(r) => Ok(SyncOutcome::Redeemed(r)),
                Err(VoucherError::AlreadyRedeemed { .. }) => {
                    match ledger.redemption(&item.issuer, item.serial) {
                        Ok(Some(winner)) if winner == *item => Ok(SyncOutcome::Redeemed(winner)),
                        Ok(Some(winner)) => Ok(SyncOutcome::Conflict {
                            queued: item.clone(),
                            winner,
                        }),
                        Ok(None) => Err(VoucherError::LedgerUnavailable {
                            reason: format!(
                                "serial {} reported redeemed but not found; retry the sync",
                                item.serial
                            ),
                        }),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(o) => outcomes.push(o),
                Err(e) => {
                    self.items.drain(..done);
                    return Err((outcomes, e));
                }
            }
        }
        self.items.clear();
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
}
