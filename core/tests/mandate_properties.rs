//! Property tests of the mandate rules: whatever sequence of operations ran, no decision
//! allows a démarche outside its mandate, after expiry or after revocation, or through
//! another organisation; and a revocation is never undone.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use inclusif_core::mandate::rules::{
    Aidant, ConsentRequest, Decision, Organisation, Registry, Usager,
};
use inclusif_core::mandate::{Demarche, DemarcheSet, Duration, MandateId, OrganisationId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Create {
        aidant: usize,
        usager: usize,
        demarches: u16,
        duration: usize,
        sms: bool,
        hours: u32,
    },
    RevokeOne {
        mandate: usize,
        demarche: usize,
        hours: u32,
    },
    RevokeAll {
        mandate: usize,
        hours: u32,
    },
    Reply {
        mandate: usize,
        yes: bool,
        hours: u32,
    },
    Switch {
        aidant: usize,
    },
    Toggle {
        org: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, 0usize..3, 1u16..1024, 0usize..4, any::<bool>(), 0u32..2000).prop_map(|(aidant, usager, demarches, duration, sms, hours)| Op::Create { aidant, usager, demarches, duration, sms, hours }),
        2 => (0usize..20, 0usize..10, 0u32..2000).prop_map(|(mandate, demarche, hours)| Op::RevokeOne { mandate, demarche, hours }),
        1 => (0usize..20, 0u32..2000).prop_map(|(mandate, hours)| Op::RevokeAll { mandate, hours }),
        1 => (0usize..20, any::<bool>(), 0u32..2000).prop_map(|(mandate, yes, hours)| Op::Reply { mandate, yes, hours }),
        1 => (0usize..3).prop_map(|aidant| Op::Switch { aidant }),
        1 => any::<bool>().prop_map(|org| Op::Toggle { org }),
    ]
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn org(id: u32) -> OrganisationId {
    OrganisationId::new(id).unwrap()
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.add_organisation(Organisation {
        id: org(1),
        name: "A".into(),
        siret: "11111111111111".into(),
        active: true,
        allowed_demarches: DemarcheSet::ALL,
    })
    .unwrap();
    r.add_organisation(Organisation {
        id: org(2),
        name: "B".into(),
        siret: "22222222222222".into(),
        active: true,
        allowed_demarches: DemarcheSet::ALL,
    })
    .unwrap();
    for (i, current) in [(0, 1), (1, 2), (2, 1)] {
        r.add_aidant(Aidant {
            id: format!("a{i}"),
            organisations: [org(1), org(2)].into(),
            current_organisation: org(current),
            active: true,
            can_create_mandates: true,
            habilitation_from: None,
            habilitation_until: None,
        })
        .unwrap();
    }
    for u in 0..3 {
        r.add_usager(Usager {
            sub: format!("u{u}"),
            given_name: "X".into(),
            family_name: "Y".into(),
        })
        .unwrap();
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn decisions_respect_mandates_and_revocations_are_final(ops in proptest::collection::vec(op(), 1..40), probes in proptest::collection::vec((0usize..3, 0usize..3, 0usize..10, 0u32..3000), 1..30)) {
        let mut r = registry();
        let mut made: Vec<MandateId> = Vec::new();
        let mut revoked: HashMap<u64, DateTime<Utc>> = HashMap::new();
        let mut now = t0();
        for o in ops {
            let at = |h: u32| t0() + TimeDelta::hours(i64::from(h));
            match o {
                Op::Create { aidant, usager, demarches, duration, sms, hours } => {
                    now = now.max(at(hours));
                    let consent = if sms { ConsentRequest::RemoteSms { phone: "+33612345678".into(), request_id: format!("r{}", made.len()) } } else { ConsentRequest::InPerson };
                    let d = [Duration::Short, Duration::Month, Duration::Semester, Duration::Long][duration];
                    if let Ok(c) = r.create_mandate(&format!("a{aidant}"), &format!("u{usager}"), DemarcheSet::from_bits(demarches).unwrap(), d, consent, now) {
                        made.push(c.mandate);
                    }
                }
                Op::RevokeOne { mandate, demarche, hours } => {
                    now = now.max(at(hours));
                    if let Some(m) = made.get(mandate) {
                        let _ = r.revoke_autorisation(*m, Demarche::ALL[demarche], now);
                    }
                }
                Op::RevokeAll { mandate, hours } => {
                    now = now.max(at(hours));
                    if let Some(m) = made.get(mandate) {
                        let _ = r.revoke_mandate(*m, now);
                    }
                }
                Op::Reply { mandate, yes, hours } => {
                    now = now.max(at(hours));
                    if let Some(m) = made.get(mandate) {
                        let _ = r.record_sms_reply(*m, &format!("r{mandate}"), if yes { "Oui." } else { "non" }, now);
                    }
                }
                Op::Switch { aidant } => {
                    let a = r.aidant(&format!("a{aidant}")).unwrap().current_organisation;
                    r.switch_organisation(&format!("a{aidant}"), if a == org(1) { org(2) } else { org(1) }).unwrap();
                }
                Op::Toggle { org: first } => {
                    let id = if first { org(1) } else { org(2) };
                    let active = r.organisation(id).unwrap().active;
                    r.set_organisation_active(id, !active).unwrap();
                }
            }
            // A revocation, once made, keeps its instant forever.
            for id in &made {
                for a in &r.mandate(*id).unwrap().autorisations {
                    if let Some(at) = a.revoked_at {
                        let first = *revoked.entry(a.id).or_insert(at);
                        prop_assert_eq!(first, at, "autorisation {} un-revoked or re-dated", a.id);
                    } else {
                        prop_assert!(!revoked.contains_key(&a.id), "autorisation {} un-revoked", a.id);
                    }
                }
            }
        }
        for (aidant, usager, demarche, hours) in probes {
            let at = t0() + TimeDelta::hours(i64::from(hours));
            let d = Demarche::ALL[demarche];
            let aidant_id = format!("a{aidant}");
            if let Decision::Allowed { mandate, autorisation, .. } = r.decide(&aidant_id, &format!("u{usager}"), d, at) {
                let m = r.mandate(mandate).unwrap();
                let a = m.autorisations.iter().find(|x| x.id == autorisation).unwrap();
                prop_assert_eq!(a.demarche, d, "allowed outside the mandate's démarches");
                prop_assert!(at <= m.expires_at, "allowed after expiry");
                prop_assert!(m.created_at <= at, "allowed before the mandate existed");
                prop_assert!(a.revoked_at.is_none_or(|r| r > at), "allowed after revocation");
                prop_assert_eq!(&m.usager, &format!("u{usager}"));
                let aid = r.aidant(&aidant_id).unwrap();
                prop_assert_eq!(m.organisation, aid.current_organisation, "allowed through another organisation");
                prop_assert!(r.organisation(m.organisation).unwrap().active);
            }
        }
    }
}
