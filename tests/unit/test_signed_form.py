"""The verifier's short cuts give exactly what the general code gives.

``dcc.signed_form`` (the facility's signed bytes straight from a DCC, by the record's own
rules but without building it), the record's hand-encoded ``to_cbor``, the attestation's
written-out protected header and the cached key checks in ``cose`` each stand in for a
slower general path: these tests hold them to it, on valid data and on data broken in the
ways a passport can be.
"""

from __future__ import annotations

import copy
import datetime as dt
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass_core import attestation
from vaxpass_core.dcc import signed_form
from vaxpass_core.errors import AlgorithmError, InvalidRecord, InvalidSignature, SchemaError
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose
from vaxpass_core.record import FullName, VaccinationRecord
from vaxpass_core.testing import sample_record
from vaxpass_core.testing import strategies as vst


def _slow(dcc: Any, nationality: str | None) -> bytes | None:
    try:
        record = VaccinationRecord.from_dcc(dcc, nationality=nationality)
    except (InvalidRecord, SchemaError):
        return None
    return _cbor.dumps(record.to_wire())


@settings(max_examples=400)
@given(vst.records(allow_unknown_codes=True) | vst.records())
def test_to_cbor_is_the_general_encoding(record: VaccinationRecord) -> None:
    assert record.to_cbor() == _cbor.dumps(record.to_wire())
    # ...also with an ICAO override and with the nationality not stated
    full = record.full_name
    other = VaccinationRecord.from_wire(
        {**record.to_wire(), 1: [full.family, full.given, full.fnt + "X", None], 3: None}
    )
    assert other.to_cbor() == _cbor.dumps(other.to_wire())


@settings(max_examples=400)
@given(vst.records(allow_unknown_codes=True), st.sampled_from(["VN", "FR", None]))
def test_signed_form_of_an_issued_dcc(record: VaccinationRecord, nationality: str | None) -> None:
    dcc = record.to_dcc(issuer="Ministry of Health")
    expected = _slow(dcc, nationality)
    assert expected is not None
    assert signed_form(dcc, nationality=nationality) == expected
    if nationality is not None:
        assert expected == VaccinationRecord.from_dcc(dcc, nationality=nationality).to_cbor()


_TEXTS = st.one_of(
    st.text(max_size=90),
    st.sampled_from(
        [
            "",
            " Nguyễn",
            "Nguyễn ",
            "Nguye\u0303\u0302n",  # decomposed (NFD): the record normalises it
            "Nguyễn\u200b",  # a format character
            "Anna-Maria",
            "Ø",
            "Σ",
            "1990",
            "1990-02",
            "1990-13",
            "1990-02-30",
            "2021-09-20",
            "1899-01-01",
            "NGUYEN",
            "NGUYEN<VAN",
            "nguyen",
            "x" * 81,
            "URN:UVCI:01:VN:A B",
            "\xf6",
        ]
    ),
)
_VALUES = st.one_of(_TEXTS, st.integers(-3, 130), st.none(), st.booleans(), st.just(["x"]))
_PATHS = [
    ("nam", "fn"),
    ("nam", "gn"),
    ("nam", "fnt"),
    ("nam", "gnt"),
    ("dob",),
    *(("v", 0, key) for key in ("tg", "vp", "mp", "ma", "dn", "sd", "dt", "ci")),
]


@settings(max_examples=1500)
@given(
    vst.dccs(allow_unknown_codes=True),
    st.lists(st.tuples(st.sampled_from(_PATHS), _VALUES | st.just(...)), max_size=3),
    st.sampled_from(["VN", "XX", "vn", None]),
)
def test_signed_form_of_a_broken_dcc(
    dcc: dict[str, Any], edits: list[tuple[tuple[Any, ...], Any]], nationality: str | None
) -> None:
    dcc = copy.deepcopy(dcc)
    for path, value in edits:
        *parents, last = path
        target: Any = dcc
        for key in parents:
            target = target[key]
        if value is ...:
            target.pop(last, None)
        else:
            target[last] = value
    # None exactly where from_dcc() raises; else the bytes of the record it builds.
    assert signed_form(dcc, nationality=nationality) == _slow(dcc, nationality)


def test_signed_form_of_what_is_no_vaccination_record() -> None:
    dcc = sample_record().to_dcc(issuer="MoH")
    assert signed_form({**dcc, "v": dcc["v"] * 2}, nationality="VN") is None
    assert signed_form({"ver": "1.3.0"}, nationality="VN") is None
    late = copy.deepcopy(dcc)
    late["dob"] = "2099"
    assert signed_form(late, nationality="VN") is None  # vaccinated before birth


class _Text(str):
    __slots__ = ()


def test_signed_form_reads_any_mapping_and_refuses_what_the_record_refuses() -> None:
    record = sample_record()
    dcc = record.to_dcc(issuer="MoH")
    proxy = {**dcc, "nam": MappingProxyType(dcc["nam"]), "v": [MappingProxyType(dcc["v"][0])]}
    assert signed_form(MappingProxyType(proxy), nationality="VN") == record.to_cbor()
    assert VaccinationRecord.from_dcc(MappingProxyType(proxy), nationality="VN") == record
    # str and int subclasses are what they derive from, as in the record's constructor
    odd = {**dcc, "dob": _Text(dcc["dob"]), "v": [{**dcc["v"][0], "ci": _Text("URN:X")}]}
    assert (
        signed_form(odd, nationality="VN") == attrs.evolve(record, certificate_id="URN:X").to_cbor()
    )
    for nationality in (84, b"VN", "VNM"):
        assert signed_form(dcc, nationality=nationality) is None  # type: ignore[arg-type]
    not_dccs: list[Any] = [None, [], "HC1:", {"nam": [], "dob": "", "v": []}]
    for data in not_dccs:
        assert signed_form(data, nationality="VN") is None


def test_signed_form_with_an_icao_override() -> None:
    record = VaccinationRecord.from_wire(
        {**sample_record().to_wire(), 1: ["Nguyễn", "Thị Bảo Ngọc", None, "THI<BAO<NGOK"]}
    )
    dcc = record.to_dcc(issuer="MoH")
    assert signed_form(dcc, nationality="VN") == record.to_cbor() == _slow(dcc, "VN")
    assert FullName("Nguyễn", "Thị Bảo Ngọc").gnt == "THI<BAO<NGOC"


@pytest.mark.parametrize("alg", [-8, -7, -35, -36, -37, -65535, -65537, 0, 5, 300])
@pytest.mark.parametrize("signed_at", [0, 23, 24, 255, 256, 65535, 65536, 1_700_000_000, 2**32 - 1])
@pytest.mark.parametrize("kid", [b"", b"\x01" * 8, b"\x02" * 24, b"\x03" * 300])
def test_attestation_header_is_the_general_encoding(alg: int, signed_at: int, kid: bytes) -> None:
    assert attestation.protected_header(alg, kid, signed_at) == _cbor.dumps(
        {1: alg, 4: kid, 15: {6: signed_at}}
    )


def test_key_checks_stay_exact_once_cached() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    edkey = ed25519.Ed25519PrivateKey.generate().public_key()
    for _ in range(2):  # the second round answers from the caches
        assert cose.algorithm_for_key(p256) == cose.ES256
        assert cose.algorithm_for_key(p384) == cose.ES384
        assert cose.algorithm_for_key(edkey) == cose.EDDSA
        cose._check_fit(cose.ES256, p256)
        cose._check_fit(cose.ES384, p384)
        cose._check_fit(cose.EDDSA, edkey)
        for alg, key in ((cose.ES256, p384), (cose.ES384, p256), (cose.PS256, p256)):
            with pytest.raises(AlgorithmError):
                cose._check_fit(alg, key)
        with pytest.raises(AlgorithmError):
            cose._check_fit(cose.ES256, edkey)


def test_verify_signature_matches_verify_sign1() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    message = cose.decode_sign1(cose.sign1(b"payload", key=key, kid=b"k"))
    cose.verify_signature(
        message.alg or 0, key.public_key(), message.protected, message.payload, message.signature
    )
    with pytest.raises(InvalidSignature):
        cose.verify_signature(
            cose.ES256, key.public_key(), message.protected, b"other", message.signature
        )


def test_signed_form_ignores_when() -> None:
    # Pure: the same DCC gives the same bytes (no clock, no state).
    dcc = sample_record().to_dcc(issuer="MoH")
    assert signed_form(dcc, nationality="VN") == signed_form(dcc, nationality="VN")
    assert dt.date.fromisoformat(dcc["v"][0]["dt"])
