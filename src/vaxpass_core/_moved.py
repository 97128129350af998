"""Module paths that moved, kept importable for a while with a ``DeprecationWarning``.

One table, one finder: importing an old path warns and hands over the module at its new
path (the same module object, so ``isinstance`` and monkeypatching behave as before).
Deprecated *names* within a module warn from that module's ``__getattr__`` instead.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from typing import TYPE_CHECKING, Final


if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType


__all__ = ["MOVED", "install"]

#: Old dotted module path -> where it lives now.
MOVED: Final = {
    "vaxpass_core.base45": "vaxpass_core.hazmat.base45",
    "vaxpass_core.hc1": "vaxpass_core.hazmat.hc1",
    "vaxpass_core.cose": "vaxpass_core.hazmat.cose",
    "vaxpass_core.cwt": "vaxpass_core.hazmat.cwt",
    "vaxpass_core.schema": "vaxpass_core.hazmat.schema",
    "vaxpass_core.batch": "vaxpass_core.shell.bulk",
    "vaxpass_core.record_json": "vaxpass_core.shell.record_json",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old paths only; every other import goes by as if it were not there."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,  # noqa: ARG002 - the finder protocol's signature
        target: ModuleType | None = None,  # noqa: ARG002
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} is now {new}; the old path will be removed in a future release",
            DeprecationWarning,
            stacklevel=2,
        )
        # The module itself, not a copy: its attributes (__name__, __spec__) stay those of
        # its new home, which is where tracebacks and pickles should point.
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was loaded at its new path."""


_FINDER: Final = _MovedModules()


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once), after the standard finders."""
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_FINDER)
