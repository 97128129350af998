from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vaxpass_core.icao as tr
from vaxpass_core.testing import strategies as vst


if TYPE_CHECKING:
    from vaxpass_core.record import FullName


# Every Vietnamese vowel with every tone (none, huyền, sắc, hỏi, ngã, nặng), typed out
# rather than generated, so the table does not share a bug with the implementation.
LOWER_VOWELS = {
    "A": "aàáảãạăằắẳẵặâầấẩẫậ",
    "E": "eèéẻẽẹêềếểễệ",
    "I": "iìíỉĩị",
    "O": "oòóỏõọôồốổỗộơờớởỡợ",
    "U": "uùúủũụưừứửữự",
    "Y": "yỳýỷỹỵ",
}
UPPER_VOWELS = {
    "A": "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
    "E": "EÈÉẺẼẸÊỀẾỂỄỆ",
    "I": "IÌÍỈĨỊ",
    "O": "OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
    "U": "UÙÚỦŨỤƯỪỨỬỮỰ",
    "Y": "YỲÝỶỸỴ",
}
CONSONANTS = "bcdđghklmnpqrstvx"

TABLE = [
    (letter, base)
    for vowels in (LOWER_VOWELS, UPPER_VOWELS)
    for base, letters in vowels.items()
    for letter in letters
] + [(c, "D" if c in "đĐ" else c.upper()) for c in CONSONANTS + CONSONANTS.upper()]


def test_the_table_is_complete() -> None:
    # 12 vowels x 6 tones, both cases; 17 consonants (with đ), both cases.
    assert len(TABLE) == 2 * 72 + 2 * 17
    assert len({letter for letter, _ in TABLE}) == len(TABLE)
    for base, letters in LOWER_VOWELS.items():
        assert letters.upper() == UPPER_VOWELS[base]


@pytest.mark.parametrize(("letter", "expected"), TABLE, ids=[c for c, _ in TABLE])
def test_every_vietnamese_letter(letter: str, expected: str) -> None:
    assert len(letter) == 1  # precomposed (NFC), as typed
    assert tr.transliterate(letter) == expected
    # The same letter arriving decomposed (NFD) gives the same result.
    assert tr.transliterate(unicodedata.normalize("NFD", letter)) == expected
    # And inside a word.
    assert tr.transliterate(f"x{letter}x") == f"X{expected}X"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nguyễn", "NGUYEN"),
        ("Nguyễn Thị", "NGUYEN<THI"),
        ("Bảo Duy", "BAO<DUY"),
        ("Trương Ưng", "TRUONG<UNG"),
        ("Đặng Thùy Dương", "DANG<THUY<DUONG"),
        ("Ông Ích Khiêm", "ONG<ICH<KHIEM"),
        ("  Lê   Văn  ", "LE<VAN"),
        ("Lê-Phạm", "LE<PHAM"),
        ("Lê - Phạm", "LE<PHAM"),
        ("d'Červenková Panklová", "DCERVENKOVA<PANKLOVA"),
        ("O\u2019Brien", "OBRIEN"),
        ("Jiřina-Maria Alena", "JIRINA<MARIA<ALENA"),
        ("Müller", "MUELLER"),
        ("Åsa Ærø", "AASA<AEROE"),
        ("Ørsted", "OERSTED"),
        ("Œuvre", "OEUVRE"),
        ("Straße", "STRASSE"),
        ("Þór", "THOR"),
        ("Łukasz", "LUKASZ"),
        ("Ñúñez", "NUNEZ"),
        ("J. R.", "J<R"),
        ("", ""),
    ],
)
def test_names(name: str, expected: str) -> None:
    assert tr.transliterate(name) == expected


@pytest.mark.parametrize("name", ["Иван", "李", "Nguyen2", "A@B", "Lê\u200bVăn", "Ω"])
def test_characters_without_an_icao_latin_form_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="ICAO 9303"):
        tr.transliterate(name)


def test_wrong_type() -> None:
    with pytest.raises(TypeError):
        tr.transliterate(b"Nguyen")  # type: ignore[arg-type]


@given(vst.full_names())
def test_output_is_always_icao(name: FullName) -> None:
    for part in (name.family, name.given):
        out = tr.transliterate(part)
        assert re.fullmatch(r"(?:[A-Z]+(?:<[A-Z]+)*)?", out)


@given(st.text(max_size=40))
def test_any_text_either_transliterates_or_raises_value_error(text: str) -> None:
    try:
        out = tr.transliterate(text)
    except ValueError:
        return
    assert re.fullmatch(r"[A-Z<]*", out)
    assert not out.startswith("<")
    assert not out.endswith("<")
    assert "<<" not in out
