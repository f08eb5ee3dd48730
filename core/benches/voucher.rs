//! Voucher benchmarks, each measured side by side with raw `verify_strict` on the same
//! bytes in the same run, so the ratios hold whatever the machine.
//!
//! `cargo bench -p inclusif-core --bench voucher`

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer, SigningKey};
use inclusif_core::voucher::{
    Issuer, Kid, Scope, SecretKey, Token, TrustEntry, TrustList, Validity, Verifier,
};

fn setup() -> (Issuer, Verifier, Vec<Token>) {
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let validity = Validity::from_dates(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    )
    .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let mut trust = TrustList::new(1, now, 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    let tokens = (0..64)
        .map(|_| {
            issuer
                .issue_random(1000, validity, Scope::NATIONAL)
                .unwrap()
        })
        .collect();
    (issuer, Verifier::new(trust), tokens)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn bench_verify(c: &mut Criterion) {
    let (_, verifier, tokens) = setup();
    let token = tokens[0];
    let text = token.to_text();
    let vk = SigningKey::from_bytes(&[7; 32]).verifying_key();
    let mut message = b"FR.PASSNUM.V1\0".to_vec();
    message.extend_from_slice(token.body());
    let sig = Signature::from_bytes(token.signature());

    let mut g = c.benchmark_group("verify_one");
    g.throughput(Throughput::Elements(1));
    g.bench_function("reference: raw verify_strict", |b| {
        b.iter(|| {
            vk.verify_strict(black_box(&message), black_box(&sig))
                .unwrap()
        })
    });
    g.bench_function("inclusif: text to verified voucher", |b| {
        b.iter(|| verifier.verify_text(black_box(&text), now()).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    g.bench_function("inclusif: strict text decode and field checks", |b| {
        b.iter(|| {
            Token::parse_strict(black_box(&text))
                .unwrap()
                .claims()
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("verify_64_one_kid");
    g.throughput(Throughput::Elements(64));
    g.bench_function("reference: 64 x raw verify_strict", |b| {
        let msgs: Vec<(Vec<u8>, Signature)> = tokens
            .iter()
            .map(|t| {
                let mut m = b"FR.PASSNUM.V1\0".to_vec();
                m.extend_from_slice(t.body());
                (m, Signature::from_bytes(t.signature()))
            })
            .collect();
        b.iter(|| {
            for (m, s) in &msgs {
                vk.verify_strict(black_box(m), black_box(s)).unwrap()
            }
        })
    });
    g.bench_function("reference: ed25519-dalek verify_batch of 64", |b| {
        let msgs: Vec<Vec<u8>> = tokens
            .iter()
            .map(|t| {
                let mut m = b"FR.PASSNUM.V1\0".to_vec();
                m.extend_from_slice(t.body());
                m
            })
            .collect();
        let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
        let sigs: Vec<Signature> = tokens
            .iter()
            .map(|t| Signature::from_bytes(t.signature()))
            .collect();
        let keys = vec![vk; 64];
        b.iter(|| ed25519_dalek::verify_batch(black_box(&refs), black_box(&sigs), &keys).unwrap())
    });
    g.bench_function("inclusif: verify_batch of 64", |b| {
        b.iter(|| {
            let r = verifier.verify_batch(black_box(&tokens), now());
            assert!(r.iter().all(Result::is_ok));
        })
    });
    g.finish();
}

fn bench_sign(c: &mut Criterion) {
    let (issuer, _, tokens) = setup();
    let validity = Validity::from_dates(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    )
    .unwrap();
    let sk = SigningKey::from_bytes(&[7; 32]);
    let mut message = b"FR.PASSNUM.V1\0".to_vec();
    message.extend_from_slice(tokens[0].body());
    let serial = tokens[0].serial();
    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Elements(1));
    g.bench_function("reference: raw ed25519-dalek sign", |b| {
        b.iter(|| sk.sign(black_box(&message)))
    });
    g.bench_function("inclusif: issue one token", |b| {
        b.iter(|| {
            issuer
                .issue(black_box(serial), 1000, validity, Scope::NATIONAL)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_verify, bench_sign);
criterion_main!(benches);
