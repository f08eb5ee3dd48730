//! Exact splitting: parts that always sum to the whole.
//!
//! - [`split_by_weights`]: the largest-remainder method (Hamilton). Each part first gets
//!   the whole units of its exact share; the units left over go one each to the parts
//!   with the largest remainders, ties broken by the larger weight, then by input order.
//!   Permuting the input permutes the output (parts with equal weights are
//!   interchangeable).
//! - [`instalments`]: from cumulative targets. Instalment k is `round(total × c_k) −
//!   round(total × c_{k−1})`, so every running total is the rounded share and the last
//!   instalment absorbs the remainder: the instalments sum to the total exactly.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::error::FundingError;
use super::money::{Euros, Precision, Rate, Rounding};

fn whole_units(total: Euros, precision: Precision, field: &str) -> Result<Decimal, FundingError> {
    if !total.is_rounded_to(precision) {
        return Err(FundingError::input(
            field,
            format!(
                "{total} is not a whole number of {precision:?} units; round it first with a named rounding"
            ),
        ));
    }
    Ok(total.amount() / precision.unit())
}

/// Splits `total` (already a whole number of `precision` units) in proportion to
/// non-negative `weights`, by the largest-remainder method.
pub fn split_by_weights(
    total: Euros,
    weights: &[Decimal],
    precision: Precision,
) -> Result<Vec<Euros>, FundingError> {
    let units = whole_units(total, precision, "total")?;
    if weights.is_empty() {
        return Err(FundingError::input("weights", "at least one weight"));
    }
    if let Some(w) = weights
        .iter()
        .find(|w| w.is_sign_negative() && !w.is_zero())
    {
        return Err(FundingError::NegativeAmount {
            field: "weights".into(),
            value: w.to_string(),
        });
    }
    let sum: Decimal = weights.iter().sum();
    if sum.is_zero() {
        return Err(FundingError::input("weights", "their sum must be above 0"));
    }
    // Exact shares in units; floor them, remember the remainders.
    let mut parts: Vec<(Decimal, Decimal)> = weights
        .iter()
        .map(|w| {
            let share = units * *w / sum;
            let floor = share.floor();
            (floor, share - floor)
        })
        .collect();
    let given: Decimal = parts.iter().map(|p| p.0).sum();
    // Fewer units left than parts: each share lost less than one unit.
    let left = (units - given).to_usize().unwrap_or(0);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        parts[b]
            .1
            .cmp(&parts[a].1)
            .then(weights[b].cmp(&weights[a]))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(left) {
        parts[i].0 += Decimal::ONE;
    }
    parts
        .into_iter()
        .map(|(u, _)| Euros::new(u * precision.unit(), "part"))
        .collect()
}

/// Splits `total` by rates that must add up to exactly 1.
pub fn split_by_rates(
    total: Euros,
    rates: &[Rate],
    precision: Precision,
) -> Result<Vec<Euros>, FundingError> {
    let sum: Decimal = rates.iter().map(|r| r.value()).sum();
    if sum != Decimal::ONE {
        return Err(FundingError::input(
            "rates",
            format!("must add up to 1, they add up to {sum}"),
        ));
    }
    let weights: Vec<Decimal> = rates.iter().map(|r| r.value()).collect();
    split_by_weights(total, &weights, precision)
}

/// Instalments from cumulative targets (non-decreasing fractions of the total, the last
/// exactly 1), each running total rounded with `rounding`; they sum to `total` exactly
/// when `total` is itself rounded with `rounding`'s precision.
pub fn instalments(
    total: Euros,
    cumulative: &[Rate],
    rounding: Rounding,
) -> Result<Vec<Euros>, FundingError> {
    whole_units(total, rounding.precision, "total")?;
    match cumulative.last() {
        None => return Err(FundingError::input("cumulative", "at least one target")),
        Some(last) if *last != Rate::ONE => {
            return Err(FundingError::input(
                "cumulative",
                format!("the last target must be 100 %, not {last}"),
            ));
        }
        _ => {}
    }
    if cumulative.windows(2).any(|w| w[1] < w[0]) {
        return Err(FundingError::input(
            "cumulative",
            "targets must not decrease",
        ));
    }
    let mut out = Vec::with_capacity(cumulative.len());
    let mut paid = Euros::ZERO;
    for c in cumulative {
        let target = total.times_rate(*c).round(rounding);
        out.push(target.minus(paid, "instalment")?);
        paid = target;
    }
    Ok(out)
}

/// `n` instalments as equal as the precision allows, the remainder in the last ones
/// (cumulative targets k/n).
pub fn equal_instalments(
    total: Euros,
    n: u32,
    rounding: Rounding,
) -> Result<Vec<Euros>, FundingError> {
    if n == 0 {
        return Err(FundingError::input("instalments", "at least one"));
    }
    let targets: Result<Vec<Rate>, _> = (1..=n)
        .map(|k| Rate::new(Decimal::from(k) / Decimal::from(n), "cumulative"))
        .collect();
    instalments(total, &targets?, rounding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn largest_remainder_sums_to_the_whole() {
        let parts = split_by_weights(
            Euros::from_cents(10_000),
            &[dec!(1), dec!(1), dec!(1)],
            Precision::Cent,
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                Euros::from_cents(3334),
                Euros::from_cents(3333),
                Euros::from_cents(3333)
            ]
        );
        let parts =
            split_by_weights(Euros::whole(100), &[dec!(2), dec!(1)], Precision::Euro).unwrap();
        assert_eq!(parts, vec![Euros::whole(67), Euros::whole(33)]);
        let parts =
            split_by_weights(Euros::whole(10), &[dec!(0), dec!(3)], Precision::Euro).unwrap();
        assert_eq!(parts, vec![Euros::ZERO, Euros::whole(10)]);
    }

    #[test]
    fn bad_splits_are_refused() {
        let t = Euros::whole(10);
        assert_eq!(
            split_by_weights(t, &[], Precision::Euro)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        assert_eq!(
            split_by_weights(t, &[dec!(0)], Precision::Euro)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        assert_eq!(
            split_by_weights(t, &[dec!(-1), dec!(2)], Precision::Euro)
                .unwrap_err()
                .code(),
            "negative_amount"
        );
        let cents = Euros::from_cents(1001);
        assert_eq!(
            split_by_weights(cents, &[dec!(1)], Precision::Euro)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        let r = |d| Rate::new(d, "r").unwrap();
        assert_eq!(
            split_by_rates(t, &[r(dec!(0.5)), r(dec!(0.4))], Precision::Euro)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn last_instalment_absorbs_the_remainder() {
        let i = equal_instalments(Euros::whole(50_000), 3, Rounding::EURO).unwrap();
        assert_eq!(
            i,
            vec![
                Euros::whole(16_667),
                Euros::whole(16_666),
                Euros::whole(16_667)
            ]
        );
        assert_eq!(i.iter().copied().sum::<Euros>(), Euros::whole(50_000));
        let r = |d| Rate::new(d, "r").unwrap();
        let i = instalments(
            Euros::whole(1000),
            &[r(dec!(0.3)), r(dec!(0.7)), r(dec!(1))],
            Rounding::EURO,
        )
        .unwrap();
        assert_eq!(
            i,
            vec![Euros::whole(300), Euros::whole(400), Euros::whole(300)]
        );
        assert!(
            instalments(
                Euros::whole(1000),
                &[r(dec!(0.7)), r(dec!(0.3)), r(dec!(1))],
                Rounding::EURO
            )
            .is_err()
        );
        assert!(instalments(Euros::whole(1000), &[r(dec!(0.7))], Rounding::EURO).is_err());
    }
}
