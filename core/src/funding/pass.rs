//! Pass numérique: the State's co-financing (R7: the 2019 band and the 2020 call) and the
//! operator's arithmetic (R8: order invoice, monthly venue payouts, credit notes for
//! unused passes, validity dates). Research note funding.md §3, §7 and §8.
//!
//! Every function returns a [`Breakdown`] whose lines cite their rules (`pass.*` in
//! `core/data/funding-rules.tsv`); rounding is named on the lines where an amount becomes
//! payable. A value outside a rule (an order below the minimum, a deduction above 5 %, a
//! 2019 rate outside 20 %-65 %) is an error, never clamped.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::error::FundingError;
use super::explain::line;
use super::explain::{Breakdown, RuleRef};
use super::money::{Euros, Precision, Rate, Rounding, RoundingMode};
use super::rules::RuleBook;

/// The rounding of the 2020 State grant: to the cent, down, because the call pays "at
/// most" 50 % of the passes used; rounding up could pay more than that. With the 10 €
/// face value the grant is always a whole number of euros and nothing is rounded.
pub const STATE_GRANT_ROUNDING: Rounding = Rounding {
    precision: Precision::Cent,
    mode: RoundingMode::Down,
};

/// An order of passes under the 2020 call, as the State's grant needs it.
///
/// Build it with [`PassOrder::new`], or deserialize it (`{"bought": 10000, "used": 7000,
/// "priority_publics": 6000}`; `redeemed` is accepted for `used`); every function taking
/// an order checks it again with [`PassOrder::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassOrder {
    /// Passes bought.
    pub bought: u64,
    /// Passes actually used (redeemed at a venue); at most `bought`.
    #[serde(alias = "redeemed")]
    pub used: u64,
    /// Passes handed to priority publics (PIC: people far from employment); at most
    /// `bought`.
    pub priority_publics: u64,
}

impl PassOrder {
    /// A checked order (`invalid_input` naming `used` or `priority_publics`).
    pub fn new(bought: u64, used: u64, priority_publics: u64) -> Result<Self, FundingError> {
        let order = PassOrder {
            bought,
            used,
            priority_publics,
        };
        order.validate()?;
        Ok(order)
    }

    /// Checks the counts: `used <= bought` and `priority_publics <= bought`.
    pub fn validate(&self) -> Result<(), FundingError> {
        if self.used > self.bought {
            return Err(FundingError::input(
                "used",
                format!(
                    "{} passes used is more than the {} bought",
                    self.used, self.bought
                ),
            ));
        }
        if self.priority_publics > self.bought {
            return Err(FundingError::input(
                "priority_publics",
                format!(
                    "{} passes for priority publics is more than the {} bought",
                    self.priority_publics, self.bought
                ),
            ));
        }
        Ok(())
    }
}

/// R7, 2020 call for projects: the State's grant on an order of passes.
///
/// The order's value is `bought × pass.face_value`. It must be at least
/// `pass.call2020.min_order` (20,000 €) and at most `pass.call2020.project_cap` (3 M€;
/// the project's value is taken as the order's, applicant and State money together), and
/// at least `pass.call2020.priority_share` (50 %) of the passes must go to priority
/// publics; each breach is `invalid_input` naming the field and the rule. The grant is
/// `min(pass.call2020.state_rate × used × face value, pass.call2020.state_cap)`, rounded
/// with [`STATE_GRANT_ROUNDING`]. The rules are dated 2020: another `on` is
/// `outside_rule_validity`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::pass::{call_2020_state_grant, PassOrder};
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2020, 10, 15).unwrap();
/// let order = PassOrder::new(10_000, 7_000, 5_000).unwrap();
/// let grant = call_2020_state_grant(&book, &order, on).unwrap();
/// assert_eq!(grant.total, Euros::whole(35_000));
/// ```
pub fn call_2020_state_grant(
    book: &RuleBook,
    order: &PassOrder,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    order.validate()?;
    let (rate_rule, state_rate) = book.rate("pass.call2020.state_rate", on)?;
    let (min_rule, min_order) = book.amount("pass.call2020.min_order", on)?;
    let (cap_rule, state_cap) = book.amount("pass.call2020.state_cap", on)?;
    let (project_rule, project_cap) = book.amount("pass.call2020.project_cap", on)?;
    let (share_rule, priority_share) = book.rate("pass.call2020.priority_share", on)?;
    let (face_rule, face) = book.amount("pass.face_value", on)?;

    let order_value = face.times_count(order.bought);
    if order_value < min_order {
        return Err(FundingError::input(
            "order_value",
            format!(
                "{} passes × {face} € = {order_value} € is below the 2020 call's minimum order of {min_order} € (pass.call2020.min_order)",
                order.bought
            ),
        ));
    }
    if order_value > project_cap {
        return Err(FundingError::input(
            "order_value",
            format!(
                "{} passes × {face} € = {order_value} € is above the 2020 call's project cap of {project_cap} € (pass.call2020.project_cap)",
                order.bought
            ),
        ));
    }
    let least_priority = priority_share.value() * Decimal::from(order.bought);
    if Decimal::from(order.priority_publics) < least_priority {
        return Err(FundingError::input(
            "priority_publics",
            format!(
                "{} of {} passes is fewer than the {priority_share} the 2020 call requires for priority publics ({least_priority} passes; pass.call2020.priority_share)",
                order.priority_publics, order.bought
            ),
        ));
    }

    let priority_value = face.times_count(order.priority_publics);
    let used_value = face.times_count(order.used);
    let half = used_value.times_rate(state_rate);
    let grant = half.min(state_cap).round(STATE_GRANT_ROUNDING);
    let inputs = vec![
        ("bought", order.bought.to_string()),
        ("used", order.used.to_string()),
        ("priority_publics", order.priority_publics.to_string()),
        ("date", on.to_string()),
    ];
    Ok(Breakdown {
        title: format!(
            "Pass numérique, 2020 call: State grant on {} passes, {} used",
            order.bought, order.used
        ),
        lines: vec![
            line(
                "order value",
                order_value,
                vec![face_rule.into(), min_rule.into(), project_rule.into()],
                inputs.clone(),
                format!(
                    "{} × {face} = {order_value}, within {min_order} ..= {project_cap}",
                    order.bought
                ),
                None,
            ),
            line(
                "value of passes for priority publics",
                priority_value,
                vec![face_rule.into(), share_rule.into()],
                inputs.clone(),
                format!(
                    "{} × {face} = {priority_value}, at least {priority_share} of {order_value}",
                    order.priority_publics
                ),
                None,
            ),
            line(
                "value of passes actually used",
                used_value,
                vec![face_rule.into()],
                inputs.clone(),
                format!("{} × {face}", order.used),
                None,
            ),
            line(
                "State grant",
                grant,
                vec![rate_rule.into(), cap_rule.into()],
                inputs,
                format!("min({state_rate} × {used_value} = {half}, cap {state_cap})"),
                Some(STATE_GRANT_ROUNDING),
            ),
        ],
        total: grant,
        total_label: "State grant".into(),
    })
}

/// R7, 2019 call for projects: the State's share of a project budget at `rate`, which
/// must lie in the band `pass.call2019.rate_min ..= pass.call2019.rate_max` (20 %-65 %,
/// bonuses included; the simulator that chose the rate was not retrieved, so the caller
/// gives it). A rate outside the band is `invalid_input` naming `rate`, not clamped. The
/// share is `project_budget × rate`, rounded to the euro, half away from zero.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, Rate, RuleBook};
/// use inclusif_core::funding::pass::call_2019_state_share;
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2019, 5, 31).unwrap();
/// let rate = Rate::percent(60, "rate").unwrap();
/// let share = call_2019_state_share(&book, Euros::whole(100_000), rate, on).unwrap();
/// assert_eq!(share.total, Euros::whole(60_000));
/// ```
pub fn call_2019_state_share(
    book: &RuleBook,
    project_budget: Euros,
    rate: Rate,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let (min_rule, min) = book.rate("pass.call2019.rate_min", on)?;
    let (max_rule, max) = book.rate("pass.call2019.rate_max", on)?;
    if rate < min || rate > max {
        return Err(FundingError::input(
            "rate",
            format!(
                "{rate} is outside the 2019 call's band {min} ..= {max} (pass.call2019.rate_min, pass.call2019.rate_max)"
            ),
        ));
    }
    let exact = project_budget.times_rate(rate);
    let share = exact.round(Rounding::EURO);
    Ok(Breakdown {
        title: format!("Pass numérique, 2019 call: State share of a {project_budget} € project"),
        lines: vec![line(
            "State share",
            share,
            vec![min_rule.into(), max_rule.into()],
            vec![
                ("project_budget", project_budget.to_string()),
                ("rate", rate.value().to_string()),
                ("date", on.to_string()),
            ],
            format!("{project_budget} × {rate} = {exact}, rate within {min} ..= {max}"),
            Some(Rounding::EURO),
        )],
        total: share,
        total_label: "State share".into(),
    })
}

/// R8: what the operator invoices for an order of `passes`: the face value
/// (`passes × pass.face_value`), its up-front fee excluding VAT (`pass.aptic.fee_rate`,
/// 4 %), the VAT on that fee made explicit (`pass.aptic.fee_vat_rate`, 20 %, uncertain:
/// the operator does not state it), and the total. The fee and the VAT (computed on the
/// fee as invoiced) are rounded to the cent, half away from zero. Zero passes is
/// `invalid_input` naming `passes`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::pass::order_invoice;
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap();
/// let invoice = order_invoice(&book, 10_000, on).unwrap();
/// assert_eq!(invoice.line("operator fee excluding VAT").unwrap().amount, Euros::whole(4_000));
/// assert_eq!(invoice.total, Euros::whole(104_800));
/// ```
pub fn order_invoice(
    book: &RuleBook,
    passes: u64,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    if passes == 0 {
        return Err(FundingError::input(
            "passes",
            "an order has at least one pass",
        ));
    }
    let (face_rule, face) = book.amount("pass.face_value", on)?;
    let (fee_rule, fee_rate) = book.rate("pass.aptic.fee_rate", on)?;
    let (vat_rule, vat_rate) = book.rate("pass.aptic.fee_vat_rate", on)?;
    let face_total = face.times_count(passes);
    let fee_exact = face_total.times_rate(fee_rate);
    let fee = fee_exact.round(Rounding::CENT);
    let vat_exact = fee.times_rate(vat_rate);
    let vat = vat_exact.round(Rounding::CENT);
    let total = face_total + fee + vat;
    let inputs = vec![("passes", passes.to_string()), ("date", on.to_string())];
    Ok(Breakdown {
        title: format!("Pass numérique: operator invoice for {passes} passes"),
        lines: vec![
            line(
                "face value",
                face_total,
                vec![face_rule.into()],
                inputs.clone(),
                format!("{passes} × {face}"),
                None,
            ),
            line(
                "operator fee excluding VAT",
                fee,
                vec![fee_rule.into()],
                inputs.clone(),
                format!("{face_total} × {fee_rate} = {fee_exact}"),
                Some(Rounding::CENT),
            ),
            line(
                "VAT on the fee",
                vat,
                vec![vat_rule.into()],
                inputs.clone(),
                format!("{fee} × {vat_rate} = {vat_exact}"),
                Some(Rounding::CENT),
            ),
            line(
                "total to pay",
                total,
                vec![face_rule.into(), fee_rule.into(), vat_rule.into()],
                inputs,
                format!("{face_total} + {fee} + {vat}"),
                None,
            ),
        ],
        total,
        total_label: "total to pay, VAT included".into(),
    })
}

/// One venue's line of a monthly statement ([`venue_statement`]): what its cheques were
/// worth, what is kept and what it is paid. `face = payout + deduction` exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueStatementLine {
    /// The venue's id.
    pub venue: String,
    /// Cheques (passes) scanned in the month.
    pub passes: u64,
    /// Their face value, summed.
    pub face: Euros,
    /// The venue's deduction rate (0 to `pass.aptic.venue_deduction_max`).
    pub deduction_rate: Rate,
    /// What the operator keeps: `face − payout`.
    pub deduction: Euros,
    /// What the venue is paid: `face × (1 − deduction_rate)`, rounded to the cent, half
    /// away from zero ([`Rounding::CENT`]).
    pub payout: Euros,
}

/// R8: the operator's monthly statement to venues ([`venue_statement`]): one line per
/// venue, sorted by venue id, the totals (each the sum of the lines) and the same figures
/// as an explained [`Breakdown`] citing the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueStatement {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// One line per venue, by venue id.
    pub lines: Vec<VenueStatementLine>,
    /// Cheques in all.
    pub passes: u64,
    /// Face value in all.
    pub face: Euros,
    /// Deductions in all.
    pub deduction: Euros,
    /// Payouts in all (the sum of the rounded payouts).
    pub payout: Euros,
    /// The payouts explained: a line `venue <id>` per venue, then `total paid to venues`.
    pub breakdown: Breakdown,
}

/// Where a venue's face value comes from: `passes × pass.face_value` (the historical
/// 10 € pass, [`venue_payouts`]) or the sum of the cheques' own values
/// ([`venue_statement`]: a token carries its value).
#[derive(Clone, Copy)]
enum FaceOf<'a> {
    FixedPass(&'a super::rules::Rule, Euros),
    Values,
}

struct VenueRow<'a> {
    venue: &'a str,
    passes: u64,
    face: Euros,
    deduction: Rate,
}

fn statement_of(
    book: &RuleBook,
    mut rows: Vec<VenueRow<'_>>,
    face_of: FaceOf<'_>,
    month: NaiveDate,
    on: NaiveDate,
) -> Result<VenueStatement, FundingError> {
    let (max_rule, max) = book.rate("pass.aptic.venue_deduction_max", on)?;
    let rules = || -> Vec<RuleRef> {
        match face_of {
            FaceOf::FixedPass(face_rule, _) => vec![face_rule.into(), max_rule.into()],
            FaceOf::Values => vec![max_rule.into()],
        }
    };
    rows.sort_by(|a, b| a.venue.cmp(b.venue));
    let month_label = month.format("%Y-%m").to_string();
    let mut lines = Vec::with_capacity(rows.len() + 1);
    let mut venues = Vec::with_capacity(rows.len());
    let (mut total, mut face_total, mut deduction_total, mut passes_total) =
        (Euros::ZERO, Euros::ZERO, Euros::ZERO, 0u64);
    for (i, row) in rows.iter().enumerate() {
        let (venue, passes, deduction) = (row.venue, row.passes, row.deduction);
        if venue.trim().is_empty() {
            return Err(FundingError::input("venue_id", "must not be empty"));
        }
        if i > 0 && rows[i - 1].venue == venue {
            return Err(FundingError::input(
                "venue_id",
                format!("venue {venue:?} is listed twice for {month_label}; one row per venue"),
            ));
        }
        if deduction > max {
            return Err(FundingError::input(
                "deduction_rate",
                format!(
                    "venue {venue:?}: {deduction} is above the most a venue's payout is reduced, {max} (pass.aptic.venue_deduction_max)"
                ),
            ));
        }
        let kept = Rate::new(Decimal::ONE - deduction.value(), "deduction_rate")?;
        let gross = row.face;
        let exact = gross.times_rate(kept);
        let paid = exact.round(Rounding::CENT);
        // With a face of whole cents (checked by `venue_statement`), `paid` ≤ `gross`:
        // `exact` ≤ `gross`, and rounding to the cent cannot pass a whole number of
        // cents, so `withheld` is exact. Only `venue_payouts` with a rule book whose
        // face value has fractions of a cent could round above it; it shows no deduction.
        let withheld = gross.saturating_minus(paid);
        total = total + paid;
        face_total = face_total + gross;
        deduction_total = deduction_total + withheld;
        passes_total = passes_total.checked_add(passes).ok_or_else(|| {
            FundingError::input("passes", "more passes than a statement can count")
        })?;
        let (inputs, formula) = match face_of {
            FaceOf::FixedPass(_, face) => (
                vec![
                    ("venue_id", venue.to_owned()),
                    ("passes_scanned", passes.to_string()),
                    ("deduction_rate", deduction.value().to_string()),
                    ("month", month_label.clone()),
                ],
                format!("{passes} × {face} × (1 − {deduction}) = {exact}"),
            ),
            FaceOf::Values => (
                vec![
                    ("venue_id", venue.to_owned()),
                    ("passes_scanned", passes.to_string()),
                    ("face_value", gross.to_string()),
                    ("deduction_rate", deduction.value().to_string()),
                    ("month", month_label.clone()),
                ],
                format!(
                    "{gross} × (1 − {deduction}) = {exact}; deduction {gross} − {paid} = {withheld}"
                ),
            ),
        };
        lines.push(line(
            &format!("venue {venue}"),
            paid,
            rules(),
            inputs,
            formula,
            Some(Rounding::CENT),
        ));
        venues.push(VenueStatementLine {
            venue: venue.to_owned(),
            passes,
            face: gross,
            deduction_rate: deduction,
            deduction: withheld,
            payout: paid,
        });
    }
    let parts: Vec<String> = lines.iter().map(|l| l.amount.to_string()).collect();
    lines.push(line(
        "total paid to venues",
        total,
        rules(),
        vec![
            ("venues", rows.len().to_string()),
            ("month", month_label.clone()),
        ],
        if parts.is_empty() {
            "no venue".to_owned()
        } else {
            parts.join(" + ")
        },
        None,
    ));
    Ok(VenueStatement {
        month: month_label.clone(),
        lines: venues,
        passes: passes_total,
        face: face_total,
        deduction: deduction_total,
        payout: total,
        breakdown: Breakdown {
            title: format!("Pass numérique: venue payouts for passes scanned in {month_label}"),
            lines,
            total,
            total_label: "total paid to venues".into(),
        },
    })
}

/// R8: the operator's monthly statement to venues for the cheques they scanned in
/// `month` (any day of it; only its year and month are used), each cheque at its own
/// face value (a token carries its value). Each row is `(venue_id, passes_scanned,
/// face_total, deduction_rate)`.
///
/// APTIC pays venues once a month for the passes scanned the previous month (source S33)
/// and 95 % to 100 % of face value reaches a venue (S31): a venue is paid
/// `face_total × (1 − deduction)`, rounded to the cent, half away from zero (the rounding
/// of [`venue_payouts`]), and the deduction is `face_total − payout`, so the two add up to
/// the face value exactly. A deduction above `pass.aptic.venue_deduction_max` (5 %), an
/// empty venue id, a venue listed twice or a face total that is not a whole number of
/// cents is `invalid_input`.
///
/// The result does not depend on the order of the rows: one line per venue, sorted by
/// venue id, and totals that are the sums of the lines.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, Rate, RuleBook};
/// use inclusif_core::funding::pass::venue_statement;
///
/// let book = RuleBook::default();
/// let march = NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
/// let on = NaiveDate::from_ymd_opt(2021, 4, 5).unwrap();
/// let half = Rate::parse("2.5 %", "d").unwrap();
/// let rows = [("mediatheque", 3, Euros::from_cents(2_550), half)];
/// let s = venue_statement(&book, &rows, march, on).unwrap();
/// // 25.50 × 0.975 = 24.8625 → 24.86; the deduction is 25.50 − 24.86 = 0.64.
/// assert_eq!(s.payout, Euros::from_cents(2_486));
/// assert_eq!(s.deduction, Euros::from_cents(64));
/// ```
pub fn venue_statement<S: AsRef<str>>(
    book: &RuleBook,
    rows: &[(S, u64, Euros, Rate)],
    month: NaiveDate,
    on: NaiveDate,
) -> Result<VenueStatement, FundingError> {
    for (id, _, face, _) in rows {
        if !face.is_rounded_to(Precision::Cent) {
            return Err(FundingError::input(
                "face_total",
                format!(
                    "venue {:?}: {face} is not a whole number of cents",
                    id.as_ref()
                ),
            ));
        }
    }
    let rows = rows
        .iter()
        .map(|(id, n, face, d)| VenueRow {
            venue: id.as_ref(),
            passes: *n,
            face: *face,
            deduction: *d,
        })
        .collect();
    statement_of(book, rows, FaceOf::Values, month, on)
}

/// R8: the operator's monthly payout to venues for the passes they scanned in `month`
/// (any day of it; only its year and month are used). Each row is `(venue_id,
/// passes_scanned, deduction_rate)`; a venue receives `passes × pass.face_value × (1 −
/// deduction)`, rounded to the cent, half away from zero. A deduction above
/// `pass.aptic.venue_deduction_max` (5 %), an empty venue id or a venue listed twice is
/// `invalid_input`.
///
/// The result does not depend on the order of the rows: one line per venue, sorted by
/// venue id, then a line with the total (the sum of the rounded payouts). It is the
/// breakdown of [`venue_statement`] with every pass at `pass.face_value`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, Rate, RuleBook};
/// use inclusif_core::funding::pass::venue_payouts;
///
/// let book = RuleBook::default();
/// let march = NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
/// let on = NaiveDate::from_ymd_opt(2021, 4, 5).unwrap();
/// let rows = [("cyber-base", 120, Rate::percent(5, "d").unwrap()), ("mediatheque", 30, Rate::ZERO)];
/// let payouts = venue_payouts(&book, &rows, march, on).unwrap();
/// assert_eq!(payouts.total, Euros::whole(1_140 + 300));
/// ```
pub fn venue_payouts<S: AsRef<str>>(
    book: &RuleBook,
    rows: &[(S, u64, Rate)],
    month: NaiveDate,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let (face_rule, face) = book.amount("pass.face_value", on)?;
    let rows = rows
        .iter()
        .map(|(id, n, d)| VenueRow {
            venue: id.as_ref(),
            passes: *n,
            face: face.times_count(*n),
            deduction: *d,
        })
        .collect();
    Ok(statement_of(book, rows, FaceOf::FixedPass(face_rule, face), month, on)?.breakdown)
}

/// R8: the credit note (avoir) for the passes of an order left unused at the end of
/// their validity: `(bought − redeemed) × pass.face_value`, face value only: the
/// operator's fee is not refunded (source S32). `redeemed > bought` is `invalid_input`
/// naming `redeemed`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::pass::credit_note;
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2021, 2, 7).unwrap();
/// let note = credit_note(&book, 10_000, 7_000, on).unwrap();
/// assert_eq!(note.total, Euros::whole(30_000));
/// ```
pub fn credit_note(
    book: &RuleBook,
    bought: u64,
    redeemed: u64,
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    if redeemed > bought {
        return Err(FundingError::input(
            "redeemed",
            format!("{redeemed} passes redeemed is more than the {bought} bought"),
        ));
    }
    let (face_rule, face) = book.amount("pass.face_value", on)?;
    let unused = bought - redeemed;
    let exact = face.times_count(unused);
    let amount = exact.round(Rounding::CENT);
    Ok(Breakdown {
        title: format!("Pass numérique: credit note for {unused} unused passes of {bought}"),
        lines: vec![line(
            "unused passes at face value",
            amount,
            vec![face_rule.into()],
            vec![
                ("bought", bought.to_string()),
                ("redeemed", redeemed.to_string()),
                ("date", on.to_string()),
            ],
            format!(
                "({bought} − {redeemed}) × {face} = {exact}; face value only, the operator's fee is not refunded (S32)"
            ),
            Some(Rounding::CENT),
        )],
        total: amount,
        total_label: "credit note".into(),
    })
}

/// R8: the credit note (avoir) for cheques of an order left unused at the end of their
/// validity, each at its own face value (a token carries its value): the sum of
/// `unused_values`. Face value only: the operator's up-front fee
/// (`pass.aptic.fee_rate`, source S30, cited on the line as the amount *not* refunded)
/// is not refunded (S32). No cheque gives a note of zero. A value that is not a whole
/// number of cents is `invalid_input` naming `unused_values`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::{Euros, RuleBook};
/// use inclusif_core::funding::pass::credit_note_for_values;
///
/// let book = RuleBook::default();
/// let on = NaiveDate::from_ymd_opt(2027, 1, 8).unwrap();
/// let values = [Euros::from_cents(1_000), Euros::from_cents(1_000), Euros::from_cents(550)];
/// let note = credit_note_for_values(&book, &values, on).unwrap();
/// assert_eq!(note.total, Euros::from_cents(2_550));
/// ```
pub fn credit_note_for_values(
    book: &RuleBook,
    unused_values: &[Euros],
    on: NaiveDate,
) -> Result<Breakdown, FundingError> {
    let (fee_rule, _) = book.rate("pass.aptic.fee_rate", on)?;
    if let Some(bad) = unused_values
        .iter()
        .find(|v| !v.is_rounded_to(Precision::Cent))
    {
        return Err(FundingError::input(
            "unused_values",
            format!("{bad} is not a whole number of cents"),
        ));
    }
    let amount: Euros = unused_values.iter().copied().sum();
    let n = unused_values.len();
    let formula = if n == 0 {
        "no unused cheque".to_owned()
    } else if n <= 12 {
        let parts: Vec<String> = unused_values.iter().map(ToString::to_string).collect();
        format!(
            "{} = {amount}; face value only, the operator's fee is not refunded (S32)",
            parts.join(" + ")
        )
    } else {
        format!(
            "sum of {n} unused cheques' face values = {amount}; face value only, the operator's fee is not refunded (S32)"
        )
    };
    Ok(Breakdown {
        title: format!("Pass numérique: credit note for {n} unused cheques"),
        lines: vec![line(
            "unused cheques at face value",
            amount,
            vec![fee_rule.into()],
            vec![("unused", n.to_string()), ("date", on.to_string())],
            formula,
            None,
        )],
        total: amount,
        total_label: "credit note".into(),
    })
}

/// When the passes of a year stop being valid and stop being accepted (R8, source S32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassValidity {
    /// The passes' year N.
    pub year: i32,
    /// Last day of validity: 31 December N.
    pub valid_until: NaiveDate,
    /// Last day a pass already handed out is still accepted: `valid_until` plus
    /// `pass.validity.tolerance_days` (31 January N+1).
    pub accepted_until: NaiveDate,
    /// The tolerance rule.
    pub tolerance: RuleRef,
}

impl PassValidity {
    /// Whether a pass of this year is accepted on `date` (up to `accepted_until`
    /// inclusive; no source gives a first day, so none is checked).
    pub fn accepts(&self, date: NaiveDate) -> bool {
        date <= self.accepted_until
    }
}

/// R8: the validity of the passes of `year`: valid until 31 December, accepted until
/// 31 January of the next year (`pass.validity.tolerance_days` after, looked up on
/// 31 December). A tolerance that is not a whole number of days is `invalid_input`.
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::RuleBook;
/// use inclusif_core::funding::pass::pass_validity;
///
/// let v = pass_validity(&RuleBook::default(), 2020).unwrap();
/// assert_eq!(v.valid_until, NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
/// assert_eq!(v.accepted_until, NaiveDate::from_ymd_opt(2021, 1, 31).unwrap());
/// ```
pub fn pass_validity(book: &RuleBook, year: i32) -> Result<PassValidity, FundingError> {
    let valid_until = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| FundingError::input("year", format!("{year} is not a calendar year")))?;
    let (rule, days) = book.count("pass.validity.tolerance_days", valid_until)?;
    let broken = || {
        FundingError::input(
            "pass.validity.tolerance_days",
            format!("{days} is not a whole number of days"),
        )
    };
    if !days.fract().is_zero() {
        return Err(broken());
    }
    let days = days.to_u64().ok_or_else(broken)?;
    let accepted_until = valid_until
        .checked_add_days(Days::new(days))
        .ok_or_else(broken)?;
    Ok(PassValidity {
        year,
        valid_until,
        accepted_until,
        tolerance: rule.into(),
    })
}

/// R8: whether a pass of `year` is still accepted on `date` (see [`pass_validity`]).
///
/// ```
/// use chrono::NaiveDate;
/// use inclusif_core::funding::RuleBook;
/// use inclusif_core::funding::pass::accepted_on;
///
/// let book = RuleBook::default();
/// let d = |m, day| NaiveDate::from_ymd_opt(2021, m, day).unwrap();
/// assert!(accepted_on(&book, 2020, d(1, 31)).unwrap());
/// assert!(!accepted_on(&book, 2020, d(2, 1)).unwrap());
/// ```
pub fn accepted_on(book: &RuleBook, year: i32, date: NaiveDate) -> Result<bool, FundingError> {
    Ok(pass_validity(book, year)?.accepts(date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funding::rules::{Confidence, Rule, RuleValue};
    use rust_decimal::dec;
    use serde::de::value::{Error as DeError, MapDeserializer};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rate(x: Decimal) -> Rate {
        Rate::new(x, "rate").unwrap()
    }

    fn with_amount(id: &str, value: Decimal) -> RuleBook {
        let mut book = RuleBook::default();
        book.set(Rule {
            id: id.to_owned(),
            value: RuleValue::Amount(Euros::new(value, "test").unwrap()),
            valid_from: None,
            valid_until: None,
            confidence: Confidence::Uncertain,
            sources: vec!["S30".into()],
            note: "test override".into(),
        });
        book
    }

    #[test]
    fn orders_are_checked_field_by_field() {
        let e = PassOrder::new(10, 11, 5).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().starts_with("used:"), "{e}");
        let e = PassOrder::new(10, 10, 11).unwrap_err();
        assert!(e.to_string().starts_with("priority_publics:"), "{e}");
        assert!(PassOrder::new(10, 10, 10).is_ok());
        let from = |pairs: Vec<(&'static str, u64)>| {
            PassOrder::deserialize(MapDeserializer::<_, DeError>::new(pairs.into_iter()))
        };
        let o = from(vec![
            ("bought", 10_000),
            ("redeemed", 7_000),
            ("priority_publics", 5_000),
        ])
        .unwrap();
        assert_eq!(o, PassOrder::new(10_000, 7_000, 5_000).unwrap());
        assert!(from(vec![("bought", 1), ("used", 1)]).is_err());
        assert!(
            from(vec![
                ("bought", 1),
                ("used", 1),
                ("priority_publics", 1),
                ("x", 1)
            ])
            .is_err()
        );
        // Built past `new`, still refused where it is used.
        let bad = PassOrder {
            bought: 2_000,
            used: 2_001,
            priority_publics: 1_000,
        };
        assert_eq!(
            call_2020_state_grant(&RuleBook::default(), &bad, d(2020, 6, 1))
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn r7_2020_worked_example() {
        let book = RuleBook::default();
        let order = PassOrder::new(10_000, 7_000, 5_000).unwrap();
        let g = call_2020_state_grant(&book, &order, d(2020, 10, 15)).unwrap();
        assert_eq!(g.total, Euros::whole(35_000));
        assert_eq!(g.line("order value").unwrap().amount, Euros::whole(100_000));
        assert_eq!(
            g.line("value of passes actually used").unwrap().amount,
            Euros::whole(70_000)
        );
        let grant = g.line("State grant").unwrap();
        assert_eq!(grant.rounding, Some(STATE_GRANT_ROUNDING));
        assert_eq!(
            grant
                .rules
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["pass.call2020.state_rate", "pass.call2020.state_cap"]
        );
        assert!(grant.formula.contains("70000"), "{}", grant.formula);
        assert!(g.lines.iter().all(|l| !l.rules.is_empty()));
        assert!(g.to_string().contains("35\u{202f}000,00 €"));
    }

    #[test]
    fn r7_2020_minimum_order_and_caps() {
        let book = RuleBook::default();
        let on = d(2020, 5, 15);
        // Exactly the minimum order (2,000 passes = 20,000 €) passes; one pass less fails.
        let g = call_2020_state_grant(&book, &PassOrder::new(2_000, 2_000, 1_000).unwrap(), on)
            .unwrap();
        assert_eq!(g.total, Euros::whole(10_000));
        let e = call_2020_state_grant(&book, &PassOrder::new(1_999, 1_999, 1_000).unwrap(), on)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let msg = e.to_string();
        assert!(msg.starts_with("order_value:"), "{msg}");
        assert!(msg.contains("pass.call2020.min_order"), "{msg}");
        assert!(msg.contains("19990"), "{msg}");
        // Exactly the 3 M€ project cap passes; one pass more fails.
        let g = call_2020_state_grant(
            &book,
            &PassOrder::new(300_000, 300_000, 150_000).unwrap(),
            on,
        )
        .unwrap();
        assert_eq!(g.total, Euros::whole(1_500_000));
        let e = call_2020_state_grant(
            &book,
            &PassOrder::new(300_001, 300_001, 150_001).unwrap(),
            on,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("order_value:"), "{e}");
        assert!(e.to_string().contains("pass.call2020.project_cap"), "{e}");
        // Half the passes for priority publics passes; one fewer fails.
        assert!(
            call_2020_state_grant(&book, &PassOrder::new(2_001, 0, 1_001).unwrap(), on).is_ok()
        );
        let e = call_2020_state_grant(&book, &PassOrder::new(2_001, 0, 1_000).unwrap(), on)
            .unwrap_err();
        assert!(e.to_string().starts_with("priority_publics:"), "{e}");
        assert!(
            e.to_string().contains("pass.call2020.priority_share"),
            "{e}"
        );
        // Nothing used: nothing granted.
        let g =
            call_2020_state_grant(&book, &PassOrder::new(2_000, 0, 1_000).unwrap(), on).unwrap();
        assert_eq!(g.total, Euros::ZERO);
    }

    #[test]
    fn r7_2020_state_cap_binds_when_lowered() {
        let book = with_amount("pass.call2020.state_cap", dec!(30000));
        let g = call_2020_state_grant(
            &book,
            &PassOrder::new(10_000, 7_000, 5_000).unwrap(),
            d(2020, 6, 1),
        )
        .unwrap();
        assert_eq!(g.total, Euros::whole(30_000));
    }

    #[test]
    fn r7_2020_only_in_2020() {
        let book = RuleBook::default();
        let order = PassOrder::new(10_000, 7_000, 5_000).unwrap();
        for on in [d(2019, 12, 31), d(2021, 1, 1)] {
            let e = call_2020_state_grant(&book, &order, on).unwrap_err();
            assert_eq!(e.code(), "outside_rule_validity", "{on}");
        }
        assert!(call_2020_state_grant(&book, &order, d(2020, 1, 1)).is_ok());
        assert!(call_2020_state_grant(&book, &order, d(2020, 12, 31)).is_ok());
    }

    #[test]
    fn r7_2019_band_is_not_clamped() {
        let book = RuleBook::default();
        let on = d(2019, 3, 1);
        let budget = Euros::whole(100_000);
        let share = |r| call_2019_state_share(&book, budget, rate(r), on);
        assert_eq!(share(dec!(0.20)).unwrap().total, Euros::whole(20_000));
        assert_eq!(share(dec!(0.65)).unwrap().total, Euros::whole(65_000));
        for bad in [dec!(0.1999), dec!(0.6501), dec!(0), dec!(1)] {
            let e = share(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{bad}");
            assert!(e.to_string().starts_with("rate:"), "{e}");
            assert!(e.to_string().contains("pass.call2019.rate_max"), "{e}");
        }
        // Rounded to the euro, half away from zero.
        let b = Euros::parse("12345.67", "b").unwrap();
        let s = call_2019_state_share(&book, b, rate(dec!(0.35)), on).unwrap();
        assert_eq!(s.total, Euros::whole(4_321)); // 4320.9845
        let s = call_2019_state_share(&book, Euros::whole(10), rate(dec!(0.25)), on).unwrap();
        assert_eq!(s.total, Euros::whole(3)); // 2.5
        assert_eq!(s.lines[0].rounding, Some(Rounding::EURO));
        // The realised 2019 outcome: 6 M€ of 10.5 M€.
        let s = call_2019_state_share(
            &book,
            Euros::whole(10_500_000),
            rate(dec!(6) / dec!(10.5)),
            on,
        )
        .unwrap();
        assert_eq!(s.total, Euros::whole(6_000_000));
        assert_eq!(
            call_2019_state_share(&book, budget, rate(dec!(0.5)), d(2020, 1, 1))
                .unwrap_err()
                .code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn r8_order_invoice() {
        let book = RuleBook::default();
        let inv = order_invoice(&book, 10_000, d(2020, 6, 1)).unwrap();
        let amounts: Vec<Euros> = inv.lines.iter().map(|l| l.amount).collect();
        assert_eq!(
            amounts,
            [
                Euros::whole(100_000),
                Euros::whole(4_000),
                Euros::whole(800),
                Euros::whole(104_800)
            ]
        );
        assert_eq!(inv.total, Euros::whole(104_800));
        assert_eq!(inv.lines[1].rounding, Some(Rounding::CENT));
        assert_eq!(inv.lines[2].rounding, Some(Rounding::CENT));
        assert_eq!(inv.lines[2].rules[0].confidence, Confidence::Uncertain);
        let one = order_invoice(&book, 1, d(2020, 6, 1)).unwrap();
        assert_eq!(one.total, Euros::from_cents(1_048));
        assert_eq!(
            order_invoice(&book, 0, d(2020, 6, 1)).unwrap_err().code(),
            "invalid_input"
        );
        assert_eq!(
            order_invoice(&book, 1, d(2018, 6, 1)).unwrap_err().code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn r8_invoice_rounds_the_fee_half_away_from_zero() {
        // A face value of 10.125 €: fee 0.405 → 0.41 (half even would give 0.40); VAT on
        // the invoiced fee 0.082 → 0.08.
        let book = with_amount("pass.face_value", dec!(10.125));
        let inv = order_invoice(&book, 1, d(2020, 6, 1)).unwrap();
        assert_eq!(inv.lines[1].amount, Euros::from_cents(41));
        assert_eq!(inv.lines[2].amount, Euros::from_cents(8));
        assert_eq!(inv.total, Euros::parse("10.615", "x").unwrap());
    }

    #[test]
    fn r8_venue_payouts() {
        let book = RuleBook::default();
        let (month, on) = (d(2021, 3, 1), d(2021, 4, 5));
        let rows = vec![
            ("v3".to_owned(), 1, rate(dec!(0.0125))),
            ("v1".to_owned(), 100, rate(dec!(0.05))),
            ("v2".to_owned(), 7, Rate::ZERO),
        ];
        let p = venue_payouts(&book, &rows, month, on).unwrap();
        let got: Vec<(&str, Euros)> = p
            .lines
            .iter()
            .map(|l| (l.label.as_str(), l.amount))
            .collect();
        assert_eq!(
            got,
            [
                ("venue v1", Euros::whole(950)),
                ("venue v2", Euros::whole(70)),
                ("venue v3", Euros::from_cents(988)), // 9.875, half away from zero
                ("total paid to venues", Euros::from_cents(102_988)),
            ]
        );
        assert_eq!(p.total, Euros::from_cents(102_988));
        assert!(p.title.contains("2021-03"));
        // Any order of the rows gives the same breakdown.
        for perm in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let shuffled: Vec<_> = perm.iter().map(|&i| rows[i].clone()).collect();
            assert_eq!(venue_payouts(&book, &shuffled, month, on).unwrap(), p);
        }
        // 5 % passes, 5.01 % fails naming the venue and the rule.
        let e = venue_payouts(&book, &[("v9", 10, rate(dec!(0.0501)))], month, on).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().starts_with("deduction_rate:"), "{e}");
        assert!(e.to_string().contains("\"v9\""), "{e}");
        assert!(
            e.to_string().contains("pass.aptic.venue_deduction_max"),
            "{e}"
        );
        let e = venue_payouts(
            &book,
            &[("a", 1, Rate::ZERO), ("a", 2, Rate::ZERO)],
            month,
            on,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("venue_id:"), "{e}");
        assert!(venue_payouts(&book, &[(" ", 1, Rate::ZERO)], month, on).is_err());
        let none: [(&str, u64, Rate); 0] = [];
        assert_eq!(
            venue_payouts(&book, &none, month, on).unwrap().total,
            Euros::ZERO
        );
    }

    #[test]
    fn r8_credit_note_is_face_value_only() {
        let book = RuleBook::default();
        let on = d(2021, 2, 7);
        let n = credit_note(&book, 10_000, 7_000, on).unwrap();
        assert_eq!(n.total, Euros::whole(30_000));
        assert!(n.lines[0].formula.contains("not refunded"));
        assert_eq!(credit_note(&book, 5, 5, on).unwrap().total, Euros::ZERO);
        let e = credit_note(&book, 5, 6, on).unwrap_err();
        assert!(e.to_string().starts_with("redeemed:"), "{e}");
    }

    fn cents(c: u64) -> Euros {
        Euros::from_cents(c)
    }

    #[test]
    fn r8_venue_statement_by_value_three_venues() {
        let book = RuleBook::default();
        let (month, on) = (d(2026, 3, 1), d(2026, 4, 5));
        let rows = [
            // 10 + 10 + 5.50 = 25.50 at 0 %: paid in full.
            ("cyber-base-gueret", 3, cents(2_550), Rate::ZERO),
            // 10 + 10 + 10.20 = 30.20 at 2.5 %: 30.20 × 0.975 = 29.445 → 29.45 (half away
            // from zero; half to even would give 29.44); deduction 30.20 − 29.45 = 0.75.
            ("mediatheque-lyon", 3, cents(3_020), rate(dec!(0.025))),
            // 4 × 10 + 1.50 = 41.50 at 5 %: 41.50 × 0.95 = 39.425 → 39.43; deduction 2.07.
            ("espace-creuse", 5, cents(4_150), rate(dec!(0.05))),
        ];
        let s = venue_statement(&book, &rows, month, on).unwrap();
        let got: Vec<(&str, u64, Euros, Euros, Euros)> = s
            .lines
            .iter()
            .map(|l| (l.venue.as_str(), l.passes, l.face, l.deduction, l.payout))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "cyber-base-gueret",
                    3,
                    cents(2_550),
                    Euros::ZERO,
                    cents(2_550)
                ),
                ("espace-creuse", 5, cents(4_150), cents(207), cents(3_943)),
                ("mediatheque-lyon", 3, cents(3_020), cents(75), cents(2_945)),
            ]
        );
        // Totals are the sums of the lines: 11 cheques, 97.20 = 94.38 + 2.82.
        assert_eq!(s.passes, 11);
        assert_eq!(s.face, cents(9_720));
        assert_eq!(s.payout, cents(9_438));
        assert_eq!(s.deduction, cents(282));
        assert_eq!(s.payout + s.deduction, s.face);
        assert_eq!(s.month, "2026-03");
        assert_eq!(s.breakdown.total, s.payout);
        let l = s.breakdown.line("venue mediatheque-lyon").unwrap();
        assert_eq!(l.amount, cents(2_945));
        assert_eq!(l.rounding, Some(Rounding::CENT));
        assert!(l.formula.contains("29.445"), "{}", l.formula);
        assert_eq!(l.rules[0].id, "pass.aptic.venue_deduction_max");
        assert_eq!(l.rules[0].sources, ["S31"]);
        // Order of the rows does not matter.
        let rev: Vec<_> = rows.iter().rev().cloned().collect();
        assert_eq!(venue_statement(&book, &rev, month, on).unwrap(), s);
        // Refusals: above 5 %, a venue twice, a face that is not whole cents.
        let e = venue_statement(
            &book,
            &[("v", 1, cents(1_000), rate(dec!(0.0501)))],
            month,
            on,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("deduction_rate:"), "{e}");
        let e = venue_statement(
            &book,
            &[
                ("v", 1, cents(1), Rate::ZERO),
                ("v", 1, cents(1), Rate::ZERO),
            ],
            month,
            on,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("venue_id:"), "{e}");
        let e = venue_statement(
            &book,
            &[("v", 1, Euros::parse("0.005", "x").unwrap(), Rate::ZERO)],
            month,
            on,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("face_total:"), "{e}");
    }

    #[test]
    fn r8_venue_payouts_is_the_statement_at_the_pass_face_value() {
        let book = RuleBook::default();
        let (month, on) = (d(2021, 3, 1), d(2021, 4, 5));
        let by_pass = [("v1", 100, rate(dec!(0.05))), ("v3", 1, rate(dec!(0.0125)))];
        let by_value = [
            ("v1", 100, Euros::whole(1_000), rate(dec!(0.05))),
            ("v3", 1, Euros::whole(10), rate(dec!(0.0125))),
        ];
        let p = venue_payouts(&book, &by_pass, month, on).unwrap();
        let s = venue_statement(&book, &by_value, month, on).unwrap();
        let amounts = |b: &Breakdown| b.lines.iter().map(|l| l.amount).collect::<Vec<_>>();
        assert_eq!(amounts(&p), amounts(&s.breakdown));
        // 9.875 → 9.88 as in r8_venue_payouts; the deduction is what is left: 0.12.
        assert_eq!(s.lines[1].deduction, cents(12));
        // The pass-count version keeps its formula and cites the face value rule.
        assert_eq!(p.lines[1].formula, "1 × 10 × (1 − 1.25 %) = 9.875");
        assert_eq!(p.lines[1].rules[0].id, "pass.face_value");
    }

    #[test]
    fn r8_credit_note_for_values_is_face_value_only() {
        let book = RuleBook::default();
        let on = d(2027, 1, 8);
        let n =
            credit_note_for_values(&book, &[cents(1_000), cents(550), cents(1_000)], on).unwrap();
        assert_eq!(n.total, cents(2_550));
        assert!(n.lines[0].formula.contains("not refunded (S32)"));
        assert_eq!(n.lines[0].rules[0].id, "pass.aptic.fee_rate");
        assert_eq!(n.lines[0].rules[0].sources, ["S30"]);
        assert_eq!(
            credit_note_for_values(&book, &[], on).unwrap().total,
            Euros::ZERO
        );
        let many = vec![cents(1_000); 20];
        let n = credit_note_for_values(&book, &many, on).unwrap();
        assert_eq!(n.total, Euros::whole(200));
        assert!(n.lines[0].formula.starts_with("sum of 20"));
        let e =
            credit_note_for_values(&book, &[Euros::parse("0.001", "x").unwrap()], on).unwrap_err();
        assert!(e.to_string().starts_with("unused_values:"), "{e}");
        assert_eq!(
            credit_note_for_values(&book, &[cents(1)], d(2018, 1, 1))
                .unwrap_err()
                .code(),
            "outside_rule_validity"
        );
    }

    #[test]
    fn r8_validity_and_tolerance() {
        let book = RuleBook::default();
        let v = pass_validity(&book, 2020).unwrap();
        assert_eq!(v.valid_until, d(2020, 12, 31));
        assert_eq!(v.accepted_until, d(2021, 1, 31));
        assert_eq!(v.tolerance.id, "pass.validity.tolerance_days");
        assert_eq!(v.tolerance.sources, ["S32"]);
        assert!(accepted_on(&book, 2020, d(2020, 12, 31)).unwrap());
        assert!(accepted_on(&book, 2020, d(2021, 1, 31)).unwrap());
        assert!(!accepted_on(&book, 2020, d(2021, 2, 1)).unwrap());
        // A leap year changes nothing: 31 December + 31 days is 31 January.
        assert_eq!(
            pass_validity(&book, 2023).unwrap().accepted_until,
            d(2024, 1, 31)
        );
        assert_eq!(
            pass_validity(&book, 2018).unwrap_err().code(),
            "outside_rule_validity"
        );
    }
}
