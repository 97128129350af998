"""CWT claims (RFC 8392) as the hcert spec uses them.

``iss`` (1), ``iat`` (6), ``exp`` (4) and ``hcert`` (-260) -> ``{1: DCC}``. Output
uses integer dates and deterministic CBOR. On input, dates may be integers or
floats (some issuers emitted ``1.62e9``-style floats) or either of those inside
the epoch-date tag 1; a float is truncated to whole seconds. ``iss`` is optional
(the hcert spec makes it optional); ``hcert`` with its ``1`` entry is required.
Claims this module does not know are kept, untouched, in :attr:`Claims.claims`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import attrs

from vaxpass_core.errors import InvalidCWTClaims

from . import cbor as _cbor


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = [
    "CLAIM_EXP",
    "CLAIM_HCERT",
    "CLAIM_IAT",
    "CLAIM_ISS",
    "HCERT_EU_DCC_V1",
    "Claims",
    "dcc_cbor",
    "decode_claims",
    "encode_claims",
]

CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT = 1, 4, 6, -260
#: The key of the EU DCC (schema v1.x) inside the hcert claim.
HCERT_EU_DCC_V1 = 1
_EPOCH_DATE_TAG = 1
_KNOWN = frozenset({CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT})


@attrs.frozen
class Claims:
    """Decoded CWT claims. Untrusted until the COSE signature around them is verified."""

    issuer: str | None
    issued_at: int | None
    expires_at: int | None
    hcert: Mapping[Any, Any]  # the DCC JSON object: claim -260, key 1
    claims: Mapping[Any, Any]  # every claim, raw, as decoded


def _numeric_date(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if type(value) is _cbor.CBORTag and value.tag == _EPOCH_DATE_TAG:
        value = value.value
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    raise InvalidCWTClaims(f"the {name} claim is not a numeric date")


def decode_claims(payload: bytes) -> Claims:
    """Decode a CWT claims set; raise :class:`MalformedCBOR` or :class:`InvalidCWTClaims`."""
    # Claim keys come back as exact ints or text: the decoder refuses a float or bool key
    # (-260.0 would otherwise be read as hcert), so get(-260) finds only the claim itself.
    claims = _cbor.loads(payload)
    if type(claims) is not dict:
        raise InvalidCWTClaims("the CWT claims set is not a map")
    issuer = claims.get(CLAIM_ISS)
    if issuer is not None and type(issuer) is not str:
        raise InvalidCWTClaims("the iss claim is not a text string")
    hcert = claims.get(CLAIM_HCERT)
    if type(hcert) is not dict:
        raise InvalidCWTClaims("the hcert claim (-260) is missing or not a map")
    dcc = hcert.get(HCERT_EU_DCC_V1)
    if type(dcc) is not dict:
        raise InvalidCWTClaims("the hcert claim holds no EU DCC map under key 1")
    issued_at = claims.get(CLAIM_IAT)
    if type(issued_at) is not int:
        issued_at = _numeric_date(issued_at, "iat")
    expires_at = claims.get(CLAIM_EXP)
    if type(expires_at) is not int:
        expires_at = _numeric_date(expires_at, "exp")
    return Claims(issuer, issued_at, expires_at, dcc, claims)


def _int(value: Any, name: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int (seconds since the epoch), not {value!r}")
    return value


# -- The DCC's CBOR. --------------------------------------------------------------------------
# issue() encodes one DCC per passport, and cbor2's canonical mode spends most of its time
# sorting map keys. A DCC is JSON (maps with text keys; texts, integers, lists and maps), so
# here the canonical order (shorter encoded keys first, then bytewise, as RFC 7049 and cbor2
# have it) is computed once per set of keys and remembered; any other value (a float, a
# negative or large integer, a map with other keys...) is cbor2's, as a whole. The bytes are
# _cbor.dumps's exactly: the tests hold this to it with hypothesis, cbor2 as the reference.
# The bytes are built as one str of code points 0-255, one per byte, encoded once as
# Latin-1: a text value's UTF-8 is decoded as Latin-1 to sit in it unchanged.

# Heads by length, as Latin-1 characters: texts up to 255 bytes, maps and arrays up to 23.
_TEXT_HEADS: Final = tuple(_cbor.head(3, n).decode("latin-1") for n in range(256))
_MAP_HEADS: Final = tuple(_cbor.head(5, n).decode("latin-1") for n in range(24))
_ARRAY_HEADS: Final = tuple(_cbor.head(4, n).decode("latin-1") for n in range(24))
# A map's keys, in the order they were given -> (encoded key, key) in canonical order.
_ORDER: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
_ORDER_CACHE_SIZE: Final = 256


def _text(value: str) -> str:
    """A text string's CBOR as Latin-1 code points (a lone surrogate: UnicodeEncodeError)."""
    if not value.isascii():
        value = value.encode("utf-8").decode("latin-1")
    size = len(value)
    return (_TEXT_HEADS[size] if size < 256 else _latin1(_cbor.head(3, size))) + value


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def _order(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...] | None:
    """The canonical order of a map's text keys, with each key's CBOR; None if one is not text."""
    if any(type(key) is not str for key in keys):
        return None
    order = tuple(sorted(((_text(key), key) for key in keys), key=_canonical))
    if len(_ORDER) >= _ORDER_CACHE_SIZE:
        _ORDER.clear()
    _ORDER[keys] = order
    return order


def _canonical(entry: tuple[str, str]) -> tuple[int, str]:
    return len(entry[0]), entry[0]  # Latin-1 code points sort as their bytes do


def _json_cbor(value: Any) -> str:
    """``_cbor.dumps(value)`` as Latin-1 code points."""
    kind = type(value)
    if kind is dict:
        keys = tuple(value)
        order = _ORDER.get(keys) or _order(keys)
        if order is not None:
            size = len(order)
            parts = [_MAP_HEADS[size] if size < 24 else _latin1(_cbor.head(5, size))]
            for key, name in order:
                item = value[name]
                # The common values, texts and small integers, are written here, not in a call.
                kind = type(item)
                if kind is str:
                    if item.isascii() and len(item) < 256:
                        parts.append(key + _TEXT_HEADS[len(item)] + item)
                    else:
                        parts.append(key + _text(item))
                elif kind is int and 0 <= item < 24:  # the integer is its own head
                    parts.append(key + chr(item))
                else:
                    parts.append(key + _json_cbor(item))
            return "".join(parts)
    elif kind is str:
        return _text(value)
    elif kind is list:
        size = len(value)
        head = _ARRAY_HEADS[size] if size < 24 else _latin1(_cbor.head(4, size))
        return head + "".join([_json_cbor(item) for item in value])
    elif kind is int and 0 <= value < 24:  # the integer is its own head
        return chr(value)
    return _latin1(_cbor.dumps(value))


def dcc_cbor(dcc: Mapping[str, Any]) -> bytes:
    """The DCC's canonical CBOR: ``_cbor.dumps(dict(dcc))``, byte for byte, faster."""
    return _json_cbor(dcc if type(dcc) is dict else dict(dcc)).encode("latin-1")


# Encoded scalars of the claims: a batch of passports shares its dates, issuer and labels.
_SCALAR_CACHE: dict[int | str, bytes] = {}
_SCALAR_CACHE_SIZE: Final = 256


def _scalar(value: int | str) -> bytes:
    """``_cbor.dumps(value)`` for an exact int or str (no bool or subclass: never equal to
    one of the other kind), remembered."""
    encoded = _SCALAR_CACHE.get(value)
    if encoded is None:
        if len(_SCALAR_CACHE) >= _SCALAR_CACHE_SIZE:
            _SCALAR_CACHE.clear()
        encoded = _SCALAR_CACHE[value] = _cbor.dumps(value)
    return encoded


def encode_claims(
    *,
    dcc: Mapping[str, Any],
    issuer: str | None,
    issued_at: int,
    expires_at: int,
    extra: Mapping[int, Any] | None = None,
) -> bytes:
    """The CWT claims set for *dcc*, as deterministic CBOR with integer dates."""
    if issuer is not None and not isinstance(issuer, str):
        raise TypeError(f"issuer must be str or None, not {type(issuer).__name__}")
    if _int(expires_at, "expires_at") < _int(issued_at, "issued_at"):
        raise ValueError("expires_at must not precede issued_at")
    dcc_bytes = dcc_cbor(dcc)
    # (length of the encoded label, encoded label, encoded value): in cbor2's canonical order
    # when sorted (shorter labels first, then bytewise; labels are unique). The claims set
    # here are listed in that order (iss 1, exp 4, iat 6, hcert -260); an extra claim that
    # follows the last one (the attestation's label encodes longer) needs no sort.
    claims: list[tuple[int, bytes, bytes]] = [
        (1, _EXP, _scalar(expires_at)),
        (1, _IAT, _scalar(issued_at)),
        (len(_HCERT), _HCERT, _HCERT_V1 + dcc_bytes),
    ]
    if issuer is not None:
        claims.insert(0, (1, _ISS, _scalar(issuer) if type(issuer) is str else _cbor.dumps(issuer)))
    in_order = True
    for label, value in (extra or {}).items():
        if type(label) is not int:
            raise TypeError(f"extra claim labels must be ints, not {label!r}")
        if label in _KNOWN:
            raise ValueError(f"claim {label} is set by encode_claims itself")
        key = _scalar(label)
        value_bytes = _cbor.bstr(value) if type(value) is bytes else _cbor.dumps(value)
        claim = (len(key), key, value_bytes)
        in_order = in_order and claim > claims[-1]  # labels differ: values never compared
        claims.append(claim)
    if not in_order:
        claims.sort()
    return _cbor.head(5, len(claims)) + b"".join([k + v for _, k, v in claims])


_IAT, _EXP, _ISS = (_cbor.dumps(label) for label in (CLAIM_IAT, CLAIM_EXP, CLAIM_ISS))
_HCERT = _cbor.dumps(CLAIM_HCERT)
_HCERT_V1 = b"\xa1" + _cbor.dumps(HCERT_EU_DCC_V1)  # {1: ...}: the map head and its key
