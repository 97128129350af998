"""COSE_Sign1 (RFC 9052) over ``cryptography``: the hazmat layer.

Parsing is separate from trust: :func:`decode_sign1` turns bytes into an untrusted
:class:`Sign1Message`; :func:`verify_sign1` checks it against a public key the
caller chose (by ``kid``). The signature is always checked over the protected
header bytes *as received*; nothing is re-encoded.

Input policy (hcert spec 1.0.x section 3.3, dgc-testdata CO18 to CO23 and CO28):

* Tagged (18), untagged, and tagged 18 inside the CWT tag 61 are all accepted;
  real issuers emit each of them. Any other tag is ``cose.malformed``.
* ``kid`` and ``alg`` are read from the protected header, else the unprotected
  one; the protected value wins even when the unprotected one differs.
* The payload must be present (no detached payloads) and be a byte string.
* Header labels are integers or text, matched by exact type: the CBOR decoder refuses any
  other map key (a float ``1.0`` or a ``true`` would otherwise be read as ``alg``), so such
  a message is ``cbor.malformed``.
* ``crit`` (label 2, RFC 9052 section 3.1) is honoured: it must sit in the protected header,
  be a non-empty array of integer or text labels, each present in the protected header and
  one this module acts on (``alg``, ``kid``); anything else is ``cose.crit``.

Output: always tagged 18, ``alg`` and ``kid`` in the protected header, encoded
deterministically (RFC 8949 section 4.2), so equal inputs give equal bytes.
ECDSA signs deterministically (RFC 6979) unless told otherwise; RSASSA-PSS and
EdDSA need no such option (PSS is randomised by design, EdDSA is deterministic).
"""

from __future__ import annotations

import functools
import hashlib
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

from vaxpass_core.errors import (
    AlgorithmError,
    CriticalHeader,
    InvalidSignature,
    MalformedCBOR,
    MalformedCOSE,
)

from . import cbor as _cbor


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


__all__ = [
    "EDDSA",
    "ES256",
    "ES384",
    "ES512",
    "HEADER_ALG",
    "HEADER_CRIT",
    "HEADER_KID",
    "KID_LENGTH",
    "PS256",
    "TAG_CWT",
    "TAG_SIGN1",
    "UNDERSTOOD_LABELS",
    "PrivateKey",
    "PublicKey",
    "Sign1Message",
    "algorithm_for_key",
    "decode_sign1",
    "kid_for_certificate",
    "sign1",
    "sign1_with_signature",
    "sign_with_protected",
    "verify_sign1",
    "verify_signature",
]

# COSE algorithm identifiers (IANA "COSE Algorithms").
ES256, ES384, ES512, PS256, EDDSA = -7, -35, -36, -37, -8
HEADER_ALG, HEADER_CRIT, HEADER_KID = 1, 2, 4
#: The header labels this module acts on: the only ones a ``crit`` may name.
UNDERSTOOD_LABELS: Final = frozenset({HEADER_ALG, HEADER_KID})
TAG_SIGN1, TAG_CWT = 18, 61
#: RSA keys below this size are refused for PS256 (hcert spec: at least 2048).
MIN_RSA_BITS = 2048
#: A DCC kid is the first 8 bytes of SHA-256 over the certificate DER (hcert spec 3.3.1).
KID_LENGTH: Final = 8

PrivateKey: TypeAlias = (
    ec.EllipticCurvePrivateKey
    | rsa.RSAPrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
PublicKey: TypeAlias = (
    ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)

_EDDSA_KEYS: Final = (
    ed25519.Ed25519PrivateKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PrivateKey,
    ed448.Ed448PublicKey,
)
_EC_ALGS: dict[int, tuple[type[ec.EllipticCurve], hashes.HashAlgorithm, int]] = {
    # alg: (curve, hash, bytes per coordinate)
    ES256: (ec.SECP256R1, hashes.SHA256(), 32),
    ES384: (ec.SECP384R1, hashes.SHA384(), 48),
    ES512: (ec.SECP521R1, hashes.SHA512(), 66),
}
_EC_VERIFY = {alg: ec.ECDSA(h) for alg, (_, h, _) in _EC_ALGS.items()}
# Signing algorithm objects per (alg, deterministic), built once: immutable, and building
# one costs as much as a tenth of the signature's own Python overhead.
_EC_SIGN = {
    (alg, det): ec.ECDSA(h, deterministic_signing=det)
    for alg, (_, h, _) in _EC_ALGS.items()
    for det in (False, True)
}
_PSS_SIGN = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
# RFC 8230 fixes the salt at the hash length; verification recovers it, so a
# signer that got it wrong still verifies (cryptography allows AUTO only here).
_PSS_VERIFY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
_SHA256 = hashes.SHA256()


# Minimal CBOR heads, for byte concatenation on the hot paths.
_head = _cbor.head
_bstr = _cbor.bstr
# A byte string's head by length: a payload's is computed once per length, not per message
# (a plain dict: a look-up in it costs a fraction of a functools.lru_cache call).
_BSTR_HEADS: dict[int, bytes] = {}
_BSTR_HEADS_SIZE: Final = 1024


def _bstr_head(length: int) -> bytes:
    head = _BSTR_HEADS.get(length)
    if head is None:
        if len(_BSTR_HEADS) >= _BSTR_HEADS_SIZE:
            _BSTR_HEADS.clear()
        head = _BSTR_HEADS[length] = _head(2, length)
    return head


_ARRAY_TYPES = (list, tuple)
_MAP_TYPES = (dict, _cbor.frozendict)

# array(4), text "Signature1": the fixed start of every Sig_structure.
_SIG1_PREFIX = b"\x84\x6aSignature1"


@attrs.frozen
class Sign1Message:
    """A parsed COSE_Sign1. Untrusted until :func:`verify_sign1` passes."""

    protected: bytes  # the protected header bytes as received: verify over these
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes
    tagged: bool

    @property
    def alg(self) -> int | None:
        """The algorithm: protected header first, else unprotected."""
        alg = self.protected_header.get(HEADER_ALG)
        if alg is None:
            alg = self.unprotected_header.get(HEADER_ALG)
        return alg

    @property
    def kid(self) -> bytes | None:
        """The key identifier: protected header first, else unprotected."""
        kid = self.protected_header.get(HEADER_KID)
        if kid is None:
            kid = self.unprotected_header.get(HEADER_KID)
        return kid

    def sig_structure(self) -> bytes:
        """``["Signature1", protected, b"", payload]``, canonical CBOR (RFC 9052 4.4)."""
        return _sig_structure(self.protected, self.payload)


# Sig_structure start per protected header: the same few for every signer.
_SIG_PREFIX_CACHE: dict[bytes, bytes] = {}


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    head = _BSTR_HEADS.get(len(payload)) or _bstr_head(len(payload))
    return (_SIG_PREFIX_CACHE.get(protected) or _sig_prefix(protected)) + head + payload


def _sig_prefix(protected: bytes) -> bytes:
    """The Sig_structure up to its payload: array(4), "Signature1", protected, external_aad
    (an empty byte string)."""
    prefix = _SIG_PREFIX_CACHE.get(protected)
    if prefix is None:
        prefix = _SIG1_PREFIX + _bstr(protected) + b"\x40"
        if len(_SIG_PREFIX_CACHE) >= _HEADER_CACHE_SIZE:
            _SIG_PREFIX_CACHE.clear()
        _SIG_PREFIX_CACHE[protected] = prefix
    return prefix


def _check_crit(header: Mapping[Any, Any], where: str) -> None:
    """RFC 9052 section 3.1: a recipient must understand every label ``crit`` names."""
    if where != "protected":
        raise CriticalHeader("crit must be in the protected header, not the unprotected one")
    crit = header[HEADER_CRIT]
    if type(crit) not in _ARRAY_TYPES or not crit:
        raise CriticalHeader("crit must be a non-empty array of header labels")
    for label in crit:
        if type(label) is not int and type(label) is not str:  # bool is not int here
            raise CriticalHeader(f"crit lists {label!r}, which is not a header label")
        if label not in header:
            raise CriticalHeader(f"crit lists label {label!r}, absent from the protected header")
        if label not in UNDERSTOOD_LABELS:
            raise CriticalHeader(f"crit lists label {label!r}, which this verifier does not act on")


def _check_header(header: Any, where: str) -> Mapping[Any, Any]:
    if type(header) not in _MAP_TYPES:
        raise MalformedCOSE(f"the {where} header is not a map")
    if HEADER_CRIT in header:  # labels are exact ints or text (the decoder saw to it)
        _check_crit(header, where)
    alg = header.get(HEADER_ALG)
    if alg is not None and type(alg) is not int:
        raise MalformedCOSE(f"the {where} alg is not an integer")
    kid = header.get(HEADER_KID)
    if kid is not None and type(kid) is not bytes:
        raise MalformedCOSE(f"the {where} kid is not a byte string")
    mapping: Mapping[Any, Any] = header
    return mapping


# Every passport from one signer carries the same protected header bytes, so their
# decoding is cached (bounded; only headers made of immutable scalars, served as
# read-only mappings, so no caller can alter what another one sees).
_HEADER_CACHE: dict[bytes, Mapping[Any, Any]] = {}
_HEADER_CACHE_SIZE = 256
_SCALARS = (int, bytes, str, bool, type(None))
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


def _protected_header(protected: bytes) -> Mapping[Any, Any]:
    cached = _HEADER_CACHE.get(protected)
    if cached is not None:
        return cached
    if not protected:
        return _EMPTY  # RFC 9052 section 3: an empty byte string stands for an empty map
    try:
        header = _check_header(_cbor.loads(protected), "protected")
    except MalformedCBOR as exc:
        raise MalformedCOSE(f"the protected header is not CBOR: {exc.message}") from None
    if all(type(k) in _SCALARS and type(v) in _SCALARS for k, v in header.items()):
        if len(_HEADER_CACHE) >= _HEADER_CACHE_SIZE:
            _HEADER_CACHE.clear()
        header = _HEADER_CACHE[protected] = MappingProxyType(dict(header))
    return header


def _read_head(data: bytes, pos: int) -> tuple[int, int, int]:
    """The major type and argument of the CBOR head at *pos*, and where the head ends.

    ``IndexError`` past the end of *data*; ``ValueError`` for an indefinite or reserved one.
    """
    initial = data[pos]
    info = initial & 0x1F
    if info < 24:
        return initial >> 5, info, pos + 1
    if info > 27:
        raise ValueError("an indefinite length or a reserved head")
    end = pos + 1 + (1 << (info - 24))
    if end > len(data):
        raise IndexError(end)
    return initial >> 5, int.from_bytes(data[pos + 1 : end], "big"), end


def _bstr_at(data: bytes, pos: int) -> tuple[bytes | None, int]:
    """The byte string at *pos* (None if the item there is not one), and where it ends."""
    initial = data[pos]
    if initial >> 5 != 2:
        return None, pos
    # The heads of a COSE_Sign1's byte strings (up to 64 KiB) read here; others in _read_head.
    info = initial & 0x1F
    if info < 24:
        start, length = pos + 1, info
    elif info == 24:
        start, length = pos + 2, data[pos + 1]
    elif info == 25:
        start, length = pos + 3, data[pos + 1] << 8 | data[pos + 2]
    else:
        _, length, start = _read_head(data, pos)
    end = start + length
    if end > len(data):
        raise IndexError(end)
    return data[start:end], end


_Envelope: TypeAlias = tuple[bytes, int, bytes, bytes, bool]
# Tag 18, then an array of four items: the start of every tagged COSE_Sign1.
_TAGGED_ARRAY4: Final = b"\xd2\x84"


def _envelope(data: bytes) -> _Envelope | str:
    """A COSE_Sign1 read from its heads: protected, where the unprotected header starts,
    payload, signature and whether it was tagged; or, as a str, why it is not one.

    The shape: [tag 61] [tag 18] [bstr, header, bstr, bstr]. Byte strings are taken as they
    are; nothing else is decoded here.
    """
    if not 0 < len(data) <= _cbor.MAX_CBOR_BYTES:
        return "not a COSE_Sign1 of an accepted size"
    try:
        if data.startswith(_TAGGED_ARRAY4):  # what sign1() writes: no heads to read
            tagged, pos = True, 2
        else:
            major, arg, pos = _read_head(data, 0)
            tagged = major == 6
            if tagged:
                if arg == TAG_CWT and data[pos] >> 5 == 6:
                    major, arg, pos = _read_head(data, pos)
                if arg != TAG_SIGN1:
                    return f"CBOR tag {arg} is not COSE_Sign1 (18)"
                major, arg, pos = _read_head(data, pos)
            if major != 4 or arg != 4:
                return "COSE_Sign1 is not an array of four items"
        protected, pos = _bstr_at(data, pos)
        unprotected_at = pos
        pos = pos + 1 if data[pos] == 0xA0 else _cbor.item_end(data, pos)
        payload, pos = _bstr_at(data, pos)
        signature, pos = _bstr_at(data, pos)
    except (IndexError, ValueError):
        return "not well-formed CBOR"
    if protected is None or payload is None or signature is None:
        return "COSE_Sign1 protected header, payload and signature must be bytes"
    if pos != len(data):
        return "trailing bytes after the COSE_Sign1"
    return protected, unprotected_at, payload, signature, tagged


def decode_sign1(data: bytes) -> Sign1Message:
    """Parse a COSE_Sign1 message; raise :class:`MalformedCBOR` or :class:`MalformedCOSE`.

    One reader for every shape (:func:`_envelope`); what it refuses, and a message with an
    unprotected header to decode, also go through the CBOR decoder, so that input which is
    not accepted CBOR is ``cbor.malformed`` before it is a malformed COSE message.
    """
    if type(data) is not bytes:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"CBOR input must be bytes, not {type(data).__name__}")
        data = bytes(data)
    envelope = _envelope(data)
    if isinstance(envelope, str):
        _cbor.loads(data)  # raises MalformedCBOR unless it is accepted CBOR
        raise MalformedCOSE(envelope)
    protected, unprotected_at, payload, signature, tagged = envelope
    item = None
    if data[unprotected_at] != 0xA0:  # a header to decode (or not a map): the CBOR decoder's
        item = _cbor.loads(data)
    header = _protected_header(protected)
    unprotected: Mapping[Any, Any] = _EMPTY
    if item is not None:
        while type(item) is _cbor.CBORTag:  # the reader saw the tags: 61 around 18, or 18
            item = item.value
        unprotected = _check_header(item[1], "unprotected")
    return Sign1Message(protected, header, unprotected, payload, signature, tagged)


def _is_sign1_of(data: bytes, protected: bytes, payload: bytes, signature: bytes) -> bool:
    """Whether *data* is, byte for byte, the COSE_Sign1 :func:`sign1` writes for these parts
    (tag 18, an empty unprotected header): :func:`decode_sign1` reads exactly them back from
    it (if it is within the CBOR size bound), so a caller holding them can verify them as
    they are instead of parsing *data*."""
    head = _BSTR_HEADS.get(len(payload)) or _bstr_head(len(payload))
    return data == _sign1_message(protected, b"\xa0", head + payload, signature)


def _sign1_message(
    protected: bytes, unprotected: bytes, payload_item: bytes, signature: bytes
) -> bytes:
    """The tagged COSE_Sign1 of these parts (the headers and the payload encoded already),
    as :func:`sign1` writes it."""
    return b"".join(
        (
            _message_start(protected),
            unprotected,
            payload_item,
            _BSTR_HEADS.get(len(signature)) or _bstr_head(len(signature)),
            signature,
        )
    )


# ---- keys and algorithms --------------------------------------------------------
_ALG_BY_CURVE: Final = {curve: alg for alg, (curve, _, _) in _EC_ALGS.items()}


def _curve_alg(curve: ec.EllipticCurve) -> int:
    alg = _ALG_BY_CURVE.get(type(curve))
    if alg is None:
        raise AlgorithmError(f"no COSE algorithm for the EC curve {curve.name}")
    return alg


def algorithm_for_key(key: PrivateKey | PublicKey) -> int:
    """The natural COSE algorithm for *key* (private or public).

    A few isinstance checks against cryptography's abstract classes: callers on a hot path
    keep the answer (signers and facility certificates carry theirs as ``alg``).
    """
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return _curve_alg(key.curve)
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return PS256
    if isinstance(key, _EDDSA_KEYS):
        return EDDSA
    raise AlgorithmError(f"no COSE algorithm for a {type(key).__name__}")


# Key type -> the algorithms keys of that type were seen to fit: what the rule below decided,
# remembered. isinstance against cryptography's abstract key classes costs ~0.2 us a call,
# which adds up at two signatures per passport; a key's type decides the answer (an EC key's
# curve aside, checked each time), so a key seen before costs one dict look-up.
_FITS_BY_TYPE: dict[type, frozenset[int]] = {}


def _check_fit(alg: int, key: PrivateKey | PublicKey) -> None:
    """Raise :class:`AlgorithmError` unless *alg* is known and fits *key*."""
    if alg in _FITS_BY_TYPE.get(type(key), ()) and (
        alg not in _EC_ALGS or type(key.curve) is _EC_ALGS[alg][0]  # type: ignore[union-attr]
    ):
        return
    if alg in _EC_ALGS:
        if not isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
            raise AlgorithmError(f"alg {alg} needs an EC key, not a {type(key).__name__}")
        if not isinstance(key.curve, _EC_ALGS[alg][0]):
            raise AlgorithmError(f"alg {alg} does not fit an EC key on {key.curve.name}")
    elif alg == PS256:
        _check_rsa(key)
    elif alg == EDDSA:
        if not isinstance(key, _EDDSA_KEYS):
            raise AlgorithmError(f"EdDSA needs an Ed25519 or Ed448 key, not a {type(key).__name__}")
    else:
        raise AlgorithmError(f"COSE algorithm {alg!r} is not supported")
    if alg != PS256:  # an RSA key's fit also depends on its size: never remembered
        _FITS_BY_TYPE[type(key)] = _FITS_BY_TYPE.get(type(key), frozenset()) | {alg}


def _check_rsa(key: PrivateKey | PublicKey) -> None:
    if not isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        raise AlgorithmError(f"PS256 needs an RSA key, not a {type(key).__name__}")
    if key.key_size < MIN_RSA_BITS:
        raise AlgorithmError(
            f"an RSA key of {key.key_size} bits is too small for PS256 (at least {MIN_RSA_BITS})"
        )


def kid_for_certificate(cert: x509.Certificate | bytes) -> bytes:
    """The hcert ``kid`` of a certificate (object or DER): SHA-256(DER)[:8].

    Signers and trust stores compute their ``kid`` with it.
    """
    if isinstance(cert, x509.Certificate):
        der = cert.public_bytes(serialization.Encoding.DER)
    elif isinstance(cert, bytes):
        der = cert
    else:
        raise TypeError(f"expected x509.Certificate or DER bytes, got {type(cert).__name__}")
    return hashlib.sha256(der).digest()[:KID_LENGTH]


# ---- signing ----------------------------------------------------------------------
def _raw_ecdsa(der: bytes, size: int) -> bytes:
    """cryptography's DER ``Ecdsa-Sig-Value`` -> COSE's fixed-size ``r || s``.

    Read in place (the signature was just made, by cryptography): decode_dss_signature and
    two int.to_bytes cost ten times as much. SEQUENCE { INTEGER r, INTEGER s }, the
    sequence's length in one byte, or two (0x81 n) past 127 bytes (P-521).
    """
    at = 3 if der[1] == 0x81 else 2
    end = at + 2 + der[at + 1]
    r = der[at + 2 : end]
    s = der[end + 2 : end + 2 + der[end + 1]]
    if len(r) != size:  # a 0x00 before a top bit set, or a short r
        r = r.lstrip(b"\x00").rjust(size, b"\x00")
    if len(s) != size:
        s = s.lstrip(b"\x00").rjust(size, b"\x00")
    raw = r + s
    if len(raw) != 2 * size or der[0] != 0x30 or der[at] != 2 or der[end] != 2:
        raise ValueError("not an ECDSA signature of this size in DER")
    return raw


def _sign(alg: int, key: PrivateKey, data: bytes, deterministic: bool) -> bytes:
    if alg in _EC_ALGS:  # _check_fit saw that the key is an EC key on alg's curve
        der = key.sign(data, _EC_SIGN[alg, deterministic])  # type: ignore[call-arg, arg-type]
        return _raw_ecdsa(der, _EC_ALGS[alg][2])
    if alg == PS256:
        assert isinstance(key, rsa.RSAPrivateKey)
        return key.sign(data, _PSS_SIGN, _SHA256)
    assert isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)
    return key.sign(data)


@functools.lru_cache(maxsize=_HEADER_CACHE_SIZE, typed=True)
def _protected_bytes(alg: int, kid: bytes | None) -> bytes:
    # Canonical map {1: alg, 4: kid}; COSE algorithm ids are small negative ints. The same
    # few signers sign every passport: cached.
    alg_bytes = _cbor.dumps(alg)
    if kid is None:
        return b"\xa1\x01" + alg_bytes
    return b"\xa2\x01" + alg_bytes + b"\x04" + _bstr(kid)


def sign_with_protected(
    protected: bytes,
    payload: bytes,
    *,
    key: PrivateKey,
    alg: int,
    deterministic: bool = True,
) -> bytes:
    """The COSE signature over ``Sig_structure(protected, payload)``, for callers that
    build their own protected header (extra labels) and assemble the message themselves.

    *protected* is used byte for byte; it should name *alg*, which must fit *key*.
    """
    if not isinstance(protected, bytes) or not isinstance(payload, bytes):
        raise TypeError("protected and payload must be bytes")
    _check_fit(alg, key)
    return _sign(alg, key, _sig_structure(protected, payload), deterministic)


def sign1(
    payload: bytes,
    *,
    key: PrivateKey,
    kid: bytes | None,
    alg: int | None = None,
    deterministic: bool = True,
    unprotected: Mapping[int, Any] | None = None,
) -> bytes:
    """Sign *payload* as a tagged COSE_Sign1; ``alg`` and ``kid`` go in the protected header."""
    return sign1_with_signature(
        payload,
        key=key,
        kid=kid,
        alg=alg,
        deterministic=deterministic,
        unprotected=unprotected,
    )[0]


def sign1_with_signature(
    payload: bytes,
    *,
    key: PrivateKey,
    kid: bytes | None,
    alg: int | None = None,
    deterministic: bool = True,
    unprotected: Mapping[int, Any] | None = None,
) -> tuple[bytes, bytes]:
    """:func:`sign1`, and the signature it holds (for a caller that keeps it, say for
    revocation entries, without parsing the message again)."""
    if not isinstance(payload, bytes):
        raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
    if kid is not None and not isinstance(kid, bytes):
        raise TypeError(f"kid must be bytes or None, not {type(kid).__name__}")
    if alg is None:
        alg = algorithm_for_key(key)
    _check_fit(alg, key)
    protected = _protected_bytes(alg, kid)
    if unprotected:
        taken = {HEADER_ALG} if kid is None else {HEADER_ALG, HEADER_KID}
        clash = taken & set(unprotected)
        if clash:
            raise ValueError(f"labels {sorted(clash)} are already in the protected header")
        unprotected_bytes = _cbor.dumps(dict(unprotected))
    else:
        unprotected_bytes = b"\xa0"
    # The payload's byte string goes in the Sig_structure and in the message: built once.
    payload_item = _bstr_head(len(payload)) + payload
    signature = _sign(alg, key, _sig_prefix(protected) + payload_item, deterministic)
    return _sign1_message(protected, unprotected_bytes, payload_item, signature), signature


@functools.lru_cache(maxsize=_HEADER_CACHE_SIZE)
def _message_start(protected: bytes) -> bytes:
    """Tag 18, array(4), the protected header's byte string: one per signer, cached."""
    return _TAGGED_ARRAY4 + _bstr(protected)


# ---- verification -----------------------------------------------------------------
def _der_integer(raw: bytes) -> bytes:
    raw = raw.lstrip(b"\x00") or b"\x00"
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return bytes((2, len(raw))) + raw


def _der_parts(size: int, r_high: int, s_high: int) -> tuple[bytes, bytes]:
    """What goes before r and between r and s in the DER of a signature whose halves of
    *size* bytes have no leading zero byte, by whether each has its top bit set."""
    body = 4 + 2 * size + r_high + s_high
    sequence = b"\x30" + (bytes((body,)) if body < 0x80 else b"\x81" + bytes((body,)))
    return (
        sequence + bytes((2, size + r_high)) + b"\x00" * r_high,
        bytes((2, size + s_high)) + b"\x00" * s_high,
    )


# Per size, the four by whether r's and s's top bits are set (index 2 r_high + s_high).
_DER_PARTS: Final = {
    size: tuple(_der_parts(size, r_high, s_high) for r_high in (0, 1) for s_high in (0, 1))
    for _, _, size in _EC_ALGS.values()
}


def _der_signature(raw: bytes, size: int) -> bytes:
    """COSE's fixed-size ``r || s`` -> the DER ``Ecdsa-Sig-Value`` cryptography wants."""
    r0, s0 = raw[0], raw[size]
    if r0 and s0:  # the common case: no zero byte to strip, at most a 0x00 to add
        before, between = _DER_PARTS[size][(r0 >> 7) << 1 | s0 >> 7]
        return b"".join((before, raw[:size], between, raw[size:]))
    body = _der_integer(raw[:size]) + _der_integer(raw[size:])
    if len(body) < 0x80:
        return b"\x30" + bytes((len(body),)) + body
    return b"\x30\x81" + bytes((len(body),)) + body


def _verify_ec(alg: int, key: PublicKey, signature: bytes, data: bytes) -> None:
    size = _EC_ALGS[alg][2]
    if len(signature) != 2 * size:
        raise InvalidSignature(f"an {alg} signature has {2 * size} bytes, not {len(signature)}")
    key.verify(_der_signature(signature, size), data, _EC_VERIFY[alg])  # type: ignore[call-arg, arg-type]


def _verify_pss(_alg: int, key: PublicKey, signature: bytes, data: bytes) -> None:
    key.verify(signature, data, _PSS_VERIFY, _SHA256)  # type: ignore[call-arg, arg-type]


def _verify_eddsa(_alg: int, key: PublicKey, signature: bytes, data: bytes) -> None:
    key.verify(signature, data)  # type: ignore[call-arg]


_VERIFIERS: dict[int, Callable[[int, PublicKey, bytes, bytes], None]] = {
    ES256: _verify_ec,
    ES384: _verify_ec,
    ES512: _verify_ec,
    PS256: _verify_pss,
    EDDSA: _verify_eddsa,
}


def verify_sign1(message: Sign1Message, public_key: PublicKey) -> None:
    """Check *message*'s signature with *public_key*; return None or raise.

    :class:`AlgorithmError` when ``alg`` is missing, unknown or does not fit the
    key; :class:`InvalidSignature` when the signature does not verify.
    """
    alg = message.alg
    if alg is None:
        raise AlgorithmError("the COSE message names no algorithm")
    verify_signature(alg, public_key, message.protected, message.payload, message.signature)


def verify_signature(
    alg: int, public_key: PublicKey, protected: bytes, payload: bytes, signature: bytes
) -> None:
    """:func:`verify_sign1` on the parts of a message, for callers that hold them already
    (a facility attestation is rebuilt from a passport, never parsed as a message).

    *protected* is used byte for byte. Raises as :func:`verify_sign1` does.
    """
    _check_fit(alg, public_key)
    try:
        _VERIFIERS[alg](alg, public_key, signature, _sig_structure(protected, payload))
    except _CryptoInvalidSignature:
        raise InvalidSignature("the COSE signature does not verify") from None
