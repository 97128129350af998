"""Messages people read: real days, times in ISO 8601 UTC, advice in the caller's terms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from click.testing import CliRunner

import vaxpass_core as vp
from vaxpass_core._time import iso
from vaxpass_core.cli import vaxpass
from vaxpass_core.cli._common import in_cli_terms
from vaxpass_core.errors import InvalidRecord, KeyExpired
from vaxpass_core.record import VaccinationRecord
from vaxpass_core.shell.bulk import issue_batch
from vaxpass_core.shell.record_json import record_to_json
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_a_date_that_is_no_day_is_called_that() -> None:
    with pytest.raises(InvalidRecord, match=r"'2022-02-30' is not a real day of the calendar"):
        attrs.evolve(sample_record(), vaccination_date="2022-02-30")
    with pytest.raises(InvalidRecord, match=r"'1990-02-30' is not a real day of the calendar"):
        attrs.evolve(sample_record(), date_of_birth="1990-02-30")
    with pytest.raises(InvalidRecord, match=r"not an ISO 8601 date \(YYYY-MM-DD\)"):
        attrs.evolve(sample_record(), vaccination_date="20/09/2021")


def test_iso_shows_epoch_seconds_as_utc_text() -> None:
    assert iso(1772357400) == "2026-03-01T09:30:00Z"
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert iso(10**20) == str(10**20)  # no calendar holds it: the number as it is


def test_refusals_show_times_in_iso_8601(tmp_path: Path) -> None:
    pki = make_pki(seed=0)
    later = datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(vp.errors.FacilityExpired, match="not valid at 2031-01-01T00:00:00Z"):
        vp.attest(sample_record(), facility=pki.facilities[0], now=later)
    (tmp_path / "in.jsonl").write_bytes(b"")
    with pytest.raises(KeyExpired, match="not valid at 2031-01-01T00:00:00Z"):
        issue_batch(
            tmp_path / "in.jsonl",
            out=tmp_path / "out.jsonl",
            rejects=tmp_path / "rejects.jsonl",
            facilities=pki.facilities,
            issuer=pki.document_signer,
            trust=pki.trust,
            now=later,
        )


def test_the_command_line_gives_advice_as_options(tmp_path: Path) -> None:
    assert in_cli_terms("pass allow_unknown_codes=True to accept it") == (
        "pass --allow-unknown-codes to accept it"
    )
    record = record_to_json(sample_record())
    record["vaccine"] = "NOT-A-VACCINE"
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    result = CliRunner().invoke(vaxpass, ["pki", "init", str(tmp_path / "pki")])
    assert result.exit_code == 0, result.output
    # The record checks form only: attest signs it; issue refuses the unknown code.
    args = ["--record", str(tmp_path / "record.json"), "--pki", str(tmp_path / "pki")]
    result = CliRunner().invoke(vaxpass, ["attest", *args[1:], "--now", "2026-03-01"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(vaxpass, ["issue", *args, "--now", "2026-03-01"])
    assert result.exit_code == 1
    assert "valueset.unknown" in result.stderr
    assert "allow_unknown_codes=True" not in result.stderr
    result = CliRunner().invoke(vaxpass, ["issue", *args, "--now", "2026-03-01", "-h"])
    assert "--allow-unknown-codes" in result.output
    unknown = ["issue", *args, "--now", "2026-03-01", "--allow-unknown-codes"]
    assert CliRunner().invoke(vaxpass, unknown).exit_code == 0


def test_a_wire_record_with_wrong_keys_names_only_what_is_wrong() -> None:
    wire: dict[Any, Any] = dict(sample_record().to_wire())
    del wire[3]
    with pytest.raises(InvalidRecord) as caught:
        VaccinationRecord.from_wire(wire)
    assert caught.value.message.endswith("the record map lacks key 3")
    wire |= {99: 1, "x": 2}
    del wire[5]
    with pytest.raises(InvalidRecord) as caught:
        VaccinationRecord.from_wire(wire)
    assert caught.value.message.endswith(
        "the record map lacks keys 3 and 5, and has unknown keys 'x' and 99"
    )
    assert "[]" not in caught.value.message
