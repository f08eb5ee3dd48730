//! The national simulation, measured beside a reference in the same run: the same
//! arithmetic done naively (one explained breakdown per post, no per-type cache).
//!
//! `cargo bench -p inclusif-core --bench funding`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inclusif_core::funding::RuleBook;
use inclusif_core::funding::cnfs::{self, PrivateAmountSource};
use inclusif_core::funding::simulation::{SimulationOptions, simulate, synthetic_structures};

fn national(c: &mut Criterion) {
    let book = RuleBook::default();
    // About 4,000 posts: 2,000 structures of 1 to 3 posts.
    let input = synthetic_structures(2_000, 2020);
    let posts: u64 = input.iter().map(|s| u64::from(s.posts)).sum();
    let options = SimulationOptions::default();
    let mut g = c.benchmark_group("national_simulation");
    g.throughput(Throughput::Elements(posts));
    g.bench_function(
        "inclusif: simulate (rows, totals, renewal, training caps)",
        |b| b.iter(|| simulate(black_box(&book), black_box(&input), &options).unwrap()),
    );
    g.bench_function("reference: one explained breakdown per post", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &input {
                for _ in 0..s.posts {
                    let p = cnfs::first_wave_post(
                        &book,
                        s.employer,
                        s.territory,
                        PrivateAmountSource::Faq,
                        options.first_wave_on,
                    )
                    .unwrap();
                    n += p.lines.len();
                    if s.renewed {
                        n +=
                            cnfs::renewal_post(&book, s.employer, s.qpv_or_zrr, options.renewal_on)
                                .unwrap()
                                .lines
                                .len();
                    }
                }
            }
            black_box(n)
        })
    });
    g.finish();
    println!(
        "national simulation input: {} structures, {posts} posts",
        input.len()
    );
}

fn load_rules(c: &mut Criterion) {
    c.bench_function("rule book: parse the shipped table", |b| {
        b.iter(RuleBook::default)
    });
}

criterion_group!(benches, national, load_rules);
criterion_main!(benches);
