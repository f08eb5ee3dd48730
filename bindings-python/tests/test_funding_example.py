"""examples/python/national_simulation.py: its printed totals are simulate()'s."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import EXAMPLES
from inclusif import funding

SCRIPT = EXAMPLES / "national_simulation.py"


def _run(*args: str) -> dict[str, dict[str, list[str]]]:
    pytest.importorskip("pandas")
    out = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True, timeout=300
    ).stdout
    blocks = out.strip().split("\n\n")
    parsed: dict[str, dict[str, list[str]]] = {}
    parsed["national"] = {k: [v] for k, v in (line.split("\t") for line in blocks[0].splitlines())}
    for block in blocks[1:]:
        header, *rows = block.splitlines()
        key = header.split("\t")[0]
        parsed[key] = {r.split("\t")[0]: r.split("\t")[1:] for r in rows}
    return parsed


def _expected(sim: funding.Simulation, key: str) -> dict[str, list[str]]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for r in sim.rows:
        group = getattr(r, key).value
        for i, v in enumerate((r.posts, r.first_wave, r.anct_estimate, r.total_subsidy)):
            sums[group][i] += v
    return {g: [str(v) for v in values] for g, values in sums.items()}


def _check(printed: dict[str, dict[str, list[str]]], sim: funding.Simulation) -> None:
    national = printed["national"]
    assert national["structures"] == [str(len(sim))]
    assert national["posts"] == [str(sim.posts)]
    assert Decimal(national["first_wave"][0]) == sim.first_wave
    assert Decimal(national["anct_estimate"][0]) == sim.anct_estimate
    assert Decimal(national["total_subsidy"][0]) == sim.total_subsidy
    for key in ("territory", "employer"):
        got = {g: [str(Decimal(v)) for v in vs] for g, vs in printed[key].items()}
        assert got == _expected(sim, key), key


def test_synthetic_national_simulation() -> None:
    _check(_run(), funding.simulate(funding.synthetic_structures(5_000, seed=2026)))


def test_national_simulation_from_a_csv(tmp_path: Path) -> None:
    structures = funding.synthetic_structures(300, seed=11)
    path = tmp_path / "structures.csv"
    lines = ["structure_id,employer,territory,posts,qpv_or_zrr,renewed"]
    codes = {"mainland": "2A", "antilles_guyane": "971", "reunion_mayotte": "974"}
    for s in structures:
        lines.append(
            f"{s['structure_id']},{s['employer']},{codes[s['territory']]},{s['posts']},"
            f"{str(s['qpv_or_zrr']).lower()},{str(s['renewed']).lower()}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(_run(str(path)), funding.simulate(structures))
