"""Test helpers for this library and for code built on it.

``sample_record()`` is the sample record of the demos and docs. ``pki`` (a deterministic
test PKI) needs nothing beyond the library's own dependencies.
``strategies`` (hypothesis strategies) needs hypothesis, a test-only dependency, so it is
imported lazily, on first use of ``vaxpass_core.testing.strategies``. ``vectors`` (reference
test vectors in the dgc-testdata layout, and their checker) is loaded on first use too.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._sample import sample_record
from .pki import PKI, CertificateAuthority, facility_id, pki


__all__ = ["PKI", "CertificateAuthority", "facility_id", "pki", "sample_record"]

_LAZY = frozenset({"strategies", "vectors"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
