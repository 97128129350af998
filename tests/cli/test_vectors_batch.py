"""``vaxpass vectors`` (writing, against a stub generator) and ``vaxpass issue-batch``."""

from __future__ import annotations

import json
import sys
import types
from typing import TYPE_CHECKING, Any

import pytest

from vaxpass_core.cli.records import record_to_json
from vaxpass_core.record import sample


if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"


@pytest.fixture
def stub_vectors(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A stand-in for vaxpass_core.testing.vectors (another engineer's), recording seeds."""
    seeds: list[int] = []

    def generate(seed: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
        seeds.append(seed)
        yield "VN/2DCode/raw/1.json", {"b": 1, "a": {"d": 2, "c": "Nguyễn"}}
        yield "VN/2DCode/raw/2.json", {"EXPECTEDRESULTS": {"EXPECTEDVERIFY": False}}

    module = types.ModuleType("vaxpass_core.testing.vectors")
    module.generate = generate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vaxpass_core.testing.vectors", module)
    return seeds


def test_vectors_are_written_as_sorted_json(
    tmp_path: Path, stub_vectors: list[int], cli: Callable[..., Result]
) -> None:
    result = cli("vectors", str(tmp_path / "out"), "--seed", "4")
    assert result.exit_code == 0, result.output
    assert "2 test vectors written" in result.stdout
    assert stub_vectors == [4]
    text = (tmp_path / "out/VN/2DCode/raw/1.json").read_text(encoding="utf-8")
    assert text == '{\n  "a": {\n    "c": "Nguyễn",\n    "d": 2\n  },\n  "b": 1\n}\n'
    result = cli("vectors", str(tmp_path / "out"), "--json")
    assert result.exit_code == 2  # not empty
    result = cli("vectors", str(tmp_path / "out"), "--json", "--force")
    assert json.loads(result.stdout)["count"] == 2


def test_vectors_refuse_unsafe_paths_and_a_missing_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    module = types.ModuleType("vaxpass_core.testing.vectors")
    module.generate = lambda seed=0: iter([("../escape.json", {})])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vaxpass_core.testing.vectors", module)
    result = cli("vectors", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "unsafe path" in result.stderr
    assert not (tmp_path / "escape.json").exists()
    monkeypatch.setitem(sys.modules, "vaxpass_core.testing.vectors", None)  # import fails
    result = cli("vectors", str(tmp_path / "out2"))
    assert result.exit_code == 2
    assert "not available" in result.stderr


def _lines(tmp_path: Path) -> Path:
    good = record_to_json(sample())
    rows = [
        json.dumps({**good, "facility_id": "VN-FAC-0001"}),
        json.dumps({**good, "facility_id": "VN-FAC-0002", "certificate_id": "URN:UVCI:01:VN:X/2"}),
        "{bad record line",
        json.dumps({**good, "facility_id": "VN-FAC-0001", "dose_number": 0}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_issue_batch_reports_and_rejects(
    tmp_path: Path, pki_dir: Path, cli: Callable[..., Result]
) -> None:
    source = _lines(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    args = (
        "issue-batch",
        "--pki",
        str(pki_dir),
        "--out",
        str(out),
        "--rejects",
        str(rejects),
        "--workers",
        "1",
        "--now",
        NOW,
        str(source),
    )
    result = cli(*args, "--json")
    assert result.exit_code == 1, result.output  # two lines were rejected
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("read", "issued", "rejected", "skipped")} == {
        "read": 4,
        "issued": 2,
        "rejected": 2,
        "skipped": 0,
    }
    assert len(out.read_text().splitlines()) == 2
    codes = [json.loads(line)["code"] for line in rejects.read_text().splitlines()]
    assert codes == ["batch.json", "record.invalid"]
    # a rerun of the finished batch resumes: nothing new, everything skipped
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "skipped" in result.stdout
    assert len(out.read_text().splitlines()) == 2


def test_issue_batch_input_errors(
    tmp_path: Path, pki_dir: Path, cli: Callable[..., Result]
) -> None:
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    base = ("issue-batch", "--pki", str(pki_dir), "--out", str(out), "--rejects", str(rejects))
    assert cli(*base, str(tmp_path / "absent.jsonl")).exit_code == 2
    source = _lines(tmp_path)
    out.write_text("someone else's data\n")  # output without a checkpoint: refused
    result = cli(*base, "--now", NOW, str(source))
    assert result.exit_code == 2
    assert out.read_text() == "someone else's data\n"
    out.unlink()
    result = cli(*base, "--now", "2031-01-01", str(source), "--json")  # the signer has expired
    assert (result.exit_code, json.loads(result.stdout)["code"]) == (1, "key.expired")
