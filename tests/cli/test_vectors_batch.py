"""``vaxpass vectors`` (exact bytes, unsafe paths, refused directories), ``vaxpass issue-batch``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from vaxpass_core.cli._common import InputError, require_empty_dir
from vaxpass_core.shell.record_json import record_to_json
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"


def test_vectors_are_the_generators_exact_bytes(tmp_path: Path, cli: Callable[..., Result]) -> None:
    from vaxpass_core.testing import vectors

    result = cli("vectors", str(tmp_path / "out"), "--seed", "4")
    assert result.exit_code == 0, result.output
    expected = dict(vectors.generate(4))
    assert f"{len(expected)} test vectors written" in result.stdout
    for relative, content in expected.items():
        assert (tmp_path / "out" / relative).read_bytes() == vectors.dumps(content)
    result = cli("vectors", str(tmp_path / "out"), "--json")
    assert result.exit_code == 2  # not empty
    result = cli("vectors", str(tmp_path / "out"), "--json", "--force")
    assert json.loads(result.stdout)["count"] == len(expected)


def test_vectors_refuse_unsafe_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    from vaxpass_core.shell import vectors

    monkeypatch.setattr(vectors, "generate", lambda seed=0: iter([("../escape.json", {})]))
    result = cli("vectors", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "unsafe path" in result.stderr
    assert not (tmp_path / "escape.json").exists()


def test_vectors_refuse_a_file_or_a_full_directory(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "file").write_text("x")
    assert cli("vectors", str(tmp_path / "file")).exit_code == 2  # click refuses a regular file
    # ... and the shared guard anything else that is not a directory (a FIFO, a device)
    with pytest.raises(InputError, match="exists and is not a directory"):
        require_empty_dir(tmp_path / "file", force=True)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = cli("vectors", str(tmp_path / "full"))
    assert result.exit_code == 2
    assert "is not empty; pass --force" in result.stderr
    assert (tmp_path / "full" / "x").read_text() == "x"


def _lines(tmp_path: Path) -> Path:
    good = record_to_json(sample_record())
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
    assert codes == ["batch.line", "record.invalid"]
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
