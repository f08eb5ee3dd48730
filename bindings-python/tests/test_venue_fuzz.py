"""The venue fuzz seeds (targets venue_file and opening_hours, tests/fuzz_targets.rs) run
through the Python API: each gives a result or an InclusifError, never a PanicException."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import no_panic, seeds

import inclusif
from inclusif.venue import Holidays, OpeningHours, read_venues

TODAY = date(2026, 11, 23)
MONDAYS = [date(2026, 10, 19), date(2026, 12, 21)]
INSTANTS = [
    datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc),
    datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc),
    datetime(2026, 12, 25, 9, 0, tzinfo=timezone.utc),
]


def _venue_file(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        f = read_venues(text)
    except inclusif.VenueError as e:
        assert e.code == "malformed_file", e
        return
    for version in (None, "0.1", "1.0.2"):
        report = f.validate(version, today=TODAY)
        assert report.rows == len(f)
        assert sum(report.counts.values()) == len(report.problems)
        rows = {r.row for r in f}
        assert all(p.row == 0 or p.row in rows for p in report.problems)
        if version == "1.0.2":
            results = report.valid.evaluate_labels()
            assert len(results) == 4 * len(report.valid)
    v1, migration = f.as_v1()
    assert len(v1) == len(f)
    if migration is not None:
        assert migration.records == len(f)
        v1.validate("1.0.2", today=TODAY)
    f.evaluate_labels()


def _bytes_entry(data: bytes) -> None:
    try:
        read_venues(data)
    except inclusif.VenueError as e:
        assert e.code == "malformed_file"


def _opening_hours(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        oh = OpeningHours(text)
    except inclusif.VenueError as e:
        assert e.code == "invalid_opening_hours", e
        return
    assert oh.text == text
    for monday in MONDAYS:
        for holidays in (Holidays.NONE, Holidays.FRANCE):
            w = oh.week(monday, holidays=holidays)
            assert sum(w.per_day) == w.minutes_open
            assert w.minutes_open <= 7 * 24 * 60 + 60
    for i, at in enumerate(INSTANTS):
        open_now = oh.is_open(at)
        oh.is_open(at, holidays=Holidays.FRANCE)
        nxt = oh.next_opening(at)
        if open_now:
            assert nxt == at
        if nxt is not None:
            assert nxt >= at and oh.is_open(nxt)
        if i + 1 == len(INSTANTS):
            oh.next_opening(at, holidays=Holidays.FRANCE)


VENUE_SEEDS = seeds("venue_file")
HOURS_SEEDS = seeds("opening_hours")


def test_there_are_seeds() -> None:
    assert len(VENUE_SEEDS) > 50 and len(HOURS_SEEDS) > 300


@pytest.mark.parametrize("seed", VENUE_SEEDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_venue_file_seed(seed: Path) -> None:
    data = seed.read_bytes()
    no_panic(lambda: _venue_file(data))
    no_panic(lambda: _bytes_entry(data))


@pytest.mark.parametrize("seed", HOURS_SEEDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_opening_hours_seed(seed: Path) -> None:
    data = seed.read_bytes()
    no_panic(lambda: _opening_hours(data))
