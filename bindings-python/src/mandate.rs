//! The mandate domain in Python: a thin adapter over `inclusif_core::api::mandate` (the
//! decision function, scenarios, signed mandate tokens, tamper-evident journals).
//! Native names are prefixed where they could collide; `inclusif.mandate` re-exports
//! them under their public names (`Registry`, `Decision`, `Journal`, …).

use chrono::{DateTime, Utc};
use inclusif_core::api::mandate as api;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::convert::{EnumClass, IntoPy, enum_arg, instant_arg};

static DEMARCHE: EnumClass = EnumClass::new("inclusif.mandate", "Demarche");
static DURATION: EnumClass = EnumClass::new("inclusif.mandate", "Duration");
static CONSENT: EnumClass = EnumClass::new("inclusif.mandate", "ConsentMethod");
static DENIAL: EnumClass = EnumClass::new("inclusif.mandate", "DenialReason");
static JOURNAL_CODE: EnumClass = EnumClass::new("inclusif.mandate", "JournalCode");
static JOURNAL_ACTION: EnumClass = EnumClass::new("inclusif.mandate", "JournalAction");

// ---- argument and value helpers ----

/// Démarches: one member (or key), or an iterable of them.
fn demarches_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr("value")? {
        return Ok(vec![enum_arg(obj, field)?]);
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{field}: expected Demarche members (or their keys), got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    iter.map(|item| enum_arg(&item?, field)).collect()
}

fn opt_instant(obj: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<DateTime<Utc>>> {
    match obj {
        Some(o) if !o.is_none() => instant_arg(o, field).map(Some),
        _ => Ok(None),
    }
}

/// Keys: a mapping of kid to 32 raw bytes.
fn keys_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(u16, Vec<u8>)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(vec![]);
    };
    let items = obj.call_method0("items").map_err(|_| {
        PyTypeError::new_err(
            "keys: expected a mapping of kid (int) to a 32-byte public key (bytes)",
        )
    })?;
    items
        .try_iter()?
        .map(|item| {
            let (kid, key): (u16, Vec<u8>) = item?.extract().map_err(|_| {
                PyTypeError::new_err("keys: expected a mapping of kid (int 1-65535) to bytes")
            })?;
            Ok((kid, key))
        })
        .collect()
}

fn members<'py>(
    py: Python<'py>,
    class: &EnumClass,
    values: &[&str],
) -> PyResult<Bound<'py, PyList>> {
    let items = values
        .iter()
        .map(|v| class.member(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

fn opt_member<'py>(
    py: Python<'py>,
    class: &EnumClass,
    value: Option<&str>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    value.map(|v| class.member(py, v)).transpose()
}

fn bytes<'py>(py: Python<'py>, b: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, b)
}

fn consent_input(
    consent: Option<&Bound<'_, PyAny>>,
    phone: Option<String>,
    request_id: Option<String>,
) -> PyResult<api::ConsentInput> {
    let method = match consent {
        Some(c) => enum_arg(c, "consent")?,
        None => "in_person".to_owned(),
    };
    Ok(api::ConsentInput {
        method,
        phone,
        request_id,
    })
}

// ---- the decision function ----

/// The answer of `Registry.decide`: whether the aidant may act and, if not, every reason.
///
/// `reasons` holds `DenialReason` members (sorted, empty when allowed), `reason` the first
/// one; when allowed, `mandate_id`, `autorisation` and `expires_at` name what the answer
/// rests on. Truthy when allowed.
///
/// >>> d = registry.decide("alice", "u1", Demarche.SOCIAL, now)
/// >>> d.allowed, d.reasons
/// (False, [<DenialReason.NO_MANDATE: 'no_mandate'>])
/// >>> pandas.DataFrame([d.to_dict() for d in registry.decide_batch(questions)])
#[pyclass(
    module = "inclusif._inclusif",
    name = "MandateDecision",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateDecision {
    allowed: bool,
    reasons: Vec<String>,
    mandate_id: Option<String>,
    autorisation: Option<u64>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<api::Decision> for MandateDecision {
    fn from(d: api::Decision) -> Self {
        MandateDecision {
            allowed: d.allowed,
            reasons: d.reasons.iter().map(|r| (*r).to_owned()).collect(),
            mandate_id: d.mandate,
            autorisation: d.autorisation,
            expires_at: d.expires_at,
        }
    }
}

#[pymethods]
impl MandateDecision {
    /// A decision from its fields (used by pickling); `reasons` are `DenialReason`
    /// members or their codes.
    #[new]
    #[pyo3(signature = (allowed, reasons, mandate_id=None, autorisation=None, expires_at=None))]
    fn new(
        py: Python<'_>,
        allowed: bool,
        reasons: Vec<Bound<'_, PyAny>>,
        mandate_id: Option<String>,
        autorisation: Option<u64>,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let reasons = reasons
            .iter()
            .map(|r| {
                let code = enum_arg(r, "reasons")?;
                DENIAL.member(py, &code)?;
                Ok(code)
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(MandateDecision {
            allowed,
            reasons,
            mandate_id,
            autorisation,
            expires_at: opt_instant(expires_at, "expires_at")?,
        })
    }

    /// Whether the aidant may act.
    #[getter]
    fn allowed(&self) -> bool {
        self.allowed
    }

    /// Every reason for refusing (`DenialReason` members, sorted; empty when allowed).
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let codes: Vec<&str> = self.reasons.iter().map(String::as_str).collect();
        members(py, &DENIAL, &codes)
    }

    /// The first reason for refusing, or None when allowed.
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_member(py, &DENIAL, self.reasons.first().map(String::as_str))
    }

    /// The mandate the permission rests on (20 hex digits), or None.
    #[getter]
    fn mandate_id(&self) -> Option<String> {
        self.mandate_id.clone()
    }

    /// The autorisation the permission rests on, or None.
    #[getter]
    fn autorisation(&self) -> Option<u64> {
        self.autorisation
    }

    /// When that mandate expires, or None.
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// `{"allowed", "reasons", "reason", "mandate_id", "autorisation", "expires_at"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("allowed", self.allowed)?;
        d.set_item("reasons", self.reasons(py)?)?;
        d.set_item("reason", self.reason(py)?)?;
        d.set_item("mandate_id", &self.mandate_id)?;
        d.set_item("autorisation", self.autorisation)?;
        d.set_item("expires_at", self.expires_at)?;
        Ok(d)
    }

    fn __bool__(&self) -> bool {
        self.allowed
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let me = slf.get();
        let args = (
            me.allowed,
            me.reasons.clone(),
            me.mandate_id.clone(),
            me.autorisation,
            me.expires_at,
        )
            .into_pyobject(py)?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }

    fn __repr__(&self) -> String {
        if self.allowed {
            format!(
                "Decision(allowed=True, mandate_id={:?}, autorisation={})",
                self.mandate_id.as_deref().unwrap_or(""),
                self.autorisation.unwrap_or(0)
            )
        } else {
            format!("Decision(allowed=False, reasons={:?})", self.reasons)
        }
    }
}

/// A mandate as the registry holds it (read-only).
///
/// >>> m = registry.mandate(created.mandate_id)
/// >>> m.duration, m.demarches
/// (<Duration.LONG: 'LONG'>, [<Demarche.SOCIAL: 'social'>])
#[pyclass(
    module = "inclusif._inclusif",
    name = "MandateRecord",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateRecord {
    m: api::MandateInfo,
}

#[pymethods]
impl MandateRecord {
    /// Id (20 lowercase hex digits).
    #[getter]
    fn id(&self) -> String {
        self.m.id.clone()
    }
    /// The organisation mandated.
    #[getter]
    fn organisation(&self) -> u32 {
        self.m.organisation
    }
    /// The usager's FranceConnect sub.
    #[getter]
    fn usager(&self) -> String {
        self.m.usager.clone()
    }
    /// Creation instant.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.m.created_at
    }
    /// Expiry instant (still valid at that exact instant).
    #[getter]
    fn expires_at(&self) -> DateTime<Utc> {
        self.m.expires_at
    }
    /// The `Duration`.
    #[getter]
    fn duration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        DURATION.member(py, self.m.duration)
    }
    /// The `ConsentMethod`.
    #[getter]
    fn consent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        CONSENT.member(py, self.m.consent)
    }
    /// For SMS consent: "pending", "given" or "denied"; None otherwise.
    #[getter]
    fn sms_consent(&self) -> Option<&'static str> {
        self.m.sms_consent
    }
    /// The printed-mandate template version.
    #[getter]
    fn template(&self) -> String {
        self.m.template.clone()
    }
    /// The démarches it was created for (`Demarche` members, in the service's order).
    #[getter]
    fn demarches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys: Vec<&str> = self.m.autorisations.iter().map(|a| a.demarche).collect();
        members(py, &DEMARCHE, &keys)
    }
    /// One dict per autorisation: `{"id", "demarche", "revoked_at"}`.
    #[getter]
    fn autorisations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .m
            .autorisations
            .iter()
            .map(|a| {
                let d = PyDict::new(py);
                d.set_item("id", a.id)?;
                d.set_item("demarche", DEMARCHE.member(py, a.demarche)?)?;
                d.set_item("revoked_at", a.revoked_at)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.m.id)?;
        d.set_item("organisation", self.m.organisation)?;
        d.set_item("usager", &self.m.usager)?;
        d.set_item("created_at", self.m.created_at)?;
        d.set_item("duration", self.duration(py)?)?;
        d.set_item("expires_at", self.m.expires_at)?;
        d.set_item("consent", self.consent(py)?)?;
        d.set_item("sms_consent", self.m.sms_consent)?;
        d.set_item("template", &self.m.template)?;
        d.set_item("demarches", self.demarches(py)?)?;
        d.set_item("autorisations", self.autorisations(py)?)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Mandate(id={:?}, organisation={}, usager={:?}, duration={}, expires_at={})",
            self.m.id,
            self.m.organisation,
            self.m.usager,
            self.m.duration,
            self.m.expires_at.to_rfc3339()
        )
    }
}

/// What a creation or renewal did: the new mandate, its autorisations, and the older
/// autorisations it revoked (same organisation, usager and démarche).
///
/// >>> created = registry.create_mandate("alice", "u1", [Demarche.SOCIAL], Duration.LONG, now)
/// >>> created.mandate_id
/// '3f2a...'
#[pyclass(
    module = "inclusif._inclusif",
    name = "CreatedMandate",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreatedMandate {
    c: api::Created,
}

#[pymethods]
impl CreatedMandate {
    /// The new mandate's id.
    #[getter]
    fn mandate_id(&self) -> String {
        self.c.mandate.clone()
    }
    /// The new autorisations' ids, in démarche order.
    #[getter]
    fn autorisations(&self) -> Vec<u64> {
        self.c.autorisations.clone()
    }
    /// Revoked autorisations: `{"mandate_id", "autorisation", "demarche"}` dicts.
    #[getter]
    fn revoked<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .c
            .revoked
            .iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("mandate_id", &r.mandate)?;
                d.set_item("autorisation", r.autorisation)?;
                d.set_item("demarche", DEMARCHE.member(py, r.demarche)?)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
    /// `{"mandate_id", "autorisations", "revoked"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("mandate_id", &self.c.mandate)?;
        d.set_item("autorisations", self.c.autorisations.clone())?;
        d.set_item("revoked", self.revoked(py)?)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "CreatedMandate(mandate_id={:?}, autorisations={:?}, revoked={})",
            self.c.mandate,
            self.c.autorisations,
            self.c.revoked.len()
        )
    }
}

/// Organisations, aidants, usagers and mandates with Aidants Connect's rules, and the
/// decision function. Mutable; not thread-safe for concurrent writes.
///
/// >>> r = Registry()
/// >>> r.add_organisation(42, "CCAS de Guéret", "21230096300014")
/// >>> r.add_aidant("alice", [42], 42)
/// >>> r.add_usager("u1", "Camille", "Martin")
/// >>> c = r.create_mandate("alice", "u1", [Demarche.SOCIAL], Duration.LONG, now)
/// >>> r.decide("alice", "u1", Demarche.SOCIAL, now).allowed
/// True
#[pyclass(module = "inclusif._inclusif", name = "MandateRegistry")]
pub struct MandateRegistry {
    inner: api::Registry,
}

#[pymethods]
impl MandateRegistry {
    /// An empty registry.
    #[new]
    fn new() -> Self {
        MandateRegistry {
            inner: api::Registry::new(),
        }
    }

    /// Adds an organisation (SIRET of 14 digits; `allowed_demarches` None: all ten).
    #[pyo3(signature = (id, name, siret, active=true, allowed_demarches=None))]
    fn add_organisation(
        &mut self,
        id: u32,
        name: &str,
        siret: &str,
        active: bool,
        allowed_demarches: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let allowed = allowed_demarches
            .filter(|a| !a.is_none())
            .map(|a| demarches_arg(a, "allowed_demarches"))
            .transpose()?;
        self.inner
            .add_organisation(id, name, siret, active, allowed.as_deref())
            .py()
    }

    /// Adds an aidant: its organisations must exist and include its current one;
    /// habilitation bounds are aware datetimes (None: no limit).
    #[pyo3(signature = (id, organisations, current_organisation, active=true, can_create_mandates=true, habilitation_from=None, habilitation_until=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_aidant(
        &mut self,
        id: &str,
        organisations: Vec<u32>,
        current_organisation: u32,
        active: bool,
        can_create_mandates: bool,
        habilitation_from: Option<&Bound<'_, PyAny>>,
        habilitation_until: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let from = opt_instant(habilitation_from, "habilitation_from")?;
        let until = opt_instant(habilitation_until, "habilitation_until")?;
        self.inner
            .add_aidant(
                id,
                &organisations,
                current_organisation,
                active,
                can_create_mandates,
                from,
                until,
            )
            .py()
    }

    /// Adds a usager (FranceConnect sub, unique).
    fn add_usager(&mut self, sub: &str, given_name: &str, family_name: &str) -> PyResult<()> {
        self.inner.add_usager(sub, given_name, family_name).py()
    }

    /// Creates a mandate for the aidant's current organisation at `at`; it revokes the
    /// same organisation's active autorisations for those démarches. `consent` is a
    /// `ConsentMethod`; `remote_sms` needs `phone` and `request_id`.
    #[pyo3(signature = (aidant, usager, demarches, duration, at, consent=None, phone=None, request_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_mandate(
        &mut self,
        aidant: &str,
        usager: &str,
        demarches: &Bound<'_, PyAny>,
        duration: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        consent: Option<&Bound<'_, PyAny>>,
        phone: Option<String>,
        request_id: Option<String>,
    ) -> PyResult<CreatedMandate> {
        let d = demarches_arg(demarches, "demarches")?;
        let du = enum_arg(duration, "duration")?;
        let at = instant_arg(at, "at")?;
        let c = consent_input(consent, phone, request_id)?;
        let c = self
            .inner
            .create_mandate(aidant, usager, &d, &du, &c, at)
            .py()?;
        Ok(CreatedMandate { c })
    }

    /// Renews a mandate still inside the 365-day retention window (the creation flow
    /// again, same usager and organisation).
    #[pyo3(signature = (aidant, mandate_id, demarches, duration, at, consent=None, phone=None, request_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn renew_mandate(
        &mut self,
        aidant: &str,
        mandate_id: &str,
        demarches: &Bound<'_, PyAny>,
        duration: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        consent: Option<&Bound<'_, PyAny>>,
        phone: Option<String>,
        request_id: Option<String>,
    ) -> PyResult<CreatedMandate> {
        let d = demarches_arg(demarches, "demarches")?;
        let du = enum_arg(duration, "duration")?;
        let at = instant_arg(at, "at")?;
        let c = consent_input(consent, phone, request_id)?;
        let c = self
            .inner
            .renew_mandate(aidant, mandate_id, &d, &du, &c, at)
            .py()?;
        Ok(CreatedMandate { c })
    }

    /// Revokes one démarche of a mandate (final); returns the autorisation's id.
    fn revoke_autorisation(
        &mut self,
        mandate_id: &str,
        demarche: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let d = enum_arg(demarche, "demarche")?;
        let at = instant_arg(at, "at")?;
        self.inner.revoke_autorisation(mandate_id, &d, at).py()
    }

    /// Revokes a whole mandate (final); returns the autorisations revoked.
    fn revoke_mandate(&mut self, mandate_id: &str, at: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let at = instant_arg(at, "at")?;
        self.inner.revoke_mandate(mandate_id, at).py()
    }

    /// Transfers a mandate to another active organisation offering its démarches.
    fn transfer_mandate(
        &mut self,
        mandate_id: &str,
        to: u32,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let at = instant_arg(at, "at")?;
        self.inner.transfer_mandate(mandate_id, to, at).py()
    }

    /// Records the usager's reply to an SMS consent request; returns whether it is a
    /// consent (« Oui »). A second reply is `consent_already_recorded`.
    fn record_sms_reply(
        &mut self,
        mandate_id: &str,
        request_id: &str,
        reply: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let at = instant_arg(at, "at")?;
        self.inner
            .record_sms_reply(mandate_id, request_id, reply, at)
            .py()
    }

    /// Makes an aidant act for another of its organisations.
    fn switch_organisation(&mut self, aidant: &str, to: u32) -> PyResult<()> {
        self.inner.switch_organisation(aidant, to).py()
    }

    /// Deactivates or reactivates an organisation.
    fn set_organisation_active(&mut self, organisation: u32, active: bool) -> PyResult<()> {
        self.inner
            .set_organisation_active(organisation, active)
            .py()
    }

    /// Deactivates or reactivates an aidant.
    fn set_aidant_active(&mut self, aidant: &str, active: bool) -> PyResult<()> {
        self.inner.set_aidant_active(aidant, active).py()
    }

    /// Removes mandates outside the retention window at `at`; returns how many.
    fn purge_outdated(&mut self, at: &Bound<'_, PyAny>) -> PyResult<u64> {
        let at = instant_arg(at, "at")?;
        Ok(self.inner.purge_outdated(at))
    }

    /// A mandate by id (`not_found` if unknown).
    fn mandate(&self, mandate_id: &str) -> PyResult<MandateRecord> {
        let m = self.inner.mandate(mandate_id).py()?;
        Ok(MandateRecord { m })
    }

    /// Every mandate of a usager, in creation order.
    fn mandates_of(&self, usager: &str) -> Vec<MandateRecord> {
        self.inner
            .mandates_of(usager)
            .into_iter()
            .map(|m| MandateRecord { m })
            .collect()
    }

    /// May `aidant`, at `at`, act for `usager` on `demarche`? A `Decision`;
    /// `unknown_demarche` (MandateValidationError) for a key that is not a démarche.
    fn decide(
        &self,
        aidant: &str,
        usager: &str,
        demarche: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<MandateDecision> {
        let d = enum_arg(demarche, "demarche")?;
        let at = instant_arg(at, "at")?;
        Ok(self.inner.decide(aidant, usager, &d, at).py()?.into())
    }

    /// Decides many `(aidant, usager, demarche, at)` questions without holding the GIL;
    /// one `Decision` each, in order.
    fn decide_batch(
        slf: PyRef<'_, Self>,
        py: Python<'_>,
        questions: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<MandateDecision>> {
        let qs = questions
            .try_iter()?
            .map(|item| {
                let item = item?;
                let (aidant, usager, demarche, at): (
                    String,
                    String,
                    Bound<'_, PyAny>,
                    Bound<'_, PyAny>,
                ) = item.extract().map_err(|_| {
                    PyTypeError::new_err(
                        "questions: expected (aidant, usager, demarche, at) tuples",
                    )
                })?;
                Ok(api::Question {
                    aidant,
                    usager,
                    demarche: enum_arg(&demarche, "demarche")?,
                    at: instant_arg(&at, "at")?,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let inner = &slf.inner;
        let decisions = py.detach(|| inner.decide_batch(&qs)).py()?;
        Ok(decisions.into_iter().map(MandateDecision::from).collect())
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }

    fn __repr__(&self) -> String {
        format!("Registry(mandates={})", self.inner.len())
    }
}

// ---- scenarios ----

/// The result of a scenario: one dict per event and per question, as
/// `inclusif mandate decide` prints them.
///
/// Event dicts: `event` (1-based), `ok`, `mandate` (creation number or None), `revoked`
/// (list of `(mandate number, Demarche)`), `error` (code or None), `message`.
/// Decision dicts: `question`, `allowed`, `mandate`, `demarche`, `reasons`
/// (`DenialReason` list).
///
/// >>> result = run_scenario(Path("scenario.json").read_text())
/// >>> pandas.DataFrame(result.decisions)
#[pyclass(
    module = "inclusif._inclusif",
    name = "MandateScenarioResult",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateScenarioResult {
    r: api::ScenarioResult,
}

#[pymethods]
impl MandateScenarioResult {
    /// One dict per event, in order.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .r
            .events
            .iter()
            .map(|e| {
                let d = PyDict::new(py);
                d.set_item("event", e.event)?;
                d.set_item("ok", e.ok)?;
                d.set_item("mandate", e.mandate)?;
                let revoked = e
                    .revoked
                    .iter()
                    .map(|(m, k)| Ok((*m, DEMARCHE.member(py, k)?)))
                    .collect::<PyResult<Vec<_>>>()?;
                d.set_item("revoked", revoked)?;
                d.set_item("error", e.error)?;
                d.set_item("message", &e.message)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// One dict per question, in order.
    #[getter]
    fn decisions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .r
            .decisions
            .iter()
            .map(|q| {
                let d = PyDict::new(py);
                d.set_item("question", q.question)?;
                d.set_item("allowed", q.allowed)?;
                d.set_item("mandate", q.mandate)?;
                d.set_item("demarche", opt_member(py, &DEMARCHE, q.demarche)?)?;
                d.set_item("reasons", members(py, &DENIAL, &q.reasons)?)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// `{"events": [...], "decisions": [...]}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("events", self.events(py)?)?;
        d.set_item("decisions", self.decisions(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "ScenarioResult(events={}, decisions={})",
            self.r.events.len(),
            self.r.decisions.len()
        )
    }
}

/// Runs a scenario's JSON text (organisations, aidants, usagers, events, questions), as
/// `inclusif mandate decide` does, without holding the GIL. Text that is not a scenario
/// is `invalid_field`; a refused event is reported in the result, not raised.
///
/// >>> result = run_scenario(text)
/// >>> result.decisions[0]["allowed"]
/// True
#[pyfunction]
fn run_scenario(py: Python<'_>, text: &str) -> PyResult<MandateScenarioResult> {
    let r = py.detach(|| api::run_scenario(text)).py()?;
    Ok(MandateScenarioResult { r })
}

// ---- mandate tokens ----

/// A signed mandate token (105 bytes): parsed, not yet trusted — verify it with a
/// `MandateVerifier`. `bytes(token)` gives the raw bytes.
///
/// >>> t = MandateToken.from_text("AC1:0400600000NAR78...")
/// >>> t.to_text() == MandateToken.from_human(t.to_text().lower()).to_text()
/// True
#[pyclass(module = "inclusif._inclusif", name = "MandateToken", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateToken {
    t: api::MandateToken,
}

#[pymethods]
impl MandateToken {
    /// Reads the 105 raw bytes (`malformed`, `unsupported_version`).
    #[new]
    fn new(data: &[u8]) -> PyResult<Self> {
        Ok(MandateToken {
            t: api::MandateToken::from_bytes(data).py()?,
        })
    }

    /// Reads the 105 raw bytes (same as the constructor).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Self::new(data)
    }

    /// Reads the strict text (168 characters) or the `AC1:` QR payload.
    #[staticmethod]
    fn from_text(text: &str) -> PyResult<Self> {
        Ok(MandateToken {
            t: api::MandateToken::parse_strict(text).py()?,
        })
    }

    /// Reads text typed by a person (spaces and dashes dropped, O read as 0, …).
    #[staticmethod]
    fn from_human(text: &str) -> PyResult<Self> {
        Ok(MandateToken {
            t: api::MandateToken::parse_human(text).py()?,
        })
    }

    /// Signs a mandate with the organisation's secret key (32-byte seed), known to
    /// verifiers as `kid`. Only a pseudonymous hash of `usager_sub` goes into the token;
    /// `created_at` must be whole seconds; `mandate_id` None: a random one.
    ///
    /// >>> t = MandateToken.sign(seed, 3, 42, "fc-sub-0001", [Demarche.PAPIERS], created, Duration.LONG)
    #[staticmethod]
    #[pyo3(signature = (secret_key, kid, organisation, usager_sub, demarches, created_at, duration, consent=None, mandate_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        py: Python<'_>,
        secret_key: &[u8],
        kid: u16,
        organisation: u32,
        usager_sub: &str,
        demarches: &Bound<'_, PyAny>,
        created_at: &Bound<'_, PyAny>,
        duration: &Bound<'_, PyAny>,
        consent: Option<&Bound<'_, PyAny>>,
        mandate_id: Option<&str>,
    ) -> PyResult<Self> {
        let d = demarches_arg(demarches, "demarches")?;
        let at = instant_arg(created_at, "created_at")?;
        let du = enum_arg(duration, "duration")?;
        let c = match consent {
            Some(c) => enum_arg(c, "consent")?,
            None => "in_person".to_owned(),
        };
        let t = py
            .detach(|| {
                api::MandateToken::sign(
                    secret_key,
                    kid,
                    organisation,
                    usager_sub,
                    &d,
                    at,
                    &du,
                    &c,
                    mandate_id,
                )
            })
            .py()?;
        Ok(MandateToken { t })
    }

    /// The strict text: 168 Crockford Base32 characters.
    fn to_text(&self) -> String {
        self.t.to_text()
    }

    /// The QR payload: `AC1:` and the text.
    fn to_qr_payload(&self) -> String {
        self.t.to_qr_payload()
    }

    /// The key id as written (unchecked).
    #[getter]
    fn kid(&self) -> u16 {
        self.t.kid()
    }

    /// The organisation id as written (unchecked).
    #[getter]
    fn organisation(&self) -> u32 {
        self.t.organisation()
    }

    /// The mandate id as written (20 hex digits).
    #[getter]
    fn mandate_id(&self) -> String {
        self.t.mandate_id()
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.t.to_bytes())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let args = PyTuple::new(py, [bytes(py, &slf.get().t.to_bytes())])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "MandateToken(kid={}, organisation={}, mandate_id={:?})",
            self.t.kid(),
            self.t.organisation(),
            self.t.mandate_id()
        )
    }
}

/// A mandate token whose every check passed: genuine, valid at the instant, for the
/// required usager and démarche.
///
/// >>> m = verifier.verify(text, now)
/// >>> m.organisation, m.demarches
/// (42, [<Demarche.PAPIERS: 'papiers'>, <Demarche.SOCIAL: 'social'>])
#[pyclass(
    module = "inclusif._inclusif",
    name = "VerifiedMandate",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifiedMandate {
    kid: u16,
    organisation: u32,
    mandate_id: String,
    usager_ref: Vec<u8>,
    demarches: Vec<String>,
    duration: String,
    consent: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<api::VerifiedMandate> for VerifiedMandate {
    fn from(m: api::VerifiedMandate) -> Self {
        VerifiedMandate {
            kid: m.kid,
            organisation: m.organisation,
            mandate_id: m.mandate_id,
            usager_ref: m.usager_ref,
            demarches: m.demarches.iter().map(|d| (*d).to_owned()).collect(),
            duration: m.duration.to_owned(),
            consent: m.consent.to_owned(),
            created_at: m.created_at,
            expires_at: m.expires_at,
        }
    }
}

#[pymethods]
impl VerifiedMandate {
    /// The fields (used by pickling; a verified mandate comes from `MandateVerifier`).
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kid: u16,
        organisation: u32,
        mandate_id: String,
        usager_ref: Vec<u8>,
        demarches: &Bound<'_, PyAny>,
        duration: &Bound<'_, PyAny>,
        consent: &Bound<'_, PyAny>,
        created_at: &Bound<'_, PyAny>,
        expires_at: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let demarches = demarches_arg(demarches, "demarches")?;
        for d in &demarches {
            DEMARCHE.member(py, d)?;
        }
        let duration = enum_arg(duration, "duration")?;
        DURATION.member(py, &duration)?;
        let consent = enum_arg(consent, "consent")?;
        CONSENT.member(py, &consent)?;
        Ok(VerifiedMandate {
            kid,
            organisation,
            mandate_id,
            usager_ref,
            demarches,
            duration,
            consent,
            created_at: instant_arg(created_at, "created_at")?,
            expires_at: instant_arg(expires_at, "expires_at")?,
        })
    }
    /// The key id.
    #[getter]
    fn kid(&self) -> u16 {
        self.kid
    }
    /// The organisation.
    #[getter]
    fn organisation(&self) -> u32 {
        self.organisation
    }
    /// The mandate id (20 lowercase hex digits).
    #[getter]
    fn mandate_id(&self) -> String {
        self.mandate_id.clone()
    }
    /// The usager's pseudonymous reference (16 bytes; see `usager_ref`).
    #[getter]
    fn usager_ref<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.usager_ref)
    }
    /// The démarches covered (`Demarche` members, in the service's order).
    #[getter]
    fn demarches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys: Vec<&str> = self.demarches.iter().map(String::as_str).collect();
        members(py, &DEMARCHE, &keys)
    }
    /// The `Duration`.
    #[getter]
    fn duration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        DURATION.member(py, &self.duration)
    }
    /// The `ConsentMethod`.
    #[getter]
    fn consent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        CONSENT.member(py, &self.consent)
    }
    /// Creation instant.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// Expiry (still valid at that exact instant).
    #[getter]
    fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    /// Every field as a dict (`usager_ref` as hex).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kid", self.kid)?;
        d.set_item("organisation", self.organisation)?;
        d.set_item("mandate_id", &self.mandate_id)?;
        d.set_item("usager_ref", hex(&self.usager_ref))?;
        d.set_item("demarches", self.demarches(py)?)?;
        d.set_item("duration", self.duration(py)?)?;
        d.set_item("consent", self.consent(py)?)?;
        d.set_item("created_at", self.created_at)?;
        d.set_item("expires_at", self.expires_at)?;
        Ok(d)
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let m = slf.get();
        let args = (
            m.kid,
            m.organisation,
            m.mandate_id.clone(),
            bytes(py, &m.usager_ref),
            m.demarches.clone(),
            m.duration.clone(),
            m.consent.clone(),
            m.created_at,
            m.expires_at,
        )
            .into_pyobject(py)?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifiedMandate(kid={}, organisation={}, mandate_id={:?}, demarches={:?}, duration={}, expires_at={})",
            self.kid,
            self.organisation,
            self.mandate_id,
            self.demarches,
            self.duration,
            self.expires_at.to_rfc3339()
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn verdict_dict<'py>(
    py: Python<'py>,
    index: usize,
    r: inclusif_core::api::Result<api::VerifiedMandate>,
) -> PyResult<Bound<'py, PyDict>> {
    match r {
        Ok(m) => {
            let d = VerifiedMandate::from(m).to_dict(py)?;
            d.set_item("index", index)?;
            d.set_item("ok", true)?;
            d.set_item("error", py.None())?;
            d.set_item("message", py.None())?;
            Ok(d)
        }
        Err(e) => {
            let d = PyDict::new(py);
            d.set_item("index", index)?;
            d.set_item("ok", false)?;
            d.set_item("error", e.code)?;
            d.set_item("message", e.message)?;
            Ok(d)
        }
    }
}

/// Verifies mandate tokens offline.
///
/// Keys come from a signed trust list (`trust_list` bytes opened with the 32-byte
/// `root_key`; issuers `org.<id>` bind each key to an organisation) and/or `keys`, a
/// mapping of kid to 32-byte public keys trusted for any organisation. `revoked` mandate
/// ids are refused, and a required `demarche` and usager (`usager_sub`) are checked.
/// Errors raise `MandateValidationError` (or `MandateError` for a stale trust list) with
/// the core's code: `malformed`, `unknown_key`, `bad_signature`, `expired`, …
///
/// >>> v = MandateVerifier(keys={3: public_key}, demarche=Demarche.SOCIAL, usager_sub="fc-sub-0001")
/// >>> v.verify(text, now).mandate_id
/// 'ac1d0000000000000001'
#[pyclass(module = "inclusif._inclusif", name = "MandateVerifier", frozen)]
pub struct MandateVerifier {
    v: api::MandateVerifier,
}

#[pymethods]
impl MandateVerifier {
    /// A verifier (keyword arguments only).
    #[new]
    #[pyo3(signature = (*, keys=None, trust_list=None, root_key=None, revoked=None, demarche=None, usager_sub=None))]
    fn new(
        keys: Option<&Bound<'_, PyAny>>,
        trust_list: Option<&[u8]>,
        root_key: Option<&[u8]>,
        revoked: Option<Vec<String>>,
        demarche: Option<&Bound<'_, PyAny>>,
        usager_sub: Option<String>,
    ) -> PyResult<Self> {
        let trust_list = match (trust_list, root_key) {
            (Some(bytes), Some(root_key)) => Some(api::SignedTrustList { bytes, root_key }),
            (None, None) => None,
            _ => {
                return Err(PyTypeError::new_err(
                    "trust_list and root_key go together (the root key checks the list's signature)",
                ));
            }
        };
        let options = api::VerifierOptions {
            trust_list,
            keys: keys_arg(keys)?,
            revoked: revoked.unwrap_or_default(),
            demarche: demarche
                .filter(|d| !d.is_none())
                .map(|d| enum_arg(d, "demarche"))
                .transpose()?,
            usager_sub,
        };
        Ok(MandateVerifier {
            v: api::MandateVerifier::new(&options).py()?,
        })
    }

    /// Verifies the strict text or the `AC1:` payload at `at`.
    fn verify(&self, text: &str, at: &Bound<'_, PyAny>) -> PyResult<VerifiedMandate> {
        let now = instant_arg(at, "at")?;
        Ok(self.v.verify_text(text, now).py()?.into())
    }

    /// Verifies hand-typed text at `at`.
    fn verify_human(&self, text: &str, at: &Bound<'_, PyAny>) -> PyResult<VerifiedMandate> {
        let now = instant_arg(at, "at")?;
        Ok(self.v.verify_human(text, now).py()?.into())
    }

    /// Verifies the 105 raw bytes at `at`.
    fn verify_bytes(&self, data: &[u8], at: &Bound<'_, PyAny>) -> PyResult<VerifiedMandate> {
        let now = instant_arg(at, "at")?;
        Ok(self.v.verify_bytes(data, now).py()?.into())
    }

    /// Verifies a parsed `MandateToken` at `at`.
    fn verify_token(
        &self,
        token: &MandateToken,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<VerifiedMandate> {
        let now = instant_arg(at, "at")?;
        Ok(self.v.verify(&token.t, now).py()?.into())
    }

    /// Verifies many texts without holding the GIL: one dict each, in order, with
    /// `index`, `ok`, `error` (code or None), `message` and, when ok, the verified
    /// fields — `pandas.DataFrame(verifier.verify_batch(texts, now))`.
    #[pyo3(signature = (texts, at, human=false))]
    fn verify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        at: &Bound<'py, PyAny>,
        human: bool,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let now = instant_arg(at, "at")?;
        let verdicts = py.detach(|| self.v.verify_batch(&texts, now, human));
        verdicts
            .into_iter()
            .enumerate()
            .map(|(i, r)| verdict_dict(py, i, r))
            .collect()
    }

    fn __repr__(&self) -> String {
        "MandateVerifier(...)".to_owned()
    }
}

/// The pseudonymous usager reference a token carries for `sub` in `organisation`
/// (16 bytes: the same person has unlinkable references in two organisations).
///
/// >>> len(usager_ref(42, "fc-sub-0001"))
/// 16
#[pyfunction]
fn usager_ref<'py>(py: Python<'py>, organisation: u32, sub: &str) -> PyResult<Bound<'py, PyBytes>> {
    Ok(bytes(py, &api::usager_ref(organisation, sub).py()?))
}

// ---- journals ----

/// The verdict on a journal: ok with `entries` and `unsigned_entries` (after the last
/// checkpoint), or the first broken `line` with its `code` (`JournalCode`) and message.
/// Truthy when ok; `to_json()` is what `inclusif mandate journal verify` prints.
///
/// >>> report = verify_journal(text, {3: public_key})
/// >>> report.ok, report.line, report.code
/// (False, 5, <JournalCode.HASH_MISMATCH: 'journal_hash_mismatch'>)
#[pyclass(
    module = "inclusif._inclusif",
    name = "JournalReport",
    frozen,
    eq,
    hash
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalReport {
    r: api::JournalReport,
    code: Option<String>,
}

impl From<api::JournalReport> for JournalReport {
    fn from(mut r: api::JournalReport) -> Self {
        // The code is kept once, as a String (a pickled report has no static str).
        let code = r.code.take().map(str::to_owned);
        JournalReport { r, code }
    }
}

#[pymethods]
impl JournalReport {
    /// Whether every line checks out.
    #[getter]
    fn ok(&self) -> bool {
        self.r.ok
    }
    /// When ok: how many entries (checkpoints included).
    #[getter]
    fn entries(&self) -> Option<u64> {
        self.r.entries
    }
    /// When ok: how many entries follow the last checkpoint.
    #[getter]
    fn unsigned_entries(&self) -> Option<u64> {
        self.r.unsigned_entries
    }
    /// When not ok: the 1-based line of the first problem.
    #[getter]
    fn line(&self) -> Option<u64> {
        self.r.line
    }
    /// When not ok: the `JournalCode`.
    #[getter]
    fn code<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_member(py, &JOURNAL_CODE, self.code.as_deref())
    }
    /// When not ok: in words.
    #[getter]
    fn message(&self) -> Option<String> {
        self.r.message.clone()
    }
    /// The JSON object the command line prints.
    fn to_json(&self) -> String {
        self.r.json.clone()
    }
    /// `{"ok", "entries", "unsigned_entries", "line", "code", "message"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("ok", self.r.ok)?;
        d.set_item("entries", self.r.entries)?;
        d.set_item("unsigned_entries", self.r.unsigned_entries)?;
        d.set_item("line", self.r.line)?;
        d.set_item("code", self.code(py)?)?;
        d.set_item("message", &self.r.message)?;
        Ok(d)
    }
    fn __bool__(&self) -> bool {
        self.r.ok
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        // The report is a pure function of the journal's text and keys, but those are
        // not kept: pickle the fields through a private constructor.
        let py = slf.py();
        let r = &slf.get().r;
        let args = (
            r.ok,
            r.entries,
            r.unsigned_entries,
            r.line,
            slf.get().code.clone(),
            r.message.clone(),
            r.json.clone(),
        )
            .into_pyobject(py)?;
        let module = py.import("inclusif._inclusif")?;
        PyTuple::new(py, [module.getattr("_journal_report")?, args.into_any()])
    }
    fn __repr__(&self) -> String {
        if self.r.ok {
            format!(
                "JournalReport(ok=True, entries={}, unsigned_entries={})",
                self.r.entries.unwrap_or(0),
                self.r.unsigned_entries.unwrap_or(0)
            )
        } else {
            format!(
                "JournalReport(ok=False, line={}, code={:?})",
                self.r.line.unwrap_or(0),
                self.code.as_deref().unwrap_or("")
            )
        }
    }
}

/// Rebuilds a pickled `JournalReport` (private).
#[pyfunction]
#[pyo3(name = "_journal_report")]
#[allow(clippy::too_many_arguments)]
fn journal_report(
    py: Python<'_>,
    ok: bool,
    entries: Option<u64>,
    unsigned_entries: Option<u64>,
    line: Option<u64>,
    code: Option<String>,
    message: Option<String>,
    json: String,
) -> PyResult<JournalReport> {
    if let Some(c) = &code {
        JOURNAL_CODE.member(py, c)?;
    }
    Ok(JournalReport {
        r: api::JournalReport {
            ok,
            entries,
            unsigned_entries,
            line,
            code: None,
            message,
            json,
        },
        code,
    })
}

/// Verifies a journal's text (JSON Lines) against checkpoint keys (a mapping of kid to
/// 32-byte public keys), without holding the GIL. A broken journal is a report that is
/// not ok (never an exception); a bad key raises.
///
/// >>> verify_journal(Path("journal.jsonl").read_text(), {3: public_key}).to_dict()
/// {'ok': True, 'entries': 12, 'unsigned_entries': 1, 'line': None, 'code': None, 'message': None}
#[pyfunction]
#[pyo3(signature = (text, keys=None))]
fn verify_journal(
    py: Python<'_>,
    text: &str,
    keys: Option<&Bound<'_, PyAny>>,
) -> PyResult<JournalReport> {
    let keys = keys_arg(keys)?;
    let r = py.detach(|| api::verify_journal(text, &keys)).py()?;
    Ok(r.into())
}

/// One journal entry as written: `seq`, `at`, `action` (`JournalAction`), its `line`
/// (canonical JSON), `prev` and `hash` (32 bytes each).
///
/// >>> e = journal.append(now, JournalAction.CONNECT_AIDANT, aidant="aidant-7")
/// >>> e.seq
/// 1
#[pyclass(module = "inclusif._inclusif", name = "JournalEntry", frozen, eq, hash)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalEntry {
    e: api::JournalEntry,
}

#[pymethods]
impl JournalEntry {
    /// Its number (its line number, from 1).
    #[getter]
    fn seq(&self) -> u64 {
        self.e.seq
    }
    /// When (to the second).
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.e.at
    }
    /// The `JournalAction`.
    #[getter]
    fn action<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        JOURNAL_ACTION.member(py, self.e.action)
    }
    /// Its line: canonical JSON, without the newline.
    #[getter]
    fn line(&self) -> String {
        self.e.line.clone()
    }
    /// The previous entry's hash.
    #[getter]
    fn prev<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.e.prev)
    }
    /// This entry's hash.
    #[getter]
    fn hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.e.hash)
    }
    /// `{"seq", "at", "action", "line", "prev", "hash"}` (hashes as hex).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("seq", self.e.seq)?;
        d.set_item("at", self.e.at)?;
        d.set_item("action", self.action(py)?)?;
        d.set_item("line", &self.e.line)?;
        d.set_item("prev", hex(&self.e.prev))?;
        d.set_item("hash", hex(&self.e.hash))?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "JournalEntry(seq={}, action={}, hash={:?})",
            self.e.seq,
            self.e.action,
            hex(&self.e.hash)
        )
    }
}

/// A tamper-evident journal being written: each entry chained to the previous one by
/// its hash, with checkpoints signed by the structure's key.
///
/// >>> j = Journal()
/// >>> j.append(now, JournalAction.CREATE_ATTESTATION, aidant="aidant-7", demarches=[Demarche.PAPIERS])
/// >>> j.checkpoint(seed, 3, now)
/// >>> verify_journal(j.to_jsonl(), {3: public_key}).ok
/// True
#[pyclass(module = "inclusif._inclusif", name = "MandateJournal")]
pub struct MandateJournal {
    j: api::Journal,
}

#[pymethods]
impl MandateJournal {
    /// An empty journal.
    #[new]
    fn new() -> Self {
        MandateJournal {
            j: api::Journal::new(),
        }
    }

    /// Reads and verifies a journal's text to append to it; a journal that does not
    /// verify raises `MandateValidationError` with its `journal_*` code.
    #[staticmethod]
    #[pyo3(signature = (text, keys=None))]
    fn from_jsonl(py: Python<'_>, text: &str, keys: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let keys = keys_arg(keys)?;
        let j = py.detach(|| api::Journal::from_jsonl(text, &keys)).py()?;
        Ok(MandateJournal { j })
    }

    /// Appends an entry (not a checkpoint): `at` is kept to the second.
    #[pyo3(signature = (at, action, *, aidant=None, organisation=None, usager=None, demarches=None, duree=None, mandat=None, autorisation=None, attestation_hash=None, additional_information=None, is_remote_mandat=None, consent_request_id=None, consent_method=None))]
    #[allow(clippy::too_many_arguments)]
    fn append(
        &mut self,
        at: &Bound<'_, PyAny>,
        action: &Bound<'_, PyAny>,
        aidant: Option<String>,
        organisation: Option<u32>,
        usager: Option<String>,
        demarches: Option<&Bound<'_, PyAny>>,
        duree: Option<u32>,
        mandat: Option<String>,
        autorisation: Option<u64>,
        attestation_hash: Option<Vec<u8>>,
        additional_information: Option<String>,
        is_remote_mandat: Option<bool>,
        consent_request_id: Option<String>,
        consent_method: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<JournalEntry> {
        let record = api::JournalRecordInput {
            at: Some(instant_arg(at, "at")?),
            action: enum_arg(action, "action")?,
            aidant,
            organisation,
            usager,
            demarches: demarches
                .filter(|d| !d.is_none())
                .map(|d| demarches_arg(d, "demarches"))
                .transpose()?,
            duree,
            mandat,
            autorisation,
            attestation_hash,
            additional_information,
            is_remote_mandat,
            consent_request_id,
            consent_method: consent_method
                .filter(|c| !c.is_none())
                .map(|c| enum_arg(c, "consent_method"))
                .transpose()?,
        };
        let e = self.j.append(&record).py()?;
        Ok(JournalEntry { e })
    }

    /// Appends a checkpoint signed with the structure's secret key (32-byte seed),
    /// known to verifiers as `kid`.
    fn checkpoint(
        &mut self,
        secret_key: &[u8],
        kid: u16,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<JournalEntry> {
        let at = instant_arg(at, "at")?;
        let e = self.j.checkpoint(secret_key, kid, at).py()?;
        Ok(JournalEntry { e })
    }

    /// The entries, in order.
    fn entries(&self) -> Vec<JournalEntry> {
        self.j
            .entries()
            .into_iter()
            .map(|e| JournalEntry { e })
            .collect()
    }

    /// The chain head: the last entry's hash, or 32 zero bytes.
    #[getter]
    fn head<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.j.head())
    }

    /// The JSON Lines text (each line ended by a newline).
    fn to_jsonl(&self) -> String {
        self.j.to_jsonl()
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.j.len()).unwrap_or(usize::MAX)
    }

    fn __repr__(&self) -> String {
        format!("Journal(entries={})", self.j.len())
    }
}

/// Adds the domain's classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MandateDecision>()?;
    m.add_class::<MandateRecord>()?;
    m.add_class::<CreatedMandate>()?;
    m.add_class::<MandateRegistry>()?;
    m.add_class::<MandateScenarioResult>()?;
    m.add_class::<MandateToken>()?;
    m.add_class::<VerifiedMandate>()?;
    m.add_class::<MandateVerifier>()?;
    m.add_class::<JournalReport>()?;
    m.add_class::<JournalEntry>()?;
    m.add_class::<MandateJournal>()?;
    m.add_function(wrap_pyfunction!(run_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(usager_ref, m)?)?;
    m.add_function(wrap_pyfunction!(verify_journal, m)?)?;
    // Reachable for pickling, but not exported in `__all__`.
    m.setattr("_journal_report", wrap_pyfunction!(journal_report, m)?)?;
    Ok(())
}
