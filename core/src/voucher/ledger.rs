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
    /// `ledger_unavailable` if the storage failed (then nothing was recorded).
    fn redeem(&self, redemption: Redemption) -> Result<Redemption, VoucherError>;

    /// The redemption of a serial, if any.
    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError>;
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
    /// conflict; if the ledger fails, the items not yet recorded stay queued and the
    /// error is returned with the outcomes so far, so nothing is lost or sent twice.
    pub fn sync(
        &mut self,
        ledger: &dyn Ledger,
    ) -> Result<Vec<SyncOutcome>, (Vec<SyncOutcome>, VoucherError)> {
        let mut outcomes = Vec::with_capacity(self.items.len());
        for (done, item) in self.items.iter().enumerate() {
            match ledger.redeem(item.clone()) {
                Ok(r) => outcomes.push(SyncOutcome::Redeemed(r)),
                Err(VoucherError::AlreadyRedeemed { .. }) => {
                    let winner = ledger
                        .redemption(&item.issuer, item.serial)
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| item.clone());
                    outcomes.push(SyncOutcome::Conflict {
                        queued: item.clone(),
                        winner,
                    });
                }
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
