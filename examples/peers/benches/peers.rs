//! inclusif against JWT, PASETO, biscuit and COSE, signing and verifying the same claims
//! in one run, with raw ed25519-dalek `sign`, `verify_strict` and `verify` as references.
//!
//! Two kinds of benchmark (see `inclusif_peers::table` for why):
//! - `peers_sign/<id>`, `peers_verify/<id>`: each format alone, for absolute times;
//! - `peers_sign_ratio/<id>`, `peers_verify_ratio/<id>`: inclusif and the peer back to
//!   back in every iteration, reporting inclusif ÷ peer as 1 µs per unit.
//!
//! `cargo bench -p inclusif-peers --bench peers`, then
//! `cargo run --release -p inclusif-peers --example peers-table` prints the table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer, SigningKey};
use inclusif_peers::table::{
    RATIO_UNIT_NS, SIGN_GROUP, SIGN_RATIO_GROUP, VERIFY_GROUP, VERIFY_RATIO_GROUP,
};
use inclusif_peers::{Inclusif, SEED, VoucherClaims};

#[path = "../peers/mod.rs"]
mod peers;

fn timed(f: &impl Fn()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Runs `ours` and `theirs` back to back `iters` times, alternating which goes first, and
/// hands criterion `ours ÷ theirs` as [`RATIO_UNIT_NS`] per iteration: drift on the machine
/// hits both sides of every pair alike.
fn paired(b: &mut Bencher, ours: impl Fn(), theirs: impl Fn()) {
    b.iter_custom(|iters| {
        let (mut o, mut t) = (Duration::ZERO, Duration::ZERO);
        for i in 0..iters {
            if i % 2 == 0 {
                o += timed(&ours);
                t += timed(&theirs);
            } else {
                t += timed(&theirs);
                o += timed(&ours);
            }
        }
        let ratio = o.as_secs_f64() / t.as_secs_f64();
        Duration::from_secs_f64(ratio * RATIO_UNIT_NS * 1e-9 * iters as f64)
    })
}

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
    let (ours, ours_text) = (&all[0], &texts[0]);

    // The references: Ed25519 alone over inclusif's signed message.
    let key = SigningKey::from_bytes(&SEED);
    let public = key.verifying_key();
    let token = Inclusif::new(now).token(&claims).expect("signs");
    let mut message = b"FR.PASSNUM.V1\0".to_vec();
    message.extend_from_slice(token.body());
    let signature = Signature::from_bytes(token.signature());
    let ref_sign = || {
        black_box(key.sign(black_box(&message)));
    };
    let ref_verify_strict = || {
        public
            .verify_strict(black_box(&message), black_box(&signature))
            .unwrap()
    };
    let ref_verify = || {
        ed25519_dalek::Verifier::verify(&public, black_box(&message), black_box(&signature))
            .unwrap()
    };
    let our_sign = || {
        black_box(ours.sign(black_box(&claims)).unwrap());
    };
    let our_verify = || {
        black_box(ours.verify(black_box(ours_text), Utc::now()).unwrap());
    };

    let mut g = c.benchmark_group(SIGN_GROUP);
    g.bench_function("reference_sign", |b| b.iter(ref_sign));
    for p in &all {
        g.bench_function(p.id(), |b| b.iter(|| p.sign(black_box(&claims)).unwrap()));
    }
    g.finish();

    let mut g = c.benchmark_group(VERIFY_GROUP);
    g.bench_function("reference_verify_strict", |b| b.iter(ref_verify_strict));
    g.bench_function("reference_verify", |b| b.iter(ref_verify));
    for (p, text) in all.iter().zip(&texts) {
        g.bench_function(p.id(), |b| {
            b.iter(|| p.verify(black_box(text), Utc::now()).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group(SIGN_RATIO_GROUP);
    g.bench_function("reference_sign", |b| paired(b, our_sign, ref_sign));
    for p in &all[1..] {
        g.bench_function(p.id(), |b| {
            paired(b, our_sign, || {
                black_box(p.sign(black_box(&claims)).unwrap());
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group(VERIFY_RATIO_GROUP);
    g.bench_function("reference_verify_strict", |b| {
        paired(b, our_verify, ref_verify_strict)
    });
    g.bench_function("reference_verify", |b| paired(b, our_verify, ref_verify));
    for (p, text) in all[1..].iter().zip(&texts[1..]) {
        g.bench_function(p.id(), |b| {
            paired(b, our_verify, || {
                black_box(p.verify(black_box(text), Utc::now()).unwrap());
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // 24 benchmarks of 4 s: under 2 minutes of measurement. Flags override these.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
