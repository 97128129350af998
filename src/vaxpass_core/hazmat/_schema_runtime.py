"""What the generated schema validators call at run time: messages, JSON checks, numbers.

:mod:`vaxpass_core.hazmat.schema` compiles each schema into the source of one Python function; that
code calls these helpers by name (each under a leading underscore in its namespace). Messages
are built only on failure, and every value is shown bounded (no 5000-digit ints).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from vaxpass_core.errors import SchemaError


__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MISSING",
    "check_extra",
    "check_json",
    "e_additional",
    "e_alternatives",
    "e_count",
    "e_required",
    "e_rule",
    "e_type",
    "fail",
    "format_path",
    "is_integer",
    "is_number",
    "show",
]


class _Missing:
    __slots__ = ()


MISSING: Final = _Missing()
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_path(parts: tuple[object, ...]) -> str:
    """``("v", 0, "dn")`` -> ``v[0].dn``; the root is ``$``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and _IDENT.fullmatch(p):
            out += f".{p}" if out else p
        else:
            out += f"[{show(p)}]"
    return out or "$"


def show(value: object) -> str:
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


def fail(path: tuple[object, ...], message: str) -> SchemaError:
    return SchemaError(f"{format_path(path)}: {message}")


def e_type(path: tuple[object, ...], value: object, types: str) -> SchemaError:
    return fail(path, f"{show(value)} is not of type {types}")


def e_required(
    path: tuple[object, ...], obj: dict[Any, Any], names: tuple[str, ...]
) -> SchemaError:
    missing = next(n for n in names if n not in obj)
    return fail(path, f"required property {show(missing)} is missing")


def e_additional(
    path: tuple[object, ...], obj: dict[Any, Any], known: frozenset[str]
) -> SchemaError:
    extra = next(k for k in obj if k not in known)
    return fail(path, f"property {show(extra)} is not allowed")


def e_rule(path: tuple[object, ...], value: object, rule: str, limit: object) -> SchemaError:
    texts = {
        "minimum": "is less than the minimum",
        "maximum": "is greater than the maximum",
        "exclusiveMinimum": "is not greater than the exclusiveMinimum",
        "exclusiveMaximum": "is not less than the exclusiveMaximum",
        "pattern": "does not match the pattern",
        "format": "is not a valid",
    }
    shown = limit if rule == "format" else show(limit)
    return fail(path, f"{show(value)} {texts[rule]} {shown}")


def e_count(path: tuple[object, ...], value: str | list[Any], label: str) -> SchemaError:
    noun = "the array" if isinstance(value, list) else show(value)
    return fail(path, f"{noun} has {len(value)} {label}")


def e_alternatives(path: tuple[object, ...], keyword: str, count: int, desc: str) -> SchemaError:
    need = "exactly one" if keyword == "oneOf" else "at least one"
    return fail(path, f"matches {count} of the {keyword} alternatives, {need} is required: {desc}")


# The instance must be JSON. Values the schema does not describe are walked here, bounded
# in depth (cbor2 value sharing can build cycles) and in size.
MAX_DEPTH: Final = 64
MAX_NODES: Final = 100_000


def check_json(value: object, path: tuple[object, ...]) -> None:
    stack: list[tuple[object, tuple[object, ...]]] = [(value, path)]
    seen = 0
    while stack:
        v, p = stack.pop()
        seen += 1
        if seen > MAX_NODES or len(p) > MAX_DEPTH:
            raise fail(p, "the value is nested too deeply or too large")
        if isinstance(v, str | bool | int) or v is None:
            continue
        if isinstance(v, float):
            if math.isfinite(v):
                continue
            raise fail(p, f"{show(v)} is not a JSON number")
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise fail(p, f"has a key that is not a string: {show(k)}")
                stack.append((x, (*p, k)))
        elif isinstance(v, list):
            stack.extend((x, (*p, i)) for i, x in enumerate(v))
        else:
            raise fail(p, f"{show(v)} is not a JSON value")


def check_extra(path: tuple[object, ...], obj: dict[Any, Any], known: frozenset[str]) -> None:
    # Properties the schema does not name are allowed, but must still be JSON.
    for k, x in obj.items():
        if k not in known:
            if not isinstance(k, str):
                raise fail(path, f"has a key that is not a string: {show(k)}")
            check_json(x, (*path, k))


def is_integer(x: object) -> bool:
    # JSON Schema: an integer is any number with no fractional part; true is not a number.
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def is_number(x: object) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and math.isfinite(x))
