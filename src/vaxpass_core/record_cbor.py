"""The record's wire form: the canonical CBOR map a facility signs, encoded and decoded here.

A CBOR map with integer keys 1..11, one per field, in core deterministic encoding
(RFC 8949 section 4.2):

===  ========================  ====================================================
key  field                     CBOR value
===  ========================  ====================================================
1    full_name                 array ``[family, given]``, or
                               ``[family, given, family_icao|null, given_icao|null]``
                               when an ICAO form is given explicitly
2    date_of_birth             text: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``""``
3    nationality               text: ISO 3166-1 alpha-2, or null when not stated
4    disease                   text (value set ``tg``)
5    doses_received            unsigned integer
6    vaccination_date          text: ``YYYY-MM-DD``
7    dose_number               unsigned integer
8    vaccine                   text (value set ``vp``)
9    product                   text (value set ``mp``)
10   manufacturer              text (value set ``ma``)
11   certificate_id            text (a UVCI)
===  ========================  ====================================================

This module knows the map's shape, not the fields' rules: :func:`encode` takes values a
record (or :func:`~vaxpass_core.dcc.signed_form`) has checked, and :func:`record_fields`
gives the record's constructor what a map holds, for it to check. The usual entry points
are :meth:`VaccinationRecord.to_cbor() <vaxpass_core.record.VaccinationRecord.to_cbor>` and
:meth:`~vaxpass_core.record.VaccinationRecord.from_cbor`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from .errors import InvalidRecord
from .hazmat import cbor


__all__ = [
    "WireRecord",
    "decode",
    "encode",
    "key_problems",
    "record_fields",
    "to_map",
]


class WireRecord(NamedTuple):
    """The 11 fields as the wire form holds them: the name as its parts, dates as text."""

    family: str
    given: str
    family_icao: str | None
    given_icao: str | None
    date_of_birth: str
    nationality: str | None
    disease: str
    doses_received: int
    vaccination_date: str
    dose_number: int
    vaccine: str
    product: str
    manufacturer: str
    certificate_id: str


_KEYS: Final = frozenset(range(1, 12))


def to_map(record: WireRecord) -> dict[int, Any]:
    """The map with integer keys 1..11 (see the module docs)."""
    names: list[str | None] = [record.family, record.given]
    if record.family_icao is not None or record.given_icao is not None:
        names += [record.family_icao, record.given_icao]
    return {1: names, **dict(enumerate(record[4:], start=2))}


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def key_problems(missing: list[str], unknown: list[str]) -> str:
    """``lacks key 3, and has an unknown key 'x'``: only what is wrong, in words."""
    parts = []
    if missing:
        parts.append(f"lacks {'key' if len(missing) == 1 else 'keys'} {_words(missing)}")
    if unknown:
        parts.append(
            f"has {'an unknown key' if len(unknown) == 1 else 'unknown keys'} {_words(unknown)}"
        )
    return ", and ".join(parts)


def record_fields(data: object) -> dict[str, Any]:
    """The record's keyword arguments from an untrusted wire map.

    Only the map's shape is checked here (:class:`InvalidRecord`); the record's constructor
    checks the values.
    """
    if not isinstance(data, Mapping):
        raise InvalidRecord(f"record must be a map, not {type(data).__name__}")
    keys = set(data)
    if keys != _KEYS:
        missing = [str(k) for k in sorted(_KEYS - keys)]
        extra = sorted(map(repr, keys - _KEYS))
        raise InvalidRecord(f"the record map {key_problems(missing, extra)}")
    names = data[1]
    if not isinstance(names, list | tuple) or len(names) not in (2, 4):
        raise InvalidRecord("full_name (key 1) must be an array of 2 or 4 items")
    for key in (2, 6):
        if not isinstance(data[key], str):
            raise InvalidRecord(f"key {key} must be a text string (an ISO date)")
    icao = names[2:] if len(names) == 4 else (None, None)
    return {
        "full_name": {
            "family": names[0],
            "given": names[1],
            "family_icao": icao[0],
            "given_icao": icao[1],
        },
        **{name: data[key] for key, name in enumerate(WireRecord._fields[4:], start=2)},
    }


def decode(data: bytes) -> dict[str, Any]:
    """:func:`record_fields` of untrusted CBOR; raises ``MalformedCBOR`` or InvalidRecord.

    The caller builds the record and holds the bytes to :func:`encode` of it: one record,
    one signed form.
    """
    return record_fields(cbor.loads(data))


# --- encoding, written out -------------------------------------------------------------
# The map's shape is fixed (keys 1..11, each one byte, already in canonical order; text,
# small unsigned ints and null), and the general encoder costs several times more, so it is
# written out here. Every field but the names is short ASCII in a checked record that
# states its nationality (every record a facility signs), so those fields and their CBOR
# heads are written as one ASCII string and encoded once. Anything else (a null nationality
# too) takes the general encoder; the tests hold the two to each other.

# CBOR heads of text strings up to 255 bytes; those below 128, and the heads of unsigned
# ints below 128, as ASCII characters too.
_TSTR_HEADS: Final = tuple(cbor.head(3, n) for n in range(256))
_TEXT_HEADS: Final = tuple(head.decode("ascii") for head in _TSTR_HEADS[:128])
_UINT_HEADS: Final = tuple(cbor.head(0, n).decode("ascii") for n in range(128))


def _tstr(text: str) -> bytes:
    """``cbor.tstr(text)``, its head looked up."""
    data = text.encode("utf-8")
    size = len(data)
    return (_TSTR_HEADS[size] if size < 256 else cbor.head(3, size)) + data


def _names(record: WireRecord) -> bytes:
    tstr = _tstr
    if record.family_icao is None and record.given_icao is None:
        return b"\x82" + tstr(record.family) + tstr(record.given)
    return b"".join(
        (
            b"\x84",
            tstr(record.family),
            tstr(record.given),
            b"\xf6" if record.family_icao is None else tstr(record.family_icao),
            b"\xf6" if record.given_icao is None else tstr(record.given_icao),
        )
    )


def encode(record: WireRecord) -> bytes:
    """Deterministic CBOR (RFC 8949 section 4.2) of :func:`to_map`: what gets signed."""
    h, u = _TEXT_HEADS, _UINT_HEADS
    (_, _, _, _, dob, nat, disease, received, day, number, vaccine, product, maker, ci) = record
    if nat is None:  # null is not ASCII: a record nobody attests takes the general encoder
        return cbor.dumps(to_map(record))
    try:
        fields = (
            f"\x02{h[len(dob)]}{dob}\x03{h[len(nat)]}{nat}"
            f"\x04{h[len(disease)]}{disease}\x05{u[received]}"
            f"\x06{h[len(day)]}{day}\x07{u[number]}"
            f"\x08{h[len(vaccine)]}{vaccine}\x09{h[len(product)]}{product}"
            f"\x0a{h[len(maker)]}{maker}\x0b{h[len(ci)]}{ci}"
        )
    except IndexError:  # a field of 128 characters or more, or a count over 127
        return cbor.dumps(to_map(record))
    if not fields.isascii():
        return cbor.dumps(to_map(record))
    return b"\xab\x01" + _names(record) + fields.encode("ascii")  # map(11), key 1, ...
