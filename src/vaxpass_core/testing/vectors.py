"""Reference test vectors in the EU dgc-testdata layout, and a checker for them.

They are made by :mod:`vaxpass_core.shell.vectors`, which ``vaxpass vectors DIR`` writes
to disk; these are the same functions under the test kit's name.
"""

from __future__ import annotations

from vaxpass_core.shell.vectors import (
    ATTESTED_AT,
    DIRECTORY,
    FLAG_CHECKS,
    FLAGS,
    ISSUED_AT,
    VALIDATION_CLOCK,
    FlagResult,
    VectorCheck,
    VectorReport,
    check,
    check_one,
    dumps,
    generate,
)


__all__ = [
    "ATTESTED_AT",
    "DIRECTORY",
    "FLAGS",
    "FLAG_CHECKS",
    "ISSUED_AT",
    "VALIDATION_CLOCK",
    "FlagResult",
    "VectorCheck",
    "VectorReport",
    "check",
    "check_one",
    "dumps",
    "generate",
]
