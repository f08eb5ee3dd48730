//! The PostgreSQL ledger: several servers on one database, exactly-once through the
//! database's primary key.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use inclusif_core::voucher::sync::{ImportStore, VenueStore};
use inclusif_core::voucher::{
    BatchId, ImportLog, ImportReport, Ledger, PublicKey, Redemption, RegisteredVenue, Serial,
    VenueKey, VenueRegistry, VoucherError,
};
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config, GenericClient, NoTls, Statement};

use crate::{Attempt, Retry, check, row_to_redemption};

/// The application name in the ledger's `ledger_schema` table: a schema whose table
/// says otherwise is foreign.
const APPLICATION: &str = "inclusif-ledger";

/// The key of the advisory lock that serialises migrations (DDL only) across servers
/// starting together: "PNLD".
const MIGRATION_LOCK: i64 = 0x504E_4C44;

/// The migrations, in order: the schema version is the index plus one.
const MIGRATIONS: &[&str] = &[
    // v1: the redemptions, keyed by (issuer, serial). Instants are i64 nanoseconds since
    // the Unix epoch (a timestamptz keeps only microseconds).
    "CREATE TABLE redemption (
        issuer TEXT NOT NULL CHECK (octet_length(issuer) BETWEEN 1 AND 255),
        serial BYTEA NOT NULL CHECK (octet_length(serial) = 10),
        kid INTEGER NOT NULL CHECK (kid BETWEEN 1 AND 65535),
        value_cents INTEGER NOT NULL CHECK (value_cents BETWEEN 1 AND 65535),
        venue TEXT NOT NULL CHECK (octet_length(venue) BETWEEN 1 AND 255),
        at_ns BIGINT NOT NULL,
        recorded_at_ns BIGINT NOT NULL,
        PRIMARY KEY (issuer, serial)
    );",
    // v2: the operator's state next to the ledger: the venue registry (venues and the
    // keys that sign their batches) and the log of finished imports, each with its
    // full report (core's stored form), so a re-import answers the same after a restart.
    "CREATE TABLE venue (
        id TEXT NOT NULL PRIMARY KEY CHECK (octet_length(id) BETWEEN 1 AND 64),
        name TEXT NOT NULL,
        siret TEXT NOT NULL,
        active BOOLEAN NOT NULL
    );
    CREATE TABLE venue_key (
        venue TEXT NOT NULL REFERENCES venue (id),
        key_id INTEGER NOT NULL CHECK (key_id BETWEEN 1 AND 65535),
        public_key BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
        active BOOLEAN NOT NULL,
        PRIMARY KEY (venue, key_id)
    );
    CREATE TABLE batch_import (
        batch_id BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(batch_id) = 32),
        venue TEXT NOT NULL,
        item_count INTEGER NOT NULL,
        recorded_at_ns BIGINT NOT NULL,
        items BYTEA NOT NULL,
        outcomes TEXT NOT NULL
    );",
];

/// The schema version this program writes (and the newest it reads).
pub const PG_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

const INSERT: &str = "INSERT INTO redemption \
     (issuer, serial, kid, value_cents, venue, at_ns, recorded_at_ns) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (issuer, serial) DO NOTHING RETURNING 1";
const SELECT_ONE: &str = "SELECT issuer, serial, kid, value_cents, venue, at_ns \
     FROM redemption WHERE issuer = $1 AND serial = $2";

/// How a [`PgLedger`] connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    schema: Option<String>,
    idle_connections: usize,
    lock_timeout: Duration,
    connect_timeout: Duration,
    retry: Retry,
}

impl Default for PgOptions {
    /// The connection's own `search_path`, up to 4 idle connections kept, a 2 s lock
    /// timeout per attempt, a 10 s connect timeout, [`Retry::default`].
    fn default() -> Self {
        PgOptions {
            schema: None,
            idle_connections: 4,
            lock_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(10),
            retry: Retry::default(),
        }
    }
}

impl PgOptions {
    /// Keeps the ledger's tables in this schema (created if missing; lowercase ASCII
    /// letters, digits and `_`, 1 to 63 characters, not starting with a digit).
    pub fn schema(mut self, schema: &str) -> Self {
        self.schema = Some(schema.to_owned());
        self
    }

    /// How many idle connections are kept for reuse (more are opened when needed).
    pub fn idle_connections(mut self, n: usize) -> Self {
        self.idle_connections = n;
        self
    }

    /// How long one attempt waits for a lock held by another session.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// How busy attempts are retried before `ledger_busy`.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }
}

/// A pooled connection with its prepared statements.
struct Conn {
    client: Client,
    insert: Statement,
    select: Statement,
}

/// A redemption ledger in a PostgreSQL database, shared by several servers.
///
/// A redemption is one autocommit `INSERT … ON CONFLICT DO NOTHING RETURNING`; if it
/// inserts nothing, a separate `SELECT` (a new snapshot at READ COMMITTED, the server's
/// default) reads the winner, whose insert the conflict waited for. No application or
/// advisory lock is involved: the primary key `(issuer, serial)` alone makes it
/// exactly-once across servers.
///
/// The same database keeps the operator's venue registry and import log
/// ([`VenueStore`], [`ImportStore`]): several servers share them as they share the
/// ledger.
///
/// The connection URL is never printed: errors and `Debug` name the target as
/// `user@host[:port]/db`. Without TLS, use a local socket or the loopback interface.
pub struct PgLedger {
    config: Config,
    location: String,
    options: PgOptions,
    idle: Mutex<Vec<Conn>>,
    closed: AtomicBool,
}

impl std::fmt::Debug for PgLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLedger")
            .field("location", &self.location)
            .field("schema", &self.options.schema)
            .finish_non_exhaustive()
    }
}

/// A failure inside one attempt: the driver's, or one already typed.
enum Fault {
    Pg(postgres::Error),
    Typed(VoucherError),
}

impl From<postgres::Error> for Fault {
    fn from(e: postgres::Error) -> Self {
        Fault::Pg(e)
    }
}

impl From<VoucherError> for Fault {
    fn from(e: VoucherError) -> Self {
        Fault::Typed(e)
    }
}

/// `user@host[:port]/db`, from the parsed configuration: never the password, never the
/// URL as given.
fn describe(config: &Config) -> String {
    let user = config.get_user().unwrap_or("?");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}{port}/{db}")
}

/// The driver's error as text: its SQLSTATE and message for a server error, the cause
/// chain otherwise (the driver's own display says only "db error").
fn explain(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("SQLSTATE {}: {}", db.code().code(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn is_busy(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        [
            SqlState::LOCK_NOT_AVAILABLE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(c)
    })
}

fn valid_schema(name: &str) -> bool {
    let b = name.as_bytes();
    (1..=63).contains(&b.len())
        && !b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

impl PgLedger {
    /// Connects by URL (`postgresql://user@host/db`, or `postgresql://user@/db?host=/run/dir`
    /// for a unix socket) with the default options.
    pub fn connect(url: &str) -> Result<Self, VoucherError> {
        Self::connect_with(url, PgOptions::default())
    }

    /// Connects by URL, creates or migrates the schema, and keeps the connection.
    pub fn connect_with(url: &str, options: PgOptions) -> Result<Self, VoucherError> {
        let config = Config::from_str(url).map_err(|_| VoucherError::LedgerUnavailable {
            reason: "invalid PostgreSQL connection URL (not shown: it may hold a password)"
                .to_owned(),
        })?;
        Self::from_config(config, options)
    }

    /// Connects with a parsed configuration.
    pub fn from_config(mut config: Config, options: PgOptions) -> Result<Self, VoucherError> {
        let mut location = describe(&config);
        let mut extra = format!(
            "-c lock_timeout={}ms",
            options.lock_timeout.as_millis().max(1)
        );
        if let Some(schema) = &options.schema {
            if !valid_schema(schema) {
                return Err(VoucherError::InvalidField {
                    field: "schema",
                    rule: format!(
                        "{schema:?}: 1 to 63 lowercase ASCII letters, digits or _, not starting with a digit"
                    ),
                });
            }
            extra.push_str(&format!(" -c search_path={schema}"));
            location.push_str(&format!(" (schema {schema})"));
        }
        let merged = match config.get_options() {
            Some(given) if !given.is_empty() => format!("{given} {extra}"),
            _ => extra,
        };
        config.options(&merged);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        let ledger = PgLedger {
            config,
            location,
            options,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        };
        let mut client = ledger
            .options
            .retry
            .run(|| ledger.attempt_raw(|| ledger.config.connect(NoTls).map_err(Fault::Pg)))?;
        ledger
            .options
            .retry
            .run(|| ledger.attempt_raw(|| ledger.migrate(&mut client)))?;
        ledger.give(ledger.prepared(client).map_err(|f| ledger.typed(f))?);
        Ok(ledger)
    }

    /// The target as `user@host[:port]/db` (and the schema, if one was chosen).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The schema version in the database (after connecting, always the newest).
    pub fn schema_version(&self) -> Result<u32, VoucherError> {
        self.with_conn(|c| {
            let v: i32 = c
                .client
                .query_one("SELECT version FROM ledger_schema", &[])?
                .get(0);
            Ok(u32::try_from(v).unwrap_or(0))
        })
    }

    /// How many redemptions are recorded.
    pub fn len(&self) -> Result<u64, VoucherError> {
        self.with_conn(|c| {
            let n: i64 = c
                .client
                .query_one("SELECT count(*) FROM redemption", &[])?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Whether nothing was redeemed yet.
    pub fn is_empty(&self) -> Result<bool, VoucherError> {
        Ok(self.len()? == 0)
    }

    /// Every redemption recorded, by time, then issuer and serial.
    pub fn redemptions(&self) -> Result<Vec<Redemption>, VoucherError> {
        self.with_conn(|c| {
            let rows = c.client.query(
                "SELECT issuer, serial, kid, value_cents, venue, at_ns FROM redemption \
                 ORDER BY at_ns, issuer, serial",
                &[],
            )?;
            rows.iter()
                .map(|row| self.read_row(row))
                .collect::<Result<Vec<_>, _>>()
        })
    }

    fn typed(&self, f: Fault) -> VoucherError {
        match f {
            Fault::Typed(e) => e,
            Fault::Pg(e) => VoucherError::LedgerUnavailable {
                reason: format!("{}: {}", self.location, explain(&e)),
            },
        }
    }

    fn attempt_raw<T>(&self, f: impl FnOnce() -> Result<T, Fault>) -> Attempt<T> {
        match f() {
            Ok(t) => Attempt::Done(t),
            Err(Fault::Pg(e)) if is_busy(&e) => Attempt::Busy,
            Err(f) => Attempt::Failed(self.typed(f)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Conn>> {
        // The pool is a plain list: a panic elsewhere cannot leave it inconsistent.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn prepared(&self, mut client: Client) -> Result<Conn, Fault> {
        Ok(Conn {
            insert: client.prepare(INSERT)?,
            select: client.prepare(SELECT_ONE)?,
            client,
        })
    }

    /// Closes every connection: every later call fails with `ledger_unavailable`.
    /// Closing twice does nothing.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let idle = std::mem::take(&mut *self.lock());
        drop(idle);
    }

    /// Whether [`close`](PgLedger::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// An idle connection that is still open, or a new one.
    fn take(&self) -> Result<Conn, Fault> {
        if self.is_closed() {
            return Err(Fault::Typed(VoucherError::LedgerUnavailable {
                reason: format!("{}: the ledger is closed", self.location),
            }));
        }
        loop {
            let next = self.lock().pop();
            match next {
                Some(c) if c.client.is_closed() => continue,
                Some(c) => return Ok(c),
                None => break,
            }
        }
        let client = self.config.connect(NoTls)?;
        self.prepared(client)
    }

    fn give(&self, conn: Conn) {
        let mut idle = self.lock();
        if !self.is_closed()
            && !conn.client.is_closed()
            && idle.len() < self.options.idle_connections
        {
            idle.push(conn);
        }
    }

    /// Runs `f` on a pooled connection, retried while busy. The connection goes back
    /// to the pool unless it failed otherwise.
    fn with_conn<T>(&self, f: impl Fn(&mut Conn) -> Result<T, Fault>) -> Result<T, VoucherError> {
        self.options.retry.run(|| {
            let mut conn = match self.take() {
                Ok(c) => c,
                Err(Fault::Pg(e)) if is_busy(&e) => return Attempt::Busy,
                Err(f) => return Attempt::Failed(self.typed(f)),
            };
            match f(&mut conn) {
                Ok(t) => {
                    self.give(conn);
                    Attempt::Done(t)
                }
                Err(Fault::Pg(e)) if is_busy(&e) => {
                    self.give(conn);
                    Attempt::Busy
                }
                Err(f) => Attempt::Failed(self.typed(f)),
            }
        })
    }

    fn read_row(&self, row: &postgres::Row) -> Result<Redemption, Fault> {
        let serial: Vec<u8> = row.try_get(1)?;
        let kid: i32 = row.try_get(2)?;
        let value: i32 = row.try_get(3)?;
        Ok(row_to_redemption(
            &self.location,
            row.try_get(0)?,
            &serial,
            i64::from(kid),
            i64::from(value),
            row.try_get(4)?,
            row.try_get(5)?,
        )?)
    }

    fn find(
        &self,
        client: &mut impl GenericClient,
        select: &Statement,
        issuer: &str,
        serial: Serial,
    ) -> Result<Option<Redemption>, Fault> {
        match client.query_opt(select, &[&issuer, &&serial.as_bytes()[..]])? {
            Some(row) => Ok(Some(self.read_row(&row)?)),
            None => Ok(None),
        }
    }

    /// Records the redemption, or reads the one that won (in a separate statement, so
    /// with a snapshot taken after the winner's commit).
    fn insert_or_winner(
        &self,
        client: &mut impl GenericClient,
        statements: (&Statement, &Statement),
        r: &Redemption,
        at_ns: i64,
    ) -> Result<Result<Redemption, Redemption>, Fault> {
        let recorded_at_ns = Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        let inserted = client.query_opt(
            statements.0,
            &[
                &&*r.issuer,
                &&r.serial.as_bytes()[..],
                &i32::from(r.kid.get()),
                &i32::from(r.value_cents),
                &r.venue,
                &at_ns,
                &recorded_at_ns,
            ],
        )?;
        if inserted.is_some() {
            return Ok(Ok(r.clone()));
        }
        match self.find(client, statements.1, &r.issuer, r.serial)? {
            Some(winner) => Ok(Err(winner)),
            None => Err(Fault::Typed(VoucherError::LedgerUnavailable {
                reason: format!(
                    "{}: serial {} refused as a duplicate but not found",
                    self.location, r.serial
                ),
            })),
        }
    }

    /// Creates or migrates the schema in one transaction, under an advisory lock so
    /// that servers starting together migrate once.
    fn migrate(&self, client: &mut Client) -> Result<(), Fault> {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        if let Some(schema) = &self.options.schema {
            // The name was checked: lowercase ASCII letters, digits and _.
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
        }
        let row = tx.query_one(
            "SELECT to_regclass('ledger_schema') IS NOT NULL, to_regclass('redemption') IS NOT NULL",
            &[],
        )?;
        let (has_meta, has_table): (bool, bool) = (row.get(0), row.get(1));
        let corrupt = |problem: String| {
            Fault::Typed(VoucherError::LedgerCorrupt {
                location: self.location.clone(),
                problem,
            })
        };
        let from = if has_meta {
            let rows = tx.query("SELECT application, version FROM ledger_schema", &[])?;
            let [row] = rows.as_slice() else {
                return Err(corrupt(format!(
                    "corrupt: ledger_schema has {} rows, not 1",
                    rows.len()
                )));
            };
            let (app, version): (String, i32) = (row.try_get(0)?, row.try_get(1)?);
            if app != APPLICATION {
                return Err(corrupt(format!(
                    "foreign: ledger_schema belongs to {app:?}, not {APPLICATION:?}"
                )));
            }
            let version = u32::try_from(version).unwrap_or(u32::MAX);
            if version > PG_SCHEMA_VERSION {
                return Err(corrupt(format!(
                    "newer schema: version {version}, and this program knows up to \
                     {PG_SCHEMA_VERSION}; upgrade the program (a ledger is never downgraded)"
                )));
            }
            version
        } else if has_table {
            return Err(corrupt(
                "foreign: a table named redemption exists without the ledger's ledger_schema \
                 table (another application's)"
                    .to_owned(),
            ));
        } else {
            tx.batch_execute(
                "CREATE TABLE ledger_schema (application TEXT NOT NULL, version INTEGER NOT NULL)",
            )?;
            tx.execute(
                "INSERT INTO ledger_schema (application, version) VALUES ($1, 0)",
                &[&APPLICATION],
            )?;
            0
        };
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.batch_execute(sql)?;
            let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
            tx.execute("UPDATE ledger_schema SET version = $1", &[&v])?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Ledger for PgLedger {
    fn redeem(&self, redemption: Redemption) -> Result<Redemption, VoucherError> {
        let at_ns = check(&redemption)?;
        let out = self.with_conn(|c| {
            // Losers need no insert: a plain read finds a committed winner.
            if let Some(winner) = self.find(
                &mut c.client,
                &c.select,
                &redemption.issuer,
                redemption.serial,
            )? {
                return Ok(Err(winner));
            }
            self.insert_or_winner(&mut c.client, (&c.insert, &c.select), &redemption, at_ns)
        })?;
        out.map_err(|winner| VoucherError::AlreadyRedeemed {
            serial: winner.serial.to_string(),
            venue: winner.venue,
            at: winner.at,
        })
    }

    fn redemption(&self, issuer: &str, serial: Serial) -> Result<Option<Redemption>, VoucherError> {
        self.with_conn(|c| self.find(&mut c.client, &c.select, issuer, serial))
    }

    /// One transaction for the whole slice (READ COMMITTED), its inserts in key order so
    /// that overlapping batches of two servers cannot deadlock; the outcomes come back
    /// in the slice's order, and of two items with one key the earlier one wins.
    fn redeem_all(
        &self,
        redemptions: &[Redemption],
    ) -> Result<Vec<Result<Redemption, Redemption>>, VoucherError> {
        let at_ns = redemptions
            .iter()
            .map(check)
            .collect::<Result<Vec<_>, _>>()?;
        let mut order: Vec<usize> = (0..redemptions.len()).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&redemptions[a], &redemptions[b]);
            (&ra.issuer, ra.serial).cmp(&(&rb.issuer, rb.serial))
        });
        self.with_conn(|c| {
            let mut tx = c.client.transaction()?;
            let mut out: Vec<Option<Result<Redemption, Redemption>>> =
                vec![None; redemptions.len()];
            for &i in &order {
                out[i] = Some(self.insert_or_winner(
                    &mut tx,
                    (&c.insert, &c.select),
                    &redemptions[i],
                    at_ns[i],
                )?);
            }
            tx.commit()?;
            Ok(out.into_iter().flatten().collect())
        })
    }
}

// ---- the operator's state: venue registry and import log (schema v2) ---------------

impl PgLedger {
    fn corrupt(&self, problem: String) -> Fault {
        Fault::Typed(VoucherError::LedgerCorrupt {
            location: self.location.clone(),
            problem: format!("corrupt: {problem}"),
        })
    }

    fn venue_row(row: &postgres::Row) -> Result<RegisteredVenue, Fault> {
        Ok(RegisteredVenue {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            siret: row.try_get(2)?,
            active: row.try_get(3)?,
        })
    }

    fn key_row(&self, row: &postgres::Row) -> Result<VenueKey, Fault> {
        let venue: String = row.try_get(0)?;
        let key_id: i32 = row.try_get(1)?;
        let bytes: Vec<u8> = row.try_get(2)?;
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
            active: row.try_get(3)?,
        })
    }

    fn report_row(&self, row: &postgres::Row) -> Result<ImportReport, Fault> {
        let items: Vec<u8> = row.try_get(0)?;
        let outcomes: String = row.try_get(1)?;
        ImportReport::from_stored(&items, &outcomes).map_err(|e| self.corrupt(e))
    }
}

impl VenueRegistry for PgLedger {
    fn venue(&self, id: &str) -> Result<Option<RegisteredVenue>, VoucherError> {
        self.with_conn(|c| {
            c.client
                .query_opt(
                    "SELECT id, name, siret, active FROM venue WHERE id = $1",
                    &[&id],
                )?
                .as_ref()
                .map(Self::venue_row)
                .transpose()
        })
    }

    fn venue_key(&self, venue: &str, key_id: u16) -> Result<Option<VenueKey>, VoucherError> {
        self.with_conn(|c| {
            c.client
                .query_opt(
                    "SELECT venue, key_id, public_key, active FROM venue_key \
                     WHERE venue = $1 AND key_id = $2",
                    &[&venue, &i32::from(key_id)],
                )?
                .as_ref()
                .map(|row| self.key_row(row))
                .transpose()
        })
    }
}

impl VenueStore for PgLedger {
    fn put_venue(&self, venue: RegisteredVenue) -> Result<(), VoucherError> {
        venue.check()?;
        self.with_conn(|c| {
            c.client.execute(
                "INSERT INTO venue (id, name, siret, active) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, siret = excluded.siret, \
                 active = excluded.active",
                &[&venue.id, &venue.name, &venue.siret, &venue.active],
            )?;
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
        let unknown = || VoucherError::UnknownVenue {
            venue: key.venue.clone(),
            key_id: key.key_id,
            reason: "no such venue is registered".into(),
        };
        self.with_conn(|c| {
            // The foreign key refuses a key of a venue that is not registered (even one
            // removed meanwhile by another server).
            let done = c.client.execute(
                "INSERT INTO venue_key (venue, key_id, public_key, active) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (venue, key_id) DO UPDATE SET \
                 public_key = excluded.public_key, active = excluded.active",
                &[
                    &key.venue,
                    &i32::from(key.key_id),
                    &&key.public_key.to_bytes()[..],
                    &key.active,
                ],
            );
            match done {
                Ok(_) => Ok(()),
                Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                    Err(Fault::Typed(unknown()))
                }
                Err(e) => Err(Fault::Pg(e)),
            }
        })
    }

    fn venues(&self) -> Result<Vec<RegisteredVenue>, VoucherError> {
        self.with_conn(|c| {
            c.client
                .query("SELECT id, name, siret, active FROM venue ORDER BY id", &[])?
                .iter()
                .map(Self::venue_row)
                .collect()
        })
    }

    fn keys(&self, venue: &str) -> Result<Vec<VenueKey>, VoucherError> {
        self.with_conn(|c| {
            c.client
                .query(
                    "SELECT venue, key_id, public_key, active FROM venue_key WHERE venue = $1 \
                     ORDER BY key_id",
                    &[&venue],
                )?
                .iter()
                .map(|row| self.key_row(row))
                .collect()
        })
    }
}

impl ImportLog for PgLedger {
    fn finished(&self, batch_id: &BatchId) -> Result<Option<ImportReport>, VoucherError> {
        self.with_conn(|c| {
            c.client
                .query_opt(
                    "SELECT items, outcomes FROM batch_import WHERE batch_id = $1",
                    &[&&batch_id.as_bytes()[..]],
                )?
                .as_ref()
                .map(|row| self.report_row(row))
                .transpose()
        })
    }

    /// Records the report in one statement; a batch already recorded (by this server or
    /// another) keeps its first report.
    fn record(&self, report: &ImportReport) -> Result<(), VoucherError> {
        let stored = report.to_stored();
        let count = i32::try_from(report.items.len()).unwrap_or(i32::MAX);
        self.with_conn(|c| {
            let recorded_at_ns = Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
            c.client.execute(
                "INSERT INTO batch_import \
                 (batch_id, venue, item_count, recorded_at_ns, items, outcomes) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id) DO NOTHING",
                &[
                    &&report.batch_id.as_bytes()[..],
                    &report.venue,
                    &count,
                    &recorded_at_ns,
                    &stored.items,
                    &stored.outcomes,
                ],
            )?;
            Ok(())
        })
    }
}

impl ImportStore for PgLedger {
    fn reports(&self) -> Result<Vec<ImportReport>, VoucherError> {
        let mut all = self.with_conn(|c| {
            c.client
                .query("SELECT items, outcomes FROM batch_import", &[])?
                .iter()
                .map(|row| self.report_row(row))
                .collect::<Result<Vec<_>, _>>()
        })?;
        all.sort_by(|a, b| {
            (&a.venue, a.sequence, a.batch_id).cmp(&(&b.venue, b.sequence, b.batch_id))
        });
        Ok(all)
    }

    fn count(&self) -> Result<u64, VoucherError> {
        self.with_conn(|c| {
            let n: i64 = c
                .client
                .query_one("SELECT count(*) FROM batch_import", &[])?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_never_holds_the_password() {
        let config = Config::from_str("postgresql://ledger:s3cret@db.example:5433/money").unwrap();
        assert_eq!(describe(&config), "ledger@db.example:5433/money");
        let config = Config::from_str("postgresql://ledger@/postgres?host=/tmp/x").unwrap();
        assert_eq!(describe(&config), "ledger@/tmp/x/postgres");
        let e = PgLedger::connect("postgresql://u:s3cret@[bad").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert_eq!(e.code(), "ledger_unavailable");
    }

    #[test]
    fn schema_names_are_checked() {
        assert!(valid_schema("t_1"));
        for bad in ["", "1a", "A", "a-b", "a;drop", &"a".repeat(64)] {
            assert!(!valid_schema(bad), "{bad}");
        }
        let e = PgLedger::connect_with(
            "postgresql://u@/d?host=/nowhere",
            PgOptions::default().schema("x;y"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_field");
    }
}
