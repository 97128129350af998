"""Bulk issuance: every line ends exactly once, rejects carry codes, an interrupted run resumes.

Also the chain's proof of origin, which the batch's speed relies on: an attestation made by
``attest()`` is not verified again by ``issue()``, and nothing else can pass for one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import pytest

import vaxpass_core as vp
from tests._helpers import NOW
from vaxpass_core import uvci, valuesets
from vaxpass_core.errors import FacilitySignatureInvalid, KeyExpired
from vaxpass_core.shell.bulk import (
    REJECT_JSON,
    BatchReport,
    checkpoint_path,
    issue_batch,
)
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


PKI = make_pki(seed=0)
FACILITY_IDS = [f.facility_id for f in PKI.facilities]
_GIVEN = ("Văn An", "Thị Bảo Ngọc", "Đức Huy", "Thị Hồng Nhung", "Quốc Trưởng", "Ưng Hoàng Phúc")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Trương")


def record_line(i: int, **changes: Any) -> dict[str, Any]:
    """A valid input record (varied name, vaccine and id), with *changes* applied."""
    vp_, mp, ma = valuesets.vn_vaccines()[i % 8].codes
    line: dict[str, Any] = {
        "facility_id": FACILITY_IDS[i % len(FACILITY_IDS)],
        "full_name": {"family": _FAMILY[i % 6], "given": _GIVEN[i % 5]},
        "date_of_birth": f"{1940 + i % 70}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "nationality": "VN",
        "disease": "840539006",
        "doses_received": 1 + i % 3,
        "vaccination_date": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "dose_number": 1 + i % 3,
        "vaccine": vp_,
        "product": mp,
        "manufacturer": ma,
        "certificate_id": uvci.new(issuer="79001", unique=f"{i:016X}"),
    }
    line.update(changes)
    return line


def write_source(path: Path, count: int, start: int = 0) -> None:
    with path.open("a", encoding="utf-8") as f:
        for i in range(start, start + count):
            f.write(json.dumps(record_line(i), ensure_ascii=False) + "\n")


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in path.read_bytes().splitlines()]


def run(source: Path, tmp_path: Path, **options: Any) -> BatchReport:
    arguments: dict[str, Any] = {
        "facilities": PKI.facilities,
        "issuer": PKI.document_signer,
        "trust": PKI.trust,
        "now": NOW,
        "workers": 2,
        **options,
    }
    return issue_batch(
        source, out=tmp_path / "out.jsonl", rejects=tmp_path / "rejects.jsonl", **arguments
    )


def assert_each_line_once(tmp_path: Path, lines: int) -> tuple[list[Any], list[Any]]:
    """Every input line is in exactly one of the outputs, each output in input order, and
    every passport verifies and carries the certificate id its line reports."""
    out, rejects = entries(tmp_path / "out.jsonl"), entries(tmp_path / "rejects.jsonl")
    numbers = [e["line"] for e in out] + [e["line"] for e in rejects]
    assert sorted(numbers) == list(range(1, lines + 1))
    for found in (out, rejects):
        assert [e["line"] for e in found] == sorted(e["line"] for e in found)
    for entry in out:
        result = vp.verify(entry["qr_text"], trust=PKI.trust, now=NOW)
        assert result.ok, (entry["line"], result.codes)
        assert result.record.certificate_id == entry["certificate_id"]
    return out, rejects


# -- One run. ----------------------------------------------------------------------------------

BAD_LINES: dict[int, tuple[str, str]] = {
    # line number -> (raw text, expected reject code)
    3: ('{"full_name": {"family": "Lê"', REJECT_JSON),
    5: ("", REJECT_JSON),
    7: ("[1, 2, 3]", REJECT_JSON),
    9: (json.dumps(record_line(9, facility_id="VN-NOWHERE")), "facility.unknown"),
    11: (
        json.dumps({k: v for k, v in record_line(11).items() if k != "facility_id"}),
        "facility.unknown",
    ),
    13: (json.dumps(record_line(13, vaccination_date="2021-02-30")), "record.invalid"),
    15: (json.dumps(record_line(15, dose_number="2")), "record.invalid"),
    17: (json.dumps(record_line(17, colour="blue")), "record.invalid"),
    19: (json.dumps(record_line(19, full_name={"family": "Lê", "middle": "X"})), "record.invalid"),
    # the record checks form only; issue() refuses the code
    21: (json.dumps(record_line(21, vaccine="NOT-A-VACCINE")), "valueset.unknown"),
    23: (json.dumps(record_line(23, nationality=None)), "record.invalid"),
    25: ("\xff\xfe not utf-8", REJECT_JSON),
}


def test_each_line_is_issued_or_rejected_once(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("wb") as f:
        for n in range(1, 61):
            text = BAD_LINES[n][0] if n in BAD_LINES else json.dumps(record_line(n))
            f.write(text.encode("latin-1" if n == 25 else "utf-8") + b"\n")
    done: list[int] = []
    report = run(source, tmp_path, progress=done.append)

    assert report.read == 60
    assert (report.issued, report.rejected, report.skipped) == (48, 12, 0)
    assert report.seconds > 0
    assert sum(done) == 60
    out, rejects = assert_each_line_once(tmp_path, 60)
    assert {e["line"]: e["code"] for e in rejects} == {n: c for n, (_, c) in BAD_LINES.items()}
    assert all(e["error"] for e in rejects)
    assert all(e["qr_text"].startswith("HC1:") for e in out)


def test_a_finished_batch_run_again_does_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 30)
    run(source, tmp_path, workers=1)
    before = (tmp_path / "out.jsonl").read_bytes()
    report = run(source, tmp_path)
    assert (report.read, report.skipped) == (0, 30)
    assert (tmp_path / "out.jsonl").read_bytes() == before


def test_unsaved_output_is_dropped_and_a_grown_source_continues(tmp_path: Path) -> None:
    """What a crash leaves past the checkpoint (a whole line, a torn one) is cut away."""
    source, out, rejects = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    write_source(source, 40)
    run(source, tmp_path)
    with out.open("ab") as f:
        f.write(out.read_bytes().splitlines(keepends=True)[0])  # a duplicate, unsaved
        f.write(b'{"line": 41, "certificate_id": "URN:UV')  # torn mid-write
    with rejects.open("ab") as f:
        f.write(b'{"line": 41, "code": "record.invalid", "error": "x"}\n')
    write_source(source, 25, start=40)

    report = run(source, tmp_path)

    assert (report.read, report.issued, report.skipped) == (25, 25, 40)
    assert_each_line_once(tmp_path, 65)


def test_refuses_to_overwrite_output_it_cannot_account_for(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 3)
    (tmp_path / "out.jsonl").write_text('{"line": 1}\n')
    with pytest.raises(FileExistsError):
        run(source, tmp_path)


def test_refuses_to_resume_on_a_changed_source(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 10)
    run(source, tmp_path)
    source.write_text(source.read_text(encoding="utf-8").replace("79001", "79002"), "utf-8")
    with pytest.raises(ValueError, match="not the file"):
        run(source, tmp_path)


def test_refuses_an_unusable_configuration(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_source(source, 2)
    with pytest.raises(KeyExpired):
        run(source, tmp_path, now=datetime(2031, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="trust store"):
        run(source, tmp_path, trust=vp.TrustStore())
    with pytest.raises(ValueError, match="timezone"):
        run(source, tmp_path, now=datetime(2026, 6, 1))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError, match="workers"):
        run(source, tmp_path, workers=0)
    with pytest.raises(ValueError, match="share"):
        run(source, tmp_path, facilities=[PKI.facilities[0], PKI.facilities[0]])
    assert not (tmp_path / "out.jsonl").exists()


# -- Interrupted for real. ------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    import vaxpass_core as vp
    from vaxpass_core.shell import bulk as batch

    batch._CHUNK_LINES = 40
    batch._CHECKPOINT_SECONDS = 0.0  # a checkpoint after every chunk
    pki = vp.testing.pki(seed=0)
    tmp = Path(sys.argv[1])
    batch.issue_batch(
        tmp / "in.jsonl", out=tmp / "out.jsonl", rejects=tmp / "rejects.jsonl",
        facilities=pki.facilities, issuer=pki.document_signer, trust=pki.trust,
        now=datetime(2026, 6, 1, 12, 0, tzinfo=UTC), workers=2,
        progress=lambda n: time.sleep(0.03),  # slow enough to be caught mid-run
    )
    """
)


def _checkpointed_lines(tmp_path: Path) -> int:
    try:
        return int(json.loads(checkpoint_path(tmp_path / "out.jsonl").read_bytes())["next_line"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.fixture
def child(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The batch running in its own process group (so its workers can be killed with it)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path)], start_new_session=True
    )
    yield process
    # Whatever the test did, no batch process or worker of its group outlives it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_an_interrupted_run_resumes_losing_and_duplicating_nothing(
    tmp_path: Path, child: subprocess.Popen[bytes], how: str
) -> None:
    source = tmp_path / "in.jsonl"
    lines = 1500
    write_source(source, lines)
    deadline = time.monotonic() + 30
    while _checkpointed_lines(tmp_path) < 300:  # well into the run
        assert child.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.01)
    if how == "SIGKILL":  # the parent and its workers, as a crash or the OOM killer would
        os.killpg(child.pid, signal.SIGKILL)
    else:  # Ctrl-C
        child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) != 0
    reached = _checkpointed_lines(tmp_path)
    assert reached - 1 < lines

    report = run(source, tmp_path)

    assert report.skipped == reached - 1
    assert report.read == lines - report.skipped
    assert_each_line_once(tmp_path, lines)


# -- The chain: no trust by where an attestation came from. -----------------------------------


def test_issue_verifies_every_attestation_it_is_given() -> None:
    facility = PKI.facilities[0]
    honest = vp.attest(sample_record(), facility=facility, now=NOW)
    other = attrs.evolve(honest.record, certificate_id=uvci.new(issuer="79001", unique="ABCDEF12"))
    # The honest signature, over another record.
    forged = attrs.evolve(honest, record=other)
    with pytest.raises(FacilitySignatureInvalid):
        vp.issue(forged, issuer=PKI.document_signer, trust=PKI.trust, now=NOW)
    bad_signature = attrs.evolve(honest, signature=bytes(64))
    with pytest.raises(FacilitySignatureInvalid):
        vp.issue(bad_signature, issuer=PKI.document_signer, trust=PKI.trust, now=NOW)
    passport = vp.issue(
        vp.Attestation.from_bytes(honest.to_bytes()),
        issuer=PKI.document_signer,
        trust=PKI.trust,
        now=NOW,
    )
    assert vp.verify(passport.qr_text, trust=PKI.trust, now=NOW).ok


def test_attest_refuses_a_record_without_nationality() -> None:
    record = attrs.evolve(sample_record(), nationality=None)
    with pytest.raises(vp.errors.InvalidRecord):
        vp.attest(record, facility=PKI.facilities[0], now=NOW)
