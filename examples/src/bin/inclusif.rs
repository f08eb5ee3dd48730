//! `inclusif`: the command line of the inclusif library.
//!
//! ```text
//! inclusif voucher keygen --out issuer.key
//! inclusif voucher trust-list build --root-secret root.key --sequence 1 --entries keys.tsv --out trust.bin
//! inclusif voucher trust-list show --root-key HEX trust.bin
//! inclusif voucher issue --secret issuer.key --kid 7 --from 2026-01-01 --until 2026-12-31 > booklet.csv
//! inclusif voucher verify --key 7:HEX < tokens.txt
//! inclusif voucher short-code < codes.txt
//! inclusif funding compute --input requests.csv
//! inclusif funding check-plan plan.json
//! inclusif funding simulate --input structures.csv > national.csv
//! inclusif funding rules --on 2024-01-01
//! inclusif ledger redeem --db sqlite:ledger.sqlite --venue venue-lyon-01 --key 7:HEX < tokens.txt
//! inclusif ledger status --db postgres://ledger@/db?host=/run/pg --issuer aptic SERIAL
//! inclusif ledger import-batch --venues venues.tsv --trust-list trust.bin --root-key HEX batch.pnrb
//! ```
//!
//! `verify` and `short-code` read one input a line and write one JSON object a line, in
//! input order; they exit 0 once the input is read, whatever the verdicts, and 2 on a
//! usage error.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};
use inclusif_core::funding::{FundingError, Rate, RuleBook};
use inclusif_core::voucher::clearing::{
    CreditNote, CreditedCheque, DEFAULT_CREDIT_GRACE_DAYS, Deductions, IssuedCheque, credit_notes,
    credit_notes_csv, credit_notes_json, monthly_statements, reconcile,
};
use inclusif_core::voucher::redemption_batch::is_registry_id;
use inclusif_core::voucher::sync::{
    ImportStore, ItemOutcome, RegisteredVenue, VenueKey, VenueStore, import_batch,
};
use inclusif_core::voucher::{
    Day, Issuer, KeyStatus, Kid, Ledger, PublicKey, Redemption, Scope, ScopePolicy, SecretKey,
    Serial, Token, TrustEntry, TrustList, Validity, Verifier, VoucherError, VoucherSpec,
    parse_phone_code,
};
use inclusif_examples::funding_cli::{FundingCmd, FundingFailure};
use inclusif_examples::mandate_cli::{MandateCmd, MandateFailure};
use inclusif_examples::venues_cli::{VenuesCmd, VenuesFailure};
use inclusif_examples::{Lines, MAX_LINE, error_json, qr_svg, verified_json};
use inclusif_ledger::{PgLedger, SqliteLedger};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "inclusif",
    version,
    about = "Pass numérique vouchers and the rules of France's digital-inclusion programmes"
)]
struct Cli {
    #[command(subcommand)]
    domain: Domain,
}

#[derive(Subcommand)]
enum Domain {
    /// Pass numérique vouchers: keys, trust lists, issuance, verification.
    #[command(subcommand)]
    Voucher(VoucherCmd),
    /// Funding: programme results explained, plan checks, the national simulation, rules.
    #[command(subcommand)]
    Funding(FundingCmd),
    /// Aidants Connect mandates: decisions, printed mandates, signed tokens, journals.
    #[command(subcommand)]
    Mandate(MandateCmd),
    /// Venues: validate, migrate and label files of the national standard; opening hours;
    /// nearest venues.
    #[command(subcommand)]
    Venues(VenuesCmd),
    /// The redemption ledger, on SQLite (a file, the default) or PostgreSQL (several
    /// servers): redeem, look a serial up, import a venue's signed offline batch.
    #[command(subcommand)]
    Ledger(LedgerCmd),
}

#[derive(Args)]
struct DbArg {
    /// The ledger: `sqlite:PATH` (created if missing) or `postgres://…` / `postgresql://…`
    /// (never echoed: it may hold a password).
    #[arg(long, default_value = "sqlite:inclusif-ledger.sqlite")]
    db: String,
}

#[derive(Subcommand)]
enum LedgerCmd {
    /// Verifies tokens, one a line on stdin, and redeems each for --venue at --at (default
    /// now); one JSON object a line. A cheque redeemed before comes back `already_redeemed`
    /// with the first venue and instant.
    Redeem {
        #[command(flatten)]
        db: DbArg,
        /// The venue redeeming (a registry identifier).
        #[arg(long)]
        venue: String,
        #[command(flatten)]
        trust: VerifyArgs,
    },
    /// Whether a serial (20 hex digits, a short code or a keypad code) of --issuer is
    /// redeemed, where and when; JSON.
    Status {
        #[command(flatten)]
        db: DbArg,
        /// The issuer's name in the trust list.
        #[arg(long)]
        issuer: String,
        /// The serial.
        serial: String,
    },
    /// Imports a venue's signed offline batch (`PNRB` v1): one JSON object per item
    /// (`redeemed`, `conflict` with the winner, `rejected` with the code), then a summary.
    /// Importing the same batch again changes nothing and prints the same outcomes.
    ImportBatch {
        #[command(flatten)]
        db: DbArg,
        /// Registers (or updates) venues and their keys in the database first: TSV with
        /// columns venue, name, siret, active (true|false), key_id, public_key (hex), one
        /// row per venue key. Without it the database's registry is used as it stands.
        #[arg(long)]
        venues: Option<PathBuf>,
        #[command(flatten)]
        trust: VerifyArgs,
        /// The batch file.
        file: PathBuf,
    },
    /// A month's statement per venue from the ledger: count, face value, the venue's
    /// deduction and the payout (to the cent, half away from zero; face = payout +
    /// deduction), redemptions dated in the civil month of --tz.
    Statement {
        #[command(flatten)]
        db: DbArg,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Per-venue deductions: TSV with columns venue, rate (`2.5 %` or `0.025`);
        /// venues not listed have none. At most `pass.aptic.venue_deduction_max` (5 %).
        #[arg(long)]
        deductions: Option<PathBuf>,
        #[command(flatten)]
        clearing: ClearingArgs,
    },
    /// Credit notes for cheques never redeemed, past their last valid day plus the grace
    /// days: one per issuer and order, at face value only (the operator's fee is not
    /// refunded, source S32).
    CreditNotes {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        register: RegisterArgs,
        /// The notes' date (YYYY-MM-DD).
        #[arg(long)]
        as_of: NaiveDate,
        #[command(flatten)]
        clearing: ClearingArgs,
    },
    /// Proves, per issuer, issued = redeemed + credited + outstanding in counts and cents,
    /// at the start and end of a period and over it; lists every anomaly. Credited cheques
    /// are those the credit-note rule credits by each day (never redeemed, past validity +
    /// grace). Exit 0 when balanced, 3 when not.
    Reconcile {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        register: RegisterArgs,
        /// First day of the period (YYYY-MM-DD); default: from the beginning.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day of the period (YYYY-MM-DD).
        #[arg(long)]
        until: NaiveDate,
        #[command(flatten)]
        clearing: ClearingArgs,
    },
}

#[derive(Args)]
struct ClearingArgs {
    /// The IANA time zone of civil dates (overseas operators pass theirs).
    #[arg(long, default_value = "Europe/Paris")]
    tz: String,
    /// Output: csv or json.
    #[arg(long, default_value = "csv")]
    format: String,
}

#[derive(Args)]
struct RegisterArgs {
    /// The issuance register: booklet CSV files written by `voucher issue` (their
    /// `token` column). Repeatable; each file is one order, named by its file stem.
    #[arg(long = "issued", required = true)]
    issued: Vec<PathBuf>,
    /// The issuer's name in the trust list (the register files do not carry it).
    #[arg(long)]
    issuer: String,
    /// Days after the last valid day before an unused cheque is credited.
    #[arg(long, default_value_t = DEFAULT_CREDIT_GRACE_DAYS)]
    grace_days: u32,
}

#[derive(Subcommand)]
enum VoucherCmd {
    /// Generates an Ed25519 key (issuer or programme root): writes the secret seed as hex
    /// to --out (mode 0600, never overwritten) and prints the public key.
    Keygen {
        /// File for the secret key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Issues a booklet or a print run as CSV on stdout (serial, short and keypad codes,
    /// token, QR payload).
    Issue(IssueArgs),
    /// Verifies tokens, one a line on stdin; one JSON object a line on stdout.
    Verify(VerifyArgs),
    /// Reads short codes or keypad codes, one a line; one JSON object a line.
    ShortCode,
    /// Builds or shows a signed trust list.
    #[command(subcommand)]
    TrustList(TrustListCmd),
}

#[derive(Args)]
struct IssueArgs {
    /// The issuer's secret key file (from `keygen`).
    #[arg(long)]
    secret: PathBuf,
    /// The key id the registry assigned to this key (1..=65535).
    #[arg(long)]
    kid: u16,
    /// How many cheques (10 is one booklet).
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Face value in cents.
    #[arg(long, default_value_t = 1000)]
    value_cents: u16,
    /// First valid date (YYYY-MM-DD).
    #[arg(long)]
    from: NaiveDate,
    /// Last valid date, inclusive (YYYY-MM-DD).
    #[arg(long)]
    until: NaiveDate,
    /// Scope: 0 national, else a programme or territory code.
    #[arg(long, default_value_t = 0)]
    scope: u16,
    /// Also write one SVG QR code (level Q) per cheque into this folder.
    #[arg(long)]
    qr_dir: Option<PathBuf>,
}

#[derive(Args)]
struct VerifyArgs {
    /// Trust this key: KID:HEX (32-byte Ed25519 public key); no window, no limits. Repeatable.
    #[arg(long = "key", value_name = "KID:HEX")]
    keys: Vec<String>,
    /// A signed trust list file (needs --root-key).
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// The programme root public key (hex) that signs the trust list.
    #[arg(long)]
    root_key: Option<String>,
    /// Refuse a trust list older than this sequence number (the last one this verifier
    /// saw): a verifier never goes back.
    #[arg(long)]
    min_sequence: Option<u64>,
    /// The verification instant (RFC 3339); default now.
    #[arg(long)]
    at: Option<String>,
    /// The venue's IANA time zone for civil dates.
    #[arg(long, default_value = "Europe/Paris")]
    tz: String,
    /// Also accept vouchers of this scope (national ones always are). Repeatable.
    #[arg(long = "scope")]
    scopes: Vec<u16>,
    /// Accept every scope.
    #[arg(long)]
    any_scope: bool,
    /// Read hand-typed tokens (spaces, hyphens, case, O/I/L forgiven).
    #[arg(long)]
    human: bool,
    /// File of revoked serials: one a line, 20 hex digits or a short code.
    #[arg(long)]
    revoked_serials: Option<PathBuf>,
}

#[derive(Subcommand)]
enum TrustListCmd {
    /// Signs a trust list from a TSV of entries and writes its bytes to --out.
    ///
    /// Columns: kid, issuer, public_key (hex), status (active|revoked), window_from and
    /// window_until (YYYY-MM-DD or -), max_value_cents (or -), scopes (* or 0;75;974).
    Build {
        /// The programme root's secret key file.
        #[arg(long)]
        root_secret: PathBuf,
        /// Sequence number; must exceed the previous list's.
        #[arg(long)]
        sequence: u64,
        /// The entries (TSV, header line optional, # comments).
        #[arg(long)]
        entries: PathBuf,
        /// Issue instant (RFC 3339); default now.
        #[arg(long)]
        issued_at: Option<String>,
        /// Days after which verifiers refuse the list.
        #[arg(long, default_value_t = 7)]
        max_age_days: u32,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Checks a signed trust list and prints it as JSON.
    Show {
        /// The programme root public key (hex).
        #[arg(long)]
        root_key: String,
        /// Instant to check freshness at (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        /// The list file.
        file: PathBuf,
    },
}

/// Why a command stopped: a usage error (exit 2) or an input/output failure (exit 1).
enum Failure {
    Usage(String),
    Io(String),
    /// `ledger reconcile` found the books unbalanced: exit 3 (the report is printed).
    Unbalanced,
}

/// A usage error: printed on stderr, exit code 2.
fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

impl From<VoucherError> for Failure {
    fn from(e: VoucherError) -> Self {
        Failure::Usage(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.domain {
        Domain::Voucher(cmd) => run_voucher(cmd),
        Domain::Venues(cmd) => inclusif_examples::venues_cli::run(cmd).map_err(|f| match f {
            VenuesFailure::Usage(m) => Failure::Usage(m),
            VenuesFailure::Io(m) => Failure::Io(m),
        }),
        Domain::Mandate(cmd) => inclusif_examples::mandate_cli::run_cmd(cmd).map_err(|f| match f {
            MandateFailure::Usage(m) => Failure::Usage(m),
            MandateFailure::Io(m) => Failure::Io(m),
        }),
        Domain::Ledger(cmd) => run_ledger(cmd),
        Domain::Funding(cmd) => inclusif_examples::funding_cli::run(cmd).map_err(|f| match f {
            FundingFailure::Usage(m) => Failure::Usage(m),
            FundingFailure::Io(m) => Failure::Io(m),
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("inclusif: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Io(message)) => {
            eprintln!("inclusif: input/output: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Unbalanced) => {
            eprintln!("inclusif: the reconciliation does not balance (see the anomalies)");
            ExitCode::from(3)
        }
    }
}

fn run_voucher(cmd: VoucherCmd) -> Result<(), Failure> {
    match cmd {
        VoucherCmd::Keygen { out } => keygen(&out),
        VoucherCmd::Issue(args) => issue(args),
        VoucherCmd::Verify(args) => verify(args),
        VoucherCmd::ShortCode => short_code(),
        VoucherCmd::TrustList(TrustListCmd::Build {
            root_secret,
            sequence,
            entries,
            issued_at,
            max_age_days,
            out,
        }) => build_trust_list(
            &root_secret,
            sequence,
            &entries,
            issued_at.as_deref(),
            max_age_days,
            &out,
        ),
        VoucherCmd::TrustList(TrustListCmd::Show { root_key, at, file }) => {
            show_trust_list(&root_key, at.as_deref(), &file)
        }
    }
}

/// A storage failure (`ledger_busy`, `ledger_corrupt`, `ledger_unavailable`): exit 1.
fn storage(e: VoucherError) -> Failure {
    Failure::Io(format!("{}: {e}", e.code()))
}

/// What the ledger commands need of a database: the ledger, the venue registry and the
/// import log, all kept in it (SQLite or PostgreSQL).
trait OperatorDb: Ledger + VenueStore + ImportStore {
    /// Every redemption, for clearing.
    fn all_redemptions(&self) -> Result<Vec<Redemption>, VoucherError>;
}

impl OperatorDb for SqliteLedger {
    fn all_redemptions(&self) -> Result<Vec<Redemption>, VoucherError> {
        self.redemptions()
    }
}

impl OperatorDb for PgLedger {
    fn all_redemptions(&self) -> Result<Vec<Redemption>, VoucherError> {
        self.redemptions()
    }
}

fn open_ledger(db: &str) -> Result<Box<dyn OperatorDb>, Failure> {
    if let Some(path) = db.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err(usage("--db: sqlite: needs a file path (sqlite:PATH)"));
        }
        Ok(Box::new(SqliteLedger::open(path).map_err(storage)?))
    } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(PgLedger::connect(db).map_err(storage)?))
    } else {
        Err(usage(
            "--db: sqlite:PATH or postgres://USER@HOST/DB (or postgresql://…) expected",
        ))
    }
}

fn run_ledger(cmd: LedgerCmd) -> Result<(), Failure> {
    match cmd {
        LedgerCmd::Redeem { db, venue, trust } => ledger_redeem(&db.db, &venue, &trust),
        LedgerCmd::Status { db, issuer, serial } => ledger_status(&db.db, &issuer, &serial),
        LedgerCmd::ImportBatch {
            db,
            venues,
            mut trust,
            file,
        } => {
            // The operator accepts every scope: the venue's own verifier chose.
            trust.any_scope = true;
            ledger_import(&db.db, venues.as_deref(), &trust, &file)
        }
        LedgerCmd::Statement {
            db,
            month,
            deductions,
            clearing,
        } => ledger_statement(&db.db, &month, deductions.as_deref(), &clearing),
        LedgerCmd::CreditNotes {
            db,
            register,
            as_of,
            clearing,
        } => ledger_credit_notes(&db.db, &register, as_of, &clearing),
        LedgerCmd::Reconcile {
            db,
            register,
            from,
            until,
            clearing,
        } => ledger_reconcile(&db.db, &register, from, until, &clearing),
    }
}

/// Every redemption in the ledger, for clearing.
fn all_redemptions(db: &str) -> Result<Vec<Redemption>, Failure> {
    open_ledger(db)?.all_redemptions().map_err(storage)
}

fn clearing_options(c: &ClearingArgs) -> Result<(Tz, bool), Failure> {
    let tz: Tz =
        c.tz.parse()
            .map_err(|_| usage(format!("--tz: {:?} is not an IANA time zone", c.tz)))?;
    let json = match c.format.as_str() {
        "csv" => false,
        "json" => true,
        other => return Err(usage(format!("--format: {other:?} is not csv or json"))),
    };
    Ok((tz, json))
}

fn funding_failure(e: FundingError) -> Failure {
    usage(format!("{}: {e}", e.code()))
}

fn ledger_statement(
    db: &str,
    month: &str,
    deductions: Option<&Path>,
    c: &ClearingArgs,
) -> Result<(), Failure> {
    let (tz, json) = clearing_options(c)?;
    let parsed = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|&(_, m)| (1..=12).contains(&m))
        .ok_or_else(|| usage(format!("--month: {month:?} is not YYYY-MM")))?;
    let mut rates = Vec::new();
    if let Some(path) = deductions {
        let text =
            std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() || raw.starts_with('#') || raw.starts_with("venue\t") {
                continue;
            }
            let (venue, rate) = raw.split_once('\t').ok_or_else(|| {
                usage(format!(
                    "{} line {}: venue<TAB>rate expected",
                    path.display(),
                    i + 1
                ))
            })?;
            let rate = Rate::parse(rate, "deduction")
                .map_err(|e| usage(format!("{} line {}: {e}", path.display(), i + 1)))?;
            rates.push((venue.to_owned(), rate));
        }
    }
    let redemptions = all_redemptions(db)?;
    // The rules in force when the statement is drawn up: the day after the month ends.
    let on = NaiveDate::from_ymd_opt(parsed.0, parsed.1, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .ok_or_else(|| usage(format!("--month: {month:?} is out of range")))?;
    let statement = monthly_statements(
        &redemptions,
        &Deductions::new(rates, Rate::ZERO),
        parsed,
        tz,
        &RuleBook::default(),
        on,
    )
    .map_err(funding_failure)?;
    print!(
        "{}",
        if json {
            statement.to_json() + "\n"
        } else {
            statement.to_csv()
        }
    );
    Ok(())
}

/// The issuance register from booklet CSV files (`voucher issue`'s output).
fn read_register(r: &RegisterArgs, tz: Tz) -> Result<Vec<IssuedCheque>, Failure> {
    let mut issued = Vec::new();
    for path in &r.issued {
        let order = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text =
            std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let column = reader
            .headers()
            .map_err(|e| usage(format!("{}: {e}", path.display())))?
            .iter()
            .position(|h| h == "token")
            .ok_or_else(|| usage(format!("{}: no `token` column", path.display())))?;
        for (i, row) in reader.records().enumerate() {
            let at = |m: String| usage(format!("{} row {}: {m}", path.display(), i + 1));
            let row = row.map_err(|e| at(e.to_string()))?;
            let token = Token::parse_strict(row.get(column).unwrap_or_default())
                .map_err(|e| at(e.to_string()))?;
            let claims = token.claims().map_err(|e| at(e.to_string()))?;
            // The register files carry no issue instant: a cheque counts as issued at
            // the start of its first valid day, before which it cannot be redeemed.
            let issued_at = claims
                .validity
                .from()
                .date()
                .and_hms_opt(0, 0, 0)
                .and_then(|d| d.and_local_timezone(tz).earliest())
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| at("valid_from: no such local midnight".into()))?;
            issued.push(
                IssuedCheque::from_token(&token, &r.issuer, &order, issued_at)
                    .map_err(|e| at(e.to_string()))?,
            );
        }
    }
    Ok(issued)
}

fn credited_by(
    issued: &[IssuedCheque],
    redemptions: &[Redemption],
    as_of: NaiveDate,
    grace_days: u32,
) -> Result<Vec<CreditNote>, Failure> {
    credit_notes(
        issued,
        redemptions.iter().map(|r| (&*r.issuer, r.serial)),
        as_of,
        grace_days,
        &RuleBook::default(),
    )
    .map_err(funding_failure)
}

fn ledger_credit_notes(
    db: &str,
    r: &RegisterArgs,
    as_of: NaiveDate,
    c: &ClearingArgs,
) -> Result<(), Failure> {
    let (tz, json) = clearing_options(c)?;
    let issued = read_register(r, tz)?;
    let notes = credited_by(&issued, &all_redemptions(db)?, as_of, r.grace_days)?;
    if json {
        println!("{}", credit_notes_json(&notes));
    } else {
        print!("{}", credit_notes_csv(&notes));
    }
    Ok(())
}

fn ledger_reconcile(
    db: &str,
    r: &RegisterArgs,
    from: Option<NaiveDate>,
    until: NaiveDate,
    c: &ClearingArgs,
) -> Result<(), Failure> {
    let (tz, json) = clearing_options(c)?;
    let issued = read_register(r, tz)?;
    let redemptions = all_redemptions(db)?;
    let credited: Vec<CreditedCheque> = credited_by(&issued, &redemptions, until, r.grace_days)?
        .into_iter()
        .flat_map(|n| n.cheques)
        .collect();
    let report =
        reconcile(&issued, &redemptions, &credited, from, until, tz).map_err(funding_failure)?;
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_csv());
        // The anomalies, one CSV row each, on stderr: stdout stays one table.
        if report.anomalies().next().is_some() {
            eprint!("{}", report.anomalies_csv());
        }
    }
    if report.is_balanced() {
        Ok(())
    } else {
        Err(Failure::Unbalanced)
    }
}

/// The refusal line, with the winner for `already_redeemed`.
fn refusal_json(line: usize, e: &VoucherError) -> serde_json::Value {
    let mut value = error_json(line, e);
    if let VoucherError::AlreadyRedeemed { venue, at, .. } = e {
        value["winner_venue"] = json!(venue);
        value["winner_at"] = json!(rfc3339(*at));
    }
    value
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn ledger_redeem(db: &str, venue: &str, trust: &VerifyArgs) -> Result<(), Failure> {
    if !is_registry_id(venue) {
        return Err(usage(format!(
            "--venue: {venue:?} must be a registry identifier (1..=64 bytes of a-z, 0-9, '-', '_', '.')"
        )));
    }
    let now = instant(trust.at.as_deref())?;
    let verifier = verifier(trust, now)?;
    let ledger = open_ledger(db)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut input = Lines::new(std::io::stdin().lock());
    let mut line = 0;
    while let Some(text) = input.next_line()? {
        line += 1;
        let verified = match text {
            None => Err(too_long("token")),
            Some(bytes) => match (trust.human, std::str::from_utf8(&bytes)) {
                (true, Ok(t)) => Token::parse_human(t),
                _ => Token::parse_strict_bytes(&bytes),
            }
            .and_then(|token| verifier.verify(&token, now)),
        };
        let value = match verified {
            Err(e) => error_json(line, &e),
            Ok(v) => match ledger.redeem(Redemption::new(&v, venue, now)) {
                Ok(_) => json!({
                    "line": line,
                    "ok": true,
                    "issuer": v.issuer(),
                    "serial": v.serial().to_string(),
                    "value_cents": v.value_cents(),
                    "venue": venue,
                    "at": rfc3339(now),
                }),
                Err(e @ VoucherError::AlreadyRedeemed { .. }) => refusal_json(line, &e),
                // Storage failed: say so for this line and stop; nothing after it ran.
                Err(e) => {
                    writeln!(out, "{}", error_json(line, &e))?;
                    out.flush()?;
                    return Err(storage(e));
                }
            },
        };
        writeln!(out, "{value}")?;
    }
    out.flush()?;
    Ok(())
}

fn ledger_status(db: &str, issuer: &str, serial: &str) -> Result<(), Failure> {
    let serial = Serial::from_hex(serial)
        .or_else(|_| parse_phone_code(serial))
        .map_err(|e| usage(format!("SERIAL: {e}")))?;
    let ledger = open_ledger(db)?;
    let value = match ledger.redemption(issuer, serial).map_err(storage)? {
        Some(r) => json!({
            "issuer": issuer,
            "serial": serial.to_string(),
            "redeemed": true,
            "venue": r.venue,
            "at": rfc3339(r.at),
            "value_cents": r.value_cents,
        }),
        None => json!({ "issuer": issuer, "serial": serial.to_string(), "redeemed": false }),
    };
    println!("{value}");
    Ok(())
}

/// Registers (or updates) the venues and keys of a TSV file in the database's registry.
fn register_venues(path: &Path, registry: &dyn VenueStore) -> Result<(), Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') || raw.starts_with("venue\t") {
            continue;
        }
        let at = |m: String| usage(format!("{} line {line}: {m}", path.display()));
        let c: Vec<&str> = raw.split('\t').collect();
        let [venue, name, siret, active, key_id, public_key] = c[..] else {
            return Err(at(format!(
                "6 tab-separated columns expected, got {}",
                c.len()
            )));
        };
        let active = match active {
            "true" => true,
            "false" => false,
            other => return Err(at(format!("active: {other:?} is not true or false"))),
        };
        let key_id: u16 = key_id
            .parse()
            .ok()
            .filter(|&k| k > 0)
            .ok_or_else(|| at(format!("key_id: {key_id:?} is not 1..=65535")))?;
        let public_key =
            PublicKey::from_hex(public_key, key_id).map_err(|e| at(format!("public_key: {e}")))?;
        let entry =
            RegisteredVenue::new(venue, name, siret, active).map_err(|e| at(e.to_string()))?;
        let put = |r: Result<(), VoucherError>| match r {
            Err(e) if e.code().starts_with("ledger_") => Err(storage(e)),
            other => other.map_err(|e| at(e.to_string())),
        };
        put(registry.put_venue(entry))?;
        put(registry.put_key(VenueKey {
            venue: venue.to_owned(),
            key_id,
            public_key,
            active,
        }))?;
    }
    Ok(())
}

fn ledger_import(
    db: &str,
    venues: Option<&Path>,
    trust: &VerifyArgs,
    file: &Path,
) -> Result<(), Failure> {
    let now = instant(trust.at.as_deref())?;
    let verifier = verifier(trust, now)?;
    let bytes = std::fs::read(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let db = open_ledger(db)?;
    if let Some(path) = venues {
        register_venues(path, db.as_ref())?;
    }
    // The registry and the log of finished imports live in the same database: a batch
    // imported again, in this run or a later one, prints the same outcomes.
    let report = match import_batch(
        db.as_ref(),
        db.as_ref(),
        db.as_ref(),
        &verifier,
        &bytes,
        now,
    ) {
        Ok(r) => r,
        Err(e) if e.code().starts_with("ledger_") => return Err(storage(e)),
        Err(e) => {
            // The batch as a whole is refused: one line, exit 0 (the input was read).
            println!(
                "{}",
                json!({ "ok": false, "error": e.code(), "message": e.to_string() })
            );
            return Ok(());
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (i, item) in report.items.iter().enumerate() {
        let mut value = json!({
            "item": i + 1,
            "status": item.outcome.status(),
            "serial": item.token.serial().to_string(),
            "accepted_at": rfc3339(item.accepted_at),
        });
        match &item.outcome {
            ItemOutcome::Redeemed(_) => {}
            ItemOutcome::Conflict { winner, .. } => {
                value["winner_venue"] = json!(winner.venue);
                value["winner_at"] = json!(rfc3339(winner.at));
            }
            ItemOutcome::Rejected(e) => {
                value["error"] = json!(e.code());
                value["message"] = json!(e.to_string());
            }
        }
        writeln!(out, "{value}")?;
    }
    let [redeemed, conflict, rejected] = report.counts();
    writeln!(
        out,
        "{}",
        json!({
            "ok": true,
            "batch_id": report.batch_id.to_string(),
            "venue": report.venue,
            "sequence": report.sequence,
            "redeemed": redeemed,
            "conflict": conflict,
            "rejected": rejected,
        })
    )?;
    out.flush()?;
    Ok(())
}

fn instant(at: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match at {
        None => Ok(Utc::now()),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| {
                usage(format!(
                    "--at/--issued-at: {s:?} is not an RFC 3339 instant ({e})"
                ))
            }),
    }
}

fn read_secret(path: &Path) -> Result<SecretKey, Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    SecretKey::from_hex(&text).map_err(|e| usage(format!("{}: {e}", path.display())))
}

fn keygen(out: &Path) -> Result<(), Failure> {
    let key = SecretKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(out).map_err(|e| {
        usage(format!(
            "{}: {e} (keygen never overwrites a key)",
            out.display()
        ))
    })?;
    writeln!(file, "{}", key.to_hex().as_str())?;
    println!(
        "{}",
        json!({ "public_key": key.public_key().to_hex(), "secret_key_file": out.display().to_string() })
    );
    Ok(())
}

fn issue(a: IssueArgs) -> Result<(), Failure> {
    let kid = Kid::new(a.kid).ok_or_else(|| usage("--kid: 0 is reserved"))?;
    let issuer = Issuer::new(kid, read_secret(&a.secret)?);
    let validity = Validity::from_dates(a.from, a.until)?;
    let spec = VoucherSpec {
        value_cents: a.value_cents,
        validity,
        scope: Scope(a.scope),
    };
    let show_progress = a.count >= 1000;
    let vouchers = issuer.print_run(&spec, a.count, |p| {
        if show_progress {
            eprint!(
                "\rissued {}/{} ({}%)",
                p.done,
                p.total,
                p.done * 100 / p.total.max(1)
            );
            if p.done == p.total {
                eprintln!();
            }
        }
    })?;
    if let Some(dir) = &a.qr_dir {
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("{}: {e}", dir.display())))?;
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    writeln!(
        out,
        "serial,short_code,keypad_code,kid,value_cents,valid_from,valid_until,scope,token,qr_payload"
    )?;
    for v in &vouchers {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            v.serial(),
            v.short_code,
            v.keypad_code,
            kid,
            spec.value_cents,
            a.from,
            a.until,
            a.scope,
            v.token.to_text(),
            v.token.to_qr_payload()
        )?;
        if let Some(dir) = &a.qr_dir {
            let path = dir.join(format!("{}.svg", v.serial()));
            std::fs::write(&path, qr_svg(&v.token))
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn verifier(a: &VerifyArgs, now: DateTime<Utc>) -> Result<Verifier, Failure> {
    let tz: Tz =
        a.tz.parse()
            .map_err(|_| usage(format!("--tz: {:?} is not an IANA time zone", a.tz)))?;
    let mut list = match (&a.trust_list, &a.root_key) {
        (Some(path), Some(root)) => {
            let bytes =
                std::fs::read(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let root =
                PublicKey::from_hex(root, 0).map_err(|e| usage(format!("--root-key: {e}")))?;
            TrustList::open(&bytes, &root).map_err(|e| usage(format!("{}: {e}", path.display())))?
        }
        (Some(_), None) => {
            return Err(Failure::Usage(
                "--trust-list needs --root-key HEX to check its signature".into(),
            ));
        }
        (None, Some(_)) => return Err(Failure::Usage("--root-key goes with --trust-list".into())),
        // Keys given on the command line: a list of our own, fresh for the run.
        (None, None) => TrustList::new(1, now.max(DateTime::UNIX_EPOCH), u32::MAX)?,
    };
    if let Some(min) = a.min_sequence
        && list.sequence() < min
    {
        let e = VoucherError::TrustListRollback {
            current: min,
            offered: list.sequence(),
        };
        return Err(usage(format!("{}: {e}", e.code())));
    }
    for k in &a.keys {
        let (kid, hex) = k
            .split_once(':')
            .ok_or_else(|| usage(format!("--key: {k:?} must be KID:HEX")))?;
        let kid_n: u16 = kid
            .parse()
            .map_err(|_| usage(format!("--key: {kid:?} is not a key id (1..=65535)")))?;
        let kid = Kid::new(kid_n).ok_or_else(|| usage("--key: kid 0 is reserved"))?;
        let key =
            PublicKey::from_hex(hex, kid_n).map_err(|e| usage(format!("--key {kid_n}: {e}")))?;
        list.insert(TrustEntry::unrestricted(kid, &format!("key-{kid_n}"), key))
            .map_err(|e| usage(format!("--key {kid_n}: {e}")))?;
    }
    if a.trust_list.is_none() && a.keys.is_empty() {
        return Err(Failure::Usage(
            "give --key KID:HEX or --trust-list FILE --root-key HEX".into(),
        ));
    }
    let mut v = Verifier::new(list)
        .with_time_zone(tz)
        .with_scopes(a.scopes.iter().map(|&s| Scope(s)));
    if a.any_scope {
        v = v.with_any_scope();
    }
    if let Some(path) = &a.revoked_serials {
        let text =
            std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let mut serials = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let serial = Serial::from_hex(line)
                .or_else(|_| parse_phone_code(line))
                .map_err(|e| usage(format!("{} line {}: {e}", path.display(), i + 1)))?;
            serials.push(serial);
        }
        v = v.with_revoked_serials(serials);
    }
    Ok(v)
}

/// Lines read and checked together; bounds memory on an operator's large files.
const CHUNK_LINES: usize = 4096;

fn verify(a: VerifyArgs) -> Result<(), Failure> {
    let now = instant(a.at.as_deref())?;
    let verifier = verifier(&a, now)?;
    // The trust list is checked first, as `Verifier::verify_text` does: a stale list
    // refuses every line, well-formed or not (fail closed).
    let stale = verifier.trust_list().check_fresh(now).err();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut input = Lines::new(std::io::stdin().lock());
    let mut line = 0;
    loop {
        let chunk = input.next_chunk(CHUNK_LINES)?;
        if chunk.is_empty() {
            break;
        }
        // Parse every line, then check the well-formed ones as one batch: same verdicts
        // as one by one, several times faster on an operator's server.
        let parsed: Vec<Result<Token, VoucherError>> = chunk
            .iter()
            .map(|l| match (&stale, l) {
                (Some(e), _) => Err(e.clone()),
                (None, None) => Err(too_long("token")),
                (None, Some(l)) => match (a.human, std::str::from_utf8(l)) {
                    (true, Ok(text)) => Token::parse_human(text),
                    (true, Err(_)) | (false, _) => Token::parse_strict_bytes(l),
                },
            })
            .collect();
        let tokens: Vec<Token> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().copied())
            .collect();
        let mut verdicts = verifier.verify_batch(&tokens, now).into_iter();
        for p in &parsed {
            line += 1;
            let value = match p {
                Err(e) => error_json(line, e),
                Ok(_) => match verdicts.next().expect("one verdict per token") {
                    Ok(v) => verified_json(line, &v),
                    Err(e) => error_json(line, &e),
                },
            };
            writeln!(out, "{value}")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn too_long(field: &'static str) -> VoucherError {
    VoucherError::Malformed {
        field,
        rule: format!("a line of more than {MAX_LINE} bytes is never one"),
    }
}

fn short_code() -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut input = Lines::new(std::io::stdin().lock());
    let mut line = 0;
    while let Some(text) = input.next_line()? {
        line += 1;
        let parsed = match text {
            None => Err(too_long("short_code")),
            Some(bytes) => parse_phone_code(&String::from_utf8_lossy(&bytes)),
        };
        let value = match parsed {
            Ok(s) => json!({ "line": line, "ok": true, "serial": s.to_string() }),
            Err(e) => error_json(line, &e),
        };
        writeln!(out, "{value}")?;
    }
    out.flush()?;
    Ok(())
}

fn parse_day(s: &str, default: Day, what: &str, line: usize) -> Result<Day, Failure> {
    if s == "-" {
        return Ok(default);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| usage(format!("line {line}: {what} {s:?} is not YYYY-MM-DD")))?;
    Day::from_date(d).map_err(|e| usage(format!("line {line}: {e}")))
}

fn build_trust_list(
    root_secret: &Path,
    sequence: u64,
    entries: &Path,
    issued_at: Option<&str>,
    max_age_days: u32,
    out: &Path,
) -> Result<(), Failure> {
    let root = read_secret(root_secret)?;
    let at = instant(issued_at)?;
    let max_age = max_age_days
        .checked_mul(86_400)
        .ok_or_else(|| usage("--max-age-days: too large"))?;
    let mut list = TrustList::new(sequence, at, max_age)?;
    let text = std::fs::read_to_string(entries)
        .map_err(|e| usage(format!("{}: {e}", entries.display())))?;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') || raw.starts_with("kid\t") {
            continue;
        }
        let c: Vec<&str> = raw.split('\t').collect();
        if c.len() != 8 {
            return Err(Failure::Usage(format!(
                "{} line {line}: 8 tab-separated columns expected, got {}",
                entries.display(),
                c.len()
            )));
        }
        let kid_n: u16 = c[0]
            .parse()
            .map_err(|_| usage(format!("line {line}: kid {:?}", c[0])))?;
        let kid =
            Kid::new(kid_n).ok_or_else(|| usage(format!("line {line}: kid 0 is reserved")))?;
        let public_key =
            PublicKey::from_hex(c[2], kid_n).map_err(|e| usage(format!("line {line}: {e}")))?;
        let mut e = TrustEntry::unrestricted(kid, c[1], public_key);
        e.status = match c[3] {
            "active" => KeyStatus::Active,
            "revoked" => KeyStatus::Revoked,
            s => {
                return Err(Failure::Usage(format!(
                    "line {line}: status {s:?} is neither active nor revoked"
                )));
            }
        };
        e.window_from = parse_day(c[4], Day::MIN, "window_from", line)?;
        e.window_until = parse_day(c[5], Day::MAX, "window_until", line)?;
        if c[6] != "-" {
            e.max_value_cents = c[6]
                .parse()
                .map_err(|_| usage(format!("line {line}: max_value_cents {:?}", c[6])))?;
        }
        if c[7] != "*" {
            let scopes: Result<Vec<Scope>, _> =
                c[7].split(';').map(|s| s.parse().map(Scope)).collect();
            e.scopes = ScopePolicy::only(
                scopes.map_err(|_| usage(format!("line {line}: scopes {:?}", c[7])))?,
            )?;
        }
        list.insert(e)
            .map_err(|e| usage(format!("line {line}: {e}")))?;
    }
    let bytes = list.sign(&root);
    std::fs::write(out, &bytes).map_err(|e| usage(format!("{}: {e}", out.display())))?;
    println!(
        "{}",
        json!({
            "file": out.display().to_string(),
            "bytes": bytes.len(),
            "sequence": list.sequence(),
            "keys": list.entries().count(),
            "expires_at": list.expires_at().to_rfc3339(),
            "root_key": root.public_key().to_hex(),
        })
    );
    Ok(())
}

fn show_trust_list(root_key: &str, at: Option<&str>, file: &Path) -> Result<(), Failure> {
    let root = PublicKey::from_hex(root_key, 0).map_err(|e| usage(format!("--root-key: {e}")))?;
    let bytes = std::fs::read(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let list =
        TrustList::open(&bytes, &root).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let now = instant(at)?;
    let fresh = list.check_fresh(now);
    let entries: Vec<_> = list
        .entries()
        .map(|e| {
            json!({
                "kid": e.kid.get(),
                "issuer": &*e.issuer,
                "public_key": e.public_key.to_hex(),
                "status": match e.status { KeyStatus::Active => "active", KeyStatus::Revoked => "revoked" },
                "window_from": e.window_from.date().to_string(),
                "window_until": e.window_until.date().to_string(),
                "max_value_cents": e.max_value_cents,
                "scopes": match &e.scopes {
                    ScopePolicy::Any => json!("*"),
                    ScopePolicy::Only(v) => json!(v.iter().map(|s| s.0).collect::<Vec<_>>()),
                },
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "sequence": list.sequence(),
            "issued_at": list.issued_at().to_rfc3339(),
            "expires_at": list.expires_at().to_rfc3339(),
            "fresh": fresh.is_ok(),
            "freshness_error": fresh.err().map(|e| e.code()),
            "entries": entries,
        }))?
    );
    Ok(())
}
