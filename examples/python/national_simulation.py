"""The national conseiller numérique funding picture as a pandas DataFrame.

Usage::

    python national_simulation.py                 # 5,000 synthetic structures
    python national_simulation.py structures.csv  # columns: structure_id, employer,
                                                  # territory, posts, qpv_or_zrr, renewed

Prints the national totals, then the totals per territory and per employer type.
Amounts are exact ``decimal.Decimal`` sums (no float anywhere).
"""

from __future__ import annotations

import sys
from typing import Any

from inclusif import funding


def load(argv: list[str]) -> list[dict[str, Any]] | dict[str, list[Any]]:
    """Synthetic structures, or the CSV named on the command line as columns."""
    import pandas as pd

    if len(argv) < 2:
        return funding.synthetic_structures(5_000, seed=2026)
    frame = pd.read_csv(argv[1], dtype={"structure_id": str, "territory": str, "employer": str})
    for flag in ("qpv_or_zrr", "renewed"):
        if flag in frame:
            frame[flag] = frame[flag].fillna(False).astype(bool)
    return {column: frame[column].tolist() for column in frame.columns}


def main(argv: list[str]) -> int:
    import pandas as pd

    sim = funding.simulate(load(argv))
    frame = pd.DataFrame(sim.to_dict())
    amounts = ["first_wave", "anct_estimate", "total_subsidy"]

    print(f"structures\t{len(frame)}")
    print(f"posts\t{sim.posts}")
    for column in amounts:
        print(f"{column}\t{frame[column].sum()}")
    for key in ("territory", "employer"):
        print()
        grouped = frame.groupby(key)[["posts", *amounts]].sum()
        print(grouped.to_csv(sep="\t"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
