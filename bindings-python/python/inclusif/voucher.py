"""The voucher domain (filled by its binding work)."""

__all__: list[str] = []
