//! Vouchers on a phone: load and check a signed trust list (with its maximum age),
//! verify a scanned or typed voucher offline (one, or a batch), read short and keypad
//! codes, queue redemptions offline and export the queue for sync. Issuance and the
//! in-memory ledger are operator-side but exposed too (tests and demonstrations need
//! tokens and a ledger to sync against).
//!
//! A thin adapter over [`inclusif_core::api::voucher`]: values cross as records (keys and
//! tokens as bytes, serials as 20 lowercase hex digits, civil dates as `LocalDate`,
//! instants as `Instant`), stateful things as objects (`close()` them in Kotlin, `use {}`):
//! [`SecretKey`], [`TrustList`], [`VoucherToken`], [`VoucherVerifier`], [`Issuer`],
//! [`MemoryLedger`], [`OfflineQueue`]. Every error is an `InclusifException` of domain
//! `VOUCHER` with the core's stable code ([`voucher_error_codes`]); an integer out of its
//! Rust range (a negative kid, a value above 65535 cents) is `invalid_field`.

use std::sync::Arc;

use inclusif_core::api::voucher as api;

use crate::error::{Api, ErrorDomain, InclusifError, Result};
use crate::types::{CivilDate, Timestamp, signed, signed_usize, to_u16, to_u32, to_u64};

fn u16_field(value: i32, field: &str) -> Result<u16> {
    to_u16(value.into(), ErrorDomain::Voucher, "invalid_field", field)
}

fn core_error(e: &inclusif_core::api::Error) -> (String, String) {
    (e.code.to_owned(), e.message.clone())
}

/// Every stable error code of the voucher domain.
#[uniffi::export]
pub fn voucher_error_codes() -> Vec<String> {
    api::error_codes().into_iter().map(str::to_owned).collect()
}

/// The time zone of civil dates when a verifier names none: `Europe/Paris`.
#[uniffi::export]
pub fn voucher_default_time_zone() -> String {
    api::default_time_zone()
}

// ---- keys ----

/// An Ed25519 secret key (an issuer's or the programme root's). Wiped from memory when
/// closed; `toString()` never shows it.
#[derive(Debug, uniffi::Object)]
pub struct SecretKey {
    inner: api::SecretKey,
}

#[uniffi::export]
impl SecretKey {
    /// A new key from the operating system's CSPRNG.
    #[uniffi::constructor]
    pub fn generate() -> Arc<Self> {
        Arc::new(SecretKey {
            inner: api::SecretKey::generate(),
        })
    }

    /// A key from its 32-byte seed (`invalid_key` for another length).
    #[uniffi::constructor]
    pub fn from_bytes(seed: Vec<u8>) -> Result<Arc<Self>> {
        let inner = api::SecretKey::from_bytes(&seed).api()?;
        Ok(Arc::new(SecretKey { inner }))
    }

    /// A key from 64 hex digits of seed (`invalid_key` otherwise).
    #[uniffi::constructor]
    pub fn from_hex(text: String) -> Result<Arc<Self>> {
        let inner = api::SecretKey::from_hex(&text).api()?;
        Ok(Arc::new(SecretKey { inner }))
    }

    /// The 32-byte seed. Handle with care: the copy is the caller's to wipe.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// The seed as 64 lowercase hex digits. Handle with care.
    pub fn to_hex(&self) -> String {
        self.inner.to_hex()
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_bytes()
    }

    /// The public key as 64 lowercase hex digits.
    pub fn public_key_hex(&self) -> String {
        self.inner.public_key().to_hex()
    }
}

/// A public key's 32 bytes from 64 hex digits, checked: `invalid_key` for text or bytes
/// that are not a canonical point, `weak_key` for a weak one.
#[uniffi::export]
pub fn voucher_public_key_from_hex(text: String) -> Result<Vec<u8>> {
    Ok(api::PublicKey::from_hex(&text).api()?.to_bytes())
}

/// A public key's 64 hex digits from its 32 bytes, checked (`invalid_key`, `weak_key`).
#[uniffi::export]
pub fn voucher_public_key_to_hex(public_key: Vec<u8>) -> Result<String> {
    Ok(api::PublicKey::from_bytes(&public_key).api()?.to_hex())
}

// ---- trust lists ----

/// A key's status in a trust list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum KeyStatus {
    /// The key signs valid vouchers.
    Active,
    /// Every voucher of the key is refused (`revoked_key`).
    Revoked,
}

impl KeyStatus {
    fn name(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Revoked => "revoked",
        }
    }

    fn parse(name: &str) -> Result<Self> {
        match name {
            "active" => Ok(KeyStatus::Active),
            "revoked" => Ok(KeyStatus::Revoked),
            other => Err(InclusifError::invalid(
                ErrorDomain::Voucher,
                "trust_list_malformed",
                format!("status: {other:?} is neither active nor revoked"),
            )),
        }
    }
}

/// One key of a trust list: who signs, within which limits.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustEntry {
    /// Key id (1..=65535).
    pub kid: i32,
    /// The issuer's registry identifier (`a-z`, `0-9`, `-`, `_`, `.`; 1..=64 bytes).
    pub issuer: String,
    /// The 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    /// Active or revoked.
    pub status: KeyStatus,
    /// First day of the key's signing window; 2000-01-01 for no limit.
    pub window_from: CivilDate,
    /// Last day of the signing window (inclusive); 2179-06-06 for no limit.
    pub window_until: CivilDate,
    /// Highest face value the key may sign, in cents (0..=65535).
    #[uniffi(default = 65535)]
    pub max_value_cents: i32,
    /// Scopes the key may sign; empty for any scope.
    #[uniffi(default)]
    pub scopes: Vec<i32>,
}

impl From<api::TrustEntry> for TrustEntry {
    fn from(e: api::TrustEntry) -> Self {
        TrustEntry {
            kid: e.kid.into(),
            issuer: e.issuer,
            public_key: e.public_key,
            // The facade only writes the two names it reads.
            status: KeyStatus::parse(&e.status).unwrap_or(KeyStatus::Revoked),
            window_from: e.window_from,
            window_until: e.window_until,
            max_value_cents: e.max_value_cents.into(),
            scopes: e.scopes.into_iter().map(i32::from).collect(),
        }
    }
}

impl TrustEntry {
    fn to_api(&self) -> Result<api::TrustEntry> {
        Ok(api::TrustEntry {
            kid: u16_field(self.kid, "kid")?,
            issuer: self.issuer.clone(),
            public_key: self.public_key.clone(),
            status: self.status.name().to_owned(),
            window_from: self.window_from,
            window_until: self.window_until,
            max_value_cents: u16_field(self.max_value_cents, "max_value_cents")?,
            scopes: self
                .scopes
                .iter()
                .map(|&s| u16_field(s, "scopes"))
                .collect::<Result<_>>()?,
        })
    }
}

/// An active key with no signing window, no value limit and any scope.
#[uniffi::export]
pub fn unrestricted_trust_entry(
    kid: i32,
    issuer: String,
    public_key: Vec<u8>,
) -> Result<TrustEntry> {
    let key = api::PublicKey::from_bytes(&public_key).api()?;
    let kid = u16_field(kid, "kid")?;
    Ok(api::TrustEntry::unrestricted(kid, &issuer, key).into())
}

/// A programme's trust list: which keys may sign vouchers within which limits, its
/// sequence number and maximum age. Immutable.
#[derive(Debug, uniffi::Object)]
pub struct TrustList {
    inner: api::TrustList,
}

#[uniffi::export]
impl TrustList {
    /// Builds a list to sign (operator side): `trust_list_malformed` for a sequence or
    /// maximum age of 0, an entry that breaks its rules, or a kid twice. `issued_at` is
    /// kept to the second.
    #[uniffi::constructor]
    pub fn new(
        sequence: i64,
        issued_at: Timestamp,
        max_age_seconds: i64,
        entries: Vec<TrustEntry>,
    ) -> Result<Arc<Self>> {
        let sequence = to_u64(sequence, ErrorDomain::Voucher, "invalid_field", "sequence")?;
        let max_age = to_u32(
            max_age_seconds,
            ErrorDomain::Voucher,
            "invalid_field",
            "max_age_seconds",
        )?;
        let entries = entries
            .iter()
            .map(TrustEntry::to_api)
            .collect::<Result<Vec<_>>>()?;
        let inner = api::TrustList::new(sequence, issued_at, max_age, &entries).api()?;
        Ok(Arc::new(TrustList { inner }))
    }

    /// Opens signed bytes with the programme's root public key (32 bytes): the signature
    /// first (`trust_list_bad_signature`), then every field (`trust_list_malformed`,
    /// `weak_key`, `invalid_key`). Freshness is not checked: see `load`.
    #[uniffi::constructor]
    pub fn open(bytes: Vec<u8>, root_key: Vec<u8>) -> Result<Arc<Self>> {
        let inner = api::TrustList::open(&bytes, &root_key).api()?;
        Ok(Arc::new(TrustList { inner }))
    }

    /// What a venue's device does with a cached or downloaded list: `open` it, then
    /// refuse it with `trust_list_expired` when it is older than its maximum age at `now`.
    #[uniffi::constructor]
    pub fn load(bytes: Vec<u8>, root_key: Vec<u8>, now: Timestamp) -> Result<Arc<Self>> {
        let inner = api::TrustList::load(&bytes, &root_key, now).api()?;
        Ok(Arc::new(TrustList { inner }))
    }

    /// The signed, distributable bytes, signed with the root secret key.
    pub fn sign(&self, root_secret: Arc<SecretKey>) -> Result<Vec<u8>> {
        self.inner.sign(&root_secret.inner.to_bytes()).api()
    }

    /// The sequence number (a verifier never goes back to a lower one).
    pub fn sequence(&self) -> i64 {
        signed(self.inner.sequence())
    }

    /// When the list was issued (to the second).
    pub fn issued_at(&self) -> Timestamp {
        self.inner.issued_at()
    }

    /// The maximum age, in seconds.
    pub fn max_age_seconds(&self) -> i64 {
        self.inner.max_age_seconds().into()
    }

    /// The instant after which verification with this list fails closed.
    pub fn expires_at(&self) -> Timestamp {
        self.inner.expires_at()
    }

    /// Throws `trust_list_expired` when `now` is past `expiresAt()`.
    pub fn check_fresh(&self, now: Timestamp) -> Result<()> {
        self.inner.check_fresh(now).api()
    }

    /// Whether the list is still usable at `now`.
    pub fn is_fresh(&self, now: Timestamp) -> bool {
        self.inner.is_fresh(now)
    }

    /// The entries, by ascending kid.
    pub fn entries(&self) -> Vec<TrustEntry> {
        self.inner
            .entries()
            .into_iter()
            .map(TrustEntry::from)
            .collect()
    }

    /// The entry of a key id, or null when the list does not hold it.
    pub fn entry(&self, kid: i32) -> Option<TrustEntry> {
        u16::try_from(kid)
            .ok()
            .and_then(|k| self.inner.entry(k))
            .map(TrustEntry::from)
    }

    /// How many keys.
    pub fn size(&self) -> i64 {
        signed(self.inner.len())
    }
}

// ---- tokens and codes ----

/// A token of format v1 whose length and version are right: nothing about it is
/// trusted yet (its fields are read as written); a [`VoucherVerifier`] says whether it
/// is genuine and valid.
#[derive(Debug, uniffi::Object)]
pub struct VoucherToken {
    inner: api::Token,
}

#[uniffi::export]
impl VoucherToken {
    /// The strict text (136 Crockford Base32 characters) or the `PN1:` QR payload
    /// (`malformed`, `unsupported_version`).
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>> {
        let inner = api::Token::parse_strict(&text).api()?;
        Ok(Arc::new(VoucherToken { inner }))
    }

    /// Text typed by a person: spaces, tabs and `-` dropped, case, `O` (zero) and `I`/`L`
    /// (one) forgiven.
    #[uniffi::constructor]
    pub fn parse_typed(text: String) -> Result<Arc<Self>> {
        let inner = api::Token::parse_human(&text).api()?;
        Ok(Arc::new(VoucherToken { inner }))
    }

    /// The 85 raw bytes.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> {
        let inner = api::Token::from_bytes(&bytes).api()?;
        Ok(Arc::new(VoucherToken { inner }))
    }

    /// The 85 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
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
    pub fn kid(&self) -> i32 {
        self.inner.kid().into()
    }

    /// The serial as written, 20 lowercase hex digits.
    pub fn serial(&self) -> String {
        self.inner.serial()
    }

    /// The face value in cents as written.
    pub fn value_cents(&self) -> i32 {
        self.inner.value_cents().into()
    }

    /// `valid_from` as written.
    pub fn valid_from(&self) -> CivilDate {
        self.inner.valid_from()
    }

    /// `valid_until` as written.
    pub fn valid_until(&self) -> CivilDate {
        self.inner.valid_until()
    }

    /// The scope as written (0: national).
    pub fn scope(&self) -> i32 {
        self.inner.scope().into()
    }

    /// The serial's short code, `XXXX-XXXX-XXXX-XXXX-C`.
    pub fn short_code(&self) -> String {
        self.inner.short_code()
    }

    /// The serial's keypad code: 26 digits in groups of 5.
    pub fn keypad_code(&self) -> String {
        self.inner.keypad_code()
    }
}

/// The short code of a serial (20 hex digits): `XXXX-XXXX-XXXX-XXXX-C` (`malformed`).
#[uniffi::export]
pub fn voucher_short_code(serial: String) -> Result<String> {
    api::short_code(&serial).api()
}

/// The keypad code of a serial: 25 digits and a Damm check digit, in groups of 5.
#[uniffi::export]
pub fn voucher_keypad_code(serial: String) -> Result<String> {
    api::keypad_code(&serial).api()
}

/// The serial of a short code as typed (`malformed`, `bad_check_character`).
#[uniffi::export]
pub fn parse_short_code(text: String) -> Result<String> {
    api::parse_short_code(&text).api()
}

/// The serial of a keypad code as typed (spaces and hyphens allowed).
#[uniffi::export]
pub fn parse_keypad_code(text: String) -> Result<String> {
    api::parse_keypad_code(&text).api()
}

/// The serial of a short code or a keypad code, whichever the text is (what a venue
/// reads out over the phone).
#[uniffi::export]
pub fn parse_phone_code(text: String) -> Result<String> {
    api::parse_phone_code(&text).api()
}

/// The normalisation applied to typed tokens and codes: spaces, tabs and `-` dropped,
/// upper case, `O` read as `0`, `I` and `L` as `1` (`U` is `malformed`).
#[uniffi::export]
pub fn normalize_typed_code(text: String) -> Result<String> {
    api::normalize_human(&text).api()
}

/// A fresh random serial (80 bits from the OS CSPRNG), as 20 hex digits.
#[uniffi::export]
pub fn random_voucher_serial() -> String {
    api::random_serial()
}

// ---- verification ----

/// A voucher whose every check passed: genuine, valid today, acceptable here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct VerifiedVoucher {
    /// The issuer's registry identifier (from the trust list).
    pub issuer: String,
    /// Key id.
    pub kid: i32,
    /// Serial, 20 lowercase hex digits.
    pub serial: String,
    /// The serial's short code.
    pub short_code: String,
    /// The serial's keypad code.
    pub keypad_code: String,
    /// Face value in cents.
    pub value_cents: i32,
    /// First valid civil date.
    pub valid_from: CivilDate,
    /// Last valid civil date (inclusive).
    pub valid_until: CivilDate,
    /// Scope (0: national).
    pub scope: i32,
}

impl From<api::VerifiedVoucher> for VerifiedVoucher {
    fn from(v: api::VerifiedVoucher) -> Self {
        VerifiedVoucher {
            issuer: v.issuer,
            kid: v.kid.into(),
            serial: v.serial,
            short_code: v.short_code,
            keypad_code: v.keypad_code,
            value_cents: v.value_cents.into(),
            valid_from: v.valid_from,
            valid_until: v.valid_until,
            scope: v.scope.into(),
        }
    }
}

impl VerifiedVoucher {
    fn to_api(&self) -> Result<api::VerifiedVoucher> {
        Ok(api::VerifiedVoucher {
            issuer: self.issuer.clone(),
            kid: u16_field(self.kid, "kid")?,
            serial: self.serial.clone(),
            short_code: self.short_code.clone(),
            keypad_code: self.keypad_code.clone(),
            value_cents: u16_field(self.value_cents, "value_cents")?,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            scope: u16_field(self.scope, "scope")?,
        })
    }
}

/// How a [`VoucherVerifier`] is set up besides its trust list. Every field has a
/// default: `VoucherVerifierOptions()` is a national verifier in Europe/Paris.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct VoucherVerifierOptions {
    /// The venue's IANA time zone for civil dates; null: Europe/Paris.
    #[uniffi(default)]
    pub time_zone: Option<String>,
    /// Scopes accepted besides national vouchers.
    #[uniffi(default)]
    pub scopes: Vec<i32>,
    /// Accept every scope (an operator's server, not a venue).
    #[uniffi(default = false)]
    pub any_scope: bool,
    /// Serials refused with `revoked_serial`: 20 hex digits, or a short or keypad code.
    #[uniffi(default)]
    pub revoked_serials: Vec<String>,
}

/// One verdict of a batch: the voucher, or the error's code and message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VoucherVerdict {
    /// The item's position in the batch (0-based).
    pub index: i64,
    /// The voucher, when every check passed.
    pub voucher: Option<VerifiedVoucher>,
    /// The stable error code, when refused.
    pub error_code: Option<String>,
    /// The error message, when refused.
    pub error_message: Option<String>,
}

fn verdicts(results: Vec<inclusif_core::api::Result<api::VerifiedVoucher>>) -> Vec<VoucherVerdict> {
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            Ok(v) => VoucherVerdict {
                index: signed_usize(i),
                voucher: Some(v.into()),
                error_code: None,
                error_message: None,
            },
            Err(e) => {
                let (code, message) = core_error(&e);
                VoucherVerdict {
                    index: signed_usize(i),
                    voucher: None,
                    error_code: Some(code),
                    error_message: Some(message),
                }
            }
        })
        .collect()
}

/// Verifies vouchers offline against a trust list, in a time zone, for a set of scopes.
/// Checks run in a fixed order and the first failure is thrown (`trust_list_expired`,
/// `malformed`, `unknown_key`, `bad_signature`, `expired`, …). Thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct VoucherVerifier {
    inner: api::Verifier,
}

#[uniffi::export]
impl VoucherVerifier {
    /// A verifier over a trust list: `invalid_field` for an unknown time zone or a scope
    /// out of range, `malformed` or `bad_check_character` for a revoked serial that is
    /// none.
    #[uniffi::constructor]
    pub fn new(trust_list: Arc<TrustList>, options: VoucherVerifierOptions) -> Result<Arc<Self>> {
        let options = api::VerifierOptions {
            time_zone: options.time_zone,
            scopes: options
                .scopes
                .into_iter()
                .map(|s| u16_field(s, "scopes"))
                .collect::<Result<_>>()?,
            any_scope: options.any_scope,
            revoked_serials: options.revoked_serials,
        };
        let inner = api::Verifier::new(&trust_list.inner, &options).api()?;
        Ok(Arc::new(VoucherVerifier { inner }))
    }

    /// The time zone of civil dates (IANA name).
    pub fn time_zone(&self) -> String {
        self.inner.time_zone()
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> Arc<TrustList> {
        Arc::new(TrustList {
            inner: self.inner.trust_list(),
        })
    }

    /// Replaces the trust list with a newer one (a fresh download): a lower sequence
    /// number, or the same number with other content, is `trust_list_rollback`; the same
    /// list is a no-op.
    pub fn replace_trust_list(&self, newer: Arc<TrustList>) -> Result<()> {
        self.inner.replace_trust_list(&newer.inner).api()
    }

    /// Verifies the strict text or the `PN1:` QR payload (what a scanner reads) at `now`.
    pub fn verify(&self, text: String, now: Timestamp) -> Result<VerifiedVoucher> {
        Ok(self.inner.verify_text(&text, now).api()?.into())
    }

    /// Verifies a token typed by a person at `now`.
    pub fn verify_typed(&self, text: String, now: Timestamp) -> Result<VerifiedVoucher> {
        Ok(self.inner.verify_human(&text, now).api()?.into())
    }

    /// Verifies 85 raw bytes at `now`.
    pub fn verify_bytes(&self, bytes: Vec<u8>, now: Timestamp) -> Result<VerifiedVoucher> {
        Ok(self.inner.verify_bytes(&bytes, now).api()?.into())
    }

    /// Verifies a parsed token at `now`.
    pub fn verify_token(
        &self,
        token: Arc<VoucherToken>,
        now: Timestamp,
    ) -> Result<VerifiedVoucher> {
        Ok(self.inner.verify(&token.inner, now).api()?.into())
    }

    /// Verifies many texts (strict, or typed when `typed`) as one batch: one verdict per
    /// text, in order, the same as one by one, several times faster. A refused text is a
    /// verdict, never thrown.
    #[uniffi::method(default(typed = false))]
    pub fn verify_batch(
        &self,
        texts: Vec<String>,
        now: Timestamp,
        typed: bool,
    ) -> Vec<VoucherVerdict> {
        verdicts(self.inner.verify_batch(&texts, now, typed))
    }

    /// Verifies many raw 85-byte tokens as one batch, one verdict each, in order.
    pub fn verify_batch_bytes(&self, tokens: Vec<Vec<u8>>, now: Timestamp) -> Vec<VoucherVerdict> {
        verdicts(self.inner.verify_batch_bytes(&tokens, now))
    }
}

// ---- issuance ----

/// What a voucher carries: validity window (civil dates, inclusive, at most 1100 days),
/// face value (default 1000 cents, the Pass numérique's 10 € cheque) and scope (default 0,
/// national).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VoucherSpec {
    /// First valid civil date.
    pub valid_from: CivilDate,
    /// Last valid civil date (inclusive).
    pub valid_until: CivilDate,
    /// Face value in cents (1..=65535).
    #[uniffi(default = 1000)]
    pub value_cents: i32,
    /// Scope (0: national).
    #[uniffi(default = 0)]
    pub scope: i32,
}

impl VoucherSpec {
    fn to_api(&self) -> Result<api::VoucherSpec> {
        Ok(api::VoucherSpec {
            value_cents: u16_field(self.value_cents, "value_cents")?,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            scope: u16_field(self.scope, "scope")?,
        })
    }
}

/// One issued voucher: its token in every form, with its printed codes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssuedVoucher {
    /// Its serial, 20 hex digits.
    pub serial: String,
    /// The strict text (136 characters).
    pub text: String,
    /// The QR payload (`PN1:` and the text).
    pub qr_payload: String,
    /// The 85 raw bytes.
    pub bytes: Vec<u8>,
    /// The serial's short code, for checks by phone.
    pub short_code: String,
    /// The serial's keypad code.
    pub keypad_code: String,
}

impl From<api::IssuedVoucher> for IssuedVoucher {
    fn from(x: api::IssuedVoucher) -> Self {
        IssuedVoucher {
            text: x.token.to_text(),
            qr_payload: x.token.to_qr_payload(),
            bytes: x.token.to_bytes(),
            serial: x.serial,
            short_code: x.short_code,
            keypad_code: x.keypad_code,
        }
    }
}

/// An issuer's signing key with its registry key id (operator side). Immutable.
#[derive(Debug, uniffi::Object)]
pub struct Issuer {
    inner: api::Issuer,
}

#[uniffi::export]
impl Issuer {
    /// An issuer from its key id (1..=65535) and secret key.
    #[uniffi::constructor]
    pub fn new(kid: i32, secret_key: Arc<SecretKey>) -> Result<Arc<Self>> {
        let inner = api::Issuer::new(u16_field(kid, "kid")?, &secret_key.inner.to_bytes()).api()?;
        Ok(Arc::new(Issuer { inner }))
    }

    /// An issuer with a fresh key from the OS CSPRNG (its secret is never shown: for
    /// tests and demonstrations).
    #[uniffi::constructor]
    pub fn generate(kid: i32) -> Result<Arc<Self>> {
        let inner = api::Issuer::generate(u16_field(kid, "kid")?).api()?;
        Ok(Arc::new(Issuer { inner }))
    }

    /// The key id.
    pub fn kid(&self) -> i32 {
        self.inner.kid().into()
    }

    /// The 32-byte public key to list in the trust list.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_bytes()
    }

    /// Signs one voucher, with the given serial (20 hex digits) or a fresh random one.
    #[uniffi::method(default(serial = None))]
    pub fn issue(&self, spec: VoucherSpec, serial: Option<String>) -> Result<IssuedVoucher> {
        Ok(self
            .inner
            .issue(&spec.to_api()?, serial.as_deref())
            .api()?
            .into())
    }

    /// A booklet (carnet) of `cheques` vouchers with distinct random serials (default 10).
    #[uniffi::method(default(cheques = 10))]
    pub fn booklet(&self, spec: VoucherSpec, cheques: i32) -> Result<Vec<IssuedVoucher>> {
        let cheques = u16_field(cheques, "cheques")?;
        Ok(self
            .inner
            .booklet(&spec.to_api()?, cheques)
            .api()?
            .into_iter()
            .map(IssuedVoucher::from)
            .collect())
    }

    /// A print run of `count` vouchers with distinct random serials, in a stable order.
    pub fn print_run(&self, spec: VoucherSpec, count: i64) -> Result<Vec<IssuedVoucher>> {
        let count = to_u64(count, ErrorDomain::Voucher, "invalid_field", "count")?;
        Ok(self
            .inner
            .print_run(&spec.to_api()?, count, &mut |_, _| {})
            .api()?
            .into_iter()
            .map(IssuedVoucher::from)
            .collect())
    }
}

// ---- redemption ----

/// A recorded (or queued) redemption.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Redemption {
    /// The issuer (trust list identifier).
    pub issuer: String,
    /// The serial, 20 hex digits.
    pub serial: String,
    /// The key id that signed the redeemed token.
    pub kid: i32,
    /// Face value in cents.
    pub value_cents: i32,
    /// The venue that accepted the cheque.
    pub venue: String,
    /// When the venue accepted it.
    pub at: Timestamp,
}

impl From<api::Redemption> for Redemption {
    fn from(r: api::Redemption) -> Self {
        Redemption {
            issuer: r.issuer,
            serial: r.serial,
            kid: r.kid.into(),
            value_cents: r.value_cents.into(),
            venue: r.venue,
            at: r.at,
        }
    }
}

impl Redemption {
    fn to_api(&self) -> Result<api::Redemption> {
        Ok(api::Redemption {
            issuer: self.issuer.clone(),
            serial: self.serial.clone(),
            kid: u16_field(self.kid, "kid")?,
            value_cents: u16_field(self.value_cents, "value_cents")?,
            venue: self.venue.clone(),
            at: self.at,
        })
    }
}

/// The redemption of a verified voucher at a venue and instant (not recorded anywhere).
#[uniffi::export]
pub fn redemption_of(voucher: VerifiedVoucher, venue: String, at: Timestamp) -> Result<Redemption> {
    Ok(api::Redemption::of(&voucher.to_api()?, &venue, at).into())
}

/// One JSON object (one line of `OfflineQueue.exportJsonl()`).
#[uniffi::export]
pub fn redemption_to_json(redemption: Redemption) -> Result<String> {
    Ok(redemption.to_api()?.to_json())
}

/// Reads one JSON object written by [`redemption_to_json`]: `invalid_field` when it is
/// not one, `malformed` for a bad serial.
#[uniffi::export]
pub fn redemption_from_json(text: String) -> Result<Redemption> {
    Ok(api::Redemption::from_json(&text).api()?.into())
}

/// A thread-safe in-memory ledger (operator side): each serial is redeemed at most once
/// per issuer.
#[derive(Debug, Default, uniffi::Object)]
pub struct MemoryLedger {
    inner: api::MemoryLedger,
}

#[uniffi::export]
impl MemoryLedger {
    /// An empty ledger.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Redeems a verified voucher at a venue: the redemption, or `already_redeemed`
    /// naming the first venue and time.
    pub fn redeem(
        &self,
        voucher: VerifiedVoucher,
        venue: String,
        at: Timestamp,
    ) -> Result<Redemption> {
        Ok(self
            .inner
            .redeem(&voucher.to_api()?, &venue, at)
            .api()?
            .into())
    }

    /// Records a redemption made elsewhere (a synced device, an import).
    pub fn record(&self, redemption: Redemption) -> Result<Redemption> {
        Ok(self.inner.record(&redemption.to_api()?).api()?.into())
    }

    /// The redemption of an issuer's serial, or null (`malformed` for a bad serial).
    pub fn redemption(&self, issuer: String, serial: String) -> Result<Option<Redemption>> {
        Ok(self
            .inner
            .redemption(&issuer, &serial)
            .api()?
            .map(Redemption::from))
    }

    /// Every redemption, by time, then issuer and serial.
    pub fn redemptions(&self) -> Vec<Redemption> {
        self.inner
            .redemptions()
            .into_iter()
            .map(Redemption::from)
            .collect()
    }

    /// How many redemptions.
    pub fn size(&self) -> i64 {
        signed(self.inner.len())
    }
}

/// What happened to one queued redemption at sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SyncStatus {
    /// This redemption counts.
    Redeemed,
    /// Another redemption of the same serial reached the ledger first.
    Conflict,
}

/// The outcome of one queued redemption at sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncOutcome {
    /// Redeemed or conflict.
    pub status: SyncStatus,
    /// The redemption this device queued.
    pub queued: Redemption,
    /// The one that counts: `queued` itself when redeemed.
    pub winner: Redemption,
}

/// The result of `OfflineQueue.sync`: the outcomes so far and, when the ledger failed,
/// its error (the unsettled items stay queued; syncing again is safe).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// One outcome per settled item, in queue order.
    pub outcomes: Vec<SyncOutcome>,
    /// The ledger's error code, when the sync stopped early.
    pub error_code: Option<String>,
    /// The ledger's error message, when the sync stopped early.
    pub error_message: Option<String>,
}

/// A venue device's queue of redemptions accepted offline, synced later: the first
/// redemption to reach the ledger wins, later ones come back as conflicts. Thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct OfflineQueue {
    inner: api::OfflineQueue,
}

#[uniffi::export]
impl OfflineQueue {
    /// An empty queue for a venue.
    #[uniffi::constructor]
    pub fn new(venue: String) -> Arc<Self> {
        Arc::new(OfflineQueue {
            inner: api::OfflineQueue::new(&venue),
        })
    }

    /// A queue restored from its pending redemptions (saved with `pending()`):
    /// `invalid_field` for a redemption of another venue, `already_redeemed` for a
    /// serial queued twice.
    #[uniffi::constructor]
    pub fn restore(venue: String, pending: Vec<Redemption>) -> Result<Arc<Self>> {
        let pending = pending
            .iter()
            .map(Redemption::to_api)
            .collect::<Result<Vec<_>>>()?;
        let inner = api::OfflineQueue::restore(&venue, &pending).api()?;
        Ok(Arc::new(OfflineQueue { inner }))
    }

    /// A queue restored from `exportJsonl()` text (blank lines skipped); errors name the
    /// line.
    #[uniffi::constructor]
    pub fn from_jsonl(venue: String, text: String) -> Result<Arc<Self>> {
        let inner = api::OfflineQueue::from_jsonl(&venue, &text).api()?;
        Ok(Arc::new(OfflineQueue { inner }))
    }

    /// The venue.
    pub fn venue(&self) -> String {
        self.inner.venue()
    }

    /// Accepts a verified voucher offline: `already_redeemed` when this device already
    /// accepted the same serial.
    pub fn accept(&self, voucher: VerifiedVoucher, at: Timestamp) -> Result<Redemption> {
        Ok(self.inner.accept(&voucher.to_api()?, at).api()?.into())
    }

    /// The redemptions waiting for sync, in the order they were accepted.
    pub fn pending(&self) -> Vec<Redemption> {
        self.inner
            .pending()
            .into_iter()
            .map(Redemption::from)
            .collect()
    }

    /// The pending redemptions as JSON Lines (one object a line, each ended by `\n`), to
    /// send to the operator or save across restarts.
    pub fn export_jsonl(&self) -> String {
        self.inner.export_jsonl()
    }

    /// How many redemptions wait.
    pub fn size(&self) -> i64 {
        signed(self.inner.len())
    }

    /// Sends the queue to the ledger, in order; settled items leave the queue.
    pub fn sync(&self, ledger: Arc<MemoryLedger>) -> SyncReport {
        let report = self.inner.sync(&ledger.inner);
        let (error_code, error_message) = match report.error.as_ref().map(core_error) {
            Some((c, m)) => (Some(c), Some(m)),
            None => (None, None),
        };
        SyncReport {
            outcomes: report
                .outcomes
                .into_iter()
                .map(|o| SyncOutcome {
                    status: if o.status == "redeemed" {
                        SyncStatus::Redeemed
                    } else {
                        SyncStatus::Conflict
                    },
                    queued: o.queued.into(),
                    winner: o.winner.into(),
                })
                .collect(),
            error_code,
            error_message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn a_phone_loads_verifies_queues_and_syncs() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
        let root = SecretKey::from_bytes(vec![0xa0; 32]).unwrap();
        let issuer = Issuer::new(7, SecretKey::from_bytes(vec![7; 32]).unwrap()).unwrap();
        let entry = unrestricted_trust_entry(7, "aptic".into(), issuer.public_key()).unwrap();
        assert_eq!(
            (entry.status, entry.max_value_cents),
            (KeyStatus::Active, 65535)
        );
        let signed = TrustList::new(1, now, 86_400, vec![entry])
            .unwrap()
            .sign(root.clone())
            .unwrap();
        let list = TrustList::load(signed.clone(), root.public_key(), now).unwrap();
        assert_eq!((list.sequence(), list.size()), (1, 1));
        let verifier = VoucherVerifier::new(list, VoucherVerifierOptions::default()).unwrap();
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let spec = VoucherSpec {
            valid_from: date(1, 1),
            valid_until: date(12, 31),
            value_cents: 1000,
            scope: 0,
        };
        let cheque = issuer.issue(spec, None).unwrap();
        let v = verifier.verify(cheque.qr_payload.clone(), now).unwrap();
        assert_eq!((v.issuer.as_str(), v.value_cents), ("aptic", 1000));
        let queue = OfflineQueue::new("venue-lyon-01".into());
        queue.accept(v.clone(), now).unwrap();
        let e = queue.accept(v.clone(), now).unwrap_err();
        assert_eq!(e.error_code(), "already_redeemed");
        assert_eq!(queue.export_jsonl().lines().count(), 1);
        let ledger = MemoryLedger::new();
        let report = queue.sync(ledger.clone());
        assert_eq!(report.outcomes[0].status, SyncStatus::Redeemed);
        assert_eq!((ledger.size(), queue.size()), (1, 0));
        let bad = VoucherVerifierOptions {
            scopes: vec![-1],
            ..VoucherVerifierOptions::default()
        };
        let list = TrustList::open(signed, root.public_key()).unwrap();
        let e = VoucherVerifier::new(list, bad).unwrap_err();
        assert_eq!(e.error_code(), "invalid_field");
        assert!(voucher_error_codes().contains(&"already_redeemed".to_owned()));
    }
}
