//! Hubs territoriaux pour un numérique inclusif, 2020-21 call (R9): a base grant plus
//! bonuses for action in QPV and in Action Cœur de Ville towns. Research note funding.md
//! §4 and §7.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::FundingError;
use super::explain::line;
use super::explain::{Breakdown, RuleRef};
use super::money::Euros;
use super::rules::RuleBook;

/// How the two 50,000 € bonuses combine when a hub qualifies for both.
///
/// The call's text (source S38) announces 250,000 € per hub "plus 50,000 € bonuses" for
/// QPV and for Action Cœur de Ville without saying whether a hub gets both; the research
/// note marks stacking uncertain (funding.md §4, open question 7). So it is a parameter
/// rather than a guess buried in the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BonusStacking {
    /// Both bonuses add: at most 250,000 + 50,000 + 50,000 = 350,000 €. The default: it
    /// is the literal reading of the call (two bonuses, each for its own criterion,
    /// formula R9), and the source says nothing to forbid it.
    #[default]
    Stack,
    /// Only the highest bonus is paid (the QPV one on a tie): at most 300,000 €. The
    /// cautious reading.
    HighestOnly,
}

/// R9: the grant of one hub under the 2020-21 call: `hub.ami2020.base` (250,000 €) plus
/// `hub.ami2020.bonus_qpv` if it acts in QPV and `hub.ami2020.bonus_acv` if it acts in
/// Action Cœur de Ville towns, combined as `stacking` says. One line for the base and one
/// per bonus claimed (a bonus not paid under [`BonusStacking::HighestOnly`] shows 0 € and
/// says why). The rules are valid for the call (2020-11-17 to 2021-12-31); another `on` is
/// `outside_rule_validity`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::hubs::{hub_grant, BonusStacking};
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
/// let both = hub_grant(&book, true, true, BonusStacking::Stack, on).unwrap();
/// assert_eq!(both.total, Euros::whole(350_000));
/// let highest = hub_grant(&book, true, true, BonusStacking::HighestOnly, on).unwrap();
/// assert_eq!(highest.total, Euros::whole(300_000));
/// ```
pub fn hub_grant(
    book: &RuleBook,
    qpv: bool,
    action_coeur_de_ville: bool,
    stacking: BonusStacking,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let (base_rule, base) = book.amount("hub.ami2020.base", on)?;
    let (qpv_rule, qpv_bonus) = book.amount("hub.ami2020.bonus_qpv", on)?;
    let (acv_rule, acv_bonus) = book.amount("hub.ami2020.bonus_acv", on)?;
    let stacking_name = match stacking {
        BonusStacking::Stack => "stack",
        BonusStacking::HighestOnly => "highest_only",
    };
    let inputs = vec![
        ("qpv", qpv.to_string()),
        ("action_coeur_de_ville", action_coeur_de_ville.to_string()),
        ("stacking", stacking_name.to_owned()),
        ("date", on.to_string()),
    ];
    // Under HighestOnly with both bonuses, the lower one is not paid (ACV on a tie).
    let drop_acv = stacking == BonusStacking::HighestOnly
        && qpv
        && action_coeur_de_ville
        && acv_bonus <= qpv_bonus;
    let drop_qpv =
        stacking == BonusStacking::HighestOnly && qpv && action_coeur_de_ville && !drop_acv;

    let mut lines = vec![line(
        "base grant",
        base,
        vec![base_rule.into()],
        inputs.clone(),
        format!("hub.ami2020.base = {base}"),
        None,
    )];
    let mut total = base;
    let mut bonus_line = |label: &str, id: &str, rule: RuleRef, amount: Euros, dropped: bool| {
        let (paid, formula) = if dropped {
            (
                Euros::ZERO,
                format!("{id} = {amount}, not paid: highest bonus only (stacking uncertain)"),
            )
        } else {
            (amount, format!("{id} = {amount}"))
        };
        total = total + paid;
        lines.push(line(label, paid, vec![rule], inputs.clone(), formula, None));
    };
    if qpv {
        bonus_line(
            "bonus for action in QPV",
            "hub.ami2020.bonus_qpv",
            qpv_rule.into(),
            qpv_bonus,
            drop_qpv,
        );
    }
    if action_coeur_de_ville {
        bonus_line(
            "bonus for Action Cœur de Ville towns",
            "hub.ami2020.bonus_acv",
            acv_rule.into(),
            acv_bonus,
            drop_acv,
        );
    }
    Ok(Breakdown {
        title: format!(
            "Hub territorial, 2020-21 call: grant (QPV {qpv}, Action Cœur de Ville {action_coeur_de_ville}, bonuses {stacking_name})"
        ),
        lines,
        total,
        total_label: "hub grant".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funding::rules::{Confidence, Rule, RuleValue};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn r9_every_combination() {
        let book = RuleBook::default();
        let on = d(2021, 3, 1);
        let g = |q, a, s| hub_grant(&book, q, a, s, on).unwrap().total;
        for s in [BonusStacking::Stack, BonusStacking::HighestOnly] {
            assert_eq!(g(false, false, s), Euros::whole(250_000));
            assert_eq!(g(true, false, s), Euros::whole(300_000));
            assert_eq!(g(false, true, s), Euros::whole(300_000));
        }
        assert_eq!(g(true, true, BonusStacking::Stack), Euros::whole(350_000));
        assert_eq!(
            g(true, true, BonusStacking::HighestOnly),
            Euros::whole(300_000)
        );
        assert_eq!(BonusStacking::default(), BonusStacking::Stack);
    }

    #[test]
    fn r9_lines_explain_each_bonus() {
        let book = RuleBook::default();
        let on = d(2021, 3, 1);
        let b = hub_grant(&book, true, true, BonusStacking::HighestOnly, on).unwrap();
        assert_eq!(b.lines.len(), 3);
        assert_eq!(
            b.line("bonus for action in QPV").unwrap().amount,
            Euros::whole(50_000)
        );
        let acv = b.line("bonus for Action Cœur de Ville towns").unwrap();
        assert_eq!(acv.amount, Euros::ZERO);
        assert!(acv.formula.contains("not paid"), "{}", acv.formula);
        assert_eq!(acv.rules[0].id, "hub.ami2020.bonus_acv");
        assert!(b.lines.iter().all(|l| !l.rules.is_empty()));
        let plain = hub_grant(&book, false, false, BonusStacking::Stack, on).unwrap();
        assert_eq!(plain.lines.len(), 1);
    }

    #[test]
    fn r9_highest_only_keeps_the_larger_bonus() {
        let mut book = RuleBook::default();
        book.set(Rule {
            id: "hub.ami2020.bonus_acv".into(),
            value: RuleValue::Amount(Euros::whole(60_000)),
            valid_from: None,
            valid_until: None,
            confidence: Confidence::Uncertain,
            sources: vec!["S38".into()],
            note: "test override".into(),
        });
        let b = hub_grant(&book, true, true, BonusStacking::HighestOnly, d(2021, 3, 1)).unwrap();
        assert_eq!(b.total, Euros::whole(310_000));
        assert_eq!(
            b.line("bonus for action in QPV").unwrap().amount,
            Euros::ZERO
        );
    }

    #[test]
    fn r9_only_during_the_call() {
        let book = RuleBook::default();
        assert!(hub_grant(&book, false, false, BonusStacking::Stack, d(2020, 11, 17)).is_ok());
        assert!(hub_grant(&book, false, false, BonusStacking::Stack, d(2021, 12, 31)).is_ok());
        for on in [d(2020, 11, 16), d(2022, 1, 1)] {
            assert_eq!(
                hub_grant(&book, true, true, BonusStacking::Stack, on)
                    .unwrap_err()
                    .code(),
                "outside_rule_validity"
            );
        }
    }
}
