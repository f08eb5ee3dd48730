//! The child process of the ledger's crash and race tests (not a user tool).
//!
//! ```text
//! ledger-stress crash --db sqlite:PATH --from N
//!     redeems serials N, N+1, … (issuer "crash", venue "crash-venue", at = BASE + n µs)
//!     with synchronous=FULL and a checkpoint every 10 pages; prints "ACK n" and flushes
//!     after each committed redemption, until killed.
//! ledger-stress race --db sqlite:PATH|env:VAR [--schema S] --venue V --index K
//!     --order asc|desc --count N
//!     opens its own ledger, prints "READY", waits for a line on stdin, then redeems
//!     serials 0..N (issuer "race", at = BASE + n ms + K ns) and prints "W n" for a win
//!     or "L n VENUE AT_NS" naming the winner.
//! ```
//!
//! `env:VAR` reads a PostgreSQL URL from the environment, so it never appears on a
//! command line.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use chrono::DateTime;
use inclusif_core::voucher::{Kid, Ledger, Redemption, Serial, VoucherError};
use inclusif_ledger::{Durability, SqliteLedger, SqliteOptions};
#[cfg(feature = "postgres")]
use inclusif_ledger::{PgLedger, PgOptions};

/// 2026-06-01T10:00:00Z in nanoseconds.
const BASE_NS: i64 = 1_780_308_000_000_000_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ledger-stress: {e}");
            ExitCode::from(2)
        }
    }
}

fn flag<'a>(args: &'a [String], name: &str) -> Result<&'a str, String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
        .ok_or_else(|| format!("missing {name}"))
}

fn number(args: &[String], name: &str) -> Result<u64, String> {
    flag(args, name)?
        .parse()
        .map_err(|_| format!("{name}: not a number"))
}

/// The crash child's redemption of serial `n`: a pure function of `n`, so the parent
/// can check what it reads back.
fn crash_item(n: u64) -> Redemption {
    item("crash", n, "crash-venue", BASE_NS + n as i64 * 1_000)
}

fn item(issuer: &str, n: u64, venue: &str, at_ns: i64) -> Redemption {
    Redemption {
        issuer: issuer.into(),
        serial: Serial::from_u128(u128::from(n)).expect("below 2^64"),
        kid: Kid::new(7).expect("7 is a valid kid"),
        value_cents: 1000,
        venue: venue.to_owned(),
        at: DateTime::from_timestamp_nanos(at_ns),
    }
}

fn open(args: &[String], durability: Durability) -> Result<Box<dyn Ledger>, String> {
    let db = flag(args, "--db")?;
    if let Some(path) = db.strip_prefix("sqlite:") {
        let mut options = SqliteOptions::default().durability(durability);
        if args.iter().any(|a| a == "crash") {
            options = options.wal_autocheckpoint(10);
        }
        return Ok(Box::new(
            SqliteLedger::open_with(path, options).map_err(|e| e.to_string())?,
        ));
    }
    #[cfg(feature = "postgres")]
    if let Some(var) = db.strip_prefix("env:") {
        let url = std::env::var(var).map_err(|_| format!("{var} is not set"))?;
        let mut options = PgOptions::default().idle_connections(1);
        if let Ok(schema) = flag(args, "--schema") {
            options = options.schema(schema);
        }
        return Ok(Box::new(
            PgLedger::connect_with(&url, options).map_err(|e| e.to_string())?,
        ));
    }
    Err("--db takes sqlite:PATH or env:VAR".into())
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("crash") => crash(args),
        Some("race") => race(args),
        _ => Err("usage: ledger-stress crash|race … (see the source)".into()),
    }
}

fn crash(args: &[String]) -> Result<(), String> {
    let from = number(args, "--from")?;
    let ledger = open(args, Durability::Full)?;
    let mut out = std::io::stdout().lock();
    for n in from..from.saturating_add(10_000_000) {
        let r = crash_item(n);
        match ledger.redeem(r.clone()) {
            Ok(_) => {}
            // Committed by the previous child just before it was killed: its own winner.
            Err(VoucherError::AlreadyRedeemed { .. })
                if ledger.redemption(&r.issuer, r.serial).ok().flatten() == Some(r.clone()) => {}
            Err(e) => return Err(format!("serial {n}: {e}")),
        }
        writeln!(out, "ACK {n}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn race(args: &[String]) -> Result<(), String> {
    let venue = flag(args, "--venue")?.to_owned();
    let index = number(args, "--index")?;
    let count = number(args, "--count")?;
    let descending = flag(args, "--order")? == "desc";
    let ledger = open(args, Durability::Normal)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "READY")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    let mut go = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut go)
        .map_err(|e| e.to_string())?;
    let serials: Box<dyn Iterator<Item = u64>> = if descending {
        Box::new((0..count).rev())
    } else {
        Box::new(0..count)
    };
    for n in serials {
        let r = item(
            "race",
            n,
            &venue,
            BASE_NS + n as i64 * 1_000_000 + index as i64,
        );
        let line = match ledger.redeem(r) {
            Ok(_) => format!("W {n}"),
            Err(VoucherError::AlreadyRedeemed { venue, at, .. }) => {
                format!("L {n} {venue} {}", at.timestamp_nanos_opt().unwrap_or(0))
            }
            Err(e) => return Err(format!("serial {n}: {e}")),
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
