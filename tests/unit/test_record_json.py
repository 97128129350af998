"""record_from_json: the shape is checked here, every value by the record itself."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given

from vaxpass_core.errors import InvalidRecord
from vaxpass_core.record import VaccinationRecord
from vaxpass_core.shell.record_json import (
    FIELD_NAMES,
    RecordFormatError,
    record_from_json,
    record_to_json,
)
from vaxpass_core.testing import sample_record
from vaxpass_core.testing import strategies as vst


if TYPE_CHECKING:
    from vaxpass_core.record import VaccinationRecord


def test_the_input_object_is_left_alone() -> None:
    data = record_to_json(sample_record())
    before = copy.deepcopy(data)
    assert record_from_json(data) == sample_record()
    assert data == before


def test_wrong_keys_are_named() -> None:
    data: dict[Any, Any] = record_to_json(sample_record())
    del data["vaccine"]
    data[7] = "an int key"  # not from JSON, but a dict may hold one
    data["zz"] = 1
    with pytest.raises(
        RecordFormatError, match=r"^the record lacks key vaccine, and has unknown keys 'zz' and 7$"
    ):
        record_from_json(data)


@pytest.mark.parametrize(
    "full_name",
    [
        {"family": "Lê", "given": "An", "middle": "Văn"},
        {"given": "An"},
        ["Lê"],
        "Lê An",
    ],
)
def test_full_name_shape(full_name: object) -> None:
    with pytest.raises(RecordFormatError, match="full_name"):
        record_from_json({**record_to_json(sample_record()), "full_name": full_name})


@pytest.mark.parametrize("field", FIELD_NAMES)
def test_every_value_is_still_validated(field: str) -> None:
    """No check was dropped from the fast path: a wrong value in any field is refused."""
    data = record_to_json(sample_record())
    data[field] = [] if field != "nationality" else "XX"
    with pytest.raises((RecordFormatError, InvalidRecord)):
        record_from_json(data)


@given(vst.records())
def test_record_to_json_reads_back_to_an_equal_record(record: VaccinationRecord) -> None:
    assert record_from_json(record_to_json(record)) == record


def test_a_record_without_nationality_round_trips_as_null() -> None:
    record = attrs.evolve(sample_record(), nationality=None)
    data = record_to_json(record)
    assert data["nationality"] is None
    assert record_from_json(json.loads(json.dumps(data))) == record


def test_allow_unknown_codes_is_deprecated_and_does_nothing() -> None:
    data = record_to_json(sample_record())
    data["product"] = "NEW-2027"
    with pytest.warns(DeprecationWarning, match="allow_unknown_codes") as warned:
        record = record_from_json(data, allow_unknown_codes=False)
    assert len(warned) == 1
    assert warned[0].filename == __file__  # the warning points at the caller
    assert record == record_from_json(data)
    assert record.unknown_codes() == (("product", "NEW-2027"),)
