"""Shared paths for the tests, which run against the *installed* wheel (tests/run.sh
installs it into a fresh virtual environment), never the source tree."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
SEEDS = ROOT / "fuzz" / "seeds"
REGRESSIONS = ROOT / "fuzz" / "regressions"
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples" / "python"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a conformance TSV file (header line first; lines starting with # skipped)."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def seeds(target: str) -> list[Path]:
    """Every fuzz seed and kept regression of a fuzz target, as files."""
    found = []
    for base in (SEEDS / target, REGRESSIONS / target):
        if base.is_dir():
            found.extend(sorted(p for p in base.iterdir() if p.is_file()))
    return found


def no_panic(call: Callable[[], Any]) -> Any:
    """The call's result, None for an InclusifError; a Rust panic (pyo3's PanicException,
    a BaseException) fails the test; anything else propagates."""
    from inclusif import InclusifError

    try:
        return call()
    except InclusifError:
        return None
    except BaseException as e:
        if type(e).__name__ == "PanicException":
            pytest.fail(f"a Rust panic reached Python: {e!r}")
        raise


def seed_ids(paths: list[Path]) -> list[str]:
    """Readable test ids for seed files: `seeds/<target>/<file>`."""
    return [f"{p.parent.parent.name}/{p.parent.name}/{p.name}" for p in paths]


@pytest.fixture(scope="session")
def vectors() -> Path:
    return VECTORS
