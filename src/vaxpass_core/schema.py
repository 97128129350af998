"""EU DCC JSON-schema validation, exact and fast.

A DCC is checked against the schema version it declares in ``ver`` (see
:func:`schema_version_for`). Each shipped schema is compiled once, on first use, from the
JSON-schema subset the EU files use into the source of one plain Python function, which is
then cached. Generated code, rather than a tree of closures, because a closure per keyword
costs a call per keyword and the verifier has a budget of a few microseconds.

Semantics are those of JSON Schema draft 2020-12, with three decisions:

* ``format`` is asserted for ``date`` (RFC 3339 ``full-date``) and ``date-time`` (RFC 3339
  ``date-time``, with leap seconds only at 23:59:60 UTC), as EU verifiers check dates.
* ``pattern`` is an ECMA-262 regular expression with code-point semantics (the ``u`` flag):
  ``\\d`` is ASCII only, ``$`` only matches at the very end, ``.`` never matches a line
  terminator. Patterns are translated to Python ``re`` syntax; anything the translator
  does not know fails at compile time.
* The instance must be JSON: object keys are strings; no NaN, infinities, bytes, tags or
  other CBOR-only values anywhere. (``True`` is not an integer; ``1.0`` is.)

A keyword the compiler does not implement fails loudly at compile time, so a future schema
cannot be silently under-checked.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from importlib import resources
from typing import Any, Final

from .errors import SchemaError


__all__ = ["LATEST_VERSION", "SUPPORTED_VERSIONS", "schema_version_for", "validate"]

#: The shipped schema versions, oldest first.
SUPPORTED_VERSIONS: Final = (
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.2.0",
    "1.2.1",
    "1.3.0",
    "1.3.1",
    "1.3.2",
    "1.3.3",
)
#: Used for any declared 1.x.y newer than every shipped version.
LATEST_VERSION: Final = SUPPORTED_VERSIONS[-1]

_KNOWN: Final = frozenset(SUPPORTED_VERSIONS)
# Semantic versioning 2.0.0 numbers: ASCII digits, no leading zeros, no pre-release part.
_SEMVER: Final = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def _version_key(parts: tuple[str, ...] | list[str]) -> tuple[tuple[int, str], ...]:
    # Numbers without leading zeros order by (length, text): no int() on a 5000-digit string.
    return tuple((len(p), p) for p in parts)


_KEYS: Final = [(_version_key(v.split(".")), v) for v in SUPPORTED_VERSIONS]


def schema_version_for(dcc: object) -> str:
    """The shipped schema version :func:`validate` uses for *dcc*.

    The declared ``ver`` if shipped; otherwise the newest shipped version not newer than it
    (so any newer 1.x.y gets the newest). Raises :class:`SchemaError` when *dcc* is not an
    object or ``ver`` is missing, not a string, not ``MAJOR.MINOR.PATCH`` or not 1.x.y.
    """
    if not isinstance(dcc, dict):
        raise SchemaError(f"$: {_show(dcc)} is not of type object")
    ver = dcc.get("ver", _MISSING)
    if ver is _MISSING:
        raise SchemaError('$: required property "ver" (the schema version) is missing')
    if not isinstance(ver, str):
        raise SchemaError(f"ver: {_show(ver)} is not of type string")
    if ver in _KNOWN:
        return ver
    m = _SEMVER.fullmatch(ver)
    if m is None:
        raise SchemaError(f"ver: {_show(ver)} is not a schema version MAJOR.MINOR.PATCH")
    if m[1] != "1":
        raise SchemaError(f"ver: {_show(ver)} has an unsupported major version; 1.x.y is")
    key = _version_key(m.groups())
    return [v for k, v in _KEYS if k <= key][-1]  # 1.0.0 <= every 1.x.y


def validate(dcc: object, *, version: str | None = None) -> None:
    """Check *dcc* against its schema; raise :class:`SchemaError` naming the path and rule.

    *version* forces a shipped schema version instead of the declared one. Never raises
    anything but :class:`SchemaError` for any *dcc*; a *version* that is not shipped is a
    wrong call (:class:`ValueError`).
    """
    if version is not None and (not isinstance(version, str) or version not in _KNOWN):
        raise ValueError(f"unknown schema version {version!r}; shipped: {SUPPORTED_VERSIONS}")
    try:
        chosen = version or schema_version_for(dcc)
    except SchemaError:
        raise
    except Exception as exc:  # a dict subclass whose get() raises, ...
        raise SchemaError(f"$: cannot be validated ({type(exc).__name__})") from exc
    check = _VALIDATORS.get(chosen) or _load(chosen)  # outside the net: compile errors are bugs
    try:
        check(dcc)
    except SchemaError:
        raise
    except Exception as exc:  # a safety net: odd objects (a dict whose keys() raises, ...)
        raise SchemaError(f"$: cannot be validated ({type(exc).__name__})") from exc


# ---------------------------------------------------------------------------------------
# Messages. Built only on failure; every value is shown bounded (no 5000-digit ints).


class _Missing:
    __slots__ = ()


_MISSING: Final = _Missing()
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _format_path(parts: tuple[object, ...]) -> str:
    """``("v", 0, "dn")`` -> ``v[0].dn``; the root is ``$``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and _IDENT.fullmatch(p):
            out += f".{p}" if out else p
        else:
            out += f"[{_show(p)}]"
    return out or "$"


def _show(value: object) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 200:
            sign = "a negative" if value < 0 else "an"
            return f"{sign} integer of about {int(value.bit_length() * 0.30103)} digits"
        return str(int(value))
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else repr(value).replace("inf", "Infinity")
    if isinstance(value, str):
        text = json.dumps(str(value[:60]))
        return f'{text[:-1]}..."' if len(value) > 60 else text
    if isinstance(value, dict):
        return f"an object of {len(value)} properties"
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    return f"a value of type {type(value).__name__}"


def _fail(path: tuple[object, ...], message: str) -> SchemaError:
    return SchemaError(f"{_format_path(path)}: {message}")


def _e_type(path: tuple[object, ...], value: object, types: str) -> SchemaError:
    return _fail(path, f"{_show(value)} is not of type {types}")


def _e_required(
    path: tuple[object, ...], obj: dict[Any, Any], names: tuple[str, ...]
) -> SchemaError:
    missing = next(n for n in names if n not in obj)
    return _fail(path, f"required property {_show(missing)} is missing")


def _e_additional(
    path: tuple[object, ...], obj: dict[Any, Any], known: frozenset[str]
) -> SchemaError:
    extra = next(k for k in obj if k not in known)
    return _fail(path, f"property {_show(extra)} is not allowed")


def _e_rule(path: tuple[object, ...], value: object, rule: str, limit: object) -> SchemaError:
    texts = {
        "minimum": "is less than the minimum",
        "maximum": "is greater than the maximum",
        "exclusiveMinimum": "is not greater than the exclusiveMinimum",
        "exclusiveMaximum": "is not less than the exclusiveMaximum",
        "pattern": "does not match the pattern",
        "format": "is not a valid",
    }
    shown = limit if rule == "format" else _show(limit)
    return _fail(path, f"{_show(value)} {texts[rule]} {shown}")


def _e_count(path: tuple[object, ...], value: str | list[Any], label: str) -> SchemaError:
    noun = "the array" if isinstance(value, list) else _show(value)
    return _fail(path, f"{noun} has {len(value)} {label}")


def _e_alternatives(path: tuple[object, ...], keyword: str, count: int, desc: str) -> SchemaError:
    need = "exactly one" if keyword == "oneOf" else "at least one"
    return _fail(path, f"matches {count} of the {keyword} alternatives, {need} is required: {desc}")


# The instance must be JSON. Values the schema does not describe are walked here, bounded
# in depth (cbor2 value sharing can build cycles) and in size.
_MAX_DEPTH: Final = 64
_MAX_NODES: Final = 100_000


def _check_json(value: object, path: tuple[object, ...]) -> None:
    stack: list[tuple[object, tuple[object, ...]]] = [(value, path)]
    seen = 0
    while stack:
        v, p = stack.pop()
        seen += 1
        if seen > _MAX_NODES or len(p) > _MAX_DEPTH:
            raise _fail(p, "the value is nested too deeply or too large")
        if isinstance(v, str | bool | int) or v is None:
            continue
        if isinstance(v, float):
            if math.isfinite(v):
                continue
            raise _fail(p, f"{_show(v)} is not a JSON number")
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise _fail(p, f"has a key that is not a string: {_show(k)}")
                stack.append((x, (*p, k)))
        elif isinstance(v, list):
            stack.extend((x, (*p, i)) for i, x in enumerate(v))
        else:
            raise _fail(p, f"{_show(v)} is not a JSON value")


def _check_extra(path: tuple[object, ...], obj: dict[Any, Any], known: frozenset[str]) -> None:
    # Properties the schema does not name are allowed, but must still be JSON.
    for k, x in obj.items():
        if k not in known:
            if not isinstance(k, str):
                raise _fail(path, f"has a key that is not a string: {_show(k)}")
            _check_json(x, (*path, k))


# ---------------------------------------------------------------------------------------
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


def _date_time_ok(value: str) -> bool:
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


def _date_ok(value: str) -> bool:
    return _DATE.fullmatch(value) is not None and (value[8:] <= "28" or _days_ok(value))


_FORMATS: Final = {"date": "_date_ok", "date-time": "_date_time_ok"}


# ---------------------------------------------------------------------------------------
# ECMA-262 patterns (u flag) -> Python re. A small translator over the syntax the EU
# schemas use and a little more; everything else is refused at compile time.

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


class _PatternError(ValueError):
    pass


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
        raise _PatternError(f"escape \\{c} is not supported")
    code = int(m[1] or m[2] or m[3], 16)
    end = m.end()
    low = _HEX4.match(pattern, end + 1) if pattern[end : end + 1] == "\\" else None
    if 0xD800 <= code < 0xDC00 and m[1] and low and low[1] and 0xDC00 <= int(low[1], 16) < 0xE000:
        code = 0x10000 + ((code - 0xD800) << 10) + (int(low[1], 16) - 0xDC00)
        end = low.end()
    if code > 0x10FFFF:
        raise _PatternError("code point out of range")
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
            raise _PatternError("unterminated character class")
        c = pattern[i]
        if c == "]":
            break
        if c == "\\" and pattern[i + 1 : i + 2] in _CLASS_ESCAPES:
            items.append(_CLASS_ESCAPES[pattern[i + 1]])
            if pattern[i + 2 : i + 3] == "-" and pattern[i + 3 : i + 4] != "]":
                raise _PatternError("a class escape cannot bound a range")
            i += 2
            continue
        if c == "\\" and pattern[i + 1 : i + 2] in ("D", "W", "S"):
            raise _PatternError(f"\\{pattern[i + 1]} inside a class is not supported")
        lo, i = _escape_char(pattern, i, True) if c == "\\" else (c, i + 1)
        if pattern[i : i + 1] == "-" and pattern[i + 1 : i + 2] not in ("]", ""):
            if pattern[i + 1] == "\\":
                if pattern[i + 2 : i + 3] in _CLASS_ESCAPES or pattern[i + 2 : i + 3] in "DWS":
                    raise _PatternError("a class escape cannot bound a range")
                hi, i = _escape_char(pattern, i + 1, True)
            else:
                hi, i = pattern[i + 1], i + 2
            if hi < lo:
                raise _PatternError("range out of order in character class")
            items.append(f"{_class_char(lo)}-{_class_char(hi)}")
        else:
            items.append(_class_char(lo))
    if not items:
        return ("[\\s\\S]" if negate else "(?!)"), i + 1
    return "[" + ("^" if negate else "") + "".join(items) + "]", i + 1


def _ecma_regex(pattern: str) -> re.Pattern[str]:
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
                raise _PatternError("a lone '{' is a syntax error with the u flag")
            out.append(m[0])
            i = m.end()
            continue
        if c == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            raise _PatternError("only (...) and (?:...) groups are supported")
        if c in "}]":
            raise _PatternError(f"a lone {c!r} is a syntax error with the u flag")
        if c == "+" and out and (out[-1] in ("*", "+", "?") or out[-1].startswith("{")):
            # Python 3.11 reads "a*+" as possessive; ECMA-262 refuses it.
            raise _PatternError("a quantifier cannot follow a quantifier")
        # ^ and $ never see line breaks (no m flag); . stops at every ECMA line terminator.
        table = {"^": "\\A", "$": "\\Z", ".": "[^\\n\\r\\u2028\\u2029]"}
        out.append(table.get(c) or (c if c in "()|*+?" else re.escape(c)))
        i += 1
    return re.compile("".join(out))


# ---------------------------------------------------------------------------------------
# The compiler: schema -> Python source of one function per schema version.

_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "valueset-uri"}
)
_TYPES: Final = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "integer": "({v}.__class__ is int or _is_integer({v}))",
    "number": "({v}.__class__ is int or _is_number({v}))",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
}
_ALL_TYPES: Final = frozenset(_TYPES)
_GROUPS: Final = {
    "object": frozenset({"object"}),
    "array": frozenset({"array"}),
    "string": frozenset({"string"}),
    "number": frozenset({"integer", "number"}),
}
_KEYWORD_GROUP: Final = {
    "required": "object",
    "properties": "object",
    "additionalProperties": "object",
    "items": "array",
    "minItems": "array",
    "maxItems": "array",
    "pattern": "string",
    "maxLength": "string",
    "minLength": "string",
    "format": "string",
    "minimum": "number",
    "maximum": "number",
    "exclusiveMinimum": "number",
    "exclusiveMaximum": "number",
}
_SUPPORTED: Final = frozenset({"type", "$ref", "oneOf", "anyOf", "allOf", *_KEYWORD_GROUP})
_DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"


def _is_integer(x: object) -> bool:
    # JSON Schema: an integer is any number with no fractional part; true is not a number.
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: object) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and math.isfinite(x))


@dataclasses.dataclass(frozen=True, slots=True)
class _Site:
    """Where generated checks go: the code, the variable, its path, the indent, the mode."""

    out: list[str]
    v: str
    path: tuple[str, ...]  # Python expressions: "'v'", "i3", "'dn'"
    ind: int
    raise_: bool  # False inside oneOf/anyOf branch functions, which return False instead
    where: str  # JSON pointer into the schema, for compile errors

    @property
    def pexpr(self) -> str:
        return "(" + "".join(f"{p}, " for p in self.path) + ")"

    def line(self, text: str, extra: int = 0) -> None:
        self.out.append("    " * (self.ind + extra) + text)

    def fail(self, call: str, extra: int = 1) -> None:
        self.line(f"raise {call}" if self.raise_ else "return False", extra)

    def at(self, v: str, part: str | None, where: str, extra: int = 0) -> _Site:
        path = self.path if part is None else (*self.path, part)
        return _Site(self.out, v, path, self.ind + extra, self.raise_, where)


class _Compiler:
    def __init__(self, root: dict[str, Any], version: str) -> None:
        self.root = root
        self.version = version
        self.ns: dict[str, Any] = {
            "_MISSING": _MISSING,
            "_is_integer": _is_integer,
            "_is_number": _is_number,
            "_date_ok": _date_ok,
            "_date_time_ok": _date_time_ok,
            "_check_json": _check_json,
            "_check_extra": _check_extra,
            "_e_type": _e_type,
            "_e_required": _e_required,
            "_e_additional": _e_additional,
            "_e_rule": _e_rule,
            "_e_count": _e_count,
            "_e_alternatives": _e_alternatives,
        }
        self.functions: list[list[str]] = []
        self.counter = 0
        self.refs: list[str] = []

    def error(self, where: str, what: str) -> NotImplementedError:
        return NotImplementedError(f"DCC schema {self.version}, {where or '#'}: {what}")

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: object) -> str:
        name = self.name("_c")
        self.ns[name] = value
        return name

    def compile(self) -> Any:
        if self.root.get("$schema") != _DRAFT:
            raise self.error("", f"$schema must be {_DRAFT}")
        main = ["def _validate(x0):"]
        self.emit(_Site(main, "x0", (), 1, True, ""), self.root, None)
        self.functions.insert(0, main)
        source = "\n".join("\n".join(f) for f in self.functions) + "\n"
        exec(compile(source, f"<DCC schema {self.version}>", "exec"), self.ns)  # noqa: S102
        self.ns["__source__"] = source
        return self.ns["_validate"]

    def resolve(self, ref: object, where: str) -> tuple[object, str]:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise self.error(where, f"$ref {ref!r}: only local JSON pointers are supported")
        node: Any = self.root
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or key not in node:
                raise self.error(where, f"$ref {ref!r} does not resolve")
            node = node[key]
        if ref in self.refs:
            raise self.error(where, f"$ref {ref!r} is recursive")
        return node, ref

    def emit(
        self, site: _Site, schema: object, known: frozenset[str] | None
    ) -> frozenset[str] | None:
        """Append the checks of *schema* at *site*; return the types the value is known to have."""
        v, where = site.v, site.where
        if schema is True or schema == {}:
            if site.raise_ and known is None:
                site.line(f"_check_json({v}, {site.pexpr})")
            return known
        if schema is False:
            site.fail(f"_e_type({site.pexpr}, {v}, {self.const('nothing (false schema)')})", 0)
            return frozenset()
        if not isinstance(schema, dict):
            raise self.error(where, "a schema must be an object or a boolean")
        for key in schema:
            if key not in _SUPPORTED and key not in _ANNOTATIONS:
                raise self.error(where, f"keyword {key!r} is not supported")
        if "$id" in schema and schema is not self.root:
            raise self.error(where, "$id below the root is not supported")
        if "type" in schema:
            types = schema["type"]
            names = (types,) if isinstance(types, str) else tuple(types)
            if not names or any(t not in _TYPES for t in names):
                raise self.error(where, f"type {types!r} is not supported")
            allowed = frozenset(names)
            if known is None or not known <= allowed:
                test = " or ".join(_TYPES[t].format(v=v) for t in names)
                site.line(f"if not ({test}):")
                site.fail(f"_e_type({site.pexpr}, {v}, {self.const(' or '.join(names))})")
            known = allowed if known is None else known & allowed
        if "$ref" in schema:
            target, ref = self.resolve(schema["$ref"], where)
            self.refs.append(ref)
            known = self.emit(site.at(v, None, ref), target, known)
            self.refs.pop()
        present: set[str] = set()
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                present |= self.alternatives(site, schema, keyword, known)
        for i, sub in enumerate(schema.get("allOf", ())):
            known = self.emit(site.at(v, None, f"{where}/allOf/{i}"), sub, known)
        for group, gtypes in _GROUPS.items():
            keys = [k for k in schema if _KEYWORD_GROUP.get(k) == group]
            # A bare {"type": "object"} or "array" still needs its contents checked as JSON.
            bare = group in ("object", "array") and "type" in schema and known == gtypes
            if (not keys and not bare) or (known is not None and not known & gtypes):
                continue
            inner = site
            if known is None or not known <= gtypes:
                site.line(f"if {_TYPES[group].format(v=v)}:")
                inner = site.at(v, None, where, 1)
            before = len(site.out)
            getattr(self, f"emit_{group}")(inner, schema, present)
            if len(site.out) == before:
                inner.line("pass")
        if site.raise_ and (known is None or (len(known) > 1 and known & {"object", "array"})):
            site.line(f"_check_json({v}, {site.pexpr})")
        return known

    def alternatives(
        self, site: _Site, schema: dict[str, Any], keyword: str, known: frozenset[str] | None
    ) -> set[str]:
        """Emit oneOf / anyOf; return the property names present once it passed."""
        branches = schema[keyword]
        if not isinstance(branches, list) or not branches:
            raise self.error(site.where, f"{keyword} must be a non-empty array")
        exprs: list[str] = []
        required_sets: list[set[str]] = []
        for i, branch in enumerate(branches):
            where = f"{site.where}/{keyword}/{i}"
            if isinstance(branch, dict) and set(branch) - _ANNOTATIONS == {"required"}:
                # The EU schemas' only use: inline a key-set test instead of a call.
                names = self.required_names(branch["required"], where)
                required_sets.append(set(names))
                test = f"{site.v}.keys() >= {self.const(frozenset(names))}"
                if known != _GROUPS["object"]:
                    test = f"(not isinstance({site.v}, dict) or {test})"
                exprs.append(test)
                continue
            fname = self.name("_branch")
            body = [f"def {fname}(b):"]
            self.emit(_Site(body, "b", (), 1, False, where), branch, known)
            body.append("    return True")
            self.functions.append(body)
            exprs.append(f"{fname}({site.v})")
            required_sets.append(set())
        desc = self.const(" | ".join(json.dumps(b, separators=(",", ":")) for b in branches))
        kw = json.dumps(keyword)
        if keyword == "oneOf":
            n = self.name("n")
            site.line(f"{n} = " + " + ".join(f"({e})" for e in exprs))
            site.line(f"if {n} != 1:")
            site.fail(f"_e_alternatives({site.pexpr}, {kw}, {n}, {desc})")
        else:
            site.line("if not (" + " or ".join(f"({e})" for e in exprs) + "):")
            site.fail(f"_e_alternatives({site.pexpr}, {kw}, 0, {desc})")
        return set.intersection(*required_sets)

    def required_names(self, names: object, where: str) -> tuple[str, ...]:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.error(where, "required must be an array of strings")
        return tuple(names)

    def emit_object(self, site: _Site, schema: dict[str, Any], present: set[str]) -> None:
        v, pexpr, where = site.v, site.pexpr, site.where
        if "required" in schema:
            names = self.required_names(schema["required"], where)
            site.line(f"if not {v}.keys() >= {self.const(frozenset(names))}:")
            site.fail(f"_e_required({pexpr}, {v}, {self.const(names)})")
            present = present | set(names)
        props = schema.get("properties", {})
        if not isinstance(props, dict):
            raise self.error(where, "properties must be an object")
        for key, sub in props.items():
            x, lit, sub_where = self.name("x"), repr(key), f"{where}/properties/{key}"
            if key in present:  # already checked: index directly
                site.line(f"{x} = {v}[{lit}]")
                self.emit(site.at(x, lit, sub_where), sub, None)
            else:
                site.line(f"{x} = {v}.get({lit}, _MISSING)")
                site.line(f"if {x} is not _MISSING:")
                before = len(site.out)
                self.emit(site.at(x, lit, sub_where, 1), sub, None)
                if len(site.out) == before:
                    site.line("pass", 1)
        known = self.const(frozenset(props))
        extra = schema.get("additionalProperties", True)
        if extra is False:
            site.line(f"if not {known}.issuperset({v}):")
            site.fail(f"_e_additional({pexpr}, {v}, {known})")
        elif extra is not True:
            k, x = self.name("k"), self.name("x")
            site.line(f"for {k}, {x} in {v}.items():")
            site.line(f"if {k} in {known}:", 1)
            site.line("continue", 2)
            site.line(f"if not isinstance({k}, str):", 1)
            site.fail(f"_e_type({pexpr}, {k}, {self.const('string (object key)')})", 2)
            self.emit(site.at(x, k, f"{where}/additionalProperties", 1), extra, None)
        if site.raise_ and extra is True:
            site.line(f"if not {known}.issuperset({v}):")
            site.line(f"_check_extra({pexpr}, {v}, {known})", 1)

    def emit_array(self, site: _Site, schema: dict[str, Any], _present: set[str]) -> None:
        v = site.v
        for keyword, op, word in (("minItems", "<", "fewer"), ("maxItems", ">", "more")):
            if keyword in schema:
                limit = self.count(schema[keyword], keyword, site.where)
                label = self.const(f"items, {word} than the {keyword} {limit}")
                site.line(f"if len({v}) {op} {limit}:")
                site.fail(f"_e_count({site.pexpr}, {v}, {label})")
        items = schema.get("items", True)
        if isinstance(items, list):
            raise self.error(site.where, "items as an array (prefixItems) is not supported")
        if items is True and not site.raise_:
            return
        i, x = self.name("i"), self.name("x")
        site.line(f"for {i}, {x} in enumerate({v}):")
        before = len(site.out)
        self.emit(site.at(x, i, f"{site.where}/items", 1), items, None)
        if len(site.out) == before:
            site.line("pass", 1)

    def emit_string(self, site: _Site, schema: dict[str, Any], _present: set[str]) -> None:
        v, pexpr = site.v, site.pexpr
        for keyword, op, word in (("minLength", "<", "fewer"), ("maxLength", ">", "more")):
            if keyword in schema:
                limit = self.count(schema[keyword], keyword, site.where)
                label = self.const(f"characters, {word} than the {keyword} {limit}")
                site.line(f"if len({v}) {op} {limit}:")
                site.fail(f"_e_count({pexpr}, {v}, {label})")
        if "pattern" in schema:
            pattern = schema["pattern"]
            try:
                regex = _ecma_regex(pattern)
            except (_PatternError, re.error, TypeError) as exc:
                raise self.error(site.where, f"pattern {pattern!r}: {exc}") from exc
            r, label = self.const(regex), self.const(pattern)
            site.line(f"if {r}.search({v}) is None:")
            site.fail(f"_e_rule({pexpr}, {v}, 'pattern', {label})")
        if "format" in schema:
            fmt = schema["format"]
            if fmt not in _FORMATS:
                raise self.error(site.where, f"format {fmt!r} is not supported")
            site.line(f"if not {_FORMATS[fmt]}({v}):")
            site.fail(f"_e_rule({pexpr}, {v}, 'format', {self.const(f'{fmt} (RFC 3339)')})")

    def emit_number(self, site: _Site, schema: dict[str, Any], _present: set[str]) -> None:
        ops = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}
        for keyword, op in ops.items():
            if keyword in schema:
                limit = schema[keyword]
                if not _is_number(limit):
                    raise self.error(site.where, f"{keyword} must be a number")
                c, kw = self.const(limit), json.dumps(keyword)
                site.line(f"if {site.v} {op} {c}:")
                site.fail(f"_e_rule({site.pexpr}, {site.v}, {kw}, {c})")

    def count(self, value: object, keyword: str, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(where, f"{keyword} must be a non-negative integer")
        return value


# ---------------------------------------------------------------------------------------
# Lazy loading: one compile per version, on first use; the cache only ever grows.

_VALIDATORS: dict[str, Any] = {}
_LOCK: Final = threading.Lock()


def _schema_document(version: str) -> dict[str, Any]:
    text = (
        resources.files(__package__)
        .joinpath("_data", "schemas", f"{version}.json")
        .read_text("utf-8")
    )
    document: dict[str, Any] = json.loads(text)
    return document


def _load(version: str) -> Any:
    with _LOCK:
        if version not in _VALIDATORS:
            _VALIDATORS[version] = _Compiler(_schema_document(version), version).compile()
        return _VALIDATORS[version]
