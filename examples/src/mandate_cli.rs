//! `inclusif mandate …`: decisions from a scenario, the printed mandate, and (with the
//! token and journal modules) signed tokens and journals.

use std::path::{Path, PathBuf};

use std::io::{BufWriter, Write};

use chrono::{DateTime, Timelike, Utc};
use clap::Subcommand;
use inclusif_core::mandate::journal::verify_journal;
use inclusif_core::mandate::scenario::{Scenario, run};
use inclusif_core::mandate::token::{
    MandateClaims, MandateToken, MandateTokenError, MandateVerifier, VerifiedMandate, sign_mandate,
};
use inclusif_core::mandate::{
    Attestation, ConsentMethod, Demarche, DemarcheSet, Duration, MandateId, OrganisationId,
    Registry, usager_ref,
};
use inclusif_core::voucher::{Kid, PublicKey, SecretKey, TrustList};
use serde_json::{Value, json};

use crate::Lines;

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
    /// Verifies signed mandate tokens, one a line on stdin; one JSON object a line.
    Verify(VerifyArgs),
    /// Signs a mandate token and prints it (text, QR payload) as JSON.
    Issue(IssueArgs),
    /// Tamper-evident journals.
    #[command(subcommand)]
    Journal(JournalCmd),
}

/// Options of `inclusif mandate verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Trust this key for any organisation: KID:HEX (32-byte Ed25519 public key). Repeatable.
    #[arg(long = "key", value_name = "KID:HEX")]
    keys: Vec<String>,
    /// A signed trust list whose issuers are `org.<id>` (needs --root-key).
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// The root public key (hex) that signs the trust list.
    #[arg(long)]
    root_key: Option<String>,
    /// The verification instant (RFC 3339); default now.
    #[arg(long)]
    at: Option<String>,
    /// Require this démarche.
    #[arg(long)]
    demarche: Option<String>,
    /// Require this person (FranceConnect sub).
    #[arg(long)]
    usager_sub: Option<String>,
    /// Revoked mandate ids (20 lowercase hex, one a line).
    #[arg(long)]
    revoked: Option<PathBuf>,
    /// Read hand-typed tokens.
    #[arg(long)]
    human: bool,
}

/// Options of `inclusif mandate issue`.
#[derive(clap::Args)]
pub struct IssueArgs {
    /// The structure's secret key file (from `inclusif voucher keygen`).
    #[arg(long)]
    secret: PathBuf,
    /// The key's id in the trust list.
    #[arg(long)]
    kid: u16,
    /// The organisation id.
    #[arg(long)]
    organisation: u32,
    /// The usager's FranceConnect sub (only a pseudonymous hash goes into the token).
    #[arg(long)]
    usager_sub: String,
    /// Démarches, comma-separated keys (papiers,social,…).
    #[arg(long)]
    demarches: String,
    /// SHORT, MONTH, SEMESTER, LONG or EUS_03_20.
    #[arg(long)]
    duration: String,
    /// in_person, remote_paper or remote_sms (consent received).
    #[arg(long, default_value = "in_person")]
    consent: String,
    /// Creation instant (RFC 3339, whole seconds); default now.
    #[arg(long)]
    at: Option<String>,
    /// Also write the QR code (SVG) to this file.
    #[arg(long)]
    qr_svg: Option<PathBuf>,
}

/// `inclusif mandate journal …`.
#[derive(Subcommand)]
pub enum JournalCmd {
    /// Verifies a journal (JSON Lines): prints one JSON object, exit 0 either way.
    Verify {
        /// The journal.
        file: PathBuf,
        /// A checkpoint key: KID:HEX. Repeatable.
        #[arg(long = "key", value_name = "KID:HEX", required = true)]
        keys: Vec<String>,
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

fn instant(at: Option<&str>) -> Result<DateTime<Utc>, MandateFailure> {
    match at {
        None => Ok(Utc::now()),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| usage(format!("--at: {s:?} is not an RFC 3339 instant ({e})"))),
    }
}

fn key_arg(k: &str) -> Result<(Kid, PublicKey), MandateFailure> {
    let (kid, hex) = k
        .split_once(':')
        .ok_or_else(|| usage(format!("--key: {k:?} must be KID:HEX")))?;
    let n: u16 = kid
        .parse()
        .map_err(|_| usage(format!("--key: {kid:?} is not a key id (1..=65535)")))?;
    let kid = Kid::new(n).ok_or_else(|| usage("--key: kid 0 is reserved"))?;
    let key = PublicKey::from_hex(hex, n).map_err(|e| usage(format!("--key {n}: {e}")))?;
    Ok((kid, key))
}

fn verifier(a: &VerifyArgs) -> Result<MandateVerifier, MandateFailure> {
    let mut v = match (&a.trust_list, &a.root_key) {
        (Some(path), Some(root)) => {
            let bytes =
                std::fs::read(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let root =
                PublicKey::from_hex(root, 0).map_err(|e| usage(format!("--root-key: {e}")))?;
            let list = TrustList::open(&bytes, &root)
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            MandateVerifier::new(list).map_err(|e| usage(format!("{}: {e}", path.display())))?
        }
        (Some(_), None) => {
            return Err(usage(
                "--trust-list needs --root-key HEX to check its signature",
            ));
        }
        (None, Some(_)) => return Err(usage("--root-key goes with --trust-list")),
        (None, None) if a.keys.is_empty() => {
            return Err(usage(
                "give --key KID:HEX or --trust-list FILE --root-key HEX",
            ));
        }
        (None, None) => MandateVerifier::without_trust_list(),
    };
    for k in &a.keys {
        let (kid, key) = key_arg(k)?;
        v = v
            .with_key_for_any_organisation(kid, key)
            .map_err(|e| usage(format!("--key {kid}: {e}")))?;
    }
    if let Some(d) = &a.demarche {
        let d: Demarche = d
            .parse()
            .map_err(|e: inclusif_core::mandate::MandateError| usage(format!("--demarche: {e}")))?;
        v = v.with_required_demarche(d);
    }
    if let Some(sub) = &a.usager_sub {
        v = v.with_required_usager(sub);
    }
    if let Some(path) = &a.revoked {
        let text =
            std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let mut ids = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            ids.push(
                line.parse::<MandateId>()
                    .map_err(|e| usage(format!("{} line {}: {e}", path.display(), i + 1)))?,
            );
        }
        v = v.with_revoked_mandates(ids);
    }
    Ok(v)
}

/// The JSON line of a verified mandate.
pub fn mandate_json(line: usize, m: &VerifiedMandate) -> Value {
    json!({
        "line": line,
        "ok": true,
        "kid": m.kid().get(),
        "organisation": m.organisation().get(),
        "mandate_id": m.mandate_id().to_string(),
        "demarches": m.demarches().iter().map(Demarche::key).collect::<Vec<_>>(),
        "duration": m.duration().keyword(),
        "consent": m.consent().name(),
        "created_at": m.created_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "expires_at": m.expires_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

fn error_line(line: usize, e: &MandateTokenError) -> Value {
    json!({ "line": line, "ok": false, "error": e.code(), "message": e.to_string() })
}

/// Runs a mandate command.
pub fn run_cmd(cmd: MandateCmd) -> Result<(), MandateFailure> {
    match cmd {
        MandateCmd::Verify(a) => {
            let now = instant(a.at.as_deref())?;
            let v = verifier(&a)?;
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let mut input = Lines::new(std::io::stdin().lock());
            let mut line = 0;
            let io = |e: std::io::Error| MandateFailure::Io(e.to_string());
            while let Some(text) = input.next_line().map_err(io)? {
                line += 1;
                let result = match text {
                    None => Err(MandateTokenError::Malformed {
                        field: "token",
                        rule: format!(
                            "a line of more than {} bytes is never a token",
                            crate::MAX_LINE
                        ),
                    }),
                    Some(bytes) => match (a.human, std::str::from_utf8(&bytes)) {
                        (true, Ok(t)) => v.verify_human(t, now),
                        (true, Err(_)) | (false, _) => {
                            MandateToken::parse_strict_bytes(&bytes).and_then(|t| v.verify(&t, now))
                        }
                    },
                };
                let value = match result {
                    Ok(m) => mandate_json(line, &m),
                    Err(e) => error_line(line, &e),
                };
                writeln!(out, "{value}").map_err(io)?;
            }
            out.flush().map_err(io)?;
            Ok(())
        }
        MandateCmd::Issue(a) => {
            let text = std::fs::read_to_string(&a.secret)
                .map_err(|e| usage(format!("{}: {e}", a.secret.display())))?;
            let key = SecretKey::from_hex(&text)
                .map_err(|e| usage(format!("{}: {e}", a.secret.display())))?;
            let kid = Kid::new(a.kid).ok_or_else(|| usage("--kid: 0 is reserved"))?;
            let organisation = OrganisationId::new(a.organisation)
                .map_err(|e| usage(format!("--organisation: {e}")))?;
            let demarches = DemarcheSet::parse(a.demarches.split(','))
                .map_err(|e| usage(format!("--demarches: {e}")))?;
            let duration: Duration =
                a.duration
                    .parse()
                    .map_err(|e: inclusif_core::mandate::MandateError| {
                        usage(format!("--duration: {e}"))
                    })?;
            let consent = match a.consent.as_str() {
                "in_person" => ConsentMethod::InPerson,
                "remote_paper" => ConsentMethod::RemotePaper,
                "remote_sms" => ConsentMethod::RemoteSms,
                c => {
                    return Err(usage(format!(
                        "--consent: {c:?} is not in_person, remote_paper or remote_sms"
                    )));
                }
            };
            let created_at = instant(a.at.as_deref())?
                .with_nanosecond(0)
                .expect("0 ns is valid");
            let claims = MandateClaims {
                kid,
                organisation,
                mandate_id: MandateId::random(),
                usager_ref: usager_ref(organisation, &a.usager_sub),
                demarches,
                created_at,
                duration,
                consent,
            };
            let token =
                sign_mandate(&key, &claims).map_err(|e| usage(format!("{}: {e}", e.code())))?;
            if let Some(path) = &a.qr_svg {
                let svg = qrcode::QrCode::with_error_correction_level(
                    token.to_qr_payload(),
                    qrcode::EcLevel::Q,
                )
                .map_err(|e| MandateFailure::Io(e.to_string()))?
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(240, 240)
                .build();
                std::fs::write(path, svg).map_err(|e| usage(format!("{}: {e}", path.display())))?;
            }
            println!(
                "{}",
                json!({
                    "mandate_id": claims.mandate_id.to_string(),
                    "organisation": organisation.get(),
                    "kid": kid.get(),
                    "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "expires_at": claims.expires_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "token": token.to_text(),
                    "qr_payload": token.to_qr_payload(),
                })
            );
            Ok(())
        }
        MandateCmd::Journal(JournalCmd::Verify { file, keys }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let keys: Vec<(u16, PublicKey)> = keys
                .iter()
                .map(|k| key_arg(k).map(|(kid, key)| (kid.get(), key)))
                .collect::<Result<_, _>>()?;
            println!("{}", verify_journal(&text, &keys).to_json());
            Ok(())
        }
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
