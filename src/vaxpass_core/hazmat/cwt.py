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


# -- The DCC's CBOR, written out by hand. -------------------------------------------------
# issue() encodes one DCC per passport, always of the shape dcc.to_dcc() makes, and the
# general encoder spends most of its time sorting map keys. For that shape the canonical
# order is fixed, so it is written here directly, byte for byte what _cbor.dumps gives
# (the tests hold it to that with hypothesis); anything else goes to _cbor.dumps.
# The bytes are built as one str of code points 0-255, one per byte, encoded once as
# Latin-1: a text value's UTF-8 is decoded as Latin-1 to sit in it unchanged.

# cbor2's canonical map order: shorter encoded keys first, then bytewise.
_NAM_ORDER: Final = ("fn", "gn", "fnt", "gnt")
_NAM_KEYS: Final = frozenset(_NAM_ORDER)
_V_TEXT: Final = ("ci", "co", "dt", "is", "ma", "mp", "tg", "vp")
_V_KEYS: Final = frozenset((*_V_TEXT, "dn", "sd"))
# Text-string heads by byte length (up to 255), as Latin-1 characters.
_TEXT_HEADS: Final = tuple(_cbor.head(3, n).decode("latin-1") for n in range(256))
_NAM_KEY_CBOR: Final = {key: _cbor.tstr(key).decode("ascii") for key in _NAM_ORDER}
_NAM_HEADS: Final = tuple(_cbor.head(5, n).decode("latin-1") for n in range(5))


def _text(value: object) -> str | None:
    """A text string's CBOR as Latin-1 code points; None if not a short ``str``."""
    if type(value) is not str:
        return None
    if not value.isascii():
        try:
            value = value.encode("utf-8").decode("latin-1")
        except UnicodeEncodeError:  # a lone surrogate: the general encoder decides
            return None
    if len(value) > 0xFF:
        return None
    return _TEXT_HEADS[len(value)] + value


def _dcc_cbor(dcc: Mapping[str, Any]) -> bytes | None:
    """``_cbor.dumps(dcc)`` for a one-entry vaccination DCC of plain JSON types, else None."""
    if type(dcc) is not dict or len(dcc) != 4:  # ver, nam, dob, v
        return None
    nam, entries = dcc.get("nam"), dcc.get("v")
    if type(nam) is not dict or not nam.keys() <= _NAM_KEYS:
        return None
    if type(entries) is not list or len(entries) != 1:
        return None
    v = entries[0]
    if type(v) is not dict or v.keys() != _V_KEYS:
        return None
    dn, sd = v["dn"], v["sd"]
    # Counts below 24 are one byte, their own head: the dose counts always are.
    if type(dn) is not int or type(sd) is not int or not (0 <= dn < 24 and 0 <= sd < 24):
        return None
    texts = [_text(v[key]) for key in _V_TEXT]
    dob, ver = _text(dcc.get("dob")), _text(dcc.get("ver"))
    if dob is None or ver is None or None in texts:
        return None
    ci, co, dt, is_, ma, mp, tg, vp = texts
    nam_cbor, count = "", 0
    for key in _NAM_ORDER:
        if key in nam:
            text = _text(nam[key])
            if text is None:
                return None
            nam_cbor += _NAM_KEY_CBOR[key] + text
            count += 1
    return (
        # {"v": [{ci, co, dn, dt, is, ma, mp, sd, tg, vp}], "dob", "nam", "ver"}
        f"\xa4\x61v\x81\xaa\x62ci{ci}\x62co{co}\x62dn{chr(dn)}\x62dt{dt}\x62is{is_}"
        f"\x62ma{ma}\x62mp{mp}\x62sd{chr(sd)}\x62tg{tg}\x62vp{vp}"
        f"\x63dob{dob}\x63nam{_NAM_HEADS[count]}{nam_cbor}\x63ver{ver}"
    ).encode("latin-1")


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
    dcc_cbor = _dcc_cbor(dcc)
    if dcc_cbor is None:
        dcc_cbor = _cbor.dumps(dict(dcc))
    dumps = _cbor.dumps
    # (length of the encoded label, encoded label, encoded value): sorted, these tuples are
    # in cbor2's canonical order (shorter labels first, then bytewise; labels are unique).
    claims: list[tuple[int, bytes, bytes]] = [
        (1, _IAT, dumps(issued_at)),
        (1, _EXP, dumps(expires_at)),
        (len(_HCERT), _HCERT, _HCERT_V1 + dcc_cbor),
    ]
    if issuer is not None:
        claims.append((1, _ISS, dumps(issuer)))
    for label, value in (extra or {}).items():
        if type(label) is not int:
            raise TypeError(f"extra claim labels must be ints, not {label!r}")
        if label in _KNOWN:
            raise ValueError(f"claim {label} is set by encode_claims itself")
        key = dumps(label)
        claims.append((len(key), key, _cbor.bstr(value) if type(value) is bytes else dumps(value)))
    claims.sort()
    return _cbor.head(5, len(claims)) + b"".join([k + v for _, k, v in claims])


_IAT, _EXP, _ISS = (_cbor.dumps(label) for label in (CLAIM_IAT, CLAIM_EXP, CLAIM_ISS))
_HCERT = _cbor.dumps(CLAIM_HCERT)
_HCERT_V1 = b"\xa1" + _cbor.dumps(HCERT_EU_DCC_V1)  # {1: ...}: the map head and its key
