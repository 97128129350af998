"""The form rules of the 11 record fields, one copy, as plain functions over plain values.

:class:`~vaxpass_core.record.VaccinationRecord` runs them as its converters and validators;
:func:`~vaxpass_core.dcc.signed_form` runs the same functions over a DCC's values without
building the record (it is on the verifier's path). A broken rule raises
:class:`~vaxpass_core.errors.InvalidRecord` naming the field; a value of the wrong *type*
raises :class:`TypeError`.

These are form rules only: a code must look like a code, not be in a value set (whether an
unknown code is acceptable is the operation's choice: ``issue()`` refuses one unless asked,
a verifier warns or fails by its policy). The nationality is the exception that proves it:
it must be a country the country value set names, as it always had to.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Final, TypeAlias, TypeVar

import attrs

from . import valuesets
from .errors import InvalidRecord
from .icao import transliterate


__all__ = [
    "BY_NAME",
    "FIELDS",
    "MAX_DOSES",
    "MAX_NAME",
    "VALUESET_OF",
    "DateOfBirth",
    "FieldInfo",
    "after_birth",
    "certificate_id",
    "code",
    "count",
    "date_of_birth",
    "day_text",
    "earliest",
    "fail",
    "full_name",
    "nationality",
    "need",
    "normal_name",
    "vaccination_date",
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
#: The same, by field name.
BY_NAME: Final = {f.name: f for f in FIELDS}

#: The value set of each coded field (for queries and display; the record does not check it).
VALUESET_OF: Final = {"disease": "tg", "vaccine": "vp", "product": "mp", "manufacturer": "ma"}

#: A full date of birth, or a partial one (``"1983"``, ``"1983-10"``), or ``""`` (unknown).
DateOfBirth: TypeAlias = dt.date | str

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")

MAX_NAME: Final = 80  # the DCC's maxLength for fn, gn, fnt and gnt
MAX_DOSES: Final = 99  # a sanity bound: no schedule comes near it, and untrusted ints stay small
_MIN_YEAR, _MAX_YEAR = 1900, 2099  # the DCC's dob pattern: (19|20)\d\d

_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2}))?")
_ICAO = re.compile(r"[A-Z<]*")
_COUNTRY = re.compile(r"[A-Z]{2}")
# Value-set codes and identifiers: printable ASCII, no space at either end.
_CODE = re.compile(r"[!-~](?:[ -~]{0,78}[!-~])?")
_CERT_ID = re.compile(r"[!-~]{1,80}")


def fail(name: str, rule: str) -> InvalidRecord:
    """The error for field *name* breaking *rule*, naming the field's number and label."""
    info = BY_NAME.get(name)
    where = f"{name} (field {info.number}, {info.en})" if info else name
    return InvalidRecord(f"{where}: {rule}")


def need(name: str, value: object, kind: type[_T]) -> _T:
    """*value* if it is a *kind* (``bool`` is not an ``int`` here), else :class:`TypeError`."""
    if type(value) is kind:  # the usual case, answered first (this is on the verify path)
        return value
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{name} must be {kind.__name__}, not {type(value).__name__}")
    return value


# --- field 1 ---------------------------------------------------------------------------


def normal_name(value: object) -> object:
    """A name part in normal form (NFC, stripped); anything else as is, for the type check."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def _name_part(label: str, text: object, icao: object) -> tuple[str, str | None, str]:
    """One name part: (the text, the ICAO override to keep or None, and its ICAO form).

    An override equal to the form computed from *text* says nothing: it is dropped, so a
    name has one value and one signed form whether or not its issuer wrote the override.
    """
    if type(text) is not str:
        text = need(f"full_name.{label}", text, str)
    if len(text) > MAX_NAME:
        raise fail("full_name", f"{label} name has {len(text)} characters, over {MAX_NAME}")
    # isprintable() is False for every C-category character: only then look closer.
    if not text.isprintable() and any(unicodedata.category(c)[0] == "C" for c in text):
        raise fail("full_name", f"{label} name contains a control or format character")
    try:
        out: str | None = transliterate(text)
    except ValueError as exc:
        if icao is None:
            raise fail("full_name", f"{label} name: {exc}") from None
        out = None  # a script ICAO 9303 does not cover: the override is the only form
    if icao is not None and icao != out:  # one equal to ours is ours, checked below
        icao = need(f"full_name.{label}_icao", icao, str)
        if _ICAO.fullmatch(icao) is None or len(icao) > MAX_NAME:
            raise fail("full_name", f"{label} name's ICAO form must match ^[A-Z<]{{0,{MAX_NAME}}}$")
        return text, icao, icao
    assert out is not None  # transliterate() gave it (no override, or one equal to it)
    if text and not out:
        raise fail("full_name", f"{label} name {text!r} has no letters")
    if len(out) > MAX_NAME:
        raise fail("full_name", f"{label} name's ICAO form is over {MAX_NAME} characters")
    return text, None, out


# A few family names cover most of Viet Nam (and a batch repeats given names too): a name
# part without an override is checked and transliterated once, then remembered. A failing
# part raises, and is not remembered.
# Remembered as given, so that a part seen before is not even normalised again.
@functools.lru_cache(maxsize=4096)
def _plain_name_part(label: str, text: str) -> tuple[str, str | None, str]:
    return _name_part(label, normal_name(text), None)


def full_name(
    family: object, given: object, family_icao: object, given_icao: object
) -> tuple[str, str, str | None, str | None, str, str]:
    """Field 1: (family, given, family_icao, given_icao, fnt, gnt), the parts in
    :func:`normal_name` form (put in it here; a part in it already is unchanged), the ICAO
    overrides kept (or None) and the ICAO forms."""
    family, family_keep, fnt = (
        _plain_name_part("family", family)
        if family_icao is None and type(family) is str
        else _name_part("family", normal_name(family), family_icao)
    )
    given, given_keep, gnt = (
        _plain_name_part("given", given)
        if given_icao is None and type(given) is str
        else _name_part("given", normal_name(given), given_icao)
    )
    if not (fnt or gnt):
        raise fail("full_name", "family and given name are both empty")
    return family, given, family_keep, given_keep, fnt, gnt


# --- dates -----------------------------------------------------------------------------


def _year_ok(name: str, year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise fail(name, f"year {year} is outside {_MIN_YEAR}-{_MAX_YEAR}")


def _not_datetime(name: str, value: object) -> None:
    if isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a date or an ISO string, not a datetime")


def _real_day(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(name, f"{value!r} is not a real day of the calendar") from None


# The days read from ISO text that passed their rule, per field, and the text of each: a
# batch's records, and a verifier's passports, share their days (every day of birth of a
# living population fits), and each is written back as text twice (the record's CBOR and
# its DCC), where isoformat() costs several look-ups. A failing value raises, and is not
# remembered.
_MAX_DAYS: Final = 1 << 15  # about 90 years of days
_BIRTH_DAYS: dict[str, dt.date] = {}
_VACCINATION_DAYS: dict[str, dt.date] = {}
_DAY_TEXTS: dict[dt.date, str] = {}


def _put(store: dict[_K, _V], key: _K, value: _V, limit: int) -> None:
    """``store[key] = value``, the store emptied first when it holds *limit* entries (a
    bounded memo: what was forgotten is worked out again)."""
    if len(store) >= limit:
        store.clear()
    store[key] = value


def _passed_day(days: dict[str, dt.date], text: object, day: dt.date) -> dt.date:
    if type(text) is str:  # a str subclass may compare as it likes: never remembered
        _put(days, text, day, _MAX_DAYS)
        # Both fields' days: the text matched YYYY-MM-DD, so it is day.isoformat().
        _put(_DAY_TEXTS, day, text, 2 * _MAX_DAYS)
    return day


def day_text(day: DateOfBirth) -> str:
    """A day's ISO 8601 text (a partial date of birth is its text already)."""
    if type(day) is dt.date:
        text = _DAY_TEXTS.get(day)
        if text is not None:
            return text
    return day if isinstance(day, str) else day.isoformat()


def date_of_birth(value: object) -> DateOfBirth:
    """Field 2: a full date becomes a :class:`datetime.date`; a partial one stays text."""
    if type(value) is not str:  # text is the usual case (a DCC's), answered first
        _not_datetime("date_of_birth", value)
        if isinstance(value, dt.date):
            _year_ok("date_of_birth", value.year)
            return value
        if not isinstance(value, str):
            raise TypeError(f"date_of_birth must be date or str, not {type(value).__name__}")
    else:
        day = _BIRTH_DAYS.get(value)
        if day is not None:
            return day
    if value == "":
        return value  # the DCC's "unknown"
    if _FULL_DATE.fullmatch(value):
        day = _real_day("date_of_birth", value)
        _year_ok("date_of_birth", day.year)
        return _passed_day(_BIRTH_DAYS, value, day)
    match = _PARTIAL_DATE.fullmatch(value)
    if match is None:
        raise fail(
            "date_of_birth",
            f"{value!r} is not an ISO 8601 date (YYYY-MM-DD) or a partial one (YYYY, YYYY-MM)",
        )
    _year_ok("date_of_birth", int(match["y"]))
    if match["m"] is not None and not 1 <= int(match["m"]) <= 12:
        raise fail("date_of_birth", f"{value!r} has no month {match['m']}")
    return value


def vaccination_date(value: object) -> dt.date:
    """Field 6: a :class:`datetime.date`, or its ISO text."""
    if type(value) is not str:  # text is the usual case (a DCC's), answered first
        _not_datetime("vaccination_date", value)
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            raise TypeError(f"vaccination_date must be date or str, not {type(value).__name__}")
    else:
        day = _VACCINATION_DAYS.get(value)
        if day is not None:
            return day
    if _FULL_DATE.fullmatch(value):
        return _passed_day(_VACCINATION_DAYS, value, _real_day("vaccination_date", value))
    raise fail("vaccination_date", f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")


def earliest(dob: DateOfBirth) -> dt.date | None:
    """The first day a (possibly partial) date of birth can be."""
    if isinstance(dob, dt.date):
        return dob
    if not dob:
        return None
    return dt.date(int(dob[:4]), int(dob[5:7]) if len(dob) > 4 else 1, 1)


def after_birth(day: dt.date, dob: DateOfBirth) -> None:
    """Field 6 against field 2: nobody is vaccinated before they are born."""
    first = earliest(dob)
    if first is not None and day < first:
        raise fail("vaccination_date", f"{day} is before the date of birth {dob}")


# --- the other fields ------------------------------------------------------------------


# The codes and the nationalities that passed their rule, each kind apart: a batch, and a
# verifier, see the same few again and again. A failing value raises, and is not remembered.
_CODES_PASSED: set[str] = set()
_COUNTRIES_PASSED: set[str] = set()
_MAX_PASSED: Final = 4096


def _passed(values: set[str], value: str) -> None:
    if type(value) is not str:  # a str subclass may compare as it likes: never remembered
        return
    if len(values) >= _MAX_PASSED:
        values.clear()
    values.add(value)


def nationality(value: object) -> str | None:
    """Field 3: an ISO 3166-1 alpha-2 code, or None (not stated)."""
    if value is None:
        return None  # not stated: a DCC from elsewhere has no place for it
    if type(value) is not str:
        value = need("nationality", value, str)
    elif value in _COUNTRIES_PASSED:
        return value
    if _COUNTRY.fullmatch(value) is None or not valuesets.is_known("co", value):
        raise fail("nationality", f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    _passed(_COUNTRIES_PASSED, value)
    return value


def code(name: str, value: object) -> str:
    """Fields 4, 8, 9, 10: a code's form (its value set is not asked)."""
    if type(value) is not str:  # need() is called only when the usual case is not met
        value = need(name, value, str)
    elif value in _CODES_PASSED:
        return value
    if _CODE.fullmatch(value) is None:
        raise fail(name, f"{value!r} is not a code (1-80 printable ASCII characters)")
    _passed(_CODES_PASSED, value)
    return value


def count(name: str, value: object) -> int:
    """Fields 5 and 7: a whole number of doses."""
    if type(value) is not int:
        value = need(name, value, int)
    if not 1 <= value <= MAX_DOSES:
        raise fail(name, f"{value} is outside 1-{MAX_DOSES}")
    return value


def certificate_id(value: object) -> str:
    """Field 11: a UVCI's form."""
    if type(value) is not str:
        value = need("certificate_id", value, str)
    if _CERT_ID.fullmatch(value) is None:
        raise fail(
            "certificate_id", "must be 1-80 printable ASCII characters without spaces (a UVCI)"
        )
    return value
