"""examples/python/verify_scanned_codes.py on the conformance vectors' scans: its counts
are the vector file's expected codes, and the binding's own batch counts."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from conftest import EXAMPLES, VECTORS, read_tsv

from inclusif import voucher

AT = "2026-06-01T10:00:00Z"


# The script without pandas: `import pandas` raises ImportError.
WITHOUT_PANDAS = (
    "import runpy, sys; sys.modules['pandas'] = None; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def run(scans: Path, *args: str, pandas: bool = True) -> dict[str, tuple[int, str]]:
    script = [str(EXAMPLES / "verify_scanned_codes.py"), str(scans), "--at", AT, *args]
    out = subprocess.run(
        [sys.executable, *(script if pandas else ["-c", WITHOUT_PANDAS, *script])],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"{scans.name}: ") and "trust list 42" in lines[0]
    assert lines[1].split() == ["outcome", "count", "euros"]
    assert lines[-1].split()[0] == "total"
    printed = {}
    for line in lines[2:-1]:
        outcome, count, euros = line.split()
        printed[outcome] = (int(count), euros)
    assert sum(n for n, _ in printed.values()) == int(lines[-1].split()[1])
    return printed


def test_counts_by_code_match_the_vectors(tmp_path: Path) -> None:
    # Every strict and typed vector that one verifier (Paris, national, nothing revoked)
    # checks at one instant, as a scanner's output would hold them.
    rows = [
        r
        for r in read_tsv(VECTORS / "tokens.tsv")
        if r["at"] == AT and (r["tz"], r["scopes"], r["revoked_serials"]) == ("Europe/Paris", "-", "-")
    ]
    for mode, flag in (("strict", []), ("human", ["--human"])):
        mine = [r for r in rows if r["mode"] == mode]
        scans = tmp_path / f"{mode}.txt"
        # Surrounding spaces are stripped, as a scanner's trailing newline is: keep only
        # inputs that do not rely on them.
        mine = [r for r in mine if r["input"] == r["input"].strip()]
        scans.write_text("\n".join(r["input"] for r in mine) + "\n\n", encoding="utf-8")
        printed = run(scans, *flag)
        assert run(scans, *flag, pandas=False) == printed
        expected = Counter(r["expect"] for r in mine)
        assert {k: n for k, (n, _) in printed.items()} == dict(expected)
        assert list(printed)[0] == "ok"
        value = sum(int(r["value_cents"]) for r in mine if r["expect"] == "ok")
        assert printed["ok"][1] == f"{value / 100:.2f}"
        # The binding's batch counts the same.
        trust = voucher.load_trust_list(
            VECTORS / "trust_list.hex",
            voucher.PublicKey.from_hex(
                [k for k in read_tsv(VECTORS / "keys.tsv") if k["role"] == "root"][0]["public_key"]
            ),
            datetime.fromisoformat(AT.replace("Z", "+00:00")),
        )
        batch = voucher.Verifier(trust).verify_batch(
            [r["input"] for r in mine], datetime.fromisoformat(AT.replace("Z", "+00:00")), human=mode == "human"
        )
        assert batch.counts() == dict(expected)


def test_a_stale_trust_list_refuses_everything(tmp_path: Path) -> None:
    scans = tmp_path / "late.txt"
    (row,) = [r for r in read_tsv(VECTORS / "tokens.tsv") if r["name"] == "ok_qr_payload"]
    scans.write_text(row["input"] + "\n", encoding="utf-8")
    # The list is refused when loaded: the script fails with the core's code.
    late = subprocess.run(
        [sys.executable, str(EXAMPLES / "verify_scanned_codes.py"), str(scans), "--at", "2028-06-01T00:00:00Z"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert late.returncode != 0 and "trust_list_expired" in late.stderr
    assert run(scans) == {"ok": (1, "10.00")}
