"""The 11-field vaccination record of Decision 5772/QĐ-BYT, its form checked once, at construction.

:class:`VaccinationRecord` is a frozen attrs class. Its constructor checks the *form* of every
field and raises :class:`~vaxpass_core.errors.InvalidRecord` (code ``record.invalid``)
naming the field and the rule it breaks; a value of the wrong *type* (an ``int`` where a name
belongs) is a programming error and raises :class:`TypeError`. The decoders for untrusted
data (:meth:`~VaccinationRecord.from_cbor`, :meth:`~VaccinationRecord.from_wire`,
:meth:`~VaccinationRecord.from_dcc`) raise only :class:`InvalidRecord` (and
:class:`~vaxpass_core.errors.MalformedCBOR` / :class:`~vaxpass_core.errors.SchemaError`
for bytes and DCC structure).

Form, not policy: a code must look like a code, but whether it is in the EU value sets is
for the operation to judge (``issue()`` refuses one unless ``allow_unknown_codes=True``; a
verifier warns or fails by its policy). :meth:`VaccinationRecord.unknown_codes` lists them.

Normal forms, so that equal records encode to equal bytes: names are NFC-normalised and
stripped, full dates become :class:`datetime.date` (partial dates of birth, ``"1983"`` and
``"1983-10"``, stay strings).

The rules live in one place (``_record_rules``), shared with :func:`vaxpass_core.dcc.signed_form`;
the wire form (what the facility signs) is :mod:`vaxpass_core.record_cbor`; the DCC form,
both ways, is :mod:`vaxpass_core.dcc`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from typing import Any, Final, Self

import attrs

from . import _record_rules as rules
from . import dcc, record_cbor, valuesets
from ._deprecated import ignored, renamed
from ._record_rules import FIELDS, DateOfBirth, FieldInfo
from ._time import latest_local_date
from .errors import InvalidRecord


__all__ = [
    "FIELDS",
    "DateOfBirth",
    "FieldInfo",
    "FullName",
    "VaccinationRecord",
]

# Names that moved out, kept as deprecated aliases: old name -> (module, new name).
_MOVED: Final = {
    "sample": ("vaxpass_core.testing", "sample_record"),
    "key_problems": ("vaxpass_core.record_cbor", "key_problems"),
    "signed_form": ("vaxpass_core.dcc", "signed_form"),
    "latest_local_day": ("vaxpass_core._time", "latest_local_day"),
    "LATEST_OFFSET": ("vaxpass_core._time", "LATEST_OFFSET"),
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        module, new = _MOVED[name]
        value = getattr(importlib.import_module(module), new)
        return renamed(f"{__name__}.{name}", f"{module}.{new}", value)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The deprecated option, as ignored() names it and says what to do instead.
_UNKNOWN_CODES: Final = (
    "allow_unknown_codes= on a record",
    "a record checks form only; pass allow_unknown_codes=True to issue() to issue unknown codes",
)


@attrs.frozen(init=False)
class FullName:
    """Field 1: family name and given names, as written, plus their ICAO 9303 forms.

    ``FullName("Nguyễn", "Văn An")`` or ``FullName(family="Nguyễn", given="Văn An")``.
    :attr:`fnt` and :attr:`gnt` are the transliterations the DCC carries, computed once.
    *family_icao* / *given_icao* override them; they exist for DCCs read from elsewhere
    whose issuer transliterated differently (or from a script this library does not), and
    are ``None`` whenever the computed form is the same (an override equal to it is dropped).
    """

    family: str
    given: str
    family_icao: str | None
    given_icao: str | None
    fnt: str = attrs.field(init=False, eq=False, repr=False)
    gnt: str = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        family: object,
        given: object = "",
        *,
        family_icao: str | None = None,
        given_icao: str | None = None,
    ) -> None:
        # rules.full_name puts the parts in normal form, checks them and gives the six
        # fields, in order.
        family, given, family_icao, given_icao, fnt, gnt = rules.full_name(
            family, given, family_icao, given_icao
        )
        set_ = object.__setattr__.__get__(self)  # bound once: each set is a cheaper call
        set_("family", family)
        set_("given", given)
        set_("family_icao", family_icao)
        set_("given_icao", given_icao)
        set_("fnt", fnt)
        set_("gnt", gnt)

    def __str__(self) -> str:
        # Vietnamese order: family name first.
        return f"{self.family} {self.given}".strip()


def _to_full_name(value: object) -> object:
    if isinstance(value, FullName):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        return FullName(value[0], value[1])
    if isinstance(value, Mapping):
        return FullName(**value)
    return value


def _meta(name: str) -> dict[str, object]:
    info = rules.BY_NAME[name]
    return {"number": info.number, "vi": info.vi, "en": info.en, "dcc": info.dcc}


_NOT_STATED: Final = {"vi": "(không ghi)", "en": "(not stated)"}
_CODED: Final = tuple(rules.VALUESET_OF.items())


@attrs.frozen(kw_only=True, init=False)
class VaccinationRecord:
    """The 11 fields of the vaccine passport (Decision 5772/QĐ-BYT section 1.1).

    Every field is keyword-only; labels are in each field's metadata
    (``attrs.fields(VaccinationRecord).dose_number.metadata["vi"]``) and in :data:`FIELDS`.

    **Codes.** The four coded fields (disease, vaccine, product, manufacturer) must be
    well-formed codes; the record does not ask whether they are in the EU value sets.
    :meth:`unknown_codes` lists those that are not, for the operations that decide:
    ``issue()`` refuses them unless ``allow_unknown_codes=True``, ``verify()`` by its policy.

    **Nationality "not stated".** Field 3 has no place in an EU DCC, so a record read from a
    foreign DCC (or from a passport without the facility attestation, which carries it) has
    ``nationality=None``. Such a record is valid for display and checking, its wire map
    carries ``null`` under key 3, but it cannot be attested: :meth:`from_cbor`, which reads
    the form a facility signs, refuses it, and ``attest()`` needs a stated nationality.

    .. versionchanged:: Unreleased
       The record checks form only; ``allow_unknown_codes=`` is deprecated and does nothing.
    """

    full_name: FullName = attrs.field(metadata=_meta("full_name"))
    date_of_birth: DateOfBirth = attrs.field(metadata=_meta("date_of_birth"))
    nationality: str | None = attrs.field(metadata=_meta("nationality"))
    disease: str = attrs.field(metadata=_meta("disease"))
    doses_received: int = attrs.field(metadata=_meta("doses_received"))
    vaccination_date: dt.date = attrs.field(metadata=_meta("vaccination_date"))
    dose_number: int = attrs.field(metadata=_meta("dose_number"))
    vaccine: str = attrs.field(metadata=_meta("vaccine"))
    product: str = attrs.field(metadata=_meta("product"))
    manufacturer: str = attrs.field(metadata=_meta("manufacturer"))
    certificate_id: str = attrs.field(metadata=_meta("certificate_id"))

    def __init__(
        self,
        *,
        full_name: FullName | tuple[str, str] | list[str] | Mapping[str, Any],
        date_of_birth: DateOfBirth,
        nationality: str | None,
        disease: str,
        doses_received: int,
        vaccination_date: dt.date | str,
        dose_number: int,
        vaccine: str,
        product: str,
        manufacturer: str,
        certificate_id: str,
        allow_unknown_codes: bool | None = None,
    ) -> None:
        ignored(*_UNKNOWN_CODES, allow_unknown_codes)
        # The rules of _record_rules, called directly (as attrs converters and validators
        # each cost a call more, and every record of a batch is built here), in the order
        # those ran: the name and the dates converted first, then each field in turn, so the
        # first broken rule is still the one reported.
        # (A FullName, the usual case, is answered without a call.)
        name = full_name if type(full_name) is FullName else _to_full_name(full_name)
        born = rules.date_of_birth(date_of_birth)
        vaccinated = rules.vaccination_date(vaccination_date)
        set_ = object.__setattr__.__get__(self)  # bound once: each set is a cheaper call
        if type(name) is not FullName:
            name = rules.need("full_name", name, FullName)
        set_("full_name", name)
        set_("date_of_birth", born)
        set_("nationality", rules.nationality(nationality))
        set_("disease", rules.code("disease", disease))
        set_("doses_received", rules.count("doses_received", doses_received))
        rules.after_birth(vaccinated, born)
        set_("vaccination_date", vaccinated)
        set_("dose_number", rules.count("dose_number", dose_number))
        set_("vaccine", rules.code("vaccine", vaccine))
        set_("product", rules.code("product", product))
        set_("manufacturer", rules.code("manufacturer", manufacturer))
        set_("certificate_id", rules.certificate_id(certificate_id))

    @classmethod
    def _checked(cls, fields: Mapping[str, Any], what: str) -> Self:
        """The record of untrusted *fields*: a wrong type in them is bad data, not a bug."""
        try:
            return cls(**fields)
        except InvalidRecord:
            raise
        except (TypeError, ValueError) as exc:
            raise InvalidRecord(f"{what}: {exc}") from exc

    def unknown_codes(self) -> tuple[tuple[str, str], ...]:
        """``(field name, code)`` for each coded field whose code is not in its value set."""
        known = valuesets.is_known
        unknown: tuple[tuple[str, str], ...] = ()
        for name, vs in _CODED:  # a loop: cheaper than a generator, and usually none is added
            code = getattr(self, name)
            if not known(vs, code):
                unknown += ((name, code),)
        return unknown

    def dated_after(self, moment: int) -> tuple[str, ...]:
        """The fields (date of birth, vaccination date) dated after *moment* (UTC epoch
        seconds): later than the local day anywhere on earth (UTC+14) at that moment.

        A record cannot be dated after it is attested or issued: ``attest()`` and
        ``issue()`` refuse one that is (``record.invalid``).
        """
        limit = latest_local_date(moment)
        if limit is None:
            return ()
        dob = self.date_of_birth
        late: tuple[str, ...] = ()
        # A partial date of birth compares as ISO text ("2027" > "2026-03-01").
        if dob > limit if isinstance(dob, dt.date) else dob > limit.isoformat():
            late = ("date_of_birth",)
        if self.vaccination_date > limit:
            late += ("vaccination_date",)
        return late

    def labelled(self, lang: str = "vi") -> tuple[tuple[str, str], ...]:
        """``(label, value as text)`` for the 11 fields, in order, for display.

        Coded fields show the value set's display name after the code, when known.
        """
        out = []
        for info in FIELDS:
            value = getattr(self, info.name)
            if value is None:  # only the nationality can be "not stated"
                out.append((info.label(lang), _NOT_STATED[lang]))
                continue
            text = str(value)
            vs = rules.VALUESET_OF.get(info.name)
            entry = valuesets.lookup(vs, text) if vs else None
            out.append((info.label(lang), f"{text} ({entry.display})" if entry else text))
        return tuple(out)

    # -- the EU DCC form (vaxpass_core.dcc) ----------------------------------------------

    def to_dcc(
        self, *, country: str = "VN", issuer: str, version: str = dcc.DCC_VERSION
    ) -> dict[str, Any]:
        """The EU DCC JSON object (schema 1.3.0) for this record; see :func:`dcc.to_dcc`."""
        return dcc.to_dcc(self, country=country, issuer=issuer, version=version)

    @classmethod
    def from_dcc(
        cls,
        data: Mapping[str, Any],
        *,
        nationality: str | None,
        allow_unknown_codes: bool | None = None,
    ) -> Self:
        """Read a vaccination DCC back; *nationality* is not in a DCC, so it is an argument.

        Pass ``nationality=None`` when nobody states it (a foreign DCC, or a passport without
        the facility attestation): the record then says "not stated", and it cannot be
        attested (``attest()`` needs the nationality the facility vouches for).

        Raises :class:`~vaxpass_core.errors.SchemaError` if *data* is not a vaccination
        DCC, :class:`InvalidRecord` if its content breaks a record rule.
        ``allow_unknown_codes`` is deprecated and does nothing.
        """
        ignored(*_UNKNOWN_CODES, allow_unknown_codes)
        return cls._checked({**dcc.record_fields(data), "nationality": nationality}, "DCC content")

    # -- the wire form (vaxpass_core.record_cbor) ----------------------------------------

    def _wire(self) -> record_cbor.WireRecord:
        name, text = self.full_name, rules.day_text
        return record_cbor.WireRecord(
            name.family,
            name.given,
            name.family_icao,
            name.given_icao,
            text(self.date_of_birth),
            self.nationality,
            self.disease,
            self.doses_received,
            text(self.vaccination_date),
            self.dose_number,
            self.vaccine,
            self.product,
            self.manufacturer,
            self.certificate_id,
        )

    def to_wire(self) -> dict[int, Any]:
        """The map with integer keys 1..11 of :mod:`vaxpass_core.record_cbor`."""
        return record_cbor.to_map(self._wire())

    @classmethod
    def from_wire(cls, data: Mapping[Any, Any], *, allow_unknown_codes: bool | None = None) -> Self:
        """Build a record from an untrusted wire map; raises only :class:`InvalidRecord`.

        ``allow_unknown_codes`` is deprecated and does nothing.
        """
        ignored(*_UNKNOWN_CODES, allow_unknown_codes)
        return cls._checked(record_cbor.record_fields(data), "record map")

    def to_cbor(self) -> bytes:
        """Deterministic CBOR (RFC 8949 section 4.2) of :meth:`to_wire`: what gets signed."""
        return record_cbor.encode(self._wire())

    @classmethod
    def from_cbor(
        cls, data: bytes | bytearray | memoryview, *, allow_unknown_codes: bool | None = None
    ) -> Self:
        """Decode untrusted bytes; raises only :class:`InvalidRecord` or ``MalformedCBOR``.

        The bytes must be exactly the deterministic encoding of the record they decode to,
        so that one record has one signed form, and must state the nationality (key 3 not
        ``null``): these are the bytes a facility signs. :meth:`from_wire` reads ``null``.
        ``allow_unknown_codes`` is deprecated and does nothing.
        """
        ignored(*_UNKNOWN_CODES, allow_unknown_codes)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        raw = bytes(data)
        record = cls._checked(record_cbor.decode(raw), "record map")
        if record.nationality is None:
            # The signed form is an attested record: the facility states the nationality.
            raise rules.fail("nationality", "a signed record must state it (null is not allowed)")
        if record.to_cbor() != raw:
            raise InvalidRecord("record CBOR is not in deterministic (canonical) form")
        return record
