//! `inclusif funding …`: programme results from CSV or JSON, plan checks, the national
//! simulation and the rule book, on the command line.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;
use inclusif_core::funding::plan::{Plan, check};
use inclusif_core::funding::simulation::{SimulationOptions, StructurePosts, simulate};
use inclusif_core::funding::{Breakdown, FundingError, Request, RuleBook, compute};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The funding commands.
#[derive(Subcommand)]
pub enum FundingCmd {
    /// Computes programme results from a JSON file (one request object or an array) or a
    /// CSV file (one request a row, a `programme` column), and prints each explained
    /// breakdown (or JSON with --json).
    Compute {
        /// The requests (.json or .csv; - for JSON on stdin).
        #[arg(long)]
        input: PathBuf,
        /// Print JSON (one object a line) instead of the explained text.
        #[arg(long)]
        json: bool,
        /// A rule table to use instead of the shipped one (TSV, same format).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Checks a plan (JSON: envelopes and lines) and prints every problem, line by line.
    CheckPlan {
        /// The plan (.json).
        plan: PathBuf,
        /// A rule table to use instead of the shipped one.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Simulates structures' conseiller numérique posts (CSV or JSON rows: structure_id,
    /// employer, territory, posts, qpv_or_zrr, renewed); prints rows as CSV or JSON.
    Simulate {
        /// The structures (.csv or .json).
        #[arg(long)]
        input: PathBuf,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Use the agency's 32,000 € private amount instead of the FAQ's 40,000 €.
        #[arg(long)]
        anct_private_amount: bool,
    },
    /// Lists the rules in force on a date (default: every rule) with their sources.
    Rules {
        /// Only the rules in force on this date (YYYY-MM-DD).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

/// Why a funding command stopped.
pub enum FundingFailure {
    /// Bad arguments or input files (exit 2).
    Usage(String),
    /// Input/output (exit 1).
    Io(String),
}

impl From<std::io::Error> for FundingFailure {
    fn from(e: std::io::Error) -> Self {
        FundingFailure::Io(e.to_string())
    }
}

fn usage(m: impl Into<String>) -> FundingFailure {
    FundingFailure::Usage(m.into())
}

fn book(rules: Option<&Path>) -> Result<RuleBook, FundingFailure> {
    match rules {
        None => Ok(RuleBook::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| usage(format!("{}: {e}", p.display())))?;
            RuleBook::from_tsv(&text).map_err(|e| usage(format!("{}: {e}", p.display())))
        }
    }
}

/// A CSV cell as JSON: booleans and whole numbers as such, everything else as text
/// (amounts stay decimal text, never floats).
fn cell(s: &str) -> Value {
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match s.parse::<u64>() {
            Ok(n) if !s.starts_with('0') || s == "0" => Value::from(n),
            _ => Value::String(s.to_owned()),
        },
    }
}

/// Reads records from a .json (object or array) or .csv file (or JSON on stdin for `-`).
fn records<T: DeserializeOwned>(path: &Path) -> Result<Vec<Result<T, String>>, FundingFailure> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?
    };
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let values: Vec<Value> = if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| usage(format!("{}: {e}", path.display())))?
            .clone();
        let mut out = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| usage(format!("{} row {}: {e}", path.display(), i + 2)))?;
            let mut m = Map::new();
            for (h, v) in headers.iter().zip(row.iter()) {
                if !v.is_empty() {
                    m.insert(h.to_owned(), cell(v));
                }
            }
            out.push(Value::Object(m));
        }
        out
    } else {
        match serde_json::from_str::<Value>(&text)
            .map_err(|e| usage(format!("{}: {e}", path.display())))?
        {
            Value::Array(a) => a,
            v => vec![v],
        }
    };
    Ok(values
        .into_iter()
        .map(|v| serde_json::from_value::<T>(v).map_err(|e| e.to_string()))
        .collect())
}

fn code_of(message: &str) -> &'static str {
    FundingError::code_in_message(message).unwrap_or("invalid_input")
}

fn error_value(index: usize, code: &str, message: &str) -> Value {
    json!({ "record": index, "ok": false, "error": code, "message": message })
}

/// Runs a funding command.
pub fn run(cmd: FundingCmd) -> Result<(), FundingFailure> {
    match cmd {
        FundingCmd::Compute { input, json, rules } => {
            let book = book(rules.as_deref())?;
            for (i, r) in records::<Request>(&input)?.into_iter().enumerate() {
                let record = i + 1;
                let result: Result<Breakdown, (String, String)> = r
                    .map_err(|m| (code_of(&m).to_owned(), format!("request: {m}")))
                    .and_then(|req| {
                        compute(&book, &req)
                            .map_err(|e: FundingError| (e.code().to_owned(), e.to_string()))
                    });
                match (result, json) {
                    (Ok(b), true) => {
                        println!("{}", json!({ "record": record, "ok": true, "result": b }))
                    }
                    (Ok(b), false) => println!("#{record} {b}"),
                    (Err((code, m)), true) => println!("{}", error_value(record, &code, &m)),
                    (Err((code, m)), false) => println!("#{record} error {code}: {m}\n"),
                }
            }
            Ok(())
        }
        FundingCmd::CheckPlan { plan, rules } => {
            let book = book(rules.as_deref())?;
            let text = std::fs::read_to_string(&plan)
                .map_err(|e| usage(format!("{}: {e}", plan.display())))?;
            let plan: Plan = serde_json::from_str(&text)
                .map_err(|e| usage(format!("{}: {e}", plan.display())))?;
            let report = check(&plan, &book);
            println!(
                "{}",
                serde_json::to_string_pretty(&report)
                    .map_err(|e| FundingFailure::Io(e.to_string()))?
            );
            Ok(())
        }
        FundingCmd::Simulate {
            input,
            format,
            anct_private_amount,
        } => {
            let rows: Vec<StructurePosts> = records::<StructurePosts>(&input)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    r.map_err(|m| usage(format!("{} record {}: {m}", input.display(), i + 1)))
                })
                .collect::<Result<_, _>>()?;
            let mut options = SimulationOptions::default();
            if anct_private_amount {
                options.private_source =
                    inclusif_core::funding::cnfs::PrivateAmountSource::AnctCode;
            }
            let sim = simulate(&RuleBook::default(), &rows, &options)
                .map_err(|e| usage(format!("{}: {e}", input.display())))?;
            match format.as_str() {
                "csv" => print!("{}", sim.to_csv()),
                "json" => println!(
                    "{}",
                    serde_json::to_string(&sim).map_err(|e| FundingFailure::Io(e.to_string()))?
                ),
                f => return Err(usage(format!("--format: {f:?} is neither csv nor json"))),
            }
            eprintln!(
                "{} structures, {} posts: first wave {} €, renewal {} €, total {} €",
                sim.rows.len(),
                sim.posts,
                sim.first_wave,
                sim.renewal,
                sim.total_subsidy
            );
            Ok(())
        }
        FundingCmd::Rules { on } => {
            let book = RuleBook::default();
            println!("id\tvalue\tvalid_from\tvalid_until\tconfidence\tsources\tnote");
            for r in book.rules().filter(|r| on.is_none_or(|d| r.applies_on(d))) {
                let date = |d: Option<NaiveDate>| d.map_or("-".to_owned(), |d| d.to_string());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.value,
                    date(r.valid_from),
                    date(r.valid_until),
                    r.confidence,
                    r.sources.join(";"),
                    r.note
                );
            }
            Ok(())
        }
    }
}
