//! Labels on the real data (`shared/data/venues/`, read at run time), with outcomes for
//! named venues checked by hand against their records.

use inclusif_core::venue::labels::{
    Eligibility, EvaluationContext, LabelRules, Outcome, coverage_by_departement, evaluate,
    may_redeem_pass_numerique,
};
use inclusif_core::venue::{RawRecord, as_v1, read_json};

fn real() -> Vec<RawRecord> {
    let path = format!(
        "{}/../../shared/data/venues/hinaura-2021-2022.standard-v0.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    as_v1(&read_json(&text).unwrap()).0
}

fn by_id<'a>(records: &'a [RawRecord], id: &str) -> &'a RawRecord {
    records.iter().find(|r| r.get("id") == Some(id)).unwrap()
}

#[test]
fn named_venues_checked_by_hand() {
    let records = real();
    let ctx = EvaluationContext::default();
    let fs = LabelRules::shipped_label("france_services").unwrap();
    // Venue 0, MAISON DE SERVICES AU PUBLIC D'ABONDANCE: "Tu-Fr 09:00-12:00,14:00-17:00;
    // Sa 09:00-12:00" is 4 × 6 h + 3 h = 27 h over 5 days; it offers help with
    // administrative procedures (migrated from « Réaliser des démarches administratives
    // avec un accompagnement »); agents and partners are not in the data.
    let r = evaluate(by_id(&records, "0"), &fs, &ctx);
    assert_eq!(r.outcome, Eligibility::Unknown);
    let outcomes: Vec<Outcome> = r.criteria.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            Outcome::Met,
            Outcome::Met,
            Outcome::Unknown,
            Outcome::Unknown,
            Outcome::Unknown
        ]
    );
    assert_eq!(
        r.criteria[0].reason,
        "open 27 h over 5 day(s) in the week of 2026-11-16; 24 h over 5 days required"
    );
    // Venue 36, Mission Locale Jeunes du Bassin Annécien: open 34 h over 5 days, but its
    // only service (migrated from « Accéder à une connexion internet ») is internet access,
    // not help with administrative procedures: not eligible, and the reason says which.
    let r = evaluate(by_id(&records, "36"), &fs, &ctx);
    assert_eq!(r.outcome, Eligibility::NotEligible);
    assert_eq!(
        r.criteria[0].reason,
        "open 34 h over 5 day(s) in the week of 2026-11-16; 24 h over 5 days required"
    );
    assert_eq!(r.criteria[1].outcome, Outcome::NotMet);
    assert_eq!(
        r.criteria[1].reason,
        "services (Accès internet et matériel informatique) includes none of: Aide aux démarches administratives"
    );
    // Pass numérique: every pivot of the file is the placeholder, so a venue is at best
    // unknown, never eligible, and the reason says why.
    let p = may_redeem_pass_numerique(by_id(&records, "0"), None, &ctx);
    assert_ne!(p.outcome, Eligibility::Eligible);
    assert!(p.criteria.iter().any(|c| c.reason.contains("placeholder")));
}

#[test]
fn counts_over_the_real_file() {
    let records = real();
    let ctx = EvaluationContext::default();
    let labels = LabelRules::shipped();
    let mut totals = std::collections::BTreeMap::new();
    for l in &labels {
        let mut c = [0usize; 3];
        for r in &records {
            match evaluate(r, l, &ctx).outcome {
                Eligibility::Eligible => c[0] += 1,
                Eligibility::NotEligible => c[1] += 1,
                Eligibility::Unknown => c[2] += 1,
            }
        }
        totals.insert(l.label.clone(), c);
    }
    // Every venue is counted once per label.
    for (label, c) in &totals {
        assert_eq!(c.iter().sum::<usize>(), 687, "{label}");
    }
    // France Services always has unknown criteria (agents, partners): never eligible.
    assert_eq!(totals["france_services"][0], 0);
    // Pass numérique: no real SIRET in the file, so never eligible.
    assert_eq!(totals["pass_numerique"][0], 0);
    let by_dep = coverage_by_departement(&records, &labels, &ctx);
    let haute_savoie: usize = {
        let c = by_dep[&("france_services".to_owned(), "74".to_owned())];
        c.eligible + c.not_eligible + c.unknown
    };
    assert_eq!(
        haute_savoie, 151,
        "the research note counts 151 Haute-Savoie venues"
    );
}
