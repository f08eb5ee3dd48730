//! The voucher domain for bindings: keys, signed trust lists, issuance, offline
//! verification (one token or a batch), short and keypad codes, redemption (an
//! in-memory ledger and a venue device's offline queue) and offline sync (the queue
//! exported as a signed batch, the operator's venue registry, import log and
//! [`import_batch`]).
//!
//! Values cross the boundary as owned, plain data: keys and tokens as bytes (32-byte
//! Ed25519 public keys and secret seeds, 85-byte tokens), serials as 20 lowercase hex
//! digits, civil dates as [`NaiveDate`], instants as UTC [`DateTime`], time zones by
//! their IANA name, key statuses (`active`, `revoked`) and sync outcomes (`redeemed`,
//! `conflict`) as snake_case strings. Records are plain structs with public fields;
//! the stateful objects ([`Verifier`], [`Issuer`], [`MemoryLedger`], [`OfflineQueue`])
//! take `&self` and are `Send + Sync` (a `Mutex` or `RwLock` inside where they change),
//! so a binding can share them behind an `Arc`. Every error is a [`Domain::Voucher`]
//! error with the core's stable code.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use inclusif_core::api::voucher::{
//!     Issuer, MemoryLedger, SecretKey, TrustEntry, TrustList, Verifier, VerifierOptions,
//!     VoucherSpec,
//! };
//!
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
//! let (root, issuer_key) = (SecretKey::generate(), SecretKey::generate());
//! let issuer = Issuer::new(7, &issuer_key.to_bytes()).unwrap();
//! let entry = TrustEntry::unrestricted(7, "aptic", issuer.public_key());
//! let signed = TrustList::new(1, now, 7 * 86_400, &[entry]).unwrap().sign(&root.to_bytes()).unwrap();
//!
//! // A venue's device: load the list (checked against the root key and its maximum age).
//! let trust = TrustList::load(&signed, &root.public_key().to_bytes(), now).unwrap();
//! let verifier = Verifier::new(&trust, &VerifierOptions::default()).unwrap();
//! let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
//! let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
//! let cheque = issuer.issue(&spec, None).unwrap();
//! let verified = verifier.verify_text(&cheque.token.to_qr_payload(), now).unwrap();
//! assert_eq!((verified.issuer.as_str(), verified.value_cents), ("aptic", 1000));
//!
//! let ledger = MemoryLedger::new();
//! ledger.redeem(&verified, "venue-lyon-01", now).unwrap();
//! let again = ledger.redeem(&verified, "venue-gueret-02", now).unwrap_err();
//! assert_eq!(again.code, "already_redeemed");
//! ```

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{Domain, Error, Result};
use crate::voucher::{
    self as v, Day, KeyStatus, KeypadCode, Kid, Scope, ScopePolicy, Serial, ShortCode, Validity,
    VoucherError,
};

fn invalid(field: &str, rule: impl std::fmt::Display) -> Error {
    Error::invalid(Domain::Voucher, "invalid_field", format!("{field}: {rule}"))
}

fn kid(n: u16) -> Result<Kid> {
    Kid::new(n).ok_or_else(|| invalid("kid", "0 is reserved and never assigned"))
}

fn serial(hex: &str) -> Result<Serial> {
    Ok(Serial::from_hex(hex)?)
}

fn validity(from: NaiveDate, until: NaiveDate) -> Result<Validity> {
    Ok(Validity::from_dates(from, until)?)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// An IANA time zone by name (`Europe/Paris`, `Indian/Reunion`, …): `invalid_field`
/// for a name the time-zone database does not know.
pub fn time_zone(name: &str) -> Result<Tz> {
    name.parse().map_err(|_| {
        invalid(
            "time_zone",
            format!("{name:?} is not an IANA time zone (e.g. Europe/Paris)"),
        )
    })
}

/// The time zone of civil dates when none is given: `Europe/Paris`.
pub fn default_time_zone() -> String {
    v::DEFAULT_TIME_ZONE.name().to_owned()
}

// ---- keys ----

/// An Ed25519 secret key (an issuer's or the programme root's), from its 32-byte seed.
/// Wiped from memory when dropped; `Debug` shows only the public half.
#[derive(Clone)]
pub struct SecretKey {
    inner: v::SecretKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl SecretKey {
    /// A new key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        SecretKey {
            inner: v::SecretKey::generate(),
        }
    }

    /// A key from its 32-byte seed: `invalid_key` for another length.
    pub fn from_bytes(seed: &[u8]) -> Result<Self> {
        let seed: &[u8; 32] = seed.try_into().map_err(|_| VoucherError::InvalidKey {
            field: "secret_key",
            rule: format!("must be a 32-byte seed, got {} bytes", seed.len()),
        })?;
        Ok(SecretKey {
            inner: v::SecretKey::from_seed(seed),
        })
    }

    /// A key from 64 hex digits of seed: `invalid_key` otherwise.
    pub fn from_hex(text: &str) -> Result<Self> {
        Ok(SecretKey {
            inner: v::SecretKey::from_hex(text)?,
        })
    }

    /// The 32-byte seed. Handle with care: the copy is the caller's to wipe.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes().to_vec()
    }

    /// The seed as 64 lowercase hex digits. Handle with care.
    pub fn to_hex(&self) -> String {
        self.inner.to_hex().as_str().to_owned()
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }
}

/// A checked Ed25519 public key: a canonical point, neither of small order nor with a
/// torsion component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    inner: v::PublicKey,
}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.to_bytes().hash(state);
    }
}

impl PublicKey {
    /// Reads 32 bytes: `invalid_key` for another length or bytes that are not a
    /// canonical point, `weak_key` for a weak one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        public_key(0, bytes)
    }

    /// Reads 64 hex digits (`invalid_key`, `weak_key`).
    pub fn from_hex(text: &str) -> Result<Self> {
        Ok(PublicKey {
            inner: v::PublicKey::from_hex(text.trim(), 0)?,
        })
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes().to_vec()
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.inner.to_hex()
    }
}

/// A public key of `kid` (the kid labels the error only).
fn public_key(kid: u16, bytes: &[u8]) -> Result<PublicKey> {
    let array: &[u8; 32] = bytes.try_into().map_err(|_| VoucherError::InvalidKey {
        field: "public_key",
        rule: format!("key {kid}: must be 32 bytes, got {}", bytes.len()),
    })?;
    Ok(PublicKey {
        inner: v::PublicKey::from_bytes(array, kid)?,
    })
}

// ---- trust lists ----

/// One key of a trust list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrustEntry {
    /// Key id (1..=65535).
    pub kid: u16,
    /// The issuer's registry identifier (`a-z`, `0-9`, `-`, `_`, `.`; 1..=64 bytes); the
    /// redemption ledger's key.
    pub issuer: String,
    /// The 32-byte public key.
    pub public_key: Vec<u8>,
    /// `active` or `revoked`.
    pub status: String,
    /// First day of the key's signing window (`valid_from` of its vouchers must fall
    /// inside); 2000-01-01 for no limit.
    pub window_from: NaiveDate,
    /// Last day of the signing window (inclusive); 2179-06-06 for no limit.
    pub window_until: NaiveDate,
    /// Highest face value the key may sign, in cents.
    pub max_value_cents: u16,
    /// Scopes the key may sign; empty for any scope.
    pub scopes: Vec<u16>,
}

impl TrustEntry {
    /// An active key with no window, no value limit and any scope.
    pub fn unrestricted(kid: u16, issuer: &str, public_key: PublicKey) -> Self {
        TrustEntry {
            kid,
            issuer: issuer.to_owned(),
            public_key: public_key.to_bytes(),
            status: "active".into(),
            window_from: Day::MIN.date(),
            window_until: Day::MAX.date(),
            max_value_cents: u16::MAX,
            scopes: vec![],
        }
    }

    fn to_core(&self) -> Result<v::TrustEntry> {
        let kid_value = kid(self.kid)?;
        let status = key_status(&self.status)?;
        let window = |date: NaiveDate, field: &'static str| -> Result<Day> {
            Day::from_date(date).map_err(|_| {
                VoucherError::TrustListMalformed {
                    field,
                    rule: format!(
                        "key {}: {date} is outside 2000-01-01..=2179-06-06",
                        self.kid
                    ),
                }
                .into()
            })
        };
        let scopes = if self.scopes.is_empty() {
            ScopePolicy::Any
        } else {
            ScopePolicy::only(self.scopes.iter().map(|&s| Scope(s)))?
        };
        Ok(v::TrustEntry {
            kid: kid_value,
            issuer: Arc::from(self.issuer.as_str()),
            public_key: public_key(self.kid, &self.public_key)?.inner,
            status,
            window_from: window(self.window_from, "window_from")?,
            window_until: window(self.window_until, "window_until")?,
            max_value_cents: self.max_value_cents,
            scopes,
        })
    }
}

impl From<&v::TrustEntry> for TrustEntry {
    fn from(e: &v::TrustEntry) -> Self {
        TrustEntry {
            kid: e.kid.get(),
            issuer: e.issuer.to_string(),
            public_key: e.public_key.to_bytes().to_vec(),
            status: key_status_name(e.status).into(),
            window_from: e.window_from.date(),
            window_until: e.window_until.date(),
            max_value_cents: e.max_value_cents,
            scopes: match &e.scopes {
                ScopePolicy::Any => vec![],
                ScopePolicy::Only(s) => s.iter().map(|s| s.0).collect(),
            },
        }
    }
}

fn key_status(name: &str) -> Result<KeyStatus> {
    match name {
        "active" => Ok(KeyStatus::Active),
        "revoked" => Ok(KeyStatus::Revoked),
        other => Err(VoucherError::TrustListMalformed {
            field: "status",
            rule: format!("{other:?} is neither active nor revoked"),
        }
        .into()),
    }
}

/// A key status's name: `active` or `revoked`.
fn key_status_name(s: KeyStatus) -> &'static str {
    match s {
        KeyStatus::Active => "active",
        KeyStatus::Revoked => "revoked",
    }
}

/// The key statuses, in their byte order: `active`, `revoked`.
pub fn key_statuses() -> Vec<&'static str> {
    vec!["active", "revoked"]
}

/// A programme's trust list: which keys may sign vouchers within which limits, its
/// sequence number and maximum age. Immutable once built or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    inner: v::TrustList,
}

impl TrustList {
    /// Builds a list (to sign with [`sign`](TrustList::sign)): `trust_list_malformed` for
    /// a sequence or maximum age of 0, an entry that breaks its rules, or a kid twice.
    /// `issued_at` is kept to the second.
    pub fn new(
        sequence: u64,
        issued_at: DateTime<Utc>,
        max_age_seconds: u32,
        entries: &[TrustEntry],
    ) -> Result<Self> {
        let mut inner = v::TrustList::new(sequence, issued_at, max_age_seconds)?;
        for e in entries {
            inner.insert(e.to_core()?)?;
        }
        Ok(TrustList { inner })
    }

    /// Opens signed bytes with the programme's root public key (32 bytes): the
    /// signature first (`trust_list_bad_signature`), then every field
    /// (`trust_list_malformed`, `weak_key`, `invalid_key`). Freshness is not checked:
    /// see [`load`](TrustList::load).
    pub fn open(bytes: &[u8], root_key: &[u8]) -> Result<Self> {
        let root = public_key(0, root_key)?;
        Ok(TrustList {
            inner: v::TrustList::open(bytes, &root.inner)?,
        })
    }

    /// What a venue's device does with a downloaded list: [`open`](TrustList::open) it,
    /// then refuse it with `trust_list_expired` if it is older than its maximum age at
    /// `now` (verification fails closed).
    pub fn load(bytes: &[u8], root_key: &[u8], now: DateTime<Utc>) -> Result<Self> {
        let list = TrustList::open(bytes, root_key)?;
        list.check_fresh(now)?;
        Ok(list)
    }

    /// The signed, distributable bytes, signed with the root secret key (32-byte seed).
    pub fn sign(&self, root_secret: &[u8]) -> Result<Vec<u8>> {
        Ok(self.inner.sign(&SecretKey::from_bytes(root_secret)?.inner))
    }

    /// The sequence number (a verifier never goes back to a lower one).
    pub fn sequence(&self) -> u64 {
        self.inner.sequence()
    }

    /// When the list was issued (to the second).
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.inner.issued_at()
    }

    /// The maximum age, in seconds.
    pub fn max_age_seconds(&self) -> u32 {
        self.inner.max_age_seconds()
    }

    /// The instant after which verification with this list fails closed.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.inner.expires_at()
    }

    /// `trust_list_expired` if `now` is past [`expires_at`](TrustList::expires_at).
    pub fn check_fresh(&self, now: DateTime<Utc>) -> Result<()> {
        Ok(self.inner.check_fresh(now)?)
    }

    /// Whether the list is still usable at `now`.
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.inner.check_fresh(now).is_ok()
    }

    /// The entries, by ascending kid.
    pub fn entries(&self) -> Vec<TrustEntry> {
        self.inner.entries().map(TrustEntry::from).collect()
    }

    /// The entry of a key id, if listed.
    pub fn entry(&self, kid: u16) -> Option<TrustEntry> {
        Kid::new(kid)
            .and_then(|k| self.inner.get(k))
            .map(TrustEntry::from)
    }

    /// How many keys.
    pub fn len(&self) -> u64 {
        count(self.inner.entries().count())
    }

    /// Whether it lists no key.
    pub fn is_empty(&self) -> bool {
        self.inner.entries().next().is_none()
    }
}

// ---- tokens and codes ----

/// A token of format v1 whose length and version are right: nothing about it is
/// trusted yet (its fields are read as written); a [`Verifier`] says whether it is
/// genuine and valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    inner: v::Token,
}

impl Token {
    /// The strict text (136 Crockford Base32 characters) or the `PN1:` QR payload,
    /// nothing else (`malformed`, `unsupported_version`).
    pub fn parse_strict(text: &str) -> Result<Self> {
        Ok(Token {
            inner: v::Token::parse_strict(text)?,
        })
    }

    /// Text typed by a person: spaces, tabs and `-` dropped, case, `O` (zero) and
    /// `I`/`L` (one) forgiven.
    pub fn parse_human(text: &str) -> Result<Self> {
        Ok(Token {
            inner: v::Token::parse_human(text)?,
        })
    }

    /// The 85 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(Token {
            inner: v::Token::from_bytes(bytes)?,
        })
    }

    /// The 85 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.as_bytes().to_vec()
    }

    /// The strict text.
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The QR payload: `PN1:` and the strict text.
    pub fn to_qr_payload(&self) -> String {
        self.inner.to_qr_payload()
    }

    /// The key id as written (0 is possible: it never verifies).
    pub fn kid(&self) -> u16 {
        self.inner.kid_raw()
    }

    /// The serial, 20 lowercase hex digits.
    pub fn serial(&self) -> String {
        self.inner.serial().to_string()
    }

    /// The face value in cents as written.
    pub fn value_cents(&self) -> u16 {
        self.inner.value_cents_raw()
    }

    /// `valid_from` as written.
    pub fn valid_from(&self) -> NaiveDate {
        Day::from_number(u16::from_be_bytes([
            self.inner.as_bytes()[15],
            self.inner.as_bytes()[16],
        ]))
        .date()
    }

    /// `valid_until` as written.
    pub fn valid_until(&self) -> NaiveDate {
        Day::from_number(u16::from_be_bytes([
            self.inner.as_bytes()[17],
            self.inner.as_bytes()[18],
        ]))
        .date()
    }

    /// The scope as written (0: national).
    pub fn scope(&self) -> u16 {
        self.inner.scope().0
    }

    /// The serial's short code, `XXXX-XXXX-XXXX-XXXX-C`.
    pub fn short_code(&self) -> String {
        ShortCode::new(self.inner.serial()).to_string()
    }

    /// The serial's keypad code: 26 digits in groups of 5.
    pub fn keypad_code(&self) -> String {
        KeypadCode::new(self.inner.serial()).to_string()
    }
}

/// The short code of a serial (20 hex digits): `XXXX-XXXX-XXXX-XXXX-C`.
pub fn short_code(serial_hex: &str) -> Result<String> {
    Ok(ShortCode::new(serial(serial_hex)?).to_string())
}

/// The keypad code of a serial: 25 digits and a Damm check digit, in groups of 5.
pub fn keypad_code(serial_hex: &str) -> Result<String> {
    Ok(KeypadCode::new(serial(serial_hex)?).to_string())
}

/// The serial (20 hex digits) of a short code as typed (`malformed`,
/// `bad_check_character`).
pub fn parse_short_code(text: &str) -> Result<String> {
    Ok(ShortCode::parse(text)?.serial().to_string())
}

/// The serial of a keypad code as typed (spaces and hyphens allowed).
pub fn parse_keypad_code(text: &str) -> Result<String> {
    Ok(KeypadCode::parse(text)?.serial().to_string())
}

/// The serial of a short code or a keypad code, whichever the text is.
pub fn parse_phone_code(text: &str) -> Result<String> {
    Ok(v::parse_phone_code(text)?.to_string())
}

/// The normalisation applied to typed tokens and codes: spaces, tabs and `-` dropped,
/// upper case, `O` read as `0`, `I` and `L` as `1` (`U` is `malformed`).
pub fn normalize_human(text: &str) -> Result<String> {
    Ok(v::normalize_human(text)?)
}

/// A fresh random serial (80 bits from the OS CSPRNG), as 20 hex digits.
pub fn random_serial() -> String {
    Serial::random().to_string()
}

// ---- verification ----

/// A voucher whose every check passed: genuine, valid today, acceptable here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifiedVoucher {
    /// The issuer's registry identifier (from the trust list).
    pub issuer: String,
    /// Key id.
    pub kid: u16,
    /// Serial, 20 lowercase hex digits.
    pub serial: String,
    /// The serial's short code.
    pub short_code: String,
    /// The serial's keypad code.
    pub keypad_code: String,
    /// Face value in cents.
    pub value_cents: u16,
    /// First valid civil date.
    pub valid_from: NaiveDate,
    /// Last valid civil date (inclusive).
    pub valid_until: NaiveDate,
    /// Scope (0: national).
    pub scope: u16,
}

impl From<v::VerifiedVoucher> for VerifiedVoucher {
    fn from(x: v::VerifiedVoucher) -> Self {
        VerifiedVoucher {
            issuer: x.issuer().to_owned(),
            kid: x.kid().get(),
            serial: x.serial().to_string(),
            short_code: x.short_code().to_string(),
            keypad_code: KeypadCode::new(x.serial()).to_string(),
            value_cents: x.value_cents(),
            valid_from: x.valid_from(),
            valid_until: x.valid_until(),
            scope: x.scope().0,
        }
    }
}

/// How a [`Verifier`] is set up besides its trust list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifierOptions {
    /// The venue's IANA time zone for civil dates; `None`: Europe/Paris.
    pub time_zone: Option<String>,
    /// Scopes accepted besides national vouchers.
    pub scopes: Vec<u16>,
    /// Accept every scope (an operator's server, not a venue).
    pub any_scope: bool,
    /// Serials refused with `revoked_serial`: 20 hex digits, or a short or keypad code.
    pub revoked_serials: Vec<String>,
}

/// Verifies vouchers offline against a trust list, in a time zone, for a set of scopes.
/// Checks run in a fixed order and the first failure is the error (its code:
/// `trust_list_expired`, `malformed`, `unknown_key`, `bad_signature`, `expired`, …).
#[derive(Debug)]
pub struct Verifier {
    inner: RwLock<v::Verifier>,
}

impl Verifier {
    /// A verifier over a trust list: `invalid_field` for an unknown time zone,
    /// `malformed` or `bad_check_character` for a revoked serial that is none.
    pub fn new(trust: &TrustList, options: &VerifierOptions) -> Result<Self> {
        let mut inner = v::Verifier::new(trust.inner.clone());
        if let Some(tz) = &options.time_zone {
            inner = inner.with_time_zone(time_zone(tz)?);
        }
        inner = inner.with_scopes(options.scopes.iter().map(|&s| Scope(s)));
        if options.any_scope {
            inner = inner.with_any_scope();
        }
        let revoked = options
            .revoked_serials
            .iter()
            .map(|s| {
                Serial::from_hex(s.trim())
                    .or_else(|_| v::parse_phone_code(s))
                    .map_err(Error::from)
            })
            .collect::<Result<Vec<_>>>()?;
        inner = inner.with_revoked_serials(revoked);
        Ok(Verifier {
            inner: RwLock::new(inner),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, v::Verifier> {
        // Verification never panics while holding the lock, and replacing the list is
        // one assignment: a poisoned lock still holds a consistent verifier.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The time zone of civil dates (IANA name).
    pub fn time_zone(&self) -> String {
        self.read().time_zone().name().to_owned()
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> TrustList {
        TrustList {
            inner: self.read().trust_list().clone(),
        }
    }

    /// Replaces the trust list with a newer one: a lower sequence number, or the same
    /// number with other content, is `trust_list_rollback`; the same list is a no-op.
    pub fn replace_trust_list(&self, newer: &TrustList) -> Result<()> {
        let mut guard = self.inner.write().unwrap_or_else(|p| p.into_inner());
        Ok(guard.replace_trust_list(newer.inner.clone())?)
    }

    /// Verifies the strict text or the QR payload (what a scanner reads) at `now`.
    pub fn verify_text(&self, text: &str, now: DateTime<Utc>) -> Result<VerifiedVoucher> {
        Ok(self.read().verify_text(text, now)?.into())
    }

    /// Verifies a token typed by a person at `now`.
    pub fn verify_human(&self, text: &str, now: DateTime<Utc>) -> Result<VerifiedVoucher> {
        Ok(self.read().verify_human(text, now)?.into())
    }

    /// Verifies 85 raw bytes at `now`.
    pub fn verify_bytes(&self, bytes: &[u8], now: DateTime<Utc>) -> Result<VerifiedVoucher> {
        Ok(self.read().verify_bytes(bytes, now)?.into())
    }

    /// Verifies a parsed token at `now`.
    pub fn verify(&self, token: &Token, now: DateTime<Utc>) -> Result<VerifiedVoucher> {
        Ok(self.read().verify(&token.inner, now)?.into())
    }

    /// Verifies many texts (strict, or typed when `human`) as one batch: one verdict
    /// per text, in order, the same as one by one, several times faster (signatures
    /// checked together per key).
    pub fn verify_batch(
        &self,
        texts: &[String],
        now: DateTime<Utc>,
        human: bool,
    ) -> Vec<Result<VerifiedVoucher>> {
        self.batch(texts, now, |t| {
            if human {
                v::Token::parse_human(t)
            } else {
                v::Token::parse_strict(t)
            }
        })
    }

    /// Verifies many raw 85-byte tokens as one batch, one verdict each, in order.
    pub fn verify_batch_bytes(
        &self,
        tokens: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Vec<Result<VerifiedVoucher>> {
        self.batch(tokens, now, |b| v::Token::from_bytes(b))
    }

    /// Verifies many parsed tokens as one batch, one verdict each, in order.
    pub fn verify_batch_tokens(
        &self,
        tokens: &[Token],
        now: DateTime<Utc>,
    ) -> Vec<Result<VerifiedVoucher>> {
        self.batch(tokens, now, |t| Ok(t.inner))
    }

    fn batch<T>(
        &self,
        items: &[T],
        now: DateTime<Utc>,
        parse: impl Fn(&T) -> std::result::Result<v::Token, VoucherError>,
    ) -> Vec<Result<VerifiedVoucher>> {
        let verifier = self.read();
        // The trust list is checked first, as single verification does: a stale list
        // refuses every item, well-formed or not (fail closed).
        if let Err(e) = verifier.trust_list().check_fresh(now) {
            let e = Error::from(e);
            return vec![Err(e); items.len()];
        }
        let parsed: Vec<std::result::Result<v::Token, VoucherError>> =
            items.iter().map(parse).collect();
        let tokens: Vec<v::Token> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().copied())
            .collect();
        let mut verdicts = verifier.verify_batch(&tokens, now).into_iter();
        parsed
            .into_iter()
            .map(|p| match p {
                Err(e) => Err(e.into()),
                Ok(_) => match verdicts.next() {
                    Some(Ok(x)) => Ok(x.into()),
                    Some(Err(e)) => Err(e.into()),
                    // One verdict per token, by the core's contract.
                    None => Err(invalid("batch", "a verdict is missing")),
                },
            })
            .collect()
    }
}

// ---- issuance ----

/// What a voucher carries: face value, validity window (civil dates, inclusive, at
/// most 1100 days), scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VoucherSpec {
    /// Face value in cents (at least 1).
    pub value_cents: u16,
    /// First valid civil date.
    pub valid_from: NaiveDate,
    /// Last valid civil date (inclusive).
    pub valid_until: NaiveDate,
    /// Scope (0: national).
    pub scope: u16,
}

impl VoucherSpec {
    /// 10 € national cheques valid over the dates (the Pass numérique's usual cheque).
    pub fn pass_numerique(valid_from: NaiveDate, valid_until: NaiveDate) -> Self {
        VoucherSpec {
            value_cents: v::DEFAULT_VALUE_CENTS,
            valid_from,
            valid_until,
            scope: 0,
        }
    }

    fn to_core(self) -> Result<v::VoucherSpec> {
        if self.value_cents == 0 {
            return Err(VoucherError::InvalidField {
                field: "value_cents",
                rule: "must be at least 1 cent".into(),
            }
            .into());
        }
        Ok(v::VoucherSpec {
            value_cents: self.value_cents,
            validity: validity(self.valid_from, self.valid_until)?,
            scope: Scope(self.scope),
        })
    }
}

/// One issued voucher with its printed codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuedVoucher {
    /// The signed token.
    pub token: Token,
    /// Its serial, 20 hex digits.
    pub serial: String,
    /// The serial's short code, for checks by phone.
    pub short_code: String,
    /// The serial's keypad code.
    pub keypad_code: String,
}

impl From<v::IssuedVoucher> for IssuedVoucher {
    fn from(x: v::IssuedVoucher) -> Self {
        IssuedVoucher {
            serial: x.serial().to_string(),
            short_code: x.short_code.to_string(),
            keypad_code: x.keypad_code.to_string(),
            token: Token { inner: x.token },
        }
    }
}

impl From<v::Token> for IssuedVoucher {
    fn from(t: v::Token) -> Self {
        IssuedVoucher {
            serial: t.serial().to_string(),
            short_code: ShortCode::new(t.serial()).to_string(),
            keypad_code: KeypadCode::new(t.serial()).to_string(),
            token: Token { inner: t },
        }
    }
}

/// An issuer's signing key with its registry key id. Immutable.
#[derive(Debug, Clone)]
pub struct Issuer {
    inner: v::Issuer,
}

impl Issuer {
    /// An issuer from its key id and secret key (32-byte seed).
    pub fn new(kid_value: u16, secret_key: &[u8]) -> Result<Self> {
        Ok(Issuer {
            inner: v::Issuer::new(kid(kid_value)?, SecretKey::from_bytes(secret_key)?.inner),
        })
    }

    /// An issuer with a fresh key from the OS CSPRNG (its secret is never shown: for
    /// tests and demonstrations).
    pub fn generate(kid_value: u16) -> Result<Self> {
        Ok(Issuer {
            inner: v::Issuer::generate(kid(kid_value)?),
        })
    }

    /// The key id.
    pub fn kid(&self) -> u16 {
        self.inner.kid().get()
    }

    /// The public key to list in the trust list.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// Signs one voucher, with the given serial (20 hex digits) or a fresh random one.
    pub fn issue(&self, spec: &VoucherSpec, serial_hex: Option<&str>) -> Result<IssuedVoucher> {
        let spec = spec.to_core()?;
        let s = match serial_hex {
            Some(h) => serial(h)?,
            None => Serial::random(),
        };
        Ok(self
            .inner
            .issue(s, spec.value_cents, spec.validity, spec.scope)?
            .into())
    }

    /// A booklet (carnet) of `cheques` vouchers with distinct random serials.
    pub fn booklet(&self, spec: &VoucherSpec, cheques: u16) -> Result<Vec<IssuedVoucher>> {
        Ok(self
            .inner
            .booklet(&spec.to_core()?, cheques)?
            .into_iter()
            .map(IssuedVoucher::from)
            .collect())
    }

    /// A print run of `count` vouchers with distinct random serials, signed on every
    /// core, in a stable order; `progress(done, total)` is called on this thread about a
    /// hundred times and once at the end.
    pub fn print_run(
        &self,
        spec: &VoucherSpec,
        count: u64,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Vec<IssuedVoucher>> {
        let n = usize::try_from(count).map_err(|_| invalid("count", "too many vouchers"))?;
        Ok(self
            .inner
            .print_run(&spec.to_core()?, n, |p| {
                progress(self::count(p.done), self::count(p.total))
            })?
            .into_iter()
            .map(IssuedVoucher::from)
            .collect())
    }
}

/// Cheques in a booklet by default: 10.
pub const DEFAULT_BOOKLET_SIZE: u16 = v::DEFAULT_BOOKLET_SIZE;
/// Face value of a cheque by default: 1000 cents (10 €).
pub const DEFAULT_VALUE_CENTS: u16 = v::DEFAULT_VALUE_CENTS;

// ---- redemption ----

/// A recorded redemption.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redemption {
    /// The issuer (trust list identifier).
    pub issuer: String,
    /// The serial, 20 hex digits.
    pub serial: String,
    /// The key id that signed the redeemed token.
    pub kid: u16,
    /// Face value in cents.
    pub value_cents: u16,
    /// The venue that accepted the cheque.
    pub venue: String,
    /// When the venue accepted it.
    pub at: DateTime<Utc>,
}

impl From<&v::Redemption> for Redemption {
    fn from(r: &v::Redemption) -> Self {
        Redemption {
            issuer: r.issuer.to_string(),
            serial: r.serial.to_string(),
            kid: r.kid.get(),
            value_cents: r.value_cents,
            venue: r.venue.clone(),
            at: r.at,
        }
    }
}

impl Redemption {
    /// The redemption of a verified voucher at a venue and instant.
    pub fn of(voucher: &VerifiedVoucher, venue: &str, at: DateTime<Utc>) -> Self {
        Redemption {
            issuer: voucher.issuer.clone(),
            serial: voucher.serial.clone(),
            kid: voucher.kid,
            value_cents: voucher.value_cents,
            venue: venue.to_owned(),
            at,
        }
    }

    /// Checks the fields as a ledger does when it records the redemption (`malformed`
    /// serial, `invalid_field` kid or value).
    pub fn check(&self) -> Result<()> {
        self.to_core().map(|_| ())
    }

    fn to_core(&self) -> Result<v::Redemption> {
        if self.value_cents == 0 {
            return Err(invalid("value_cents", "must be at least 1 cent"));
        }
        Ok(v::Redemption {
            issuer: Arc::from(self.issuer.as_str()),
            serial: serial(&self.serial)?,
            kid: kid(self.kid)?,
            value_cents: self.value_cents,
            venue: self.venue.clone(),
            at: self.at,
        })
    }

    /// One JSON object (one line of [`OfflineQueue::export_jsonl`]).
    pub fn to_json(&self) -> String {
        self.json_value().to_string()
    }

    fn json_value(&self) -> serde_json::Value {
        serde_json::json!({
            "issuer": self.issuer,
            "serial": self.serial,
            "kid": self.kid,
            "value_cents": self.value_cents,
            "venue": self.venue,
            "at": self.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        })
    }

    /// Reads one JSON object written by [`to_json`](Redemption::to_json):
    /// `invalid_field` when it is not one, `malformed` for a bad serial.
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            issuer: String,
            serial: String,
            kid: u16,
            value_cents: u16,
            venue: String,
            at: DateTime<Utc>,
        }
        let raw: Raw = serde_json::from_str(text).map_err(|e| invalid("redemption", e))?;
        let r = Redemption {
            issuer: raw.issuer,
            serial: raw.serial,
            kid: raw.kid,
            value_cents: raw.value_cents,
            venue: raw.venue,
            at: raw.at,
        };
        r.to_core()?;
        Ok(r)
    }
}

/// A redemption ledger: each serial is redeemed at most once per issuer. A cheap
/// handle (clones share the ledger) over any core [`voucher::Ledger`](v::Ledger): in
/// memory ([`Ledger::memory`], or a [`MemoryLedger`], which derefs to one), or a
/// persistent one (SQLite or PostgreSQL from `inclusif-ledger`) through
/// [`Ledger::from_dyn`]. [`OfflineQueue::sync`] and [`import_batch`] take it.
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<dyn v::Ledger>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").finish_non_exhaustive()
    }
}

impl Default for Ledger {
    /// An empty ledger in memory.
    fn default() -> Self {
        Ledger::memory()
    }
}

impl Ledger {
    /// An empty ledger in memory (lost when the process ends).
    pub fn memory() -> Self {
        Ledger::from_dyn(Arc::new(v::MemoryLedger::new()))
    }

    /// A handle over any core ledger (a binding passes its SQLite or PostgreSQL one).
    pub fn from_dyn(inner: Arc<dyn v::Ledger>) -> Self {
        Ledger { inner }
    }

    /// The core ledger behind the handle.
    pub fn as_dyn(&self) -> &Arc<dyn v::Ledger> {
        &self.inner
    }

    /// Redeems a verified voucher at a venue: the redemption, or `already_redeemed`
    /// naming the first venue and time (`ledger_busy`, `ledger_unavailable`,
    /// `ledger_corrupt` when a persistent ledger fails; nothing is recorded then).
    pub fn redeem(
        &self,
        voucher: &VerifiedVoucher,
        venue: &str,
        at: DateTime<Utc>,
    ) -> Result<Redemption> {
        self.record(&Redemption::of(voucher, venue, at))
    }

    /// Records a redemption made elsewhere (a synced device, an import).
    pub fn record(&self, redemption: &Redemption) -> Result<Redemption> {
        Ok(Redemption::from(&self.inner.redeem(redemption.to_core()?)?))
    }

    /// The redemption of an issuer's serial, if any.
    pub fn redemption(&self, issuer: &str, serial_hex: &str) -> Result<Option<Redemption>> {
        Ok(self
            .inner
            .redemption(issuer, serial(serial_hex)?)?
            .as_ref()
            .map(Redemption::from))
    }

    /// Records several redemptions in order (one transaction on a persistent ledger:
    /// all are settled or, after an error, none): one outcome each, `redeemed` or
    /// `conflict` with the winner (recorded earlier, or earlier in the same call). A
    /// redemption found as its own winner (recorded by an earlier attempt) counts as
    /// redeemed, as in a sync.
    pub fn redeem_all(&self, redemptions: &[Redemption]) -> Result<Vec<SyncOutcome>> {
        let items = redemptions
            .iter()
            .map(Redemption::to_core)
            .collect::<Result<Vec<_>>>()?;
        let settled = self.inner.redeem_all(&items)?;
        Ok(items
            .into_iter()
            .zip(settled)
            .map(|(queued, out)| {
                SyncOutcome::from(match out {
                    Ok(r) => v::SyncOutcome::Redeemed(r),
                    Err(w) if w == queued => v::SyncOutcome::Redeemed(w),
                    Err(winner) => v::SyncOutcome::Conflict { queued, winner },
                })
            })
            .collect())
    }
}

/// A thread-safe in-memory ledger: each serial is redeemed at most once per issuer. It
/// derefs to its [`Ledger`] handle (`redeem`, `record`, `redemption`, `redeem_all`), so
/// it goes wherever a ledger is taken.
#[derive(Debug)]
pub struct MemoryLedger {
    inner: Arc<v::MemoryLedger>,
    handle: Ledger,
}

impl Default for MemoryLedger {
    fn default() -> Self {
        let inner = Arc::new(v::MemoryLedger::new());
        MemoryLedger {
            handle: Ledger::from_dyn(inner.clone()),
            inner,
        }
    }
}

impl std::ops::Deref for MemoryLedger {
    type Target = Ledger;
    fn deref(&self) -> &Ledger {
        &self.handle
    }
}

impl From<&MemoryLedger> for Ledger {
    fn from(m: &MemoryLedger) -> Self {
        m.handle.clone()
    }
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// The handle (shares this ledger).
    pub fn handle(&self) -> Ledger {
        self.handle.clone()
    }

    /// Every redemption, by time, then issuer and serial.
    pub fn redemptions(&self) -> Vec<Redemption> {
        self.inner
            .redemptions()
            .iter()
            .map(Redemption::from)
            .collect()
    }

    /// How many redemptions.
    pub fn len(&self) -> u64 {
        count(self.inner.len())
    }

    /// Whether nothing was redeemed yet.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// What happened to one queued redemption at sync.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncOutcome {
    /// `redeemed` (this redemption counts) or `conflict` (another one reached the
    /// ledger first).
    pub status: &'static str,
    /// The redemption this device queued.
    pub queued: Redemption,
    /// The one that counts: `queued` itself when redeemed.
    pub winner: Redemption,
}

impl From<v::SyncOutcome> for SyncOutcome {
    fn from(o: v::SyncOutcome) -> Self {
        match o {
            v::SyncOutcome::Redeemed(r) => SyncOutcome {
                status: "redeemed",
                queued: Redemption::from(&r),
                winner: Redemption::from(&r),
            },
            v::SyncOutcome::Conflict { queued, winner } => SyncOutcome {
                status: "conflict",
                queued: Redemption::from(&queued),
                winner: Redemption::from(&winner),
            },
        }
    }
}

/// The sync statuses: `redeemed`, `conflict`.
pub fn sync_statuses() -> Vec<&'static str> {
    vec!["redeemed", "conflict"]
}

/// The result of [`OfflineQueue::sync`]: the outcomes so far and, if the ledger failed,
/// its error (the unsettled items stay queued; syncing again is safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// One outcome per settled item, in queue order.
    pub outcomes: Vec<SyncOutcome>,
    /// The ledger's error, if the sync stopped early.
    pub error: Option<Error>,
}

/// A venue device's queue of redemptions accepted offline, synced later: the first
/// redemption to reach the ledger wins, later ones come back as conflicts.
#[derive(Debug)]
pub struct OfflineQueue {
    inner: Mutex<v::OfflineQueue>,
}

impl OfflineQueue {
    /// An empty queue for a venue.
    pub fn new(venue: &str) -> Self {
        OfflineQueue {
            inner: Mutex::new(v::OfflineQueue::new(venue)),
        }
    }

    /// A queue restored from its pending redemptions (saved with
    /// [`pending`](OfflineQueue::pending) or [`export_jsonl`](OfflineQueue::export_jsonl)):
    /// `invalid_field` for a redemption of another venue, `already_redeemed` for a
    /// serial queued twice.
    pub fn restore(venue: &str, pending: &[Redemption]) -> Result<Self> {
        let items = pending
            .iter()
            .map(Redemption::to_core)
            .collect::<Result<Vec<_>>>()?;
        Ok(OfflineQueue {
            inner: Mutex::new(v::OfflineQueue::restore(venue, items)?),
        })
    }

    /// A queue restored from [`export_jsonl`](OfflineQueue::export_jsonl) text (blank
    /// lines skipped), tokens included where the lines carry them; errors name the line.
    pub fn from_jsonl(venue: &str, text: &str) -> Result<Self> {
        let items = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                queue_line(l).map_err(|e| Error {
                    message: format!("line {}: {}", i + 1, e.message),
                    ..e
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(OfflineQueue {
            inner: Mutex::new(v::OfflineQueue::restore_with_tokens(venue, items)?),
        })
    }

    fn lock(&self) -> MutexGuard<'_, v::OfflineQueue> {
        // Each operation leaves the queue consistent (one push, or a drain of settled
        // items), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The venue.
    pub fn venue(&self) -> String {
        self.lock().venue().to_owned()
    }

    /// Accepts a verified voucher offline: `already_redeemed` if this device already
    /// accepted the same serial.
    pub fn accept(&self, voucher: &VerifiedVoucher, at: DateTime<Utc>) -> Result<Redemption> {
        let mut q = self.lock();
        let r = Redemption::of(voucher, q.venue(), at).to_core()?;
        Ok(Redemption::from(&q.push(r)?))
    }

    /// The redemptions waiting for sync, in the order they were accepted.
    pub fn pending(&self) -> Vec<Redemption> {
        self.lock().pending().iter().map(Redemption::from).collect()
    }

    /// The pending redemptions as JSON Lines (one object a line, each ended by `\n`),
    /// to send to the operator or save across restarts. A redemption accepted with its
    /// token ([`accept_token`](OfflineQueue::accept_token)) carries it as `"token"` (the
    /// strict text).
    pub fn export_jsonl(&self) -> String {
        let q = self.lock();
        q.pending()
            .iter()
            .zip(q.pending_tokens())
            .map(|(r, t)| {
                let mut line = Redemption::from(r).json_value();
                if let (Some(t), Some(map)) = (t, line.as_object_mut()) {
                    map.insert("token".into(), serde_json::Value::String(t.to_text()));
                }
                line.to_string() + "\n"
            })
            .collect()
    }

    /// The token of each pending redemption, where the queue kept it (same order as
    /// [`pending`](OfflineQueue::pending)).
    pub fn pending_tokens(&self) -> Vec<Option<Token>> {
        self.lock()
            .pending_tokens()
            .iter()
            .map(|t| t.map(|inner| Token { inner }))
            .collect()
    }

    /// Accepts a verified voucher offline and keeps its token (so the queue can be sent
    /// as a signed batch), the instant cut to the millisecond: `invalid_field` if the
    /// voucher is not this token's verification, `already_redeemed` if this device
    /// already accepted the serial.
    pub fn accept_token(
        &self,
        token: &Token,
        voucher: &VerifiedVoucher,
        at: DateTime<Utc>,
    ) -> Result<Redemption> {
        if (
            token.valid_from(),
            token.valid_until(),
            token.scope(),
            token.serial(),
        ) != (
            voucher.valid_from,
            voucher.valid_until,
            voucher.scope,
            voucher.serial.clone(),
        ) {
            return Err(invalid(
                "token",
                "the verified voucher is not this token's verification",
            ));
        }
        let mut q = self.lock();
        let r = Redemption::of(voucher, q.venue(), at).to_core()?;
        Ok(Redemption::from(&q.push_with_token(r, Some(token.inner))?))
    }

    /// The pending redemptions as a batch signed with the venue's secret key (32-byte
    /// seed) registered under `key_id`, with the device's `sequence` number (format
    /// `PNRB` v1), for the operator's [`import_batch`]. Items stay queued until
    /// [`apply_outcomes`](OfflineQueue::apply_outcomes): a lost batch is simply exported
    /// again. `invalid_field` if an item was queued without its token; `batch_malformed`
    /// for an empty queue, a venue that is not a registry identifier, or a key id or
    /// sequence of 0.
    pub fn export_batch(
        &self,
        secret_key: &[u8],
        key_id: u16,
        sequence: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let key = SecretKey::from_bytes(secret_key)?;
        Ok(self
            .lock()
            .export_batch(&key.inner, key_id, sequence, now)?)
    }

    /// Settles the pending items the operator's answer names (redeemed, in conflict or
    /// rejected), matched by token and acceptance instant: they leave the queue. Returns
    /// how many left.
    pub fn apply_outcomes(&self, outcomes: &[BatchOutcome]) -> u64 {
        let settled: Vec<(v::Token, DateTime<Utc>)> = outcomes
            .iter()
            .map(|o| (o.token.inner, o.accepted_at))
            .collect();
        count(self.lock().remove_settled(&settled))
    }

    /// How many redemptions wait.
    pub fn len(&self) -> u64 {
        count(self.lock().pending().len())
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.lock().pending().is_empty()
    }

    /// Sends the queue to the ledger (any: a `&MemoryLedger` derefs to one), in order;
    /// settled items leave the queue.
    pub fn sync(&self, ledger: &Ledger) -> SyncReport {
        match self.lock().sync(&*ledger.inner) {
            Ok(outcomes) => SyncReport {
                outcomes: outcomes.into_iter().map(SyncOutcome::from).collect(),
                error: None,
            },
            Err((outcomes, e)) => SyncReport {
                outcomes: outcomes.into_iter().map(SyncOutcome::from).collect(),
                error: Some(e.into()),
            },
        }
    }
}

/// One line of a queue's JSON Lines: a redemption, and its token when `"token"` holds
/// the strict text.
fn queue_line(line: &str) -> Result<(v::Redemption, Option<v::Token>)> {
    let mut value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| invalid("redemption", e))?;
    let token = match value.as_object_mut().and_then(|m| m.remove("token")) {
        None => None,
        Some(serde_json::Value::String(text)) => Some(v::Token::parse_strict(&text)?),
        Some(_) => return Err(invalid("token", "must be the token's strict text")),
    };
    let r = Redemption::from_json(&value.to_string())?.to_core()?;
    Ok((r, token))
}

// ---- offline sync: signed batches, the venue registry, imports ----

/// A venue registered with the operator: its registry identifier (what its batches
/// name), name, SIRET and whether its batches are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegisteredVenue {
    /// Registry identifier: `a-z`, `0-9`, `-`, `_`, `.`; 1..=64 bytes.
    pub id: String,
    /// Name, for people.
    pub name: String,
    /// SIRET (14 digits, checksum checked).
    pub siret: String,
    /// Whether the venue's batches are accepted.
    pub active: bool,
}

impl RegisteredVenue {
    fn to_core(&self) -> Result<v::RegisteredVenue> {
        Ok(v::RegisteredVenue::new(
            &self.id,
            &self.name,
            &self.siret,
            self.active,
        )?)
    }

    /// Checks the rules a registry applies (`invalid_field` for an identifier, name or
    /// SIRET that breaks them).
    pub fn check(&self) -> Result<()> {
        self.to_core().map(|_| ())
    }
}

impl From<v::RegisteredVenue> for RegisteredVenue {
    fn from(v: v::RegisteredVenue) -> Self {
        RegisteredVenue {
            id: v.id,
            name: v.name,
            siret: v.siret,
            active: v.active,
        }
    }
}

/// A key a venue registered to sign its batches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VenueKey {
    /// The venue's identifier.
    pub venue: String,
    /// The key id its batches name (1..=65535).
    pub key_id: u16,
    /// The 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    /// Whether batches signed with it are accepted.
    pub active: bool,
}

impl From<v::VenueKey> for VenueKey {
    fn from(k: v::VenueKey) -> Self {
        VenueKey {
            venue: k.venue,
            key_id: k.key_id,
            public_key: k.public_key.to_bytes().to_vec(),
            active: k.active,
        }
    }
}

/// The operator's registry of venues and their batch keys: a cheap handle (clones share
/// the registry) over any core [`VenueStore`](v::sync::VenueStore), in memory by
/// default ([`new`](VenueRegistry::new)) or kept next to a persistent ledger
/// ([`from_dyn`](VenueRegistry::from_dyn)). Thread-safe.
#[derive(Clone)]
pub struct VenueRegistry {
    inner: Arc<dyn v::sync::VenueStore>,
}

impl std::fmt::Debug for VenueRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VenueRegistry").finish_non_exhaustive()
    }
}

impl Default for VenueRegistry {
    fn default() -> Self {
        VenueRegistry::from_dyn(Arc::new(v::MemoryVenueRegistry::new()))
    }
}

impl VenueRegistry {
    /// An empty registry in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A handle over any core venue store (a binding passes its SQLite or PostgreSQL
    /// one).
    pub fn from_dyn(inner: Arc<dyn v::sync::VenueStore>) -> Self {
        VenueRegistry { inner }
    }

    /// The core store behind the handle.
    pub fn as_dyn(&self) -> &Arc<dyn v::sync::VenueStore> {
        &self.inner
    }

    /// Registers a venue or replaces it (to rename or deactivate it): `invalid_field`
    /// for an identifier, name or SIRET that breaks the rules.
    pub fn put_venue(&self, venue: &RegisteredVenue) -> Result<()> {
        Ok(self.inner.put_venue(venue.to_core()?)?)
    }

    /// Registers a venue's key or replaces it (to deactivate it): `unknown_venue` if the
    /// venue is not registered, `invalid_field` for key id 0, `invalid_key` or
    /// `weak_key` for a key that is not a usable Ed25519 key.
    pub fn put_key(&self, key: &VenueKey) -> Result<()> {
        let public = public_key(key.key_id, &key.public_key)?;
        Ok(self.inner.put_key(v::VenueKey {
            venue: key.venue.clone(),
            key_id: key.key_id,
            public_key: public.inner,
            active: key.active,
        })?)
    }

    /// The venue, if registered (an error only if a persistent store fails).
    pub fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>> {
        Ok(self.inner.venue(id)?.map(RegisteredVenue::from))
    }

    /// A venue's key, if registered (an error only if a persistent store fails).
    pub fn key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>> {
        Ok(self.inner.venue_key(venue, key_id)?.map(VenueKey::from))
    }

    /// Every venue, by identifier.
    pub fn venues(&self) -> Result<Vec<RegisteredVenue>> {
        Ok(self
            .inner
            .venues()?
            .into_iter()
            .map(RegisteredVenue::from)
            .collect())
    }

    /// A venue's keys, by key id.
    pub fn keys(&self, venue: &str) -> Result<Vec<VenueKey>> {
        Ok(self
            .inner
            .keys(venue)?
            .into_iter()
            .map(VenueKey::from)
            .collect())
    }
}

/// One item of a batch: the token and when the venue accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchItem {
    /// The token.
    pub token: Token,
    /// When the venue accepted it (to the millisecond).
    pub accepted_at: DateTime<Utc>,
}

/// A signed redemption batch (format `PNRB` v1) as read: its identity, venue, key id,
/// sequence, creation instant and items in queue order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedemptionBatch {
    /// SHA-256 over the domain tag and the unsigned body, 64 hex digits: the same for
    /// every signature over one body.
    pub batch_id: String,
    /// The venue's registry identifier.
    pub venue: String,
    /// The venue key that signs it.
    pub key_id: u16,
    /// The device's sequence number.
    pub sequence: u64,
    /// When the device made it.
    pub created_at: DateTime<Utc>,
    /// The items, in queue order.
    pub items: Vec<BatchItem>,
}

impl From<&v::RedemptionBatch> for RedemptionBatch {
    fn from(b: &v::RedemptionBatch) -> Self {
        RedemptionBatch {
            batch_id: b.batch_id().to_string(),
            venue: b.venue().to_owned(),
            key_id: b.key_id(),
            sequence: b.sequence(),
            created_at: b.created_at(),
            items: b
                .items()
                .iter()
                .map(|i| BatchItem {
                    token: Token { inner: i.token },
                    accepted_at: i.accepted_at,
                })
                .collect(),
        }
    }
}

impl RedemptionBatch {
    /// Reads signed bytes and checks every field but not the signature
    /// (`batch_malformed`): to look inside a batch; an import checks the signature
    /// against the registry.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        Ok((&v::RedemptionBatch::parse_unverified(bytes)?).into())
    }

    /// Reads signed bytes and checks the signature under the venue's public key (32
    /// bytes): `batch_malformed`, then `bad_batch_signature`.
    pub fn open(bytes: &[u8], public_key_bytes: &[u8]) -> Result<Self> {
        let key = public_key(0, public_key_bytes)?;
        Ok((&v::RedemptionBatch::open(bytes, &key.inner)?).into())
    }
}

/// What became of one item of an imported batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchOutcome {
    /// The item's position in the batch (from 0).
    pub index: u64,
    /// `redeemed` (this redemption counts), `conflict` (another one reached the ledger
    /// first: see `winner`) or `rejected` (the token did not verify when the venue
    /// accepted it: see `code`).
    pub status: &'static str,
    /// The token.
    pub token: Token,
    /// The token's serial (20 hex digits).
    pub serial: String,
    /// When the venue accepted it.
    pub accepted_at: DateTime<Utc>,
    /// The venue's redemption (not for `rejected`).
    pub redemption: Option<Redemption>,
    /// The redemption that counts: the venue's own when redeemed, another venue's (or an
    /// earlier one) in a conflict; none when rejected.
    pub winner: Option<Redemption>,
    /// The token's error code when rejected.
    pub code: Option<&'static str>,
    /// The token's error message when rejected.
    pub message: Option<String>,
}

impl BatchOutcome {
    fn of(index: usize, item: &v::ImportedItem) -> Self {
        let (status, redemption, winner, code, message) = match &item.outcome {
            v::ItemOutcome::Redeemed(r) => (
                "redeemed",
                Some(Redemption::from(r)),
                Some(Redemption::from(r)),
                None,
                None,
            ),
            v::ItemOutcome::Conflict { queued, winner } => (
                "conflict",
                Some(Redemption::from(queued)),
                Some(Redemption::from(winner)),
                None,
                None,
            ),
            v::ItemOutcome::Rejected(e) => {
                ("rejected", None, None, Some(e.code()), Some(e.to_string()))
            }
        };
        BatchOutcome {
            index: count(index),
            status,
            token: Token { inner: item.token },
            serial: item.token.serial().to_string(),
            accepted_at: item.accepted_at,
            redemption,
            winner,
            code,
            message,
        }
    }
}

/// The item statuses of an import: `redeemed`, `conflict`, `rejected`.
pub fn batch_statuses() -> Vec<&'static str> {
    v::sync::ITEM_STATUSES.to_vec()
}

/// The result of importing one batch: its identity and one outcome per item, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportReport {
    /// The batch's identity (64 hex digits).
    pub batch_id: String,
    /// The venue that sent it.
    pub venue: String,
    /// The venue key that signed it.
    pub key_id: u16,
    /// The device's sequence number.
    pub sequence: u64,
    /// When the device made it.
    pub created_at: DateTime<Utc>,
    /// One outcome per item, in the batch's order.
    pub outcomes: Vec<BatchOutcome>,
}

impl From<&v::ImportReport> for ImportReport {
    fn from(r: &v::ImportReport) -> Self {
        ImportReport {
            batch_id: r.batch_id.to_string(),
            venue: r.venue.clone(),
            key_id: r.key_id,
            sequence: r.sequence,
            created_at: r.created_at,
            outcomes: r
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| BatchOutcome::of(i, item))
                .collect(),
        }
    }
}

/// The operator's record of finished imports, by batch id: a batch imported again
/// returns its first report. A cheap handle (clones share the log) over any core
/// [`ImportStore`](v::sync::ImportStore), in memory by default
/// ([`new`](ImportLog::new)) or kept next to a persistent ledger
/// ([`from_dyn`](ImportLog::from_dyn)), where a re-import after a restart still
/// returns the same report. Thread-safe.
#[derive(Clone)]
pub struct ImportLog {
    inner: Arc<dyn v::sync::ImportStore>,
}

impl std::fmt::Debug for ImportLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportLog").finish_non_exhaustive()
    }
}

impl Default for ImportLog {
    fn default() -> Self {
        ImportLog::from_dyn(Arc::new(v::MemoryImportLog::new()))
    }
}

impl ImportLog {
    /// An empty log in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A handle over any core import store (a binding passes its SQLite or PostgreSQL
    /// one).
    pub fn from_dyn(inner: Arc<dyn v::sync::ImportStore>) -> Self {
        ImportLog { inner }
    }

    /// The core store behind the handle.
    pub fn as_dyn(&self) -> &Arc<dyn v::sync::ImportStore> {
        &self.inner
    }

    /// How many batches were imported.
    pub fn len(&self) -> Result<u64> {
        Ok(self.inner.count()?)
    }

    /// Whether no batch was imported yet.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The report of a finished import (batch id: 64 hex digits, `malformed` otherwise).
    pub fn report(&self, batch_id: &str) -> Result<Option<ImportReport>> {
        let id = v::BatchId::from_hex(batch_id.trim())?;
        Ok(self.inner.finished(&id)?.as_ref().map(ImportReport::from))
    }

    /// Every finished import, by venue, then sequence.
    pub fn reports(&self) -> Result<Vec<ImportReport>> {
        Ok(self
            .inner
            .reports()?
            .iter()
            .map(ImportReport::from)
            .collect())
    }
}

/// Imports a signed redemption batch at `now` (the operator's side of offline sync).
///
/// The batch is read (`batch_malformed`), its venue and key must be registered and
/// active (`unknown_venue`), its signature must verify (`bad_batch_signature`); a batch
/// already imported returns its logged report unchanged; the verifier's trust list must
/// be fresh at `now` (`trust_list_expired`). Each token is then verified as it stood when
/// the venue accepted it, and the good ones are redeemed in order: the first redemption
/// to reach the ledger wins. The verifier is normally an operator's
/// ([`VerifierOptions::any_scope`]). A failing ledger (`ledger_busy`,
/// `ledger_unavailable`, `ledger_corrupt`) stops the import with nothing logged;
/// importing again is safe. The ledger may be any (a `&MemoryLedger` derefs to one).
pub fn import_batch(
    ledger: &Ledger,
    registry: &VenueRegistry,
    log: &ImportLog,
    verifier: &Verifier,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let report = v::import_batch(
        &*ledger.inner,
        &*registry.inner,
        &*log.inner,
        &verifier.read(),
        bytes,
        now,
    )?;
    Ok(ImportReport::from(&report))
}

/// Every voucher error code, for documentation and bindings' enums.
pub fn error_codes() -> Vec<&'static str> {
    VoucherError::CODES.to_vec()
}

// ---- clearing: monthly statements, credit notes, reconciliation ----
//
// The operator's side of the money (`crate::voucher::clearing`): statements to venues
// per civil month, credit notes for cheques never used, and the reconciliation of what
// was issued with what was redeemed, credited or is outstanding. Amounts are whole cents
// (`u64`), rates `Decimal` fractions (0.025 is 2.5 %), time zones IANA names (default
// `Europe/Paris`). Money errors are [`Domain::Funding`] errors (`invalid_input`,
// `outside_rule_validity`, …); a bad serial is the voucher domain's `malformed`.

use crate::voucher::clearing as clr;
use rust_decimal::Decimal;

/// Days after `valid_until` before an unused cheque is credited by default: 7 (no source
/// gives it; APTIC's timeline reconciles at J+37 after validity ends at J+30, S32).
pub const DEFAULT_CREDIT_GRACE_DAYS: u32 = clr::DEFAULT_CREDIT_GRACE_DAYS;

fn clearing_zone(name: Option<&str>) -> Result<Tz> {
    name.map_or(Ok(clr::DEFAULT_CLEARING_TIME_ZONE), time_zone)
}

fn clearing_book(rules: Option<&super::funding::RuleBook>) -> crate::funding::RuleBook {
    rules.map_or_else(crate::funding::RuleBook::default, |r| r.core().clone())
}

fn clearing_rate(rate: Decimal, field: &str) -> Result<crate::funding::Rate> {
    Ok(crate::funding::Rate::new(rate, field)?)
}

/// One row of the issuance register: a cheque as issued, for which order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuedCheque {
    /// The issuer (trust list identifier).
    pub issuer: String,
    /// The serial, 20 hex digits.
    pub serial: String,
    /// The key id that signed it.
    pub kid: u16,
    /// Face value in cents.
    pub value_cents: u16,
    /// First valid civil date.
    pub valid_from: NaiveDate,
    /// Last valid civil date (inclusive).
    pub valid_until: NaiveDate,
    /// The buyer's order it was issued for.
    pub order_ref: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

impl From<&clr::IssuedCheque> for IssuedCheque {
    fn from(c: &clr::IssuedCheque) -> Self {
        IssuedCheque {
            issuer: c.issuer.clone(),
            serial: c.serial.to_string(),
            kid: c.kid.get(),
            value_cents: c.value_cents,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            order_ref: c.order_ref.clone(),
            issued_at: c.issued_at,
        }
    }
}

impl IssuedCheque {
    /// The register row of an issued voucher, read from its token.
    pub fn of(
        voucher: &IssuedVoucher,
        issuer: &str,
        order_ref: &str,
        issued_at: DateTime<Utc>,
    ) -> Result<Self> {
        let c = clr::IssuedCheque::from_token(&voucher.token.inner, issuer, order_ref, issued_at)?;
        Ok(IssuedCheque::from(&c))
    }

    /// Checks the fields (`malformed` serial, `invalid_field` kid, value or window).
    pub fn check(&self) -> Result<()> {
        self.to_core().map(|_| ())
    }

    fn to_core(&self) -> Result<clr::IssuedCheque> {
        if self.value_cents == 0 {
            return Err(invalid("value_cents", "must be at least 1 cent"));
        }
        if self.valid_from > self.valid_until {
            return Err(invalid(
                "valid_until",
                format!(
                    "{} is before valid_from {}",
                    self.valid_until, self.valid_from
                ),
            ));
        }
        Ok(clr::IssuedCheque {
            issuer: self.issuer.clone(),
            serial: serial(&self.serial)?,
            kid: kid(self.kid)?,
            value_cents: self.value_cents,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            order_ref: self.order_ref.clone(),
            issued_at: self.issued_at,
        })
    }
}

/// A cheque credited to its buyer by a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditedCheque {
    /// The issuer.
    pub issuer: String,
    /// The serial, 20 hex digits.
    pub serial: String,
    /// Face value in cents, credited in full.
    pub value_cents: u16,
    /// The order it was issued for.
    pub order_ref: String,
    /// Its last valid date.
    pub valid_until: NaiveDate,
    /// The date of the credit note.
    pub credited_on: NaiveDate,
}

impl From<&clr::CreditedCheque> for CreditedCheque {
    fn from(c: &clr::CreditedCheque) -> Self {
        CreditedCheque {
            issuer: c.issuer.clone(),
            serial: c.serial.to_string(),
            value_cents: c.value_cents,
            order_ref: c.order_ref.clone(),
            valid_until: c.valid_until,
            credited_on: c.credited_on,
        }
    }
}

impl CreditedCheque {
    /// Checks the fields (`malformed` serial, `invalid_field` value).
    pub fn check(&self) -> Result<()> {
        self.to_core().map(|_| ())
    }

    fn to_core(&self) -> Result<clr::CreditedCheque> {
        if self.value_cents == 0 {
            return Err(invalid("value_cents", "must be at least 1 cent"));
        }
        Ok(clr::CreditedCheque {
            issuer: self.issuer.clone(),
            serial: serial(&self.serial)?,
            value_cents: self.value_cents,
            order_ref: self.order_ref.clone(),
            valid_until: self.valid_until,
            credited_on: self.credited_on,
        })
    }
}

/// One venue's line of a [`MonthlyStatement`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatementLine {
    /// The venue's id.
    pub venue: String,
    /// Cheques redeemed there in the month.
    pub count: u64,
    /// Their face value in cents.
    pub face_cents: u64,
    /// The deduction rate, a fraction (0.025 is 2.5 %).
    pub deduction_rate: Decimal,
    /// What the operator keeps: `face_cents − payout_cents`.
    pub deduction_cents: u64,
    /// What the venue is paid.
    pub payout_cents: u64,
}

/// The operator's statement to venues for one civil month: a line per venue (by id) and
/// the totals (the sums of the lines); `face = payout + deduction` to the cent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyStatement {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The IANA time zone of the month.
    pub time_zone: String,
    /// One line per venue.
    pub lines: Vec<StatementLine>,
    /// Cheques in all.
    pub count: u64,
    /// Face value in all, in cents.
    pub face_cents: u64,
    /// Deductions in all, in cents.
    pub deduction_cents: u64,
    /// Payouts in all, in cents.
    pub payout_cents: u64,
    /// The payouts explained, with the rules and their sources.
    pub breakdown: super::funding::Breakdown,
    inner: clr::MonthlyStatement,
}

impl MonthlyStatement {
    /// As CSV: `month,row,venue,count,face_cents,deduction_rate,deduction_cents,payout_cents`,
    /// a `venue` row per venue and a `total` row.
    pub fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// As one JSON object.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// The statement of the cheques redeemed in the civil month `year`-`month` in
/// `time_zone` (default Europe/Paris): one line per venue with its rate from
/// `deductions` (venue, rate) or `default_deduction`, each payout `face × (1 − rate)`
/// rounded to the cent, half away from zero, the rules (`rules`, default the shipped
/// book) looked up `on` the statement's date. `invalid_input` for a month that is not
/// one, a serial listed twice or a rate above `pass.aptic.venue_deduction_max` (5 %);
/// `rate_out_of_range` for a rate outside 0..=1.
#[allow(clippy::too_many_arguments)]
pub fn monthly_statement(
    redemptions: &[Redemption],
    deductions: &[(String, Decimal)],
    default_deduction: Decimal,
    year: i32,
    month: u32,
    time_zone: Option<&str>,
    rules: Option<&super::funding::RuleBook>,
    on: NaiveDate,
) -> Result<MonthlyStatement> {
    let tz = clearing_zone(time_zone)?;
    let rates = deductions
        .iter()
        .map(|(v, r)| Ok((v.clone(), clearing_rate(*r, "deduction_rate")?)))
        .collect::<Result<Vec<_>>>()?;
    let rates = clr::Deductions::new(
        rates,
        clearing_rate(default_deduction, "default_deduction")?,
    );
    let core: Vec<v::Redemption> = redemptions
        .iter()
        .map(Redemption::to_core)
        .collect::<Result<_>>()?;
    let s = clr::monthly_statements(&core, &rates, (year, month), tz, &clearing_book(rules), on)?;
    Ok(MonthlyStatement {
        year: s.year,
        month: s.month,
        time_zone: s.time_zone.name().to_owned(),
        lines: s
            .lines
            .iter()
            .map(|l| StatementLine {
                venue: l.venue.clone(),
                count: l.count,
                face_cents: l.face_cents,
                deduction_rate: l.deduction_rate.value(),
                deduction_cents: l.deduction_cents,
                payout_cents: l.payout_cents,
            })
            .collect(),
        count: s.totals.count,
        face_cents: s.totals.face_cents,
        deduction_cents: s.totals.deduction_cents,
        payout_cents: s.totals.payout_cents,
        breakdown: s.breakdown.clone().into(),
        inner: s,
    })
}

/// A credit note (avoir) to a buyer: one issuer's order, the cheques left unused past
/// validity and grace, at face value only (the operator's fee is not refunded, S32).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNote {
    /// The issuer.
    pub issuer: String,
    /// The order.
    pub order_ref: String,
    /// The note's date.
    pub as_of: NaiveDate,
    /// Cheques credited.
    pub count: u64,
    /// The note's amount in cents.
    pub face_cents: u64,
    /// The cheques, by serial.
    pub cheques: Vec<CreditedCheque>,
    /// The amount explained.
    pub breakdown: super::funding::Breakdown,
    inner: clr::CreditNote,
}

/// The credit notes due on `as_of`: per (issuer, order), the register's cheques whose
/// `valid_until + grace_days` is before `as_of` and whose (issuer, serial) `spent` does
/// not list (redeemed, or credited earlier). `invalid_input` for a serial twice in the
/// register.
pub fn credit_notes(
    issued: &[IssuedCheque],
    spent: &[(String, String)],
    as_of: NaiveDate,
    grace_days: u32,
    rules: Option<&super::funding::RuleBook>,
) -> Result<Vec<CreditNote>> {
    let register: Vec<clr::IssuedCheque> = issued
        .iter()
        .map(IssuedCheque::to_core)
        .collect::<Result<_>>()?;
    let spent: Vec<(&str, Serial)> = spent
        .iter()
        .map(|(i, s)| Ok((i.as_str(), serial(s)?)))
        .collect::<Result<_>>()?;
    let notes = clr::credit_notes(&register, spent, as_of, grace_days, &clearing_book(rules))?;
    Ok(notes
        .into_iter()
        .map(|n| CreditNote {
            issuer: n.issuer.clone(),
            order_ref: n.order_ref.clone(),
            as_of: n.as_of,
            count: n.count,
            face_cents: n.face_cents,
            cheques: n.cheques.iter().map(CreditedCheque::from).collect(),
            breakdown: n.breakdown.clone().into(),
            inner: n,
        })
        .collect())
}

fn core_notes(notes: &[CreditNote]) -> Vec<clr::CreditNote> {
    notes.iter().map(|n| n.inner.clone()).collect()
}

/// Credit notes as CSV: one row per credited cheque
/// (`issuer,order_ref,as_of,serial,value_cents,valid_until,note_face_cents`).
pub fn credit_notes_csv(notes: &[CreditNote]) -> String {
    clr::credit_notes_csv(&core_notes(notes))
}

/// Credit notes as a JSON array.
pub fn credit_notes_json(notes: &[CreditNote]) -> String {
    clr::credit_notes_json(&core_notes(notes))
}

/// A count of cheques and their value in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    /// Cheques.
    pub count: u64,
    /// Cents.
    pub cents: u64,
}

impl From<clr::Tally> for Tally {
    fn from(t: clr::Tally) -> Self {
        Tally {
            count: t.count,
            cents: t.cents,
        }
    }
}

/// One issuer's figures at one point of a [`Reconciliation`]: `section` `opening` (end
/// of the day before the period), `period` (the movements; no outstanding) or `closing`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReconciliationRow {
    /// The issuer.
    pub issuer: String,
    /// `opening`, `period` or `closing`.
    pub section: &'static str,
    /// Issued (register rows).
    pub issued: Tally,
    /// Redeemed (ledger rows).
    pub redeemed: Tally,
    /// Credited (credit rows).
    pub credited: Tally,
    /// Outstanding (register rows nothing spends); `None` for `period`.
    pub outstanding: Option<Tally>,
    /// Whether this row's identity holds (for `period`, the flow identity).
    pub balances: bool,
}

/// A row that breaks a reconciliation; `kind` is one of [`anomaly_kinds`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Anomaly {
    /// What is wrong.
    pub kind: &'static str,
    /// The issuer.
    pub issuer: String,
    /// The serial, 20 hex digits.
    pub serial: String,
    /// The facts.
    pub detail: String,
}

/// Every anomaly kind, in order.
pub fn anomaly_kinds() -> Vec<&'static str> {
    clr::AnomalyKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Per issuer and period: issued = redeemed + credited + outstanding at the opening and
/// the closing, and opening outstanding + issued = redeemed + credited + closing
/// outstanding over the period, each term from its own rows; plus the anomalies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// First day of the period (`None`: from the beginning).
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive).
    pub until: NaiveDate,
    /// The IANA time zone of the civil dates.
    pub time_zone: String,
    /// Three rows per issuer (opening, period, closing), by issuer.
    pub rows: Vec<ReconciliationRow>,
    /// Every anomaly, by issuer, kind and serial.
    pub anomalies: Vec<Anomaly>,
    /// Whether every identity holds and there is no anomaly.
    pub balanced: bool,
    inner: clr::Reconciliation,
}

impl Reconciliation {
    /// Whether every identity holds and there is no anomaly.
    pub fn is_balanced(&self) -> bool {
        self.balanced
    }

    /// The rows as CSV (see [`clr::RECONCILIATION_CSV_HEADER`]).
    pub fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    /// The anomalies as CSV (`issuer,kind,serial,detail`).
    pub fn anomalies_csv(&self) -> String {
        self.inner.anomalies_csv()
    }

    /// As one JSON object.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A human summary: the closing identity per issuer, then its anomalies.
    pub fn summary(&self) -> String {
        clr::summary(&self.inner)
    }
}

/// Reconciles the register, the ledger's redemptions and the credited cheques over the
/// civil dates `from..=until` in `time_zone` (default Europe/Paris; `from` `None`: from
/// the beginning). `invalid_input` naming `from` if it is after `until`.
pub fn reconcile(
    issued: &[IssuedCheque],
    redemptions: &[Redemption],
    credited: &[CreditedCheque],
    from: Option<NaiveDate>,
    until: NaiveDate,
    time_zone: Option<&str>,
) -> Result<Reconciliation> {
    let tz = clearing_zone(time_zone)?;
    let register: Vec<clr::IssuedCheque> = issued
        .iter()
        .map(IssuedCheque::to_core)
        .collect::<Result<_>>()?;
    let ledger: Vec<v::Redemption> = redemptions
        .iter()
        .map(Redemption::to_core)
        .collect::<Result<_>>()?;
    let credits: Vec<clr::CreditedCheque> = credited
        .iter()
        .map(CreditedCheque::to_core)
        .collect::<Result<_>>()?;
    let r = clr::reconcile(&register, &ledger, &credits, from, until, tz)?;
    let mut rows = Vec::with_capacity(3 * r.issuers.len());
    for i in &r.issuers {
        let stock = |section, s: &clr::Stock| ReconciliationRow {
            issuer: i.issuer.clone(),
            section,
            issued: s.issued.into(),
            redeemed: s.redeemed.into(),
            credited: s.credited.into(),
            outstanding: Some(s.outstanding.into()),
            balances: s.balances(),
        };
        rows.push(stock("opening", &i.opening));
        rows.push(ReconciliationRow {
            issuer: i.issuer.clone(),
            section: "period",
            issued: i.period.issued.into(),
            redeemed: i.period.redeemed.into(),
            credited: i.period.credited.into(),
            outstanding: None,
            balances: i.flow_balances(),
        });
        rows.push(stock("closing", &i.closing));
    }
    Ok(Reconciliation {
        from: r.from,
        until: r.until,
        time_zone: r.time_zone.name().to_owned(),
        rows,
        anomalies: r
            .anomalies()
            .map(|a| Anomaly {
                kind: a.kind.as_str(),
                issuer: a.issuer.clone(),
                serial: a.serial.to_string(),
                detail: a.detail.clone(),
            })
            .collect(),
        balanced: r.is_balanced(),
        inner: r,
    })
}

#[cfg(test)]
mod clearing_tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn statement_credit_notes_and_reconciliation_as_plain_records() {
        let issuer = Issuer::new(7, &[7; 32]).unwrap();
        let spec = VoucherSpec::pass_numerique(d(2026, 1, 1), d(2026, 12, 31));
        let issued_at = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
        let register: Vec<IssuedCheque> = issuer
            .booklet(&spec, 3)
            .unwrap()
            .iter()
            .map(|v| IssuedCheque::of(v, "aptic", "CD23-001", issued_at).unwrap())
            .collect();
        assert!(
            register
                .iter()
                .all(|c| c.check().is_ok() && c.value_cents == 1000)
        );
        // One redeemed in Lyon on 31 March at 23:30 in Paris (21:30 UTC).
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 21, 30, 0).unwrap();
        let redeemed = vec![Redemption {
            issuer: "aptic".into(),
            serial: register[0].serial.clone(),
            kid: 7,
            value_cents: 1000,
            venue: "mediatheque-lyon".into(),
            at,
        }];
        let rates = [("mediatheque-lyon".to_owned(), Decimal::new(25, 3))];
        let s = monthly_statement(
            &redeemed,
            &rates,
            Decimal::ZERO,
            2026,
            3,
            None,
            None,
            d(2026, 4, 5),
        )
        .unwrap();
        assert_eq!(
            (s.count, s.face_cents, s.payout_cents, s.deduction_cents),
            (1, 1000, 975, 25)
        );
        assert_eq!(s.lines[0].deduction_rate, Decimal::new(25, 3));
        assert_eq!(s.time_zone, "Europe/Paris");
        assert_eq!(s.breakdown.total, Decimal::new(975, 2));
        assert!(s.to_csv().ends_with("2026-03,total,,1,1000,,25,975\n"));
        let utc = monthly_statement(
            &redeemed,
            &rates,
            Decimal::ZERO,
            2026,
            4,
            Some("UTC"),
            None,
            d(2026, 5, 5),
        )
        .unwrap();
        assert_eq!(utc.count, 0);
        let e = monthly_statement(
            &redeemed,
            &rates,
            Decimal::new(6, 2),
            2026,
            3,
            None,
            None,
            d(2026, 4, 5),
        );
        assert!(e.is_ok(), "the default applies to venues not listed");
        let e = monthly_statement(
            &redeemed,
            &[("mediatheque-lyon".into(), Decimal::new(6, 2))],
            Decimal::ZERO,
            2026,
            3,
            None,
            None,
            d(2026, 4, 5),
        )
        .unwrap_err();
        assert_eq!((e.domain, e.code), (Domain::Funding, "invalid_input"));
        let e = monthly_statement(
            &redeemed,
            &rates,
            Decimal::ZERO,
            2026,
            3,
            Some("Mars/Olympus"),
            None,
            d(2026, 4, 5),
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_field");

        let spent = [("aptic".to_owned(), register[0].serial.clone())];
        assert!(
            credit_notes(
                &register,
                &spent,
                d(2027, 1, 7),
                DEFAULT_CREDIT_GRACE_DAYS,
                None
            )
            .unwrap()
            .is_empty()
        );
        let notes = credit_notes(
            &register,
            &spent,
            d(2027, 1, 8),
            DEFAULT_CREDIT_GRACE_DAYS,
            None,
        )
        .unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].count, notes[0].face_cents), (2, 2000));
        assert_eq!(credit_notes_csv(&notes).lines().count(), 3);
        assert!(credit_notes_json(&notes).starts_with("[{\"issuer\":\"aptic\""));
        let e = credit_notes(
            &register,
            &[("aptic".into(), "xyz".into())],
            d(2027, 1, 8),
            7,
            None,
        )
        .unwrap_err();
        assert_eq!((e.domain, e.code), (Domain::Voucher, "malformed"));

        let r = reconcile(
            &register,
            &redeemed,
            &notes[0].cheques,
            Some(d(2027, 1, 1)),
            d(2027, 1, 31),
            None,
        )
        .unwrap();
        assert!(r.is_balanced());
        assert_eq!(r.rows.len(), 3);
        assert_eq!(
            r.rows[0].outstanding,
            Some(Tally {
                count: 2,
                cents: 2000
            })
        );
        assert_eq!(
            r.rows[1].credited,
            Tally {
                count: 2,
                cents: 2000
            }
        );
        assert_eq!(r.rows[1].outstanding, None);
        assert_eq!(r.rows[2].outstanding, Some(Tally::default()));
        // The same cheque redeemed and credited: reported, unbalanced.
        let mut both = notes[0].cheques.clone();
        both[0].serial = register[0].serial.clone();
        let r = reconcile(&register, &redeemed, &both, None, d(2027, 1, 31), None).unwrap();
        assert!(!r.is_balanced());
        let kinds: Vec<&str> = r.anomalies.iter().map(|a| a.kind).collect();
        assert!(kinds.contains(&"redeemed_and_credited"), "{kinds:?}");
        assert!(anomaly_kinds().contains(&"value_mismatch"));
        assert!(r.anomalies_csv().contains("redeemed_and_credited"));
        assert!(r.summary().contains("NOT balanced"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorKind;
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap()
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    struct Setup {
        root: SecretKey,
        issuer: Issuer,
        signed: Vec<u8>,
    }

    fn setup() -> Setup {
        let root = SecretKey::from_bytes(&[0xa0; 32]).unwrap();
        let issuer = Issuer::new(7, &[7; 32]).unwrap();
        let mut limited = TrustEntry::unrestricted(9, "region-creuse", issuer.public_key());
        limited.public_key = SecretKey::from_bytes(&[9; 32])
            .unwrap()
            .public_key()
            .to_bytes();
        limited.scopes = vec![23, 0];
        limited.max_value_cents = 2000;
        let entries = [
            TrustEntry::unrestricted(7, "aptic", issuer.public_key()),
            limited,
        ];
        let signed = TrustList::new(3, now(), 86_400, &entries)
            .unwrap()
            .sign(&root.to_bytes())
            .unwrap();
        Setup {
            root,
            issuer,
            signed,
        }
    }

    fn verifier(s: &Setup, options: &VerifierOptions) -> Verifier {
        let list = TrustList::load(&s.signed, &s.root.public_key().to_bytes(), now()).unwrap();
        Verifier::new(&list, options).unwrap()
    }

    #[test]
    fn keys_round_trip_and_bad_keys_keep_their_codes() {
        let k = SecretKey::from_bytes(&[5; 32]).unwrap();
        assert_eq!(k.to_bytes(), vec![5; 32]);
        assert_eq!(
            SecretKey::from_hex(&k.to_hex()).unwrap().to_bytes(),
            k.to_bytes()
        );
        let p = k.public_key();
        assert_eq!(PublicKey::from_hex(&p.to_hex()).unwrap(), p);
        assert_eq!(PublicKey::from_bytes(&p.to_bytes()).unwrap(), p);
        assert!(!format!("{k:?}").contains(&"05".repeat(32)));
        let e = SecretKey::from_bytes(&[1; 31]).unwrap_err();
        assert_eq!((e.domain, e.code), (Domain::Voucher, "invalid_key"));
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            PublicKey::from_bytes(&identity).unwrap_err().code,
            "weak_key"
        );
    }

    #[test]
    fn trust_lists_build_sign_open_and_fail_closed() {
        let s = setup();
        let root = s.root.public_key().to_bytes();
        let list = TrustList::open(&s.signed, &root).unwrap();
        assert_eq!(
            (list.sequence(), list.len(), list.max_age_seconds()),
            (3, 2, 86_400)
        );
        let e9 = list.entry(9).unwrap();
        assert_eq!(
            (e9.scopes.clone(), e9.status.as_str()),
            (vec![0, 23], "active")
        );
        assert_eq!(list.entry(8), None);
        // Rebuilt from its entries, it signs to the same bytes.
        let again = TrustList::new(3, now(), 86_400, &list.entries()).unwrap();
        assert_eq!(again.sign(&s.root.to_bytes()).unwrap(), s.signed);
        let late = list.expires_at() + TimeDelta::seconds(1);
        let e = TrustList::load(&s.signed, &root, late).unwrap_err();
        assert_eq!((e.code, e.kind), ("trust_list_expired", ErrorKind::Refused));
        let other = SecretKey::from_bytes(&[1; 32])
            .unwrap()
            .public_key()
            .to_bytes();
        assert_eq!(
            TrustList::open(&s.signed, &other).unwrap_err().code,
            "trust_list_bad_signature"
        );
        let mut bad = TrustEntry::unrestricted(1, "APTIC", s.issuer.public_key());
        assert_eq!(
            TrustList::new(1, now(), 60, &[bad.clone()])
                .unwrap_err()
                .code,
            "trust_list_malformed"
        );
        bad.issuer = "aptic".into();
        bad.status = "paused".into();
        assert_eq!(
            TrustList::new(1, now(), 60, &[bad]).unwrap_err().code,
            "trust_list_malformed"
        );
    }

    #[test]
    fn single_and_batch_verification_agree() {
        let s = setup();
        let v = verifier(&s, &VerifierOptions::default());
        let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
        let t = s.issuer.issue(&spec, Some("5eed0000000000000001")).unwrap();
        assert_eq!(t.short_code, "BVPG-0000-0000-0001-S");
        let ok = v.verify_text(&t.token.to_qr_payload(), now()).unwrap();
        assert_eq!(
            (ok.kid, ok.serial.as_str(), ok.valid_until),
            (7, "5eed0000000000000001", date(12, 31))
        );
        assert_eq!(
            v.verify_human(&t.token.to_text().to_lowercase(), now())
                .unwrap(),
            ok
        );
        assert_eq!(v.verify_bytes(&t.token.to_bytes(), now()).unwrap(), ok);
        let texts = vec![
            t.token.to_qr_payload(),
            "PN1:NOPE".to_owned(),
            t.token.to_text(),
        ];
        let batch = v.verify_batch(&texts, now(), false);
        assert_eq!(batch[0].as_ref().unwrap(), &ok);
        assert_eq!(batch[1].as_ref().unwrap_err().code, "malformed");
        assert!(batch[2].is_ok());
        let later = now() + TimeDelta::days(200);
        let stale = v.verify_batch(&texts, later, false);
        assert!(
            stale
                .iter()
                .all(|r| r.as_ref().unwrap_err().code == "trust_list_expired")
        );
        let bytes = v.verify_batch_bytes(&[t.token.to_bytes(), vec![1; 84]], now());
        assert_eq!(bytes[1].as_ref().unwrap_err().code, "malformed");
        assert_eq!(v.verify_batch_tokens(&[t.token], now())[0], Ok(ok));
    }

    #[test]
    fn options_scopes_time_zone_and_revoked_serials() {
        let s = setup();
        let spec = VoucherSpec {
            scope: 974,
            ..VoucherSpec::pass_numerique(date(1, 1), date(12, 31))
        };
        let t = s.issuer.issue(&spec, None).unwrap();
        let national = verifier(&s, &VerifierOptions::default());
        let e = national.verify(&t.token, now()).unwrap_err();
        assert_eq!(e.code, "scope_not_accepted");
        let reunion = verifier(
            &s,
            &VerifierOptions {
                time_zone: Some("Indian/Reunion".into()),
                scopes: vec![974],
                revoked_serials: vec![t.short_code.clone()],
                ..VerifierOptions::default()
            },
        );
        assert_eq!(reunion.time_zone(), "Indian/Reunion");
        assert_eq!(
            reunion.verify(&t.token, now()).unwrap_err().code,
            "revoked_serial"
        );
        let list = national.trust_list();
        let e = Verifier::new(
            &list,
            &VerifierOptions {
                time_zone: Some("Mars/Olympus".into()),
                ..VerifierOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_field");
        // The same list again is a no-op; an older one is a rollback.
        national.replace_trust_list(&list).unwrap();
        let older = TrustList::new(2, now(), 60, &[]).unwrap();
        assert_eq!(
            national.replace_trust_list(&older).unwrap_err().code,
            "trust_list_rollback"
        );
    }

    #[test]
    fn codes_round_trip() {
        let serial = "5eed0000000000000001";
        let short = short_code(serial).unwrap();
        let keypad = keypad_code(serial).unwrap();
        assert_eq!(parse_short_code(&short.to_lowercase()).unwrap(), serial);
        assert_eq!(parse_keypad_code(&keypad).unwrap(), serial);
        assert_eq!(parse_phone_code(&keypad).unwrap(), serial);
        assert_eq!(parse_phone_code(&short).unwrap(), serial);
        assert_eq!(
            parse_short_code("BVPG-0000-0000-0001-T").unwrap_err().code,
            "bad_check_character"
        );
        assert_eq!(short_code("xyz").unwrap_err().code, "malformed");
        assert_eq!(random_serial().len(), 20);
        assert_eq!(normalize_human("ab-cd o").unwrap(), "ABCD0");
    }

    #[test]
    fn issuance_booklets_and_print_runs() {
        let s = setup();
        let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
        let booklet = s.issuer.booklet(&spec, DEFAULT_BOOKLET_SIZE).unwrap();
        assert_eq!(booklet.len(), 10);
        let mut calls = Vec::new();
        let run = s
            .issuer
            .print_run(&spec, 300, &mut |done, total| calls.push((done, total)))
            .unwrap();
        assert_eq!(run.len(), 300);
        assert_eq!(calls.last(), Some(&(300, 300)));
        let free = VoucherSpec {
            value_cents: 0,
            ..spec
        };
        assert_eq!(
            s.issuer.issue(&free, None).unwrap_err().code,
            "invalid_field"
        );
        let long = VoucherSpec {
            valid_until: date(1, 1) + TimeDelta::days(1101),
            ..spec
        };
        assert_eq!(
            s.issuer.booklet(&long, 1).unwrap_err().code,
            "invalid_field"
        );
        assert_eq!(Issuer::new(0, &[1; 32]).unwrap_err().code, "invalid_field");
    }

    #[test]
    fn ledger_queue_export_restore_and_sync() {
        let s = setup();
        let v = verifier(&s, &VerifierOptions::default());
        let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
        let vouchers: Vec<VerifiedVoucher> = s
            .issuer
            .booklet(&spec, 3)
            .unwrap()
            .iter()
            .map(|i| v.verify(&i.token, now()).unwrap())
            .collect();
        let ledger = MemoryLedger::new();
        let gueret = OfflineQueue::new("gueret");
        gueret.accept(&vouchers[0], now()).unwrap();
        assert_eq!(
            gueret.accept(&vouchers[0], now()).unwrap_err().code,
            "already_redeemed"
        );
        let lyon = OfflineQueue::new("lyon");
        for x in &vouchers {
            lyon.accept(x, now() + TimeDelta::minutes(1)).unwrap();
        }
        // The device restarts: its queue comes back from the export.
        let text = lyon.export_jsonl();
        assert_eq!(text.lines().count(), 3);
        let lyon = OfflineQueue::from_jsonl("lyon", &text).unwrap();
        assert_eq!(lyon.len(), 3);
        let e = OfflineQueue::from_jsonl("gueret", &text).unwrap_err();
        assert_eq!(e.code, "invalid_field");
        let e = OfflineQueue::from_jsonl("lyon", "{}\n").unwrap_err();
        assert!(e.message.starts_with("line 1: "), "{}", e.message);

        assert!(gueret.sync(&ledger).error.is_none());
        let report = lyon.sync(&ledger);
        let statuses: Vec<&str> = report.outcomes.iter().map(|o| o.status).collect();
        assert_eq!(statuses, ["conflict", "redeemed", "redeemed"]);
        assert_eq!(report.outcomes[0].winner.venue, "gueret");
        assert!(lyon.is_empty());
        assert_eq!(ledger.len(), 3);
        assert_eq!(ledger.redemptions()[0].venue, "gueret");
        let first = ledger
            .redemption("aptic", &vouchers[0].serial)
            .unwrap()
            .unwrap();
        assert_eq!(first.venue, "gueret");
        let e = ledger.redeem(&vouchers[1], "paris", now()).unwrap_err();
        assert_eq!((e.code, e.kind), ("already_redeemed", ErrorKind::Refused));
        let json = first.to_json();
        assert_eq!(Redemption::from_json(&json).unwrap(), first);
    }

    #[test]
    fn ledger_handles_over_any_core_ledger() {
        let s = setup();
        let v = verifier(&s, &VerifierOptions::default());
        let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
        let vouchers: Vec<VerifiedVoucher> = s
            .issuer
            .booklet(&spec, 3)
            .unwrap()
            .iter()
            .map(|i| v.verify(&i.token, now()).unwrap())
            .collect();
        // A handle over a core ledger the caller keeps: both see the same redemptions.
        let core = Arc::new(v::MemoryLedger::new());
        let ledger = Ledger::from_dyn(core.clone());
        let shared = ledger.clone();
        let rs: Vec<Redemption> = vouchers
            .iter()
            .enumerate()
            .map(|(i, x)| Redemption::of(x, "lyon", now() + TimeDelta::seconds(i as i64)))
            .collect();
        shared.record(&rs[1]).unwrap();
        let out = ledger.redeem_all(&rs).unwrap();
        let statuses: Vec<&str> = out.iter().map(|o| o.status).collect();
        assert_eq!(
            statuses, ["redeemed"; 3],
            "its own winner counts as redeemed"
        );
        let other = Redemption {
            venue: "gueret".into(),
            ..rs[0].clone()
        };
        let out = ledger.redeem_all(std::slice::from_ref(&other)).unwrap();
        assert_eq!((out[0].status, &out[0].winner), ("conflict", &rs[0]));
        assert_eq!(core.len(), 3);
        assert_eq!(
            ledger
                .redeem_all(&[Redemption {
                    serial: "zz".into(),
                    ..other
                }])
                .unwrap_err()
                .code,
            "malformed"
        );
        // A MemoryLedger is one too (deref), and so is its handle.
        let memory = MemoryLedger::new();
        let q = OfflineQueue::new("lyon");
        q.accept(&vouchers[0], now()).unwrap();
        assert!(q.sync(&memory.handle()).error.is_none());
        assert_eq!(memory.len(), 1);
        assert_eq!(
            Ledger::from(&memory)
                .redemption("aptic", &rs[0].serial)
                .unwrap()
                .unwrap()
                .venue,
            "lyon"
        );
        assert!(
            Ledger::default()
                .redemption("aptic", &rs[0].serial)
                .unwrap()
                .is_none()
        );
        // Registry and log handles share their store.
        let registry = VenueRegistry::new();
        let again = registry.clone();
        registry
            .put_venue(&RegisteredVenue {
                id: "lyon".into(),
                name: "Lyon".into(),
                siret: "12345678900007".into(),
                active: true,
            })
            .unwrap();
        assert_eq!(again.venues().unwrap().len(), 1);
        let log = ImportLog::new();
        assert!(log.clone().is_empty().unwrap());
    }

    #[test]
    fn offline_batches_export_import_and_settle() {
        let s = setup();
        let v = verifier(&s, &VerifierOptions::default());
        let operator = verifier(
            &s,
            &VerifierOptions {
                any_scope: true,
                ..VerifierOptions::default()
            },
        );
        let spec = VoucherSpec::pass_numerique(date(1, 1), date(12, 31));
        let cheques = s.issuer.booklet(&spec, 3).unwrap();
        let registry = VenueRegistry::new();
        let keys = [
            SecretKey::from_bytes(&[0x51; 32]).unwrap(),
            SecretKey::from_bytes(&[0x52; 32]).unwrap(),
        ];
        for (i, (id, siret)) in [("lyon", "12345678900007"), ("gueret", "44234567800019")]
            .into_iter()
            .enumerate()
        {
            let venue = RegisteredVenue {
                id: id.into(),
                name: format!("Médiathèque {id}"),
                siret: siret.into(),
                active: true,
            };
            registry.put_venue(&venue).unwrap();
            registry
                .put_key(&VenueKey {
                    venue: id.into(),
                    key_id: 1,
                    public_key: keys[i].public_key().to_bytes(),
                    active: true,
                })
                .unwrap();
            assert_eq!(registry.venue(id).unwrap(), Some(venue));
        }
        let bad = RegisteredVenue {
            id: "nantes".into(),
            name: "Nantes".into(),
            siret: "12345678900008".into(),
            active: true,
        };
        assert_eq!(registry.put_venue(&bad).unwrap_err().code, "invalid_field");
        let e = registry
            .put_key(&VenueKey {
                venue: "nantes".into(),
                key_id: 1,
                public_key: keys[0].public_key().to_bytes(),
                active: true,
            })
            .unwrap_err();
        assert_eq!((e.code, e.kind), ("unknown_venue", ErrorKind::Refused));

        let lyon = OfflineQueue::new("lyon");
        let gueret = OfflineQueue::new("gueret");
        for (q, when, which) in [(&gueret, 0, &cheques[..1]), (&lyon, 1, &cheques[..])] {
            for c in which {
                let x = v.verify(&c.token, now()).unwrap();
                q.accept_token(&c.token, &x, now() + TimeDelta::minutes(when))
                    .unwrap();
            }
        }
        let other = v.verify(&cheques[1].token, now()).unwrap();
        assert_eq!(
            lyon.accept_token(&cheques[0].token, &other, now())
                .unwrap_err()
                .code,
            "invalid_field"
        );
        // The queue survives a restart with its tokens.
        let text = lyon.export_jsonl();
        assert!(text.lines().all(|l| l.contains("\"token\"")), "{text}");
        let lyon = OfflineQueue::from_jsonl("lyon", &text).unwrap();
        assert_eq!(lyon.pending_tokens().len(), 3);
        let e = OfflineQueue::from_jsonl("lyon", "{\"token\": 3}").unwrap_err();
        assert!(e.message.starts_with("line 1: "), "{}", e.message);

        let g = gueret
            .export_batch(&keys[1].to_bytes(), 1, 1, now() + TimeDelta::hours(1))
            .unwrap();
        let l = lyon
            .export_batch(&keys[0].to_bytes(), 1, 1, now() + TimeDelta::hours(1))
            .unwrap();
        let opened = RedemptionBatch::open(&l, &keys[0].public_key().to_bytes()).unwrap();
        assert_eq!(RedemptionBatch::parse(&l).unwrap(), opened);
        assert_eq!((opened.venue.as_str(), opened.items.len()), ("lyon", 3));
        assert_eq!(
            RedemptionBatch::open(&l, &keys[1].public_key().to_bytes())
                .unwrap_err()
                .code,
            "bad_batch_signature"
        );
        assert_eq!(
            RedemptionBatch::parse(&l[1..]).unwrap_err().code,
            "batch_malformed"
        );

        let (ledger, log) = (MemoryLedger::new(), ImportLog::new());
        let later = now() + TimeDelta::hours(2);
        let gr = import_batch(&ledger, &registry, &log, &operator, &g, later).unwrap();
        let lr = import_batch(&ledger, &registry, &log, &operator, &l, later).unwrap();
        let statuses: Vec<&str> = lr.outcomes.iter().map(|o| o.status).collect();
        assert_eq!(statuses, ["conflict", "redeemed", "redeemed"]);
        let first = &lr.outcomes[0];
        assert_eq!(first.winner.as_ref().unwrap().venue, "gueret");
        assert_eq!(first.redemption.as_ref().unwrap().venue, "lyon");
        assert_eq!(first.serial, cheques[0].serial);
        assert_eq!(lr.batch_id, opened.batch_id);
        assert_eq!(
            import_batch(&ledger, &registry, &log, &operator, &l, later).unwrap(),
            lr
        );
        assert_eq!((ledger.len(), log.len().unwrap()), (3, 2));
        assert_eq!(log.report(&lr.batch_id).unwrap(), Some(lr.clone()));
        assert_eq!(log.reports().unwrap().len(), 2);
        assert_eq!(lyon.apply_outcomes(&lr.outcomes), 3);
        assert_eq!(gueret.apply_outcomes(&gr.outcomes), 1);
        assert!(lyon.is_empty() && gueret.is_empty());
        let e = import_batch(&ledger, &registry, &log, &operator, &g[..10], later).unwrap_err();
        assert_eq!((e.code, e.kind), ("batch_malformed", ErrorKind::Invalid));
        assert_eq!(batch_statuses(), ["redeemed", "conflict", "rejected"]);
    }

    #[test]
    fn stateful_objects_are_send_and_sync() {
        fn both<T: Send + Sync>() {}
        both::<VenueRegistry>();
        both::<ImportLog>();
        both::<Verifier>();
        both::<Issuer>();
        both::<MemoryLedger>();
        both::<OfflineQueue>();
        both::<TrustList>();
        both::<SecretKey>();
    }
}
