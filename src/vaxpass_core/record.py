"""The 11-field vaccination record of Decision 5772/QĐ-BYT, validated once, at construction.

:class:`VaccinationRecord` is a frozen attrs class. Its constructor validates every field
and raises :class:`~vaxpass_core.errors.InvalidRecord` (code ``record.invalid``) naming
the field and the rule it breaks; a value of the wrong *type* (an ``int`` where a name
belongs) is a programming error and raises :class:`TypeError`. The decoders for untrusted
data (:meth:`~VaccinationRecord.from_cbor`, :meth:`~VaccinationRecord.from_wire`,
:meth:`~VaccinationRecord.from_dcc`) raise only :class:`InvalidRecord` (and
:class:`~vaxpass_core.errors.MalformedCBOR` / :class:`~vaxpass_core.errors.SchemaError`
for bytes and DCC structure).

Normal forms, so that equal records encode to equal bytes: names are NFC-normalised and
stripped, full dates become :class:`datetime.date` (partial dates of birth, ``"1983"`` and
``"1983-10"``, stay strings).

The wire form (what the facility signs) is a CBOR map with integer keys 1..11, one per
field, in core deterministic encoding (RFC 8949 section 4.2):

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
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, Self, TypeAlias, TypeVar

import attrs

from . import dcc, uvci, valuesets
from .errors import InvalidRecord, SchemaError
from .hazmat import cbor as _cbor
from .icao import transliterate


__all__ = [
    "FIELDS",
    "LATEST_OFFSET",
    "FieldInfo",
    "FullName",
    "VaccinationRecord",
    "key_problems",
    "latest_local_day",
    "sample",
    "signed_form",
]


@attrs.frozen
class FieldInfo:
    """One of the 11 fields: its number in the Decision, labels, and DCC home."""

    number: int
    name: str
    vi: str
    en: str
    dcc: str

    def label(self, lang: str = "vi") -> str:
        """The label in ``"vi"`` or ``"en"``."""
        if lang == "vi":
            return self.vi
        if lang == "en":
            return self.en
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")


#: The 11 fields of Decision 5772/QĐ-BYT section 1.1, in order.
FIELDS: Final = (
    FieldInfo(1, "full_name", "Họ và tên", "Full name", "nam.fn, nam.gn (+ fnt, gnt)"),
    FieldInfo(2, "date_of_birth", "Ngày tháng năm sinh", "Date of birth", "dob"),
    FieldInfo(3, "nationality", "Quốc tịch", "Nationality", "(none)"),
    FieldInfo(4, "disease", "Bệnh dịch mà chứng nhận nhắm tới", "Targeted disease", "v[0].tg"),
    FieldInfo(5, "doses_received", "Số mũi tiêm đã nhận", "Number of doses received", "v[0].sd"),
    FieldInfo(6, "vaccination_date", "Ngày tiêm", "Date of vaccination", "v[0].dt"),
    FieldInfo(7, "dose_number", "Liều số", "Dose number", "v[0].dn"),
    FieldInfo(8, "vaccine", "Vắc xin", "Vaccine (prophylaxis)", "v[0].vp"),
    FieldInfo(9, "product", "Sản phẩm vắc xin", "Vaccine product", "v[0].mp"),
    FieldInfo(
        10,
        "manufacturer",
        "Nhà cung cấp hoặc sản xuất vắc xin",
        "Supplier / manufacturer",
        "v[0].ma",
    ),
    FieldInfo(11, "certificate_id", "Mã số của chứng nhận", "Certificate number", "v[0].ci"),
)
_BY_NAME: Final = {f.name: f for f in FIELDS}

#: A full date of birth, or a partial one (``"1983"``, ``"1983-10"``), or ``""`` (unknown).
DateOfBirth: TypeAlias = dt.date | str

_T = TypeVar("_T")

MAX_NAME = 80  # the DCC's maxLength for fn, gn, fnt and gnt
MAX_DOSES = 99  # a sanity bound: no schedule comes near it, and untrusted ints stay small
_MIN_YEAR, _MAX_YEAR = 1900, 2099  # the DCC's dob pattern: (19|20)\d\d

_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2}))?")
_ICAO = re.compile(r"[A-Z<]*")
_COUNTRY = re.compile(r"[A-Z]{2}")
# Value-set codes and identifiers: printable ASCII, no space at either end.
_CODE = re.compile(r"[!-~](?:[ -~]{0,78}[!-~])?")
_CERT_ID = re.compile(r"[!-~]{1,80}")


def _fail(name: str, rule: str) -> InvalidRecord:
    info = _BY_NAME.get(name)
    where = f"{name} (field {info.number}, {info.en})" if info else name
    return InvalidRecord(f"{where}: {rule}")


def _need(name: str, value: object, kind: type[_T]) -> _T:
    """*value* if it is a *kind* (``bool`` is not an ``int`` here), else :class:`TypeError`."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{name} must be {kind.__name__}, not {type(value).__name__}")
    return value


# --- field 1 ---------------------------------------------------------------------------


def _norm_name(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value  # the validator reports the wrong type


def _check_part(label: str, text: str, icao: str | None) -> tuple[str | None, str]:
    """Validate one name part: (the override to keep, or None, and its ICAO form).

    An override equal to the form computed from *text* says nothing: it is dropped, so a
    name has one value and one signed form whether or not its issuer wrote the override.
    """
    _need(f"full_name.{label}", text, str)
    if len(text) > MAX_NAME:
        raise _fail("full_name", f"{label} name has {len(text)} characters, over {MAX_NAME}")
    # isprintable() is False for every C-category character: only then look closer.
    if not text.isprintable() and any(unicodedata.category(c)[0] == "C" for c in text):
        raise _fail("full_name", f"{label} name contains a control or format character")
    try:
        out: str | None = transliterate(text)
    except ValueError as exc:
        if icao is None:
            raise _fail("full_name", f"{label} name: {exc}") from None
        out = None  # a script ICAO 9303 does not cover: the override is the only form
    if icao is not None:
        _need(f"full_name.{label}_icao", icao, str)
        if _ICAO.fullmatch(icao) is None or len(icao) > MAX_NAME:
            raise _fail(
                "full_name", f"{label} name's ICAO form must match ^[A-Z<]{{0,{MAX_NAME}}}$"
            )
        if icao != out:
            return icao, icao
    assert out is not None  # transliterate() gave it, or the override equal to it did
    if text and not out:
        raise _fail("full_name", f"{label} name {text!r} has no letters")
    if len(out) > MAX_NAME:
        raise _fail("full_name", f"{label} name's ICAO form is over {MAX_NAME} characters")
    return None, out


@attrs.frozen
class FullName:
    """Field 1: family name and given names, as written, plus their ICAO 9303 forms.

    ``FullName("Nguyễn", "Văn An")`` or ``FullName(family="Nguyễn", given="Văn An")``.
    :attr:`fnt` and :attr:`gnt` are the transliterations the DCC carries, computed once.
    *family_icao* / *given_icao* override them; they exist for DCCs read from elsewhere
    whose issuer transliterated differently (or from a script this library does not), and
    are ``None`` whenever the computed form is the same (an override equal to it is dropped).
    """

    family: str = attrs.field(converter=_norm_name)
    given: str = attrs.field(default="", converter=_norm_name)
    family_icao: str | None = attrs.field(default=None, kw_only=True)
    given_icao: str | None = attrs.field(default=None, kw_only=True)
    fnt: str = attrs.field(init=False, eq=False, repr=False)
    gnt: str = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        family_icao, fnt = _check_part("family", self.family, self.family_icao)
        given_icao, gnt = _check_part("given", self.given, self.given_icao)
        if not (fnt or gnt):
            raise _fail("full_name", "family and given name are both empty")
        set_ = object.__setattr__
        set_(self, "family_icao", family_icao)
        set_(self, "given_icao", given_icao)
        set_(self, "fnt", fnt)
        set_(self, "gnt", gnt)

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


# --- dates -----------------------------------------------------------------------------


def _year_ok(name: str, year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _fail(name, f"year {year} is outside {_MIN_YEAR}-{_MAX_YEAR}")


def _to_dob(value: object) -> DateOfBirth:
    if isinstance(value, dt.datetime):
        raise TypeError("date_of_birth must be a date or an ISO string, not a datetime")
    if isinstance(value, dt.date):
        _year_ok("date_of_birth", value.year)
        return value
    if not isinstance(value, str):
        raise TypeError(f"date_of_birth must be date or str, not {type(value).__name__}")
    if value == "":
        return value  # the DCC's "unknown"
    if _FULL_DATE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _fail("date_of_birth", f"{value!r} is not a real day of the calendar") from None
        _year_ok("date_of_birth", day.year)
        return day
    match = _PARTIAL_DATE.fullmatch(value)
    if match is None:
        raise _fail(
            "date_of_birth",
            f"{value!r} is not an ISO 8601 date (YYYY-MM-DD) or a partial one (YYYY, YYYY-MM)",
        )
    _year_ok("date_of_birth", int(match["y"]))
    if match["m"] is not None and not 1 <= int(match["m"]) <= 12:
        raise _fail("date_of_birth", f"{value!r} has no month {match['m']}")
    return value


def _to_day(value: object) -> object:
    if isinstance(value, dt.datetime):
        raise TypeError("vaccination_date must be a date or an ISO string, not a datetime")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"vaccination_date must be date or str, not {type(value).__name__}")
    if _FULL_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _fail(
                "vaccination_date", f"{value!r} is not a real day of the calendar"
            ) from None
    raise _fail("vaccination_date", f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")


def _earliest(dob: dt.date | str) -> dt.date | None:
    """The first day a (possibly partial) date of birth can be."""
    if isinstance(dob, dt.date):
        return dob
    if not dob:
        return None
    return dt.date(int(dob[:4]), int(dob[5:7]) if len(dob) > 4 else 1, 1)


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


# --- validators ------------------------------------------------------------------------

_VALUESET_OF: Final = {"disease": "tg", "vaccine": "vp", "product": "mp", "manufacturer": "ma"}


def _v_full_name(_: object, a: attrs.Attribute[Any], value: object) -> None:
    _need(a.name, value, FullName)


def _v_nationality(_: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return  # not stated: a DCC from elsewhere has no place for it
    value = _need(a.name, value, str)
    if _COUNTRY.fullmatch(value) is None or not valuesets.is_known("co", value):
        raise _fail(a.name, f"{value!r} is not an ISO 3166-1 alpha-2 country code")


def _v_code(inst: VaccinationRecord, a: attrs.Attribute[Any], value: object) -> None:
    value = _need(a.name, value, str)
    if _CODE.fullmatch(value) is None:
        raise _fail(a.name, f"{value!r} is not a code (1-80 printable ASCII characters)")
    vs = _VALUESET_OF[a.name]
    if not inst.allow_unknown_codes and not valuesets.is_known(vs, value):
        raise _fail(
            a.name,
            f"{value!r} is not in the value set {vs!r} (release {valuesets.release()}); "
            "pass allow_unknown_codes=True to accept it",
        )


def _v_count(_: object, a: attrs.Attribute[Any], value: object) -> None:
    value = _need(a.name, value, int)
    if not 1 <= value <= MAX_DOSES:
        raise _fail(a.name, f"{value} is outside 1-{MAX_DOSES}")


def _v_vaccination_date(inst: VaccinationRecord, a: attrs.Attribute[Any], value: dt.date) -> None:
    earliest = _earliest(inst.date_of_birth)
    if earliest is not None and value < earliest:
        raise _fail(a.name, f"{value} is before the date of birth {inst.date_of_birth}")


def _v_certificate_id(_: object, a: attrs.Attribute[Any], value: object) -> None:
    value = _need(a.name, value, str)
    if _CERT_ID.fullmatch(value) is None:
        raise _fail(a.name, "must be 1-80 printable ASCII characters without spaces (a UVCI)")


def _meta(name: str) -> dict[str, object]:
    info = _BY_NAME[name]
    return {"number": info.number, "vi": info.vi, "en": info.en, "dcc": info.dcc}


_WIRE_KEYS: Final = frozenset(range(1, 12))
_NOT_STATED: Final = {"vi": "(không ghi)", "en": "(not stated)"}


@attrs.frozen(kw_only=True)
class VaccinationRecord:
    """The 11 fields of the vaccine passport (Decision 5772/QĐ-BYT section 1.1).

    Every field is keyword-only; labels are in each field's metadata
    (``attrs.fields(VaccinationRecord).dose_number.metadata["vi"]``) and in :data:`FIELDS`.

    **Value-set strictness.** By default the four coded fields (disease, vaccine, product,
    manufacturer) must be in the shipped EU DCC value sets. ``allow_unknown_codes=True``
    accepts any well-formed code instead. It is a per-record flag rather than a separate
    factory or a module-level switch because (a) a module-level switch would be global
    mutable state, (b) a factory alone would be lost by ``attrs.evolve``, which calls the
    constructor again, whereas the flag is carried over, and (c) it says on the object
    itself how it was checked. The flag is not part of the record's data: it is left out
    of equality, hashing, ``repr``, the wire form and the DCC. :meth:`unknown_codes` lists
    the codes outside the value sets whatever the flag, for verifiers and issuers that
    warn or refuse by policy.

    **Nationality "not stated".** Field 3 has no place in an EU DCC, so a record read from a
    foreign DCC (or from a passport without the facility attestation, which carries it) has
    ``nationality=None``. Such a record is valid for display and checking, its wire map
    carries ``null`` under key 3, but it cannot be attested: :meth:`from_cbor`, which reads
    the form a facility signs, refuses it, and ``attest()`` needs a stated nationality.
    """

    full_name: FullName = attrs.field(
        converter=_to_full_name, validator=_v_full_name, metadata=_meta("full_name")
    )
    date_of_birth: DateOfBirth = attrs.field(converter=_to_dob, metadata=_meta("date_of_birth"))
    nationality: str | None = attrs.field(validator=_v_nationality, metadata=_meta("nationality"))
    disease: str = attrs.field(validator=_v_code, metadata=_meta("disease"))
    doses_received: int = attrs.field(validator=_v_count, metadata=_meta("doses_received"))
    vaccination_date: dt.date = attrs.field(
        converter=_to_day, validator=_v_vaccination_date, metadata=_meta("vaccination_date")
    )
    dose_number: int = attrs.field(validator=_v_count, metadata=_meta("dose_number"))
    vaccine: str = attrs.field(validator=_v_code, metadata=_meta("vaccine"))
    product: str = attrs.field(validator=_v_code, metadata=_meta("product"))
    manufacturer: str = attrs.field(validator=_v_code, metadata=_meta("manufacturer"))
    certificate_id: str = attrs.field(validator=_v_certificate_id, metadata=_meta("certificate_id"))
    allow_unknown_codes: bool = attrs.field(default=False, eq=False, repr=False)

    # -- value sets ---------------------------------------------------------------------

    def unknown_codes(self) -> tuple[tuple[str, str], ...]:
        """``(field name, code)`` for each coded field whose code is not in its value set."""
        return tuple(
            (name, code)
            for name, vs in _VALUESET_OF.items()
            if not valuesets.is_known(vs, code := getattr(self, name))
        )

    # -- time ---------------------------------------------------------------------------

    def dated_after(self, moment: int) -> tuple[str, ...]:
        """The fields (date of birth, vaccination date) dated after *moment* (UTC epoch
        seconds): later than the local day anywhere on earth (UTC+14) at that moment.

        A record cannot be dated after it is attested or issued: ``attest()`` and
        ``issue()`` refuse one that is (``record.invalid``).
        """
        limit = latest_local_day(moment)
        if limit is None:
            return ()
        dob = self.date_of_birth
        late = []
        if (dob.isoformat() if isinstance(dob, dt.date) else dob) > limit:
            late.append("date_of_birth")
        if self.vaccination_date.isoformat() > limit:
            late.append("vaccination_date")
        return tuple(late)

    # -- display ------------------------------------------------------------------------

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
            vs = _VALUESET_OF.get(info.name)
            entry = valuesets.lookup(vs, text) if vs else None
            out.append((info.label(lang), f"{text} ({entry.display})" if entry else text))
        return tuple(out)

    # -- the EU DCC form ----------------------------------------------------------------

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
        allow_unknown_codes: bool = False,
    ) -> Self:
        """Read a vaccination DCC back; *nationality* is not in a DCC, so it is an argument.

        Pass ``nationality=None`` when nobody states it (a foreign DCC, or a passport without
        the facility attestation): the record then says "not stated", and it cannot be
        attested (``attest()`` needs the nationality the facility vouches for).

        Raises :class:`~vaxpass_core.errors.SchemaError` if *data* is not a vaccination
        DCC, :class:`InvalidRecord` if its content breaks a record rule. Foreign data
        may carry codes outside the value sets: pass ``allow_unknown_codes=True``.
        """
        fields = dcc.record_fields(data)
        try:
            return cls(**fields, nationality=nationality, allow_unknown_codes=allow_unknown_codes)
        except InvalidRecord:
            raise
        except (TypeError, ValueError) as exc:
            raise InvalidRecord(f"DCC content: {exc}") from exc

    # -- wire form and CBOR --------------------------------------------------------------

    def to_wire(self) -> dict[int, Any]:
        """The map with integer keys 1..11 described in the module docs."""
        name = self.full_name
        dob = self.date_of_birth
        names: list[str | None] = [name.family, name.given]
        if name.family_icao is not None or name.given_icao is not None:
            names += [name.family_icao, name.given_icao]
        return {
            1: names,
            2: dob if isinstance(dob, str) else dob.isoformat(),
            3: self.nationality,
            4: self.disease,
            5: self.doses_received,
            6: self.vaccination_date.isoformat(),
            7: self.dose_number,
            8: self.vaccine,
            9: self.product,
            10: self.manufacturer,
            11: self.certificate_id,
        }

    @classmethod
    def from_wire(cls, data: Mapping[Any, Any], *, allow_unknown_codes: bool = False) -> Self:
        """Build a record from an untrusted wire map; raises only :class:`InvalidRecord`."""
        if not isinstance(data, Mapping):
            raise InvalidRecord(f"record must be a map, not {type(data).__name__}")
        keys = set(data)
        if keys != _WIRE_KEYS:
            missing = [str(k) for k in sorted(_WIRE_KEYS - keys)]
            extra = sorted(map(repr, keys - _WIRE_KEYS))
            raise InvalidRecord(f"the record map {key_problems(missing, extra)}")
        names = data[1]
        if not isinstance(names, list | tuple) or len(names) not in (2, 4):
            raise InvalidRecord("full_name (key 1) must be an array of 2 or 4 items")
        for key in (2, 6):
            if not isinstance(data[key], str):
                raise InvalidRecord(f"key {key} must be a text string (an ISO date)")
        try:
            full_name = FullName(
                names[0],
                names[1],
                family_icao=names[2] if len(names) == 4 else None,
                given_icao=names[3] if len(names) == 4 else None,
            )
            return cls(
                full_name=full_name,
                date_of_birth=data[2],
                nationality=data[3],
                disease=data[4],
                doses_received=data[5],
                vaccination_date=data[6],
                dose_number=data[7],
                vaccine=data[8],
                product=data[9],
                manufacturer=data[10],
                certificate_id=data[11],
                allow_unknown_codes=allow_unknown_codes,
            )
        except InvalidRecord:
            raise
        except (TypeError, ValueError) as exc:  # a wrong type in untrusted data is bad data
            raise InvalidRecord(f"record map: {exc}") from exc

    def to_cbor(self) -> bytes:
        """Deterministic CBOR (RFC 8949 section 4.2) of :meth:`to_wire`: what gets signed."""
        name = self.full_name
        dob = self.date_of_birth
        data = _wire_cbor(
            names=_names_cbor(name.family, name.given, name.family_icao, name.given_icao),
            dob=dob if isinstance(dob, str) else dob.isoformat(),
            nationality=self.nationality,
            disease=self.disease,
            doses_received=self.doses_received,
            vaccination_date=self.vaccination_date.isoformat(),
            dose_number=self.dose_number,
            vaccine=self.vaccine,
            product=self.product,
            manufacturer=self.manufacturer,
            certificate_id=self.certificate_id,
        )
        return data if data is not None else _cbor.dumps(self.to_wire())

    @classmethod
    def from_cbor(
        cls, data: bytes | bytearray | memoryview, *, allow_unknown_codes: bool = False
    ) -> Self:
        """Decode untrusted bytes; raises only :class:`InvalidRecord` or ``MalformedCBOR``.

        The bytes must be exactly the deterministic encoding of the record they decode to,
        so that one record has one signed form, and must state the nationality (key 3 not
        ``null``): these are the bytes a facility signs. :meth:`from_wire` reads ``null``.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        raw = bytes(data)
        record = cls.from_wire(_cbor.loads(raw), allow_unknown_codes=allow_unknown_codes)
        if record.nationality is None:
            # The signed form is an attested record: the facility states the nationality.
            raise _fail("nationality", "a signed record must state it (null is not allowed)")
        if record.to_cbor() != raw:
            raise InvalidRecord("record CBOR is not in deterministic (canonical) form")
        return record


# --- the signed form, written out ----------------------------------------------------
# Deterministic CBOR of the wire map, by hand: its shape is fixed (keys 1..11, each one
# byte, already in canonical order; text, small unsigned ints and null), and the general
# encoder costs several times more. The tests hold it to ``_cbor.dumps(record.to_wire())``.
# Every field but the names is short ASCII (the validators see to it), so those fields and
# their CBOR heads are written as one ASCII string and encoded once.

# CBOR heads of text strings / unsigned ints below 128, as ASCII characters.
_TEXT_HEADS: Final = tuple(_cbor.head(3, n).decode("ascii") for n in range(128))
_UINT_HEADS: Final = tuple(_cbor.head(0, n).decode("ascii") for n in range(128))


def _names_cbor(family: str, given: str, family_icao: str | None, given_icao: str | None) -> bytes:
    tstr = _cbor.tstr
    if family_icao is None and given_icao is None:
        return b"\x82" + tstr(family) + tstr(given)
    return b"".join(
        (
            b"\x84",
            tstr(family),
            tstr(given),
            b"\xf6" if family_icao is None else tstr(family_icao),
            b"\xf6" if given_icao is None else tstr(given_icao),
        )
    )


def _wire_cbor(
    *,
    names: bytes,
    dob: str,
    nationality: str | None,
    disease: str,
    doses_received: int,
    vaccination_date: str,
    dose_number: int,
    vaccine: str,
    product: str,
    manufacturer: str,
    certificate_id: str,
) -> bytes | None:
    """The wire map's CBOR, keys 1..11; None if a field is not short ASCII (never for a
    validated record: the caller then uses the general encoder)."""
    h, u = _TEXT_HEADS, _UINT_HEADS
    try:
        before = f"\x02{h[len(dob)]}{dob}\x03"
        nat = "" if nationality is None else h[len(nationality)] + nationality
        after = (
            f"\x04{h[len(disease)]}{disease}\x05{u[doses_received]}"
            f"\x06{h[len(vaccination_date)]}{vaccination_date}\x07{u[dose_number]}"
            f"\x08{h[len(vaccine)]}{vaccine}\x09{h[len(product)]}{product}"
            f"\x0a{h[len(manufacturer)]}{manufacturer}"
            f"\x0b{h[len(certificate_id)]}{certificate_id}"
        )
    except IndexError:  # a field of 128 characters or more, or a count over 127
        return None
    if not (before.isascii() and nat.isascii() and after.isascii()):
        return None
    return b"".join(
        (
            b"\xab\x01",  # map(11), key 1
            names,
            before.encode("ascii"),
            b"\xf6" if nationality is None else nat.encode("ascii"),  # null: not stated
            after.encode("ascii"),
        )
    )


#: The time zone furthest ahead (UTC+14, Line Islands): a date is a local day.
LATEST_OFFSET: Final = 14 * 3600
_EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()
_MAX_EPOCH: Final = 253402300799 - LATEST_OFFSET  # the last second before 9999-12-31 there


def latest_local_day(moment: int, leeway: int = 0) -> str | None:
    """The latest calendar day (``YYYY-MM-DD``) anywhere at *moment* (+ *leeway*) seconds
    since the epoch; None outside 1970..9999.

    ISO dates and partial dates of birth compare with it as text: one is after *moment*
    exactly when it is greater (``"2027" > "2026-03-01"``, ``"2026" < "2026-03-01"``).
    """
    at = moment + leeway
    if not 0 <= at <= _MAX_EPOCH:
        return None
    return dt.date.fromordinal(_EPOCH_ORDINAL + (at + LATEST_OFFSET) // 86400).isoformat()


def signed_form(data: Mapping[str, Any], *, nationality: str | None) -> bytes | None:
    """The deterministic CBOR of the record a vaccination DCC holds: what a facility signs.

    Exactly ``VaccinationRecord.from_dcc(data, nationality=nationality,
    allow_unknown_codes=True).to_cbor()``, or None where that raises (the DCC does not form
    a valid record). A verifier needs only these bytes, so the common case (a DCC whose
    names are already in normal form, as every issuer writes them) is checked and encoded
    here without building the record; anything else takes the record's own path.
    """
    fast = _signed_form_fast(data, nationality)
    if fast is not None:
        return fast
    try:
        return VaccinationRecord.from_dcc(
            data, nationality=nationality, allow_unknown_codes=True
        ).to_cbor()
    except (InvalidRecord, SchemaError):
        return None


def _name_part_fast(text: str, dcc_icao: object) -> tuple[str | None, str] | None:
    """(ICAO override, ICAO form) as :class:`FullName` makes them for one name part read
    from a DCC, when *text* is already what the converter would make of it; else None.

    (No C-category character: ``isprintable()`` is False for every one of them.)
    """
    if (
        len(text) > MAX_NAME
        or not text.isprintable()
        or text != text.strip()
        or not unicodedata.is_normalized("NFC", text)
    ):
        return None
    try:
        ours = transliterate(text)
    except ValueError:
        return None
    if dcc_icao is None or dcc_icao == ours:  # no override: the record computes ours
        if (text and not ours) or len(ours) > MAX_NAME:
            return None
        return None, ours
    if type(dcc_icao) is not str or _ICAO.fullmatch(dcc_icao) is None or len(dcc_icao) > MAX_NAME:
        return None
    return dcc_icao, dcc_icao


def _signed_form_fast(data: Mapping[str, Any], nationality: str | None) -> bytes | None:
    """:func:`signed_form` for a DCC every record rule accepts as it stands; None when in
    doubt (the caller then asks the record). Mirrors :func:`dcc.record_fields` and the
    record's converters and validators with ``allow_unknown_codes=True``.
    """
    if type(data) is not dict:
        return None
    nam, dob, entries = data.get("nam"), data.get("dob"), data.get("v")
    if type(nam) is not dict or type(dob) is not str or type(entries) is not list:
        return None
    if len(entries) != 1 or type(entries[0]) is not dict:
        return None
    v: Any = entries[0]
    family, given = nam.get("fn", ""), nam.get("gn", "")
    if type(family) is not str or type(given) is not str:
        return None
    family_part = _name_part_fast(family, nam.get("fnt"))
    given_part = _name_part_fast(given, nam.get("gnt"))
    if family_part is None or given_part is None or not (family_part[1] or given_part[1]):
        return None
    if nationality is not None and (
        type(nationality) is not str
        or _COUNTRY.fullmatch(nationality) is None
        or not valuesets.is_known("co", nationality)
    ):
        return None
    disease, vaccine, product, manufacturer = codes = (
        v.get("tg"),
        v.get("vp"),
        v.get("mp"),
        v.get("ma"),
    )
    for code in codes:
        if type(code) is not str or _CODE.fullmatch(code) is None:
            return None
    doses_received, dose_number = counts = (v.get("sd"), v.get("dn"))
    for count in counts:
        if type(count) is not int or not 1 <= count <= MAX_DOSES:
            return None
    certificate_id, day = v.get("ci"), v.get("dt")
    if type(certificate_id) is not str or _CERT_ID.fullmatch(certificate_id) is None:
        return None
    if type(day) is not str:
        return None
    try:
        birth = _to_dob(dob)
        vaccinated = _to_day(day)
    except InvalidRecord:
        return None
    earliest = _earliest(birth)
    assert isinstance(vaccinated, dt.date)  # _to_day returns a date or raises
    if earliest is not None and vaccinated < earliest:
        return None
    return _wire_cbor(
        names=_names_cbor(family, given, family_part[0], given_part[0]),
        dob=birth if isinstance(birth, str) else birth.isoformat(),
        nationality=nationality,
        disease=disease,
        doses_received=doses_received,
        vaccination_date=vaccinated.isoformat(),
        dose_number=dose_number,
        vaccine=vaccine,
        product=product,
        manufacturer=manufacturer,
        certificate_id=certificate_id,
    )


def sample(*, vaccine: str = "AstraZeneca") -> VaccinationRecord:
    """A sample record for demos and docs: a Vietnamese citizen, with diacritics in the name.

    *vaccine* is one of the eight licensed in Viet Nam, by common name.
    """
    vp, mp, ma = valuesets.vaccine(vaccine).codes
    return VaccinationRecord(
        full_name=FullName(family="Nguyễn", given="Thị Bảo Ngọc"),
        date_of_birth="1990-05-17",
        nationality="VN",
        disease="840539006",
        doses_received=2,
        vaccination_date="2021-09-20",
        dose_number=2,
        vaccine=vp,
        product=mp,
        manufacturer=ma,
        certificate_id=uvci.new(issuer="79001", unique="4F3A9C2E7B1D4E8A"),
    )
