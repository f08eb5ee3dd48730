//! Crash test (SQLite, synchronous=FULL): a child process redeems in a loop and prints
//! an ACK after each commit; the test SIGKILLs it at random moments (seeded: the seed
//! is printed, and INCLUSIF_CRASH_SEED replays it), six rounds. After each round the
//! file is reopened: every ACKed redemption is there and equal, nothing is duplicated,
//! at most the one redemption in flight at the kill is there without an ACK, ACKed
//! serials sent again come back `already_redeemed` with the same venue and time, and
//! `integrity_check` says ok.
//!
//! A SIGKILL tests the application crash, which even synchronous=NORMAL survives; a
//! power cut cannot be simulated here (FULL is what protects against it).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::DateTime;
use inclusif_core::voucher::{Kid, Ledger, Redemption, Serial, VoucherError};
use inclusif_ledger::SqliteLedger;

const ROUNDS: usize = 6;
/// 2026-06-01T10:00:00Z, as in ledger-stress.
const BASE_NS: i64 = 1_780_308_000_000_000_000;

/// The child's redemption of serial n (the same rule as ledger-stress).
fn crash_item(n: u64) -> Redemption {
    Redemption {
        issuer: "crash".into(),
        serial: Serial::from_u128(u128::from(n)).unwrap(),
        kid: Kid::new(7).unwrap(),
        value_cents: 1000,
        venue: "crash-venue".into(),
        at: DateTime::from_timestamp_nanos(BASE_NS + n as i64 * 1_000),
    }
}

/// splitmix64: a seeded generator for the kill times.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

#[test]
fn acknowledged_redemptions_survive_sigkill() {
    let seed = std::env::var("INCLUSIF_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("crash test seed {seed} (replay with INCLUSIF_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite");
    let mut acked: BTreeSet<u64> = BTreeSet::new();
    let mut next = 0u64;
    for round in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ledger-stress"))
            .args(["crash", "--db", &format!("sqlite:{}", path.display())])
            .args(["--from", &next.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ledger-stress starts");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        let kill_after = Duration::from_millis(rng.between(20, 300));
        std::thread::sleep(kill_after);
        let early = child.try_wait().unwrap();
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        if let Some(status) = early {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("the child ended by itself ({status}) before the kill: {err}");
        }
        let mut round_acks = 0;
        for line in &lines {
            let n: u64 = line
                .strip_prefix("ACK ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("child line {line:?}"));
            acked.insert(n);
            round_acks += 1;
        }

        let ledger = SqliteLedger::open(&path).expect("reopens after the kill");
        ledger.integrity_check().expect("integrity_check ok");
        let all = ledger.redemptions().unwrap();
        let distinct: BTreeSet<(String, u128)> = all
            .iter()
            .map(|r| (r.issuer.to_string(), r.serial.to_u128()))
            .collect();
        assert_eq!(distinct.len(), all.len(), "no serial recorded twice");
        for &n in &acked {
            let want = crash_item(n);
            assert_eq!(
                ledger.redemption("crash", want.serial).unwrap(),
                Some(want),
                "ACKed serial {n} is missing or changed (round {round}, seed {seed})"
            );
        }
        assert!(
            all.len() <= acked.len() + 1,
            "{} rows for {} ACKs: only the one in flight may lack its ACK (seed {seed})",
            all.len(),
            acked.len()
        );
        for r in &all {
            assert_eq!(
                *r,
                crash_item(r.serial.to_u128() as u64),
                "a row the child never sent"
            );
        }
        // ACKed serials sent again are refused with the first venue and time.
        for &n in acked.iter().rev().take(3) {
            let first = crash_item(n);
            let again = Redemption {
                venue: "elsewhere".into(),
                ..first.clone()
            };
            match ledger.redeem(again).unwrap_err() {
                VoucherError::AlreadyRedeemed { venue, at, .. } => {
                    assert_eq!((venue, at), (first.venue, first.at));
                }
                other => panic!("{other:?}"),
            }
        }
        println!(
            "round {round}: killed after {kill_after:?}, {round_acks} ACKs this round, {} in all, {} rows",
            acked.len(),
            all.len()
        );
        next = acked.last().map_or(next, |n| n + 1);
    }
    assert!(
        !acked.is_empty(),
        "the child never acknowledged a redemption"
    );
    println!(
        "crash test: {ROUNDS} rounds, {} ACKed redemptions, {:.2} s (seed {seed})",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}
