//! Scenarios: a serde description of organisations, aidants, usagers, a sequence of
//! events and the questions to decide, run against a [`Registry`] in one call.
//!
//! Mandate ids are random, so a scenario names mandates by their creation order
//! (`"mandate": 1` is the first one created). The same JSON runs the same way in every
//! language: `inclusif mandate decide`, the conformance vectors and the bindings use it.
//!
//! ```
//! use inclusif_core::mandate::scenario::{Scenario, run};
//! let scenario: Scenario = serde_json::from_str(r#"{
//!   "organisations": [{"id": 42, "name": "CCAS", "siret": "21230096300014", "active": true}],
//!   "aidants": [{"id": "alice", "organisations": [42], "current_organisation": 42,
//!                "active": true, "can_create_mandates": true}],
//!   "usagers": [{"sub": "u1", "given_name": "Camille", "family_name": "Martin"}],
//!   "events": [{"op": "create", "aidant": "alice", "usager": "u1", "demarches": ["social"],
//!               "duration": "LONG", "at": "2026-03-01T09:30:00Z"}],
//!   "questions": [{"aidant": "alice", "usager": "u1", "demarche": "social", "at": "2026-06-01T10:00:00Z"},
//!                 {"aidant": "alice", "usager": "u1", "demarche": "papiers", "at": "2026-06-01T10:00:00Z"}]
//! }"#).unwrap();
//! let result = run(&scenario).unwrap();
//! assert!(result.decisions[0].allowed);
//! assert_eq!(result.decisions[1].reasons, vec!["demarche_not_covered"]);
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::demarche::{Demarche, DemarcheSet};
use super::duration::Duration;
use super::error::MandateError;
use super::ids::{MandateId, OrganisationId};
use super::rules::{Aidant, ConsentRequest, Decision, Organisation, Registry, Usager};

fn in_person() -> ConsentRequest {
    ConsentRequest::InPerson
}

/// One change to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// An aidant creates a mandate.
    Create {
        /// The aidant.
        aidant: String,
        /// The usager's `sub`.
        usager: String,
        /// The démarches.
        demarches: DemarcheSet,
        /// The duration.
        duration: Duration,
        /// The consent (default in person).
        #[serde(default = "in_person")]
        consent: ConsentRequest,
        /// When.
        at: DateTime<Utc>,
    },
    /// An aidant renews mandate number `mandate`.
    Renew {
        /// The aidant.
        aidant: String,
        /// The mandate's creation number (1-based).
        mandate: usize,
        /// The démarches of the new mandate.
        demarches: DemarcheSet,
        /// Its duration.
        duration: Duration,
        /// The consent (default in person).
        #[serde(default = "in_person")]
        consent: ConsentRequest,
        /// When.
        at: DateTime<Utc>,
    },
    /// One démarche of a mandate is revoked.
    RevokeAutorisation {
        /// The mandate's creation number.
        mandate: usize,
        /// The démarche.
        demarche: Demarche,
        /// When.
        at: DateTime<Utc>,
    },
    /// A whole mandate is revoked.
    RevokeMandate {
        /// The mandate's creation number.
        mandate: usize,
        /// When.
        at: DateTime<Utc>,
    },
    /// A mandate moves to another organisation.
    Transfer {
        /// The mandate's creation number.
        mandate: usize,
        /// The organisation.
        to: OrganisationId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The usager replies to an SMS consent request.
    SmsReply {
        /// The mandate's creation number.
        mandate: usize,
        /// The consent request id.
        request_id: String,
        /// The reply's text.
        reply: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An aidant acts for another of its organisations.
    SwitchOrganisation {
        /// The aidant.
        aidant: String,
        /// The organisation.
        to: OrganisationId,
    },
    /// An organisation is deactivated or reactivated.
    SetOrganisationActive {
        /// The organisation.
        organisation: OrganisationId,
        /// Active or not.
        active: bool,
    },
    /// An aidant is deactivated or reactivated.
    SetAidantActive {
        /// The aidant.
        aidant: String,
        /// Active or not.
        active: bool,
    },
}

/// A question for the decision function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The aidant.
    pub aidant: String,
    /// The usager's `sub`.
    pub usager: String,
    /// The démarche.
    pub demarche: Demarche,
    /// When.
    pub at: DateTime<Utc>,
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Organisations.
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    /// Aidants.
    #[serde(default)]
    pub aidants: Vec<Aidant>,
    /// Usagers.
    #[serde(default)]
    pub usagers: Vec<Usager>,
    /// Events, applied in order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Questions, answered after every event.
    #[serde(default)]
    pub questions: Vec<Question>,
}

/// What one event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventOutcome {
    /// 1-based position in `events`.
    pub event: usize,
    /// Whether it was applied.
    pub ok: bool,
    /// For creations and renewals: the new mandate's creation number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandate: Option<usize>,
    /// Autorisations it revoked, as (mandate number, démarche).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revoked: Vec<(usize, Demarche)>,
    /// The error code, if refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// The error message, if refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionOutcome {
    /// 1-based position in `questions`.
    pub question: usize,
    /// Whether the aidant may act.
    pub allowed: bool,
    /// The mandate it rests on (creation number), when allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandate: Option<usize>,
    /// The démarche of the autorisation, when allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demarche: Option<Demarche>,
    /// The reasons' codes, when denied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<&'static str>,
}

/// The result of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioResult {
    /// One outcome per event.
    pub events: Vec<EventOutcome>,
    /// One decision per question.
    pub decisions: Vec<DecisionOutcome>,
}

/// What an applied event created and revoked.
type Applied = (Option<MandateId>, Vec<(MandateId, Demarche)>);

/// Runs a scenario: builds the registry (an invalid organisation, aidant or usager is an
/// error), applies every event (a refused event is reported, not fatal), then answers
/// every question.
pub fn run(s: &Scenario) -> Result<ScenarioResult, MandateError> {
    let mut r = Registry::new();
    for o in &s.organisations {
        r.add_organisation(o.clone())?;
    }
    for a in &s.aidants {
        r.add_aidant(a.clone())?;
    }
    for u in &s.usagers {
        r.add_usager(u.clone())?;
    }
    let mut made: Vec<MandateId> = Vec::new();
    let number =
        |made: &[MandateId], id: MandateId| made.iter().position(|m| *m == id).map_or(0, |i| i + 1);
    let mut events = Vec::with_capacity(s.events.len());
    for (i, e) in s.events.iter().enumerate() {
        let pick = |n: usize| {
            n.checked_sub(1)
                .and_then(|k| made.get(k).copied())
                .ok_or_else(|| MandateError::NotFound {
                    field: "mandate",
                    id: format!("number {n}"),
                })
        };
        let result: Result<Applied, MandateError> = match e {
            Event::Create {
                aidant,
                usager,
                demarches,
                duration,
                consent,
                at,
            } => r
                .create_mandate(aidant, usager, *demarches, *duration, consent.clone(), *at)
                .map(|c| {
                    (
                        Some(c.mandate),
                        c.revoked.iter().map(|x| (x.0, x.2)).collect(),
                    )
                }),
            Event::Renew {
                aidant,
                mandate,
                demarches,
                duration,
                consent,
                at,
            } => pick(*mandate).and_then(|m| {
                r.renew_mandate(aidant, m, *demarches, *duration, consent.clone(), *at)
                    .map(|c| {
                        (
                            Some(c.mandate),
                            c.revoked.iter().map(|x| (x.0, x.2)).collect(),
                        )
                    })
            }),
            Event::RevokeAutorisation {
                mandate,
                demarche,
                at,
            } => pick(*mandate).and_then(|m| {
                r.revoke_autorisation(m, *demarche, *at)
                    .map(|_| (None, vec![(m, *demarche)]))
            }),
            Event::RevokeMandate { mandate, at } => pick(*mandate).and_then(|m| {
                let before: Vec<Demarche> = r
                    .mandate(m)?
                    .active_autorisations(*at)
                    .map(|a| a.demarche)
                    .collect();
                r.revoke_mandate(m, *at)
                    .map(|_| (None, before.into_iter().map(|d| (m, d)).collect()))
            }),
            Event::Transfer { mandate, to, at } => {
                pick(*mandate).and_then(|m| r.transfer_mandate(m, *to, *at).map(|_| (None, vec![])))
            }
            Event::SmsReply {
                mandate,
                request_id,
                reply,
                at,
            } => pick(*mandate).and_then(|m| {
                r.record_sms_reply(m, request_id, reply, *at)
                    .map(|_| (None, vec![]))
            }),
            Event::SwitchOrganisation { aidant, to } => {
                r.switch_organisation(aidant, *to).map(|_| (None, vec![]))
            }
            Event::SetOrganisationActive {
                organisation,
                active,
            } => r
                .set_organisation_active(*organisation, *active)
                .map(|_| (None, vec![])),
            Event::SetAidantActive { aidant, active } => {
                r.set_aidant_active(aidant, *active).map(|_| (None, vec![]))
            }
        };
        events.push(match result {
            Ok((created, revoked)) => {
                if let Some(id) = created {
                    made.push(id);
                }
                EventOutcome {
                    event: i + 1,
                    ok: true,
                    mandate: created.map(|id| number(&made, id)),
                    revoked: revoked
                        .into_iter()
                        .map(|(m, d)| (number(&made, m), d))
                        .collect(),
                    error: None,
                    message: None,
                }
            }
            Err(err) => EventOutcome {
                event: i + 1,
                ok: false,
                mandate: None,
                revoked: vec![],
                error: Some(err.code()),
                message: Some(err.to_string()),
            },
        });
    }
    let decisions = s
        .questions
        .iter()
        .enumerate()
        .map(
            |(i, q)| match r.decide(&q.aidant, &q.usager, q.demarche, q.at) {
                Decision::Allowed { mandate, .. } => DecisionOutcome {
                    question: i + 1,
                    allowed: true,
                    mandate: Some(number(&made, mandate)),
                    demarche: Some(q.demarche),
                    reasons: vec![],
                },
                Decision::Denied { reasons } => DecisionOutcome {
                    question: i + 1,
                    allowed: false,
                    mandate: None,
                    demarche: None,
                    reasons: reasons.iter().map(|r| r.code()).collect(),
                },
            },
        )
        .collect();
    Ok(ScenarioResult { events, decisions })
}
