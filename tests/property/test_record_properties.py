"""Round trips and schema conformance over hypothesis-generated records."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.record import VaccinationRecord
from vaxpass_core.testing import strategies as vst


if TYPE_CHECKING:
    from pathlib import Path


def _validator(shared_data: Path, name: str) -> Draft202012Validator:
    schema = json.loads((shared_data / "eu-dcc-schema" / name).read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def schemas(shared_data: Path) -> tuple[Draft202012Validator, Draft202012Validator]:
    # The newest schema (1.3.3), and the 1.3.0 the DCCs declare in "ver".
    return (
        _validator(shared_data, "DCC.combined-schema.json"),
        _validator(shared_data, "versions/1.3.0.combined-schema.json"),
    )


@settings(max_examples=2000)
@given(vst.dccs(allow_unknown_codes=True) | vst.dccs())
def test_every_dcc_validates_against_the_schema(
    schemas: tuple[Draft202012Validator, ...], dcc: dict[str, Any]
) -> None:
    for validator in schemas:
        errors = [e.message for e in validator.iter_errors(dcc)]
        assert not errors, (errors, dcc)
    # JSON text is what travels; it must survive a JSON round trip unchanged.
    assert json.loads(json.dumps(dcc, ensure_ascii=False)) == dcc


@settings(max_examples=500)
@given(vst.records())
def test_record_cbor_record(record: VaccinationRecord) -> None:
    data = record.to_cbor()
    assert VaccinationRecord.from_cbor(data) == record
    assert record.to_cbor() == data  # deterministic
    assert _cbor.loads(data) == record.to_wire()


@settings(max_examples=300)
@given(vst.records(allow_unknown_codes=True))
def test_record_cbor_record_with_unknown_codes(record: VaccinationRecord) -> None:
    again = VaccinationRecord.from_cbor(record.to_cbor())
    assert again == record
    assert again.unknown_codes() == record.unknown_codes()


@settings(max_examples=500)
@given(vst.records(), st.sampled_from(["VN", "DE", "FR"]), st.sampled_from(["MOH VN", "x"]))
def test_record_dcc_record(record: VaccinationRecord, country: str, issuer: str) -> None:
    dcc = record.to_dcc(country=country, issuer=issuer)
    again = VaccinationRecord.from_dcc(dcc, nationality=record.nationality)
    assert again == record
    assert again.to_dcc(country=country, issuer=issuer) == dcc


@settings(max_examples=300)
@given(vst.records(allow_unknown_codes=True))
def test_record_dcc_record_with_unknown_codes(record: VaccinationRecord) -> None:
    dcc = record.to_dcc(issuer="MOH VN")
    again = VaccinationRecord.from_dcc(dcc, nationality=record.nationality)
    assert again == record


@given(vst.records())
def test_wire_survives_evolve(record: VaccinationRecord) -> None:
    assert attrs.evolve(record) == record
    assert VaccinationRecord.from_wire(record.to_wire()) == record


@given(vst.records())
def test_icao_forms_in_the_dcc(record: VaccinationRecord) -> None:
    nam = record.to_dcc(issuer="MOH VN")["nam"]
    assert nam["fnt"] == record.full_name.fnt
    assert len(nam["fnt"]) <= 80
    if record.full_name.given:
        assert nam["gnt"] == record.full_name.gnt
        assert len(nam["gnt"]) <= 80
