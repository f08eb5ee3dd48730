//! France Services (R10): the yearly forfait per labelled structure and the network's
//! total with the departmental animation. Research note funding.md §5 and §7.
//!
//! The forfait is 30,000 € to 2022 and 35,000 € from 2023 (firm for 2023; 2024 and 2025
//! assumed unchanged, uncertain), and 50,000 € from 2026 (the government's target,
//! uncertain; the France Ruralités bonus, amount unknown, is not included). The animation
//! per département is 25,000 € to 2023 and 50,000 € from 2024. All are rules
//! (`france_services.forfait`, `france_services.animation`) a caller can replace.

use chrono::NaiveDate;

use super::error::FundingError;
use super::explain::Breakdown;
use super::explain::line;
use super::money::Euros;
use super::rules::{Rule, RuleBook};

/// The amount rule `id` for the whole of `year`: the one in force on 1 January, which
/// must also be the one in force on 31 December (a change during the year is
/// `invalid_input` naming `year`, not a guess).
fn for_year<'b>(
    book: &'b RuleBook,
    id: &str,
    year: i32,
) -> Result<(&'b Rule, Euros), FundingError> {
    let bad_year = || FundingError::input("year", format!("{year} is not a calendar year"));
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad_year)?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad_year)?;
    let (rule, amount) = book.amount(id, first)?;
    let (end_rule, _) = book.amount(id, last)?;
    if rule != end_rule {
        return Err(FundingError::input(
            "year",
            format!("{id} changes during {year}; no single yearly amount"),
        ));
    }
    Ok((rule, amount))
}

/// R10: the yearly forfait for one labelled France Services structure in `year`
/// (rule `france_services.forfait` in force that year). Years before the rule
/// (before 2019) are `outside_rule_validity`.
///
/// ```
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::france_services::yearly_forfait;
///
/// let book = RuleBook::default();
/// assert_eq!(yearly_forfait(&book, 2022).unwrap().total, Euros::whole(30_000));
/// assert_eq!(yearly_forfait(&book, 2023).unwrap().total, Euros::whole(35_000));
/// assert_eq!(yearly_forfait(&book, 2026).unwrap().total, Euros::whole(50_000));
/// ```
pub fn yearly_forfait(book: &RuleBook, year: i32) -> Result<Breakdown, FundingError> {
    let (rule, forfait) = for_year(book, "france_services.forfait", year)?;
    Ok(Breakdown {
        title: format!("France Services: yearly forfait per labelled structure, {year}"),
        lines: vec![line(
            "forfait per labelled structure",
            forfait,
            vec![rule.into()],
            vec![("year", year.to_string())],
            format!(
                "france_services.forfait in {year} = {forfait} ({})",
                rule.note
            ),
            None,
        )],
        total: forfait,
        total_label: format!("forfait for {year}"),
    })
}

/// R10: the State's money for a France Services network in `year`: `forfait ×
/// structures + france_services.animation × departements`, one line for each term.
///
/// ```
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::france_services::network_total;
///
/// let book = RuleBook::default();
/// let n = network_total(&book, 10, 2, 2024).unwrap();
/// assert_eq!(n.total, Euros::whole(10 * 35_000 + 2 * 50_000));
/// ```
pub fn network_total(
    book: &RuleBook,
    structures: u32,
    departements: u32,
    year: i32,
) -> Result<Breakdown, FundingError> {
    let (forfait_rule, forfait) = for_year(book, "france_services.forfait", year)?;
    let (animation_rule, animation) = for_year(book, "france_services.animation", year)?;
    let forfaits = forfait.times_count(u64::from(structures));
    let animations = animation.times_count(u64::from(departements));
    let total = forfaits + animations;
    let inputs = vec![
        ("structures", structures.to_string()),
        ("departements", departements.to_string()),
        ("year", year.to_string()),
    ];
    Ok(Breakdown {
        title: format!(
            "France Services: {structures} structure(s) in {departements} département(s), {year}"
        ),
        lines: vec![
            line(
                "forfaits of the labelled structures",
                forfaits,
                vec![forfait_rule.into()],
                inputs.clone(),
                format!("{forfait} × {structures}"),
                None,
            ),
            line(
                "network animation",
                animations,
                vec![animation_rule.into()],
                inputs,
                format!("{animation} × {departements}"),
                None,
            ),
        ],
        total,
        total_label: format!("France Services network, {year}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funding::rules::{Confidence, RuleValue};

    #[test]
    fn r10_forfait_by_year() {
        let book = RuleBook::default();
        let f = |y| yearly_forfait(&book, y).unwrap();
        for (year, amount) in [
            (2019, 30_000),
            (2022, 30_000),
            (2023, 35_000),
            (2024, 35_000),
            (2025, 35_000),
            (2026, 50_000),
        ] {
            assert_eq!(f(year).total, Euros::whole(amount), "{year}");
        }
        assert_eq!(f(2022).lines[0].rules[0].confidence, Confidence::Firm);
        assert_eq!(f(2024).lines[0].rules[0].confidence, Confidence::Uncertain);
        assert_eq!(f(2026).lines[0].rules[0].sources, ["S43"]);
        assert_eq!(
            yearly_forfait(&book, 2018).unwrap_err().code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn r10_network_total_is_explained() {
        let book = RuleBook::default();
        let n = network_total(&book, 2_800, 101, 2024).unwrap();
        assert_eq!(n.lines[0].amount, Euros::whole(98_000_000));
        assert_eq!(n.lines[1].amount, Euros::whole(5_050_000));
        assert_eq!(n.total, Euros::whole(103_050_000));
        assert_eq!(n.lines[1].rules[0].id, "france_services.animation");
        // Animation was 25,000 € per département to 2023.
        let n = network_total(&book, 3, 2, 2023).unwrap();
        assert_eq!(n.total, Euros::whole(3 * 35_000 + 2 * 25_000));
        assert_eq!(n.lines[1].formula, "25000 × 2");
        assert_eq!(network_total(&book, 0, 0, 2022).unwrap().total, Euros::ZERO);
        assert_eq!(
            network_total(&book, 1, 1, 2018).unwrap_err().code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn a_rule_changing_mid_year_is_refused() {
        let book = RuleBook::from_tsv(
            "france_services.forfait\tamount\t30000\t2019-01-01\t2023-06-30\tfirm\tS41\tx\n\
             france_services.forfait\tamount\t35000\t2023-07-01\t-\tfirm\tS42\tx",
        )
        .unwrap();
        let e = yearly_forfait(&book, 2023).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().starts_with("year:"), "{e}");
        assert_eq!(
            yearly_forfait(&book, 2024).unwrap().total,
            Euros::whole(35_000)
        );
        let mut book = RuleBook::default();
        book.set(Rule {
            id: "france_services.forfait".into(),
            value: RuleValue::Amount(Euros::whole(1)),
            valid_from: None,
            valid_until: None,
            confidence: Confidence::Uncertain,
            sources: vec!["S43".into()],
            note: "override".into(),
        });
        assert_eq!(yearly_forfait(&book, 2010).unwrap().total, Euros::whole(1));
    }
}
