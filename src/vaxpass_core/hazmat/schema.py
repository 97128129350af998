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

The compiler is here; the pattern translation and the two formats are in ``_ecma``, and the
helpers the generated code calls (messages, JSON checks) in ``_schema_runtime``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from importlib import resources
from typing import Any, Final

from vaxpass_core.errors import SchemaError

from . import _schema_runtime as rt
from ._ecma import PatternError, date_ok, date_time_in_date, date_time_ok, ecma_regex


__all__ = [
    "LATEST_VERSION",
    "SUPPORTED_VERSIONS",
    "Deviation",
    "UnsupportedSchema",
    "schema_version_for",
    "tolerate",
    "validate",
]

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
        raise SchemaError(f"$: {rt.show(dcc)} is not of type object")
    ver = dcc.get("ver", rt.MISSING)
    if ver is rt.MISSING:
        raise SchemaError('$: required property "ver" (the schema version) is missing')
    if not isinstance(ver, str):
        raise SchemaError(f"ver: {rt.show(ver)} is not of type string")
    if ver in _KNOWN:
        return ver
    m = _SEMVER.fullmatch(ver)
    if m is None:
        raise SchemaError(f"ver: {rt.show(ver)} is not a schema version MAJOR.MINOR.PATCH")
    if m[1] != "1":
        raise SchemaError(f"ver: {rt.show(ver)} has an unsupported major version; 1.x.y is")
    key = _version_key(m.groups())
    return [v for k, v in _KEYS if k <= key][-1]  # 1.0.0 <= every 1.x.y


def validate(dcc: object, *, version: str | None = None) -> None:
    """Check *dcc* against its schema; raise :class:`SchemaError` naming the path and rule.

    *version* forces a shipped schema version instead of the declared one. Never raises
    anything but :class:`SchemaError` for any *dcc*; a *version* that is not shipped is a
    wrong call (:class:`ValueError`).
    """
    if version is None and type(dcc) is dict:
        # The common case, a DCC declaring a shipped version: straight to its validator.
        try:
            ver = dcc.get("ver")
            check = _VALIDATORS.get(ver) if type(ver) is str else None
            if check is not None:
                check(dcc)
                return
        except SchemaError:
            raise
        except Exception as exc:  # the same safety net as below
            raise SchemaError(f"$: cannot be validated ({type(exc).__name__})") from exc
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
# The compiler: schema -> Python source of one function per schema version.

_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "valueset-uri"}
)
# The exact class is asked first: cheaper than a call to isinstance, and what JSON holds.
_TYPES: Final = {
    "object": "({v}.__class__ is dict or isinstance({v}, dict))",
    "array": "({v}.__class__ is list or isinstance({v}, list))",
    "string": "({v}.__class__ is str or isinstance({v}, str))",
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
# format -> the name generated code calls (RFC 3339 section 5.6, see ._ecma)
_FORMATS: Final = {"date": "_date_ok", "date-time": "_date_time_ok"}


class UnsupportedSchema(RuntimeError):
    """A schema uses a keyword or regex construct the compiler does not support.

    Raised when a version is first compiled, never for a DCC: a schema must not be checked
    less than it says, so the compiler refuses rather than skipping what it cannot check.
    """


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
    """*lenient*: the validator takes a second argument, a list, and instead of failing on
    a date-time where ``format: date`` is asked it appends ``(path, "date-time")`` to it."""

    def __init__(self, root: dict[str, Any], version: str, *, lenient: bool = False) -> None:
        self.root = root
        self.version = version
        self.lenient = lenient
        self.params = ", _notes" if lenient else ""
        # Generated code calls the run-time helpers and the formats as _<name>.
        self.ns: dict[str, Any] = {f"_{name}": getattr(rt, name) for name in rt.__all__}
        self.ns.update(
            _date_ok=date_ok, _date_time_ok=date_time_ok, _date_time_in_date=date_time_in_date
        )
        self.functions: list[list[str]] = []
        self.counter = 0
        self.refs: list[str] = []

    def error(self, where: str, what: str) -> UnsupportedSchema:
        return UnsupportedSchema(f"DCC schema {self.version}, {where or '#'}: {what}")

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
        main = [f"def _validate(x0{self.params}):"]
        self.emit(_Site(main, "x0", (), 1, True, ""), self.root, None)
        self.functions.insert(0, main)
        source = "\n".join("\n".join(f) for f in self.functions) + "\n"
        exec(compile(source, f"<DCC schema {self.version}>", "exec"), self.ns)  # noqa: S102
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
            body = [f"def {fname}(b{self.params}):"]
            self.emit(_Site(body, "b", (), 1, False, where), branch, known)
            body.append("    return True")
            self.functions.append(body)
            exprs.append(f"{fname}({site.v}{self.params})")
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
        self.emit_length(site, schema, "Items", "items")
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
        self.emit_length(site, schema, "Length", "characters")
        if "pattern" in schema:
            pattern = schema["pattern"]
            try:
                regex = ecma_regex(pattern)
            except (PatternError, re.error, TypeError) as exc:
                raise self.error(site.where, f"pattern {pattern!r}: {exc}") from exc
            r, label = self.const(regex), self.const(pattern)
            site.line(f"if {r}.search({v}) is None:")
            site.fail(f"_e_rule({pexpr}, {v}, 'pattern', {label})")
        if "format" in schema:
            fmt = schema["format"]
            if fmt not in _FORMATS:
                raise self.error(site.where, f"format {fmt!r} is not supported")
            site.line(f"if not {_FORMATS[fmt]}({v}):")
            error = f"_e_rule({pexpr}, {v}, 'format', {self.const(f'{fmt} (RFC 3339)')})"
            if self.lenient and fmt == "date":
                site.line(f"if _date_time_in_date({v}):", 1)
                site.line(f"_notes.append(({pexpr}, 'date-time'))", 2)
                site.line("else:", 1)
                site.fail(error, 2)
            else:
                site.fail(error)

    def emit_number(self, site: _Site, schema: dict[str, Any], _present: set[str]) -> None:
        ops = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}
        for keyword, op in ops.items():
            if keyword in schema:
                limit = schema[keyword]
                if not rt.is_number(limit):
                    raise self.error(site.where, f"{keyword} must be a number")
                c, kw = self.const(limit), json.dumps(keyword)
                site.line(f"if {site.v} {op} {c}:")
                site.fail(f"_e_rule({site.pexpr}, {site.v}, {kw}, {c})")

    def emit_length(self, site: _Site, schema: dict[str, Any], suffix: str, noun: str) -> None:
        """min/maxItems (*suffix* "Items") or min/maxLength ("Length"): bounds on len()."""
        for keyword, op, word in ((f"min{suffix}", "<", "fewer"), (f"max{suffix}", ">", "more")):
            if keyword not in schema:
                continue
            limit = schema[keyword]
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise self.error(site.where, f"{keyword} must be a non-negative integer")
            label = self.const(f"{noun}, {word} than the {keyword} {limit}")
            site.line(f"if len({site.v}) {op} {limit}:")
            site.fail(f"_e_count({site.pexpr}, {site.v}, {label})")


# ---------------------------------------------------------------------------------------
# Tolerance: what real issuers wrote and the reference verifiers accept.


@dataclasses.dataclass(frozen=True, slots=True)
class Deviation:
    """One tolerated departure from the schema: where, and which kind.

    *kind* is ``"date-time"`` (a date-time where the schema says ``format: date``; the
    tolerated DCC holds its date part) or ``"null"`` (a property given as ``null``, which
    no DCC schema allows; the tolerated DCC leaves it out).
    """

    path: str
    kind: str


def tolerate(dcc: object) -> tuple[dict[str, Any], tuple[Deviation, ...]]:
    """*dcc* as the reference verifiers read it, and how it departs from its schema.

    For a DCC that :func:`validate` refuses: drop every property whose value is ``null``,
    then validate against the declared schema version, taking a date-time (RFC 3339, with
    or without an offset) where ``format: date`` is asked for its date part. The date part
    must be a real day either way (``2021-02-30`` is refused). Returns the DCC so read (a
    copy: the caller's object is unchanged) and the deviations, in document order; raises
    :class:`SchemaError` when the DCC is invalid even so.
    """
    notes: list[tuple[tuple[object, ...], str]] = []
    cleaned = _without_nulls(dcc, notes)
    if cleaned is None:
        raise SchemaError("$: the value is nested too deeply or too large")
    try:
        check = _load(schema_version_for(cleaned), lenient=True)
        check(cleaned, notes)
    except SchemaError:
        raise
    except Exception as exc:  # the same safety net as validate()'s
        raise SchemaError(f"$: cannot be validated ({type(exc).__name__})") from exc
    for path, kind in notes:
        if kind == "date-time":
            *parents, last = path
            node: Any = cleaned
            for part in parents:
                node = node[part]
            node[last] = node[last][:10]
    return cleaned, tuple(Deviation(rt.format_path(path), kind) for path, kind in notes)


def _without_nulls(value: object, notes: list[tuple[tuple[object, ...], str]]) -> Any:
    """A copy of the JSON containers in *value* without null-valued object properties (each
    noted); None when it is nested too deeply or too large to walk."""
    budget = [rt.MAX_NODES]

    def copy(v: object, path: tuple[object, ...]) -> object:
        budget[0] -= 1
        if budget[0] < 0 or len(path) > rt.MAX_DEPTH:
            raise _TooLarge
        if type(v) is dict:
            out = {}
            for k, x in v.items():
                if x is None and type(k) is str:
                    notes.append(((*path, k), "null"))
                else:
                    out[k] = copy(x, (*path, k))
            return out
        if type(v) is list:
            return [copy(x, (*path, i)) for i, x in enumerate(v)]
        return v

    try:
        return copy(value, ())
    except _TooLarge:
        return None


class _TooLarge(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Lazy loading: one compile per version, on first use; the cache only ever grows.

_VALIDATORS: dict[str, Any] = {}
_LENIENT: dict[str, Any] = {}
_LOCK: Final = threading.Lock()


def _schema_document(version: str) -> dict[str, Any]:
    text = (
        resources.files("vaxpass_core")
        .joinpath("_data", "schemas", f"{version}.json")
        .read_text("utf-8")
    )
    document: dict[str, Any] = json.loads(text)
    return document


def _load(version: str, *, lenient: bool = False) -> Any:
    cache = _LENIENT if lenient else _VALIDATORS
    with _LOCK:
        if version not in cache:
            compiler = _Compiler(_schema_document(version), version, lenient=lenient)
            cache[version] = compiler.compile()
        return cache[version]
