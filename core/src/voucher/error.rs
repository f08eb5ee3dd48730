//! The voucher domain's one error type, with stable snake_case codes.

use chrono::{DateTime, NaiveDate, Utc};

/// Everything that can go wrong with a voucher, a trust list or a redemption.
///
/// Each variant has a stable snake_case [`code`](VoucherError::code) that the bindings,
/// the command line and the conformance vectors use; the message names the field and
/// the rule that failed. Codes never change meaning; new ones may be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VoucherError {
    /// Wrong length, a character outside the alphabet, or a wrong prefix.
    #[error("{field}: {rule}")]
    Malformed {
        /// The part of the input at fault (`token`, `short_code`, `keypad_code`, …).
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// The version byte is not 0x01.
    #[error("version: 0x{version:02x} is not a supported token version (only 0x01 is)")]
    UnsupportedVersion {
        /// The version byte read.
        version: u8,
    },
    /// The key id is not in the trust list.
    #[error("kid: key {kid} is not in the trust list")]
    UnknownKey {
        /// The key id read from the token.
        kid: u16,
    },
    /// The key id is in the trust list, marked revoked.
    #[error("kid: key {kid} is revoked in the trust list")]
    RevokedKey {
        /// The key id read from the token.
        kid: u16,
    },
    /// The Ed25519 signature does not verify (strict rules) under the key.
    #[error("signature: does not verify under key {kid} (Ed25519, strict)")]
    BadSignature {
        /// The key id read from the token.
        kid: u16,
    },
    /// A field breaks its rule (value 0, window reversed or too long, kid 0, …).
    #[error("{field}: {rule}")]
    InvalidField {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// Today's civil date, in the verifier's time zone, is before `valid_from`.
    #[error("valid_from: the voucher is valid from {valid_from}; today is {today} in {time_zone}")]
    NotYetValid {
        /// First valid civil date.
        valid_from: NaiveDate,
        /// The civil date at the verification instant.
        today: NaiveDate,
        /// The IANA time zone of the verifier.
        time_zone: String,
    },
    /// Today's civil date, in the verifier's time zone, is after `valid_until`.
    #[error(
        "valid_until: the voucher was valid until {valid_until}; today is {today} in {time_zone}"
    )]
    Expired {
        /// Last valid civil date (inclusive).
        valid_until: NaiveDate,
        /// The civil date at the verification instant.
        today: NaiveDate,
        /// The IANA time zone of the verifier.
        time_zone: String,
    },
    /// `valid_from` falls outside the signing window that the trust list gives the key.
    #[error(
        "valid_from: {valid_from} is outside key {kid}'s signing window {window_from}..={window_until}"
    )]
    OutsideKeyWindow {
        /// The key id.
        kid: u16,
        /// The token's first valid date.
        valid_from: NaiveDate,
        /// First day of the key's window.
        window_from: NaiveDate,
        /// Last day of the key's window (inclusive).
        window_until: NaiveDate,
    },
    /// The face value exceeds the key's maximum.
    #[error("value_cents: {value_cents} is above key {kid}'s limit of {max_value_cents}")]
    ValueAboveKeyLimit {
        /// The key id.
        kid: u16,
        /// The token's value.
        value_cents: u16,
        /// The key's maximum.
        max_value_cents: u16,
    },
    /// The trust list does not allow this key to sign vouchers of this scope.
    #[error("scope: key {kid} may not sign vouchers of scope {scope}")]
    ScopeNotAllowedForKey {
        /// The key id.
        kid: u16,
        /// The token's scope.
        scope: u16,
    },
    /// The verifier accepts national vouchers and its own scopes; this is neither.
    #[error(
        "scope: {scope} is not accepted here (national vouchers and the configured scopes are)"
    )]
    ScopeNotAccepted {
        /// The token's scope.
        scope: u16,
    },
    /// The serial is on the verifier's revocation list.
    #[error("serial: {serial} is revoked")]
    RevokedSerial {
        /// The serial, as 20 lowercase hex digits.
        serial: String,
    },
    /// The serial was already redeemed for this issuer.
    #[error("serial: {serial} was already redeemed at venue {venue} on {at}")]
    AlreadyRedeemed {
        /// The serial, as 20 lowercase hex digits.
        serial: String,
        /// The venue of the first redemption.
        venue: String,
        /// The instant of the first redemption.
        at: DateTime<Utc>,
    },
    /// A short code or keypad code fails its check character.
    #[error(
        "{field}: the check character does not match (a character is mistyped or two are swapped)"
    )]
    BadCheckCharacter {
        /// `short_code` or `keypad_code`.
        field: &'static str,
    },
    /// A trust list's bytes break the format.
    #[error("trust_list.{field}: {rule}")]
    TrustListMalformed {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// A trust list's signature does not verify under the root key.
    #[error("trust_list.signature: does not verify under the programme root key")]
    TrustListBadSignature,
    /// The trust list is older than its maximum age: verification fails closed.
    #[error(
        "trust_list.issued_at: the list issued at {issued_at} expired at {expires_at}; refresh it (now {now})"
    )]
    TrustListExpired {
        /// When the list was issued.
        issued_at: DateTime<Utc>,
        /// When it stopped being usable.
        expires_at: DateTime<Utc>,
        /// The verification instant.
        now: DateTime<Utc>,
    },
    /// A trust list older than (or conflicting with) the one already loaded.
    #[error(
        "trust_list.sequence: {offered} does not follow the loaded list's {current} (a verifier never goes back)"
    )]
    TrustListRollback {
        /// Sequence number of the loaded list.
        current: u64,
        /// Sequence number of the offered list.
        offered: u64,
    },
    /// A public key is weak (small order or with a torsion component): refused when a
    /// key or trust list is loaded.
    #[error("public_key: key {kid} is a weak Ed25519 key (small order or torsion component)")]
    WeakKey {
        /// The key id (0 for a root key).
        kid: u16,
    },
    /// A key's bytes are not a valid Ed25519 key.
    #[error("{field}: {rule}")]
    InvalidKey {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// The redemption ledger could not record or read a redemption; nothing was recorded.
    #[error("ledger: {reason}")]
    LedgerUnavailable {
        /// What the storage said.
        reason: String,
    },
    /// A signed redemption batch's bytes break the format (`PNRB` v1), or a batch cannot
    /// be built from what was given.
    #[error("batch.{field}: {rule}")]
    BatchMalformed {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// A redemption batch's signature does not verify (Ed25519, strict) under the
    /// registered key it names.
    #[error(
        "batch.signature: does not verify under venue {venue}'s key {key_id} (Ed25519, strict)"
    )]
    BadBatchSignature {
        /// The venue the batch names.
        venue: String,
        /// The key id the batch names.
        key_id: u16,
    },
    /// The venue, or the venue key, a batch names is not registered or not active.
    #[error("venue: {venue} key {key_id}: {reason}")]
    UnknownVenue {
        /// The venue the batch names.
        venue: String,
        /// The key id the batch names.
        key_id: u16,
        /// Which: no such venue, venue inactive, no such key, key inactive.
        reason: String,
    },
    /// The ledger's storage stayed busy (locked by another writer) through a bounded
    /// retry; nothing was recorded by this attempt. Retrying later is safe.
    #[error(
        "ledger: still busy (locked by another writer) after {attempts} attempts over {waited_ms} ms; retry later"
    )]
    LedgerBusy {
        /// How many times the write was tried.
        attempts: u32,
        /// How long the attempts waited in all, in milliseconds.
        waited_ms: u64,
    },
    /// The ledger's storage is not a usable ledger: a foreign file or database (another
    /// application's, or not a database at all), a corrupt one, or one written by a newer
    /// schema than this program knows. The message says which; nothing was recorded.
    #[error("ledger {location}: {problem}")]
    LedgerCorrupt {
        /// The file path, or `user@host/db` for a server (never a password).
        location: String,
        /// Which of foreign, corrupt or newer schema, and what was found.
        problem: String,
    },
}

impl VoucherError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        use VoucherError::*;
        match self {
            Malformed { .. } => "malformed",
            UnsupportedVersion { .. } => "unsupported_version",
            UnknownKey { .. } => "unknown_key",
            RevokedKey { .. } => "revoked_key",
            BadSignature { .. } => "bad_signature",
            InvalidField { .. } => "invalid_field",
            NotYetValid { .. } => "not_yet_valid",
            Expired { .. } => "expired",
            OutsideKeyWindow { .. } => "outside_key_window",
            ValueAboveKeyLimit { .. } => "value_above_key_limit",
            ScopeNotAllowedForKey { .. } => "scope_not_allowed_for_key",
            ScopeNotAccepted { .. } => "scope_not_accepted",
            RevokedSerial { .. } => "revoked_serial",
            AlreadyRedeemed { .. } => "already_redeemed",
            BadCheckCharacter { .. } => "bad_check_character",
            TrustListMalformed { .. } => "trust_list_malformed",
            TrustListBadSignature => "trust_list_bad_signature",
            TrustListExpired { .. } => "trust_list_expired",
            TrustListRollback { .. } => "trust_list_rollback",
            WeakKey { .. } => "weak_key",
            InvalidKey { .. } => "invalid_key",
            LedgerUnavailable { .. } => "ledger_unavailable",
            BatchMalformed { .. } => "batch_malformed",
            BadBatchSignature { .. } => "bad_batch_signature",
            UnknownVenue { .. } => "unknown_venue",
            LedgerBusy { .. } => "ledger_busy",
            LedgerCorrupt { .. } => "ledger_corrupt",
        }
    }

    /// Every code this type can return, for documentation and conformance checks.
    pub const CODES: &'static [&'static str] = &[
        "malformed",
        "unsupported_version",
        "unknown_key",
        "revoked_key",
        "bad_signature",
        "invalid_field",
        "not_yet_valid",
        "expired",
        "outside_key_window",
        "value_above_key_limit",
        "scope_not_allowed_for_key",
        "scope_not_accepted",
        "revoked_serial",
        "already_redeemed",
        "bad_check_character",
        "trust_list_malformed",
        "trust_list_bad_signature",
        "trust_list_expired",
        "trust_list_rollback",
        "weak_key",
        "invalid_key",
        "ledger_unavailable",
        "batch_malformed",
        "bad_batch_signature",
        "unknown_venue",
        "ledger_busy",
        "ledger_corrupt",
    ];

    pub(crate) fn malformed(field: &'static str, rule: impl Into<String>) -> Self {
        VoucherError::Malformed {
            field,
            rule: rule.into(),
        }
    }

    pub(crate) fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        VoucherError::InvalidField {
            field,
            rule: rule.into(),
        }
    }

    pub(crate) fn batch(field: &'static str, rule: impl Into<String>) -> Self {
        VoucherError::BatchMalformed {
            field,
            rule: rule.into(),
        }
    }

    pub(crate) fn trust(field: &'static str, rule: impl Into<String>) -> Self {
        VoucherError::TrustListMalformed {
            field,
            rule: rule.into(),
        }
    }
}
