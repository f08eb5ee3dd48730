//! The mandate domain's error type for bad input and refused operations, with stable
//! snake_case codes. (A refused *use* is not an error: the decision function returns a
//! [`Denied`](super::rules::Decision::Denied) with its reasons.)

use chrono::{DateTime, Utc};

/// What can go wrong building, changing or reading mandates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MandateError {
    /// A field breaks its rule (an id of 0, a bad length, an instant out of range…).
    #[error("{field}: {rule}")]
    InvalidField {
        /// The field at fault.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// Not one of the ten démarche keys.
    #[error(
        "demarche: {value:?} is not one of papiers, famille, social, travail, logement, transports, argent, justice, etranger, loisirs"
    )]
    UnknownDemarche {
        /// The value given.
        value: String,
    },
    /// Not one of the duration keywords.
    #[error("duration: {value:?} is not one of SHORT, MONTH, SEMESTER, LONG, EUS_03_20")]
    UnknownDuration {
        /// The value given.
        value: String,
    },
    /// A mandate with no démarche.
    #[error(
        "demarches: select at least one démarche (« Vous devez sélectionner au moins une démarche. »)"
    )]
    NoDemarche,
    /// A démarche the organisation does not offer.
    #[error("demarches: {demarche} is not among organisation {organisation}'s allowed démarches")]
    DemarcheNotAllowed {
        /// The démarche.
        demarche: String,
        /// The organisation id.
        organisation: u32,
    },
    /// An unknown id (organisation, aidant, usager, mandate, autorisation).
    #[error("{field}: no {field} with id {id}")]
    NotFound {
        /// Which kind of id.
        field: &'static str,
        /// The id.
        id: String,
    },
    /// The aidant is not active.
    #[error("aidant: {aidant} is not active")]
    AidantInactive {
        /// The aidant's id.
        aidant: String,
    },
    /// The aidant may not create mandates (a "référent non-aidant").
    #[error("aidant: {aidant} may not create mandates (can_create_mandats is false)")]
    AidantCannotCreate {
        /// The aidant's id.
        aidant: String,
    },
    /// The aidant's habilitation is not valid at that instant.
    #[error("aidant: {aidant}'s habilitation is not valid at {at}")]
    HabilitationExpired {
        /// The aidant's id.
        aidant: String,
        /// The instant.
        at: DateTime<Utc>,
    },
    /// The aidant does not act in that organisation (not a member, or another current one).
    #[error("aidant: {aidant} does not currently act for organisation {organisation}")]
    NotInOrganisation {
        /// The aidant's id.
        aidant: String,
        /// The organisation id.
        organisation: u32,
    },
    /// The organisation is deactivated.
    #[error("organisation: {organisation} is not active")]
    OrganisationInactive {
        /// The organisation id.
        organisation: u32,
    },
    /// Revoking what is already revoked (revocation is final).
    #[error("{field}: {id} was already revoked at {at}; a revocation is final")]
    AlreadyRevoked {
        /// `autorisation` or `mandate`.
        field: &'static str,
        /// The id.
        id: String,
        /// When it was revoked.
        at: DateTime<Utc>,
    },
    /// An operation on an expired mandate that needs a live one.
    #[error("mandate: {mandate} expired at {expired_at}")]
    MandateExpired {
        /// The mandate id.
        mandate: String,
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// Remote consent: a missing phone or consent request, or a consent step out of order.
    #[error("consent: {rule}")]
    Consent {
        /// The rule broken.
        rule: String,
    },
    /// A second reply to an SMS consent request.
    #[error(
        "consent: a reply was already recorded for request {request}; a second reply is refused"
    )]
    ConsentAlreadyRecorded {
        /// The consent request id.
        request: String,
    },
    /// Outside the 365-day retention window.
    #[error(
        "mandate: {mandate} ended more than 365 days ago ({ended_at}); it is outside the retention window"
    )]
    OutsideRetention {
        /// The mandate id.
        mandate: String,
        /// When it expired or was revoked.
        ended_at: DateTime<Utc>,
    },
}

impl MandateError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        use MandateError::*;
        match self {
            InvalidField { .. } => "invalid_field",
            UnknownDemarche { .. } => "unknown_demarche",
            UnknownDuration { .. } => "unknown_duration",
            NoDemarche => "no_demarche",
            DemarcheNotAllowed { .. } => "demarche_not_allowed",
            NotFound { .. } => "not_found",
            AidantInactive { .. } => "aidant_inactive",
            AidantCannotCreate { .. } => "aidant_cannot_create",
            HabilitationExpired { .. } => "habilitation_expired",
            NotInOrganisation { .. } => "not_in_organisation",
            OrganisationInactive { .. } => "organisation_inactive",
            AlreadyRevoked { .. } => "already_revoked",
            MandateExpired { .. } => "mandate_expired",
            Consent { .. } => "consent",
            ConsentAlreadyRecorded { .. } => "consent_already_recorded",
            OutsideRetention { .. } => "outside_retention",
        }
    }

    /// Every code.
    pub const CODES: &'static [&'static str] = &[
        "invalid_field",
        "unknown_demarche",
        "unknown_duration",
        "no_demarche",
        "demarche_not_allowed",
        "not_found",
        "aidant_inactive",
        "aidant_cannot_create",
        "habilitation_expired",
        "not_in_organisation",
        "organisation_inactive",
        "already_revoked",
        "mandate_expired",
        "consent",
        "consent_already_recorded",
        "outside_retention",
    ];

    pub(crate) fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        MandateError::InvalidField {
            field,
            rule: rule.into(),
        }
    }
}
