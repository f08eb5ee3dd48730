"""The base of inclusif's enums: ``str`` members looked up by the core's stable values."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self


class Value(str, enum.Enum):
    """A ``str`` enum whose values are the core's snake_case strings.

    Members compare equal to their value and print as it (like ``enum.StrEnum``, which
    Python 3.10 lacks), so a DataFrame column of members reads as plain text.
    """

    if TYPE_CHECKING:
        # What Enum.__new__ accepts at runtime (typeshed gives str's signature).
        def __new__(cls, value: str) -> Self: ...

    def __str__(self) -> str:
        return str(self.value)
