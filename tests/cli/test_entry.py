"""The real entry points: ``python -m vaxpass_core.cli`` in a subprocess, and ``main()``.

One walk through the whole chain with real files, then each kind of wrong input, checking
the exit codes (0 valid, 1 invalid, 2 usage or input error) and that piped output is plain.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from vaxpass_core.cli import main
from vaxpass_core.cli.pki_files import load_pki_dir


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from subprocess import CompletedProcess

NOW = "2026-06-01T12:00:00Z"
ANSI = b"\x1b["


def test_the_whole_chain_through_the_real_entry_point(
    tmp_path: Path, record_file: Path, run_cli: Callable[..., CompletedProcess[bytes]]
) -> None:
    def ok(*args: str, stdin: bytes | None = None) -> bytes:
        done = run_cli(*args, cwd=tmp_path, stdin=stdin)
        assert done.returncode == 0, done.stderr.decode()
        assert ANSI not in done.stdout  # piped: plain text
        return done.stdout

    ok("pki", "init", "pki", "--seed", "3", "--facilities", "2")
    pki = load_pki_dir(tmp_path / "pki")
    assert [f.facility_id for f in pki.facilities] == ["VN-FAC-0001", "VN-FAC-0002"]

    ok(
        "attest",
        "--pki",
        "pki",
        "--facility",
        "VN-FAC-0002",
        str(record_file),
        "--now",
        NOW,
        "--out",
        "att.cose",
        "--binary",
    )
    assert (tmp_path / "att.cose").read_bytes()[:1] == b"\xd2"
    ok("issue", "--pki", "pki", "att.cose", "--now", NOW, "--out", "pass.txt", "--png", "p.png")
    text = (tmp_path / "pass.txt").read_text().strip()
    assert text.startswith("HC1:")

    report = json.loads(ok("verify", "--pki", "pki", "pass.txt", "--now", NOW, "--json"))
    assert report["ok"] is True
    assert report["codes"] == []
    assert ok("verify", "--pki", "pki", "-", "--now", NOW, stdin=text.encode()).startswith(
        b"Verification: VALID"
    )
    assert b"VALID" in ok("verify", "--pki", "pki", "p.png", "--now", NOW, "--policy", "vn")
    assert b"ATTESTATION" in ok("inspect", text)
    demo = json.loads(ok("demo", "--now", NOW, "--json"))
    assert demo["verification"]["ok"] is True
    assert demo["qr_text"].startswith("HC1:")


def test_wrong_input_exit_codes(
    tmp_path: Path,
    pki_dir: Path,
    passport: str,
    run_cli: Callable[..., CompletedProcess[bytes]],
) -> None:
    def code(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
        done = run_cli(*args, cwd=tmp_path, stdin=stdin)
        assert b"Traceback" not in done.stderr
        return done.returncode, (done.stdout + done.stderr).decode()

    pki = str(pki_dir)
    # a missing file: 2
    assert code("verify", "--pki", pki, "missing.txt")[0] == 2
    assert code("inspect", "no/such/file.txt")[0] == 2
    assert code("attest", "--pki", pki, "missing.json")[0] == 2
    # a corrupted passport: 1
    broken = passport[:-12] + ("A" if passport[-12] != "A" else "B") + passport[-11:]
    status, out = code("verify", "--pki", pki, broken, "--now", NOW)
    assert status == 1
    assert "INVALID" in out
    # garbage to inspect: 1, with how far it got
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 3)
    status, out = code("inspect", "garbage.bin")
    assert (status, "[hc1.prefix]" in out) == (1, True)
    # an unreadable record: 2
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert code("attest", "--pki", pki, "bad.json")[0] == 2
    # usage errors: 2
    assert code("verify", broken)[0] == 2  # nobody to trust
    assert code("no-such-command")[0] == 2
    assert code("verify", "--pki", pki, passport, "--now", "yesterday")[0] == 2


def test_vectors_and_batch_through_the_real_entry_point(
    tmp_path: Path, pki_dir: Path, run_cli: Callable[..., CompletedProcess[bytes]]
) -> None:
    done = run_cli("vectors", "out", "--seed", "1", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    count = json.loads(done.stdout)["count"]
    assert count == len([p for p in (tmp_path / "out").rglob("*") if p.is_file()]) > 0

    lines = tmp_path / "records.jsonl"
    lines.write_text('{"facility_id": "VN-FAC-0001"}\nnot json\n', encoding="utf-8")
    done = run_cli(
        "issue-batch",
        "--pki",
        str(pki_dir),
        "--out",
        "out.jsonl",
        "--rejects",
        "rej.jsonl",
        "--workers",
        "1",
        "--now",
        NOW,
        "--json",
        str(lines),
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr.decode()  # every line was rejected
    report = json.loads(done.stdout)
    assert (report["read"], report["issued"], report["rejected"]) == (2, 0, 2)
    assert len((tmp_path / "rej.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(["--help"], 0), (["--version"], 0), (["verify"], 2), (["pki"], 2), (["bogus"], 2)],
)
def test_main_returns_the_exit_code(
    argv: list[str], expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == expected
    captured = capsys.readouterr()
    assert (captured.out + captured.err).strip()
