//! The funding domain's one error type, with stable snake_case codes.

use chrono::NaiveDate;

/// Everything that can go wrong computing or checking funding.
///
/// Each variant has a stable snake_case [`code`](FundingError::code); the message names the
/// field and the rule. Nothing is clamped silently: a value outside its rule is an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FundingError {
    /// An amount below zero where only non-negative amounts make sense.
    #[error("{field}: {value} is negative; amounts are never below 0")]
    NegativeAmount {
        /// The field at fault.
        field: String,
        /// The value given.
        value: String,
    },
    /// Not a decimal amount (a float's NaN or infinity, too many digits, not a number).
    #[error("{field}: {value:?} is not a decimal amount ({rule})")]
    InvalidAmount {
        /// The field at fault.
        field: String,
        /// The value given.
        value: String,
        /// The rule it breaks.
        rule: String,
    },
    /// A rate outside 0..=1.
    #[error("{field}: {value} is outside 0..=1")]
    RateOutOfRange {
        /// The field at fault.
        field: String,
        /// The value given.
        value: String,
    },
    /// A rule applied on a date outside its validity period.
    #[error("{rule}: not valid on {date} (valid {valid})")]
    OutsideRuleValidity {
        /// The rule id.
        rule: String,
        /// The date asked for.
        date: NaiveDate,
        /// The rule's validity period(s).
        valid: String,
    },
    /// No rule with this id in the rule book.
    #[error("{rule}: no such rule in the rule book")]
    UnknownRule {
        /// The rule id.
        rule: String,
    },
    /// A rule of another kind than the one asked for (an amount where a rate is expected).
    #[error("{rule}: is a {found}, not a {expected}")]
    RuleKind {
        /// The rule id.
        rule: String,
        /// The kind expected.
        expected: &'static str,
        /// The kind found.
        found: &'static str,
    },
    /// A territory name or code the programmes do not know.
    #[error(
        "territory: {value:?} is not a known territory (mainland, antilles_guyane, reunion_mayotte, or a département code such as 75, 971, 974)"
    )]
    UnknownTerritory {
        /// The value given.
        value: String,
    },
    /// An employer type the programmes do not know.
    #[error("employer_type: {value:?} is neither public nor private")]
    UnknownEmployerType {
        /// The value given.
        value: String,
    },
    /// A rule table (TSV) that cannot be read.
    #[error("rule table line {line}: {rule}")]
    RuleTable {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        rule: String,
    },
    /// An input that breaks a programme rule (minimum order, caps, counts, dates…).
    #[error("{field}: {rule}")]
    InvalidInput {
        /// The field at fault.
        field: String,
        /// The rule it breaks.
        rule: String,
    },
    /// A plan line whose amount is not its unit amount times its quantity.
    #[error("line {line}: amount {found} does not add up: {unit} × {quantity} = {expected}")]
    LineDoesNotAddUp {
        /// The line's id.
        line: String,
        /// The unit amount.
        unit: String,
        /// The quantity.
        quantity: String,
        /// unit × quantity.
        expected: String,
        /// The amount the line states.
        found: String,
    },
    /// An envelope whose lines and sub-envelopes spend more than it holds.
    #[error("envelope {envelope}: spends {spent}, more than its {allotted}")]
    EnvelopeOverspent {
        /// The envelope's id.
        envelope: String,
        /// What it holds.
        allotted: String,
        /// What its lines and sub-envelopes spend.
        spent: String,
    },
    /// An envelope marked to balance exactly whose parts add up to another amount.
    #[error("envelope {envelope}: its parts add up to {spent}, not its {allotted}")]
    EnvelopeUnbalanced {
        /// The envelope's id.
        envelope: String,
        /// What it holds.
        allotted: String,
        /// What its parts add up to.
        spent: String,
    },
    /// A plan line that references an envelope the plan does not have.
    #[error("line {line}: envelope {envelope:?} does not exist in the plan")]
    MissingEnvelope {
        /// The line's id.
        line: String,
        /// The envelope named.
        envelope: String,
    },
}

impl FundingError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        use FundingError::*;
        match self {
            NegativeAmount { .. } => "negative_amount",
            InvalidAmount { .. } => "invalid_amount",
            RateOutOfRange { .. } => "rate_out_of_range",
            OutsideRuleValidity { .. } => "outside_rule_validity",
            UnknownRule { .. } => "unknown_rule",
            RuleKind { .. } => "rule_kind",
            UnknownTerritory { .. } => "unknown_territory",
            UnknownEmployerType { .. } => "unknown_employer_type",
            RuleTable { .. } => "rule_table",
            InvalidInput { .. } => "invalid_input",
            MissingEnvelope { .. } => "missing_envelope",
            LineDoesNotAddUp { .. } => "line_does_not_add_up",
            EnvelopeOverspent { .. } => "envelope_overspent",
            EnvelopeUnbalanced { .. } => "envelope_unbalanced",
        }
    }

    /// Every code this type can return.
    pub const CODES: &'static [&'static str] = &[
        "negative_amount",
        "invalid_amount",
        "rate_out_of_range",
        "outside_rule_validity",
        "unknown_rule",
        "rule_kind",
        "unknown_territory",
        "unknown_employer_type",
        "rule_table",
        "invalid_input",
        "missing_envelope",
        "line_does_not_add_up",
        "envelope_overspent",
        "envelope_unbalanced",
    ];

    /// The stable code at the start of a deserialisation message produced by this
    /// module's serde impls (`unknown_territory: …`), if any: how readers of JSON or CSV
    /// requests report the code of a refused field.
    pub fn code_in_message(message: &str) -> Option<&'static str> {
        Self::CODES
            .iter()
            .find(|c| {
                message
                    .strip_prefix(**c)
                    .is_some_and(|rest| rest.starts_with(": "))
            })
            .copied()
    }

    /// A serde error whose message starts with the stable code (`unknown_territory: …`),
    /// so that readers of JSON or CSV requests can report the code.
    pub(crate) fn into_serde<E: serde::de::Error>(self) -> E {
        E::custom(format!("{}: {self}", self.code()))
    }

    pub(crate) fn input(field: impl Into<String>, rule: impl Into<String>) -> Self {
        FundingError::InvalidInput {
            field: field.into(),
            rule: rule.into(),
        }
    }
}
