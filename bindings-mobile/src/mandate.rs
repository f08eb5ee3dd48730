//! Aidants Connect mandates on a phone: does this mandate cover this démarche (the
//! registry's decision function, or a scenario), and the signed mandate token checked
//! offline. Démarches, durations and consent methods are the core's stable strings
//! (`papiers`, `LONG`, `in_person`); denial reasons and error codes likewise.

use std::sync::{Arc, Mutex, MutexGuard};

use inclusif_core::api::mandate as api;
use inclusif_core::mandate::Demarche;

use crate::error::{Api, ErrorDomain, Result};
use crate::types::{Timestamp, signed, signed_usize, to_u16, to_u32};

fn kid(value: i32) -> Result<u16> {
    to_u16(value.into(), ErrorDomain::Mandate, "invalid_field", "kid")
}

fn organisation(value: i64) -> Result<u32> {
    to_u32(value, ErrorDomain::Mandate, "invalid_field", "organisation")
}

fn strs(v: Vec<&'static str>) -> Vec<String> {
    v.into_iter().map(str::to_owned).collect()
}

/// One of the ten démarches, described.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DemarcheInfo {
    /// The key (`papiers`).
    pub key: String,
    /// The title (`Papiers - Citoyenneté - Élections`).
    pub title: String,
    /// The short title (`Papiers`).
    pub short_title: String,
    /// What it covers.
    pub description: String,
}

/// The ten démarches, in the service's order.
#[uniffi::export]
pub fn mandate_demarches() -> Vec<DemarcheInfo> {
    Demarche::ALL
        .iter()
        .map(|d| DemarcheInfo {
            key: d.key().to_owned(),
            title: d.title().to_owned(),
            short_title: d.short_title().to_owned(),
            description: d.description().to_owned(),
        })
        .collect()
}

// ---- the decision function ----

/// How the usager consents to a new mandate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentInput {
    /// `in_person`, `remote_paper` or `remote_sms`.
    pub method: String,
    /// The usager's phone (E.164, French), for `remote_sms`.
    #[uniffi(default)]
    pub phone: Option<String>,
    /// The consent request id, for `remote_sms`.
    #[uniffi(default)]
    pub request_id: Option<String>,
}

impl From<ConsentInput> for api::ConsentInput {
    fn from(c: ConsentInput) -> Self {
        api::ConsentInput {
            method: c.method,
            phone: c.phone,
            request_id: c.request_id,
        }
    }
}

/// Whether an aidant may act, and on what.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Decision {
    /// Whether the aidant may act.
    pub allowed: bool,
    /// When denied, every reason's code, sorted (`no_mandate`, …); empty when allowed.
    pub reasons: Vec<String>,
    /// When allowed, the mandate the answer rests on (20 hex digits).
    pub mandate: Option<String>,
    /// When allowed, the autorisation's id.
    pub autorisation: Option<i64>,
    /// When allowed, the mandate's expiry.
    pub expires_at: Option<Timestamp>,
}

impl From<api::Decision> for Decision {
    fn from(d: api::Decision) -> Self {
        Decision {
            allowed: d.allowed,
            reasons: strs(d.reasons),
            mandate: d.mandate,
            autorisation: d.autorisation.map(signed),
            expires_at: d.expires_at,
        }
    }
}

/// One question for [`MandateRegistry::decide_batch`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Question {
    /// The aidant's id.
    pub aidant: String,
    /// The usager's FranceConnect `sub`.
    pub usager: String,
    /// The démarche's key.
    pub demarche: String,
    /// The instant.
    pub at: Timestamp,
}

/// One démarche of a mandate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Autorisation {
    /// Its id.
    pub id: i64,
    /// The démarche's key.
    pub demarche: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A mandate as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MandateInfo {
    /// Id (20 lowercase hex digits).
    pub id: String,
    /// The organisation mandated.
    pub organisation: i64,
    /// The usager's `sub`.
    pub usager: String,
    /// Creation instant.
    pub created_at: Timestamp,
    /// Duration keyword (`LONG`, …).
    pub duration: String,
    /// Expiry instant.
    pub expires_at: Timestamp,
    /// Consent method (`in_person`, …).
    pub consent: String,
    /// For SMS consent: `pending`, `given` or `denied`.
    pub sms_consent: Option<String>,
    /// The printed-mandate template version.
    pub template: String,
    /// One autorisation per démarche, in the service's order.
    pub autorisations: Vec<Autorisation>,
}

impl From<api::MandateInfo> for MandateInfo {
    fn from(m: api::MandateInfo) -> Self {
        MandateInfo {
            id: m.id,
            organisation: m.organisation.into(),
            usager: m.usager,
            created_at: m.created_at,
            duration: m.duration.to_owned(),
            expires_at: m.expires_at,
            consent: m.consent.to_owned(),
            sms_consent: m.sms_consent.map(str::to_owned),
            template: m.template,
            autorisations: m
                .autorisations
                .into_iter()
                .map(|a| Autorisation {
                    id: signed(a.id),
                    demarche: a.demarche.to_owned(),
                    revoked_at: a.revoked_at,
                })
                .collect(),
        }
    }
}

/// An autorisation a new mandate revoked.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Revoked {
    /// The older mandate.
    pub mandate: String,
    /// The autorisation revoked.
    pub autorisation: i64,
    /// Its démarche's key.
    pub demarche: String,
}

/// What a creation or renewal did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Created {
    /// The new mandate's id.
    pub mandate: String,
    /// The new autorisations' ids, in démarche order.
    pub autorisations: Vec<i64>,
    /// Older autorisations revoked at the creation instant.
    pub revoked: Vec<Revoked>,
}

impl From<api::Created> for Created {
    fn from(c: api::Created) -> Self {
        Created {
            mandate: c.mandate,
            autorisations: c.autorisations.into_iter().map(signed).collect(),
            revoked: c
                .revoked
                .into_iter()
                .map(|r| Revoked {
                    mandate: r.mandate,
                    autorisation: signed(r.autorisation),
                    demarche: r.demarche.to_owned(),
                })
                .collect(),
        }
    }
}

/// Organisations, aidants, usagers and mandates with the service's rules. Thread-safe;
/// `close()` it (Kotlin) when done.
#[derive(Debug, Default, uniffi::Object)]
pub struct MandateRegistry {
    inner: Mutex<api::Registry>,
}

impl MandateRegistry {
    fn lock(&self) -> MutexGuard<'_, api::Registry> {
        // A panic cannot leave the registry half-changed: every change is one core call.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[uniffi::export]
impl MandateRegistry {
    /// An empty registry.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Adds an organisation (`allowed_demarches` null: all ten).
    #[uniffi::method(default(allowed_demarches = None))]
    pub fn add_organisation(
        &self,
        id: i64,
        name: String,
        siret: String,
        active: bool,
        allowed_demarches: Option<Vec<String>>,
    ) -> Result<()> {
        self.lock()
            .add_organisation(
                organisation(id)?,
                &name,
                &siret,
                active,
                allowed_demarches.as_deref(),
            )
            .api()
    }

    /// Adds an aidant; its organisations must exist and include its current one.
    #[uniffi::method(default(habilitation_from = None, habilitation_until = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn add_aidant(
        &self,
        id: String,
        organisations: Vec<i64>,
        current_organisation: i64,
        active: bool,
        can_create_mandates: bool,
        habilitation_from: Option<Timestamp>,
        habilitation_until: Option<Timestamp>,
    ) -> Result<()> {
        let organisations = organisations
            .into_iter()
            .map(organisation)
            .collect::<Result<Vec<_>>>()?;
        self.lock()
            .add_aidant(
                &id,
                &organisations,
                organisation(current_organisation)?,
                active,
                can_create_mandates,
                habilitation_from,
                habilitation_until,
            )
            .api()
    }

    /// Adds a usager.
    pub fn add_usager(&self, sub: String, given_name: String, family_name: String) -> Result<()> {
        self.lock()
            .add_usager(&sub, &given_name, &family_name)
            .api()
    }

    /// Creates a mandate for the aidant's current organisation.
    pub fn create_mandate(
        &self,
        aidant: String,
        usager: String,
        demarches: Vec<String>,
        duration: String,
        consent: ConsentInput,
        at: Timestamp,
    ) -> Result<Created> {
        let consent = consent.into();
        let created = self
            .lock()
            .create_mandate(&aidant, &usager, &demarches, &duration, &consent, at)
            .api()?;
        Ok(created.into())
    }

    /// Renews a mandate (the creation flow again, inside the retention window).
    pub fn renew_mandate(
        &self,
        aidant: String,
        mandate: String,
        demarches: Vec<String>,
        duration: String,
        consent: ConsentInput,
        at: Timestamp,
    ) -> Result<Created> {
        let consent = consent.into();
        let created = self
            .lock()
            .renew_mandate(&aidant, &mandate, &demarches, &duration, &consent, at)
            .api()?;
        Ok(created.into())
    }

    /// Revokes one démarche of a mandate; returns the autorisation's id.
    pub fn revoke_autorisation(
        &self,
        mandate: String,
        demarche: String,
        at: Timestamp,
    ) -> Result<i64> {
        let id = self
            .lock()
            .revoke_autorisation(&mandate, &demarche, at)
            .api()?;
        Ok(signed(id))
    }

    /// Revokes a whole mandate; returns the autorisations revoked.
    pub fn revoke_mandate(&self, mandate: String, at: Timestamp) -> Result<Vec<i64>> {
        let ids = self.lock().revoke_mandate(&mandate, at).api()?;
        Ok(ids.into_iter().map(signed).collect())
    }

    /// Records the usager's SMS reply; returns whether it is a consent.
    pub fn record_sms_reply(
        &self,
        mandate: String,
        request_id: String,
        reply: String,
        at: Timestamp,
    ) -> Result<bool> {
        self.lock()
            .record_sms_reply(&mandate, &request_id, &reply, at)
            .api()
    }

    /// A mandate by id (`not_found`).
    pub fn mandate(&self, id: String) -> Result<MandateInfo> {
        Ok(self.lock().mandate(&id).api()?.into())
    }

    /// Every mandate of a usager, in creation order.
    pub fn mandates_of(&self, sub: String) -> Vec<MandateInfo> {
        self.lock()
            .mandates_of(&sub)
            .into_iter()
            .map(MandateInfo::from)
            .collect()
    }

    /// Number of mandates.
    pub fn size(&self) -> i64 {
        signed(self.lock().len())
    }

    /// May `aidant`, at `at`, act for `usager` on `demarche`? `unknown_demarche` for a key
    /// that is not one of the ten; any other refusal is a denied [`Decision`].
    pub fn decide(
        &self,
        aidant: String,
        usager: String,
        demarche: String,
        at: Timestamp,
    ) -> Result<Decision> {
        Ok(self
            .lock()
            .decide(&aidant, &usager, &demarche, at)
            .api()?
            .into())
    }

    /// Decides every question, in order; a démarche key that is not one of the ten fails
    /// the whole batch, its message naming the question (0-based).
    pub fn decide_batch(&self, questions: Vec<Question>) -> Result<Vec<Decision>> {
        let questions: Vec<api::Question> = questions
            .into_iter()
            .map(|q| api::Question {
                aidant: q.aidant,
                usager: q.usager,
                demarche: q.demarche,
                at: q.at,
            })
            .collect();
        let decisions = self.lock().decide_batch(&questions).api()?;
        Ok(decisions.into_iter().map(Decision::from).collect())
    }
}

// ---- scenarios ----

/// An autorisation revoked by a scenario event: (mandate number, démarche).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RevokedDemarche {
    /// The mandate's creation number (1-based).
    pub mandate: i64,
    /// The démarche's key.
    pub demarche: String,
}

/// What one scenario event did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EventOutcome {
    /// 1-based position in `events`.
    pub event: i64,
    /// Whether it was applied.
    pub ok: bool,
    /// For creations and renewals: the new mandate's creation number.
    pub mandate: Option<i64>,
    /// Autorisations it revoked.
    pub revoked: Vec<RevokedDemarche>,
    /// The error code, if refused.
    pub error: Option<String>,
    /// The error message, if refused.
    pub message: Option<String>,
}

/// One answered scenario question.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecisionOutcome {
    /// 1-based position in `questions`.
    pub question: i64,
    /// Whether the aidant may act.
    pub allowed: bool,
    /// When allowed, the mandate's creation number.
    pub mandate: Option<i64>,
    /// When allowed, the démarche's key.
    pub demarche: Option<String>,
    /// When denied, the reasons' codes.
    pub reasons: Vec<String>,
}

/// The result of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScenarioResult {
    /// One outcome per event.
    pub events: Vec<EventOutcome>,
    /// One decision per question.
    pub decisions: Vec<DecisionOutcome>,
}

/// Runs a scenario's JSON text (organisations, aidants, usagers, events, questions) as
/// `inclusif mandate decide` does; a refused event is reported in the result.
#[uniffi::export]
pub fn run_mandate_scenario(json: String) -> Result<ScenarioResult> {
    let r = api::run_scenario(&json).api()?;
    Ok(ScenarioResult {
        events: r
            .events
            .into_iter()
            .map(|e| EventOutcome {
                event: signed(e.event),
                ok: e.ok,
                mandate: e.mandate.map(signed),
                revoked: e
                    .revoked
                    .into_iter()
                    .map(|(m, d)| RevokedDemarche {
                        mandate: signed(m),
                        demarche: d.to_owned(),
                    })
                    .collect(),
                error: e.error.map(str::to_owned),
                message: e.message,
            })
            .collect(),
        decisions: r
            .decisions
            .into_iter()
            .map(|d| DecisionOutcome {
                question: signed(d.question),
                allowed: d.allowed,
                mandate: d.mandate.map(signed),
                demarche: d.demarche.map(str::to_owned),
                reasons: strs(d.reasons),
            })
            .collect(),
    })
}

// ---- mandate tokens ----

/// A mandate token whose length and version are right (nothing about it trusted yet).
#[derive(Debug, uniffi::Object)]
pub struct MandateToken {
    inner: api::MandateToken,
}

#[uniffi::export]
impl MandateToken {
    /// The strict text (168 characters) or the `AC1:` QR payload (`malformed`, …).
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>> {
        let inner = api::MandateToken::parse_strict(&text).api()?;
        Ok(Arc::new(MandateToken { inner }))
    }

    /// Text typed by a person (spaces, hyphens, case and look-alike letters forgiven).
    #[uniffi::constructor]
    pub fn parse_typed(text: String) -> Result<Arc<Self>> {
        let inner = api::MandateToken::parse_human(&text).api()?;
        Ok(Arc::new(MandateToken { inner }))
    }

    /// The 105 raw bytes.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> {
        let inner = api::MandateToken::from_bytes(&bytes).api()?;
        Ok(Arc::new(MandateToken { inner }))
    }

    /// Signs claims with the organisation's secret key (32-byte seed); a random mandate
    /// id when `mandate_id` is null.
    #[uniffi::constructor(default(mandate_id = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        secret_seed: Vec<u8>,
        kid: i32,
        organisation: i64,
        usager_sub: String,
        demarches: Vec<String>,
        created_at: Timestamp,
        duration: String,
        consent: String,
        mandate_id: Option<String>,
    ) -> Result<Arc<Self>> {
        let inner = api::MandateToken::sign(
            &secret_seed,
            self::kid(kid)?,
            self::organisation(organisation)?,
            &usager_sub,
            &demarches,
            created_at,
            &duration,
            &consent,
            mandate_id.as_deref(),
        )
        .api()?;
        Ok(Arc::new(MandateToken { inner }))
    }

    /// The 105 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
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
    pub fn kid(&self) -> i32 {
        self.inner.kid().into()
    }

    /// The organisation id as written (unchecked).
    pub fn organisation(&self) -> i64 {
        self.inner.organisation().into()
    }

    /// The mandate id as written.
    pub fn mandate_id(&self) -> String {
        self.inner.mandate_id()
    }
}

/// The pseudonymous usager reference a token carries: 16 bytes.
#[uniffi::export]
pub fn usager_ref(organisation: i64, sub: String) -> Result<Vec<u8>> {
    api::usager_ref(self::organisation(organisation)?, &sub).api()
}

/// A mandate whose every check passed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedMandate {
    /// The key id.
    pub kid: i32,
    /// The organisation.
    pub organisation: i64,
    /// The mandate id (20 lowercase hex digits).
    pub mandate_id: String,
    /// The usager's pseudonymous reference (16 bytes).
    pub usager_ref: Vec<u8>,
    /// The démarches' keys, in the service's order.
    pub demarches: Vec<String>,
    /// The duration keyword.
    pub duration: String,
    /// The consent method.
    pub consent: String,
    /// Creation instant.
    pub created_at: Timestamp,
    /// Expiry (still valid at that exact instant).
    pub expires_at: Timestamp,
}

impl From<api::VerifiedMandate> for VerifiedMandate {
    fn from(m: api::VerifiedMandate) -> Self {
        VerifiedMandate {
            kid: m.kid.into(),
            organisation: m.organisation.into(),
            mandate_id: m.mandate_id,
            usager_ref: m.usager_ref,
            demarches: strs(m.demarches),
            duration: m.duration.to_owned(),
            consent: m.consent.to_owned(),
            created_at: m.created_at,
            expires_at: m.expires_at,
        }
    }
}

/// A public key trusted under a key id.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustedKey {
    /// The key id.
    pub kid: i32,
    /// The 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
}

fn keys(keys: Vec<TrustedKey>) -> Result<Vec<(u16, Vec<u8>)>> {
    keys.into_iter()
        .map(|k| Ok((kid(k.kid)?, k.public_key)))
        .collect()
}

/// How a [`MandateVerifier`] is built. With neither trust list nor key, every token is
/// `unknown_key`.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct MandateVerifierOptions {
    /// A signed trust list whose issuers are `org.<id>` (its bytes), if any.
    #[uniffi(default)]
    pub trust_list: Option<Vec<u8>>,
    /// The root public key (32 bytes) that signs the trust list.
    #[uniffi(default)]
    pub root_key: Option<Vec<u8>>,
    /// Keys trusted for any organisation.
    #[uniffi(default)]
    pub keys: Vec<TrustedKey>,
    /// Revoked mandate ids (20 lowercase hex digits).
    #[uniffi(default)]
    pub revoked: Vec<String>,
    /// A démarche every token must cover.
    #[uniffi(default)]
    pub demarche: Option<String>,
    /// The usager (FranceConnect `sub`) every token must name.
    #[uniffi(default)]
    pub usager_sub: Option<String>,
}

/// One verdict of [`MandateVerifier::verify_batch`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MandateVerdict {
    /// The text's position in the batch (0-based).
    pub index: i64,
    /// The mandate, when every check passed.
    pub mandate: Option<VerifiedMandate>,
    /// The error code, when refused.
    pub error_code: Option<String>,
    /// The error message, when refused.
    pub error_message: Option<String>,
}

/// Verifies mandate tokens offline against trusted keys or a signed trust list.
#[derive(Debug, uniffi::Object)]
pub struct MandateVerifier {
    inner: api::MandateVerifier,
}

#[uniffi::export]
impl MandateVerifier {
    /// A verifier from its options (`invalid_key`, `trust_list_*`, `unknown_demarche`…).
    #[uniffi::constructor]
    pub fn new(options: MandateVerifierOptions) -> Result<Arc<Self>> {
        let empty = Vec::new();
        let trust_list = match &options.trust_list {
            None => None,
            Some(bytes) => Some(api::SignedTrustList {
                bytes,
                root_key: options.root_key.as_ref().unwrap_or(&empty),
            }),
        };
        let inner = api::MandateVerifier::new(&api::VerifierOptions {
            trust_list,
            keys: keys(options.keys)?,
            revoked: options.revoked,
            demarche: options.demarche,
            usager_sub: options.usager_sub,
        })
        .api()?;
        Ok(Arc::new(MandateVerifier { inner }))
    }

    /// Verifies the strict text or the QR payload at `now`.
    pub fn verify(&self, text: String, now: Timestamp) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_text(&text, now).api()?.into())
    }

    /// Verifies hand-typed text at `now`.
    pub fn verify_typed(&self, text: String, now: Timestamp) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_human(&text, now).api()?.into())
    }

    /// Verifies the 105 raw bytes at `now`.
    pub fn verify_bytes(&self, bytes: Vec<u8>, now: Timestamp) -> Result<VerifiedMandate> {
        Ok(self.inner.verify_bytes(&bytes, now).api()?.into())
    }

    /// Verifies a parsed token at `now`.
    pub fn verify_token(
        &self,
        token: Arc<MandateToken>,
        now: Timestamp,
    ) -> Result<VerifiedMandate> {
        Ok(self.inner.verify(&token.inner, now).api()?.into())
    }

    /// Verifies many texts (strict, or typed when `typed`), one verdict each, in order;
    /// a refused text is a verdict, never thrown (only a `now` the core cannot hold is).
    #[uniffi::method(default(typed = false))]
    pub fn verify_batch(
        &self,
        texts: Vec<String>,
        now: Timestamp,
        typed: bool,
    ) -> Result<Vec<MandateVerdict>> {
        Ok(self
            .inner
            .verify_batch(&texts, now, typed)
            .into_iter()
            .enumerate()
            .map(|(i, r)| match r {
                Ok(m) => MandateVerdict {
                    index: signed_usize(i),
                    mandate: Some(m.into()),
                    error_code: None,
                    error_message: None,
                },
                Err(e) => MandateVerdict {
                    index: signed_usize(i),
                    mandate: None,
                    error_code: Some(e.code.to_owned()),
                    error_message: Some(e.message),
                },
            })
            .collect())
    }
}

// ---- journals ----

/// The outcome of [`verify_mandate_journal`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JournalReport {
    /// Whether every line checks out.
    pub ok: bool,
    /// When ok: how many entries (checkpoints included).
    pub entries: Option<i64>,
    /// When ok: how many entries follow the last checkpoint.
    pub unsigned_entries: Option<i64>,
    /// When not ok: the 1-based line of the first problem.
    pub line: Option<i64>,
    /// When not ok: its code (`journal_malformed`, …).
    pub code: Option<String>,
    /// When not ok: in words.
    pub message: Option<String>,
    /// The JSON object `inclusif mandate journal verify` prints.
    pub json: String,
}

/// Verifies a tamper-evident journal's JSON Lines text against the structure's
/// checkpoint keys. A bad key is an error; a bad journal is a report that is not ok.
#[uniffi::export]
pub fn verify_mandate_journal(text: String, keys: Vec<TrustedKey>) -> Result<JournalReport> {
    let r = api::verify_journal(&text, &self::keys(keys)?).api()?;
    Ok(JournalReport {
        ok: r.ok,
        entries: r.entries.map(signed),
        unsigned_entries: r.unsigned_entries.map(signed),
        line: r.line.map(signed),
        code: r.code.map(str::to_owned),
        message: r.message,
        json: r.json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_registry_decides_and_a_token_verifies() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        let r = MandateRegistry::new();
        r.add_organisation(42, "CCAS".into(), "21230096300014".into(), true, None)
            .unwrap();
        r.add_aidant("alice".into(), vec![42], 42, true, true, None, None)
            .unwrap();
        r.add_usager("u1".into(), "Camille".into(), "Martin".into())
            .unwrap();
        let consent = ConsentInput {
            method: "in_person".into(),
            phone: None,
            request_id: None,
        };
        let c = r
            .create_mandate(
                "alice".into(),
                "u1".into(),
                vec!["social".into()],
                "LONG".into(),
                consent,
                at,
            )
            .unwrap();
        let d = r
            .decide("alice".into(), "u1".into(), "social".into(), at)
            .unwrap();
        assert_eq!((d.allowed, d.mandate), (true, Some(c.mandate)));
        let e = r
            .add_organisation(-1, "x".into(), "y".into(), true, None)
            .unwrap_err();
        assert_eq!(e.error_code(), "invalid_field");

        let t = MandateToken::sign(
            vec![3; 32],
            3,
            42,
            "sub".into(),
            vec!["papiers".into()],
            at,
            "LONG".into(),
            "in_person".into(),
            None,
        )
        .unwrap();
        let v = MandateVerifier::new(MandateVerifierOptions::default()).unwrap();
        let e = v.verify(t.to_text(), at).unwrap_err();
        assert_eq!(e.error_code(), "unknown_key");
        assert_eq!(mandate_demarches().len(), 10);
    }
}
