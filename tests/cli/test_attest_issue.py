"""``vaxpass attest`` and ``vaxpass issue``: record JSON in, attestation and passport out."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import attrs
import pytest

import vaxpass_core as vp
from tests._helpers import NOW as TEST_NOW
from vaxpass_core.attestation import Attestation
from vaxpass_core.cli.pki_files import load_pki_dir
from vaxpass_core.errors import InvalidRecord
from vaxpass_core.record import FullName
from vaxpass_core.shell.record_json import RecordFormatError, record_from_json, record_to_json
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"


def _verify(text: str, pki_dir: Path) -> vp.VerificationResult:
    trust = load_pki_dir(pki_dir).trust
    return vp.verify(text, trust=trust, now=TEST_NOW, policy=vp.Policy.vietnam())


def test_attest_then_issue_from_base64(
    tmp_path: Path, pki_dir: Path, record_file: Path, cli: Callable[..., Result]
) -> None:
    result = cli("attest", "--pki", str(pki_dir), str(record_file), "--now", NOW)
    assert result.exit_code == 0, result.output
    attestation = Attestation.from_bytes(base64.b64decode(result.stdout))
    assert attestation.record == sample_record()
    assert attestation.facility_kid == load_pki_dir(pki_dir).facilities[0].kid

    (tmp_path / "att.b64").write_text(result.stdout)
    result = cli("issue", "--pki", str(pki_dir), str(tmp_path / "att.b64"), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert _verify(result.stdout.strip(), pki_dir).ok


def test_binary_attestation_and_stdin(
    tmp_path: Path, pki_dir: Path, record_file: Path, cli: Callable[..., Result]
) -> None:
    out = tmp_path / "att.cose"
    args = ("attest", "--pki", str(pki_dir), "--facility", "VN-FAC-0003", "-", "--now", NOW)
    result = cli(*args, "--out", str(out), "--binary", "--json", stdin=record_file.read_bytes())
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["facility_kid"] == load_pki_dir(pki_dir).facilities[2].kid.hex()
    assert report["attestation"] is None  # it went to the file
    result = cli("issue", "--pki", str(pki_dir), "-", "--now", NOW, stdin=out.read_bytes())
    assert result.exit_code == 0, result.output
    assert _verify(result.stdout.strip(), pki_dir).ok
    # raw bytes never go to the terminal
    assert cli("attest", "--pki", str(pki_dir), str(record_file), "--binary").exit_code == 2


def test_issue_in_one_go_with_pictures(
    tmp_path: Path, pki_dir: Path, record_file: Path, cli: Callable[..., Result]
) -> None:
    png, svg, text = tmp_path / "q.png", tmp_path / "q.svg", tmp_path / "q.txt"
    result = cli(
        "issue",
        "--pki",
        str(pki_dir),
        "--record",
        str(record_file),
        "--facility",
        "VN-FAC-0002",
        "--png",
        str(png),
        "--svg",
        str(svg),
        "--out",
        str(text),
        "--error-level",
        "h",
        "--now",
        NOW,
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["error_level"] == "H"
    assert report["expires_at"] == "2027-06-01T12:00:00Z"
    assert report["qr_text"] == text.read_text().strip()
    assert png.read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in svg.read_bytes()
    assert _verify(report["qr_text"], pki_dir).ok


def test_record_json_forms() -> None:
    record = sample_record()
    data = record_to_json(record)
    assert record_from_json(data) == record
    assert record_from_json(json.dumps(data)) == record
    pair = {**data, "full_name": ["Nguyễn", "Thị Bảo Ngọc"]}
    assert record_from_json(pair) == record
    icao = attrs.evolve(record, full_name=FullName("Nguyễn", "An", family_icao="NGUYEN"))
    assert record_from_json(record_to_json(icao)) == icao
    for bad in (
        "[1]",
        "{",
        {**data, "extra": 1},
        {**data, "full_name": "Nguyễn An"},
        {**data, "dose_number": "two"},
        {**data, "full_name": {"given": "An"}},
    ):
        with pytest.raises(RecordFormatError):
            record_from_json(bad)
    with pytest.raises(InvalidRecord):
        record_from_json({**data, "vaccination_date": "1980-01-01"})  # before birth


def test_bad_records_and_attestations(
    tmp_path: Path, pki_dir: Path, record_file: Path, cli: Callable[..., Result]
) -> None:
    pki = str(pki_dir)
    data = json.loads(record_file.read_text())
    cases = {
        "notjson.json": ("{oops", 2),
        "shape.json": (json.dumps({**data, "extra": 1}), 2),
        "invalid.json": (json.dumps({**data, "vaccination_date": "1980-01-01"}), 1),
        # the record checks form only: a facility may attest a code outside the value sets
        "unknown.json": (json.dumps({**data, "product": "NOT-A-PRODUCT"}), 0),
    }
    for name, (content, expected) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        result = cli("attest", "--pki", pki, str(tmp_path / name), "--now", NOW, "--json")
        assert result.exit_code == expected, (name, result.output)
    result = cli("attest", "--pki", pki, str(tmp_path / "invalid.json"), "--json")
    assert json.loads(result.stdout)["code"] == "record.invalid"
    # a code outside the value sets: issue refuses it unless allowed, then a verifier warns
    unknown = str(tmp_path / "unknown.json")
    args = ("issue", "--pki", pki, "--record", unknown, "--now", NOW)
    result = cli(*args, "--json")
    assert (result.exit_code, json.loads(result.stdout)["code"]) == (1, "valueset.unknown")
    flagged = cli("attest", "--pki", pki, unknown, "--now", NOW, "--allow-unknown-codes")
    assert flagged.exit_code == 0  # accepted on attest for old scripts, and ignored
    result = cli(*args, "--allow-unknown-codes")
    assert result.exit_code == 0, result.output
    checked = _verify(result.stdout.strip(), pki_dir)
    assert checked.ok
    assert [str(w.code) for w in checked.warnings] == ["valueset.unknown"]
    assert cli("attest", "--pki", pki, "--facility", "VN-FAC-9999", str(record_file)).exit_code == 2
    # a corrupted attestation: invalid (1); not an attestation file at all: input error (2)
    good = cli("attest", "--pki", pki, str(record_file), "--now", NOW).stdout
    raw = bytearray(base64.b64decode(good))
    raw[-1] ^= 1
    (tmp_path / "flipped.b64").write_text(base64.b64encode(bytes(raw)).decode())
    result = cli("issue", "--pki", pki, str(tmp_path / "flipped.b64"), "--now", NOW, "--json")
    assert (result.exit_code, json.loads(result.stdout)["code"]) == (1, "facility.signature")
    (tmp_path / "junk.b64").write_text("this is no base64 !!")
    assert cli("issue", "--pki", pki, str(tmp_path / "junk.b64")).exit_code == 2
    assert cli("issue", "--pki", pki, str(tmp_path / "missing.b64")).exit_code == 2
    # usage: exactly one of ATTESTATION and --record; --facility only with --record
    assert cli("issue", "--pki", pki).exit_code == 2
    assert cli("issue", "--pki", pki, "x", "--record", str(record_file)).exit_code == 2
    assert cli("issue", "--pki", pki, "x", "--facility", "VN-FAC-0001").exit_code == 2
    assert cli("issue", "--pki", str(tmp_path / "nopki"), "x").exit_code == 2
