//! Funding look-ups an app shows: a programme's explained result (every line with its
//! rule, source and formula), the rules in force, and exact money helpers. Amounts are
//! `java.math.BigDecimal` / `Foundation.Decimal`, never floats.
//!
//! A request is a map of [`FundingValue`]s, or JSON text with the command line's fields
//! (`compute_funding_json`, also the way to pass lists such as venue payouts).

use std::collections::HashMap;
use std::sync::Arc;

use inclusif_core::api::funding::{
    self as api, Confidence, EmployerType, Precision, PrivateAmountSource, Rounding, RoundingMode,
    Territory,
};
use rust_decimal::Decimal;

use crate::error::{Api, ErrorDomain, Result};
use crate::types::{CivilDate, to_u32};

#[uniffi::remote(Enum)]
enum EmployerType {
    Public,
    Private,
}

#[uniffi::remote(Enum)]
enum Territory {
    Mainland,
    AntillesGuyane,
    ReunionMayotte,
}

#[uniffi::remote(Enum)]
enum PrivateAmountSource {
    Faq,
    AnctCode,
}

#[uniffi::remote(Enum)]
enum Precision {
    Cent,
    Euro,
}

#[uniffi::remote(Enum)]
enum RoundingMode {
    HalfAwayFromZero,
    HalfEven,
    Down,
    Up,
}

#[uniffi::remote(Enum)]
enum Rounding {
    Cent,
    Euro,
    CentHalfEven,
    EuroHalfEven,
    CentDown,
    EuroDown,
    CentUp,
    EuroUp,
}

#[uniffi::remote(Enum)]
enum Confidence {
    Firm,
    Code,
    Uncertain,
}

/// One value of a request: amounts are [`Amount`](FundingValue::Amount) or
/// [`Whole`](FundingValue::Whole) numbers, enum values are their snake_case text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FundingValue {
    /// No value (the field's default).
    Null,
    /// A boolean.
    Bool {
        /// The value.
        value: bool,
    },
    /// A whole number (counts, years, whole euros).
    Whole {
        /// The value.
        value: i64,
    },
    /// An exact decimal (amounts, rates).
    Amount {
        /// The value.
        value: Decimal,
    },
    /// Text: enum values, département codes, ids, decimal text.
    Text {
        /// The value.
        value: String,
    },
    /// A civil date (`on`, `month`).
    Date {
        /// The value.
        value: CivilDate,
    },
}

impl From<FundingValue> for api::Value {
    fn from(v: FundingValue) -> Self {
        match v {
            FundingValue::Null => api::Value::Null,
            FundingValue::Bool { value } => api::Value::Bool(value),
            FundingValue::Whole { value } => api::Value::Int(value),
            FundingValue::Amount { value } => api::Value::Decimal(value),
            FundingValue::Text { value } => api::Value::Text(value),
            FundingValue::Date { value } => api::Value::Date(value),
        }
    }
}

/// One dated, sourced rule.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rule {
    /// Stable id, e.g. `cnfs.v1.public.mainland`.
    pub id: String,
    /// `amount` (euros), `rate` (0..=1), `count` or `months`.
    pub kind: String,
    /// The value.
    pub value: Decimal,
    /// First day it applies, if bounded.
    pub valid_from: Option<CivilDate>,
    /// Last day it applies, if bounded.
    pub valid_until: Option<CivilDate>,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Source ids.
    pub sources: Vec<String>,
    /// What it is, with the formula it belongs to.
    pub note: String,
}

impl From<api::Rule> for Rule {
    fn from(r: api::Rule) -> Self {
        Rule {
            id: r.id,
            kind: r.kind,
            value: r.value,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            confidence: r.confidence,
            sources: r.sources,
            note: r.note,
        }
    }
}

/// A rule as a breakdown line cites it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RuleCitation {
    /// Rule id.
    pub id: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Confidence,
}

/// One input of a breakdown line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LineInput {
    /// The input's name.
    pub name: String,
    /// Its value, as text.
    pub value: String,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BreakdownLine {
    /// What the amount is.
    pub label: String,
    /// The amount, exact.
    pub amount: Decimal,
    /// The rules used.
    pub rules: Vec<RuleCitation>,
    /// The inputs.
    pub inputs: Vec<LineInput>,
    /// The formula with the values put in.
    pub formula: String,
    /// The rounding applied, if the amount is payable.
    pub rounding: Option<Rounding>,
}

/// A programme's explained result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Breakdown {
    /// What was computed.
    pub title: String,
    /// The lines, in order.
    pub lines: Vec<BreakdownLine>,
    /// The total.
    pub total: Decimal,
    /// What the total means.
    pub total_label: String,
    /// The explained text, exactly as the core displays it.
    pub text: String,
}

impl From<api::Breakdown> for Breakdown {
    fn from(b: api::Breakdown) -> Self {
        Breakdown {
            title: b.title,
            lines: b
                .lines
                .into_iter()
                .map(|l| BreakdownLine {
                    label: l.label,
                    amount: l.amount,
                    rules: l
                        .rules
                        .into_iter()
                        .map(|r| RuleCitation {
                            id: r.id,
                            sources: r.sources,
                            confidence: r.confidence,
                        })
                        .collect(),
                    inputs: l
                        .inputs
                        .into_iter()
                        .map(|i| LineInput {
                            name: i.name,
                            value: i.value,
                        })
                        .collect(),
                    formula: l.formula,
                    rounding: l.rounding,
                })
                .collect(),
            total: b.total,
            total_label: b.total_label,
            text: b.text,
        }
    }
}

/// The funding rules in force (the shipped table, or one read from TSV text).
#[derive(Debug, uniffi::Object)]
pub struct RuleBook {
    inner: api::RuleBook,
}

#[uniffi::export]
impl RuleBook {
    /// The table shipped with the library.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(RuleBook {
            inner: api::RuleBook::shipped(),
        })
    }

    /// A table in the shipped TSV format (`rule_table` if it cannot be read).
    #[uniffi::constructor]
    pub fn from_tsv(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(RuleBook {
            inner: api::RuleBook::from_tsv(&text).api()?,
        }))
    }

    /// The TSV text the book was read from.
    pub fn tsv(&self) -> String {
        self.inner.tsv().to_owned()
    }

    /// Every rule, by id then period.
    pub fn rules(&self) -> Vec<Rule> {
        self.inner.rules().into_iter().map(Rule::from).collect()
    }

    /// The rule `id` in force on `on` (`unknown_rule`, `outside_rule_validity`).
    pub fn rule(&self, id: String, on: CivilDate) -> Result<Rule> {
        Ok(self.inner.rule(&id, on).api()?.into())
    }

    /// Computes a request given as named values (a `programme` entry and the
    /// programme's fields, as the command line reads them).
    pub fn compute(&self, request: HashMap<String, FundingValue>) -> Result<Breakdown> {
        let mut pairs: Vec<(String, api::Value)> =
            request.into_iter().map(|(k, v)| (k, v.into())).collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(api::compute(&self.inner, &api::Value::Map(pairs))
            .api()?
            .into())
    }

    /// Computes a request given as JSON text (one object with a `programme` key).
    pub fn compute_json(&self, request: String) -> Result<Breakdown> {
        Ok(api::compute_json(&self.inner, &request).api()?.into())
    }
}

/// The programmes a request may name, in the core's order.
#[uniffi::export]
pub fn funding_programmes() -> Vec<String> {
    api::PROGRAMMES.iter().map(|p| (*p).to_owned()).collect()
}

/// An amount rounded with a named rounding (`negative_amount` below zero).
#[uniffi::export]
pub fn round_amount(amount: Decimal, rounding: Rounding) -> Result<Decimal> {
    api::round_amount(amount, rounding).api()
}

/// Splits `total` in proportion to non-negative weights, by the largest-remainder
/// method: the parts sum to the total exactly.
#[uniffi::export]
pub fn split_by_weights(
    total: Decimal,
    weights: Vec<Decimal>,
    precision: Precision,
) -> Result<Vec<Decimal>> {
    api::split_by_weights(total, &weights, precision).api()
}

/// Splits `total` by rates (each in 0..=1) that add up to exactly 1.
#[uniffi::export]
pub fn split_by_rates(
    total: Decimal,
    rates: Vec<Decimal>,
    precision: Precision,
) -> Result<Vec<Decimal>> {
    api::split_by_rates(total, &rates, precision).api()
}

/// Instalments from cumulative targets (non-decreasing fractions, the last exactly 1).
#[uniffi::export]
pub fn instalments(
    total: Decimal,
    cumulative: Vec<Decimal>,
    rounding: Rounding,
) -> Result<Vec<Decimal>> {
    api::instalments(total, &cumulative, rounding).api()
}

/// `n` instalments as equal as the rounding allows, the remainder in the last ones.
#[uniffi::export]
pub fn equal_instalments(total: Decimal, n: i64, rounding: Rounding) -> Result<Vec<Decimal>> {
    let n = to_u32(n, ErrorDomain::Funding, "invalid_input", "n")?;
    api::equal_instalments(total, n, rounding).api()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> FundingValue {
        FundingValue::Text { value: s.into() }
    }

    #[test]
    fn a_map_computes_like_json() {
        let book = RuleBook::new();
        let request = HashMap::from([
            ("programme".to_owned(), text("anct_estimate")),
            ("employer".to_owned(), text("public")),
            ("territory".to_owned(), text("75")),
            ("posts".to_owned(), FundingValue::Whole { value: 3 }),
            (
                "on".to_owned(),
                FundingValue::Date {
                    value: crate::types::parse_date("2024-01-01").unwrap(),
                },
            ),
        ]);
        let b = book.compute(request).unwrap();
        assert_eq!(b.total, Decimal::from(166_286));
        let json = r#"{"programme":"anct_estimate","employer":"public","territory":"75","posts":3,"on":"2024-01-01"}"#;
        assert_eq!(book.compute_json(json.into()).unwrap(), b);
        let e = book
            .compute(HashMap::from([("programme".to_owned(), text("lottery"))]))
            .unwrap_err();
        assert_eq!(e.error_code(), "invalid_input");
        assert_eq!(
            equal_instalments(Decimal::from(10), -1, Rounding::Cent)
                .unwrap_err()
                .error_code(),
            "invalid_input"
        );
    }
}
