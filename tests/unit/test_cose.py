"""COSE_Sign1: signing, parsing, verification, algorithms and header policy."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.errors import (
    AlgorithmError,
    Code,
    CriticalHeader,
    InvalidSignature,
    MalformedCBOR,
    MalformedCOSE,
)
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose, hc1


KID = bytes.fromhex("0102030405060708")
PAYLOAD = _cbor.dumps({1: "VN", 4: 1800000000, 6: 1700000000})


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys(rsa_key: rsa.RSAPrivateKey) -> dict[int, Any]:
    return {
        cose.ES256: ec.derive_private_key(1234567, ec.SECP256R1()),
        cose.ES384: ec.derive_private_key(1234567, ec.SECP384R1()),
        cose.ES512: ec.derive_private_key(1234567, ec.SECP521R1()),
        cose.PS256: rsa_key,
        cose.EDDSA: ed25519.Ed25519PrivateKey.from_private_bytes(b"\x07" * 32),
    }


ALGS = [cose.ES256, cose.ES384, cose.ES512, cose.PS256, cose.EDDSA]


@pytest.mark.parametrize("alg", ALGS)
def test_sign_and_verify(keys: dict[int, Any], alg: int) -> None:
    key = keys[alg]
    data = cose.sign1(PAYLOAD, key=key, kid=KID)
    assert data[:2] == b"\xd2\x84"  # tag 18, array of 4
    msg = cose.decode_sign1(data)
    assert msg.tagged
    assert msg.alg == alg == cose.algorithm_for_key(key)
    assert msg.kid == KID
    assert msg.payload == PAYLOAD
    assert msg.protected_header == {1: alg, 4: KID}
    assert msg.unprotected_header == {}
    assert msg.protected == _cbor.dumps({1: alg, 4: KID})  # deterministic header
    cose.verify_sign1(msg, key.public_key())


@pytest.mark.parametrize("alg", ALGS)
def test_sign1_with_signature_hands_back_the_signature_it_holds(
    keys: dict[int, Any], alg: int
) -> None:
    message, signature = cose.sign1_with_signature(PAYLOAD, key=keys[alg], kid=KID)
    assert cose.decode_sign1(message).signature == signature
    if alg != cose.PS256:  # PSS is randomised; the others are deterministic here
        assert message == cose.sign1(PAYLOAD, key=keys[alg], kid=KID)


def test_ed448(keys: dict[int, Any]) -> None:
    key = ed448.Ed448PrivateKey.generate()
    msg = cose.decode_sign1(cose.sign1(PAYLOAD, key=key, kid=None))
    assert msg.alg == cose.EDDSA
    assert msg.kid is None
    cose.verify_sign1(msg, key.public_key())


@pytest.mark.parametrize("alg", [cose.ES256, cose.ES384, cose.ES512, cose.EDDSA])
def test_deterministic_signatures_are_byte_exact(keys: dict[int, Any], alg: int) -> None:
    first = cose.sign1(PAYLOAD, key=keys[alg], kid=KID)
    assert cose.sign1(PAYLOAD, key=keys[alg], kid=KID) == first


def test_rfc_6979_vector() -> None:
    # RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample".
    key = ec.derive_private_key(
        0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721, ec.SECP256R1()
    )
    r = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
    s = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
    assert cose._sign(cose.ES256, key, b"sample", True) == bytes.fromhex(r + s)


def test_es256_vector_is_stable(keys: dict[int, Any]) -> None:
    # Deterministic ECDSA makes this a fixed vector: any encoding change shows here.
    data = cose.sign1(b"vaxpass", key=keys[cose.ES256], kid=KID)
    assert data.hex() == (
        "d2844da2012604480102030405060708a047766178706173735840"
        "b74ebb9da328a6a61f744e505c8b637af9bf3ad7922aa86f95dacfdaf7a314bf"
        "b413bd3d577d676a6a2c5ef7546b1094d4e5e0288e796e58dd7477f1b76a005d"
    )


def test_randomised_ecdsa_still_verifies(keys: dict[int, Any]) -> None:
    key = keys[cose.ES256]
    a = cose.sign1(PAYLOAD, key=key, kid=KID, deterministic=False)
    b = cose.sign1(PAYLOAD, key=key, kid=KID, deterministic=False)
    assert a != b
    for data in (a, b):
        cose.verify_sign1(cose.decode_sign1(data), key.public_key())


def test_sig_structure_is_canonical_cbor() -> None:
    msg = cose.Sign1Message(b"\xa1\x01\x26", {1: -7}, {}, b"x" * 300, b"s", tagged=True)
    assert msg.sig_structure() == _cbor.dumps(["Signature1", b"\xa1\x01\x26", b"", b"x" * 300])
    for size in (0, 23, 24, 255, 256, 65535, 65536):
        msg = cose.Sign1Message(b"", {}, {}, b"p" * size, b"", tagged=False)
        assert msg.sig_structure() == _cbor.dumps(["Signature1", b"", b"", b"p" * size])


def test_verify_uses_the_protected_bytes_as_received(keys: dict[int, Any]) -> None:
    # A non-canonical protected header (kid before alg): re-encoding would break it.
    key = keys[cose.ES256]
    protected = b"\xa2\x04\x48" + KID + b"\x01\x26"
    tbs = _cbor.dumps(["Signature1", protected, b"", PAYLOAD])
    der = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    data = _cbor.dumps(_cbor.CBORTag(18, [protected, {}, PAYLOAD, sig]))
    msg = cose.decode_sign1(data)
    assert msg.protected == protected
    cose.verify_sign1(msg, key.public_key())


def test_tampering_is_invalid_signature(keys: dict[int, Any]) -> None:
    key = keys[cose.ES256]
    msg = cose.decode_sign1(cose.sign1(PAYLOAD, key=key, kid=KID))
    bad_payload = cose.Sign1Message(
        msg.protected, msg.protected_header, {}, PAYLOAD + b"\x00", msg.signature, tagged=True
    )
    bad_sig = cose.Sign1Message(
        msg.protected, msg.protected_header, {}, PAYLOAD, bytes(64), tagged=True
    )
    short_sig = cose.Sign1Message(
        msg.protected, msg.protected_header, {}, PAYLOAD, msg.signature[:-1], tagged=True
    )
    der_sig = cose.Sign1Message(
        msg.protected,
        msg.protected_header,
        {},
        PAYLOAD,
        encode_dss_signature(
            int.from_bytes(msg.signature[:32], "big"), int.from_bytes(msg.signature[32:], "big")
        ),
        tagged=True,
    )
    for bad in (bad_payload, bad_sig, short_sig, der_sig):
        with pytest.raises(InvalidSignature) as info:
            cose.verify_sign1(bad, key.public_key())
        assert info.value.code is Code.SIGNATURE_INVALID


@pytest.mark.parametrize("alg", ALGS)
def test_wrong_key_is_invalid_signature(keys: dict[int, Any], alg: int) -> None:
    other: Any = {
        cose.ES256: lambda: ec.generate_private_key(ec.SECP256R1()),
        cose.ES384: lambda: ec.generate_private_key(ec.SECP384R1()),
        cose.ES512: lambda: ec.generate_private_key(ec.SECP521R1()),
        cose.PS256: lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        cose.EDDSA: ed25519.Ed25519PrivateKey.generate,
    }[alg]()
    msg = cose.decode_sign1(cose.sign1(PAYLOAD, key=keys[alg], kid=KID))
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(msg, other.public_key())


def test_pss_uses_the_rfc_8230_salt_and_accepts_others(rsa_key: rsa.RSAPrivateKey) -> None:
    msg = cose.decode_sign1(cose.sign1(PAYLOAD, key=rsa_key, kid=KID))
    rsa_key.public_key().verify(
        msg.signature,
        msg.sig_structure(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    odd = rsa_key.sign(
        msg.sig_structure(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )
    cose.verify_sign1(
        cose.Sign1Message(msg.protected, msg.protected_header, {}, PAYLOAD, odd, tagged=True),
        rsa_key.public_key(),
    )


@pytest.mark.parametrize(("alg", "key_alg"), [(a, b) for a in ALGS for b in ALGS if a != b])
def test_algorithm_must_fit_the_key(keys: dict[int, Any], alg: int, key_alg: int) -> None:
    key = keys[key_alg]
    with pytest.raises(AlgorithmError) as info:
        cose.sign1(PAYLOAD, key=key, kid=KID, alg=alg)
    assert info.value.code is Code.COSE_ALGORITHM
    msg = cose.decode_sign1(cose.sign1(PAYLOAD, key=keys[alg], kid=KID))
    with pytest.raises(AlgorithmError):
        cose.verify_sign1(msg, key.public_key())


def test_unknown_or_missing_algorithm(keys: dict[int, Any]) -> None:
    pub = keys[cose.ES256].public_key()
    for header in ({1: -999}, {1: -257}, {}):
        msg = cose.Sign1Message(_cbor.dumps(header), header, {}, PAYLOAD, bytes(64), tagged=True)
        with pytest.raises(AlgorithmError):
            cose.verify_sign1(msg, pub)
    with pytest.raises(AlgorithmError):
        cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=KID, alg=-999)


def test_small_rsa_and_unsupported_keys_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(AlgorithmError):
        cose.sign1(PAYLOAD, key=small, kid=KID)
    with pytest.raises(AlgorithmError, match="1024 bits is too small for PS256 \\(at least 2048"):
        cose.sign1(PAYLOAD, key=small, kid=KID, alg=cose.PS256)
    with pytest.raises(AlgorithmError):
        cose.algorithm_for_key(ec.generate_private_key(ec.SECP224R1()))
    with pytest.raises(AlgorithmError):
        cose.algorithm_for_key(dsa.generate_private_key(2048))  # type: ignore[arg-type]


def test_algorithm_for_public_keys(keys: dict[int, Any]) -> None:
    for alg, key in keys.items():
        assert cose.algorithm_for_key(key.public_key()) == alg
    # the curve decides, by its exact type: one look-up
    assert cose._curve_alg(ec.SECP384R1()) == cose.ES384
    with pytest.raises(AlgorithmError, match="secp256k1"):
        cose._curve_alg(ec.SECP256K1())


def test_kid_for_certificate(keys: dict[int, Any]) -> None:
    key = keys[cose.ES256]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DSC test")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    assert cose.kid_for_certificate(cert) == hashlib.sha256(der).digest()[:8]
    assert len(cose.kid_for_certificate(cert)) == 8
    assert cose.kid_for_certificate(der) == cose.kid_for_certificate(cert)
    with pytest.raises(TypeError):
        cose.kid_for_certificate(der.hex())  # type: ignore[arg-type]


# ---- input policy -------------------------------------------------------------------
def _parts(keys: dict[int, Any]) -> list[Any]:
    item = _cbor.loads(cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=KID))
    return list(item.value)


def test_untagged_is_accepted(keys: dict[int, Any]) -> None:
    msg = cose.decode_sign1(_cbor.dumps(_parts(keys)))
    assert not msg.tagged
    cose.verify_sign1(msg, keys[cose.ES256].public_key())


def test_cwt_tag_around_sign1_is_accepted(keys: dict[int, Any]) -> None:
    data = _cbor.dumps(_cbor.CBORTag(61, _cbor.CBORTag(18, _parts(keys))))
    msg = cose.decode_sign1(data)
    assert msg.tagged
    cose.verify_sign1(msg, keys[cose.ES256].public_key())


def test_kid_and_alg_precedence(keys: dict[int, Any]) -> None:
    parts = _parts(keys)
    parts[1] = {4: b"unprotected", 1: -35}
    msg = cose.decode_sign1(_cbor.dumps(parts))
    assert msg.kid == KID  # protected wins
    assert msg.alg == cose.ES256
    bare = cose.Sign1Message(b"", {}, {4: b"u", 1: -7}, b"", b"", tagged=False)
    assert bare.kid == b"u"
    assert bare.alg == cose.ES256


def test_unprotected_headers_on_output(keys: dict[int, Any]) -> None:
    data = cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=None, unprotected={4: KID, 33: b"x"})
    msg = cose.decode_sign1(data)
    assert msg.kid == KID
    assert msg.unprotected_header == {4: KID, 33: b"x"}
    cose.verify_sign1(msg, keys[cose.ES256].public_key())
    with pytest.raises(ValueError):
        cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=KID, unprotected={4: KID})
    with pytest.raises(ValueError):
        cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=None, unprotected={1: -7})


def _bad(keys: dict[int, Any]) -> dict[str, Any]:
    p = _parts(keys)
    return {
        "tag 17": _cbor.CBORTag(17, p),
        "tag 61 around an array": _cbor.CBORTag(61, p),
        "three items": p[:3],
        "five items": [*p, b""],
        "map": {1: 2},
        "integer": 5,
        "protected is text": ["x", p[1], p[2], p[3]],
        "protected is not a map": [_cbor.dumps([1]), p[1], p[2], p[3]],
        "protected is not CBOR": [b"\xa1", p[1], p[2], p[3]],
        "protected has trailing bytes": [p[0] + b"\x00", p[1], p[2], p[3]],
        "unprotected is an array": [p[0], [], p[2], p[3]],
        "unprotected is null": [p[0], None, p[2], p[3]],
        "unprotected is a number": [p[0], 0, p[2], p[3]],
        "detached payload": [p[0], p[1], None, p[3]],
        "payload is text": [p[0], p[1], "x", p[3]],
        "signature is text": [p[0], p[1], p[2], "x"],
        "alg is text": [_cbor.dumps({1: "ES256"}), {}, p[2], p[3]],
        "alg is a bool": [_cbor.dumps({1: True}), {}, p[2], p[3]],
        "kid is text": [p[0], {4: "kid"}, p[2], p[3]],
        "kid is an int": [_cbor.dumps({4: 7}), {}, p[2], p[3]],
    }


def test_malformed_structures(keys: dict[int, Any]) -> None:
    for why, item in _bad(keys).items():
        with pytest.raises(MalformedCOSE) as info:
            cose.decode_sign1(_cbor.dumps(item))
        assert info.value.code is Code.COSE_MALFORMED, why


def test_decode_reads_bytes_like_input_only() -> None:
    with pytest.raises(TypeError, match="must be bytes"):
        cose.decode_sign1("d284")  # type: ignore[arg-type]


def test_malformed_cbor_is_cbor_malformed() -> None:
    for data in (b"", b"\xd2", b"\xd2\x84\x43", bytes.fromhex("d28440a040400000")):
        with pytest.raises(MalformedCBOR):
            cose.decode_sign1(data)


def test_empty_protected_header_means_empty_map() -> None:
    msg = cose.decode_sign1(_cbor.dumps([b"", {1: -7, 4: KID}, b"p", b"s"]))
    assert msg.protected_header == {}
    assert msg.alg == cose.ES256
    assert msg.kid == KID


def test_wrong_calls(keys: dict[int, Any]) -> None:
    with pytest.raises(TypeError):
        cose.sign1("text", key=keys[cose.ES256], kid=KID)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cose.sign1(PAYLOAD, key=keys[cose.ES256], kid="kid")  # type: ignore[arg-type]


def test_messages_are_frozen() -> None:
    import attrs

    msg = cose.Sign1Message(b"", {}, {}, b"", b"", tagged=False)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        msg.payload = b"x"  # type: ignore[misc]


def test_viet_nam_test_passport(vn_passport: str) -> None:
    msg = cose.decode_sign1(hc1.decode(vn_passport))
    assert msg.alg == cose.PS256
    assert msg.protected_header[cose.HEADER_KID] == bytes.fromhex("f30da46716f7882d")
    assert msg.kid == bytes.fromhex("f30da46716f7882d")
    assert msg.tagged
    assert len(msg.signature) == 256  # RSA-2048


@pytest.mark.parametrize(
    ("r", "s", "size"),
    [
        (1, 1, 32),
        (0, 5, 32),
        (2**255, 2**255 - 1, 32),
        (0x7F << 240, 0x80 << 240, 32),
        (2**521 - 1, 1 << 400, 66),
        (2**383 + 7, 255, 48),
    ],
)
def test_der_conversion_matches_cryptography(r: int, s: int, size: int) -> None:
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    assert cose._der_signature(raw, size) == encode_dss_signature(r, s)
    assert cose._raw_ecdsa(encode_dss_signature(r, s), size) == raw


@given(data=st.data(), size=st.sampled_from([32, 48, 66]))
def test_der_conversion_matches_cryptography_for_any_halves(data: st.DataObject, size: int) -> None:
    # Halves with and without a top bit set or a leading zero byte: every path of the table.
    half = st.one_of(
        st.integers(1, 2 ** (8 * size) - 1),
        st.integers(1, 2 ** (8 * size - 8) - 1),
        st.integers(2 ** (8 * size - 1), 2 ** (8 * size) - 1),
    )
    r, s = data.draw(half), data.draw(half)
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    assert cose._der_signature(raw, size) == encode_dss_signature(r, s)
    assert cose._raw_ecdsa(encode_dss_signature(r, s), size) == raw


def test_raw_ecdsa_refuses_what_is_not_a_signature_of_its_size() -> None:
    with pytest.raises(ValueError, match="not an ECDSA signature"):
        cose._raw_ecdsa(encode_dss_signature(2**300, 1), 32)
    with pytest.raises(ValueError, match="not an ECDSA signature"):
        cose._raw_ecdsa(b"\x31" + encode_dss_signature(1, 1)[1:], 32)


def test_sign_with_protected_extra_labels(keys: dict[int, Any]) -> None:
    key = keys[cose.ES256]
    protected = _cbor.dumps({1: cose.ES256, 4: KID, -70001: {6: 1700000000}})
    signature = cose.sign_with_protected(protected, PAYLOAD, key=key, alg=cose.ES256)
    data = _cbor.dumps(_cbor.CBORTag(18, [protected, {}, PAYLOAD, signature]))
    msg = cose.decode_sign1(data)
    assert msg.protected_header[-70001] == {6: 1700000000}
    cose.verify_sign1(msg, key.public_key())
    with pytest.raises(AlgorithmError):
        cose.sign_with_protected(protected, PAYLOAD, key=key, alg=cose.PS256)
    with pytest.raises(TypeError):
        cose.sign_with_protected("x", PAYLOAD, key=key, alg=cose.ES256)  # type: ignore[arg-type]


# ---- crit (RFC 9052 section 3.1) -------------------------------------------------------
def _with_protected(keys: dict[int, Any], protected: dict[Any, Any], unprotected: Any) -> bytes:
    """A COSE_Sign1 signed over *protected* (canonical CBOR), with *unprotected* as given."""
    header = _cbor.dumps(protected)
    signature = cose.sign_with_protected(header, PAYLOAD, key=keys[cose.ES256], alg=cose.ES256)
    return _cbor.dumps(_cbor.CBORTag(18, [header, unprotected, PAYLOAD, signature]))


BASE: dict[Any, Any] = {1: cose.ES256, 4: KID}
CRIT_REFUSED: dict[str, tuple[dict[Any, Any], dict[Any, Any]]] = {
    "an unknown label": ({**BASE, 2: [99], 99: 0}, {}),
    "an unknown text label": ({**BASE, 2: ["x-ext"], "x-ext": 0}, {}),
    "crit names itself": ({**BASE, 2: [2]}, {}),
    "a label absent from the protected header": ({**BASE, 2: [99]}, {99: 0}),
    "a known label absent from the protected header": ({1: cose.ES256, 2: [4]}, {4: KID}),
    "empty": ({**BASE, 2: []}, {}),
    "not an array: an int": ({**BASE, 2: 1}, {}),
    "not an array: a map": ({**BASE, 2: {1: 1}}, {}),
    "a bool label": ({**BASE, 2: [True]}, {}),
    "a float label": ({**BASE, 2: [1.0]}, {}),
    "a byte-string label": ({**BASE, 2: [b"\x01"]}, {}),
    "in the unprotected header": (BASE, {2: [1]}),
    "in both headers": ({**BASE, 2: [1]}, {2: [1]}),
}


@pytest.mark.parametrize("case", CRIT_REFUSED.values(), ids=CRIT_REFUSED.keys())
def test_crit_that_cannot_be_honoured_is_cose_crit(
    keys: dict[int, Any], case: tuple[dict[Any, Any], dict[Any, Any]]
) -> None:
    with pytest.raises(MalformedCOSE) as info:  # a kind of cose.malformed ...
        cose.decode_sign1(_with_protected(keys, *case))
    assert info.value.code is Code.COSE_CRIT  # ... with its own code
    assert isinstance(info.value, CriticalHeader)


@pytest.mark.parametrize("crit", [[1], [4], [1, 4], [4, 1]])
def test_crit_naming_understood_labels_is_accepted(keys: dict[int, Any], crit: list[int]) -> None:
    message = cose.decode_sign1(_with_protected(keys, {**BASE, 2: crit}, {}))
    assert message.protected_header[2] == crit
    cose.verify_sign1(message, keys[cose.ES256].public_key())


def test_crit_is_checked_on_the_fast_path_too(keys: dict[int, Any]) -> None:
    # Tagged, empty unprotected map: the shape the hand parser takes.
    data = _with_protected(keys, {**BASE, 2: [99], 99: 0}, {})
    assert data[:2] == b"\xd2\x84"
    for _ in range(2):  # and a refused header is never cached as a good one
        with pytest.raises(CriticalHeader):
            cose.decode_sign1(data)


# ---- labels match by exact type --------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "value"),
    [(True, cose.ES256), (1.0, cose.ES256), (4.0, KID), (False, 0), (-1.0, 0)],
    ids=["true as alg", "1.0 as alg", "4.0 as kid", "false", "-1.0"],
)
@pytest.mark.parametrize("where", ["protected", "unprotected"])
def test_float_and_bool_labels_are_refused(
    keys: dict[int, Any], label: object, value: object, where: str
) -> None:
    # A float or bool label is no COSE label (RFC 9052: int / tstr). Read by equality it
    # would pass for the integer it equals, so it is refused outright, never ignored.
    if where == "protected":
        header = b"\xa1" + _cbor.dumps(label) + _cbor.dumps(value)
        data = _cbor.dumps([header, {}, PAYLOAD, b"sig"])
        with pytest.raises(MalformedCOSE) as info:
            cose.decode_sign1(data)
        assert "protected header is not CBOR" in info.value.message
    else:
        data = (
            b"\x84"
            + _cbor.dumps(_cbor.dumps(BASE))
            + b"\xa1"
            + _cbor.dumps(label)
            + _cbor.dumps(value)
            + _cbor.dumps(PAYLOAD)
            + _cbor.dumps(b"sig")
        )
        with pytest.raises(MalformedCBOR, match="map key"):
            cose.decode_sign1(data)


def test_byte_string_heads_are_remembered_within_a_bound() -> None:
    for length in range(cose._BSTR_HEADS_SIZE + 100):
        assert cose._bstr_head(length) == _cbor.head(2, length)
    assert len(cose._BSTR_HEADS) <= cose._BSTR_HEADS_SIZE
