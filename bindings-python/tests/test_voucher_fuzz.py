"""The fuzz seeds and kept regressions of the voucher targets (tests/fuzz_targets.rs:
strict_parse, human_parse, short_code, trust_list, verify) through the Python API: each
gives a result or an InclusifError, never a Rust panic (pyo3_runtime.PanicException, a
BaseException caught here explicitly), and the targets' properties that the Python API
can express hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import VECTORS, no_panic, read_tsv, seed_ids, seeds

from inclusif import InclusifError
from inclusif.voucher import (
    PublicKey,
    SecretKey,
    Token,
    TrustList,
    Verifier,
    keypad_code,
    normalize_human,
    parse_keypad_code,
    parse_phone_code,
    parse_short_code,
    short_code,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
KEYS = {r["role"] + r["kid"]: r for r in read_tsv(VECTORS / "keys.tsv")}
ROOT_PUBLIC = PublicKey.from_hex(KEYS["root0"]["public_key"])
ROOT_SECRET = SecretKey.from_hex(KEYS["root0"]["seed"])
TRUST = TrustList.open(bytes.fromhex((VECTORS / "trust_list.hex").read_text().strip()), ROOT_PUBLIC)
(VALID_ROW,) = [r for r in read_tsv(VECTORS / "tokens.tsv") if r["name"] == "ok_strict_text"]
VALID = Token.from_text(VALID_ROW["input"])
VALID_SERIAL = 0x5EED_0000_0000_0000_0001
# The targets' two verifiers: national in Paris; any scope in Cayenne with one serial revoked.
NATIONAL = Verifier(TRUST)
OPERATOR = Verifier(
    TRUST,
    time_zone="America/Cayenne",
    any_scope=True,
    revoked_serials=[f"{VALID_SERIAL + 21:020x}"],
)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def code_of(call: Callable[[], Any]) -> str:
    """`ok` or the InclusifError's code (a panic fails)."""
    try:
        call()
    except InclusifError as e:
        return e.code
    except BaseException as e:
        if type(e).__name__ == "PanicException":
            pytest.fail(f"a Rust panic reached Python: {e!r}")
        raise
    return "ok"


STRICT = seeds("strict_parse")
HUMAN = seeds("human_parse")
SHORT = seeds("short_code")
TRUST_LISTS = seeds("trust_list")
VERIFY = seeds("verify")


def test_there_are_seeds() -> None:
    assert min(len(STRICT), len(HUMAN), len(SHORT), len(TRUST_LISTS), len(VERIFY)) >= 40
    assert any(p.parent.parent.name == "regressions" for p in TRUST_LISTS)


def text_of(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, data.decode("utf-8", "replace")  # Rust's from_utf8_lossy


@pytest.mark.parametrize("path", STRICT, ids=seed_ids(STRICT))
def test_strict_parse_seed(path: Path) -> None:
    data, text = text_of(path)
    t = no_panic(lambda: Token.from_text(text))
    no_panic(lambda: Token.from_bytes(data))
    if t is None:
        return
    # One token, one strict text; strict input is typed input too.
    assert text in (t.to_text(), t.to_qr_payload())
    assert Token.from_text(t.to_text()) == Token.from_text(t.to_qr_payload()) == t
    assert Token.from_bytes(bytes(t)) == t
    assert normalize_human(t.to_text()) == t.to_text()
    assert Token.from_human(t.to_text()) == Token.from_human(t.to_qr_payload()) == t


@pytest.mark.parametrize("path", HUMAN, ids=seed_ids(HUMAN))
def test_human_parse_seed(path: Path) -> None:
    _, text = text_of(path)
    parsed = no_panic(lambda: Token.from_human(text))
    normalized = no_panic(lambda: normalize_human(text))
    if parsed is not None:
        assert normalized in (parsed.to_text(), parsed.to_qr_payload())
        typed = "- ".join(
            parsed.to_text().lower()[i : i + 4] for i in range(0, len(parsed.to_text()), 4)
        )
        assert Token.from_human(typed) == parsed
    if normalized is not None:
        # Parsing typed input is normalising, then parsing strictly; normalising is idempotent.
        assert code_of(lambda: Token.from_text(normalized)) == code_of(lambda: Token.from_human(text))
        assert no_panic(lambda: Token.from_text(normalized)) == parsed
        assert normalize_human(normalized) == normalized
        assert not any(c in normalized for c in " \t-OILU") and normalized == normalized.upper()
    else:
        assert parsed is None
    strict = no_panic(lambda: Token.from_text(text))
    if strict is not None:
        assert parsed == strict
    for v in (NATIONAL, OPERATOR):
        no_panic(lambda: v.verify_human(text, NOW))
        no_panic(lambda: v.verify_batch([text], NOW, human=True))


def is_keypad_shaped(text: str) -> bool:
    digits = [c for c in text if c not in " \t-"]
    return len(digits) == 26 and all(c.isascii() and (c.isdigit() or c in " \t-") for c in text)


@pytest.mark.parametrize("path", SHORT, ids=seed_ids(SHORT))
def test_short_code_seed(path: Path) -> None:
    data, text = text_of(path)
    phone = code_of(lambda: parse_phone_code(text))
    short = no_panic(lambda: parse_short_code(text))
    keypad = no_panic(lambda: parse_keypad_code(text))
    if is_keypad_shaped(text):
        assert phone == code_of(lambda: parse_keypad_code(text))
    else:
        assert phone == code_of(lambda: parse_short_code(text))
    if short is not None:
        code = short_code(short)
        assert normalize_human(text) == code.replace("-", "")
        assert parse_short_code(code) == parse_phone_code(code) == short
    if keypad is not None:
        code = keypad_code(keypad)
        assert "".join(c for c in text if c not in " \t-") == code.replace(" ", "")
        assert parse_keypad_code(code) == parse_phone_code(code) == keypad
    # A serial from the first 10 bytes, a position and a symbol from the next two: every
    # single substitution and adjacent swap is caught by the check character.
    if len(data) < 12:
        return
    serial, pos, sym = data[:10].hex(), data[10], data[11]
    for compact, alphabet in (
        (short_code(serial).replace("-", ""), CROCKFORD),
        (keypad_code(serial).replace(" ", ""), "0123456789"),
    ):
        assert parse_phone_code(compact) == serial
        p, c = pos % len(compact), alphabet[sym % len(alphabet)]
        if compact[p] != c:
            mistyped = compact[:p] + c + compact[p + 1 :]
            assert code_of(lambda: parse_phone_code(mistyped)) == "bad_check_character"
        p = pos % (len(compact) - 1)
        if compact[p] != compact[p + 1]:
            swapped = compact[:p] + compact[p + 1] + compact[p] + compact[p + 2 :]
            assert code_of(lambda: parse_phone_code(swapped)) == "bad_check_character"


@pytest.mark.parametrize("path", TRUST_LISTS, ids=seed_ids(TRUST_LISTS))
def test_trust_list_seed(path: Path) -> None:
    data = path.read_bytes()
    listed = no_panic(lambda: TrustList.open(data, ROOT_PUBLIC))
    no_panic(lambda: TrustList.load(data, ROOT_PUBLIC, NOW))
    if listed is None:
        return
    # An opened list re-encodes to the same body and re-opens equal.
    signed = listed.sign(ROOT_SECRET)
    assert signed[:-64] == data[:-64]
    assert TrustList.open(signed, ROOT_PUBLIC) == listed
    assert TrustList(listed.sequence, listed.issued_at, listed.max_age_seconds, listed.entries) == listed
    kids = [e.kid for e in listed.entries]
    assert kids == sorted(set(kids))
    listed.is_fresh(NOW)
    v = Verifier(listed, any_scope=True)
    single = code_of(lambda: v.verify_token(VALID, NOW))
    (batch,) = v.verify_batch([VALID.to_text()], NOW)
    assert (batch.error or "ok") == single


def xor_pairs(b: bytearray, data: bytes) -> None:
    for i in range(0, len(data), 2):
        pair = data[i : i + 2]
        b[pair[0] % len(b)] ^= pair[1] if len(pair) > 1 else 0x01


@pytest.mark.parametrize("path", VERIFY, ids=seed_ids(VERIFY))
def test_verify_seed(path: Path) -> None:
    data, text = text_of(path)
    parsed = [
        no_panic(lambda: Token.from_bytes(data)),
        no_panic(lambda: Token.from_text(text)),
        no_panic(lambda: Token.from_human(text)),
    ]
    tokens = [t for t in parsed if t is not None]
    for v in (NATIONAL, OPERATOR):
        # Each entry point agrees with parsing, then verifying.
        for entry, token in (
            (partial(v.verify_bytes, data, NOW), parsed[0]),
            (partial(v.verify, text, NOW), parsed[1]),
            (partial(v.verify_human, text, NOW), parsed[2]),
        ):
            got = code_of(entry)
            if token is None:
                assert got != "ok"
            else:
                assert got == code_of(partial(v.verify_token, token, NOW))
    # 85-byte windows of the data, version byte forced, to reach the signature check.
    for i in range(0, min(len(data) // 85, 4) * 85, 85):
        tokens.append(Token(b"\x01" + data[i + 1 : i + 85]))
    mutated = bytearray(bytes(VALID))
    xor_pairs(mutated, data)
    t = no_panic(lambda: Token(bytes(mutated)))
    if t is not None:
        for v in (NATIONAL, OPERATOR):
            verdict = no_panic(partial(v.verify_token, t, NOW))
            assert (verdict is not None) == (t == VALID), "a mutated token verifies"
        tokens.append(t)
    tokens.append(VALID)
    # Batch and single verdicts agree (texts, bytes), in order.
    for v in (NATIONAL, OPERATOR):
        single = [code_of(partial(v.verify_token, t, NOW)) for t in tokens]
        by_text = v.verify_batch([t.to_qr_payload() for t in tokens], NOW)
        by_bytes = v.verify_batch_bytes([bytes(t) for t in tokens], NOW)
        assert [r.error or "ok" for r in by_text] == single
        assert by_bytes == by_text
