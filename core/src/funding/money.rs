//! Exact money: euro amounts, rates and named rounding, on `rust_decimal`.
//!
//! An [`Euros`] is never negative and never built from a float: it comes from an integer
//! number of euros or cents, from a `Decimal`, or from decimal text. Arithmetic stays exact
//! (up to `Decimal`'s 28 significant digits, so 50,000 / 24 keeps 2,083.333…); rounding
//! happens only where an amount becomes payable, with the [`Rounding`] named at the call.

use core::fmt;
use core::iter::Sum;
use core::ops::Add;
use core::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::error::FundingError;

/// A non-negative amount of euros, exact.
///
/// Serialised as decimal text (`"55428.828"`). Deserialised from decimal text or a whole
/// number; a floating-point number is refused (a float amount is a bug).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(into = "String")]
pub struct Euros(Decimal);

impl<'de> Deserialize<'de> for Euros {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Euros::try_from(AmountRepr::deserialize(d)?).map_err(FundingError::into_serde)
    }
}

/// What an amount may be written as in JSON and similar formats.
#[derive(Deserialize)]
#[serde(untagged)]
enum AmountRepr {
    Text(String),
    Whole(u64),
    Negative(i64),
    Float(f64),
}

impl TryFrom<AmountRepr> for Euros {
    type Error = FundingError;
    fn try_from(r: AmountRepr) -> Result<Self, FundingError> {
        match r {
            AmountRepr::Text(s) => Euros::parse(&s, "amount"),
            AmountRepr::Whole(n) => Ok(Euros::whole(n)),
            AmountRepr::Negative(n) => Euros::new(Decimal::from(n), "amount"),
            AmountRepr::Float(f) => Err(FundingError::InvalidAmount {
                field: "amount".into(),
                value: f.to_string(),
                rule:
                    "a floating-point amount is refused: write it as decimal text, e.g. \"1234.56\""
                        .into(),
            }),
        }
    }
}

impl Euros {
    /// Zero euros.
    pub const ZERO: Euros = Euros(Decimal::ZERO);

    /// An amount from a decimal; `negative_amount` below zero. `field` names it in errors.
    pub fn new(amount: Decimal, field: &str) -> Result<Self, FundingError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(FundingError::NegativeAmount {
                field: field.to_owned(),
                value: amount.to_string(),
            });
        }
        Ok(Euros(amount.normalize()))
    }

    /// A whole number of euros.
    pub fn whole(euros: u64) -> Self {
        Euros(Decimal::from(euros))
    }

    /// An amount in cents.
    pub fn from_cents(cents: u64) -> Self {
        Euros(Decimal::new(cents as i64, 2).normalize())
    }

    /// Parses decimal text such as `1234.56`, `1234,56` or `1 234,56`; refuses signs below
    /// zero, exponents, `NaN` and infinities (`invalid_amount`, `negative_amount`).
    pub fn parse(text: &str, field: &str) -> Result<Self, FundingError> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        let invalid = |rule: &str| FundingError::InvalidAmount {
            field: field.to_owned(),
            value: text.to_owned(),
            rule: rule.to_owned(),
        };
        if cleaned.is_empty() {
            return Err(invalid("empty"));
        }
        if !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
        {
            return Err(invalid("only digits and one decimal separator"));
        }
        let d = Decimal::from_str(&cleaned).map_err(|e| invalid(&e.to_string()))?;
        Euros::new(d, field)
    }

    /// The exact decimal value.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Rounded with a named rounding.
    pub fn round(self, rounding: Rounding) -> Euros {
        Euros(rounding.apply(self.0))
    }

    /// Whether the amount is a whole number of `precision` units.
    pub fn is_rounded_to(self, precision: Precision) -> bool {
        self.0.round_dp(precision.decimals()) == self.0
    }

    /// This amount times a rate, exact.
    pub fn times_rate(self, rate: Rate) -> Euros {
        Euros((self.0 * rate.0).normalize())
    }

    /// This amount times a non-negative decimal factor (a count, a ratio of months), exact.
    pub fn times(self, factor: Decimal, field: &str) -> Result<Euros, FundingError> {
        Euros::new(self.0 * factor, field)
    }

    /// This amount times a whole count.
    pub fn times_count(self, n: u64) -> Euros {
        Euros((self.0 * Decimal::from(n)).normalize())
    }

    /// This amount divided by a whole number (at `Decimal` precision: 28 digits).
    pub fn divided_by(self, n: u32, field: &str) -> Result<Euros, FundingError> {
        if n == 0 {
            return Err(FundingError::input(field, "division by zero"));
        }
        Ok(Euros((self.0 / Decimal::from(n)).normalize()))
    }

    /// `self − other`, or `negative_amount` if other is larger.
    pub fn minus(self, other: Euros, field: &str) -> Result<Euros, FundingError> {
        Euros::new(self.0 - other.0, field)
    }

    /// `self − other`, or zero if other is larger.
    pub fn saturating_minus(self, other: Euros) -> Euros {
        if other.0 >= self.0 {
            Euros::ZERO
        } else {
            Euros(self.0 - other.0)
        }
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Euros) -> Euros {
        if other < self { other } else { self }
    }

    /// Formatted the French way with the unit: `55 429,00 €` (two decimals if any cents).
    pub fn to_french(self) -> String {
        let rounded = self.0.round_dp(2);
        let s = format!("{:.2}", rounded);
        let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push('\u{202f}');
            }
            grouped.push(c);
        }
        if self.0 != rounded {
            format!("{grouped},{frac}… €")
        } else {
            format!("{grouped},{frac} €")
        }
    }
}

impl Add for Euros {
    type Output = Euros;
    fn add(self, rhs: Euros) -> Euros {
        Euros((self.0 + rhs.0).normalize())
    }
}

impl Sum for Euros {
    fn sum<I: Iterator<Item = Euros>>(iter: I) -> Euros {
        iter.fold(Euros::ZERO, Add::add)
    }
}

impl fmt::Display for Euros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Euros> for String {
    fn from(e: Euros) -> String {
        e.0.to_string()
    }
}

/// A rate in 0..=1 (0.5 is 50 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Rate(Decimal);

impl<'de> Deserialize<'de> for Rate {
    /// Decimal text (`"0.04"`, `"4 %"`) or 0 / 1; floats are refused as for amounts.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match AmountRepr::deserialize(d)? {
            AmountRepr::Text(s) => Rate::parse(&s, "rate"),
            AmountRepr::Whole(n) => Rate::new(Decimal::from(n), "rate"),
            AmountRepr::Negative(n) => Rate::new(Decimal::from(n), "rate"),
            AmountRepr::Float(f) => Err(FundingError::InvalidAmount {
                field: "rate".into(),
                value: f.to_string(),
                rule: "a floating-point rate is refused: write it as decimal text, e.g. \"0.04\""
                    .into(),
            }),
        }
        .map_err(FundingError::into_serde)
    }
}

impl Rate {
    /// 0 %.
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    /// 100 %.
    pub const ONE: Rate = Rate(Decimal::ONE);

    /// A rate; `rate_out_of_range` outside 0..=1.
    pub fn new(rate: Decimal, field: &str) -> Result<Self, FundingError> {
        if rate < Decimal::ZERO || rate > Decimal::ONE {
            return Err(FundingError::RateOutOfRange {
                field: field.to_owned(),
                value: rate.to_string(),
            });
        }
        Ok(Rate(rate.normalize()))
    }

    /// A rate from a whole percentage (50 → 0.5).
    pub fn percent(p: u32, field: &str) -> Result<Self, FundingError> {
        Rate::new(Decimal::from(p) / Decimal::ONE_HUNDRED, field)
    }

    /// Parses `0.04`, `0,04` or `4 %`.
    pub fn parse(text: &str, field: &str) -> Result<Self, FundingError> {
        let t = text.trim();
        let (number, scale) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), Decimal::ONE_HUNDRED),
            None => (t, Decimal::ONE),
        };
        let d = Decimal::from_str(&number.replace(',', ".")).map_err(|e| {
            FundingError::InvalidAmount {
                field: field.to_owned(),
                value: text.to_owned(),
                rule: e.to_string(),
            }
        })?;
        Rate::new(d / scale, field)
    }

    /// The rate as a decimal fraction.
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", (self.0 * Decimal::ONE_HUNDRED).normalize())
    }
}

impl From<Rate> for String {
    fn from(r: Rate) -> String {
        r.0.to_string()
    }
}

/// To what unit a payable amount is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// To the cent (fees, pro-rata amounts).
    Cent,
    /// To the euro (the programmes' amounts; the national warehouse stores whole euros).
    Euro,
}

impl Precision {
    /// Decimal places kept.
    pub fn decimals(self) -> u32 {
        match self {
            Precision::Cent => 2,
            Precision::Euro => 0,
        }
    }

    /// The smallest payable unit.
    pub fn unit(self) -> Decimal {
        match self {
            Precision::Cent => Decimal::new(1, 2),
            Precision::Euro => Decimal::ONE,
        }
    }
}

/// How ties and remainders are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Half away from zero: 0.5 → 1 (matches JavaScript `Math.round` for the positive
    /// amounts of ANCT's export code, research note funding.md §8). The default.
    HalfAwayFromZero,
    /// Half to even (banker's rounding).
    HalfEven,
    /// Toward zero (truncate).
    Down,
    /// Away from zero (any remainder rounds up).
    Up,
}

/// A named rounding: a precision and a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rounding {
    /// To the cent or to the euro.
    pub precision: Precision,
    /// How.
    pub mode: RoundingMode,
}

impl Rounding {
    /// To the cent, half away from zero.
    pub const CENT: Rounding = Rounding {
        precision: Precision::Cent,
        mode: RoundingMode::HalfAwayFromZero,
    };
    /// To the euro, half away from zero.
    pub const EURO: Rounding = Rounding {
        precision: Precision::Euro,
        mode: RoundingMode::HalfAwayFromZero,
    };

    /// Rounds a decimal.
    pub fn apply(self, d: Decimal) -> Decimal {
        let strategy = match self.mode {
            RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
        };
        d.round_dp_with_strategy(self.precision.decimals(), strategy)
            .normalize()
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.precision {
            Precision::Cent => "cent",
            Precision::Euro => "euro",
        };
        let m = match self.mode {
            RoundingMode::HalfAwayFromZero => "half away from zero",
            RoundingMode::HalfEven => "half to even",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
        };
        write!(f, "to the {p}, {m}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn amounts_are_never_negative_nor_floats() {
        assert_eq!(
            Euros::new(dec!(-0.01), "x").unwrap_err().code(),
            "negative_amount"
        );
        assert_eq!(
            Euros::parse("-3", "x").unwrap_err().code(),
            "negative_amount"
        );
        for bad in ["NaN", "inf", "1e5", "", "12.3.4", "douze"] {
            assert_eq!(
                Euros::parse(bad, "x").unwrap_err().code(),
                "invalid_amount",
                "{bad}"
            );
        }
        assert_eq!(
            Euros::parse("1 234,56", "x").unwrap(),
            Euros::from_cents(123_456)
        );
        assert_eq!(Euros::parse("0", "x").unwrap(), Euros::ZERO);
    }

    #[test]
    fn rounding_is_named_and_exact() {
        let x = Euros::new(dec!(55428.828), "x").unwrap();
        assert_eq!(x.round(Rounding::EURO), Euros::whole(55_429));
        assert_eq!(x.round(Rounding::CENT), Euros::from_cents(5_542_883));
        let half = Euros::new(dec!(2.5), "x").unwrap();
        assert_eq!(half.round(Rounding::EURO), Euros::whole(3));
        assert_eq!(
            half.round(Rounding {
                mode: RoundingMode::HalfEven,
                ..Rounding::EURO
            }),
            Euros::whole(2)
        );
        assert_eq!(
            half.round(Rounding {
                mode: RoundingMode::Down,
                ..Rounding::EURO
            }),
            Euros::whole(2)
        );
        let third = Euros::whole(50_000).divided_by(24, "x").unwrap();
        assert_eq!(third.round(Rounding::CENT), Euros::from_cents(208_333));
        assert!(third.amount().scale() > 20, "kept exact: {third}");
    }

    #[test]
    fn rates_stay_in_range() {
        assert_eq!(
            Rate::new(dec!(1.01), "r").unwrap_err().code(),
            "rate_out_of_range"
        );
        assert_eq!(
            Rate::new(dec!(-0.01), "r").unwrap_err().code(),
            "rate_out_of_range"
        );
        assert_eq!(
            Rate::parse("4 %", "r").unwrap(),
            Rate::new(dec!(0.04), "r").unwrap()
        );
        assert_eq!(Rate::parse("0,5", "r").unwrap().to_string(), "50 %");
    }

    #[test]
    fn json_amounts_are_text_or_whole_never_floats() {
        let e: Euros = serde_json::from_str("\"1234.56\"").unwrap();
        assert_eq!(e, Euros::from_cents(123_456));
        assert_eq!(
            serde_json::from_str::<Euros>("50000").unwrap(),
            Euros::whole(50_000)
        );
        assert!(
            serde_json::from_str::<Euros>("1234.56")
                .unwrap_err()
                .to_string()
                .contains("floating-point")
        );
        assert!(
            serde_json::from_str::<Euros>("-5")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert_eq!(
            serde_json::to_string(&Euros::from_cents(105)).unwrap(),
            "\"1.05\""
        );
    }

    #[test]
    fn french_formatting() {
        assert_eq!(Euros::whole(55_429).to_french(), "55\u{202f}429,00 €");
        assert_eq!(Euros::from_cents(105).to_french(), "1,05 €");
    }
}
