//! What a phone keeps on its own storage: the offline queue in a SQLite file
//! ([`StoredOfflineQueue`], so a cheque accepted before a crash, a reboot or an empty
//! battery is still sent at the next sync), and for completeness the SQLite redemption
//! ledger ([`SqliteLedger`], an operator's or a single-desk deployment's).
//!
//! A thin adapter over `inclusif-ledger` (SQLite only: no PostgreSQL client on phones).
//! Both objects hold one open file: `close()` them (Kotlin `use { }`) to release it.
//! Storage errors are `InclusifException`s of domain `VOUCHER`: `ledger_corrupt` (a file
//! that is not a queue, resp. a ledger, or is damaged), `ledger_busy`,
//! `ledger_unavailable`.

use std::sync::Arc;

use inclusif_core::api::voucher as api;
use inclusif_core::voucher as core;
use inclusif_ledger as store;

use crate::error::{Api, ErrorDomain, InclusifError, Result};
use crate::types::{Timestamp, signed, signed_usize, to_u16};
use crate::voucher::{Redemption, SecretKey, VerifiedVoucher, VoucherToken};

fn typed<T>(r: std::result::Result<T, core::VoucherError>) -> Result<T> {
    r.map_err(inclusif_core::api::Error::from).api()
}

fn key_id(value: i32) -> Result<u16> {
    to_u16(
        value.into(),
        ErrorDomain::Voucher,
        "invalid_field",
        "key_id",
    )
}

fn token_of(bytes: &[u8]) -> Result<core::Token> {
    typed(core::Token::from_bytes(bytes))
}

fn redemption(r: &core::Redemption) -> Redemption {
    Redemption {
        issuer: r.issuer.to_string(),
        serial: r.serial.to_string(),
        kid: r.kid.get().into(),
        value_cents: r.value_cents.into(),
        venue: r.venue.clone(),
        at: r.at,
    }
}

/// One item of a signed redemption batch: the token's 85 bytes and when the venue
/// accepted it (to the millisecond). What `StoredOfflineQueue.applyOutcomes` takes: the
/// items the operator's answer settled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct BatchItem {
    /// The token's 85 bytes.
    pub token: Vec<u8>,
    /// When the venue accepted it.
    pub accepted_at: Timestamp,
}

/// A signed redemption batch (`PNRB` v1) as read, its signature checked.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RedemptionBatch {
    /// The batch's identity, 64 hex digits.
    pub batch_id: String,
    /// The venue's registry identifier.
    pub venue: String,
    /// The venue key that signs it.
    pub key_id: i32,
    /// The device's sequence number.
    pub sequence: i64,
    /// When the device made it.
    pub created_at: Timestamp,
    /// The items, in queue order.
    pub items: Vec<BatchItem>,
}

/// Reads a signed batch and checks its signature under the venue's 32-byte public key:
/// `batch_malformed`, then `bad_batch_signature` (`invalid_key` for a bad key).
#[uniffi::export]
pub fn redemption_batch_open(bytes: Vec<u8>, public_key: Vec<u8>) -> Result<RedemptionBatch> {
    let b = api::RedemptionBatch::open(&bytes, &public_key).api()?;
    Ok(RedemptionBatch {
        batch_id: b.batch_id,
        venue: b.venue,
        key_id: b.key_id.into(),
        sequence: signed(b.sequence),
        created_at: b.created_at,
        items: b
            .items
            .into_iter()
            .map(|i| BatchItem {
                token: i.token.to_bytes(),
                accepted_at: i.accepted_at,
            })
            .collect(),
    })
}

/// A venue device's offline queue kept in a SQLite file (WAL, durable commits): every
/// accepted cheque is on disk when `accept` returns, and reopening the file gives the
/// queue back. The queue's rules are the in-memory `OfflineQueue`'s (a serial accepted
/// twice is `already_redeemed`, instants cut to the millisecond); `exportBatch` uses and
/// increments a sequence number kept in the file. Thread-safe; `close()` releases the
/// file.
#[derive(Debug, uniffi::Object)]
pub struct StoredOfflineQueue {
    inner: store::SqliteQueue,
}

#[uniffi::export]
impl StoredOfflineQueue {
    /// Opens (or creates) the queue file of a venue: `invalid_field` if the file is the
    /// queue of another venue, `ledger_corrupt` if it is not a queue file (another
    /// application's database, a ledger, a damaged file, a newer schema).
    #[uniffi::constructor]
    pub fn open(path: String, venue: String) -> Result<Arc<Self>> {
        let inner = typed(store::SqliteQueue::open(&path, &venue))?;
        Ok(Arc::new(StoredOfflineQueue { inner }))
    }

    /// The venue.
    pub fn venue(&self) -> String {
        self.inner.venue().to_owned()
    }

    /// The file's path.
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    /// Accepts a verified voucher offline and keeps its token, the instant cut to the
    /// millisecond: `invalid_field` if the voucher is not this token's verification,
    /// `already_redeemed` if this device already accepted the serial. On disk when it
    /// returns.
    pub fn accept(
        &self,
        token: Arc<VoucherToken>,
        voucher: VerifiedVoucher,
        at: Timestamp,
    ) -> Result<Redemption> {
        let same = (
            token.serial(),
            token.kid(),
            token.value_cents(),
            token.valid_from(),
            token.valid_until(),
            token.scope(),
        ) == (
            voucher.serial.clone(),
            voucher.kid,
            voucher.value_cents,
            voucher.valid_from,
            voucher.valid_until,
            voucher.scope,
        );
        if !same {
            return Err(InclusifError::invalid(
                ErrorDomain::Voucher,
                "invalid_field",
                "token: the verified voucher is not this token's verification",
            ));
        }
        let t = token_of(&token.to_bytes())?;
        let kid = core::Kid::new(t.kid_raw()).ok_or_else(|| {
            InclusifError::invalid(ErrorDomain::Voucher, "invalid_field", "kid: 0 is reserved")
        })?;
        let r = core::Redemption {
            issuer: voucher.issuer.as_str().into(),
            serial: t.serial(),
            kid,
            value_cents: t.value_cents_raw(),
            venue: self.inner.venue().to_owned(),
            at,
        };
        Ok(redemption(&typed(self.inner.push(r, &t))?))
    }

    /// The redemptions waiting for sync, in the order they were accepted.
    pub fn pending(&self) -> Result<Vec<Redemption>> {
        Ok(typed(self.inner.pending())?
            .iter()
            .map(redemption)
            .collect())
    }

    /// The pending items as batch items (token bytes and acceptance instant), in order.
    pub fn pending_items(&self) -> Result<Vec<BatchItem>> {
        Ok(typed(self.inner.pending_items())?
            .into_iter()
            .map(|(r, t)| BatchItem {
                token: t.as_bytes().to_vec(),
                accepted_at: r.at,
            })
            .collect())
    }

    /// How many redemptions wait.
    pub fn size(&self) -> Result<i64> {
        Ok(signed(typed(self.inner.len())?))
    }

    /// The sequence number the next batch will carry (1 for a new queue).
    pub fn next_sequence(&self) -> Result<i64> {
        Ok(signed(typed(self.inner.next_sequence())?))
    }

    /// The pending items as a batch (`PNRB` v1) signed with the venue's secret key
    /// registered under `keyId`, with the file's next sequence number, which is
    /// incremented. Items stay queued until `applyOutcomes`. `batch_malformed` for an
    /// empty queue, a venue that is not a registry identifier, or key id 0.
    pub fn export_batch(
        &self,
        secret_key: Arc<SecretKey>,
        key_id: i32,
        now: Timestamp,
    ) -> Result<Vec<u8>> {
        let seed: [u8; 32] = secret_key.to_bytes().try_into().map_err(|_| {
            InclusifError::invalid(ErrorDomain::Voucher, "invalid_key", "a 32-byte seed")
        })?;
        let key = core::SecretKey::from_seed(&seed);
        typed(self.inner.export_batch(&key, self::key_id(key_id)?, now))
    }

    /// Settles the items the operator's answer names (redeemed, in conflict or
    /// rejected), matched by token and acceptance instant: they leave the file. Returns
    /// how many left; `malformed` for token bytes that are not a token.
    pub fn apply_outcomes(&self, settled: Vec<BatchItem>) -> Result<i64> {
        let pairs = settled
            .iter()
            .map(|i| Ok((token_of(&i.token)?, i.accepted_at)))
            .collect::<Result<Vec<_>>>()?;
        Ok(signed_usize(typed(self.inner.remove_settled(&pairs))?))
    }

    /// SQLite's integrity check over the file: `ledger_corrupt` with its findings.
    pub fn integrity_check(&self) -> Result<()> {
        typed(self.inner.integrity_check())
    }
}

/// The redemption ledger in one SQLite file (WAL, durable commits, the database's own
/// key refusing a double spend). Thread-safe; `close()` releases the file.
#[derive(Debug, uniffi::Object)]
pub struct SqliteLedger {
    inner: Arc<store::SqliteLedger>,
    handle: api::Ledger,
}

#[uniffi::export]
impl SqliteLedger {
    /// Opens (or creates) the ledger file: `ledger_corrupt` for a file that is not a
    /// ledger (another application's database, a queue file, a damaged file, a newer
    /// schema).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>> {
        let inner = Arc::new(typed(store::SqliteLedger::open(&path))?);
        let handle = api::Ledger::from_dyn(inner.clone());
        Ok(Arc::new(SqliteLedger { inner, handle }))
    }

    /// The file's path.
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    /// Redeems a verified voucher at a venue: the redemption, or `already_redeemed`
    /// naming the first venue and time.
    pub fn redeem(
        &self,
        voucher: VerifiedVoucher,
        venue: String,
        at: Timestamp,
    ) -> Result<Redemption> {
        let r = crate::voucher::redemption_of(voucher, venue, at)?;
        self.record(r)
    }

    /// Records a redemption made elsewhere (a synced device, an import).
    pub fn record(&self, redemption: Redemption) -> Result<Redemption> {
        let r = api::Redemption {
            issuer: redemption.issuer,
            serial: redemption.serial,
            kid: to_u16(
                redemption.kid.into(),
                ErrorDomain::Voucher,
                "invalid_field",
                "kid",
            )?,
            value_cents: to_u16(
                redemption.value_cents.into(),
                ErrorDomain::Voucher,
                "invalid_field",
                "value_cents",
            )?,
            venue: redemption.venue,
            at: redemption.at,
        };
        Ok(self.handle.record(&r).api()?.into())
    }

    /// The redemption of an issuer's serial, or null (`malformed` for a bad serial).
    pub fn redemption(&self, issuer: String, serial: String) -> Result<Option<Redemption>> {
        Ok(self
            .handle
            .redemption(&issuer, &serial)
            .api()?
            .map(Redemption::from))
    }

    /// How many redemptions are recorded.
    pub fn size(&self) -> Result<i64> {
        Ok(signed(typed(self.inner.len())?))
    }

    /// SQLite's integrity check over the file: `ledger_corrupt` with its findings.
    pub fn integrity_check(&self) -> Result<()> {
        typed(self.inner.integrity_check())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voucher::{
        Issuer, TrustList, VoucherSpec, VoucherVerifier, VoucherVerifierOptions,
        unrestricted_trust_entry,
    };
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn a_phone_keeps_its_queue_in_a_file_and_exports_a_signed_batch() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
        let root = SecretKey::from_bytes(vec![0xa0; 32]).unwrap();
        let issuer = Issuer::new(7, SecretKey::from_bytes(vec![7; 32]).unwrap()).unwrap();
        let entry = unrestricted_trust_entry(7, "aptic".into(), issuer.public_key()).unwrap();
        let signed = TrustList::new(1, now, 86_400, vec![entry])
            .unwrap()
            .sign(root.clone())
            .unwrap();
        let list = TrustList::load(signed, root.public_key(), now).unwrap();
        let verifier = VoucherVerifier::new(list, VoucherVerifierOptions::default()).unwrap();
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let spec = VoucherSpec {
            valid_from: date(1, 1),
            valid_until: date(12, 31),
            value_cents: 1000,
            scope: 0,
        };
        let cheque = issuer.issue(spec, None).unwrap();
        let token = VoucherToken::parse(cheque.qr_payload.clone()).unwrap();
        let v = verifier.verify_token(token.clone(), now).unwrap();
        let dir =
            std::env::temp_dir().join(format!("inclusif-mobile-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("queue.sqlite").display().to_string();
        let key = SecretKey::from_bytes(vec![0x51; 32]).unwrap();
        {
            let q = StoredOfflineQueue::open(path.clone(), "venue-lyon-01".into()).unwrap();
            q.accept(token.clone(), v.clone(), now).unwrap();
            let e = q.accept(token.clone(), v.clone(), now).unwrap_err();
            assert_eq!(e.error_code(), "already_redeemed");
        }
        let q = StoredOfflineQueue::open(path.clone(), "venue-lyon-01".into()).unwrap();
        assert_eq!(q.size().unwrap(), 1);
        let bytes = q.export_batch(key.clone(), 1, now).unwrap();
        let batch = redemption_batch_open(bytes, key.public_key()).unwrap();
        assert_eq!((batch.sequence, batch.items.len()), (1, 1));
        assert_eq!(q.next_sequence().unwrap(), 2);
        assert_eq!(q.apply_outcomes(batch.items).unwrap(), 1);
        assert_eq!(q.size().unwrap(), 0);
        drop(q);
        let e = SqliteLedger::open(path).unwrap_err();
        assert_eq!(e.error_code(), "ledger_corrupt");
        let ledger = SqliteLedger::open(dir.join("ledger.sqlite").display().to_string()).unwrap();
        ledger
            .redeem(v.clone(), "venue-lyon-01".into(), now)
            .unwrap();
        let e = ledger.redeem(v, "venue-gueret-02".into(), now).unwrap_err();
        assert_eq!(e.error_code(), "already_redeemed");
        drop(ledger);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
