//! The signed mandate token, format v1: 105 bytes, big-endian, fixed offsets, signed by
//! the structure's Ed25519 key, printed as a QR code on the mandate and checked offline.
//!
//! | offset | size | field | rule |
//! |---|---|---|---|
//! | 0 | 1 | version | `0x01`; other values are `unsupported_version` |
//! | 1 | 2 | kid | the structure's key id in the trust list; 0 reserved |
//! | 3 | 4 | organisation | organisation id, not 0 |
//! | 7 | 10 | mandate_id | 80 random bits |
//! | 17 | 16 | usager_ref | [`usager_ref`]: first 16 bytes of SHA-256 over `FR.AIDANTS.USAGER.V1\0`, the organisation id (4 bytes), the usager's `sub` |
//! | 33 | 2 | demarches | bit i for démarche i in [`Demarche::ALL`]'s order (bit 0 = papiers); at least one bit; bits 10-15 zero |
//! | 35 | 4 | created_at | seconds since 2020-01-01T00:00:00Z |
//! | 39 | 1 | duration | 1 SHORT, 2 MONTH, 3 SEMESTER, 4 LONG, 5 EUS_03_20; expiry = created_at + days × 86400, or 2020-05-23T22:59:59Z for code 5 (then created_at must be before it) |
//! | 40 | 1 | consent | 0 in person, 1 remote paper signature, 2 remote SMS (consent received) |
//! | 41 | 64 | signature | Ed25519 (`verify_strict`) over `FR.AIDANTS.MANDAT.V1\0` then bytes 0..41 |
//!
//! Text: the 105 bytes as 168 characters of Crockford Base32 (the voucher's alphabet and
//! bit order; 840 bits, so no padding and exactly one strict text per token); QR payload
//! `AC1:` followed by them; hand-typed input normalised as for vouchers
//! ([`normalize_human`]).
//!
//! # Verification
//!
//! A [`MandateVerifier`] runs the checks in this order and returns the first failure,
//! each with a distinct [`code`](MandateTokenError::code):
//!
//! 0. the trust list, when there is one, is fresh (the wrapped trust-list error, e.g.
//!    `trust_list_expired`: fail closed);
//! 1. length and characters (`malformed`), by the parser;
//! 2. version (`unsupported_version`), by the parser;
//! 3. the kid is known and bound to the token's organisation (`unknown_key`; kid 0 is
//!    `invalid_field`, as for vouchers, since no key can be looked up);
//! 4. the key is not revoked (`revoked_key`);
//! 5. the signature, Ed25519 `verify_strict` (`bad_signature`), before any other field
//!    is interpreted;
//! 6. the field rules (`invalid_field`);
//! 7. `now` is not before `created_at` (`not_yet_valid`);
//! 8. `now` is not after the expiry (`expired`; at the exact instant it is still valid);
//! 9. the mandate id is not revoked (`revoked_mandate`);
//! 10. the required usager, if any, is the token's (`usager_mismatch`);
//! 11. the required démarche, if any, is covered (`demarche_not_covered`).
//!
//! # Keys and organisations
//!
//! Mandate keys come from a voucher [`TrustList`] (same byte format, same root-key
//! signature, same freshness rule). Each key is bound to one organisation by its
//! entry's issuer identifier, which must read `org.` followed by the organisation id in
//! decimal without leading zeros (`org.42`; see [`organisation_issuer`]). A token whose
//! organisation differs from its key's is `unknown_key`. The voucher-only limits of an
//! entry (signing window, maximum value, scopes) have no meaning for mandates: a list
//! whose entries set them is refused rather than half applied.
//!
//! A key can also be trusted for any organisation
//! ([`MandateVerifier::with_key_for_any_organisation`], the command line's
//! `--key KID:HEX`): it then vouches for whatever organisation its tokens name.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use inclusif_core::mandate::token::{MandateClaims, MandateVerifier, organisation_issuer, sign_mandate};
//! use inclusif_core::mandate::{ConsentMethod, Demarche, DemarcheSet, Duration, MandateId, OrganisationId, usager_ref};
//! use inclusif_core::voucher::{Kid, SecretKey, TrustEntry, TrustList};
//!
//! let key = SecretKey::from_seed(&[3; 32]);
//! let org = OrganisationId::new(42).unwrap();
//! let created = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
//! let claims = MandateClaims {
//!     kid: Kid::new(3).unwrap(),
//!     organisation: org,
//!     mandate_id: MandateId::from_bytes([7; 10]),
//!     usager_ref: usager_ref(org, "fc-sub-0001"),
//!     demarches: DemarcheSet::EMPTY.with(Demarche::Papiers).with(Demarche::Social),
//!     created_at: created,
//!     duration: Duration::Long,
//!     consent: ConsentMethod::InPerson,
//! };
//! let token = sign_mandate(&key, &claims).unwrap();
//! assert_eq!(token.to_qr_payload().len(), 172);
//!
//! let mut trust = TrustList::new(1, created, 365 * 86_400).unwrap();
//! trust.insert(TrustEntry::unrestricted(claims.kid, &organisation_issuer(org), key.public_key())).unwrap();
//! let verifier = MandateVerifier::new(trust)
//!     .unwrap()
//!     .with_required_demarche(Demarche::Social)
//!     .with_required_usager("fc-sub-0001");
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
//! let verified = verifier.verify_text(&token.to_text(), now).unwrap();
//! assert_eq!(verified.expires_at(), Utc.with_ymd_and_hms(2027, 3, 1, 9, 30, 0).unwrap());
//! ```

use core::fmt;
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::Signature;

use super::consent::ConsentMethod;
use super::demarche::{Demarche, DemarcheSet};
use super::duration::{Duration, eus_03_20_end};
use super::ids::{MandateId, OrganisationId, usager_ref};
use crate::voucher::text::{CROCKFORD, decode_strict};
use crate::voucher::{Day, KeyStatus, Kid, PublicKey, ScopePolicy, SecretKey, TrustList};
use crate::voucher::{VoucherError, normalize_human};

/// Length of a mandate token in bytes.
pub const TOKEN_LEN: usize = 105;
/// Length of the signed body (bytes 0..41).
pub const BODY_LEN: usize = 41;
/// The only supported version byte.
pub const VERSION_1: u8 = 0x01;
/// Domain-separation tag signed before the body: 20 ASCII bytes and a zero byte.
pub const SIGNING_DOMAIN: &[u8; 21] = b"FR.AIDANTS.MANDAT.V1\0";
/// Length of the strict text form (105 bytes = 840 bits = 168 Base32 characters).
pub const TEXT_LEN: usize = 168;
/// Prefix of the QR payload.
pub const QR_PREFIX: &str = "AC1:";
/// Longest hand-typed input read before normalisation, in bytes: the 172 characters of
/// the QR form with a separator after every one of them still fit (344), anything longer
/// is refused before any work.
pub const MAX_HUMAN_LEN: usize = 400;
/// The `created_at` epoch, 2020-01-01T00:00:00Z, in Unix seconds.
pub const EPOCH_UNIX: i64 = 1_577_836_800;

const SIGNED_LEN: usize = SIGNING_DOMAIN.len() + BODY_LEN;
const ISSUER_PREFIX: &str = "org.";

/// Everything that can go wrong reading or verifying a mandate token.
///
/// Each variant has a stable snake_case [`code`](MandateTokenError::code) (the command
/// line's `error` field and the conformance vectors' `expect`); the message names the
/// field and the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MandateTokenError {
    /// Wrong length, a character outside the alphabet, or a wrong prefix.
    #[error("{field}: {rule}")]
    Malformed {
        /// The part of the input at fault (`token`).
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// The version byte is not 0x01.
    #[error("version: 0x{version:02x} is not a supported mandate token version (only 0x01 is)")]
    UnsupportedVersion {
        /// The version byte read.
        version: u8,
    },
    /// The key id is not trusted (code `unknown_key`).
    #[error("kid: key {kid} is not a trusted mandate key")]
    UnknownKey {
        /// The key id read from the token.
        kid: u16,
    },
    /// The key is bound to another organisation than the token's (code `unknown_key`:
    /// the key is unknown for that organisation).
    #[error(
        "organisation: key {kid} is bound to organisation {bound}, not to organisation {organisation}"
    )]
    KeyNotForOrganisation {
        /// The key id read from the token.
        kid: u16,
        /// The organisation the trust list binds the key to.
        bound: u32,
        /// The organisation read from the token.
        organisation: u32,
    },
    /// The key is marked revoked in the trust list.
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
    /// A field breaks its rule (kid or organisation 0, no démarche, bits 10-15, unknown
    /// duration or consent code, EUS_03_20 created at or after its end, …).
    #[error("{field}: {rule}")]
    InvalidField {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// The verification instant is before the mandate's creation.
    #[error(
        "created_at: the mandate was created at {created_at}, after the verification instant {now}"
    )]
    NotYetValid {
        /// The mandate's creation instant.
        created_at: DateTime<Utc>,
        /// The verification instant.
        now: DateTime<Utc>,
    },
    /// The verification instant is after the mandate's expiry.
    #[error("expires_at: the mandate expired at {expires_at}; the verification instant is {now}")]
    Expired {
        /// The mandate's expiry (still valid at that exact instant).
        expires_at: DateTime<Utc>,
        /// The verification instant.
        now: DateTime<Utc>,
    },
    /// The mandate id is on the verifier's revocation list.
    #[error("mandate_id: mandate {mandate_id} is revoked")]
    RevokedMandate {
        /// The mandate id.
        mandate_id: MandateId,
    },
    /// The mandate is not for the required usager.
    #[error(
        "usager_ref: the mandate is not for the required usager (the reference of that sub in organisation {organisation} differs)"
    )]
    UsagerMismatch {
        /// The token's organisation (the reference depends on it).
        organisation: u32,
    },
    /// The mandate does not cover the required démarche.
    #[error("demarches: {demarche} is not among the mandate's démarches ({demarches})")]
    DemarcheNotCovered {
        /// The required démarche.
        demarche: Demarche,
        /// The mandate's démarches.
        demarches: DemarcheSet,
    },
    /// A trust-list error, passed through: its code is the inner one
    /// (`trust_list_expired`, `trust_list_malformed`, …).
    #[error(transparent)]
    TrustList(#[from] VoucherError),
}

impl MandateTokenError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        use MandateTokenError::*;
        match self {
            Malformed { .. } => "malformed",
            UnsupportedVersion { .. } => "unsupported_version",
            UnknownKey { .. } | KeyNotForOrganisation { .. } => "unknown_key",
            RevokedKey { .. } => "revoked_key",
            BadSignature { .. } => "bad_signature",
            InvalidField { .. } => "invalid_field",
            NotYetValid { .. } => "not_yet_valid",
            Expired { .. } => "expired",
            RevokedMandate { .. } => "revoked_mandate",
            UsagerMismatch { .. } => "usager_mismatch",
            DemarcheNotCovered { .. } => "demarche_not_covered",
            TrustList(e) => e.code(),
        }
    }

    /// The token's own codes, in check order (a wrapped trust-list error has one of
    /// [`VoucherError::CODES`]'s `trust_list_*`, `weak_key` or `invalid_key` codes).
    pub const CODES: &'static [&'static str] = &[
        "malformed",
        "unsupported_version",
        "unknown_key",
        "revoked_key",
        "bad_signature",
        "invalid_field",
        "not_yet_valid",
        "expired",
        "revoked_mandate",
        "usager_mismatch",
        "demarche_not_covered",
    ];

    fn malformed(rule: impl Into<String>) -> Self {
        MandateTokenError::Malformed {
            field: "token",
            rule: rule.into(),
        }
    }

    fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        MandateTokenError::InvalidField {
            field,
            rule: rule.into(),
        }
    }
}

/// A token's fields once their rules hold (not yet proof of anything: see
/// [`MandateVerifier`] for that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MandateClaims {
    /// The structure's key id.
    pub kid: Kid,
    /// The organisation that holds the mandate.
    pub organisation: OrganisationId,
    /// The mandate's id.
    pub mandate_id: MandateId,
    /// The usager's pseudonymous reference ([`usager_ref`]).
    pub usager_ref: [u8; 16],
    /// The démarches covered (never empty in a valid token).
    pub demarches: DemarcheSet,
    /// The creation instant: whole seconds, from 2020-01-01T00:00:00Z to 2156-02-07T06:28:15Z
    /// (a `u32` of seconds).
    pub created_at: DateTime<Utc>,
    /// The duration.
    pub duration: Duration,
    /// How the usager consented.
    pub consent: ConsentMethod,
}

impl MandateClaims {
    /// The expiry: `created_at` plus the duration's days × 24 h, or the end of EUS_03_20
    /// (2020-05-23T22:59:59Z). A mandate is expired when `now > expires_at()`.
    ///
    /// For claims read from a token this is exact; for hand-built claims whose
    /// `created_at` is beyond chrono's range it saturates (such claims never sign).
    pub fn expires_at(&self) -> DateTime<Utc> {
        match self.duration.days() {
            Some(days) => self
                .created_at
                .checked_add_signed(TimeDelta::days(i64::from(days)))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            None => eus_03_20_end(),
        }
    }

    /// The 41-byte body these claims sign; `invalid_field` if they break a rule of the
    /// format (no démarche, `created_at` not whole seconds or outside the `u32` range,
    /// EUS_03_20 created at or after its end).
    pub fn body(&self) -> Result<[u8; BODY_LEN], MandateTokenError> {
        if self.demarches.is_empty() {
            return Err(MandateTokenError::invalid(
                "demarches",
                "at least one démarche bit must be set",
            ));
        }
        if self.created_at.timestamp_subsec_nanos() != 0 {
            return Err(MandateTokenError::invalid(
                "created_at",
                format!("{} is not a whole second", self.created_at),
            ));
        }
        let created = u32::try_from(self.created_at.timestamp() - EPOCH_UNIX).map_err(|_| {
            MandateTokenError::invalid(
                "created_at",
                format!(
                    "{} is outside 2020-01-01T00:00:00Z..=2156-02-07T06:28:15Z",
                    self.created_at
                ),
            )
        })?;
        check_eus(self.duration, self.created_at)?;
        let mut b = [0u8; BODY_LEN];
        b[0] = VERSION_1;
        b[1..3].copy_from_slice(&self.kid.get().to_be_bytes());
        b[3..7].copy_from_slice(&self.organisation.get().to_be_bytes());
        b[7..17].copy_from_slice(self.mandate_id.as_bytes());
        b[17..33].copy_from_slice(&self.usager_ref);
        b[33..35].copy_from_slice(&self.demarches.bits().to_be_bytes());
        b[35..39].copy_from_slice(&created.to_be_bytes());
        b[39] = self.duration.code();
        b[40] = self.consent.code();
        Ok(b)
    }
}

fn check_eus(duration: Duration, created_at: DateTime<Utc>) -> Result<(), MandateTokenError> {
    if duration == Duration::Eus0320 && created_at >= eus_03_20_end() {
        return Err(MandateTokenError::invalid(
            "duration",
            format!(
                "EUS_03_20 ended at {}; a mandate created at {created_at} would last 0 days",
                eus_03_20_end()
            ),
        ));
    }
    Ok(())
}

/// The message that the signature covers: the domain tag, then the body.
fn signed_message(body: &[u8; BODY_LEN]) -> [u8; SIGNED_LEN] {
    let mut m = [0u8; SIGNED_LEN];
    m[..SIGNING_DOMAIN.len()].copy_from_slice(SIGNING_DOMAIN);
    m[SIGNING_DOMAIN.len()..].copy_from_slice(body);
    m
}

/// Signs claims with the structure's key: the token to print on the mandate.
///
/// `invalid_field` for claims that break a rule of the format (see
/// [`MandateClaims::body`]): nothing that would fail verification is signed.
pub fn sign_mandate(
    key: &SecretKey,
    claims: &MandateClaims,
) -> Result<MandateToken, MandateTokenError> {
    let body = claims.body()?;
    let signature = key.sign(&signed_message(&body));
    let mut bytes = [0u8; TOKEN_LEN];
    bytes[..BODY_LEN].copy_from_slice(&body);
    bytes[BODY_LEN..].copy_from_slice(&signature);
    Ok(MandateToken { bytes })
}

/// A mandate token of format v1 whose length and version are right.
///
/// Nothing about it is trusted yet: its fields are read as they are, and only a
/// [`MandateVerifier`] says whether it is genuine and valid.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MandateToken {
    bytes: [u8; TOKEN_LEN],
}

impl MandateToken {
    /// Reads a token from its 105 bytes: `malformed` for another length,
    /// `unsupported_version` for a version byte other than 0x01.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MandateTokenError> {
        let bytes: [u8; TOKEN_LEN] = bytes.try_into().map_err(|_| {
            MandateTokenError::malformed(format!("must be {TOKEN_LEN} bytes, got {}", bytes.len()))
        })?;
        MandateToken::from_array(bytes)
    }

    /// Reads a token from a 105-byte array (`unsupported_version` unless byte 0 is 0x01).
    pub fn from_array(bytes: [u8; TOKEN_LEN]) -> Result<Self, MandateTokenError> {
        if bytes[0] != VERSION_1 {
            return Err(MandateTokenError::UnsupportedVersion { version: bytes[0] });
        }
        Ok(MandateToken { bytes })
    }

    /// The 105 bytes.
    pub const fn as_bytes(&self) -> &[u8; TOKEN_LEN] {
        &self.bytes
    }

    /// The signed body (bytes 0..41).
    pub fn body(&self) -> &[u8; BODY_LEN] {
        self.bytes[..BODY_LEN].try_into().expect("fixed length")
    }

    /// The 64 signature bytes.
    pub fn signature(&self) -> &[u8; 64] {
        self.bytes[BODY_LEN..].try_into().expect("fixed length")
    }

    /// The key id as written (0 is possible here; it never verifies).
    pub fn kid_raw(&self) -> u16 {
        u16::from_be_bytes([self.bytes[1], self.bytes[2]])
    }

    /// The organisation id as written (0 is possible here; it never verifies).
    pub fn organisation_raw(&self) -> u32 {
        u32::from_be_bytes(self.bytes[3..7].try_into().expect("fixed length"))
    }

    /// The mandate id as written.
    pub fn mandate_id(&self) -> MandateId {
        MandateId::from_bytes(self.bytes[7..17].try_into().expect("fixed length"))
    }

    /// The usager reference as written.
    pub fn usager_ref(&self) -> &[u8; 16] {
        self.bytes[17..33].try_into().expect("fixed length")
    }

    /// The démarche bits as written.
    pub fn demarches_raw(&self) -> u16 {
        u16::from_be_bytes([self.bytes[33], self.bytes[34]])
    }

    /// `created_at` as written: seconds since 2020-01-01T00:00:00Z.
    pub fn created_at_raw(&self) -> u32 {
        u32::from_be_bytes(self.bytes[35..39].try_into().expect("fixed length"))
    }

    /// The duration code as written.
    pub fn duration_raw(&self) -> u8 {
        self.bytes[39]
    }

    /// The consent code as written.
    pub fn consent_raw(&self) -> u8 {
        self.bytes[40]
    }

    /// Applies the field rules: kid and organisation not 0, at least one démarche and
    /// bits 10-15 zero, a known duration and consent code, and an EUS_03_20 mandate
    /// created before the end of EUS_03_20 (`invalid_field` naming the field otherwise).
    pub fn claims(&self) -> Result<MandateClaims, MandateTokenError> {
        let kid = Kid::new(self.kid_raw())
            .ok_or_else(|| MandateTokenError::invalid("kid", "0 is reserved and never assigned"))?;
        let organisation = OrganisationId::new(self.organisation_raw()).map_err(|_| {
            MandateTokenError::invalid("organisation", "0 is not an organisation id")
        })?;
        let bits = self.demarches_raw();
        let demarches = DemarcheSet::from_bits(bits).ok_or_else(|| {
            MandateTokenError::invalid(
                "demarches",
                format!("bits 10-15 must be zero (got 0x{bits:04x})"),
            )
        })?;
        if demarches.is_empty() {
            return Err(MandateTokenError::invalid(
                "demarches",
                "at least one démarche bit must be set",
            ));
        }
        // Any u32 of seconds after 2020-01-01 is a valid instant.
        let created_at = DateTime::from_timestamp(EPOCH_UNIX + i64::from(self.created_at_raw()), 0)
            .expect("in chrono's range");
        let duration = Duration::from_code(self.duration_raw()).ok_or_else(|| {
            MandateTokenError::invalid(
                "duration",
                format!(
                    "{} is not a duration code (1 SHORT, 2 MONTH, 3 SEMESTER, 4 LONG, 5 EUS_03_20)",
                    self.duration_raw()
                ),
            )
        })?;
        let consent = ConsentMethod::from_code(self.consent_raw()).ok_or_else(|| {
            MandateTokenError::invalid(
                "consent",
                format!(
                    "{} is not a consent code (0 in person, 1 remote paper, 2 remote SMS)",
                    self.consent_raw()
                ),
            )
        })?;
        check_eus(duration, created_at)?;
        Ok(MandateClaims {
            kid,
            organisation,
            mandate_id: self.mandate_id(),
            usager_ref: *self.usager_ref(),
            demarches,
            created_at,
            duration,
            consent,
        })
    }

    /// The strict text form: 168 Crockford Base32 characters.
    pub fn to_text(&self) -> String {
        CROCKFORD.encode(&self.bytes)
    }

    /// The QR payload: `AC1:` then the strict text (QR alphanumeric mode).
    pub fn to_qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.to_text())
    }

    /// Parses the strict text form or the QR payload; nothing else is accepted.
    /// Allocation-free on success.
    pub fn parse_strict(text: &str) -> Result<Self, MandateTokenError> {
        MandateToken::parse_strict_bytes(text.as_bytes())
    }

    /// [`parse_strict`](MandateToken::parse_strict) over raw bytes (scanners and fuzzers
    /// hand bytes that may not be UTF-8). The codec is the voucher's.
    pub fn parse_strict_bytes(input: &[u8]) -> Result<Self, MandateTokenError> {
        let bytes =
            decode_strict::<TOKEN_LEN>(input, QR_PREFIX).map_err(MandateTokenError::malformed)?;
        MandateToken::from_array(bytes)
    }

    /// Parses text typed by a person, normalised exactly as vouchers are
    /// ([`normalize_human`]: drops spaces, tabs and `-`, upper-cases, reads `O` as `0`
    /// and `I`, `L` as `1`, refuses `U`), then strictly. At most [`MAX_HUMAN_LEN`] bytes.
    ///
    /// The token then re-encodes to exactly the normalised input: its
    /// [`to_text`](MandateToken::to_text), or its
    /// [`to_qr_payload`](MandateToken::to_qr_payload) when the input carried `AC1:`.
    pub fn parse_human(text: &str) -> Result<Self, MandateTokenError> {
        if text.len() > MAX_HUMAN_LEN {
            return Err(MandateTokenError::malformed(format!(
                "typed input is limited to {MAX_HUMAN_LEN} bytes, got {}",
                text.len()
            )));
        }
        let normal = normalize_human(text).map_err(|e| match e {
            VoucherError::Malformed { rule, .. } => MandateTokenError::malformed(rule),
            other => MandateTokenError::malformed(other.to_string()),
        })?;
        MandateToken::parse_strict(&normal)
    }
}

impl fmt::Debug for MandateToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MandateToken")
            .field("kid", &self.kid_raw())
            .field("organisation", &self.organisation_raw())
            .field("mandate_id", &self.mandate_id())
            .field("demarches", &format_args!("0x{:04x}", self.demarches_raw()))
            .field("created_at", &self.created_at_raw())
            .field("duration", &self.duration_raw())
            .field("consent", &self.consent_raw())
            .finish_non_exhaustive()
    }
}

/// The issuer identifier that binds a trust-list key to an organisation: `org.42`.
pub fn organisation_issuer(organisation: OrganisationId) -> String {
    format!("{ISSUER_PREFIX}{}", organisation.get())
}

/// The organisation an issuer identifier binds its key to: `org.` and the id in decimal,
/// not 0, without leading zeros; `None` for anything else.
pub fn issuer_organisation(issuer: &str) -> Option<OrganisationId> {
    let digits = issuer.strip_prefix(ISSUER_PREFIX)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    OrganisationId::new(digits.parse().ok()?).ok()
}

/// One trusted mandate key.
#[derive(Debug, Clone)]
struct MandateKey {
    public_key: PublicKey,
    status: KeyStatus,
    /// `None`: trusted for any organisation.
    organisation: Option<OrganisationId>,
}

/// A mandate whose every check passed: genuine, valid at the instant, for the required
/// usager and démarche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifiedMandate {
    claims: MandateClaims,
    expires_at: DateTime<Utc>,
}

impl VerifiedMandate {
    /// The key id.
    pub fn kid(&self) -> Kid {
        self.claims.kid
    }
    /// The organisation.
    pub fn organisation(&self) -> OrganisationId {
        self.claims.organisation
    }
    /// The mandate id.
    pub fn mandate_id(&self) -> MandateId {
        self.claims.mandate_id
    }
    /// The usager's pseudonymous reference.
    pub fn usager_ref(&self) -> &[u8; 16] {
        &self.claims.usager_ref
    }
    /// The démarches covered.
    pub fn demarches(&self) -> DemarcheSet {
        self.claims.demarches
    }
    /// The duration.
    pub fn duration(&self) -> Duration {
        self.claims.duration
    }
    /// How the usager consented.
    pub fn consent(&self) -> ConsentMethod {
        self.claims.consent
    }
    /// The creation instant.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.claims.created_at
    }
    /// The expiry (still valid at that exact instant).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    /// All the claims.
    pub fn claims(&self) -> &MandateClaims {
        &self.claims
    }
}

/// Verifies mandate tokens offline: against a trust list whose keys are bound to
/// organisations (`org.<id>` issuers), and/or keys trusted for any organisation, with
/// optional revoked mandate ids, required démarche and required usager.
#[derive(Debug, Clone)]
pub struct MandateVerifier {
    trust: Option<TrustList>,
    keys: BTreeMap<Kid, MandateKey>,
    revoked: HashSet<MandateId>,
    demarche: Option<Demarche>,
    usager_sub: Option<String>,
}

impl MandateVerifier {
    /// A verifier over a trust list, checked fresh at every verification.
    ///
    /// Every entry must bind its key to one organisation (issuer `org.<id>`, see
    /// [`issuer_organisation`]) and set no voucher-only limit (signing window, maximum
    /// value, scopes): otherwise `trust_list_malformed`, naming the key.
    pub fn new(trust: TrustList) -> Result<Self, MandateTokenError> {
        let mut keys = BTreeMap::new();
        for e in trust.entries() {
            let organisation = issuer_organisation(&e.issuer).ok_or_else(|| {
                VoucherError::TrustListMalformed {
                    field: "issuer",
                    rule: format!(
                        "key {}: {:?} does not bind the key to an organisation (org.<id>, id in decimal, not 0, no leading zeros)",
                        e.kid, e.issuer
                    ),
                }
            })?;
            if e.window_from != Day::MIN
                || e.window_until != Day::MAX
                || e.max_value_cents != u16::MAX
                || e.scopes != ScopePolicy::Any
            {
                return Err(VoucherError::TrustListMalformed {
                    field: "issuer",
                    rule: format!(
                        "key {}: a mandate key sets no signing window, maximum value or scopes",
                        e.kid
                    ),
                }
                .into());
            }
            keys.insert(
                e.kid,
                MandateKey {
                    public_key: e.public_key,
                    status: e.status,
                    organisation: Some(organisation),
                },
            );
        }
        Ok(MandateVerifier {
            trust: Some(trust),
            keys,
            ..MandateVerifier::without_trust_list()
        })
    }

    /// A verifier with no trust list and no key yet (add keys with
    /// [`with_key_for_any_organisation`](MandateVerifier::with_key_for_any_organisation));
    /// with no list there is no freshness check.
    pub fn without_trust_list() -> Self {
        MandateVerifier {
            trust: None,
            keys: BTreeMap::new(),
            revoked: HashSet::new(),
            demarche: None,
            usager_sub: None,
        }
    }

    /// Trusts `key` as `kid` for any organisation (the command line's `--key KID:HEX`).
    /// A kid already trusted is `trust_list_malformed`.
    pub fn with_key_for_any_organisation(
        mut self,
        kid: Kid,
        key: PublicKey,
    ) -> Result<Self, MandateTokenError> {
        if self.keys.contains_key(&kid) {
            return Err(VoucherError::TrustListMalformed {
                field: "kid",
                rule: format!("key {kid} is listed twice"),
            }
            .into());
        }
        self.keys.insert(
            kid,
            MandateKey {
                public_key: key,
                status: KeyStatus::Active,
                organisation: None,
            },
        );
        Ok(self)
    }

    /// Refuses these mandate ids with `revoked_mandate`.
    pub fn with_revoked_mandates(mut self, ids: impl IntoIterator<Item = MandateId>) -> Self {
        self.revoked.extend(ids);
        self
    }

    /// Requires the mandate to cover `demarche` (`demarche_not_covered` otherwise).
    pub fn with_required_demarche(mut self, demarche: Demarche) -> Self {
        self.demarche = Some(demarche);
        self
    }

    /// Requires the mandate to be for the usager with this FranceConnect `sub`
    /// (`usager_mismatch` otherwise): the token's reference must equal
    /// [`usager_ref`]`(organisation, sub)`.
    pub fn with_required_usager(mut self, sub: &str) -> Self {
        self.usager_sub = Some(sub.to_owned());
        self
    }

    /// The trust list in use, if any.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.trust.as_ref()
    }

    /// The organisation a trusted key is bound to: `Some(None)` for a key trusted for any
    /// organisation, `None` for an unknown kid.
    pub fn key_organisation(&self, kid: Kid) -> Option<Option<OrganisationId>> {
        self.keys.get(&kid).map(|k| k.organisation)
    }

    fn check_fresh(&self, now: DateTime<Utc>) -> Result<(), MandateTokenError> {
        match &self.trust {
            Some(t) => Ok(t.check_fresh(now)?),
            None => Ok(()),
        }
    }

    /// Verifies the strict text form or the QR payload.
    pub fn verify_text(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedMandate, MandateTokenError> {
        self.check_fresh(now)?;
        self.verify_parsed(&MandateToken::parse_strict(text)?, now)
    }

    /// Verifies a token typed by a person (see [`MandateToken::parse_human`]).
    pub fn verify_human(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedMandate, MandateTokenError> {
        self.check_fresh(now)?;
        self.verify_parsed(&MandateToken::parse_human(text)?, now)
    }

    /// Verifies 105 raw bytes.
    pub fn verify_bytes(
        &self,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedMandate, MandateTokenError> {
        self.check_fresh(now)?;
        self.verify_parsed(&MandateToken::from_bytes(bytes)?, now)
    }

    /// Verifies a parsed token, in the order of the [module documentation](self).
    pub fn verify(
        &self,
        token: &MandateToken,
        now: DateTime<Utc>,
    ) -> Result<VerifiedMandate, MandateTokenError> {
        self.check_fresh(now)?;
        self.verify_parsed(token, now)
    }

    fn verify_parsed(
        &self,
        token: &MandateToken,
        now: DateTime<Utc>,
    ) -> Result<VerifiedMandate, MandateTokenError> {
        // Steps 3 and 4: a known key, bound to the token's organisation, not revoked.
        let kid = Kid::new(token.kid_raw())
            .ok_or_else(|| MandateTokenError::invalid("kid", "0 is reserved and never assigned"))?;
        let key = self
            .keys
            .get(&kid)
            .ok_or(MandateTokenError::UnknownKey { kid: kid.get() })?;
        if let Some(bound) = key.organisation
            && bound.get() != token.organisation_raw()
        {
            return Err(MandateTokenError::KeyNotForOrganisation {
                kid: kid.get(),
                bound: bound.get(),
                organisation: token.organisation_raw(),
            });
        }
        if key.status == KeyStatus::Revoked {
            return Err(MandateTokenError::RevokedKey { kid: kid.get() });
        }
        // Step 5: the signature, before any other field is interpreted.
        key.public_key
            .verifying_key()
            .verify_strict(
                &signed_message(token.body()),
                &Signature::from_bytes(token.signature()),
            )
            .map_err(|_| MandateTokenError::BadSignature { kid: kid.get() })?;
        // Step 6: field rules.
        let claims = token.claims()?;
        // Steps 7 and 8: the validity interval, both ends inclusive.
        let expires_at = claims.expires_at();
        if now < claims.created_at {
            return Err(MandateTokenError::NotYetValid {
                created_at: claims.created_at,
                now,
            });
        }
        if now > expires_at {
            return Err(MandateTokenError::Expired { expires_at, now });
        }
        // Steps 9 to 11: this verifier's options.
        if self.revoked.contains(&claims.mandate_id) {
            return Err(MandateTokenError::RevokedMandate {
                mandate_id: claims.mandate_id,
            });
        }
        if let Some(sub) = &self.usager_sub
            && usager_ref(claims.organisation, sub) != claims.usager_ref
        {
            return Err(MandateTokenError::UsagerMismatch {
                organisation: claims.organisation.get(),
            });
        }
        if let Some(d) = self.demarche
            && !claims.demarches.contains(d)
        {
            return Err(MandateTokenError::DemarcheNotCovered {
                demarche: d,
                demarches: claims.demarches,
            });
        }
        Ok(VerifiedMandate { claims, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voucher::TrustEntry;
    use chrono::TimeZone;

    const ORG: u32 = 42;
    const SUB: &str = "fc-sub-0001";

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn org(id: u32) -> OrganisationId {
        OrganisationId::new(id).unwrap()
    }

    fn kid(k: u16) -> Kid {
        Kid::new(k).unwrap()
    }

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_seed(&[seed; 32])
    }

    fn claims() -> MandateClaims {
        MandateClaims {
            kid: kid(3),
            organisation: org(ORG),
            mandate_id: MandateId::from_bytes([0x5e, 0xed, 0, 0, 0, 0, 0, 0, 0, 1]),
            usager_ref: usager_ref(org(ORG), SUB),
            demarches: DemarcheSet::parse(["papiers", "social"]).unwrap(),
            created_at: at(2026, 3, 1, 9, 30, 0),
            duration: Duration::Long,
            consent: ConsentMethod::InPerson,
        }
    }

    fn now() -> DateTime<Utc> {
        at(2026, 6, 1, 10, 0, 0)
    }

    /// kid 3: org 42, active (seed 3); kid 4: org 42, revoked (seed 4); kid 5: org 43 (seed 5).
    fn trust() -> TrustList {
        let mut t = TrustList::new(1, at(2026, 1, 1, 0, 0, 0), 2 * 365 * 86_400).unwrap();
        t.insert(TrustEntry::unrestricted(
            kid(3),
            "org.42",
            key(3).public_key(),
        ))
        .unwrap();
        let mut revoked = TrustEntry::unrestricted(kid(4), "org.42", key(4).public_key());
        revoked.status = KeyStatus::Revoked;
        t.insert(revoked).unwrap();
        t.insert(TrustEntry::unrestricted(
            kid(5),
            "org.43",
            key(5).public_key(),
        ))
        .unwrap();
        t
    }

    fn verifier() -> MandateVerifier {
        MandateVerifier::new(trust()).unwrap()
    }

    fn signed(c: &MandateClaims, seed: u8) -> MandateToken {
        sign_mandate(&key(seed), c).unwrap()
    }

    /// Signs raw bytes 0..41 (fields that `sign_mandate` refuses to write).
    fn signed_raw(mut body: [u8; BODY_LEN], seed: u8) -> [u8; TOKEN_LEN] {
        body[0] = VERSION_1;
        let mut t = [0u8; TOKEN_LEN];
        t[..BODY_LEN].copy_from_slice(&body);
        t[BODY_LEN..].copy_from_slice(&key(seed).sign(&signed_message(&body)));
        t
    }

    fn code(r: Result<VerifiedMandate, MandateTokenError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => {
                assert!(
                    e.to_string().contains(": "),
                    "the message names the field: {e}"
                );
                e.code()
            }
        }
    }

    #[test]
    fn layout_is_big_endian_at_fixed_offsets() {
        let c = claims();
        let t = signed(&c, 3);
        let mut expected = vec![0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x2a];
        expected.extend_from_slice(&[0x5e, 0xed, 0, 0, 0, 0, 0, 0, 0, 1]);
        // usager_ref, spelled out: SHA-256("FR.AIDANTS.USAGER.V1\0" ‖ 00 00 00 2a ‖ sub)[..16].
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"FR.AIDANTS.USAGER.V1\0");
        h.update([0, 0, 0, 0x2a]);
        h.update(SUB.as_bytes());
        expected.extend_from_slice(&h.finalize()[..16]);
        expected.extend_from_slice(&[0x00, 0b101]);
        // 2026-03-01T09:30:00Z is 2251 days and 9.5 hours after 2020-01-01T00:00:00Z.
        assert_eq!(at(2020, 1, 1, 0, 0, 0).timestamp(), EPOCH_UNIX);
        assert_eq!(
            at(2026, 3, 1, 9, 30, 0).timestamp() - EPOCH_UNIX,
            194_520_600
        );
        expected.extend_from_slice(&194_520_600u32.to_be_bytes());
        expected.push(4);
        expected.push(0);
        assert_eq!(expected.len(), BODY_LEN);
        assert_eq!(&t.as_bytes()[..BODY_LEN], &expected[..]);
        assert_eq!(t.body(), &c.body().unwrap());
        // The signature covers the tag and the body, nothing else.
        let mut msg = b"FR.AIDANTS.MANDAT.V1\0".to_vec();
        assert_eq!(msg.len(), 21);
        msg.extend_from_slice(&expected);
        assert_eq!(t.signature(), &key(3).sign(&msg));
        assert_eq!(t.claims().unwrap(), c);
        assert_eq!(t.kid_raw(), 3);
        assert_eq!(t.organisation_raw(), ORG);
        assert_eq!(t.created_at_raw(), 194_520_600);
        assert_eq!((t.duration_raw(), t.consent_raw()), (4, 0));
    }

    #[test]
    fn text_and_qr_forms() {
        let t = signed(&claims(), 3);
        let text = t.to_text();
        assert_eq!(text.len(), TEXT_LEN);
        assert_eq!(MandateToken::parse_strict(&text).unwrap(), t);
        assert_eq!(t.to_qr_payload(), format!("AC1:{text}"));
        assert_eq!(MandateToken::parse_strict(&t.to_qr_payload()).unwrap(), t);
        for bad in [
            text.to_lowercase(),
            format!("ac1:{text}"),
            format!("PN1:{text}"),
            format!(" {}", &text[1..]),
            format!("U{}", &text[1..]),
            text[1..].to_string(),
            format!("{text}0"),
            String::new(),
        ] {
            assert_eq!(
                MandateToken::parse_strict(&bad).unwrap_err().code(),
                "malformed",
                "{bad}"
            );
        }
        let typed: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let c = match c {
                    '0' => 'o',
                    '1' => 'l',
                    c => c.to_ascii_lowercase(),
                };
                if i % 4 == 3 { vec![c, '-'] } else { vec![c] }
            })
            .collect();
        assert_eq!(MandateToken::parse_human(&typed).unwrap(), t);
        assert_eq!(
            MandateToken::parse_human(&format!("ac1: {typed}")).unwrap(),
            t
        );
        assert_eq!(
            MandateToken::parse_human(&format!("u{}", &text[1..]))
                .unwrap_err()
                .code(),
            "malformed"
        );
        let long = format!("{}{}", " ".repeat(MAX_HUMAN_LEN - TEXT_LEN + 1), text);
        let e = MandateToken::parse_human(&long).unwrap_err();
        assert!(e.to_string().contains("400"), "{e}");
        assert_eq!(
            MandateToken::from_bytes(&t.as_bytes()[..104])
                .unwrap_err()
                .code(),
            "malformed"
        );
        let mut v2 = *t.as_bytes();
        v2[0] = 2;
        assert_eq!(
            MandateToken::from_array(v2).unwrap_err().code(),
            "unsupported_version"
        );
    }

    #[test]
    fn a_good_token_verifies_with_every_field() {
        let t = signed(&claims(), 3);
        let v = verifier()
            .with_required_demarche(Demarche::Social)
            .with_required_usager(SUB)
            .with_revoked_mandates([MandateId::from_bytes([9; 10])]);
        for r in [
            v.verify(&t, now()),
            v.verify_text(&t.to_text(), now()),
            v.verify_text(&t.to_qr_payload(), now()),
            v.verify_human(&t.to_text().to_lowercase(), now()),
            v.verify_bytes(t.as_bytes(), now()),
        ] {
            let m = r.unwrap();
            assert_eq!(m.kid(), kid(3));
            assert_eq!(m.organisation(), org(ORG));
            assert_eq!(m.mandate_id().to_string(), "5eed0000000000000001");
            assert_eq!(m.demarches().to_string(), "papiers,social");
            assert_eq!(m.duration(), Duration::Long);
            assert_eq!(m.consent(), ConsentMethod::InPerson);
            assert_eq!(m.created_at(), at(2026, 3, 1, 9, 30, 0));
            assert_eq!(m.expires_at(), at(2027, 3, 1, 9, 30, 0));
            assert_eq!(m.usager_ref(), &usager_ref(org(ORG), SUB));
            assert_eq!(m.claims(), &claims());
        }
    }

    #[test]
    fn every_code_in_check_order() {
        let v = verifier();
        let good = signed(&claims(), 3);
        let mut seen = std::collections::BTreeSet::new();
        let mut check = |want: &'static str, got: &'static str| {
            assert_eq!(got, want);
            seen.insert(got);
        };
        check("ok", code(v.verify(&good, now())));
        check(
            "malformed",
            code(v.verify_text(&good.to_text()[1..], now())),
        );
        let mut raw = *good.as_bytes();
        raw[0] = 0;
        check("unsupported_version", code(v.verify_bytes(&raw, now())));
        // Unknown: a kid nobody listed, and a listed key for another organisation.
        let rogue = MandateClaims {
            kid: kid(99),
            ..claims()
        };
        check("unknown_key", code(v.verify(&signed(&rogue, 99), now())));
        let other_org = MandateClaims {
            kid: kid(5),
            ..claims()
        };
        let e = v.verify(&signed(&other_org, 5), now()).unwrap_err();
        assert!(matches!(
            e,
            MandateTokenError::KeyNotForOrganisation {
                kid: 5,
                bound: 43,
                organisation: 42
            }
        ));
        check("unknown_key", e.code());
        let revoked = MandateClaims {
            kid: kid(4),
            ..claims()
        };
        check("revoked_key", code(v.verify(&signed(&revoked, 4), now())));
        // Signed by another key, and a field changed after signing.
        check(
            "bad_signature",
            code(v.verify(&signed(&claims(), 5), now())),
        );
        let mut raw = *good.as_bytes();
        raw[34] |= 0x10; // add logement
        check("bad_signature", code(v.verify_bytes(&raw, now())));
        let mut raw = *good.as_bytes();
        raw[104] ^= 0x80;
        check("bad_signature", code(v.verify_bytes(&raw, now())));
        // A bad signature is reported before a bad field.
        let mut raw = *good.as_bytes();
        raw[39] = 9;
        check("bad_signature", code(v.verify_bytes(&raw, now())));
        check(
            "not_yet_valid",
            code(v.verify(&good, claims().created_at - TimeDelta::seconds(1))),
        );
        check("expired", code(v.verify(&good, at(2027, 3, 1, 9, 30, 1))));
        let revoked_id = verifier().with_revoked_mandates([claims().mandate_id]);
        check("revoked_mandate", code(revoked_id.verify(&good, now())));
        // Expiry is checked before revocation.
        check(
            "expired",
            code(revoked_id.verify(&good, at(2028, 1, 1, 0, 0, 0))),
        );
        check(
            "usager_mismatch",
            code(
                verifier()
                    .with_required_usager("fc-sub-0002")
                    .verify(&good, now()),
            ),
        );
        check(
            "demarche_not_covered",
            code(
                verifier()
                    .with_required_demarche(Demarche::Logement)
                    .verify(&good, now()),
            ),
        );
        // Revocation is checked before the usager, the usager before the démarche.
        check(
            "revoked_mandate",
            code(
                revoked_id
                    .clone()
                    .with_required_usager("x")
                    .verify(&good, now()),
            ),
        );
        check(
            "usager_mismatch",
            code(
                verifier()
                    .with_required_usager("x")
                    .with_required_demarche(Demarche::Logement)
                    .verify(&good, now()),
            ),
        );
        // invalid_field: see field_rules. The trust list fails closed past its age.
        let stale = at(2028, 1, 1, 0, 0, 1);
        let e = v.verify_text("not even a token", stale).unwrap_err();
        assert_eq!(e.code(), "trust_list_expired");
        assert!(e.to_string().starts_with("trust_list.issued_at:"), "{e}");
        let mut body = *good.body();
        body[39] = 0;
        check(
            "invalid_field",
            code(v.verify_bytes(&signed_raw(body, 3), now())),
        );
        for c in MandateTokenError::CODES {
            assert!(seen.contains(c), "no test for {c}");
        }
    }

    #[test]
    fn field_rules() {
        let v = verifier();
        let any = MandateVerifier::without_trust_list()
            .with_key_for_any_organisation(kid(3), key(3).public_key())
            .unwrap();
        let good = *signed(&claims(), 3).body();
        type Edit = fn(&mut [u8; BODY_LEN]);
        let cases: [(&str, Edit, &str); 9] = [
            ("kid", |b| b[1..3].copy_from_slice(&[0, 0]), "kid"),
            (
                "organisation",
                |b| b[3..7].copy_from_slice(&[0; 4]),
                "organisation",
            ),
            ("empty", |b| b[33..35].copy_from_slice(&[0, 0]), "demarches"),
            ("bit 10", |b| b[33] = 0x04, "demarches"),
            ("bit 15", |b| b[33] = 0x80, "demarches"),
            ("duration 0", |b| b[39] = 0, "duration"),
            ("duration 6", |b| b[39] = 6, "duration"),
            ("consent 3", |b| b[40] = 3, "consent"),
            ("consent 255", |b| b[40] = 255, "consent"),
        ];
        for (name, edit, field) in cases {
            let mut body = good;
            edit(&mut body);
            let token = MandateToken::from_array(signed_raw(body, 3)).unwrap();
            let e = token.claims().unwrap_err();
            assert_eq!(e.code(), "invalid_field", "{name}");
            assert!(e.to_string().starts_with(&format!("{field}: ")), "{e}");
            let e = any.verify(&token, now()).unwrap_err();
            assert_eq!(e.code(), "invalid_field", "{name}: {e}");
        }
        // kid 0 has no key: invalid_field, as for vouchers. Organisation 0 is never an
        // organisation a key is bound to: unknown_key with a bound key.
        let mut body = good;
        body[1..3].copy_from_slice(&[0, 0]);
        assert_eq!(
            code(v.verify_bytes(&signed_raw(body, 3), now())),
            "invalid_field"
        );
        let mut body = good;
        body[3..7].copy_from_slice(&[0; 4]);
        assert_eq!(
            code(v.verify_bytes(&signed_raw(body, 3), now())),
            "unknown_key"
        );
        // All ten démarches is fine.
        let mut body = good;
        body[33..35].copy_from_slice(&0x03ffu16.to_be_bytes());
        assert_eq!(code(v.verify_bytes(&signed_raw(body, 3), now())), "ok");
    }

    #[test]
    fn expiry_at_the_exact_instant_is_valid_one_second_later_expired() {
        let v = verifier();
        for (duration, created, expiry) in [
            (
                Duration::Short,
                at(2026, 6, 1, 10, 0, 0),
                at(2026, 6, 2, 10, 0, 0),
            ),
            (
                Duration::Month,
                at(2026, 3, 15, 9, 0, 0),
                at(2026, 4, 15, 9, 0, 0),
            ),
            (
                Duration::Semester,
                at(2026, 1, 1, 0, 0, 0),
                at(2026, 7, 2, 0, 0, 0),
            ),
            (
                Duration::Long,
                at(2028, 2, 29, 12, 0, 0),
                at(2029, 2, 28, 12, 0, 0),
            ),
        ] {
            let c = MandateClaims {
                duration,
                created_at: created,
                ..claims()
            };
            assert_eq!(c.expires_at(), expiry);
            let t = signed(&c, 3);
            let v = MandateVerifier::without_trust_list()
                .with_key_for_any_organisation(kid(3), key(3).public_key())
                .unwrap();
            assert_eq!(code(v.verify(&t, created)), "ok");
            assert_eq!(code(v.verify(&t, expiry)), "ok");
            assert_eq!(
                code(v.verify(&t, expiry + TimeDelta::seconds(1))),
                "expired"
            );
            assert_eq!(
                code(v.verify(&t, expiry + TimeDelta::milliseconds(1))),
                "expired"
            );
            assert_eq!(
                code(v.verify(&t, created - TimeDelta::seconds(1))),
                "not_yet_valid"
            );
        }
        let t = signed(&claims(), 3);
        assert_eq!(code(v.verify(&t, at(2027, 3, 1, 9, 30, 0))), "ok");
        let e = v.verify(&t, at(2027, 3, 1, 9, 30, 1)).unwrap_err();
        assert!(e.to_string().starts_with("expires_at: "), "{e}");
    }

    #[test]
    fn eus_03_20() {
        let end = eus_03_20_end();
        assert_eq!(end, at(2020, 5, 23, 22, 59, 59));
        let v = MandateVerifier::without_trust_list()
            .with_key_for_any_organisation(kid(3), key(3).public_key())
            .unwrap();
        let c = MandateClaims {
            duration: Duration::Eus0320,
            created_at: at(2020, 3, 24, 10, 0, 0),
            ..claims()
        };
        assert_eq!(c.expires_at(), end);
        let t = signed(&c, 3);
        assert_eq!(code(v.verify(&t, at(2020, 5, 1, 0, 0, 0))), "ok");
        assert_eq!(code(v.verify(&t, end)), "ok");
        assert_eq!(code(v.verify(&t, end + TimeDelta::seconds(1))), "expired");
        // Created one second before the end: valid for one second.
        let last = MandateClaims {
            created_at: end - TimeDelta::seconds(1),
            ..c
        };
        assert_eq!(code(v.verify(&signed(&last, 3), end)), "ok");
        // Created at or after the end: refused to sign, and invalid_field when signed anyway.
        for created in [end, end + TimeDelta::seconds(1), at(2026, 1, 1, 0, 0, 0)] {
            let bad = MandateClaims {
                created_at: created,
                ..c
            };
            let e = sign_mandate(&key(3), &bad).unwrap_err();
            assert!(e.to_string().starts_with("duration: EUS_03_20"), "{e}");
            let mut body = *t.body();
            let secs = u32::try_from(created.timestamp() - EPOCH_UNIX).unwrap();
            body[35..39].copy_from_slice(&secs.to_be_bytes());
            let raw = signed_raw(body, 3);
            let e = v.verify_bytes(&raw, created).unwrap_err();
            assert_eq!(e.code(), "invalid_field");
            assert!(e.to_string().starts_with("duration: "), "{e}");
        }
    }

    #[test]
    fn kid_binds_to_one_organisation() {
        // kid 5 is org 43's: its token for org 43 verifies, for org 42 it is unknown_key.
        let v = verifier();
        let for_43 = MandateClaims {
            kid: kid(5),
            organisation: org(43),
            usager_ref: usager_ref(org(43), SUB),
            ..claims()
        };
        assert_eq!(code(v.verify(&signed(&for_43, 5), now())), "ok");
        let for_42 = MandateClaims {
            organisation: org(42),
            ..for_43
        };
        assert_eq!(code(v.verify(&signed(&for_42, 5), now())), "unknown_key");
        assert_eq!(v.key_organisation(kid(5)), Some(Some(org(43))));
        assert_eq!(v.key_organisation(kid(6)), None);
        // The same sub has another reference in another organisation.
        assert_eq!(
            code(
                verifier()
                    .with_required_usager(SUB)
                    .verify(&signed(&for_43, 5), now())
            ),
            "ok"
        );
        let wrong_ref = MandateClaims {
            usager_ref: usager_ref(org(42), SUB),
            ..for_43
        };
        assert_eq!(
            code(
                verifier()
                    .with_required_usager(SUB)
                    .verify(&signed(&wrong_ref, 5), now())
            ),
            "usager_mismatch"
        );
        // A key trusted for any organisation vouches for whichever the token names.
        let any = MandateVerifier::without_trust_list()
            .with_key_for_any_organisation(kid(5), key(5).public_key())
            .unwrap();
        assert_eq!(code(any.verify(&signed(&for_42, 5), now())), "ok");
        assert_eq!(any.key_organisation(kid(5)), Some(None));
        assert!(any.trust_list().is_none());
        // ... unless the trust list already binds that kid.
        let e = verifier()
            .with_key_for_any_organisation(kid(5), key(5).public_key())
            .unwrap_err();
        assert_eq!(e.code(), "trust_list_malformed");
        let extra = verifier()
            .with_key_for_any_organisation(kid(20), key(20).public_key())
            .unwrap();
        let c20 = MandateClaims {
            kid: kid(20),
            organisation: org(77),
            ..claims()
        };
        assert_eq!(code(extra.verify(&signed(&c20, 20), now())), "ok");
    }

    #[test]
    fn issuer_convention() {
        assert_eq!(organisation_issuer(org(42)), "org.42");
        assert_eq!(issuer_organisation("org.42"), Some(org(42)));
        assert_eq!(issuer_organisation("org.4294967295"), Some(org(u32::MAX)));
        for bad in [
            "org.0",
            "org.042",
            "org.",
            "org.4294967296",
            "org.+1",
            "org.-1",
            "org.42x",
            "aptic",
            "org42",
            "orga.42",
        ] {
            assert_eq!(issuer_organisation(bad), None, "{bad}");
        }
        let t0 = at(2026, 1, 1, 0, 0, 0);
        let mut t = TrustList::new(1, t0, 86_400).unwrap();
        t.insert(TrustEntry::unrestricted(
            kid(7),
            "aptic",
            key(7).public_key(),
        ))
        .unwrap();
        let e = MandateVerifier::new(t).unwrap_err();
        assert_eq!(e.code(), "trust_list_malformed");
        assert!(e.to_string().contains("key 7"), "{e}");
        let mut t = TrustList::new(1, t0, 86_400).unwrap();
        let mut limited = TrustEntry::unrestricted(kid(7), "org.7", key(7).public_key());
        limited.max_value_cents = 1000;
        t.insert(limited).unwrap();
        assert_eq!(
            MandateVerifier::new(t).unwrap_err().code(),
            "trust_list_malformed"
        );
    }

    #[test]
    fn signing_refuses_what_would_not_verify() {
        let empty = MandateClaims {
            demarches: DemarcheSet::EMPTY,
            ..claims()
        };
        assert!(
            sign_mandate(&key(3), &empty)
                .unwrap_err()
                .to_string()
                .starts_with("demarches: ")
        );
        for created in [
            at(2019, 12, 31, 23, 59, 59),
            at(2156, 2, 7, 6, 28, 16),
            at(2026, 1, 1, 0, 0, 0) + TimeDelta::milliseconds(500),
        ] {
            let c = MandateClaims {
                created_at: created,
                ..claims()
            };
            let e = sign_mandate(&key(3), &c).unwrap_err();
            assert!(e.to_string().starts_with("created_at: "), "{e}");
        }
        for created in [at(2020, 1, 1, 0, 0, 0), at(2156, 2, 7, 6, 28, 15)] {
            let c = MandateClaims {
                created_at: created,
                ..claims()
            };
            assert_eq!(signed(&c, 3).claims().unwrap(), c);
        }
    }

    #[test]
    fn codes_are_distinct_and_complete() {
        let mut c = MandateTokenError::CODES.to_vec();
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), 11);
        let wrapped = MandateTokenError::from(VoucherError::TrustListBadSignature);
        assert_eq!(wrapped.code(), "trust_list_bad_signature");
        assert!(VoucherError::CODES.contains(&wrapped.code()));
    }

    #[test]
    fn debug_shows_fields_not_bytes() {
        let shown = format!("{:?}", signed(&claims(), 3));
        assert!(shown.contains("organisation: 42"), "{shown}");
        assert!(shown.contains("5eed0000000000000001"), "{shown}");
    }
}
