//! `inclusif mandate …`: decisions from a scenario, the printed mandate, and (with the
//! token and journal modules) signed tokens and journals.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use inclusif_core::mandate::scenario::{Scenario, run};
use inclusif_core::mandate::{Attestation, Registry};

/// The mandate commands.
#[derive(Subcommand)]
pub enum MandateCmd {
    /// Runs a scenario (JSON: organisations, aidants, usagers, events, questions) and
    /// prints every event's outcome and every decision as JSON.
    Decide {
        /// The scenario (.json; - for stdin).
        scenario: PathBuf,
    },
    /// Prints the mandate a scenario's event created, as the French text to sign.
    Attestation {
        /// The scenario (.json).
        scenario: PathBuf,
        /// The mandate's creation number in the scenario (1 is the first created).
        #[arg(long, default_value_t = 1)]
        mandate: usize,
        /// Where it is signed ("Fait à …").
        #[arg(long)]
        place: String,
        /// The aidant's name as printed.
        #[arg(long)]
        aidant_name: String,
        /// text or html.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

/// Why a mandate command stopped.
pub enum MandateFailure {
    /// Bad arguments or input (exit 2).
    Usage(String),
    /// Input/output (exit 1).
    Io(String),
}

fn usage(m: impl Into<String>) -> MandateFailure {
    MandateFailure::Usage(m.into())
}

fn read_scenario(path: &Path) -> Result<Scenario, MandateFailure> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| MandateFailure::Io(e.to_string()))?
    } else {
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?
    };
    serde_json::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))
}

/// Replays a scenario's events on a registry, returning it and the created mandates in order.
fn replay(
    s: &Scenario,
) -> Result<(Registry, Vec<inclusif_core::mandate::MandateId>), MandateFailure> {
    use inclusif_core::mandate::scenario::Event;
    let mut r = Registry::new();
    let fail = |e: inclusif_core::mandate::MandateError| usage(format!("{}: {e}", e.code()));
    for o in &s.organisations {
        r.add_organisation(o.clone()).map_err(fail)?;
    }
    for a in &s.aidants {
        r.add_aidant(a.clone()).map_err(fail)?;
    }
    for u in &s.usagers {
        r.add_usager(u.clone()).map_err(fail)?;
    }
    let mut made = Vec::new();
    for e in &s.events {
        if let Event::Create {
            aidant,
            usager,
            demarches,
            duration,
            consent,
            at,
        } = e
            && let Ok(c) =
                r.create_mandate(aidant, usager, *demarches, *duration, consent.clone(), *at)
        {
            made.push(c.mandate);
        }
    }
    Ok((r, made))
}

/// Runs a mandate command.
pub fn run_cmd(cmd: MandateCmd) -> Result<(), MandateFailure> {
    match cmd {
        MandateCmd::Decide { scenario } => {
            let s = read_scenario(&scenario)?;
            let result =
                run(&s).map_err(|e| usage(format!("{}: {}: {e}", scenario.display(), e.code())))?;
            println!(
                "{}",
                serde_json::to_string_pretty(&result)
                    .map_err(|e| MandateFailure::Io(e.to_string()))?
            );
            Ok(())
        }
        MandateCmd::Attestation {
            scenario,
            mandate,
            place,
            aidant_name,
            format,
        } => {
            let s = read_scenario(&scenario)?;
            let (r, made) = replay(&s)?;
            let id = mandate
                .checked_sub(1)
                .and_then(|i| made.get(i))
                .ok_or_else(|| {
                    usage(format!(
                        "--mandate: the scenario creates {} mandate(s), not {mandate}",
                        made.len()
                    ))
                })?;
            let m = r.mandate(*id).map_err(|e| usage(e.to_string()))?;
            let a = Attestation {
                mandate: m,
                organisation: r
                    .organisation(m.organisation)
                    .map_err(|e| usage(e.to_string()))?,
                usager: r.usager(&m.usager).map_err(|e| usage(e.to_string()))?,
                aidant_name: &aidant_name,
                place: &place,
            };
            match format.as_str() {
                "text" => print!("{}", a.to_text()),
                "html" => print!("{}", a.to_html()),
                f => return Err(usage(format!("--format: {f:?} is neither text nor html"))),
            }
            Ok(())
        }
    }
}
