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
from typing import TYPE_CHECKING, Any

import attrs

from . import _cbor
from .errors import InvalidCWTClaims


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
    claims: dict[int, Any] = {
        CLAIM_IAT: issued_at,
        CLAIM_EXP: expires_at,
        CLAIM_HCERT: {HCERT_EU_DCC_V1: dict(dcc)},
    }
    if issuer is not None:
        claims[CLAIM_ISS] = issuer
    for label, value in (extra or {}).items():
        if type(label) is not int:
            raise TypeError(f"extra claim labels must be ints, not {label!r}")
        if label in _KNOWN:
            raise ValueError(f"claim {label} is set by encode_claims itself")
        claims[label] = value
    return _cbor.dumps(claims)
