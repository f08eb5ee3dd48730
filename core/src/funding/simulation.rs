//! The national picture in one call: every structure's conseiller numérique posts with
//! their first-wave subsidy, the agency's estimate, the renewal schedule and the training
//! cap, as flat rows that export to CSV and JSON (and become a DataFrame in one line).
//!
//! Rows come out sorted by structure id, so the result does not depend on input order.
//! Per-post amounts are computed once per (employer, territory, bonus) and reused.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cnfs::{self, EmployerType, PrivateAmountSource, Territory};
use super::error::FundingError;
use super::money::{Euros, RoundingMode};
use super::rules::RuleBook;

/// One structure's posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructurePosts {
    /// Unique id (a SIRET, or any stable key).
    pub structure_id: String,
    /// Public or private employer.
    pub employer: EmployerType,
    /// Territory of the first-wave amount.
    pub territory: Territory,
    /// Posts (at least 1).
    pub posts: u32,
    /// In a QPV or ZRR (renewal bonus; public structures only).
    #[serde(default)]
    pub qpv_or_zrr: bool,
    /// Whether the posts were renewed (second convention).
    #[serde(default)]
    pub renewed: bool,
}

/// Options of a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// Which private first-wave amount to use for subsidies.
    pub private_source: PrivateAmountSource,
    /// The date first-wave rules are read on.
    pub first_wave_on: NaiveDate,
    /// The date renewal and training-path rules are read on.
    pub renewal_on: NaiveDate,
    /// The date of the agency export whose estimate is reproduced (its cost add-ons exist
    /// from 2021-09-15; it rounds to the euro from 2023-08-02).
    pub anct_export_on: NaiveDate,
    /// How 1.5 paths per post round for odd counts.
    pub training_rounding: RoundingMode,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            private_source: PrivateAmountSource::Faq,
            first_wave_on: NaiveDate::from_ymd_opt(2021, 6, 1).expect("date"),
            renewal_on: NaiveDate::from_ymd_opt(2023, 6, 1).expect("date"),
            anct_export_on: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
            training_rounding: RoundingMode::Down,
        }
    }
}

/// One structure's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub first_wave: Euros,
    /// The agency's estimated State investment (its own private amount, rounded to the euro).
    pub anct_estimate: Euros,
    /// Renewal, year 1 tranche, all posts (0 if not renewed).
    pub renewal_year1: Euros,
    /// Renewal, year 2 tranche.
    pub renewal_year2: Euros,
    /// Renewal, year 3 tranche.
    pub renewal_year3: Euros,
    /// State-funded training paths.
    pub training_paths: u32,
    /// First wave plus renewal.
    pub total_subsidy: Euros,
}

/// The national picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Simulation {
    /// One row per structure, by structure id.
    pub rows: Vec<SimulationRow>,
    /// Posts in all.
    pub posts: u64,
    /// First-wave subsidies in all.
    pub first_wave: Euros,
    /// The agency's estimates in all.
    pub anct_estimate: Euros,
    /// Renewal tranches in all.
    pub renewal: Euros,
    /// Everything.
    pub total_subsidy: Euros,
}

/// The CSV columns, in order.
pub const CSV_HEADER: &str = "structure_id,employer,territory,posts,first_wave,anct_estimate,renewal_year1,renewal_year2,renewal_year3,training_paths,total_subsidy";

impl Simulation {
    /// The rows as CSV (header first; amounts as exact decimals, a dot for the decimal point).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        out.push_str(CSV_HEADER);
        out.push('\n');
        for r in &self.rows {
            let id = if r.structure_id.contains([',', '"', '\n']) {
                format!("\"{}\"", r.structure_id.replace('"', "\"\""))
            } else {
                r.structure_id.clone()
            };
            let _ = writeln!(
                out,
                "{id},{},{},{},{},{},{},{},{},{},{}",
                r.employer,
                r.territory,
                r.posts,
                r.first_wave,
                r.anct_estimate,
                r.renewal_year1,
                r.renewal_year2,
                r.renewal_year3,
                r.training_paths,
                r.total_subsidy
            );
        }
        out
    }
}

#[derive(Clone, Copy)]
struct PerPost {
    first_wave: Euros,
    anct: (Euros, Euros),
    renewal: [Euros; 3],
}

/// Computes every structure's row and the national totals.
pub fn simulate(
    book: &RuleBook,
    structures: &[StructurePosts],
    options: &SimulationOptions,
) -> Result<Simulation, FundingError> {
    let mut seen = BTreeSet::new();
    for s in structures {
        if !seen.insert(s.structure_id.as_str()) {
            return Err(FundingError::input(
                "structure_id",
                format!("{:?} appears twice", s.structure_id),
            ));
        }
        if s.posts == 0 {
            return Err(FundingError::input(
                "posts",
                format!("structure {:?}: at least 1 post", s.structure_id),
            ));
        }
        if s.qpv_or_zrr && s.employer == EmployerType::Private {
            return Err(FundingError::input(
                "qpv_or_zrr",
                format!(
                    "structure {:?}: the bonus is for public structures only",
                    s.structure_id
                ),
            ));
        }
    }
    let mut cache: HashMap<(EmployerType, Territory, bool), PerPost> = HashMap::new();
    let mut per_post =
        |e: EmployerType, t: Territory, bonus: bool| -> Result<PerPost, FundingError> {
            if let Some(p) = cache.get(&(e, t, bonus)) {
                return Ok(*p);
            }
            let first_wave =
                cnfs::first_wave_post(book, e, t, options.private_source, options.first_wave_on)?
                    .total;
            // The agency's formula rounds the product, not the unit: keep its unit exact.
            let one = cnfs::anct_estimated_investment(
                book,
                e,
                t,
                1,
                PrivateAmountSource::AnctCode,
                options.anct_export_on,
            )?;
            let anct_unit = one.lines[0].amount + one.lines[1].amount;
            let r = cnfs::renewal_post(book, e, bonus, options.renewal_on)?;
            let p = PerPost {
                first_wave,
                anct: (anct_unit, one.total),
                renewal: [r.lines[0].amount, r.lines[1].amount, r.lines[2].amount],
            };
            cache.insert((e, t, bonus), p);
            Ok(p)
        };
    let mut rows = Vec::with_capacity(structures.len());
    let rounds_anct = options.anct_export_on >= cnfs::ANCT_ROUNDING_SINCE;
    for s in structures {
        let p = per_post(s.employer, s.territory, s.qpv_or_zrr)?;
        let n = u64::from(s.posts);
        let renewal = if s.renewed {
            p.renewal.map(|a| a.times_count(n))
        } else {
            [Euros::ZERO; 3]
        };
        let exact_anct = p.anct.0.times_count(n);
        let anct_estimate = if rounds_anct {
            exact_anct.round(super::money::Rounding::EURO)
        } else {
            exact_anct
        };
        let first_wave = p.first_wave.times_count(n);
        let (training_paths, _) =
            cnfs::training_path_cap(book, s.posts, options.training_rounding, options.renewal_on)?;
        rows.push(SimulationRow {
            structure_id: s.structure_id.clone(),
            employer: s.employer,
            territory: s.territory,
            posts: s.posts,
            first_wave,
            anct_estimate,
            renewal_year1: renewal[0],
            renewal_year2: renewal[1],
            renewal_year3: renewal[2],
            training_paths,
            total_subsidy: first_wave + renewal[0] + renewal[1] + renewal[2],
        });
    }
    rows.sort_by(|a, b| a.structure_id.cmp(&b.structure_id));
    let sum = |f: fn(&SimulationRow) -> Euros| rows.iter().map(f).sum::<Euros>();
    Ok(Simulation {
        posts: rows.iter().map(|r| u64::from(r.posts)).sum(),
        first_wave: sum(|r| r.first_wave),
        anct_estimate: sum(|r| r.anct_estimate),
        renewal: sum(|r| r.renewal_year1 + r.renewal_year2 + r.renewal_year3),
        total_subsidy: sum(|r| r.total_subsidy),
        rows,
    })
}

/// A synthetic national dataset (not real data): `structures` structures with 1 to 3
/// posts each, about two thirds public, about 4 % in the Antilles-Guyane and 3 % in
/// Réunion-Mayotte, a fifth of the public ones in a QPV or ZRR, four in five renewed.
/// Deterministic for a given `seed`; for benchmarks, the tour and examples.
pub fn synthetic_structures(structures: usize, seed: u64) -> Vec<StructurePosts> {
    let mut x = seed;
    let mut next = move || {
        // splitmix64: small, deterministic, good enough for a synthetic mix.
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % 1000
    };
    (0..structures)
        .map(|i| {
            let employer = if next() < 667 {
                EmployerType::Public
            } else {
                EmployerType::Private
            };
            let t = next();
            let territory = if t < 40 {
                Territory::AntillesGuyane
            } else if t < 70 {
                Territory::ReunionMayotte
            } else {
                Territory::Mainland
            };
            let posts = 1 + (next() % 3) as u32;
            let qpv_or_zrr = employer == EmployerType::Public && next() < 200;
            let renewed = next() < 800;
            StructurePosts {
                structure_id: format!("S{i:05}"),
                employer,
                territory,
                posts,
                qpv_or_zrr,
                renewed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_post() -> StructurePosts {
        StructurePosts {
            structure_id: "x".into(),
            employer: EmployerType::Public,
            territory: Territory::Mainland,
            posts: 1,
            qpv_or_zrr: false,
            renewed: true,
        }
    }

    #[test]
    fn rows_and_totals_are_exact_and_order_independent() {
        let book = RuleBook::default();
        let input = synthetic_structures(500, 7);
        let sim = simulate(&book, &input, &SimulationOptions::default()).unwrap();
        assert_eq!(sim.rows.len(), 500);
        let mut reversed = input.clone();
        reversed.reverse();
        assert_eq!(
            simulate(&book, &reversed, &SimulationOptions::default()).unwrap(),
            sim
        );
        let sum: Euros = sim.rows.iter().map(|r| r.first_wave).sum();
        assert_eq!(sum, sim.first_wave);
        assert_eq!(sim.total_subsidy, sim.first_wave + sim.renewal);
        // One public mainland post, renewed, no bonus: 50,000 + 42,500.
        let r = &simulate(&book, &[one_post()], &SimulationOptions::default())
            .unwrap()
            .rows[0];
        assert_eq!(r.total_subsidy, Euros::whole(92_500));
        assert_eq!(r.anct_estimate, Euros::whole(55_429));
        let old = SimulationOptions {
            anct_export_on: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            ..SimulationOptions::default()
        };
        let r = &simulate(
            &book,
            &[StructurePosts {
                posts: 3,
                ..one_post()
            }],
            &old,
        )
        .unwrap()
        .rows[0];
        assert_eq!(
            r.anct_estimate,
            Euros::parse("166286.484", "x").unwrap(),
            "exports before 2023-08-02 are unrounded"
        );
        let csv = sim.to_csv();
        assert_eq!(csv.lines().count(), 501);
        assert!(csv.starts_with(CSV_HEADER));
    }

    #[test]
    fn bad_rows_are_refused() {
        let book = RuleBook::default();
        let mut input = synthetic_structures(3, 1);
        input[2].structure_id = input[0].structure_id.clone();
        assert_eq!(
            simulate(&book, &input, &SimulationOptions::default())
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        let mut input = synthetic_structures(3, 1);
        input[1].posts = 0;
        assert_eq!(
            simulate(&book, &input, &SimulationOptions::default())
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }
}
