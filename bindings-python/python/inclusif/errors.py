"""Exceptions raised by inclusif.

Every error carries ``code``, the core's stable snake_case code (the same in Rust, Python
and Kotlin), and a message that names the field and the rule. Catch by domain::

    >>> import inclusif
    >>> try:
    ...     inclusif.voucher.Token.from_text("PN1:NOT-A-TOKEN")
    ... except inclusif.VoucherError as e:
    ...     print(e.code)
    malformed

Errors where the input was at fault (malformed, bad signature, expired, unknown value...)
are ``<Domain>ValidationError`` and also ``ValueError``; sound input refused by state
(already redeemed, revoked, not found) is plain ``<Domain>Error``.
"""

from __future__ import annotations

__all__ = [
    "InclusifError",
    "ValidationError",
    "VoucherError",
    "VoucherValidationError",
    "FundingError",
    "FundingValidationError",
    "MandateError",
    "MandateValidationError",
    "VenueError",
    "VenueValidationError",
]


class InclusifError(Exception):
    """Base of every inclusif error.

    ``code`` is the stable snake_case code, ``message`` the text naming field and rule.

    >>> e = InclusifError("malformed", "token: expected 85 bytes")
    >>> (e.code, str(e))
    ('malformed', 'token: expected 85 bytes')
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[InclusifError], tuple[str, str]]:
        return (type(self), (self.code, self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(InclusifError, ValueError):
    """The input breaks a rule: sending it again fails again. Also a ``ValueError``."""


class VoucherError(InclusifError):
    """A voucher error (tokens, codes, trust lists, verification, redemption)."""


class VoucherValidationError(VoucherError, ValidationError):
    """A voucher, code, key or trust list that breaks a rule (``bad_signature``, ``expired``...)."""


class FundingError(InclusifError):
    """A funding error."""


class FundingValidationError(FundingError, ValidationError):
    """Funding input that breaks a rule (``negative_amount``, ``unknown_territory``...)."""


class MandateError(InclusifError):
    """A mandate error (``not_found``, ``already_revoked``, ``mandate_expired``...)."""


class MandateValidationError(MandateError, ValidationError):
    """Mandate input that breaks a rule (``unknown_demarche``, ``invalid_field``...)."""


class VenueError(InclusifError):
    """A venue error."""


class VenueValidationError(VenueError, ValidationError):
    """Venue input that cannot be read (``malformed_file``, ``invalid_opening_hours``...)."""
