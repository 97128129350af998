"""CWT claims: encoding, decoding, numeric dates and the hcert claim."""

from __future__ import annotations

from typing import Any

import pytest

from vaxpass_core import _cbor, cose, cwt, hc1
from vaxpass_core.errors import Code, InvalidCWTClaims, MalformedCBOR


DCC: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Bảo Duy", "gnt": "BAO<DUY"},
    "dob": "1983-10-10",
    "v": [{"tg": "840539006", "dn": 2, "sd": 2, "dt": "2021-03-18", "co": "VN"}],
}


def test_round_trip() -> None:
    payload = cwt.encode_claims(dcc=DCC, issuer="VN", issued_at=1700000000, expires_at=1731536000)
    claims = cwt.decode_claims(payload)
    assert claims.issuer == "VN"
    assert claims.issued_at == 1700000000
    assert claims.expires_at == 1731536000
    assert claims.hcert == DCC
    assert claims.claims[-260] == {1: DCC}
    assert set(claims.claims) == {1, 4, 6, -260}


def test_encoding_is_deterministic_and_integer_dated() -> None:
    a = cwt.encode_claims(dcc=DCC, issuer="VN", issued_at=1, expires_at=2)
    b = cwt.encode_claims(dcc=dict(reversed(DCC.items())), issuer="VN", issued_at=1, expires_at=2)
    assert a == b
    assert a[:9] == bytes.fromhex("a4 01 62 564e 04 02 06 01".replace(" ", ""))


def test_no_issuer_and_extra_claims() -> None:
    payload = cwt.encode_claims(
        dcc=DCC, issuer=None, issued_at=10, expires_at=20, extra={-70000: {1: b"att"}}
    )
    claims = cwt.decode_claims(payload)
    assert claims.issuer is None
    assert claims.claims[-70000] == {1: b"att"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"issued_at": 1.5}, TypeError),
        ({"expires_at": "2"}, TypeError),
        ({"issued_at": True}, TypeError),
        ({"issuer": b"VN"}, TypeError),
        ({"issued_at": 30, "expires_at": 20}, ValueError),
        ({"extra": {"x": 1}}, TypeError),
        ({"extra": {-260: {}}}, ValueError),
        ({"extra": {4: 1}}, ValueError),
    ],
)
def test_wrong_calls(kwargs: dict[str, Any], error: type[Exception]) -> None:
    args: dict[str, Any] = {"dcc": DCC, "issuer": "VN", "issued_at": 10, "expires_at": 20}
    with pytest.raises(error):
        cwt.encode_claims(**(args | kwargs))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1620064800, 1620064800),
        (1620064800.0, 1620064800),
        (1620064800.75, 1620064800),
        (_cbor.CBORTag(1, 1620064800), 1620064800),
        (_cbor.CBORTag(1, 1620064800.5), 1620064800),
        (0, 0),
    ],
)
def test_numeric_dates_real_issuers_emit(value: Any, expected: int) -> None:
    claims = cwt.decode_claims(_cbor.dumps({6: value, 4: value, -260: {1: DCC}}))
    assert claims.issued_at == expected
    assert claims.expires_at == expected


def test_dates_are_optional_here() -> None:
    # Whether a passport without exp is acceptable is the verifier's policy.
    claims = cwt.decode_claims(_cbor.dumps({-260: {1: DCC}}))
    assert claims.issued_at is None
    assert claims.expires_at is None


BAD_CLAIMS = {
    "not a map": [1, 2],
    "text map": "claims",
    "iss is bytes": {1: b"VN", -260: {1: DCC}},
    "iat is text": {6: "2021-05-03", -260: {1: DCC}},
    "exp is NaN": {4: float("nan"), -260: {1: DCC}},
    "exp is infinite": {4: float("inf"), -260: {1: DCC}},
    "exp is a bool": {4: True, -260: {1: DCC}},
    "exp is a bignum": {4: _cbor.CBORTag(2, b"\x01" * 20), -260: {1: DCC}},
    "no hcert": {1: "VN"},
    "hcert is bytes": {-260: b"\xa0"},
    "hcert without key 1": {-260: {2: DCC}},
    "DCC is bytes": {-260: {1: b"\xa0"}},
    "DCC is an array": {-260: {1: [DCC]}},
}


@pytest.mark.parametrize("claims", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_invalid_claims(claims: Any) -> None:
    with pytest.raises(InvalidCWTClaims) as info:
        cwt.decode_claims(_cbor.dumps(claims))
    assert info.value.code is Code.CWT_CLAIMS


def test_malformed_payload_is_cbor_malformed() -> None:
    for payload in (b"", b"\xa1", b"\xa0\x00", b"\xbf\xff"):
        with pytest.raises(MalformedCBOR):
            cwt.decode_claims(payload)


def test_viet_nam_test_passport(vn_passport: str) -> None:
    claims = cwt.decode_claims(cose.decode_sign1(hc1.decode(vn_passport)).payload)
    assert claims.issuer == "VN"
    assert isinstance(claims.issued_at, int)
    assert isinstance(claims.expires_at, int)
    assert claims.issued_at < claims.expires_at
    assert claims.hcert["nam"]["fn"] == "Nguyễn"
    assert claims.hcert["nam"]["fnt"] == "NGUYEN"
    assert claims.hcert["v"][0]["co"] == "VN"
