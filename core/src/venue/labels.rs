//! Labels as declarative rule sets shipped as data (`core/data/labels/*.json`, one file
//! per label, versioned; see the README there), evaluated per venue with reasons.
//!
//! A label is `eligible` when every criterion is met, `not_eligible` when one is not met,
//! and `unknown` when none fails but the data cannot tell for some (the number of agents,
//! say). Each criterion says `met`, `not_met` or `unknown` with a reason in plain words.

use serde::{Deserialize, Serialize};

use super::error::VenueError;
use super::hours::{Holidays, OpeningHours};
use super::read::RawRecord;

/// Who stands behind a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// A rule of the label's owner.
    Official,
    /// A programme operator's policy, not a public rule.
    OperatorPolicy,
}

/// What a criterion checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Open at least `min_hours` over at least `min_days` in the reference week.
    WeeklyHours {
        /// Hours a week.
        min_hours: u32,
        /// Days a week.
        min_days: u8,
    },
    /// `services` holds one of these.
    ServiceOffered {
        /// The services.
        any_of: Vec<String>,
    },
    /// `modalites_accompagnement` holds one of these.
    Accompaniment {
        /// The modalities.
        any_of: Vec<String>,
    },
    /// `typologie` holds one of these codes.
    Typology {
        /// The codes.
        any_of: Vec<String>,
    },
    /// `dispositif_programmes_nationaux` holds one of these.
    Programme {
        /// The programmes.
        any_of: Vec<String>,
    },
    /// The venue receives the public.
    PublicAccess,
    /// `horaires` is given and parses.
    HasOpeningHours,
    /// `pivot` is a SIRET, not the all-zero placeholder.
    RealSiret,
    /// Something the standard's data cannot tell.
    NotInData {
        /// What.
        what: String,
    },
}

/// One criterion of a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id.
    pub id: String,
    /// Official or operator policy.
    pub kind: CriterionKind,
    /// Where it comes from.
    pub source: String,
    /// What it checks.
    pub rule: Rule,
}

/// A label's rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRules {
    /// The label's id (`france_services`).
    pub label: String,
    /// The rule set's version.
    pub version: u32,
    /// Its name.
    pub title: String,
    /// Official, or an operator's policy.
    pub kind: CriterionKind,
    /// What it is and where it comes from.
    pub description: String,
    /// The criteria.
    pub criteria: Vec<Criterion>,
}

impl LabelRules {
    /// Reads a rule set from JSON.
    pub fn from_json(json: &str) -> Result<Self, VenueError> {
        serde_json::from_str(json).map_err(|e| VenueError::Table {
            table: "label rules",
            line: e.line(),
            rule: e.to_string(),
        })
    }

    /// The four shipped rule sets.
    pub fn shipped() -> Vec<LabelRules> {
        [
            include_str!("../../data/labels/france_services.json"),
            include_str!("../../data/labels/pass_numerique.json"),
            include_str!("../../data/labels/aidants_connect.json"),
            include_str!("../../data/labels/conseiller_numerique.json"),
        ]
        .into_iter()
        .map(|j| LabelRules::from_json(j).expect("the shipped label rules parse (tested)"))
        .collect()
    }

    /// A shipped rule set by id.
    pub fn shipped_label(label: &str) -> Result<LabelRules, VenueError> {
        LabelRules::shipped().into_iter().find(|l| l.label == label).ok_or_else(|| VenueError::InvalidArgument {
            field: "label",
            rule: format!("{label:?} is not one of france_services, pass_numerique, aidants_connect, conseiller_numerique"),
        })
    }
}

/// A criterion's or a label's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The criterion holds.
    Met,
    /// It does not.
    NotMet,
    /// The data cannot tell.
    Unknown,
}

/// A label's overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Every criterion met.
    Eligible,
    /// At least one criterion not met.
    NotEligible,
    /// None failed, at least one unknown.
    Unknown,
}

/// One criterion's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionResult {
    /// The criterion's id.
    pub id: String,
    /// Met, not met or unknown.
    pub outcome: Outcome,
    /// Why, in plain words.
    pub reason: String,
}

/// A venue's answer for a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelResult {
    /// The venue's id.
    pub id: String,
    /// The label.
    pub label: String,
    /// Eligible, not eligible or unknown.
    pub outcome: Eligibility,
    /// Every criterion.
    pub criteria: Vec<CriterionResult>,
}

/// The week and calendar the hours criteria are read over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationContext {
    /// The Monday of the reference week.
    pub week_of: chrono::NaiveDate,
    /// The venue's time zone.
    pub time_zone: chrono_tz::Tz,
    /// Whether public holidays close the venue that week.
    pub holidays: Holidays,
}

impl Default for EvaluationContext {
    /// The week of Monday 2026-11-16 (no public holiday in France), Europe/Paris.
    fn default() -> Self {
        EvaluationContext {
            week_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 16).expect("date"),
            time_zone: chrono_tz::Europe::Paris,
            holidays: Holidays::None,
        }
    }
}

fn items<'a>(record: &'a RawRecord, field: &str) -> Option<Vec<&'a str>> {
    record.get(field).map(|v| {
        v.split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn any_of(record: &RawRecord, field: &str, wanted: &[String]) -> (Outcome, String) {
    match items(record, field) {
        None => (Outcome::Unknown, format!("{field} is not given")),
        Some(have) => match wanted.iter().find(|w| have.contains(&w.as_str())) {
            Some(w) => (Outcome::Met, format!("{field} includes « {w} »")),
            None => (
                Outcome::NotMet,
                format!(
                    "{field} ({}) includes none of: {}",
                    have.join(", "),
                    wanted.join(", ")
                ),
            ),
        },
    }
}

fn fmt_hours(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{} h {:02}", minutes / 60, minutes % 60)
    }
}

/// A venue's `horaires`, parsed at most once however many criteria read it.
type ParsedHours = std::cell::OnceCell<Option<Result<OpeningHours, VenueError>>>;

fn parsed<'a>(
    record: &RawRecord,
    cache: &'a ParsedHours,
) -> Option<&'a Result<OpeningHours, VenueError>> {
    cache
        .get_or_init(|| record.get("horaires").map(OpeningHours::parse))
        .as_ref()
}

/// Evaluates one criterion on a v1.0.2 record.
pub fn evaluate_criterion(
    record: &RawRecord,
    c: &Criterion,
    ctx: &EvaluationContext,
) -> CriterionResult {
    criterion_with(record, c, ctx, &ParsedHours::new())
}

fn criterion_with(
    record: &RawRecord,
    c: &Criterion,
    ctx: &EvaluationContext,
    hours: &ParsedHours,
) -> CriterionResult {
    let (outcome, reason) = match &c.rule {
        Rule::WeeklyHours {
            min_hours,
            min_days,
        } => match parsed(record, hours) {
            None => (
                Outcome::Unknown,
                "no opening hours (horaires) are given".to_owned(),
            ),
            Some(h) => match h
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|oh| oh.week(ctx.week_of, ctx.time_zone, ctx.holidays))
            {
                Err(e) => (
                    Outcome::Unknown,
                    format!("the opening hours cannot be read: {e}"),
                ),
                Ok(w) => {
                    let ok = w.minutes_open >= min_hours * 60 && w.days_open >= *min_days;
                    let verdict = format!(
                        "open {} over {} day(s) in the week of {}; {} h over {} days required",
                        fmt_hours(w.minutes_open),
                        w.days_open,
                        ctx.week_of,
                        min_hours,
                        min_days
                    );
                    (if ok { Outcome::Met } else { Outcome::NotMet }, verdict)
                }
            },
        },
        Rule::ServiceOffered { any_of: wanted } => any_of(record, "services", wanted),
        Rule::Accompaniment { any_of: wanted } => {
            any_of(record, "modalites_accompagnement", wanted)
        }
        Rule::Typology { any_of: wanted } => any_of(record, "typologie", wanted),
        Rule::Programme { any_of: wanted } => {
            any_of(record, "dispositif_programmes_nationaux", wanted)
        }
        Rule::PublicAccess => match items(record, "modalites_acces") {
            None => (Outcome::Unknown, "modalites_acces is not given".to_owned()),
            Some(m) if m.contains(&"Ce lieu n'accueille pas de public") => (
                Outcome::NotMet,
                "modalites_acces says « Ce lieu n'accueille pas de public »".to_owned(),
            ),
            Some(m) => (
                Outcome::Met,
                format!("the public is received ({})", m.join(", ")),
            ),
        },
        Rule::HasOpeningHours => match parsed(record, hours) {
            None => (
                Outcome::NotMet,
                "no opening hours (horaires) are given".to_owned(),
            ),
            Some(h) => match h {
                Ok(oh) => (
                    Outcome::Met,
                    format!("opening hours given: {}", oh.as_str()),
                ),
                Err(e) => (
                    Outcome::NotMet,
                    format!("the opening hours cannot be read: {e}"),
                ),
            },
        },
        Rule::RealSiret => match record.get("pivot") {
            None => (Outcome::Unknown, "no pivot is given".to_owned()),
            Some(p) if p.bytes().all(|b| b == b'0') => (
                Outcome::Unknown,
                "the pivot is the all-zero placeholder: the SIRET is unknown".to_owned(),
            ),
            Some(p) if super::geo::siret_status(p) == super::geo::PivotStatus::Siret => {
                (Outcome::Met, format!("SIRET {p}"))
            }
            Some(p)
                if super::geo::siret_status(p) == super::geo::PivotStatus::InvalidSiretChecksum =>
            {
                (
                    Outcome::NotMet,
                    format!(
                        "the pivot {p} fails the SIRET checksum: it cannot be the venue's SIRET"
                    ),
                )
            }
            Some(p) => (
                Outcome::NotMet,
                format!(
                    "the pivot {p} is not a SIRET (an RNA or RIDET number cannot be paid as a company)"
                ),
            ),
        },
        Rule::NotInData { what } => (
            Outcome::Unknown,
            format!("the standard's data does not say {what}"),
        ),
    };
    CriterionResult {
        id: c.id.clone(),
        outcome,
        reason,
    }
}

/// Evaluates a label on a v1.0.2 record (migrate v0.1 records first).
pub fn evaluate(record: &RawRecord, rules: &LabelRules, ctx: &EvaluationContext) -> LabelResult {
    let hours = ParsedHours::new();
    let criteria: Vec<CriterionResult> = rules
        .criteria
        .iter()
        .map(|c| criterion_with(record, c, ctx, &hours))
        .collect();
    let outcome = if criteria.iter().any(|c| c.outcome == Outcome::NotMet) {
        Eligibility::NotEligible
    } else if criteria.iter().any(|c| c.outcome == Outcome::Unknown) {
        Eligibility::Unknown
    } else {
        Eligibility::Eligible
    };
    LabelResult {
        id: record.get("id").unwrap_or("").to_owned(),
        label: rules.label.clone(),
        outcome,
        criteria,
    }
}

/// Whether a venue may redeem Pass numérique cheques, through the same evaluation as the
/// `pass_numerique` label (the shipped operator policy, or `rules` when given). The
/// voucher side asks this before accepting a redemption from a venue.
pub fn may_redeem_pass_numerique(
    record: &RawRecord,
    rules: Option<&LabelRules>,
    ctx: &EvaluationContext,
) -> LabelResult {
    match rules {
        Some(r) => evaluate(record, r, ctx),
        None => evaluate(
            record,
            &LabelRules::shipped_label("pass_numerique").expect("shipped"),
            ctx,
        ),
    }
}

/// Outcomes counted for one group of venues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Eligible venues.
    pub eligible: usize,
    /// Not eligible.
    pub not_eligible: usize,
    /// Unknown.
    pub unknown: usize,
}

/// The département of a venue: from `code_insee` (2A/2B for Corsica; 971… overseas) or,
/// failing that, from `code_postal` (Corsica is then `20`).
pub fn departement(record: &RawRecord) -> Option<String> {
    let code = record
        .get("code_insee")
        .or_else(|| record.get("code_postal"))?;
    if code.len() != 5 {
        return None;
    }
    Some(if code.starts_with("97") || code.starts_with("98") {
        code[..3].to_owned()
    } else {
        code[..2].to_owned()
    })
}

/// Label outcomes per département, for every label given.
pub fn coverage_by_departement(
    records: &[RawRecord],
    labels: &[LabelRules],
    ctx: &EvaluationContext,
) -> std::collections::BTreeMap<(String, String), Counts> {
    let mut out: std::collections::BTreeMap<(String, String), Counts> =
        std::collections::BTreeMap::new();
    for r in records {
        let dep = departement(r).unwrap_or_else(|| "?".to_owned());
        for l in labels {
            let c = out.entry((l.label.clone(), dep.clone())).or_default();
            match evaluate(r, l, ctx).outcome {
                Eligibility::Eligible => c.eligible += 1,
                Eligibility::NotEligible => c.not_eligible += 1,
                Eligibility::Unknown => c.unknown += 1,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, &str)]) -> RawRecord {
        RawRecord {
            row: 1,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn shipped_rule_sets_parse() {
        let all = LabelRules::shipped();
        assert_eq!(all.len(), 4);
        assert_eq!(
            LabelRules::shipped_label("pass_numerique").unwrap().kind,
            CriterionKind::OperatorPolicy
        );
        assert_eq!(
            LabelRules::shipped_label("nope").unwrap_err().code(),
            "invalid_argument"
        );
    }

    #[test]
    fn france_services_reasons() {
        let rules = LabelRules::shipped_label("france_services").unwrap();
        let ctx = EvaluationContext::default();
        let short = record(&[
            ("id", "v1"),
            ("horaires", "Mo-Th 09:00-12:00,14:00-16:30"),
            ("services", "Aide aux démarches administratives"),
            ("modalites_acces", "Se présenter"),
        ]);
        let r = evaluate(&short, &rules, &ctx);
        assert_eq!(r.outcome, Eligibility::NotEligible);
        assert_eq!(r.criteria[0].outcome, Outcome::NotMet);
        assert_eq!(
            r.criteria[0].reason,
            "open 22 h over 4 day(s) in the week of 2026-11-16; 24 h over 5 days required"
        );
        let long = record(&[
            ("id", "v2"),
            ("horaires", "Mo-Fr 09:00-12:00,13:30-17:00"),
            (
                "services",
                "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
            ),
            ("modalites_acces", "Se présenter|Téléphoner"),
        ]);
        let r = evaluate(&long, &rules, &ctx);
        assert_eq!(
            r.outcome,
            Eligibility::Unknown,
            "agents and partners are not in the data"
        );
        assert_eq!(r.criteria[0].outcome, Outcome::Met);
        assert_eq!(r.criteria[3].outcome, Outcome::Unknown);
        let closed = record(&[
            ("id", "v3"),
            ("modalites_acces", "Ce lieu n'accueille pas de public"),
        ]);
        assert_eq!(
            evaluate(&closed, &rules, &ctx).criteria[2].outcome,
            Outcome::NotMet
        );
    }

    #[test]
    fn pass_numerique_needs_a_real_siret() {
        let rules = LabelRules::shipped_label("pass_numerique").unwrap();
        let mut v = record(&[
            ("id", "v1"),
            ("pivot", "00000000000000"),
            ("horaires", "Mo-Fr 09:00-12:00"),
            ("services", "Maîtrise des outils numériques du quotidien"),
            ("modalites_accompagnement", "Dans un atelier collectif"),
            ("modalites_acces", "Se présenter"),
        ]);
        let r = evaluate(&v, &rules, &EvaluationContext::default());
        assert_eq!(r.outcome, Eligibility::Unknown);
        assert!(r.criteria[4].reason.contains("placeholder"));
        v.fields.insert("pivot".into(), "43493312300029".into());
        assert_eq!(
            evaluate(&v, &rules, &EvaluationContext::default()).outcome,
            Eligibility::Eligible
        );
        // The same digits with the last one changed fail the checksum.
        v.fields.insert("pivot".into(), "43493312300028".into());
        let r = evaluate(&v, &rules, &EvaluationContext::default());
        assert_eq!(r.outcome, Eligibility::NotEligible);
        assert!(
            r.criteria[4].reason.contains("checksum"),
            "{}",
            r.criteria[4].reason
        );
    }
}
