"""Passed, failed, and passed with a warning: the deviations real issuers make (issue 11).

Each deviation passes with a warning (its own code, the check it belongs to, a message in
Vietnamese and English) under the default policy, fails under its ``Policy`` knob and under
``Policy.strict()``, and never comes out of ``issue()``. Dates: a verifier that tolerates a
date-time in a date field reads its date part everywhere and still refuses impossible days.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed, signed_dcc
from vaxpass_core import checks, valuesets, verification
from vaxpass_core._time import epoch_of, latest_local_day
from vaxpass_core.attestation import ATTESTATION_CLAIM
from vaxpass_core.errors import Code, InvalidRecord, InvalidValueSets, SchemaError
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose, cwt, hc1, schema
from vaxpass_core.result import Outcome, Status
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


PKI = make_pki(seed=0)
PASSPORT = sample_passport()
STRICT = vp.Policy.strict()


def _claims() -> dict[Any, Any]:
    return dict(cwt.decode_claims(cose.decode_sign1(hc1.decode(PASSPORT.qr_text)).payload).claims)


def _with_dcc(dcc: dict[str, Any], *, attested: bool = True) -> str:
    claims = _claims()
    claims[cwt.CLAIM_HCERT] = {1: dcc}
    if not attested:
        del claims[ATTESTATION_CLAIM]
    return signed(_cbor.dumps(claims), PKI.document_signer)


def _dt(value: str) -> dict[str, Any]:
    dcc: dict[str, Any] = json.loads(json.dumps(PASSPORT.dcc))
    dcc["v"][0]["dt"] = value
    return dcc


def _both_paths(
    text: str, policy: vp.Policy = verification.DEFAULT_POLICY, now: datetime = NOW
) -> vp.VerificationResult:
    """verify()'s answer."""
    return vp.verify(text, trust=PKI.trust, now=now, policy=policy)


# --- date-time where a date belongs -------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2021-09-20T00:00:00Z",
        "2021-09-20T05:00:00+01:00",
        "2021-09-20T00:00:00",
        "2021-09-20t10:00",
    ],
)
def test_a_date_time_in_a_date_field_passes_with_a_warning(value: str) -> None:
    # The facility signed the record with its date: the date part is what is read, so even
    # the facility digest still matches.
    result = _both_paths(_with_dcc(_dt(value)))
    assert result.ok
    assert result.warning_codes == (Code.SCHEMA_DATE_TIME,)
    assert result.warnings[0].check == "dcc.schema"
    assert "v[0].dt" in result.warnings[0].detail
    assert result.outcome("dcc.schema") is Outcome.PASSED_WITH_WARNING
    assert result.check("dcc.schema").status is Status.PASSED  # statuses are unchanged
    assert result.outcome("signature") is Outcome.PASSED
    assert result.dcc is not None
    assert result.dcc["v"][0]["dt"] == "2021-09-20"
    assert result.record == sample_record()
    assert "2021-09-20" in result.summary()
    assert "2021-09-20T" not in result.summary()
    # The signed original is still there, as signed.
    assert result.claims is not None
    assert result.claims[cwt.CLAIM_HCERT][1]["v"][0]["dt"] == value


def test_the_strict_knob_fails_a_date_time_in_a_date_field() -> None:
    text = _with_dcc(_dt("2021-09-20T00:00:00Z"), attested=False)
    for policy in (vp.Policy(strict_date_times=True), STRICT):
        result = _both_paths(text, policy)
        assert result.codes == (Code.SCHEMA_DATE_TIME,)
        assert result.check("dcc.valuesets").depends_on == "dcc.schema"
        assert result.outcome("dcc.schema") is Outcome.FAILED
        assert result.outcome("dcc.valuesets") is Outcome.SKIPPED


@pytest.mark.parametrize(
    "value", ["2022-17-01", "2021-02-30", "2021-02-30T00:00:00Z", "2022-17-01T05:00:00Z",
              "2021-09-20T25:00:00Z", "2021-09-20 00:00:00", "2021-09-20T00:00:00Zjunk"],
)  # fmt: skip
def test_impossible_dates_are_refused_whatever_the_policy(value: str) -> None:
    for policy in (verification.DEFAULT_POLICY, STRICT):
        result = _both_paths(_with_dcc(_dt(value), attested=False), policy)
        assert result.codes == (Code.SCHEMA_INVALID,), value
        assert not result.warnings


# --- null for an absent property ----------------------------------------------------------


def test_null_properties_are_read_as_absent_with_a_warning() -> None:
    dcc = json.loads(json.dumps(PASSPORT.dcc))
    dcc["t"] = None
    dcc["r"] = None
    dcc["nam"]["fn"] = dcc["nam"].pop("fn")  # keep order irrelevant
    result = _both_paths(_with_dcc(dcc))
    assert result.ok
    assert result.warning_codes == (Code.SCHEMA_NULL,)
    assert result.warnings[0].detail.endswith("r, t")
    assert result.dcc is not None
    assert "t" not in result.dcc
    assert result.record == sample_record()
    strict = vp.Policy(strict_nulls=True)
    assert _both_paths(_with_dcc(dcc, attested=False), strict).codes == (Code.SCHEMA_NULL,)


def test_a_required_property_given_as_null_is_missing() -> None:
    dcc = json.loads(json.dumps(PASSPORT.dcc))
    dcc["v"][0]["dt"] = None
    result = _both_paths(_with_dcc(dcc, attested=False))
    assert result.codes == (Code.SCHEMA_INVALID,)


def test_two_deviations_give_two_warnings_in_a_fixed_order() -> None:
    dcc = _dt("2021-09-20T00:00:00")
    dcc["t"] = None
    result = _both_paths(_with_dcc(dcc))
    assert result.warning_codes == (Code.SCHEMA_DATE_TIME, Code.SCHEMA_NULL)


def test_tolerate_leaves_its_argument_alone_and_bounds_its_walk() -> None:
    dcc = _dt("2021-09-20T00:00:00Z")
    dcc["x"] = [{"deep": None}]
    before = json.dumps(dcc)
    tolerated, deviations = schema.tolerate(dcc)
    assert json.dumps(dcc) == before
    assert tolerated["x"] == [{}]
    assert deviations == (
        schema.Deviation("x[0].deep", "null"),
        schema.Deviation("v[0].dt", "date-time"),
    )
    deep: Any = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(SchemaError, match="too deeply"):
        schema.tolerate({**PASSPORT.dcc, "x": deep})
    with pytest.raises(SchemaError):
        schema.tolerate([1])
    with pytest.raises(SchemaError, match="cannot be validated"):
        schema.tolerate(_Exploding(PASSPORT.dcc))


class _Exploding(dict):  # type: ignore[type-arg]
    def get(self, *_: object) -> Any:
        raise RuntimeError("boom")


class _KeyBoom(dict):  # type: ignore[type-arg]
    def __contains__(self, key: object) -> bool:
        raise RuntimeError("boom")


# --- the passport outlives its signer certificate -----------------------------------------


def test_a_passport_outliving_its_signer_passes_with_a_warning() -> None:
    claims = _claims()
    claims[cwt.CLAIM_EXP] = 1_930_000_000  # past the test Document Signer's notAfter
    text = signed(_cbor.dumps(claims), PKI.document_signer)
    # Common at a border (Viet Nam's passports do it).
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.ok
    assert result.warning_codes == (Code.KEY_VALIDITY,)
    assert result.outcome("key.validity") is Outcome.PASSED_WITH_WARNING
    assert result.warnings[0].message("en").startswith("The certificate's validity")
    assert result.warnings[0].message("vi").startswith("Thời hạn")
    assert _both_paths(text, STRICT).codes == (Code.KEY_VALIDITY,)
    assert not _both_paths(text, vp.Policy(strict_key_validity=True)).ok
    # Off, not even a warning: the fast path answers.
    off = vp.Policy(check_key_validity_window=False)
    result = vp.verify(text, trust=PKI.trust, now=NOW, policy=off)
    assert result.ok
    assert not result.warnings


def test_a_signer_certificate_not_valid_now_still_fails() -> None:
    # Signed before the certificate existed, checked a minute after: key.expired.
    before = PKI.document_signer.not_before - 3600
    claims = _claims()
    claims[cwt.CLAIM_IAT] = before
    text = signed(_cbor.dumps(claims), PKI.document_signer)
    result = vp.verify(text, trust=PKI.trust, now=datetime.fromtimestamp(before + 60, UTC))
    assert Code.KEY_EXPIRED in result.codes


# --- dates in the future (issue 13, item 7) -------------------------------------------------


def test_latest_local_day() -> None:
    noon = epoch_of(datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert latest_local_day(noon) == "2026-03-02"  # already the 2nd at UTC+14
    assert latest_local_day(noon - 6 * 3600) == "2026-03-01"
    assert latest_local_day(noon, 12 * 3600) == "2026-03-02"
    assert latest_local_day(-1) is None
    assert latest_local_day(10**12) is None
    day = latest_local_day(noon) or ""
    assert "2027" > day > "2026-03"  # partial dates of birth order so


def _dated(field: str, value: str) -> str:
    dcc = json.loads(json.dumps(PASSPORT.dcc))
    if field == "dob":
        dcc["dob"] = value
    else:
        dcc["v"][0]["dt"] = value
    return _with_dcc(dcc, attested=False)


# The sample passport is issued on 2026-06-01 (NOW); it is checked a month later.
LATER = NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [("dob", "2026-06-10", "dob"), ("dob", "2026-07", "dob"), ("dt", "2026-06-10", "v[0].dt")],
)
def test_a_date_after_issue_passes_with_a_warning(field: str, value: str, where: str) -> None:
    text = _dated(field, value)
    result = _both_paths(text, now=LATER)
    assert result.ok
    assert result.warning_codes == (Code.DCC_FUTURE_DATE,)
    assert result.warnings[0].detail.endswith(where)
    assert "after the passport was issued" in result.warnings[0].detail
    assert _both_paths(text, STRICT, LATER).codes == (Code.DCC_FUTURE_DATE,)
    strict = vp.Policy(strict_future_dates=True)
    assert _both_paths(text, strict, LATER).codes == (Code.DCC_FUTURE_DATE,)


@pytest.mark.parametrize(
    ("field", "value"), [("dob", "2027-01-01"), ("dob", "2027"), ("dt", "2026-07-01")]
)
def test_a_date_after_now_fails_under_every_policy(field: str, value: str) -> None:
    # Born in 2027 or vaccinated next month, checked now: what has not happened is refused,
    # as the reference apps refuse a vaccination or a sample dated in the future.
    text = _dated(field, value)
    for policy in (verification.DEFAULT_POLICY, STRICT, vp.Policy(leeway=timedelta(hours=1))):
        result = _both_paths(text, policy)
        assert result.codes == (Code.DCC_FUTURE_DATE,)
        assert "after now" in result.check("dcc.schema").detail


def test_test_and_recovery_dates_after_issue_are_found() -> None:
    iat = PASSPORT.issued_at
    dcc = {"ver": "1.3.0", "dob": "1990", "nam": {"fnt": "X"}}
    late = {
        "t": {"sc": "2030-01-01T00:00:00Z", "tg": "840539006", "tt": "LP6464-4", "tr": "260415000",
              "tc": "Lab", "co": "VN", "is": "MoH", "ci": "URN:UVCI:01:VN:1"},
        "r": {"fr": "2030-01-01", "df": "2030-01-12", "du": "2030-06-01", "tg": "840539006",
              "co": "VN", "is": "MoH", "ci": "URN:UVCI:01:VN:1"},
    }  # fmt: skip
    for group, entry in late.items():
        field = "sc" if group == "t" else "fr"
        found = checks._future_dates({**dcc, group: [entry]}, iat, 0)
        assert found == [f"{group}[0].{field}"]
        assert checks._future_dates({**dcc, group: [entry, "x"]}, iat, 0) == found
    assert checks._future_dates(dcc, None, 0) == []


def test_attest_and_issue_refuse_a_record_dated_after_them() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    future = attrs.evolve(
        sample_record(), date_of_birth="2027-01-01", vaccination_date="2027-02-01"
    )
    with pytest.raises(InvalidRecord, match="date_of_birth, vaccination_date") as info:
        vp.attest(future, facility=PKI.facilities[0], now=at)
    assert info.value.code is Code.RECORD_INVALID
    # An attestation made by hand with a signing time before the dates: issue() refuses too.
    from vaxpass_core.attestation import sign as sign_attestation

    att = sign_attestation(future, facility=PKI.facilities[0], signed_at=epoch_of(at))
    with pytest.raises(InvalidRecord, match="attested"):
        vp.issue(att, issuer=PKI.document_signer, trust=PKI.trust, now=at)
    # The same day is fine (local days run up to UTC+14).
    today = attrs.evolve(sample_record(), vaccination_date="2026-03-01")
    assert vp.attest(today, facility=PKI.facilities[0], now=at).record == today


# --- a facility attestation dated in the future (issue 13, item 6) --------------------------


def test_an_attestation_dated_after_issue_fails_under_every_policy() -> None:
    claims = _claims()
    raw = bytearray(claims[ATTESTATION_CLAIM])
    raw[8:12] = (PASSPORT.issued_at + 200 * 86400).to_bytes(4, "big")
    claims[ATTESTATION_CLAIM] = bytes(raw)
    text = signed(_cbor.dumps(claims), PKI.document_signer)
    for policy in (vp.Policy(), vp.Policy.vietnam(), STRICT):
        for trust in (PKI.trust, vp.TrustStore(signers=PKI.trust.signers)):
            result = vp.verify(text, trust=trust, now=NOW, policy=policy)
            assert result.codes == (Code.FACILITY_NOT_YET_VALID,)
            assert result.check("facility.signature").depends_on == "facility.attestation"
    # Within the leeway it is clock skew.
    raw[8:12] = (PASSPORT.issued_at + 60).to_bytes(4, "big")
    claims[ATTESTATION_CLAIM] = bytes(raw)
    text = signed(_cbor.dumps(claims), PKI.document_signer)
    lenient = vp.Policy(leeway=timedelta(minutes=5))
    assert (
        Code.FACILITY_NOT_YET_VALID
        not in vp.verify(
            text, trust=vp.TrustStore(signers=PKI.trust.signers), now=NOW, policy=lenient
        ).codes
    )


def test_without_iat_the_attestation_is_compared_with_now() -> None:
    claims = _claims()
    del claims[cwt.CLAIM_IAT]
    text = signed(_cbor.dumps(claims), PKI.document_signer)
    signed_at = PASSPORT.attestation.signed_at if PASSPORT.attestation else 0
    trust = vp.TrustStore(signers=PKI.trust.signers)
    before = vp.verify(text, trust=trust, now=datetime.fromtimestamp(signed_at - 1, UTC))
    assert before.codes == (Code.FACILITY_NOT_YET_VALID,)
    at = vp.verify(text, trust=trust, now=datetime.fromtimestamp(signed_at, UTC))
    assert Code.FACILITY_NOT_YET_VALID not in at.codes


# --- whitespace around the text (issue 13, item 10) ------------------------------------------


@pytest.mark.parametrize("around", [("", "\n"), ("  ", "\r\n"), ("\t", "")])
def test_whitespace_at_the_ends_verifies(around: tuple[str, str]) -> None:
    text = around[0] + PASSPORT.qr_text + around[1]
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.ok
    assert vp.verify(text.encode(), trust=PKI.trust, now=NOW) == result
    assert result == vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW)


# --- issuing stays strict -----------------------------------------------------------------


def test_what_issue_makes_passes_the_strict_policy() -> None:
    for passport in (PASSPORT, sample_passport(PKI.document_signer_ps256)):
        result = vp.verify(passport.qr_text, trust=PKI.trust, now=NOW, policy=STRICT)
        assert result.ok
        assert not result.warnings
    assert vp.Policy(
        strict_valuesets=True, strict_key_validity=True, strict_date_times=True,
        strict_nulls=True, strict_future_dates=True,
    ) == STRICT  # fmt: skip
    assert vp.Policy.strict(require_attestation=True).require_attestation


# --- value sets as an input -----------------------------------------------------------------


def _test_dcc(device: str) -> dict[str, Any]:
    return {
        "ver": "1.3.0",
        "nam": {"fn": "Musterfrau", "fnt": "MUSTERFRAU"},
        "dob": "1980-01-01",
        "t": [
            {"tg": "840539006", "tt": "LP217198-3", "ma": device, "sc": "2021-09-19T08:00:00Z",
             "tr": "260415000", "tc": "Testzentrum", "co": "DE", "is": "Robert Koch-Institut",
             "ci": "URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W"}
        ],
    }  # fmt: skip


JRC = {
    "extracted_on": "2023-06-01 00:00:00 CET",
    "deviceList": [
        {"id_device": "99999", "commercial_name": "Rapid", "manufacturer": {"name": "Maker"},
         "hsc_common_list": True},
        {"id_device": 12345, "commercial_name": "Old", "hsc_common_list": False},
    ],
}  # fmt: skip


def test_value_sets_are_an_input_of_verify() -> None:
    text = signed_dcc(_test_dcc("99999"), PKI.test_only_document_signer, like=PASSPORT, issuer="DE")
    shipped = vp.verify(text, trust=PKI.trust, now=NOW)
    assert shipped.ok
    assert shipped.warning_codes == (Code.VALUESET_UNKNOWN,)
    assert shipped.outcome("dcc.valuesets") is Outcome.PASSED_WITH_WARNING
    downloaded = valuesets.load(json.dumps(JRC))
    assert downloaded.entries("t.ma")["99999"].display == "Maker, Rapid"
    assert not downloaded.entries("test-manf")["12345"].active
    assert downloaded.is_known("co", "VN")  # taken from the shipped release
    result = vp.verify(text, trust=PKI.trust, now=NOW, valuesets=downloaded)
    assert result.ok
    assert not result.warnings
    with pytest.raises(TypeError, match="ValueSets"):
        vp.verify(text, trust=PKI.trust, now=NOW, valuesets={})  # type: ignore[arg-type]


def test_load_reads_the_gateways_value_sets_and_its_own_file() -> None:
    gateway = {
        "valueSetId": "covid-19-lab-result",
        "valueSetDate": "2021-04-27",
        "valueSetValues": {"1": {"display": "odd", "lang": "en", "active": True,
                                 "system": "http://snomed.info/sct", "version": "1"}},
    }  # fmt: skip
    loaded = valuesets.load(gateway, json.dumps(JRC).encode())
    assert set(loaded.entries("tr")) == {"1"}
    assert loaded.release == "covid-19-lab-result 2021-04-27; JRC devices 2023-06-01 00:00:00 CET"
    again = valuesets.load(json.dumps({"release": "x", "valuesets": {"tr": {"values": {}}}}))
    assert again.release == "x"
    assert not again.entries("tr")
    assert valuesets.load().release == valuesets.release()
    assert valuesets.load(base=loaded).entries("tr") == loaded.entries("tr")
    assert valuesets.default() is valuesets.default()
    with pytest.raises(ValueError, match="no value set named"):
        loaded.entries("nope")
    with pytest.raises(TypeError):
        valuesets.load(base={})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"\xff", "not UTF-8"),
        ("{", "not JSON"),
        ("[" * 100_000, "not JSON"),
        ("[]", "not a JSON object"),
        ("{}", "neither"),
        ({"valueSetId": 1}, "valueSetId is not a string"),
        ({"valueSetId": "nope", "valueSetValues": {}}, "not one verify"),
        ({"valueSetId": "covid-19-lab-result", "valueSetValues": []}, "not an object"),
        ({"valueSetId": "tr", "valueSetValues": {"1": 2}}, "not an object"),
        ({"valueSetId": "tr", "valueSetValues": {"1": {"active": "yes"}}}, "active"),
        ({"valueSetId": "tr", "valueSetValues": {"1": {"display": 3}}}, "display"),
        ({"deviceList": {}}, "not an array"),
        ({"deviceList": []}, "empty"),
        ({"deviceList": [3]}, "not an object"),
        ({"deviceList": [{"id_device": None}]}, "id_device"),
        ({"valuesets": {"zz": {}}}, "not a value set"),
        ({"valuesets": {"tr": {"values": 1}}}, "not an object"),
        (_KeyBoom({"deviceList": []}), "unreadable"),
    ],
)
def test_load_refuses_clearly(document: Any, message: str) -> None:
    with pytest.raises(InvalidValueSets, match=message) as info:
        valuesets.load(document)
    assert info.value.code is Code.VALUESETS_INVALID
    assert isinstance(info.value, ValueError)
