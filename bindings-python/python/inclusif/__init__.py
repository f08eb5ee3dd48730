"""inclusif: Pass numérique vouchers and the rules of France's digital-inclusion programmes.

One Rust core, four domains, each a module:

- :mod:`inclusif.voucher`: keys, trust lists, issuance, offline verification (one token
  or a batch), short codes and the redemption ledger;
- :mod:`inclusif.funding`: every programme's amount, exact (``decimal.Decimal``) and
  explained line by line; plan checks; the national simulation;
- :mod:`inclusif.mandate`: Aidants Connect's decision function, mandate tokens, journals;
- :mod:`inclusif.venue`: the national venue data standard: reading, validation, migration,
  labels, opening hours, nearest venues.

Errors are :class:`InclusifError` subclasses with a stable ``code``.

>>> import inclusif
>>> inclusif.__version__ == inclusif._inclusif.__version__
True
"""

from inclusif import funding, mandate, venue, voucher
from inclusif._inclusif import __version__
from inclusif.errors import (
    FundingError,
    FundingValidationError,
    InclusifError,
    MandateError,
    MandateValidationError,
    ValidationError,
    VenueError,
    VenueValidationError,
    VoucherError,
    VoucherValidationError,
)

__all__ = [
    "__version__",
    "voucher",
    "funding",
    "mandate",
    "venue",
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
