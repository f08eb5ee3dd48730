"""examples/python/label_venues.py on the real Hinaura file: its table is the binding's
own batch evaluation, counted."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from conftest import EXAMPLES, SHARED_DATA

from inclusif import venue

HINAURA = SHARED_DATA / "venues" / "hinaura-2021-2022.standard-v0.json"


def test_label_venues_counts_match_the_batch_evaluation() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "label_venues.py"), str(HINAURA)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith("hinaura-2021-2022.standard-v0.json: 687 venues, standard v0.1")
    printed: dict[tuple[str, str], tuple[int, int, int]] = {}
    for line in lines[2:]:
        dep, label, eligible, not_eligible, unknown = line.split()
        printed[(dep, label)] = (int(eligible), int(not_eligible), int(unknown))

    results = venue.read_file(HINAURA).evaluate_labels()
    tally = Counter((e.departement or "?", e.label, e.outcome.value) for e in results)
    expected: dict[tuple[str, str], tuple[int, int, int]] = {}
    for dep, label, _ in tally:
        expected[(dep, label)] = (
            tally[(dep, label, "eligible")],
            tally[(dep, label, "not_eligible")],
            tally[(dep, label, "unknown")],
        )
    totals: dict[str, Counter[str]] = {}
    for e in results:
        totals.setdefault(e.label, Counter())[e.outcome.value] += 1
    for label, c in totals.items():
        expected[("TOTAL", label)] = (c["eligible"], c["not_eligible"], c["unknown"])
    assert printed == expected
    assert sum(sum(v) for k, v in printed.items() if k[0] == "TOTAL") == 687 * 4
    # The same counts as the core's coverage_by_departement.
    cov = venue.read_file(HINAURA).coverage_by_departement()
    for label, dep, el, ne, un in zip(
        cov["label"], cov["departement"], cov["eligible"], cov["not_eligible"], cov["unknown"]
    ):
        assert printed[(dep, label)] == (el, ne, un)
