"""``vaxpass rules check PATH``: validate business rules and run their tests before publishing.

PATH is a rule file, a rule folder in the gateway's layout (``<id>/rule.json`` with
``tests/testNNN.json``, each holding ``payload``, ``external`` and ``expected``), or a folder
of such rule folders. A rule passes when it follows the rule schema, its logic is valid
CertLogic and every test evaluates to its expected value, compared as JSON (``1``, ``1.0``
and ``true`` differ). Exit 0 when all pass, 1 when any does not, 2 when PATH cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import click

from vaxpass_core import certlogic

from ._common import EXIT_INVALID, EXIT_VALID, InputError, echo_json, finish, verdict


__all__ = ["rules"]


@attrs.frozen
class _TestRun:
    name: str
    passed: bool
    detail: str


@attrs.frozen
class _RuleRun:
    path: str
    identifier: str
    problems: tuple[str, ...]
    tests: tuple[_TestRun, ...]

    @property
    def passed(self) -> bool:
        return not self.problems and all(test.passed for test in self.tests)


def _same_json(got: Any, expected: Any) -> bool:
    if type(got) is not type(expected):
        return False
    if isinstance(expected, list):
        return len(got) == len(expected) and all(map(_same_json, got, expected))
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(
            _same_json(got[key], expected[key]) for key in expected
        )
    return bool(got == expected)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path} is not JSON: {exc}") from exc


def _shown(value: Any) -> str:
    if isinstance(value, certlogic.DateTime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _run_test(logic: Any, path: Path) -> _TestRun:
    case = _read_json(path)
    name = path.stem + (f" ({case['name']})" if isinstance(case, dict) and "name" in case else "")
    if not isinstance(case, dict) or not {"payload", "expected"} <= case.keys():
        return _TestRun(name, passed=False, detail="not a test: needs payload and expected")
    data = {"payload": case["payload"], "external": case.get("external", {})}
    try:
        got = certlogic.evaluate(logic, data)
    except certlogic.CertLogicError as error:
        return _TestRun(name, passed=False, detail=f"evaluation failed: {error.message}")
    if _same_json(got, case["expected"]):
        return _TestRun(name, passed=True, detail="")
    detail = f"expected {_shown(case['expected'])}, got {_shown(got)}"
    return _TestRun(name, passed=False, detail=detail)


def _check_rule(rule_file: Path) -> _RuleRun:
    raw = _read_json(rule_file)
    identifier = str(raw.get("Identifier", "?")) if isinstance(raw, dict) else "?"
    problems: list[str] = []
    try:
        certlogic.load_rule(raw if isinstance(raw, dict) else json.dumps(raw))
    except certlogic.InvalidRule as error:
        problems.append(error.message)
    logic = raw.get("Logic") if isinstance(raw, dict) else None
    problems += [f"Logic: {issue.message}" for issue in certlogic.validate(logic)]
    tests: tuple[_TestRun, ...] = ()
    if not problems:
        tests = tuple(
            _run_test(logic, test) for test in sorted(rule_file.parent.glob("tests/*.json"))
        )
    return _RuleRun(str(rule_file), identifier, tuple(problems), tests)


def _rule_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if (path / "rule.json").is_file():
        return [path / "rule.json"]
    found = sorted(path.glob("*/rule.json"))
    if not found:
        raise InputError(f"{path} holds no rule.json (nor <id>/rule.json)")
    return found


def _print(run: _RuleRun) -> None:
    click.echo(f"{verdict(run.passed, 'PASS', 'FAIL')} {run.identifier}  {run.path}")
    for problem in run.problems:
        click.echo(f"  invalid: {problem}")
    for test in run.tests:
        line = f"  {verdict(test.passed, 'pass', 'FAIL')} {test.name}"
        click.echo(line + (f": {test.detail}" if test.detail else ""))
    if not run.problems and not run.tests:
        click.echo("  (no tests/testNNN.json beside the rule)")


@click.group()
def rules() -> None:
    """Business rules (CertLogic) as the EU DCC gateway distributes them."""


@rules.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
def check(path: Path, as_json: bool) -> None:
    """Validate the rule(s) at PATH and run their tests (gateway layout)."""
    runs = [_check_rule(rule_file) for rule_file in _rule_files(path)]
    passed = all(run.passed for run in runs)
    if as_json:
        echo_json(
            {
                "passed": passed,
                "rules": [
                    {
                        "identifier": run.identifier,
                        "path": run.path,
                        "passed": run.passed,
                        "problems": list(run.problems),
                        "tests": [attrs.asdict(test) for test in run.tests],
                    }
                    for run in runs
                ],
            }
        )
    else:
        for run in runs:
            _print(run)
        tests = [test for run in runs for test in run.tests]
        failed = sum(not test.passed for test in tests)
        click.echo(f"{len(runs)} rule(s), {len(tests)} test(s), {failed} failed")
    finish(EXIT_VALID if passed else EXIT_INVALID)
