//! The real service's mandate rules, as a pure in-memory state machine.
//!
//! [`Registry`] holds organisations, aidants, usagers and mandates. Its operations follow
//! the real service (research note aidants-connect.md):
//! - [`Registry::create_mandate`]: at least one démarche, all offered by the
//!   organisation; the aidant active, habilitated, acting for that organisation and
//!   allowed to create mandates; the organisation active. The new mandate **revokes, at
//!   its creation instant, every active autorisation of the same organisation and
//!   usager for the same démarches**; other démarches and other organisations' mandates
//!   are left alone.
//! - [`Registry::revoke_autorisation`], [`Registry::revoke_mandate`]: final; revoking
//!   twice is `already_revoked`.
//! - [`Registry::renew_mandate`]: the creation flow again, for a mandate still inside the
//!   365-day retention window.
//! - [`Registry::transfer_mandate`]: to another active organisation offering its démarches.
//! - [`Registry::record_sms_reply`]: an SMS mandate is unusable until the usager
//!   replies « Oui »; a second reply is refused.
//!
//! [`Registry::decide`] is the one decision function: may this aidant, at this instant,
//! act for this usager on this démarche? It returns the autorisation the answer rests on,
//! or every reason for refusing, each with a stable code.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::consent::{ConsentMethod, is_consent_reply};
use super::demarche::{Demarche, DemarcheSet};
use super::duration::Duration;
use super::error::MandateError;
use super::ids::{MandateId, OrganisationId};

/// How long an ended mandate stays visible and renewable (the service's `exclude_outdated`).
pub const RETENTION_DAYS: i64 = 365;

/// The printed-mandate template in force (`20260323_mandat.html`).
pub const CURRENT_TEMPLATE: &str = "20260323";

/// A structure that employs aidants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Id.
    pub id: OrganisationId,
    /// Name.
    pub name: String,
    /// SIRET (14 digits).
    pub siret: String,
    /// Whether it is active (it can be deactivated and reactivated).
    pub active: bool,
    /// The démarches it offers (default: all ten).
    #[serde(default = "all_demarches")]
    pub allowed_demarches: DemarcheSet,
}

fn all_demarches() -> DemarcheSet {
    DemarcheSet::ALL
}

/// A habilitated helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aidant {
    /// Id (any non-empty text: an email, a number).
    pub id: String,
    /// The organisations it belongs to.
    pub organisations: BTreeSet<OrganisationId>,
    /// The one it currently acts for.
    pub current_organisation: OrganisationId,
    /// Whether it is active.
    pub active: bool,
    /// Whether it may create mandates (false for a "référent non-aidant").
    pub can_create_mandates: bool,
    /// Habilitation valid from (our addition; none: no limit).
    #[serde(default)]
    pub habilitation_from: Option<DateTime<Utc>>,
    /// Habilitation valid until, inclusive (our addition; none: no limit).
    #[serde(default)]
    pub habilitation_until: Option<DateTime<Utc>>,
}

impl Aidant {
    fn habilitated_at(&self, at: DateTime<Utc>) -> bool {
        self.habilitation_from.is_none_or(|f| f <= at)
            && self.habilitation_until.is_none_or(|u| at <= u)
    }
}

/// The person helped, identified by FranceConnect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usager {
    /// The FranceConnect subject (`sub`), unique.
    pub sub: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
}

/// The state of an SMS consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "at")]
pub enum SmsConsent {
    /// Request sent, no reply yet: the mandate cannot be used.
    Pending,
    /// « Oui » received at that instant.
    Given(DateTime<Utc>),
    /// Any other reply, received at that instant: the mandate cannot be used.
    Denied(DateTime<Utc>),
}

/// How the usager consented, with the SMS details when remote by SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Consent {
    /// In person.
    InPerson,
    /// Remote, signature on paper.
    RemotePaper,
    /// Remote, by SMS.
    RemoteSms {
        /// The person's phone (E.164, French).
        phone: String,
        /// The consent request's id.
        request_id: String,
        /// Where the consent stands.
        state: SmsConsent,
    },
}

impl Consent {
    /// The method.
    pub fn method(&self) -> ConsentMethod {
        match self {
            Consent::InPerson => ConsentMethod::InPerson,
            Consent::RemotePaper => ConsentMethod::RemotePaper,
            Consent::RemoteSms { .. } => ConsentMethod::RemoteSms,
        }
    }

    fn usable(&self) -> bool {
        !matches!(
            self,
            Consent::RemoteSms {
                state: SmsConsent::Pending | SmsConsent::Denied(_),
                ..
            }
        )
    }
}

/// What a caller asks for when creating a mandate: the consent method and its details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum ConsentRequest {
    /// In person.
    InPerson,
    /// Remote, signature on paper.
    RemotePaper,
    /// Remote by SMS: the phone and the consent request id are required.
    RemoteSms {
        /// E.164 phone number, French (+33, or an overseas +262, +590, +594, +596, +269, +508, +681, +687, +689).
        phone: String,
        /// The consent request's id.
        request_id: String,
    },
}

/// One démarche of a mandate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autorisation {
    /// Id, unique in the registry.
    pub id: u64,
    /// The démarche.
    pub demarche: Demarche,
    /// When it was revoked, if it was (final).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A mandate: a usager's consent that an organisation's aidants act for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// Id.
    pub id: MandateId,
    /// The organisation mandated.
    pub organisation: OrganisationId,
    /// The usager (FranceConnect `sub`).
    pub usager: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Duration.
    pub duration: Duration,
    /// Expiry instant (creation + N × 24 h).
    pub expires_at: DateTime<Utc>,
    /// Consent.
    pub consent: Consent,
    /// The printed-mandate template version the usager saw.
    pub template: String,
    /// One autorisation per démarche, in the service's order.
    pub autorisations: Vec<Autorisation>,
}

impl Mandate {
    /// Whether it is expired at `at` (`at > expires_at`; at the exact instant it is not).
    pub fn is_expired(&self, at: DateTime<Utc>) -> bool {
        at > self.expires_at
    }

    /// The démarches it was created for.
    pub fn demarches(&self) -> DemarcheSet {
        self.autorisations.iter().map(|a| a.demarche).collect()
    }

    /// The autorisations active at `at`: mandate created and not expired, not revoked.
    pub fn active_autorisations(&self, at: DateTime<Utc>) -> impl Iterator<Item = &Autorisation> {
        let live = self.created_at <= at && !self.is_expired(at);
        self.autorisations
            .iter()
            .filter(move |a| live && a.revoked_at.is_none_or(|r| r > at))
    }

    /// Whether it is active at `at`: not expired, with at least one active autorisation.
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.active_autorisations(at).next().is_some()
    }

    /// When it was revoked, if every autorisation was: the latest revocation.
    pub fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.autorisations
            .iter()
            .map(|a| a.revoked_at)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    }

    /// When it ended (revoked or expired), if it has by `at`.
    pub fn ended_at(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match (self.revoked_at().filter(|r| *r <= at), self.is_expired(at)) {
            (Some(r), true) => Some(r.min(self.expires_at)),
            (Some(r), false) => Some(r),
            (None, true) => Some(self.expires_at),
            (None, false) => None,
        }
    }

    /// Whether it is still inside the 365-day retention window at `at`.
    pub fn is_retained(&self, at: DateTime<Utc>) -> bool {
        self.ended_at(at)
            .is_none_or(|e| at - e <= TimeDelta::days(RETENTION_DAYS))
    }
}

/// Why an aidant may not act, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenialReason {
    /// The aidant is deactivated.
    AidantInactive,
    /// The aidant's habilitation does not cover the instant.
    HabilitationExpired,
    /// The mandate belongs to another organisation than the one the aidant acts for now
    /// (or the aidant is not a member of its current organisation).
    NotInOrganisation,
    /// The aidant's current organisation is deactivated.
    OrganisationInactive,
    /// No mandate of this usager in any organisation covers the démarche.
    NoMandate,
    /// The mandate covering the démarche has expired.
    MandateExpired,
    /// The autorisation for the démarche was revoked.
    AutorisationRevoked,
    /// The organisation has mandates for this usager, none for this démarche.
    DemarcheNotCovered,
    /// A remote SMS mandate without a positive reply.
    ConsentPending,
}

impl DenialReason {
    /// The stable code.
    pub const fn code(self) -> &'static str {
        match self {
            DenialReason::AidantInactive => "aidant_inactive",
            DenialReason::HabilitationExpired => "habilitation_expired",
            DenialReason::NotInOrganisation => "not_in_organisation",
            DenialReason::OrganisationInactive => "organisation_inactive",
            DenialReason::NoMandate => "no_mandate",
            DenialReason::MandateExpired => "mandate_expired",
            DenialReason::AutorisationRevoked => "autorisation_revoked",
            DenialReason::DemarcheNotCovered => "demarche_not_covered",
            DenialReason::ConsentPending => "consent_pending",
        }
    }
}

/// The answer of [`Registry::decide`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// The aidant may act; the autorisation it rests on.
    Allowed {
        /// The mandate.
        mandate: MandateId,
        /// The autorisation.
        autorisation: u64,
        /// When the mandate expires.
        expires_at: DateTime<Utc>,
    },
    /// The aidant may not act, for every one of these reasons (sorted, no duplicates).
    Denied {
        /// The reasons.
        reasons: Vec<DenialReason>,
    },
}

impl Decision {
    /// Whether the aidant may act.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// What a creation did: the new mandate and the autorisations it revoked (for the journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// The new mandate.
    pub mandate: MandateId,
    /// The new autorisations' ids, in démarche order.
    pub autorisations: Vec<u64>,
    /// Older autorisations revoked at the creation instant: (mandate, autorisation, démarche).
    pub revoked: Vec<(MandateId, u64, Demarche)>,
}

/// Organisations, aidants, usagers and mandates, with the service's rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Registry {
    organisations: HashMap<OrganisationId, Organisation>,
    aidants: HashMap<String, Aidant>,
    usagers: HashMap<String, Usager>,
    mandates: HashMap<MandateId, Mandate>,
    /// Mandates by usager, in creation order.
    #[serde(skip)]
    by_usager: HashMap<String, Vec<MandateId>>,
    next_autorisation: u64,
}

fn valid_siret(s: &str) -> bool {
    s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit())
}

fn valid_phone(p: &str) -> bool {
    const PREFIXES: [&str; 10] = [
        "+33", "+262", "+590", "+594", "+596", "+269", "+508", "+681", "+687", "+689",
    ];
    let digits = p
        .strip_prefix('+')
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    digits && (11..=13).contains(&p.len()) && PREFIXES.iter().any(|x| p.starts_with(x))
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an organisation; `invalid_field` for a SIRET that is not 14 digits or an
    /// id already present.
    pub fn add_organisation(&mut self, org: Organisation) -> Result<(), MandateError> {
        if !valid_siret(&org.siret) {
            return Err(MandateError::invalid(
                "siret",
                format!("{:?} is not 14 digits", org.siret),
            ));
        }
        if org.name.trim().is_empty() {
            return Err(MandateError::invalid(
                "name",
                "an organisation needs a name",
            ));
        }
        if self.organisations.contains_key(&org.id) {
            return Err(MandateError::invalid(
                "organisation",
                format!("{} is already registered", org.id),
            ));
        }
        self.organisations.insert(org.id, org);
        Ok(())
    }

    /// Adds an aidant; its organisations must exist and include its current one.
    pub fn add_aidant(&mut self, aidant: Aidant) -> Result<(), MandateError> {
        if aidant.id.trim().is_empty() {
            return Err(MandateError::invalid("aidant", "an aidant needs an id"));
        }
        if self.aidants.contains_key(&aidant.id) {
            return Err(MandateError::invalid(
                "aidant",
                format!("{:?} is already registered", aidant.id),
            ));
        }
        for o in &aidant.organisations {
            self.organisation(*o)?;
        }
        if !aidant.organisations.contains(&aidant.current_organisation) {
            return Err(MandateError::NotInOrganisation {
                aidant: aidant.id.clone(),
                organisation: aidant.current_organisation.get(),
            });
        }
        if let (Some(f), Some(u)) = (aidant.habilitation_from, aidant.habilitation_until)
            && u < f
        {
            return Err(MandateError::invalid(
                "habilitation_until",
                "is before habilitation_from",
            ));
        }
        self.aidants.insert(aidant.id.clone(), aidant);
        Ok(())
    }

    /// Adds a usager (FranceConnect `sub` non-empty and unique).
    pub fn add_usager(&mut self, usager: Usager) -> Result<(), MandateError> {
        if usager.sub.trim().is_empty() {
            return Err(MandateError::invalid(
                "sub",
                "a usager needs a FranceConnect sub",
            ));
        }
        if self.usagers.contains_key(&usager.sub) {
            return Err(MandateError::invalid(
                "sub",
                format!("{:?} is already registered", usager.sub),
            ));
        }
        self.usagers.insert(usager.sub.clone(), usager);
        Ok(())
    }

    /// An organisation.
    pub fn organisation(&self, id: OrganisationId) -> Result<&Organisation, MandateError> {
        self.organisations
            .get(&id)
            .ok_or_else(|| MandateError::NotFound {
                field: "organisation",
                id: id.to_string(),
            })
    }

    /// An aidant.
    pub fn aidant(&self, id: &str) -> Result<&Aidant, MandateError> {
        self.aidants.get(id).ok_or_else(|| MandateError::NotFound {
            field: "aidant",
            id: id.to_owned(),
        })
    }

    /// A usager.
    pub fn usager(&self, sub: &str) -> Result<&Usager, MandateError> {
        self.usagers.get(sub).ok_or_else(|| MandateError::NotFound {
            field: "usager",
            id: sub.to_owned(),
        })
    }

    /// A mandate.
    pub fn mandate(&self, id: MandateId) -> Result<&Mandate, MandateError> {
        self.mandates
            .get(&id)
            .ok_or_else(|| MandateError::NotFound {
                field: "mandate",
                id: id.to_string(),
            })
    }

    fn mandate_mut(&mut self, id: MandateId) -> Result<&mut Mandate, MandateError> {
        self.mandates
            .get_mut(&id)
            .ok_or_else(|| MandateError::NotFound {
                field: "mandate",
                id: id.to_string(),
            })
    }

    /// Every mandate of a usager, in creation order.
    pub fn mandates_of(&self, sub: &str) -> impl Iterator<Item = &Mandate> {
        self.by_usager
            .get(sub)
            .into_iter()
            .flatten()
            .filter_map(|id| self.mandates.get(id))
    }

    /// Number of mandates.
    pub fn len(&self) -> usize {
        self.mandates.len()
    }

    /// Whether there is no mandate.
    pub fn is_empty(&self) -> bool {
        self.mandates.is_empty()
    }

    /// Deactivates or reactivates an organisation.
    pub fn set_organisation_active(
        &mut self,
        id: OrganisationId,
        active: bool,
    ) -> Result<(), MandateError> {
        self.organisations
            .get_mut(&id)
            .ok_or_else(|| MandateError::NotFound {
                field: "organisation",
                id: id.to_string(),
            })?
            .active = active;
        Ok(())
    }

    /// Deactivates or reactivates an aidant.
    pub fn set_aidant_active(&mut self, id: &str, active: bool) -> Result<(), MandateError> {
        self.aidants
            .get_mut(id)
            .ok_or_else(|| MandateError::NotFound {
                field: "aidant",
                id: id.to_owned(),
            })?
            .active = active;
        Ok(())
    }

    /// Makes an aidant act for another of its organisations (journal `switch_organisation`).
    pub fn switch_organisation(
        &mut self,
        aidant: &str,
        to: OrganisationId,
    ) -> Result<(), MandateError> {
        self.organisation(to)?;
        let a = self
            .aidants
            .get_mut(aidant)
            .ok_or_else(|| MandateError::NotFound {
                field: "aidant",
                id: aidant.to_owned(),
            })?;
        if !a.organisations.contains(&to) {
            return Err(MandateError::NotInOrganisation {
                aidant: aidant.to_owned(),
                organisation: to.get(),
            });
        }
        a.current_organisation = to;
        Ok(())
    }

    /// The checks an aidant must pass to create a mandate in its current organisation.
    fn creator(
        &self,
        aidant: &str,
        at: DateTime<Utc>,
    ) -> Result<(&Aidant, &Organisation), MandateError> {
        let a = self.aidant(aidant)?;
        if !a.active {
            return Err(MandateError::AidantInactive {
                aidant: a.id.clone(),
            });
        }
        if !a.habilitated_at(at) {
            return Err(MandateError::HabilitationExpired {
                aidant: a.id.clone(),
                at,
            });
        }
        if !a.can_create_mandates {
            return Err(MandateError::AidantCannotCreate {
                aidant: a.id.clone(),
            });
        }
        if !a.organisations.contains(&a.current_organisation) {
            return Err(MandateError::NotInOrganisation {
                aidant: a.id.clone(),
                organisation: a.current_organisation.get(),
            });
        }
        let org = self.organisation(a.current_organisation)?;
        if !org.active {
            return Err(MandateError::OrganisationInactive {
                organisation: org.id.get(),
            });
        }
        Ok((a, org))
    }

    /// Creates a mandate for the aidant's current organisation; see the module doc.
    pub fn create_mandate(
        &mut self,
        aidant: &str,
        usager: &str,
        demarches: DemarcheSet,
        duration: Duration,
        consent: ConsentRequest,
        at: DateTime<Utc>,
    ) -> Result<Created, MandateError> {
        let (_, org) = self.creator(aidant, at)?;
        let org_id = org.id;
        self.new_mandate(org_id, usager, demarches, duration, consent, at)
    }

    fn new_mandate(
        &mut self,
        org_id: OrganisationId,
        usager: &str,
        demarches: DemarcheSet,
        duration: Duration,
        consent: ConsentRequest,
        at: DateTime<Utc>,
    ) -> Result<Created, MandateError> {
        let org = self.organisation(org_id)?;
        self.usager(usager)?;
        if demarches.is_empty() {
            return Err(MandateError::NoDemarche);
        }
        if let Some(d) = demarches
            .iter()
            .find(|d| !org.allowed_demarches.contains(*d))
        {
            return Err(MandateError::DemarcheNotAllowed {
                demarche: d.key().to_owned(),
                organisation: org_id.get(),
            });
        }
        let expires_at = duration.expiry(at)?;
        let consent = match consent {
            ConsentRequest::InPerson => Consent::InPerson,
            ConsentRequest::RemotePaper => Consent::RemotePaper,
            ConsentRequest::RemoteSms { phone, request_id } => {
                if !valid_phone(&phone) {
                    return Err(MandateError::Consent {
                        rule: format!(
                            "phone {phone:?} is not a French E.164 number; an SMS mandate needs one"
                        ),
                    });
                }
                if request_id.trim().is_empty() {
                    return Err(MandateError::Consent {
                        rule: "an SMS mandate needs a consent request id".into(),
                    });
                }
                Consent::RemoteSms {
                    phone,
                    request_id,
                    state: SmsConsent::Pending,
                }
            }
        };
        // The newest wins, per démarche, within an organisation.
        let mut revoked = Vec::new();
        let ids: Vec<MandateId> = self.by_usager.get(usager).cloned().unwrap_or_default();
        for id in ids {
            let m = self.mandates.get_mut(&id).expect("indexed");
            if m.organisation != org_id || m.is_expired(at) {
                continue;
            }
            for a in m.autorisations.iter_mut() {
                if demarches.contains(a.demarche) && a.revoked_at.is_none() {
                    a.revoked_at = Some(at);
                    revoked.push((id, a.id, a.demarche));
                }
            }
        }
        let id = loop {
            let candidate = MandateId::random();
            if !self.mandates.contains_key(&candidate) {
                break candidate;
            }
        };
        let autorisations: Vec<Autorisation> = demarches
            .iter()
            .map(|d| {
                self.next_autorisation += 1;
                Autorisation {
                    id: self.next_autorisation,
                    demarche: d,
                    revoked_at: None,
                }
            })
            .collect();
        let created = Created {
            mandate: id,
            autorisations: autorisations.iter().map(|a| a.id).collect(),
            revoked,
        };
        self.mandates.insert(
            id,
            Mandate {
                id,
                organisation: org_id,
                usager: usager.to_owned(),
                created_at: at,
                duration,
                expires_at,
                consent,
                template: CURRENT_TEMPLATE.to_owned(),
                autorisations,
            },
        );
        self.by_usager
            .entry(usager.to_owned())
            .or_default()
            .push(id);
        Ok(created)
    }

    /// Revokes one démarche of a mandate at `at` (final; `already_revoked` the second time).
    pub fn revoke_autorisation(
        &mut self,
        mandate: MandateId,
        demarche: Demarche,
        at: DateTime<Utc>,
    ) -> Result<u64, MandateError> {
        let m = self.mandate_mut(mandate)?;
        if m.is_expired(at) {
            return Err(MandateError::MandateExpired {
                mandate: mandate.to_string(),
                expired_at: m.expires_at,
            });
        }
        let a = m
            .autorisations
            .iter_mut()
            .find(|a| a.demarche == demarche)
            .ok_or_else(|| MandateError::NotFound {
                field: "autorisation",
                id: format!("{mandate}/{demarche}"),
            })?;
        if let Some(r) = a.revoked_at {
            return Err(MandateError::AlreadyRevoked {
                field: "autorisation",
                id: a.id.to_string(),
                at: r,
            });
        }
        a.revoked_at = Some(at);
        Ok(a.id)
    }

    /// Revokes every active autorisation of a mandate at `at` (final; `already_revoked`
    /// if none is left). Returns the autorisations revoked.
    pub fn revoke_mandate(
        &mut self,
        mandate: MandateId,
        at: DateTime<Utc>,
    ) -> Result<Vec<u64>, MandateError> {
        let m = self.mandate_mut(mandate)?;
        if m.is_expired(at) {
            return Err(MandateError::MandateExpired {
                mandate: mandate.to_string(),
                expired_at: m.expires_at,
            });
        }
        if let Some(r) = m.revoked_at() {
            return Err(MandateError::AlreadyRevoked {
                field: "mandate",
                id: mandate.to_string(),
                at: r,
            });
        }
        let mut done = Vec::new();
        for a in m
            .autorisations
            .iter_mut()
            .filter(|a| a.revoked_at.is_none())
        {
            a.revoked_at = Some(at);
            done.push(a.id);
        }
        Ok(done)
    }

    /// Renews a mandate: the creation flow again, for the same usager and organisation
    /// (journal `init_renew_mandat`), while the old one is inside the retention window.
    pub fn renew_mandate(
        &mut self,
        aidant: &str,
        mandate: MandateId,
        demarches: DemarcheSet,
        duration: Duration,
        consent: ConsentRequest,
        at: DateTime<Utc>,
    ) -> Result<Created, MandateError> {
        let old = self.mandate(mandate)?;
        if !old.is_retained(at) {
            return Err(MandateError::OutsideRetention {
                mandate: mandate.to_string(),
                ended_at: old.ended_at(at).unwrap_or(at),
            });
        }
        let (org, usager) = (old.organisation, old.usager.clone());
        let (a, _) = self.creator(aidant, at)?;
        if a.current_organisation != org {
            return Err(MandateError::NotInOrganisation {
                aidant: aidant.to_owned(),
                organisation: org.get(),
            });
        }
        self.new_mandate(org, &usager, demarches, duration, consent, at)
    }

    /// Transfers a mandate to another active organisation that offers its démarches
    /// (journal `transfer_mandat`).
    pub fn transfer_mandate(
        &mut self,
        mandate: MandateId,
        to: OrganisationId,
        at: DateTime<Utc>,
    ) -> Result<(), MandateError> {
        let target = self.organisation(to)?.clone();
        if !target.active {
            return Err(MandateError::OrganisationInactive {
                organisation: to.get(),
            });
        }
        let m = self.mandate(mandate)?;
        if !m.is_active(at) {
            return Err(MandateError::MandateExpired {
                mandate: mandate.to_string(),
                expired_at: m.ended_at(at).unwrap_or(m.expires_at),
            });
        }
        if let Some(d) = m
            .active_autorisations(at)
            .map(|a| a.demarche)
            .find(|d| !target.allowed_demarches.contains(*d))
        {
            return Err(MandateError::DemarcheNotAllowed {
                demarche: d.key().to_owned(),
                organisation: to.get(),
            });
        }
        self.mandate_mut(mandate)?.organisation = to;
        Ok(())
    }

    /// Records the usager's reply to an SMS consent request; returns whether it is a
    /// consent. A second reply is `consent_already_recorded`; a reply to a mandate that
    /// is not remote by SMS, or for another request id, is `consent`.
    pub fn record_sms_reply(
        &mut self,
        mandate: MandateId,
        request_id: &str,
        reply: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, MandateError> {
        let m = self.mandate_mut(mandate)?;
        match &mut m.consent {
            Consent::RemoteSms {
                request_id: rid,
                state,
                ..
            } => {
                if rid != request_id {
                    return Err(MandateError::Consent {
                        rule: format!(
                            "no consent request {request_id:?} was sent for this mandate"
                        ),
                    });
                }
                if *state != SmsConsent::Pending {
                    return Err(MandateError::ConsentAlreadyRecorded {
                        request: request_id.to_owned(),
                    });
                }
                let yes = is_consent_reply(reply);
                *state = if yes {
                    SmsConsent::Given(at)
                } else {
                    SmsConsent::Denied(at)
                };
                Ok(yes)
            }
            _ => Err(MandateError::Consent {
                rule: "this mandate was not made remotely by SMS".into(),
            }),
        }
    }

    /// Removes mandates outside the retention window at `at`; returns how many.
    pub fn purge_outdated(&mut self, at: DateTime<Utc>) -> usize {
        let gone: Vec<MandateId> = self
            .mandates
            .values()
            .filter(|m| !m.is_retained(at))
            .map(|m| m.id)
            .collect();
        for id in &gone {
            if let Some(m) = self.mandates.remove(id)
                && let Some(list) = self.by_usager.get_mut(&m.usager)
            {
                list.retain(|x| x != id);
            }
        }
        gone.len()
    }

    /// Rebuilds the usager index (after deserialising a registry).
    pub fn reindex(&mut self) {
        let mut by: HashMap<String, Vec<MandateId>> = HashMap::new();
        let mut all: Vec<&Mandate> = self.mandates.values().collect();
        all.sort_by_key(|m| (m.created_at, m.id));
        for m in all {
            by.entry(m.usager.clone()).or_default().push(m.id);
        }
        self.by_usager = by;
        self.next_autorisation = self
            .mandates
            .values()
            .flat_map(|m| m.autorisations.iter().map(|a| a.id))
            .max()
            .unwrap_or(0);
    }

    /// May `aidant`, at `at`, act for `usager` on `demarche`?
    ///
    /// Allowed iff the aidant is active and habilitated, acts for an active organisation
    /// it belongs to, and exactly one autorisation for that démarche and usager is active
    /// in a mandate of that organisation whose consent is usable (the service's
    /// `get_valid_autorisation`). Otherwise every reason that applies, sorted.
    pub fn decide(
        &self,
        aidant: &str,
        usager: &str,
        demarche: Demarche,
        at: DateTime<Utc>,
    ) -> Decision {
        let mut reasons = BTreeSet::new();
        let Some(a) = self.aidants.get(aidant) else {
            return Decision::Denied {
                reasons: vec![DenialReason::NotInOrganisation],
            };
        };
        if !a.active {
            reasons.insert(DenialReason::AidantInactive);
        }
        if !a.habilitated_at(at) {
            reasons.insert(DenialReason::HabilitationExpired);
        }
        if !a.organisations.contains(&a.current_organisation) {
            reasons.insert(DenialReason::NotInOrganisation);
        }
        if self
            .organisations
            .get(&a.current_organisation)
            .is_none_or(|o| !o.active)
        {
            reasons.insert(DenialReason::OrganisationInactive);
        }
        let org = a.current_organisation;
        let mut active: Vec<(&Mandate, &Autorisation)> = Vec::new();
        let mut latest_for_demarche: Option<(&Mandate, &Autorisation)> = None;
        let mut has_org_mandate = false;
        let mut elsewhere = false;
        // A mandate created after `at` does not exist yet at `at`.
        for m in self.mandates_of(usager).filter(|m| m.created_at <= at) {
            let Some(aut) = m.autorisations.iter().find(|x| x.demarche == demarche) else {
                has_org_mandate |= m.organisation == org;
                continue;
            };
            if m.organisation != org {
                elsewhere |=
                    m.active_autorisations(at).any(|x| x.id == aut.id) && m.consent.usable();
                continue;
            }
            has_org_mandate = true;
            // Mandates are in creation order: the last one seen is the latest.
            latest_for_demarche = Some((m, aut));
            if !m.is_expired(at) && aut.revoked_at.is_none_or(|r| r > at) && m.consent.usable() {
                active.push((m, aut));
            }
        }
        match (active.as_slice(), latest_for_demarche) {
            ([(m, aut)], _) if reasons.is_empty() => {
                return Decision::Allowed {
                    mandate: m.id,
                    autorisation: aut.id,
                    expires_at: m.expires_at,
                };
            }
            ([_], _) => {}
            ([], Some((m, aut))) => {
                if m.is_expired(at) {
                    reasons.insert(DenialReason::MandateExpired);
                }
                if aut.revoked_at.is_some_and(|r| r <= at) {
                    reasons.insert(DenialReason::AutorisationRevoked);
                }
                if !m.consent.usable() {
                    reasons.insert(DenialReason::ConsentPending);
                }
            }
            ([], None) if elsewhere => {
                reasons.insert(DenialReason::NotInOrganisation);
            }
            ([], None) if has_org_mandate => {
                reasons.insert(DenialReason::DemarcheNotCovered);
            }
            ([], None) => {
                reasons.insert(DenialReason::NoMandate);
            }
            // Two active autorisations for one démarche cannot be built through this
            // registry (creation revokes the older); the service refuses them too.
            (_, _) => {
                reasons.insert(DenialReason::NoMandate);
            }
        }
        Decision::Denied {
            reasons: reasons.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    fn org(id: u32) -> OrganisationId {
        OrganisationId::new(id).unwrap()
    }

    fn set(keys: &[&str]) -> DemarcheSet {
        DemarcheSet::parse(keys.iter().copied()).unwrap()
    }

    /// Two organisations (42: CCAS offering all but justice; 43: library), aidants
    /// "alice" (42), "bob" (42 and 43, acting for 43), "ref" (42, cannot create), and
    /// usagers "u1", "u2".
    fn registry() -> Registry {
        let mut r = Registry::new();
        let all_but_justice: DemarcheSet = Demarche::ALL
            .into_iter()
            .filter(|d| *d != Demarche::Justice)
            .collect();
        r.add_organisation(Organisation {
            id: org(42),
            name: "CCAS de Guéret".into(),
            siret: "21230096300014".into(),
            active: true,
            allowed_demarches: all_but_justice,
        })
        .unwrap();
        r.add_organisation(Organisation {
            id: org(43),
            name: "Médiathèque".into(),
            siret: "21230096300022".into(),
            active: true,
            allowed_demarches: DemarcheSet::ALL,
        })
        .unwrap();
        let aidant = |id: &str, orgs: &[u32], current: u32, create: bool| Aidant {
            id: id.into(),
            organisations: orgs.iter().map(|&o| org(o)).collect(),
            current_organisation: org(current),
            active: true,
            can_create_mandates: create,
            habilitation_from: None,
            habilitation_until: None,
        };
        r.add_aidant(aidant("alice", &[42], 42, true)).unwrap();
        r.add_aidant(aidant("bob", &[42, 43], 43, true)).unwrap();
        r.add_aidant(aidant("ref", &[42], 42, false)).unwrap();
        for sub in ["u1", "u2"] {
            r.add_usager(Usager {
                sub: sub.into(),
                given_name: "Camille".into(),
                family_name: "Martin".into(),
            })
            .unwrap();
        }
        r
    }

    fn denied(d: Decision) -> Vec<&'static str> {
        match d {
            Decision::Denied { reasons } => reasons.iter().map(|r| r.code()).collect(),
            Decision::Allowed { .. } => vec!["allowed"],
        }
    }

    #[test]
    fn creation_rules() {
        let mut r = registry();
        let c = |r: &mut Registry, aidant, ds: &[&str]| {
            r.create_mandate(
                aidant,
                "u1",
                set(ds),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .map(|_| ())
            .map_err(|e| e.code())
        };
        assert_eq!(c(&mut r, "alice", &[]), Err("no_demarche"));
        assert_eq!(
            c(&mut r, "alice", &["justice"]),
            Err("demarche_not_allowed")
        );
        assert_eq!(c(&mut r, "ref", &["social"]), Err("aidant_cannot_create"));
        assert_eq!(c(&mut r, "nobody", &["social"]), Err("not_found"));
        r.set_organisation_active(org(42), false).unwrap();
        assert_eq!(
            c(&mut r, "alice", &["social"]),
            Err("organisation_inactive")
        );
        r.set_organisation_active(org(42), true).unwrap();
        r.set_aidant_active("alice", false).unwrap();
        assert_eq!(c(&mut r, "alice", &["social"]), Err("aidant_inactive"));
        r.set_aidant_active("alice", true).unwrap();
        assert_eq!(c(&mut r, "alice", &["social"]), Ok(()));
        let e = r
            .create_mandate(
                "alice",
                "nobody",
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap_err();
        assert_eq!(e.code(), "not_found");
    }

    #[test]
    fn a_new_mandate_revokes_overlapping_autorisations_per_demarche() {
        let mut r = registry();
        let old = r
            .create_mandate(
                "alice",
                "u1",
                set(&["papiers", "social", "logement"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        let other_org = r
            .create_mandate(
                "bob",
                "u1",
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 10),
            )
            .unwrap();
        let new = r
            .create_mandate(
                "alice",
                "u1",
                set(&["social", "argent"]),
                Duration::Month,
                ConsentRequest::InPerson,
                t(2, 9),
            )
            .unwrap();
        assert_eq!(new.revoked.len(), 1);
        assert_eq!(new.revoked[0].0, old.mandate);
        assert_eq!(new.revoked[0].2, Demarche::Social);
        let m = r.mandate(old.mandate).unwrap();
        let social = m
            .autorisations
            .iter()
            .find(|a| a.demarche == Demarche::Social)
            .unwrap();
        assert_eq!(
            social.revoked_at,
            Some(t(2, 9)),
            "revoked at the new mandate's creation instant"
        );
        assert!(m.is_active(t(3, 9)), "papiers and logement stay active");
        // Alice (42) uses the new mandate for social, the old one for papiers.
        match r.decide("alice", "u1", Demarche::Social, t(3, 9)) {
            Decision::Allowed { mandate, .. } => assert_eq!(mandate, new.mandate),
            d => panic!("{d:?}"),
        }
        match r.decide("alice", "u1", Demarche::Papiers, t(3, 9)) {
            Decision::Allowed { mandate, .. } => assert_eq!(mandate, old.mandate),
            d => panic!("{d:?}"),
        }
        // The other organisation's mandate is untouched: Bob (acting for 43) still uses it.
        match r.decide("bob", "u1", Demarche::Social, t(3, 9)) {
            Decision::Allowed { mandate, .. } => assert_eq!(mandate, other_org.mandate),
            d => panic!("{d:?}"),
        }
        // Bob sees only 43's mandates: papiers is 42's.
        assert_eq!(
            denied(r.decide("bob", "u1", Demarche::Papiers, t(3, 9))),
            vec!["not_in_organisation"]
        );
        // Bob switches to 42 and gets 42's mandates, losing 43's while there.
        r.switch_organisation("bob", org(42)).unwrap();
        assert!(
            r.decide("bob", "u1", Demarche::Papiers, t(3, 9))
                .is_allowed()
        );
        match r.decide("bob", "u1", Demarche::Social, t(3, 9)) {
            Decision::Allowed { mandate, .. } => assert_eq!(mandate, new.mandate),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn decisions_name_every_reason() {
        let mut r = registry();
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Social, t(1, 9))),
            vec!["no_mandate"]
        );
        let m = r
            .create_mandate(
                "alice",
                "u1",
                set(&["social", "papiers"]),
                Duration::Short,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Logement, t(1, 10))),
            vec!["demarche_not_covered"]
        );
        // Expiry at the exact instant is still valid; one second later it is not.
        assert!(
            r.decide("alice", "u1", Demarche::Social, t(2, 9))
                .is_allowed()
        );
        let later = t(2, 9) + TimeDelta::seconds(1);
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Social, later)),
            vec!["mandate_expired"]
        );
        r.revoke_autorisation(m.mandate, Demarche::Papiers, t(1, 12))
            .unwrap();
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Papiers, t(1, 13))),
            vec!["autorisation_revoked"]
        );
        // Reasons come sorted in the enum's order, all of them.
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Papiers, later)),
            vec!["mandate_expired", "autorisation_revoked"]
        );
        // Aidant-level reasons come with the mandate's.
        r.set_aidant_active("alice", false).unwrap();
        r.set_organisation_active(org(42), false).unwrap();
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Social, later)),
            vec![
                "aidant_inactive",
                "organisation_inactive",
                "mandate_expired"
            ]
        );
    }

    #[test]
    fn sms_consent_blocks_use_until_oui() {
        let sms = |id: &str| ConsentRequest::RemoteSms {
            phone: "+33612345678".into(),
            request_id: id.into(),
        };
        for (reply, consents) in [
            ("oui.", true),
            (" Oui ", true),
            ("OUI", true),
            ("non", false),
            ("ok", false),
            ("ouii", false),
        ] {
            let mut r = registry();
            let m = r
                .create_mandate(
                    "alice",
                    "u1",
                    set(&["social"]),
                    Duration::Month,
                    sms("req-1"),
                    t(1, 9),
                )
                .unwrap();
            assert_eq!(
                denied(r.decide("alice", "u1", Demarche::Social, t(1, 10))),
                vec!["consent_pending"]
            );
            assert_eq!(
                r.record_sms_reply(m.mandate, "req-2", reply, t(1, 11))
                    .unwrap_err()
                    .code(),
                "consent"
            );
            assert_eq!(
                r.record_sms_reply(m.mandate, "req-1", reply, t(1, 11))
                    .unwrap(),
                consents,
                "{reply:?}"
            );
            assert_eq!(
                r.decide("alice", "u1", Demarche::Social, t(1, 12))
                    .is_allowed(),
                consents,
                "{reply:?}"
            );
            // A second reply is refused and changes nothing.
            assert_eq!(
                r.record_sms_reply(m.mandate, "req-1", "oui", t(1, 13))
                    .unwrap_err()
                    .code(),
                "consent_already_recorded"
            );
            assert_eq!(
                r.decide("alice", "u1", Demarche::Social, t(1, 14))
                    .is_allowed(),
                consents
            );
        }
        let mut r = registry();
        let bad = ConsentRequest::RemoteSms {
            phone: "0612345678".into(),
            request_id: "x".into(),
        };
        assert_eq!(
            r.create_mandate(
                "alice",
                "u1",
                set(&["social"]),
                Duration::Month,
                bad,
                t(1, 9)
            )
            .unwrap_err()
            .code(),
            "consent"
        );
        let no_id = ConsentRequest::RemoteSms {
            phone: "+262692123456".into(),
            request_id: " ".into(),
        };
        assert_eq!(
            r.create_mandate(
                "alice",
                "u1",
                set(&["social"]),
                Duration::Month,
                no_id,
                t(1, 9)
            )
            .unwrap_err()
            .code(),
            "consent"
        );
        let m = r
            .create_mandate(
                "alice",
                "u1",
                set(&["social"]),
                Duration::Month,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        assert_eq!(
            r.record_sms_reply(m.mandate, "x", "oui", t(1, 10))
                .unwrap_err()
                .code(),
            "consent"
        );
    }

    #[test]
    fn revocation_is_final() {
        let mut r = registry();
        let m = r
            .create_mandate(
                "alice",
                "u1",
                set(&["papiers", "social", "argent"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        r.revoke_autorisation(m.mandate, Demarche::Papiers, t(1, 10))
            .unwrap();
        assert_eq!(
            r.revoke_autorisation(m.mandate, Demarche::Papiers, t(1, 11))
                .unwrap_err()
                .code(),
            "already_revoked"
        );
        assert_eq!(
            r.revoke_autorisation(m.mandate, Demarche::Logement, t(1, 11))
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert!(
            r.mandate(m.mandate).unwrap().is_active(t(1, 12)),
            "two of three left"
        );
        assert_eq!(r.mandate(m.mandate).unwrap().revoked_at(), None);
        assert_eq!(r.revoke_mandate(m.mandate, t(1, 12)).unwrap().len(), 2);
        let mm = r.mandate(m.mandate).unwrap();
        assert!(!mm.is_active(t(1, 13)));
        assert_eq!(mm.revoked_at(), Some(t(1, 12)));
        assert_eq!(
            r.revoke_mandate(m.mandate, t(1, 13)).unwrap_err().code(),
            "already_revoked"
        );
        // Revoking the last autorisation one by one revokes the mandate too.
        let m2 = r
            .create_mandate(
                "alice",
                "u2",
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        r.revoke_autorisation(m2.mandate, Demarche::Social, t(1, 10))
            .unwrap();
        assert_eq!(r.mandate(m2.mandate).unwrap().revoked_at(), Some(t(1, 10)));
        // An expired mandate cannot be revoked.
        let m3 = r
            .create_mandate(
                "alice",
                "u2",
                set(&["argent"]),
                Duration::Short,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        assert_eq!(
            r.revoke_mandate(m3.mandate, t(3, 9)).unwrap_err().code(),
            "mandate_expired"
        );
    }

    #[test]
    fn renewal_transfer_and_retention() {
        let mut r = registry();
        let m = r
            .create_mandate(
                "alice",
                "u1",
                set(&["social", "papiers"]),
                Duration::Short,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap();
        // Renewed after expiry, within a year: a new mandate.
        let renewed = r
            .renew_mandate(
                "alice",
                m.mandate,
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(20, 9),
            )
            .unwrap();
        assert!(
            renewed.revoked.is_empty(),
            "the old one had expired: nothing active to revoke"
        );
        assert!(
            r.decide("alice", "u1", Demarche::Social, t(21, 9))
                .is_allowed()
        );
        // Bob acts for 43: he cannot renew 42's mandate.
        assert_eq!(
            r.renew_mandate(
                "bob",
                m.mandate,
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(21, 9)
            )
            .unwrap_err()
            .code(),
            "not_in_organisation"
        );
        // More than 365 days after it ended: outside retention, purged.
        let late = t(2, 9) + TimeDelta::days(366);
        assert!(!r.mandate(m.mandate).unwrap().is_retained(late));
        assert_eq!(
            r.renew_mandate(
                "alice",
                m.mandate,
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                late
            )
            .unwrap_err()
            .code(),
            "outside_retention"
        );
        assert_eq!(r.purge_outdated(late), 1);
        assert_eq!(r.mandate(m.mandate).unwrap_err().code(), "not_found");
        // Transfer to 43: 42's aidants lose it, 43's gain it.
        r.transfer_mandate(renewed.mandate, org(43), t(22, 9))
            .unwrap();
        assert_eq!(
            denied(r.decide("alice", "u1", Demarche::Social, t(22, 10))),
            vec!["not_in_organisation"]
        );
        assert!(
            r.decide("bob", "u1", Demarche::Social, t(22, 10))
                .is_allowed()
        );
        r.set_organisation_active(org(42), false).unwrap();
        assert_eq!(
            r.transfer_mandate(renewed.mandate, org(42), t(22, 11))
                .unwrap_err()
                .code(),
            "organisation_inactive"
        );
    }

    #[test]
    fn habilitation_window_and_eus_03_20() {
        let mut r = registry();
        let mut a = r.aidant("alice").unwrap().clone();
        a.id = "carol".into();
        a.habilitation_until = Some(t(10, 0));
        r.add_aidant(a).unwrap();
        r.create_mandate(
            "carol",
            "u1",
            set(&["social"]),
            Duration::Long,
            ConsentRequest::InPerson,
            t(1, 9),
        )
        .unwrap();
        assert!(
            r.decide("carol", "u1", Demarche::Social, t(10, 0))
                .is_allowed()
        );
        assert_eq!(
            denied(r.decide("carol", "u1", Demarche::Social, t(11, 0))),
            vec!["habilitation_expired"]
        );
        assert_eq!(
            r.create_mandate(
                "carol",
                "u2",
                set(&["social"]),
                Duration::Long,
                ConsentRequest::InPerson,
                t(11, 0)
            )
            .unwrap_err()
            .code(),
            "habilitation_expired"
        );
        // EUS_03_20 created after the state of emergency ended: refused, not 0 days.
        let e = r
            .create_mandate(
                "alice",
                "u2",
                set(&["social"]),
                Duration::Eus0320,
                ConsentRequest::InPerson,
                t(1, 9),
            )
            .unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        let c = r
            .create_mandate(
                "alice",
                "u2",
                set(&["social"]),
                Duration::Eus0320,
                ConsentRequest::InPerson,
                Utc.with_ymd_and_hms(2020, 4, 1, 9, 0, 0).unwrap(),
            )
            .unwrap();
        assert_eq!(
            r.mandate(c.mandate).unwrap().expires_at,
            super::super::duration::eus_03_20_end()
        );
    }

    #[test]
    fn bad_entities_are_refused() {
        let mut r = registry();
        let bad = Organisation {
            id: org(7),
            name: "X".into(),
            siret: "123".into(),
            active: true,
            allowed_demarches: DemarcheSet::ALL,
        };
        assert_eq!(r.add_organisation(bad).unwrap_err().code(), "invalid_field");
        let mut a = r.aidant("alice").unwrap().clone();
        assert_eq!(r.add_aidant(a.clone()).unwrap_err().code(), "invalid_field");
        a.id = "dave".into();
        a.current_organisation = org(43);
        assert_eq!(r.add_aidant(a).unwrap_err().code(), "not_in_organisation");
        assert_eq!(
            r.add_usager(Usager {
                sub: "".into(),
                given_name: "".into(),
                family_name: "".into()
            })
            .unwrap_err()
            .code(),
            "invalid_field"
        );
    }
}
