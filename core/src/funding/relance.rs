//! The recovery plan's digital-inclusion line (France Relance, 2020): 250 M€ =
//! 200 M€ conseillers numériques + 40 M€ venues + 10 M€ aidants (5 + 5), checked to add
//! up, with the per-post figures (4,000 posts; 50,000 € public, 40,000 € private).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cnfs::{EmployerType, PrivateAmountSource, Territory, first_wave_post};
use super::error::FundingError;
use super::explain::{Breakdown, Line, RuleRef};
use super::money::Euros;
use super::plan::{Envelope, Plan, PlanLine, PlanReport, check};
use super::rules::RuleBook;

/// The recovery plan as a [`Plan`] (envelopes that must balance) built from the rule
/// book, and its check.
pub fn recovery_plan(book: &RuleBook, on: NaiveDate) -> Result<(Plan, PlanReport), FundingError> {
    let amount = |id: &str| book.amount(id, on).map(|(_, a)| a);
    let (_, posts) = book.count("relance.cnfs.posts", on)?;
    let public = first_wave_post(
        book,
        EmployerType::Public,
        Territory::Mainland,
        PrivateAmountSource::Faq,
        on,
    )?;
    let aidants = amount("relance.inclusion.aidants_connect")?
        + amount("relance.inclusion.aidants_training")?;
    let env =
        |id: &str, label: &str, amount: Euros, parent: Option<&str>, balance: bool| Envelope {
            id: id.into(),
            label: label.into(),
            amount,
            parent: parent.map(Into::into),
            balance,
        };
    let plan = Plan {
        envelopes: vec![
            env(
                "inclusion",
                "Recovery plan, digital inclusion",
                amount("relance.inclusion.total")?,
                None,
                true,
            ),
            env(
                "cnfs",
                "Conseillers numériques",
                amount("relance.inclusion.cnfs")?,
                Some("inclusion"),
                true,
            ),
            env(
                "venues",
                "Venues (kits, support)",
                amount("relance.inclusion.venues")?,
                Some("inclusion"),
                false,
            ),
            env("aidants", "Aidants", aidants, Some("inclusion"), true),
            env(
                "aidants_connect",
                "Aidants Connect",
                amount("relance.inclusion.aidants_connect")?,
                Some("aidants"),
                false,
            ),
            env(
                "aidants_training",
                "Aidants' training",
                amount("relance.inclusion.aidants_training")?,
                Some("aidants"),
                false,
            ),
        ],
        lines: vec![PlanLine {
            id: "cnfs_posts".into(),
            envelope: "cnfs".into(),
            label: "4,000 posts at the public first-wave amount".into(),
            amount: public.total.times(posts, "posts")?,
            unit: Some(public.total),
            quantity: Some(posts),
            rule: Some("cnfs.v1.public.mainland".into()),
            date: Some(on),
        }],
    };
    let report = check(&plan, book);
    Ok((plan, report))
}

/// The recovery plan as an explained table: one line per envelope, the per-post figures,
/// and the total, which equals the 250 M€ line when the plan balances.
pub fn recovery_plan_table(book: &RuleBook, on: NaiveDate) -> Result<Breakdown, FundingError> {
    let (plan, report) = recovery_plan(book, on)?;
    if let Some(first) = report.issues.first() {
        return Err(FundingError::input(first.id.clone(), first.message.clone()));
    }
    let rule =
        |id: &str| -> Result<Vec<RuleRef>, FundingError> { Ok(vec![book.rule(id, on)?.into()]) };
    let mut lines = Vec::new();
    for (env, id) in [
        ("cnfs", "relance.inclusion.cnfs"),
        ("venues", "relance.inclusion.venues"),
        ("aidants_connect", "relance.inclusion.aidants_connect"),
        ("aidants_training", "relance.inclusion.aidants_training"),
    ] {
        let e = plan
            .envelopes
            .iter()
            .find(|e| e.id == env)
            .expect("built above");
        lines.push(Line {
            label: e.label.clone(),
            amount: e.amount,
            rules: rule(id)?,
            inputs: vec![],
            formula: format!("{id} = {}", e.amount),
            rounding: None,
        });
    }
    let (_, posts) = book.count("relance.cnfs.posts", on)?;
    let cnfs = plan
        .envelopes
        .iter()
        .find(|e| e.id == "cnfs")
        .expect("built above")
        .amount;
    let per_post = cnfs.times(Decimal::ONE / posts, "per_post")?;
    lines.push(Line {
        label: "per post (envelope / posts)".into(),
        amount: per_post,
        rules: [
            rule("relance.inclusion.cnfs")?,
            rule("relance.cnfs.posts")?,
            rule("cnfs.v1.public.mainland")?,
        ]
        .concat(),
        inputs: vec![("posts".into(), posts.to_string())],
        formula: format!("{cnfs} / {posts} = the public first-wave amount per post"),
        rounding: None,
    });
    let (_, private) = book.amount("cnfs.v1.private.faq", on)?;
    let private_posts = (cnfs.amount() / private.amount()).floor();
    lines.push(Line {
        label: "per post if private (posts the envelope would fund)".into(),
        amount: private,
        rules: rule("cnfs.v1.private.faq")?,
        inputs: vec![],
        formula: format!(
            "cnfs.v1.private.faq = {private}; {cnfs} / {private} = {private_posts} posts"
        ),
        rounding: None,
    });
    let total = plan.envelopes[0].amount;
    Ok(Breakdown {
        title: "France Relance: the digital-inclusion line".into(),
        lines,
        total,
        total_label: "total (= cnfs + venues + aidants; checked)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_plan_adds_up_exactly() {
        let book = RuleBook::default();
        let on = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        let (_, report) = recovery_plan(&book, on).unwrap();
        assert!(report.is_ok(), "{:?}", report.issues);
        assert_eq!(report.spent["inclusion"], Euros::whole(250_000_000));
        let t = recovery_plan_table(&book, on).unwrap();
        assert_eq!(t.total, Euros::whole(250_000_000));
        let sum: Euros = t.lines[..4].iter().map(|l| l.amount).sum();
        assert_eq!(sum, t.total);
        assert_eq!(
            t.line("per post (envelope / posts)").unwrap().amount,
            Euros::whole(50_000)
        );
        assert!(
            t.lines[5].formula.ends_with("= 5000 posts"),
            "{}",
            t.lines[5].formula
        );
    }

    #[test]
    fn a_changed_rule_that_breaks_the_sum_is_reported() {
        let mut book = RuleBook::default();
        let on = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        let mut venues = book.rule("relance.inclusion.venues", on).unwrap().clone();
        venues.value = crate::funding::RuleValue::Amount(Euros::whole(41_000_000));
        book.set(venues);
        let (_, report) = recovery_plan(&book, on).unwrap();
        assert_eq!(report.issues.len(), 1);
        assert_eq!(report.issues[0].code, "envelope_overspent");
        assert_eq!(
            recovery_plan_table(&book, on).unwrap_err().code(),
            "invalid_input"
        );
    }
}
