//! Aidants Connect mandates: the real service's rules as a library, a signed mandate
//! token that apps check offline, and a tamper-evident journal.
//!
//! An aidant (a habilitated helper attached to an organisation) acts for a usager
//! within a mandate the usager signed: a set of [`Demarche`]s for a [`Duration`]. The
//! rules follow the real service's public code (betagouv/Aidants_Connect; research note
//! aidants-connect.md).

pub mod attestation;
pub mod consent;
pub mod demarche;
pub mod duration;
pub mod error;
pub mod ids;
pub mod journal;
pub mod rules;
pub mod scenario;
pub mod token;

pub use attestation::Attestation;
pub use consent::{ConsentMethod, is_consent_reply};
pub use demarche::{Demarche, DemarcheSet};
pub use duration::Duration;
pub use error::MandateError;
pub use ids::{MandateId, OrganisationId, usager_ref};
pub use rules::{
    Aidant, ConsentRequest, Decision, DenialReason, Mandate, Organisation, Registry, Usager,
};
