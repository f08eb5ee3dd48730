//! PostgreSQL only: the schema's checks, and the URL never shown.

mod common;

use common::{BASE_NS, Harness, Postgres, red};
use inclusif_core::voucher::{Ledger, VoucherError};
use inclusif_ledger::{PgLedger, PgOptions};

fn corrupt_problem(e: VoucherError) -> String {
    match e {
        VoucherError::LedgerCorrupt { problem, .. } => problem,
        other => panic!("expected ledger_corrupt, got {other:?}"),
    }
}

#[test]
fn a_newer_schema_is_refused_never_downgraded() {
    let h = Postgres::new("newer");
    drop(h.open().unwrap());
    h.client()
        .batch_execute("UPDATE ledger_schema SET version = 9")
        .unwrap();
    let problem = corrupt_problem(PgLedger::connect_with(&h.url, h.options()).unwrap_err());
    assert!(problem.starts_with("newer schema: version 9"), "{problem}");
}

#[test]
fn another_applications_schema_table_is_foreign() {
    let h = Postgres::new("foreign_meta");
    drop(h.open().unwrap());
    h.client()
        .batch_execute("UPDATE ledger_schema SET application = 'payroll'")
        .unwrap();
    let problem = corrupt_problem(PgLedger::connect_with(&h.url, h.options()).unwrap_err());
    assert!(
        problem.starts_with("foreign") && problem.contains("payroll"),
        "{problem}"
    );
}

#[test]
fn the_url_and_password_never_appear() {
    let h = Postgres::new("secret");
    // The test cluster trusts local connections, so a password in the URL is accepted
    // and ignored: it must still never be shown.
    let url = h.url.replacen("://ledger@", "://ledger:hunter2@", 1);
    assert!(
        url.contains("hunter2"),
        "the test URL has the form postgresql://ledger@…"
    );
    let l = PgLedger::connect_with(&url, h.options()).unwrap();
    l.redeem(red("aptic", 1, "v", BASE_NS)).unwrap();
    let shown = format!("{l:?} {}", l.location());
    assert!(
        !shown.contains("hunter2") && !shown.contains("postgresql://"),
        "{shown}"
    );
    assert!(l.location().starts_with("ledger@/"), "{}", l.location());
    // A server that is not there: the error names user@host/db, not the URL.
    let bad = "postgresql://ledger:hunter2@/postgres?host=/nonexistent-inclusif-dir";
    let e = PgLedger::connect_with(bad, PgOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ledger_unavailable");
    let text = e.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains("postgresql://"),
        "{text}"
    );
    assert!(text.contains("ledger@/nonexistent-inclusif-dir"), "{text}");
    let e = PgLedger::connect("postgresql://ledger:hunter2@host:notaport/db").unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn a_lost_idle_connection_is_replaced() {
    let h = Postgres::new("reconnect");
    // Named, so that only this ledger's sessions are ended (tests run in parallel).
    let mut config: postgres::Config = h.url.parse().unwrap();
    config.application_name("inclusif_reconnect_test");
    let l = PgLedger::from_config(config, h.options()).unwrap();
    l.redeem(red("aptic", 1, "v", BASE_NS)).unwrap();
    let ended: i64 = h
        .client()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name = 'inclusif_reconnect_test'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(ended, 1, "the ledger's idle connection");
    std::thread::sleep(std::time::Duration::from_millis(100));
    // The first call may see the dead connection (ledger_unavailable; safe to retry);
    // the pool then drops it and the next call connects afresh.
    let first = l.redemption("aptic", red("aptic", 1, "v", 0).serial);
    if let Err(e) = &first {
        assert_eq!(e.code(), "ledger_unavailable", "{e}");
    }
    assert!(
        l.redemption("aptic", red("aptic", 1, "v", 0).serial)
            .unwrap()
            .is_some()
    );
}

/// Without INCLUSIF_TEST_PG_URL the PostgreSQL tests fail (never skip), naming
/// tests/run.sh: this runs one of them again in a child without the variable.
#[test]
fn without_a_server_the_tests_fail_naming_run_sh() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_newer_schema_is_refused_never_downgraded",
            "--test-threads",
            "1",
        ])
        .env_remove("INCLUSIF_TEST_PG_URL")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("INCLUSIF_TEST_PG_URL is not set") && text.contains("tests/run.sh"),
        "{text}"
    );
    assert!(text.contains("1 failed"), "{text}");
}
