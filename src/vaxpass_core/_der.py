"""A minimal DER walker, for certificates whose extensions ``cryptography`` refuses.

Document Signer certificates in the wild carry extensions a strict X.509 parser rejects (a
duplicate extension, a ``BasicConstraints`` with an encoded default). Their public key still
has to serve, so :func:`walk` reads just what a signer needs -- SubjectPublicKeyInfo,
validity, the subject country and the extended key usage -- without judging the rest.
Every malformed input raises :class:`ValueError` and nothing else (every index is checked);
the caller decides what that means.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import attrs


__all__ = ["Walked", "walk"]

_EKU_OID: Final = "2.5.29.37"
_COUNTRY_OID: Final = "2.5.4.6"


@attrs.frozen
class Walked:
    """What :func:`walk` read: the SPKI DER, validity as UTC epoch ints, country, EKU OIDs."""

    spki: bytes
    not_before: int
    not_after: int
    country: str | None
    eku_oids: tuple[str, ...]


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at *pos*; ValueError if broken."""
    if pos + 2 > end:
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER high tag numbers do not occur in certificates")
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or pos + count > end:
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise ValueError("DER element overruns its parent")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element in data[start:end]."""
    out = []
    while start < end:
        tag, body, stop = _tlv(data, start, end)
        out.append((tag, start, body, stop))
        start = stop
    return out


def _first(children: list[tuple[int, int, int, int]], what: str) -> tuple[int, int, int, int]:
    if not children:
        raise ValueError(f"DER: {what} is empty")
    return children[0]


def _oid(content: bytes) -> str:
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, (first, arcs[0] - 40 * first, *arcs[1:])))


def _der_time(tag: int, text: bytes) -> int:
    raw = text.decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ; RFC 5280 4.1.2.5.1 pivots at 50
        year = int(raw[:2])
        raw = f"{1900 + year if year >= 50 else 2000 + year}{raw[2:]}"
    elif tag != 0x18:
        raise ValueError("validity is neither UTCTime nor GeneralizedTime")
    if len(raw) != 15 or not raw.endswith("Z"):
        raise ValueError("validity time is not YYYYMMDDHHMMSSZ")
    return int(datetime.strptime(raw, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC).timestamp())


def walk(der: bytes) -> Walked:
    """Read what a signer needs from certificate DER without judging its extensions."""
    _, body, end = _tlv(der, 0, len(der))
    tbs_tag, _, tbs_body, tbs_end = _first(_children(der, body, end), "the certificate")
    if tbs_tag != 0x30:
        raise ValueError("no tbsCertificate")
    fields = _children(der, tbs_body, tbs_end)
    if fields and fields[0][0] == 0xA0:  # explicit version
        fields = fields[1:]
    if len(fields) < 6:
        raise ValueError("tbsCertificate too short")
    validity, subject, spki = fields[3], fields[4], fields[5]
    times = _children(der, validity[2], validity[3])
    if len(times) != 2:
        raise ValueError("validity must hold two times")
    not_before, not_after = (_der_time(t, der[b:e]) for t, _, b, e in times)
    country = None
    for rdn in _children(der, subject[2], subject[3]):
        for atv in _children(der, rdn[2], rdn[3]):
            parts = _children(der, atv[2], atv[3])
            if len(parts) == 2 and _oid(der[parts[0][2] : parts[0][3]]) == _COUNTRY_OID:
                country = der[parts[1][2] : parts[1][3]].decode("ascii", "replace")
    eku: list[str] = []
    for tag, _, ext_body, ext_end in fields[6:]:
        if tag != 0xA3:
            continue
        _, _, seq_body, seq_end = _first(_children(der, ext_body, ext_end), "extensions")
        for _, _, one_body, one_end in _children(der, seq_body, seq_end):
            parts = _children(der, one_body, one_end)
            _, _, oid_body, oid_end = _first(parts, "an extension")
            if _oid(der[oid_body:oid_end]) != _EKU_OID:
                continue
            try:  # every EKU extension counts, duplicates included; unreadable ones add nothing
                value = der[parts[-1][2] : parts[-1][3]]
                _, _, oids_body, oids_end = _first(_children(value, 0, len(value)), "an EKU")
                eku.extend(_oid(value[b:e]) for _, _, b, e in _children(value, oids_body, oids_end))
            except ValueError:
                continue
    return Walked(der[spki[1] : spki[3]], not_before, not_after, country, tuple(eku))
