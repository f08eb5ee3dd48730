//! Mandate benchmarks. Decisions over one structure holding 100,000 mandates, beside a
//! reference in the same run: the same question answered by scanning every mandate
//! (what a query without an index on the usager does).
//!
//! `cargo bench -p inclusif-core --bench mandate`

use std::hint::black_box;

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inclusif_core::mandate::rules::{Aidant, ConsentRequest, Organisation, Registry, Usager};
use inclusif_core::mandate::{Demarche, DemarcheSet, Duration, OrganisationId};

const MANDATES: usize = 100_000;

fn structure() -> Registry {
    let org = OrganisationId::new(42).unwrap();
    let mut r = Registry::new();
    r.add_organisation(Organisation {
        id: org,
        name: "France Services de Guéret".into(),
        siret: "21230096300014".into(),
        active: true,
        allowed_demarches: DemarcheSet::ALL,
    })
    .unwrap();
    for a in 0..20 {
        r.add_aidant(Aidant {
            id: format!("aidant-{a}"),
            organisations: [org].into(),
            current_organisation: org,
            active: true,
            can_create_mandates: true,
            habilitation_from: None,
            habilitation_until: None,
        })
        .unwrap();
    }
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    for i in 0..MANDATES {
        let sub = format!("sub-{i:06}");
        r.add_usager(Usager {
            sub: sub.clone(),
            given_name: "Camille".into(),
            family_name: "Martin".into(),
        })
        .unwrap();
        // Two to four démarches per mandate, varied; created over the year.
        let bits = (0b111 << (i % 8)) as u16 & 0x3ff | 1;
        let at = start + TimeDelta::minutes(i as i64 * 5);
        r.create_mandate(
            &format!("aidant-{}", i % 20),
            &sub,
            DemarcheSet::from_bits(bits).unwrap(),
            Duration::Long,
            ConsentRequest::InPerson,
            at,
        )
        .unwrap();
    }
    r
}

fn decisions(c: &mut Criterion) {
    let r = structure();
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 12, 0, 0).unwrap();
    let probes: Vec<(String, String, Demarche)> = (0..1000)
        .map(|i| {
            (
                format!("aidant-{}", i % 20),
                format!("sub-{:06}", (i * 7919) % MANDATES),
                Demarche::ALL[i % 10],
            )
        })
        .collect();
    let mut g = c.benchmark_group("decide_100k_mandates");
    g.throughput(Throughput::Elements(probes.len() as u64));
    g.bench_function("inclusif: Registry::decide", |b| {
        b.iter(|| {
            let mut allowed = 0;
            for (a, u, d) in &probes {
                allowed += r.decide(black_box(a), black_box(u), *d, at).is_allowed() as usize;
            }
            black_box(allowed)
        })
    });
    g.sample_size(10);
    g.throughput(Throughput::Elements(10));
    g.bench_function(
        "reference: scan every mandate (no usager index), first 10 probes",
        |b| {
            let all: Vec<_> = (0..MANDATES)
                .filter_map(|i| r.mandates_of(&format!("sub-{i:06}")).next().cloned())
                .collect();
            b.iter(|| {
                let mut allowed = 0;
                for (_, u, d) in probes.iter().take(10) {
                    allowed += all
                        .iter()
                        .filter(|m| {
                            &m.usager == u
                                && !m.is_expired(at)
                                && m.active_autorisations(at).any(|x| x.demarche == *d)
                        })
                        .count();
                }
                black_box(allowed)
            })
        },
    );
    g.finish();
}

fn token(c: &mut Criterion) {
    use ed25519_dalek::{Signature, SigningKey};
    use inclusif_core::mandate::token::{
        MandateClaims, MandateToken, MandateVerifier, sign_mandate,
    };
    use inclusif_core::mandate::{ConsentMethod, MandateId, usager_ref};
    use inclusif_core::voucher::{Kid, SecretKey};

    let org = OrganisationId::new(42).unwrap();
    let key = SecretKey::from_seed(&[3; 32]);
    let claims = MandateClaims {
        kid: Kid::new(3).unwrap(),
        organisation: org,
        mandate_id: MandateId::from_bytes([7; 10]),
        usager_ref: usager_ref(org, "fc-sub-camille"),
        demarches: DemarcheSet::parse(["papiers", "social"]).unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        duration: Duration::Long,
        consent: ConsentMethod::InPerson,
    };
    let token = sign_mandate(&key, &claims).unwrap();
    let text = token.to_qr_payload();
    let verifier = MandateVerifier::without_trust_list()
        .with_key_for_any_organisation(Kid::new(3).unwrap(), key.public_key())
        .unwrap()
        .with_required_demarche(Demarche::Social)
        .with_required_usager("fc-sub-camille");
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let vk = SigningKey::from_bytes(&[3; 32]).verifying_key();
    let mut message = b"FR.AIDANTS.MANDAT.V1\0".to_vec();
    message.extend_from_slice(token.body());
    let sig = Signature::from_bytes(token.signature());
    let mut g = c.benchmark_group("mandate_token_verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("reference: raw verify_strict", |b| {
        b.iter(|| {
            vk.verify_strict(black_box(&message), black_box(&sig))
                .unwrap()
        })
    });
    g.bench_function(
        "inclusif: QR text to verified mandate (démarche and usager required)",
        |b| b.iter(|| verifier.verify_text(black_box(&text), now).unwrap()),
    );
    g.finish();
    let mut g = c.benchmark_group("mandate_token_decode");
    g.bench_function("inclusif: strict text decode and field checks", |b| {
        b.iter(|| {
            MandateToken::parse_strict(black_box(&text))
                .unwrap()
                .claims()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, decisions, token);
criterion_main!(benches);
