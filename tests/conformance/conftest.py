"""The EU dgc-testdata cases, loaded once for every conformance test that wants them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest


if TYPE_CHECKING:
    from pathlib import Path

#: The data set holds 154 cases; a shorter read is a bug in the loader, not in the data.
DGC_CASES = 154


def load_dgc_cases(data: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(path relative to dgc-testdata, case)`` for every file with EXPECTEDRESULTS, sorted."""
    base = data / "dgc-testdata"
    cases = []
    for path in sorted(base.rglob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(case, dict) and "EXPECTEDRESULTS" in case:
            cases.append((path.relative_to(base).as_posix(), case))
    return cases


@pytest.fixture(scope="session")
def dgc_cases(shared_data: Path) -> list[tuple[str, dict[str, Any]]]:
    cases = load_dgc_cases(shared_data)
    assert len(cases) == DGC_CASES
    return cases
