"""``vaxpass demo``, the shared output helpers and the global options."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import click
import pytest

from vaxpass_core.cli._common import IsoTime, epoch_iso, jsonable, readable_times
from vaxpass_core.hazmat.cbor import CBORTag
from vaxpass_core.qr import qr_png


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"


def test_demo_shows_every_step(cli: Callable[..., Result]) -> None:
    result = cli("demo", "--now", NOW)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "Họ và tên / Full name: Nguyễn Thị Bảo Ngọc",
        "Level 1: facility VN-FAC-0001",
        "EU DCC payload:",
        "QR version",
        "\N{FULL BLOCK}",
        "Verification: VALID",
        "passed  revocation",
    ):
        assert text in out
    assert "\x1b[" not in out
    assert "\x1b[1m" in cli("demo", "--now", NOW, color=True).stdout
    report = json.loads(cli("demo", "--now", NOW, "--json").stdout)
    assert report["verification"]["ok"] is True
    assert report["record"]["full_name"] == {"family": "Nguyễn", "given": "Thị Bảo Ngọc"}
    assert cli("demo").exit_code == 0  # the clock, inside the test PKI's window until 2030


def test_no_color_environment(
    passport: str, pki_dir: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("verify", passport, "--pki", str(pki_dir), "--now", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli(*args, color=True).stdout
    assert "\x1b[" in cli("--color", *args, color=True).stdout


def test_iso_time() -> None:
    convert = IsoTime().convert
    assert convert("2026-06-01", None, None) == datetime(2026, 6, 1, tzinfo=UTC)
    assert convert("2026-06-01T12:00Z", None, None) == datetime(2026, 6, 1, 12, tzinfo=UTC)
    ict = convert("2026-06-01T19:00+07:00", None, None)
    assert ict == datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert ict.utcoffset() == timedelta(hours=7)
    same = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=7)))
    assert convert(same, None, None) is same
    with pytest.raises(click.BadParameter):
        convert("tomorrow", None, None)


def test_json_and_date_helpers() -> None:
    data = {
        1: b"\x01\xff",
        "t": CBORTag(1, 5),
        "d": datetime(2026, 1, 1, tzinfo=UTC),
        "l": (1, 2.5, None, True),
        "o": object,
    }
    out = jsonable(data)
    assert out["1"] == "01ff"
    assert out["t"] == {"tag": 1, "value": 5}
    assert out["d"] == "2026-01-01T00:00:00+00:00"
    assert out["l"] == [1, 2.5, None, True]
    assert out["o"] == str(object)
    assert epoch_iso(0) == "1970-01-01T00:00:00Z"
    assert epoch_iso(None) is None
    assert epoch_iso(10**20) == f"(out of range: {10**20})"


def test_inspect_a_picture_without_a_passport(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "q.png").write_bytes(qr_png("HELLO"))
    result = cli("inspect", str(tmp_path / "q.png"), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "qr.not-found"
    result = cli("verify", str(tmp_path / "q.png"), "--cert", str(tmp_path / "q.png"))
    assert result.exit_code == 2  # the "certificate" is a picture


def test_demo_fits_an_80_column_terminal(cli: Callable[..., Result]) -> None:
    result = cli("demo", "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 0, result.output
    art = [line for line in result.output.splitlines() if "\u2588" in line]
    assert len(art) > 40  # the QR code is there
    # Every line but the HC1 text itself (one long word a terminal wraps anyway) fits.
    assert max(len(line) for line in art) <= 80


def test_verify_shows_times_as_dates_for_people(
    cli: Callable[..., Result], passport: str, pki_dir: Path
) -> None:
    late = ("verify", passport, "--pki", str(pki_dir), "--now", "2031-05-01")
    result = cli(*late)
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if "failed" in line]
    assert any("expired at 20" in line and line.endswith("Z") for line in failed), failed
    assert "not at 2031-05-01T00:00:00Z" in result.output
    assert not re.search(r"\b\d{10}\b", "\n".join(failed))
    machine = json.loads(cli(*late, "--json").output)  # the library's detail says it so too
    details = [c["detail"] for c in machine["checks"] if c["name"] == "time.expiry"]
    assert re.fullmatch(r"expired at 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", details[0])


def test_readable_times_leaves_other_numbers_alone() -> None:
    assert readable_times("valid 1735689600..1893456000, not at 1935360000") == (
        "valid 2025-01-01T00:00:00Z..2030-01-01T00:00:00Z, not at 2031-05-01T00:00:00Z"
    )
    assert readable_times("dose 2 of 3, kid 9467ae2165b69e37, 12345678") == (
        "dose 2 of 3, kid 9467ae2165b69e37, 12345678"
    )
