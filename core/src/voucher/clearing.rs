//! Clearing: the operator's monthly statements to venues, the credit notes for cheques
//! never used, and the reconciliation that proves, per issuer and period, that what was
//! issued is redeemed, credited or still outstanding, to the cent.
//!
//! Everything here is pure: the caller brings the issuance register ([`IssuedCheque`]),
//! the ledger's redemptions ([`Redemption`]) and the cheques already credited
//! ([`CreditedCheque`]); the results render as CSV and JSON strings. The money rules come
//! from [`crate::funding::pass`] (research note funding.md §3.1, §3.4, §3.5):
//!
//! - **Monthly statements** ([`monthly_statements`]). APTIC pays venues once a month for
//!   the passes scanned the previous month (source S33); 95 % to 100 % of face value
//!   reaches a venue (S31), so a venue's deduction is 0 to `pass.aptic.venue_deduction_max`
//!   (5 %; the rate per venue contract is uncertain, so the caller gives it). A venue is
//!   paid `face × (1 − deduction)` rounded to the cent, half away from zero, and the
//!   deduction is `face − payout`: the two add up to the face value exactly. A redemption
//!   belongs to the civil month of its instant in the statement's time zone (Europe/Paris
//!   by default): 31 March 22:30 UTC is 1 April in Paris.
//! - **Credit notes** ([`credit_notes`]). Unused passes are refunded as a credit note
//!   (avoir) on face value only; the operator's up-front fee is not refunded (S32). One
//!   note per issuer and order, for the cheques past their `valid_until` plus a grace
//!   period and never redeemed.
//! - **Reconciliation** ([`reconcile`]). Per issuer: at the opening and closing of a
//!   period, issued = redeemed + credited + outstanding, and over the period, opening
//!   outstanding + issued = redeemed + credited + closing outstanding, in counts and
//!   cents. Each term is computed from its own input (outstanding is the register's
//!   cheques that no redemption or credit spends, never a subtraction), so a cheque
//!   redeemed but never issued, redeemed and credited, or redeemed at another value than
//!   issued breaks the identity; such rows are also listed as [`Anomaly`]s.
//!
//! Errors are [`FundingError`]s (`invalid_input` naming the field, or the rule book's own
//! codes), except reading a token in [`IssuedCheque::from_issued`] ([`VoucherError`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Serialize, Serializer};

use super::error::VoucherError;
use super::issue::IssuedVoucher;
use super::ledger::Redemption;
use super::token::{Kid, Serial, Token};
use crate::funding::pass::{credit_note_for_values, venue_statement};
use crate::funding::{Breakdown, Euros, FundingError, Rate, RuleBook};

/// Days after a cheque's `valid_until` before an unused cheque is credited: 7.
///
/// No source gives this delay, so it is a parameter of [`credit_notes`] and this is the
/// default. APTIC's timeline (research note funding.md §3.5, source S32) ends validity at
/// J+30 and reconciles at J+37: seven days between the end of validity and the
/// reconciliation, during which late offline batches can still reach the ledger (a venue
/// may accept a cheque on its last valid day and sync days later). Crediting before that
/// would credit cheques that turn out redeemed.
pub const DEFAULT_CREDIT_GRACE_DAYS: u32 = 7;

/// The time zone of clearing months and dates by default: Europe/Paris.
pub const DEFAULT_CLEARING_TIME_ZONE: Tz = super::verify::DEFAULT_TIME_ZONE;

fn hex_serial<S: Serializer>(serial: &Serial, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(serial)
}

fn kid_number<S: Serializer>(kid: &Kid, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u16(kid.get())
}

fn tz_name<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

fn civil_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Whole cents of an amount known to be whole cents.
fn cents_of(e: Euros) -> u64 {
    (e.amount() * Decimal::ONE_HUNDRED)
        .to_u64()
        .unwrap_or(u64::MAX)
}

fn euros_text(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn csv_string(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        // Writing to memory cannot fail.
        w.write_record(&r).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

fn json_string<T: Serialize>(value: &T) -> String {
    // Plain structs with string keys always serialise.
    serde_json::to_string(value).expect("plain records serialise")
}

// ---- the issuance register ----

/// One row of the issuance register: a cheque as it was issued, for which order.
///
/// Without the register there is no "outstanding" and no reconciliation: the ledger only
/// knows the cheques that came back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IssuedCheque {
    /// The issuer (trust list identifier).
    pub issuer: String,
    /// The serial (20 hex digits in JSON).
    #[serde(serialize_with = "hex_serial")]
    pub serial: Serial,
    /// The key id that signed it.
    #[serde(serialize_with = "kid_number")]
    pub kid: Kid,
    /// Face value in cents.
    pub value_cents: u16,
    /// First valid civil date.
    pub valid_from: NaiveDate,
    /// Last valid civil date (inclusive).
    pub valid_until: NaiveDate,
    /// The buyer's order it was issued for (one credit note per issuer and order).
    pub order_ref: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

impl IssuedCheque {
    /// The register row of an issued voucher, read from its token (`invalid_field` for a
    /// token whose claims do not read, which issuance never produces).
    pub fn from_issued(
        voucher: &IssuedVoucher,
        issuer: &str,
        order_ref: &str,
        issued_at: DateTime<Utc>,
    ) -> Result<Self, VoucherError> {
        Self::from_token(&voucher.token, issuer, order_ref, issued_at)
    }

    /// The register row of an issued token (see [`from_issued`](Self::from_issued)).
    pub fn from_token(
        token: &Token,
        issuer: &str,
        order_ref: &str,
        issued_at: DateTime<Utc>,
    ) -> Result<Self, VoucherError> {
        let claims = token.claims()?;
        Ok(IssuedCheque {
            issuer: issuer.to_owned(),
            serial: claims.serial,
            kid: claims.kid,
            value_cents: claims.value_cents.get(),
            valid_from: claims.validity.from().date(),
            valid_until: claims.validity.until().date(),
            order_ref: order_ref.to_owned(),
            issued_at,
        })
    }
}

/// A cheque credited to its buyer (one cheque of a [`CreditNote`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CreditedCheque {
    /// The issuer.
    pub issuer: String,
    /// The serial.
    #[serde(serialize_with = "hex_serial")]
    pub serial: Serial,
    /// Face value in cents, credited in full.
    pub value_cents: u16,
    /// The order it was issued for.
    pub order_ref: String,
    /// Its last valid date.
    pub valid_until: NaiveDate,
    /// The date of the credit note.
    pub credited_on: NaiveDate,
}

// ---- monthly statements ----

/// Deduction rates per venue, with a rate for venues not listed (0 by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deductions {
    /// Rate per venue id.
    pub rates: BTreeMap<String, Rate>,
    /// The rate of a venue not in `rates`.
    pub default: Rate,
}

impl Default for Deductions {
    fn default() -> Self {
        Deductions {
            rates: BTreeMap::new(),
            default: Rate::ZERO,
        }
    }
}

impl Deductions {
    /// No deduction for any venue.
    pub fn none() -> Self {
        Self::default()
    }

    /// Rates per venue, `default` for the others.
    pub fn new(rates: impl IntoIterator<Item = (String, Rate)>, default: Rate) -> Self {
        Deductions {
            rates: rates.into_iter().collect(),
            default,
        }
    }

    /// The rate of a venue.
    pub fn rate(&self, venue: &str) -> Rate {
        self.rates.get(venue).copied().unwrap_or(self.default)
    }
}

/// One venue's line of a [`MonthlyStatement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The venue's id.
    pub venue: String,
    /// Cheques redeemed there in the month.
    pub count: u64,
    /// Their face value in cents.
    pub face_cents: u64,
    /// The venue's deduction rate.
    pub deduction_rate: Rate,
    /// What the operator keeps: `face_cents − payout_cents`.
    pub deduction_cents: u64,
    /// What the venue is paid.
    pub payout_cents: u64,
}

/// The totals of a [`MonthlyStatement`]: the sums of its lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatementTotals {
    /// Cheques.
    pub count: u64,
    /// Face value in cents.
    pub face_cents: u64,
    /// Deductions in cents.
    pub deduction_cents: u64,
    /// Payouts in cents.
    pub payout_cents: u64,
}

/// The operator's statement to venues for one civil month: one line per venue (by venue
/// id) and the totals. `face = payout + deduction` exactly, per line and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyStatement {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The time zone whose civil month this is.
    #[serde(serialize_with = "tz_name")]
    pub time_zone: Tz,
    /// One line per venue, by venue id.
    pub lines: Vec<StatementLine>,
    /// The sums of the lines.
    pub totals: StatementTotals,
    /// The payouts explained, with the rules and their sources.
    pub breakdown: Breakdown,
}

/// The CSV columns of [`MonthlyStatement::to_csv`].
pub const STATEMENT_CSV_HEADER: [&str; 8] = [
    "month",
    "row",
    "venue",
    "count",
    "face_cents",
    "deduction_rate",
    "deduction_cents",
    "payout_cents",
];

impl MonthlyStatement {
    /// `YYYY-MM`.
    pub fn month_label(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The statement as CSV: a header, a `venue` row per venue, then a `total` row
    /// (venue and rate empty); amounts in cents, rates as decimal fractions.
    pub fn to_csv(&self) -> String {
        let m = self.month_label();
        let mut rows = vec![STATEMENT_CSV_HEADER.iter().map(|s| s.to_string()).collect()];
        for l in &self.lines {
            rows.push(vec![
                m.clone(),
                "venue".into(),
                l.venue.clone(),
                l.count.to_string(),
                l.face_cents.to_string(),
                l.deduction_rate.value().to_string(),
                l.deduction_cents.to_string(),
                l.payout_cents.to_string(),
            ]);
        }
        let t = &self.totals;
        rows.push(vec![
            m,
            "total".into(),
            String::new(),
            t.count.to_string(),
            t.face_cents.to_string(),
            String::new(),
            t.deduction_cents.to_string(),
            t.payout_cents.to_string(),
        ]);
        csv_string(rows)
    }

    /// The statement as one JSON object (the breakdown included; rates as decimal text).
    pub fn to_json(&self) -> String {
        json_string(self)
    }
}

/// The statement of the cheques redeemed in the civil month `month` = (year, month) in
/// `time_zone` (default [`DEFAULT_CLEARING_TIME_ZONE`]): the redemptions whose instant
/// falls in that month there, one line per venue with its rate from `deductions`, the
/// rules looked up `on` the statement's date (see [`venue_statement`]).
///
/// `invalid_input` for a month that is not one (`month`), an issuer's serial listed twice
/// (`redemptions`: a statement never pays a cheque twice), or a deduction above
/// `pass.aptic.venue_deduction_max` (`deduction_rate`, naming the venue).
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use inclusif_core::funding::{Rate, RuleBook};
/// use inclusif_core::voucher::clearing::{monthly_statements, Deductions, DEFAULT_CLEARING_TIME_ZONE};
/// use inclusif_core::voucher::{Kid, Redemption, Serial};
///
/// let r = |n: u128, venue: &str, cents: u16| Redemption {
///     issuer: "aptic".into(),
///     serial: Serial::from_u128(n).unwrap(),
///     kid: Kid::new(1).unwrap(),
///     value_cents: cents,
///     venue: venue.into(),
///     at: Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
/// };
/// let rates = Deductions::new([("lyon".to_owned(), Rate::percent(5, "d").unwrap())], Rate::ZERO);
/// let on = NaiveDate::from_ymd_opt(2026, 4, 5).unwrap();
/// let s = monthly_statements(
///     &[r(1, "lyon", 1000), r(2, "lyon", 1000), r(3, "gueret", 1000)],
///     &rates, (2026, 3), DEFAULT_CLEARING_TIME_ZONE, &RuleBook::default(), on,
/// ).unwrap();
/// assert_eq!((s.totals.face_cents, s.totals.payout_cents, s.totals.deduction_cents), (3000, 2900, 100));
/// ```
pub fn monthly_statements(
    redemptions: &[Redemption],
    deductions: &Deductions,
    month: (i32, u32),
    time_zone: Tz,
    book: &RuleBook,
    on: NaiveDate,
) -> Result<MonthlyStatement, FundingError> {
    let (year, m) = month;
    let first = NaiveDate::from_ymd_opt(year, m, 1).ok_or_else(|| {
        FundingError::input(
            "month",
            format!("{year}-{m:02} is not a month (1 to 12 of a representable year)"),
        )
    })?;
    let mut seen: HashSet<(&str, Serial)> = HashSet::new();
    // venue → (count, cents)
    let mut per_venue: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in redemptions {
        let d = civil_date(r.at, time_zone);
        if (d.year(), d.month()) != (year, m) {
            continue;
        }
        if !seen.insert((&r.issuer, r.serial)) {
            return Err(FundingError::input(
                "redemptions",
                format!(
                    "serial {} of issuer {:?} is listed twice; a cheque is paid once",
                    r.serial, r.issuer
                ),
            ));
        }
        let e = per_venue.entry(r.venue.as_str()).or_insert((0, 0));
        e.0 += 1;
        e.1 += u64::from(r.value_cents);
    }
    let rows: Vec<(&str, u64, Euros, Rate)> = per_venue
        .iter()
        .map(|(v, (n, c))| (*v, *n, Euros::from_cents(*c), deductions.rate(v)))
        .collect();
    let s = venue_statement(book, &rows, first, on)?;
    let lines: Vec<StatementLine> = s
        .lines
        .iter()
        .map(|l| StatementLine {
            venue: l.venue.clone(),
            count: l.passes,
            face_cents: cents_of(l.face),
            deduction_rate: l.deduction_rate,
            deduction_cents: cents_of(l.deduction),
            payout_cents: cents_of(l.payout),
        })
        .collect();
    let totals = lines
        .iter()
        .fold(StatementTotals::default(), |t, l| StatementTotals {
            count: t.count + l.count,
            face_cents: t.face_cents + l.face_cents,
            deduction_cents: t.deduction_cents + l.deduction_cents,
            payout_cents: t.payout_cents + l.payout_cents,
        });
    Ok(MonthlyStatement {
        year,
        month: m,
        time_zone,
        lines,
        totals,
        breakdown: s.breakdown,
    })
}

// ---- credit notes ----

/// A credit note (avoir) to a buyer: the cheques of one issuer's order left unused past
/// their validity and the grace period, at face value only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditNote {
    /// The issuer.
    pub issuer: String,
    /// The order.
    pub order_ref: String,
    /// The note's date.
    pub as_of: NaiveDate,
    /// Cheques credited.
    pub count: u64,
    /// Their face value in cents: the note's amount.
    pub face_cents: u64,
    /// The cheques, by serial.
    pub cheques: Vec<CreditedCheque>,
    /// The amount explained (face value only; the fee is not refunded, S32).
    pub breakdown: Breakdown,
}

/// The CSV columns of [`credit_notes_csv`].
pub const CREDIT_NOTES_CSV_HEADER: [&str; 7] = [
    "issuer",
    "order_ref",
    "as_of",
    "serial",
    "value_cents",
    "valid_until",
    "note_face_cents",
];

/// Credit notes as CSV: one row per credited cheque, with its note's issuer, order, date
/// and amount (`note_face_cents`, repeated on each of the note's rows).
pub fn credit_notes_csv(notes: &[CreditNote]) -> String {
    let mut rows = vec![
        CREDIT_NOTES_CSV_HEADER
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for n in notes {
        for c in &n.cheques {
            rows.push(vec![
                n.issuer.clone(),
                n.order_ref.clone(),
                n.as_of.to_string(),
                c.serial.to_string(),
                c.value_cents.to_string(),
                c.valid_until.to_string(),
                n.face_cents.to_string(),
            ]);
        }
    }
    csv_string(rows)
}

/// Credit notes as a JSON array.
pub fn credit_notes_json(notes: &[CreditNote]) -> String {
    json_string(&notes)
}

/// The credit notes due on `as_of`: for each (issuer, order_ref), the cheques of the
/// register whose `valid_until + grace_days` is before `as_of` (so a cheque valid until
/// 31 December with 7 days' grace is credited from 8 January, not on 7 January) and that
/// `spent` does not list (the serials redeemed, and those already credited by an earlier
/// note). Notes are sorted by issuer then order, their cheques by serial. The token's
/// `valid_until` is what counts: the verifier applies no tolerance. Use
/// [`DEFAULT_CREDIT_GRACE_DAYS`] unless a contract says otherwise.
///
/// Each note is face value only (source S32: the operator's fee is not refunded), via
/// [`credit_note_for_values`]. `invalid_input` for an issuer's serial listed twice in the
/// register (`issued`) or a cheque of value 0 (`value_cents`).
pub fn credit_notes<'a>(
    issued: &[IssuedCheque],
    spent: impl IntoIterator<Item = (&'a str, Serial)>,
    as_of: NaiveDate,
    grace_days: u32,
    book: &RuleBook,
) -> Result<Vec<CreditNote>, FundingError> {
    let spent: HashSet<(&str, Serial)> = spent.into_iter().collect();
    let mut seen: HashSet<(&str, Serial)> = HashSet::with_capacity(issued.len());
    let mut due: BTreeMap<(&str, &str), Vec<&IssuedCheque>> = BTreeMap::new();
    for c in issued {
        if !seen.insert((&c.issuer, c.serial)) {
            return Err(FundingError::input(
                "issued",
                format!(
                    "serial {} of issuer {:?} is in the register twice",
                    c.serial, c.issuer
                ),
            ));
        }
        if c.value_cents == 0 {
            return Err(FundingError::input(
                "value_cents",
                format!("serial {}: a cheque is worth at least 1 cent", c.serial),
            ));
        }
        let Some(last_grace_day) = c
            .valid_until
            .checked_add_days(Days::new(u64::from(grace_days)))
        else {
            continue; // never due
        };
        if last_grace_day < as_of && !spent.contains(&(c.issuer.as_str(), c.serial)) {
            due.entry((&c.issuer, &c.order_ref)).or_default().push(c);
        }
    }
    let mut notes = Vec::with_capacity(due.len());
    for ((issuer, order_ref), mut cheques) in due {
        cheques.sort_by_key(|c| c.serial);
        let values: Vec<Euros> = cheques
            .iter()
            .map(|c| Euros::from_cents(u64::from(c.value_cents)))
            .collect();
        let mut breakdown = credit_note_for_values(book, &values, as_of)?;
        breakdown.title = format!(
            "Pass numérique: credit note to order {order_ref:?} of {issuer} for {} unused cheques",
            cheques.len()
        );
        let face_cents = cheques.iter().map(|c| u64::from(c.value_cents)).sum();
        notes.push(CreditNote {
            issuer: issuer.to_owned(),
            order_ref: order_ref.to_owned(),
            as_of,
            count: cheques.len() as u64,
            face_cents,
            cheques: cheques
                .iter()
                .map(|c| CreditedCheque {
                    issuer: c.issuer.clone(),
                    serial: c.serial,
                    value_cents: c.value_cents,
                    order_ref: c.order_ref.clone(),
                    valid_until: c.valid_until,
                    credited_on: as_of,
                })
                .collect(),
            breakdown,
        });
    }
    Ok(notes)
}

// ---- reconciliation ----

/// A count of cheques and their value in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Tally {
    /// Cheques.
    pub count: u64,
    /// Cents.
    pub cents: u64,
}

impl Tally {
    fn add(&mut self, cents: u16) {
        self.count = self.count.saturating_add(1);
        self.cents = self.cents.saturating_add(u64::from(cents));
    }

    fn plus(self, other: Tally) -> Tally {
        Tally {
            count: self.count.saturating_add(other.count),
            cents: self.cents.saturating_add(other.cents),
        }
    }
}

/// An issuer's stock at the end of a civil day: every term from its own rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Stock {
    /// Register rows issued by then (at the register's value).
    pub issued: Tally,
    /// Redemptions by then (at the token's value).
    pub redeemed: Tally,
    /// Credited cheques by then (at the credited value).
    pub credited: Tally,
    /// Register rows issued by then that no redemption or credit by then spends (at
    /// the register's value).
    pub outstanding: Tally,
}

impl Stock {
    /// Whether issued = redeemed + credited + outstanding, in count and cents.
    pub fn balances(&self) -> bool {
        self.issued == self.redeemed.plus(self.credited).plus(self.outstanding)
    }
}

/// An issuer's movements over the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Flow {
    /// Register rows issued in the period.
    pub issued: Tally,
    /// Redemptions in the period.
    pub redeemed: Tally,
    /// Credits in the period.
    pub credited: Tally,
}

/// What makes a reconciliation fail, row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// A redemption of a serial the register does not have.
    RedeemedNotIssued,
    /// A credit of a serial the register does not have.
    CreditedNotIssued,
    /// A redemption or credit at another value than the register's.
    ValueMismatch,
    /// A serial both redeemed and credited.
    RedeemedAndCredited,
    /// A serial in the register twice.
    IssuedTwice,
    /// A serial redeemed twice (a ledger never records this).
    RedeemedTwice,
    /// A serial credited twice.
    CreditedTwice,
    /// A redemption or credit before the cheque was issued.
    SpentBeforeIssue,
}

impl AnomalyKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::RedeemedNotIssued => "redeemed_not_issued",
            AnomalyKind::CreditedNotIssued => "credited_not_issued",
            AnomalyKind::ValueMismatch => "value_mismatch",
            AnomalyKind::RedeemedAndCredited => "redeemed_and_credited",
            AnomalyKind::IssuedTwice => "issued_twice",
            AnomalyKind::RedeemedTwice => "redeemed_twice",
            AnomalyKind::CreditedTwice => "credited_twice",
            AnomalyKind::SpentBeforeIssue => "spent_before_issue",
        }
    }

    /// Every kind, in order.
    pub const ALL: [AnomalyKind; 8] = [
        AnomalyKind::RedeemedNotIssued,
        AnomalyKind::CreditedNotIssued,
        AnomalyKind::ValueMismatch,
        AnomalyKind::RedeemedAndCredited,
        AnomalyKind::IssuedTwice,
        AnomalyKind::RedeemedTwice,
        AnomalyKind::CreditedTwice,
        AnomalyKind::SpentBeforeIssue,
    ];
}

/// One row that breaks the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Anomaly {
    /// What is wrong.
    pub kind: AnomalyKind,
    /// The issuer.
    pub issuer: String,
    /// The serial.
    #[serde(serialize_with = "hex_serial")]
    pub serial: Serial,
    /// The facts (venue, time, values).
    pub detail: String,
}

/// One issuer's reconciliation over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerReconciliation {
    /// The issuer.
    pub issuer: String,
    /// The stock at the end of the day before the period (all zero without a start).
    pub opening: Stock,
    /// The movements in the period.
    pub period: Flow,
    /// The stock at the end of the period's last day.
    pub closing: Stock,
    /// The rows that break it, by kind then serial.
    pub anomalies: Vec<Anomaly>,
    /// Whether the identities hold and there is no anomaly.
    pub balanced: bool,
}

impl IssuerReconciliation {
    /// opening outstanding + issued = redeemed + credited + closing outstanding.
    pub fn flow_balances(&self) -> bool {
        self.opening.outstanding.plus(self.period.issued)
            == self
                .period
                .redeemed
                .plus(self.period.credited)
                .plus(self.closing.outstanding)
    }

    /// Both stocks balance, the flow balances and there is no anomaly.
    pub fn is_balanced(&self) -> bool {
        self.opening.balances()
            && self.closing.balances()
            && self.flow_balances()
            && self.anomalies.is_empty()
    }
}

/// A reconciliation of every issuer over a period of civil dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// First day of the period (`None`: from the beginning).
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive).
    pub until: NaiveDate,
    /// The time zone of the civil dates.
    #[serde(serialize_with = "tz_name")]
    pub time_zone: Tz,
    /// One per issuer, by issuer.
    pub issuers: Vec<IssuerReconciliation>,
    /// Whether every issuer balances.
    pub balanced: bool,
}

/// The CSV columns of [`Reconciliation::to_csv`].
pub const RECONCILIATION_CSV_HEADER: [&str; 14] = [
    "issuer",
    "from",
    "until",
    "section",
    "issued_count",
    "issued_cents",
    "redeemed_count",
    "redeemed_cents",
    "credited_count",
    "credited_cents",
    "outstanding_count",
    "outstanding_cents",
    "balances",
    "anomalies",
];

/// The CSV columns of [`Reconciliation::anomalies_csv`].
pub const ANOMALIES_CSV_HEADER: [&str; 4] = ["issuer", "kind", "serial", "detail"];

impl Reconciliation {
    /// Whether every issuer balances with no anomaly.
    pub fn is_balanced(&self) -> bool {
        self.issuers.iter().all(IssuerReconciliation::is_balanced)
    }

    /// Every anomaly, by issuer, kind and serial.
    pub fn anomalies(&self) -> impl Iterator<Item = &Anomaly> {
        self.issuers.iter().flat_map(|i| i.anomalies.iter())
    }

    /// The issuer's reconciliation, if it appears.
    pub fn issuer(&self, issuer: &str) -> Option<&IssuerReconciliation> {
        self.issuers.iter().find(|i| i.issuer == issuer)
    }

    /// As CSV: three rows per issuer, `opening`, `period` (outstanding empty) and
    /// `closing`, with whether that identity balances and the issuer's anomaly count.
    pub fn to_csv(&self) -> String {
        let from = self.from.map(|d| d.to_string()).unwrap_or_default();
        let until = self.until.to_string();
        let mut rows = vec![
            RECONCILIATION_CSV_HEADER
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ];
        let t = |x: Tally| [x.count.to_string(), x.cents.to_string()];
        for i in &self.issuers {
            let n = i.anomalies.len().to_string();
            for (section, s, ok) in [
                ("opening", &i.opening, i.opening.balances()),
                ("closing", &i.closing, i.closing.balances()),
            ] {
                let mut row = vec![
                    i.issuer.clone(),
                    from.clone(),
                    until.clone(),
                    section.into(),
                ];
                row.extend(t(s.issued));
                row.extend(t(s.redeemed));
                row.extend(t(s.credited));
                row.extend(t(s.outstanding));
                row.extend([ok.to_string(), n.clone()]);
                rows.push(row);
                if section == "opening" {
                    let p = &i.period;
                    let mut row = vec![
                        i.issuer.clone(),
                        from.clone(),
                        until.clone(),
                        "period".into(),
                    ];
                    row.extend(t(p.issued));
                    row.extend(t(p.redeemed));
                    row.extend(t(p.credited));
                    row.extend([String::new(), String::new()]);
                    row.extend([i.flow_balances().to_string(), n.clone()]);
                    rows.push(row);
                }
            }
        }
        csv_string(rows)
    }

    /// The anomalies as CSV.
    pub fn anomalies_csv(&self) -> String {
        let mut rows = vec![ANOMALIES_CSV_HEADER.iter().map(|s| s.to_string()).collect()];
        for a in self.anomalies() {
            rows.push(vec![
                a.issuer.clone(),
                a.kind.as_str().to_owned(),
                a.serial.to_string(),
                a.detail.clone(),
            ]);
        }
        csv_string(rows)
    }

    /// As one JSON object.
    pub fn to_json(&self) -> String {
        json_string(self)
    }
}

/// Per issuer: the stock at the end of the day before `from` and at the end of `until`,
/// the movements in `from..=until` (civil dates in `time_zone`; `from` `None` reconciles
/// everything up to `until` from an empty opening), and the [`Anomaly`]s among the rows
/// dated up to `until`. Rows dated after `until` are left out.
///
/// Issued rows are dated by `issued_at`, redemptions by `at` (both in `time_zone`),
/// credits by `credited_on`. `invalid_input` naming `from` if it is after `until`.
pub fn reconcile(
    issued: &[IssuedCheque],
    redemptions: &[Redemption],
    credited: &[CreditedCheque],
    from: Option<NaiveDate>,
    until: NaiveDate,
    time_zone: Tz,
) -> Result<Reconciliation, FundingError> {
    if let Some(f) = from
        && f > until
    {
        return Err(FundingError::input(
            "from",
            format!("{f} is after the period's last day {until}"),
        ));
    }
    let opening_day = from.and_then(|f| f.pred_opt());
    // Dated rows, up to `until`.
    let issued: Vec<(&IssuedCheque, NaiveDate)> = issued
        .iter()
        .map(|c| (c, civil_date(c.issued_at, time_zone)))
        .filter(|(_, d)| *d <= until)
        .collect();
    let redeemed: Vec<(&Redemption, NaiveDate)> = redemptions
        .iter()
        .map(|r| (r, civil_date(r.at, time_zone)))
        .filter(|(_, d)| *d <= until)
        .collect();
    let credits: Vec<(&CreditedCheque, NaiveDate)> = credited
        .iter()
        .map(|c| (c, c.credited_on))
        .filter(|(_, d)| *d <= until)
        .collect();

    // When each serial was first spent, by kind: for the outstanding term.
    let mut redeemed_on: HashMap<(&str, Serial), NaiveDate> = HashMap::new();
    for (r, d) in &redeemed {
        let e = redeemed_on.entry((&*r.issuer, r.serial)).or_insert(*d);
        *e = (*e).min(*d);
    }
    let mut credited_on: HashMap<(&str, Serial), NaiveDate> = HashMap::new();
    for (c, d) in &credits {
        let e = credited_on.entry((&c.issuer, c.serial)).or_insert(*d);
        *e = (*e).min(*d);
    }

    fn slot<'a>(
        per: &'a mut BTreeMap<String, IssuerReconciliation>,
        issuer: &str,
    ) -> &'a mut IssuerReconciliation {
        per.entry(issuer.to_owned())
            .or_insert_with(|| IssuerReconciliation {
                issuer: issuer.to_owned(),
                opening: Stock::default(),
                period: Flow::default(),
                closing: Stock::default(),
                anomalies: Vec::new(),
                balanced: false,
            })
    }
    let mut per: BTreeMap<String, IssuerReconciliation> = BTreeMap::new();
    let in_opening = |d: NaiveDate| opening_day.is_some_and(|o| d <= o);

    for (c, d) in &issued {
        let s = slot(&mut per, &c.issuer);
        s.closing.issued.add(c.value_cents);
        if in_opening(*d) {
            s.opening.issued.add(c.value_cents);
        } else {
            s.period.issued.add(c.value_cents);
        }
        let key = (c.issuer.as_str(), c.serial);
        let spent_by = |day: NaiveDate| {
            redeemed_on.get(&key).is_some_and(|r| *r <= day)
                || credited_on.get(&key).is_some_and(|k| *k <= day)
        };
        if !spent_by(until) {
            s.closing.outstanding.add(c.value_cents);
        }
        if let Some(o) = opening_day
            && *d <= o
            && !spent_by(o)
        {
            s.opening.outstanding.add(c.value_cents);
        }
    }
    for (r, d) in &redeemed {
        let s = slot(&mut per, &r.issuer);
        s.closing.redeemed.add(r.value_cents);
        if in_opening(*d) {
            s.opening.redeemed.add(r.value_cents);
        } else {
            s.period.redeemed.add(r.value_cents);
        }
    }
    for (c, d) in &credits {
        let s = slot(&mut per, &c.issuer);
        s.closing.credited.add(c.value_cents);
        if in_opening(*d) {
            s.opening.credited.add(c.value_cents);
        } else {
            s.period.credited.add(c.value_cents);
        }
    }

    // Anomalies, row by row.
    let mut register: HashMap<(&str, Serial), &IssuedCheque> = HashMap::new();
    let mut found: Vec<Anomaly> = Vec::new();
    let mut flag = |kind, issuer: &str, serial, detail: String| {
        found.push(Anomaly {
            kind,
            issuer: issuer.to_owned(),
            serial,
            detail,
        });
    };
    for (c, _) in &issued {
        if let Some(first) = register.insert((&c.issuer, c.serial), c) {
            flag(
                AnomalyKind::IssuedTwice,
                &c.issuer,
                c.serial,
                format!(
                    "issued at {} (order {:?}) and at {} (order {:?})",
                    first.issued_at, first.order_ref, c.issued_at, c.order_ref
                ),
            );
        }
    }
    let mut redeemed_seen: HashSet<(&str, Serial)> = HashSet::new();
    for (r, _) in &redeemed {
        let key = (&*r.issuer, r.serial);
        if !redeemed_seen.insert(key) {
            flag(
                AnomalyKind::RedeemedTwice,
                &r.issuer,
                r.serial,
                format!("redeemed again at {} on {}", r.venue, r.at),
            );
        }
        match register.get(&key) {
            None => flag(
                AnomalyKind::RedeemedNotIssued,
                &r.issuer,
                r.serial,
                format!(
                    "redeemed at {} on {} for {} cents; not in the register",
                    r.venue, r.at, r.value_cents
                ),
            ),
            Some(c) => {
                if c.value_cents != r.value_cents {
                    flag(
                        AnomalyKind::ValueMismatch,
                        &r.issuer,
                        r.serial,
                        format!(
                            "issued for {} cents, redeemed at {} for {} cents",
                            c.value_cents, r.venue, r.value_cents
                        ),
                    );
                }
                if r.at < c.issued_at {
                    flag(
                        AnomalyKind::SpentBeforeIssue,
                        &r.issuer,
                        r.serial,
                        format!(
                            "redeemed at {} on {}, before it was issued on {}",
                            r.venue, r.at, c.issued_at
                        ),
                    );
                }
            }
        }
        if credited_on.contains_key(&key) {
            flag(
                AnomalyKind::RedeemedAndCredited,
                &r.issuer,
                r.serial,
                format!(
                    "redeemed at {} on {} and credited on {}",
                    r.venue, r.at, credited_on[&key]
                ),
            );
        }
    }
    let mut credited_seen: HashSet<(&str, Serial)> = HashSet::new();
    for (k, _) in &credits {
        let key = (k.issuer.as_str(), k.serial);
        if !credited_seen.insert(key) {
            flag(
                AnomalyKind::CreditedTwice,
                &k.issuer,
                k.serial,
                format!("credited again on {}", k.credited_on),
            );
        }
        match register.get(&key) {
            None => flag(
                AnomalyKind::CreditedNotIssued,
                &k.issuer,
                k.serial,
                format!(
                    "credited on {} for {} cents; not in the register",
                    k.credited_on, k.value_cents
                ),
            ),
            Some(c) => {
                if c.value_cents != k.value_cents {
                    flag(
                        AnomalyKind::ValueMismatch,
                        &k.issuer,
                        k.serial,
                        format!(
                            "issued for {} cents, credited for {} cents",
                            c.value_cents, k.value_cents
                        ),
                    );
                }
                if k.credited_on < civil_date(c.issued_at, time_zone) {
                    flag(
                        AnomalyKind::SpentBeforeIssue,
                        &k.issuer,
                        k.serial,
                        format!(
                            "credited on {}, before it was issued on {}",
                            k.credited_on, c.issued_at
                        ),
                    );
                }
            }
        }
    }
    for a in found {
        slot(&mut per, &a.issuer).anomalies.push(a);
    }
    let mut issuers: Vec<IssuerReconciliation> = per.into_values().collect();
    for i in &mut issuers {
        i.anomalies.sort();
        i.balanced = i.is_balanced();
    }
    let balanced = issuers.iter().all(|i| i.balanced);
    Ok(Reconciliation {
        from,
        until,
        time_zone,
        issuers,
        balanced,
    })
}

/// A human summary of a reconciliation (one paragraph per issuer).
pub fn summary(r: &Reconciliation) -> String {
    let mut out = String::new();
    for i in &r.issuers {
        let c = &i.closing;
        let _ = writeln!(
            out,
            "{}: issued {} ({} €) = redeemed {} ({} €) + credited {} ({} €) + outstanding {} ({} €): {}",
            i.issuer,
            c.issued.count,
            euros_text(c.issued.cents),
            c.redeemed.count,
            euros_text(c.redeemed.cents),
            c.credited.count,
            euros_text(c.credited.cents),
            c.outstanding.count,
            euros_text(c.outstanding.cents),
            if i.balanced {
                "balanced"
            } else {
                "NOT balanced"
            }
        );
        for a in &i.anomalies {
            let _ = writeln!(out, "  {} {}: {}", a.kind.as_str(), a.serial, a.detail);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voucher::issue::{Issuer, VoucherSpec};
    use crate::voucher::token::{Scope, Validity};
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::sync::Arc;

    const PARIS: Tz = chrono_tz::Europe::Paris;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
    }

    fn serial(n: u128) -> Serial {
        Serial::from_u128(n).unwrap()
    }

    fn kid() -> Kid {
        Kid::new(1).unwrap()
    }

    fn redemption(issuer: &str, n: u128, cents: u16, venue: &str, at: DateTime<Utc>) -> Redemption {
        Redemption {
            issuer: Arc::from(issuer),
            serial: serial(n),
            kid: kid(),
            value_cents: cents,
            venue: venue.to_owned(),
            at,
        }
    }

    fn cheque(issuer: &str, n: u128, cents: u16, until: NaiveDate, order: &str) -> IssuedCheque {
        IssuedCheque {
            issuer: issuer.to_owned(),
            serial: serial(n),
            kid: kid(),
            value_cents: cents,
            valid_from: d(2026, 1, 1),
            valid_until: until,
            order_ref: order.to_owned(),
            issued_at: t(2026, 1, 5, 10, 0, 0),
        }
    }

    fn rate(bp: u32) -> Rate {
        Rate::new(Decimal::new(i64::from(bp), 4), "rate").unwrap()
    }

    /// March 2026 in Paris: three venues at 0 %, 2.5 % and 5 %, mixed values, and the
    /// month's edges. Paris is UTC+1 until 29 March, UTC+2 after.
    fn march() -> Vec<Redemption> {
        let a = |n, c, v, at| redemption("aptic", n, c, v, at);
        vec![
            // cyber-base-gueret, 0 %: 10 + 10 + 5.50 = 25.50, paid in full. The first is
            // 28 Feb 23:00 UTC = 1 March 00:00 in Paris: March.
            a(1, 1000, "cyber-base-gueret", t(2026, 2, 28, 23, 0, 0)),
            a(2, 1000, "cyber-base-gueret", t(2026, 3, 12, 9, 30, 0)),
            a(3, 550, "cyber-base-gueret", t(2026, 3, 20, 15, 0, 0)),
            // mediatheque-lyon, 2.5 %: 10 + 10 + 10.20 = 30.20; 30.20 × 0.975 = 29.445
            // → 29.45 (half away from zero; half to even would give 29.44); deduction
            // 30.20 − 29.45 = 0.75. The last is 31 March 21:59:59 UTC = 23:59:59 in Paris.
            a(4, 1000, "mediatheque-lyon", t(2026, 3, 2, 8, 0, 0)),
            a(5, 1000, "mediatheque-lyon", t(2026, 3, 30, 17, 0, 0)),
            a(6, 1020, "mediatheque-lyon", t(2026, 3, 31, 21, 59, 59)),
            // espace-creuse, 5 %: 4 × 10 + 1.50 = 41.50; 41.50 × 0.95 = 39.425 → 39.43;
            // deduction 41.50 − 39.43 = 2.07.
            a(7, 1000, "espace-creuse", t(2026, 3, 3, 10, 0, 0)),
            a(8, 1000, "espace-creuse", t(2026, 3, 4, 10, 0, 0)),
            a(9, 1000, "espace-creuse", t(2026, 3, 5, 10, 0, 0)),
            a(10, 1000, "espace-creuse", t(2026, 3, 6, 10, 0, 0)),
            a(11, 150, "espace-creuse", t(2026, 3, 7, 10, 0, 0)),
            // Still March in UTC, already 1 April 00:00 in Paris: April's statement.
            a(12, 1000, "mediatheque-lyon", t(2026, 3, 31, 22, 0, 0)),
            // 28 Feb 22:59:59 UTC = 23:59:59 in Paris: February's.
            a(13, 1000, "espace-creuse", t(2026, 2, 28, 22, 59, 59)),
        ]
    }

    fn rates() -> Deductions {
        Deductions::new(
            [
                ("mediatheque-lyon".to_owned(), rate(250)),
                ("espace-creuse".to_owned(), rate(500)),
            ],
            Rate::ZERO,
        )
    }

    #[test]
    fn a_month_with_three_venues_by_hand() {
        let book = RuleBook::default();
        let s =
            monthly_statements(&march(), &rates(), (2026, 3), PARIS, &book, d(2026, 4, 5)).unwrap();
        let got: Vec<(&str, u64, u64, u64, u64)> = s
            .lines
            .iter()
            .map(|l| {
                (
                    l.venue.as_str(),
                    l.count,
                    l.face_cents,
                    l.deduction_cents,
                    l.payout_cents,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("cyber-base-gueret", 3, 2_550, 0, 2_550),
                ("espace-creuse", 5, 4_150, 207, 3_943),
                ("mediatheque-lyon", 3, 3_020, 75, 2_945),
            ]
        );
        // 11 cheques, 97.20 € = 94.38 € paid + 2.82 € kept.
        assert_eq!(
            s.totals,
            StatementTotals {
                count: 11,
                face_cents: 9_720,
                deduction_cents: 282,
                payout_cents: 9_438,
            }
        );
        assert_eq!(s.lines[2].deduction_rate, rate(250));
        assert_eq!(s.breakdown.total, Euros::from_cents(9_438));
        assert_eq!(s.month_label(), "2026-03");

        // April holds the cheque of 1 April 00:00 in Paris: 10 € at 2.5 % = 9.75 paid.
        let april =
            monthly_statements(&march(), &rates(), (2026, 4), PARIS, &book, d(2026, 5, 5)).unwrap();
        assert_eq!(
            (
                april.totals.count,
                april.totals.payout_cents,
                april.totals.deduction_cents
            ),
            (1, 975, 25)
        );
        assert_eq!(april.lines[0].venue, "mediatheque-lyon");
        // In UTC the edges fall the other way: serial 12 is March, serial 1 February.
        let utc = monthly_statements(&march(), &rates(), (2026, 3), Tz::UTC, &book, d(2026, 4, 5))
            .unwrap();
        assert_eq!(utc.totals.count, 11);
        assert_eq!(utc.lines[0].count, 2); // cyber-base-gueret without serial 1
        assert_eq!(utc.lines[2].count, 4); // mediatheque-lyon with serial 12
        let feb =
            monthly_statements(&march(), &rates(), (2026, 2), PARIS, &book, d(2026, 3, 5)).unwrap();
        assert_eq!((feb.totals.count, feb.totals.face_cents), (1, 1_000));
    }

    #[test]
    fn statements_refuse_what_they_cannot_pay() {
        let book = RuleBook::default();
        let on = d(2026, 4, 5);
        let e = monthly_statements(&march(), &rates(), (2026, 13), PARIS, &book, on).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().starts_with("month:"), "{e}");
        let mut twice = march();
        twice.push(twice[1].clone());
        let e = monthly_statements(&twice, &rates(), (2026, 3), PARIS, &book, on).unwrap_err();
        assert!(e.to_string().starts_with("redemptions:"), "{e}");
        // The same serial of another issuer is another cheque.
        let mut other = march();
        other.push(redemption("region", 2, 1000, "x", t(2026, 3, 9, 9, 0, 0)));
        assert!(monthly_statements(&other, &rates(), (2026, 3), PARIS, &book, on).is_ok());
        let greedy = Deductions::new([("espace-creuse".to_owned(), rate(501))], Rate::ZERO);
        let e = monthly_statements(&march(), &greedy, (2026, 3), PARIS, &book, on).unwrap_err();
        assert!(e.to_string().starts_with("deduction_rate:"), "{e}");
        assert!(e.to_string().contains("espace-creuse"), "{e}");
        // A month with nothing: no lines, zero totals.
        let none = monthly_statements(&march(), &rates(), (2025, 1), PARIS, &book, on).unwrap();
        assert!(none.lines.is_empty());
        assert_eq!(none.totals, StatementTotals::default());
    }

    #[test]
    fn statement_csv_and_json() {
        let book = RuleBook::default();
        let mut rs = march();
        rs.push(redemption(
            "aptic",
            40,
            1000,
            "Lyon, \"centre\"",
            t(2026, 3, 9, 9, 0, 0),
        ));
        let s = monthly_statements(&rs, &rates(), (2026, 3), PARIS, &book, d(2026, 4, 5)).unwrap();
        let csv = s.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "month,row,venue,count,face_cents,deduction_rate,deduction_cents,payout_cents"
        );
        assert_eq!(
            lines[1],
            "2026-03,venue,\"Lyon, \"\"centre\"\"\",1,1000,0,0,1000"
        );
        assert_eq!(
            lines[4],
            "2026-03,venue,mediatheque-lyon,3,3020,0.025,75,2945"
        );
        assert_eq!(lines[5], "2026-03,total,,12,10720,,282,10438");
        let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(v["time_zone"], "Europe/Paris");
        assert_eq!(v["totals"]["payout_cents"], 10_438);
        assert_eq!(v["lines"][3]["deduction_rate"], "0.025");
        assert_eq!(v["breakdown"]["total"], "104.38");
    }

    /// Two orders of aptic and one of region-creuse, valid until 31 December 2026.
    fn register() -> Vec<IssuedCheque> {
        let end = d(2026, 12, 31);
        vec![
            cheque("aptic", 1, 1000, end, "CD23-001"), // redeemed in March
            cheque("aptic", 2, 1000, end, "CD23-001"), // never used
            cheque("aptic", 3, 550, end, "CD23-001"),  // never used
            cheque("aptic", 4, 1000, end, "CD23-001"), // credited earlier
            cheque("aptic", 5, 2000, end, "CD23-002"), // never used
            cheque("aptic", 6, 1000, d(2027, 6, 30), "CD23-002"), // still valid
            cheque("region-creuse", 7, 500, end, "R-1"), // never used
        ]
    }

    fn spent() -> Vec<(&'static str, Serial)> {
        vec![("aptic", serial(1)), ("aptic", serial(4))]
    }

    #[test]
    fn credit_notes_at_the_end_of_validity_with_the_grace_boundary() {
        let book = RuleBook::default();
        let g = DEFAULT_CREDIT_GRACE_DAYS;
        // 31 December + 7 days = 7 January: the day before and the day itself, nothing.
        for as_of in [d(2027, 1, 6), d(2027, 1, 7)] {
            let notes = credit_notes(&register(), spent(), as_of, g, &book).unwrap();
            assert!(notes.is_empty(), "{as_of}");
        }
        // 8 January: one note per (issuer, order), face value only.
        let notes = credit_notes(&register(), spent(), d(2027, 1, 8), g, &book).unwrap();
        let got: Vec<(&str, &str, u64, u64)> = notes
            .iter()
            .map(|n| {
                (
                    n.issuer.as_str(),
                    n.order_ref.as_str(),
                    n.count,
                    n.face_cents,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("aptic", "CD23-001", 2, 1_550), // 10 + 5.50
                ("aptic", "CD23-002", 1, 2_000), // serial 6 is valid until June
                ("region-creuse", "R-1", 1, 500),
            ]
        );
        let n = &notes[0];
        assert_eq!(
            n.cheques.iter().map(|c| c.serial).collect::<Vec<_>>(),
            [serial(2), serial(3)]
        );
        assert!(n.cheques.iter().all(|c| c.credited_on == d(2027, 1, 8)));
        assert_eq!(n.breakdown.total, Euros::from_cents(1_550));
        assert!(
            n.breakdown.lines[0].formula.contains("10 + 5.5 = 15.5"),
            "{}",
            n.breakdown.lines[0].formula
        );
        assert!(n.breakdown.lines[0].formula.contains("not refunded (S32)"));
        assert!(n.breakdown.title.contains("CD23-001"));
        // Once credited, a cheque is spent: the next run finds nothing more.
        let mut spent_now = spent();
        spent_now.extend(
            notes
                .iter()
                .flat_map(|n| n.cheques.iter())
                .map(|c| ("aptic", c.serial)),
        );
        spent_now.push(("region-creuse", serial(7)));
        assert!(
            credit_notes(&register(), spent_now, d(2027, 1, 9), g, &book)
                .unwrap()
                .is_empty()
        );
        // No grace: due from 1 January.
        assert_eq!(
            credit_notes(&register(), spent(), d(2027, 1, 1), 0, &book)
                .unwrap()
                .len(),
            3
        );
        // A serial twice in the register is refused.
        let mut dup = register();
        dup.push(dup[0].clone());
        let e = credit_notes(&dup, spent(), d(2027, 1, 8), g, &book).unwrap_err();
        assert!(e.to_string().starts_with("issued:"), "{e}");
        // CSV: one row per cheque; JSON: one object per note.
        let csv = credit_notes_csv(&notes);
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(
            rows[0],
            "issuer,order_ref,as_of,serial,value_cents,valid_until,note_face_cents"
        );
        assert_eq!(
            rows[2],
            "aptic,CD23-001,2027-01-08,00000000000000000003,550,2026-12-31,1550"
        );
        assert_eq!(rows.len(), 5);
        let v: serde_json::Value = serde_json::from_str(&credit_notes_json(&notes)).unwrap();
        assert_eq!(v[0]["cheques"][0]["serial"], "00000000000000000002");
        assert_eq!(v[2]["face_cents"], 500);
    }

    #[test]
    fn issued_cheque_from_an_issued_voucher() {
        let issuer = Issuer::new(
            Kid::new(7).unwrap(),
            crate::voucher::SecretKey::from_seed(&[7; 32]),
        );
        let validity = Validity::from_dates(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        let mut spec = VoucherSpec::pass_numerique(validity);
        spec.value_cents = 550;
        spec.scope = Scope(23);
        let v = &issuer.booklet(&spec, 1).unwrap()[0];
        let c = IssuedCheque::from_issued(v, "aptic", "CD23-001", t(2026, 1, 5, 10, 0, 0)).unwrap();
        assert_eq!(c.serial, v.serial());
        assert_eq!((c.kid.get(), c.value_cents), (7, 550));
        assert_eq!(
            (c.valid_from, c.valid_until),
            (d(2026, 1, 1), d(2026, 12, 31))
        );
        assert_eq!(
            (c.issuer.as_str(), c.order_ref.as_str()),
            ("aptic", "CD23-001")
        );
        let v: serde_json::Value = serde_json::to_value(&c).unwrap();
        assert_eq!(v["kid"], 7);
        assert_eq!(v["serial"].as_str().unwrap().len(), 20);
    }

    fn history() -> (Vec<IssuedCheque>, Vec<Redemption>, Vec<CreditedCheque>) {
        let book = RuleBook::default();
        let redemptions = vec![redemption(
            "aptic",
            1,
            1000,
            "mediatheque-lyon",
            t(2026, 3, 10, 9, 0, 0),
        )];
        let mut credited = vec![CreditedCheque {
            issuer: "aptic".into(),
            serial: serial(4),
            value_cents: 1000,
            order_ref: "CD23-001".into(),
            valid_until: d(2026, 12, 31),
            credited_on: d(2026, 6, 30),
        }];
        let notes = credit_notes(&register(), spent(), d(2027, 1, 8), 7, &book).unwrap();
        credited.extend(notes.into_iter().flat_map(|n| n.cheques));
        (register(), redemptions, credited)
    }

    #[test]
    fn reconciliation_by_hand() {
        let (issued, redeemed, credited) = history();
        let r = reconcile(
            &issued,
            &redeemed,
            &credited,
            Some(d(2027, 1, 1)),
            d(2027, 1, 31),
            PARIS,
        )
        .unwrap();
        assert!(r.is_balanced() && r.balanced);
        let a = r.issuer("aptic").unwrap();
        let tally = |count, cents| Tally { count, cents };
        // End of 2026: 6 issued (65.50 €) = 1 redeemed (10) + 1 credited (10) + 4
        // outstanding (10 + 5.50 + 20 + 10 = 45.50).
        assert_eq!(
            a.opening,
            Stock {
                issued: tally(6, 6_550),
                redeemed: tally(1, 1_000),
                credited: tally(1, 1_000),
                outstanding: tally(4, 4_550),
            }
        );
        // January 2027: the note of 8 January credits serials 2, 3 and 5 (35.50 €).
        assert_eq!(
            a.period,
            Flow {
                issued: Tally::default(),
                redeemed: Tally::default(),
                credited: tally(3, 3_550),
            }
        );
        // End of January: 65.50 = 10 + 45.50 + 10 (serial 6, valid until June).
        assert_eq!(
            a.closing,
            Stock {
                issued: tally(6, 6_550),
                redeemed: tally(1, 1_000),
                credited: tally(4, 4_550),
                outstanding: tally(1, 1_000),
            }
        );
        assert!(a.flow_balances()); // 45.50 + 0 = 0 + 35.50 + 10
        let c = r.issuer("region-creuse").unwrap();
        assert_eq!(c.closing.credited, tally(1, 500));
        // Without a start: everything up to the end, from an empty opening.
        let all = reconcile(&issued, &redeemed, &credited, None, d(2027, 1, 31), PARIS).unwrap();
        assert!(all.is_balanced());
        assert_eq!(all.issuers[0].opening, Stock::default());
        assert_eq!(all.issuers[0].period.issued, tally(6, 6_550));
        // A period before anything was issued: all zero, balanced.
        let before =
            reconcile(&issued, &redeemed, &credited, None, d(2025, 12, 31), PARIS).unwrap();
        assert!(before.issuers.is_empty() && before.is_balanced());
        let e = reconcile(
            &issued,
            &redeemed,
            &credited,
            Some(d(2027, 2, 1)),
            d(2027, 1, 31),
            PARIS,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("from:"), "{e}");

        // CSV and JSON.
        let csv = r.to_csv();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows[0], RECONCILIATION_CSV_HEADER.join(","));
        assert_eq!(
            rows[1],
            "aptic,2027-01-01,2027-01-31,opening,6,6550,1,1000,1,1000,4,4550,true,0"
        );
        assert_eq!(
            rows[2],
            "aptic,2027-01-01,2027-01-31,period,0,0,0,0,3,3550,,,true,0"
        );
        assert_eq!(
            rows[3],
            "aptic,2027-01-01,2027-01-31,closing,6,6550,1,1000,4,4550,1,1000,true,0"
        );
        assert_eq!(rows.len(), 7);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["balanced"], true);
        assert_eq!(v["issuers"][0]["closing"]["outstanding"]["cents"], 1_000);
        assert_eq!(v["time_zone"], "Europe/Paris");
        assert_eq!(r.anomalies_csv(), "issuer,kind,serial,detail\n");
        assert!(summary(&r).contains("aptic: issued 6 (65.50 €) = redeemed 1 (10.00 €)"));
    }

    #[test]
    fn each_anomaly_is_reported_and_unbalances() {
        let (issued, redeemed, credited) = history();
        let until = d(2027, 1, 31);
        let check = |issued: &[IssuedCheque],
                     redeemed: &[Redemption],
                     credited: &[CreditedCheque],
                     kind: AnomalyKind| {
            let r = reconcile(
                issued,
                redeemed,
                credited,
                Some(d(2026, 7, 1)),
                until,
                PARIS,
            )
            .unwrap();
            assert!(!r.is_balanced() && !r.balanced, "{kind:?}");
            let found: Vec<AnomalyKind> = r.anomalies().map(|a| a.kind).collect();
            assert!(found.contains(&kind), "{kind:?}: {found:?}");
            assert!(r.anomalies_csv().contains(kind.as_str()));
            r
        };
        let late = |n, c| redemption("aptic", n, c, "espace-creuse", t(2026, 9, 1, 10, 0, 0));
        // Redeemed but never issued: the redeemed term counts it, so closing fails.
        let mut r2 = redeemed.clone();
        r2.push(late(99, 1000));
        let r = check(&issued, &r2, &credited, AnomalyKind::RedeemedNotIssued);
        assert!(!r.issuers[0].closing.balances());
        // A value mismatch: the cents fail.
        let mut r2 = redeemed.clone();
        r2.push(late(6, 2000));
        let r = check(&issued, &r2, &credited, AnomalyKind::ValueMismatch);
        let a = &r.issuers[0];
        assert_eq!(
            a.closing.issued.count,
            a.closing
                .redeemed
                .plus(a.closing.credited)
                .plus(a.closing.outstanding)
                .count
        );
        assert!(!a.closing.balances());
        // Redeemed and credited: counted twice.
        let mut r2 = redeemed.clone();
        r2.push(late(2, 1000));
        check(&issued, &r2, &credited, AnomalyKind::RedeemedAndCredited);
        // Redeemed twice.
        let mut r2 = redeemed.clone();
        r2.push(late(1, 1000));
        check(&issued, &r2, &credited, AnomalyKind::RedeemedTwice);
        // Credited twice, and credited without being issued.
        let mut c2 = credited.clone();
        c2.push(c2[0].clone());
        check(&issued, &redeemed, &c2, AnomalyKind::CreditedTwice);
        let mut c2 = credited.clone();
        c2[0].serial = serial(98);
        check(&issued, &redeemed, &c2, AnomalyKind::CreditedNotIssued);
        // Issued twice: the stock may still add up, the anomaly alone unbalances it.
        let mut i2 = issued.clone();
        let mut again = i2[5].clone();
        again.order_ref = "CD23-003".into();
        i2.push(again);
        check(&i2, &redeemed, &credited, AnomalyKind::IssuedTwice);
        // Spent before it was issued.
        let mut r2 = redeemed.clone();
        r2.push(redemption("aptic", 6, 1000, "x", t(2026, 1, 5, 9, 59, 59)));
        check(&issued, &r2, &credited, AnomalyKind::SpentBeforeIssue);
    }

    #[derive(Debug, Clone)]
    struct Item {
        issuer: usize,
        cents: u16,
        issued_min: u32,
        fate: u8, // 0 outstanding, 1 redeemed, 2 credited
        delay_min: u32,
    }

    fn items() -> impl Strategy<Value = Vec<Item>> {
        prop::collection::vec(
            (
                0usize..3,
                1u16..=5000,
                0u32..400 * 1440,
                0u8..3,
                0u32..200 * 1440,
            )
                .prop_map(|(issuer, cents, issued_min, fate, delay_min)| Item {
                    issuer,
                    cents,
                    issued_min,
                    fate,
                    delay_min,
                }),
            0..40,
        )
    }

    const ISSUERS: [&str; 3] = ["aptic", "region-creuse", "ville-lyon"];

    fn build(items: &[Item]) -> (Vec<IssuedCheque>, Vec<Redemption>, Vec<CreditedCheque>) {
        let base = t(2026, 1, 1, 0, 0, 0);
        let mut issued = Vec::new();
        let mut redeemed = Vec::new();
        let mut credited = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let issued_at = base + chrono::TimeDelta::minutes(i64::from(it.issued_min));
            let c = IssuedCheque {
                issuer: ISSUERS[it.issuer].to_owned(),
                serial: serial(i as u128 + 1),
                kid: kid(),
                value_cents: it.cents,
                valid_from: d(2026, 1, 1),
                valid_until: d(2027, 12, 31),
                order_ref: format!("order-{}", i % 4),
                issued_at,
            };
            let at = issued_at + chrono::TimeDelta::minutes(i64::from(it.delay_min));
            match it.fate {
                1 => redeemed.push(redemption(
                    &c.issuer,
                    i as u128 + 1,
                    it.cents,
                    &format!("venue-{}", i % 5),
                    at,
                )),
                2 => credited.push(CreditedCheque {
                    issuer: c.issuer.clone(),
                    serial: c.serial,
                    value_cents: c.value_cents,
                    order_ref: c.order_ref.clone(),
                    valid_until: c.valid_until,
                    credited_on: civil_date(at, PARIS),
                }),
                _ => {}
            }
            issued.push(c);
        }
        (issued, redeemed, credited)
    }

    fn day(offset: u32) -> NaiveDate {
        d(2026, 1, 1) + Days::new(u64::from(offset))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reconciliation_always_balances_without_anomalies(
            items in items(),
            from in prop::option::of(0u32..650),
            len in 0u32..650,
        ) {
            let (issued, redeemed, credited) = build(&items);
            let until = day(from.unwrap_or(0) + len);
            let r = reconcile(&issued, &redeemed, &credited, from.map(day), until, PARIS).unwrap();
            prop_assert!(r.is_balanced(), "{}", summary(&r));
            prop_assert_eq!(r.anomalies().count(), 0);
            // The issued term is the register's rows dated up to `until`, nothing else.
            let expected: u64 = issued
                .iter()
                .filter(|c| civil_date(c.issued_at, PARIS) <= until)
                .map(|c| u64::from(c.value_cents))
                .sum();
            let got: u64 = r.issuers.iter().map(|i| i.closing.issued.cents).sum();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn a_planted_anomaly_is_always_reported(
            items in items().prop_filter("one cheque at least", |v| !v.is_empty()),
            pick in any::<prop::sample::Index>(),
            kind in 0usize..8,
            from in prop::option::of(0u32..800),
        ) {
            let (mut issued, mut redeemed, mut credited) = build(&items);
            let k = AnomalyKind::ALL[kind];
            let c = issued[pick.index(issued.len())].clone();
            // Make the chosen cheque outstanding, then plant the anomaly on it.
            redeemed.retain(|r| r.serial != c.serial);
            credited.retain(|x| x.serial != c.serial);
            let after = c.issued_at + chrono::TimeDelta::hours(1);
            let redeem = |cents: u16, venue: &str| {
                redemption(&c.issuer, c.serial.to_u128(), cents, venue, after)
            };
            let credit = CreditedCheque {
                issuer: c.issuer.clone(),
                serial: c.serial,
                value_cents: c.value_cents,
                order_ref: c.order_ref.clone(),
                valid_until: c.valid_until,
                credited_on: civil_date(after, PARIS),
            };
            let fresh = serial(1 << 70);
            match k {
                AnomalyKind::RedeemedNotIssued => {
                    let mut r = redeem(c.value_cents, "v");
                    r.serial = fresh;
                    redeemed.push(r);
                }
                AnomalyKind::CreditedNotIssued => {
                    let mut x = credit.clone();
                    x.serial = fresh;
                    credited.push(x);
                }
                AnomalyKind::ValueMismatch => redeemed.push(redeem(c.value_cents % 5000 + 1, "v")),
                AnomalyKind::RedeemedAndCredited => {
                    redeemed.push(redeem(c.value_cents, "v"));
                    credited.push(credit.clone());
                }
                AnomalyKind::IssuedTwice => issued.push(c.clone()),
                AnomalyKind::RedeemedTwice => {
                    redeemed.push(redeem(c.value_cents, "v"));
                    redeemed.push(redeem(c.value_cents, "w"));
                }
                AnomalyKind::CreditedTwice => {
                    credited.push(credit.clone());
                    credited.push(credit.clone());
                }
                AnomalyKind::SpentBeforeIssue => {
                    let mut r = redeem(c.value_cents, "v");
                    r.at = c.issued_at - chrono::TimeDelta::seconds(1);
                    redeemed.push(r);
                }
            }
            // A period ending after every row.
            let until = day(1200);
            let from = from.map(day);
            let r = reconcile(&issued, &redeemed, &credited, from, until, PARIS).unwrap();
            prop_assert!(!r.is_balanced());
            let at = if matches!(k, AnomalyKind::RedeemedNotIssued | AnomalyKind::CreditedNotIssued) {
                fresh
            } else {
                c.serial
            };
            prop_assert!(r.anomalies().any(|a| a.kind == k && a.serial == at), "{:?}", k);
            // Every kind but these two also breaks the closing identity itself.
            if !matches!(k, AnomalyKind::IssuedTwice | AnomalyKind::SpentBeforeIssue) {
                let i = r.issuer(&c.issuer).unwrap();
                prop_assert!(!i.closing.balances(), "{:?}", k);
            }
        }

        #[test]
        fn statements_add_up_to_the_cent(
            rows in prop::collection::vec(
                (0usize..4, 1u16..=65535, 0u32..(40 * 1440)),
                0..60,
            ),
            bps in prop::collection::vec(0u32..=500, 4),
        ) {
            let venues = ["a", "b", "c", "d"];
            let base = t(2026, 2, 25, 0, 0, 0);
            let redemptions: Vec<Redemption> = rows
                .iter()
                .enumerate()
                .map(|(i, (v, cents, min))| {
                    redemption("aptic", i as u128 + 1, *cents, venues[*v],
                        base + chrono::TimeDelta::minutes(i64::from(*min)))
                })
                .collect();
            let ded = Deductions::new(
                venues.iter().zip(&bps).map(|(v, bp)| ((*v).to_owned(), rate(*bp))),
                Rate::ZERO,
            );
            let s = monthly_statements(&redemptions, &ded, (2026, 3), PARIS,
                &RuleBook::default(), d(2026, 4, 5)).unwrap();
            let mut sum = StatementTotals::default();
            for l in &s.lines {
                prop_assert_eq!(l.face_cents, l.payout_cents + l.deduction_cents);
                // The payout by integer arithmetic: face × (10000 − bp) / 10000, half up.
                let bp = u64::from(bps[venues.iter().position(|v| *v == l.venue).unwrap()]);
                prop_assert_eq!(l.payout_cents, (l.face_cents * (10_000 - bp) + 5_000) / 10_000);
                sum.count += l.count;
                sum.face_cents += l.face_cents;
                sum.deduction_cents += l.deduction_cents;
                sum.payout_cents += l.payout_cents;
            }
            prop_assert_eq!(sum, s.totals);
            prop_assert_eq!(s.totals.face_cents, s.totals.payout_cents + s.totals.deduction_cents);
            // The face is exactly the March (Paris) redemptions' values.
            let in_march: Vec<&Redemption> = redemptions
                .iter()
                .filter(|r| {
                    let l = r.at.with_timezone(&PARIS);
                    (l.year(), l.month()) == (2026, 3)
                })
                .collect();
            prop_assert_eq!(s.totals.count, in_march.len() as u64);
            prop_assert_eq!(
                s.totals.face_cents,
                in_march.iter().map(|r| u64::from(r.value_cents)).sum::<u64>()
            );
            prop_assert_eq!(cents_of(s.breakdown.total), s.totals.payout_cents);
        }
    }
}
