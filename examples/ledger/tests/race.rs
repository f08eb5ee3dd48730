//! Exactly once under a race: 8 threads (each with its own connection) and 4 separate
//! processes redeem the same 10,000 serials, half in ascending order and half in
//! descending order. Each serial has exactly one winner, every loser is told who won
//! (venue and time), and the store holds exactly the winners.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::DateTime;
use inclusif_core::voucher::{Kid, Ledger, MemoryLedger, Redemption, Serial, VoucherError};
use inclusif_ledger::{Durability, PgLedger, PgOptions, SqliteLedger, SqliteOptions};

const SERIALS: u64 = 10_000;
const THREADS: usize = 8;
const PROCESSES: usize = 4;
/// 2026-06-01T10:00:00Z, as in ledger-stress.
const BASE_NS: i64 = 1_780_308_000_000_000_000;
const DEADLINE: Duration = Duration::from_secs(120);

/// What one contender saw for one serial: it won, or it lost to (venue, at).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Won,
    Lost(String, i64),
}

/// Contender `index`'s redemption of serial `n` (the same rule as ledger-stress).
fn item(n: u64, venue: &str, index: usize) -> Redemption {
    Redemption {
        issuer: "race".into(),
        serial: Serial::from_u128(u128::from(n)).unwrap(),
        kid: Kid::new(7).unwrap(),
        value_cents: 1000,
        venue: venue.to_owned(),
        at: DateTime::from_timestamp_nanos(BASE_NS + n as i64 * 1_000_000 + index as i64),
    }
}

fn order(index: usize) -> Vec<u64> {
    if index.is_multiple_of(2) {
        (0..SERIALS).collect()
    } else {
        (0..SERIALS).rev().collect()
    }
}

fn contend(ledger: &dyn Ledger, index: usize) -> Vec<(u64, Seen)> {
    let venue = format!("t{index}");
    order(index)
        .into_iter()
        .map(|n| match ledger.redeem(item(n, &venue, index)) {
            Ok(_) => (n, Seen::Won),
            Err(VoucherError::AlreadyRedeemed { venue, at, .. }) => {
                (n, Seen::Lost(venue, at.timestamp_nanos_opt().unwrap()))
            }
            Err(e) => panic!("thread {index}, serial {n}: {e}"),
        })
        .collect()
}

/// Spawns a race worker that has opened its ledger and is waiting for "go".
fn spawn_worker(
    db: &str,
    schema: Option<&str>,
    index: usize,
) -> (Child, std::process::ChildStdout) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ledger-stress"));
    cmd.args(["race", "--db", db, "--venue", &format!("p{index}")])
        .args([
            "--index",
            &index.to_string(),
            "--count",
            &SERIALS.to_string(),
        ])
        .args([
            "--order",
            if index.is_multiple_of(2) {
                "asc"
            } else {
                "desc"
            },
        ]);
    if let Some(s) = schema {
        cmd.args(["--schema", s]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ledger-stress starts");
    let stdout = child.stdout.take().unwrap();
    (child, stdout)
}

/// Waits for a child, killing it at the deadline.
fn wait_or_kill(child: &mut Child, deadline: Instant) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a race worker passed the {DEADLINE:?} deadline and was killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the race: `open(i)` opens thread i's own ledger; `db`/`schema` tell the worker
/// processes where the ledger is (`None` for memory: threads only). Returns the winners
/// (serial → (venue, at_ns)).
fn race<L: Ledger + 'static>(
    open: impl Fn(usize) -> L + Sync,
    workers: Option<(&str, Option<&str>)>,
) -> HashMap<u64, (String, i64)> {
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let mut children = Vec::new();
    let mut readers = Vec::new();
    if let Some((db, schema)) = workers {
        for p in 0..PROCESSES {
            let index = THREADS + p;
            let (child, stdout) = spawn_worker(db, schema, index);
            let mut lines = BufReader::new(stdout).lines();
            let ready = lines
                .next()
                .map(|l| l.unwrap_or_default())
                .unwrap_or_default();
            assert_eq!(ready, "READY", "worker {index} did not start");
            readers.push(std::thread::spawn(move || {
                lines.map(|l| l.expect("a line")).collect::<Vec<String>>()
            }));
            children.push(child);
        }
    }
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let seen: Vec<(String, Vec<(u64, Seen)>)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let (barrier, open) = (barrier.clone(), &open);
                s.spawn(move || {
                    let ledger = open(i);
                    barrier.wait();
                    contend(&ledger, i)
                })
            })
            .collect();
        barrier.wait();
        for c in &mut children {
            let stdin = c.stdin.as_mut().unwrap();
            stdin.write_all(b"go\n").unwrap();
            stdin.flush().unwrap();
        }
        let mut all: Vec<_> = threads
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("t{i}"), t.join().unwrap()))
            .collect();
        for (p, (child, reader)) in children.iter_mut().zip(readers).enumerate() {
            let status = wait_or_kill(child, deadline);
            assert!(status.success(), "worker p{} failed: {status}", THREADS + p);
            let lines = reader.join().unwrap();
            let parsed = lines
                .iter()
                .map(|line| {
                    let f: Vec<&str> = line.split(' ').collect();
                    match f.as_slice() {
                        ["W", n] => (n.parse().unwrap(), Seen::Won),
                        ["L", n, venue, at] => (
                            n.parse().unwrap(),
                            Seen::Lost((*venue).into(), at.parse().unwrap()),
                        ),
                        _ => panic!("worker line {line:?}"),
                    }
                })
                .collect();
            all.push((format!("p{}", THREADS + p), parsed));
        }
        all
    });
    let contenders = seen.len();
    // Exactly one winner per serial.
    let mut winners: HashMap<u64, (String, i64)> = HashMap::new();
    for (venue, outcomes) in &seen {
        assert_eq!(
            outcomes.len() as u64,
            SERIALS,
            "{venue} settled every serial"
        );
        let index: usize = venue[1..].parse().unwrap();
        for (n, s) in outcomes {
            if *s == Seen::Won {
                let at = item(*n, venue, index).at.timestamp_nanos_opt().unwrap();
                if let Some(first) = winners.insert(*n, (venue.clone(), at)) {
                    panic!("serial {n} won twice: by {} and {venue}", first.0);
                }
            }
        }
    }
    assert_eq!(winners.len() as u64, SERIALS, "every serial has a winner");
    // Every loser was told who won.
    let mut losses = 0;
    for (venue, outcomes) in &seen {
        for (n, s) in outcomes {
            if let Seen::Lost(v, at) = s {
                assert_eq!(
                    (v, at),
                    (&winners[n].0, &winners[n].1),
                    "{venue} lost serial {n}"
                );
                losses += 1;
            }
        }
    }
    assert_eq!(losses as u64, SERIALS * (contenders as u64 - 1));
    let spread: HashMap<&str, usize> = winners.values().fold(HashMap::new(), |mut m, (v, _)| {
        *m.entry(v.as_str()).or_default() += 1;
        m
    });
    println!(
        "race: {contenders} contenders x {SERIALS} serials in {:.2} s; wins per contender {spread:?}",
        started.elapsed().as_secs_f64()
    );
    winners
}

fn check_store(all: Vec<Redemption>, winners: &HashMap<u64, (String, i64)>) {
    assert_eq!(all.len() as u64, SERIALS);
    for r in all {
        let n = r.serial.to_u128() as u64;
        let (venue, at) = &winners[&n];
        assert_eq!(
            (&r.venue, r.at.timestamp_nanos_opt().unwrap()),
            (venue, *at)
        );
    }
}

#[test]
fn memory_race_threads_only() {
    let shared = Arc::new(MemoryLedger::new());
    struct Shared(Arc<MemoryLedger>);
    impl Ledger for Shared {
        fn redeem(&self, r: Redemption) -> Result<Redemption, VoucherError> {
            self.0.redeem(r)
        }
        fn redemption(&self, i: &str, s: Serial) -> Result<Option<Redemption>, VoucherError> {
            self.0.redemption(i, s)
        }
    }
    let winners = race(|_| Shared(shared.clone()), None);
    check_store(shared.redemptions(), &winners);
}

#[test]
fn sqlite_race_8_threads_and_4_processes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.sqlite");
    // NORMAL durability: the race is about exactly-once, not about power cuts.
    let options = SqliteOptions::default().durability(Durability::Normal);
    drop(SqliteLedger::open_with(&path, options).unwrap());
    let db = format!("sqlite:{}", path.display());
    let winners = race(
        |_| SqliteLedger::open_with(&path, options).unwrap(),
        Some((&db, None)),
    );
    let ledger = SqliteLedger::open(&path).unwrap();
    check_store(ledger.redemptions().unwrap(), &winners);
    ledger.integrity_check().unwrap();
}

#[test]
fn postgres_race_8_threads_and_4_processes() {
    let url = common::pg_url();
    let schema = common::unique_schema("race");
    let options = PgOptions::default().schema(&schema).idle_connections(1);
    drop(PgLedger::connect_with(&url, options.clone()).unwrap());
    // The workers read the URL from the environment, never from their command line.
    let winners = race(
        |_| PgLedger::connect_with(&url, options.clone()).unwrap(),
        Some(("env:INCLUSIF_TEST_PG_URL", Some(&schema))),
    );
    let ledger = PgLedger::connect_with(&url, options).unwrap();
    check_store(ledger.redemptions().unwrap(), &winners);
}
