//! Conseiller numérique France Services: the first wave (R1, R2, R4), the renewal (R3),
//! vacancies (R5) and training paths (R6). Research note funding.md §2 and §7.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::error::FundingError;
use super::explain::line;
use super::explain::{Breakdown, RuleRef};
use super::money::{Euros, Rounding, RoundingMode};
use super::rules::RuleBook;

/// Who employs the conseiller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployerType {
    /// Collectivités, their groupings, public-law GIPs.
    Public,
    /// Associations, ESS companies, ESH, non-profit bodies of general interest.
    Private,
}

impl FromStr for EmployerType {
    type Err = FundingError;
    fn from_str(s: &str) -> Result<Self, FundingError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" | "publique" | "public_employer" => Ok(EmployerType::Public),
            "private" | "prive" | "privé" | "private_employer" => Ok(EmployerType::Private),
            _ => Err(FundingError::UnknownEmployerType {
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for EmployerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmployerType::Public => "public",
            EmployerType::Private => "private",
        })
    }
}

/// The territories whose first-wave amounts differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Territory {
    /// Metropolitan France, Corsica included.
    Mainland,
    /// Guadeloupe (971), Martinique (972), Guyane (973).
    AntillesGuyane,
    /// La Réunion (974), Mayotte (976).
    ReunionMayotte,
}

impl Territory {
    /// From a département code (`75`, `2A`, `971`) or a name (`mainland`,
    /// `antilles_guyane`, `reunion_mayotte`). Other overseas codes (975, 977, 978, 98x)
    /// are `unknown_territory`: no rule covers them.
    pub fn parse(s: &str) -> Result<Self, FundingError> {
        let t = s.trim();
        let unknown = || FundingError::UnknownTerritory {
            value: s.to_owned(),
        };
        match t.to_ascii_lowercase().as_str() {
            "mainland" | "metropole" | "métropole" => return Ok(Territory::Mainland),
            "antilles_guyane" => return Ok(Territory::AntillesGuyane),
            "reunion_mayotte" => return Ok(Territory::ReunionMayotte),
            "2a" | "2b" => return Ok(Territory::Mainland),
            "971" | "972" | "973" => return Ok(Territory::AntillesGuyane),
            "974" | "976" => return Ok(Territory::ReunionMayotte),
            _ => {}
        }
        match t.parse::<u32>() {
            Ok(n) if t.len() == 2 && (1..=95).contains(&n) && n != 20 => Ok(Territory::Mainland),
            _ => Err(unknown()),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Territory::Mainland => "mainland",
            Territory::AntillesGuyane => "antilles_guyane",
            Territory::ReunionMayotte => "reunion_mayotte",
        }
    }
}

impl<'de> Deserialize<'de> for EmployerType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(FundingError::into_serde)
    }
}

impl<'de> Deserialize<'de> for Territory {
    /// A name, a département code as text (`"2A"`, `"971"`), or a code as a number.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Code(u32),
        }
        let s = match Repr::deserialize(d)? {
            Repr::Text(s) => s,
            Repr::Code(n) => format!("{n:02}"),
        };
        Territory::parse(&s).map_err(FundingError::into_serde)
    }
}

impl FromStr for Territory {
    type Err = FundingError;
    fn from_str(s: &str) -> Result<Self, FundingError> {
        Territory::parse(s)
    }
}

impl fmt::Display for Territory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Which source gives the private first-wave amount (they disagree, funding.md §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivateAmountSource {
    /// The help-centre FAQ: 40,000 € (rule `cnfs.v1.private.faq`). The default, matching
    /// the programme brief and the renewal ladder (20,000 €/year).
    #[default]
    Faq,
    /// ANCT's open-data export code: 32,000 € (rule `cnfs.v1.private.anct_code`).
    AnctCode,
}

/// R1: the first-wave subsidy for one full-time post, the convention length and the
/// monthly equivalent (exact; not a payable amount).
pub fn first_wave_post(
    book: &RuleBook,
    employer: EmployerType,
    territory: Territory,
    private_source: PrivateAmountSource,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let (amount_id, months_id) = match (employer, private_source) {
        (EmployerType::Public, _) => (
            format!("cnfs.v1.public.{}", territory.key()),
            "cnfs.v1.months.public",
        ),
        (EmployerType::Private, PrivateAmountSource::Faq) => (
            "cnfs.v1.private.faq".to_owned(),
            "cnfs.v1.months.private.faq",
        ),
        (EmployerType::Private, PrivateAmountSource::AnctCode) => (
            "cnfs.v1.private.anct_code".to_owned(),
            "cnfs.v1.months.private",
        ),
    };
    let (amount_rule, amount) = book.amount(&amount_id, on)?;
    let (months_rule, months) = book.months(months_id, on)?;
    let monthly = amount.divided_by(months, "months")?;
    let inputs = vec![
        ("employer", employer.to_string()),
        ("territory", territory.to_string()),
        ("date", on.to_string()),
    ];
    Ok(Breakdown {
        title: format!("Conseiller numérique, first wave: one {employer} post, {territory}"),
        lines: vec![
            line(
                "subsidy per full-time post",
                amount,
                vec![amount_rule.into()],
                inputs.clone(),
                format!("{amount_id} = {amount}"),
                None,
            ),
            line(
                "monthly equivalent (exact, not payable)",
                monthly,
                vec![amount_rule.into(), months_rule.into()],
                inputs,
                format!("{amount} / {months} months"),
                None,
            ),
        ],
        total: amount,
        total_label: format!("subsidy over {months} months"),
    })
}

/// When the agency's export began rounding its estimate (commit b45c853a, funding.md §6).
pub const ANCT_ROUNDING_SINCE: NaiveDate = match NaiveDate::from_ymd_opt(2023, 8, 2) {
    Some(d) => d,
    None => unreachable!(),
};

/// R2: ANCT's "estimated total State investment" for a structure, as its open-data export
/// computes it: `round((subsidy + 4,805 + 297.228 + 326.60) × posts)`, to the euro, half
/// up, on exports made from 2023-08-02; unrounded before (`on` decides). Private posts
/// use the export's own 32,000 € unless `private_source` says otherwise.
pub fn anct_estimated_investment(
    book: &RuleBook,
    employer: EmployerType,
    territory: Territory,
    posts: u32,
    private_source: PrivateAmountSource,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let post = first_wave_post(book, employer, territory, private_source, on)?;
    let subsidy = post.total;
    let mut rules = post.lines[0].rules.clone();
    let mut costs = Euros::ZERO;
    let mut parts = Vec::new();
    for id in [
        "cnfs.cost.training",
        "cnfs.cost.outfit",
        "cnfs.cost.certification",
    ] {
        let (r, a) = book.amount(id, on)?;
        rules.push(r.into());
        costs = costs + a;
        parts.push(a.to_string());
    }
    let exact = (subsidy + costs).times_count(u64::from(posts));
    let rounded = on >= ANCT_ROUNDING_SINCE;
    let total = if rounded {
        exact.round(Rounding::EURO)
    } else {
        exact
    };
    let inputs = vec![
        ("employer", employer.to_string()),
        ("territory", territory.to_string()),
        ("posts", posts.to_string()),
        ("date", on.to_string()),
    ];
    Ok(Breakdown {
        title: format!("ANCT estimated State investment: {posts} {employer} post(s), {territory}"),
        lines: vec![
            line(
                "subsidy per post",
                subsidy,
                rules[..1].to_vec(),
                inputs.clone(),
                post.lines[0].formula.clone(),
                None,
            ),
            line(
                "State costs per conseiller",
                costs,
                rules[1..].to_vec(),
                inputs.clone(),
                parts.join(" + "),
                None,
            ),
            line(
                "estimated investment",
                total,
                rules,
                inputs,
                format!(
                    "({subsidy} + {costs}) × {posts} = {exact}{}",
                    if rounded {
                        ", rounded as Math.round does (exports from 2023-08-02)"
                    } else {
                        ", unrounded (exports before 2023-08-02)"
                    }
                ),
                rounded.then_some(Rounding::EURO),
            ),
        ],
        total,
        total_label: "estimated State investment".into(),
    })
}

/// R4 (a documented hypothesis, not an official formula): what a first-wave post ending
/// early still earns, pro rata of months used, and what must be paid back.
///
/// `due = subsidy × months_used / months_in_convention`, rounded with `rounding` (the
/// cent by default); `refund = paid_to_date − due` when positive. The principle (art. 8:
/// sums whose use cannot be justified are returned) is firm; the pro-rata by months is
/// inferred from the agency's "months used" fields (funding.md §2.2, R4).
pub fn early_termination(
    subsidy: Euros,
    months_in_convention: u32,
    months_used: u32,
    paid_to_date: Euros,
    rounding: Rounding,
) -> Result<Breakdown, FundingError> {
    if months_in_convention == 0 {
        return Err(FundingError::input(
            "months_in_convention",
            "must be at least 1",
        ));
    }
    if months_used > months_in_convention {
        return Err(FundingError::input(
            "months_used",
            format!("{months_used} is more than the convention's {months_in_convention} months"),
        ));
    }
    let due = subsidy
        .times(
            Decimal::from(months_used) / Decimal::from(months_in_convention),
            "due",
        )?
        .round(rounding);
    let refund = paid_to_date.saturating_minus(due);
    let still_owed = due.saturating_minus(paid_to_date);
    let inputs = vec![
        ("subsidy", subsidy.to_string()),
        ("months_in_convention", months_in_convention.to_string()),
        ("months_used", months_used.to_string()),
        ("paid_to_date", paid_to_date.to_string()),
    ];
    Ok(Breakdown {
        title: "Conseiller numérique, early end of a post (pro-rata hypothesis R4)".into(),
        lines: vec![
            line(
                "earned for the months used",
                due,
                vec![],
                inputs.clone(),
                format!(
                    "{subsidy} × {months_used} / {months_in_convention} (hypothesis: pro rata of months)"
                ),
                Some(rounding),
            ),
            line(
                "to pay back",
                refund,
                vec![],
                inputs.clone(),
                format!("max(0, {paid_to_date} − {due})"),
                None,
            ),
            line(
                "still to pay the employer",
                still_owed,
                vec![],
                inputs,
                format!("max(0, {due} − {paid_to_date})"),
                None,
            ),
        ],
        total: refund,
        total_label: "to pay back".into(),
    })
}

/// R3: the renewal's degressive three-year schedule for one post, with the QPV/ZRR bonus
/// for public structures; one line per yearly tranche.
pub fn renewal_post(
    book: &RuleBook,
    employer: EmployerType,
    qpv_or_zrr: bool,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    if qpv_or_zrr && employer == EmployerType::Private {
        return Err(FundingError::input(
            "qpv_or_zrr",
            "the QPV/ZRR bonus is for public structures only",
        ));
    }
    let (months_rule, months) = book.months("cnfs.v2.months", on)?;
    let inputs = vec![
        ("employer", employer.to_string()),
        ("qpv_or_zrr", qpv_or_zrr.to_string()),
        ("date", on.to_string()),
    ];
    let mut lines = Vec::new();
    let mut total = Euros::ZERO;
    for year in 1..=3 {
        let id = format!("cnfs.v2.{employer}.year{year}");
        let (r, base) = book.amount(&id, on)?;
        let mut rules: Vec<RuleRef> = vec![r.into(), months_rule.into()];
        let mut amount = base;
        let mut formula = format!("{id} = {base}");
        if qpv_or_zrr {
            let bid = format!("cnfs.v2.bonus.year{year}");
            let (br, bonus) = book.amount(&bid, on)?;
            rules.push(br.into());
            amount = amount + bonus;
            formula = format!("{id} + {bid} = {base} + {bonus}");
        }
        total = total + amount;
        lines.push(line(
            &format!("year {year} tranche"),
            amount,
            rules,
            inputs.clone(),
            formula,
            None,
        ));
    }
    Ok(Breakdown {
        title: format!(
            "Conseiller numérique, renewal: one {employer} post{}, {months} months",
            if qpv_or_zrr { " in QPV or ZRR" } else { "" }
        ),
        lines,
        total,
        total_label: "renewal subsidy over three years".into(),
    })
}

/// R5: whether a post vacant for `vacancy_months` must be returned.
pub fn post_returned_after_vacancy(
    book: &RuleBook,
    vacancy_months: u32,
    on: NaiveDate,
) -> Result<bool, FundingError> {
    let (_, max) = book.months("cnfs.vacancy.max_months", on)?;
    Ok(vacancy_months > max)
}

/// R6: how many training paths the State funds for a structure with `posts` posts:
/// 2 per post up to 2 posts, 1.5 per post from 3 (an odd count rounds with `mode`; down
/// by default, the safe reading, since the source does not say).
pub fn training_path_cap(
    book: &RuleBook,
    posts: u32,
    mode: RoundingMode,
    on: NaiveDate,
) -> Result<(u32, Breakdown), FundingError> {
    if posts == 0 {
        return Err(FundingError::input("posts", "must be at least 1"));
    }
    let id = if posts <= 2 {
        "cnfs.training.paths_per_post.small"
    } else {
        "cnfs.training.paths_per_post.large"
    };
    let (r, per_post) = book.count(id, on)?;
    let exact = per_post * Decimal::from(posts);
    let rounding = Rounding {
        precision: super::money::Precision::Euro,
        mode,
    };
    let cap = rounding
        .apply(exact)
        .to_u32()
        .ok_or_else(|| FundingError::input("posts", "too many"))?;
    let breakdown = Breakdown {
        title: format!("State-funded training paths for a structure with {posts} post(s)"),
        lines: vec![],
        total: Euros::ZERO,
        total_label: format!(
            "{cap} paths = {per_post} × {posts} = {exact}, rounded {mode:?} ({id}, {})",
            r.sources.join(", ")
        ),
    };
    Ok((cap, breakdown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn r1_amounts_by_employer_and_territory() {
        let b = RuleBook::default();
        let on = d(2021, 6, 1);
        let get = |e, t, s| first_wave_post(&b, e, t, s, on).unwrap().total;
        assert_eq!(
            get(
                EmployerType::Public,
                Territory::Mainland,
                PrivateAmountSource::Faq
            ),
            Euros::whole(50_000)
        );
        assert_eq!(
            get(
                EmployerType::Public,
                Territory::AntillesGuyane,
                PrivateAmountSource::Faq
            ),
            Euros::whole(70_000)
        );
        assert_eq!(
            get(
                EmployerType::Public,
                Territory::ReunionMayotte,
                PrivateAmountSource::Faq
            ),
            Euros::whole(67_500)
        );
        assert_eq!(
            get(
                EmployerType::Private,
                Territory::Mainland,
                PrivateAmountSource::Faq
            ),
            Euros::whole(40_000)
        );
        assert_eq!(
            get(
                EmployerType::Private,
                Territory::Mainland,
                PrivateAmountSource::AnctCode
            ),
            Euros::whole(32_000)
        );
        let p = first_wave_post(
            &b,
            EmployerType::Public,
            Territory::Mainland,
            PrivateAmountSource::Faq,
            on,
        )
        .unwrap();
        assert_eq!(
            p.lines[1].amount.round(Rounding::CENT),
            Euros::from_cents(208_333)
        );
        let p = first_wave_post(
            &b,
            EmployerType::Private,
            Territory::Mainland,
            PrivateAmountSource::AnctCode,
            on,
        )
        .unwrap();
        assert_eq!(p.total_label, "subsidy over 18 months");
        assert_eq!(
            p.lines[1].amount.round(Rounding::CENT),
            Euros::from_cents(177_778)
        );
        let e = first_wave_post(
            &b,
            EmployerType::Public,
            Territory::Mainland,
            PrivateAmountSource::Faq,
            d(2019, 1, 1),
        )
        .unwrap_err();
        assert_eq!(e.code(), "outside_rule_validity");
    }

    #[test]
    fn r2_reproduces_the_agency_formula_to_the_euro() {
        let b = RuleBook::default();
        let on = d(2024, 1, 1);
        let inv = |e, t, n| {
            anct_estimated_investment(&b, e, t, n, PrivateAmountSource::AnctCode, on)
                .unwrap()
                .total
        };
        assert_eq!(
            inv(EmployerType::Public, Territory::Mainland, 1),
            Euros::whole(55_429)
        );
        assert_eq!(
            inv(EmployerType::Public, Territory::Mainland, 3),
            Euros::whole(166_286)
        );
        assert_eq!(
            inv(EmployerType::Private, Territory::Mainland, 1),
            Euros::whole(37_429)
        );
        // Before the export rounded (2021-09-15 .. 2023-08-01): the exact value.
        let before = anct_estimated_investment(
            &b,
            EmployerType::Public,
            Territory::Mainland,
            3,
            PrivateAmountSource::AnctCode,
            d(2022, 1, 1),
        )
        .unwrap();
        assert_eq!(before.total, Euros::parse("166286.484", "x").unwrap());
    }

    #[test]
    fn r3_renewal_schedules() {
        let b = RuleBook::default();
        let on = d(2023, 3, 1);
        let public = renewal_post(&b, EmployerType::Public, false, on).unwrap();
        let amounts: Vec<Euros> = public.lines.iter().map(|l| l.amount).collect();
        assert_eq!(
            amounts,
            vec![
                Euros::whole(17_500),
                Euros::whole(12_500),
                Euros::whole(12_500)
            ]
        );
        assert_eq!(public.total, Euros::whole(42_500));
        assert_eq!(
            renewal_post(&b, EmployerType::Public, true, on)
                .unwrap()
                .total,
            Euros::whole(50_000)
        );
        assert_eq!(
            renewal_post(&b, EmployerType::Private, false, on)
                .unwrap()
                .total,
            Euros::whole(44_000)
        );
        assert_eq!(
            renewal_post(&b, EmployerType::Private, true, on)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        assert_eq!(
            renewal_post(&b, EmployerType::Public, false, d(2022, 12, 31))
                .unwrap_err()
                .code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn r4_pro_rata_hypothesis() {
        let r = early_termination(
            Euros::whole(50_000),
            24,
            17,
            Euros::whole(50_000),
            Rounding::CENT,
        )
        .unwrap();
        assert_eq!(r.lines[0].amount, Euros::from_cents(3_541_667));
        assert_eq!(r.total, Euros::from_cents(1_458_333));
        let r = early_termination(
            Euros::whole(50_000),
            24,
            17,
            Euros::whole(25_000),
            Rounding::CENT,
        )
        .unwrap();
        assert_eq!(r.total, Euros::ZERO);
        assert_eq!(r.lines[2].amount, Euros::from_cents(1_041_667));
        assert_eq!(
            early_termination(Euros::whole(1), 24, 25, Euros::ZERO, Rounding::CENT)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn r5_and_r6() {
        let b = RuleBook::default();
        let on = d(2023, 1, 1);
        assert!(!post_returned_after_vacancy(&b, 6, on).unwrap());
        assert!(post_returned_after_vacancy(&b, 7, on).unwrap());
        let cap = |n| training_path_cap(&b, n, RoundingMode::Down, on).unwrap().0;
        assert_eq!((cap(1), cap(2), cap(3), cap(4), cap(5)), (2, 4, 4, 6, 7));
        assert_eq!(
            training_path_cap(&b, 5, RoundingMode::HalfAwayFromZero, on)
                .unwrap()
                .0,
            8
        );
        assert_eq!(
            training_path_cap(&b, 0, RoundingMode::Down, on)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn territories_and_employers_parse() {
        assert_eq!(Territory::parse("75").unwrap(), Territory::Mainland);
        assert_eq!(Territory::parse("2A").unwrap(), Territory::Mainland);
        assert_eq!(Territory::parse("972").unwrap(), Territory::AntillesGuyane);
        assert_eq!(Territory::parse("976").unwrap(), Territory::ReunionMayotte);
        for bad in ["975", "988", "20", "96", "00", "x", ""] {
            assert_eq!(
                Territory::parse(bad).unwrap_err().code(),
                "unknown_territory",
                "{bad}"
            );
        }
        assert_eq!(
            "privé".parse::<EmployerType>().unwrap(),
            EmployerType::Private
        );
        assert_eq!(
            "mixed".parse::<EmployerType>().unwrap_err().code(),
            "unknown_employer_type"
        );
    }
}
