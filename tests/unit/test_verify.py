"""verify(): fixed check order, stable codes, times, key usage, and no crash on garbage."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed, signed_dcc, signed_with_headers
from vaxpass_core import uvci
from vaxpass_core.attestation import ATTESTATION_CLAIM
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import base45, cbor, cose, cwt, hc1
from vaxpass_core.result import CHECK_ORDER, Status
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


PKI = make_pki(seed=0)
PASSPORT = sample_passport()
PASSPORT_PS256 = sample_passport(PKI.document_signer_ps256)


def _names(result: vp.VerificationResult) -> list[str]:
    return [c.name for c in result.checks]


def test_result_has_no_truth_value() -> None:
    result = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW)
    with pytest.raises(TypeError, match=r"result\.ok"):
        bool(result)


def test_record_of_a_failed_result_raises_its_error() -> None:
    later = NOW + timedelta(days=800)
    result = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=later)
    assert not result.ok
    assert result.codes == (Code.TIME_EXPIRED,)
    with pytest.raises(vp.VaxpassError) as info:
        _ = result.record
    assert info.value.code is Code.TIME_EXPIRED
    assert info.value.result is result
    assert result.unverified_record == sample_record()


def test_not_yet_valid_and_leeway() -> None:
    early = datetime.fromtimestamp(PASSPORT.issued_at - 60, UTC)
    assert vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=early).codes == (
        Code.TIME_NOT_YET_VALID,
    )
    lenient = vp.Policy(leeway=timedelta(minutes=5))
    assert vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=early, policy=lenient).ok


def test_signer_certificate_must_be_valid_now() -> None:
    after_cert = datetime(2030, 6, 1, tzinfo=UTC)
    result = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=after_cert)
    assert Code.KEY_EXPIRED in result.codes


def test_algorithm_outside_the_policy_fails() -> None:
    only_ps = vp.Policy(algorithms=frozenset({cose.PS256}))
    result = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW, policy=only_ps)
    assert result.codes == (Code.COSE_ALGORITHM,)
    assert result.check("signature").depends_on == "cose.algorithm"
    assert vp.verify(PASSPORT_PS256.qr_text, trust=PKI.trust, now=NOW, policy=only_ps).ok


def test_every_certificate_sharing_a_kid_is_tried() -> None:
    # A trust list may publish two certificates under one kid; the right one must be found.
    other = PKI.untrusted_document_signer()
    trust = vp.TrustStore.from_kid_map(
        {PKI.document_signer.kid: [other.certificate, PKI.document_signer.certificate]},
        facility_roots=PKI.trust.facility_roots,
        facilities=PKI.trust.facilities,
    )
    assert vp.verify(PASSPORT.qr_text, trust=trust, now=NOW).ok


def test_wrong_key_under_a_known_kid_is_a_bad_signature() -> None:
    trust = vp.TrustStore.from_kid_map(
        {PKI.document_signer.kid: PKI.untrusted_document_signer().certificate},
        facility_roots=PKI.trust.facility_roots,
        facilities=PKI.trust.facilities,
    )
    result = vp.verify(PASSPORT.qr_text, trust=trust, now=NOW)
    assert result.codes == (Code.SIGNATURE_INVALID,)
    assert result.check("key.validity").status is Status.SKIPPED


@pytest.mark.parametrize(
    ("text", "code", "failed_at"),
    [
        ("", Code.HC1_PREFIX, "hc1.prefix"),
        ("HC2:6BFOXN", Code.HC1_PREFIX, "hc1.prefix"),
        ("HC1:!!!", Code.HC1_BASE45, "hc1.base45"),
        ("HC1:" + base45.b45encode(b"not zlib at all"), Code.HC1_ZLIB, "hc1.zlib"),
        ("HC1:" + "A" * 5000, Code.HC1_TOO_LARGE, "hc1.prefix"),
        (hc1.encode(b"\xff\xff"), Code.CBOR_MALFORMED, "cose.structure"),
        (hc1.encode(b"\x83\x01\x02\x03"), Code.COSE_MALFORMED, "cose.structure"),
    ],
)
def test_transport_failures_have_their_codes(text: str, code: Code, failed_at: str) -> None:
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert not result.ok
    assert result.codes == (code,)
    assert result.failures[0].name == failed_at
    assert _names(result) == list(CHECK_ORDER)
    after = CHECK_ORDER[CHECK_ORDER.index(failed_at) + 1 :]
    assert all(result.check(n).depends_on == failed_at for n in after)


def test_bytes_from_a_scanner_are_accepted() -> None:
    assert vp.verify(PASSPORT.qr_text.encode(), trust=PKI.trust, now=NOW).ok
    assert vp.verify(b"\xffHC1:", trust=PKI.trust, now=NOW).codes == (Code.HC1_PREFIX,)


def test_claims_without_hcert_fail_cwt_claims() -> None:
    payload = cbor.dumps({1: "VN", 4: PASSPORT.expires_at, 6: PASSPORT.issued_at})
    text = signed(payload, PKI.document_signer)
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.codes == (Code.CWT_CLAIMS,)
    assert result.check("signature").passed  # the signature itself is fine


def test_schema_failure_is_reported_with_its_path() -> None:
    dcc = dict(PASSPORT.dcc)
    dcc["dob"] = "17.05.1990"
    text = signed_dcc(dcc, PKI.document_signer, like=PASSPORT)
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.codes == (Code.SCHEMA_INVALID,)
    assert "dob" in result.check("dcc.schema").detail


def test_naive_now_and_wrong_types_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="timezone"):
        vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError):
        vp.verify(12345, trust=PKI.trust, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="TrustStore"):
        vp.verify(PASSPORT.qr_text, trust={}, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Policy"):
        vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW, policy="vn")  # type: ignore[arg-type]


def _assert_well_formed(result: vp.VerificationResult) -> None:
    assert _names(result) == list(CHECK_ORDER)
    for check in result.checks:
        assert (check.code is not None) == (check.status is Status.FAILED)


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_random_text_never_raises(text: str) -> None:
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    _assert_well_formed(result)
    assert not result.ok


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_random_cose_bytes_never_raise(data: bytes) -> None:
    result = vp.verify(hc1.encode(data), trust=PKI.trust, now=NOW)
    _assert_well_formed(result)
    assert not result.ok


@settings(max_examples=400)
@given(st.data())
def test_mutated_passports_never_raise_and_never_verify(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from([PASSPORT, PASSPORT_PS256]))
    raw = bytearray(hc1.decode(original.qr_text))
    how = data.draw(st.sampled_from(["flip", "truncate", "insert"]))
    at = data.draw(st.integers(0, len(raw) - 1))
    if how == "flip":
        raw[at] ^= 1 << data.draw(st.integers(0, 7))
    elif how == "truncate":
        del raw[at:]
    else:
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    result = vp.verify(hc1.encode(bytes(raw)), trust=PKI.trust, now=NOW)
    _assert_well_formed(result)
    assert not result.ok


def test_signature_moved_between_passports_fails() -> None:
    other_record = attrs.evolve(sample_record(), certificate_id=uvci.new(issuer="79003"))
    att = vp.attest(other_record, facility=PKI.facilities[0], now=NOW)
    other = vp.issue(att, issuer=PKI.document_signer, trust=PKI.trust, now=NOW)
    a = cose.decode_sign1(hc1.decode(PASSPORT.qr_text))
    b = cose.decode_sign1(hc1.decode(other.qr_text))
    assert a.signature != b.signature
    moved = cbor.dumps(cbor.CBORTag(18, [a.protected, {}, a.payload, b.signature]))
    result = vp.verify(hc1.encode(moved), trust=PKI.trust, now=NOW)
    assert result.codes == (Code.SIGNATURE_INVALID,)


# --- the private self-check hook for issue() -------------------------------------------


def _claims_of(text: str) -> dict[Any, Any]:
    return dict(cwt.decode_claims(cose.decode_sign1(hc1.decode(text)).payload).claims)


def _resign(claims: dict[Any, Any]) -> str:
    return signed(cbor.dumps(claims), PKI.document_signer)


def _tampered_facility_signature() -> tuple[str, bytes]:
    claims = _claims_of(PASSPORT.qr_text)
    raw = bytearray(claims[ATTESTATION_CLAIM])
    raw[-1] ^= 1
    claims[ATTESTATION_CLAIM] = bytes(raw)
    return _resign(claims), bytes(raw)


def test_a_missing_exp_fails_the_claims_check_not_the_expiry_check() -> None:
    claims = _claims_sample()
    del claims[cwt.CLAIM_EXP]
    result = vp.verify(_resign(claims), trust=PKI.trust, now=NOW)
    assert result.check("cwt.claims").code is Code.CWT_CLAIMS
    assert result.check("time.expiry").depends_on == "cwt.claims"
    assert result.check("signature").passed  # the signature does not need the claims
    assert result.dcc == PASSPORT.dcc  # still decoded, for display


def test_a_tampered_facility_signature_fails_and_verify_has_no_private_hook() -> None:
    text, _ = _tampered_facility_signature()
    assert vp.verify(text, trust=PKI.trust, now=NOW).codes == (Code.FACILITY_SIGNATURE,)
    # No caller can vouch for a signature: every parameter of verify() is public.
    assert not [p for p in inspect.signature(vp.verify).parameters if p.startswith("_")]


# --- one negative test per failure code verify can produce -----------------------------


def _claims_sample() -> dict[Any, Any]:
    return _claims_of(PASSPORT.qr_text)


def _with_claim(label: int, value: object) -> str:
    claims = _claims_sample()
    claims[label] = value
    return _resign(claims)


def _facility_claim(**change: bytes) -> str:
    raw = bytearray(_claims_sample()[ATTESTATION_CLAIM])
    if "signed_at" in change:
        raw[8:12] = change["signed_at"]
    return _with_claim(ATTESTATION_CLAIM, bytes(raw))


def _reach(code: Code) -> vp.VerificationResult:
    """A result that fails with *code* (and only it, where one fault allows)."""
    trust, now, text = PKI.trust, NOW, PASSPORT.qr_text
    if code is Code.HC1_PREFIX:
        return vp.verify("HC2:" + text[4:], trust=trust, now=now)
    if code is Code.HC1_BASE45:
        return vp.verify("HC1:abc", trust=trust, now=now)
    if code is Code.HC1_ZLIB:
        return vp.verify("HC1:" + base45.b45encode(b"\x78\x9c\x00\x01"), trust=trust, now=now)
    if code is Code.HC1_TOO_LARGE:
        return vp.verify("HC1:" + "A" * 5000, trust=trust, now=now)
    if code is Code.CBOR_MALFORMED:
        return vp.verify(hc1.encode(b"\xff"), trust=trust, now=now)
    if code is Code.COSE_MALFORMED:
        return vp.verify(hc1.encode(b"\x80"), trust=trust, now=now)
    if code is Code.COSE_CRIT:  # a critical label this verifier does not act on
        payload = cose.decode_sign1(hc1.decode(text)).payload
        crit = signed_with_headers(payload, PKI.document_signer, protected={2: [99], 99: 0})
        return vp.verify(hc1.encode(crit), trust=trust, now=now)
    if code is Code.COSE_ALGORITHM:
        only_ps = vp.Policy(algorithms=frozenset({cose.PS256}))
        return vp.verify(text, trust=trust, now=now, policy=only_ps)
    if code is Code.CWT_CLAIMS:
        claims = _claims_sample()
        del claims[cwt.CLAIM_EXP]  # no exp: the claims lack one a DCC must carry
        return vp.verify(_resign(claims), trust=trust, now=now)
    if code is Code.KEY_UNKNOWN:
        return vp.verify(text, trust=vp.TrustStore.from_certificates([]), now=now)
    if code is Code.KEY_USAGE:
        payload = cbor.dumps(_claims_sample())
        return vp.verify(signed(payload, PKI.test_only_document_signer), trust=trust, now=now)
    if code is Code.KEY_EXPIRED:
        return vp.verify(text, trust=trust, now=datetime(2030, 6, 1, tzinfo=UTC))
    if code is Code.KEY_VALIDITY:  # a warning by default
        strict = vp.Policy(strict_key_validity=True)
        return vp.verify(_with_claim(cwt.CLAIM_EXP, 1_930_000_000), trust=trust, now=now,
                         policy=strict)  # fmt: skip
    if code in {Code.SCHEMA_DATE_TIME, Code.SCHEMA_NULL, Code.DCC_FUTURE_DATE}:
        # Tolerated deviations (warnings by default), each failing under Policy.strict().
        dcc = dict(PASSPORT.dcc)
        if code is Code.SCHEMA_DATE_TIME:
            dcc["v"] = [{**PASSPORT.dcc["v"][0], "dt": PASSPORT.dcc["v"][0]["dt"] + "T00:00:00Z"}]
        elif code is Code.SCHEMA_NULL:
            dcc["t"] = None
        else:
            dcc["dob"] = "2030-01-01"
        claims = _claims_sample()
        claims[cwt.CLAIM_HCERT] = {1: dcc}
        del claims[ATTESTATION_CLAIM]
        return vp.verify(_resign(claims), trust=trust, now=now, policy=vp.Policy.strict())
    if code is Code.FACILITY_NOT_YET_VALID:
        later = (PASSPORT.issued_at + 200 * 86400).to_bytes(4, "big")
        return vp.verify(_facility_claim(signed_at=later), trust=trust, now=now)
    if code is Code.SIGNATURE_INVALID:
        message = cose.decode_sign1(hc1.decode(text))
        bad = bytes([message.signature[0] ^ 1]) + message.signature[1:]
        raw = cbor.dumps(cbor.CBORTag(18, [message.protected, {}, message.payload, bad]))
        return vp.verify(hc1.encode(raw), trust=trust, now=now)
    if code is Code.TIME_EXPIRED:
        return vp.verify(text, trust=trust, now=now + timedelta(days=400))
    if code is Code.TIME_NOT_YET_VALID:
        return vp.verify(text, trust=trust, now=now - timedelta(minutes=1))
    if code is Code.SCHEMA_INVALID:
        dcc = dict(PASSPORT.dcc)
        dcc["r"] = [{"tg": "840539006"}]  # two kinds of event in one DCC
        return vp.verify(_with_claim(cwt.CLAIM_HCERT, {1: dcc}), trust=trust, now=now)
    if code is Code.VALUESET_UNKNOWN:
        dcc = dict(PASSPORT.dcc)
        dcc["v"] = [{**PASSPORT.dcc["v"][0], "mp": "NOT-A-PRODUCT"}]
        strict = vp.Policy(strict_valuesets=True)
        claims = _claims_sample()
        claims[cwt.CLAIM_HCERT] = {1: dcc}
        del claims[ATTESTATION_CLAIM]
        return vp.verify(_resign(claims), trust=trust, now=now, policy=strict)
    if code is Code.FACILITY_MISSING:
        claims = _claims_sample()
        del claims[ATTESTATION_CLAIM]
        return vp.verify(_resign(claims), trust=trust, now=now, policy=vp.Policy.vietnam())
    if code is Code.FACILITY_UNKNOWN:
        return vp.verify(text, trust=attrs.evolve(trust, facilities=()), now=now)
    if code is Code.FACILITY_SIGNATURE:
        return vp.verify(_tampered_facility_signature()[0], trust=trust, now=now)
    if code is Code.FACILITY_MISMATCH:
        dcc = dict(PASSPORT.dcc)
        dcc["v"] = [{**PASSPORT.dcc["v"][0], "dn": 1}]
        return vp.verify(_with_claim(cwt.CLAIM_HCERT, {1: dcc}), trust=trust, now=now)
    if code is Code.FACILITY_EXPIRED:
        # Claimed to be signed in 2024, before the facility certificate's window opened.
        return vp.verify(_facility_claim(signed_at=(1_704_067_200).to_bytes(4, "big")),
                         trust=trust, now=now)  # fmt: skip
    if code is Code.FACILITY_REVOKED:
        kid = PKI.facilities[0].kid
        revoked = trust.with_revocations(vp.Revocation.facility_kid(kid))
        return vp.verify(text, trust=revoked, now=now)
    if code is Code.REVOKED:
        revoked = trust.with_revocations(*PASSPORT.revocation_entries())
        return vp.verify(text, trust=revoked, now=now)
    raise AssertionError(f"verify cannot produce {code}")


#: Codes of other layers: verify never reports them.
NOT_VERIFY_CODES = {
    Code.RECORD_INVALID,
    Code.UVCI_INVALID,
    Code.QR_NOT_FOUND,
    Code.QR_AMBIGUOUS,
    Code.BATCH_LINE,
    Code.BATCH_INTERNAL,
    Code.VALUESETS_INVALID,
    Code.CERTLOGIC_INVALID,
    Code.CERTLOGIC_EVALUATION,
    Code.CERTLOGIC_LIMIT,
    Code.RULE_INVALID,
    Code.QR_TOO_LARGE,
    Code.TRUST_INVALID,
}
VERIFY_CODES = [code for code in Code if code not in NOT_VERIFY_CODES]


@pytest.mark.parametrize("code", VERIFY_CODES, ids=str)
def test_every_failure_code_is_reachable(code: Code) -> None:
    result = _reach(code)
    assert not result.ok
    assert code in result.codes, result.codes
    assert _names(result) == list(CHECK_ORDER)


def test_key_validity_window_can_be_turned_off() -> None:
    text = _with_claim(cwt.CLAIM_EXP, 1_930_000_000)
    relaxed = vp.Policy(check_key_validity_window=False)
    assert vp.verify(text, trust=PKI.trust, now=NOW, policy=relaxed).ok


def test_a_dcc_without_an_event_fails_the_schema() -> None:
    dcc = {k: v for k, v in PASSPORT.dcc.items() if k != "v"}
    dcc["ver"] = "1.2.1"  # before 1.3.0 the schema itself does not require an event
    result = vp.verify(_with_claim(cwt.CLAIM_HCERT, {1: dcc}), trust=PKI.trust, now=NOW)
    assert result.codes[0] is Code.SCHEMA_INVALID  # (and the facility signed a vaccination)
    assert "none" in result.check("dcc.schema").detail


# --- foreign and attestation-less vaccinations: the record with nationality "not stated"


def test_a_vaccination_without_attestation_still_gives_its_record() -> None:
    claims = _claims_sample()
    del claims[ATTESTATION_CLAIM]
    result = vp.verify(_resign(claims), trust=PKI.trust, now=NOW)
    assert result.ok
    assert result.record.nationality is None
    assert result.record == attrs.evolve(sample_record(), nationality=None)


def test_a_foreign_dcc_gives_a_record_without_nationality() -> None:
    foreign = sample_record().to_dcc(country="DE", issuer="Robert Koch-Institut")
    text = signed_dcc(foreign, PKI.document_signer, like=PASSPORT, issuer="DE")
    record = vp.verify(text, trust=PKI.trust, now=NOW).record
    assert record.nationality is None
    assert record.certificate_id == sample_record().certificate_id


def test_nationality_not_stated_is_valid_but_never_signed() -> None:
    record = attrs.evolve(sample_record(), nationality=None)
    assert record.to_wire()[3] is None
    assert vp.VaccinationRecord.from_wire(record.to_wire()) == record
    assert vp.VaccinationRecord.from_dcc(record.to_dcc(issuer="x"), nationality=None) == record
    assert dict(record.labelled("en"))["Nationality"] == "(not stated)"
    assert dict(record.labelled("vi"))["Quốc tịch"] == "(không ghi)"
    # The CBOR form is what a facility signs: it must state the nationality.
    with pytest.raises(vp.errors.InvalidRecord, match="nationality"):
        vp.VaccinationRecord.from_cbor(record.to_cbor())
    with pytest.raises(vp.errors.InvalidRecord):
        attrs.evolve(sample_record(), nationality="V1")


def test_a_test_dcc_gives_no_record() -> None:
    dcc = {
        "ver": "1.3.0",
        "nam": {"fn": "Trần", "fnt": "TRAN", "gn": "An", "gnt": "AN"},
        "dob": "1990",
        "t": [
            {
                "tg": "840539006",
                "tt": "LP6464-4",
                "sc": "2026-05-31T08:00:00Z",
                "tr": "260415000",
                "tc": "Bệnh viện Bạch Mai",
                "co": "VN",
                "is": "Ministry of Health of Viet Nam",
                "ci": "URN:UVCI:01:VN:T1#S",
            }
        ],
    }
    signer = PKI.test_only_document_signer  # the main signer may sign vaccinations only
    result = vp.verify(signed_dcc(dcc, signer, like=PASSPORT), trust=PKI.trust, now=NOW)
    assert result.ok
    assert result.unverified_record is None
    with pytest.raises(ValueError, match="no vaccination record"):
        _ = result.record


def test_verifier_abroad_without_the_facility_registry() -> None:
    # An EU verifier holds the ministry's signer certificates only.
    abroad = vp.TrustStore.from_certificates([PKI.document_signer.certificate])
    result = vp.verify(PASSPORT.qr_text, trust=abroad, now=NOW)
    assert result.ok
    assert result.check("facility.attestation").passed
    for name in ("facility.certificate", "facility.signature"):
        skipped = result.check(name)
        assert skipped.status is Status.SKIPPED
        assert skipped.depends_on is None
        assert "registry" in skipped.detail
    assert result.record.nationality == "VN"  # field 3 still travels in the attestation
    strict = vp.verify(PASSPORT.qr_text, trust=abroad, now=NOW, policy=vp.Policy.vietnam())
    assert strict.codes == (Code.FACILITY_UNKNOWN,)


def test_record_is_built_only_when_read() -> None:
    abroad = vp.TrustStore.from_certificates([PKI.document_signer.certificate])
    result = vp.verify(PASSPORT.qr_text, trust=abroad, now=NOW)
    first = result.unverified_record
    assert first is not None
    assert result.unverified_record is first  # built once, then cached
    assert result.record == sample_record()
