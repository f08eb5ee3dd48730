"""The venue domain from Python: the conformance vectors of tests/vectors/venues/ reach
the same problems, changes, hours and labels as tests/tests/venues.rs; errors, enums,
pickling, columnar results, the GIL released, and the real Hinaura file."""

from __future__ import annotations

import pickle
import threading
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import SHARED_DATA, VECTORS, read_tsv

import inclusif
from inclusif import venue
from inclusif.venue import (
    Eligibility,
    Holidays,
    NoteCode,
    OpeningHours,
    Outcome,
    Severity,
    Version,
    VenueFile,
    VenueIndex,
    VenueProblem,
    VenueRecord,
    read_file,
    read_venues,
)

VENUES = VECTORS / "venues"
HINAURA = SHARED_DATA / "venues" / "hinaura-2021-2022.standard-v0.json"
EXAMPLE_V1 = SHARED_DATA / "venues" / "exemple-valide-v1.0.2.csv"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def hinaura() -> VenueFile:
    return read_file(HINAURA)


# ---- conformance vectors -------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "1.0.2", Version.V1_0_2])
def test_problems_are_the_expected_ones_in_order(version: object) -> None:
    report = read_file(VENUES / "problems.csv").validate(version, today=TODAY)
    expected = [
        (int(r["row"]), r["field"], r["code"], r["severity"])
        for r in read_tsv(VENUES / "problems.expected.tsv")
    ]
    assert len(expected) == 26
    assert report.version is Version.V1_0_2
    got = [(p.row, p.field, p.code, p.severity.value) for p in report.problems]
    assert got == expected
    assert all(isinstance(p.severity, Severity) for p in report.problems)
    assert (report.rows, report.valid_rows) == (11, 2)
    assert [r.row for r in report.valid] == [2, 12]
    changes = [(c.row, c.field, c.rule, c.after) for c in report.changes]
    assert changes == [
        (int(r["row"]), r["field"], r["rule"], r["after"])
        for r in read_tsv(VENUES / "problems.changes.tsv")
    ]
    assert sum(report.counts.values()) == len(report.problems)
    assert report.errors + report.warnings == len(report.problems)


def test_every_promised_code_is_triggered() -> None:
    report = read_file(VENUES / "problems.csv").validate(today=TODAY)
    for code in [
        "missing_required", "invalid_pattern", "unknown_value", "wrong_list_separator",
        "empty_list_item", "invalid_email", "invalid_url", "invalid_opening_hours",
        "duplicate_id", "date_in_future", "coordinates_swapped", "unknown_postal_code",
        "insee_postal_mismatch", "invalid_siret_checksum", "unknown_column", "not_a_number",
        "invalid_date", "too_long", "incomplete_coordinates", "pivot_unknown", "unknown_insee",
        "commune_mismatch", "coordinates_outside_territory",
    ]:
        assert code in report.counts, code
    patterns = sorted(p.field for p in report.problems if p.code == "invalid_pattern")
    assert patterns == ["code_insee", "code_postal", "pivot", "telephone"]


def test_weekly_hours_vectors() -> None:
    rows = read_tsv(VENUES / "hours.tsv")
    assert len(rows) == 26
    for row in rows:
        text = row["horaires"]
        if row["error"]:
            with pytest.raises(inclusif.VenueValidationError) as e:
                OpeningHours(text)
            assert e.value.code == row["error"], text
            continue
        w = OpeningHours(text).week(
            date.fromisoformat(row["week_of"]),
            time_zone=row["time_zone"],
            holidays=Holidays(row["holidays"]),
        )
        got = (w.per_day, w.minutes_open, w.minutes_unknown, w.days_open)
        expected = (
            [int(m) for m in row["per_day"].split(" ")],
            int(row["minutes_open"]),
            int(row["minutes_unknown"]),
            int(row["days_open"]),
        )
        assert got == expected, f"{text!r}: {row['note']}"
        assert w.hours_per_week == Decimal(w.minutes_open) / 60


def test_label_vectors() -> None:
    results = read_file(VENUES / "labels.csv").evaluate_labels()
    assert len(results) == 6 * 4
    by_key = {(e.venue_id, e.label): e for e in results}
    rows = read_tsv(VENUES / "labels.tsv")
    assert len(rows) == 24
    for row in rows:
        e = by_key[(row["id"], row["label"])]
        criteria = " ".join(f"{c.id}={c.outcome.value}" for c in e.criteria)
        assert (e.outcome.value, criteria) == (row["outcome"], row["criteria"]), row["id"]
        assert e.eligible == (e.outcome is Eligibility.ELIGIBLE)
        assert all(isinstance(c.outcome, Outcome) and c.reason for c in e.criteria)


# ---- reading -------------------------------------------------------------------------


def test_read_csv_and_json_alike() -> None:
    csv = read_venues("id,nom,latitude,services\nv1,Médiathèque,45.5,A|B\n")
    js = read_venues(
        b'[{"id":"v1","nom":"M\xc3\xa9diath\xc3\xa8que","latitude":45.5,"services":["A","B"],"x":null}]',
        "json",
    )
    assert csv[0].fields == js[0].fields
    assert (csv[0].row, js[0].row) == (2, 1)
    assert csv.to_dict() == {
        "row": [2], "id": ["v1"], "nom": ["Médiathèque"], "latitude": ["45.5"], "services": ["A|B"],
    }
    assert js.to_dicts() == [{"row": 1, **js[0].fields}]
    assert [r.get("id") for r in csv] == ["v1"]
    assert csv[-1] == csv[0]
    with pytest.raises(IndexError):
        csv[1]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [("id,nom\nv1\n", "csv"), ("[1]", "auto"), ("nope", "json"), (b"id\n\xff\n", "csv")],
)
def test_broken_files_raise_malformed_file(data: str | bytes, fmt: str) -> None:
    with pytest.raises(inclusif.VenueValidationError) as e:
        read_venues(data, fmt)
    assert e.value.code == "malformed_file"
    assert isinstance(e.value, ValueError)


def test_bad_arguments() -> None:
    with pytest.raises(inclusif.VenueValidationError) as e:
        read_venues("id\n", "xml")
    assert e.value.code == "invalid_argument"
    with pytest.raises(TypeError):
        read_venues(42)  # type: ignore[arg-type]
    f = read_venues("id\nv1\n")
    with pytest.raises(inclusif.VenueValidationError) as e:
        f.evaluate_labels("nope")
    assert e.value.code == "invalid_argument"
    with pytest.raises(inclusif.VenueValidationError):
        f.evaluate_labels(time_zone="Mars/Olympus")
    with pytest.raises(inclusif.VenueValidationError):
        f.evaluate_labels(week_of=date(2026, 11, 17))
    with pytest.raises(TypeError):
        f.validate(today=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_the_standards_example_is_valid() -> None:
    f = read_file(EXAMPLE_V1)
    assert f.detected_version() is Version.V1_0_2
    report = f.validate(today=TODAY)
    assert (report.rows, report.valid_rows, report.problems) == (1, 1, [])
    v1, migration = f.as_v1()
    assert migration is None and len(v1) == 1


# ---- the real file -------------------------------------------------------------------


def test_real_file_reads_validates_and_migrates(hinaura: VenueFile) -> None:
    assert len(hinaura) == 687
    assert hinaura.detected_version() is Version.V0_1
    report = hinaura.validate(today=TODAY)
    # The README: all 687 records are valid against v0.1.1; every pivot is the placeholder.
    assert (report.valid_rows, report.errors) == (687, 0)
    assert report.counts["pivot_unknown"] == 687
    columnar = report.to_dict()
    assert len(columnar["code"]) == len(report.problems)
    assert set(columnar["severity"]) <= {"error", "warning"}
    v1, migration = hinaura.as_v1()
    assert migration is not None and migration.records == len(v1) == 687
    assert [r.row for r in v1] == [r.row for r in hinaura]
    assert "extension_v0" in v1.columns
    assert migration.note_counts["renamed"] > 0
    assert all(isinstance(n.code, NoteCode) for n in migration.notes[:50])
    assert sum(migration.note_counts.values()) == len(migration.notes)
    assert len(migration.to_dict()["row"]) == len(migration.notes)
    # 91 declare "Accepte le Pass numérique" (README), kept in the extension column.
    assert migration.extension_items.get("frais=Accepte le Pass numérique") == 91
    assert v1.validate("1.0.2", today=TODAY).rows == 687


def test_real_file_labels_are_columnar(hinaura: VenueFile) -> None:
    results = hinaura.evaluate_labels()
    assert len(results) == 687 * 4
    cols = results.to_dict()
    assert set(cols) == {"row", "venue_id", "departement", "label", "outcome", "eligible", "reasons"}
    assert all(len(v) == len(results) for v in cols.values())
    assert cols["eligible"] == [o == "eligible" for o in cols["outcome"]]
    # Every pivot is the all-zero placeholder: the Pass numérique SIRET is unknown.
    pass_num = [e for e in results if e.label == "pass_numerique"]
    assert all(e.outcome is not Eligibility.ELIGIBLE for e in pass_num)
    assert any("placeholder" in e.reasons for e in pass_num)
    crit = results.criteria_to_dict()
    assert len(crit["criterion"]) == sum(len(e.criteria) for e in results)
    coverage = hinaura.coverage_by_departement(["pass_numerique"])
    total = sum(coverage["eligible"]) + sum(coverage["not_eligible"]) + sum(coverage["unknown"])
    assert total == 687


def test_nearest_venues(hinaura: VenueFile) -> None:
    index = VenueIndex(hinaura)
    assert len(index) + index.skipped == 687
    near = index.nearest(45.764, 4.8357, k=3)
    assert len(near) == 3
    assert [n.distance_m for n in near] == sorted(n.distance_m for n in near)
    within = index.within(45.764, 4.8357, near[-1].distance_m)
    assert [n.id for n in within[:3]] == [n.id for n in near]
    assert pickle.loads(pickle.dumps(near[0])) == near[0]
    assert near[0].to_dict()["id"] == near[0].id
    with pytest.raises(inclusif.VenueValidationError) as e:
        index.nearest(91.0, 0.0)
    assert e.value.code == "invalid_argument"
    eligible_only = VenueIndex(hinaura, "pass_numerique")
    assert len(eligible_only) == 0  # no real SIRET in the file
    assert len(VenueIndex(hinaura, "pass_numerique", include_unknown=True)) > 0


def test_merge_finds_the_same_venues() -> None:
    a = read_file(EXAMPLE_V1)
    merged = venue.merge_venues({"a": a, "b": a})
    assert len(merged.file) == 2
    assert [r.get("id") for r in merged.file][0].startswith("a:")
    assert len(merged.duplicates) == 1
    pair = merged.duplicates[0]
    assert (pair.a, pair.b) == (0, 1)
    assert all(isinstance(r, venue.DuplicateReason) for r in pair.reasons)
    assert merged.duplicates_to_dict()["a_id"] == [pair.a_id]
    assert len(venue.merge_venues([("x", a)]).duplicates) == 0


# ---- opening hours -------------------------------------------------------------------


def test_opening_hours_instants() -> None:
    h = OpeningHours("Mo-Fr 09:00-12:00,14:00-17:30; PH off")
    paris = ZoneInfo("Europe/Paris")
    assert h.is_open(datetime(2026, 11, 16, 10, 0, tzinfo=paris))
    assert not h.is_open(datetime(2026, 11, 16, 13, 0, tzinfo=paris))
    nxt = h.next_opening(datetime(2026, 11, 14, 12, 0, tzinfo=timezone.utc))
    assert nxt == datetime(2026, 11, 16, 8, 0, tzinfo=timezone.utc)
    # Christmas 2026 is a Friday: closed with French holidays, open without.
    xmas = datetime(2026, 12, 25, 10, 0, tzinfo=paris)
    assert h.is_open(xmas)
    assert not h.is_open(xmas, holidays=Holidays.FRANCE)
    assert h.is_open(datetime(2026, 11, 16, 10, 0, tzinfo=paris), time_zone="America/Cayenne") is False
    assert OpeningHours("Dec 24 09:00-12:00").next_opening(xmas) is not None
    assert OpeningHours("off").next_opening(xmas) is None
    assert h.weekly_minutes(date(2026, 11, 16)) == 5 * 390
    assert str(h) == h.text
    with pytest.raises(ValueError, match="naive"):
        h.is_open(datetime(2026, 11, 16, 10, 0))
    with pytest.raises(TypeError):
        h.week(datetime(2026, 11, 16, tzinfo=timezone.utc))
    with pytest.raises(inclusif.VenueValidationError) as e:
        h.week(date(2026, 11, 17))
    assert e.value.code == "invalid_argument"
    with pytest.raises(inclusif.VenueValidationError) as e:
        OpeningHours("Lu-Ve 9h-12h")
    assert e.value.code == "invalid_opening_hours"
    assert isinstance(e.value, inclusif.VenueError)


# ---- value classes -------------------------------------------------------------------


def test_pickling_equality_and_hash() -> None:
    h = OpeningHours("Mo-Fr 09:00-12:00")
    assert pickle.loads(pickle.dumps(h)) == h
    assert hash(h) == hash(OpeningHours("Mo-Fr 09:00-12:00"))
    assert repr(h) == "OpeningHours('Mo-Fr 09:00-12:00')"
    for text in ['Sa 10:00-12:00 "sur rendez-vous"', "Mo 09:00-12:00 \"l'accueil\"\\"]:
        try:
            assert repr(OpeningHours(text)) == f"OpeningHours({text!r})"
        except inclusif.VenueValidationError:
            pass
    assert repr(VenueRecord(2, {"id": "l'un"})) == "VenueRecord(row=2, id=\"l'un\", fields=1)"
    report = read_file(VENUES / "problems.csv").validate(today=TODAY)
    p = report.problems[0]
    back = pickle.loads(pickle.dumps(p))
    assert back == p and hash(back) == hash(p) and back.severity is Severity.WARNING
    assert p.to_dict()["severity"] == "warning"
    assert VenueProblem(0, None, "x", None, "unknown_column", "warning", "m").severity is Severity.WARNING
    f = read_file(VENUES / "labels.csv")
    assert pickle.loads(pickle.dumps(f)) == f
    r = VenueRecord(2, {"id": "v1"})
    assert pickle.loads(pickle.dumps(r)) == r and {r: 1}[VenueRecord(2, {"id": "v1"})] == 1
    assert VenueFile(f.columns, f.records) == f
    w = h.week(date(2026, 11, 16))
    assert w == h.week(date(2026, 11, 16)) and w.to_dict()["hours_per_week"] == Decimal(15)


def test_enums_are_the_cores_values() -> None:
    assert [s.value for s in Severity] == ["error", "warning"]
    assert [e.value for e in Eligibility] == ["eligible", "not_eligible", "unknown"]
    assert [l.label for l in venue.shipped_labels()] == [
        "france_services", "pass_numerique", "aidants_connect", "conseiller_numerique",
    ]
    assert venue.shipped_labels()[1].kind == "operator_policy"
    assert set(venue.__all__) <= set(dir(venue))


def test_batch_releases_the_gil(hinaura: VenueFile) -> None:
    done = threading.Event()
    ticks = 0

    def work() -> None:
        for _ in range(3):
            hinaura.evaluate_labels()
        done.set()

    t = threading.Thread(target=work)
    start = time.monotonic()
    t.start()
    while not done.is_set() and time.monotonic() - start < 120:
        ticks += 1
        time.sleep(0.001)
    t.join()
    # The main thread kept running while the batch ran.
    assert ticks > 5
