//! The tamper-evident journal: the real service's journal (`models/journal.py`), hash
//! chained and signed.
//!
//! The real journal is append-only by convention only: whoever holds the database can
//! edit or delete an entry unseen. Here every entry carries the hash of the one before
//! it, and the structure periodically appends a **checkpoint** signed with its Ed25519
//! key over the entry count and the chain head. Anyone holding the structure's public
//! key can then check a journal file offline with [`verify_journal`].
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use inclusif_core::mandate::journal::{
//!     Journal, JournalAction, JournalRecord, JournalReport, verify_journal,
//! };
//! use inclusif_core::mandate::{DemarcheSet, OrganisationId};
//! use inclusif_core::voucher::SecretKey;
//!
//! let key = SecretKey::generate();
//! let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
//! let mut journal = Journal::new();
//! journal.append(JournalRecord {
//!     aidant: Some("aidant-7".into()),
//!     organisation: Some(OrganisationId::new(42).unwrap()),
//!     usager: Some("sub-123".into()),
//!     demarches: Some(DemarcheSet::parse(["papiers", "social"]).unwrap()),
//!     duree: Some(365),
//!     ..JournalRecord::new(at, JournalAction::CreateAttestation)
//! }).unwrap();
//! journal.checkpoint(&key, 3, at).unwrap();
//! journal.append(JournalRecord::new(at, JournalAction::ConnectAidant)).unwrap();
//!
//! let text = journal.to_jsonl();
//! let report = verify_journal(&text, &[(3, key.public_key())]);
//! assert_eq!(report, JournalReport::Ok { entries: 3, unsigned_entries: 1 });
//! assert_eq!(report.to_json(), r#"{"ok":true,"entries":3,"unsigned_entries":1}"#);
//!
//! // Edit the first entry: verification names line 1.
//! let edited = text.replacen("aidant-7", "aidant-8", 1);
//! let report = verify_journal(&edited, &[(3, key.public_key())]);
//! assert!(matches!(report, JournalReport::Err { line: 1, .. }));
//! assert!(report.to_json().starts_with(r#"{"ok":false,"line":1,"error":"journal_hash_mismatch""#));
//! ```
//!
//! # File format (version 1)
//!
//! JSON Lines in UTF-8: one entry per line, each line ended by `\n` (the last `\n` may be
//! missing; an empty file is an empty journal; a blank line, a `\r\n` ending or a byte
//! order mark is malformed). Line *k* holds the entry with `seq` *k*.
//!
//! | key | JSON type | rule |
//! |---|---|---|
//! | `seq` | integer | the entry's number, from 1; equal to its line number |
//! | `at` | string | UTC instant to the second, exactly `YYYY-MM-DDTHH:MM:SSZ` (years 0000–9999, no leap second) |
//! | `action` | string | a [`JournalAction`] keyword (`create_attestation`, …, `checkpoint`) |
//! | `aidant` | string | optional; the aidant's id, not empty |
//! | `organisation` | integer | optional; the organisation id, 1 to 4294967295 |
//! | `usager` | string | optional; the usager (FranceConnect `sub`), not empty |
//! | `demarches` | array of strings | optional; démarche keys, at least one, each once, in the service's order (papiers, famille, social, travail, logement, transports, argent, justice, etranger, loisirs); the real service's comma-joined `demarche` |
//! | `duree` | integer | optional; the mandate's duration in days, 0 to 4294967295 |
//! | `mandat` | string | optional; the mandate id, 20 lowercase hex digits |
//! | `autorisation` | integer | optional; the autorisation id |
//! | `attestation_hash` | string | optional; 64 lowercase hex digits |
//! | `additional_information` | string | optional; free text, not empty |
//! | `is_remote_mandat` | boolean | optional |
//! | `consent_request_id` | string | optional; the SMS consent request id, not empty |
//! | `consent_method` | string | optional; `in_person`, `remote_paper` or `remote_sms` |
//! | `kid` | integer | checkpoints only: the signing key's id, 1 to 65535 |
//! | `count` | integer | checkpoints only: the number of entries before the checkpoint (its `seq` − 1) |
//! | `head` | string | checkpoints only: the hash of the entry before it (64 zeros if none), 64 lowercase hex digits |
//! | `signature` | string | checkpoints only: the Ed25519 signature, 128 lowercase hex digits |
//! | `prev` | string | the previous entry's `hash`; 64 zeros (`0`) for the first entry |
//! | `hash` | string | this entry's hash, 64 lowercase hex digits (below) |
//!
//! `seq`, `at`, `action`, `prev` and `hash` are required. A checkpoint carries `kid`,
//! `count`, `head` and `signature` and none of the optional fields; any other entry
//! carries none of those four. An absent optional field is left out (never `null`,
//! `""` or `[]`); any other key is malformed. The real service's `access_token` and
//! `user_phone` are deliberately not journaled (a secret and personal data).
//!
//! # Canonical encoding and hash
//!
//! Each line **is** the entry's canonical JSON: one object, members sorted by key in
//! ascending byte order, no whitespace; integers in decimal without sign, leading zeros,
//! fraction or exponent; `true`/`false`; strings escape `"` as `\"`, `\` as `\\`,
//! U+0008, U+0009, U+000A, U+000C, U+000D as `\b`, `\t`, `\n`, `\f`, `\r`, the other
//! characters below U+0020 as `\u00xx` (lowercase hex), and write everything else
//! (non-ASCII and U+007F included) as raw UTF-8. That is Python's
//! `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` and
//! serde_json's compact writer. A line in any other form is `journal_malformed`, so
//! every byte of a line is covered by its hash.
//!
//! `hash` = lowercase hex of SHA-256 over the 22 bytes `FR.AIDANTS.JOURNAL.V1` and one
//! zero byte, then the canonical JSON of the entry **without** its `hash` member (the
//! line with `"hash":"…"` and one adjacent comma removed). `prev`, `seq` and, for
//! checkpoints, the signature are inside what is hashed.
//!
//! A checkpoint's `signature` is Ed25519 (RFC 8032; checked with `verify_strict`) over
//! the 25 bytes `FR.AIDANTS.CHECKPOINT.V1` and one zero byte, then `kid` (2 bytes,
//! big-endian), `count` (8 bytes, big-endian) and `head` (the 32 raw bytes). The
//! checkpoint's own `at` is not signed; it is chained, so the next checkpoint covers it.
//!
//! # Verification
//!
//! [`verify_journal`] reads the lines in order and stops at the first problem; for each
//! line it checks, in this order (each a distinct [`JournalCode`]):
//! 1. `journal_malformed`: the line is not one canonical entry as above;
//! 2. `journal_hash_mismatch`: `hash` is not the hash of the line's content (an edited entry);
//! 3. `journal_sequence`: `seq` is not the line number (a deleted, inserted, duplicated or
//!    moved line);
//! 4. `journal_chain_broken`: `prev` is not the previous line's `hash` (64 zeros on line 1):
//!    a line replaced by one whose hash was recomputed, or lines spliced from another journal;
//! 5. `journal_bad_checkpoint`: a checkpoint whose `kid` is not among the given keys, whose
//!    `count` is not its `seq` − 1, whose `head` is not its `prev`, or whose signature does
//!    not verify.
//!
//! The report gives the number of entries and how many come after the last checkpoint
//! (`unsigned_entries`; the checkpoint itself is not counted).
//!
//! **What is guaranteed.** Take a valid journal and change it by editing bytes of lines,
//! deleting, inserting (copies of other lines), duplicating or reordering lines, without
//! recomputing any hash: if the result is not a prefix of the original (a truncation),
//! verification fails and names exactly the first line where the text differs from the
//! original. An edited line is reported as malformed or hash mismatch; a moved line
//! as `journal_sequence`. **What is not.** Truncation (deleting the last lines) leaves a
//! valid journal: compare `entries` with a count you already trusted. Someone who can
//! recompute hashes can rewrite the entries after the last checkpoint unseen (that is
//! what `unsigned_entries` counts); a rewrite before a checkpoint is reported at the
//! first checkpoint after the first rewritten line (its `head` or signature no longer
//! matches), or as `journal_chain_broken` on the line after a rewritten line when the
//! hashes after it were left alone.

use core::fmt;
use core::str::FromStr;

use chrono::{DateTime, Datelike, Timelike, Utc};
use ed25519_dalek::Signature;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::consent::ConsentMethod;
use super::demarche::DemarcheSet;
use super::error::MandateError;
use super::ids::{MandateId, OrganisationId};
use crate::voucher::{PublicKey, SecretKey};

/// Domain tag of entry hashes: `FR.AIDANTS.JOURNAL.V1` and a zero byte.
pub const JOURNAL_DOMAIN: &[u8; 22] = b"FR.AIDANTS.JOURNAL.V1\0";

/// Domain tag of checkpoint signatures: `FR.AIDANTS.CHECKPOINT.V1` and a zero byte.
pub const CHECKPOINT_DOMAIN: &[u8; 25] = b"FR.AIDANTS.CHECKPOINT.V1\0";

/// The `prev` of the first entry (and the `head` of an empty journal): 32 zero bytes.
pub const GENESIS: [u8; 32] = [0; 32];

/// Every key an entry may have, in canonical (byte) order.
pub const FIELDS: [&str; 21] = [
    "action",
    "additional_information",
    "aidant",
    "at",
    "attestation_hash",
    "autorisation",
    "consent_method",
    "consent_request_id",
    "count",
    "demarches",
    "duree",
    "hash",
    "head",
    "is_remote_mandat",
    "kid",
    "mandat",
    "organisation",
    "prev",
    "seq",
    "signature",
    "usager",
];

/// What an entry records: the real service's `JournalActionKeywords`, plus our
/// `checkpoint`.
///
/// ```
/// use inclusif_core::mandate::journal::JournalAction;
///
/// let a: JournalAction = "use_autorisation".parse().unwrap();
/// assert_eq!(a, JournalAction::UseAutorisation);
/// assert_eq!(a.to_string(), "use_autorisation");
/// assert!("delete_everything".parse::<JournalAction>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalAction {
    /// `connect_aidant`: an aidant logged in.
    ConnectAidant,
    /// `activity_check_aidant`: an idle aidant re-entered a code.
    ActivityCheckAidant,
    /// `card_association`: a TOTP card was associated with an aidant.
    CardAssociation,
    /// `card_validation`: a TOTP card was validated.
    CardValidation,
    /// `card_dissociation`: a TOTP card was dissociated.
    CardDissociation,
    /// `franceconnect_usager`: a usager identified through FranceConnect.
    FranceconnectUsager,
    /// `update_email_usager`: a usager's e-mail changed.
    UpdateEmailUsager,
    /// `update_phone_usager`: a usager's phone changed.
    UpdatePhoneUsager,
    /// `create_attestation`: « Création d'une attestation » (a mandate was created).
    CreateAttestation,
    /// `create_autorisation`: an autorisation (one démarche of a mandate) was created.
    CreateAutorisation,
    /// `use_autorisation`: « Utilisation d'une autorisation ».
    UseAutorisation,
    /// `cancel_autorisation`: « Révocation d'une autorisation ».
    CancelAutorisation,
    /// `cancel_mandat`: « Révocation d'un mandat ».
    CancelMandat,
    /// `import_totp_cards`: TOTP cards were imported.
    ImportTotpCards,
    /// `init_renew_mandat`: « Lancement d'une procédure de renouvellement ».
    InitRenewMandat,
    /// `transfer_mandat`: a mandate moved to another organisation.
    TransferMandat,
    /// `switch_organisation`: an aidant changed current organisation.
    SwitchOrganisation,
    /// `remote_sms_consent_received`: the usager replied « Oui ».
    RemoteSmsConsentReceived,
    /// `remote_sms_denial_received`: the usager replied anything else.
    RemoteSmsDenialReceived,
    /// `remote_sms_consent_sent`: the consent request SMS was sent.
    RemoteSmsConsentSent,
    /// `remote_sms_recap_sent`: the recap SMS was sent.
    RemoteSmsRecapSent,
    /// `checkpoint` (ours): the structure signed the chain so far.
    Checkpoint,
}

impl JournalAction {
    /// Every action, the real service's first, `checkpoint` last.
    pub const ALL: [JournalAction; 22] = [
        JournalAction::ConnectAidant,
        JournalAction::ActivityCheckAidant,
        JournalAction::CardAssociation,
        JournalAction::CardValidation,
        JournalAction::CardDissociation,
        JournalAction::FranceconnectUsager,
        JournalAction::UpdateEmailUsager,
        JournalAction::UpdatePhoneUsager,
        JournalAction::CreateAttestation,
        JournalAction::CreateAutorisation,
        JournalAction::UseAutorisation,
        JournalAction::CancelAutorisation,
        JournalAction::CancelMandat,
        JournalAction::ImportTotpCards,
        JournalAction::InitRenewMandat,
        JournalAction::TransferMandat,
        JournalAction::SwitchOrganisation,
        JournalAction::RemoteSmsConsentReceived,
        JournalAction::RemoteSmsDenialReceived,
        JournalAction::RemoteSmsConsentSent,
        JournalAction::RemoteSmsRecapSent,
        JournalAction::Checkpoint,
    ];

    /// The keyword (`create_attestation`, …).
    pub const fn keyword(self) -> &'static str {
        use JournalAction::*;
        match self {
            ConnectAidant => "connect_aidant",
            ActivityCheckAidant => "activity_check_aidant",
            CardAssociation => "card_association",
            CardValidation => "card_validation",
            CardDissociation => "card_dissociation",
            FranceconnectUsager => "franceconnect_usager",
            UpdateEmailUsager => "update_email_usager",
            UpdatePhoneUsager => "update_phone_usager",
            CreateAttestation => "create_attestation",
            CreateAutorisation => "create_autorisation",
            UseAutorisation => "use_autorisation",
            CancelAutorisation => "cancel_autorisation",
            CancelMandat => "cancel_mandat",
            ImportTotpCards => "import_totp_cards",
            InitRenewMandat => "init_renew_mandat",
            TransferMandat => "transfer_mandat",
            SwitchOrganisation => "switch_organisation",
            RemoteSmsConsentReceived => "remote_sms_consent_received",
            RemoteSmsDenialReceived => "remote_sms_denial_received",
            RemoteSmsConsentSent => "remote_sms_consent_sent",
            RemoteSmsRecapSent => "remote_sms_recap_sent",
            Checkpoint => "checkpoint",
        }
    }
}

impl fmt::Display for JournalAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl FromStr for JournalAction {
    type Err = MandateError;
    /// The exact keyword; anything else is `invalid_field`.
    fn from_str(s: &str) -> Result<Self, MandateError> {
        JournalAction::ALL
            .into_iter()
            .find(|a| a.keyword() == s)
            .ok_or_else(|| {
                MandateError::invalid("action", format!("{s:?} is not a journal action keyword"))
            })
    }
}

/// What the caller records: the instant, the action and its optional fields (the
/// real service's journal fields). [`Journal::append`] adds `seq`, `prev` and `hash`.
///
/// Build one with [`JournalRecord::new`] and struct update syntax:
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use inclusif_core::mandate::journal::{JournalAction, JournalRecord};
///
/// let at = Utc.with_ymd_and_hms(2026, 4, 10, 14, 0, 0).unwrap();
/// let r = JournalRecord {
///     autorisation: Some(102),
///     additional_information: Some("CAF : déclaration trimestrielle".into()),
///     ..JournalRecord::new(at, JournalAction::UseAutorisation)
/// };
/// assert_eq!(r.aidant, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRecord {
    /// When it happened (kept to the second: [`Journal::append`] drops sub-seconds).
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: JournalAction,
    /// The aidant's id.
    pub aidant: Option<String>,
    /// The organisation.
    pub organisation: Option<OrganisationId>,
    /// The usager (FranceConnect `sub`).
    pub usager: Option<String>,
    /// The démarches concerned (at least one when present).
    pub demarches: Option<DemarcheSet>,
    /// The mandate's duration in days.
    pub duree: Option<u32>,
    /// The mandate.
    pub mandat: Option<MandateId>,
    /// The autorisation's id.
    pub autorisation: Option<u64>,
    /// The attestation hash (SHA-256).
    pub attestation_hash: Option<[u8; 32]>,
    /// Free text.
    pub additional_information: Option<String>,
    /// Whether the mandate was signed remotely.
    pub is_remote_mandat: Option<bool>,
    /// The SMS consent request's id.
    pub consent_request_id: Option<String>,
    /// How the usager consented.
    pub consent_method: Option<ConsentMethod>,
}

impl JournalRecord {
    /// A record with no optional field.
    pub fn new(at: DateTime<Utc>, action: JournalAction) -> Self {
        JournalRecord {
            at,
            action,
            aidant: None,
            organisation: None,
            usager: None,
            demarches: None,
            duree: None,
            mandat: None,
            autorisation: None,
            attestation_hash: None,
            additional_information: None,
            is_remote_mandat: None,
            consent_request_id: None,
            consent_method: None,
        }
    }

    fn has_optional_field(&self) -> bool {
        self.aidant.is_some()
            || self.organisation.is_some()
            || self.usager.is_some()
            || self.demarches.is_some()
            || self.duree.is_some()
            || self.mandat.is_some()
            || self.autorisation.is_some()
            || self.attestation_hash.is_some()
            || self.additional_information.is_some()
            || self.is_remote_mandat.is_some()
            || self.consent_request_id.is_some()
            || self.consent_method.is_some()
    }

    /// The rules both the builder and the reader apply.
    fn check(&self) -> Result<(), MandateError> {
        if !(0..=9999).contains(&self.at.year()) || self.at.nanosecond() != 0 {
            return Err(MandateError::invalid(
                "at",
                "must be a UTC instant to the second in years 0000 to 9999",
            ));
        }
        for (field, value) in [
            ("aidant", &self.aidant),
            ("usager", &self.usager),
            ("additional_information", &self.additional_information),
            ("consent_request_id", &self.consent_request_id),
        ] {
            if value.as_deref() == Some("") {
                return Err(MandateError::invalid(
                    field,
                    "must not be empty (leave the field out instead)",
                ));
            }
        }
        if self.demarches.is_some_and(DemarcheSet::is_empty) {
            return Err(MandateError::invalid(
                "demarches",
                "must name at least one démarche (leave the field out instead)",
            ));
        }
        Ok(())
    }
}

/// A checkpoint's signed content: the structure's key id, the number of entries before
/// the checkpoint and the hash of the last of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// The signing key's id (not 0).
    pub kid: u16,
    /// How many entries precede the checkpoint.
    pub count: u64,
    /// The hash of the entry before it ([`GENESIS`] if none).
    pub head: [u8; 32],
    /// Ed25519 over [`Checkpoint::signed_message`].
    pub signature: [u8; 64],
}

impl Checkpoint {
    /// The signed bytes: [`CHECKPOINT_DOMAIN`], `kid` (2 bytes big-endian), `count` (8
    /// bytes big-endian), `head` (32 bytes).
    pub fn signed_message(kid: u16, count: u64, head: &[u8; 32]) -> Vec<u8> {
        let mut m = Vec::with_capacity(CHECKPOINT_DOMAIN.len() + 2 + 8 + 32);
        m.extend_from_slice(CHECKPOINT_DOMAIN);
        m.extend_from_slice(&kid.to_be_bytes());
        m.extend_from_slice(&count.to_be_bytes());
        m.extend_from_slice(head);
        m
    }

    /// Whether the signature verifies (`verify_strict`) with `key`.
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verifying_key()
            .verify_strict(
                &Self::signed_message(self.kid, self.count, &self.head),
                &Signature::from_bytes(&self.signature),
            )
            .is_ok()
    }
}

/// One journal entry: its number, what it records, its checkpoint (for `checkpoint`
/// entries) and its place in the chain.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use inclusif_core::mandate::journal::{Journal, JournalAction, JournalEntry, JournalRecord};
///
/// let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 25, 0).unwrap();
/// let mut journal = Journal::new();
/// let e = journal.append(JournalRecord::new(at, JournalAction::ConnectAidant)).unwrap();
/// assert_eq!(
///     String::from_utf8(e.canonical_bytes()).unwrap(),
///     format!(r#"{{"action":"connect_aidant","at":"2026-03-01T09:25:00Z","prev":"{}","seq":1}}"#, "0".repeat(64)),
/// );
/// let line = e.to_line();
/// assert_eq!(JournalEntry::from_line(&line).unwrap(), *e);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The entry's number, from 1 (its line number).
    pub seq: u64,
    /// What it records.
    pub record: JournalRecord,
    /// The signed content, for `checkpoint` entries only.
    pub checkpoint: Option<Checkpoint>,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev: [u8; 32],
    /// This entry's hash, as written (see [`JournalEntry::compute_hash`]).
    pub hash: [u8; 32],
}

impl JournalEntry {
    /// The canonical JSON of the entry without `hash`: what [`compute_hash`] hashes
    /// after the domain tag.
    ///
    /// [`compute_hash`]: JournalEntry::compute_hash
    pub fn canonical_bytes(&self) -> Vec<u8> {
        self.encode(false).into_bytes()
    }

    /// SHA-256 over [`JOURNAL_DOMAIN`] and [`canonical_bytes`](JournalEntry::canonical_bytes).
    pub fn compute_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(JOURNAL_DOMAIN);
        h.update(self.canonical_bytes());
        h.finalize().into()
    }

    /// The entry's line (its canonical JSON with `hash` as stored), without `\n`.
    pub fn to_line(&self) -> String {
        self.encode(true)
    }

    /// Reads one line (without its `\n`): `invalid_field` naming the field and the rule
    /// unless the line is the canonical JSON of a well-formed entry. It does not check
    /// the hash, the chain or the signature (see [`verify_journal`]).
    pub fn from_line(line: &str) -> Result<Self, MandateError> {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| MandateError::invalid("line", format!("not JSON ({e})")))?;
        let Value::Object(map) = value else {
            return Err(MandateError::invalid("line", "not a JSON object"));
        };
        if let Some(k) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(MandateError::invalid(
                "line",
                format!("unknown field {k:?} (the fields are {})", FIELDS.join(", ")),
            ));
        }
        let f = Fields(&map);
        let seq = f.required(f.u64("seq"), "seq")?;
        if seq == 0 {
            return Err(MandateError::invalid("seq", "entries are numbered from 1"));
        }
        let at = parse_at(f.required(f.str("at"), "at")?)?;
        let action: JournalAction = f.required(f.str("action"), "action")?.parse()?;
        let organisation = f
            .u64("organisation")?
            .map(|v| {
                u32::try_from(v)
                    .ok()
                    .and_then(|v| OrganisationId::new(v).ok())
                    .ok_or_else(|| MandateError::invalid("organisation", "must be 1 to 4294967295"))
            })
            .transpose()?;
        let duree = f
            .u64("duree")?
            .map(|v| {
                u32::try_from(v)
                    .map_err(|_| MandateError::invalid("duree", "must be 0 to 4294967295 days"))
            })
            .transpose()?;
        let mandat = f
            .str("mandat")?
            .map(|s| {
                s.parse::<MandateId>()
                    .map_err(|_| MandateError::invalid("mandat", "must be 20 lowercase hex digits"))
            })
            .transpose()?;
        let consent_method = f
            .str("consent_method")?
            .map(|s| {
                [
                    ConsentMethod::InPerson,
                    ConsentMethod::RemotePaper,
                    ConsentMethod::RemoteSms,
                ]
                .into_iter()
                .find(|m| m.name() == s)
                .ok_or_else(|| {
                    MandateError::invalid(
                        "consent_method",
                        "must be in_person, remote_paper or remote_sms",
                    )
                })
            })
            .transpose()?;
        let record = JournalRecord {
            at,
            action,
            aidant: f.str("aidant")?.map(str::to_owned),
            organisation,
            usager: f.str("usager")?.map(str::to_owned),
            demarches: f.demarches()?,
            duree,
            mandat,
            autorisation: f.u64("autorisation")?,
            attestation_hash: f.hex::<32>("attestation_hash")?,
            additional_information: f.str("additional_information")?.map(str::to_owned),
            is_remote_mandat: f.bool("is_remote_mandat")?,
            consent_request_id: f.str("consent_request_id")?.map(str::to_owned),
            consent_method,
        };
        record.check()?;
        let checkpoint = if action == JournalAction::Checkpoint {
            if record.has_optional_field() {
                return Err(MandateError::invalid(
                    "action",
                    "a checkpoint carries only seq, at, action, kid, count, head, signature, prev and hash",
                ));
            }
            let kid = f.required(f.u64("kid"), "kid")?;
            let kid = u16::try_from(kid)
                .ok()
                .filter(|k| *k != 0)
                .ok_or_else(|| MandateError::invalid("kid", "must be 1 to 65535"))?;
            Some(Checkpoint {
                kid,
                count: f.required(f.u64("count"), "count")?,
                head: f.required(f.hex::<32>("head"), "head")?,
                signature: f.required(f.hex::<64>("signature"), "signature")?,
            })
        } else {
            if let Some(k) = ["kid", "count", "head", "signature"]
                .into_iter()
                .find(|k| map.contains_key(*k))
            {
                return Err(MandateError::invalid(
                    "action",
                    format!("only a checkpoint carries {k}"),
                ));
            }
            None
        };
        let entry = JournalEntry {
            seq,
            record,
            checkpoint,
            prev: f.required(f.hex::<32>("prev"), "prev")?,
            hash: f.required(f.hex::<32>("hash"), "hash")?,
        };
        if entry.to_line() != line {
            return Err(MandateError::invalid(
                "line",
                "not in canonical form (keys in byte order, no whitespace, minimal string escapes, no \\r)",
            ));
        }
        Ok(entry)
    }

    /// Whether this is a checkpoint.
    pub fn is_checkpoint(&self) -> bool {
        self.checkpoint.is_some()
    }

    fn encode(&self, with_hash: bool) -> String {
        let r = &self.record;
        let s = |v: &str| {
            let mut o = String::with_capacity(v.len() + 2);
            json_string(&mut o, v);
            o
        };
        let hex = |b: &[u8]| format!("\"{}\"", data_encoding::HEXLOWER.encode(b));
        let mut m: Vec<(&str, String)> = Vec::with_capacity(FIELDS.len());
        m.push(("seq", self.seq.to_string()));
        m.push(("at", s(&format_at(r.at))));
        m.push(("action", s(r.action.keyword())));
        if let Some(v) = &r.aidant {
            m.push(("aidant", s(v)));
        }
        if let Some(v) = r.organisation {
            m.push(("organisation", v.get().to_string()));
        }
        if let Some(v) = &r.usager {
            m.push(("usager", s(v)));
        }
        if let Some(v) = r.demarches {
            let keys: Vec<String> = v.iter().map(|d| s(d.key())).collect();
            m.push(("demarches", format!("[{}]", keys.join(","))));
        }
        if let Some(v) = r.duree {
            m.push(("duree", v.to_string()));
        }
        if let Some(v) = r.mandat {
            m.push(("mandat", s(&v.to_string())));
        }
        if let Some(v) = r.autorisation {
            m.push(("autorisation", v.to_string()));
        }
        if let Some(v) = &r.attestation_hash {
            m.push(("attestation_hash", hex(v)));
        }
        if let Some(v) = &r.additional_information {
            m.push(("additional_information", s(v)));
        }
        if let Some(v) = r.is_remote_mandat {
            m.push(("is_remote_mandat", v.to_string()));
        }
        if let Some(v) = &r.consent_request_id {
            m.push(("consent_request_id", s(v)));
        }
        if let Some(v) = r.consent_method {
            m.push(("consent_method", s(v.name())));
        }
        if let Some(c) = &self.checkpoint {
            m.push(("kid", c.kid.to_string()));
            m.push(("count", c.count.to_string()));
            m.push(("head", hex(&c.head)));
            m.push(("signature", hex(&c.signature)));
        }
        m.push(("prev", hex(&self.prev)));
        if with_hash {
            m.push(("hash", hex(&self.hash)));
        }
        m.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut out = String::from("{");
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
            out.push_str(v);
        }
        out.push('}');
        out
    }
}

/// Writes `s` as a JSON string with the canonical (minimal) escapes.
fn json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn format_at(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_at(s: &str) -> Result<DateTime<Utc>, MandateError> {
    let rule = || {
        MandateError::invalid(
            "at",
            format!(
                "{s:?} is not a UTC instant written YYYY-MM-DDTHH:MM:SSZ (like 2026-03-01T09:30:00Z)"
            ),
        )
    };
    let at = DateTime::parse_from_rfc3339(s)
        .map_err(|_| rule())?
        .with_timezone(&Utc);
    if at.nanosecond() != 0 || format_at(at) != s {
        return Err(rule());
    }
    Ok(at)
}

/// Typed access to a line's members.
struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    fn required<T>(
        &self,
        v: Result<Option<T>, MandateError>,
        field: &'static str,
    ) -> Result<T, MandateError> {
        v?.ok_or_else(|| MandateError::invalid(field, "missing"))
    }

    fn str(&self, field: &'static str) -> Result<Option<&'a str>, MandateError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(MandateError::invalid(field, "must be a string")),
        }
    }

    fn u64(&self, field: &'static str) -> Result<Option<u64>, MandateError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                MandateError::invalid(field, "must be an integer from 0 to 2^64 - 1")
            }),
        }
    }

    fn bool(&self, field: &'static str) -> Result<Option<bool>, MandateError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(MandateError::invalid(field, "must be true or false")),
        }
    }

    fn hex<const N: usize>(&self, field: &'static str) -> Result<Option<[u8; N]>, MandateError> {
        let Some(s) = self.str(field)? else {
            return Ok(None);
        };
        let mut b = [0u8; N];
        if s.len() != 2 * N
            || data_encoding::HEXLOWER
                .decode_mut(s.as_bytes(), &mut b)
                .is_err()
        {
            return Err(MandateError::invalid(
                field,
                format!("must be {} lowercase hex digits", 2 * N),
            ));
        }
        Ok(Some(b))
    }

    fn demarches(&self) -> Result<Option<DemarcheSet>, MandateError> {
        let Some(v) = self.0.get("demarches") else {
            return Ok(None);
        };
        let rule = "must be an array of démarche keys, each once, in the service's order \
                    (papiers, famille, social, travail, logement, transports, argent, justice, etranger, loisirs)";
        let Value::Array(items) = v else {
            return Err(MandateError::invalid("demarches", rule));
        };
        let keys: Vec<&str> = items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| MandateError::invalid("demarches", rule))
            })
            .collect::<Result<_, _>>()?;
        let set = DemarcheSet::parse(keys.iter().copied())?;
        if !set.iter().map(|d| d.key()).eq(keys.iter().copied()) {
            return Err(MandateError::invalid("demarches", rule));
        }
        Ok(Some(set))
    }
}

/// An append-only, hash-chained journal being written.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use inclusif_core::mandate::journal::{Journal, JournalAction, JournalRecord, GENESIS};
/// use inclusif_core::voucher::SecretKey;
///
/// let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 25, 0).unwrap();
/// let mut journal = Journal::new();
/// let first = journal.append(JournalRecord::new(at, JournalAction::FranceconnectUsager)).unwrap();
/// assert_eq!((first.seq, first.prev), (1, GENESIS));
/// let head = first.hash;
/// let cp = journal.checkpoint(&SecretKey::from_seed(&[1; 32]), 3, at).unwrap();
/// assert_eq!(cp.prev, head);
/// assert_eq!(cp.checkpoint.unwrap().count, 1);
/// assert_eq!(journal.to_jsonl().lines().count(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    entries: Vec<JournalEntry>,
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Journal::default()
    }

    /// Reads and verifies a journal (as [`verify_journal`]) to append to it.
    pub fn from_jsonl(text: &str, keys: &[(u16, PublicKey)]) -> Result<Self, JournalFailure> {
        let mut entries = Vec::new();
        walk(text, keys, |e| entries.push(e))?;
        Ok(Journal { entries })
    }

    /// Appends an entry: numbers it, chains it to the previous one and hashes it.
    /// `at` is kept to the second (sub-seconds are dropped). `invalid_field` for a
    /// `checkpoint` action (use [`Journal::checkpoint`]), an instant outside years
    /// 0000–9999, an empty string or an empty démarche set.
    pub fn append(&mut self, mut record: JournalRecord) -> Result<&JournalEntry, MandateError> {
        if record.action == JournalAction::Checkpoint {
            return Err(MandateError::invalid(
                "action",
                "checkpoints are appended with Journal::checkpoint",
            ));
        }
        record.at = truncate_to_second(record.at);
        self.push(record, None)
    }

    /// Appends a checkpoint signed with `key` (known to verifiers as `kid`, not 0) over
    /// the number of entries so far and the chain head. `at` is kept to the second.
    pub fn checkpoint(
        &mut self,
        key: &SecretKey,
        kid: u16,
        at: DateTime<Utc>,
    ) -> Result<&JournalEntry, MandateError> {
        if kid == 0 {
            return Err(MandateError::invalid("kid", "0 is reserved"));
        }
        let count = self.len_u64();
        let head = self.head();
        let signature = key.sign(&Checkpoint::signed_message(kid, count, &head));
        let record = JournalRecord::new(truncate_to_second(at), JournalAction::Checkpoint);
        self.push(
            record,
            Some(Checkpoint {
                kid,
                count,
                head,
                signature,
            }),
        )
    }

    fn push(
        &mut self,
        record: JournalRecord,
        checkpoint: Option<Checkpoint>,
    ) -> Result<&JournalEntry, MandateError> {
        record.check()?;
        let mut entry = JournalEntry {
            seq: self.len_u64().saturating_add(1),
            record,
            checkpoint,
            prev: self.head(),
            hash: GENESIS,
        };
        entry.hash = entry.compute_hash();
        let i = self.entries.len();
        self.entries.push(entry);
        Ok(&self.entries[i])
    }

    fn len_u64(&self) -> u64 {
        u64::try_from(self.entries.len()).unwrap_or(u64::MAX)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The chain head: the last entry's hash, or [`GENESIS`].
    pub fn head(&self) -> [u8; 32] {
        self.entries.last().map_or(GENESIS, |e| e.hash)
    }

    /// The JSON Lines text: each entry's line followed by `\n`.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&e.to_line());
            out.push('\n');
        }
        out
    }
}

fn truncate_to_second(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

/// A verification failure's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JournalCode {
    /// `journal_malformed`: not JSON, not a canonical line, a missing, unknown or bad field.
    Malformed,
    /// `journal_hash_mismatch`: the `hash` does not match the line's content.
    HashMismatch,
    /// `journal_sequence`: `seq` is not the line number.
    Sequence,
    /// `journal_chain_broken`: `prev` is not the previous line's `hash`.
    ChainBroken,
    /// `journal_bad_checkpoint`: unknown kid, bad signature, wrong count or head.
    BadCheckpoint,
}

impl JournalCode {
    /// Every code, in the order the checks run.
    pub const ALL: [JournalCode; 5] = [
        JournalCode::Malformed,
        JournalCode::HashMismatch,
        JournalCode::Sequence,
        JournalCode::ChainBroken,
        JournalCode::BadCheckpoint,
    ];

    /// The snake_case code (`journal_malformed`, …).
    pub const fn code(self) -> &'static str {
        match self {
            JournalCode::Malformed => "journal_malformed",
            JournalCode::HashMismatch => "journal_hash_mismatch",
            JournalCode::Sequence => "journal_sequence",
            JournalCode::ChainBroken => "journal_chain_broken",
            JournalCode::BadCheckpoint => "journal_bad_checkpoint",
        }
    }
}

impl fmt::Display for JournalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for JournalCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// The first problem in a journal: its 1-based line, its code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalFailure {
    /// The 1-based line.
    pub line: u64,
    /// What is wrong.
    pub code: JournalCode,
    /// In words.
    pub message: String,
}

impl fmt::Display for JournalFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.code, self.message)
    }
}

impl std::error::Error for JournalFailure {}

/// The outcome of [`verify_journal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalReport {
    /// Every line checks out.
    Ok {
        /// How many entries (checkpoints included).
        entries: u64,
        /// How many entries follow the last checkpoint (all of them if there is none).
        unsigned_entries: u64,
    },
    /// The first problem.
    Err {
        /// Its 1-based line.
        line: u64,
        /// Its code.
        code: JournalCode,
        /// In words.
        message: String,
    },
}

impl From<JournalFailure> for JournalReport {
    fn from(f: JournalFailure) -> Self {
        JournalReport::Err {
            line: f.line,
            code: f.code,
            message: f.message,
        }
    }
}

impl JournalReport {
    /// Whether the journal verified.
    pub fn is_ok(&self) -> bool {
        matches!(self, JournalReport::Ok { .. })
    }

    /// The JSON object the command line prints:
    /// `{"ok":true,"entries":N,"unsigned_entries":M}` or
    /// `{"ok":false,"line":K,"error":"journal_…","message":"…"}`.
    pub fn to_json(&self) -> String {
        match self {
            JournalReport::Ok {
                entries,
                unsigned_entries,
            } => format!(
                r#"{{"ok":true,"entries":{entries},"unsigned_entries":{unsigned_entries}}}"#
            ),
            JournalReport::Err {
                line,
                code,
                message,
            } => {
                let mut m = String::new();
                json_string(&mut m, message);
                format!(r#"{{"ok":false,"line":{line},"error":"{code}","message":{m}}}"#)
            }
        }
    }
}

impl Serialize for JournalReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            JournalReport::Ok {
                entries,
                unsigned_entries,
            } => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("ok", &true)?;
                m.serialize_entry("entries", entries)?;
                m.serialize_entry("unsigned_entries", unsigned_entries)?;
                m.end()
            }
            JournalReport::Err {
                line,
                code,
                message,
            } => {
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry("ok", &false)?;
                m.serialize_entry("line", line)?;
                m.serialize_entry("error", code)?;
                m.serialize_entry("message", message)?;
                m.end()
            }
        }
    }
}

/// Verifies a journal's text (JSON Lines) against the structure's keys, `(kid, key)`
/// pairs (the first pair with a checkpoint's kid is used). Never panics; see the
/// [module docs](self) for the checks, their order and what they guarantee.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use inclusif_core::mandate::journal::{
///     Journal, JournalAction, JournalCode, JournalRecord, JournalReport, verify_journal,
/// };
/// use inclusif_core::voucher::SecretKey;
///
/// let key = SecretKey::from_seed(&[7; 32]);
/// let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 25, 0).unwrap();
/// let mut journal = Journal::new();
/// for action in [JournalAction::ConnectAidant, JournalAction::FranceconnectUsager] {
///     journal.append(JournalRecord::new(at, action)).unwrap();
/// }
/// journal.checkpoint(&key, 3, at).unwrap();
/// let keys = [(3, key.public_key())];
/// let text = journal.to_jsonl();
/// assert_eq!(
///     verify_journal(&text, &keys),
///     JournalReport::Ok { entries: 3, unsigned_entries: 0 },
/// );
///
/// // Delete line 1: line 1 now holds entry 2.
/// let deleted: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
/// let JournalReport::Err { line, code, .. } = verify_journal(&deleted, &keys) else { panic!() };
/// assert_eq!((line, code), (1, JournalCode::Sequence));
///
/// // The right key is needed.
/// let other = [(3, SecretKey::from_seed(&[8; 32]).public_key())];
/// let JournalReport::Err { line, code, .. } = verify_journal(&text, &other) else { panic!() };
/// assert_eq!((line, code), (3, JournalCode::BadCheckpoint));
/// ```
pub fn verify_journal(text: &str, keys: &[(u16, PublicKey)]) -> JournalReport {
    match walk(text, keys, |_| {}) {
        Ok((entries, last_checkpoint)) => JournalReport::Ok {
            entries,
            unsigned_entries: entries - last_checkpoint,
        },
        Err(f) => f.into(),
    }
}

/// Checks every line, handing each good entry to `keep`; returns the number of entries
/// and the line of the last checkpoint (0 if none).
fn walk(
    text: &str,
    keys: &[(u16, PublicKey)],
    mut keep: impl FnMut(JournalEntry),
) -> Result<(u64, u64), JournalFailure> {
    let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
    let mut prev = GENESIS;
    let mut line: u64 = 0;
    let mut last_checkpoint: u64 = 0;
    if text.is_empty() {
        return Ok((0, 0));
    }
    for text_line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        line += 1;
        let fail = |code, message: String| JournalFailure {
            line,
            code,
            message,
        };
        let entry = JournalEntry::from_line(text_line).map_err(|e| {
            let message = if text_line.is_empty() {
                "empty line".to_owned()
            } else {
                e.to_string()
            };
            fail(JournalCode::Malformed, message)
        })?;
        let computed = entry.compute_hash();
        if computed != entry.hash {
            return Err(fail(
                JournalCode::HashMismatch,
                format!(
                    "the entry's hash is {} but its content hashes to {}: the entry was edited",
                    hex(&entry.hash),
                    hex(&computed)
                ),
            ));
        }
        if entry.seq != line {
            return Err(fail(
                JournalCode::Sequence,
                format!(
                    "entry {} is on line {line}: a line was deleted, inserted, duplicated or moved",
                    entry.seq
                ),
            ));
        }
        if entry.prev != prev {
            return Err(fail(
                JournalCode::ChainBroken,
                format!(
                    "prev is {} but the previous entry's hash is {}: an entry was replaced or the chain was spliced",
                    hex(&entry.prev),
                    hex(&prev)
                ),
            ));
        }
        if let Some(c) = &entry.checkpoint {
            let bad = |message: String| fail(JournalCode::BadCheckpoint, message);
            if c.count != line - 1 {
                return Err(bad(format!(
                    "the checkpoint counts {} entries but {} precede it",
                    c.count,
                    line - 1
                )));
            }
            if c.head != entry.prev {
                return Err(bad(format!(
                    "the checkpoint's head {} is not the previous entry's hash {}",
                    hex(&c.head),
                    hex(&entry.prev)
                )));
            }
            let Some((_, key)) = keys.iter().find(|(k, _)| *k == c.kid) else {
                return Err(bad(format!(
                    "the checkpoint is signed by kid {}, which is not among the given keys",
                    c.kid
                )));
            };
            if !c.verify(key) {
                return Err(bad(format!(
                    "the checkpoint's signature does not verify with the key of kid {}",
                    c.kid
                )));
            }
            last_checkpoint = line;
        }
        prev = entry.hash;
        keep(entry);
    }
    Ok((line, last_checkpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mandate::Demarche;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
    }

    fn key() -> SecretKey {
        SecretKey::from_seed(&[0x4a; 32])
    }

    fn keys() -> Vec<(u16, PublicKey)> {
        vec![(3, key().public_key())]
    }

    /// Six entries, a checkpoint on line 4, then two unsigned entries.
    fn sample() -> Journal {
        let mut j = Journal::new();
        let org = OrganisationId::new(42).unwrap();
        j.append(JournalRecord {
            aidant: Some("aidant-7".into()),
            organisation: Some(org),
            usager: Some("sub-123".into()),
            ..JournalRecord::new(at(9, 25), JournalAction::FranceconnectUsager)
        })
        .unwrap();
        j.append(JournalRecord {
            aidant: Some("aidant-7".into()),
            organisation: Some(org),
            usager: Some("sub-123".into()),
            demarches: Some(DemarcheSet::parse(["papiers", "social"]).unwrap()),
            duree: Some(365),
            mandat: Some(MandateId::from_bytes([0xab; 10])),
            attestation_hash: Some([0x11; 32]),
            is_remote_mandat: Some(false),
            consent_method: Some(ConsentMethod::InPerson),
            ..JournalRecord::new(at(9, 30), JournalAction::CreateAttestation)
        })
        .unwrap();
        j.append(JournalRecord {
            autorisation: Some(101),
            demarches: Some(DemarcheSet::EMPTY.with(Demarche::Papiers)),
            additional_information: Some("quote \" backslash \\ é\n\u{1}".into()),
            ..JournalRecord::new(at(9, 30), JournalAction::CreateAutorisation)
        })
        .unwrap();
        j.checkpoint(&key(), 3, at(10, 0)).unwrap();
        j.append(JournalRecord {
            autorisation: Some(101),
            consent_request_id: Some("req-1".into()),
            ..JournalRecord::new(at(11, 0), JournalAction::UseAutorisation)
        })
        .unwrap();
        j.append(JournalRecord::new(at(12, 0), JournalAction::ConnectAidant))
            .unwrap();
        j
    }

    fn err(text: &str) -> (u64, JournalCode) {
        match verify_journal(text, &keys()) {
            JournalReport::Err { line, code, .. } => (line, code),
            ok => panic!("expected an error, got {ok:?}"),
        }
    }

    fn lines(j: &Journal) -> Vec<String> {
        j.to_jsonl().lines().map(str::to_owned).collect()
    }

    fn join(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn a_good_journal_verifies_and_reloads() {
        let j = sample();
        let text = j.to_jsonl();
        assert!(text.ends_with('\n'));
        assert_eq!(
            verify_journal(&text, &keys()),
            JournalReport::Ok {
                entries: 6,
                unsigned_entries: 2
            }
        );
        // The final newline is optional.
        assert!(verify_journal(text.trim_end_matches('\n'), &keys()).is_ok());
        let again = Journal::from_jsonl(&text, &keys()).unwrap();
        assert_eq!(again, j);
        assert_eq!(again.head(), j.entries()[5].hash);
        // Empty.
        assert_eq!(
            verify_journal("", &[]),
            JournalReport::Ok {
                entries: 0,
                unsigned_entries: 0
            }
        );
        assert_eq!(Journal::new().to_jsonl(), "");
    }

    #[test]
    fn known_answer() {
        let mut j = Journal::new();
        let e = j
            .append(JournalRecord {
                organisation: Some(OrganisationId::new(42).unwrap()),
                demarches: Some(DemarcheSet::parse(["social", "papiers"]).unwrap()),
                additional_information: Some("« Oui »\t\"ok\"".into()),
                ..JournalRecord::new(at(9, 30), JournalAction::UseAutorisation)
            })
            .unwrap();
        let canonical = format!(
            "{{\"action\":\"use_autorisation\",\"additional_information\":\"« Oui »\\t\\\"ok\\\"\",\
             \"at\":\"2026-03-01T09:30:00Z\",\"demarches\":[\"papiers\",\"social\"],\
             \"organisation\":42,\"prev\":\"{}\",\"seq\":1}}",
            "0".repeat(64)
        );
        assert_eq!(String::from_utf8(e.canonical_bytes()).unwrap(), canonical);
        let mut h = Sha256::new();
        h.update(b"FR.AIDANTS.JOURNAL.V1\0");
        h.update(canonical.as_bytes());
        let hash: [u8; 32] = h.finalize().into();
        assert_eq!(e.hash, hash);
        // The line: the same with "hash" in its sorted place.
        let line = e.to_line();
        let hash_hex = data_encoding::HEXLOWER.encode(&hash);
        assert_eq!(
            line,
            canonical.replace(
                ",\"organisation\"",
                &format!(",\"hash\":\"{hash_hex}\",\"organisation\"")
            )
        );
    }

    #[test]
    fn fields_are_sorted_and_escapes_match_serde_json() {
        let mut sorted = FIELDS;
        sorted.sort_unstable();
        assert_eq!(sorted, FIELDS);
        let mut all: String = (0u32..0x80).filter_map(char::from_u32).collect();
        all.push_str("é€😀\u{2028}\u{7f}");
        for c in all.chars() {
            let mut ours = String::new();
            json_string(&mut ours, &c.to_string());
            assert_eq!(
                ours,
                serde_json::to_string(&c.to_string()).unwrap(),
                "{c:?}"
            );
        }
        // And each line is serde_json's compact writing of itself.
        for l in lines(&sample()) {
            let v: Value = serde_json::from_str(&l).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), l);
        }
    }

    #[test]
    fn actions_round_trip() {
        for a in JournalAction::ALL {
            assert_eq!(a.keyword().parse::<JournalAction>().unwrap(), a);
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.keyword())
            );
        }
        assert_eq!(
            "Checkpoint".parse::<JournalAction>().unwrap_err().code(),
            "invalid_field"
        );
    }

    #[test]
    fn malformed_lines() {
        let l = lines(&sample());
        let cases: Vec<(usize, String)> = vec![
            (1, "not json".into()),
            (2, "[1,2]".into()),
            (2, String::new()),
            (3, format!("{}\r", l[2])),
            (3, l[2].replacen(',', ", ", 1)),
            (2, l[1].replacen("\"seq\"", "\"extra\":1,\"seq\"", 1)),
            (
                2,
                l[1].replacen("\"action\":\"create_attestation\",", "", 1),
            ),
            (
                2,
                l[1].replace("2026-03-01T09:30:00Z", "2026-03-01T10:30:00+01:00"),
            ),
            (
                2,
                l[1].replace("2026-03-01T09:30:00Z", "2026-03-01T09:30:00.5Z"),
            ),
            (
                2,
                l[1].replace("\"papiers\",\"social\"", "\"social\",\"papiers\""),
            ),
            (2, l[1].replace("\"papiers\",\"social\"", "")),
            (2, l[1].replace("\"organisation\":42", "\"organisation\":0")),
            (
                2,
                l[1].replace("\"organisation\":42", "\"organisation\":42.0"),
            ),
            (2, l[1].replace("\"duree\":365", "\"duree\":-1")),
            (2, l[1].replace("create_attestation", "delete_attestation")),
            (2, l[1].replace("\"aidant-7\"", "\"\"")),
            (4, l[3].replace("\"kid\":3", "\"kid\":0")),
            (
                4,
                l[3].replace("\"action\":\"checkpoint\"", "\"action\":\"connect_aidant\""),
            ),
            (5, l[4].replace("\"seq\":5", "\"count\":4,\"seq\":5")),
            (1, l[0].replace("\"seq\":1", "\"seq\":0")),
            (1, l[0].to_uppercase()),
            (1, format!("\u{feff}{}", l[0])),
        ];
        for (line, bad) in cases {
            let mut t = l.clone();
            t[line - 1] = bad.clone();
            assert_eq!(
                err(&join(&t)),
                (line as u64, JournalCode::Malformed),
                "{bad}"
            );
        }
        // A blank line between entries, a lone newline.
        let mut t = l.clone();
        t.insert(2, String::new());
        assert_eq!(err(&join(&t)), (3, JournalCode::Malformed));
        assert_eq!(err("\n"), (1, JournalCode::Malformed));
        assert_eq!(err("\n\n"), (1, JournalCode::Malformed));
    }

    #[test]
    fn an_edited_entry_is_a_hash_mismatch_on_its_line() {
        let l = lines(&sample());
        for (line, edited) in [
            (2, l[1].replace("aidant-7", "aidant-8")),
            (2, l[1].replace("\"duree\":365", "\"duree\":31")),
            (1, l[0].replace("\"seq\":1", "\"seq\":2")),
            (
                3,
                l[2].replace("\"autorisation\":101", "\"autorisation\":102"),
            ),
            (
                5,
                l[4].replace("2026-03-01T11:00:00Z", "2026-03-01T11:00:01Z"),
            ),
            (4, l[3].replace("\"count\":3", "\"count\":2")),
        ] {
            assert_ne!(edited, l[line - 1]);
            let mut t = l.clone();
            t[line - 1] = edited;
            let (got_line, code) = err(&join(&t));
            assert_eq!((got_line, code), (line as u64, JournalCode::HashMismatch));
        }
        // Editing the hash itself.
        let e = JournalEntry::from_line(&l[2]).unwrap();
        let mut t = l.clone();
        t[2] = JournalEntry {
            hash: [0x22; 32],
            ..e
        }
        .to_line();
        assert_eq!(err(&join(&t)), (3, JournalCode::HashMismatch));
    }

    #[test]
    fn moved_lines_are_sequence_errors() {
        let l = lines(&sample());
        // Deleted.
        let mut t = l.clone();
        t.remove(2);
        assert_eq!(err(&join(&t)), (3, JournalCode::Sequence));
        // Duplicated.
        let mut t = l.clone();
        t.insert(2, l[1].clone());
        assert_eq!(err(&join(&t)), (3, JournalCode::Sequence));
        // Inserted (a copy of another line).
        let mut t = l.clone();
        t.insert(4, l[0].clone());
        assert_eq!(err(&join(&t)), (5, JournalCode::Sequence));
        // Appended at the end.
        let mut t = l.clone();
        t.push(l[5].clone());
        assert_eq!(err(&join(&t)), (7, JournalCode::Sequence));
        // Swapped.
        let mut t = l.clone();
        t.swap(1, 4);
        assert_eq!(err(&join(&t)), (2, JournalCode::Sequence));
        // Truncation is not detectable by the chain: a prefix is a valid journal.
        assert_eq!(
            verify_journal(&join(&l[..3]), &keys()),
            JournalReport::Ok {
                entries: 3,
                unsigned_entries: 3
            }
        );
    }

    #[test]
    fn a_rehashed_edit_breaks_the_chain_on_the_next_line() {
        let l = lines(&sample());
        let mut e = JournalEntry::from_line(&l[1]).unwrap();
        e.record.duree = Some(31);
        e.hash = e.compute_hash();
        let mut t = l.clone();
        t[1] = e.to_line();
        assert_eq!(err(&join(&t)), (3, JournalCode::ChainBroken));
        // A first line from another journal.
        let mut first = JournalEntry::from_line(&l[0]).unwrap();
        first.prev = [1; 32];
        first.hash = first.compute_hash();
        let mut t = l.clone();
        t[0] = first.to_line();
        assert_eq!(err(&join(&t)), (1, JournalCode::ChainBroken));
    }

    /// Rewrites line `i` (0-based) with `edit` and recomputes every hash after it.
    fn rewrite(j: &Journal, i: usize, edit: impl Fn(&mut JournalEntry)) -> String {
        let mut entries = j.entries().to_vec();
        edit(&mut entries[i]);
        let mut prev = if i == 0 { GENESIS } else { entries[i - 1].hash };
        for e in &mut entries[i..] {
            e.prev = prev;
            e.hash = e.compute_hash();
            prev = e.hash;
        }
        entries
            .iter()
            .map(|e| format!("{}\n", e.to_line()))
            .collect()
    }

    #[test]
    fn bad_checkpoints() {
        let j = sample();
        // A rewrite before the checkpoint, all hashes recomputed: caught at the checkpoint.
        let t = rewrite(&j, 1, |e| e.record.duree = Some(31));
        assert_eq!(err(&t), (4, JournalCode::BadCheckpoint));
        // After it: unseen, and counted as unsigned.
        let t = rewrite(&j, 4, |e| e.record.autorisation = Some(999));
        assert_eq!(
            verify_journal(&t, &keys()),
            JournalReport::Ok {
                entries: 6,
                unsigned_entries: 2
            }
        );
        // Unknown kid, wrong key, wrong count, head and signature fixed up or not.
        let other = SecretKey::from_seed(&[0x99; 32]);
        let t = j.to_jsonl();
        assert_eq!(
            verify_journal(&t, &[(4, key().public_key())]),
            JournalReport::Err {
                line: 4,
                code: JournalCode::BadCheckpoint,
                message: "the checkpoint is signed by kid 3, which is not among the given keys"
                    .into()
            }
        );
        let JournalReport::Err { line: 4, code, .. } =
            verify_journal(&t, &[(3, other.public_key())])
        else {
            panic!()
        };
        assert_eq!(code, JournalCode::BadCheckpoint);
        // Re-signed by another key under kid 3.
        let t = rewrite(&j, 3, |e| {
            let c = e.checkpoint.as_mut().unwrap();
            c.signature = other.sign(&Checkpoint::signed_message(c.kid, c.count, &c.head));
        });
        assert_eq!(err(&t), (4, JournalCode::BadCheckpoint));
        for edit in [
            (|c: &mut Checkpoint| c.count = 2) as fn(&mut Checkpoint),
            |c| c.head = [0; 32],
            |c| c.signature[0] ^= 1,
            |c| c.kid = 4,
        ] {
            let t = rewrite(&j, 3, |e| edit(e.checkpoint.as_mut().unwrap()));
            assert_eq!(err(&t), (4, JournalCode::BadCheckpoint));
        }
        // The first key with the kid is used.
        assert!(
            verify_journal(
                &j.to_jsonl(),
                &[(3, key().public_key()), (3, other.public_key())]
            )
            .is_ok()
        );
    }

    #[test]
    fn the_builder_refuses_bad_records() {
        let mut j = Journal::new();
        let e = |r| Journal::new().append(r).unwrap_err().code();
        assert_eq!(
            e(JournalRecord::new(at(9, 0), JournalAction::Checkpoint)),
            "invalid_field"
        );
        assert_eq!(
            e(JournalRecord {
                aidant: Some(String::new()),
                ..JournalRecord::new(at(9, 0), JournalAction::ConnectAidant)
            }),
            "invalid_field"
        );
        assert_eq!(
            e(JournalRecord {
                demarches: Some(DemarcheSet::EMPTY),
                ..JournalRecord::new(at(9, 0), JournalAction::ConnectAidant)
            }),
            "invalid_field"
        );
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            e(JournalRecord::new(far, JournalAction::ConnectAidant)),
            "invalid_field"
        );
        assert!(j.checkpoint(&key(), 0, at(9, 0)).is_err());
        assert!(j.is_empty());
        // Sub-seconds are dropped; year 0 and 9999 round-trip.
        let precise = at(9, 0) + chrono::TimeDelta::milliseconds(1500);
        assert_eq!(
            j.append(JournalRecord::new(precise, JournalAction::ConnectAidant))
                .unwrap()
                .record
                .at,
            at(9, 0) + chrono::TimeDelta::seconds(1)
        );
        for y in [0, 9999] {
            let t = Utc.with_ymd_and_hms(y, 12, 31, 23, 59, 59).unwrap();
            j.append(JournalRecord::new(t, JournalAction::ConnectAidant))
                .unwrap();
        }
        assert_eq!(
            verify_journal(&j.to_jsonl(), &[]),
            JournalReport::Ok {
                entries: 3,
                unsigned_entries: 3
            }
        );
    }

    #[test]
    fn reports_as_json() {
        let ok = JournalReport::Ok {
            entries: 12,
            unsigned_entries: 1,
        };
        assert_eq!(
            ok.to_json(),
            r#"{"ok":true,"entries":12,"unsigned_entries":1}"#
        );
        let bad = JournalReport::Err {
            line: 3,
            code: JournalCode::Sequence,
            message: "entry \"4\" é".into(),
        };
        assert_eq!(
            bad.to_json(),
            r#"{"ok":false,"line":3,"error":"journal_sequence","message":"entry \"4\" é"}"#
        );
        for r in [ok, bad] {
            assert_eq!(serde_json::to_string(&r).unwrap(), r.to_json());
        }
        let codes: Vec<&str> = JournalCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "journal_malformed",
                "journal_hash_mismatch",
                "journal_sequence",
                "journal_chain_broken",
                "journal_bad_checkpoint"
            ]
        );
        let f = JournalFailure {
            line: 2,
            code: JournalCode::Malformed,
            message: "x".into(),
        };
        assert_eq!(f.to_string(), "line 2: journal_malformed: x");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "{}",
            "{\"seq\":18446744073709551615}",
            "{\"seq\":1e400}",
            "[".repeat(10_000).as_str(),
            "\"\\ud800\"",
            "{\"seq\":1,\"at\":\"+10000-01-01T00:00:00Z\"}",
            "{\"seq\":1,\"at\":\"2026-06-30T23:59:60Z\",\"action\":\"connect_aidant\"}",
            "\u{0}",
        ] {
            assert_eq!(err(t).1, JournalCode::Malformed, "{t}");
        }
    }
}
