"""Issue 13, items 1-3, end to end: hostile headers and claims around genuine passports.

Each message here is signed by the test PKI's own Document Signer (or is a genuine passport
with only its unsigned parts changed), so nothing fails for a reason other than the one
under test, and ``verify()`` must still say no with a stable code.
"""

from __future__ import annotations

import itertools
import struct
from typing import Any

import pytest

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed, signed_with_headers
from vaxpass_core.attestation import ATTESTATION_CLAIM
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.result import CHECK_ORDER
from vaxpass_core.testing import pki as make_pki


PKI = make_pki(seed=0)
PASSPORT = sample_passport(keys=PKI)
MESSAGE = cose.decode_sign1(hc1.decode(PASSPORT.qr_text))


def _verify(message: bytes) -> vp.VerificationResult:
    result = vp.verify(hc1.encode(message), trust=PKI.trust, now=NOW)
    assert [check.name for check in result.checks] == list(CHECK_ORDER)
    return result


def with_unprotected(unprotected: bytes) -> bytes:
    """The genuine passport with *unprotected* (CBOR) as its unsigned header."""
    bstr = _cbor.bstr
    return (
        b"\xd2\x84"
        + bstr(MESSAGE.protected)
        + unprotected
        + bstr(MESSAGE.payload)
        + bstr(MESSAGE.signature)
    )


def colliding_keys(count: int) -> bytes:
    """A map of *count* distinct keys, each an array of -1s and -2s: one CPython hash."""
    keys = (
        _cbor.dumps(list(combo))
        for length in itertools.count(1)
        for combo in itertools.product([-1, -2], repeat=length)
    )
    return _cbor.head(5, count) + b"".join(key + b"\x00" for key in itertools.islice(keys, count))


def test_the_genuine_passport_verifies() -> None:
    assert _verify(with_unprotected(b"\xa0")).ok


@pytest.mark.parametrize("count", [1, 40, 200])
def test_array_keys_in_the_unsigned_header_are_refused(count: int) -> None:
    result = _verify(with_unprotected(colliding_keys(count)))
    assert not result.ok
    assert Code.CBOR_MALFORMED in result.codes


@pytest.mark.parametrize("count", [600, 4000])
def test_array_keys_refused_by_decode_sign1(count: int) -> None:
    with pytest.raises(vp.errors.MalformedCBOR):
        cose.decode_sign1(with_unprotected(colliding_keys(count)))


def test_a_large_unsigned_header_is_refused_even_with_integer_keys() -> None:
    header = _cbor.dumps(dict.fromkeys(range(100, 100 + _cbor.MAX_MAP_ENTRIES + 1), 0))
    result = _verify(with_unprotected(header))
    assert Code.CBOR_MALFORMED in result.codes
    # One entry fewer is only an unusual, harmless header: the passport verifies.
    fits = _cbor.dumps(dict.fromkeys(range(100, 100 + _cbor.MAX_MAP_ENTRIES), 0))
    assert _verify(with_unprotected(fits)).ok


# ---- crit ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("protected", "unprotected"),
    [
        ({2: [99], 99: 0}, b"\xa0"),
        ({2: []}, b"\xa0"),
        ({2: 1}, b"\xa0"),
        ({2: [99]}, _cbor.dumps({99: 0})),
        ({}, _cbor.dumps({2: [1]})),
    ],
    ids=["unknown label", "empty", "not an array", "label not protected", "unprotected"],
)
def test_crit_fails_verify_with_cose_crit(protected: dict[Any, Any], unprotected: bytes) -> None:
    signer = PKI.document_signer
    message = signed_with_headers(
        MESSAGE.payload, signer, protected=protected, unprotected=unprotected
    )
    result = _verify(message)
    assert not result.ok
    assert Code.COSE_CRIT in result.codes


def test_crit_naming_alg_and_kid_verifies() -> None:
    message = signed_with_headers(MESSAGE.payload, PKI.document_signer, protected={2: [1, 4]})
    assert _verify(message).ok


# ---- labels by exact type -------------------------------------------------------------
def _header_with_label(label: bytes, value: object) -> bytes:
    """A protected header ``{4: kid, label: value}`` (label given as its CBOR), signed."""
    signer = PKI.document_signer
    header = b"\xa2\x04" + _cbor.bstr(signer.kid) + label + _cbor.dumps(value)
    signature = cose.sign_with_protected(header, MESSAGE.payload, key=signer.key, alg=signer.alg)
    bstr = _cbor.bstr
    return b"\xd2\x84" + bstr(header) + b"\xa0" + bstr(MESSAGE.payload) + bstr(signature)


@pytest.mark.parametrize(
    "label",
    [b"\xf5", b"\xf9\x3c\x00", b"\xfb\x3f\xf0\x00\x00\x00\x00\x00\x00"],
    ids=["true", "1.0 (half)", "1.0 (double)"],
)
def test_true_or_float_alg_is_not_alg(label: bytes) -> None:
    result = _verify(_header_with_label(label, PKI.document_signer.alg))
    assert not result.ok
    assert Code.COSE_MALFORMED in result.codes  # the protected header is refused outright


def _claims() -> dict[Any, Any]:
    return dict(cwt.decode_claims(MESSAGE.payload).claims)


def _claims_with_float_label(label: int) -> bytes:
    """The passport's claims re-signed with *label* written as a float of equal value."""
    claims = _claims()
    value = claims.pop(label)
    body = b"".join(_cbor.dumps(k) + _cbor.dumps(v) for k, v in claims.items())
    float_label = b"\xfb" + struct.pack(">d", float(label))
    return _cbor.head(5, len(claims) + 1) + body + float_label + _cbor.dumps(value)


@pytest.mark.parametrize(
    "label", [cwt.CLAIM_EXP, cwt.CLAIM_HCERT, ATTESTATION_CLAIM], ids=["4.0", "-260.0", "-65537.0"]
)
def test_float_claim_keys_are_refused(label: int) -> None:
    payload = _claims_with_float_label(label)
    result = vp.verify(signed(payload, PKI.document_signer), trust=PKI.trust, now=NOW)
    assert not result.ok
    assert Code.CBOR_MALFORMED in result.codes
    with pytest.raises(vp.errors.MalformedCBOR, match="map key"):
        cwt.decode_claims(payload)
