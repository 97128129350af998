"""``vaxpass rules check``: the docs' Viet Nam rule set, broken copies, bad input, --json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.certlogic_cases import MISSING, certlogic_dir
from tests.cli.conftest import invoke


VN_RULES = Path(__file__).resolve().parents[2] / "docs" / "rules" / "VN"


def test_viet_nams_example_rules_pass_all_their_tests() -> None:
    result = invoke("rules", "check", str(VN_RULES))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "6 rule(s), 18 test(s), 0 failed"
    assert "PASS VR-VN-0002" in result.output


def test_the_eu_templates_pass() -> None:
    folder = certlogic_dir()
    if folder is None:
        pytest.skip(MISSING)
    result = invoke("rules", "check", str(folder / "rules-example" / "EU"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "14 rule(s), 101 test(s), 0 failed"


def _copy(tmp_path: Path, identifier: str) -> Path:
    target = tmp_path / identifier
    shutil.copytree(VN_RULES / identifier, target)
    return target


def test_a_failing_test_fails_the_check(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "VR-VN-0001")
    test = folder / "tests" / "test001.json"
    case = json.loads(test.read_text("utf-8"))
    case["expected"] = 1  # true is expected: 1 is another JSON value
    test.write_text(json.dumps(case), "utf-8")
    result = invoke("rules", "check", str(folder))
    assert result.exit_code == 1
    assert "FAIL test001 (complete course): expected 1, got true" in result.output


def test_an_invalid_rule_is_reported_and_its_tests_not_run(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "VR-VN-0001")
    rule = json.loads((folder / "rule.json").read_text("utf-8"))
    rule["Logic"] = {"if": [True, 1]}
    rule["Country"] = "Viet Nam"
    (folder / "rule.json").write_text(json.dumps(rule), "utf-8")
    result = invoke("rules", "check", str(folder / "rule.json"))
    assert result.exit_code == 1
    assert "invalid: rule VR-VN-0001: Country 'Viet Nam' does not have the right form" in (
        result.output
    )
    assert 'invalid: Logic: a "if"-operation must have exactly 3 operands' in result.output
    assert "test001" not in result.output


def test_tests_that_error_or_are_not_tests(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "VR-VN-0002")
    (folder / "tests" / "test001.json").write_text(
        json.dumps({"payload": {"v": [{"dt": 5}]}, "expected": True}), "utf-8"
    )
    (folder / "tests" / "test002.json").write_text("[]", "utf-8")
    result = invoke("rules", "check", str(folder), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["passed"] is False
    tests = report["rules"][0]["tests"]
    assert tests[0]["detail"].startswith("evaluation failed: ")
    assert tests[1] == {
        "name": "test002",
        "passed": False,
        "detail": "not a test: needs payload and expected",
    }
    assert tests[2]["passed"] is True


def test_a_rule_without_tests_passes_and_says_so(tmp_path: Path) -> None:
    rule_file = tmp_path / "rule.json"
    shutil.copy(VN_RULES / "TR-VN-0001" / "rule.json", rule_file)
    result = invoke("rules", "check", str(rule_file))
    assert result.exit_code == 0
    assert "(no tests/testNNN.json beside the rule)" in result.output


def test_unreadable_input_is_exit_2(tmp_path: Path) -> None:
    assert invoke("rules", "check", str(tmp_path)).exit_code == 2  # no rules in it
    bad = tmp_path / "rule.json"
    bad.write_text("{", "utf-8")
    result = invoke("rules", "check", str(bad))
    assert result.exit_code == 2
    assert "is not JSON" in result.output
    bad.write_text("[1]", "utf-8")
    result = invoke("rules", "check", str(bad))
    assert result.exit_code == 1
    assert "invalid: rule: not a JSON object" in result.output
    assert invoke("rules", "check", str(tmp_path / "missing.json")).exit_code == 2


def test_a_directory_instead_of_a_test_file_is_an_input_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "TR-VN-0001")
    (folder / "tests" / "test009.json").mkdir()
    result = invoke("rules", "check", str(folder))
    assert result.exit_code == 2
    assert "cannot read" in result.output
