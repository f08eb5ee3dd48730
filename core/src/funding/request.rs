//! One entry point for every programme: a serde-friendly [`Request`] (JSON objects, CSV
//! rows, binding dictionaries) and [`compute`], which returns the explained
//! [`Breakdown`]. The command line and the bindings go through it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cnfs::{self, EmployerType, PrivateAmountSource, Territory};
use super::error::FundingError;
use super::explain::Breakdown;
use super::france_services;
use super::hubs::{self, BonusStacking};
use super::money::{Euros, Rate, Rounding, RoundingMode};
use super::pass::{self, PassOrder};
use super::relance;
use super::rules::RuleBook;

fn anct_code() -> PrivateAmountSource {
    PrivateAmountSource::AnctCode
}

fn cent() -> Rounding {
    Rounding::CENT
}

fn down() -> RoundingMode {
    RoundingMode::Down
}

/// A programme computation, tagged by `programme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "programme", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// R1: one first-wave conseiller numérique post.
    CnfsFirstWave {
        /// Public or private.
        employer: EmployerType,
        /// Territory (name or département code).
        territory: Territory,
        /// Which private amount (default: the FAQ's 40,000 €).
        #[serde(default)]
        private_source: PrivateAmountSource,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R2: the agency's estimated State investment for a structure.
    AnctEstimate {
        /// Public or private.
        employer: EmployerType,
        /// Territory.
        territory: Territory,
        /// Posts.
        posts: u32,
        /// Which private amount (default: the export's own 32,000 €).
        #[serde(default = "anct_code")]
        private_source: PrivateAmountSource,
        /// The export date (rounded to the euro from 2023-08-02).
        on: NaiveDate,
    },
    /// R3: one renewed post's three yearly tranches.
    CnfsRenewal {
        /// Public or private.
        employer: EmployerType,
        /// In a QPV or ZRR (public only).
        #[serde(default)]
        qpv_or_zrr: bool,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R4 (hypothesis): a post ending early.
    EarlyTermination {
        /// The post's subsidy.
        subsidy: Euros,
        /// Months in the convention.
        months_in_convention: u32,
        /// Months used.
        months_used: u32,
        /// Paid so far.
        paid_to_date: Euros,
        /// Rounding of the amount due (default: to the cent, half away from zero).
        #[serde(default = "cent")]
        rounding: Rounding,
    },
    /// R6: State-funded training paths for a structure.
    TrainingPaths {
        /// Posts.
        posts: u32,
        /// How 1.5 × an odd count rounds (default: down).
        #[serde(default = "down")]
        rounding_mode: RoundingMode,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R7: the 2020 call's State grant on a Pass numérique order.
    PassCall2020 {
        /// Passes bought.
        bought: u64,
        /// Passes actually used (redeemed).
        used: u64,
        /// Passes for priority (PIC) publics.
        priority_publics: u64,
        /// The date the rules are read on (within 2020).
        on: NaiveDate,
    },
    /// R7: the 2019 call's State share of a project budget.
    PassCall2019 {
        /// The project budget.
        project_budget: Euros,
        /// The State's rate, within the 20 %-65 % band.
        rate: Rate,
        /// The date the rules are read on (within 2019).
        on: NaiveDate,
    },
    /// R8: the operator's invoice for an order (face value, 4 % fee, VAT on the fee).
    PassOrderInvoice {
        /// Passes ordered.
        passes: u64,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R8: monthly payouts to venues for the passes they scanned.
    PassVenuePayouts {
        /// One row per venue.
        venues: Vec<VenuePayoutRow>,
        /// The month paid.
        month: NaiveDate,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R8: the end-of-validity credit note (face value of unused passes).
    PassCreditNote {
        /// Passes bought.
        bought: u64,
        /// Passes redeemed.
        redeemed: u64,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R9: a hub's grant (2020-21 call).
    HubGrant {
        /// Action in QPV.
        #[serde(default)]
        qpv: bool,
        /// Action in Action Cœur de Ville towns.
        #[serde(default)]
        action_coeur_de_ville: bool,
        /// How the two bonuses combine (default: they stack).
        #[serde(default)]
        stacking: BonusStacking,
        /// The date the rules are read on.
        on: NaiveDate,
    },
    /// R10: the France Services yearly forfait per labelled structure.
    FranceServicesForfait {
        /// The year.
        year: i32,
    },
    /// R10: a network's yearly total (forfaits plus départemental animation).
    FranceServicesNetwork {
        /// Labelled structures.
        structures: u32,
        /// Départements animated.
        departements: u32,
        /// The year.
        year: i32,
    },
    /// The recovery plan's digital-inclusion line, checked.
    RecoveryPlan {
        /// The date the rules are read on.
        on: NaiveDate,
    },
}

/// One venue's passes in a monthly payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenuePayoutRow {
    /// The venue's id.
    pub venue: String,
    /// Passes scanned in the month.
    pub passes: u64,
    /// The deduction agreed with the venue (0 to 5 %).
    #[serde(default = "no_deduction")]
    pub deduction: Rate,
}

fn no_deduction() -> Rate {
    Rate::ZERO
}

/// Computes a request's explained result.
pub fn compute(book: &RuleBook, request: &Request) -> Result<Breakdown, FundingError> {
    match request {
        Request::CnfsFirstWave {
            employer,
            territory,
            private_source,
            on,
        } => cnfs::first_wave_post(book, *employer, *territory, *private_source, *on),
        Request::AnctEstimate {
            employer,
            territory,
            posts,
            private_source,
            on,
        } => cnfs::anct_estimated_investment(
            book,
            *employer,
            *territory,
            *posts,
            *private_source,
            *on,
        ),
        Request::CnfsRenewal {
            employer,
            qpv_or_zrr,
            on,
        } => cnfs::renewal_post(book, *employer, *qpv_or_zrr, *on),
        Request::EarlyTermination {
            subsidy,
            months_in_convention,
            months_used,
            paid_to_date,
            rounding,
        } => cnfs::early_termination(
            *subsidy,
            *months_in_convention,
            *months_used,
            *paid_to_date,
            *rounding,
        ),
        Request::TrainingPaths {
            posts,
            rounding_mode,
            on,
        } => cnfs::training_path_cap(book, *posts, *rounding_mode, *on).map(|(_, b)| b),
        Request::PassCall2020 {
            bought,
            used,
            priority_publics,
            on,
        } => pass::call_2020_state_grant(
            book,
            &PassOrder::new(*bought, *used, *priority_publics)?,
            *on,
        ),
        Request::PassCall2019 {
            project_budget,
            rate,
            on,
        } => pass::call_2019_state_share(book, *project_budget, *rate, *on),
        Request::PassOrderInvoice { passes, on } => pass::order_invoice(book, *passes, *on),
        Request::PassVenuePayouts { venues, month, on } => {
            let rows: Vec<(&str, u64, Rate)> = venues
                .iter()
                .map(|v| (v.venue.as_str(), v.passes, v.deduction))
                .collect();
            pass::venue_payouts(book, &rows, *month, *on)
        }
        Request::PassCreditNote {
            bought,
            redeemed,
            on,
        } => pass::credit_note(book, *bought, *redeemed, *on),
        Request::HubGrant {
            qpv,
            action_coeur_de_ville,
            stacking,
            on,
        } => hubs::hub_grant(book, *qpv, *action_coeur_de_ville, *stacking, *on),
        Request::FranceServicesForfait { year } => france_services::yearly_forfait(book, *year),
        Request::FranceServicesNetwork {
            structures,
            departements,
            year,
        } => france_services::network_total(book, *structures, *departements, *year),
        Request::RecoveryPlan { on } => relance::recovery_plan_table(book, *on),
    }
}
