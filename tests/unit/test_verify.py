"""verify(): fixed check order, stable codes, times, key usage, and no crash on garbage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vaxpass_core as vp
from vaxpass_core import base45, cose, cwt, hc1, uvci
from vaxpass_core.errors import Code
from vaxpass_core.record import sample
from vaxpass_core.result import CHECK_ORDER, Status
from vaxpass_core.testing import pki as make_pki


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PKI = make_pki(seed=0)


def _passport(signer: vp.DocumentSigner | None = None) -> vp.Passport:
    att = vp.attest(sample(), facility=PKI.facilities[0], now=NOW)
    return vp.issue(att, issuer=signer or PKI.document_signer, trust=PKI.trust, now=NOW)


PASSPORT = _passport()
PASSPORT_PS256 = _passport(PKI.document_signer_ps256)


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
    assert result.unverified_record == sample()


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
    signer = PKI.document_signer
    payload = vp._cbor.dumps({1: "VN", 4: PASSPORT.expires_at, 6: PASSPORT.issued_at})
    text = hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid))
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.codes == (Code.CWT_CLAIMS,)
    assert result.check("signature").passed  # the signature itself is fine


def test_schema_failure_is_reported_with_its_path() -> None:
    signer = PKI.document_signer
    dcc = dict(PASSPORT.dcc)
    dcc["dob"] = "17.05.1990"
    payload = cwt.encode_claims(
        dcc=dcc, issuer="VN", issued_at=PASSPORT.issued_at, expires_at=PASSPORT.expires_at
    )
    text = hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid))
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert result.codes == (Code.SCHEMA_INVALID,)
    assert "dob" in result.check("dcc.schema").detail


def test_naive_now_and_wrong_types_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="timezone"):
        vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError):
        vp.verify(12345, trust=PKI.trust, now=NOW)  # type: ignore[arg-type]


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
    other_record = attrs.evolve(sample(), certificate_id=uvci.new(issuer="79003"))
    att = vp.attest(other_record, facility=PKI.facilities[0], now=NOW)
    other = vp.issue(att, issuer=PKI.document_signer, trust=PKI.trust, now=NOW)
    a = cose.decode_sign1(hc1.decode(PASSPORT.qr_text))
    b = cose.decode_sign1(hc1.decode(other.qr_text))
    assert a.signature != b.signature
    moved = vp._cbor.dumps(vp._cbor.CBORTag(18, [a.protected, {}, a.payload, b.signature]))
    result = vp.verify(hc1.encode(moved), trust=PKI.trust, now=NOW)
    assert result.codes == (Code.SIGNATURE_INVALID,)
