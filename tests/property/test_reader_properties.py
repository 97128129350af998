"""Readers of untrusted data raise only their documented error, whatever they are given.

Arbitrary bytes and text, arbitrary JSON values, and inputs shaped like the real thing
with arbitrary parts (a trust list entry holding a damaged certificate, a revocation batch
with odd entries, a record object with odd values).
"""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass_core._der import walk
from vaxpass_core.errors import InvalidRecord, InvalidTrustData
from vaxpass_core.shell.record_json import record_from_json, record_to_json
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.trust import TrustStore, revocations_from_batch


PKI = make_pki(seed=0)
DER = PKI.document_signer.certificate.public_bytes(Encoding.DER)
SOME = settings(max_examples=150, derandomize=True, database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
raw_inputs = st.binary(max_size=300) | st.text(max_size=300) | json_values.map(json.dumps)


@st.composite
def damaged_der(draw: st.DrawFn) -> bytes:
    der = bytearray(DER)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(der) - 1))
        if draw(st.booleans()):
            der[where] = draw(st.integers(0, 255))
        else:
            del der[where:]
            break
    return bytes(der)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


trust_entries = st.fixed_dictionaries(
    {"rawData": damaged_der().map(_b64) | json_values},
    optional={
        "kid": st.binary(max_size=9).map(_b64) | json_values,
        "country": st.sampled_from(["VN", "DE"]) | json_values,
        "certificateType": st.sampled_from(["DSC", "CSCA"]) | json_values,
    },
)


@SOME
@given(raw_inputs | st.lists(trust_entries, max_size=3).map(json.dumps))
def test_trust_list_raises_only_invalid_trust_data(data: str | bytes) -> None:
    with contextlib.suppress(InvalidTrustData):
        TrustStore.from_trust_list(data)


@SOME
@given(damaged_der())
def test_der_walker_raises_only_value_error(der: bytes) -> None:
    try:
        walk(der)
    except ValueError as exc:
        assert type(exc) is ValueError or isinstance(exc, UnicodeDecodeError)  # noqa: PT017


batches = st.fixed_dictionaries(
    {
        "hashType": st.sampled_from(["UCI", "COUNTRYCODEUCI", "SIGNATURE", "FACILITY_KID"])
        | json_values,
        "entries": st.lists(
            st.fixed_dictionaries({"hash": st.binary(max_size=20).map(_b64) | json_values})
            | json_values,
            max_size=3,
        )
        | json_values,
    },
    optional={"kid": st.binary(max_size=9).map(_b64) | json_values},
)


@SOME
@given(raw_inputs | batches.map(json.dumps) | batches)
def test_revocation_batch_raises_only_invalid_trust_data(batch: Any) -> None:
    with contextlib.suppress(InvalidTrustData):
        revocations_from_batch(batch)


GOOD_RECORD = record_to_json(sample_record())


@st.composite
def odd_records(draw: st.DrawFn) -> dict[str, Any]:
    record = dict(GOOD_RECORD)
    for key in draw(st.lists(st.sampled_from(sorted(record)), min_size=1, max_size=3)):
        record[key] = draw(json_values)
    return record


@SOME
@given(raw_inputs | odd_records() | odd_records().map(json.dumps))
def test_record_json_raises_only_invalid_record(data: Any) -> None:
    with contextlib.suppress(InvalidRecord):  # RecordFormatError is one
        record_from_json(data)
