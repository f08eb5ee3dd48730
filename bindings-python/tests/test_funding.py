"""The funding domain from Python: conformance vectors, explained results, money
helpers, rule books, plans, the national simulation, errors and pickling."""

from __future__ import annotations

import datetime
import pickle
import threading
from decimal import Decimal
from typing import Any

import pytest

import inclusif
from conftest import VECTORS, read_tsv
from inclusif import funding
from inclusif.funding import (
    Breakdown,
    EmployerType,
    Precision,
    Programme,
    Rounding,
    RuleBook,
    Territory,
)


def _cell(v: str) -> Any:
    # As tests/tests/funding.rs: digits only (no leading zero) are whole numbers,
    # true/false booleans, anything else text.
    if v in ("true", "false"):
        return v == "true"
    if v.isdigit() and v.isascii() and not (len(v) > 1 and v.startswith("0")):
        return int(v)
    return v


def _request(programme: str, params: str) -> dict[str, Any]:
    request: dict[str, Any] = {"programme": programme}
    for pair in filter(None, params.split(";")):
        key, value = pair.split("=", 1)
        request[key] = _cell(value)
    return request


VECTOR_ROWS = read_tsv(VECTORS / "funding.tsv")


def test_the_vector_file_is_complete() -> None:
    assert len(VECTOR_ROWS) >= 40


@pytest.mark.parametrize("row", VECTOR_ROWS, ids=[r["name"] for r in VECTOR_ROWS])
def test_conformance_vector(row: dict[str, str]) -> None:
    request = _request(row["programme"], row["params"])
    if row["expect"] != "ok":
        with pytest.raises(inclusif.FundingValidationError) as info:
            funding.compute(request)
        assert info.value.code == row["expect"]
        return
    b = funding.compute(request)
    assert b.total == Decimal(row["total"])
    if row["lines"] != "-":
        for pair in row["lines"].split(";"):
            label, amount = pair.split("=", 1)
            line = b.line(label)
            assert line is not None, f"no line {label!r} in\n{b}"
            got = line.amount
            if line.rounding is None:
                got = funding.round_amount(got, Rounding.CENT)
            assert got == Decimal(amount), label


def test_breakdown_is_explained_frozen_and_picklable() -> None:
    b = funding.compute(
        {
            "programme": Programme.ANCT_ESTIMATE,
            "employer": EmployerType.PUBLIC,
            "territory": 75,
            "posts": 3,
            "on": datetime.date(2024, 1, 1),
        }
    )
    assert isinstance(b, Breakdown)
    assert b.total == Decimal("166286")
    text = str(b)
    assert text.startswith(b.title) and "rules: cnfs.v1.public.mainland [S1" in text
    assert repr(b) == f"Breakdown(title={b.title!r}, total=Decimal('166286'))"
    first = b.lines[0]
    assert first.rule_ids == ("cnfs.v1.public.mainland",)
    assert first.sources[0] == "S1"
    assert first.rules[0].confidence is funding.Confidence.FIRM
    assert first.inputs["posts"] == "3"
    last = b.lines[-1]
    assert last.rounding is Rounding.EURO and "Math.round" in last.formula
    with pytest.raises(AttributeError):
        b.total = Decimal(0)  # type: ignore[misc]
    for obj in (b, first, first.rules[0]):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj and hash(back) == hash(obj) and type(back) is type(obj)
    assert str(pickle.loads(pickle.dumps(b))) == text
    d = b.to_dict()
    assert d["total"] == Decimal("166286") and d["text"] == text
    assert d["lines"][-1]["rounding"] == "euro"
    assert d["lines"][0]["rules"][0]["confidence"] == "firm"


def test_enums_and_their_values_are_interchangeable() -> None:
    by_value = funding.compute(
        {"programme": "hub_grant", "qpv": True, "action_coeur_de_ville": True,
         "stacking": "highest_only", "on": "2021-03-01"}
    )
    by_member = funding.compute(
        {"programme": Programme.HUB_GRANT, "qpv": True, "action_coeur_de_ville": True,
         "stacking": funding.BonusStacking.HIGHEST_ONLY, "on": datetime.date(2021, 3, 1)}
    )
    assert by_value == by_member and by_value.total == Decimal("300000")
    assert [p.value for p in Programme] == list(funding.FUNDING_PROGRAMMES)
    assert {t.value for t in Territory} == {"mainland", "antilles_guyane", "reunion_mayotte"}


def test_named_rounding_in_a_request() -> None:
    request = {
        "programme": "early_termination",
        "subsidy": Decimal("50000"),
        "months_in_convention": 24,
        "months_used": 17,
        "paid_to_date": "50000",
    }
    assert funding.compute(request).total == Decimal("14583.33")
    down = funding.compute({**request, "rounding": Rounding.EURO_DOWN})
    assert down.total == Decimal("14584")
    assert down.lines[0].rounding is Rounding.EURO_DOWN


def test_typed_conveniences_match_compute() -> None:
    on = datetime.date(2024, 1, 1)
    assert funding.anct_estimate(EmployerType.PRIVATE, "75", 1, on).total == Decimal("37429")
    first = funding.cnfs_first_wave("public", Territory.ANTILLES_GUYANE, datetime.date(2021, 6, 1))
    assert first.total == Decimal("70000")
    assert funding.compute_json('{"programme":"france_services_forfait","year":2026}').total == Decimal(
        "50000"
    )


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"programme": "early_termination", "subsidy": 50000.0, "months_in_convention": 24,
          "months_used": 1, "paid_to_date": 0}, 'request["subsidy"]'),
        ({"programme": "pass_call2019", "project_budget": 1000, "rate": 0.5,
          "on": "2019-03-01"}, 'request["rate"]'),
        ({"programme": "pass_venue_payouts", "venues": [{"venue": "v", "passes": 1,
          "deduction": 0.01}], "month": "2021-01-01", "on": "2021-01-15"},
         'request["venues"][0]["deduction"]'),
    ],
)
def test_floats_are_refused_naming_the_field(request_: dict[str, Any], field: str) -> None:
    with pytest.raises(TypeError, match=r"float") as info:
        funding.compute(request_)
    assert str(info.value).startswith(field)


def test_naive_and_wrong_types() -> None:
    with pytest.raises(TypeError, match="datetime"):
        funding.compute({"programme": "recovery_plan",
                         "on": datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc)})
    with pytest.raises(TypeError, match="dict"):
        funding.compute([("programme", "recovery_plan")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        funding.compute({"programme": b"recovery_plan"})


def _nested(depth: int) -> list[Any]:
    v: list[Any] = []
    for _ in range(depth):
        v = [v]
    return v


MALFORMED: list[Any] = [
    {},
    {"programme": "lottery"},
    {"programme": 7},
    {"programme": None},
    {"programme": "cnfs_first_wave"},
    {"programme": "cnfs_first_wave", "employer": "public", "territory": "75", "on": "2021-13-01"},
    {"programme": "cnfs_first_wave", "employer": "public", "territory": "75", "on": "x", "extra": 1},
    {"programme": "anct_estimate", "employer": "public", "territory": "75", "posts": -1, "on": "2024-01-01"},
    {"programme": "anct_estimate", "employer": "public", "territory": "75", "posts": 2**40, "on": "2024-01-01"},
    {"programme": "anct_estimate", "employer": "public", "territory": "75", "posts": 2**80, "on": "2024-01-01"},
    {"programme": "early_termination", "subsidy": "9" * 40, "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": Decimal("NaN"), "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": Decimal("Infinity"), "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": Decimal("1E+40"), "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": Decimal("-0.01"), "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": 79228162514264337593543950335, "months_in_convention": 24, "months_used": 1, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": "1e5", "months_in_convention": 0, "months_used": 0, "paid_to_date": 0},
    {"programme": "early_termination", "subsidy": 1, "months_in_convention": 24, "months_used": 1, "paid_to_date": 0, "rounding": "nearest"},
    {"programme": "training_paths", "posts": 4294967295, "on": "2023-06-01"},
    {"programme": "training_paths", "posts": 3, "rounding_mode": "sideways", "on": "2023-06-01"},
    {"programme": "pass_call2020", "bought": 2**63 - 1, "used": 2**63 - 1, "priority_publics": 2**63 - 1, "on": "2020-06-01"},
    {"programme": "pass_call2019", "project_budget": "-100", "rate": "0.5", "on": "2019-03-01"},
    {"programme": "pass_call2019", "project_budget": 100, "rate": "-0.5", "on": "2019-03-01"},
    {"programme": "pass_venue_payouts", "venues": "nope", "month": "2021-01-01", "on": "2021-01-15"},
    {"programme": "pass_venue_payouts", "venues": _nested(40), "month": "2021-01-01", "on": "2021-01-15"},
    {"programme": "pass_order_invoice", "passes": 18446744073709551615, "on": "2021-01-15"},
    {"programme": "france_services_forfait", "year": -2**62},
    {"programme": "france_services_network", "structures": 4294967295, "departements": 4294967295, "year": 2023},
    {"programme": "hub_grant", "qpv": "yes", "on": "2021-03-01"},
    {"programme": "recovery_plan", "on": datetime.date.max},
    {1: "keys must be str"},
]


@pytest.mark.parametrize("request_", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_requests_raise_typed_errors_never_panics(request_: Any) -> None:
    try:
        funding.compute(request_)
    except (inclusif.FundingError, TypeError):
        pass
    except BaseException as e:  # a pyo3 PanicException is a BaseException
        pytest.fail(f"{type(e).__name__}: {e}")


def test_error_codes_and_classes() -> None:
    with pytest.raises(inclusif.FundingValidationError) as info:
        funding.compute({"programme": "anct_estimate", "employer": "public", "territory": "975",
                         "posts": 1, "on": "2024-01-01"})
    assert info.value.code == "unknown_territory" and isinstance(info.value, ValueError)
    with pytest.raises(inclusif.FundingError) as refused:
        RuleBook.from_tsv("id\tkind\nbroken\n")
    assert refused.value.code == "rule_table"
    assert not isinstance(refused.value, ValueError)


def test_money_helpers() -> None:
    parts = funding.split_by_weights(Decimal("100"), [1, 1, 1])
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")] and sum(parts) == 100
    assert sum(funding.split_by_weights(1000, [Decimal("1.5"), 2, 7], Precision.EURO)) == 1000
    assert funding.split_by_rates(10, [Decimal("0.5"), Decimal("0.5")], "euro") == [5, 5]
    assert sum(funding.equal_instalments(Decimal("100"), 3, Rounding.CENT)) == 100
    assert funding.instalments(100, [Decimal("0.3"), 1], Rounding.EURO) == [30, 70]
    assert funding.round_amount(Decimal("2.5"), Rounding.EURO_HALF_EVEN) == 2
    assert funding.round_amount(Decimal("2.5"), "euro") == 3
    with pytest.raises(TypeError, match="float"):
        funding.round_amount(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"weights\[1\]"):
        funding.split_by_weights(100, [1, 0.5])  # type: ignore[list-item]
    with pytest.raises(inclusif.FundingValidationError) as info:
        funding.round_amount(Decimal("-1"))
    assert info.value.code == "negative_amount"
    with pytest.raises(inclusif.FundingValidationError) as info:
        funding.split_by_rates(10, [Decimal("0.5"), Decimal("0.4")])
    assert info.value.code == "invalid_input"
    with pytest.raises(inclusif.FundingValidationError):
        funding.round_amount(1, "nearest")


def test_rule_book() -> None:
    book = RuleBook()
    rules = book.rules()
    assert len(book) == len(rules) > 20
    rule = book.rule("cnfs.v1.private.faq", datetime.date(2021, 6, 1))
    assert (rule.kind, rule.value, rule.confidence) == ("amount", Decimal("40000"), funding.Confidence.UNCERTAIN)
    assert rule.valid_from == datetime.date(2020, 11, 17) and rule.valid_until is None
    assert pickle.loads(pickle.dumps(rule)) == rule
    columns = book.to_dict()
    assert columns["id"] == [r.id for r in rules] and len(columns["value"]) == len(rules)
    assert rules[0].to_dict()["id"] == rules[0].id
    with pytest.raises(inclusif.FundingValidationError) as info:
        book.rule("cnfs.v1.private.faq", datetime.date(2019, 1, 1))
    assert info.value.code == "outside_rule_validity"
    with pytest.raises(inclusif.FundingValidationError) as info:
        book.rule("nope", datetime.date(2021, 1, 1))
    assert info.value.code == "unknown_rule"
    # A replaced rule changes results.
    tsv = book.to_tsv().replace("cnfs.v1.public.mainland\tamount\t50000", "cnfs.v1.public.mainland\tamount\t51000")
    mine = RuleBook.from_tsv(tsv)
    assert mine != book and pickle.loads(pickle.dumps(mine)) == mine
    request = {"programme": "cnfs_first_wave", "employer": "public", "territory": "75", "on": "2021-06-01"}
    assert funding.compute(request, rules=mine).total == Decimal("51000")
    assert funding.compute(request).total == Decimal("50000")


def test_plan_report() -> None:
    plan = {
        "envelopes": [
            {"id": "all", "amount": Decimal("1000"), "balance": True},
            {"id": "posts", "amount": "600", "parent": "all"},
        ],
        "lines": [
            {"id": "l1", "envelope": "posts", "amount": 500, "unit": 250, "quantity": 2},
            {"id": "l2", "envelope": "posts", "amount": 200, "unit": 100, "quantity": "3"},
            {"id": "l3", "envelope": "ghost", "amount": 1},
            {"id": "l4", "envelope": "all", "amount": 50000, "unit": 50000, "quantity": 1,
             "rule": "cnfs.v1.public.mainland", "date": datetime.date(2019, 1, 1)},
        ],
    }
    report = funding.check_plan(plan)
    assert not report.ok
    codes = [(i.kind, i.id, i.code) for i in report.issues]
    assert ("line", "l2", "line_does_not_add_up") in codes
    assert ("line", "l3", "missing_envelope") in codes
    assert ("line", "l4", "outside_rule_validity") in codes
    assert ("envelope", "posts", "envelope_overspent") in codes
    assert report.spent["posts"] == Decimal("700")
    assert report.to_dict()["issues"][0]["code"] == report.issues[0].code
    assert pickle.loads(pickle.dumps(report)) == report
    assert funding.check_plan({"envelopes": [{"id": "e", "amount": 10}]}).ok
    with pytest.raises(inclusif.FundingValidationError):
        funding.check_plan({"lines": []})
    with pytest.raises(TypeError, match=r'plan\["envelopes"\]\[0\]\["amount"\]'):
        funding.check_plan({"envelopes": [{"id": "e", "amount": 1.5}]})


def test_simulation_rows_totals_and_frames() -> None:
    structures = funding.synthetic_structures(500, seed=7)
    assert structures == funding.synthetic_structures(500, seed=7)
    sim = funding.simulate(structures)
    assert len(sim) == 500 and sim.posts == sum(s["posts"] for s in structures)
    assert sim.total_subsidy == sum(r.total_subsidy for r in sim.rows)
    assert sim.total_subsidy == sim.first_wave + sim.renewal
    assert sim.totals()["structures"] == 500
    columns = sim.to_dict()
    assert list(columns) == sim.to_csv().splitlines()[0].split(",")
    assert columns["total_subsidy"] == [r.total_subsidy for r in sim.rows]
    assert sim.to_records()[3] == sim.rows[3].to_dict()
    assert sim.rows[0].employer in (EmployerType.PUBLIC, EmployerType.PRIVATE)
    assert len(sim.to_csv().splitlines()) == 501
    # The same structures as columns give the same simulation.
    as_columns = {k: [s[k] for s in structures] for k in structures[0]}
    assert funding.simulate(as_columns) == sim
    back = pickle.loads(pickle.dumps(sim))
    assert back == sim and back.to_csv() == sim.to_csv()
    row = sim.rows[0]
    assert pickle.loads(pickle.dumps(row)) == row


def test_simulation_inputs_and_options() -> None:
    one = [{"structure_id": 1, "employer": EmployerType.PUBLIC, "territory": 971, "posts": 1,
            "qpv_or_zrr": True, "renewed": True, "ignored_column": "x"}]
    sim = funding.simulate(one)
    assert sim.rows[0].territory is Territory.ANTILLES_GUYANE and sim.rows[0].structure_id == "1"
    assert sim.first_wave == Decimal("70000") and sim.renewal == Decimal("50000")
    private = [{"structure_id": "p", "employer": "private", "territory": "75", "posts": 1}]
    assert funding.simulate(private).first_wave == Decimal("40000")
    anct = funding.simulate(private, {"private_source": funding.PrivateAmountSource.ANCT_CODE})
    assert anct.first_wave == Decimal("32000")
    with pytest.raises(inclusif.FundingValidationError, match="unknown option"):
        funding.simulate(private, {"private_sauce": "faq"})
    with pytest.raises(inclusif.FundingValidationError) as info:
        funding.simulate(private + private)
    assert info.value.code == "invalid_input"
    with pytest.raises(TypeError, match=r'structures\[0\]\["posts"\]'):
        funding.simulate([{**private[0], "posts": 1.0}])
    with pytest.raises(inclusif.FundingValidationError, match="missing"):
        funding.simulate([{"structure_id": "x", "employer": "public", "posts": 1}])
    with pytest.raises(inclusif.FundingValidationError) as info:
        funding.simulate([{**private[0], "territory": "975"}])
    assert info.value.code == "unknown_territory"
    with pytest.raises(inclusif.FundingValidationError):
        funding.simulate({"structure_id": ["a", "b"], "employer": ["public"], "territory": ["75"], "posts": [1]})
    with pytest.raises(TypeError):
        funding.simulate("structures.csv")  # type: ignore[arg-type]
    assert len(funding.simulate([])) == 0


def test_simulation_releases_the_gil() -> None:
    structures = funding.synthetic_structures(200_000, seed=3)
    result: list[funding.Simulation] = []
    worker = threading.Thread(target=lambda: result.append(funding.simulate(structures)))
    ticks = 0
    worker.start()
    while worker.is_alive():
        ticks += 1
        worker.join(0.0005)
    worker.join()
    assert len(result[0]) == 200_000
    assert ticks > 1


def test_pandas_frame_in_one_line() -> None:
    pd = pytest.importorskip("pandas")
    sim = funding.simulate(funding.synthetic_structures(300, seed=1))
    frame = pd.DataFrame(sim.to_dict())
    assert len(frame) == 300
    assert frame["total_subsidy"].sum() == sim.total_subsidy
    by_territory = frame.groupby("territory")["total_subsidy"].sum()
    assert sum(by_territory) == sim.total_subsidy
