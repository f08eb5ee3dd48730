"""inclusif.voucher from Python: keys, trust lists, tokens, verification (single and
batch), issuance, phone codes, the ledger and the offline queue; native values, errors
and their codes, enums, pickling, DataFrames, the GIL released."""

from __future__ import annotations

import pickle
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import inclusif
from inclusif import InclusifError, VoucherError, VoucherValidationError, voucher
from inclusif._inclusif import VOUCHER_ERROR_CODES, _voucher_unpickle
from inclusif.voucher import (
    ErrorCode,
    Issuer,
    KeyStatus,
    MemoryLedger,
    OfflineQueue,
    PublicKey,
    Redemption,
    SecretKey,
    SyncStatus,
    Token,
    TrustEntry,
    TrustList,
    VerificationBatch,
    Verifier,
    VoucherSpec,
)

UTC = timezone.utc
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
SPEC = VoucherSpec(date(2026, 1, 1), date(2026, 12, 31))
ROOT = SecretKey(bytes([0xA0] * 32))
KID7 = SecretKey(bytes([0x07] * 32))
VALID_TEXT = (
    "0400EQQD00000000000020Z84MCJD18003468587HNZNWP4PD9XETQN4EWQP06YDPJ076908DYEV3XKTJWDRKFBNW1JQD5W5"
    "CGNAD5GXBGRSNM8886CC6AK77XQH0JJKC5G3JXRA"
)


def trust(*entries: TrustEntry, sequence: int = 1, max_age: int = 7 * 86400) -> TrustList:
    if not entries:
        entries = (TrustEntry(7, "aptic", KID7.public_key),)
    return TrustList(sequence, NOW, max_age, entries)


def signed(*entries: TrustEntry, sequence: int = 1) -> bytes:
    return trust(*entries, sequence=sequence).sign(ROOT)


def verifier(**options: Any) -> Verifier:
    return Verifier(TrustList.load(signed(), ROOT.public_key, NOW), **options)


def issuer() -> Issuer:
    return Issuer(7, KID7)


# ---- keys ----


def test_keys_take_and_give_bytes_and_hex() -> None:
    k = SecretKey.generate()
    assert len(k.to_bytes()) == 32 and len(k.to_hex()) == 64
    assert SecretKey(k.to_bytes()) == SecretKey.from_bytes(k.to_bytes()) == SecretKey.from_hex(k.to_hex()) == k
    assert hash(SecretKey(k.to_bytes())) == hash(k) and k != SecretKey.generate()
    p = k.public_key
    assert isinstance(p, PublicKey) and len(bytes(p)) == 32 and p.to_bytes() == bytes(p)
    assert PublicKey(bytes(p)) == PublicKey.from_hex(p.to_hex()) == p and {p, PublicKey(bytes(p))} == {p}
    # Never shown, never pickled.
    assert k.to_hex() not in repr(k) and p.to_hex() in repr(k)
    with pytest.raises(TypeError, match="vault"):
        pickle.dumps(k)
    assert pickle.loads(pickle.dumps(p)) == p


def test_bad_keys_keep_their_codes() -> None:
    with pytest.raises(VoucherValidationError) as e:
        SecretKey(b"\x01" * 31)
    assert e.value.code == "invalid_key" and isinstance(e.value, ValueError)
    assert e.value.code == ErrorCode.INVALID_KEY
    identity = b"\x01" + b"\x00" * 31
    with pytest.raises(VoucherValidationError) as e:
        PublicKey(identity)
    assert e.value.code == "weak_key"
    with pytest.raises(VoucherValidationError, match="hex"):
        PublicKey.from_hex("zz")
    with pytest.raises(TypeError):
        PublicKey("00" * 32)  # type: ignore[arg-type]


# ---- trust lists ----


def test_trust_lists_build_sign_load_and_fail_closed() -> None:
    limited = TrustEntry(
        9,
        "region-creuse",
        SecretKey(bytes([9] * 32)).public_key.to_bytes(),
        status=KeyStatus.REVOKED,
        window_from=date(2025, 1, 1),
        window_until=date(2026, 6, 30),
        max_value_cents=2000,
        scopes=[23, 0],
    )
    t = trust(TrustEntry(7, "aptic", KID7.public_key), limited, sequence=3)
    data = t.sign(ROOT)
    assert t.sign(ROOT.to_bytes()) == data
    back = TrustList.load(data, ROOT.public_key, NOW)
    assert back == t and hash(back) == hash(t) and len(back) == 2
    assert (back.sequence, back.issued_at, back.max_age_seconds) == (3, NOW, 7 * 86400)
    assert back.expires_at == NOW + timedelta(days=7)
    e9 = back.entry(9)
    # The list keeps scopes sorted: an entry comes back equal once its scopes are.
    assert e9 is not None and e9 != limited and e9.to_dict() == {**limited.to_dict(), "scopes": [0, 23]}
    assert (e9.status, e9.scopes, e9.window_until) == (KeyStatus.REVOKED, [0, 23], date(2026, 6, 30))
    assert back.entry(8) is None
    assert [e.kid for e in back] == [7, 9]
    e7 = back.entry(7)
    assert e7 is not None and (e7.window_from, e7.window_until, e7.max_value_cents, e7.scopes) == (
        date(2000, 1, 1),
        date(2179, 6, 6),
        65535,
        [],
    )
    assert back.to_dict()["entries"][1]["status"] == KeyStatus.REVOKED
    assert pickle.loads(pickle.dumps(back)) == back and pickle.loads(pickle.dumps(e9)) == e9
    # Stale: a VoucherError (state), not a ValueError.
    late = back.expires_at + timedelta(seconds=1)
    assert back.is_fresh(back.expires_at) and not back.is_fresh(late)
    with pytest.raises(VoucherError) as e:
        TrustList.load(data, ROOT.public_key, late)
    assert e.value.code == "trust_list_expired" and not isinstance(e.value, ValueError)
    with pytest.raises(VoucherError):
        back.check_fresh(late)
    with pytest.raises(VoucherValidationError) as e:
        TrustList.open(data, KID7.public_key)
    assert e.value.code == "trust_list_bad_signature"
    with pytest.raises(VoucherValidationError) as e:
        TrustList.open(data[:-1], ROOT.public_key)
    assert e.value.code == ErrorCode.TRUST_LIST_BAD_SIGNATURE


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([TrustEntry(7, "APTIC", KID7.public_key)], "trust_list_malformed"),
        ([TrustEntry(7, "aptic", KID7.public_key)] * 2, "trust_list_malformed"),
        ([TrustEntry(0, "aptic", KID7.public_key)], "invalid_field"),
        ([TrustEntry(7, "aptic", KID7.public_key, max_value_cents=0)], "trust_list_malformed"),
        (
            [TrustEntry(7, "aptic", KID7.public_key, window_from=date(2027, 1, 1), window_until=date(2026, 1, 1))],
            "trust_list_malformed",
        ),
    ],
)
def test_trust_entries_that_break_a_rule(entries: list[TrustEntry], code: str) -> None:
    with pytest.raises(VoucherValidationError) as e:
        TrustList(1, NOW, 60, entries)
    assert e.value.code == code


def test_trust_entry_arguments_are_typed() -> None:
    with pytest.raises(ValueError):
        TrustEntry(7, "aptic", KID7.public_key, status="paused")
    with pytest.raises(TypeError):
        TrustEntry(7, "aptic", KID7.public_key, window_from=NOW)  # a datetime is not a date
    with pytest.raises(TypeError):
        TrustList(1, NOW, 60, ["not an entry"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="naive"):
        TrustList(1, datetime(2026, 6, 1), 60)
    assert TrustEntry(7, "aptic", KID7.public_key, status="revoked").status is KeyStatus.REVOKED


# ---- tokens and codes ----


def test_tokens_read_every_form_and_give_their_fields() -> None:
    t = Token.from_text(VALID_TEXT)
    assert Token.from_text("PN1:" + VALID_TEXT) == Token.from_human(VALID_TEXT.lower()) == Token(bytes(t)) == t
    assert len(bytes(t)) == voucher.TOKEN_LEN and len(t.to_text()) == voucher.TEXT_LEN
    assert t.to_qr_payload() == voucher.QR_PREFIX + t.to_text()
    assert (t.kid, t.serial, t.value_cents, t.scope) == (7, "5eed0000000000000001", 1000, 0)
    assert (t.valid_from, t.valid_until) == (date(2026, 1, 1), date(2026, 12, 31))
    assert t.short_code == "BVPG-0000-0000-0001-S" and t.keypad_code == "04482 74327 73521 58138 20417 6"
    assert t.to_dict()["qr_payload"] == t.to_qr_payload()
    assert {t, Token.from_text(VALID_TEXT)} == {t} and pickle.loads(pickle.dumps(t)) == t
    assert "5eed0000000000000001" in repr(t)
    with pytest.raises(AttributeError):
        t.kid = 8  # type: ignore[misc]
    for bad, code in [("PN1:NOPE", "malformed"), ("u" + VALID_TEXT[1:], "malformed")]:
        with pytest.raises(VoucherValidationError) as e:
            Token.from_text(bad)
        assert e.value.code == code
    with pytest.raises(VoucherValidationError) as e:
        Token(b"\x02" + bytes(t)[1:])
    assert e.value.code == "unsupported_version"


def test_phone_codes() -> None:
    serial = "5eed0000000000000001"
    assert voucher.short_code(serial) == "BVPG-0000-0000-0001-S"
    assert voucher.parse_short_code("bvpg 0000 oooo ooo1 s") == serial
    assert voucher.parse_keypad_code(voucher.keypad_code(serial)) == serial
    assert voucher.parse_phone_code("04482-74327-73521-58138-20417-6") == serial
    assert voucher.normalize_human("ab-cd o") == "ABCD0"
    assert len(voucher.random_serial()) == 20 and voucher.random_serial() != voucher.random_serial()
    with pytest.raises(VoucherValidationError) as e:
        voucher.parse_phone_code("BVPG-0000-0000-0001-T")
    assert e.value.code == "bad_check_character"
    with pytest.raises(VoucherValidationError) as e:
        voucher.short_code("not a serial")
    assert e.value.code == "malformed"


# ---- verification ----


def test_verify_every_entry_point() -> None:
    v = verifier()
    cheque = issuer().issue(SPEC, "5eed0000000000000001")
    ok = v.verify(cheque.qr_payload, NOW)
    assert (ok.issuer, ok.kid, ok.serial, ok.value_cents, ok.value, ok.scope) == (
        "aptic",
        7,
        "5eed0000000000000001",
        1000,
        Decimal("10.00"),
        0,
    )
    assert ok == v.verify(cheque.text, NOW) == v.verify_human(cheque.text.lower(), NOW)
    assert ok == v.verify_bytes(bytes(cheque.token), NOW) == v.verify_token(cheque.token, NOW)
    assert ok.short_code == cheque.short_code and ok.keypad_code == cheque.keypad_code
    assert ok.to_dict()["valid_until"] == date(2026, 12, 31)
    assert pickle.loads(pickle.dumps(ok)) == ok and hash(pickle.loads(pickle.dumps(ok))) == hash(ok)
    assert v.time_zone == voucher.DEFAULT_TIME_ZONE and v.trust_list.sequence == 1
    # An instant given in any time zone is the same instant.
    assert v.verify(cheque.qr_payload, NOW.astimezone(ZoneInfo("Pacific/Noumea"))) == ok


def test_verify_errors_and_time_zones() -> None:
    cheque = issuer().issue(VoucherSpec(date(2026, 1, 1), date(2026, 6, 1), scope=974))
    v = verifier()
    with pytest.raises(VoucherValidationError) as e:
        v.verify(cheque.qr_payload, NOW)
    assert e.value.code == ErrorCode.SCOPE_NOT_ACCEPTED
    reunion = verifier(time_zone=ZoneInfo("Indian/Reunion"), scopes=[974])
    assert reunion.time_zone == "Indian/Reunion"
    evening = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # already 2 June in La Réunion
    assert verifier(any_scope=True).verify(cheque.qr_payload, evening).scope == 974
    with pytest.raises(VoucherValidationError) as e:
        reunion.verify(cheque.qr_payload, evening)
    assert e.value.code == "expired" and "Indian/Reunion" in str(e.value)
    revoked = verifier(revoked_serials=[cheque.short_code], scopes=[974])
    with pytest.raises(VoucherValidationError) as e:
        revoked.verify(cheque.qr_payload, NOW)
    assert e.value.code == "revoked_serial"
    with pytest.raises(VoucherValidationError) as e:
        verifier(time_zone="Mars/Olympus")
    assert e.value.code == "invalid_field"
    with pytest.raises(ValueError, match="naive"):
        v.verify(cheque.qr_payload, datetime(2026, 6, 1, 10, 0))
    with pytest.raises(TypeError):
        v.verify(cheque.qr_payload, date(2026, 6, 1))  # type: ignore[arg-type]


def test_a_verifier_takes_newer_trust_lists_only() -> None:
    v = verifier()
    newer = TrustList.load(signed(sequence=2), ROOT.public_key, NOW)
    v.replace_trust_list(newer)
    v.replace_trust_list(newer)  # the same list again: a no-op
    assert v.trust_list == newer
    with pytest.raises(VoucherError) as e:
        v.replace_trust_list(trust(sequence=1))
    assert e.value.code == "trust_list_rollback" and not isinstance(e.value, ValueError)


def test_batches_keep_order_count_and_become_dataframes() -> None:
    pandas = pytest.importorskip("pandas")
    v = verifier()
    cheques = issuer().booklet(SPEC, 5)
    old = issuer().issue(VoucherSpec(date(2025, 1, 1), date(2025, 12, 31)))
    texts = [c.qr_payload for c in cheques] + ["PN1:NOPE", old.qr_payload, cheques[0].text]
    batch = v.verify_batch(texts, NOW)
    assert isinstance(batch, VerificationBatch) and len(batch) == 8
    assert batch.counts() == {"ok": 6, "malformed": 1, "expired": 1}
    assert (batch.ok_count, batch.error_count) == (6, 2)
    assert [r.ok for r in batch] == [True] * 5 + [False, False, True]
    r = batch[-3]
    assert (r.index, r.ok, r.error, r.voucher, bool(r)) == (5, False, ErrorCode.MALFORMED, None, False)
    assert r.message is not None and r.message.startswith("token:")
    assert batch[6].error is ErrorCode.EXPIRED
    assert batch[0].voucher == v.verify(texts[0], NOW) == batch.vouchers()[0]
    with pytest.raises(IndexError):
        batch[8]
    columns = batch.to_columns()
    assert batch.to_dict() == columns
    df = pandas.DataFrame(columns)
    assert df.shape == (8, 13) and list(df["ok"]) == [r.ok for r in batch]
    assert df.loc[5, "error"] == "malformed" and df.loc[0, "issuer"] == "aptic"
    rows = pandas.DataFrame(batch.to_dicts())
    assert list(rows.columns) == list(df.columns) and rows.shape == df.shape
    assert batch.to_dicts()[5] == batch[5].to_dict()
    back = pickle.loads(pickle.dumps(batch))
    assert back == batch and list(back) == list(batch)
    assert pickle.loads(pickle.dumps(r)) == r and hash(r) == hash(pickle.loads(pickle.dumps(r)))
    # Any iterable of str; human texts; raw bytes.
    assert v.verify_batch(iter(texts), NOW) == batch
    assert v.verify_batch([t.lower()[4:] for t in texts[:5]], NOW, human=True).counts() == {"ok": 5}
    assert v.verify_batch_bytes([bytes(c.token) for c in cheques] + [b"\x01"], NOW).counts() == {
        "ok": 5,
        "malformed": 1,
    }
    assert len(v.verify_batch([], NOW)) == 0 and v.verify_batch([], NOW).counts() == {}


def test_batch_arguments_are_checked() -> None:
    v = verifier()
    with pytest.raises(TypeError, match="one str"):
        v.verify_batch("PN1:...", NOW)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        v.verify_batch(["a", b"b"], NOW)  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"tokens\[0\]"):
        v.verify_batch_bytes(["a"], NOW)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="naive"):
        v.verify_batch([], datetime(2026, 6, 1))


def test_a_stale_trust_list_refuses_the_whole_batch() -> None:
    v = verifier()
    late = NOW + timedelta(days=8)
    batch = v.verify_batch([issuer().issue(SPEC).qr_payload, "garbage"], late)
    assert batch.counts() == {"trust_list_expired": 2}


def test_verify_batch_releases_the_gil() -> None:
    v = verifier()
    texts = [c.qr_payload for c in issuer().booklet(SPEC, 200)] * 40
    span: list[float] = []
    ticks: list[float] = []

    def work() -> None:
        span.append(time.perf_counter())
        v.verify_batch(texts, NOW)
        span.append(time.perf_counter())

    t = threading.Thread(target=work)
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.0005)
    t.join()
    start, end = span
    during = [x for x in ticks if start < x < end]
    # The main thread kept running while the batch ran (if it took a while).
    if end - start > 0.05:
        assert len(during) > 3, (end - start, len(during))


# ---- issuance ----


def test_issue_booklets_and_print_runs() -> None:
    i = issuer()
    assert (i.kid, i.public_key) == (7, KID7.public_key)
    assert "7" in repr(i)
    one = i.issue(SPEC, "5eed0000000000000001")
    assert one.token.to_text() == VALID_TEXT == one.text and one.qr_payload == "PN1:" + VALID_TEXT
    assert (one.serial, one.short_code) == ("5eed0000000000000001", "BVPG-0000-0000-0001-S")
    assert one.to_dict()["keypad_code"] == one.keypad_code
    assert pickle.loads(pickle.dumps(one)) == one
    booklet = i.booklet(SPEC)
    assert len(booklet) == voucher.DEFAULT_BOOKLET_SIZE == 10
    assert len({c.serial for c in booklet}) == 10
    assert all(c.token.value_cents == voucher.DEFAULT_VALUE_CENTS for c in booklet)
    reports: list[tuple[int, int]] = []
    run = i.print_run(SPEC, 1500, lambda done, total: reports.append((done, total)))
    assert len(run) == 1500 and len({c.serial for c in run}) == 1500
    assert reports[-1] == (1500, 1500) and all(a[0] < b[0] for a, b in zip(reports, reports[1:]))
    assert len(i.print_run(SPEC, 0)) == 0
    assert Issuer.generate(3).kid == 3 and Issuer(7, KID7.to_bytes()).public_key == i.public_key


def test_a_progress_callback_that_raises_is_raised_after_the_run() -> None:
    def stop(done: int, total: int) -> None:
        raise RuntimeError(f"{done}/{total}")

    with pytest.raises(RuntimeError, match="/300"):
        issuer().print_run(SPEC, 300, stop)


@pytest.mark.parametrize(
    "spec",
    [
        VoucherSpec(date(2026, 1, 1), date(2026, 12, 31), value_cents=0),
        VoucherSpec(date(2026, 1, 1), date(2025, 12, 31)),
        VoucherSpec(date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=1101)),
        VoucherSpec(date(1999, 12, 31), date(2000, 1, 31)),
    ],
)
def test_specs_that_break_a_rule(spec: VoucherSpec) -> None:
    with pytest.raises(VoucherValidationError) as e:
        issuer().issue(spec)
    assert e.value.code == "invalid_field"
    assert pickle.loads(pickle.dumps(spec)) == spec


def test_issuer_arguments() -> None:
    with pytest.raises(VoucherValidationError) as e:
        Issuer(0, KID7)
    assert e.value.code == "invalid_field"
    with pytest.raises(TypeError):
        Issuer(7, KID7.to_hex())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        VoucherSpec(NOW, NOW)


# ---- redemption ----


def vouchers(n: int) -> list[Any]:
    v = verifier()
    return [v.verify(c.qr_payload, NOW) for c in issuer().booklet(SPEC, n)]


def test_a_ledger_redeems_once() -> None:
    pandas = pytest.importorskip("pandas")
    (x,) = vouchers(1)
    ledger = MemoryLedger()
    r = ledger.redeem(x, "venue-lyon-01", NOW)
    assert (r.issuer, r.serial, r.kid, r.value_cents, r.value, r.venue, r.at) == (
        "aptic",
        x.serial,
        7,
        1000,
        Decimal("10.00"),
        "venue-lyon-01",
        NOW,
    )
    with pytest.raises(VoucherError) as e:
        ledger.redeem(x, "venue-gueret-02", NOW + timedelta(hours=1))
    assert e.value.code == ErrorCode.ALREADY_REDEEMED and not isinstance(e.value, ValueError)
    assert "venue-lyon-01" in str(e.value)
    assert ledger.redemption("aptic", x.serial) == r and ledger.redemption("other", x.serial) is None
    assert len(ledger) == 1 and ledger.redemptions() == [r]
    assert pandas.DataFrame(ledger.to_dicts()).loc[0, "venue"] == "venue-lyon-01"
    assert pickle.loads(pickle.dumps(r)) == r and Redemption.from_json(r.to_json()) == r
    with pytest.raises(VoucherError):
        ledger.record(Redemption("aptic", x.serial, 7, 1000, "elsewhere", NOW))
    with pytest.raises(VoucherValidationError) as e2:
        Redemption("aptic", "xyz", 7, 1000, "lyon", NOW)
    assert e2.value.code == "malformed"


def test_offline_queue_exports_restores_and_syncs() -> None:
    xs = vouchers(3)
    ledger = MemoryLedger()
    gueret = OfflineQueue("gueret")
    gueret.accept(xs[0], NOW)
    with pytest.raises(VoucherError) as e:
        gueret.accept(xs[0], NOW)
    assert e.value.code == "already_redeemed"
    lyon = OfflineQueue("lyon")
    for x in xs:
        lyon.accept(x, NOW + timedelta(minutes=1))
    text = lyon.export_jsonl()
    assert len(text.splitlines()) == 3 and len(lyon) == 3
    # The device restarts: the queue comes back from its export, or from its pending list.
    again = OfflineQueue.from_jsonl("lyon", text)
    assert again.pending() == lyon.pending() == OfflineQueue.restore("lyon", lyon.pending()).pending()
    with pytest.raises(VoucherValidationError) as e2:
        OfflineQueue.from_jsonl("gueret", text)
    assert e2.value.code == "invalid_field"
    with pytest.raises(VoucherValidationError, match="line 2"):
        OfflineQueue.from_jsonl("lyon", text.splitlines()[0] + "\n{}\n")

    assert gueret.sync(ledger).complete
    report = again.sync(ledger)
    assert report and report.complete and report.error is None and report.message is None
    assert [o.status for o in report.outcomes] == [SyncStatus.CONFLICT, SyncStatus.REDEEMED, SyncStatus.REDEEMED]
    assert report.counts() == {"redeemed": 2, "conflict": 1}
    lost = report.outcomes[0]
    assert not lost and not lost.redeemed and (lost.queued.venue, lost.winner.venue) == ("lyon", "gueret")
    assert report.to_dicts()[0]["winner_venue"] == "gueret"
    assert pickle.loads(pickle.dumps(report)) == report and pickle.loads(pickle.dumps(lost)) == lost
    assert len(again) == 0 and len(ledger) == 3 and "pending=0" in repr(again)


# ---- the module ----


def test_error_codes_are_the_cores() -> None:
    assert tuple(ErrorCode) == VOUCHER_ERROR_CODES
    assert set(VOUCHER_ERROR_CODES) >= {"malformed", "bad_signature", "already_redeemed", "ledger_unavailable"}
    assert str(ErrorCode.EXPIRED) == "expired" and KeyStatus.ACTIVE == "active"


def test_public_names_are_documented_and_exported() -> None:
    for name in voucher.__all__:
        obj = getattr(voucher, name)
        if callable(obj) and not isinstance(obj, (int, str)):
            assert obj.__doc__, f"{name} has no docstring"
    assert voucher.Token.__name__ == "VoucherToken" and voucher.Verifier.__name__ == "VoucherVerifier"
    assert inclusif.voucher is voucher


def test_unpickling_keeps_the_cores_checks() -> None:
    with pytest.raises(VoucherValidationError):
        _voucher_unpickle("VerifiedVoucher", ("aptic", 7, "not a serial", 1000, date(2026, 1, 1), date(2026, 1, 2), 0))
    with pytest.raises(VoucherValidationError):
        _voucher_unpickle("VoucherToken", b"\x01" * 10)
    with pytest.raises(ValueError):
        _voucher_unpickle("VerificationResult", (0, ("not_a_code", "m", None)))
    with pytest.raises(ValueError):
        _voucher_unpickle("Nothing", b"")
    with pytest.raises(InclusifError):
        _voucher_unpickle("TrustList", (0, NOW, 60, []))
