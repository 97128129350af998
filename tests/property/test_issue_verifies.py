"""What issue() and attest_and_issue() make passes every check verify() has.

issue()'s self-check does not run the whole of verify() again: it checks the text decodes
to the bytes it signed, the signature against *trust*, the signer certificate's validity
and key usage, and revocation, and relies on the steps before it for the rest. These tests
are what lets it: every passport either makes, for any record, passes the full
``verify()`` under ``Policy.strict(require_attestation=True)`` with no warning. And a faulty
signature makes issuing raise instead of emitting.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

import vaxpass_core as vp
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import cose, hc1
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.testing.strategies import records


if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurveSignatureAlgorithm


PKI = make_pki(seed=0)
SIGNERS = (PKI.document_signer, PKI.document_signer_ps256)
STRICT = vp.Policy.strict(require_attestation=True)
# Inside every test certificate's validity; attestations up to 30 days before.
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_DAY = dt.timedelta(days=1)


def _passes_in_full(passport: vp.Passport, now: dt.datetime) -> None:
    result = vp.verify(passport.qr_text, trust=PKI.trust, now=now, policy=STRICT)
    assert result.ok, result.codes
    assert result.warnings == ()
    assert result.check("facility.signature").passed


@given(
    data=st.data(),
    signer=st.sampled_from(SIGNERS),
    facility=st.sampled_from(PKI.facilities),
    days_before=st.integers(0, 30),
    seconds=st.integers(0, 86_399),
    validity_months=st.integers(1, 36),
    compress=st.sampled_from((0, 6, 9)),
)
def test_every_passport_issue_makes_passes_strict_verify(
    *,
    data: st.DataObject,
    signer: vp.DocumentSigner,
    facility: vp.FacilitySigner,
    days_before: int,
    seconds: int,
    validity_months: int,
    compress: int,
) -> None:
    attested = NOW - days_before * _DAY - dt.timedelta(seconds=seconds)
    record = data.draw(records(latest_vaccination=attested.date()))
    attestation = vp.attest(record, facility=facility, now=attested)
    passport = vp.issue(
        attestation,
        issuer=signer,
        trust=PKI.trust,
        now=NOW,
        validity_months=validity_months,
        compress=compress,
    )
    _passes_in_full(passport, NOW)


@given(
    data=st.data(),
    signer=st.sampled_from(SIGNERS),
    facility=st.sampled_from(PKI.facilities),
    seconds=st.integers(0, 86_399),
)
def test_every_passport_attest_and_issue_makes_passes_strict_verify(
    data: st.DataObject, signer: vp.DocumentSigner, facility: vp.FacilitySigner, seconds: int
) -> None:
    now = NOW - dt.timedelta(seconds=seconds)
    record = data.draw(records(latest_vaccination=now.date()))
    passport = vp.attest_and_issue(
        record, facility=facility, issuer=signer, trust=PKI.trust, now=now
    )
    _passes_in_full(passport, now)
    # The same passport as the two steps give (PS256 signs with a random salt: its claims).
    two_steps = vp.issue(
        vp.attest(record, facility=facility, now=now), issuer=signer, trust=PKI.trust, now=now
    )
    assert _claims(passport) == _claims(two_steps)
    assert passport.attestation == two_steps.attestation
    if signer.alg == cose.ES256:
        assert passport == two_steps


def _claims(passport: vp.Passport) -> bytes:
    return cose.decode_sign1(hc1.decode(passport.qr_text)).payload


def _attest_and_issue_sample() -> vp.Passport:
    return vp.attest_and_issue(
        sample_record(),
        facility=PKI.facilities[0],
        issuer=PKI.document_signer,
        trust=PKI.trust,
        now=NOW,
    )


# -- A faulty signature never leaves. -----------------------------------------------------------


class _FaultyKey(ec.EllipticCurvePrivateKey):
    """An EC key whose signatures come out wrong: a fault in the signing computation."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self._key = key

    def sign(
        self,
        data: bytes | bytearray | memoryview,
        signature_algorithm: EllipticCurveSignatureAlgorithm,
    ) -> bytes:
        der = self._key.sign(data, signature_algorithm)
        return der[:-1] + bytes([der[-1] ^ 1])  # the last byte of s: still DER, now wrong

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        return self._key.exchange(algorithm, peer_public_key)

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._key.curve

    @property
    def key_size(self) -> int:
        return self._key.key_size

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        return self._key.private_numbers()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self._key.private_bytes(*args, **kwargs)

    def __copy__(self) -> _FaultyKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _FaultyKey:
        return self


def _faulty(signer: Any) -> Any:
    assert isinstance(signer.key, ec.EllipticCurvePrivateKey)
    kind = type(signer)
    if kind is vp.DocumentSigner:
        return vp.DocumentSigner(
            key=_FaultyKey(signer.key),
            certificate=signer.certificate,
            country=signer.country,
            issuer_name=signer.issuer_name,
        )
    return vp.FacilitySigner(
        facility_id=signer.facility_id, key=_FaultyKey(signer.key), certificate=signer.certificate
    )


def test_a_faulty_ministry_signature_makes_issue_raise() -> None:
    faulty = _faulty(PKI.document_signer)
    attestation = vp.attest(sample_record(), facility=PKI.facilities[0], now=NOW)
    with pytest.raises(vp.VaxpassError) as info:
        vp.issue(attestation, issuer=faulty, trust=PKI.trust, now=NOW)
    assert info.value.code is Code.SIGNATURE_INVALID
    with pytest.raises(vp.VaxpassError) as info:
        vp.attest_and_issue(
            sample_record(), facility=PKI.facilities[0], issuer=faulty, trust=PKI.trust, now=NOW
        )
    assert info.value.code is Code.SIGNATURE_INVALID


def test_a_faulty_facility_signature_makes_attest_and_issue_raise() -> None:
    faulty = _faulty(PKI.facilities[0])
    with pytest.raises(vp.VaxpassError) as info:
        vp.attest_and_issue(
            sample_record(), facility=faulty, issuer=PKI.document_signer, trust=PKI.trust, now=NOW
        )
    assert info.value.code is Code.FACILITY_SIGNATURE
    # issue() verifies what attest() made too: no attestation is trusted for its origin.
    attestation = vp.attest(sample_record(), facility=faulty, now=NOW)
    with pytest.raises(vp.VaxpassError) as info:
        vp.issue(attestation, issuer=PKI.document_signer, trust=PKI.trust, now=NOW)
    assert info.value.code is Code.FACILITY_SIGNATURE


def test_a_flipped_bit_in_the_signed_message_makes_issue_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = cose.sign1_with_signature

    def flipped(payload: bytes, **options: Any) -> tuple[bytes, bytes]:
        message, signature = real(payload, **options)
        return message[:-1] + bytes([message[-1] ^ 0x80]), signature

    monkeypatch.setattr(cose, "sign1_with_signature", flipped)
    for signer in SIGNERS:
        with pytest.raises(vp.VaxpassError) as info:
            vp.attest_and_issue(
                sample_record(), facility=PKI.facilities[0], issuer=signer, trust=PKI.trust, now=NOW
            )
        assert info.value.code is Code.SIGNATURE_INVALID


def test_text_that_does_not_decode_to_the_signed_bytes_makes_issue_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An encoder fault: the text carries other bytes than were signed (here, a passport of
    # another record, so everything about it is well formed, but not what was signed).
    other = vp.attest_and_issue(
        attrs.evolve(sample_record(), certificate_id=vp.uvci.new(issuer="79001")),
        facility=PKI.facilities[0],
        issuer=PKI.document_signer,
        trust=PKI.trust,
        now=NOW,
    )
    monkeypatch.setattr(hc1, "encode", lambda *_a, **_k: other.qr_text)
    assert vp.verify(other.qr_text, trust=PKI.trust, now=NOW, policy=STRICT).ok
    with pytest.raises(RuntimeError, match="does not carry the COSE message that was signed"):
        _attest_and_issue_sample()


def test_attestation_signing_is_verified_right_after(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cose.sign_with_protected

    def flipped(protected: bytes, payload: bytes, **options: Any) -> bytes:
        signature: bytes = real(protected, payload, **options)
        return signature[:-1] + bytes([signature[-1] ^ 1])

    monkeypatch.setattr(cose, "sign_with_protected", flipped)
    with pytest.raises(vp.VaxpassError) as info:
        _attest_and_issue_sample()
    assert info.value.code is Code.FACILITY_SIGNATURE


# -- What the self-check still refuses, as the whole of verify() did. ---------------------------


def test_a_passport_the_trust_store_revokes_is_refused_as_verify_refuses_it() -> None:
    record = sample_record()
    trust = PKI.trust.with_revocations(vp.Revocation.uci(record.certificate_id))
    passport = vp.attest_and_issue(
        record, facility=PKI.facilities[0], issuer=PKI.document_signer, trust=PKI.trust, now=NOW
    )
    expected = vp.verify(passport.qr_text, trust=trust, now=NOW, policy=STRICT)
    assert expected.codes == (Code.REVOKED,)
    attestation = vp.attest(record, facility=PKI.facilities[0], now=NOW)
    issuing: tuple[Callable[[], vp.Passport], ...] = (
        lambda: vp.attest_and_issue(
            record, facility=PKI.facilities[0], issuer=PKI.document_signer, trust=trust, now=NOW
        ),
        lambda: vp.issue(attestation, issuer=PKI.document_signer, trust=trust, now=NOW),
    )
    for issue in issuing:
        with pytest.raises(vp.VaxpassError) as info:
            issue()
        assert info.value.code is Code.REVOKED
        assert info.value.message == f"revocation: {expected.check('revocation').detail}"


def test_a_trust_store_without_the_issuer_is_refused_with_key_unknown() -> None:
    trust = vp.TrustStore(facility_roots=PKI.trust.facility_roots, facilities=PKI.trust.facilities)
    with pytest.raises(vp.VaxpassError) as info:
        vp.attest_and_issue(
            sample_record(),
            facility=PKI.facilities[0],
            issuer=PKI.document_signer,
            trust=trust,
            now=NOW,
        )
    assert info.value.code is Code.KEY_UNKNOWN
    assert info.value.message == f"key.known: kid {PKI.document_signer.kid.hex()} is not trusted"


# -- attest_and_issue() refuses as issue(attest()) does. ----------------------------------------

_PAST_SIGNER = PKI.make_document_signer(
    "past",
    not_before=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    not_after=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
)
_EDDSA = PKI.make_document_signer("eddsa", alg="EdDSA")
_REFUSALS: dict[str, tuple[vp.FacilitySigner, vp.DocumentSigner, vp.TrustStore]] = {
    "facility.revoked": (PKI.revoked_facility, PKI.document_signer, PKI.trust),
    "facility.expired": (PKI.expired_facility, PKI.document_signer, PKI.trust),
    "facility.unknown": (PKI.untrusted_facility(), PKI.document_signer, PKI.trust),
    "key.unknown": (PKI.facilities[0], PKI.untrusted_document_signer(), PKI.trust),
    "key.usage": (PKI.facilities[0], PKI.test_only_document_signer, PKI.trust),
    "key.expired": (PKI.facilities[0], _PAST_SIGNER, PKI.trust_with(_PAST_SIGNER)),
}


def _refusal(issue: Callable[[], vp.Passport]) -> tuple[str, str]:
    with pytest.raises(vp.VaxpassError) as info:
        issue()
    return info.value.code, info.value.message


@pytest.mark.parametrize("code", sorted(_REFUSALS))
def test_one_call_refuses_as_the_two_steps_do(code: str) -> None:
    facility, issuer, trust = _REFUSALS[code]

    def two_steps() -> vp.Passport:
        attestation = vp.attest(sample_record(), facility=facility, now=NOW)
        return vp.issue(attestation, issuer=issuer, trust=trust, now=NOW)

    def one_call() -> vp.Passport:
        return vp.attest_and_issue(
            sample_record(), facility=facility, issuer=issuer, trust=trust, now=NOW
        )

    refusal = _refusal(two_steps)
    assert refusal[0] == code
    assert _refusal(one_call) == refusal


def test_one_call_checks_its_arguments_first() -> None:
    with pytest.raises(ValueError, match="validity_months"):
        vp.attest_and_issue(
            sample_record(),
            facility=PKI.facilities[0],
            issuer=PKI.document_signer,
            trust=PKI.trust,
            now=NOW,
            validity_months=0,
        )
    with pytest.raises(TypeError, match="VaccinationRecord"):
        vp.attest_and_issue(
            "a record",  # type: ignore[arg-type]
            facility=PKI.facilities[0],
            issuer=PKI.document_signer,
            trust=PKI.trust,
            now=NOW,
        )


def test_an_eddsa_issuer_passes_the_self_check_and_strict_verify() -> None:
    trust = PKI.trust_with(_EDDSA)
    passport = vp.attest_and_issue(
        sample_record(), facility=PKI.facilities[0], issuer=_EDDSA, trust=trust, now=NOW
    )
    result = vp.verify(passport.qr_text, trust=trust, now=NOW, policy=STRICT)
    assert result.ok
    assert result.warnings == ()
