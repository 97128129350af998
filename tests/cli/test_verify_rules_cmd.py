"""``vaxpass verify --rules FILE|DIR --country XX [--region R]``: accepted for entry or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.certlogic_cases import gateway_rule as general_rule


if TYPE_CHECKING:
    from collections.abc import Callable

    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"
VN_RULES = Path(__file__).resolve().parents[2] / "docs" / "rules" / "VN"


def test_rules_that_pass_exit_0_and_show_each_rule(
    tmp_path: Path, pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    rules = tmp_path / "rules.json"  # a gateway download: a JSON array
    rules.write_text(json.dumps([general_rule({"===": [{"var": "payload.v.0.co"}, "VN"]})]))
    args = ("--pki", str(pki_dir), "--now", NOW, "--rules", str(rules), "--country", "vn")
    result = cli("verify", passport, *args)
    assert result.exit_code == 0, result.output
    assert "Entry rules: ACCEPTED" in result.stdout
    assert "passed  GR-VN-0100  A general rule written for the tests" in result.stdout
    report = json.loads(cli("verify", passport, *args, "--json").stdout)
    assert report["ok"] is True
    assert report["accepted"] is True
    assert report["rules"]["verdict"] == "passed"
    assert [o["identifier"] for o in report["rules"]["outcomes"]] == ["GR-VN-0100"]


def test_a_valid_passport_that_fails_a_rule_exits_1(
    pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    # The sample's last dose (2021-09-20) is older than Viet Nam's example 270 days.
    args = ("--pki", str(pki_dir), "--now", NOW, "--rules", str(VN_RULES), "--country", "VN")
    result = cli("verify", passport, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Verification: VALID")
    assert " failed  VR-VN-0003" in result.stdout
    assert "Quy tắc không đạt / Rule failed: VR-VN-0003" in result.stdout
    one = VN_RULES / "VR-VN-0001" / "rule.json"  # a single rule file works too
    single = cli("verify", passport, *args[:4], "--rules", str(one), "--country", "VN")
    assert single.exit_code == 0, single.output


def test_no_applicable_rule_is_open_and_not_accepted(
    tmp_path: Path, pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps([general_rule({"===": [{"var": "payload.v.0.co"}, "VN"]}, Region="HCM")])
    )
    args = ("--pki", str(pki_dir), "--now", NOW, "--rules", str(rules), "--country", "VN")
    result = cli("verify", passport, *args, "--region", "HN")
    assert result.exit_code == 1
    assert "no rule applies" in result.stdout
    assert cli("verify", passport, *args, "--region", "HCM").exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[{", "is not business rules"),
        (b'[{"Identifier": "GR-VN-0001"}]', "missing AffectedFields"),
        (b"[" * 100_000, "is not business rules"),
    ],
)
def test_bad_rule_files_exit_2_in_one_line(
    *,
    tmp_path: Path,
    pki_dir: Path,
    passport: str,
    cli: Callable[..., Result],
    content: bytes,
    message: str,
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_bytes(content)
    args = ("--pki", str(pki_dir), "--now", NOW, "--rules", str(rules), "--country", "VN")
    result = cli("verify", passport, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "extra",
    [("--country", "VN"), ("--rules", str(VN_RULES)), ("--rules", str(VN_RULES), "--country", "V")],
)
def test_rules_and_country_go_together(
    pki_dir: Path, passport: str, cli: Callable[..., Result], extra: tuple[str, ...]
) -> None:
    result = cli("verify", passport, "--pki", str(pki_dir), "--now", NOW, *extra)
    assert result.exit_code == 2


def test_an_empty_rule_folder_is_an_input_error(
    tmp_path: Path, pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    args = ("--pki", str(pki_dir), "--now", NOW, "--rules", str(tmp_path), "--country", "VN")
    result = cli("verify", passport, *args)
    assert result.exit_code == 2
    assert "holds no rule.json" in result.stderr


def test_the_strict_policy(pki_dir: Path, passport: str, cli: Callable[..., Result]) -> None:
    # Our own passports carry no deviation: strict QA passes them.
    result = cli("verify", passport, "--pki", str(pki_dir), "--now", NOW, "--policy", "strict")
    assert result.exit_code == 0, result.output
