"""CertLogic's view of values: truthy/falsy/neither, integers, strict equality, ``var`` paths.

JSON values arrive as Python's ``json`` types (``dict``, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``); a tuple is read as an array. ``bool`` is a subclass of ``int`` in Python,
so every check here tells them apart explicitly: in CertLogic ``1 === true`` is false.
"""

from __future__ import annotations

import re
from typing import Any, Final


__all__ = ["access", "as_int", "strict_equals", "truthiness"]


def truthiness(value: Any) -> bool | None:
    """``True`` for truthy, ``False`` for falsy, ``None`` for values that are neither."""
    if value is True:
        return True
    if value is False or value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    if isinstance(value, int | float):
        return value != 0
    return None  # date-times, and anything that is not JSON


def as_int(value: Any) -> int | None:
    """*value* as an integer if it is one (``2.0`` is, as in JavaScript; ``True`` is not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def strict_equals(left: Any, right: Any) -> bool:
    """JavaScript's ``===`` on JSON values: by value for scalars, by identity otherwise."""
    if isinstance(left, str):
        return isinstance(right, str) and left == right
    if isinstance(left, bool) or left is None:
        return left is right
    if isinstance(left, int | float):
        return isinstance(right, int | float) and not isinstance(right, bool) and left == right
    return left is right


def contains(items: list[Any] | tuple[Any, ...], value: Any) -> bool:
    """``items.indexOf(value) > -1``: membership under :func:`strict_equals`."""
    if isinstance(value, str):
        return value in items  # str == x is only ever true for an equal str
    return any(strict_equals(value, item) for item in items)


_LEADING_INT: Final = re.compile(r"\s*([+-]?[0-9]+)")


def _js_parse_int(fragment: str) -> int | None:
    match = _LEADING_INT.match(fragment)
    return int(match[1]) if match else None


def compile_path(path: str) -> tuple[tuple[str, int | None], ...]:
    """A ``var`` path split once into (property key, array index) steps.

    As the reference evaluator reads ``parseInt(fragment, 10)``: a fragment that starts with
    an integer indexes arrays by it and objects by its decimal text; any other fragment is
    an object key.
    """
    steps = []
    for fragment in path.split("."):
        index = _js_parse_int(fragment)
        steps.append((fragment if index is None else str(index), index))
    return tuple(steps)


def access(data: Any, steps: tuple[tuple[str, int | None], ...]) -> Any:
    """Follow *steps* into *data*; anything missing or undrillable is ``None`` (null)."""
    for key, index in steps:
        kind = type(data)
        if kind is dict:
            data = data.get(key)
        elif kind is list and index is not None:
            data = data[index] if 0 <= index < len(data) else None
        elif isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list | tuple | str):
            if index is not None:
                data = data[index] if 0 <= index < len(data) else None
            elif key == "length":
                data = len(data)
            else:
                return None
        else:
            return None
        if data is None:
            return None
    return data
