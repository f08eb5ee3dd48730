"""Label the venues of a real file and count, per département and label, how many are
eligible, not eligible, or undecidable from the data.

    python examples/python/label_venues.py [path/to/venues.{json,csv}]

Default: the Hinaura file (687 real venues, standard v0.1, migrated on the fly). Uses
pandas when it is installed, plain Python otherwise; prints one line per (département,
label) with the counts, then a TOTAL line per label.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from inclusif import venue

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "venues"
    / "hinaura-2021-2022.standard-v0.json"
)
OUTCOMES = ["eligible", "not_eligible", "unknown"]


def count(results: venue.LabelResults) -> dict[tuple[str, str], dict[str, int]]:
    """(département, label) -> counts per outcome, from the columnar results."""
    cols = results.to_dict()
    try:
        import pandas as pd
    except ImportError:
        tally = Counter(
            (d or "?", label, outcome)
            for d, label, outcome in zip(cols["departement"], cols["label"], cols["outcome"])
        )
        keys = sorted({(d, lab) for d, lab, _ in tally})
        return {k: {o: tally[(*k, o)] for o in OUTCOMES} for k in keys}
    df = pd.DataFrame(cols)
    df["departement"] = df["departement"].fillna("?")
    table = (
        df.groupby(["departement", "label", "outcome"]).size().unstack(fill_value=0)
        .reindex(columns=OUTCOMES, fill_value=0)
    )
    return {
        (str(d), str(lab)): {o: int(row[o]) for o in OUTCOMES}
        for (d, lab), row in table.iterrows()
    }


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    venues = venue.read_file(path)
    results = venues.evaluate_labels()
    table = count(results)
    print(f"{path.name}: {len(venues)} venues, standard v{venues.detected_version().value}")
    print(f"{'departement':<12}{'label':<22}" + "".join(f"{o:>14}" for o in OUTCOMES))
    totals: dict[str, Counter[str]] = {}
    for (dep, label), counts in sorted(table.items()):
        print(f"{dep:<12}{label:<22}" + "".join(f"{counts[o]:>14}" for o in OUTCOMES))
        totals.setdefault(label, Counter()).update(counts)
    for label, counts in sorted(totals.items()):
        print(f"{'TOTAL':<12}{label:<22}" + "".join(f"{counts[o]:>14}" for o in OUTCOMES))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
