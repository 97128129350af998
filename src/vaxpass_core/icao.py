"""Names to the ICAO 9303 machine-readable form that the DCC's ``fnt`` and ``gnt`` carry.

The rules (ICAO Doc 9303 Part 3, section 6, applied as the EU DCC guidelines do):

* Vietnamese letters lose every mark: NFD decomposition, then the combining marks
  (tones, breve, circumflex, horn) are dropped; ``Đ``/``đ``, which has no decomposition,
  becomes ``D``. So Ư, Ơ, Ă, Â, Ê, Ô become U, O, A, A, E, O.
* Other Latin letters follow the ICAO table: letters with marks lose them, and the
  letters the table spells out take two characters (``Ä`` → ``AE``, ``Å`` → ``AA``,
  ``Ö``/``Ø``/``Œ`` → ``OE``, ``Ü`` → ``UE``, ``Æ`` → ``AE``, ``ß`` → ``SS``, ``Þ`` → ``TH``,
  ``Ĳ`` → ``IJ``).
* Spaces and hyphens become the filler ``<`` (runs collapse to one, none at the ends);
  apostrophes, full stops and commas are dropped.
* Anything else (digits, other scripts, symbols) has no ICAO Latin form here and is
  refused with :class:`ValueError`: a wrong name should not turn silently into a
  different one on a travel document.

The result matches ``^[A-Z<]*$``. Length limits are the caller's business (the record
refuses a transliteration over 80 characters, the DCC maximum).
"""

from __future__ import annotations

import re
import unicodedata


__all__ = ["transliterate"]

#: ICAO 9303 Part 3 letters that take a two-letter (or a non-obvious) form.
_SPECIAL = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "Ü": "UE",
    "ß": "SS",
    "ẞ": "SS",
    "Þ": "TH",
    "Ĳ": "IJ",
    "Ð": "D",
    "Đ": "D",
    "Ħ": "H",
    "Ł": "L",
    "Ŀ": "L",
    "Ŋ": "N",
    "Ŧ": "T",
    "\u0131": "I",  # dotless i
    "ĸ": "K",
}
_SEPARATORS = " \t-\u00a0\u2010\u2011\u2012\u2013<"
_DROPPED = "'\u2019\u2018\u02bc`\u00b4.,"


def _build_table() -> dict[int, str]:
    """One ``str.translate`` table for every Latin letter we know, both cases.

    Built once at import: translation is then a single C-level pass per name.
    """
    table: dict[int, str] = {}
    # Basic Latin, Latin-1, Latin Extended-A/B and Latin Extended Additional (where the
    # precomposed Vietnamese letters live).
    ranges = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF))
    for low, high in ranges:
        for cp in range(low, high + 1):
            char = chr(cp)
            if not char.isalpha():
                continue
            upper = char.upper()
            special = _SPECIAL.get(char) or _SPECIAL.get(upper)
            if special is not None:
                table[cp] = special
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFD", upper) if not unicodedata.combining(c)
            )
            if base.isascii() and base.isalpha():
                table[cp] = base
    # Combining marks of text that arrives decomposed (NFD) are dropped too.
    for cp in range(0x300, 0x370):
        table[cp] = ""
    for char in _SEPARATORS:
        table[ord(char)] = "<"
    for char in _DROPPED:
        table[ord(char)] = ""
    return table


_TABLE = _build_table()
_VALID = re.compile(r"[A-Z<]*")
_FILLER_RUN = re.compile(r"<{2,}")


def transliterate(name: str) -> str:
    """Return the ICAO 9303 form of *name*: ``"Nguyễn Thị"`` → ``"NGUYEN<THI"``.

    Raises :class:`TypeError` for a non-``str`` and :class:`ValueError` for a character
    with no ICAO Latin transliteration.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be str, not {type(name).__name__}")
    out = name.translate(_TABLE)
    if _VALID.fullmatch(out) is None:
        bad = next(c for c in name if ord(c) not in _TABLE)
        raise ValueError(f"{bad!r} (U+{ord(bad):04X}) has no ICAO 9303 Latin transliteration")
    if "<<" in out:
        out = _FILLER_RUN.sub("<", out)
    return out.strip("<")
