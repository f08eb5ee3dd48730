//! SQLite only: what the file looks like, and every way a file can be wrong.

mod common;

use common::{BASE_NS, red};
use inclusif_core::voucher::{Ledger, VoucherError};
use inclusif_ledger::{Durability, SqliteLedger, SqliteOptions};

fn corrupt_problem(e: VoucherError) -> (String, String) {
    match e {
        VoucherError::LedgerCorrupt { location, problem } => (location, problem),
        other => panic!("expected ledger_corrupt, got {other:?}"),
    }
}

#[test]
fn a_new_file_is_wal_full_with_the_application_id_and_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sqlite");
    let l = SqliteLedger::open(&path).unwrap();
    assert_eq!(l.durability().unwrap(), Durability::Full);
    assert_eq!(
        l.schema_version().unwrap(),
        inclusif_ledger::SQLITE_SCHEMA_VERSION
    );
    l.integrity_check().unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let app: i32 = c
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (mode.as_str(), app),
        ("wal", inclusif_ledger::SQLITE_APPLICATION_ID)
    );
    let normal = SqliteLedger::open_with(
        &path,
        SqliteOptions::default().durability(Durability::Normal),
    )
    .unwrap();
    assert_eq!(normal.durability().unwrap(), Durability::Normal);
}

#[test]
fn an_empty_file_is_a_fresh_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite");
    std::fs::write(&path, b"").unwrap();
    let l = SqliteLedger::open(&path).unwrap();
    l.redeem(red("aptic", 1, "v", BASE_NS)).unwrap();
    assert_eq!(l.len().unwrap(), 1);
}

#[test]
fn a_file_that_is_not_a_database_is_ledger_corrupt_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (
            "text.sqlite",
            b"hello, this is a text file and not a database at all\n".repeat(100),
        ),
        ("zeros.sqlite", vec![0u8; 4096]),
        ("header-only.sqlite", {
            let mut b = b"SQLite format 3\0".to_vec();
            b.extend(std::iter::repeat_n(0xA5u8, 8192));
            b
        }),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let (location, problem) = corrupt_problem(SqliteLedger::open(&path).unwrap_err());
        assert_eq!(location, path.display().to_string());
        assert!(
            problem.starts_with("foreign or corrupt") || problem.starts_with("corrupt"),
            "{name}: {problem}"
        );
        let e = SqliteLedger::open(&path).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
        // Left untouched.
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
    }
}

#[test]
fn another_applications_database_is_foreign_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "application_id", 0x1234_5678)
        .unwrap();
    drop(c);
    let before = std::fs::read(&path).unwrap();
    let (_, problem) = corrupt_problem(SqliteLedger::open(&path).unwrap_err());
    assert!(
        problem.starts_with("foreign") && problem.contains("0x12345678"),
        "{problem}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_newer_schema_is_refused_never_downgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite");
    drop(SqliteLedger::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 7).unwrap();
    drop(c);
    let (_, problem) = corrupt_problem(SqliteLedger::open(&path).unwrap_err());
    assert!(problem.starts_with("newer schema: version 7"), "{problem}");
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 7);
}

#[test]
fn damaged_pages_are_ledger_corrupt_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.sqlite");
    {
        let l = SqliteLedger::open(&path).unwrap();
        let batch: Vec<_> = (0..3000)
            .map(|i| red("aptic", i, "venue-lyon-01", BASE_NS + i as i64))
            .collect();
        l.redeem_all(&batch).unwrap();
    } // the last connection checkpoints the log into the file
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096, "{} bytes", bytes.len());
    for b in &mut bytes[3 * 4096..12 * 4096] {
        *b ^= 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let seen = match SqliteLedger::open(&path) {
        Err(e) => e,
        Ok(l) => {
            let mut found = l.integrity_check().err();
            for i in 0..3000 {
                if found.is_some() {
                    break;
                }
                found = l.redemption("aptic", red("aptic", i, "v", 0).serial).err();
            }
            found.expect("the damage is seen")
        }
    };
    let (location, problem) = corrupt_problem(seen);
    assert_eq!(location, path.display().to_string());
    assert!(problem.contains("corrupt"), "{problem}");
}

#[test]
fn an_unopenable_path_is_ledger_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let e = SqliteLedger::open(dir.path().join("no/such/dir/l.sqlite")).unwrap_err();
    assert_eq!(e.code(), "ledger_unavailable");
    assert!(e.to_string().contains("no/such/dir"), "{e}");
}
