"""Funding arithmetic: every programme's amount, exact and explained line by line.

One entry point for all programmes, :func:`compute`, takes a request dict tagged by
``programme`` (the core's serde ``Request``: the same fields and defaults as the command
line) and returns a :class:`Breakdown` whose lines name their rules, sources, inputs and
formulas. Amounts are ``decimal.Decimal`` (or ``int``, or decimal text), never floats;
dates are ``datetime.date``. Plans are checked with :func:`check_plan`, the national
picture is :func:`simulate` (a DataFrame in one line), and :class:`RuleBook` holds the
dated, sourced rules (the shipped table, or yours in the same TSV format).

>>> from datetime import date
>>> from inclusif import funding
>>> b = funding.compute({"programme": "anct_estimate", "employer": funding.EmployerType.PUBLIC,
...                      "territory": "75", "posts": 3, "on": date(2024, 1, 1)})
>>> b.total
Decimal('166286')
>>> sim = funding.simulate(funding.synthetic_structures(1000, seed=7))
>>> import pandas as pd  # doctest: +SKIP
>>> pd.DataFrame(sim.to_dict()).groupby("territory")["total_subsidy"].sum()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
from os import PathLike

from inclusif._values import Value as _Value
from inclusif._inclusif import (
    FUNDING_PROGRAMMES,
    Breakdown,
    BreakdownLine,
    FundingRule,
    PlanIssue,
    PlanReport,
    RuleBook,
    RuleCitation,
    Simulation,
    SimulationRow,
    check_plan,
    compute,
    compute_json,
    equal_instalments,
    instalments,
    round_amount,
    simulate,
    split_by_rates,
    split_by_weights,
    synthetic_structures,
)

__all__ = [
    "Programme",
    "EmployerType",
    "Territory",
    "PrivateAmountSource",
    "BonusStacking",
    "Precision",
    "RoundingMode",
    "Rounding",
    "Confidence",
    "FUNDING_PROGRAMMES",
    "Breakdown",
    "BreakdownLine",
    "RuleCitation",
    "FundingRule",
    "RuleBook",
    "PlanIssue",
    "PlanReport",
    "Simulation",
    "SimulationRow",
    "compute",
    "compute_json",
    "check_plan",
    "simulate",
    "synthetic_structures",
    "round_amount",
    "split_by_weights",
    "split_by_rates",
    "instalments",
    "equal_instalments",
    "anct_estimate",
    "cnfs_first_wave",
    "read_rule_book",
]


class Programme(_Value):
    """The programmes a request names in its ``programme`` key.

    >>> Programme("hub_grant") is Programme.HUB_GRANT
    True
    """

    CNFS_FIRST_WAVE = "cnfs_first_wave"
    ANCT_ESTIMATE = "anct_estimate"
    CNFS_RENEWAL = "cnfs_renewal"
    EARLY_TERMINATION = "early_termination"
    TRAINING_PATHS = "training_paths"
    PASS_CALL2020 = "pass_call2020"
    PASS_CALL2019 = "pass_call2019"
    PASS_ORDER_INVOICE = "pass_order_invoice"
    PASS_VENUE_PAYOUTS = "pass_venue_payouts"
    PASS_CREDIT_NOTE = "pass_credit_note"
    HUB_GRANT = "hub_grant"
    FRANCE_SERVICES_FORFAIT = "france_services_forfait"
    FRANCE_SERVICES_NETWORK = "france_services_network"
    RECOVERY_PLAN = "recovery_plan"


class EmployerType(_Value):
    """Who employs a conseiller numérique.

    >>> EmployerType("public")
    <EmployerType.PUBLIC: 'public'>
    """

    PUBLIC = "public"
    PRIVATE = "private"


class Territory(_Value):
    """The territories whose first-wave amounts differ (requests also take a
    département code such as ``"75"``, ``"2A"`` or ``"971"``).

    >>> Territory("antilles_guyane").value
    'antilles_guyane'
    """

    MAINLAND = "mainland"
    ANTILLES_GUYANE = "antilles_guyane"
    REUNION_MAYOTTE = "reunion_mayotte"


class PrivateAmountSource(_Value):
    """Which source gives the private first-wave amount: the FAQ (40,000 €) or ANCT's
    export code (32,000 €).

    >>> PrivateAmountSource.ANCT_CODE.value
    'anct_code'
    """

    FAQ = "faq"
    ANCT_CODE = "anct_code"


class BonusStacking(_Value):
    """How a hub's two bonuses combine (``hub_grant`` requests).

    >>> BonusStacking.HIGHEST_ONLY.value
    'highest_only'
    """

    STACK = "stack"
    HIGHEST_ONLY = "highest_only"


class Precision(_Value):
    """To what unit a payable amount is rounded.

    >>> Precision.CENT.value
    'cent'
    """

    CENT = "cent"
    EURO = "euro"


class RoundingMode(_Value):
    """How ties and remainders are rounded (``training_paths`` requests, simulation
    options).

    >>> RoundingMode.HALF_EVEN.value
    'half_even'
    """

    HALF_AWAY_FROM_ZERO = "half_away_from_zero"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


class Rounding(_Value):
    """A named rounding, precision and mode in one value. ``CENT`` and ``EURO`` round
    half away from zero (the core's defaults).

    >>> Rounding("euro_down")
    <Rounding.EURO_DOWN: 'euro_down'>
    """

    CENT = "cent"
    EURO = "euro"
    CENT_HALF_EVEN = "cent_half_even"
    EURO_HALF_EVEN = "euro_half_even"
    CENT_DOWN = "cent_down"
    EURO_DOWN = "euro_down"
    CENT_UP = "cent_up"
    EURO_UP = "euro_up"


class Confidence(_Value):
    """How far a rule's value can be trusted.

    >>> Confidence.CODE.value
    'code'
    """

    FIRM = "firm"
    CODE = "code"
    UNCERTAIN = "uncertain"


def anct_estimate(
    employer: EmployerType | str,
    territory: Territory | str | int,
    posts: int,
    on: datetime.date,
    *,
    private_source: PrivateAmountSource | str = PrivateAmountSource.ANCT_CODE,
    rules: RuleBook | None = None,
) -> Breakdown:
    """The agency's estimated State investment for a structure (programme
    ``anct_estimate``), typed.

    >>> from datetime import date
    >>> anct_estimate(EmployerType.PUBLIC, "75", 3, date(2024, 1, 1)).total
    Decimal('166286')
    """
    return compute(
        {
            "programme": Programme.ANCT_ESTIMATE,
            "employer": employer,
            "territory": territory,
            "posts": posts,
            "private_source": private_source,
            "on": on,
        },
        rules=rules,
    )


def cnfs_first_wave(
    employer: EmployerType | str,
    territory: Territory | str | int,
    on: datetime.date,
    *,
    private_source: PrivateAmountSource | str = PrivateAmountSource.FAQ,
    rules: RuleBook | None = None,
) -> Breakdown:
    """One first-wave conseiller numérique post's subsidy (programme
    ``cnfs_first_wave``), typed.

    >>> from datetime import date
    >>> cnfs_first_wave("public", Territory.REUNION_MAYOTTE, date(2021, 6, 1)).total
    Decimal('67500')
    """
    return compute(
        {
            "programme": Programme.CNFS_FIRST_WAVE,
            "employer": employer,
            "territory": territory,
            "private_source": private_source,
            "on": on,
        },
        rules=rules,
    )


def read_rule_book(path: str | PathLike[str]) -> RuleBook:
    """Reads a rule table file (the shipped TSV format) into a :class:`RuleBook`.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
    ...     _ = f.write(RuleBook().to_tsv())
    >>> read_rule_book(f.name) == RuleBook()
    True
    >>> os.unlink(f.name)
    """
    with open(path, encoding="utf-8") as f:
        return RuleBook.from_tsv(f.read())
