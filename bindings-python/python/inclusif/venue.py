"""The national venue data standard (lieux de médiation numérique): reading, validation,
migration from v0.1, merging, labels with reasons, opening hours and nearest venues.

>>> from datetime import date
>>> from inclusif import venue
>>> f = venue.read_file("hinaura-2021-2022.standard-v0.json")      # doctest: +SKIP
>>> report = f.validate(today=date(2026, 11, 23))                     # doctest: +SKIP
>>> results = f.evaluate_labels(["pass_numerique"])                   # doctest: +SKIP
>>> import pandas; pandas.DataFrame(results.to_dict())                # doctest: +SKIP
>>> venue.OpeningHours("Mo-Fr 09:00-17:00").weekly_minutes(date(2026, 11, 16))
2400

Problems in rows are reported, never raised; a file whose structure is broken raises
:class:`inclusif.VenueValidationError` (``malformed_file``), as does an invalid
opening-hours string (``invalid_opening_hours``).
"""

from __future__ import annotations

import os

from inclusif._values import Value as _Value
from inclusif._inclusif import (
    LabelCriterion,
    LabelEvaluation,
    LabelInfo,
    LabelResults,
    MergedVenues,
    NearestVenue,
    OpeningHours,
    VenueChange,
    VenueDuplicatePair,
    VenueFile,
    VenueIndex,
    VenueMigration,
    VenueMigrationNote,
    VenueProblem,
    VenueRecord,
    VenueValidationReport,
    WeekSummary,
    merge_venues,
    read_venues,
    shipped_labels,
)

__all__ = [
    "FileFormat",
    "Version",
    "Severity",
    "Outcome",
    "Eligibility",
    "Holidays",
    "NoteCode",
    "DuplicateReason",
    "read_file",
    "read_venues",
    "merge_venues",
    "shipped_labels",
    "VenueFile",
    "VenueRecord",
    "VenueValidationReport",
    "VenueProblem",
    "VenueChange",
    "VenueMigration",
    "VenueMigrationNote",
    "MergedVenues",
    "VenueDuplicatePair",
    "LabelInfo",
    "LabelResults",
    "LabelEvaluation",
    "LabelCriterion",
    "OpeningHours",
    "WeekSummary",
    "VenueIndex",
    "NearestVenue",
]


class FileFormat(_Value):
    """How to read a file: ``AUTO`` (JSON when it starts with ``[`` or ``{``), ``CSV``, ``JSON``.

    >>> FileFormat("csv")
    <FileFormat.CSV: 'csv'>
    """

    AUTO = "auto"
    CSV = "csv"
    JSON = "json"


class Version(_Value):
    """A version of the standard: ``V0_1`` (2022, ``;`` lists) or ``V1_0_2`` (2024, ``|`` lists).

    >>> Version("1.0.2")
    <Version.V1_0_2: '1.0.2'>
    """

    V0_1 = "0.1"
    V1_0_2 = "1.0.2"


class Severity(_Value):
    """How bad a problem is: ``ERROR`` makes the row invalid, ``WARNING`` does not.

    >>> Severity.ERROR.value
    'error'
    """

    ERROR = "error"
    WARNING = "warning"


class Outcome(_Value):
    """A label criterion's answer.

    >>> Outcome("not_met")
    <Outcome.NOT_MET: 'not_met'>
    """

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Eligibility(_Value):
    """A label's answer: every criterion met, one not met, or none failed but some unknown.

    >>> Eligibility("not_eligible")
    <Eligibility.NOT_ELIGIBLE: 'not_eligible'>
    """

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN = "unknown"


class Holidays(_Value):
    """The public-holiday calendar ``PH`` rules are read against (the core's codes).

    >>> Holidays("FR")
    <Holidays.FRANCE: 'FR'>
    """

    NONE = "none"
    FRANCE = "FR"


class NoteCode(_Value):
    """What a v0.1 → v1.0.2 migration note says happened.

    >>> NoteCode("to_extension")
    <NoteCode.TO_EXTENSION: 'to_extension'>
    """

    RENAMED = "renamed"
    VALUE_MAPPED = "value_mapped"
    SPLIT = "split"
    TO_EXTENSION = "to_extension"
    DROPPED_EMPTY = "dropped_empty"
    UNKNOWN_VALUE = "unknown_value"
    DEDUPLICATED = "deduplicated"
    REMOVED_FIELD = "removed_field"


class DuplicateReason(_Value):
    """Why two merged venues look like the same one.

    >>> DuplicateReason("same_siret")
    <DuplicateReason.SAME_SIRET: 'same_siret'>
    """

    SAME_SIRET = "same_siret"
    SAME_ADDRESS_NEARBY = "same_address_nearby"
    SIMILAR_NAME_NEARBY = "similar_name_nearby"


def read_file(
    path: str | os.PathLike[str], format: FileFormat | str = FileFormat.AUTO
) -> VenueFile:
    """Reads a venue file (CSV or JSON, UTF-8) from disk; see :func:`read_venues`.

    >>> f = read_file("exemple-valide-v1.0.2.csv")   # doctest: +SKIP
    >>> len(f), f.detected_version()                  # doctest: +SKIP
    (1, <Version.V1_0_2: '1.0.2'>)
    """
    with open(path, "rb") as f:
        data = f.read()
    return read_venues(data, format)
