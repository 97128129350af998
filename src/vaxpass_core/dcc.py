"""The record's EU DCC form (schema 1.3.0): ``to_dcc`` and the reading half of ``from_dcc``.

A vaccination DCC is::

    {"ver": "1.3.0",
     "nam": {"fn": ..., "fnt": ..., "gn": ..., "gnt": ...},
     "dob": "YYYY-MM-DD" | "YYYY-MM" | "YYYY" | "",
     "v": [{"tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"}]}

Field 3 (nationality) has no place in a DCC; ``co`` (country of vaccination) and ``is``
(certificate issuer) come from the issuing context, not from the record. Field 5 (doses
received) maps to ``sd``: see ``docs/fields.md`` for why.

``fnt`` is always present (schema 1.3.0 requires it, possibly empty); ``fn`` only for a
non-empty family name; ``gn``/``gnt`` only when there is a given name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import valuesets
from .errors import SchemaError
from .hazmat import schema


if TYPE_CHECKING:
    from .record import VaccinationRecord


__all__ = ["DCC_VERSION", "certificate_id", "record_fields", "to_dcc"]

#: The schema version Viet Nam issues (its production passports declare 1.3.0).
DCC_VERSION = "1.3.0"

_COUNTRY = re.compile(r"[A-Z]{1,10}")
_MAX_ISSUER = 80


def _check_context(country: str, issuer: str, version: str) -> None:
    # Called per DCC, but the checks are a few dict and regex look-ups.
    if not isinstance(country, str) or _COUNTRY.fullmatch(country) is None:
        raise ValueError(f"country must be an upper-case country code, not {country!r}")
    if not valuesets.is_known("co", country):
        raise ValueError(f"country {country!r} is not in the country value set")
    if not isinstance(issuer, str) or not 0 < len(issuer) <= _MAX_ISSUER:
        raise ValueError(f"issuer must be a string of 1-{_MAX_ISSUER} characters")
    try:  # the version verifiers will validate it against: a shipped 1.x.y one, or newer
        schema.schema_version_for({"ver": version})
    except SchemaError:
        raise ValueError(
            f"version must be a DCC schema version like 1.3.0, not {version!r}"
        ) from None


def to_dcc(
    record: VaccinationRecord, *, country: str = "VN", issuer: str, version: str = DCC_VERSION
) -> dict[str, Any]:
    """The DCC JSON object for *record*, vaccinated in *country*, issued by *issuer*.

    The record is valid by construction, so only the context is checked here; wrong
    context arguments raise :class:`ValueError`.
    """
    _check_context(country, issuer, version)
    name = record.full_name
    nam: dict[str, str] = {"fnt": name.fnt}
    if name.family:
        nam["fn"] = name.family
    if name.given or name.gnt:
        if name.given:
            nam["gn"] = name.given
        nam["gnt"] = name.gnt
    dob = record.date_of_birth
    return {
        "ver": version,
        "nam": nam,
        "dob": dob if isinstance(dob, str) else dob.isoformat(),
        "v": [
            {
                "tg": record.disease,
                "vp": record.vaccine,
                "mp": record.product,
                "ma": record.manufacturer,
                "dn": record.dose_number,
                "sd": record.doses_received,
                "dt": record.vaccination_date.isoformat(),
                "co": country,
                "is": issuer,
                "ci": record.certificate_id,
            }
        ],
    }


def _get(container: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in container:
        raise SchemaError(f"{where}{key} is missing")
    value = container[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SchemaError(f"{where}{key} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _icao(nam: Mapping[str, Any], key: str) -> str | None:
    """The DCC's ICAO form (fnt or gnt), if any; the record drops one equal to its own."""
    value = nam.get(key)
    if value is not None and not isinstance(value, str):
        raise SchemaError(f"nam.{key} must be str, not {type(value).__name__}")
    return value


def record_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's keyword arguments from a vaccination DCC, except ``nationality``.

    Only the structure is checked here (:class:`SchemaError`); the record's constructor
    checks the content. ``co``, ``is`` and ``ver`` are not part of the record.
    """
    if not isinstance(data, Mapping):
        raise SchemaError(f"a DCC is a JSON object, not {type(data).__name__}")
    nam = _get(data, "nam", Mapping, "")
    dob = _get(data, "dob", str, "")
    entries = data.get("v")
    if not isinstance(entries, list | tuple) or len(entries) != 1:
        raise SchemaError("not a vaccination DCC: v must be an array of exactly one entry")
    v = entries[0]
    if not isinstance(v, Mapping):
        raise SchemaError("v[0] must be an object")
    family = nam.get("fn", "")
    given = nam.get("gn", "")
    if not isinstance(family, str) or not isinstance(given, str):
        raise SchemaError("nam.fn and nam.gn must be strings")
    return {
        "full_name": {
            "family": family,
            "given": given,
            "family_icao": _icao(nam, "fnt"),
            "given_icao": _icao(nam, "gnt"),
        },
        "date_of_birth": dob,
        "disease": _get(v, "tg", str, "v[0]."),
        "vaccine": _get(v, "vp", str, "v[0]."),
        "product": _get(v, "mp", str, "v[0]."),
        "manufacturer": _get(v, "ma", str, "v[0]."),
        "dose_number": _get(v, "dn", int, "v[0]."),
        "doses_received": _get(v, "sd", int, "v[0]."),
        "vaccination_date": _get(v, "dt", str, "v[0]."),  # the record parses it
        "certificate_id": _get(v, "ci", str, "v[0]."),
    }


def certificate_id(data: Mapping[Any, Any], kind: str | None = None) -> str | None:
    """The certificate identifier (``ci``, the UVCI) of a DCC: of its first *kind* entry, or
    of the first of v, t, r it holds; None where there is none or it is not text."""
    for key in ("v", "t", "r") if kind is None else (kind,):
        entries = data.get(key)
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            ci = entries[0].get("ci")
            return ci if isinstance(ci, str) else None
    return None
