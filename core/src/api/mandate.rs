//! The mandate domain for bindings: the decision function over a [`Registry`], scenarios,
//! signed mandate tokens and tamper-evident journals.
//!
//! Enum values cross the boundary as the core's stable strings: démarches by key
//! (`papiers`), durations by keyword (`LONG`), consent methods, denial reasons, journal
//! actions and journal codes in snake_case. Keys are raw bytes (32-byte Ed25519 public
//! keys, 32-byte secret seeds). Every error is a [`Domain::Mandate`] error; a key or
//! trust-list error keeps the voucher code the core gives it (`invalid_key`,
//! `trust_list_expired`, …), as the mandate token verifier itself does.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use inclusif_core::api::mandate::Registry;
//!
//! let mut r = Registry::new();
//! r.add_organisation(42, "CCAS", "21230096300014", true, None).unwrap();
//! r.add_aidant("alice", &[42], 42, true, true, None, None).unwrap();
//! r.add_usager("u1", "Camille", "Martin").unwrap();
//! let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
//! let consent = inclusif_core::api::mandate::ConsentInput::in_person();
//! r.create_mandate("alice", "u1", &["social".into()], "LONG", &consent, at).unwrap();
//! let d = r.decide("alice", "u1", "social", at).unwrap();
//! assert!(d.allowed);
//! assert_eq!(r.decide("alice", "u1", "papiers", at).unwrap().reasons, ["demarche_not_covered"]);
//! ```

use chrono::{DateTime, Utc};

use super::{Domain, Error, ErrorKind, Result};
use crate::mandate::journal::{self as journal, JournalAction, JournalReport as CoreReport};
use crate::mandate::scenario::{self, Scenario};
use crate::mandate::token::{self, MandateClaims, MandateTokenError};
use crate::mandate::{self as dm, ConsentMethod, Demarche, DemarcheSet, MandateId};
use crate::voucher::{Kid, PublicKey, SecretKey, TrustList, VoucherError};

impl From<MandateTokenError> for Error {
    /// A token error: its own code, or the wrapped trust-list error's code and kind.
    fn from(e: MandateTokenError) -> Self {
        let kind = match &e {
            MandateTokenError::TrustList(inner) => Error::from(inner.clone()).kind,
            _ => ErrorKind::Invalid,
        };
        Error {
            domain: Domain::Mandate,
            code: e.code(),
            message: e.to_string(),
            kind,
        }
    }
}

/// A key error met by a mandate call: the voucher code, in the mandate domain.
fn key_error(e: VoucherError) -> Error {
    Error {
        domain: Domain::Mandate,
        ..Error::from(e)
    }
}

fn invalid(field: &str, rule: impl std::fmt::Display) -> Error {
    Error::invalid(Domain::Mandate, "invalid_field", format!("{field}: {rule}"))
}

fn demarche(key: &str) -> Result<Demarche> {
    Ok(key.parse::<Demarche>()?)
}

fn demarches(keys: &[String]) -> Result<DemarcheSet> {
    Ok(DemarcheSet::parse(keys.iter().map(String::as_str))?)
}

fn keys_of(set: DemarcheSet) -> Vec<&'static str> {
    set.iter().map(Demarche::key).collect()
}

fn duration(keyword: &str) -> Result<dm::Duration> {
    Ok(keyword.parse::<dm::Duration>()?)
}

fn consent_method(name: &str) -> Result<ConsentMethod> {
    [
        ConsentMethod::InPerson,
        ConsentMethod::RemotePaper,
        ConsentMethod::RemoteSms,
    ]
    .into_iter()
    .find(|m| m.name() == name)
    .ok_or_else(|| {
        invalid(
            "consent",
            format!("{name:?} is not in_person, remote_paper or remote_sms"),
        )
    })
}

fn mandate_id(id: &str) -> Result<MandateId> {
    Ok(id.parse::<MandateId>()?)
}

fn organisation(id: u32) -> Result<dm::OrganisationId> {
    Ok(dm::OrganisationId::new(id)?)
}

fn public_key(kid: u16, bytes: &[u8]) -> Result<PublicKey> {
    let array: &[u8; 32] = bytes.try_into().map_err(|_| {
        key_error(VoucherError::InvalidKey {
            field: "public_key",
            rule: format!("key {kid}: must be 32 bytes, got {}", bytes.len()),
        })
    })?;
    PublicKey::from_bytes(array, kid).map_err(key_error)
}

fn secret_key(seed: &[u8]) -> Result<SecretKey> {
    let seed: &[u8; 32] = seed.try_into().map_err(|_| {
        key_error(VoucherError::InvalidKey {
            field: "secret_key",
            rule: format!("must be a 32-byte seed, got {} bytes", seed.len()),
        })
    })?;
    Ok(SecretKey::from_seed(seed))
}

fn kid(n: u16) -> Result<Kid> {
    Kid::new(n).ok_or_else(|| invalid("kid", "0 is reserved and never assigned"))
}

fn checkpoint_keys(keys: &[(u16, Vec<u8>)]) -> Result<Vec<(u16, PublicKey)>> {
    keys.iter()
        .map(|(kid, bytes)| public_key(*kid, bytes).map(|k| (*kid, k)))
        .collect()
}

// ---- the decision function ----

/// How the usager consents to a new mandate: `in_person`, `remote_paper`, or
/// `remote_sms` with the phone and the consent request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentInput {
    /// `in_person`, `remote_paper` or `remote_sms`.
    pub method: String,
    /// The usager's phone (E.164, French), for `remote_sms`.
    pub phone: Option<String>,
    /// The consent request id, for `remote_sms`.
    pub request_id: Option<String>,
}

impl ConsentInput {
    /// In person.
    pub fn in_person() -> Self {
        ConsentInput {
            method: "in_person".into(),
            phone: None,
            request_id: None,
        }
    }

    fn request(&self) -> Result<dm::ConsentRequest> {
        Ok(match consent_method(&self.method)? {
            ConsentMethod::InPerson => dm::ConsentRequest::InPerson,
            ConsentMethod::RemotePaper => dm::ConsentRequest::RemotePaper,
            // The core checks the phone and id; a missing one is an empty one.
            ConsentMethod::RemoteSms => dm::ConsentRequest::RemoteSms {
                phone: self.phone.clone().unwrap_or_default(),
                request_id: self.request_id.clone().unwrap_or_default(),
            },
        })
    }
}

/// The answer of [`Registry::decide`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decision {
    /// Whether the aidant may act.
    pub allowed: bool,
    /// When denied, every reason's code, sorted (`no_mandate`, …); empty when allowed.
    pub reasons: Vec<&'static str>,
    /// When allowed, the mandate the answer rests on (20 hex digits).
    pub mandate: Option<String>,
    /// When allowed, the autorisation's id.
    pub autorisation: Option<u64>,
    /// When allowed, the mandate's expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<dm::Decision> for Decision {
    fn from(d: dm::Decision) -> Self {
        match d {
            dm::Decision::Allowed {
                mandate,
                autorisation,
                expires_at,
            } => Decision {
                allowed: true,
                reasons: vec![],
                mandate: Some(mandate.to_string()),
                autorisation: Some(autorisation),
                expires_at: Some(expires_at),
            },
            dm::Decision::Denied { reasons } => Decision {
                allowed: false,
                reasons: reasons.iter().map(|r| r.code()).collect(),
                mandate: None,
                autorisation: None,
                expires_at: None,
            },
        }
    }
}

/// One question for [`Registry::decide_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The aidant's id.
    pub aidant: String,
    /// The usager's FranceConnect `sub`.
    pub usager: String,
    /// The démarche's key.
    pub demarche: String,
    /// The instant.
    pub at: DateTime<Utc>,
}

/// One démarche of a mandate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Autorisation {
    /// Its id.
    pub id: u64,
    /// The démarche's key.
    pub demarche: &'static str,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A mandate as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateInfo {
    /// Id (20 lowercase hex digits).
    pub id: String,
    /// The organisation mandated.
    pub organisation: u32,
    /// The usager's `sub`.
    pub usager: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Duration keyword (`LONG`, …).
    pub duration: &'static str,
    /// Expiry instant.
    pub expires_at: DateTime<Utc>,
    /// Consent method (`in_person`, …).
    pub consent: &'static str,
    /// For SMS consent: `pending`, `given` or `denied`; `None` otherwise.
    pub sms_consent: Option<&'static str>,
    /// The printed-mandate template version.
    pub template: String,
    /// One autorisation per démarche, in the service's order.
    pub autorisations: Vec<Autorisation>,
}

impl From<&dm::Mandate> for MandateInfo {
    fn from(m: &dm::Mandate) -> Self {
        use dm::rules::{Consent, SmsConsent};
        let sms_consent = match &m.consent {
            Consent::RemoteSms { state, .. } => Some(match state {
                SmsConsent::Pending => "pending",
                SmsConsent::Given(_) => "given",
                SmsConsent::Denied(_) => "denied",
            }),
            _ => None,
        };
        MandateInfo {
            id: m.id.to_string(),
            organisation: m.organisation.get(),
            usager: m.usager.clone(),
            created_at: m.created_at,
            duration: m.duration.keyword(),
            expires_at: m.expires_at,
            consent: m.consent.method().name(),
            sms_consent,
            template: m.template.clone(),
            autorisations: m
                .autorisations
                .iter()
                .map(|a| Autorisation {
                    id: a.id,
                    demarche: a.demarche.key(),
                    revoked_at: a.revoked_at,
                })
                .collect(),
        }
    }
}

/// An autorisation a new mandate revoked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Revoked {
    /// The older mandate.
    pub mandate: String,
    /// The autorisation revoked.
    pub autorisation: u64,
    /// Its démarche's key.
    pub demarche: &'static str,
}

/// What a creation or renewal did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Created {
    /// The new mandate's id.
    pub mandate: String,
    /// The new autorisations' ids, in démarche order.
    pub autorisations: Vec<u64>,
    /// Older autorisations revoked at the creation instant.
    pub revoked: Vec<Revoked>,
}

impl From<dm::rules::Created> for Created {
    fn from(c: dm::rules::Created) -> Self {
        Created {
            mandate: c.mandate.to_string(),
            autorisations: c.autorisations,
            revoked: c
                .revoked
                .into_iter()
                .map(|(m, a, d)| Revoked {
                    mandate: m.to_string(),
                    autorisation: a,
                    demarche: d.key(),
                })
                .collect(),
        }
    }
}

/// Organisations, aidants, usagers and mandates with the service's rules (the core's
/// [`dm::Registry`]).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    inner: dm::Registry,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an organisation (`allowed_demarches` `None`: all ten).
    pub fn add_organisation(
        &mut self,
        id: u32,
        name: &str,
        siret: &str,
        active: bool,
        allowed_demarches: Option<&[String]>,
    ) -> Result<()> {
        let org = dm::Organisation {
            id: organisation(id)?,
            name: name.to_owned(),
            siret: siret.to_owned(),
            active,
            allowed_demarches: allowed_demarches.map_or(Ok(DemarcheSet::ALL), demarches)?,
        };
        Ok(self.inner.add_organisation(org)?)
    }

    /// Adds an aidant; its organisations must exist and include its current one.
    #[allow(clippy::too_many_arguments)]
    pub fn add_aidant(
        &mut self,
        id: &str,
        organisations: &[u32],
        current_organisation: u32,
        active: bool,
        can_create_mandates: bool,
        habilitation_from: Option<DateTime<Utc>>,
        habilitation_until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let aidant = dm::Aidant {
            id: id.to_owned(),
            organisations: organisations
                .iter()
                .map(|o| organisation(*o))
                .collect::<Result<_>>()?,
            current_organisation: organisation(current_organisation)?,
            active,
            can_create_mandates,
            habilitation_from,
            habilitation_until,
        };
        Ok(self.inner.add_aidant(aidant)?)
    }

    /// Adds a usager.
    pub fn add_usager(&mut self, sub: &str, given_name: &str, family_name: &str) -> Result<()> {
        Ok(self.inner.add_usager(dm::Usager {
            sub: sub.to_owned(),
            given_name: given_name.to_owned(),
            family_name: family_name.to_owned(),
        })?)
    }

    /// Creates a mandate for the aidant's current organisation.
    pub fn create_mandate(
        &mut self,
        aidant: &str,
        usager: &str,
        demarche_keys: &[String],
        duration_keyword: &str,
        consent: &ConsentInput,
        at: DateTime<Utc>,
    ) -> Result<Created> {
        let (set, d, c) = (
            demarches(demarche_keys)?,
            duration(duration_keyword)?,
            consent.request()?,
        );
        Ok(self
            .inner
            .create_mandate(aidant, usager, set, d, c, at)?
            .into())
    }

    /// Renews a mandate (the creation flow again, inside the retention window).
    pub fn renew_mandate(
        &mut self,
        aidant: &str,
        mandate: &str,
        demarche_keys: &[String],
        duration_keyword: &str,
        consent: &ConsentInput,
        at: DateTime<Utc>,
    ) -> Result<Created> {
        let (id, set, d, c) = (
            mandate_id(mandate)?,
            demarches(demarche_keys)?,
            duration(duration_keyword)?,
            consent.request()?,
        );
        Ok(self.inner.renew_mandate(aidant, id, set, d, c, at)?.into())
    }

    /// Revokes one démarche of a mandate; returns the autorisation's id.
    pub fn revoke_autorisation(
        &mut self,
        mandate: &str,
        demarche_key: &str,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let (id, d) = (mandate_id(mandate)?, demarche(demarche_key)?);
        Ok(self.inner.revoke_autorisation(id, d, at)?)
    }

    /// Revokes a whole mandate; returns the autorisations revoked.
    pub fn revoke_mandate(&mut self, mandate: &str, at: DateTime<Utc>) -> Result<Vec<u64>> {
        Ok(self.inner.revoke_mandate(mandate_id(mandate)?, at)?)
    }

    /// Transfers a mandate to another organisation.
    pub fn transfer_mandate(&mut self, mandate: &str, to: u32, at: DateTime<Utc>) -> Result<()> {
        let (id, to) = (mandate_id(mandate)?, organisation(to)?);
        Ok(self.inner.transfer_mandate(id, to, at)?)
    }

    /// Records the usager's SMS reply; returns whether it is a consent.
    pub fn record_sms_reply(
        &mut self,
        mandate: &str,
        request_id: &str,
        reply: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(self
            .inner
            .record_sms_reply(mandate_id(mandate)?, request_id, reply, at)?)
    }

    /// Makes an aidant act for another of its organisations.
    pub fn switch_organisation(&mut self, aidant: &str, to: u32) -> Result<()> {
        Ok(self.inner.switch_organisation(aidant, organisation(to)?)?)
    }

    /// Deactivates or reactivates an organisation.
    pub fn set_organisation_active(&mut self, id: u32, active: bool) -> Result<()> {
        Ok(self
            .inner
            .set_organisation_active(organisation(id)?, active)?)
    }

    /// Deactivates or reactivates an aidant.
    pub fn set_aidant_active(&mut self, id: &str, active: bool) -> Result<()> {
        Ok(self.inner.set_aidant_active(id, active)?)
    }

    /// Removes mandates outside the retention window; returns how many.
    pub fn purge_outdated(&mut self, at: DateTime<Utc>) -> u64 {
        u64::try_from(self.inner.purge_outdated(at)).unwrap_or(u64::MAX)
    }

    /// A mandate by id.
    pub fn mandate(&self, id: &str) -> Result<MandateInfo> {
        Ok(self.inner.mandate(mandate_id(id)?)?.into())
    }

    /// Every mandate of a usager, in creation order.
    pub fn mandates_of(&self, sub: &str) -> Vec<MandateInfo> {
        self.inner.mandates_of(sub).map(MandateInfo::from).collect()
    }

    /// Number of mandates.
    pub fn len(&self) -> u64 {
        u64::try_from(self.inner.len()).unwrap_or(u64::MAX)
    }

    /// Whether there is no mandate.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// May `aidant`, at `at`, act for `usager` on `demarche`? `unknown_demarche` for a
    /// key that is not one of the ten; any other refusal is a denied [`Decision`].
    pub fn decide(
        &self,
        aidant: &str,
        usager: &str,
        demarche_key: &str,
        at: DateTime<Utc>,
    ) -> Result<Decision> {
        Ok(self
            .inner
            .decide(aidant, usager, demarche(demarche_key)?, at)
            .into())
    }

    /// Decides every question, in order; a démarche key that is not one of the ten fails
    /// the whole batch before any decision, its message naming the question (0-based).
    pub fn decide_batch(&self, questions: &[Question]) -> Result<Vec<Decision>> {
        let parsed = questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                demarche(&q.demarche).map_err(|e| Error {
                    message: format!("question {i}: {}", e.message),
                    ..e
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(questions
            .iter()
            .zip(parsed)
            .map(|(q, d)| self.inner.decide(&q.aidant, &q.usager, d, q.at).into())
            .collect())
    }
}

// ---- scenarios ----

/// What one scenario event did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventOutcome {
    /// 1-based position in `events`.
    pub event: u64,
    /// Whether it was applied.
    pub ok: bool,
    /// For creations and renewals: the new mandate's creation number.
    pub mandate: Option<u64>,
    /// Autorisations it revoked, as (mandate number, démarche key).
    pub revoked: Vec<(u64, &'static str)>,
    /// The error code, if refused.
    pub error: Option<&'static str>,
    /// The error message, if refused.
    pub message: Option<String>,
}

/// One answered scenario question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecisionOutcome {
    /// 1-based position in `questions`.
    pub question: u64,
    /// Whether the aidant may act.
    pub allowed: bool,
    /// When allowed, the mandate's creation number.
    pub mandate: Option<u64>,
    /// When allowed, the démarche's key.
    pub demarche: Option<&'static str>,
    /// When denied, the reasons' codes.
    pub reasons: Vec<&'static str>,
}

/// The result of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScenarioResult {
    /// One outcome per event.
    pub events: Vec<EventOutcome>,
    /// One decision per question.
    pub decisions: Vec<DecisionOutcome>,
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Runs a scenario's JSON text as `inclusif mandate decide` does: `invalid_field` for
/// text that is not a scenario; an invalid organisation, aidant or usager is its
/// error; a refused event is reported in the result.
pub fn run_scenario(json: &str) -> Result<ScenarioResult> {
    let s: Scenario = serde_json::from_str(json).map_err(|e| invalid("scenario", e))?;
    let r = scenario::run(&s)?;
    Ok(ScenarioResult {
        events: r
            .events
            .into_iter()
            .map(|e| EventOutcome {
                event: count(e.event),
                ok: e.ok,
                mandate: e.mandate.map(count),
                revoked: e
                    .revoked
                    .into_iter()
                    .map(|(m, d)| (count(m), d.key()))
                    .collect(),
                error: e.error,
                message: e.message,
            })
            .collect(),
        decisions: r
            .decisions
            .into_iter()
            .map(|d| DecisionOutcome {
                question: count(d.question),
                allowed: d.allowed,
                mandate: d.mandate.map(count),
                demarche: d.demarche.map(Demarche::key),
                reasons: d.reasons,
            })
            .collect(),
    })
}

// ---- mandate tokens ----

/// A mandate token whose length and version are right (nothing about it trusted yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MandateToken {
    inner: token::MandateToken,
}

impl MandateToken {
    /// The strict text form (168 characters) or the `AC1:` QR payload.
    pub fn parse_strict(text: &str) -> Result<Self> {
        Ok(MandateToken {
            inner: token::MandateToken::parse_strict(text)?,
        })
    }

    /// Text typed by a person (normalised as for vouchers).
    pub fn parse_human(text: &str) -> Result<Self> {
        Ok(MandateToken {
            inner: token::MandateToken::parse_human(text)?,
        })
    }

    /// The 105 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(MandateToken {
            inner: token::MandateToken::from_bytes(bytes)?,
        })
    }

    /// Signs claims with the organisation's secret key (32-byte seed); a random mandate
    /// id when `mandate` is `None`. `invalid_field` for claims that break a rule of the
    /// format (no démarche, `created_at` not whole seconds, …).
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        secret_seed: &[u8],
        kid_value: u16,
        organisation_id: u32,
        usager_sub: &str,
        demarche_keys: &[String],
        created_at: DateTime<Utc>,
        duration_keyword: &str,
        consent: &str,
        mandate: Option<&str>,
    ) -> Result<Self> {
        let key = secret_key(secret_seed)?;
        let organisation = organisation(organisation_id)?;
        let claims = MandateClaims {
            kid: kid(kid_value)?,
            organisation,
            mandate_id: mandate.map_or_else(|| Ok(MandateId::random()), mandate_id)?,
            usager_ref: dm::usager_ref(organisation, usager_sub),
            demarches: demarches(demarche_keys)?,
            created_at,
            duration: duration(duration_keyword)?,
            consent: consent_method(consent)?,
        };
        Ok(MandateToken {
            inner: token::sign_mandate(&key, &claims)?,
        })
    }

    /// The 105 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.as_bytes().to_vec()
    }

    /// The strict text (168 Crockford Base32 characters).
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The QR payload (`AC1:` and the text).
    pub fn to_qr_payload(&self) -> String {
        self.inner.to_qr_payload()
    }

    /// The key id as written (unchecked).
    pub fn kid(&self) -> u16 {
        self.inner.kid_raw()
    }

    /// The organisation id as written (unchecked).
    pub fn organisation(&self) -> u32 {
        self.inner.organisation_raw()
    }

    /// The mandate id as written.
    pub fn mandate_id(&self) -> String {
        self.inner.mandate_id().to_string()
    }
}

/// The pseudonymous usager reference a token carries: 16 bytes.
pub fn usager_ref(organisation_id: u32, sub: &str) -> Result<Vec<u8>> {
    Ok(dm::usager_ref(organisation(organisation_id)?, sub).to_vec())
}

/// A mandate whose every check passed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifiedMandate {
    /// The key id.
    pub kid: u16,
    /// The organisation.
    pub organisation: u32,
    /// The mandate id (20 lowercase hex digits).
    pub mandate_id: String,
    /// The usager's pseudonymous reference (16 bytes).
    pub usager_ref: Vec<u8>,
    /// The démarches' keys, in the service's order.
    pub demarches: Vec<&'static str>,
    /// The duration keyword.
    pub duration: &'static str,
    /// The consent method.
    pub consent: &'static str,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Expiry (still valid at that exact instant).
    pub expires_at: DateTime<Utc>,
}

impl From<token::VerifiedMandate> for VerifiedMandate {
    fn from(m: token::VerifiedMandate) -> Self {
        VerifiedMandate {
            kid: m.kid().get(),
            organisation: m.organisation().get(),
            mandate_id: m.mandate_id().to_string(),
            usager_ref: m.usager_ref().to_vec(),
            demarches: keys_of(m.demarches()),
            duration: m.duration().keyword(),
            consent: m.consent().name(),
            created_at: m.created_at(),
            expires_at: m.expires_at(),
        }
    }
}

/// A signed trust list and the root key that signs it.
#[derive(Debug, Clone, Copy)]
pub struct SignedTrustList<'a> {
    /// The trust list's bytes.
    pub bytes: &'a [u8],
    /// The root public key (32 bytes).
    pub root_key: &'a [u8],
}

/// How a [`MandateVerifier`] is built.
#[derive(Debug, Clone, Default)]
pub struct VerifierOptions<'a> {
    /// A trust list whose issuers are `org.<id>`, if any.
    pub trust_list: Option<SignedTrustList<'a>>,
    /// Keys trusted for any organisation: (kid, 32-byte public key).
    pub keys: Vec<(u16, Vec<u8>)>,
    /// Revoked mandate ids (20 lowercase hex digits).
    pub revoked: Vec<String>,
    /// A required démarche key.
    pub demarche: Option<String>,
    /// A required usager (FranceConnect `sub`).
    pub usager_sub: Option<String>,
}

/// Verifies mandate tokens offline (the core's [`token::MandateVerifier`]).
#[derive(Debug, Clone)]
pub struct MandateVerifier {
    inner: token::MandateVerifier,
}

impl MandateVerifier {
    /// A verifier from its options. With neither trust list nor key, every token is
    /// `unknown_key`.
    pub fn new(options: &VerifierOptions<'_>) -> Result<Self> {
        let mut v = match options.trust_list {
            Some(list) => {
                let root = public_key(0, list.root_key)?;
                let trust = TrustList::open(list.bytes, &root).map_err(key_error)?;
                token::MandateVerifier::new(trust)?
            }
            None => token::MandateVerifier::without_trust_list(),
        };
        for (k, bytes) in &options.keys {
            v = v.with_key_for_any_organisation(kid(*k)?, public_key(*k, bytes)?)?;
        }
        let revoked = options
            .revoked
            .iter()
            .map(|id| mandate_id(id))
            .collect::<Result<Vec<_>>>()?;
        v = v.with_revoked_mandates(revoked);
        if let Some(d) = &options.demarche {
            v = v.with_required_demarche(demarche(d)?);
        }
        if let Some(sub) = &options.usager_sub {
            v = v.with_required_usager(sub);
        }
        Ok(MandateVerifier { inner: v })
    }

    /// Verifies the strict text or the QR payload at `now`.
    pub fn verify_text(&self, text: &str, now: DateTime<Utc>) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_text(text, now)?.into())
    }

    /// Verifies hand-typed text at `now`.
    pub fn verify_human(&self, text: &str, now: DateTime<Utc>) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_human(text, now)?.into())
    }

    /// Verifies 105 raw bytes at `now`.
    pub fn verify_bytes(&self, bytes: &[u8], now: DateTime<Utc>) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_bytes(bytes, now)?.into())
    }

    /// Verifies a parsed token at `now`.
    pub fn verify(&self, t: &MandateToken, now: DateTime<Utc>) -> Result<VerifiedMandate> {
        Ok(self.inner.verify(&t.inner, now)?.into())
    }

    /// Verifies many texts (strict, or typed when `human`), one verdict each, in order.
    pub fn verify_batch(
        &self,
        texts: &[String],
        now: DateTime<Utc>,
        human: bool,
    ) -> Vec<Result<VerifiedMandate>> {
        texts
            .iter()
            .map(|t| {
                if human {
                    self.verify_human(t, now)
                } else {
                    self.verify_text(t, now)
                }
            })
            .collect()
    }
}

// ---- journals ----

/// The outcome of [`verify_journal`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalReport {
    /// Whether every line checks out.
    pub ok: bool,
    /// When ok: how many entries (checkpoints included).
    pub entries: Option<u64>,
    /// When ok: how many entries follow the last checkpoint.
    pub unsigned_entries: Option<u64>,
    /// When not ok: the 1-based line of the first problem.
    pub line: Option<u64>,
    /// When not ok: its code (`journal_malformed`, …).
    pub code: Option<&'static str>,
    /// When not ok: in words.
    pub message: Option<String>,
    /// The JSON object `inclusif mandate journal verify` prints.
    pub json: String,
}

impl From<CoreReport> for JournalReport {
    fn from(r: CoreReport) -> Self {
        let json = r.to_json();
        match r {
            CoreReport::Ok {
                entries,
                unsigned_entries,
            } => JournalReport {
                ok: true,
                entries: Some(entries),
                unsigned_entries: Some(unsigned_entries),
                line: None,
                code: None,
                message: None,
                json,
            },
            CoreReport::Err {
                line,
                code,
                message,
            } => JournalReport {
                ok: false,
                entries: None,
                unsigned_entries: None,
                line: Some(line),
                code: Some(code.code()),
                message: Some(message),
                json,
            },
        }
    }
}

/// Verifies a journal's text against checkpoint keys (kid, 32-byte public key). A bad
/// key is an error; a bad journal is a report that is not ok.
pub fn verify_journal(text: &str, keys: &[(u16, Vec<u8>)]) -> Result<JournalReport> {
    Ok(journal::verify_journal(text, &checkpoint_keys(keys)?).into())
}

/// Every journal action keyword, the real service's first, `checkpoint` last.
pub fn journal_actions() -> Vec<&'static str> {
    JournalAction::ALL.iter().map(|a| a.keyword()).collect()
}

/// What a caller records in a journal: the instant, the action keyword and the
/// optional fields of the real service's journal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalRecordInput {
    /// When (kept to the second).
    pub at: Option<DateTime<Utc>>,
    /// The action keyword (`create_attestation`, …; not `checkpoint`).
    pub action: String,
    /// The aidant's id.
    pub aidant: Option<String>,
    /// The organisation.
    pub organisation: Option<u32>,
    /// The usager (FranceConnect `sub`).
    pub usager: Option<String>,
    /// The démarches' keys.
    pub demarches: Option<Vec<String>>,
    /// The mandate's duration in days.
    pub duree: Option<u32>,
    /// The mandate id.
    pub mandat: Option<String>,
    /// The autorisation's id.
    pub autorisation: Option<u64>,
    /// The attestation hash (32 bytes).
    pub attestation_hash: Option<Vec<u8>>,
    /// Free text.
    pub additional_information: Option<String>,
    /// Whether the mandate was signed remotely.
    pub is_remote_mandat: Option<bool>,
    /// The SMS consent request id.
    pub consent_request_id: Option<String>,
    /// The consent method.
    pub consent_method: Option<String>,
}

impl JournalRecordInput {
    fn record(&self) -> Result<journal::JournalRecord> {
        let at = self.at.ok_or_else(|| invalid("at", "is required"))?;
        let action = self.action.parse::<JournalAction>()?;
        let hash = match &self.attestation_hash {
            None => None,
            Some(b) => Some(<[u8; 32]>::try_from(b.as_slice()).map_err(|_| {
                invalid(
                    "attestation_hash",
                    format!("must be 32 bytes, got {}", b.len()),
                )
            })?),
        };
        Ok(journal::JournalRecord {
            aidant: self.aidant.clone(),
            organisation: self.organisation.map(organisation).transpose()?,
            usager: self.usager.clone(),
            demarches: self.demarches.as_deref().map(demarches).transpose()?,
            duree: self.duree,
            mandat: self.mandat.as_deref().map(mandate_id).transpose()?,
            autorisation: self.autorisation,
            attestation_hash: hash,
            additional_information: self.additional_information.clone(),
            is_remote_mandat: self.is_remote_mandat,
            consent_request_id: self.consent_request_id.clone(),
            consent_method: self
                .consent_method
                .as_deref()
                .map(consent_method)
                .transpose()?,
            ..journal::JournalRecord::new(at, action)
        })
    }
}

/// One journal entry, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalEntry {
    /// Its number, from 1 (its line number).
    pub seq: u64,
    /// When (to the second).
    pub at: DateTime<Utc>,
    /// The action keyword.
    pub action: &'static str,
    /// Its line (canonical JSON), without `\n`.
    pub line: String,
    /// The previous entry's hash (32 bytes).
    pub prev: Vec<u8>,
    /// Its hash (32 bytes).
    pub hash: Vec<u8>,
}

impl From<&journal::JournalEntry> for JournalEntry {
    fn from(e: &journal::JournalEntry) -> Self {
        JournalEntry {
            seq: e.seq,
            at: e.record.at,
            action: e.record.action.keyword(),
            line: e.to_line(),
            prev: e.prev.to_vec(),
            hash: e.hash.to_vec(),
        }
    }
}

/// A tamper-evident journal being written (the core's [`journal::Journal`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    inner: journal::Journal,
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads and verifies a journal's text to append to it; a journal that does not
    /// verify is its `journal_*` code, the message naming the line.
    pub fn from_jsonl(text: &str, keys: &[(u16, Vec<u8>)]) -> Result<Self> {
        let inner = journal::Journal::from_jsonl(text, &checkpoint_keys(keys)?)
            .map_err(|f| Error::invalid(Domain::Mandate, f.code.code(), f.to_string()))?;
        Ok(Journal { inner })
    }

    /// Appends an entry.
    pub fn append(&mut self, record: &JournalRecordInput) -> Result<JournalEntry> {
        let record = record.record()?;
        Ok(self.inner.append(record)?.into())
    }

    /// Appends a checkpoint signed with the structure's secret key (32-byte seed),
    /// known to verifiers as `kid`.
    pub fn checkpoint(
        &mut self,
        secret_seed: &[u8],
        kid: u16,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry> {
        let key = secret_key(secret_seed)?;
        Ok(self.inner.checkpoint(&key, kid, at)?.into())
    }

    /// The entries, in order.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.inner
            .entries()
            .iter()
            .map(JournalEntry::from)
            .collect()
    }

    /// How many entries.
    pub fn len(&self) -> u64 {
        count(self.inner.len())
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The chain head: the last entry's hash, or 32 zero bytes.
    pub fn head(&self) -> Vec<u8> {
        self.inner.head().to_vec()
    }

    /// The JSON Lines text.
    pub fn to_jsonl(&self) -> String {
        self.inner.to_jsonl()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 9, 30, 0).unwrap()
    }

    fn registry() -> Registry {
        let mut r = Registry::new();
        r.add_organisation(42, "CCAS", "21230096300014", true, None)
            .unwrap();
        r.add_aidant("alice", &[42], 42, true, true, None, None)
            .unwrap();
        r.add_usager("u1", "Camille", "Martin").unwrap();
        r
    }

    #[test]
    fn decisions_carry_codes_and_the_mandate() {
        let mut r = registry();
        let c = r
            .create_mandate(
                "alice",
                "u1",
                &["social".into(), "papiers".into()],
                "LONG",
                &ConsentInput::in_person(),
                at(1),
            )
            .unwrap();
        assert_eq!(c.autorisations.len(), 2);
        let d = r.decide("alice", "u1", "social", at(2)).unwrap();
        assert!(d.allowed && d.reasons.is_empty());
        assert_eq!(d.mandate.as_deref(), Some(c.mandate.as_str()));
        let d = r.decide("alice", "u1", "justice", at(2)).unwrap();
        assert_eq!(d.reasons, ["demarche_not_covered"]);
        let e = r.decide("alice", "u1", "Social", at(2)).unwrap_err();
        assert_eq!((e.code, e.kind), ("unknown_demarche", ErrorKind::Invalid));
        let m = r.mandate(&c.mandate).unwrap();
        assert_eq!((m.duration, m.consent), ("LONG", "in_person"));
        assert_eq!(m.autorisations[0].demarche, "papiers");
    }

    #[test]
    fn a_batch_with_a_bad_demarche_names_the_question() {
        let r = registry();
        let q = |d: &str| Question {
            aidant: "alice".into(),
            usager: "u1".into(),
            demarche: d.into(),
            at: at(1),
        };
        let e = r.decide_batch(&[q("social"), q("sante")]).unwrap_err();
        assert!(e.message.starts_with("question 1: "), "{}", e.message);
        let ok = r.decide_batch(&[q("social")]).unwrap();
        assert_eq!(ok[0].reasons, ["no_mandate"]);
    }

    #[test]
    fn sms_consent_needs_its_details_and_errors_keep_their_kind() {
        let mut r = registry();
        let sms = ConsentInput {
            method: "remote_sms".into(),
            phone: None,
            request_id: None,
        };
        let e = r
            .create_mandate("alice", "u1", &["social".into()], "LONG", &sms, at(1))
            .unwrap_err();
        assert_eq!(e.code, "consent");
        let e = r.revoke_mandate("00000000000000000000", at(1)).unwrap_err();
        assert_eq!((e.code, e.kind), ("not_found", ErrorKind::Refused));
    }

    #[test]
    fn a_token_signs_and_verifies_and_errors_keep_their_codes() {
        let seed = [3u8; 32];
        let t = MandateToken::sign(
            &seed,
            3,
            42,
            "fc-sub-0001",
            &["papiers".into()],
            at(1),
            "LONG",
            "in_person",
            Some("ac1d0000000000000001"),
        )
        .unwrap();
        let pk = SecretKey::from_seed(&seed).public_key().to_bytes().to_vec();
        let v = MandateVerifier::new(&VerifierOptions {
            keys: vec![(3, pk)],
            usager_sub: Some("fc-sub-0001".into()),
            ..VerifierOptions::default()
        })
        .unwrap();
        let m = v.verify_text(&t.to_text(), at(2)).unwrap();
        assert_eq!(
            (m.kid, m.organisation, m.demarches.clone()),
            (3, 42, vec!["papiers"])
        );
        let e = v.verify_text(&t.to_text(), at(1) - chrono::TimeDelta::seconds(1));
        assert_eq!(e.unwrap_err().code, "not_yet_valid");
        let e = MandateVerifier::new(&VerifierOptions {
            keys: vec![(3, vec![0; 31])],
            ..VerifierOptions::default()
        })
        .unwrap_err();
        assert_eq!((e.domain, e.code), (Domain::Mandate, "invalid_key"));
    }

    #[test]
    fn a_journal_written_here_verifies() {
        let mut j = Journal::new();
        let record = JournalRecordInput {
            at: Some(at(1)),
            action: "create_attestation".into(),
            demarches: Some(vec!["papiers".into()]),
            ..JournalRecordInput::default()
        };
        j.append(&record).unwrap();
        j.checkpoint(&[9; 32], 3, at(1)).unwrap();
        let pk = SecretKey::from_seed(&[9; 32])
            .public_key()
            .to_bytes()
            .to_vec();
        let report = verify_journal(&j.to_jsonl(), &[(3, pk.clone())]).unwrap();
        assert_eq!(
            (report.ok, report.entries, report.unsigned_entries),
            (true, Some(2), Some(0))
        );
        let broken = j.to_jsonl().replacen("papiers", "famille", 1);
        let e = Journal::from_jsonl(&broken, &[(3, pk)]).unwrap_err();
        assert_eq!(e.code, "journal_hash_mismatch");
    }
}
