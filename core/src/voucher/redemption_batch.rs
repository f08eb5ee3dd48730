//! Signed redemption batches: what a venue device sends the operator after working
//! offline.
//!
//! # Byte format `PNRB`, version 1
//!
//! Big-endian, canonical (one batch has one encoding), every length bounded:
//!
//! | size | field | rule |
//! |---|---|---|
//! | 4 | magic | `PNRB` |
//! | 1 | format | `0x01` |
//! | 1 + n | venue | n in 1..=64; the venue's registry identifier: `a-z`, `0-9`, `-`, `_`, `.` |
//! | 2 | key_id | >= 1; which of the venue's registered keys signed |
//! | 8 | sequence | >= 1; per device, increasing (gap detection and display, not idempotence) |
//! | 8 | created_at | Unix milliseconds, 1970-01-01..=9999-12-31, >= every `accepted_at` |
//! | 4 | count | 1..=1,000,000 items |
//! | 93 × count | items | token (85 bytes, version 0x01) then `accepted_at` (Unix ms, i64); tokens pairwise distinct; queue order |
//! | 64 | signature | Ed25519 (strict) by the venue key over `FR.PASSNUM.RB1\0` then every byte before it |
//!
//! Nothing may follow the signature.
//!
//! A batch's identity, [`BatchId`], is SHA-256 over `FR.PASSNUM.RB1\0` and the body
//! without the signature: the key's holder can make several valid signatures over one
//! body, and all of them are one batch (the rule the ledger applies to serials).

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, Utc};
use ed25519_dalek::Signature;
use sha2::{Digest, Sha256};

use super::error::VoucherError;
use super::keys::{PublicKey, SecretKey};
use super::token::{TOKEN_LEN, Token};

const MAGIC: &[u8; 4] = b"PNRB";
const FORMAT_1: u8 = 1;
/// Domain-separation tag of the venue key's signature and of the batch id.
pub const BATCH_DOMAIN: &[u8; 15] = b"FR.PASSNUM.RB1\0";
/// Longest venue identifier in bytes.
pub const MAX_VENUE_LEN: usize = 64;
/// Most items in one batch.
pub const MAX_ITEMS: u32 = 1_000_000;
/// Bytes per item: the token and `accepted_at`.
pub const ITEM_LEN: usize = TOKEN_LEN + 8;
/// Length of the signature.
pub const SIGNATURE_LEN: usize = 64;
/// The last instant a batch may carry (9999-12-31T23:59:59.999Z, Unix ms).
pub const LAST_INSTANT_MS: i64 = 253_402_300_799_999;
/// The shortest batch: a one-letter venue and one item.
pub const MIN_LEN: usize = 4 + 1 + 1 + 1 + 2 + 8 + 8 + 4 + ITEM_LEN + SIGNATURE_LEN;

/// Whether `id` is a registry identifier: 1..=64 bytes of `a-z`, `0-9`, `-`, `_`, `.`
/// (one spelling per venue, as trust lists require of issuers).
pub fn is_registry_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_VENUE_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

/// An instant cut to the millisecond (what a batch carries).
pub fn truncate_to_ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

fn instant_ms(ms: i64, field: &'static str) -> Result<DateTime<Utc>, VoucherError> {
    if !(0..=LAST_INSTANT_MS).contains(&ms) {
        return Err(VoucherError::batch(
            field,
            format!("{ms} ms is outside 1970-01-01..=9999-12-31"),
        ));
    }
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| VoucherError::batch(field, format!("{ms} ms is out of range")))
}

/// A batch's identity: SHA-256 over [`BATCH_DOMAIN`] and the unsigned body.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BatchId([u8; 32]);

impl BatchId {
    /// The id from its 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        BatchId(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads 64 hex digits (`malformed` otherwise).
    pub fn from_hex(text: &str) -> Result<Self, VoucherError> {
        let mut bytes = [0u8; 32];
        if text.len() != 64
            || data_encoding::HEXLOWER_PERMISSIVE
                .decode_mut(text.as_bytes(), &mut bytes)
                .is_err()
        {
            return Err(VoucherError::malformed(
                "batch_id",
                "must be 64 hex digits (32 bytes)",
            ));
        }
        Ok(BatchId(bytes))
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&data_encoding::HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BatchId({self})")
    }
}

/// One redemption accepted offline: the token as scanned and when the venue accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchItem {
    /// The token (its bytes, as the device verified them).
    pub token: Token,
    /// When the venue accepted it, to the millisecond.
    pub accepted_at: DateTime<Utc>,
}

/// A redemption batch: a venue's offline redemptions, in queue order, with the device's
/// sequence number. [`sign`](RedemptionBatch::sign) makes the bytes sent to the operator;
/// [`open`](RedemptionBatch::open) reads them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionBatch {
    venue: String,
    key_id: u16,
    sequence: u64,
    created_at: DateTime<Utc>,
    items: Vec<BatchItem>,
}

impl RedemptionBatch {
    /// A batch; instants are cut to the millisecond. `batch_malformed` unless the venue
    /// is a registry identifier, `key_id` and `sequence` are at least 1, every instant
    /// lies in 1970..=9999 with `accepted_at <= created_at`, there are 1..=1,000,000
    /// items and no token appears twice.
    pub fn new(
        venue: &str,
        key_id: u16,
        sequence: u64,
        created_at: DateTime<Utc>,
        items: Vec<BatchItem>,
    ) -> Result<Self, VoucherError> {
        let items: Vec<BatchItem> = items
            .into_iter()
            .map(|i| BatchItem {
                accepted_at: truncate_to_ms(i.accepted_at),
                ..i
            })
            .collect();
        let batch = RedemptionBatch {
            venue: venue.to_owned(),
            key_id,
            sequence,
            created_at: truncate_to_ms(created_at),
            items,
        };
        batch.check()?;
        Ok(batch)
    }

    fn check(&self) -> Result<(), VoucherError> {
        if !is_registry_id(&self.venue) {
            return Err(VoucherError::batch(
                "venue",
                format!(
                    "{:?} must be a registry identifier: 1..={MAX_VENUE_LEN} bytes of a-z, 0-9, '-', '_', '.'",
                    self.venue
                ),
            ));
        }
        if self.key_id == 0 {
            return Err(VoucherError::batch("key_id", "0 is reserved"));
        }
        if self.sequence == 0 {
            return Err(VoucherError::batch("sequence", "must be at least 1"));
        }
        instant_ms(self.created_at.timestamp_millis(), "created_at")?;
        if self.items.is_empty() || self.items.len() > MAX_ITEMS as usize {
            return Err(VoucherError::batch(
                "count",
                format!("1..={MAX_ITEMS} items, got {}", self.items.len()),
            ));
        }
        let mut seen = HashSet::with_capacity(self.items.len());
        for (i, item) in self.items.iter().enumerate() {
            instant_ms(item.accepted_at.timestamp_millis(), "accepted_at")?;
            if item.accepted_at > self.created_at {
                return Err(VoucherError::batch(
                    "accepted_at",
                    format!(
                        "item {i}: accepted at {} after the batch was created ({})",
                        item.accepted_at, self.created_at
                    ),
                ));
            }
            if !seen.insert(*item.token.as_bytes()) {
                return Err(VoucherError::batch(
                    "items",
                    format!("item {i}: the same token appears twice"),
                ));
            }
        }
        Ok(())
    }

    /// The venue's registry identifier.
    pub fn venue(&self) -> &str {
        &self.venue
    }

    /// Which of the venue's registered keys signs the batch.
    pub fn key_id(&self) -> u16 {
        self.key_id
    }

    /// The device's sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When the device made the batch.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The items, in queue order.
    pub fn items(&self) -> &[BatchItem] {
        &self.items
    }

    /// The canonical bytes without the signature.
    pub fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(
            MIN_LEN + self.venue.len() + (self.items.len() - 1) * ITEM_LEN - SIGNATURE_LEN,
        );
        b.extend_from_slice(MAGIC);
        b.push(FORMAT_1);
        b.push(self.venue.len() as u8);
        b.extend_from_slice(self.venue.as_bytes());
        b.extend_from_slice(&self.key_id.to_be_bytes());
        b.extend_from_slice(&self.sequence.to_be_bytes());
        b.extend_from_slice(&self.created_at.timestamp_millis().to_be_bytes());
        b.extend_from_slice(&(self.items.len() as u32).to_be_bytes());
        for item in &self.items {
            b.extend_from_slice(item.token.as_bytes());
            b.extend_from_slice(&item.accepted_at.timestamp_millis().to_be_bytes());
        }
        b
    }

    /// The batch's identity (independent of the signature bytes).
    pub fn batch_id(&self) -> BatchId {
        batch_id_of_body(&self.body())
    }

    /// The signed bytes, signed with the venue key registered under
    /// [`key_id`](RedemptionBatch::key_id).
    pub fn sign(&self, key: &SecretKey) -> Vec<u8> {
        let mut bytes = self.body();
        bytes.extend_from_slice(&key.sign(&signed_message(&bytes)));
        bytes
    }

    /// Reads signed bytes and checks every field, but not the signature (the key to
    /// check it with is the one the batch names: see [`open`](RedemptionBatch::open)).
    /// `batch_malformed` naming the field for anything that breaks the format.
    pub fn parse_unverified(bytes: &[u8]) -> Result<Self, VoucherError> {
        if bytes.len() < MIN_LEN {
            return Err(VoucherError::batch(
                "length",
                format!("at least {MIN_LEN} bytes, got {}", bytes.len()),
            ));
        }
        let body = &bytes[..bytes.len() - SIGNATURE_LEN];
        if &body[..4] != MAGIC {
            return Err(VoucherError::batch("magic", "must start with PNRB"));
        }
        if body[4] != FORMAT_1 {
            return Err(VoucherError::batch(
                "format",
                format!("version {} is not supported (only 1 is)", body[4]),
            ));
        }
        let mut r = Reader { bytes: body, at: 5 };
        let venue_len = usize::from(r.u8("venue")?);
        let venue = core::str::from_utf8(r.take(venue_len, "venue")?)
            .map_err(|_| VoucherError::batch("venue", "not UTF-8"))?
            .to_owned();
        let key_id = r.u16("key_id")?;
        let sequence = r.u64("sequence")?;
        let created_at = instant_ms(r.u64("created_at")? as i64, "created_at")?;
        let count = r.u32("count")?;
        if count == 0 || count > MAX_ITEMS {
            return Err(VoucherError::batch(
                "count",
                format!("1..={MAX_ITEMS} items, got {count}"),
            ));
        }
        // Checked before reading any item, so a forged count allocates nothing.
        let left = body.len() - r.at;
        if left != count as usize * ITEM_LEN {
            return Err(VoucherError::batch(
                "length",
                format!(
                    "{count} items need {} bytes before the signature, {left} are there",
                    count as usize * ITEM_LEN
                ),
            ));
        }
        let mut items = Vec::with_capacity(count as usize);
        for i in 0..count {
            let raw: [u8; TOKEN_LEN] = r.take(TOKEN_LEN, "token")?.try_into().expect("85 bytes");
            let token = Token::from_array(raw)
                .map_err(|e| VoucherError::batch("token", format!("item {i}: {e}")))?;
            let accepted_at = instant_ms(r.u64("accepted_at")? as i64, "accepted_at")?;
            items.push(BatchItem { token, accepted_at });
        }
        let batch = RedemptionBatch {
            venue,
            key_id,
            sequence,
            created_at,
            items,
        };
        batch.check()?;
        Ok(batch)
    }

    /// Reads signed bytes: every field ([`parse_unverified`]), then the signature under
    /// `key` (`bad_batch_signature`).
    ///
    /// [`parse_unverified`]: RedemptionBatch::parse_unverified
    pub fn open(bytes: &[u8], key: &PublicKey) -> Result<Self, VoucherError> {
        let batch = RedemptionBatch::parse_unverified(bytes)?;
        batch.verify_signature(bytes, key)?;
        Ok(batch)
    }

    /// Checks the signature of `bytes` (this batch's signed bytes) under `key`.
    pub fn verify_signature(&self, bytes: &[u8], key: &PublicKey) -> Result<(), VoucherError> {
        let bad = || VoucherError::BadBatchSignature {
            venue: self.venue.clone(),
            key_id: self.key_id,
        };
        if bytes.len() < SIGNATURE_LEN {
            return Err(bad());
        }
        let (body, sig) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
        let sig = Signature::from_bytes(sig.try_into().expect("64 bytes"));
        key.verifying_key()
            .verify_strict(&signed_message(body), &sig)
            .map_err(|_| bad())
    }
}

/// The batch id of an unsigned body.
pub fn batch_id_of_body(body: &[u8]) -> BatchId {
    let mut h = Sha256::new();
    h.update(BATCH_DOMAIN);
    h.update(body);
    BatchId(h.finalize().into())
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(BATCH_DOMAIN.len() + body.len());
    m.extend_from_slice(BATCH_DOMAIN);
    m.extend_from_slice(body);
    m
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], VoucherError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| VoucherError::batch(field, format!("truncated at byte {}", self.at)))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self, f: &'static str) -> Result<u8, VoucherError> {
        Ok(self.take(1, f)?[0])
    }
    fn u16(&mut self, f: &'static str) -> Result<u16, VoucherError> {
        Ok(u16::from_be_bytes(self.take(2, f)?.try_into().expect("2")))
    }
    fn u32(&mut self, f: &'static str) -> Result<u32, VoucherError> {
        Ok(u32::from_be_bytes(self.take(4, f)?.try_into().expect("4")))
    }
    fn u64(&mut self, f: &'static str) -> Result<u64, VoucherError> {
        Ok(u64::from_be_bytes(self.take(8, f)?.try_into().expect("8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voucher::{Issuer, Kid, Scope, Serial, Validity};
    use chrono::{NaiveDate, TimeDelta, TimeZone};

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 10, minute, 0).unwrap()
    }

    fn tokens(n: u128) -> Vec<Token> {
        let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        (0..n)
            .map(|i| {
                issuer
                    .issue(
                        Serial::from_u128(i + 1).unwrap(),
                        1000,
                        Validity::from_dates(d(1, 1), d(12, 31)).unwrap(),
                        Scope::NATIONAL,
                    )
                    .unwrap()
            })
            .collect()
    }

    fn sample() -> (RedemptionBatch, SecretKey) {
        let items = tokens(3)
            .into_iter()
            .enumerate()
            .map(|(i, token)| BatchItem {
                token,
                accepted_at: at(i as u32) + TimeDelta::nanoseconds(1_234_567),
            })
            .collect();
        let b = RedemptionBatch::new("venue-lyon-01", 2, 5, at(10), items).unwrap();
        (b, SecretKey::from_seed(&[0x33; 32]))
    }

    #[test]
    fn layout_round_trip_and_id() {
        let (b, key) = sample();
        assert_eq!(
            b.items()[0].accepted_at.timestamp_subsec_nanos(),
            1_000_000,
            "cut to the millisecond"
        );
        let bytes = b.sign(&key);
        assert_eq!(bytes.len(), MIN_LEN + 12 + 2 * ITEM_LEN);
        assert_eq!(&bytes[..5], b"PNRB\x01");
        assert_eq!(bytes[5], 13);
        assert_eq!(&bytes[6..19], b"venue-lyon-01");
        assert_eq!(&bytes[19..21], &2u16.to_be_bytes());
        assert_eq!(&bytes[21..29], &5u64.to_be_bytes());
        assert_eq!(&bytes[29..37], &at(10).timestamp_millis().to_be_bytes());
        assert_eq!(&bytes[37..41], &3u32.to_be_bytes());
        let back = RedemptionBatch::open(&bytes, &key.public_key()).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.sign(&key), bytes);
        assert_eq!(
            back.batch_id(),
            batch_id_of_body(&bytes[..bytes.len() - 64])
        );
        assert_eq!(
            BatchId::from_hex(&b.batch_id().to_string()).unwrap(),
            b.batch_id()
        );
        let other = SecretKey::from_seed(&[0x34; 32]);
        assert_eq!(
            RedemptionBatch::open(&bytes, &other.public_key())
                .unwrap_err()
                .code(),
            "bad_batch_signature"
        );
    }

    #[test]
    fn any_change_or_truncation_is_refused() {
        let (b, key) = sample();
        let bytes = b.sign(&key);
        for i in 0..bytes.len() {
            let mut m = bytes.clone();
            m[i] ^= 0x01;
            assert!(
                RedemptionBatch::open(&m, &key.public_key()).is_err(),
                "byte {i}"
            );
        }
        for n in 0..bytes.len() {
            assert_eq!(
                RedemptionBatch::open(&bytes[..n], &key.public_key())
                    .unwrap_err()
                    .code(),
                "batch_malformed",
                "{n}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(RedemptionBatch::open(&longer, &key.public_key()).is_err());
    }

    #[test]
    fn rules_on_build() {
        let t = tokens(2);
        let item = |token, m| BatchItem {
            token,
            accepted_at: at(m),
        };
        let code = |r: Result<RedemptionBatch, VoucherError>| r.unwrap_err().code();
        assert_eq!(
            code(RedemptionBatch::new(
                "Lyon",
                1,
                1,
                at(5),
                vec![item(t[0], 1)]
            )),
            "batch_malformed"
        );
        assert_eq!(
            code(RedemptionBatch::new(
                "lyon",
                0,
                1,
                at(5),
                vec![item(t[0], 1)]
            )),
            "batch_malformed"
        );
        assert_eq!(
            code(RedemptionBatch::new(
                "lyon",
                1,
                0,
                at(5),
                vec![item(t[0], 1)]
            )),
            "batch_malformed"
        );
        assert_eq!(
            code(RedemptionBatch::new("lyon", 1, 1, at(5), vec![])),
            "batch_malformed"
        );
        assert_eq!(
            code(RedemptionBatch::new(
                "lyon",
                1,
                1,
                at(5),
                vec![item(t[0], 6)]
            )),
            "batch_malformed"
        );
        assert_eq!(
            code(RedemptionBatch::new(
                "lyon",
                1,
                1,
                at(5),
                vec![item(t[0], 1), item(t[0], 2)]
            )),
            "batch_malformed"
        );
        let before = DateTime::from_timestamp_millis(-1).unwrap();
        assert_eq!(
            code(RedemptionBatch::new(
                "lyon",
                1,
                1,
                at(5),
                vec![BatchItem {
                    token: t[1],
                    accepted_at: before
                }]
            )),
            "batch_malformed"
        );
        assert!(RedemptionBatch::new("a", 1, 1, at(5), vec![item(t[0], 5), item(t[1], 5)]).is_ok());
    }

    #[test]
    fn signed_but_broken_bodies_are_refused_as_malformed() {
        let (b, key) = sample();
        let body = b.body();
        let resign = |body: &[u8]| {
            let mut out = body.to_vec();
            out.extend_from_slice(&key.sign(&signed_message(body)));
            out
        };
        // A forged count far above the bytes present allocates nothing and is refused.
        let mut count = body.clone();
        count[37..41].copy_from_slice(&MAX_ITEMS.to_be_bytes());
        let e = RedemptionBatch::open(&resign(&count), &key.public_key()).unwrap_err();
        assert_eq!(e.code(), "batch_malformed");
        assert!(e.to_string().starts_with("batch.length"), "{e}");
        // A token of version 2.
        let mut v2 = body.clone();
        v2[41] = 2;
        let e = RedemptionBatch::open(&resign(&v2), &key.public_key()).unwrap_err();
        assert!(e.to_string().starts_with("batch.token"), "{e}");
        // created_at before an item.
        let mut early = body.clone();
        early[29..37].copy_from_slice(&at(0).timestamp_millis().to_be_bytes());
        let e = RedemptionBatch::open(&resign(&early), &key.public_key()).unwrap_err();
        assert!(e.to_string().starts_with("batch.accepted_at"), "{e}");
        assert_eq!(
            RedemptionBatch::open(&resign(&body), &key.public_key()).unwrap(),
            b
        );
    }
}
