"""The record's EU DCC form (schema 1.3.0), both ways: :func:`to_dcc`, :func:`record_fields`
(what ``VaccinationRecord.from_dcc`` builds from) and :func:`signed_form` (the record's
signed CBOR straight from a DCC, for verifiers).

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
from typing import TYPE_CHECKING, Any, Final, Protocol

from . import _record_rules as rules
from . import record_cbor, valuesets
from .errors import SchemaError
from .hazmat import schema


if TYPE_CHECKING:
    import datetime as dt


__all__ = ["DCC_VERSION", "certificate_id", "record_fields", "signed_form", "to_dcc"]

#: The schema version Viet Nam issues (its production passports declare 1.3.0).
DCC_VERSION = "1.3.0"

_COUNTRY = re.compile(r"[A-Z]{1,10}")
_MAX_ISSUER = 80


# The contexts that passed _check_context: an issuer has one or a few, asked once per passport.
_CONTEXTS_CHECKED: set[tuple[object, ...]] = set()
_MAX_CONTEXTS: Final = 64


def _check_context(country: str, issuer: str, version: str) -> None:
    context = (country, issuer, version)
    # Only exact strings are remembered (a subclass may compare as it likes).
    exact = type(country) is str and type(issuer) is str and type(version) is str
    if exact and context in _CONTEXTS_CHECKED:
        return
    _checked_context(country, issuer, version)
    if exact:
        if len(_CONTEXTS_CHECKED) >= _MAX_CONTEXTS:
            _CONTEXTS_CHECKED.clear()
        _CONTEXTS_CHECKED.add(context)


def _checked_context(country: str, issuer: str, version: str) -> None:
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


class _Name(Protocol):
    # What to_dcc reads of a FullName (protocols: this module does not import the record).
    @property
    def family(self) -> str: ...
    @property
    def given(self) -> str: ...
    @property
    def fnt(self) -> str: ...
    @property
    def gnt(self) -> str: ...


class _Record(Protocol):
    # What to_dcc reads of a VaccinationRecord.
    @property
    def full_name(self) -> _Name: ...
    @property
    def date_of_birth(self) -> dt.date | str: ...
    @property
    def vaccination_date(self) -> dt.date: ...
    @property
    def disease(self) -> str: ...
    @property
    def vaccine(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def manufacturer(self) -> str: ...
    @property
    def dose_number(self) -> int: ...
    @property
    def doses_received(self) -> int: ...
    @property
    def certificate_id(self) -> str: ...


def to_dcc(
    record: _Record, *, country: str = "VN", issuer: str, version: str = DCC_VERSION
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
        "dob": rules.day_text(dob),
        "v": [
            {
                "tg": record.disease,
                "vp": record.vaccine,
                "mp": record.product,
                "ma": record.manufacturer,
                "dn": record.dose_number,
                "sd": record.doses_received,
                "dt": rules.day_text(record.vaccination_date),
                "co": country,
                "is": issuer,
                "ci": record.certificate_id,
            }
        ],
    }


_MISSING: Final = object()


def _get(container: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = container.get(key, _MISSING)
    if type(value) is kind or (kind is Mapping and type(value) is dict):
        return value  # the usual cases, answered first (this is on the verify path)
    if value is _MISSING:
        raise SchemaError(f"{where}{key} is missing")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SchemaError(f"{where}{key} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _object(value: object) -> bool:
    # A JSON object: a dict, answered first, or any other mapping.
    return type(value) is dict or isinstance(value, Mapping)


def _icao(nam: Mapping[str, Any], key: str) -> str | None:
    """The DCC's ICAO form (fnt or gnt), if any; the record drops one equal to its own."""
    value = nam.get(key)
    if value is not None and not isinstance(value, str):
        raise SchemaError(f"nam.{key} must be str, not {type(value).__name__}")
    return value


def _read(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The record's values in a vaccination DCC, their structure checked (:class:`SchemaError`):
    (fn, gn, fnt, gnt, dob, tg, vp, mp, ma, dn, sd, dt, ci)."""
    if not _object(data):
        raise SchemaError(f"a DCC is a JSON object, not {type(data).__name__}")
    nam = _get(data, "nam", Mapping, "")
    dob = _get(data, "dob", str, "")
    entries = data.get("v")
    if not isinstance(entries, (list, tuple)) or len(entries) != 1:
        raise SchemaError("not a vaccination DCC: v must be an array of exactly one entry")
    v = entries[0]
    if not _object(v):
        raise SchemaError("v[0] must be an object")
    family = nam.get("fn", "")
    given = nam.get("gn", "")
    if not isinstance(family, str) or not isinstance(given, str):
        raise SchemaError("nam.fn and nam.gn must be strings")
    get = v.get
    entry = (get("tg"), get("vp"), get("mp"), get("ma"), get("dn"), get("sd"), get("dt"), get("ci"))
    if list(map(type, entry)) != _ENTRY_TYPES:  # only then find which and say why
        entry = _checked_entry(v)
    return (family, given, _icao(nam, "fnt"), _icao(nam, "gnt"), dob, *entry)


# The types of v[0]'s tg, vp, mp, ma, dn, sd, dt and ci, as _read returns them.
_ENTRY_TYPES: Final = [str, str, str, str, int, int, str, str]


def _checked_entry(v: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        _get(v, "tg", str, "v[0]."),
        _get(v, "vp", str, "v[0]."),
        _get(v, "mp", str, "v[0]."),
        _get(v, "ma", str, "v[0]."),
        _get(v, "dn", int, "v[0]."),
        _get(v, "sd", int, "v[0]."),
        _get(v, "dt", str, "v[0]."),  # the record parses it
        _get(v, "ci", str, "v[0]."),
    )


def record_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's keyword arguments from a vaccination DCC, except ``nationality``.

    Only the structure is checked here (:class:`SchemaError`); the record's constructor
    checks the content. ``co``, ``is`` and ``ver`` are not part of the record.
    """
    fn, gn, fnt, gnt, dob, tg, vp, mp, ma, dn, sd, day, ci = _read(data)
    return {
        "full_name": {"family": fn, "given": gn, "family_icao": fnt, "given_icao": gnt},
        "date_of_birth": dob,
        "disease": tg,
        "vaccine": vp,
        "product": mp,
        "manufacturer": ma,
        "dose_number": dn,
        "doses_received": sd,
        "vaccination_date": day,
        "certificate_id": ci,
    }


def signed_form(data: Mapping[str, Any], *, nationality: str | None) -> bytes | None:
    """The deterministic CBOR of the record a vaccination DCC holds: what a facility signs.

    Exactly ``VaccinationRecord.from_dcc(data, nationality=nationality).to_cbor()``, or None
    where that raises (the DCC does not form a valid record). A verifier needs only these
    bytes: the record's own rules (``_record_rules``, which its constructor runs) run here
    on the DCC's values, without building the record.
    """
    try:
        return record_cbor.encode(_wire_record(_read(data), nationality))
    except (TypeError, ValueError):  # SchemaError and InvalidRecord are ValueErrors
        return None


def _wire_record(values: tuple[Any, ...], nationality: object) -> record_cbor.WireRecord:
    """The checked wire values of :func:`_read`'s, as the record's constructor has them."""
    fn, gn, fnt, gnt, dob, tg, vp, mp, ma, dn, sd, day, ci = values
    family, given, family_icao, given_icao, _, _ = rules.full_name(fn, gn, fnt, gnt)
    birth = rules.date_of_birth(dob)
    vaccinated = rules.vaccination_date(day)
    rules.after_birth(vaccinated, birth)
    return record_cbor.WireRecord(  # in the order of the fields, as the record's _wire()
        family,
        given,
        family_icao,
        given_icao,
        rules.day_text(birth),
        rules.nationality(nationality),
        rules.code("disease", tg),
        rules.count("doses_received", sd),
        rules.day_text(vaccinated),
        rules.count("dose_number", dn),
        rules.code("vaccine", vp),
        rules.code("product", mp),
        rules.code("manufacturer", ma),
        rules.certificate_id(ci),
    )


def certificate_id(data: Mapping[Any, Any], kind: str | None = None) -> str | None:
    """The certificate identifier (``ci``, the UVCI) of a DCC: of its first *kind* entry, or
    of the first of v, t, r it holds; None where there is none or it is not text."""
    for key in ("v", "t", "r") if kind is None else (kind,):
        entries = data.get(key)
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            ci = entries[0].get("ci")
            return ci if isinstance(ci, str) else None
    return None
