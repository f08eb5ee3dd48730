//! Explained results: every amount with the rule, source, inputs and formula behind it.

use std::fmt;

use serde::Serialize;

use super::money::{Euros, Rounding};
use super::rules::{Confidence, Rule};

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// What the amount is.
    pub label: String,
    /// The amount.
    pub amount: Euros,
    /// The rules used, with their sources and confidence.
    pub rules: Vec<RuleRef>,
    /// The inputs, as (name, value).
    pub inputs: Vec<(String, String)>,
    /// The formula, with the values put in.
    pub formula: String,
    /// The rounding applied, if the amount is payable.
    pub rounding: Option<Rounding>,
}

/// A breakdown line; `inputs` as (name, value) pairs.
pub(crate) fn line(
    label: &str,
    amount: Euros,
    rules: Vec<RuleRef>,
    inputs: Vec<(&str, String)>,
    formula: String,
    rounding: Option<Rounding>,
) -> Line {
    Line {
        label: label.to_owned(),
        amount,
        rules,
        inputs: inputs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        formula,
        rounding,
    }
}

/// A rule as a breakdown cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// Rule id.
    pub id: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Confidence,
}

impl From<&Rule> for RuleRef {
    fn from(r: &Rule) -> Self {
        RuleRef {
            id: r.id.clone(),
            sources: r.sources.clone(),
            confidence: r.confidence,
        }
    }
}

/// A programme's result: a total and the lines that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// What was computed.
    pub title: String,
    /// The lines, in order.
    pub lines: Vec<Line>,
    /// The total (named in `total_label`).
    pub total: Euros,
    /// What the total means.
    pub total_label: String,
}

impl Breakdown {
    /// The line with this label.
    pub fn line(&self, label: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.label == label)
    }
}

impl fmt::Display for Breakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        for l in &self.lines {
            writeln!(f, "  {:<48} {:>18}", l.label, l.amount.to_french())?;
            writeln!(f, "      = {}", l.formula)?;
            if let Some(r) = l.rounding {
                writeln!(f, "      rounded {r}")?;
            }
            let rules: Vec<String> = l
                .rules
                .iter()
                .map(|r| format!("{} [{}; {}]", r.id, r.sources.join(", "), r.confidence))
                .collect();
            if !rules.is_empty() {
                writeln!(f, "      rules: {}", rules.join("; "))?;
            }
        }
        writeln!(
            f,
            "  {:<48} {:>18}",
            self.total_label,
            self.total.to_french()
        )
    }
}
