"""Deprecated names: one warning, said one way (modules moved are in :mod:`._moved`)."""

from __future__ import annotations

import warnings
from typing import TypeVar


__all__ = ["ignored", "renamed"]

_T = TypeVar("_T")


def renamed(old: str, new: str, value: _T) -> _T:
    """Warn that *old* (a dotted name) is deprecated for *new*, and give *value*.

    Called from a module's ``__getattr__`` or from the deprecated function itself: the
    warning points at the code that used the old name.
    """
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)
    return value


def ignored(option: str, advice: str, value: object) -> None:
    """Warn that *option* is deprecated and does nothing (*advice* says what to do instead),
    when a caller passed it (*value* is not None).

    Called from the function that takes the option: the warning points at its caller.
    """
    if value is not None:
        warnings.warn(
            f"{option} is deprecated and does nothing; {advice}", DeprecationWarning, stacklevel=3
        )
