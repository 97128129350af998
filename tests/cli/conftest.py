"""Fixtures for the command-line tests: a PKI directory, a record file, a passport, runners."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Protocol

import pytest
from click.testing import CliRunner, Result

from vaxpass_core.cli import vaxpass
from vaxpass_core.shell.record_json import record_to_json
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from pathlib import Path

#: The time every command acts at in these tests (--now), well inside the test PKI's window.
NOW = "2026-06-01T12:00:00Z"
SEED = 11


def invoke(*args: str, stdin: bytes | str | None = None, color: bool = False) -> Result:
    """Run the command line in process (click's runner): fast, and exceptions propagate."""
    return CliRunner().invoke(vaxpass, list(args), input=stdin, color=color, catch_exceptions=False)


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m vaxpass_core.cli`` in a real subprocess, output piped."""
    return subprocess.run(
        [sys.executable, "-m", "vaxpass_core.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


class Invoke(Protocol):
    def __call__(
        self, *args: str, stdin: bytes | str | None = None, color: bool = False
    ) -> Result: ...


class Run(Protocol):
    def __call__(
        self, *args: str, cwd: Path, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]: ...


@pytest.fixture
def cli() -> Invoke:
    return invoke


@pytest.fixture
def run_cli() -> Run:
    return run


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "pki"
    result = invoke("pki", "init", str(path), "--seed", str(SEED))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def record_file(tmp_path: Path) -> Path:
    path = tmp_path / "record.json"
    path.write_text(
        json.dumps(record_to_json(sample_record()), ensure_ascii=False), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="session")
def passport(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The HC1 text of a passport issued with the PKI directory at NOW."""
    record = tmp_path_factory.mktemp("passport") / "record.json"
    record.write_text(json.dumps(record_to_json(sample_record())), encoding="utf-8")
    result = invoke("issue", "--pki", str(pki_dir), "--record", str(record), "--now", NOW)
    assert result.exit_code == 0, result.output
    text = result.stdout.strip()
    assert text.startswith("HC1:")
    return text
