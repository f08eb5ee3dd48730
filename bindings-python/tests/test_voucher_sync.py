"""Offline sync in Python: a venue's queue exported as a signed batch (PNRB v1), the
operator's venue registry, import log and import_batch, the answer applied back on the
device; and the shared batch vectors (tests/vectors/batches.tsv), with the same outcomes as
the Rust suite (tests/tests/redemption_batches.rs)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import VECTORS, read_tsv

from inclusif import VoucherError, VoucherValidationError
from inclusif.voucher import (
    BatchOutcome,
    BatchStatus,
    ErrorCode,
    ImportLog,
    ImportReport,
    Issuer,
    MemoryLedger,
    OfflineQueue,
    RedemptionBatch,
    RegisteredVenue,
    SecretKey,
    Token,
    TrustEntry,
    TrustList,
    VenueKey,
    VenueRegistry,
    Verifier,
    VoucherSpec,
    import_batch,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
BATCHES = read_tsv(VECTORS / "batches.tsv")
KEYS = read_tsv(VECTORS / "keys.tsv")
# The registry of batches.tsv (its header comment): venue, SIRET, active, key 1's seed.
VECTOR_VENUES = [
    ("venue-lyon-01", "12345678900007", True, bytes([0x5A]) * 32),
    ("venue-gueret-02", "44234567800019", True, bytes([0x5B]) * 32),
    ("venue-paris-03", "35600000000048", False, bytes([0x5C]) * 32),
]


@pytest.fixture()
def world():
    root = SecretKey(bytes([0xA0]) * 32)
    issuer = Issuer(7, bytes([7]) * 32)
    signed = TrustList(1, NOW, 30 * 86400, [TrustEntry(7, "aptic", issuer.public_key)]).sign(root)
    trust = TrustList.load(signed, root.public_key, NOW)
    keys = {"lyon": SecretKey(bytes([0x51]) * 32), "gueret": SecretKey(bytes([0x52]) * 32)}
    registry = VenueRegistry()
    for venue, siret in (("lyon", "12345678900007"), ("gueret", "44234567800019")):
        registry.put_venue(RegisteredVenue(venue, f"Médiathèque {venue}", siret))
        registry.put_key(VenueKey(venue, 1, keys[venue].public_key))
    return {
        "issuer": issuer,
        "device": Verifier(trust),
        "operator": Verifier(trust, any_scope=True),
        "keys": keys,
        "registry": registry,
        "ledger": MemoryLedger(),
        "log": ImportLog(),
    }


def _cheques(world, n):
    spec = VoucherSpec(date(2026, 1, 1), date(2026, 12, 31))
    return [world["issuer"].issue(spec) for _ in range(n)]


def _import(world, data, at):
    return import_batch(
        data,
        ledger=world["ledger"],
        registry=world["registry"],
        log=world["log"],
        verifier=world["operator"],
        at=at,
    )


def test_offline_venues_sync_through_signed_batches(world) -> None:
    cheques = _cheques(world, 3)
    lyon, gueret = OfflineQueue("lyon"), OfflineQueue("gueret")
    for c in cheques:
        lyon.accept_token(c.token, world["device"].verify(c.qr_payload, NOW), NOW + timedelta(minutes=1))
    gueret.accept_token(cheques[0].token, world["device"].verify(cheques[0].qr_payload, NOW), NOW)
    with pytest.raises(VoucherError) as e:
        lyon.accept_token(cheques[0].token, world["device"].verify(cheques[0].qr_payload, NOW), NOW)
    assert e.value.code == ErrorCode.ALREADY_REDEEMED
    with pytest.raises(VoucherValidationError) as e:
        lyon.accept_token(cheques[1].token, world["device"].verify(cheques[0].qr_payload, NOW), NOW)
    assert e.value.code == ErrorCode.INVALID_FIELD
    assert [t == c.token for t, c in zip(lyon.pending_tokens(), cheques)] == [True] * 3

    # The queue survives a restart with its tokens, and exports the same bytes.
    data = lyon.export_batch(world["keys"]["lyon"], 1, 1, NOW + timedelta(hours=1))
    again = OfflineQueue.from_jsonl("lyon", lyon.export_jsonl())
    assert again.export_batch(world["keys"]["lyon"].to_bytes(), 1, 1, NOW + timedelta(hours=1)) == data
    assert data[:5] == b"PNRB\x01"
    batch = RedemptionBatch.open(data, world["keys"]["lyon"].public_key)
    assert (batch.venue, batch.key_id, batch.sequence, len(batch)) == ("lyon", 1, 1, 3)
    assert batch == RedemptionBatch.parse(data) and hash(batch) == hash(RedemptionBatch.parse(data))
    assert [t for t, _ in batch.items] == [c.token for c in cheques]

    g = _import(world, gueret.export_batch(world["keys"]["gueret"], 1, 1, NOW + timedelta(hours=1)), NOW + timedelta(hours=2))
    report = _import(world, data, NOW + timedelta(hours=2))
    assert isinstance(report, ImportReport) and report.batch_id == batch.batch_id
    assert [o.status for o in report.outcomes] == [BatchStatus.CONFLICT, BatchStatus.REDEEMED, BatchStatus.REDEEMED]
    assert report.counts() == {"redeemed": 2, "conflict": 1, "rejected": 0}
    first = report.outcomes[0]
    assert not first and first.winner.venue == "gueret" and first.redemption.venue == "lyon"
    assert first.serial == cheques[0].serial and first.error is None
    rows = report.to_dicts()
    assert rows[0]["winner_venue"] == "gueret" and rows[1]["status"] == "redeemed"
    # Importing again changes nothing and returns the same report.
    assert _import(world, data, NOW + timedelta(days=1)) == report
    assert len(world["ledger"]) == 3 and len(world["log"]) == 2
    assert world["log"].report(report.batch_id) == report
    # The device settles its queue from the answer.
    assert lyon.apply_outcomes(report) == 3 and len(lyon) == 0
    assert gueret.apply_outcomes(g.outcomes) == 1 and len(gueret) == 0
    with pytest.raises(TypeError):
        gueret.apply_outcomes([1])


def test_batch_level_refusals(world) -> None:
    (c,) = _cheques(world, 1)
    q = OfflineQueue("lyon")
    q.accept_token(c.token, world["device"].verify(c.qr_payload, NOW), NOW)
    later = NOW + timedelta(hours=1)
    forged = q.export_batch(world["keys"]["gueret"], 1, 1, later)
    with pytest.raises(VoucherValidationError) as e:
        _import(world, forged, later)
    assert e.value.code == ErrorCode.BAD_BATCH_SIGNATURE
    with pytest.raises(VoucherError) as e:
        _import(world, q.export_batch(world["keys"]["lyon"], 2, 1, later), later)
    assert e.value.code == ErrorCode.UNKNOWN_VENUE and not isinstance(e.value, ValueError)
    with pytest.raises(VoucherValidationError) as e:
        _import(world, b"PNRB", later)
    assert e.value.code == ErrorCode.BATCH_MALFORMED
    with pytest.raises(VoucherValidationError) as e:
        OfflineQueue("lyon").export_batch(world["keys"]["lyon"], 1, 1, later)
    assert e.value.code == ErrorCode.BATCH_MALFORMED
    assert len(world["ledger"]) == 0 and len(world["log"]) == 0


def test_registry_values(world) -> None:
    with pytest.raises(VoucherValidationError) as e:
        RegisteredVenue("lyon", "Lyon", "12345678900008")
    assert e.value.code == ErrorCode.INVALID_FIELD
    with pytest.raises(VoucherValidationError):
        RegisteredVenue("Lyon", "Lyon", "12345678900007")
    with pytest.raises(VoucherError) as e:
        world["registry"].put_key(VenueKey("nantes", 1, world["keys"]["lyon"].public_key))
    assert e.value.code == ErrorCode.UNKNOWN_VENUE
    venue = world["registry"].venue("lyon")
    assert venue.to_dict() == {"id": "lyon", "name": "Médiathèque lyon", "siret": "12345678900007", "active": True}
    key = world["registry"].key("lyon", 1)
    assert key.public_key == world["keys"]["lyon"].public_key and key == VenueKey("lyon", 1, key.public_key)
    assert [v.id for v in world["registry"].venues()] == ["gueret", "lyon"] and len(world["registry"]) == 2
    assert world["registry"].key("lyon", 2) is None and world["registry"].venue("paris") is None
    assert "lyon" in repr(venue) and "key_id=1" in repr(key)


def _vector_registry() -> VenueRegistry:
    registry = VenueRegistry()
    for venue, siret, active, seed in VECTOR_VENUES:
        registry.put_venue(RegisteredVenue(venue, venue, siret, active))
        registry.put_key(VenueKey(venue, 1, SecretKey(seed).public_key))
    return registry


def _shown(outcome: BatchOutcome) -> str:
    if outcome.status is BatchStatus.CONFLICT:
        winner = outcome.winner
        at = winner.at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"conflict:{winner.venue}@{at}"
    if outcome.status is BatchStatus.REJECTED:
        return f"rejected:{outcome.error.value}"
    return "redeemed"


def test_batch_vectors() -> None:
    (root,) = [r for r in KEYS if r["role"] == "root"]
    data = bytes.fromhex((VECTORS / "trust_list.hex").read_text().strip())
    trust = TrustList.open(data, SecretKey.from_hex(root["seed"]).public_key)
    operator = Verifier(trust, any_scope=True)
    ledger, log, registry = MemoryLedger(), ImportLog(), _vector_registry()
    assert len(BATCHES) >= 20
    seen = set()
    for row in BATCHES:
        data = bytes.fromhex(row["batch"])
        at = datetime.fromisoformat(row["at"].replace("Z", "+00:00"))
        if row["expect"] == "ok":
            report = import_batch(data, ledger=ledger, registry=registry, log=log, verifier=operator, at=at)
            assert ";".join(_shown(o) for o in report.outcomes) == row["outcomes"], row["name"]
            assert report.batch_id == row["batch_id"] == RedemptionBatch.parse(data).batch_id, row["name"]
        else:
            with pytest.raises((VoucherError, VoucherValidationError)) as e:
                import_batch(data, ledger=ledger, registry=registry, log=log, verifier=operator, at=at)
            assert e.value.code == row["expect"], row["name"]
        seen.add(row["expect"])
    assert seen == {"ok", "batch_malformed", "bad_batch_signature", "unknown_venue"}
    assert len(ledger) == 6 and len(log) == 4


def test_new_codes_are_listed() -> None:
    for code in ("batch_malformed", "bad_batch_signature", "unknown_venue"):
        assert ErrorCode(code).value == code
    assert [s.value for s in BatchStatus] == ["redeemed", "conflict", "rejected"]
    assert Token is not None
