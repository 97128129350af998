"""CWT claims: encoding, decoding, numeric dates and the hcert claim."""

from __future__ import annotations

import hashlib
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.errors import Code, InvalidCWTClaims, MalformedCBOR
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.testing import sample_record
from vaxpass_core.testing.strategies import vaccination_dccs


DCC: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Bảo Duy", "gnt": "BAO<DUY"},
    "dob": "1983-10-10",
    "v": [{"tg": "840539006", "dn": 2, "sd": 2, "dt": "2021-03-18", "co": "VN"}],
}


# SHA-256 of test_claims_bytes_are_pinned's claims, computed before the encoder was
# written out by hand: the same inputs must keep giving the same bytes.
PINNED_CLAIMS_SHA256 = "66bf07cc55f14f7de695ec2d917ff5da505dd69b399eccdfb5652e8ecd237eba"


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


# -- The hand-written encoding is the general encoder's, byte for byte. ------------------

_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=300)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
# Texts around the head-length boundaries (23/24 bytes, 255/256 bytes of UTF-8).
_TEXT = st.text(max_size=40) | st.sampled_from(["", "Nguyễn", "a" * 23, "a" * 24, "é" * 127])
_LONG = st.sampled_from(["é" * 128, "a" * 256, "\ud800"])


@st.composite
def _near_dccs(draw: st.DrawFn) -> dict[str, Any]:
    """DCCs of to_dcc()'s shape, and near misses: any text, odd counts, keys missing or extra."""
    entry: dict[str, Any] = {key: draw(_TEXT) for key in ("ci", "co", "dt", "is", "ma", "mp")}
    entry |= {"tg": draw(_TEXT), "vp": draw(_TEXT)}
    for key in ("dn", "sd"):  # mostly a dose count, sometimes anything
        entry[key] = draw(st.integers(1, 9) if draw(st.integers(0, 4)) else st.integers() | _JSON)
    nam_keys = draw(st.sets(st.sampled_from(["fn", "gn", "fnt", "gnt"]))) | draw(
        st.sampled_from([set(), set(), set(), {"x"}])
    )
    nam = {key: draw(_TEXT) for key in sorted(nam_keys)}
    dcc: dict[str, Any] = {"ver": draw(_TEXT), "nam": nam, "dob": draw(_TEXT), "v": [entry]}
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        where: dict[str, Any] = draw(st.sampled_from([dcc, nam, entry]))
        key = draw(st.sampled_from([*where, "zz"]))
        if draw(st.booleans()):
            where.pop(key, None)
        else:
            where[key] = draw(_JSON | _LONG)
    return dcc


def _reference(dcc: Any, issuer: str | None, iat: int, exp: int, extra: dict[int, Any]) -> bytes:
    """What encode_claims wrote before it wrote the common case by hand: one cbor2 call."""
    claims: dict[int, Any] = {6: iat, 4: exp, -260: {1: dict(dcc)}, **extra}
    if issuer is not None:
        claims[1] = issuer
    return _cbor.dumps(claims)


@given(
    dcc=_near_dccs() | vaccination_dccs(allow_unknown_codes=True),
    issuer=st.none() | _TEXT,
    iat=st.integers(0, 2**40),
    extra=st.dictionaries(
        st.integers(-(2**40), 2**40).filter(lambda k: k not in {1, 4, 6, -260}),
        st.binary(max_size=300) | _JSON,
        max_size=3,
    ),
)
def test_claims_bytes_are_the_general_encoders(
    dcc: dict[str, Any], issuer: str | None, iat: int, extra: dict[int, Any]
) -> None:
    exp = iat + 31_536_000
    try:
        expected = _reference(dcc, issuer, iat, exp, extra)
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8: refused the same way
        with pytest.raises(UnicodeEncodeError):
            cwt.encode_claims(dcc=dcc, issuer=issuer, issued_at=iat, expires_at=exp, extra=extra)
        return
    encoded = cwt.encode_claims(dcc=dcc, issuer=issuer, issued_at=iat, expires_at=exp, extra=extra)
    assert encoded == expected


def test_the_dcc_encoder_is_cbor2s_canonical_form() -> None:
    dcc = sample_record().to_dcc(issuer="Bộ Y tế")
    assert cwt.dcc_cbor(dcc) == _cbor.dumps(dcc)
    assert cwt.dcc_cbor(MappingProxyType(dcc)) == _cbor.dumps(dcc)  # any mapping, as a dict
    odd = {**dcc, "x": [1.5, -1, 2**70, None, True, {1: "a", "b": 2}], "a" * 300: "é" * 200}
    assert cwt.dcc_cbor(odd) == _cbor.dumps(odd)  # other values: cbor2's, as a whole
    long = {"v": list(range(30)), "m": {str(i): i for i in range(30)}}
    assert cwt.dcc_cbor(long) == _cbor.dumps(long)  # heads past the one-byte ones


def test_the_key_order_cache_is_bounded() -> None:
    for i in range(300):
        assert cwt.dcc_cbor({f"k{i}": i % 24}) == _cbor.dumps({f"k{i}": i % 24})
    assert len(cwt._ORDER) <= cwt._ORDER_CACHE_SIZE


def test_claims_bytes_are_pinned() -> None:
    """The claims of sample_record() as issued since the first release, byte for byte."""
    dcc = sample_record().to_dcc(country="VN", issuer="Ministry of Health of Viet Nam")
    encoded = cwt.encode_claims(
        dcc=dcc, issuer="VN", issued_at=1780315200, expires_at=1811851200, extra={-65537: b"a"}
    )
    assert hashlib.sha256(encoded).hexdigest() == PINNED_CLAIMS_SHA256
    assert encoded == _reference(dcc, "VN", 1780315200, 1811851200, {-65537: b"a"})


def test_the_scalar_cache_is_bounded_and_exact() -> None:
    for i in range(cwt._SCALAR_CACHE_SIZE + 10):
        iat = 1_700_000_000 + i
        encoded = cwt.encode_claims(
            dcc=DCC, issuer=f"V{i}", issued_at=iat, expires_at=iat + 1, extra={-261: b"x"}
        )
        assert encoded == _reference(DCC, f"V{i}", iat, iat + 1, {-261: b"x"})
    assert len(cwt._SCALAR_CACHE) <= cwt._SCALAR_CACHE_SIZE


@pytest.mark.parametrize(
    "extra",
    [
        {-65537: b"att"},  # after hcert: the usual order, no sort
        {0: b"a"},  # before iss
        {5: b"a", -65537: b"b"},  # between exp and iat, then after hcert
        {-65537: b"b", 24: b"a"},  # given out of order: a two-byte label before hcert
        {2**40: b"a", -(2**40): b"b"},  # both after hcert, the second before the first
    ],
)
def test_extra_claims_take_their_canonical_place(extra: dict[int, Any]) -> None:
    for issuer in ("VN", None):
        got = cwt.encode_claims(dcc=DCC, issuer=issuer, issued_at=10, expires_at=20, extra=extra)
        assert got == _reference(DCC, issuer, 10, 20, extra)
