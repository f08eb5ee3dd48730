//! Property tests of the funding arithmetic: splits and instalments always sum to the
//! whole, never go negative, respect the named precision, and do not depend on order.

use inclusif_core::funding::split::{equal_instalments, instalments, split_by_weights};
use inclusif_core::funding::{Euros, Precision, Rate, Rounding, RoundingMode};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn precision() -> impl Strategy<Value = Precision> {
    prop_oneof![Just(Precision::Cent), Just(Precision::Euro)]
}

fn mode() -> impl Strategy<Value = RoundingMode> {
    prop_oneof![
        Just(RoundingMode::HalfAwayFromZero),
        Just(RoundingMode::HalfEven),
        Just(RoundingMode::Down),
        Just(RoundingMode::Up)
    ]
}

fn total(p: Precision, units: u64) -> Euros {
    match p {
        Precision::Cent => Euros::from_cents(units),
        Precision::Euro => Euros::whole(units),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn splits_sum_to_the_whole(units in 0u64..10_000_000_000, p in precision(), weights in proptest::collection::vec(0u32..1_000_000, 1..40)) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let t = total(p, units);
        let w: Vec<Decimal> = weights.iter().map(|&x| Decimal::from(x)).collect();
        let parts = split_by_weights(t, &w, p).unwrap();
        prop_assert_eq!(parts.len(), w.len());
        prop_assert_eq!(parts.iter().copied().sum::<Euros>(), t);
        for (part, weight) in parts.iter().zip(&w) {
            prop_assert!(part.is_rounded_to(p));
            // Within one unit of the exact share: the largest-remainder guarantee.
            let exact = t.amount() * *weight / w.iter().sum::<Decimal>();
            prop_assert!((part.amount() - exact).abs() < p.unit());
            if weight.is_zero() {
                prop_assert_eq!(*part, Euros::ZERO);
            }
        }
    }

    #[test]
    fn splits_do_not_depend_on_order(units in 0u64..1_000_000, weights in proptest::collection::vec(0u32..100, 2..20), seed in any::<u64>()) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let w: Vec<Decimal> = weights.iter().map(|&x| Decimal::from(x)).collect();
        let mut perm: Vec<usize> = (0..w.len()).collect();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..perm.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let t = Euros::from_cents(units);
        let a = split_by_weights(t, &w, Precision::Cent).unwrap();
        let shuffled: Vec<Decimal> = perm.iter().map(|&i| w[i]).collect();
        let b = split_by_weights(t, &shuffled, Precision::Cent).unwrap();
        // Permuting the input permutes the output: compare as multisets per weight.
        let mut pairs_a: Vec<(Decimal, Euros)> = w.iter().copied().zip(a).collect();
        let mut pairs_b: Vec<(Decimal, Euros)> = shuffled.iter().copied().zip(b).collect();
        pairs_a.sort();
        pairs_b.sort();
        prop_assert_eq!(pairs_a, pairs_b);
    }

    #[test]
    fn instalments_sum_to_the_whole(units in 0u64..10_000_000_000, p in precision(), m in mode(), cuts in proptest::collection::vec(0u32..=1000, 0..12)) {
        let t = total(p, units);
        let mut c: Vec<u32> = cuts;
        c.sort();
        let mut targets: Vec<Rate> = c.iter().map(|&x| Rate::new(Decimal::from(x) / Decimal::from(1000), "c").unwrap()).collect();
        targets.push(Rate::ONE);
        let rounding = Rounding { precision: p, mode: m };
        let parts = instalments(t, &targets, rounding).unwrap();
        prop_assert_eq!(parts.iter().copied().sum::<Euros>(), t);
        let mut running = Euros::ZERO;
        for (part, target) in parts.iter().zip(&targets) {
            prop_assert!(part.is_rounded_to(p));
            running = running + *part;
            prop_assert_eq!(running, t.times_rate(*target).round(rounding));
        }
    }

    #[test]
    fn equal_instalments_differ_by_at_most_one_unit(units in 0u64..1_000_000_000, n in 1u32..60, p in precision()) {
        let t = total(p, units);
        let parts = equal_instalments(t, n, Rounding { precision: p, mode: RoundingMode::HalfAwayFromZero }).unwrap();
        prop_assert_eq!(parts.iter().copied().sum::<Euros>(), t);
        let max = parts.iter().max().unwrap().amount();
        let min = parts.iter().min().unwrap().amount();
        prop_assert!(max - min <= p.unit());
    }

    #[test]
    fn rounding_moves_by_less_than_one_unit(cents in 0u64..u64::MAX / 1000, extra in 0u32..1000, p in precision(), m in mode()) {
        let x = Euros::new(Decimal::from(cents) / Decimal::from(100) + Decimal::from(extra) / Decimal::from(100_000), "x").unwrap();
        let r = x.round(Rounding { precision: p, mode: m });
        prop_assert!(r.is_rounded_to(p));
        prop_assert!((r.amount() - x.amount()).abs() < p.unit());
        match m {
            RoundingMode::Down => prop_assert!(r <= x),
            RoundingMode::Up => prop_assert!(r >= x),
            _ => prop_assert!((r.amount() - x.amount()).abs() * Decimal::TWO <= p.unit()),
        }
    }

    /// Parsing never panics and never accepts a negative amount.
    #[test]
    fn amount_parsing_is_total(s in "\\PC{0,40}") {
        if let Ok(e) = Euros::parse(&s, "x") {
            prop_assert!(!e.amount().is_sign_negative() || e.amount().is_zero());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The national simulation does not depend on the order of its input rows.
    #[test]
    fn simulation_does_not_depend_on_order(n in 1usize..200, seed in any::<u64>(), shuffle in any::<u64>()) {
        use inclusif_core::funding::RuleBook;
        use inclusif_core::funding::simulation::{SimulationOptions, simulate, synthetic_structures};
        let book = RuleBook::default();
        let input = synthetic_structures(n, seed);
        let mut shuffled = input.clone();
        let mut s = shuffle;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let a = simulate(&book, &input, &SimulationOptions::default()).unwrap();
        let b = simulate(&book, &shuffled, &SimulationOptions::default()).unwrap();
        prop_assert_eq!(a, b);
    }
}
