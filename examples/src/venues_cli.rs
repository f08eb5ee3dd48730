//! `inclusif venues …`: validate, migrate, label, opening hours and nearest venues.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use inclusif_core::venue::coverage::{IndexedVenue, VenueIndex};
use inclusif_core::venue::hours::{Holidays, OpeningHours};
use inclusif_core::venue::labels::{Eligibility, EvaluationContext, LabelRules, evaluate};
use inclusif_core::venue::migrate::{
    EXTENSION_COLUMN, MigrationTable, V1_0_2_COLUMNS, migrate_file,
};
use inclusif_core::venue::validate::{Options, Severity, validate};
use inclusif_core::venue::{RawFile, Version, as_v1, read_any, write_csv};
use serde_json::json;

use crate::Lines;

/// The venue commands.
#[derive(Subcommand)]
pub enum VenuesCmd {
    /// Validates a file (CSV or JSON): one JSON object per problem, then a summary line.
    Validate {
        /// The file.
        file: PathBuf,
        /// 0.1 or 1.0.2 (default: detected).
        #[arg(long)]
        version: Option<String>,
        /// Today's date for the `date_maj` check (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Migrates a v0.1 file to v1.0.2 CSV (stdout or --out) and writes the migration report
    /// (JSON lines) to --report or a summary to stderr.
    Migrate {
        /// The v0.1 file.
        file: PathBuf,
        /// Where to write the v1.0.2 CSV (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where to write the report, one JSON object per change.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Evaluates a label for every venue of a file: one JSON object per venue.
    Label {
        /// The file (v0.1 files are migrated first).
        file: PathBuf,
        /// france_services, pass_numerique, aidants_connect or conseiller_numerique.
        #[arg(long)]
        label: String,
        /// A rule set of your own (JSON) instead of the shipped one.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The Monday of the reference week for opening hours (default 2026-11-16).
        #[arg(long)]
        week_of: Option<NaiveDate>,
    },
    /// Opening hours, one string a line on stdin: hours and days open in a week.
    Hours {
        /// The Monday of the week (default: this week's Monday).
        #[arg(long)]
        week_of: Option<NaiveDate>,
        /// FR to close on French public holidays (default: none).
        #[arg(long)]
        holidays: Option<String>,
        /// The venues' IANA time zone.
        #[arg(long, default_value = "Europe/Paris")]
        tz: String,
    },
    /// The nearest venues of a file that qualify for a label (eligible), by great-circle
    /// distance through an R*-tree.
    Nearest {
        /// The file (v0.1 files are migrated first).
        file: PathBuf,
        /// Latitude (WGS84).
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        /// Longitude (WGS84).
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        /// Only venues eligible for this label (or `any`).
        #[arg(long, default_value = "any")]
        label: String,
        /// How many.
        #[arg(short, long, default_value_t = 5)]
        k: usize,
        /// Also venues whose eligibility the data cannot tell (`unknown`).
        #[arg(long)]
        include_unknown: bool,
    },
}

/// Why a venue command stopped.
pub enum VenuesFailure {
    /// Bad arguments or an unreadable file (exit 2).
    Usage(String),
    /// Input/output (exit 1).
    Io(String),
}

fn usage(m: impl Into<String>) -> VenuesFailure {
    VenuesFailure::Usage(m.into())
}

fn io(e: std::io::Error) -> VenuesFailure {
    VenuesFailure::Io(e.to_string())
}

fn read_file(path: &Path) -> Result<RawFile, VenuesFailure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    read_any(&text).map_err(|e| usage(format!("{}: {}: {e}", path.display(), e.code())))
}

/// Runs a venue command.
pub fn run(cmd: VenuesCmd) -> Result<(), VenuesFailure> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cmd {
        VenuesCmd::Validate {
            file,
            version,
            today,
        } => {
            let raw = read_file(&file)?;
            let version = match version.as_deref() {
                None => None,
                Some("0.1") => Some(Version::V0_1),
                Some("1.0.2") => Some(Version::V1_0_2),
                Some(v) => return Err(usage(format!("--version: {v:?} is neither 0.1 nor 1.0.2"))),
            };
            let r = validate(
                &raw,
                &Options {
                    version,
                    today: today.unwrap_or_else(|| Utc::now().date_naive()),
                },
            );
            for p in &r.problems {
                writeln!(out, "{}", serde_json::to_string(p).expect("serialisable")).map_err(io)?;
            }
            let errors = r
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            writeln!(
                out,
                "{}",
                json!({
                    "summary": true,
                    "version": r.version.name(),
                    "rows": r.rows,
                    "valid_rows": r.valid_rows,
                    "errors": errors,
                    "warnings": r.problems.len() - errors,
                    "normalisations": r.changes.len(),
                    "counts": r.counts,
                })
            )
            .map_err(io)?;
        }
        VenuesCmd::Migrate {
            file,
            out: target,
            report,
        } => {
            let raw = read_file(&file)?;
            let m = migrate_file(&raw.records, &MigrationTable::default());
            let mut columns: Vec<&str> = V1_0_2_COLUMNS.to_vec();
            columns.push(EXTENSION_COLUMN);
            let csv = write_csv(&m.records, &columns);
            match target {
                Some(p) => {
                    std::fs::write(&p, csv).map_err(|e| usage(format!("{}: {e}", p.display())))?
                }
                None => out.write_all(csv.as_bytes()).map_err(io)?,
            }
            match report {
                Some(p) => {
                    let lines: Vec<String> = m
                        .notes
                        .iter()
                        .map(|n| serde_json::to_string(n).expect("serialisable"))
                        .collect();
                    std::fs::write(&p, lines.join("\n") + "\n")
                        .map_err(|e| usage(format!("{}: {e}", p.display())))?;
                }
                None => eprintln!(
                    "{}",
                    serde_json::to_string(&m.summary).expect("serialisable")
                ),
            }
        }
        VenuesCmd::Label {
            file,
            label,
            rules,
            week_of,
        } => {
            let rules = match rules {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .map_err(|e| usage(format!("{}: {e}", p.display())))?;
                    LabelRules::from_json(&text)
                        .map_err(|e| usage(format!("{}: {e}", p.display())))?
                }
                None => LabelRules::shipped_label(&label).map_err(|e| usage(e.to_string()))?,
            };
            let mut ctx = EvaluationContext::default();
            if let Some(w) = week_of {
                ctx.week_of = w;
            }
            let (records, _) = as_v1(&read_file(&file)?);
            for r in &records {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&evaluate(r, &rules, &ctx)).expect("serialisable")
                )
                .map_err(io)?;
            }
        }
        VenuesCmd::Hours {
            week_of,
            holidays,
            tz,
        } => {
            let tz: chrono_tz::Tz = tz
                .parse()
                .map_err(|_| usage(format!("--tz: {tz:?} is not an IANA time zone")))?;
            let holidays = match holidays.as_deref() {
                None | Some("none") => Holidays::None,
                Some("FR") => Holidays::France,
                Some(h) => return Err(usage(format!("--holidays: {h:?} is neither FR nor none"))),
            };
            let monday = week_of.unwrap_or_else(|| {
                let today = Utc::now().with_timezone(&tz).date_naive();
                today
                    - chrono::Days::new(u64::from(
                        chrono::Datelike::weekday(&today).num_days_from_monday(),
                    ))
            });
            let mut input = Lines::new(std::io::stdin().lock());
            let mut line = 0;
            while let Some(text) = input.next_line().map_err(io)? {
                line += 1;
                let result = match text {
                    None => Err((
                        "invalid_opening_hours",
                        "a line of more than 1024 bytes".to_owned(),
                    )),
                    Some(bytes) => {
                        let s = String::from_utf8_lossy(&bytes);
                        OpeningHours::parse(&s)
                            .and_then(|h| h.week(monday, tz, holidays))
                            .map_err(|e| (e.code(), e.to_string()))
                    }
                };
                let value = match result {
                    Ok(w) => {
                        json!({ "line": line, "ok": true, "hours_per_week": w.hours_per_week_f64(), "days_open": w.days_open })
                    }
                    Err((code, message)) => {
                        json!({ "line": line, "ok": false, "error": code, "message": message })
                    }
                };
                writeln!(out, "{value}").map_err(io)?;
            }
        }
        VenuesCmd::Nearest {
            file,
            lat,
            lon,
            label,
            k,
            include_unknown,
        } => {
            if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
                return Err(usage(
                    "--lat/--lon: a WGS84 point (|lat| <= 90, |lon| <= 180)",
                ));
            }
            let (records, _) = as_v1(&read_file(&file)?);
            let rules = match label.as_str() {
                "any" => None,
                l => Some(LabelRules::shipped_label(l).map_err(|e| usage(e.to_string()))?),
            };
            let ctx = EvaluationContext::default();
            let qualifying = records.iter().filter(|r| {
                rules
                    .as_ref()
                    .is_none_or(|rules| match evaluate(r, rules, &ctx).outcome {
                        Eligibility::Eligible => true,
                        Eligibility::Unknown => include_unknown,
                        Eligibility::NotEligible => false,
                    })
            });
            let index = VenueIndex::new(qualifying.filter_map(|r| {
                Some(IndexedVenue {
                    id: r.get("id")?.to_owned(),
                    lat: r.get("latitude")?.parse().ok()?,
                    lon: r.get("longitude")?.parse().ok()?,
                })
            }));
            for (rank, (id, d)) in index.nearest(lat, lon, k).into_iter().enumerate() {
                let r = records.iter().find(|r| r.get("id") == Some(id));
                let name = r.and_then(|r| r.get("nom")).unwrap_or("");
                let commune = r.and_then(|r| r.get("commune")).unwrap_or("");
                writeln!(out, "{}", json!({ "rank": rank + 1, "id": id, "nom": name, "commune": commune, "distance_m": d.round() })).map_err(io)?;
            }
        }
    }
    out.flush().map_err(io)
}
