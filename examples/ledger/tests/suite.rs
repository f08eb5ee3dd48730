//! The shared ledger suite, run against memory, SQLite and PostgreSQL (the last needs
//! INCLUSIF_TEST_PG_URL, which tests/run.sh sets; without it these tests fail).

mod common;

ledger_suite!(memory, Memory);
ledger_suite!(sqlite, Sqlite);
ledger_suite!(postgres, Postgres);
