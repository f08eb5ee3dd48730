//! The redemption ledger on disk: each voucher serial is redeemed at most once per
//! issuer, and an acknowledged redemption survives a crash.
//!
//! This crate is the one place with database I/O; the core stays pure. Both backends
//! implement the core's [`Ledger`] trait, so everything that takes a `&dyn Ledger`
//! (the offline queue's sync, say) works on them unchanged:
//!
//! - `SqliteLedger` (feature `sqlite`, the default): one file, SQLite bundled (nothing
//!   to install), WAL, `synchronous=FULL`, the key `(issuer, serial)` enforced by the
//!   database, versioned schema.
//! - `PgLedger` (feature `postgres`): several servers on one PostgreSQL database;
//!   exactly-once comes from the database's primary key, not from application locks.
//!
//! A venue device keeps its offline queue in a file of its own: `SqliteQueue` (feature
//! `sqlite`, application id "PNQU") persists each accepted token and instant with the
//! core `OfflineQueue`'s rules, exports signed batches with a persisted sequence number
//! and removes what the operator settled.
//!
//! Next to the redemptions, in the same database (schema v2), each backend keeps the
//! operator's state for offline sync: it is a [`VenueStore`] (the venue registry: venues
//! and the keys that sign their batches) and an [`ImportStore`] (the log of finished
//! imports, each with its full report), so [`import_batch`] can take one value for all
//! three and a batch imported again, even after a restart or on another server, answers
//! with the very same report.
//!
//! [`VenueStore`]: inclusif_core::voucher::sync::VenueStore
//! [`ImportStore`]: inclusif_core::voucher::sync::ImportStore
//! [`import_batch`]: inclusif_core::voucher::import_batch
//!
//! Busy storage is retried with a bounded backoff and then fails with `ledger_busy`; a
//! foreign or corrupt store, or a newer schema, fails with `ledger_corrupt`, naming the
//! file (or `user@host/db`, never a password). Nothing here panics on bad input.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use inclusif_core::voucher::{Kid, Ledger, Redemption, Serial};
//! use inclusif_ledger::SqliteLedger;
//!
//! let dir = std::env::temp_dir().join(format!("inclusif-ledger-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let ledger = SqliteLedger::open(dir.join("ledger.sqlite"))?;
//! let r = Redemption {
//!     issuer: "aptic".into(),
//!     serial: Serial::from_bytes([1; 10]),
//!     kid: Kid::new(7).unwrap(),
//!     value_cents: 1000,
//!     venue: "venue-lyon-01".into(),
//!     at: Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap(),
//! };
//! ledger.redeem(r.clone())?;
//! let again = ledger.redeem(Redemption { venue: "venue-gueret-02".into(), ..r.clone() });
//! assert_eq!(again.unwrap_err().code(), "already_redeemed");
//! assert_eq!(ledger.redemption("aptic", r.serial)?, Some(r));
//! # drop(ledger); std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), inclusif_core::voucher::VoucherError>(())
//! ```
#![deny(missing_docs)]
// Without a backend only the shared helpers remain, unused.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use inclusif_core::voucher::{Kid, Redemption, Serial, VoucherError};

pub use inclusif_core::voucher::Ledger;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod queue;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use crate::postgres::{PG_SCHEMA_VERSION, PgLedger, PgOptions};
#[cfg(feature = "sqlite")]
pub use crate::queue::{QUEUE_APPLICATION_ID, QUEUE_SCHEMA_VERSION, SqliteQueue};
#[cfg(feature = "sqlite")]
pub use crate::sqlite::{
    APPLICATION_ID as SQLITE_APPLICATION_ID, Durability, SCHEMA_VERSION as SQLITE_SCHEMA_VERSION,
    SqliteLedger, SqliteOptions,
};

/// How writes that find the storage busy are retried before `ledger_busy`.
///
/// Each attempt first waits inside the database (SQLite's busy timeout, PostgreSQL's
/// `lock_timeout`); then the whole transaction is rolled back and retried after a pause
/// that doubles from `first_pause` up to `max_pause`, with jitter, for at most
/// `attempts` attempts. Retrying after a rollback is always safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The pause after the first busy attempt.
    pub first_pause: Duration,
    /// The longest pause between two attempts.
    pub max_pause: Duration,
}

impl Default for Retry {
    /// 6 attempts, pauses from 10 ms doubling up to 1 s.
    fn default() -> Self {
        Retry {
            attempts: 6,
            first_pause: Duration::from_millis(10),
            max_pause: Duration::from_secs(1),
        }
    }
}

/// What one attempt of a write came to: done, busy (worth another try), or failed.
pub(crate) enum Attempt<T> {
    Done(T),
    Busy,
    Failed(VoucherError),
}

impl Retry {
    /// Runs `attempt` until it is done or failed, or busy `attempts` times (then
    /// `ledger_busy` with the count and the time waited in all).
    pub(crate) fn run<T>(
        &self,
        mut attempt: impl FnMut() -> Attempt<T>,
    ) -> Result<T, VoucherError> {
        let started = Instant::now();
        let attempts = self.attempts.max(1);
        let mut pause = self.first_pause;
        let mut jitter = Jitter::new();
        for n in 1..=attempts {
            match attempt() {
                Attempt::Done(t) => return Ok(t),
                Attempt::Failed(e) => return Err(e),
                Attempt::Busy if n == attempts => break,
                Attempt::Busy => {
                    // Sleep between half and all of the pause, so that contenders that
                    // collided once spread out.
                    let half = pause / 2;
                    std::thread::sleep(half + jitter.below(half));
                    pause = (pause * 2).min(self.max_pause);
                }
            }
        }
        Err(VoucherError::LedgerBusy {
            attempts,
            waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// A small xorshift generator for retry jitter (no cryptographic use).
struct Jitter(u64);

impl Jitter {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tid = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::thread::current().id().hash(&mut h);
            h.finish()
        };
        Jitter((u64::from(nanos) ^ tid ^ u64::from(std::process::id())) | 1)
    }

    fn below(&mut self, limit: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let micros = u64::try_from(limit.as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(if micros == 0 { 0 } else { self.0 % micros })
    }
}

/// The instant as i64 nanoseconds since the Unix epoch (lossless, so a redemption read
/// back equals the one written: the offline queue's sync compares exact equality).
/// `invalid_field` outside 1677–2262.
pub(crate) fn at_to_ns(at: DateTime<Utc>) -> Result<i64, VoucherError> {
    at.timestamp_nanos_opt()
        .ok_or_else(|| VoucherError::InvalidField {
            field: "at",
            rule: format!("{at} is outside the ledger's range (years 1677 to 2262)"),
        })
}

/// Checks what a ledger stores before a write: the instant's range, the venue's and
/// issuer's length (the key is indexed; 1 to 255 bytes each).
pub(crate) fn check(r: &Redemption) -> Result<i64, VoucherError> {
    for (field, text) in [("issuer", &*r.issuer), ("venue", r.venue.as_str())] {
        if text.is_empty() || text.len() > 255 {
            return Err(VoucherError::InvalidField {
                field,
                rule: format!("{} bytes; a ledger stores 1 to 255", text.len()),
            });
        }
    }
    at_to_ns(r.at)
}

/// A redemption rebuilt from stored columns; `ledger_corrupt` for values the schema's
/// checks should have kept out (a file edited by hand).
pub(crate) fn row_to_redemption(
    location: &str,
    issuer: String,
    serial: &[u8],
    kid: i64,
    value_cents: i64,
    venue: String,
    at_ns: i64,
) -> Result<Redemption, VoucherError> {
    let bad = |what: String| VoucherError::LedgerCorrupt {
        location: location.to_owned(),
        problem: format!("corrupt: a stored redemption has {what}"),
    };
    let serial = <[u8; 10]>::try_from(serial)
        .map(Serial::from_bytes)
        .map_err(|_| bad(format!("a serial of {} bytes", serial.len())))?;
    let kid = u16::try_from(kid)
        .ok()
        .and_then(Kid::new)
        .ok_or_else(|| bad(format!("kid {kid}")))?;
    let value_cents = u16::try_from(value_cents)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| bad(format!("value_cents {value_cents}")))?;
    Ok(Redemption {
        issuer: issuer.into(),
        serial,
        kid,
        value_cents,
        venue,
        at: DateTime::from_timestamp_nanos(at_ns),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_is_bounded_and_reports_attempts() {
        let retry = Retry {
            attempts: 3,
            first_pause: Duration::from_millis(4),
            max_pause: Duration::from_millis(6),
        };
        let mut calls = 0;
        let e = retry
            .run(|| {
                calls += 1;
                Attempt::<()>::Busy
            })
            .unwrap_err();
        assert_eq!(calls, 3);
        match e {
            VoucherError::LedgerBusy {
                attempts,
                waited_ms,
            } => {
                assert_eq!(attempts, 3);
                assert!(waited_ms < 1000, "{waited_ms}");
            }
            other => panic!("{other:?}"),
        }
        let mut calls = 0;
        let got = retry.run(|| {
            calls += 1;
            if calls < 3 {
                Attempt::Busy
            } else {
                Attempt::Done(calls)
            }
        });
        assert_eq!(got, Ok(3));
    }

    #[test]
    fn instants_round_trip_to_the_nanosecond_and_out_of_range_is_an_error() {
        let at = DateTime::from_timestamp(1_780_000_000, 123_456_789).unwrap();
        let ns = at_to_ns(at).unwrap();
        assert_eq!(DateTime::from_timestamp_nanos(ns), at);
        let far = DateTime::from_timestamp(10_000_000_000, 0).unwrap();
        assert_eq!(at_to_ns(far).unwrap_err().code(), "invalid_field");
    }

    #[test]
    fn a_bad_stored_row_is_ledger_corrupt() {
        let e =
            row_to_redemption("x.sqlite", "a".into(), &[1; 9], 1, 1, "v".into(), 0).unwrap_err();
        assert_eq!(e.code(), "ledger_corrupt");
        assert!(e.to_string().contains("x.sqlite"), "{e}");
        let e = row_to_redemption("x", "a".into(), &[1; 10], 0, 1, "v".into(), 0).unwrap_err();
        assert_eq!(e.code(), "ledger_corrupt");
        let e = row_to_redemption("x", "a".into(), &[1; 10], 1, 70_000, "v".into(), 0).unwrap_err();
        assert_eq!(e.code(), "ledger_corrupt");
    }
}
