"""The shared mandate vectors through the Python API: the same verdicts and codes as the
Rust suites (tests/tests/mandate_tokens.rs, mandate_scenarios.rs, journal.rs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import VECTORS, read_tsv

from inclusif import InclusifError
from inclusif.mandate import (
    JournalCode,
    MandateVerifier,
    VerifiedMandate,
    run_scenario,
    run_scenario_file,
    verify_journal,
    verify_journal_file,
)

TOKENS = read_tsv(VECTORS / "mandate_tokens.tsv")
SCENARIO_ROWS = read_tsv(VECTORS / "mandate_scenarios.tsv")
JOURNAL = VECTORS / "journal"
JOURNAL_ROWS = read_tsv(JOURNAL / "expected.tsv")

# Every code the Rust token test requires a vector for (MandateTokenError::CODES, ok and
# the trust-list codes).
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
    "revoked_mandate",
    "usager_mismatch",
    "demarche_not_covered",
    "trust_list_expired",
    "trust_list_malformed",
}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def root_key() -> bytes:
    (row,) = [r for r in read_tsv(VECTORS / "keys.tsv") if r["role"] == "root"]
    return bytes.fromhex(row["public_key"])


def journal_keys() -> dict[int, bytes]:
    return {int(r["kid"]): bytes.fromhex(r["public_key"]) for r in read_tsv(JOURNAL / "key.tsv")}


def make_verifier(row: dict[str, str]) -> MandateVerifier:
    """The verifier of one token vector, built as the Rust test builds it."""
    keys = None
    if row["keys"] != "-":
        keys = {}
        for k in row["keys"].split(";"):
            kid, key = k.split(":")
            keys[int(kid)] = bytes.fromhex(key)
    trust = None if row["trust_list"] == "-" else bytes.fromhex(row["trust_list"])
    return MandateVerifier(
        keys=keys,
        trust_list=trust,
        root_key=None if trust is None else root_key(),
        revoked=None if row["revoked"] == "-" else row["revoked"].split(";"),
        demarche=None if row["demarche"] == "-" else row["demarche"],
        usager_sub=None if row["usager_sub"] == "-" else row["usager_sub"],
    )


def verify_row(row: dict[str, str]) -> VerifiedMandate:
    """Runs one token vector exactly as the Rust test does (verifier errors included)."""
    verifier = make_verifier(row)
    at = instant(row["at"])
    if row["mode"] == "strict":
        return verifier.verify(row["input"], at)
    if row["mode"] == "human":
        return verifier.verify_human(row["input"], at)
    assert row["mode"] == "bytes", row["name"]
    return verifier.verify_bytes(bytes.fromhex(row["input"]), at)


def rfc(t: datetime) -> str:
    assert t.utcoffset() is not None
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_token_vectors_are_all_there() -> None:
    assert len(TOKENS) >= 60
    assert len({r["name"] for r in TOKENS}) == len(TOKENS)
    assert {r["expect"] for r in TOKENS} == TOKEN_CODES


@pytest.mark.parametrize("row", TOKENS, ids=[r["name"] for r in TOKENS])
def test_token_vector(row: dict[str, str]) -> None:
    name, expect = row["name"], row["expect"]
    if expect == "ok":
        m = verify_row(row)
        assert str(m.kid) == row["kid"], name
        assert str(m.organisation) == row["organisation"], name
        assert m.mandate_id == row["mandate_id"], name
        assert ",".join(d.value for d in m.demarches) == row["demarches"], name
        assert m.duration.value == row["duration"], name
        assert m.consent.value == row["consent"], name
        assert rfc(m.created_at) == row["created_at"], name
        assert rfc(m.expires_at) == row["expires_at"], name
        assert len(m.usager_ref) == 16
    else:
        with pytest.raises(InclusifError) as caught:
            verify_row(row)
        assert caught.value.code == expect, f"{name}: {caught.value}"
        assert ": " in str(caught.value), f"{name}: the message names the field"


CONFIG = ("keys", "trust_list", "revoked", "demarche", "usager_sub", "at")


def test_token_batch_matches_single_verdicts() -> None:
    """verify_batch (GIL released) gives, row by row, the single calls' verdicts."""
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for r in TOKENS:
        if r["mode"] == "strict" and not r["expect"].startswith("trust_list"):
            groups.setdefault(tuple(r[c] for c in CONFIG), []).append(r)
    rows = max(groups.values(), key=len)
    assert len(rows) >= 10
    verifier = make_verifier(rows[0])
    verdicts = verifier.verify_batch([r["input"] for r in rows], instant(rows[0]["at"]))
    assert [v["index"] for v in verdicts] == list(range(len(rows)))
    for row, v in zip(rows, verdicts):
        if row["expect"] == "ok":
            assert v["ok"] and v["error"] is None and v["mandate_id"] == row["mandate_id"]
        else:
            assert (v["ok"], v["error"]) == (False, row["expect"]), row["name"]


SCENARIOS = sorted({r["scenario"] for r in SCENARIO_ROWS})


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_vectors(name: str) -> None:
    path = VECTORS / "mandate_scenarios" / f"{name}.json"
    result = run_scenario(path.read_text(encoding="utf-8"))
    assert result == run_scenario_file(path)
    events, decisions = result.events, result.decisions
    rows = [r for r in SCENARIO_ROWS if r["scenario"] == name]
    assert len(rows) == len(events) + len(decisions), "every event and decision has a row"
    for row in rows:
        i, why = int(row["index"]), row["why"]
        if row["kind"] == "event":
            e = events[i - 1]
            assert e["event"] == i
            if row["expect"] == "ok":
                assert e["ok"], f"event {i} ({why}): {e['message']}"
                assert ("-" if e["mandate"] is None else str(e["mandate"])) == row["mandate"], why
                revoked = ";".join(f"{m}/{d.value}" for m, d in e["revoked"]) or "-"
                assert revoked == row["revoked"], f"event {i} ({why})"
            else:
                assert not e["ok"]
                assert e["error"] == row["expect"], f"event {i} ({why}): {e['message']}"
        else:
            assert row["kind"] == "decision"
            d = decisions[i - 1]
            assert d["question"] == i
            if row["expect"] == "allowed":
                assert d["allowed"], f"decision {i} ({why}): {d['reasons']}"
                assert str(d["mandate"]) == row["mandate"], why
            else:
                assert not d["allowed"], why
                assert ";".join(r.value for r in d["reasons"]) == row["reasons"], f"decision {i} ({why})"


@pytest.mark.parametrize("row", JOURNAL_ROWS, ids=[r["file"] for r in JOURNAL_ROWS])
def test_journal_vectors(row: dict[str, str]) -> None:
    report = verify_journal_file(JOURNAL / row["file"], journal_keys())
    if row["expect"] == "ok":
        assert report.ok and bool(report)
        assert (str(report.entries), str(report.unsigned_entries)) == (
            row["entries"],
            row["unsigned_entries"],
        )
        assert (report.line, report.code, report.message) == (None, None, None)
    else:
        assert not report.ok and not report
        assert report.code is JournalCode(row["expect"]), report.message
        assert str(report.line) == row["line"], report.message


def test_every_journal_code_has_a_vector() -> None:
    assert {r["expect"] for r in JOURNAL_ROWS} >= {c.value for c in JournalCode} | {"ok"}


def test_journal_sample_as_the_command_line_prints_it() -> None:
    text = (JOURNAL / "sample.jsonl").read_text(encoding="utf-8")
    assert verify_journal(text, journal_keys()).to_json() == '{"ok":true,"entries":12,"unsigned_entries":1}'
    # Without the key, the first checkpoint is refused.
    report = verify_journal(text, {})
    assert (report.line, report.code) == (6, JournalCode.BAD_CHECKPOINT)
    assert report.to_json().startswith('{"ok":false,"line":6,"error":"journal_bad_checkpoint"')


def test_vector_paths_exist() -> None:
    assert Path(VECTORS / "mandate_scenarios").is_dir()
    assert SCENARIOS
