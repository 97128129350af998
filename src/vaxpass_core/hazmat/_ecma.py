"""What JSON Schema's ``pattern`` and ``format`` mean, in Python terms.

* :func:`ecma_regex` translates an ECMA-262 regular expression with code-point semantics
  (the ``u`` flag) into Python ``re`` syntax: ``\\d`` is ASCII only, ``$`` only matches at
  the very end, ``.`` never matches a line terminator. It covers the syntax the EU DCC
  schemas use and a little more; anything else raises :class:`PatternError`, so a schema
  that needs more fails when it is compiled, not when it is used.
* :func:`date_ok` and :func:`date_time_ok` are RFC 3339 section 5.6 ``full-date`` and
  ``date-time``, with leap seconds only at 23:59:60 UTC.
"""

from __future__ import annotations

import re
from typing import Final


__all__ = ["PatternError", "date_ok", "date_time_in_date", "date_time_ok", "ecma_regex"]

# Formats (RFC 3339 section 5.6). Month and day ranges in the regex; days past 28 checked.

_DATE: Final = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])")
_DATE_TIME: Final = re.compile(
    r"([0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))[Tt]"
    r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(?:\.[0-9]+)?"
    r"(?:[Zz]|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))"
)
_MONTH_DAYS: Final = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_ok(date: str) -> bool:
    """Day within its month, for a string that matched :data:`_DATE` (year 0000 is leap)."""
    year, month, day = int(date[:4]), int(date[5:7]), int(date[8:10])
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _MONTH_DAYS[month]


def date_time_ok(value: str) -> bool:
    """RFC 3339 ``date-time``, with a leap second only at 23:59:60 UTC."""
    m = _DATE_TIME.fullmatch(value)
    if m is None or (m[1][8:] > "28" and not _days_ok(m[1])):
        return False
    if m[4] != "60":
        return True
    # A leap second is 23:59:60 in UTC: undo the offset.
    minutes = int(m[2]) * 60 + int(m[3])
    if m[5]:
        offset = int(m[6]) * 60 + int(m[7])
        minutes -= offset if m[5] == "+" else -offset
    return minutes % 1440 == 23 * 60 + 59


def date_ok(value: str) -> bool:
    """RFC 3339 ``full-date``."""
    return _DATE.fullmatch(value) is not None and (value[8:] <= "28" or _days_ok(value))


# What issuers wrote where a date belongs: a full-date, then a time of day with or without
# seconds, fraction and offset ("2021-03-09T00:00:00", "2022-01-17T05:00:00Z").
_TIME_OF_DAY: Final = re.compile(
    r"[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9](?::(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
)


def date_time_in_date(value: str) -> bool:
    """A real day (:func:`date_ok`) followed by a time of day: a date-time in a date field."""
    return len(value) > 10 and date_ok(value[:10]) and _TIME_OF_DAY.fullmatch(value, 10) is not None


# ECMA-262 patterns (u flag) -> Python re. A small translator over the syntax the EU
# schemas use and a little more; everything else is refused.

_ECMA_SPACE: Final = (
    "\\t\\n\\v\\f\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_CLASS_ESCAPES: Final = {"d": "0-9", "w": "A-Za-z0-9_", "s": _ECMA_SPACE}
_ATOM_ESCAPES: Final = {
    **{k: f"[{v}]" for k, v in _CLASS_ESCAPES.items()},
    **{k.upper(): f"[^{v}]" for k, v in _CLASS_ESCAPES.items()},
}
_CONTROL: Final = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}
_SYNTAX: Final = frozenset("^$\\.*+?()[]{}|/")
_QUANTIFIER: Final = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_HEX4: Final = re.compile(r"u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|x([0-9A-Fa-f]{2})")


class PatternError(ValueError):
    """A pattern the translator does not know (or ECMA-262 with the u flag refuses)."""


def _escape_char(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The character an escape at ``pattern[i] == '\\'`` stands for; (char, next index)."""
    c = pattern[i + 1 : i + 2]
    if c in _CONTROL:
        return _CONTROL[c], i + 2
    if c in _SYNTAX or (in_class and c == "-"):
        return c, i + 2
    if in_class and c == "b":
        return "\b", i + 2
    if c == "0" and not pattern[i + 2 : i + 3].isdigit():
        return "\0", i + 2
    if c == "c" and pattern[i + 2 : i + 3].isascii() and pattern[i + 2 : i + 3].isalpha():
        return chr(ord(pattern[i + 2]) % 32), i + 3
    m = _HEX4.match(pattern, i + 1)
    if m is None:
        raise PatternError(f"escape \\{c} is not supported")
    code = int(m[1] or m[2] or m[3], 16)
    end = m.end()
    low = _HEX4.match(pattern, end + 1) if pattern[end : end + 1] == "\\" else None
    if 0xD800 <= code < 0xDC00 and m[1] and low and low[1] and 0xDC00 <= int(low[1], 16) < 0xE000:
        code = 0x10000 + ((code - 0xD800) << 10) + (int(low[1], 16) - 0xDC00)
        end = low.end()
    if code > 0x10FFFF:
        raise PatternError("code point out of range")
    return chr(code), end


def _class_char(c: str) -> str:
    return "\\" + c if c in "\\]^-[&~|" else c


def _translate_class(pattern: str, i: int) -> tuple[str, int]:
    """Translate ``[...]`` starting at ``pattern[i] == '['``."""
    i += 1
    negate = pattern[i : i + 1] == "^"
    i += negate
    items: list[str] = []
    while True:
        if i >= len(pattern):
            raise PatternError("unterminated character class")
        c = pattern[i]
        if c == "]":
            break
        if c == "\\" and pattern[i + 1 : i + 2] in _CLASS_ESCAPES:
            items.append(_CLASS_ESCAPES[pattern[i + 1]])
            if pattern[i + 2 : i + 3] == "-" and pattern[i + 3 : i + 4] != "]":
                raise PatternError("a class escape cannot bound a range")
            i += 2
            continue
        if c == "\\" and pattern[i + 1 : i + 2] in ("D", "W", "S"):
            raise PatternError(f"\\{pattern[i + 1]} inside a class is not supported")
        lo, i = _escape_char(pattern, i, True) if c == "\\" else (c, i + 1)
        if pattern[i : i + 1] == "-" and pattern[i + 1 : i + 2] not in ("]", ""):
            if pattern[i + 1] == "\\":
                if pattern[i + 2 : i + 3] in _CLASS_ESCAPES or pattern[i + 2 : i + 3] in "DWS":
                    raise PatternError("a class escape cannot bound a range")
                hi, i = _escape_char(pattern, i + 1, True)
            else:
                hi, i = pattern[i + 1], i + 2
            if hi < lo:
                raise PatternError("range out of order in character class")
            items.append(f"{_class_char(lo)}-{_class_char(hi)}")
        else:
            items.append(_class_char(lo))
    if not items:
        return ("[\\s\\S]" if negate else "(?!)"), i + 1
    return "[" + ("^" if negate else "") + "".join(items) + "]", i + 1


def ecma_regex(pattern: str) -> re.Pattern[str]:
    """*pattern* (ECMA-262, u flag) as a compiled Python regex; PatternError if untranslatable."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt in _ATOM_ESCAPES:
                out.append(_ATOM_ESCAPES[nxt])
                i += 2
                continue
            ch, i = _escape_char(pattern, i, False)
            out.append(re.escape(ch))
            continue
        if c == "[":
            part, i = _translate_class(pattern, i)
            out.append(part)
            continue
        if c == "{":
            m = _QUANTIFIER.match(pattern, i)
            if m is None:
                raise PatternError("a lone '{' is a syntax error with the u flag")
            out.append(m[0])
            i = m.end()
            continue
        if c == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            raise PatternError("only (...) and (?:...) groups are supported")
        if c in "}]":
            raise PatternError(f"a lone {c!r} is a syntax error with the u flag")
        if c == "+" and out and (out[-1] in ("*", "+", "?") or out[-1].startswith("{")):
            # Python 3.11 reads "a*+" as possessive; ECMA-262 refuses it.
            raise PatternError("a quantifier cannot follow a quantifier")
        # ^ and $ never see line breaks (no m flag); . stops at every ECMA line terminator.
        table = {"^": "\\A", "$": "\\Z", ".": "[^\\n\\r\\u2028\\u2029]"}
        out.append(table.get(c) or (c if c in "()|*+?" else re.escape(c)))
        i += 1
    return re.compile("".join(out))
