"""The fuzz seeds of the mandate targets (tests/fuzz_targets.rs: mandate_token, journal,
scenario) through the Python API: each gives a result or an InclusifError, never a Rust
panic (pyo3_runtime.PanicException, a BaseException caught here explicitly)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest
from conftest import VECTORS, no_panic, read_tsv, seed_ids, seeds

from inclusif import MandateValidationError
from inclusif.mandate import Journal, MandateToken, MandateVerifier, run_scenario, verify_journal

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
# The targets' keys: mandate kid 3 (seed 0x33 × 32, as the vectors' header says) and the
# journal's checkpoint key (journal/key.tsv).
MANDATE_KID3 = bytes.fromhex("17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce")
JOURNAL_KEYS = {
    int(r["kid"]): bytes.fromhex(r["public_key"]) for r in read_tsv(VECTORS / "journal" / "key.tsv")
}
VERIFIER = MandateVerifier(keys={3: MANDATE_KID3})


TOKEN_SEEDS = seeds("mandate_token")
JOURNAL_SEEDS = seeds("journal")
SCENARIO_SEEDS = seeds("scenario")


def test_there_are_seeds() -> None:
    assert len(TOKEN_SEEDS) >= 50 and len(JOURNAL_SEEDS) >= 30 and len(SCENARIO_SEEDS) >= 30


@pytest.mark.parametrize("path", TOKEN_SEEDS, ids=seed_ids(TOKEN_SEEDS))
def test_mandate_token_seed(path: Path) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")  # Rust's from_utf8_lossy
    strict = no_panic(lambda: MandateToken.from_text(text))
    if strict is not None:
        # One token, one strict text: accepted only as exactly its text or QR payload.
        assert text in (strict.to_text(), strict.to_qr_payload())
        assert MandateToken.from_human(strict.to_text()) == strict
    human = no_panic(lambda: MandateToken.from_human(text))
    raw = no_panic(lambda: MandateToken.from_bytes(data))
    if raw is not None:
        assert bytes(raw) == data
    # The entry points agree with parsing then verifying.
    for parsed, verified in (
        (raw, no_panic(lambda: VERIFIER.verify_bytes(data, NOW))),
        (strict, no_panic(lambda: VERIFIER.verify(text, NOW))),
        (human, no_panic(lambda: VERIFIER.verify_human(text, NOW))),
    ):
        if parsed is None:
            assert verified is None
        else:
            assert no_panic(partial(VERIFIER.verify_token, parsed, NOW)) == verified
    no_panic(lambda: VERIFIER.verify_batch([text], NOW, human=True))


@pytest.mark.parametrize("path", JOURNAL_SEEDS, ids=seed_ids(JOURNAL_SEEDS))
def test_journal_seed(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    report = no_panic(lambda: verify_journal(text, JOURNAL_KEYS))
    assert report is not None, "a journal's text is a report, never an error"
    try:
        journal = Journal.from_jsonl(text, JOURNAL_KEYS)
    except MandateValidationError as e:
        # Refused the same way, on a line that exists.
        assert not report.ok
        assert report.code is not None and e.code == report.code.value
        assert 1 <= (report.line or 0) <= len(text.splitlines())
        assert f"line {report.line}: " in str(e)
    except BaseException as e:
        if type(e).__name__ == "PanicException":
            pytest.fail(f"a Rust panic reached Python: {e!r}")
        raise
    else:
        assert report.ok and len(journal) == report.entries
        # A journal that verifies writes back byte for byte (the last newline may be missing).
        assert journal.to_jsonl() == (text if text == "" or text.endswith("\n") else text + "\n")


@pytest.mark.parametrize("path", SCENARIO_SEEDS, ids=seed_ids(SCENARIO_SEEDS))
def test_scenario_seed(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    result = no_panic(lambda: run_scenario(text))
    if result is None:
        return
    # One outcome per event, one decision per question; mandates numbered 1, 2, ...
    scenario = json.loads(text)
    if isinstance(scenario, list):  # serde also reads a struct from its fields in order
        scenario = dict(zip(["organisations", "aidants", "usagers", "events", "questions"], scenario))
    assert len(result.events) == len(scenario.get("events") or [])
    assert len(result.decisions) == len(scenario.get("questions") or [])
    made = [e["mandate"] for e in result.events if e["mandate"] is not None]
    assert made == list(range(1, len(made) + 1))
    for d in result.decisions:
        assert (d["mandate"] in made) if d["allowed"] else (d["mandate"] is None and d["reasons"])
