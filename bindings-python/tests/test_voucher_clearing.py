"""Clearing in Python: the monthly statement to venues (worked by hand, as in
core/src/voucher/clearing.rs), credit notes at the end of validity around the grace
boundary, and the reconciliation of the issuance register with redemptions and credits."""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from inclusif import FundingValidationError, VoucherValidationError
from inclusif.funding import RuleBook
from inclusif.voucher import (
    ANOMALY_KINDS,
    DEFAULT_CREDIT_GRACE_DAYS,
    CreditedCheque,
    CreditNote,
    IssuedCheque,
    Issuer,
    MonthlyStatement,
    Reconciliation,
    Redemption,
    VoucherSpec,
    credit_notes,
    credit_notes_csv,
    credit_notes_json,
    monthly_statement,
    reconcile,
)

UTC = timezone.utc


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=UTC)


def serial(n: int) -> str:
    return f"{n:020x}"


def r(n: int, cents: int, venue: str, when: datetime, issuer: str = "aptic") -> Redemption:
    return Redemption(issuer, serial(n), 1, cents, venue, when)


# March 2026 in Paris (UTC+1 until 29 March, UTC+2 after): three venues at 0 %, 2.5 %, 5 %.
MARCH = [
    r(1, 1000, "cyber-base-gueret", at(2026, 2, 28, 23)),  # 1 March 00:00 in Paris
    r(2, 1000, "cyber-base-gueret", at(2026, 3, 12)),
    r(3, 550, "cyber-base-gueret", at(2026, 3, 20)),
    r(4, 1000, "mediatheque-lyon", at(2026, 3, 2)),
    r(5, 1000, "mediatheque-lyon", at(2026, 3, 30)),
    r(6, 1020, "mediatheque-lyon", at(2026, 3, 31, 21, 59, 59)),  # 23:59:59 in Paris
    *[r(n, 1000, "espace-creuse", at(2026, 3, n - 4)) for n in range(7, 11)],
    r(11, 150, "espace-creuse", at(2026, 3, 7)),
    r(12, 1000, "mediatheque-lyon", at(2026, 3, 31, 22)),  # 1 April 00:00 in Paris
    r(13, 1000, "espace-creuse", at(2026, 2, 28, 22, 59, 59)),  # still February there
]
RATES = {"mediatheque-lyon": Decimal("0.025"), "espace-creuse": Decimal("0.05")}


def test_a_month_with_three_venues_by_hand() -> None:
    s = monthly_statement(MARCH, year=2026, month=3, on=date(2026, 4, 5), deductions=RATES)
    assert isinstance(s, MonthlyStatement)
    got = [(l.venue, l.count, l.face_cents, l.deduction_cents, l.payout_cents) for l in s.lines]
    assert got == [
        ("cyber-base-gueret", 3, 2550, 0, 2550),  # 10 + 10 + 5.50 at 0 %
        ("espace-creuse", 5, 4150, 207, 3943),  # 41.50 × 0.95 = 39.425 → 39.43
        ("mediatheque-lyon", 3, 3020, 75, 2945),  # 30.20 × 0.975 = 29.445 → 29.45
    ]
    assert (s.count, s.face_cents, s.deduction_cents, s.payout_cents) == (11, 9720, 282, 9438)
    assert s.payout == Decimal("94.38")
    assert s.lines[2].deduction_rate == Decimal("0.025")
    assert s.time_zone == "Europe/Paris" and len(s) == 3
    assert s.breakdown.total == Decimal("94.38")
    csv = s.to_csv().splitlines()
    assert csv[0] == "month,row,venue,count,face_cents,deduction_rate,deduction_cents,payout_cents"
    assert csv[-1] == "2026-03,total,,11,9720,,282,9438"
    assert json.loads(s.to_json())["totals"]["payout_cents"] == 9438
    assert s.to_dicts()[0]["venue"] == "cyber-base-gueret"
    # The last evening of March in UTC is April in Paris; in UTC it stays March.
    april = monthly_statement(MARCH, year=2026, month=4, on=date(2026, 5, 5), deductions=RATES)
    assert (april.count, april.payout_cents, april.deduction_cents) == (1, 975, 25)
    utc = monthly_statement(
        MARCH, year=2026, month=3, on=date(2026, 4, 5), deductions=RATES, time_zone=ZoneInfo("UTC")
    )
    assert [l.count for l in utc.lines] == [2, 5, 4]


def test_statement_refusals() -> None:
    on = date(2026, 4, 5)
    with pytest.raises(FundingValidationError) as e:
        monthly_statement(MARCH, year=2026, month=3, on=on, deductions={"espace-creuse": Decimal("0.0501")})
    assert e.value.code == "invalid_input" and "espace-creuse" in e.value.message
    with pytest.raises(FundingValidationError):
        monthly_statement(MARCH, year=2026, month=13, on=on)
    with pytest.raises(FundingValidationError):
        monthly_statement([*MARCH, MARCH[1]], year=2026, month=3, on=on)
    with pytest.raises(TypeError):
        monthly_statement(["nope"], year=2026, month=3, on=on)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        monthly_statement(MARCH, year=2026, month=3, on=on, default_deduction=0.05)  # type: ignore[arg-type]
    # The shipped rule book passed explicitly gives the same statement.
    a = monthly_statement(MARCH, year=2026, month=3, on=on, rules=RuleBook())
    b = monthly_statement(MARCH, year=2026, month=3, on=on)
    assert a.to_json() == b.to_json()


def register() -> list[IssuedCheque]:
    end = date(2026, 12, 31)

    def c(n: int, cents: int, order: str, until: date = end, issuer: str = "aptic") -> IssuedCheque:
        return IssuedCheque(issuer, serial(n), 1, cents, date(2026, 1, 1), until, order, at(2026, 1, 5))

    return [
        c(1, 1000, "CD23-001"),  # redeemed
        c(2, 1000, "CD23-001"),
        c(3, 550, "CD23-001"),
        c(4, 1000, "CD23-001"),  # credited earlier
        c(5, 2000, "CD23-002"),
        c(6, 1000, "CD23-002", date(2027, 6, 30)),  # still valid
        c(7, 500, "R-1", issuer="region-creuse"),
    ]


EARLIER = CreditedCheque("aptic", serial(4), 1000, "CD23-001", date(2026, 12, 31), date(2026, 6, 30))
REDEEMED = [r(1, 1000, "mediatheque-lyon", at(2026, 3, 10))]


def test_credit_notes_around_the_grace_boundary() -> None:
    assert DEFAULT_CREDIT_GRACE_DAYS == 7
    spent: list[Redemption | CreditedCheque] = [*REDEEMED, EARLIER]
    for as_of in (date(2027, 1, 6), date(2027, 1, 7)):  # the day before, the last grace day
        assert credit_notes(register(), spent=spent, as_of=as_of) == []
    notes = credit_notes(register(), spent=spent, as_of=date(2027, 1, 8))
    assert all(isinstance(n, CreditNote) for n in notes)
    assert [(n.issuer, n.order_ref, n.count, n.face_cents) for n in notes] == [
        ("aptic", "CD23-001", 2, 1550),
        ("aptic", "CD23-002", 1, 2000),
        ("region-creuse", "R-1", 1, 500),
    ]
    assert notes[0].face == Decimal("15.50")
    assert [c.serial for c in notes[0].cheques] == [serial(2), serial(3)]
    assert "not refunded (S32)" in notes[0].breakdown.lines[0].formula
    rows = credit_notes_csv(notes).splitlines()
    assert rows[2] == f"aptic,CD23-001,2027-01-08,{serial(3)},550,2026-12-31,1550"
    assert json.loads(credit_notes_json(notes))[2]["face_cents"] == 500
    # (issuer, serial) pairs work as well; no grace credits from 1 January.
    pairs = [("aptic", serial(1)), ("aptic", serial(4))]
    assert len(credit_notes(register(), spent=pairs, as_of=date(2027, 1, 1), grace_days=0)) == 3
    with pytest.raises(VoucherValidationError) as e:
        credit_notes(register(), spent=[("aptic", "xyz")], as_of=date(2027, 1, 8))
    assert e.value.code == "malformed"
    with pytest.raises(FundingValidationError):
        credit_notes([*register(), register()[0]], spent=[], as_of=date(2027, 1, 8))


def test_register_rows_from_issued_vouchers_and_pickles() -> None:
    issuer = Issuer(7, bytes([7]) * 32)
    booklet = issuer.booklet(VoucherSpec(date(2026, 1, 1), date(2026, 12, 31)), 2)
    rows = [IssuedCheque.of(v, "aptic", "CD23-001", at(2026, 1, 5)) for v in booklet]
    assert [(x.serial, x.kid, x.value_cents, x.valid_until) for x in rows] == [
        (v.serial, 7, 1000, date(2026, 12, 31)) for v in booklet
    ]
    assert rows[0].value == Decimal("10.00")
    assert pickle.loads(pickle.dumps(rows[0])) == rows[0]
    assert pickle.loads(pickle.dumps(EARLIER)) == EARLIER
    assert rows[0].to_dict()["order_ref"] == "CD23-001"
    with pytest.raises(VoucherValidationError):
        IssuedCheque("aptic", serial(1), 1, 0, date(2026, 1, 1), date(2026, 12, 31), "x", at(2026, 1, 5))
    with pytest.raises(ValueError):
        IssuedCheque("aptic", serial(1), 1, 10, date(2026, 1, 1), date(2026, 12, 31), "x", datetime(2026, 1, 5))


def test_reconciliation_by_hand_and_anomalies() -> None:
    notes = credit_notes(register(), spent=[*REDEEMED, EARLIER], as_of=date(2027, 1, 8))
    credited = [EARLIER, *(c for n in notes for c in n.cheques)]
    rec = reconcile(register(), REDEEMED, credited, start=date(2027, 1, 1), until=date(2027, 1, 31))
    assert isinstance(rec, Reconciliation)
    assert rec and rec.is_balanced() and rec.balanced
    assert rec.issuers == ["aptic", "region-creuse"]
    rows = {(x["issuer"], x["section"]): x for x in rec.to_dicts()}
    opening = rows[("aptic", "opening")]
    # End of 2026: 6 issued (65.50) = 1 redeemed (10) + 1 credited (10) + 4 outstanding (45.50).
    assert (opening["issued_count"], opening["issued_cents"]) == (6, 6550)
    assert (opening["outstanding_count"], opening["outstanding_cents"]) == (4, 4550)
    period = rows[("aptic", "period")]
    assert (period["credited_count"], period["credited_cents"]) == (3, 3550)
    assert period["outstanding_count"] is None and period["balances"]
    closing = rows[("aptic", "closing")]
    assert (closing["outstanding_count"], closing["outstanding_cents"]) == (1, 1000)
    assert rec.anomalies() == []
    assert rec.to_csv().splitlines()[3].startswith("aptic,2027-01-01,2027-01-31,closing,6,6550,1,1000,4,4550,1,1000,true")
    assert json.loads(rec.to_json())["balanced"] is True
    # A cheque both redeemed and credited, one redeemed but never issued: reported.
    bad = reconcile(
        register(),
        [*REDEEMED, r(2, 1000, "x", at(2026, 11, 1)), r(99, 1000, "x", at(2026, 11, 2))],
        credited,
        until=date(2027, 1, 31),
    )
    assert not bad and not bad.is_balanced()
    kinds = {a["kind"] for a in bad.anomalies()}
    assert kinds == {"redeemed_and_credited", "redeemed_not_issued"}
    assert kinds <= set(ANOMALY_KINDS)
    assert "NOT balanced" in bad.summary()
    assert "redeemed_not_issued" in bad.anomalies_csv()
    with pytest.raises(FundingValidationError):
        reconcile(register(), REDEEMED, start=date(2027, 2, 1), until=date(2027, 1, 31))
