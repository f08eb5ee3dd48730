"""Verify a file of scanned voucher codes and count the results by error code.

    python examples/python/verify_scanned_codes.py SCANS.txt [--trust-list FILE]
        [--root-key HEX] [--at 2026-06-01T10:00:00Z] [--time-zone Europe/Paris]
        [--scope 974 ...] [--any-scope] [--human]

SCANS.txt holds one scanned code a line (the QR payload ``PN1:...`` or the 136
characters; with ``--human``, codes typed by people); blank lines are skipped. The trust
list is the signed file (raw bytes or hex), checked against the programme's root public
key and its maximum age. Defaults: the conformance vectors' trust list and root key
(public test material) and the current instant.

All lines are verified as one batch (the GIL released, signatures checked together); the
results become a DataFrame when pandas is installed. Prints one line per outcome, ``ok``
first, with the count and the face value in euros, then the total.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from inclusif import VoucherError, voucher

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
# The root public key of the conformance vectors (tests/vectors/keys.tsv; test material).
VECTORS_ROOT_KEY = "b533d8ad9fcfbdde0b481c1b334ddc3c53412fd614564e7e5afd020368d382c3"


def tally(batch: voucher.VerificationBatch) -> list[tuple[str, int, Decimal]]:
    """(outcome, count, face value in euros) per outcome: ok first, then by count."""
    columns = batch.to_columns()
    try:
        import pandas as pd
    except ImportError:
        counts = Counter(str(e) if e is not None else "ok" for e in columns["error"])
        values: Counter[str] = Counter()
        for e, cents in zip(columns["error"], columns["value_cents"]):
            if e is None:
                values["ok"] += cents
        rows = [(k, n, Decimal(values[k]) / 100) for k, n in counts.items()]
    else:
        df: Any = pd.DataFrame(columns)
        df["outcome"] = df["error"].astype(object).where(~df["ok"], "ok").astype(str)
        grouped = df.groupby("outcome").agg(count=("index", "size"), cents=("value_cents", "sum"))
        rows = [
            (str(k), int(r["count"]), Decimal(int(r["cents"])) / 100)
            for k, r in grouped.iterrows()
        ]
    return sorted(rows, key=lambda r: (r[0] != "ok", -r[1], r[0]))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scans", type=Path)
    p.add_argument("--trust-list", type=Path, default=VECTORS / "trust_list.hex")
    p.add_argument("--root-key", default=VECTORS_ROOT_KEY, help="64 hex digits")
    p.add_argument("--at", help="RFC 3339 instant (default: now)")
    p.add_argument("--time-zone", default=voucher.DEFAULT_TIME_ZONE)
    p.add_argument("--scope", type=int, action="append", default=[])
    p.add_argument("--any-scope", action="store_true")
    p.add_argument("--human", action="store_true", help="codes typed by people")
    a = p.parse_args(argv[1:])

    at = (
        datetime.fromisoformat(a.at.replace("Z", "+00:00"))
        if a.at
        else datetime.now(timezone.utc)
    )
    try:
        trust = voucher.load_trust_list(a.trust_list, voucher.PublicKey.from_hex(a.root_key), at)
    except VoucherError as e:  # a stale list, a bad signature...: nothing can be verified
        print(f"{a.trust_list}: {e.code}: {e}", file=sys.stderr)
        return 1
    verifier = voucher.Verifier(
        trust, time_zone=a.time_zone, scopes=a.scope, any_scope=a.any_scope
    )
    lines = [line.strip() for line in a.scans.read_text(encoding="utf-8").splitlines()]
    codes = [line for line in lines if line]
    batch = verifier.verify_batch(codes, at, human=a.human)

    print(
        f"{a.scans.name}: {len(batch)} codes, {batch.ok_count} verified, "
        f"{batch.error_count} refused (trust list {trust.sequence}, at {at.isoformat()})"
    )
    print(f"{'outcome':<28}{'count':>8}{'euros':>12}")
    for outcome, count, euros in tally(batch):
        shown = f"{euros:.2f}" if outcome == "ok" else "-"
        print(f"{outcome:<28}{count:>8}{shown:>12}")
    print(f"{'total':<28}{len(batch):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
