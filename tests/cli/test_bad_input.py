"""Bad input never shows a traceback: exit 2 and one line, for every command and bad file.

The passport text is always text, however long; a file name is a file only when one exists.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest
from click.testing import CliRunner

from vaxpass_core.cli import _Commands, main
from vaxpass_core.cli._common import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    InputError,
    InternalError,
    as_cli_error,
)
from vaxpass_core.cli._sources import read_passport_input
from vaxpass_core.errors import InvalidBase45

from .conftest import NOW


if TYPE_CHECKING:
    from collections.abc import Callable
    from subprocess import CompletedProcess

    from .conftest import Invoke

DEEP = "[" * 100_000
# A trust list whose certificate is two bytes of DER: readers once raised IndexError on it.
SHORT_DER = '[{"rawData":"MAA=","country":"VN"}]'


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files: dict[str, bytes] = {
        "deep": DEEP.encode(),
        "short-der": SHORT_DER.encode(),
        "not-utf8": b"\xff\xfe\x00[\x80",
        "garbage": bytes(range(256)) * 4,
        "empty": b"",
        "wrong-shape": b'{"a": [1, 2, {"b": null}]}',
    }
    paths = {}
    for name, content in files.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content)
        paths[name] = path
    return paths


def _assert_input_error(result: click.testing.Result) -> None:
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Traceback" not in result.output
    # One line of error (click's usage errors put the usage before it).
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.strip().endswith(errors[0])


@pytest.mark.parametrize(
    "name", ["deep", "short-der", "not-utf8", "garbage", "empty", "wrong-shape"]
)
def test_every_reader_of_every_command_refuses_a_bad_file_in_one_line(
    tmp_path: Path, pki_dir: Path, passport: str, name: str
) -> None:
    bad_file = _bad_files(tmp_path)[name]
    bad = str(bad_file)
    pki = str(pki_dir)
    bad_pki = tmp_path / "bad-pki"
    bad_pki.mkdir()
    for part in ("pki.json", "trust.json"):
        (bad_pki / part).write_bytes(bad_file.read_bytes())
    runner = CliRunner()
    commands = [
        ["verify", passport, "--trust-list", bad, "--now", NOW],
        ["verify", passport, "--cert", bad, "--now", NOW],
        ["verify", passport, "--pki", str(bad_pki), "--now", NOW],
        ["attest", bad, "--pki", pki, "--now", NOW],
        ["issue", "--record", bad, "--pki", pki, "--now", NOW],
        ["issue", passport, "--pki", str(bad_pki), "--now", NOW],
        ["issue-batch", bad, "--pki", str(bad_pki), "--out", str(tmp_path / "o"), "--rejects", "r"],
    ]
    for args in commands:
        result = runner.invoke(_vaxpass(), args, catch_exceptions=False)
        _assert_input_error(result)


def _vaxpass() -> click.Group:
    from vaxpass_core.cli import vaxpass

    return vaxpass


def test_a_bad_attestation_is_refused_not_a_crash(
    tmp_path: Path, pki_dir: Path, cli: Invoke
) -> None:
    # base64 of nothing a COSE reader takes: the library refuses it with its code (exit 1).
    (tmp_path / "att.txt").write_text("AAAA\n", encoding="ascii")
    result = cli("issue", str(tmp_path / "att.txt"), "--pki", str(pki_dir), "--now", NOW)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "refused [" in result.stderr


def test_the_real_entry_point_prints_one_line_for_a_deep_record(
    tmp_path: Path, pki_dir: Path, run_cli: Callable[..., CompletedProcess[bytes]]
) -> None:
    (tmp_path / "deep.json").write_text(DEEP, encoding="ascii")
    (tmp_path / "list.json").write_text(SHORT_DER, encoding="ascii")
    for args in (
        ("attest", "deep.json", "--pki", str(pki_dir)),
        ("verify", "HC1:NCF", "--trust-list", "list.json"),
        ("verify", "HC1:NCF", "--trust-list", "deep.json"),
    ):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == EXIT_INPUT, done.stderr
        assert b"Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# -- The passport argument: text is text, a name is a file only when it names one. ----------


def test_a_long_passport_argument_without_a_slash_is_text_not_a_file_name() -> None:
    text = "HC1:" + "NCFOXN%TS3DH" * 30  # 364 characters: longer than any file name may be
    assert "/" not in text
    assert read_passport_input(text) == (text, "argument")
    assert read_passport_input(f"  {text}\n") == (text, "argument")
    # Not HC1 but QR text too long to be a file name: still text (verify says what is wrong).
    assert read_passport_input("A" * 300) == ("A" * 300, "argument")


def test_a_name_the_system_refuses_to_look_up_is_a_missing_file() -> None:
    for name in ("a\0b", "x" * 300 + ".png", "no such file.txt"):
        with pytest.raises(InputError, match="no such file"):
            read_passport_input(name)


def test_an_existing_file_with_a_qr_text_name_is_read(
    tmp_path: Path, passport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("P.TXT").write_text(passport + "\n", encoding="ascii")
    assert read_passport_input("P.TXT") == (passport, "P.TXT")


def test_verify_takes_the_documented_form_for_every_length(
    pki_dir: Path, passport: str, cli: Invoke
) -> None:
    assert len(passport.encode()) > 255
    result = cli("verify", passport, "--pki", str(pki_dir), "--now", NOW)
    assert result.exit_code == 0, result.output
    slashless = passport.replace("/", "A")  # a damaged text, as long: invalid, not a crash
    result = cli("verify", slashless, "--pki", str(pki_dir), "--now", NOW)
    assert result.exit_code in {0, 1}
    assert "Verification:" in result.output


# -- The one place that maps exceptions to exit codes. ----------------------------------------


def test_each_exception_kind_maps_to_its_exit_code_and_one_line() -> None:
    cases: list[tuple[Exception, int, str]] = [
        (InvalidBase45("bad\ncharacter"), EXIT_INPUT, "[hc1.base45] bad character"),
        (RecursionError("maximum recursion depth"), EXIT_INPUT, "nested too deeply"),
        (MemoryError(), EXIT_INPUT, "too large"),
        (OSError(errno.ENOSPC, "No space left on device", "out.jsonl"), EXIT_INPUT, "out.jsonl"),
        (OSError("plain"), EXIT_INPUT, "plain"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), EXIT_INPUT, "utf-8"),
        (ValueError(""), EXIT_INPUT, "ValueError"),
        (TypeError("oops"), EXIT_INTERNAL, "internal error (a bug"),
    ]
    for exc, code, words in cases:
        mapped = as_cli_error(exc)
        assert mapped.exit_code == code
        assert words in mapped.message
        assert "\n" not in mapped.message
    assert isinstance(as_cli_error(KeyError("k")), InternalError)


def _group_raising(exc: BaseException) -> click.Group:
    group = _Commands()

    @group.command()
    def boom() -> None:
        raise exc

    return group


def test_the_group_reports_a_bug_in_one_line_and_exit_70() -> None:
    result = CliRunner().invoke(_group_raising(KeyError("x")), ["boom"], catch_exceptions=False)
    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.strip() == "Error: internal error (a bug, please report it): KeyError: 'x'"


def test_a_developer_can_ask_for_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXPASS_TRACEBACK", "1")
    with pytest.raises(KeyError):
        CliRunner().invoke(_group_raising(KeyError("x")), ["boom"], catch_exceptions=False)


def test_click_and_pipe_errors_pass_through_untouched() -> None:
    runner = CliRunner()
    result = runner.invoke(_group_raising(click.UsageError("no")), ["boom"])
    assert result.exit_code == 2
    assert "Usage:" in result.output
    result = runner.invoke(_group_raising(BrokenPipeError()), ["boom"])
    assert isinstance(result.exception, BrokenPipeError)


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("vaxpass_core.cli.cmd_demo.make_pki", interrupted)
    assert main(["demo", "--now", NOW]) == EXIT_INTERRUPTED
    assert "Aborted." in capsys.readouterr().err
    assert EXIT_INTERRUPTED == 130


def test_a_json_file_that_is_not_utf8_says_so(tmp_path: Path, pki_dir: Path, cli: Invoke) -> None:
    # json.loads(bytes) would take the NUL for UTF-16 and report a utf-16-le error.
    (tmp_path / "record.json").write_bytes(b"{\x00\xff}")
    result = cli("attest", str(tmp_path / "record.json"), "--pki", str(pki_dir))
    assert result.exit_code == EXIT_INPUT
    assert "is not JSON: not UTF-8: byte 0xff at 2" in result.stderr
    assert "utf-16" not in result.stderr
    # A byte order mark, as some editors write, is no error.
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"a": 1}).encode())
    result = cli("attest", str(tmp_path / "bom.json"), "--pki", str(pki_dir))
    assert result.exit_code == EXIT_INPUT
    assert "the record lacks keys" in result.stderr  # read as JSON; then not a record
