"""The shared voucher vectors (tests/vectors/{tokens,codes,keys,trust_lists,redemptions}.tsv
and trust_list.hex) through the Python API: the same verdicts and codes as the Rust suite
(tests/tests/conformance.rs)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from conftest import VECTORS, read_tsv

from inclusif import InclusifError, VoucherError, VoucherValidationError
from inclusif.voucher import (
    ErrorCode,
    Issuer,
    KeyStatus,
    MemoryLedger,
    PublicKey,
    SecretKey,
    Token,
    TrustList,
    VerifiedVoucher,
    Verifier,
    keypad_code,
    parse_phone_code,
)

TOKENS = read_tsv(VECTORS / "tokens.tsv")
CODES = read_tsv(VECTORS / "codes.tsv")
KEYS = read_tsv(VECTORS / "keys.tsv")
TRUST_LISTS = read_tsv(VECTORS / "trust_lists.tsv")
REDEMPTIONS = read_tsv(VECTORS / "redemptions.tsv")

# Every outcome the Rust token test requires a vector for.
TOKEN_CODES = {
    "ok",
    "malformed",
    "unsupported_version",
    "unknown_key",
    "revoked_key",
    "bad_signature",
    "invalid_field",
    "not_yet_valid",
    "expired",
    "outside_key_window",
    "value_above_key_limit",
    "scope_not_accepted",
    "scope_not_allowed_for_key",
    "revoked_serial",
    "trust_list_expired",
}
TRUST_LIST_CODES = {
    "ok",
    "trust_list_expired",
    "trust_list_bad_signature",
    "trust_list_malformed",
    "trust_list_rollback",
    "weak_key",
    "invalid_key",
}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def root_key() -> PublicKey:
    (row,) = [r for r in KEYS if r["role"] == "root"]
    return PublicKey.from_hex(row["public_key"])


def trust_list() -> TrustList:
    return TrustList.open(bytes.fromhex((VECTORS / "trust_list.hex").read_text().strip()), root_key())


def make_verifier(row: dict[str, str]) -> Verifier:
    """The verifier of one token vector, built as the Rust test builds it."""
    scopes = row["scopes"]
    return Verifier(
        trust_list(),
        time_zone=row["tz"],
        scopes=None if scopes in ("-", "any") else [int(s) for s in scopes.split(";")],
        any_scope=scopes == "any",
        revoked_serials=None if row["revoked_serials"] == "-" else row["revoked_serials"].split(";"),
    )


def verify_row(row: dict[str, str]) -> VerifiedVoucher:
    v, at = make_verifier(row), instant(row["at"])
    mode = row["mode"]
    if mode == "strict":
        return v.verify(row["input"], at)
    if mode == "human":
        return v.verify_human(row["input"], at)
    assert mode == "bytes", mode
    return v.verify_bytes(bytes.fromhex(row["input"]), at)


def test_there_are_vectors() -> None:
    assert len(TOKENS) >= 50 and len(CODES) >= 10 and len(TRUST_LISTS) >= 10
    assert len(REDEMPTIONS) >= 4
    assert {r["expect"] for r in TOKENS} == TOKEN_CODES
    assert {r["expect"] for r in TRUST_LISTS} == TRUST_LIST_CODES


@pytest.mark.parametrize("row", TOKENS, ids=[r["name"] for r in TOKENS])
def test_token_vector(row: dict[str, str]) -> None:
    expect = row["expect"]
    if expect == "ok":
        v = verify_row(row)
        assert str(v.kid) == row["kid"]
        assert v.serial == row["serial"]
        assert str(v.value_cents) == row["value_cents"]
        assert v.valid_from.isoformat() == row["valid_from"]
        assert v.valid_until.isoformat() == row["valid_until"]
        assert str(v.scope) == row["scope"]
        assert v.short_code == row["short_code"]
        assert v.keypad_code == row["keypad_code"] == keypad_code(v.serial)
        return
    with pytest.raises(InclusifError) as info:
        verify_row(row)
    e = info.value
    assert e.code == expect, f"{row['name']}: {e!r}"
    assert ErrorCode(e.code) in ErrorCode
    assert ":" in str(e), f"the message names the field: {e}"
    # Sound input refused by state is a VoucherError; the rest also a ValueError.
    if expect == "trust_list_expired":
        assert type(e) is VoucherError
    else:
        assert isinstance(e, VoucherValidationError) and isinstance(e, ValueError)


@pytest.mark.parametrize("at", ["2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z"])
def test_batch_agrees_with_single_on_vectors(at: str) -> None:
    texts = [r["input"] for r in TOKENS if r["mode"] == "strict"]
    v = Verifier(trust_list(), any_scope=True)
    batch = v.verify_batch(texts, instant(at))
    assert len(batch) == len(texts)
    for text, result in zip(texts, batch):
        try:
            single = v.verify(text, instant(at))
        except InclusifError as e:
            assert not result.ok and result.error == e.code and result.message == str(e)
            assert result.voucher is None
        else:
            assert result.ok and result.voucher == single and result.error is None
    # Raw bytes: the same verdicts through the batch of bytes.
    parsed = []
    for t in texts:
        try:
            parsed.append(Token.from_text(t))
        except InclusifError:
            pass
    raw = v.verify_batch_bytes([bytes(t) for t in parsed], instant(at))
    text = v.verify_batch([t.to_text() for t in parsed], instant(at))
    assert list(raw) == list(text) and raw == text


def test_a_batch_of_good_vector_tokens_verifies_whole() -> None:
    good = [
        r["input"]
        for r in TOKENS
        if r["mode"] == "strict" and r["expect"] == "ok" and r["at"] == "2026-06-01T10:00:00Z"
    ]
    assert len(good) >= 5
    batch = Verifier(trust_list(), any_scope=True).verify_batch(good, instant("2026-06-01T10:00:00Z"))
    assert batch.ok_count == len(good) and batch.counts() == {"ok": len(good)}


def test_batch_counts_match_the_expected_codes() -> None:
    # Rows that share one verifier (Paris, national, nothing revoked) at one instant: the
    # batch's counts are the vector file's own.
    rows = [
        r
        for r in TOKENS
        if r["at"] == "2026-06-01T10:00:00Z"
        and (r["tz"], r["scopes"], r["revoked_serials"]) == ("Europe/Paris", "-", "-")
        and r["mode"] in ("strict", "human")
    ]
    v = make_verifier(rows[0])
    for mode in ("strict", "human"):
        mine = [r for r in rows if r["mode"] == mode]
        batch = v.verify_batch([r["input"] for r in mine], instant("2026-06-01T10:00:00Z"), human=mode == "human")
        assert batch.counts() == dict(Counter(r["expect"] for r in mine))
        assert [r.error or "ok" for r in batch] == [r["expect"] for r in mine]


@pytest.mark.parametrize("row", CODES, ids=[r["name"] for r in CODES])
def test_code_vector(row: dict[str, str]) -> None:
    if row["expect"] == "ok":
        assert parse_phone_code(row["input"]) == row["serial"]
    else:
        with pytest.raises(VoucherValidationError) as info:
            parse_phone_code(row["input"])
        assert info.value.code == row["expect"]


@pytest.mark.parametrize("row", KEYS, ids=[f"{r['role']}-{r['kid']}" for r in KEYS])
def test_key_vector(row: dict[str, str]) -> None:
    seed = bytes.fromhex(row["seed"])
    key = SecretKey(seed)
    assert key.public_key.to_hex() == row["public_key"]
    assert bytes(key.public_key) == bytes.fromhex(row["public_key"])
    assert SecretKey.from_hex(row["seed"]).to_bytes() == seed
    if row["role"] != "root":
        assert Issuer(int(row["kid"]), seed).public_key == key.public_key


@pytest.mark.parametrize("row", TRUST_LISTS, ids=[r["name"] for r in TRUST_LISTS])
def test_trust_list_vector(row: dict[str, str]) -> None:
    data, at = bytes.fromhex(row["hex"]), instant(row["at"])

    def run() -> TrustList:
        listed = TrustList.load(data, root_key(), at)
        if row["loaded"] == "-":
            return listed
        assert row["loaded"] == "trust_list.hex"
        v = Verifier(trust_list())
        v.replace_trust_list(listed)
        return v.trust_list

    if row["expect"] == "ok":
        got = run()
        assert str(got.sequence) == row["sequence"]
        assert ";".join(str(e.kid) for e in got.entries) == row["kids"]
        assert all(e.status in KeyStatus for e in got)
    else:
        with pytest.raises(InclusifError) as info:
            run()
        assert info.value.code == row["expect"]


def test_trust_list_hex_opens_and_re_signs_to_its_own_bytes() -> None:
    data = bytes.fromhex((VECTORS / "trust_list.hex").read_text().strip())
    listed = TrustList.open(data, root_key())
    (root,) = [r for r in KEYS if r["role"] == "root"]
    assert listed.sign(SecretKey.from_hex(root["seed"])) == data
    rebuilt = TrustList(listed.sequence, listed.issued_at, listed.max_age_seconds, listed.entries)
    assert rebuilt == listed and hash(rebuilt) == hash(listed)


def test_redemption_vectors() -> None:
    ledger, v = MemoryLedger(), Verifier(trust_list())
    for row in REDEMPTIONS:
        at = instant(row["at"])
        voucher = v.verify(row["token"], at)
        if row["expect"] == "ok":
            assert ledger.redeem(voucher, row["venue"], at).venue == row["venue"]
            continue
        assert row["expect"] == "already_redeemed"
        with pytest.raises(VoucherError) as info:
            ledger.redeem(voucher, row["venue"], at)
        e = info.value
        assert e.code == "already_redeemed" and not isinstance(e, ValueError)
        first = ledger.redemption(voucher.issuer, voucher.serial)
        assert first is not None
        assert (first.venue, first.at) == (row["first_venue"], instant(row["first_at"]))
        assert f"venue {row['first_venue']}" in str(e)
