"""Hypothesis strategies for vaxpass_core values, for this project's tests and yours.

Needs hypothesis (a test dependency; the core never imports this module)::

    from vaxpass_core.testing import strategies as vst

    @given(vst.records())
    def test_something(record): ...

Names are Vietnamese (every vowel with every tone mark, Đ/đ, common family names) with
some other Latin names (ICAO table letters, hyphens, apostrophes) mixed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from vaxpass_core import uvci, valuesets
from vaxpass_core.record import DateOfBirth, FullName, VaccinationRecord


__all__ = ["dates_of_birth", "dccs", "full_names", "records", "vietnamese_words"]

_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
    "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip
_CODAS = ("", "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y")
_FAMILIES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Ưng",
)  # fmt: skip
_FOREIGN = (
    "Müller", "Ørsted", "d'Červenková", "Jiřina-Maria", "O'Brien", "Åsa", "Łukasz",
    "Straße", "Þórr", "Ærø", "Œuvre", "Ñúñez", "Smith", "García", "Ðorđević",
)  # fmt: skip
_EPOCH = dt.date(2020, 12, 1)  # no COVID-19 vaccination before this
_LAST = dt.date(2030, 12, 31)
_DISEASE = "840539006"


def _case(word: str, style: int) -> str:
    if style == 0:
        return word.lower()
    if style == 1:
        return word.upper()
    return word[:1].upper() + word[1:]


@st.composite
def vietnamese_words(draw: st.DrawFn) -> str:
    """One Vietnamese syllable: onset, a vowel with any tone mark, coda, in any case."""
    word = draw(st.sampled_from(_ONSETS)) + draw(st.sampled_from(_VOWELS))
    word += draw(st.sampled_from(_CODAS))
    return _case(word, draw(st.sampled_from((0, 1, 2, 2, 2, 2))))


_WORD = st.one_of(
    vietnamese_words(), vietnamese_words(), st.sampled_from(_FAMILIES), st.sampled_from(_FOREIGN)
)


_FAMILY_NAME = st.sampled_from(_FAMILIES)


def _part(min_words: int, max_words: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda words, sep: sep.join(words),
        st.lists(_WORD, min_size=min_words, max_size=max_words),
        st.sampled_from((" ", " ", " ", "-", "  ")),
    )


@st.composite
def full_names(draw: st.DrawFn) -> FullName:
    """Field 1: a family name (rarely none) and zero to four given names."""
    family = "" if draw(st.integers(0, 15)) == 0 else draw(st.one_of(_FAMILY_NAME, _part(1, 2)))
    given = draw(_part(0 if family else 1, 4))
    return FullName(family, given)


def dates_of_birth() -> st.SearchStrategy[DateOfBirth]:
    """Field 2: full dates (as ``date``), partial ``YYYY`` / ``YYYY-MM``, and rarely ``""``."""
    days = st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31))
    return st.one_of(
        days,
        days,
        days.map(lambda d: f"{d.year:04d}"),
        days.map(lambda d: f"{d.year:04d}-{d.month:02d}"),
        st.just(""),
    )


def _earliest(dob: DateOfBirth) -> dt.date:
    if isinstance(dob, dt.date):
        return dob
    if not dob:
        return _EPOCH
    return dt.date(int(dob[:4]), int(dob[5:7]) if len(dob) > 4 else 1, 1)


def _codes(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(valuesets.entries(name)))


_UNKNOWN_CODE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/.\- ]{0,30}[A-Za-z0-9]", fullmatch=True)


@st.composite
def records(draw: st.DrawFn, *, allow_unknown_codes: bool = False) -> VaccinationRecord:
    """Valid records. Codes come from the Vietnamese vaccines or any value-set entries;
    with ``allow_unknown_codes=True``, some codes are outside the value sets too."""
    dob = draw(dates_of_birth())
    start = max(_earliest(dob), _EPOCH)
    if draw(st.booleans()):
        vp, mp, ma = draw(st.sampled_from(valuesets.vn_vaccines())).codes
    else:
        vp, mp, ma = draw(_codes("vp")), draw(_codes("mp")), draw(_codes("ma"))
    disease = _DISEASE
    if allow_unknown_codes:
        pick = draw(st.integers(0, 4))
        vp = draw(_UNKNOWN_CODE) if pick == 1 else vp
        mp = draw(_UNKNOWN_CODE) if pick == 2 else mp
        ma = draw(_UNKNOWN_CODE) if pick == 3 else ma
        disease = draw(_UNKNOWN_CODE) if pick == 4 else disease
    unique = draw(st.from_regex(r"[0-9A-F]{8,32}", fullmatch=True))
    issuer = draw(st.one_of(st.none(), st.from_regex(r"[0-9]{5}", fullmatch=True)))
    return VaccinationRecord(
        full_name=draw(full_names()),
        date_of_birth=dob,
        nationality=draw(st.one_of(st.just("VN"), _codes("co"))),
        disease=disease,
        doses_received=draw(st.integers(1, 4)),
        vaccination_date=draw(st.dates(start, max(start, _LAST))),
        dose_number=draw(st.integers(1, 5)),
        vaccine=vp,
        product=mp,
        manufacturer=ma,
        certificate_id=uvci.new(issuer=issuer, unique=unique, with_checksum=draw(st.booleans())),
        allow_unknown_codes=allow_unknown_codes,
    )


_ISSUERS = st.one_of(
    st.just("Ministry of Health of Viet Nam"),
    st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=80),
)


@st.composite
def dccs(draw: st.DrawFn, *, allow_unknown_codes: bool = False) -> dict[str, Any]:
    """Vaccination DCCs (schema 1.3.0) made from :func:`records`."""
    record = draw(records(allow_unknown_codes=allow_unknown_codes))
    country = draw(st.one_of(st.just("VN"), _codes("co")))
    return record.to_dcc(country=country, issuer=draw(_ISSUERS))
