"""The EU's template business rules: each loads, is valid CertLogic and passes all its tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.certlogic_cases import MISSING, certlogic_dir, eu_rule_dirs, same_json
from vaxpass_core import certlogic


if TYPE_CHECKING:
    from pathlib import Path


RULE_DIRS = eu_rule_dirs()
TESTS = [(folder, test) for folder in RULE_DIRS for test in sorted(folder.glob("tests/*.json"))]


def _json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def test_fourteen_rules_with_101_tests() -> None:
    if certlogic_dir() is None:
        pytest.skip(MISSING)
    assert len(RULE_DIRS) == 14
    assert len(TESTS) == 101


@pytest.mark.parametrize("folder", RULE_DIRS, ids=[folder.name for folder in RULE_DIRS])
def test_rule_loads_and_is_valid(folder: Path) -> None:
    text = (folder / "rule.json").read_text("utf-8")
    rule = certlogic.load_rule(text)
    assert rule.identifier == folder.name
    assert rule.country == "EU"
    assert rule.compiled is not None
    assert certlogic.validate(rule.logic) == []
    assert rule.description("en") == rule.description("vi")  # no Vietnamese: English
    assert rule.description("de") != rule.description("en")


@pytest.mark.parametrize(
    ("folder", "test"), TESTS, ids=[f"{folder.name}-{test.stem}" for folder, test in TESTS]
)
def test_rule_passes_its_test(folder: Path, test: Path) -> None:
    rule = _json(folder / "rule.json")
    case = _json(test)
    data = {"payload": case["payload"], "external": case["external"]}
    got = certlogic.evaluate(rule["Logic"], data)
    assert same_json(got, case["expected"]), (test, got, case["expected"])


@pytest.mark.parametrize(
    ("folder", "test"), TESTS, ids=[f"{folder.name}-{test.stem}" for folder, test in TESTS]
)
def test_rule_outcome_matches_its_test(folder: Path, test: Path) -> None:
    rule = certlogic.load_rule(_json(folder / "rule.json"))
    case = _json(test)
    outcome = certlogic.evaluate_rule(rule, case["payload"], case["external"])
    expected = certlogic.Outcome.PASSED if case["expected"] else certlogic.Outcome.FAILED
    assert outcome.outcome is expected
    assert outcome.reason is None


def test_the_rule_set_selects_by_kind_and_checks_a_dcc() -> None:
    if certlogic_dir() is None:
        pytest.skip(MISSING)
    rules = certlogic.RuleSet(certlogic.load_rule(_json(f / "rule.json")) for f in RULE_DIRS)
    clock = dt.datetime(2021, 7, 1, tzinfo=dt.UTC)
    selected = rules.select(country="EU", clock=clock, kind=certlogic.CertificateType.TEST)
    assert {rule.identifier[:2] for rule in selected} == {"GR", "TR"}
    assert rules.select(country="DE", clock=clock, kind=certlogic.CertificateType.TEST) == ()
    before = dt.datetime(2021, 5, 31, tzinfo=dt.UTC)
    assert rules.select(country="EU", clock=before, kind=certlogic.CertificateType.TEST) == ()
    payload = _json(RULE_DIRS[0] / "tests" / "test010.json")["payload"]
    result = rules.check(payload, country="EU", clock=clock, value_sets=certlogic.rule_value_sets())
    assert [outcome.rule.identifier[:2] for outcome in result.outcomes].count("GR") == 2
