//! A venue device's offline queue in one SQLite file: what a phone or tablet at the desk
//! keeps while offline, so that a cheque accepted before a crash, a reboot or an empty
//! battery is still sent at the next sync.
//!
//! The rules are the core's [`OfflineQueue`]: every change loads the pending items into
//! one, applies the core's operation, and writes the difference back, all in one write
//! transaction. So a serial accepted twice is `already_redeemed`, an instant is cut to
//! the millisecond, and a batch exported from the file has the very bytes the in-memory
//! queue would export for the same items and sequence.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use inclusif_core::voucher::sync::ImportedItem;
use inclusif_core::voucher::{
    Kid, OfflineQueue, Redemption, SecretKey, TOKEN_LEN, Token, VerifiedVoucher, VoucherError,
};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};

use crate::sqlite::{Durability, Fault, SqliteOptions, attempt_on};
use crate::{Attempt, check};

/// The `application_id` in the header of every queue file: "PNQU". A ledger file
/// ("PNLD") or any other database opened as a queue is a foreign file.
pub const QUEUE_APPLICATION_ID: i32 = 0x504E_5155;

/// The queue's migrations, in order (the schema version is the index plus one, kept in
/// `user_version`).
const MIGRATIONS: &[&str] = &[
    // v1: the venue and the next batch sequence number (one row), and the pending items
    // in acceptance order: the token's 85 bytes, the issuer (from the trust list, not in
    // the token) and the acceptance instant in milliseconds since the Unix epoch.
    "CREATE TABLE queue_meta (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        venue TEXT NOT NULL CHECK (length(venue) BETWEEN 1 AND 255),
        next_sequence INTEGER NOT NULL CHECK (next_sequence >= 1)
    ) STRICT;
    CREATE TABLE queue_item (
        position INTEGER PRIMARY KEY,
        token BLOB NOT NULL UNIQUE CHECK (length(token) = 85),
        issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 255),
        accepted_at_ms INTEGER NOT NULL
    ) STRICT;",
];

/// The queue schema version this program writes (and the newest it reads).
pub const QUEUE_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// A venue device's offline queue kept in a SQLite file (WAL, `synchronous=FULL` unless
/// [`Durability::Normal`] is chosen).
///
/// Opening a missing or empty file creates the queue for `venue`; a queue file of
/// another venue is `invalid_field`; a file that is not a queue (another application's
/// database, a ledger, a damaged file, a newer schema) is `ledger_corrupt` naming the
/// path. A busy file is retried, then `ledger_busy`; other storage failures are
/// `ledger_unavailable`.
///
/// [`accept`](SqliteQueue::accept) persists the token and the acceptance instant before
/// it returns; [`export_batch`](SqliteQueue::export_batch) signs the pending items with
/// the next sequence number and increments it in the same transaction;
/// [`apply_outcomes`](SqliteQueue::apply_outcomes) removes what the operator settled.
pub struct SqliteQueue {
    /// `None` once closed.
    conn: Mutex<Option<Connection>>,
    path: PathBuf,
    location: String,
    venue: String,
    options: SqliteOptions,
}

impl std::fmt::Debug for SqliteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteQueue")
            .field("path", &self.path)
            .field("venue", &self.venue)
            .finish_non_exhaustive()
    }
}

enum FileState {
    Fresh,
    Queue(u32),
}

impl SqliteQueue {
    /// Opens (or creates) the queue file of a venue with the default options.
    pub fn open(path: impl AsRef<Path>, venue: &str) -> Result<Self, VoucherError> {
        Self::open_with(path, venue, SqliteOptions::default())
    }

    /// Opens (or creates) the queue file of a venue.
    pub fn open_with(
        path: impl AsRef<Path>,
        venue: &str,
        options: SqliteOptions,
    ) -> Result<Self, VoucherError> {
        if venue.is_empty() || venue.len() > 255 {
            return Err(VoucherError::InvalidField {
                field: "venue",
                rule: format!("{} bytes; a queue stores 1 to 255", venue.len()),
            });
        }
        let path = path.as_ref().to_path_buf();
        let location = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)
            .and_then(|c| c.busy_timeout(options.busy_timeout).map(|()| c))
            .map_err(|e| VoucherError::LedgerUnavailable {
                reason: format!("{location}: cannot open: {e}"),
            })?;
        let queue = SqliteQueue {
            conn: Mutex::new(Some(conn)),
            path,
            location,
            venue: venue.to_owned(),
            options,
        };
        options
            .retry
            .run(|| queue.attempt(|conn| queue.prepare(conn)))?;
        Ok(queue)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The venue.
    pub fn venue(&self) -> &str {
        &self.venue
    }

    /// Accepts a verified voucher offline and keeps its token, the instant cut to the
    /// millisecond (the core's [`OfflineQueue::accept_token`]): `invalid_field` if the
    /// voucher is not this token's verification, `already_redeemed` (with the first
    /// acceptance) if this device already accepted the serial. Durable when it returns.
    pub fn accept(
        &self,
        token: &Token,
        voucher: &VerifiedVoucher,
        at: DateTime<Utc>,
    ) -> Result<Redemption, VoucherError> {
        self.write(|tx| {
            let mut q = self.load(tx)?;
            let r = q.accept_token(token, voucher, at)?;
            self.insert(tx, &r, token)?;
            Ok(r)
        })
    }

    /// Queues a redemption of this venue with its token (the core's
    /// [`OfflineQueue::push_with_token`]): for a binding that checked the verification
    /// itself. `invalid_field` if it names another venue or the token is not the one
    /// redeemed, `already_redeemed` for a serial already queued.
    pub fn push(&self, redemption: Redemption, token: &Token) -> Result<Redemption, VoucherError> {
        check(&redemption)?;
        self.write(|tx| {
            let mut q = self.load(tx)?;
            let r = q.push_with_token(redemption.clone(), Some(*token))?;
            self.insert(tx, &r, token)?;
            Ok(r)
        })
    }

    /// The redemptions waiting for sync, in the order they were accepted.
    pub fn pending(&self) -> Result<Vec<Redemption>, VoucherError> {
        Ok(self.to_queue()?.pending().to_vec())
    }

    /// The pending redemptions with their tokens, in the order they were accepted.
    pub fn pending_items(&self) -> Result<Vec<(Redemption, Token)>, VoucherError> {
        let q = self.to_queue()?;
        Ok(q.pending()
            .iter()
            .cloned()
            .zip(q.pending_tokens().iter().flatten().copied())
            .collect())
    }

    /// How many redemptions wait.
    pub fn len(&self) -> Result<u64, VoucherError> {
        self.read(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM queue_item", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> Result<bool, VoucherError> {
        Ok(self.len()? == 0)
    }

    /// The sequence number the next exported batch will carry (1 for a new queue).
    pub fn next_sequence(&self) -> Result<u64, VoucherError> {
        self.read(|conn| self.sequence(conn))
    }

    /// The pending items in memory, as a core [`OfflineQueue`] (a copy: changes to it
    /// are not saved).
    pub fn to_queue(&self) -> Result<OfflineQueue, VoucherError> {
        self.read(|conn| self.load(conn))
    }

    /// The pending items as a batch signed with the venue's key `key_id` (the core's
    /// [`OfflineQueue::export_batch`]), with the file's next sequence number, which is
    /// incremented in the same transaction: every export carries a new sequence. The
    /// items stay queued until [`apply_outcomes`](SqliteQueue::apply_outcomes).
    /// `batch_malformed` for an empty queue, a venue that is not a registry identifier
    /// or `key_id` 0 (the sequence is then unchanged).
    pub fn export_batch(
        &self,
        key: &SecretKey,
        key_id: u16,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, VoucherError> {
        self.write(|tx| {
            let q = self.load(tx)?;
            let sequence = self.sequence(tx)?;
            let bytes = q.export_batch(key, key_id, sequence, now)?;
            let next = i64::try_from(sequence.saturating_add(1)).unwrap_or(i64::MAX);
            tx.prepare_cached("UPDATE queue_meta SET next_sequence = ?1 WHERE only = 1")?
                .execute([next])?;
            Ok(bytes)
        })
    }

    /// Settles pending items from the operator's answer to a batch (the core's
    /// [`OfflineQueue::apply_outcomes`]): every item it names leaves the file, matched by
    /// token and acceptance instant. Returns how many left.
    pub fn apply_outcomes(&self, outcomes: &[ImportedItem]) -> Result<usize, VoucherError> {
        let settled: Vec<(Token, DateTime<Utc>)> =
            outcomes.iter().map(|o| (o.token, o.accepted_at)).collect();
        self.remove_settled(&settled)
    }

    /// Removes the pending items with these (token, acceptance instant) pairs (the
    /// core's [`OfflineQueue::remove_settled`]). Returns how many left.
    pub fn remove_settled(
        &self,
        settled: &[(Token, DateTime<Utc>)],
    ) -> Result<usize, VoucherError> {
        self.write(|tx| {
            let mut q = self.load(tx)?;
            let before: Vec<Token> = q.pending_tokens().iter().flatten().copied().collect();
            let removed = q.remove_settled(settled);
            let kept: HashSet<[u8; TOKEN_LEN]> = q
                .pending_tokens()
                .iter()
                .flatten()
                .map(|t| *t.as_bytes())
                .collect();
            let mut delete = tx.prepare_cached("DELETE FROM queue_item WHERE token = ?1")?;
            for t in before.iter().filter(|t| !kept.contains(t.as_bytes())) {
                delete.execute([&t.as_bytes()[..]])?;
            }
            Ok(removed)
        })
    }

    /// Runs SQLite's `integrity_check`: `Ok` if it says "ok", otherwise `ledger_corrupt`.
    pub fn integrity_check(&self) -> Result<(), VoucherError> {
        let findings = self.read(|conn| {
            let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        if findings == ["ok"] {
            Ok(())
        } else {
            Err(self.corrupt_error(format!("integrity_check says {}", findings.join("; "))))
        }
    }

    /// Closes the connection (the file stays): every later call fails with
    /// `ledger_unavailable`. Closing twice does nothing.
    pub fn close(&self) {
        if let Some(conn) = self.lock().take() {
            let _ = conn.close();
        }
    }

    /// Whether [`close`](SqliteQueue::close) was called.
    pub fn is_closed(&self) -> bool {
        self.lock().is_none()
    }

    // ---- inside ----

    fn lock(&self) -> MutexGuard<'_, Option<Connection>> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn attempt<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Fault>) -> Attempt<T> {
        attempt_on(
            &mut self.lock(),
            "queue",
            &self.location,
            self.options.busy_timeout,
            f,
        )
    }

    fn read<T>(&self, f: impl Fn(&Connection) -> Result<T, Fault>) -> Result<T, VoucherError> {
        self.options.retry.run(|| self.attempt(|conn| f(conn)))
    }

    /// One write transaction (`BEGIN IMMEDIATE`), retried while busy; an error rolls
    /// it back.
    fn write<T>(
        &self,
        f: impl Fn(&Transaction<'_>) -> Result<T, Fault>,
    ) -> Result<T, VoucherError> {
        self.options.retry.run(|| {
            self.attempt(|conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            })
        })
    }

    fn corrupt_error(&self, problem: String) -> VoucherError {
        VoucherError::LedgerCorrupt {
            location: self.location.clone(),
            problem: format!("corrupt: {problem}"),
        }
    }

    fn sequence(&self, conn: &Connection) -> Result<u64, Fault> {
        let n: i64 = conn
            .prepare_cached("SELECT next_sequence FROM queue_meta WHERE only = 1")?
            .query_row([], |r| r.get(0))?;
        u64::try_from(n)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| Fault::Typed(self.corrupt_error(format!("next sequence {n}"))))
    }

    /// The pending items as a core queue (the core's rules checked again: a file edited
    /// by hand is `ledger_corrupt`).
    fn load(&self, conn: &Connection) -> Result<OfflineQueue, Fault> {
        let mut stmt = conn.prepare_cached(
            "SELECT token, issuer, accepted_at_ms FROM queue_item ORDER BY position",
        )?;
        let mut rows = stmt.query([])?;
        let mut items = Vec::new();
        while let Some(row) = rows.next()? {
            let bytes: Vec<u8> = row.get(0)?;
            let issuer: String = row.get(1)?;
            let at_ms: i64 = row.get(2)?;
            let token = Token::from_bytes(&bytes).map_err(|e| {
                Fault::Typed(self.corrupt_error(format!("a stored token is unreadable: {e}")))
            })?;
            let kid = Kid::new(token.kid_raw()).ok_or_else(|| {
                Fault::Typed(self.corrupt_error("a stored token has key id 0".into()))
            })?;
            let at = DateTime::from_timestamp_millis(at_ms).ok_or_else(|| {
                Fault::Typed(self.corrupt_error(format!("acceptance instant {at_ms} ms")))
            })?;
            let r = Redemption {
                issuer: issuer.into(),
                serial: token.serial(),
                kid,
                value_cents: token.value_cents_raw(),
                venue: self.venue.clone(),
                at,
            };
            items.push((r, Some(token)));
        }
        OfflineQueue::restore_with_tokens(&self.venue, items).map_err(|e| {
            Fault::Typed(
                self.corrupt_error(format!("the stored items break the queue's rules: {e}")),
            )
        })
    }

    fn insert(&self, tx: &Transaction<'_>, r: &Redemption, token: &Token) -> Result<(), Fault> {
        tx.prepare_cached(
            "INSERT INTO queue_item (token, issuer, accepted_at_ms) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            &token.as_bytes()[..],
            &*r.issuer,
            r.at.timestamp_millis()
        ])?;
        Ok(())
    }

    fn state(&self, conn: &Connection) -> Result<FileState, Fault> {
        let (app_id, version, objects): (i32, i64, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id()), \
                    (SELECT user_version FROM pragma_user_version()), \
                    (SELECT count(*) FROM sqlite_schema)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let corrupt = |problem: String| {
            Fault::Typed(VoucherError::LedgerCorrupt {
                location: self.location.clone(),
                problem,
            })
        };
        if app_id == QUEUE_APPLICATION_ID {
            let version = u32::try_from(version).unwrap_or(u32::MAX);
            if version > QUEUE_SCHEMA_VERSION {
                return Err(corrupt(format!(
                    "newer schema: queue version {version}, and this program knows up to \
                     {QUEUE_SCHEMA_VERSION}; upgrade the app (a queue is never downgraded)"
                )));
            }
            Ok(FileState::Queue(version))
        } else if app_id == 0 && version == 0 && objects == 0 {
            Ok(FileState::Fresh)
        } else {
            Err(corrupt(format!(
                "foreign: a SQLite database of another application (application_id \
                 0x{app_id:08x}, user_version {version}, {objects} schema objects), not an \
                 offline queue file (application_id 0x{QUEUE_APPLICATION_ID:08x})"
            )))
        }
    }

    /// Checks the file, sets the pragmas, migrates forward, records or checks the venue.
    fn prepare(&self, conn: &mut Connection) -> Result<(), Fault> {
        // Read the header before writing anything, so a foreign file is left untouched.
        let state = self.state(conn)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Fault::Typed(VoucherError::LedgerUnavailable {
                reason: format!(
                    "{}: journal_mode stays {mode:?}; the queue needs WAL (a local file system)",
                    self.location
                ),
            }));
        }
        let sync = match self.options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        if let Some(pages) = self.options.wal_autocheckpoint {
            conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        }
        if !matches!(state, FileState::Queue(v) if v == QUEUE_SCHEMA_VERSION) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let from = match self.state(&tx)? {
                FileState::Fresh => 0,
                FileState::Queue(v) => v,
            };
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
                tx.execute_batch(sql)?;
                tx.pragma_update(
                    None,
                    "user_version",
                    i64::try_from(i + 1).unwrap_or(i64::MAX),
                )?;
            }
            tx.execute(
                "INSERT INTO queue_meta (only, venue, next_sequence) VALUES (1, ?1, 1) \
                 ON CONFLICT (only) DO NOTHING",
                [&self.venue],
            )?;
            tx.pragma_update(None, "application_id", QUEUE_APPLICATION_ID)?;
            tx.commit()?;
        }
        let stored: Option<String> = conn
            .query_row("SELECT venue FROM queue_meta WHERE only = 1", [], |r| {
                r.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        match stored {
            Some(v) if v == self.venue => Ok(()),
            Some(v) => Err(Fault::Typed(VoucherError::InvalidField {
                field: "venue",
                rule: format!(
                    "{}: this file is the queue of venue {v:?}, not {:?}",
                    self.location, self.venue
                ),
            })),
            None => Err(Fault::Typed(
                self.corrupt_error("the queue's venue row is missing".into()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_id_spells_pnqu() {
        assert_eq!(&QUEUE_APPLICATION_ID.to_be_bytes(), b"PNQU");
    }
}
