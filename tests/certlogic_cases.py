"""Reading the CertLogic conformance data: the specification's suites and the EU rule tests.

Collected at import time (pytest parametrises with them); every reader returns an empty list
when the shared data is absent, and the tests then skip with the reason :data:`MISSING`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from tests.conftest import shared_data_dir


if TYPE_CHECKING:
    from pathlib import Path


MISSING = "the shared conformance data (../shared/data/certlogic) is not beside this checkout"


def certlogic_dir() -> Path | None:
    data = shared_data_dir()
    folder = data / "certlogic" if data is not None else None
    return folder if folder is not None and folder.is_dir() else None


def same_json(got: Any, expected: Any) -> bool:
    """Equal as JSON values *and* JSON types: ``1``, ``1.0`` and ``true`` all differ."""
    if type(got) is not type(expected):
        return False
    if isinstance(expected, list):
        return len(got) == len(expected) and all(map(same_json, got, expected))
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(
            same_json(got[key], expected[key]) for key in expected
        )
    return bool(got == expected)


class Assertion(NamedTuple):
    id: str
    expression: Any
    data: Any
    expected: Any
    skipped: bool


def spec_assertions() -> list[Assertion]:
    """Every assertion of ``specification/testSuite/*.json``, with its ``skip`` directive."""
    folder = certlogic_dir()
    if folder is None:
        return []
    found = []
    for path in sorted((folder / "specification" / "testSuite").glob("*.json")):
        suite = json.loads(path.read_text("utf-8"))
        for case_number, case in enumerate(suite["cases"]):
            for number, assertion in enumerate(case["assertions"]):
                skipped = "skip" in {
                    suite.get("directive"),
                    case.get("directive"),
                    assertion.get("directive"),
                }
                expression = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                found.append(
                    Assertion(
                        f"{path.stem}-{case_number}-{number}",
                        expression,
                        assertion["data"],
                        assertion["expected"],
                        skipped,
                    )
                )
    return found


def validation_cases() -> list[tuple[str, Any, list[dict[str, Any]]]]:
    """``(id, expression, expected issues)`` of ``specification/validation-testSuite``."""
    folder = certlogic_dir()
    if folder is None:
        return []
    found = []
    for path in sorted((folder / "specification" / "validation-testSuite").glob("*.json")):
        for number, case in enumerate(json.loads(path.read_text("utf-8"))["cases"]):
            found.append((f"{path.stem}-{number}", case["certLogicExpression"], case["issues"]))
    return found


def eu_rule_dirs() -> list[Path]:
    """The EU template rules' folders (``<id>/rule.json`` with ``tests/testNNN.json``)."""
    folder = certlogic_dir()
    if folder is None:
        return []
    return sorted(path.parent for path in (folder / "rules-example" / "EU").glob("*/rule.json"))


def gateway_rule(logic: Any, **fields: Any) -> dict[str, Any]:
    """A rule as the gateway serves it: by default a General acceptance rule of VN, valid
    2020-2040, described in English and Vietnamese; *fields* replace any of its fields."""
    rule: dict[str, Any] = {
        "Identifier": "GR-VN-0100",
        "Type": "Acceptance",
        "Country": "VN",
        "Version": "1.0.0",
        "SchemaVersion": "1.3.0",
        "Engine": "CERTLOGIC",
        "EngineVersion": "1.0.0",
        "CertificateType": "General",
        "Description": [
            {"lang": "en", "desc": "A general rule written for the tests"},
            {"lang": "vi", "desc": "Một quy tắc chung viết cho các bài kiểm thử"},
        ],
        "ValidFrom": "2020-01-01T00:00:00Z",
        "ValidTo": "2040-01-01T00:00:00Z",
        "AffectedFields": ["v"],
        "Logic": logic,
    }
    rule.update(fields)
    return rule
