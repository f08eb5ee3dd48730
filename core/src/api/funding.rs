//! The funding domain for bindings: every programme through one request, plan checks,
//! the national simulation, the rule book and exact money helpers.
//!
//! A request or a plan arrives as a [`Value`] tree (what a Python dict or a Kotlin map
//! holds) or as JSON text; it becomes the core's serde [`Request`](crate::funding::Request)
//! or [`Plan`](crate::funding::plan::Plan), so the fields, defaults and codes are exactly
//! the command line's. Results come back as owned records ([`Breakdown`], [`PlanReport`],
//! [`Simulation`]) that also (de)serialise as JSON, which is how bindings pickle them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::{Domain, Error, Result};
use crate::funding::{self as core, Euros, FundingError};
use crate::funding::{cnfs, plan, simulation, split};

/// Deepest nesting accepted in a request or plan: deeper trees are refused rather than
/// risking the stack.
pub const MAX_DEPTH: usize = 32;

fn invalid(code: &'static str, message: impl Into<String>) -> Error {
    Error::invalid(Domain::Funding, code, message)
}

/// Declares an enum crossing the boundary by its stable snake_case value.
macro_rules! plain_enum {
    (
        $(#[$m:meta])*
        $name:ident, $code:literal {
            $($(#[$vm:meta])* $variant:ident = $value:literal),+ $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $value)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }

            /// The member with this stable value.
            pub fn parse(value: &str) -> Result<Self> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|m| m.as_str() == value)
                    .ok_or_else(|| {
                        let known: Vec<&str> = $name::ALL.iter().map(|m| m.as_str()).collect();
                        invalid(
                            $code,
                            format!(
                                "{}: {value:?} is not one of {}",
                                stringify!($name),
                                known.join(", ")
                            ),
                        )
                    })
            }
        }
    };
}

plain_enum! {
    /// Who employs a conseiller numérique.
    EmployerType, "unknown_employer_type" {
        /// Collectivités, their groupings, public-law GIPs.
        Public = "public",
        /// Associations, ESS companies, non-profit bodies of general interest.
        Private = "private",
    }
}

plain_enum! {
    /// The territories whose first-wave amounts differ.
    Territory, "unknown_territory" {
        /// Metropolitan France, Corsica included.
        Mainland = "mainland",
        /// Guadeloupe, Martinique, Guyane (971-973).
        AntillesGuyane = "antilles_guyane",
        /// La Réunion, Mayotte (974, 976).
        ReunionMayotte = "reunion_mayotte",
    }
}

plain_enum! {
    /// Which source gives the private first-wave amount (they disagree).
    PrivateAmountSource, "invalid_input" {
        /// The help-centre FAQ: 40,000 €.
        Faq = "faq",
        /// ANCT's open-data export code: 32,000 €.
        AnctCode = "anct_code",
    }
}

plain_enum! {
    /// To what unit a payable amount is rounded.
    Precision, "invalid_input" {
        /// To the cent.
        Cent = "cent",
        /// To the euro.
        Euro = "euro",
    }
}

plain_enum! {
    /// How ties and remainders are rounded.
    RoundingMode, "invalid_input" {
        /// Half away from zero (0.5 → 1).
        HalfAwayFromZero = "half_away_from_zero",
        /// Half to even (banker's rounding).
        HalfEven = "half_even",
        /// Toward zero (truncate).
        Down = "down",
        /// Away from zero (any remainder rounds up).
        Up = "up",
    }
}

plain_enum! {
    /// A named rounding: a precision and a mode in one value (`cent` and `euro` round
    /// half away from zero, the core's `Rounding::CENT` and `Rounding::EURO`).
    Rounding, "invalid_input" {
        /// To the cent, half away from zero.
        Cent = "cent",
        /// To the euro, half away from zero.
        Euro = "euro",
        /// To the cent, half to even.
        CentHalfEven = "cent_half_even",
        /// To the euro, half to even.
        EuroHalfEven = "euro_half_even",
        /// To the cent, toward zero.
        CentDown = "cent_down",
        /// To the euro, toward zero.
        EuroDown = "euro_down",
        /// To the cent, away from zero.
        CentUp = "cent_up",
        /// To the euro, away from zero.
        EuroUp = "euro_up",
    }
}

plain_enum! {
    /// How far a rule's value can be trusted.
    Confidence, "invalid_input" {
        /// Stated by an official or operator source.
        Firm = "firm",
        /// Encoded in public code of the agency (ANCT).
        Code = "code",
        /// Conflicting, partial or inferred.
        Uncertain = "uncertain",
    }
}

impl From<Precision> for core::Precision {
    fn from(p: Precision) -> Self {
        match p {
            Precision::Cent => core::Precision::Cent,
            Precision::Euro => core::Precision::Euro,
        }
    }
}

impl From<RoundingMode> for core::RoundingMode {
    fn from(m: RoundingMode) -> Self {
        match m {
            RoundingMode::HalfAwayFromZero => core::RoundingMode::HalfAwayFromZero,
            RoundingMode::HalfEven => core::RoundingMode::HalfEven,
            RoundingMode::Down => core::RoundingMode::Down,
            RoundingMode::Up => core::RoundingMode::Up,
        }
    }
}

impl Rounding {
    /// Its precision and mode.
    pub fn parts(self) -> (Precision, RoundingMode) {
        use Precision::{Cent, Euro};
        use RoundingMode::{Down, HalfAwayFromZero, HalfEven, Up};
        match self {
            Rounding::Cent => (Cent, HalfAwayFromZero),
            Rounding::Euro => (Euro, HalfAwayFromZero),
            Rounding::CentHalfEven => (Cent, HalfEven),
            Rounding::EuroHalfEven => (Euro, HalfEven),
            Rounding::CentDown => (Cent, Down),
            Rounding::EuroDown => (Euro, Down),
            Rounding::CentUp => (Cent, Up),
            Rounding::EuroUp => (Euro, Up),
        }
    }

    fn from_core(r: core::Rounding) -> Self {
        use core::Precision::{Cent, Euro};
        use core::RoundingMode::{Down, HalfAwayFromZero, HalfEven, Up};
        match (r.precision, r.mode) {
            (Cent, HalfAwayFromZero) => Rounding::Cent,
            (Euro, HalfAwayFromZero) => Rounding::Euro,
            (Cent, HalfEven) => Rounding::CentHalfEven,
            (Euro, HalfEven) => Rounding::EuroHalfEven,
            (Cent, Down) => Rounding::CentDown,
            (Euro, Down) => Rounding::EuroDown,
            (Cent, Up) => Rounding::CentUp,
            (Euro, Up) => Rounding::EuroUp,
        }
    }
}

impl From<Rounding> for core::Rounding {
    fn from(r: Rounding) -> Self {
        let (precision, mode) = r.parts();
        core::Rounding {
            precision: precision.into(),
            mode: mode.into(),
        }
    }
}

impl From<core::Confidence> for Confidence {
    fn from(c: core::Confidence) -> Self {
        match c {
            core::Confidence::Firm => Confidence::Firm,
            core::Confidence::Code => Confidence::Code,
            core::Confidence::Uncertain => Confidence::Uncertain,
        }
    }
}

impl From<cnfs::EmployerType> for EmployerType {
    fn from(e: cnfs::EmployerType) -> Self {
        match e {
            cnfs::EmployerType::Public => EmployerType::Public,
            cnfs::EmployerType::Private => EmployerType::Private,
        }
    }
}

impl From<EmployerType> for cnfs::EmployerType {
    fn from(e: EmployerType) -> Self {
        match e {
            EmployerType::Public => cnfs::EmployerType::Public,
            EmployerType::Private => cnfs::EmployerType::Private,
        }
    }
}

impl From<cnfs::Territory> for Territory {
    fn from(t: cnfs::Territory) -> Self {
        match t {
            cnfs::Territory::Mainland => Territory::Mainland,
            cnfs::Territory::AntillesGuyane => Territory::AntillesGuyane,
            cnfs::Territory::ReunionMayotte => Territory::ReunionMayotte,
        }
    }
}

impl From<Territory> for cnfs::Territory {
    fn from(t: Territory) -> Self {
        match t {
            Territory::Mainland => cnfs::Territory::Mainland,
            Territory::AntillesGuyane => cnfs::Territory::AntillesGuyane,
            Territory::ReunionMayotte => cnfs::Territory::ReunionMayotte,
        }
    }
}

impl From<PrivateAmountSource> for cnfs::PrivateAmountSource {
    fn from(s: PrivateAmountSource) -> Self {
        match s {
            PrivateAmountSource::Faq => cnfs::PrivateAmountSource::Faq,
            PrivateAmountSource::AnctCode => cnfs::PrivateAmountSource::AnctCode,
        }
    }
}

impl From<cnfs::PrivateAmountSource> for PrivateAmountSource {
    fn from(s: cnfs::PrivateAmountSource) -> Self {
        match s {
            cnfs::PrivateAmountSource::Faq => PrivateAmountSource::Faq,
            cnfs::PrivateAmountSource::AnctCode => PrivateAmountSource::AnctCode,
        }
    }
}

impl From<core::RoundingMode> for RoundingMode {
    fn from(m: core::RoundingMode) -> Self {
        match m {
            core::RoundingMode::HalfAwayFromZero => RoundingMode::HalfAwayFromZero,
            core::RoundingMode::HalfEven => RoundingMode::HalfEven,
            core::RoundingMode::Down => RoundingMode::Down,
            core::RoundingMode::Up => RoundingMode::Up,
        }
    }
}

// ---- requests and plans as value trees ----

/// A value of a request or plan, as a binding's dictionary holds it. Amounts are
/// [`Decimal`](Value::Decimal), [`Int`](Value::Int) or decimal [`Text`](Value::Text),
/// never floats; enum values are their snake_case text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// No value (a field left at its default).
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number (counts, years, whole euros; negative amounts are refused later).
    Int(i64),
    /// An exact decimal (amounts, rates).
    Decimal(Decimal),
    /// Text: enum values, département codes, ids, decimal text.
    Text(String),
    /// A civil date (`on`, `month`, plan line dates).
    Date(NaiveDate),
    /// A list (venue rows, envelopes, plan lines).
    List(Vec<Value>),
    /// A record: (key, value) pairs in order.
    Map(Vec<(String, Value)>),
}

fn to_json(v: &Value, depth: usize) -> Result<Json> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            "invalid_input",
            format!("request: nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        // Decimal text, which the core's amounts and rates read exactly.
        Value::Decimal(d) => Json::String(d.to_string()),
        Value::Text(s) => Json::String(s.clone()),
        Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|i| to_json(i, depth + 1))
                .collect::<Result<_>>()?,
        ),
        Value::Map(pairs) => {
            let mut m = Map::new();
            for (k, v) in pairs {
                m.insert(k.clone(), to_json(v, depth + 1)?);
            }
            Json::Object(m)
        }
    })
}

/// A serde error from reading a request, with the code the core put at its start (or
/// `invalid_input`), as the command line reports it.
fn serde_error(what: &str, e: &serde_json::Error) -> Error {
    let m = e.to_string();
    let code = FundingError::code_in_message(&m).unwrap_or("invalid_input");
    invalid(code, format!("{what}: {m}"))
}

/// A named rounding written as one value (`"cent_down"`) becomes the core's
/// `{precision, mode}` record; anything else is left for serde to judge.
fn expand_rounding(request: &mut Json) {
    if let Some(field) = request.get_mut("rounding")
        && let Some(named) = field.as_str().and_then(|s| Rounding::parse(s).ok())
    {
        let (precision, mode) = named.parts();
        *field = serde_json::json!({ "precision": precision.as_str(), "mode": mode.as_str() });
    }
}

fn request_from_json(mut json: Json) -> Result<core::Request> {
    expand_rounding(&mut json);
    serde_json::from_value(json).map_err(|e| serde_error("request", &e))
}

/// The core request a value tree describes (a map with a `programme` key).
pub fn request_from_value(request: &Value) -> Result<core::Request> {
    request_from_json(to_json(request, 0)?)
}

/// The programmes a request may name, in the core's order.
pub const PROGRAMMES: &[&str] = &[
    "cnfs_first_wave",
    "anct_estimate",
    "cnfs_renewal",
    "early_termination",
    "training_paths",
    "pass_call2020",
    "pass_call2019",
    "pass_order_invoice",
    "pass_venue_payouts",
    "pass_credit_note",
    "hub_grant",
    "france_services_forfait",
    "france_services_network",
    "recovery_plan",
];

// ---- the rule book ----

/// The rules in force, with the TSV text they were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    book: core::RuleBook,
    tsv: String,
}

impl Default for RuleBook {
    fn default() -> Self {
        RuleBook::shipped()
    }
}

/// One dated, sourced rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id, e.g. `cnfs.v1.public.mainland`.
    pub id: String,
    /// `amount` (euros), `rate` (0..=1), `count` or `months`.
    pub kind: String,
    /// The value (euros, a fraction, a count or months).
    pub value: Decimal,
    /// First day it applies (inclusive), if bounded.
    pub valid_from: Option<NaiveDate>,
    /// Last day it applies (inclusive), if bounded.
    pub valid_until: Option<NaiveDate>,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Source ids.
    pub sources: Vec<String>,
    /// What it is, with the formula it belongs to.
    pub note: String,
}

impl From<&core::Rule> for Rule {
    fn from(r: &core::Rule) -> Self {
        let (kind, value) = match r.value {
            core::RuleValue::Amount(a) => ("amount", a.amount()),
            core::RuleValue::Rate(r) => ("rate", r.value()),
            core::RuleValue::Count(c) => ("count", c),
            core::RuleValue::Months(m) => ("months", Decimal::from(m)),
        };
        Rule {
            id: r.id.clone(),
            kind: kind.to_owned(),
            value,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            confidence: r.confidence.into(),
            sources: r.sources.clone(),
            note: r.note.clone(),
        }
    }
}

impl RuleBook {
    /// The table shipped with the crate.
    pub fn shipped() -> Self {
        RuleBook {
            book: core::RuleBook::default(),
            tsv: core::rules::SHIPPED_RULES.to_owned(),
        }
    }

    /// A rule table in the shipped TSV format (`rule_table` if it cannot be read).
    pub fn from_tsv(text: &str) -> Result<Self> {
        Ok(RuleBook {
            book: core::RuleBook::from_tsv(text)?,
            tsv: text.to_owned(),
        })
    }

    /// The TSV text this book was read from.
    pub fn tsv(&self) -> &str {
        &self.tsv
    }

    /// Every rule, by id then period.
    pub fn rules(&self) -> Vec<Rule> {
        self.book.rules().map(Rule::from).collect()
    }

    /// The rule `id` in force on `on` (`unknown_rule`, `outside_rule_validity`).
    pub fn rule(&self, id: &str, on: NaiveDate) -> Result<Rule> {
        Ok(self.book.rule(id, on)?.into())
    }

    /// The core's rule book, for Rust callers.
    pub fn core(&self) -> &core::RuleBook {
        &self.book
    }
}

// ---- explained results ----

/// A rule as a breakdown line cites it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleCitation {
    /// Rule id.
    pub id: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Confidence,
}

/// One input of a breakdown line, as the core names and writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineInput {
    /// The input's name.
    pub name: String,
    /// Its value, as text.
    pub value: String,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Breakdown {
    /// What was computed.
    pub title: String,
    /// The lines, in order.
    pub lines: Vec<BreakdownLine>,
    /// The total.
    pub total: Decimal,
    /// What the total means.
    pub total_label: String,
    /// The explained text, exactly as the core displays the breakdown.
    pub text: String,
}

impl From<core::Breakdown> for Breakdown {
    fn from(b: core::Breakdown) -> Self {
        let text = b.to_string();
        Breakdown {
            title: b.title,
            lines: b
                .lines
                .into_iter()
                .map(|l| BreakdownLine {
                    label: l.label,
                    amount: l.amount.amount(),
                    rules: l
                        .rules
                        .into_iter()
                        .map(|r| RuleCitation {
                            id: r.id,
                            sources: r.sources,
                            confidence: r.confidence.into(),
                        })
                        .collect(),
                    inputs: l
                        .inputs
                        .into_iter()
                        .map(|(name, value)| LineInput { name, value })
                        .collect(),
                    formula: l.formula,
                    rounding: l.rounding.map(Rounding::from_core),
                })
                .collect(),
            total: b.total.amount(),
            total_label: b.total_label,
            text,
        }
    }
}

/// Computes a request given as a value tree.
pub fn compute(book: &RuleBook, request: &Value) -> Result<Breakdown> {
    compute_request(book, &request_from_value(request)?)
}

/// Computes a request given as JSON text (one object with a `programme` key).
pub fn compute_json(book: &RuleBook, request: &str) -> Result<Breakdown> {
    let json: Json = serde_json::from_str(request).map_err(|e| serde_error("request", &e))?;
    compute_request(book, &request_from_json(json)?)
}

/// Computes a core request.
pub fn compute_request(book: &RuleBook, request: &core::Request) -> Result<Breakdown> {
    Ok(core::compute(&book.book, request)?.into())
}

// ---- plans ----

/// One problem found in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanIssue {
    /// `line` or `envelope`.
    pub kind: String,
    /// The line's or envelope's id.
    pub id: String,
    /// The stable error code.
    pub code: String,
    /// The message, naming the field and the rule.
    pub message: String,
}

/// What one envelope's lines and sub-envelopes spend.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnvelopeSpent {
    /// The envelope's id.
    pub envelope: String,
    /// What it spends.
    pub spent: Decimal,
}

/// The result of checking a plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanReport {
    /// Every problem, lines first, then envelopes, in plan order.
    pub issues: Vec<PlanIssue>,
    /// Spending by envelope id.
    pub spent: Vec<EnvelopeSpent>,
}

impl PlanReport {
    /// Whether the plan has no problem.
    pub fn ok(&self) -> bool {
        self.issues.is_empty()
    }
}

impl From<plan::PlanReport> for PlanReport {
    fn from(r: plan::PlanReport) -> Self {
        PlanReport {
            issues: r
                .issues
                .into_iter()
                .map(|i| PlanIssue {
                    kind: i.kind.to_owned(),
                    id: i.id,
                    code: i.code.to_owned(),
                    message: i.message,
                })
                .collect(),
            spent: r
                .spent
                .into_iter()
                .map(|(envelope, spent)| EnvelopeSpent {
                    envelope,
                    spent: spent.amount(),
                })
                .collect(),
        }
    }
}

/// Checks a plan given as a value tree (`envelopes` and `lines`); a plan that cannot be
/// read is an error, every problem in a readable plan is an issue of the report.
pub fn check_plan(book: &RuleBook, plan: &Value) -> Result<PlanReport> {
    let plan: plan::Plan =
        serde_json::from_value(to_json(plan, 0)?).map_err(|e| serde_error("plan", &e))?;
    Ok(plan::check(&plan, &book.book).into())
}

// ---- the national simulation ----

/// One structure's posts, as a row of input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StructurePosts {
    /// Unique id (a SIRET, or any stable key).
    pub structure_id: String,
    /// `public` or `private` (the core also reads `publique`, `privé`…).
    pub employer: String,
    /// A territory name or a département code (`75`, `2A`, `971`).
    pub territory: String,
    /// Posts (at least 1).
    pub posts: u32,
    /// In a QPV or ZRR (public structures only).
    pub qpv_or_zrr: bool,
    /// Whether the posts were renewed.
    pub renewed: bool,
}

/// Options of a simulation; [`Default`] is the core's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// Which private first-wave amount subsidies use.
    pub private_source: PrivateAmountSource,
    /// The date first-wave rules are read on.
    pub first_wave_on: NaiveDate,
    /// The date renewal and training-path rules are read on.
    pub renewal_on: NaiveDate,
    /// The date of the agency export whose estimate is reproduced.
    pub anct_export_on: NaiveDate,
    /// How 1.5 paths per post round for odd counts.
    pub training_rounding: RoundingMode,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        let d = simulation::SimulationOptions::default();
        SimulationOptions {
            private_source: d.private_source.into(),
            first_wave_on: d.first_wave_on,
            renewal_on: d.renewal_on,
            anct_export_on: d.anct_export_on,
            training_rounding: d.training_rounding.into(),
        }
    }
}

impl From<SimulationOptions> for simulation::SimulationOptions {
    fn from(o: SimulationOptions) -> Self {
        simulation::SimulationOptions {
            private_source: o.private_source.into(),
            first_wave_on: o.first_wave_on,
            renewal_on: o.renewal_on,
            anct_export_on: o.anct_export_on,
            training_rounding: o.training_rounding.into(),
        }
    }
}

/// One structure's result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SimulationRow {
    /// Structure id.
    pub structure_id: String,
    /// Employer type.
    pub employer: EmployerType,
    /// Territory.
    pub territory: Territory,
    /// Posts.
    pub posts: u32,
    /// First-wave subsidy, all posts.
    pub first_wave: Decimal,
    /// The agency's estimated State investment.
    pub anct_estimate: Decimal,
    /// Renewal, year 1 tranche, all posts (0 if not renewed).
    pub renewal_year1: Decimal,
    /// Renewal, year 2 tranche.
    pub renewal_year2: Decimal,
    /// Renewal, year 3 tranche.
    pub renewal_year3: Decimal,
    /// State-funded training paths.
    pub training_paths: u32,
    /// First wave plus renewal.
    pub total_subsidy: Decimal,
}

/// The national picture: one row per structure (by structure id) and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Simulation {
    /// The rows.
    pub rows: Vec<SimulationRow>,
    /// Posts in all.
    pub posts: u64,
    /// First-wave subsidies in all.
    pub first_wave: Decimal,
    /// The agency's estimates in all.
    pub anct_estimate: Decimal,
    /// Renewal tranches in all.
    pub renewal: Decimal,
    /// Everything.
    pub total_subsidy: Decimal,
}

impl Simulation {
    /// The rows as CSV, exactly as the core writes them (header [`SIMULATION_COLUMNS`]
    /// first); `negative_amount` only if a row was altered to hold one.
    pub fn to_csv(&self) -> Result<String> {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                Ok(simulation::SimulationRow {
                    structure_id: r.structure_id.clone(),
                    employer: r.employer.into(),
                    territory: r.territory.into(),
                    posts: r.posts,
                    first_wave: euros(r.first_wave, "first_wave")?,
                    anct_estimate: euros(r.anct_estimate, "anct_estimate")?,
                    renewal_year1: euros(r.renewal_year1, "renewal_year1")?,
                    renewal_year2: euros(r.renewal_year2, "renewal_year2")?,
                    renewal_year3: euros(r.renewal_year3, "renewal_year3")?,
                    training_paths: r.training_paths,
                    total_subsidy: euros(r.total_subsidy, "total_subsidy")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let sim = simulation::Simulation {
            rows,
            posts: self.posts,
            first_wave: euros(self.first_wave, "first_wave")?,
            anct_estimate: euros(self.anct_estimate, "anct_estimate")?,
            renewal: euros(self.renewal, "renewal")?,
            total_subsidy: euros(self.total_subsidy, "total_subsidy")?,
        };
        Ok(sim.to_csv())
    }
}

impl From<simulation::Simulation> for Simulation {
    fn from(s: simulation::Simulation) -> Self {
        Simulation {
            rows: s
                .rows
                .into_iter()
                .map(|r| SimulationRow {
                    structure_id: r.structure_id,
                    employer: r.employer.into(),
                    territory: r.territory.into(),
                    posts: r.posts,
                    first_wave: r.first_wave.amount(),
                    anct_estimate: r.anct_estimate.amount(),
                    renewal_year1: r.renewal_year1.amount(),
                    renewal_year2: r.renewal_year2.amount(),
                    renewal_year3: r.renewal_year3.amount(),
                    training_paths: r.training_paths,
                    total_subsidy: r.total_subsidy.amount(),
                })
                .collect(),
            posts: s.posts,
            first_wave: s.first_wave.amount(),
            anct_estimate: s.anct_estimate.amount(),
            renewal: s.renewal.amount(),
            total_subsidy: s.total_subsidy.amount(),
        }
    }
}

/// The CSV columns of [`Simulation::to_csv`], in order.
pub const SIMULATION_COLUMNS: &str = simulation::CSV_HEADER;

fn structure_to_core(s: &StructurePosts) -> Result<simulation::StructurePosts> {
    Ok(simulation::StructurePosts {
        structure_id: s.structure_id.clone(),
        employer: s.employer.parse()?,
        territory: cnfs::Territory::parse(&s.territory)?,
        posts: s.posts,
        qpv_or_zrr: s.qpv_or_zrr,
        renewed: s.renewed,
    })
}

/// Simulates every structure's posts (duplicate ids, zero posts and a private structure
/// in QPV/ZRR are `invalid_input`).
pub fn simulate(
    book: &RuleBook,
    structures: &[StructurePosts],
    options: &SimulationOptions,
) -> Result<Simulation> {
    let rows: Vec<simulation::StructurePosts> = structures
        .iter()
        .map(structure_to_core)
        .collect::<Result<_>>()?;
    Ok(simulation::simulate(&book.book, &rows, &(*options).into())?.into())
}

/// The core's deterministic synthetic dataset (not real data), as input rows.
pub fn synthetic_structures(structures: u32, seed: u64) -> Vec<StructurePosts> {
    simulation::synthetic_structures(structures as usize, seed)
        .into_iter()
        .map(|s| StructurePosts {
            structure_id: s.structure_id,
            employer: s.employer.to_string(),
            territory: s.territory.to_string(),
            posts: s.posts,
            qpv_or_zrr: s.qpv_or_zrr,
            renewed: s.renewed,
        })
        .collect()
}

// ---- JSON, how bindings pickle records ----

/// Records that travel as JSON text (bindings pickle them that way).
pub trait JsonRecord: Sized + Serialize + for<'de> Deserialize<'de> {
    /// The record as JSON text.
    fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| invalid("invalid_input", e.to_string()))
    }

    /// The record back from [`to_json`](JsonRecord::to_json)'s text.
    fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| serde_error("json", &e))
    }
}

impl JsonRecord for Rule {}
impl JsonRecord for RuleCitation {}
impl JsonRecord for BreakdownLine {}
impl JsonRecord for Breakdown {}
impl JsonRecord for PlanIssue {}
impl JsonRecord for PlanReport {}
impl JsonRecord for SimulationRow {}
impl JsonRecord for Simulation {}
impl JsonRecord for StructurePosts {}

// ---- money ----

fn euros(amount: Decimal, field: &str) -> Result<Euros> {
    Ok(Euros::new(amount, field)?)
}

fn amounts(parts: Vec<Euros>) -> Vec<Decimal> {
    parts.into_iter().map(Euros::amount).collect()
}

/// An amount rounded with a named rounding (`negative_amount` below zero).
pub fn round_amount(amount: Decimal, rounding: Rounding) -> Result<Decimal> {
    Ok(euros(amount, "amount")?.round(rounding.into()).amount())
}

/// Splits `total` (a whole number of `precision` units) in proportion to non-negative
/// weights, by the largest-remainder method: the parts sum to the total exactly.
pub fn split_by_weights(
    total: Decimal,
    weights: &[Decimal],
    precision: Precision,
) -> Result<Vec<Decimal>> {
    let parts = split::split_by_weights(euros(total, "total")?, weights, precision.into())?;
    Ok(amounts(parts))
}

/// Splits `total` by rates (each in 0..=1) that add up to exactly 1.
pub fn split_by_rates(
    total: Decimal,
    rates: &[Decimal],
    precision: Precision,
) -> Result<Vec<Decimal>> {
    let rates: Vec<core::Rate> = rates
        .iter()
        .map(|r| core::Rate::new(*r, "rates"))
        .collect::<std::result::Result<_, _>>()?;
    let parts = split::split_by_rates(euros(total, "total")?, &rates, precision.into())?;
    Ok(amounts(parts))
}

/// Instalments from cumulative targets (non-decreasing fractions, the last exactly 1).
pub fn instalments(
    total: Decimal,
    cumulative: &[Decimal],
    rounding: Rounding,
) -> Result<Vec<Decimal>> {
    let targets: Vec<core::Rate> = cumulative
        .iter()
        .map(|r| core::Rate::new(*r, "cumulative"))
        .collect::<std::result::Result<_, _>>()?;
    let parts = split::instalments(euros(total, "total")?, &targets, rounding.into())?;
    Ok(amounts(parts))
}

/// `n` instalments as equal as the rounding allows, the remainder in the last ones.
pub fn equal_instalments(total: Decimal, n: u32, rounding: Rounding) -> Result<Vec<Decimal>> {
    let parts = split::equal_instalments(euros(total, "total")?, n, rounding.into())?;
    Ok(amounts(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn date(y: i32, m: u32, d: u32) -> Value {
        Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn enums_parse_their_own_values_only() {
        for r in Rounding::ALL {
            assert_eq!(Rounding::parse(r.as_str()).unwrap(), *r);
            assert_eq!(Rounding::from_core((*r).into()), *r);
        }
        let e = Territory::parse("971").unwrap_err();
        assert_eq!(e.code, "unknown_territory");
        assert_eq!(
            EmployerType::parse("mixed").unwrap_err().code,
            "unknown_employer_type"
        );
    }

    #[test]
    fn a_value_tree_computes_like_the_command_line() {
        let book = RuleBook::shipped();
        let request = map(&[
            ("programme", text("anct_estimate")),
            ("employer", text("public")),
            ("territory", Value::Int(75)),
            ("posts", Value::Int(3)),
            ("on", date(2024, 1, 1)),
        ]);
        let b = compute(&book, &request).unwrap();
        assert_eq!(b.total, dec!(166286));
        assert!(b.text.contains("rules:"), "{}", b.text);
        let json = r#"{"programme":"anct_estimate","employer":"public","territory":"75","posts":3,"on":"2024-01-01"}"#;
        assert_eq!(compute_json(&book, json).unwrap(), b);
    }

    #[test]
    fn amounts_are_decimal_text_and_codes_survive_serde() {
        let book = RuleBook::shipped();
        let termination = |subsidy: Value, rounding: Value| {
            map(&[
                ("programme", text("early_termination")),
                ("subsidy", subsidy),
                ("months_in_convention", Value::Int(24)),
                ("months_used", Value::Int(17)),
                ("paid_to_date", Value::Decimal(dec!(0))),
                ("rounding", rounding),
            ])
        };
        let b = compute(
            &book,
            &termination(Value::Decimal(dec!(50000)), text("euro_down")),
        )
        .unwrap();
        let earned = b
            .lines
            .iter()
            .find(|l| l.label == "earned for the months used")
            .unwrap();
        assert_eq!(
            (earned.amount, earned.rounding),
            (dec!(35416), Some(Rounding::EuroDown))
        );
        let b = compute(
            &book,
            &termination(Value::Decimal(dec!(50000)), Value::Null),
        );
        assert_eq!(
            b.unwrap_err().code,
            "invalid_input",
            "null is not a rounding"
        );
        let e = compute(&book, &termination(Value::Int(-5), text("cent"))).unwrap_err();
        assert_eq!(
            (e.code, e.kind),
            ("negative_amount", super::super::ErrorKind::Invalid)
        );
        let e = compute(&book, &map(&[("programme", text("lottery"))])).unwrap_err();
        assert_eq!(e.code, "invalid_input");
    }

    #[test]
    fn deep_trees_are_refused() {
        let mut v = Value::Null;
        for _ in 0..100 {
            v = Value::List(vec![v]);
        }
        let e = compute(&RuleBook::shipped(), &map(&[("programme", v)])).unwrap_err();
        assert!(e.message.contains("nested"), "{}", e.message);
    }

    #[test]
    fn simulation_rows_and_totals_agree() {
        let s = simulate(
            &RuleBook::shipped(),
            &synthetic_structures(50, 7),
            &SimulationOptions::default(),
        )
        .unwrap();
        assert_eq!(s.rows.len(), 50);
        let sum: Decimal = s.rows.iter().map(|r| r.total_subsidy).sum();
        assert_eq!(sum, s.total_subsidy);
        assert!(s.to_csv().unwrap().starts_with(SIMULATION_COLUMNS));
    }

    #[test]
    fn money_helpers_sum_to_the_whole() {
        let parts =
            split_by_weights(dec!(100), &[dec!(1), dec!(1), dec!(1)], Precision::Cent).unwrap();
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(100));
        assert_eq!(
            round_amount(dec!(2.5), Rounding::EuroHalfEven).unwrap(),
            dec!(2)
        );
        assert_eq!(
            round_amount(dec!(-1), Rounding::Euro).unwrap_err().code,
            "negative_amount"
        );
    }
}
