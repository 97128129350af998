from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from jsonschema import Draft202012Validator

from vaxpass_core import dcc
from vaxpass_core.errors import Code, InvalidRecord, SchemaError
from vaxpass_core.record import FullName, VaccinationRecord
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from collections.abc import Callable

ISSUER = "Ministry of Health of Viet Nam"

SAMPLE_DCC: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Thị Bảo Ngọc", "gnt": "THI<BAO<NGOC"},
    "dob": "1990-05-17",
    "v": [
        {
            "tg": "840539006",
            "vp": "29061000087103",
            "mp": "EU/1/21/1529",
            "ma": "ORG-100001699",
            "dn": 2,
            "sd": 2,
            "dt": "2021-09-20",
            "co": "VN",
            "is": ISSUER,
            "ci": "URN:UVCI:01:VN:79001/4F3A9C2E7B1D4E8A#Q",
        }
    ],
}

# Shaped like Viet Nam's production passports (schema 1.3.0, keys in their order, a
# deprecated but known vp code, a 32-hex-digit UVCI without checksum); invented person.
VN_STYLE_DCC = {
    "v": [
        {
            "ci": "URN:UVCI:01:VN:0A1B2C3D4E5F60718293A4B5C6D7E8F9",
            "co": "VN",
            "dn": 2,
            "dt": "2021-03-18",
            "is": "Ban Co Yeu",
            "ma": "ORG-100030215",
            "mp": "EU/1/21/1529",
            "sd": 2,
            "tg": "840539006",
            "vp": "J07BX03",
        }
    ],
    "dob": "1985-02-03",
    "nam": {"fn": "Trần", "gn": "Thị Mai", "fnt": "TRAN", "gnt": "THI<MAI"},
    "ver": "1.3.0",
}


def test_to_dcc_exact() -> None:
    assert sample_record().to_dcc(country="VN", issuer=ISSUER) == SAMPLE_DCC
    assert dcc.to_dcc(sample_record(), issuer=ISSUER) == SAMPLE_DCC


def test_field_mapping() -> None:
    record = attrs.evolve(sample_record(), dose_number=3, doses_received=2)
    v = record.to_dcc(issuer=ISSUER)["v"][0]
    assert (v["dn"], v["sd"]) == (3, 2)  # field 7 -> dn, field 5 -> sd
    french = attrs.evolve(record, nationality="FR")
    assert '"FR"' not in json.dumps(french.to_dcc(country="DE", issuer=ISSUER))  # nationality


def test_partial_date_of_birth_and_names() -> None:
    record = attrs.evolve(sample_record(), date_of_birth="1990-05", full_name=FullName("Lý"))
    out = record.to_dcc(issuer=ISSUER)
    assert out["dob"] == "1990-05"
    assert out["nam"] == {"fn": "Lý", "fnt": "LY"}
    only_given = attrs.evolve(sample_record(), full_name=FullName("", "An"))
    assert only_given.to_dcc(issuer=ISSUER)["nam"] == {"fnt": "", "gn": "An", "gnt": "AN"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"issuer": ""},
        {"issuer": "x" * 81},
        {"issuer": ISSUER, "country": "vn"},
        {"issuer": ISSUER, "country": "ZZ"},
        {"issuer": ISSUER, "version": "1.3"},
        {"issuer": ISSUER, "version": "01.3.0"},  # not a version schema_version_for accepts
        {"issuer": ISSUER, "version": "2.0.0"},  # no shipped schema of major version 2
    ],
)
def test_to_dcc_context_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"issuer|country|version"):
        sample_record().to_dcc(**kwargs)


def test_from_dcc() -> None:
    assert VaccinationRecord.from_dcc(SAMPLE_DCC, nationality="VN") == sample_record()
    record = VaccinationRecord.from_dcc(VN_STYLE_DCC, nationality="VN")
    assert record.full_name == FullName("Trần", "Thị Mai")
    assert record.full_name.family_icao is None
    assert record.unknown_codes() == ()
    assert record.to_dcc(issuer="Ban Co Yeu") == VN_STYLE_DCC


def test_from_dcc_keeps_a_foreign_transliteration() -> None:
    foreign = copy.deepcopy(SAMPLE_DCC)
    foreign["nam"] = {"fn": "Müller", "fnt": "MULLER", "gn": "Иван", "gnt": "IVAN"}
    record = VaccinationRecord.from_dcc(foreign, nationality="DE")
    assert record.full_name.family_icao == "MULLER"  # ICAO's table says MUELLER
    assert record.full_name.given_icao == "IVAN"
    assert record.to_dcc(issuer=ISSUER)["nam"] == foreign["nam"]


def test_from_dcc_with_only_standardised_names() -> None:
    foreign = copy.deepcopy(SAMPLE_DCC)
    foreign["nam"] = {"fnt": "DOE", "gnt": "JANE"}
    record = VaccinationRecord.from_dcc(foreign, nationality="US")
    assert record.full_name == FullName("", "", family_icao="DOE", given_icao="JANE")
    assert record.to_dcc(issuer=ISSUER)["nam"] == foreign["nam"]


def test_from_dcc_unknown_codes() -> None:
    foreign = copy.deepcopy(SAMPLE_DCC)
    foreign["v"][0]["mp"] = "NEW-2027"
    # Form only: the record holds the code; issue() or the verifier's policy decides.
    record = VaccinationRecord.from_dcc(foreign, nationality="VN")
    assert record.unknown_codes() == (("product", "NEW-2027"),)
    assert dcc.signed_form(foreign, nationality="VN") == record.to_cbor()
    foreign["v"][0]["mp"] = "NEW 2027 "
    with pytest.raises(InvalidRecord, match="product") as info:
        VaccinationRecord.from_dcc(foreign, nationality="VN")
    assert info.value.code is Code.RECORD_INVALID
    assert dcc.signed_form(foreign, nationality="VN") is None


def _broken(path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(SAMPLE_DCC)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DROP:
        del node[last]
    else:
        node[last] = value
    return out


_DROP = object()


@pytest.mark.parametrize(
    "data",
    [
        [],
        {},
        _broken("v", _DROP),
        _broken("v", []),
        _broken("v", [SAMPLE_DCC["v"][0]] * 2),
        _broken("v", ["x"]),
        _broken("nam", "Nguyen"),
        _broken("nam", _DROP),
        _broken("dob", 1990),
        _broken("dob", _DROP),
        _broken("nam.fn", 5),
        _broken("nam.fnt", 5),
        _broken("v.0.tg", _DROP),
        _broken("v.0.dn", "2"),
        _broken("v.0.dn", True),
        _broken("v.0.sd", 2.0),
        _broken("v.0.dt", None),
        _broken("v.0.ci", _DROP),
    ],
)
def test_from_dcc_structure_errors(data: Any) -> None:
    with pytest.raises(SchemaError):
        VaccinationRecord.from_dcc(data, nationality="VN")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("dob", "10.10.1983"),
        ("v.0.dt", "2021-03-18T00:00:00Z"),
        ("v.0.dn", 0),
        ("v.0.tg", "COVID 19\t"),
        ("v.0.ci", ""),
        ("nam.fnt", "nguyen"),
        ("v.0.dt", "1983-01-01"),
    ],
)
def test_from_dcc_content_errors(path: str, value: Any) -> None:
    with pytest.raises(InvalidRecord):
        VaccinationRecord.from_dcc(_broken(path, value), nationality="VN")


def test_from_dcc_bad_nationality() -> None:
    with pytest.raises(InvalidRecord, match="nationality"):
        VaccinationRecord.from_dcc(SAMPLE_DCC, nationality="Vietnamese")


@pytest.mark.parametrize(
    "name", ["DCC.combined-schema.json", "versions/1.3.0.combined-schema.json"]
)
def test_sample_and_fixtures_validate(shared_json: Callable[[str], Any], name: str) -> None:
    validator = Draft202012Validator(
        shared_json(f"eu-dcc-schema/{name}"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    for data in (SAMPLE_DCC, VN_STYLE_DCC):
        validator.validate(data)
    # The checker does look at formats: a bad dt fails.
    assert not validator.is_valid(_broken("v.0.dt", "2021-02-30"))


def test_viet_nams_official_test_passport_round_trips(vn_passport: str) -> None:
    from vaxpass_core.hazmat import cbor as _cbor
    from vaxpass_core.hazmat import cose, hc1

    payload = _cbor.loads(cose.decode_sign1(hc1.decode(vn_passport)).payload)
    official = payload[-260][1]
    record = VaccinationRecord.from_dcc(official, nationality="VN")
    assert record.full_name == FullName("Nguyễn", "Bảo Duy")
    assert record.unknown_codes() == ()  # J07BX03 is deprecated, but still in the value set
    assert record.to_dcc(country="VN", issuer=official["v"][0]["is"]) == official


def test_certificate_id() -> None:
    dcc_v = sample_record().to_dcc(issuer=ISSUER)
    assert dcc.certificate_id(dcc_v) == sample_record().certificate_id
    assert dcc.certificate_id(dcc_v, "v") == sample_record().certificate_id
    assert dcc.certificate_id(dcc_v, "t") is None
    test_dcc = {"t": [{"ci": "URN:UVCI:01:VN:T1#S"}]}
    assert dcc.certificate_id(test_dcc) == "URN:UVCI:01:VN:T1#S"
    odds: list[dict[str, Any]] = [{}, {"v": []}, {"v": ["x"]}, {"v": [{"ci": 5}]}, {"r": [{}]}]
    for odd in odds:
        assert dcc.certificate_id(odd) is None
