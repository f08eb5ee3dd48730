"""inclusif.mandate: the decision function, tokens and journals from Python: values,
errors and their codes, enums, pickling, dicts for DataFrames, the GIL released."""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import VECTORS

import inclusif
from inclusif import InclusifError, MandateError, MandateValidationError
from inclusif.mandate import (
    ConsentMethod,
    Decision,
    Demarche,
    DenialReason,
    Duration,
    Journal,
    JournalAction,
    JournalCode,
    JournalReport,
    MandateToken,
    MandateVerifier,
    Registry,
    VerifiedMandate,
    run_scenario,
    usager_ref,
    verify_journal,
)

UTC = timezone.utc
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
# Test keys of the vectors (public test material): seed -> public key.
MANDATE_SEED = bytes([0x33] * 32)
MANDATE_PUBLIC = bytes.fromhex("17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce")
JOURNAL_SEED = bytes([0x4A] * 32)
JOURNAL_PUBLIC = bytes.fromhex("353c8a7feeca38b2c4536e0bd2586fdb18d070e50e059f1d43f8bfefb97a7ce1")


def registry() -> Registry:
    """CCAS 42 (no justice), library 43; alice (42), bob (42, 43, acting for 43), ref
    (42, cannot create); usagers u1, u2."""
    r = Registry()
    r.add_organisation(42, "CCAS de Guéret", "21230096300014",
                       allowed_demarches=[d for d in Demarche if d is not Demarche.JUSTICE])
    r.add_organisation(43, "Médiathèque", "21230096300022")
    r.add_aidant("alice", [42], 42)
    r.add_aidant("bob", [42, 43], 43)
    r.add_aidant("ref", [42], 42, can_create_mandates=False)
    r.add_usager("u1", "Camille", "Martin")
    r.add_usager("u2", "Dominique", "Bernard")
    return r


# ---- enums ----


def test_enums_carry_the_cores_values() -> None:
    assert [d.value for d in Demarche] == [
        "papiers", "famille", "social", "travail", "logement",
        "transports", "argent", "justice", "etranger", "loisirs",
    ]
    assert [d.value for d in Duration] == ["SHORT", "MONTH", "SEMESTER", "LONG", "EUS_03_20"]
    assert {c.value for c in ConsentMethod} == {"in_person", "remote_paper", "remote_sms"}
    assert len(DenialReason) == 9 and DenialReason("consent_pending") is DenialReason.CONSENT_PENDING
    assert len(JournalAction) == 22 and JournalAction.CHECKPOINT.value == "checkpoint"
    assert [c.value for c in JournalCode][0] == "journal_malformed"
    social: str = Demarche.SOCIAL  # str enums: DataFrame- and JSON-friendly
    assert social == "social" and isinstance(social, str)
    assert pickle.loads(pickle.dumps(Demarche.SOCIAL)) is Demarche.SOCIAL


# ---- the decision function ----


def test_create_then_decide() -> None:
    r = registry()
    c = r.create_mandate("alice", "u1", [Demarche.PAPIERS, "social"], Duration.LONG, T0)
    assert len(c.mandate_id) == 20 and len(c.autorisations) == 2 and c.revoked == []
    d = r.decide("alice", "u1", Demarche.SOCIAL, LATER)
    assert isinstance(d, Decision) and d.allowed and bool(d)
    assert (d.mandate_id, d.reasons, d.reason) == (c.mandate_id, [], None)
    assert d.autorisation == c.autorisations[1]
    assert d.expires_at == T0 + timedelta(days=365) and d.expires_at.tzinfo is not None
    # Another démarche, another usager, another organisation.
    assert r.decide("alice", "u1", Demarche.LOGEMENT, LATER).reasons == [DenialReason.DEMARCHE_NOT_COVERED]
    assert r.decide("alice", "u2", Demarche.SOCIAL, LATER).reason is DenialReason.NO_MANDATE
    assert r.decide("bob", "u1", Demarche.SOCIAL, LATER).reasons == [DenialReason.NOT_IN_ORGANISATION]
    assert r.decide("nobody", "u1", Demarche.SOCIAL, LATER).reasons == [DenialReason.NOT_IN_ORGANISATION]
    # The exact expiry instant is still valid; one second later is not.
    assert r.decide("alice", "u1", "social", T0 + timedelta(days=365)).allowed
    late = r.decide("alice", "u1", "social", T0 + timedelta(days=365, seconds=1))
    assert late.reasons == [DenialReason.MANDATE_EXPIRED]
    assert len(r) == 1 and repr(r) == "Registry(mandates=1)"


def test_newer_mandate_revokes_and_revocation_is_final() -> None:
    r = registry()
    first = r.create_mandate("alice", "u1", [Demarche.PAPIERS, Demarche.SOCIAL], Duration.LONG, T0)
    second = r.create_mandate("alice", "u1", [Demarche.SOCIAL], Duration.MONTH, T0 + timedelta(days=1))
    assert second.revoked == [
        {"mandate_id": first.mandate_id, "autorisation": first.autorisations[1], "demarche": Demarche.SOCIAL}
    ]
    assert r.decide("alice", "u1", "social", LATER - timedelta(days=80)).mandate_id == second.mandate_id
    assert r.revoke_autorisation(first.mandate_id, Demarche.PAPIERS, T0 + timedelta(days=2)) == first.autorisations[0]
    d = r.decide("alice", "u1", Demarche.PAPIERS, T0 + timedelta(days=3))
    assert d.reasons == [DenialReason.AUTORISATION_REVOKED]
    with pytest.raises(MandateError) as caught:
        r.revoke_autorisation(first.mandate_id, Demarche.PAPIERS, T0 + timedelta(days=3))
    assert caught.value.code == "already_revoked" and not isinstance(caught.value, ValueError)
    m = r.mandate(first.mandate_id)
    assert m.demarches == [Demarche.PAPIERS, Demarche.SOCIAL] and m.duration is Duration.LONG
    assert m.consent is ConsentMethod.IN_PERSON and all(a["revoked_at"] for a in m.autorisations)
    assert [x.id for x in r.mandates_of("u1")] == [first.mandate_id, second.mandate_id]
    assert m.to_dict()["organisation"] == 42


def test_sms_consent_renewal_and_transfer() -> None:
    r = registry()
    c = r.create_mandate("alice", "u1", Demarche.ARGENT, Duration.SEMESTER, T0,
                         consent=ConsentMethod.REMOTE_SMS, phone="+33612345678", request_id="req-1")
    assert r.decide("alice", "u1", "argent", T0).reasons == [DenialReason.CONSENT_PENDING]
    assert r.mandate(c.mandate_id).sms_consent == "pending"
    assert r.record_sms_reply(c.mandate_id, "req-1", " Oui. ", T0 + timedelta(hours=1)) is True
    assert r.decide("alice", "u1", "argent", T0 + timedelta(hours=2)).allowed
    with pytest.raises(MandateError) as caught:
        r.record_sms_reply(c.mandate_id, "req-1", "non", T0 + timedelta(hours=3))
    assert caught.value.code == "consent_already_recorded"
    with pytest.raises(MandateValidationError) as bad:
        r.create_mandate("alice", "u2", "social", "LONG", T0, consent="remote_sms")
    assert bad.value.code == "consent"
    renewed = r.renew_mandate("alice", c.mandate_id, [Demarche.ARGENT], Duration.LONG, T0 + timedelta(days=10))
    assert renewed.revoked[0]["mandate_id"] == c.mandate_id
    r.transfer_mandate(renewed.mandate_id, 43, T0 + timedelta(days=11))
    assert r.decide("bob", "u1", Demarche.ARGENT, T0 + timedelta(days=12)).allowed
    r.set_organisation_active(43, False)
    assert DenialReason.ORGANISATION_INACTIVE in r.decide("bob", "u1", "argent", T0 + timedelta(days=12)).reasons
    r.switch_organisation("bob", 42)
    r.set_aidant_active("alice", False)
    assert r.decide("alice", "u1", "argent", T0 + timedelta(days=12)).reasons[0] is DenialReason.AIDANT_INACTIVE
    assert r.revoke_mandate(renewed.mandate_id, T0 + timedelta(days=13)) == renewed.autorisations
    assert r.purge_outdated(T0 + timedelta(days=2000)) == 2 and len(r) == 0


def test_habilitation_bounds_are_instants() -> None:
    r = Registry()
    r.add_organisation(42, "CCAS", "21230096300014")
    paris = ZoneInfo("Europe/Paris")
    r.add_aidant("carla", [42], 42, habilitation_from=datetime(2026, 1, 1, tzinfo=paris),
                 habilitation_until=datetime(2026, 12, 31, 23, 59, tzinfo=paris))
    r.add_usager("u1", "A", "B")
    r.create_mandate("carla", "u1", "social", "LONG", T0)
    d = r.decide("carla", "u1", "social", datetime(2027, 1, 2, tzinfo=UTC))
    assert d.reasons == [DenialReason.HABILITATION_EXPIRED]
    with pytest.raises(MandateError) as caught:
        r.create_mandate("carla", "u1", "social", "LONG", datetime(2025, 12, 1, tzinfo=UTC))
    assert caught.value.code == "habilitation_expired"


@pytest.mark.parametrize(
    ("call", "code", "cls"),
    [
        (lambda r: r.create_mandate("alice", "u1", [], "LONG", T0), "no_demarche", MandateValidationError),
        (lambda r: r.create_mandate("alice", "u1", "justice", "LONG", T0), "demarche_not_allowed", MandateValidationError),
        (lambda r: r.create_mandate("ref", "u1", "social", "LONG", T0), "aidant_cannot_create", MandateError),
        (lambda r: r.create_mandate("alice", "u1", "social", "EUS_03_20", T0), "invalid_field", MandateValidationError),
        (lambda r: r.create_mandate("alice", "u1", "social", "long", T0), "unknown_duration", MandateValidationError),
        (lambda r: r.create_mandate("alice", "nobody", "social", "LONG", T0), "not_found", MandateError),
        (lambda r: r.decide("alice", "u1", "Social", T0), "unknown_demarche", MandateValidationError),
        (lambda r: r.add_organisation(44, "X", "123"), "invalid_field", MandateValidationError),
        (lambda r: r.add_organisation(0, "X", "21230096300014"), "invalid_field", MandateValidationError),
        (lambda r: r.add_aidant("dan", [42], 43), "not_in_organisation", MandateError),
        (lambda r: r.add_aidant("dan", [44], 44), "not_found", MandateError),
        (lambda r: r.mandate("ABC"), "invalid_field", MandateValidationError),
        (lambda r: r.mandate("00000000000000000000"), "not_found", MandateError),
        (lambda r: r.create_mandate("alice", "u1", "social", "LONG", T0, consent="by_pigeon"), "invalid_field", MandateValidationError),
    ],
)
def test_errors_carry_the_cores_codes(
    call: Callable[[Registry], object], code: str, cls: type[InclusifError]
) -> None:
    with pytest.raises(cls) as caught:
        call(registry())
    assert caught.value.code == code and isinstance(caught.value, InclusifError)
    assert isinstance(caught.value, ValueError) == (cls is MandateValidationError)
    assert str(caught.value) and caught.value.message == str(caught.value)


def test_instants_must_be_aware_and_types_checked() -> None:
    r = registry()
    with pytest.raises(ValueError, match="naive datetime"):
        r.decide("alice", "u1", Demarche.SOCIAL, datetime(2026, 3, 1, 9, 30))
    with pytest.raises(TypeError, match="datetime"):
        r.decide("alice", "u1", Demarche.SOCIAL, date(2026, 3, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="demarche"):
        r.decide("alice", "u1", 3, T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        r.create_mandate("alice", "u1", 3.5, "LONG", T0)  # type: ignore[arg-type]
    # Any time zone is the same instant.
    r.create_mandate("alice", "u1", "social", "LONG", T0)
    paris = datetime(2026, 3, 1, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert r.decide("alice", "u1", "social", paris).allowed


def test_decision_is_a_frozen_hashable_picklable_value() -> None:
    r = registry()
    r.create_mandate("alice", "u1", "social", "LONG", T0)
    yes = r.decide("alice", "u1", "social", LATER)
    no = r.decide("alice", "u2", "social", LATER)
    for d in (yes, no):
        back = pickle.loads(pickle.dumps(d))
        assert back == d and hash(back) == hash(d) and type(back) is Decision
    assert yes != no and len({yes, no, pickle.loads(pickle.dumps(yes))}) == 2
    with pytest.raises(AttributeError):
        yes.allowed = False  # type: ignore[misc]
    assert repr(no) == 'Decision(allowed=False, reasons=["no_mandate"])'
    assert no.to_dict() == {
        "allowed": False, "reasons": [DenialReason.NO_MANDATE], "reason": DenialReason.NO_MANDATE,
        "mandate_id": None, "autorisation": None, "expires_at": None,
    }
    assert Decision(False, ["no_mandate"]) == no
    with pytest.raises(ValueError):
        Decision(False, ["not_a_reason"])


def test_decide_batch_and_a_dataframe_in_one_line() -> None:
    pandas = pytest.importorskip("pandas")
    r = registry()
    r.create_mandate("alice", "u1", [Demarche.SOCIAL, Demarche.PAPIERS], "LONG", T0)
    questions = [("alice", u, d, LATER) for u in ("u1", "u2") for d in Demarche]
    decisions = r.decide_batch(questions)
    assert decisions == [r.decide(*q) for q in questions]
    frame = pandas.DataFrame([d.to_dict() for d in decisions])
    assert frame.shape == (20, 6) and int(frame["allowed"].sum()) == 2
    with pytest.raises(MandateValidationError, match="question 1"):
        r.decide_batch([questions[0], ("alice", "u1", "sante", LATER)])
    with pytest.raises(TypeError):
        r.decide_batch([("alice", "u1")])  # type: ignore[list-item]


def test_decide_batch_releases_the_gil() -> None:
    r = registry()
    for i in range(200):
        r.add_usager(f"p{i}", "A", "B")
        r.create_mandate("alice", f"p{i}", [d for d in Demarche if d is not Demarche.JUSTICE], "LONG", T0)
    questions = [("alice", f"p{i % 200}", d, LATER) for i in range(4000) for d in (Demarche.SOCIAL,)] * 10
    ticks = 0
    done = threading.Event()

    def work() -> None:
        r.decide_batch(questions)
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.0005)
    t.join()
    # The main thread kept running while the batch ran (only if the batch took a while).
    if time.perf_counter() - start > 0.05:
        assert ticks > 3


# ---- scenarios ----


def test_run_scenario_gives_dicts() -> None:
    pandas = pytest.importorskip("pandas")
    text = (VECTORS / "mandate_scenarios" / "edge_cases.json").read_text(encoding="utf-8")
    result = run_scenario(text)
    assert result == run_scenario(text) and hash(result) == hash(run_scenario(text))
    assert result.to_dict() == {"events": result.events, "decisions": result.decisions}
    assert set(result.events[0]) == {"event", "ok", "mandate", "revoked", "error", "message"}
    assert set(result.decisions[0]) == {"question", "allowed", "mandate", "demarche", "reasons"}
    assert len(pandas.DataFrame(result.decisions)) == len(result.decisions)
    assert repr(result).startswith("ScenarioResult(events=")


@pytest.mark.parametrize("text", ["", "{", "[1]", '{"unknown": 1}', '{"events": [{"op": "explode"}]}'])
def test_a_text_that_is_not_a_scenario_is_invalid_field(text: str) -> None:
    with pytest.raises(MandateValidationError) as caught:
        run_scenario(text)
    assert caught.value.code == "invalid_field"


def test_a_bad_organisation_in_a_scenario_is_its_error() -> None:
    with pytest.raises(MandateValidationError) as caught:
        run_scenario('{"organisations": [{"id": 1, "name": "X", "siret": "1", "active": true}]}')
    assert caught.value.code == "invalid_field" and "siret" in str(caught.value)


# ---- tokens ----


def signed(**kwargs: object) -> MandateToken:
    args: dict[str, object] = dict(
        secret_key=MANDATE_SEED, kid=3, organisation=42, usager_sub="fc-sub-0001",
        demarches=[Demarche.PAPIERS, Demarche.SOCIAL], created_at=T0, duration=Duration.LONG,
        mandate_id="ac1d0000000000000001",
    )
    args.update(kwargs)
    return MandateToken.sign(**args)  # type: ignore[arg-type]


def test_sign_is_the_vectors_token() -> None:
    t = signed()
    row = next(r for r in inclusif_rows() if r["name"] == "ok_strict_text")
    assert t.to_text() == row["input"] and t.to_qr_payload() == "AC1:" + row["input"]
    assert (t.kid, t.organisation, t.mandate_id) == (3, 42, "ac1d0000000000000001")
    assert len(bytes(t)) == 105 and MandateToken(bytes(t)) == t == MandateToken.from_bytes(bytes(t))
    assert MandateToken.from_text(t.to_qr_payload()) == t
    assert MandateToken.from_human(" ".join(t.to_text().lower())) == t
    assert pickle.loads(pickle.dumps(t)) == t and hash(pickle.loads(pickle.dumps(t))) == hash(t)
    assert repr(t) == 'MandateToken(kid=3, organisation=42, mandate_id="ac1d0000000000000001")'
    assert len(signed(mandate_id=None).mandate_id) == 20


def inclusif_rows() -> list[dict[str, str]]:
    from conftest import read_tsv

    return read_tsv(VECTORS / "mandate_tokens.tsv")


def test_verify_checks_usager_and_demarche() -> None:
    text = signed().to_text()
    v = MandateVerifier(keys={3: MANDATE_PUBLIC}, demarche=Demarche.SOCIAL, usager_sub="fc-sub-0001")
    m = v.verify(text, LATER)
    assert isinstance(m, VerifiedMandate)
    assert m.demarches == [Demarche.PAPIERS, Demarche.SOCIAL] and m.duration is Duration.LONG
    assert m.consent is ConsentMethod.IN_PERSON and m.usager_ref == usager_ref(42, "fc-sub-0001")
    assert m.created_at == T0 and m.expires_at == T0 + timedelta(days=365)
    assert pickle.loads(pickle.dumps(m)) == m and hash(pickle.loads(pickle.dumps(m))) == hash(m)
    assert m.to_dict()["usager_ref"] == m.usager_ref.hex()
    assert v.verify_bytes(bytes(signed()), LATER) == m == v.verify_token(signed(), LATER)
    for verifier, code in [
        (MandateVerifier(keys={3: MANDATE_PUBLIC}, usager_sub="someone-else"), "usager_mismatch"),
        (MandateVerifier(keys={3: MANDATE_PUBLIC}, demarche="justice"), "demarche_not_covered"),
        (MandateVerifier(keys={3: MANDATE_PUBLIC}, revoked=["ac1d0000000000000001"]), "revoked_mandate"),
        (MandateVerifier(keys={4: MANDATE_PUBLIC}), "unknown_key"),
        (MandateVerifier(), "unknown_key"),
        (MandateVerifier(keys={3: JOURNAL_PUBLIC}), "bad_signature"),
    ]:
        with pytest.raises(MandateValidationError) as caught:
            verifier.verify(text, LATER)
        assert caught.value.code == code
    with pytest.raises(MandateValidationError) as caught:
        v.verify(text, T0 + timedelta(days=365, seconds=1))
    assert caught.value.code == "expired"
    with pytest.raises(MandateValidationError) as caught:
        v.verify("AC1:" + "0" * 10, LATER)
    assert caught.value.code == "malformed"


def test_sign_refuses_what_would_not_verify() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"created_at": T0 + timedelta(microseconds=5)}, "invalid_field"),
        ({"demarches": []}, "invalid_field"),
        ({"kid": 0}, "invalid_field"),
        ({"organisation": 0}, "invalid_field"),
        ({"secret_key": b"short"}, "invalid_key"),
        ({"duration": "EUS_03_20"}, "invalid_field"),
        ({"mandate_id": "XYZ"}, "invalid_field"),
    ]
    for kwargs, code in cases:
        with pytest.raises(MandateValidationError) as caught:
            signed(**kwargs)
        assert caught.value.code == code, kwargs
    with pytest.raises(ValueError, match="naive"):
        signed(created_at=datetime(2026, 3, 1))
    with pytest.raises(TypeError):
        signed(secret_key="33" * 32)


def test_verifier_arguments() -> None:
    with pytest.raises(MandateValidationError) as caught:
        MandateVerifier(keys={3: b"\x00" * 31})
    assert caught.value.code == "invalid_key"
    with pytest.raises(MandateValidationError) as caught:
        MandateVerifier(keys={0: MANDATE_PUBLIC})
    assert caught.value.code == "invalid_field"
    with pytest.raises(TypeError, match="root_key"):
        MandateVerifier(trust_list=b"x")
    with pytest.raises(TypeError):
        MandateVerifier(keys=[MANDATE_PUBLIC])  # type: ignore[arg-type]
    with pytest.raises(MandateValidationError) as caught:
        MandateVerifier(revoked=["nope"])
    assert caught.value.code == "invalid_field"


def test_verify_batch_is_a_dataframe() -> None:
    pandas = pytest.importorskip("pandas")
    v = MandateVerifier(keys={3: MANDATE_PUBLIC})
    texts = [signed().to_text(), "garbage", signed().to_text().lower()]
    rows = v.verify_batch(texts, LATER)
    assert [(r["ok"], r["error"]) for r in rows] == [(True, None), (False, "malformed"), (False, "malformed")]
    assert v.verify_batch(texts, LATER, human=True)[2]["ok"]
    frame = pandas.DataFrame(rows)
    assert list(frame["index"]) == [0, 1, 2]


def test_usager_ref_is_the_documented_hash() -> None:
    expected = hashlib.sha256(b"FR.AIDANTS.USAGER.V1\0" + (42).to_bytes(4, "big") + b"sub-123").digest()[:16]
    assert usager_ref(42, "sub-123") == expected != usager_ref(43, "sub-123")
    with pytest.raises(MandateValidationError):
        usager_ref(0, "x")


# ---- journals ----


def test_write_checkpoint_verify_and_tamper() -> None:
    j = Journal()
    e1 = j.append(T0, JournalAction.FRANCECONNECT_USAGER, aidant="aidant-7", organisation=42, usager="sub-1")
    assert (e1.seq, e1.prev, e1.action) == (1, bytes(32), JournalAction.FRANCECONNECT_USAGER)
    e2 = j.append(T0 + timedelta(microseconds=500), "create_attestation", aidant="aidant-7",
                  demarches=[Demarche.PAPIERS, Demarche.SOCIAL], duree=365, mandat="5eed0000000000000001",
                  attestation_hash=bytes(range(32)), is_remote_mandat=False,
                  consent_method=ConsentMethod.IN_PERSON)
    assert e2.prev == e1.hash and e2.at == T0  # kept to the second
    cp = j.checkpoint(JOURNAL_SEED, 3, T0)
    assert cp.action is JournalAction.CHECKPOINT and cp.prev == e2.hash
    assert cp.to_dict()["prev"] == e2.hash.hex()
    j.append(T0, JournalAction.USE_AUTORISATION, autorisation=101, additional_information="CAF")
    assert len(j) == 4 and j.head == j.entries()[-1].hash
    text = j.to_jsonl()
    assert text.count("\n") == 4 and j.entries()[0].line == text.splitlines()[0]
    report = verify_journal(text, {3: JOURNAL_PUBLIC})
    assert (report.ok, report.entries, report.unsigned_entries) == (True, 4, 1)
    assert report.to_dict() == {"ok": True, "entries": 4, "unsigned_entries": 1, "line": None,
                                "code": None, "message": None}
    edited = text.replace("aidant-7", "aidant-8", 1)
    bad = verify_journal(edited, {3: JOURNAL_PUBLIC})
    assert (bad.ok, bad.line, bad.code) == (False, 1, JournalCode.HASH_MISMATCH)
    assert bad.to_json().startswith('{"ok":false,"line":1,"error":"journal_hash_mismatch"')
    for r in (report, bad):
        back = pickle.loads(pickle.dumps(r))
        assert back == r and hash(back) == hash(r) and type(back) is JournalReport
    # Continue a verified journal.
    again = Journal.from_jsonl(text, {3: JOURNAL_PUBLIC})
    again.append(LATER, JournalAction.CANCEL_MANDAT, mandat="5eed0000000000000001")
    assert again.to_jsonl().startswith(text) and len(again) == 5
    with pytest.raises(MandateValidationError) as caught:
        Journal.from_jsonl(edited, {3: JOURNAL_PUBLIC})
    assert caught.value.code == "journal_hash_mismatch" and "line 1" in str(caught.value)


def test_journal_errors() -> None:
    j = Journal()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"action": "checkpoint"}, "invalid_field"),
        ({"action": "delete_everything"}, "invalid_field"),
        ({"action": "connect_aidant", "aidant": ""}, "invalid_field"),
        ({"action": "connect_aidant", "demarches": []}, "invalid_field"),
        ({"action": "connect_aidant", "demarches": ["sante"]}, "unknown_demarche"),
        ({"action": "connect_aidant", "attestation_hash": b"12"}, "invalid_field"),
        ({"action": "connect_aidant", "mandat": "XYZ"}, "invalid_field"),
    ]
    for kwargs, code in cases:
        with pytest.raises(MandateValidationError) as caught:
            j.append(T0, **kwargs)
        assert caught.value.code == code, kwargs
    with pytest.raises(MandateValidationError) as caught:
        j.checkpoint(JOURNAL_SEED, 0, T0)
    assert caught.value.code == "invalid_field"
    with pytest.raises(MandateValidationError) as caught:
        verify_journal("", {3: b"\x01" * 32})
    assert caught.value.code in {"invalid_key", "weak_key"}
    with pytest.raises(ValueError, match="naive"):
        j.append(datetime(2026, 1, 1), JournalAction.CONNECT_AIDANT)
    assert len(j) == 0 and j.head == bytes(32) and verify_journal("").entries == 0


def test_journal_entry_dict() -> None:
    j = Journal()
    e = j.append(T0, "connect_aidant")
    d = e.to_dict()
    assert d["seq"] == 1 and d["action"] is JournalAction.CONNECT_AIDANT and d["hash"] == e.hash.hex()
    assert e == j.entries()[0] and hash(e) == hash(j.entries()[0])


def test_public_names() -> None:
    import inclusif.mandate as m

    for name in m.__all__:
        assert getattr(m, name).__doc__, name
    assert inclusif.mandate.Registry.__module__ == "inclusif._inclusif"
