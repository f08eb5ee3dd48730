"""Aidants Connect mandates: the decision function, signed mandate tokens, journals.

An aidant (a habilitated helper of an organisation) acts for a usager within a mandate
the usager signed: a set of :class:`Demarche` for a :class:`Duration`. :class:`Registry`
holds organisations, aidants, usagers and mandates with the real service's rules, and
:meth:`Registry.decide` answers whether an aidant may act at an instant::

    >>> from datetime import datetime, timezone
    >>> from inclusif.mandate import Registry, Demarche, Duration, DenialReason
    >>> now = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    >>> r = Registry()
    >>> r.add_organisation(42, "CCAS de Guéret", "21230096300014")
    >>> r.add_aidant("alice", [42], 42)
    >>> r.add_usager("u1", "Camille", "Martin")
    >>> created = r.create_mandate("alice", "u1", [Demarche.SOCIAL], Duration.LONG, now)
    >>> r.decide("alice", "u1", Demarche.SOCIAL, now).allowed
    True
    >>> r.decide("alice", "u1", Demarche.PAPIERS, now).reason
    <DenialReason.DEMARCHE_NOT_COVERED: 'demarche_not_covered'>

Scenarios (the JSON of ``inclusif mandate decide``) run with :func:`run_scenario`;
signed tokens are read with :class:`MandateToken` and checked offline with
:class:`MandateVerifier`; tamper-evident journals are written with :class:`Journal` and
checked with :func:`verify_journal`. Instants are timezone-aware ``datetime`` objects
(naive ones are refused), keys are ``bytes``; errors are :class:`inclusif.MandateError`
(``MandateValidationError`` when the input is at fault) with the core's ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike

from inclusif._values import Value as _Value
from inclusif._inclusif import (
    CreatedMandate,
    JournalEntry,
    JournalReport,
    MandateDecision,
    MandateJournal,
    MandateRecord,
    MandateRegistry,
    MandateScenarioResult,
    MandateToken,
    MandateVerifier,
    VerifiedMandate,
    run_scenario,
    usager_ref,
    verify_journal,
)

__all__ = [
    "Demarche",
    "Duration",
    "ConsentMethod",
    "DenialReason",
    "JournalAction",
    "JournalCode",
    "Registry",
    "Decision",
    "Mandate",
    "CreatedMandate",
    "ScenarioResult",
    "run_scenario",
    "run_scenario_file",
    "MandateToken",
    "MandateVerifier",
    "VerifiedMandate",
    "usager_ref",
    "Journal",
    "JournalEntry",
    "JournalReport",
    "verify_journal",
    "verify_journal_file",
]

#: The registry (native name ``MandateRegistry``).
Registry = MandateRegistry
#: The decision (native name ``MandateDecision``).
Decision = MandateDecision
#: A mandate as the registry holds it (native name ``MandateRecord``).
Mandate = MandateRecord
#: A scenario's result (native name ``MandateScenarioResult``).
ScenarioResult = MandateScenarioResult
#: A tamper-evident journal being written (native name ``MandateJournal``).
Journal = MandateJournal


class Demarche(_Value):
    """The ten démarches (procedure categories), valued by the service's keys.

    >>> Demarche("papiers") is Demarche.PAPIERS
    True
    """

    PAPIERS = "papiers"
    FAMILLE = "famille"
    SOCIAL = "social"
    TRAVAIL = "travail"
    LOGEMENT = "logement"
    TRANSPORTS = "transports"
    ARGENT = "argent"
    JUSTICE = "justice"
    ETRANGER = "etranger"
    LOISIRS = "loisirs"


class Duration(_Value):
    """How long a mandate lasts, valued by the service's keywords (1, 31, 182, 365 days,
    or until the end of the 2020 health emergency).

    >>> Duration("LONG") is Duration.LONG
    True
    """

    SHORT = "SHORT"
    MONTH = "MONTH"
    SEMESTER = "SEMESTER"
    LONG = "LONG"
    EUS_03_20 = "EUS_03_20"


class ConsentMethod(_Value):
    """How the usager consented.

    >>> ConsentMethod.REMOTE_SMS.value
    'remote_sms'
    """

    IN_PERSON = "in_person"
    REMOTE_PAPER = "remote_paper"
    REMOTE_SMS = "remote_sms"


class DenialReason(_Value):
    """Why an aidant may not act (``Decision.reasons``), each a stable code.

    >>> DenialReason.NO_MANDATE == "no_mandate"
    True
    """

    AIDANT_INACTIVE = "aidant_inactive"
    HABILITATION_EXPIRED = "habilitation_expired"
    NOT_IN_ORGANISATION = "not_in_organisation"
    ORGANISATION_INACTIVE = "organisation_inactive"
    NO_MANDATE = "no_mandate"
    MANDATE_EXPIRED = "mandate_expired"
    AUTORISATION_REVOKED = "autorisation_revoked"
    DEMARCHE_NOT_COVERED = "demarche_not_covered"
    CONSENT_PENDING = "consent_pending"


class JournalAction(_Value):
    """What a journal entry records: the real service's keywords, and ``checkpoint``.

    >>> JournalAction("use_autorisation") is JournalAction.USE_AUTORISATION
    True
    """

    CONNECT_AIDANT = "connect_aidant"
    ACTIVITY_CHECK_AIDANT = "activity_check_aidant"
    CARD_ASSOCIATION = "card_association"
    CARD_VALIDATION = "card_validation"
    CARD_DISSOCIATION = "card_dissociation"
    FRANCECONNECT_USAGER = "franceconnect_usager"
    UPDATE_EMAIL_USAGER = "update_email_usager"
    UPDATE_PHONE_USAGER = "update_phone_usager"
    CREATE_ATTESTATION = "create_attestation"
    CREATE_AUTORISATION = "create_autorisation"
    USE_AUTORISATION = "use_autorisation"
    CANCEL_AUTORISATION = "cancel_autorisation"
    CANCEL_MANDAT = "cancel_mandat"
    IMPORT_TOTP_CARDS = "import_totp_cards"
    INIT_RENEW_MANDAT = "init_renew_mandat"
    TRANSFER_MANDAT = "transfer_mandat"
    SWITCH_ORGANISATION = "switch_organisation"
    REMOTE_SMS_CONSENT_RECEIVED = "remote_sms_consent_received"
    REMOTE_SMS_DENIAL_RECEIVED = "remote_sms_denial_received"
    REMOTE_SMS_CONSENT_SENT = "remote_sms_consent_sent"
    REMOTE_SMS_RECAP_SENT = "remote_sms_recap_sent"
    CHECKPOINT = "checkpoint"


class JournalCode(_Value):
    """Why a journal does not verify (``JournalReport.code``), in the order checks run.

    >>> JournalCode.CHAIN_BROKEN.value
    'journal_chain_broken'
    """

    MALFORMED = "journal_malformed"
    HASH_MISMATCH = "journal_hash_mismatch"
    SEQUENCE = "journal_sequence"
    CHAIN_BROKEN = "journal_chain_broken"
    BAD_CHECKPOINT = "journal_bad_checkpoint"


def run_scenario_file(path: str | PathLike[str]) -> MandateScenarioResult:
    """Reads a scenario file (UTF-8 JSON) and runs it with :func:`run_scenario`.

    >>> run_scenario_file("tests/vectors/mandate_scenarios/edge_cases.json").events[0]["ok"]
    True
    """
    with open(path, encoding="utf-8") as f:
        return run_scenario(f.read())


def verify_journal_file(
    path: str | PathLike[str], keys: Mapping[int, bytes] | None = None
) -> JournalReport:
    """Reads a journal file (UTF-8 JSON Lines, newlines kept) and verifies it with
    :func:`verify_journal`.

    >>> verify_journal_file("journal.jsonl", {3: public_key}).ok
    True
    """
    with open(path, encoding="utf-8", newline="") as f:
        return verify_journal(f.read(), keys)
