"""inclusif: Pass numérique vouchers and the rules of France's digital-inclusion programmes."""

from inclusif._inclusif import __version__, voucher_error_codes

__all__ = ["__version__", "voucher_error_codes"]
