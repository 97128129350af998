"""Bulk issuance stopped early, by Ctrl-C, by kill -9 or by nothing to do: a rerun resumes.

Also what the command shows in a log (lines with the rate, not a bar drawn at the end), the
facilities given as a mapping, and lines that are not UTF-8.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from vaxpass_core.cli.progress import ProgressLines, duration
from vaxpass_core.shell.bulk import REJECT_JSON, checkpoint_path

from .conftest import NOW
from .test_batch import PKI, assert_each_line_once, entries, record_line, run, write_source


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .conftest import Invoke


def _checkpoint(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(checkpoint_path(tmp_path / "out.jsonl").read_bytes())
    return data


# -- Stopped before the first checkpoint. --------------------------------------------------------


def test_an_empty_input_run_twice_resumes(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"")
    first = run(source, tmp_path)
    second = run(source, tmp_path)
    assert (first.read, second.read, second.skipped) == (0, 0, 0)


def test_a_run_stopped_before_its_first_checkpoint_resumes(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 30)

    def ctrl_c(_: int) -> None:  # Ctrl-C after the first chunk, long before a checkpoint
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(source, tmp_path, progress=ctrl_c)
    assert _checkpoint(tmp_path)["next_line"] == 1  # only the one made at the start
    assert (tmp_path / "out.jsonl").stat().st_size > 0  # unsaved work, to be redone

    report = run(source, tmp_path)

    assert (report.read, report.skipped) == (30, 0)
    assert_each_line_once(tmp_path, 30)


def test_an_older_checkpoint_with_an_empty_tail_resumes(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 5)
    checkpoint: dict[str, object] = {"version": 1, "source_offset": 0, "next_line": 1}
    checkpoint |= {"out_size": 0}
    checkpoint |= {"rejects_size": 0, "tail": "", "tail_length": 0}
    checkpoint_path(tmp_path / "out.jsonl").write_text(json.dumps(checkpoint), encoding="utf-8")
    (tmp_path / "out.jsonl").write_bytes(b"")
    (tmp_path / "rejects.jsonl").write_bytes(b"")
    assert run(source, tmp_path).issued == 5


# -- What the caller hands in. -----------------------------------------------------------------


def test_facilities_may_be_a_mapping_by_facility_id(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 6)
    by_id = {f.facility_id: f for f in PKI.facilities}
    assert run(source, tmp_path, facilities=by_id).issued == 6


def test_facilities_of_the_wrong_kind_are_refused_clearly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 1)
    first = PKI.facilities[0]
    with pytest.raises(ValueError, match="keys must be the signers' facility_id"):
        run(source, tmp_path, facilities={"VN-ELSEWHERE": first})
    with pytest.raises(TypeError, match="not str"):
        run(source, tmp_path, facilities=[first.facility_id])
    with pytest.raises(TypeError, match="not a string"):
        run(source, tmp_path, facilities="VN-79001")
    with pytest.raises(TypeError, match="not dict"):
        run(source, tmp_path, facilities={first.facility_id: {"key": "..."}})
    assert not (tmp_path / "out.jsonl").exists()


def test_a_line_that_is_not_utf8_is_reported_as_such(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    good = json.dumps(record_line(1)).encode()
    # A second byte of NUL once made the reader guess UTF-16 and report a utf-16-le error.
    source.write_bytes(good + b"\n" + b"{\x00\xff}\n" + b'{"a": "\xe9t\xe9"}\n')
    run(source, tmp_path)
    rejects = entries(tmp_path / "rejects.jsonl")
    assert [(r["line"], r["code"]) for r in rejects] == [(2, REJECT_JSON), (3, REJECT_JSON)]
    assert rejects[0]["error"] == "not UTF-8: byte 0xff at 2"
    assert rejects[1]["error"] == "not UTF-8: byte 0xe9 at 7"
    assert not any("utf-16" in r["error"] for r in rejects)


def test_a_line_nested_too_deeply_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"[" * 100_000 + b"\n")
    report = run(source, tmp_path)
    assert report.rejected == 1
    assert "nested too deeply" in entries(tmp_path / "rejects.jsonl")[0]["error"]


# -- Progress as lines. ------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_come_every_interval_with_rate_and_time_left() -> None:
    clock, shown = _Clock(), list[str]()
    progress = ProgressLines(10_000, echo=shown.append, interval=5.0, clock=clock)
    clock.now += 1
    progress(500)  # the first chunk: the rate is measured from here
    assert shown == []
    clock.now += 4
    progress(2000)
    assert shown == ["issuing: 2,500 of 10,000 lines (25%), 500 lines/s, 0:00:15 left"]
    clock.now += 2
    progress(1000)
    assert len(shown) == 1  # not yet another interval
    clock.now += 3
    progress(1500)
    assert shown[-1] == "issuing: 5,000 of 10,000 lines (50%), 500 lines/s, 0:00:10 left"
    progress.finish()
    assert len(shown) == 3


def test_progress_lines_of_a_resumed_run_measure_only_the_work() -> None:
    clock, shown = _Clock(), list[str]()
    progress = ProgressLines(4000, echo=shown.append, interval=0, clock=clock)
    progress(3000)  # skipped by a resumed run, at once
    assert shown == ["issuing: 3,000 of 4,000 lines (75%)"]  # no rate yet
    clock.now += 2
    progress(100)
    assert shown[-1] == "issuing: 3,100 of 4,000 lines (77%), 50 lines/s, 0:00:18 left"


def test_progress_lines_of_an_empty_input() -> None:
    shown: list[str] = []
    ProgressLines(0, echo=shown.append, clock=_Clock()).finish()
    assert shown == ["issuing: 0 of 0 lines"]


def test_duration_rounds_up() -> None:
    assert [duration(s) for s in (0, 0.2, 59.5, 3600 * 26 + 61)] == [
        "0:00:00",
        "0:00:01",
        "0:01:00",
        "26:01:01",
    ]


def test_the_command_prints_progress_lines_when_stderr_is_a_log(
    tmp_path: Path, pki_dir: Path, cli: Invoke
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps(record_line(i, facility_id="VN-FAC-0001")) + "\n" for i in range(3)),
        encoding="utf-8",
    )
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    args = ["issue-batch", str(source), "--pki", str(pki_dir), "--out", str(out)]
    args += ["--rejects", str(rejects), "--now", NOW, "--workers", "1", "--json"]
    result = cli(*args, "--progress-seconds", "0")
    assert result.exit_code in {0, 1}, result.output
    assert result.stderr.splitlines()[-1].startswith("issuing: 3 of 3 lines (100%)")
    assert json.loads(result.stdout)["read"] == 3


# -- Interrupted for real, through the command. --------------------------------------------------


@pytest.fixture
def batch_command(tmp_path: Path, pki_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``vaxpass issue-batch`` on 3000 lines in its own process group, stderr piped."""
    source = tmp_path / "in.jsonl"
    facility = json.loads((pki_dir / "pki.json").read_text(encoding="utf-8"))["facilities"][0]
    with source.open("w", encoding="utf-8") as f:
        for i in range(3000):
            f.write(json.dumps(record_line(i, facility_id=facility["id"])) + "\n")
    args = ["issue-batch", str(source), "--pki", str(pki_dir), "--out", str(tmp_path / "out.jsonl")]
    args += ["--rejects", str(tmp_path / "rejects.jsonl"), "--now", NOW, "--workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "vaxpass_core.cli", *args, "--progress-seconds", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process, source
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    process.stderr.close()


def _wait_for_progress(process: subprocess.Popen[bytes]) -> bytes:
    """stderr up to the first progress line (the run is then well under way)."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b"issuing: " not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, f"the batch ended early: {seen!r}"
            seen += chunk
    return seen


def _rest_of_stderr(process: subprocess.Popen[bytes]) -> bytes:
    """stderr to its end: when every process that holds it (workers too) has gone."""
    assert process.stderr is not None
    rest = b""
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, f"a process still holds stderr: {rest!r}"
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                return rest
            rest += chunk


def test_ctrl_c_exits_130_and_a_rerun_resumes(
    tmp_path: Path,
    pki_dir: Path,
    batch_command: tuple[subprocess.Popen[bytes], Path],
    cli: Invoke,
) -> None:
    process, source = batch_command
    seen = _wait_for_progress(process)
    os.killpg(process.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
    seen += _rest_of_stderr(process)
    assert process.wait(timeout=60) == 130
    assert b"Traceback" not in seen
    assert b"run the same command again to resume" in seen
    _rerun_finishes(tmp_path, pki_dir, source, cli)


def test_killing_the_parent_leaves_no_worker_traceback(
    tmp_path: Path,
    pki_dir: Path,
    batch_command: tuple[subprocess.Popen[bytes], Path],
    cli: Invoke,
) -> None:
    process, source = batch_command
    seen = _wait_for_progress(process)
    os.kill(process.pid, signal.SIGKILL)  # the parent only: its workers are left behind
    seen += _rest_of_stderr(process)
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert b"Traceback" not in seen
    assert b"BrokenPipeError" not in seen
    _rerun_finishes(tmp_path, pki_dir, source, cli)


def _rerun_finishes(tmp_path: Path, pki_dir: Path, source: Path, cli: Invoke) -> None:
    """The same command again: it resumes and ends with every line issued exactly once."""
    args = ["issue-batch", str(source), "--pki", str(pki_dir)]
    args += ["--out", str(tmp_path / "out.jsonl"), "--rejects", str(tmp_path / "rejects.jsonl")]
    result = cli(*args, "--now", NOW, "--workers", "2", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["skipped"] + report["read"] == 3000
    assert [e["line"] for e in entries(tmp_path / "out.jsonl")] == list(range(1, 3001))


def test_ctrl_c_in_process_exits_130_with_advice(
    tmp_path: Path, pki_dir: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The subprocess tests above send the real signal; this one counts for coverage.
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("vaxpass_core.shell.bulk.issue_batch", interrupted)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"{}\n")
    args = ["issue-batch", str(source), "--pki", str(pki_dir), "--now", NOW]
    result = cli(*args, "--out", str(tmp_path / "o"), "--rejects", str(tmp_path / "r"))
    assert result.exit_code == 130
    assert "run the same command again to resume" in result.stderr
    assert "issuing:" not in result.stderr  # no last progress line after the interruption
