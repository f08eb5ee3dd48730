//! Trust lists: which keys may sign vouchers, within which limits, signed by the
//! programme's root key.
//!
//! # Byte format, version 1
//!
//! Big-endian, canonical (one list has one encoding), every length bounded:
//!
//! | size | field | rule |
//! |---|---|---|
//! | 4 | magic | `PNTL` |
//! | 1 | format | `0x01` |
//! | 8 | sequence | >= 1; a verifier never goes back to a lower one |
//! | 8 | issued_at | Unix seconds, UTC |
//! | 4 | max_age | seconds >= 1; after `issued_at + max_age` verification fails closed |
//! | 2 | count | number of entries |
//! | … | entries | `count` entries, kids strictly ascending |
//! | 64 | signature | Ed25519 (strict) by the root key over `FR.PASSNUM.TL1\0` then every byte before it |
//!
//! One entry:
//!
//! | size | field | rule |
//! |---|---|---|
//! | 2 | kid | 1..=65535 |
//! | 1 | status | 0 active, 1 revoked |
//! | 32 | public_key | an Ed25519 point, not weak |
//! | 2 + 2 | window_from, window_until | days since 2000-01-01, from <= until; `valid_from` of the key's vouchers must fall inside |
//! | 2 | max_value_cents | >= 1 |
//! | 1 + n | issuer | n in 1..=64; the issuer's registry identifier: `a-z`, `0-9`, `-`, `_`, `.` |
//! | 1 + 2m | scopes | m scopes strictly ascending; m = 0 means any scope |
//!
//! Nothing may follow the signature.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::error::VoucherError;
use super::keys::{PublicKey, SecretKey};
use super::token::{Day, Kid, Scope};

const MAGIC: &[u8; 4] = b"PNTL";
const FORMAT_1: u8 = 1;
/// Domain-separation tag of the root key's signature.
pub const TRUST_LIST_DOMAIN: &[u8; 15] = b"FR.PASSNUM.TL1\0";
/// The last instant a list may be issued at (9999-12-31T23:59:59Z, Unix seconds).
const LAST_ISSUED_AT: i64 = 253_402_300_799;
/// Longest issuer name in bytes.
pub const MAX_ISSUER_LEN: usize = 64;

/// Whether a key may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyStatus {
    /// Vouchers signed by the key verify.
    Active,
    /// Every voucher signed by the key fails with `revoked_key`.
    Revoked,
}

/// Which scopes a key may sign.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScopePolicy {
    /// Any scope.
    Any,
    /// Only these (a non-empty, sorted set).
    Only(Vec<Scope>),
}

impl ScopePolicy {
    /// A policy from a list of scopes; an empty list is refused (use `Any`).
    pub fn only(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, VoucherError> {
        let mut v: Vec<Scope> = scopes.into_iter().collect();
        v.sort();
        v.dedup();
        if v.is_empty() {
            return Err(VoucherError::trust(
                "scopes",
                "an explicit scope list must not be empty",
            ));
        }
        if v.len() > 255 {
            return Err(VoucherError::trust("scopes", "at most 255 scopes per key"));
        }
        Ok(ScopePolicy::Only(v))
    }

    /// Whether the policy allows `scope`.
    pub fn allows(&self, scope: Scope) -> bool {
        match self {
            ScopePolicy::Any => true,
            ScopePolicy::Only(v) => v.binary_search(&scope).is_ok(),
        }
    }
}

/// One key of the trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// Key id.
    pub kid: Kid,
    /// The issuer's registry identifier (`a-z`, `0-9`, `-`, `_`, `.`; 1..=64 bytes), also
    /// the redemption ledger's key: keys of one issuer share one spending space.
    pub issuer: Arc<str>,
    /// The key.
    pub public_key: PublicKey,
    /// Active or revoked.
    pub status: KeyStatus,
    /// First day of the key's signing window.
    pub window_from: Day,
    /// Last day of the key's signing window (inclusive).
    pub window_until: Day,
    /// Highest face value the key may sign, in cents.
    pub max_value_cents: u16,
    /// Which scopes the key may sign.
    pub scopes: ScopePolicy,
}

impl TrustEntry {
    /// An active key with no window and no limits.
    pub fn unrestricted(kid: Kid, issuer: &str, public_key: PublicKey) -> Self {
        TrustEntry {
            kid,
            issuer: Arc::from(issuer),
            public_key,
            status: KeyStatus::Active,
            window_from: Day::MIN,
            window_until: Day::MAX,
            max_value_cents: u16::MAX,
            scopes: ScopePolicy::Any,
        }
    }

    fn check(&self) -> Result<(), VoucherError> {
        if self.issuer.is_empty() || self.issuer.len() > MAX_ISSUER_LEN {
            return Err(VoucherError::trust(
                "issuer",
                format!(
                    "key {}: must be 1..={MAX_ISSUER_LEN} bytes of UTF-8",
                    self.kid
                ),
            ));
        }
        // The issuer is the redemption ledger's key: one spelling per issuer, so no case
        // or accent variant can open a second spending space for the same serials.
        if !self
            .issuer
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
        {
            return Err(VoucherError::trust(
                "issuer",
                format!(
                    "key {}: {:?} must be a registry identifier: a-z, 0-9, '-', '_', '.'",
                    self.kid, self.issuer
                ),
            ));
        }
        if self.window_until < self.window_from {
            return Err(VoucherError::trust(
                "window_until",
                format!("key {}: the signing window ends before it starts", self.kid),
            ));
        }
        if self.max_value_cents == 0 {
            return Err(VoucherError::trust(
                "max_value_cents",
                format!("key {}: must be at least 1 cent", self.kid),
            ));
        }
        if let ScopePolicy::Only(v) = &self.scopes
            && (v.is_empty() || v.len() > 255 || v.windows(2).any(|w| w[0] >= w[1]))
        {
            return Err(VoucherError::trust(
                "scopes",
                format!("key {}: 1..=255 scopes, strictly ascending", self.kid),
            ));
        }
        Ok(())
    }
}

/// A programme's list of trusted keys, with its sequence number and maximum age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    sequence: u64,
    issued_at: DateTime<Utc>,
    max_age_seconds: u32,
    entries: BTreeMap<Kid, TrustEntry>,
}

impl TrustList {
    /// An empty list. `issued_at` is kept to the second; `sequence` and `max_age_seconds`
    /// must be at least 1.
    pub fn new(
        sequence: u64,
        issued_at: DateTime<Utc>,
        max_age_seconds: u32,
    ) -> Result<Self, VoucherError> {
        if sequence == 0 {
            return Err(VoucherError::trust("sequence", "must be at least 1"));
        }
        if max_age_seconds == 0 {
            return Err(VoucherError::trust("max_age", "must be at least 1 second"));
        }
        // Bounded so that issued_at + max_age (at most 136 years) always exists.
        if !(0..=LAST_ISSUED_AT).contains(&issued_at.timestamp()) {
            return Err(VoucherError::trust(
                "issued_at",
                format!("{issued_at} is outside 1970-01-01..=9999-12-31"),
            ));
        }
        let issued_at = DateTime::from_timestamp(issued_at.timestamp(), 0).unwrap_or(issued_at);
        Ok(TrustList {
            sequence,
            issued_at,
            max_age_seconds,
            entries: BTreeMap::new(),
        })
    }

    /// Adds a key; refuses a kid already present and an entry that breaks its rules.
    pub fn insert(&mut self, entry: TrustEntry) -> Result<(), VoucherError> {
        entry.check()?;
        if self.entries.contains_key(&entry.kid) {
            return Err(VoucherError::trust(
                "kid",
                format!("key {} is listed twice", entry.kid),
            ));
        }
        if self.entries.len() == usize::from(u16::MAX) {
            return Err(VoucherError::trust("count", "at most 65535 keys"));
        }
        self.entries.insert(entry.kid, entry);
        Ok(())
    }

    /// The sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When the list was issued.
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }

    /// The maximum age in seconds.
    pub fn max_age_seconds(&self) -> u32 {
        self.max_age_seconds
    }

    /// The instant after which verification with this list fails closed.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.issued_at + TimeDelta::seconds(i64::from(self.max_age_seconds))
    }

    /// `trust_list_expired` if `now` is past [`expires_at`](TrustList::expires_at).
    pub fn check_fresh(&self, now: DateTime<Utc>) -> Result<(), VoucherError> {
        if now > self.expires_at() {
            return Err(VoucherError::TrustListExpired {
                issued_at: self.issued_at,
                expires_at: self.expires_at(),
                now,
            });
        }
        Ok(())
    }

    /// The entry for a key id.
    pub fn get(&self, kid: Kid) -> Option<&TrustEntry> {
        self.entries.get(&kid)
    }

    /// The entries, by ascending kid.
    pub fn entries(&self) -> impl Iterator<Item = &TrustEntry> {
        self.entries.values()
    }

    /// The canonical bytes without the signature.
    fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(27 + self.entries.len() * 120);
        b.extend_from_slice(MAGIC);
        b.push(FORMAT_1);
        b.extend_from_slice(&self.sequence.to_be_bytes());
        b.extend_from_slice(&(self.issued_at.timestamp() as u64).to_be_bytes());
        b.extend_from_slice(&self.max_age_seconds.to_be_bytes());
        b.extend_from_slice(&(self.entries.len() as u16).to_be_bytes());
        for e in self.entries.values() {
            b.extend_from_slice(&e.kid.get().to_be_bytes());
            b.push(match e.status {
                KeyStatus::Active => 0,
                KeyStatus::Revoked => 1,
            });
            b.extend_from_slice(&e.public_key.to_bytes());
            b.extend_from_slice(&e.window_from.number().to_be_bytes());
            b.extend_from_slice(&e.window_until.number().to_be_bytes());
            b.extend_from_slice(&e.max_value_cents.to_be_bytes());
            b.push(e.issuer.len() as u8);
            b.extend_from_slice(e.issuer.as_bytes());
            match &e.scopes {
                ScopePolicy::Any => b.push(0),
                ScopePolicy::Only(v) => {
                    b.push(v.len() as u8);
                    for s in v {
                        b.extend_from_slice(&s.0.to_be_bytes());
                    }
                }
            }
        }
        b
    }

    /// The signed, distributable bytes.
    pub fn sign(&self, root: &SecretKey) -> Vec<u8> {
        let mut bytes = self.body();
        let mut message = Vec::with_capacity(TRUST_LIST_DOMAIN.len() + bytes.len());
        message.extend_from_slice(TRUST_LIST_DOMAIN);
        message.extend_from_slice(&bytes);
        bytes.extend_from_slice(&root.sign(&message));
        bytes
    }

    /// Reads and checks signed bytes: the root key's signature first, then every field.
    pub fn open(bytes: &[u8], root: &PublicKey) -> Result<Self, VoucherError> {
        if bytes.len() < 27 + 64 {
            return Err(VoucherError::trust(
                "length",
                format!("at least 91 bytes, got {}", bytes.len()),
            ));
        }
        let (body, sig) = bytes.split_at(bytes.len() - 64);
        if &body[..4] != MAGIC {
            return Err(VoucherError::trust("magic", "must start with PNTL"));
        }
        if body[4] != FORMAT_1 {
            return Err(VoucherError::trust(
                "format",
                format!("version {} is not supported (only 1 is)", body[4]),
            ));
        }
        let mut message = Vec::with_capacity(TRUST_LIST_DOMAIN.len() + body.len());
        message.extend_from_slice(TRUST_LIST_DOMAIN);
        message.extend_from_slice(body);
        let sig = ed25519_dalek::Signature::from_bytes(sig.try_into().expect("64 bytes"));
        root.verifying_key()
            .verify_strict(&message, &sig)
            .map_err(|_| VoucherError::TrustListBadSignature)?;
        TrustList::parse_body(body)
    }

    fn parse_body(body: &[u8]) -> Result<Self, VoucherError> {
        let mut r = Reader { bytes: body, at: 5 };
        let sequence = r.u64("sequence")?;
        let issued = r.u64("issued_at")?;
        let max_age = r.u32("max_age")?;
        let count = r.u16("count")?;
        let issued = i64::try_from(issued)
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(|| VoucherError::trust("issued_at", "out of range"))?;
        let mut list = TrustList::new(sequence, issued, max_age)?;
        let mut last: Option<Kid> = None;
        for _ in 0..count {
            let kid_raw = r.u16("kid")?;
            let kid =
                Kid::new(kid_raw).ok_or_else(|| VoucherError::trust("kid", "0 is reserved"))?;
            if last.is_some_and(|l| l >= kid) {
                return Err(VoucherError::trust(
                    "kid",
                    "entries must be in strictly ascending kid order",
                ));
            }
            last = Some(kid);
            let status = match r.u8("status")? {
                0 => KeyStatus::Active,
                1 => KeyStatus::Revoked,
                s => {
                    return Err(VoucherError::trust(
                        "status",
                        format!("key {kid}: {s} is neither 0 (active) nor 1 (revoked)"),
                    ));
                }
            };
            let key: [u8; 32] = r.take(32, "public_key")?.try_into().expect("32 bytes");
            let public_key = PublicKey::from_bytes(&key, kid_raw)?;
            let window_from = Day::from_number(r.u16("window_from")?);
            let window_until = Day::from_number(r.u16("window_until")?);
            let max_value_cents = r.u16("max_value_cents")?;
            let name_len = usize::from(r.u8("issuer")?);
            let name = core::str::from_utf8(r.take(name_len, "issuer")?)
                .map_err(|_| VoucherError::trust("issuer", format!("key {kid}: not UTF-8")))?;
            let scope_count = r.u8("scopes")?;
            let scopes = if scope_count == 0 {
                ScopePolicy::Any
            } else {
                let mut v = Vec::with_capacity(usize::from(scope_count));
                for _ in 0..scope_count {
                    v.push(Scope(r.u16("scopes")?));
                }
                ScopePolicy::Only(v)
            };
            list.insert(TrustEntry {
                kid,
                issuer: Arc::from(name),
                public_key,
                status,
                window_from,
                window_until,
                max_value_cents,
                scopes,
            })?;
        }
        if r.at != body.len() {
            return Err(VoucherError::trust(
                "length",
                format!("{} bytes left over after the last entry", body.len() - r.at),
            ));
        }
        Ok(list)
    }
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
            .ok_or_else(|| VoucherError::trust(field, format!("truncated at byte {}", self.at)))?;
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
    use chrono::TimeZone;

    fn sample(root: &SecretKey) -> (TrustList, Vec<u8>) {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let mut l = TrustList::new(3, at, 86_400).unwrap();
        let k = SecretKey::from_seed(&[1; 32]);
        let mut e = TrustEntry::unrestricted(Kid::new(7).unwrap(), "aptic", k.public_key());
        e.scopes = ScopePolicy::only([Scope(0), Scope(75)]).unwrap();
        e.max_value_cents = 2000;
        l.insert(e).unwrap();
        let k2 = SecretKey::from_seed(&[2; 32]);
        let mut e2 =
            TrustEntry::unrestricted(Kid::new(3).unwrap(), "region-creuse", k2.public_key());
        e2.status = KeyStatus::Revoked;
        l.insert(e2).unwrap();
        let bytes = l.sign(root);
        (l, bytes)
    }

    #[test]
    fn round_trip_is_canonical() {
        let root = SecretKey::from_seed(&[9; 32]);
        let (l, bytes) = sample(&root);
        let back = TrustList::open(&bytes, &root.public_key()).unwrap();
        assert_eq!(back, l);
        assert_eq!(back.sign(&root), bytes);
    }

    #[test]
    fn any_change_breaks_the_signature_or_the_format() {
        let root = SecretKey::from_seed(&[9; 32]);
        let (_, bytes) = sample(&root);
        for i in 0..bytes.len() {
            let mut m = bytes.clone();
            m[i] ^= 0x01;
            assert!(TrustList::open(&m, &root.public_key()).is_err(), "byte {i}");
        }
        let other = SecretKey::from_seed(&[8; 32]);
        assert_eq!(
            TrustList::open(&bytes, &other.public_key())
                .unwrap_err()
                .code(),
            "trust_list_bad_signature"
        );
        for n in 0..bytes.len() {
            assert!(TrustList::open(&bytes[..n], &root.public_key()).is_err());
        }
    }

    #[test]
    fn signed_but_broken_bodies_are_refused() {
        // A root key that signs garbage still cannot make the parser accept it.
        let root = SecretKey::from_seed(&[9; 32]);
        let (_, bytes) = sample(&root);
        let body = &bytes[..bytes.len() - 64];
        let resign = |b: &[u8]| {
            let mut m = TRUST_LIST_DOMAIN.to_vec();
            m.extend_from_slice(b);
            let mut out = b.to_vec();
            out.extend_from_slice(&root.sign(&m));
            out
        };
        let mut extra = body.to_vec();
        extra.push(0);
        assert_eq!(
            TrustList::open(&resign(&extra), &root.public_key())
                .unwrap_err()
                .code(),
            "trust_list_malformed"
        );
        let mut zero_seq = body.to_vec();
        zero_seq[5..13].copy_from_slice(&0u64.to_be_bytes());
        assert_eq!(
            TrustList::open(&resign(&zero_seq), &root.public_key())
                .unwrap_err()
                .code(),
            "trust_list_malformed"
        );
    }

    #[test]
    fn expiry_fails_closed() {
        let root = SecretKey::from_seed(&[9; 32]);
        let (l, _) = sample(&root);
        assert!(l.check_fresh(l.expires_at()).is_ok());
        let late = l.expires_at() + TimeDelta::seconds(1);
        assert_eq!(
            l.check_fresh(late).unwrap_err().code(),
            "trust_list_expired"
        );
    }

    #[test]
    fn issue_instants_are_bounded_so_expiry_never_overflows() {
        let far = DateTime::from_timestamp(LAST_ISSUED_AT, 0).unwrap();
        let l = TrustList::new(1, far, u32::MAX).unwrap();
        assert!(l.expires_at() > far);
        let too_far = DateTime::from_timestamp(LAST_ISSUED_AT + 1, 0).unwrap();
        assert_eq!(
            TrustList::new(1, too_far, 1).unwrap_err().code(),
            "trust_list_malformed"
        );
        let before = DateTime::from_timestamp(-1, 0).unwrap();
        assert_eq!(
            TrustList::new(1, before, 1).unwrap_err().code(),
            "trust_list_malformed"
        );
    }

    #[test]
    fn issuer_identifiers_have_one_spelling() {
        let k = SecretKey::from_seed(&[1; 32]).public_key();
        let mut l =
            TrustList::new(1, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), 60).unwrap();
        for bad in ["APTIC", "aptic ", "région", "", &"a".repeat(65)] {
            let e = TrustEntry::unrestricted(Kid::new(1).unwrap(), bad, k);
            assert_eq!(
                l.insert(e).unwrap_err().code(),
                "trust_list_malformed",
                "{bad:?}"
            );
        }
        l.insert(TrustEntry::unrestricted(
            Kid::new(1).unwrap(),
            "cd-23.pass_num",
            k,
        ))
        .unwrap();
    }

    #[test]
    fn duplicate_kids_are_refused() {
        let root = SecretKey::from_seed(&[9; 32]);
        let (mut l, _) = sample(&root);
        let k = SecretKey::from_seed(&[1; 32]);
        let e = TrustEntry::unrestricted(Kid::new(7).unwrap(), "x", k.public_key());
        assert_eq!(l.insert(e).unwrap_err().code(), "trust_list_malformed");
    }
}
