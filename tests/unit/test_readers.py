"""Issue 13, item 4: every reader of untrusted data raises only its documented error.

``TrustStore.from_trust_list`` and ``revocations_from_batch`` raise ``InvalidTrustData``
(``trust.invalid``); ``record_from_json`` raises ``RecordFormatError`` or ``InvalidRecord``
(both ``record.invalid``). The cases are the ones the issue names; the property tests in
``tests/property/test_reader_properties.py`` feed them everything else.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization

from vaxpass_core.errors import Code, InvalidRecord, InvalidTrustData
from vaxpass_core.shell.record_json import RecordFormatError, record_from_json, record_to_json
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.trust import (
    FacilityCertificate,
    FacilityRoot,
    SignerCertificate,
    TrustStore,
    revocations_from_batch,
)


if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography import x509


PKI = make_pki(seed=0)
DEEP = "[" * 100_000
P256_OID = bytes.fromhex("06082a8648ce3d030107")  # prime256v1


def _entry(der: bytes) -> dict[str, str]:
    return {"rawData": base64.b64encode(der).decode()}


def _unknown_version_certificate() -> bytes:
    """The test Document Signer claiming X.509 version 6 (``cryptography``: InvalidVersion)."""
    der = PKI.document_signer.certificate.public_bytes(serialization.Encoding.DER)
    v3 = bytes.fromhex("a003020102")
    assert der.count(v3) == 1
    return der.replace(v3, bytes.fromhex("a003020105"))


def _bit_string_country(der: bytes) -> bytes:
    """*der* with its subject's countryName typed BIT STRING: ``cryptography`` loads it, then
    raises TypeError when the subject is first read (a fuzzing find)."""
    country = bytes.fromhex("0603550406") + b"\x13\x02VN"
    assert der.count(country) == 2  # issuer, then subject
    at = der.rindex(country)
    return der[:at] + bytes.fromhex("0603550406") + b"\x03\x02\x00N" + der[at + len(country) :]


def _pem(der: bytes) -> bytes:
    return (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    )


def _unknown_curve_certificate() -> bytes:
    """The test Document Signer with its curve OID changed to one no library knows."""
    der = PKI.document_signer.certificate.public_bytes(serialization.Encoding.DER)
    assert der.count(P256_OID) == 1
    return der.replace(P256_OID, P256_OID[:-1] + b"\x7f")  # 1.2.840.10045.3.1.127


BAD_TRUST_LISTS: dict[str, object] = {
    "MAA=": '[{"rawData":"MAA="}]',  # an empty SEQUENCE: the DER walker's IndexError
    "deep": DEEP,  # RecursionError in the JSON parser
    "deep-bytes": DEEP.encode(),
    "unknown-curve": json.dumps([_entry(_unknown_curve_certificate())]),  # UnsupportedAlgorithm
    "not-json": "not json",
    "bad-bytes": b"\xff\xfe\x00",
    "object": "{}",
    "number-entry": "[1]",
    "rawData-int": '[{"rawData": 5}]',
    "rawData-not-base64": '[{"rawData": "@@@"}]',
    "kid-int": '[{"rawData": "MAA=", "kid": 7}]',
    "country-int": json.dumps([{**_entry(b"\x30\x03\x02\x01\x01"), "country": 1}]),
    "certificates-not-list": {"certificates": "x"},
    "pem-unknown-version": json.dumps([_entry(_pem(_unknown_version_certificate()))]),
}


@pytest.mark.parametrize("trust_list", BAD_TRUST_LISTS.values(), ids=BAD_TRUST_LISTS.keys())
def test_trust_list_raises_only_invalid_trust_data(trust_list: object) -> None:
    with pytest.raises(InvalidTrustData) as info:
        TrustStore.from_trust_list(trust_list)
    assert info.value.code is Code.TRUST_INVALID
    assert isinstance(info.value, ValueError)  # what it was documented as before


def test_unknown_curve_is_a_value_error_from_the_certificate_itself() -> None:
    with pytest.raises(ValueError, match="unsupported public key"):
        SignerCertificate(_unknown_curve_certificate())


@pytest.mark.parametrize("cls", [FacilityRoot, FacilityCertificate])
@pytest.mark.parametrize("encode", [bytes, _pem], ids=["der", "pem"])
def test_facility_certificates_refuse_unknown_versions_with_value_error(
    cls: type, encode: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(ValueError, match="unreadable certificate"):
        cls(encode(_unknown_version_certificate()))


def test_a_name_cryptography_reads_with_type_error_falls_back_to_the_walker() -> None:
    der = PKI.document_signer.certificate.public_bytes(serialization.Encoding.DER)
    signer = SignerCertificate(_bit_string_country(der))
    assert not signer.strict  # read by the DER walker, not refused
    assert signer.public_key == PKI.document_signer.key.public_key()
    store = TrustStore.from_trust_list(json.dumps([_entry(_bit_string_country(der))]))
    assert len(store.signers) == 1


@pytest.mark.parametrize(
    ("cls", "certificate"),
    [
        (FacilityRoot, PKI.facility_ca.certificate),
        (FacilityCertificate, PKI.facilities[0].certificate),
    ],
    ids=["root", "facility"],
)
def test_facility_certificates_with_such_a_name_are_value_errors(
    cls: type, certificate: x509.Certificate
) -> None:
    with pytest.raises(ValueError, match="unreadable certificate"):
        cls(_bit_string_country(certificate.public_bytes(serialization.Encoding.DER)))


def test_a_good_trust_list_still_reads() -> None:
    der = PKI.document_signer.certificate.public_bytes(serialization.Encoding.DER)
    store = TrustStore.from_trust_list(json.dumps([_entry(der)]))
    assert store.kids == {PKI.document_signer.kid}


_BATCH = {
    "kid": "UNKNOWN_KID",
    "hashType": "UCI",
    "entries": [{"hash": "AAAAAAAAAAAAAAAAAAAAAA=="}],
}


BAD_BATCHES: dict[str, str | bytes] = {
    "string-entry": '{"hashType":"UCI","entries":["x"]}',  # AttributeError once
    "deep": DEEP,
    "deep-bytes": DEEP.encode(),
    "truncated": "{",
    "array": "[]",
    "hashType-null": json.dumps({**_BATCH, "hashType": None}),
    "hashType-list": json.dumps({**_BATCH, "hashType": ["UCI"]}),
    "facility-kind": json.dumps({**_BATCH, "hashType": "FACILITY_KID"}),
    "short-hash": json.dumps({**_BATCH, "entries": [{"hash": "AAAA"}]}),  # 3 bytes, not 16
    "no-hash": json.dumps({**_BATCH, "entries": [{}]}),
    "kid-int": json.dumps({**_BATCH, "kid": 5}),
    "entries-object": json.dumps({**_BATCH, "entries": {}}),
}


@pytest.mark.parametrize("batch", BAD_BATCHES.values(), ids=BAD_BATCHES.keys())
def test_revocation_batch_raises_only_invalid_trust_data(batch: str | bytes) -> None:
    with pytest.raises(InvalidTrustData) as info:
        revocations_from_batch(batch)
    assert info.value.code is Code.TRUST_INVALID


def test_a_good_batch_still_reads() -> None:
    (entry,) = revocations_from_batch(json.dumps(_BATCH))
    assert entry.value == bytes(16)


@pytest.mark.parametrize(
    "data",
    [DEEP, DEEP.encode(), "{", b"\xff", "[]", '{"full_name": 1}', "1" * 5000],
    ids=["deep", "deep-bytes", "truncated", "bad-utf8", "array", "shape", "huge-int"],
)
def test_record_json_raises_only_record_format_error(data: str | bytes) -> None:
    with pytest.raises(RecordFormatError) as info:
        record_from_json(data)
    assert info.value.code is Code.RECORD_INVALID
    assert isinstance(info.value, InvalidRecord)


def test_record_json_wrong_types_are_record_format_errors() -> None:
    good = record_to_json(sample_record())
    for key, value in [("full_name", {"family": 5}), ("dose_number", [1]), ("full_name", [1, 2])]:
        with pytest.raises(InvalidRecord):
            record_from_json({**good, key: value})
