"""The record's wire form (``record_cbor``): the written-out encoder is the general one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core import record_cbor
from vaxpass_core.errors import InvalidRecord, MalformedCBOR
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.record_cbor import WireRecord
from vaxpass_core.testing import sample_record


_TEXT = st.text(max_size=140) | st.text(st.characters(codec="ascii"), max_size=140)
_COUNT = st.integers(0, 300)


@given(
    st.builds(
        WireRecord,
        _TEXT,
        _TEXT,
        st.none() | _TEXT,
        st.none() | _TEXT,
        _TEXT,
        st.none() | _TEXT,
        _TEXT,
        _COUNT,
        _TEXT,
        _COUNT,
        _TEXT,
        _TEXT,
        _TEXT,
        _TEXT,
    )
)
def test_encode_is_the_general_encoding_for_any_values(record: WireRecord) -> None:
    # Long or non-ASCII values, and counts past one byte, take the general encoder.
    data = record_cbor.encode(record)
    assert data == _cbor.dumps(record_cbor.to_map(record))
    fields = record_cbor.decode(data)
    assert fields["full_name"]["family"] == record.family
    assert fields["full_name"]["given_icao"] == record.given_icao
    assert [fields[name] for name in WireRecord._fields[4:]] == list(record[4:])


def test_long_names_take_longer_heads() -> None:
    wire = sample_record()._wire()
    for name in ("Ằ" * 85, "x" * 255, "x" * 256):  # 255 bytes, 256 bytes: a 2-byte length
        record = wire._replace(family=name, given_icao="X")
        assert record_cbor.encode(record) == _cbor.dumps(record_cbor.to_map(record))


def test_the_sample_record_pinned() -> None:
    record = sample_record()
    data = record.to_cbor()
    assert data.hex().startswith("ab0182")  # map(11), key 1, [family, given]
    assert record_cbor.to_map(record._wire()) == record.to_wire()
    assert record_cbor.decode(data) == {
        "full_name": {
            "family": "Nguyễn",
            "given": "Thị Bảo Ngọc",
            "family_icao": None,
            "given_icao": None,
        },
        "date_of_birth": "1990-05-17",
        "nationality": "VN",
        "disease": "840539006",
        "doses_received": 2,
        "vaccination_date": "2021-09-20",
        "dose_number": 2,
        "vaccine": "29061000087103",
        "product": "EU/1/21/1529",
        "manufacturer": "ORG-100001699",
        "certificate_id": record.certificate_id,
    }


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([1], "must be a map, not list"),
        ({1: ["a", "b"]}, r"lacks keys 2, 3, 4, 5, 6, 7, 8, 9, 10 and 11"),
        ({**sample_record().to_wire(), 12: 0}, "has an unknown key 12"),
        ({**sample_record().to_wire(), 1: "a b"}, "key 1.*array of 2 or 4"),
        ({**sample_record().to_wire(), 6: 20210920}, "key 6 must be a text string"),
    ],
)
def test_record_fields_checks_the_shape(data: Any, match: str) -> None:
    with pytest.raises(InvalidRecord, match=match):
        record_cbor.record_fields(data)


def test_decode_raises_malformed_cbor_for_bytes_that_are_not_cbor() -> None:
    with pytest.raises(MalformedCBOR):
        record_cbor.decode(b"\xff")
