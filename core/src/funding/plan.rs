//! Plan checking: envelopes, the lines that spend them, and everything that does not add
//! up, reported line by line (never only the first problem).
//!
//! A plan is a tree of envelopes (an envelope may sit inside another) and lines that
//! spend them. [`check`] reports, for every line and envelope:
//! - `missing_envelope`: a line or envelope naming an envelope the plan lacks;
//! - `line_does_not_add_up`: a line whose amount is not unit × quantity;
//! - `outside_rule_validity` / `unknown_rule` / `rule_kind`: a line citing a rule not in
//!   force on the line's date, or not in the rule book, or not an amount;
//!   `line_does_not_add_up` also when its unit differs from the rule's amount;
//! - `envelope_overspent`: lines and sub-envelopes above the envelope;
//! - `envelope_unbalanced`: an envelope marked `balance` whose parts differ from it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::FundingError;
use super::money::Euros;
use super::rules::RuleBook;

/// An envelope: an amount set aside, possibly inside another envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique id.
    pub id: String,
    /// What it is.
    #[serde(default)]
    pub label: String,
    /// What it holds.
    pub amount: Euros,
    /// The envelope it is part of, if any.
    #[serde(default)]
    pub parent: Option<String>,
    /// Whether its parts must add up to exactly its amount (not merely stay within it).
    #[serde(default)]
    pub balance: bool,
}

/// A line of spending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    /// Unique id.
    pub id: String,
    /// The envelope it spends.
    pub envelope: String,
    /// What it is.
    #[serde(default)]
    pub label: String,
    /// The amount it states.
    pub amount: Euros,
    /// Unit amount, when the line is a unit × quantity.
    #[serde(default)]
    pub unit: Option<Euros>,
    /// Quantity (posts, passes…), with `unit`.
    #[serde(default)]
    pub quantity: Option<Decimal>,
    /// The rule the unit amount comes from, checked on `date`.
    #[serde(default)]
    pub rule: Option<String>,
    /// The date the rule must be in force on.
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// A plan: envelopes and lines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// The envelopes.
    pub envelopes: Vec<Envelope>,
    /// The lines.
    #[serde(default)]
    pub lines: Vec<PlanLine>,
}

/// One problem found, on a line or an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanIssue {
    /// `line` or `envelope`.
    pub kind: &'static str,
    /// The line's or envelope's id.
    pub id: String,
    /// The stable error code.
    pub code: &'static str,
    /// The message, naming the field and the rule.
    pub message: String,
}

/// The result of checking a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanReport {
    /// Every problem, lines first (in plan order), then envelopes (in plan order).
    pub issues: Vec<PlanIssue>,
    /// What each envelope's lines and sub-envelopes spend, by envelope id.
    pub spent: BTreeMap<String, Euros>,
}

impl PlanReport {
    /// Whether the plan has no problem.
    pub fn is_ok(&self) -> bool {
        self.issues.is_empty()
    }
}

fn issue(kind: &'static str, id: &str, e: FundingError) -> PlanIssue {
    PlanIssue {
        kind,
        id: id.to_owned(),
        code: e.code(),
        message: e.to_string(),
    }
}

/// Checks a plan against a rule book; reports every problem at once.
pub fn check(plan: &Plan, book: &RuleBook) -> PlanReport {
    let mut issues = Vec::new();
    let mut ids = BTreeSet::new();
    for e in &plan.envelopes {
        if !ids.insert(e.id.as_str()) {
            issues.push(issue(
                "envelope",
                &e.id,
                FundingError::input("id", format!("envelope {:?} is defined twice", e.id)),
            ));
        }
    }
    let exists = |id: &str| plan.envelopes.iter().any(|e| e.id == id);
    let mut line_ids = BTreeSet::new();
    let mut direct: BTreeMap<&str, Euros> = BTreeMap::new();
    for l in &plan.lines {
        if !line_ids.insert(l.id.as_str()) {
            issues.push(issue(
                "line",
                &l.id,
                FundingError::input("id", format!("line {:?} is defined twice", l.id)),
            ));
        }
        if !exists(&l.envelope) {
            issues.push(issue(
                "line",
                &l.id,
                FundingError::MissingEnvelope {
                    line: l.id.clone(),
                    envelope: l.envelope.clone(),
                },
            ));
        } else {
            *direct.entry(l.envelope.as_str()).or_default() =
                direct.get(l.envelope.as_str()).copied().unwrap_or_default() + l.amount;
        }
        match (l.unit, l.quantity) {
            (Some(unit), Some(q)) => {
                let expected = unit.amount() * q;
                if expected != l.amount.amount() {
                    issues.push(issue(
                        "line",
                        &l.id,
                        FundingError::LineDoesNotAddUp {
                            line: l.id.clone(),
                            unit: unit.to_string(),
                            quantity: q.to_string(),
                            expected: expected.normalize().to_string(),
                            found: l.amount.to_string(),
                        },
                    ));
                }
            }
            (None, None) => {}
            _ => issues.push(issue(
                "line",
                &l.id,
                FundingError::input("unit", "unit and quantity go together"),
            )),
        }
        if let Some(rule) = &l.rule {
            match l.date {
                None => issues.push(issue(
                    "line",
                    &l.id,
                    FundingError::input(
                        "date",
                        format!("rule {rule} needs the date it applies on"),
                    ),
                )),
                Some(date) => match book.amount(rule, date) {
                    Err(e) => issues.push(issue("line", &l.id, e)),
                    Ok((_, value)) => {
                        if let Some(unit) = l.unit
                            && unit != value
                        {
                            issues.push(issue(
                                "line",
                                &l.id,
                                FundingError::input(
                                    "unit",
                                    format!("{unit} is not rule {rule}'s {value} on {date}"),
                                ),
                            ));
                        }
                    }
                },
            }
        }
    }
    // Spending of an envelope: its own lines plus its sub-envelopes' amounts.
    let mut spent: BTreeMap<String, Euros> = BTreeMap::new();
    for e in &plan.envelopes {
        let mut total = direct.get(e.id.as_str()).copied().unwrap_or_default();
        for child in plan
            .envelopes
            .iter()
            .filter(|c| c.parent.as_deref() == Some(e.id.as_str()))
        {
            total = total + child.amount;
        }
        spent.insert(e.id.clone(), total);
        if let Some(p) = &e.parent
            && !exists(p)
        {
            issues.push(issue(
                "envelope",
                &e.id,
                FundingError::MissingEnvelope {
                    line: e.id.clone(),
                    envelope: p.clone(),
                },
            ));
        }
        if total > e.amount {
            issues.push(issue(
                "envelope",
                &e.id,
                FundingError::EnvelopeOverspent {
                    envelope: e.id.clone(),
                    allotted: e.amount.to_string(),
                    spent: total.to_string(),
                },
            ));
        } else if e.balance && total != e.amount {
            issues.push(issue(
                "envelope",
                &e.id,
                FundingError::EnvelopeUnbalanced {
                    envelope: e.id.clone(),
                    allotted: e.amount.to_string(),
                    spent: total.to_string(),
                },
            ));
        }
    }
    // A cycle of parents would make the tree meaningless.
    for e in &plan.envelopes {
        let mut seen = BTreeSet::new();
        let mut at = Some(e.id.as_str());
        while let Some(id) = at {
            if !seen.insert(id) {
                issues.push(issue(
                    "envelope",
                    &e.id,
                    FundingError::input("parent", "the envelopes' parents form a cycle"),
                ));
                break;
            }
            at = plan
                .envelopes
                .iter()
                .find(|x| x.id == id)
                .and_then(|x| x.parent.as_deref());
        }
    }
    PlanReport { issues, spent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn env(id: &str, amount: u64, parent: Option<&str>, balance: bool) -> Envelope {
        Envelope {
            id: id.into(),
            label: String::new(),
            amount: Euros::whole(amount),
            parent: parent.map(Into::into),
            balance,
        }
    }

    fn line(id: &str, envelope: &str, amount: u64) -> PlanLine {
        PlanLine {
            id: id.into(),
            envelope: envelope.into(),
            label: String::new(),
            amount: Euros::whole(amount),
            unit: None,
            quantity: None,
            rule: None,
            date: None,
        }
    }

    #[test]
    fn every_problem_is_reported_on_its_line() {
        let book = RuleBook::default();
        let mut posts = line("posts", "cnfs", 200_000_000);
        posts.unit = Some(Euros::whole(50_000));
        posts.quantity = Some(dec!(4000));
        posts.rule = Some("cnfs.v1.public.mainland".into());
        posts.date = Some(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap());
        let mut wrong = line("wrong", "cnfs", 1000);
        wrong.unit = Some(Euros::whole(300));
        wrong.quantity = Some(dec!(3));
        let mut stale = line("stale", "venues", 10);
        stale.rule = Some("france_services.forfait".into());
        stale.date = Some(NaiveDate::from_ymd_opt(2018, 1, 1).unwrap());
        let plan = Plan {
            envelopes: vec![
                env("total", 250_000_000, None, true),
                env("cnfs", 200_000_000, Some("total"), false),
                env("venues", 40_000_000, Some("total"), false),
            ],
            lines: vec![posts, wrong, stale, line("orphan", "nowhere", 5)],
        };
        let report = check(&plan, &book);
        let codes: Vec<(&str, &str)> = report
            .issues
            .iter()
            .map(|i| (i.id.as_str(), i.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("wrong", "line_does_not_add_up"),
                ("stale", "outside_rule_validity"),
                ("orphan", "missing_envelope"),
                ("total", "envelope_unbalanced"),
                ("cnfs", "envelope_overspent"),
            ]
        );
        assert_eq!(report.spent["cnfs"], Euros::whole(200_001_000));
        assert!(
            report.issues[0].message.contains("300 × 3 = 900"),
            "{}",
            report.issues[0].message
        );
    }

    #[test]
    fn a_sound_plan_passes_and_cycles_are_caught() {
        let book = RuleBook::default();
        let plan = Plan {
            envelopes: vec![env("a", 10, None, true)],
            lines: vec![line("x", "a", 4), line("y", "a", 6)],
        };
        assert!(check(&plan, &book).is_ok());
        let cyclic = Plan {
            envelopes: vec![
                env("a", 10, Some("b"), false),
                env("b", 10, Some("a"), false),
            ],
            lines: vec![],
        };
        assert!(
            check(&cyclic, &book)
                .issues
                .iter()
                .any(|i| i.message.contains("cycle"))
        );
    }
}
