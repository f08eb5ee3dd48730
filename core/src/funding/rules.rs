//! Rules as data: each programme rule is a dated, sourced record.
//!
//! The table shipped with the crate is `core/data/funding-rules.tsv` (version
//! [`RULE_TABLE_VERSION`]), with its sources in `core/data/funding-sources.tsv`. A caller
//! can replace it whole with [`RuleBook::from_tsv`], or override single rules with
//! [`RuleBook::set`]. Where sources disagree both values are rules of their own (for
//! example `cnfs.v1.private.faq` at 40,000 € and `cnfs.v1.private.anct_code` at 32,000 €)
//! and the programme takes a parameter saying which one to use.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::error::FundingError;
use super::money::{Euros, Rate};

/// The version of the shipped rule table.
pub const RULE_TABLE_VERSION: u32 = 1;
/// The shipped rule table.
pub const SHIPPED_RULES: &str = include_str!("../../data/funding-rules.tsv");
/// The sources the shipped rules cite.
pub const SHIPPED_SOURCES: &str = include_str!("../../data/funding-sources.tsv");

/// How far a rule's value can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Stated by an official or operator source.
    Firm,
    /// Encoded in public code of the agency (ANCT).
    Code,
    /// Conflicting, partial or inferred.
    Uncertain,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::Firm => "firm",
            Confidence::Code => "from public code",
            Confidence::Uncertain => "uncertain",
        })
    }
}

/// A rule's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RuleValue {
    /// An amount in euros.
    Amount(Euros),
    /// A rate in 0..=1.
    Rate(Rate),
    /// A count (possibly fractional: 1.5 paths per post).
    Count(Decimal),
    /// A number of months.
    Months(u32),
}

impl RuleValue {
    fn kind(&self) -> &'static str {
        match self {
            RuleValue::Amount(_) => "amount",
            RuleValue::Rate(_) => "rate",
            RuleValue::Count(_) => "count",
            RuleValue::Months(_) => "months",
        }
    }
}

impl fmt::Display for RuleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleValue::Amount(a) => write!(f, "{a} €"),
            RuleValue::Rate(r) => write!(f, "{r}"),
            RuleValue::Count(c) => write!(f, "{c}"),
            RuleValue::Months(m) => write!(f, "{m} months"),
        }
    }
}

/// One dated, sourced rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `cnfs.v1.public.mainland`.
    pub id: String,
    /// The value.
    pub value: RuleValue,
    /// First day it applies (inclusive).
    pub valid_from: Option<NaiveDate>,
    /// Last day it applies (inclusive).
    pub valid_until: Option<NaiveDate>,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Source ids (see [`SHIPPED_SOURCES`]).
    pub sources: Vec<String>,
    /// What it is, with the formula it belongs to.
    pub note: String,
}

impl Rule {
    /// Whether the rule applies on `date`.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_until.is_none_or(|u| date <= u)
    }

    fn period(&self) -> String {
        let f = self.valid_from.map_or("…".to_owned(), |d| d.to_string());
        let u = self.valid_until.map_or("…".to_owned(), |d| d.to_string());
        format!("{f}..={u}")
    }
}

/// The rules in force, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    rules: BTreeMap<String, Vec<Rule>>,
}

impl Default for RuleBook {
    /// The table shipped with the crate.
    fn default() -> Self {
        RuleBook::from_tsv(SHIPPED_RULES).expect("the shipped rule table is valid (tested)")
    }
}

fn date_cell(s: &str, line: usize, what: &str) -> Result<Option<NaiveDate>, FundingError> {
    if s == "-" {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| FundingError::RuleTable {
            line,
            rule: format!("{what} {s:?} is not YYYY-MM-DD or -"),
        })
}

impl RuleBook {
    /// Reads a rule table in the shipped TSV format (comments `#`, a header line).
    /// Periods of one id must not overlap.
    pub fn from_tsv(text: &str) -> Result<Self, FundingError> {
        let mut rules: BTreeMap<String, Vec<Rule>> = BTreeMap::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if raw.starts_with("id\t") {
                    continue;
                }
            }
            let c: Vec<&str> = raw.split('\t').collect();
            if c.len() != 8 {
                return Err(FundingError::RuleTable {
                    line,
                    rule: format!("8 tab-separated columns expected, got {}", c.len()),
                });
            }
            let field = format!("rule {}", c[0]);
            let value = match c[1] {
                "amount" => RuleValue::Amount(Euros::parse(c[2], &field).map_err(|e| {
                    FundingError::RuleTable {
                        line,
                        rule: e.to_string(),
                    }
                })?),
                "rate" => RuleValue::Rate(Rate::parse(c[2], &field).map_err(|e| {
                    FundingError::RuleTable {
                        line,
                        rule: e.to_string(),
                    }
                })?),
                "count" => RuleValue::Count(
                    Decimal::from_str(c[2])
                        .ok()
                        .filter(|d| !d.is_sign_negative())
                        .ok_or_else(|| FundingError::RuleTable {
                            line,
                            rule: format!("count {:?} is not a non-negative decimal", c[2]),
                        })?,
                ),
                "months" => {
                    RuleValue::Months(c[2].parse().map_err(|_| FundingError::RuleTable {
                        line,
                        rule: format!("months {:?} is not a whole number", c[2]),
                    })?)
                }
                k => {
                    return Err(FundingError::RuleTable {
                        line,
                        rule: format!("kind {k:?} is not amount, rate, count or months"),
                    });
                }
            };
            let confidence = match c[5] {
                "firm" => Confidence::Firm,
                "code" => Confidence::Code,
                "uncertain" => Confidence::Uncertain,
                k => {
                    return Err(FundingError::RuleTable {
                        line,
                        rule: format!("confidence {k:?} is not firm, code or uncertain"),
                    });
                }
            };
            let rule = Rule {
                id: c[0].to_owned(),
                value,
                valid_from: date_cell(c[3], line, "valid_from")?,
                valid_until: date_cell(c[4], line, "valid_until")?,
                confidence,
                sources: c[6]
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                note: c[7].to_owned(),
            };
            if let (Some(f), Some(u)) = (rule.valid_from, rule.valid_until)
                && u < f
            {
                return Err(FundingError::RuleTable {
                    line,
                    rule: format!("{}: valid_until is before valid_from", rule.id),
                });
            }
            let periods = rules.entry(rule.id.clone()).or_default();
            let overlaps = periods.iter().any(|p| {
                let starts_before_end = rule
                    .valid_from
                    .zip(p.valid_until)
                    .is_none_or(|(f, u)| f <= u);
                let ends_after_start = rule
                    .valid_until
                    .zip(p.valid_from)
                    .is_none_or(|(u, f)| f <= u);
                starts_before_end && ends_after_start
            });
            if overlaps {
                return Err(FundingError::RuleTable {
                    line,
                    rule: format!("{}: its periods overlap", rule.id),
                });
            }
            periods.push(rule);
        }
        Ok(RuleBook { rules })
    }

    /// Replaces (or adds) every period of a rule with one rule.
    pub fn set(&mut self, rule: Rule) {
        self.rules.insert(rule.id.clone(), vec![rule]);
    }

    /// Every rule, by id then period.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values().flatten()
    }

    /// The rule `id` in force on `date`.
    pub fn rule(&self, id: &str, date: NaiveDate) -> Result<&Rule, FundingError> {
        let periods = self
            .rules
            .get(id)
            .ok_or_else(|| FundingError::UnknownRule {
                rule: id.to_owned(),
            })?;
        periods.iter().find(|r| r.applies_on(date)).ok_or_else(|| {
            FundingError::OutsideRuleValidity {
                rule: id.to_owned(),
                date,
                valid: periods
                    .iter()
                    .map(Rule::period)
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
    }

    fn kind_error(rule: &Rule, expected: &'static str) -> FundingError {
        FundingError::RuleKind {
            rule: rule.id.clone(),
            expected,
            found: rule.value.kind(),
        }
    }

    /// An amount rule in force on `date`.
    pub fn amount(&self, id: &str, date: NaiveDate) -> Result<(&Rule, Euros), FundingError> {
        let r = self.rule(id, date)?;
        match r.value {
            RuleValue::Amount(a) => Ok((r, a)),
            _ => Err(Self::kind_error(r, "amount")),
        }
    }

    /// A rate rule in force on `date`.
    pub fn rate(&self, id: &str, date: NaiveDate) -> Result<(&Rule, Rate), FundingError> {
        let r = self.rule(id, date)?;
        match r.value {
            RuleValue::Rate(x) => Ok((r, x)),
            _ => Err(Self::kind_error(r, "rate")),
        }
    }

    /// A count rule in force on `date`.
    pub fn count(&self, id: &str, date: NaiveDate) -> Result<(&Rule, Decimal), FundingError> {
        let r = self.rule(id, date)?;
        match r.value {
            RuleValue::Count(x) => Ok((r, x)),
            _ => Err(Self::kind_error(r, "count")),
        }
    }

    /// A months rule in force on `date`.
    pub fn months(&self, id: &str, date: NaiveDate) -> Result<(&Rule, u32), FundingError> {
        let r = self.rule(id, date)?;
        match r.value {
            RuleValue::Months(x) => Ok((r, x)),
            _ => Err(Self::kind_error(r, "months")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_table_loads_and_every_source_is_listed() {
        let book = RuleBook::default();
        assert!(book.rules().count() > 40);
        let sources: Vec<&str> = SHIPPED_SOURCES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
            .filter_map(|l| l.split('\t').next())
            .collect();
        for r in book.rules() {
            assert!(!r.sources.is_empty(), "{} has no source", r.id);
            for s in &r.sources {
                assert!(
                    sources.contains(&s.as_str()),
                    "{}: source {s} is not in funding-sources.tsv",
                    r.id
                );
            }
        }
    }

    #[test]
    fn dated_rules_pick_their_period() {
        let book = RuleBook::default();
        assert_eq!(
            book.amount("france_services.forfait", d(2021, 6, 1))
                .unwrap()
                .1,
            Euros::whole(30_000)
        );
        assert_eq!(
            book.amount("france_services.forfait", d(2023, 6, 1))
                .unwrap()
                .1,
            Euros::whole(35_000)
        );
        assert_eq!(
            book.amount("france_services.forfait", d(2026, 6, 1))
                .unwrap()
                .1,
            Euros::whole(50_000)
        );
        let e = book
            .amount("france_services.forfait", d(2018, 6, 1))
            .unwrap_err();
        assert_eq!(e.code(), "outside_rule_validity");
        assert!(e.to_string().contains("2019-01-01..=2022-12-31"), "{e}");
        assert_eq!(
            book.amount("nope", d(2021, 1, 1)).unwrap_err().code(),
            "unknown_rule"
        );
        assert_eq!(
            book.rate("cnfs.v1.public.mainland", d(2021, 1, 1))
                .unwrap_err()
                .code(),
            "rule_kind"
        );
    }

    #[test]
    fn broken_tables_are_refused_with_their_line() {
        for (bad, needle) in [
            ("a\tamount\t-5\t-\t-\tfirm\tS1\tx", "negative"),
            ("a\trate\t1.5\t-\t-\tfirm\tS1\tx", "outside 0..=1"),
            ("a\tamount\t5\t2020-13-01\t-\tfirm\tS1\tx", "YYYY-MM-DD"),
            ("a\tamount\t5\t-\t-\tsure\tS1\tx", "confidence"),
            ("a\tamount\t5\t-\t-\tfirm\tS1", "8 tab-separated"),
            (
                "a\tamount\t5\t2020-01-01\t2020-12-31\tfirm\tS1\tx\na\tamount\t6\t2020-06-01\t-\tfirm\tS1\tx",
                "overlap",
            ),
        ] {
            let e = RuleBook::from_tsv(bad).unwrap_err();
            assert_eq!(e.code(), "rule_table");
            assert!(e.to_string().contains(needle), "{e}");
        }
    }
}
