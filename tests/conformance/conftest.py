"""The EU dgc-testdata cases, for every conformance test that wants them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests._helpers import vector_cases


if TYPE_CHECKING:
    from collections.abc import Mapping

#: The data set holds 154 cases; a shorter read is a bug in the loader, not in the data.
DGC_CASES = 154


@pytest.fixture(scope="session")
def dgc_cases(dgc_testdata: Mapping[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """``(path relative to dgc-testdata, case)`` for every file with EXPECTEDRESULTS, sorted:
    the session's one read of the data (:func:`dgc_testdata`), filtered."""
    cases = vector_cases(dgc_testdata)
    assert len(cases) == DGC_CASES
    return cases
