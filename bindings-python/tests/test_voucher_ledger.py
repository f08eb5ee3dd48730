"""Persistent ledgers in Python: SqliteLedger (a file in tmp_path) and PgLedger (the
throwaway PostgreSQL cluster that tests/run.sh starts and names in INCLUSIF_TEST_PG_URL;
without it the PostgreSQL tests FAIL, they are never skipped). Each takes the place of a
MemoryLedger (redeem, redemption, redeem_all, OfflineQueue.sync, import_batch) and keeps
the operator's venue registry and import log in the same database, so a re-import after
a restart returns the same report."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from inclusif import VoucherError, VoucherValidationError
from inclusif.voucher import (
    ErrorCode,
    ImportLog,
    Issuer,
    MemoryLedger,
    OfflineQueue,
    PgLedger,
    Redemption,
    RegisteredVenue,
    SecretKey,
    SqliteLedger,
    SyncStatus,
    TrustEntry,
    TrustList,
    VenueKey,
    VenueRegistry,
    Verifier,
    VoucherSpec,
    import_batch,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
_SCHEMAS = itertools.count()


def pg_url() -> str:
    url = os.environ.get("INCLUSIF_TEST_PG_URL")
    if not url:
        pytest.fail(
            "INCLUSIF_TEST_PG_URL is not set, and the PostgreSQL ledger tests need a server: "
            "run tests/run.sh, which starts a throwaway cluster and sets it"
        )
    return url


def _schema() -> str:
    return f"py_{os.getpid()}_{next(_SCHEMAS)}_{int(datetime.now().timestamp() * 1e6)}"


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request, tmp_path: Path) -> Callable[[], SqliteLedger | PgLedger]:
    """Opens (again) one fresh store: a SQLite file, or a schema of its own on the server."""
    if request.param == "sqlite":
        path = tmp_path / "operator.sqlite"
        return lambda: SqliteLedger(path)
    url, schema = pg_url(), _schema()
    return lambda: PgLedger(url, schema=schema)


@pytest.fixture()
def world():
    root = SecretKey(bytes([0xA0]) * 32)
    issuer = Issuer(7, bytes([7]) * 32)
    signed = TrustList(1, NOW, 30 * 86400, [TrustEntry(7, "aptic", issuer.public_key)]).sign(root)
    trust = TrustList.load(signed, root.public_key, NOW)
    return {
        "issuer": issuer,
        "device": Verifier(trust),
        "operator": Verifier(trust, any_scope=True),
        "keys": {"lyon": SecretKey(bytes([0x51]) * 32), "gueret": SecretKey(bytes([0x52]) * 32)},
    }


def _register(world, registry: VenueRegistry) -> None:
    for venue, siret in (("lyon", "12345678900007"), ("gueret", "44234567800019")):
        registry.put_venue(RegisteredVenue(venue, f"Médiathèque {venue}", siret))
        registry.put_key(VenueKey(venue, 1, world["keys"][venue].public_key))


def _cheques(world, n):
    spec = VoucherSpec(date(2026, 1, 1), date(2026, 12, 31))
    return [world["issuer"].issue(spec) for _ in range(n)]


def _batch(world, venue: str, cheques, at: datetime, sequence: int = 1) -> bytes:
    q = OfflineQueue(venue)
    for i, c in enumerate(cheques):
        when = at + timedelta(milliseconds=i)
        q.accept_token(c.token, world["device"].verify(c.qr_payload, when), when)
    return q.export_batch(world["keys"][venue], 1, sequence, at + timedelta(hours=1))


def test_redeem_lookup_and_double_spend(world, opener) -> None:
    cheque = _cheques(world, 1)[0]
    v = world["device"].verify(cheque.qr_payload, NOW)
    with opener() as ledger:
        assert ledger.schema_version == 2
        assert ledger.redeem(v, "lyon", NOW).venue == "lyon"
        with pytest.raises(VoucherError) as e:
            ledger.redeem(v, "gueret", NOW + timedelta(minutes=1))
        assert e.value.code == ErrorCode.ALREADY_REDEEMED
        assert "lyon" in e.value.message
        assert len(ledger) == 1
    # Closed by the with block; the data stays.
    assert ledger.closed
    with pytest.raises(VoucherError) as e:
        ledger.redemption("aptic", cheque.serial)
    assert e.value.code == "ledger_unavailable"
    with opener() as again:
        got = again.redemption("aptic", cheque.serial)
        assert got is not None and (got.venue, got.at) == ("lyon", NOW)
        assert again.redemptions() == [got]
        assert again.to_dicts()[0]["venue"] == "lyon"


def test_redeem_all_is_one_transaction_with_outcomes(world, opener) -> None:
    cheques = _cheques(world, 3)
    rs = [Redemption("aptic", c.serial, 7, 1000, "lyon", NOW + timedelta(seconds=i)) for i, c in enumerate(cheques)]
    with opener() as ledger:
        ledger.record(rs[1])
        out = ledger.redeem_all(rs)
        assert [o.status for o in out] == [SyncStatus.REDEEMED] * 3, "its own winner counts"
        other = Redemption("aptic", cheques[0].serial, 7, 1000, "gueret", NOW)
        (o,) = ledger.redeem_all([other])
        assert o.status == SyncStatus.CONFLICT and o.winner == rs[0]
        with pytest.raises(TypeError):
            ledger.redeem_all([1])
    memory = MemoryLedger()
    assert [o.status for o in memory.redeem_all(rs)] == [SyncStatus.REDEEMED] * 3


def test_offline_queue_syncs_to_a_persistent_ledger(world, opener) -> None:
    cheques = _cheques(world, 2)
    q = OfflineQueue("lyon")
    for c in cheques:
        q.accept(world["device"].verify(c.qr_payload, NOW), NOW)
    with opener() as ledger:
        ledger.redeem(world["device"].verify(cheques[1].qr_payload, NOW), "gueret", NOW)
        report = q.sync(ledger)
        assert report.complete
        assert [o.status for o in report.outcomes] == [SyncStatus.REDEEMED, SyncStatus.CONFLICT]
        assert report.outcomes[1].winner.venue == "gueret"
        assert len(q) == 0


def test_registry_and_log_persist_and_reimport_is_identical(world, opener) -> None:
    cheques = _cheques(world, 3)
    gueret = _batch(world, "gueret", cheques[:1], NOW)
    lyon = _batch(world, "lyon", cheques, NOW - timedelta(minutes=5))
    with opener() as ledger:
        _register(world, ledger.registry)
        assert [v.id for v in ledger.registry.venues()] == ["gueret", "lyon"]
        first = import_batch(gueret, ledger=ledger, verifier=world["operator"], at=NOW + timedelta(hours=2))
        report = import_batch(lyon, ledger=ledger, verifier=world["operator"], at=NOW + timedelta(hours=2))
        assert [o.status.value for o in report.outcomes] == ["conflict", "redeemed", "redeemed"]
        assert report.outcomes[0].winner.venue == "gueret"
    # A restart: the registry, the log and the answers are all still there.
    with opener() as ledger:
        assert ledger.registry.venue("lyon") == RegisteredVenue("lyon", "Médiathèque lyon", "12345678900007")
        assert ledger.registry.key("lyon", 1).public_key == world["keys"]["lyon"].public_key
        assert len(ledger.registry) == 2
        log = ledger.import_log
        assert isinstance(log, ImportLog) and len(log) == 2
        assert log.report(report.batch_id) == report
        assert log.reports() == [first, report]
        again = import_batch(lyon, ledger=ledger, verifier=world["operator"], at=NOW + timedelta(days=3))
        assert again == report
        # Explicit registry and log work too (here, the ledger's own).
        assert import_batch(
            gueret,
            ledger=ledger,
            registry=ledger.registry,
            log=ledger.import_log,
            verifier=world["operator"],
            at=NOW + timedelta(days=3),
        ) == first
        assert len(ledger) == 3


def test_unknown_venue_and_bad_batch_signature(world, opener) -> None:
    cheques = _cheques(world, 1)
    with opener() as ledger:
        _register(world, ledger.registry)
        paris = OfflineQueue("paris")
        paris.accept_token(cheques[0].token, world["device"].verify(cheques[0].qr_payload, NOW), NOW)
        data = paris.export_batch(world["keys"]["lyon"], 1, 1, NOW)
        with pytest.raises(VoucherError) as e:
            import_batch(data, ledger=ledger, verifier=world["operator"], at=NOW)
        assert e.value.code == ErrorCode.UNKNOWN_VENUE
        forged = OfflineQueue("lyon")
        forged.accept_token(cheques[0].token, world["device"].verify(cheques[0].qr_payload, NOW), NOW)
        data = forged.export_batch(world["keys"]["gueret"], 1, 1, NOW)
        with pytest.raises(VoucherValidationError) as e2:
            import_batch(data, ledger=ledger, verifier=world["operator"], at=NOW)
        assert e2.value.code == ErrorCode.BAD_BATCH_SIGNATURE
        with pytest.raises(VoucherError) as e:
            ledger.registry.put_key(VenueKey("paris", 1, world["keys"]["lyon"].public_key))
        assert e.value.code == "unknown_venue"
        assert len(ledger.import_log) == 0 and len(ledger) == 0


def test_memory_ledger_still_needs_its_registry_and_log(world) -> None:
    data = _batch(world, "lyon", _cheques(world, 1), NOW)
    with pytest.raises(TypeError, match="registry"):
        import_batch(data, ledger=MemoryLedger(), verifier=world["operator"], at=NOW)
    with pytest.raises(TypeError, match="ledger"):
        import_batch(data, ledger=object(), registry=VenueRegistry(), log=ImportLog(), verifier=world["operator"], at=NOW)
    with pytest.raises(TypeError):
        OfflineQueue("lyon").sync(object())


def test_sqlite_file_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_bytes(b"not a database at all, just some text " * 200)
    with pytest.raises(VoucherError) as e:
        SqliteLedger(text)
    assert e.value.code == ErrorCode.LEDGER_CORRUPT and "notes.txt" in e.value.message
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(VoucherError) as e:
        SqliteLedger(foreign)
    assert e.value.code == "ledger_corrupt" and "foreign" in e.value.message
    with pytest.raises(ValueError, match="durability"):
        SqliteLedger(tmp_path / "x.sqlite", durability="fast")
    normal = SqliteLedger(tmp_path / "n.sqlite", durability="normal")
    assert normal.durability == "normal"
    assert SqliteLedger(tmp_path / "f.sqlite").durability == "full"
    normal.integrity_check()
    assert "n.sqlite" in repr(normal) and normal.path.name == "n.sqlite"
    normal.close()
    normal.close()
    assert "closed" in repr(normal)


_HOLD_LOCK = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("ROLLBACK")
"""


def test_sqlite_busy_is_ledger_busy(world, tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    SqliteLedger(path).close()
    # Another process holds the write lock (POSIX locks are per process: a second
    # SQLite library in this process would not see them).
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        ledger = SqliteLedger(path, busy_timeout=0.05)
        v = world["device"].verify(_cheques(world, 1)[0].qr_payload, NOW)
        started = datetime.now()
        with pytest.raises(VoucherError) as e:
            ledger.redeem(v, "lyon", NOW)
        assert e.value.code == ErrorCode.LEDGER_BUSY
        assert datetime.now() - started < timedelta(seconds=5)
    finally:
        holder.communicate("\n", timeout=30)
    assert ledger.redeem(v, "lyon", NOW).venue == "lyon"
    with pytest.raises(ValueError, match="busy_timeout"):
        SqliteLedger(path, busy_timeout=-1)


def test_pg_errors_never_show_the_password() -> None:
    pg_url()
    with pytest.raises(VoucherError) as e:
        PgLedger("postgresql://ledger:hunter2@/postgres?host=/nonexistent-inclusif-dir")
    assert e.value.code == "ledger_unavailable"
    assert "hunter2" not in str(e.value) and "ledger@/nonexistent-inclusif-dir" in e.value.message
    with pytest.raises(VoucherValidationError) as e2:
        PgLedger(pg_url(), schema="Bad-Name")
    assert e2.value.code == "invalid_field"
    ledger = PgLedger(pg_url(), schema=_schema())
    assert ledger.location.startswith("ledger@") and "postgresql://" not in repr(ledger)
    ledger.close()
    assert ledger.closed


def test_database_calls_release_the_gil(world, opener) -> None:
    """Threads redeeming the same cheques at once: one winner each, every loser told."""
    cheques = _cheques(world, 40)
    verified = [world["device"].verify(c.qr_payload, NOW) for c in cheques]
    first = opener()
    first.close()
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(venue: str) -> None:
        try:
            with opener() as ledger:
                got = []
                for v in verified:
                    try:
                        ledger.redeem(v, venue, NOW)
                        got.append(v.serial)
                    except VoucherError as e:
                        assert e.code == "already_redeemed"
                results[venue] = got
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(f"venue-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    won = [s for got in results.values() for s in got]
    assert sorted(won) == sorted(v.serial for v in verified)
