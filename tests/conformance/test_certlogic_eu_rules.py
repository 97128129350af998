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
    expected = certlogic.RuleVerdict.PASSED if case["expected"] else certlogic.RuleVerdict.FAILED
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


def _mutations(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Rule variants, each breaking (or keeping) one thing the rule schema says."""
    found = [
        (f"without {field}", {key: value for key, value in raw.items() if key != field})
        for field in raw
    ]
    for field, value in [
        ("Identifier", "VR-EU"),
        ("Identifier", 5),
        ("Type", "Entry"),
        ("Country", "eu"),
        ("Country", "EUR"),
        ("Version", "1.0"),
        ("Version", "1.0.0-rc1"),  # the pattern only anchors the start
        ("SchemaVersion", 1),
        ("Engine", None),
        ("EngineVersion", "x.y.z"),
        ("CertificateType", "general"),
        ("Description", []),
        ("Description", [{"lang": "de", "desc": "Nur eine Beschreibung auf Deutsch."}]),
        ("Description", [{"lang": "en", "desc": "Short."}]),
        ("Description", [{"lang": "en-gb", "desc": "An English description, British."}]),
        ("Description", "Exactly one type of event."),
        ("ValidFrom", "2021-06-01T00:00:00"),
        ("ValidFrom", "2021-06-01T00:00:00+02:00"),
        ("ValidTo", "2030-06-01T00:00:00.000Z"),
        ("AffectedFields", ["v", 1]),
        ("AffectedFields", []),
        ("Logic", {}),
        ("Logic", []),
        ("Logic", True),
    ]:
        found.append((f"{field}={value!r}", {**raw, field: value}))
    return found


def test_loading_agrees_with_the_rule_json_schema() -> None:
    folder = certlogic_dir()
    if folder is None:
        pytest.skip(MISSING)
    jsonschema = pytest.importorskip("jsonschema")
    schema = _json(folder / "rules-example" / "tests" / "validation-rule-schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    raw = _json(RULE_DIRS[0] / "rule.json")
    # The schema's identifier pattern refuses the EU's own "-0000" numbering; we accept it.
    assert not validator.is_valid(raw)
    raw = {**raw, "Identifier": "GR-EU-1"}
    assert validator.is_valid(raw)
    checked = 0
    for name, variant in _mutations(raw):
        try:
            certlogic.load_rule(variant)
        except certlogic.InvalidRule:
            accepted = False
        else:
            accepted = True
        assert accepted == validator.is_valid(variant), name
        checked += 1
    assert checked > 30
