"""Pass numérique vouchers: keys, signed trust lists, issuance, offline verification (one
token or a batch), phone codes and redemption.

A cheque is an 85-byte :class:`Token` signed with Ed25519 by an issuer whose key a
programme :class:`TrustList` names. It travels as a QR code (``PN1:`` and 136 Crockford
Base32 characters), as text typed by a person, or, for a check by phone, as a short code
or keypad code. A :class:`Verifier` checks it offline; a ledger redeems it once (a
:class:`MemoryLedger`, or on disk a :class:`SqliteLedger` file or a :class:`PgLedger`
database shared by several servers, each keeping the operator's venue registry and
import log next to the redemptions), and a venue's :class:`OfflineQueue` keeps what it
accepted offline until it syncs, or sends it as a signed batch that the operator imports
(:func:`import_batch`)::

    >>> from datetime import date, datetime, timezone
    >>> from inclusif import voucher
    >>> now = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
    >>> root, issuer = voucher.SecretKey.generate(), voucher.Issuer.generate(7)
    >>> signed = voucher.TrustList(1, now, 7 * 86400, [voucher.TrustEntry(7, "aptic", issuer.public_key)]).sign(root)
    >>> verifier = voucher.Verifier(voucher.TrustList.load(signed, root.public_key, now))
    >>> cheque = issuer.issue(voucher.VoucherSpec(date(2026, 1, 1), date(2026, 12, 31)))
    >>> verifier.verify(cheque.qr_payload, now).value_cents
    1000
    >>> verifier.verify_batch([cheque.qr_payload, "PN1:NOPE"], now).counts()
    {'ok': 1, 'malformed': 1}

Keys and tokens are ``bytes``, serials 20 hex digits, instants timezone-aware
``datetime`` objects (naive ones are refused), civil dates ``date`` objects. A failed
check raises :class:`inclusif.VoucherValidationError` (``VoucherError`` for sound input
refused by state: ``already_redeemed``, ``trust_list_expired``...) whose ``code`` is the
core's stable code, one of :class:`ErrorCode`. Batches never raise for a bad token:
their results turn into a DataFrame in one line (``pandas.DataFrame(batch.to_columns())``).
"""

from __future__ import annotations

import os
from datetime import datetime

from inclusif._inclusif import (
    VOUCHER_ERROR_CODES,
    BatchOutcome,
    ImportLog,
    ImportReport,
    IssuedVoucher,
    MemoryLedger,
    OfflineQueue,
    PgLedger,
    PublicKey,
    Redemption,
    RedemptionBatch,
    RegisteredVenue,
    SecretKey,
    SqliteLedger,
    SyncOutcome,
    SyncReport,
    TrustEntry,
    TrustList,
    VerificationBatch,
    VerificationResult,
    VenueKey,
    VenueRegistry,
    VerifiedVoucher,
    VoucherIssuer,
    VoucherSpec,
    VoucherToken,
    VoucherVerifier,
    import_batch,
    keypad_code,
    normalize_human,
    parse_keypad_code,
    parse_phone_code,
    parse_short_code,
    random_serial,
    short_code,
)
from inclusif._inclusif import (  # clearing: statements, credit notes, reconciliation
    ANOMALY_KINDS,
    DEFAULT_CREDIT_GRACE_DAYS,
    CreditedCheque,
    CreditNote,
    IssuedCheque,
    MonthlyStatement,
    Reconciliation,
    StatementLine,
    credit_notes,
    credit_notes_csv,
    credit_notes_json,
    monthly_statement,
    reconcile,
)
from inclusif._values import Value as _Value

__all__ = [
    "TOKEN_LEN",
    "TEXT_LEN",
    "QR_PREFIX",
    "DEFAULT_BOOKLET_SIZE",
    "DEFAULT_VALUE_CENTS",
    "DEFAULT_TIME_ZONE",
    "ErrorCode",
    "KeyStatus",
    "SyncStatus",
    "BatchStatus",
    "SecretKey",
    "PublicKey",
    "TrustEntry",
    "TrustList",
    "load_trust_list",
    "Token",
    "Verifier",
    "VerifiedVoucher",
    "VerificationResult",
    "VerificationBatch",
    "VoucherSpec",
    "Issuer",
    "IssuedVoucher",
    "Redemption",
    "MemoryLedger",
    "SqliteLedger",
    "PgLedger",
    "OfflineQueue",
    "SyncOutcome",
    "SyncReport",
    "RegisteredVenue",
    "VenueKey",
    "VenueRegistry",
    "RedemptionBatch",
    "BatchOutcome",
    "ImportReport",
    "ImportLog",
    "import_batch",
    "short_code",
    "keypad_code",
    "parse_short_code",
    "parse_keypad_code",
    "parse_phone_code",
    "normalize_human",
    "random_serial",
    # clearing
    "ANOMALY_KINDS",
    "DEFAULT_CREDIT_GRACE_DAYS",
    "IssuedCheque",
    "CreditedCheque",
    "StatementLine",
    "MonthlyStatement",
    "CreditNote",
    "Reconciliation",
    "monthly_statement",
    "credit_notes",
    "credit_notes_csv",
    "credit_notes_json",
    "reconcile",
]

#: Length of a token in bytes.
TOKEN_LEN = 85
#: Length of the strict text form (Crockford Base32 characters).
TEXT_LEN = 136
#: Prefix of the QR payload.
QR_PREFIX = "PN1:"
#: Cheques in a booklet by default.
DEFAULT_BOOKLET_SIZE = 10
#: Face value of a cheque by default, in cents (10 €).
DEFAULT_VALUE_CENTS = 1000
#: The time zone of civil dates when a verifier is given none.
DEFAULT_TIME_ZONE = "Europe/Paris"

#: A token, parsed but not yet trusted (native name ``VoucherToken``).
Token = VoucherToken
#: The offline verifier (native name ``VoucherVerifier``).
Verifier = VoucherVerifier
#: An issuer's signing key and key id (native name ``VoucherIssuer``).
Issuer = VoucherIssuer


class ErrorCode(_Value):
    """Every voucher error code (``VoucherError.code``, ``VerificationResult.error``), in
    the order verification checks run; redemption, phone-code, trust-list and key codes
    follow.

    >>> ErrorCode("bad_signature") is ErrorCode.BAD_SIGNATURE
    True
    >>> ErrorCode.EXPIRED == "expired"
    True
    """

    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_KEY = "unknown_key"
    REVOKED_KEY = "revoked_key"
    BAD_SIGNATURE = "bad_signature"
    INVALID_FIELD = "invalid_field"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    OUTSIDE_KEY_WINDOW = "outside_key_window"
    VALUE_ABOVE_KEY_LIMIT = "value_above_key_limit"
    SCOPE_NOT_ALLOWED_FOR_KEY = "scope_not_allowed_for_key"
    SCOPE_NOT_ACCEPTED = "scope_not_accepted"
    REVOKED_SERIAL = "revoked_serial"
    ALREADY_REDEEMED = "already_redeemed"
    BAD_CHECK_CHARACTER = "bad_check_character"
    TRUST_LIST_MALFORMED = "trust_list_malformed"
    TRUST_LIST_BAD_SIGNATURE = "trust_list_bad_signature"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    TRUST_LIST_ROLLBACK = "trust_list_rollback"
    WEAK_KEY = "weak_key"
    INVALID_KEY = "invalid_key"
    LEDGER_UNAVAILABLE = "ledger_unavailable"
    BATCH_MALFORMED = "batch_malformed"
    BAD_BATCH_SIGNATURE = "bad_batch_signature"
    UNKNOWN_VENUE = "unknown_venue"
    LEDGER_BUSY = "ledger_busy"
    LEDGER_CORRUPT = "ledger_corrupt"


class KeyStatus(_Value):
    """Whether a trust list's key may still sign: revoked keys' vouchers fail with
    ``revoked_key``.

    >>> KeyStatus("revoked") is KeyStatus.REVOKED
    True
    """

    ACTIVE = "active"
    REVOKED = "revoked"


class SyncStatus(_Value):
    """What became of a queued redemption at sync (``SyncOutcome.status``).

    >>> SyncStatus.CONFLICT.value
    'conflict'
    """

    REDEEMED = "redeemed"
    CONFLICT = "conflict"


class BatchStatus(_Value):
    """What became of an item of an imported batch (``BatchOutcome.status``): redeemed
    (this redemption counts), conflict (another reached the ledger first) or rejected (the
    token did not verify when the venue accepted it).

    >>> BatchStatus("rejected") is BatchStatus.REJECTED
    True
    """

    REDEEMED = "redeemed"
    CONFLICT = "conflict"
    REJECTED = "rejected"


if tuple(ErrorCode) != VOUCHER_ERROR_CODES:  # pragma: no cover - a build out of step
    raise ImportError("inclusif.voucher.ErrorCode does not match the native module's codes")


def load_trust_list(
    path: str | os.PathLike[str], root_key: PublicKey | bytes, at: datetime
) -> TrustList:
    """Reads a signed trust list file (the raw bytes, or their hex text as in
    ``tests/vectors/trust_list.hex``) and loads it with :meth:`TrustList.load`: checked
    against the root key and refused when older than its maximum age at ``at``.

    >>> trust = load_trust_list("trust.bin", root_public_key, now)      # doctest: +SKIP
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("ascii").strip()
        data = bytes.fromhex(text) if text else data
    except ValueError:  # UnicodeDecodeError is one: raw bytes
        pass
    return TrustList.load(data, root_key, at)
