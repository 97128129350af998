"""The CertLogic specification's own test suites: every runnable assertion, every validation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.certlogic_cases import (
    MISSING,
    Assertion,
    certlogic_dir,
    same_json,
    spec_assertions,
    validation_cases,
)
from vaxpass_core import certlogic


ASSERTIONS = spec_assertions()
RUNNABLE = [case for case in ASSERTIONS if not case.skipped]
VALIDATIONS = validation_cases()


def _need_data() -> None:
    if certlogic_dir() is None:
        pytest.skip(MISSING)


def test_the_suite_has_218_runnable_assertions_and_14_skipped() -> None:
    _need_data()
    assert len(RUNNABLE) == 218
    assert len(ASSERTIONS) - len(RUNNABLE) == 14


@pytest.mark.parametrize("case", RUNNABLE, ids=[case.id for case in RUNNABLE])
def test_assertion(case: Assertion) -> None:
    got = certlogic.evaluate(case.expression, case.data)
    assert same_json(got, case.expected), (case.expression, case.data, got, case.expected)


@pytest.mark.parametrize("case", RUNNABLE, ids=[case.id for case in RUNNABLE])
def test_assertion_compiled_once_evaluates_the_same(case: Assertion) -> None:
    compiled = certlogic.compile(case.expression)
    assert same_json(compiled(case.data), case.expected)
    assert same_json(compiled(case.data), case.expected)  # no state kept between runs


@pytest.mark.parametrize(
    ("expression", "issues"),
    [(expression, issues) for _, expression, issues in VALIDATIONS],
    ids=[case_id for case_id, _, _ in VALIDATIONS],
)
def test_validation(expression: Any, issues: list[dict[str, Any]]) -> None:
    got = certlogic.validate(expression)
    assert [(issue.expr, issue.message) for issue in got] == [
        (issue["expr"], issue["message"]) for issue in issues
    ]
    if certlogic.validate(expression, lenient=True):
        with pytest.raises(certlogic.InvalidCertLogic):
            certlogic.evaluate(expression, {})
    else:  # valid, or only refused by the stricter path check: evaluation never raises here
        certlogic.evaluate(expression, {"x": [{"y": 1}], "1": 2})


def test_the_validation_suite_is_read() -> None:
    _need_data()
    assert len(VALIDATIONS) == 23
    assert sum(1 for _, _, issues in VALIDATIONS if issues) == 14
