//! The SQLite ledger: one file, WAL, durable commits, the database's own primary key
//! refusing a double spend.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use inclusif_core::voucher::sync::{ImportStore, VenueStore};
use inclusif_core::voucher::{
    BatchId, ImportLog, ImportReport, Ledger, PublicKey, Redemption, RegisteredVenue, Serial,
    VenueKey, VenueRegistry, VoucherError,
};
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

use crate::{Attempt, Retry, check, row_to_redemption};

/// The `application_id` in the header of every ledger file: "PNLD" (not in SQLite's
/// list of registered ids). A SQLite file with another id is a foreign file.
pub const APPLICATION_ID: i32 = 0x504E_4C44;

/// The migrations, in order: the schema version is the index plus one, stored in the
/// header's `user_version` in the same transaction as the migration.
const MIGRATIONS: &[&str] = &[
    // v1: the redemptions, keyed by (issuer, serial). Instants are i64 nanoseconds since
    // the Unix epoch: lossless, so what is read back equals what was written.
    "CREATE TABLE redemption (
        issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 255),
        serial BLOB NOT NULL CHECK (length(serial) = 10),
        kid INTEGER NOT NULL CHECK (kid BETWEEN 1 AND 65535),
        value_cents INTEGER NOT NULL CHECK (value_cents BETWEEN 1 AND 65535),
        venue TEXT NOT NULL CHECK (length(venue) BETWEEN 1 AND 255),
        at_ns INTEGER NOT NULL,
        recorded_at_ns INTEGER NOT NULL,
        PRIMARY KEY (issuer, serial)
    ) STRICT, WITHOUT ROWID;",
    // v2: the operator's state next to the ledger: the venue registry (venues and the
    // keys that sign their batches) and the log of finished imports, each with its
    // full report (core's stored form), so a re-import answers the same after a restart.
    "CREATE TABLE venue (
        id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
        name TEXT NOT NULL,
        siret TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1))
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE venue_key (
        venue TEXT NOT NULL REFERENCES venue (id),
        key_id INTEGER NOT NULL CHECK (key_id BETWEEN 1 AND 65535),
        public_key BLOB NOT NULL CHECK (length(public_key) = 32),
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        PRIMARY KEY (venue, key_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE batch_import (
        batch_id BLOB NOT NULL PRIMARY KEY CHECK (length(batch_id) = 32),
        venue TEXT NOT NULL,
        item_count INTEGER NOT NULL,
        recorded_at_ns INTEGER NOT NULL,
        items BLOB NOT NULL,
        outcomes TEXT NOT NULL
    ) STRICT;",
];

/// The schema version this program writes (and the newest it reads).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How hard a commit is pushed to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL` (the default): a commit that returned survives a power cut or
    /// an operating-system crash.
    #[default]
    Full,
    /// `synchronous=NORMAL`, an explicit opt-in: about ten times more commits per second
    /// in WAL mode, and still consistent, but the last commits before a power cut or an
    /// operating-system crash may be rolled back (an application crash loses nothing).
    Normal,
}

/// How a [`SqliteLedger`] opens its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    pub(crate) durability: Durability,
    pub(crate) busy_timeout: Duration,
    pub(crate) retry: Retry,
    pub(crate) wal_autocheckpoint: Option<u32>,
}

impl Default for SqliteOptions {
    /// `Durability::Full`, a 2 s busy timeout per attempt, [`Retry::default`], SQLite's
    /// own checkpoint interval.
    fn default() -> Self {
        SqliteOptions {
            durability: Durability::Full,
            busy_timeout: Duration::from_secs(2),
            retry: Retry::default(),
            wal_autocheckpoint: None,
        }
    }
}

impl SqliteOptions {
    /// How hard commits are pushed to the disk.
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// How long one attempt waits inside SQLite for another writer's lock.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// How busy attempts are retried before `ledger_busy`.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Checkpoints the write-ahead log every `pages` pages (SQLite's default is 1000).
    pub fn wal_autocheckpoint(mut self, pages: u32) -> Self {
        self.wal_autocheckpoint = Some(pages);
        self
    }
}

/// A redemption ledger in one SQLite file.
///
/// Opening checks the file: a fresh (missing or empty) file gets the schema; a ledger
/// file is migrated forward if it is older; anything else fails with `ledger_corrupt`
/// naming the path: a file that is not a database, a database of another application,
/// a corrupt one, or one with a newer schema (never downgraded).
///
/// Every connection runs in WAL mode with `synchronous=FULL` (unless
/// [`Durability::Normal`] is chosen), so a redemption that returned `Ok` survives a
/// crash. Writes take the write lock up front (`BEGIN IMMEDIATE`); a lock held by
/// another writer is waited for, then retried with a bounded backoff, then reported as
/// `ledger_busy`.
///
/// The same file keeps the operator's venue registry and import log
/// ([`VenueStore`], [`ImportStore`]). [`close`](SqliteLedger::close) releases the file
/// early.
///
/// One value holds one connection behind a mutex; open one per thread for parallel
/// readers (several processes may share the file).
pub struct SqliteLedger {
    /// `None` once closed.
    conn: Mutex<Option<Connection>>,
    path: PathBuf,
    location: String,
    options: SqliteOptions,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A failure inside one attempt: SQLite's, or one already typed.
pub(crate) enum Fault {
    Sql(rusqlite::Error),
    Typed(VoucherError),
}

impl From<rusqlite::Error> for Fault {
    fn from(e: rusqlite::Error) -> Self {
        Fault::Sql(e)
    }
}

impl From<VoucherError> for Fault {
    fn from(e: VoucherError) -> Self {
        Fault::Typed(e)
    }
}

/// What the header and the schema say about a file.
enum FileState {
    Fresh,
    Ledger(u32),
}

const SELECT_ONE: &str = "SELECT issuer, serial, kid, value_cents, venue, at_ns \
     FROM redemption WHERE issuer = ?1 AND serial = ?2";
const INSERT: &str = "INSERT INTO redemption \
     (issuer, serial, kid, value_cents, venue, at_ns, recorded_at_ns) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
     ON CONFLICT (issuer, serial) DO NOTHING RETURNING 1";

impl SqliteLedger {
    /// Opens (or creates) the ledger file with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, VoucherError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (or creates) the ledger file.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, VoucherError> {
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
        let ledger = SqliteLedger {
            conn: Mutex::new(Some(conn)),
            path,
            location,
            options,
        };
        options
            .retry
            .run(|| ledger.attempt(|conn| ledger.prepare(conn)))?;
        Ok(ledger)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the file (after opening, always [`SCHEMA_VERSION`]).
    pub fn schema_version(&self) -> Result<u32, VoucherError> {
        self.read(|conn| {
            let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok(u32::try_from(v).unwrap_or(u32::MAX))
        })
    }

    /// The connection's durability, as SQLite reports it (`PRAGMA synchronous`).
    pub fn durability(&self) -> Result<Durability, VoucherError> {
        let level: i64 =
            self.read(|conn| Ok(conn.pragma_query_value(None, "synchronous", |r| r.get(0))?))?;
        // 2 is FULL, 3 EXTRA (at least as strong); 1 is NORMAL, 0 OFF (never set here).
        Ok(if level >= 2 {
            Durability::Full
        } else {
            Durability::Normal
        })
    }

    /// Runs SQLite's `integrity_check` over the whole file: `Ok` if it says "ok",
    /// otherwise `ledger_corrupt` with its first findings.
    pub fn integrity_check(&self) -> Result<(), VoucherError> {
        let findings = self.read(|conn| {
            let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        if findings == ["ok"] {
            Ok(())
        } else {
            Err(VoucherError::LedgerCorrupt {
                location: self.location.clone(),
                problem: format!("corrupt: integrity_check says {}", findings.join("; ")),
            })
        }
    }

    /// How many redemptions are recorded.
    pub fn len(&self) -> Result<u64, VoucherError> {
        self.read(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM redemption", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Whether nothing was redeemed yet.
    pub fn is_empty(&self) -> Result<bool, VoucherError> {
        Ok(self.len()? == 0)
    }

    /// Every redemption recorded, by time, then issuer and serial.
    pub fn redemptions(&self) -> Result<Vec<Redemption>, VoucherError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT issuer, serial, kid, value_cents, venue, at_ns FROM redemption \
                 ORDER BY at_ns, issuer, serial",
            )?;
            let mut rows = stmt.query([])?;
            let mut all = Vec::new();
            while let Some(row) = rows.next()? {
                all.push(self.read_row(row)?);
            }
            Ok(all)
        })
    }

    /// Closes the connection (the file stays as it is): every later call fails with
    /// `ledger_unavailable`. Closing twice does nothing.
    pub fn close(&self) {
        let taken = self.lock().take();
        if let Some(conn) = taken {
            // A connection that cannot close now (a statement still open) closes when
            // dropped.
            let _ = conn.close();
        }
    }

    /// Whether [`close`](SqliteLedger::close) was called.
    pub fn is_closed(&self) -> bool {
        self.lock().is_none()
    }

    fn lock(&self) -> MutexGuard<'_, Option<Connection>> {
        // A panic while the connection was held leaves at worst an open transaction,
        // which SQLite rolls back when the next one begins: the connection is usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one attempt on the connection, sorting its failure into busy or failed.
    fn attempt<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Fault>) -> Attempt<T> {
        attempt_on(
            &mut self.lock(),
            "ledger",
            &self.location,
            self.options.busy_timeout,
            f,
        )
    }

    /// A read, retried like a write if the file is busy (rare in WAL mode).
    fn read<T>(&self, f: impl Fn(&Connection) -> Result<T, Fault>) -> Result<T, VoucherError> {
        self.options.retry.run(|| self.attempt(|conn| f(conn)))
    }

    /// SQLite's error as a typed one naming the file.
    fn read_row(&self, row: &rusqlite::Row<'_>) -> Result<Redemption, Fault> {
        let serial: Vec<u8> = row.get(1)?;
        Ok(row_to_redemption(
            &self.location,
            row.get(0)?,
            &serial,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        )?)
    }

    fn find(
        &self,
        conn: &Connection,
        issuer: &str,
        serial: Serial,
    ) -> Result<Option<Redemption>, Fault> {
        let mut stmt = conn.prepare_cached(SELECT_ONE)?;
        let mut rows = stmt.query(params![issuer, &serial.as_bytes()[..]])?;
        match rows.next()? {
            Some(row) => Ok(Some(self.read_row(row)?)),
            None => Ok(None),
        }
    }

    /// In a write transaction: records the redemption, or finds the one that won.
    fn insert_or_winner(
        &self,
        tx: &Transaction<'_>,
        r: &Redemption,
        at_ns: i64,
    ) -> Result<Result<Redemption, Redemption>, Fault> {
        let recorded_at_ns = Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        let inserted = tx
            .prepare_cached(INSERT)?
            .query_row(
                params![
                    &*r.issuer,
                    &r.serial.as_bytes()[..],
                    r.kid.get(),
                    r.value_cents,
                    r.venue,
                    at_ns,
                    recorded_at_ns
                ],
                |_| Ok(()),
            )
            .optional()?;
        if inserted.is_some() {
            return Ok(Ok(r.clone()));
        }
        match self.find(tx, &r.issuer, r.serial)? {
            Some(winner) => Ok(Err(winner)),
            None => Err(Fault::Typed(VoucherError::LedgerUnavailable {
                reason: format!(
                    "{}: serial {} refused as a duplicate but not found",
                    self.location, r.serial
                ),
            })),
        }
    }

    /// What the header and schema say: a fresh file, a ledger of some version, or an
    /// error (foreign, newer).
    fn state(&self, conn: &Connection) -> Result<FileState, Fault> {
        // One statement, so one snapshot: outside a transaction, three statements could
        // straddle another connection's migration.
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
        if app_id == APPLICATION_ID {
            let version = u32::try_from(version).unwrap_or(u32::MAX);
            if version > SCHEMA_VERSION {
                return Err(corrupt(format!(
                    "newer schema: version {version}, and this program knows up to \
                     {SCHEMA_VERSION}; upgrade the program (a ledger is never downgraded)"
                )));
            }
            Ok(FileState::Ledger(version))
        } else if app_id == 0 && version == 0 && objects == 0 {
            Ok(FileState::Fresh)
        } else {
            Err(corrupt(format!(
                "foreign: a SQLite database of another application (application_id \
                 0x{app_id:08x}, user_version {version}, {objects} schema objects), not a \
                 ledger file (application_id 0x{APPLICATION_ID:08x})"
            )))
        }
    }

    /// One attempt at making the connection ready: check the file, set the pragmas,
    /// migrate forward.
    fn prepare(&self, conn: &mut Connection) -> Result<(), Fault> {
        // Read the header before writing anything, so a foreign file is left untouched.
        let state = self.state(conn)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Fault::Typed(VoucherError::LedgerUnavailable {
                reason: format!(
                    "{}: journal_mode stays {mode:?}; the ledger needs WAL (a local file system)",
                    self.location
                ),
            }));
        }
        let sync = match self.options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if let Some(pages) = self.options.wal_autocheckpoint {
            conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        }
        if matches!(state, FileState::Ledger(v) if v == SCHEMA_VERSION) {
            return Ok(());
        }
        // Migrate in one write transaction; look again inside it, since another
        // connection may have migrated meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let from = match self.state(&tx)? {
            FileState::Fresh => 0,
            FileState::Ledger(v) => v,
        };
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }
}

impl Ledger for SqliteLedger {
    fn redeem(&self, redemption: Redemption) -> Result<Redemption, VoucherError> {
        let at_ns = check(&redemption)?;
        let out = self.options.retry.run(|| {
            self.attempt(|conn| {
                // Losers need no write lock: a plain read finds the winner.
                if let Some(winner) = self.find(conn, &redemption.issuer, redemption.serial)? {
                    return Ok(Err(winner));
                }
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let out = self.insert_or_winner(&tx, &redemption, at_ns)?;
                tx.commit()?;
                Ok(out)
            })
        })?;
        out.map_err(|winner| VoucherError::AlreadyRedeemed {
            serial: winner.serial.to_string(),
            venue: winner.venue,
            at: winner.at,
        })
    }

    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError> {
        self.read(|conn| self.find(conn, issuer, serial))
    }

    /// One transaction for the whole slice: every item is settled, or none is.
    fn redeem_all(
        &self,
        redemptions: &[Redemption],
    ) -> Result<Vec<Result<Redemption, Redemption>>, VoucherError> {
        let at_ns = redemptions
            .iter()
            .map(check)
            .collect::<Result<Vec<_>, _>>()?;
        self.options.retry.run(|| {
            self.attempt(|conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mut out = Vec::with_capacity(redemptions.len());
                for (r, at_ns) in redemptions.iter().zip(&at_ns) {
                    out.push(self.insert_or_winner(&tx, r, *at_ns)?);
                }
                tx.commit()?;
                Ok(out)
            })
        })
    }
}

// ---- the operator's state: venue registry and import log (schema v2) ---------------

impl SqliteLedger {
    /// One write transaction (`BEGIN IMMEDIATE`), retried while busy.
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

    fn corrupt(&self, problem: String) -> Fault {
        Fault::Typed(VoucherError::LedgerCorrupt {
            location: self.location.clone(),
            problem: format!("corrupt: {problem}"),
        })
    }

    fn venue_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RegisteredVenue> {
        Ok(RegisteredVenue {
            id: row.get(0)?,
            name: row.get(1)?,
            siret: row.get(2)?,
            active: row.get::<_, i64>(3)? != 0,
        })
    }

    fn key_row(&self, row: &rusqlite::Row<'_>) -> Result<VenueKey, Fault> {
        let venue: String = row.get(0)?;
        let key_id: i64 = row.get(1)?;
        let bytes: Vec<u8> = row.get(2)?;
        let key_id = u16::try_from(key_id)
            .map_err(|_| self.corrupt(format!("venue {venue} has key id {key_id}")))?;
        let public_key = <[u8; 32]>::try_from(bytes.as_slice())
            .ok()
            .and_then(|b| PublicKey::from_bytes(&b, key_id).ok())
            .ok_or_else(|| {
                self.corrupt(format!("venue {venue} key {key_id} is not a usable key"))
            })?;
        Ok(VenueKey {
            venue,
            key_id,
            public_key,
            active: row.get::<_, i64>(3)? != 0,
        })
    }

    fn report_row(&self, items: &[u8], outcomes: &str) -> Result<ImportReport, Fault> {
        ImportReport::from_stored(items, outcomes).map_err(|e| self.corrupt(e))
    }
}

impl VenueRegistry for SqliteLedger {
    fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>, VoucherError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT id, name, siret, active FROM venue WHERE id = ?1")?
                .query_row([id], Self::venue_row)
                .optional()?)
        })
    }

    fn venue_key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>, VoucherError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT venue, key_id, public_key, active FROM venue_key \
                 WHERE venue = ?1 AND key_id = ?2",
            )?;
            let mut rows = stmt.query(params![venue, key_id])?;
            match rows.next()? {
                Some(row) => Ok(Some(self.key_row(row)?)),
                None => Ok(None),
            }
        })
    }
}

impl VenueStore for SqliteLedger {
    fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError> {
        venue.check()?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO venue (id, name, siret, active) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, siret = excluded.siret, \
                 active = excluded.active",
            )?
            .execute(params![venue.id, venue.name, venue.siret, venue.active])?;
            Ok(())
        })
    }

    fn put_key(&self, key: VenueKey) -> Result<(), VoucherError> {
        if key.key_id == 0 {
            return Err(VoucherError::InvalidField {
                field: "key_id",
                rule: "0 is reserved".into(),
            });
        }
        self.write(|tx| {
            let known = tx
                .prepare_cached("SELECT 1 FROM venue WHERE id = ?1")?
                .query_row([&key.venue], |_| Ok(()))
                .optional()?;
            if known.is_none() {
                return Err(Fault::Typed(VoucherError::UnknownVenue {
                    venue: key.venue.clone(),
                    key_id: key.key_id,
                    reason: "no such venue is registered".into(),
                }));
            }
            tx.prepare_cached(
                "INSERT INTO venue_key (venue, key_id, public_key, active) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (venue, key_id) DO UPDATE SET \
                 public_key = excluded.public_key, active = excluded.active",
            )?
            .execute(params![
                key.venue,
                key.key_id,
                &key.public_key.to_bytes()[..],
                key.active
            ])?;
            Ok(())
        })
    }

    fn venues(&self) -> Result<Vec<RegisteredVenue>, VoucherError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, name, siret, active FROM venue ORDER BY id")?;
            let rows = stmt.query_map([], Self::venue_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn keys(&self, venue: &str) -> Result<Vec<VenueKey>, VoucherError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT venue, key_id, public_key, active FROM venue_key WHERE venue = ?1 \
                 ORDER BY key_id",
            )?;
            let mut rows = stmt.query([venue])?;
            let mut all = Vec::new();
            while let Some(row) = rows.next()? {
                all.push(self.key_row(row)?);
            }
            Ok(all)
        })
    }
}

impl ImportLog for SqliteLedger {
    fn finished(&self, batch_id: &BatchId) -> Result<Option<ImportReport>, VoucherError> {
        self.read(|conn| {
            let found: Option<(Vec<u8>, String)> = conn
                .prepare_cached("SELECT items, outcomes FROM batch_import WHERE batch_id = ?1")?
                .query_row([&batch_id.as_bytes()[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match found {
                Some((items, outcomes)) => Ok(Some(self.report_row(&items, &outcomes)?)),
                None => Ok(None),
            }
        })
    }

    /// Records the report in one transaction; a batch already recorded keeps its first
    /// report.
    fn record(&self, report: &ImportReport) -> Result<(), VoucherError> {
        let stored = report.to_stored();
        let count = i64::try_from(report.items.len()).unwrap_or(i64::MAX);
        self.write(|tx| {
            let recorded_at_ns = Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
            tx.prepare_cached(
                "INSERT INTO batch_import \
                 (batch_id, venue, item_count, recorded_at_ns, items, outcomes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (batch_id) DO NOTHING",
            )?
            .execute(params![
                &report.batch_id.as_bytes()[..],
                report.venue,
                count,
                recorded_at_ns,
                stored.items,
                stored.outcomes
            ])?;
            Ok(())
        })
    }
}

impl ImportStore for SqliteLedger {
    fn reports(&self) -> Result<Vec<ImportReport>, VoucherError> {
        let mut all = self.read(|conn| {
            let mut stmt = conn.prepare("SELECT items, outcomes FROM batch_import")?;
            let mut rows = stmt.query([])?;
            let mut all = Vec::new();
            while let Some(row) = rows.next()? {
                let items: Vec<u8> = row.get(0)?;
                let outcomes: String = row.get(1)?;
                all.push(self.report_row(&items, &outcomes)?);
            }
            Ok(all)
        })?;
        all.sort_by(|a, b| {
            (&a.venue, a.sequence, a.batch_id).cmp(&(&b.venue, b.sequence, b.batch_id))
        });
        Ok(all)
    }

    fn count(&self) -> Result<u64, VoucherError> {
        self.read(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM batch_import", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

/// SQLite's error as a typed one naming the file: `ledger_corrupt` for a file that is not
/// a database or is damaged, `ledger_busy` for a lock, `ledger_unavailable` otherwise.
/// Shared by the ledger and the device queue.
/// One attempt on a connection that may have been closed (`ledger_unavailable`, naming
/// `what`): busy and locked are [`Attempt::Busy`] (the caller retries), anything else a
/// typed error. Shared by the ledger and the device queue.
pub(crate) fn attempt_on<T>(
    conn: &mut Option<Connection>,
    what: &str,
    location: &str,
    busy_timeout: Duration,
    f: impl FnOnce(&mut Connection) -> Result<T, Fault>,
) -> Attempt<T> {
    let Some(conn) = conn.as_mut() else {
        return Attempt::Failed(VoucherError::LedgerUnavailable {
            reason: format!("{location}: the {what} is closed"),
        });
    };
    match f(conn) {
        Ok(t) => Attempt::Done(t),
        Err(Fault::Typed(e)) => Attempt::Failed(e),
        Err(Fault::Sql(e)) => match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Attempt::Busy,
            _ => Attempt::Failed(typed_error(location, busy_timeout, e)),
        },
    }
}

pub(crate) fn typed_error(
    location: &str,
    busy_timeout: Duration,
    e: rusqlite::Error,
) -> VoucherError {
    let location = location.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => VoucherError::LedgerCorrupt {
            location,
            problem: format!("foreign or corrupt: not a SQLite database ({e})"),
        },
        Some(ErrorCode::DatabaseCorrupt) => VoucherError::LedgerCorrupt {
            location,
            problem: format!("corrupt: {e}"),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => VoucherError::LedgerBusy {
            attempts: 1,
            waited_ms: u64::try_from(busy_timeout.as_millis()).unwrap_or(u64::MAX),
        },
        _ => VoucherError::LedgerUnavailable {
            reason: format!("{location}: {e}"),
        },
    }
}
