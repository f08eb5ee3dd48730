//! inclusif against JWT, PASETO, biscuit and COSE, signing and verifying the same claims
//! in one run, with raw ed25519-dalek `sign`, `verify_strict` and `verify` as references.
//!
//! `cargo bench -p inclusif-peers --bench peers`, then
//! `cargo run --release -p inclusif-peers --example peers-table` prints the table.

use std::hint::black_box;

use chrono::Utc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer, SigningKey};
use inclusif_peers::table::{ROUNDS, SIGN_GROUP, VERIFY_GROUP, group};
use inclusif_peers::{Inclusif, SEED, VoucherClaims};

#[path = "../peers/mod.rs"]
mod peers;

fn bench(c: &mut Criterion) {
    let now = Utc::now();
    let claims = VoucherClaims::today();
    let all = peers::all(now);
    let texts: Vec<String> = all
        .iter()
        .map(|p| {
            let text = p.sign(&claims).expect("signs");
            // Time only what verifies to the same claims.
            assert_eq!(p.verify(&text, now), Ok(claims), "{}", p.id());
            text
        })
        .collect();

    // The references: Ed25519 alone over inclusif's signed message.
    let key = SigningKey::from_bytes(&SEED);
    let public = key.verifying_key();
    let token = Inclusif::new(now).token(&claims).expect("signs");
    let mut message = b"FR.PASSNUM.V1\0".to_vec();
    message.extend_from_slice(token.body());
    let signature = Signature::from_bytes(token.signature());

    // The VM's speed drifts over minutes: measure everything in consecutive rounds and
    // let the table take each ratio within a round.
    for round in 1..=ROUNDS {
        let mut g = c.benchmark_group(group(SIGN_GROUP, round));
        g.bench_function("reference_sign", |b| {
            b.iter(|| key.sign(black_box(&message)))
        });
        for p in &all {
            g.bench_function(p.id(), |b| b.iter(|| p.sign(black_box(&claims)).unwrap()));
        }
        g.finish();

        let mut g = c.benchmark_group(group(VERIFY_GROUP, round));
        g.bench_function("reference_verify_strict", |b| {
            b.iter(|| {
                public
                    .verify_strict(black_box(&message), black_box(&signature))
                    .unwrap()
            })
        });
        g.bench_function("reference_verify", |b| {
            b.iter(|| {
                ed25519_dalek::Verifier::verify(&public, black_box(&message), black_box(&signature))
                    .unwrap()
            })
        });
        for (p, text) in all.iter().zip(&texts) {
            g.bench_function(p.id(), |b| {
                b.iter(|| p.verify(black_box(text), Utc::now()).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // 7 rounds of 13 functions, 2 s each: about 3 minutes. Short rounds keep the drift
    // within a round small; command-line flags override these.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
    targets = bench
}
criterion_main!(benches);
