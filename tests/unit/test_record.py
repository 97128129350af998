from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from typing import Any

import attrs
import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vaxpass_core.record as rec
from vaxpass_core import _record_rules, record_cbor, valuesets
from vaxpass_core.errors import Code, InvalidRecord, MalformedCBOR
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.record import FIELDS, FullName, VaccinationRecord
from vaxpass_core.testing import sample_record


def make(**changes: Any) -> VaccinationRecord:
    return attrs.evolve(sample_record(), **changes)


def test_sample_is_a_vietnamese_citizen_with_diacritics() -> None:
    record = sample_record()
    assert record.nationality == "VN"
    assert record.full_name == FullName("Nguyễn", "Thị Bảo Ngọc")
    assert not str(record.full_name).isascii()
    assert record.date_of_birth == dt.date(1990, 5, 17)
    assert record.vaccination_date == dt.date(2021, 9, 20)
    assert record.unknown_codes() == ()


def test_fields_are_the_eleven_in_order_with_labels() -> None:
    names = [f.name for f in attrs.fields(VaccinationRecord)]
    assert names == [info.name for info in FIELDS]  # no mode stored beside the data
    assert [info.number for info in FIELDS] == list(range(1, 12))
    field = attrs.fields(VaccinationRecord).doses_received
    assert field.metadata["vi"] == "Số mũi tiêm đã nhận"
    assert field.metadata["en"] == "Number of doses received"
    assert field.metadata["dcc"] == "v[0].sd"
    assert FIELDS[0].label("vi") == "Họ và tên"
    assert FIELDS[0].label("en") == "Full name"
    with pytest.raises(ValueError, match="lang"):
        FIELDS[0].label("fr")


def test_labelled_display() -> None:
    vi = dict(sample_record().labelled("vi"))
    en = dict(sample_record().labelled("en"))
    assert vi["Họ và tên"] == "Nguyễn Thị Bảo Ngọc"
    assert en["Vaccine product"] == "EU/1/21/1529 (Vaxzevria)"
    assert en["Date of vaccination"] == "2021-09-20"
    assert len(vi) == len(en) == 11


def test_frozen_and_keyword_only() -> None:
    record = sample_record()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.dose_number = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        VaccinationRecord(record.full_name)  # type: ignore[call-arg]


def test_evolve() -> None:
    record = make(dose_number=3, doses_received=3)
    assert (record.dose_number, record.doses_received) == (3, 3)
    assert record != sample_record()


def test_full_name_construction() -> None:
    assert FullName("Nguyễn", "Văn An") == FullName(family="Nguyễn", given="Văn An")
    assert make(full_name=("Nguyễn", "Văn An")).full_name == FullName("Nguyễn", "Văn An")
    assert make(full_name=["Nguyễn", "Văn An"]).full_name == FullName("Nguyễn", "Văn An")
    assert make(full_name={"family": "Lê", "given": "Lợi"}).full_name == FullName("Lê", "Lợi")
    name = FullName("Trương", "Ưng")
    assert (name.fnt, name.gnt) == ("TRUONG", "UNG")
    assert str(name) == "Trương Ưng"
    assert str(FullName("Lý")) == "Lý"


def test_a_name_part_is_checked_once_then_remembered_and_a_bad_one_never() -> None:
    remembered = _record_rules._plain_name_part
    remembered.cache_clear()
    first = FullName("Nguyễn", "Văn An")
    assert FullName("Nguyễn", "Thị Bình").fnt == first.fnt == "NGUYEN"
    assert remembered.cache_info().hits == 1  # the family name, the second time
    # A part that fails raises every time (exceptions are not remembered), and a part with
    # an override, or not a str, takes the full rule.
    for _ in range(2):
        with pytest.raises(InvalidRecord, match="control or format character"):
            FullName("Lê\u200b", "An")
    assert FullName("Иванов", family_icao="IVANOV").fnt == "IVANOV"
    with pytest.raises(TypeError, match=r"full_name\.family must be str"):
        FullName(7, "An")
    assert remembered.cache_info().hits == 1


def test_names_are_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    name = FullName(f"  {decomposed} ", "Văn An\t")
    assert name == FullName("Nguyễn", "Văn An")
    assert name.family == "Nguyễn"


def test_explicit_icao_forms() -> None:
    name = FullName("Иванов", "Иван", family_icao="IVANOV", given_icao="IVAN")
    assert (name.fnt, name.gnt) == ("IVANOV", "IVAN")
    assert name != FullName("Иванов", "Иван", family_icao="IVANOFF", given_icao="IVAN")


def test_an_icao_override_equal_to_the_computed_form_is_dropped() -> None:
    # One name, one value and one signed form, whether or not its issuer wrote the override.
    plain = FullName("Nguyễn", "Văn An")
    redundant = FullName("Nguyễn", "Văn An", family_icao="NGUYEN", given_icao="VAN<AN")
    assert redundant == plain
    assert (redundant.family_icao, redundant.given_icao) == (None, None)
    record = make(full_name=redundant)
    assert record.to_cbor() == make(full_name=plain).to_cbor()
    # A different one stays, and so does one for a script ICAO 9303 does not cover.
    other = FullName("Nguyễn", "Văn An", family_icao="NGUYEN<X")
    assert (other.family_icao, other.fnt) == ("NGUYEN<X", "NGUYEN<X")
    assert FullName("山田", "", family_icao="YAMADA").family_icao == "YAMADA"
    with pytest.raises(InvalidRecord, match="ICAO 9303"):
        FullName("山田", "")


def _rejects(match: str, **changes: Any) -> InvalidRecord:
    with pytest.raises(InvalidRecord, match=match) as info:
        make(**changes)
    assert info.value.code is Code.RECORD_INVALID
    return info.value


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"date_of_birth": "17/05/1990"}, r"date_of_birth \(field 2, Date of birth\): .*ISO 8601"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth.*not a real day of the calendar"),
        ({"date_of_birth": "1990-13"}, "date_of_birth.*no month 13"),
        ({"date_of_birth": "1990-00"}, "date_of_birth.*no month 00"),
        ({"date_of_birth": "19900517"}, "date_of_birth.*ISO 8601"),
        ({"date_of_birth": "1899"}, "date_of_birth.*year 1899"),
        ({"date_of_birth": dt.date(2100, 1, 1)}, "date_of_birth.*year 2100"),
        ({"date_of_birth": "2021-09-21"}, "vaccination_date.*before the date of birth"),
        ({"date_of_birth": "2021-10"}, "vaccination_date.*before the date of birth"),
        ({"date_of_birth": "2022"}, "vaccination_date.*before the date of birth"),
        ({"vaccination_date": "2021-9-20"}, r"vaccination_date \(field 6.*ISO 8601"),
        ({"vaccination_date": "2021-02-29"}, "vaccination_date.*not a real day"),
        ({"vaccination_date": "1990-05-16"}, "vaccination_date.*before the date of birth"),
        ({"nationality": "Viet Nam"}, r"nationality \(field 3.*ISO 3166-1 alpha-2"),
        ({"nationality": "vn"}, "nationality.*ISO 3166-1"),
        ({"nationality": "XX"}, "nationality.*ISO 3166-1"),
        ({"nationality": "VNM"}, "nationality.*ISO 3166-1"),
        ({"dose_number": 0}, r"dose_number \(field 7, Dose number\): 0 is outside 1-99"),
        ({"dose_number": -1}, "dose_number.*outside"),
        ({"doses_received": 0}, r"doses_received \(field 5.*outside"),
        ({"doses_received": 100}, "doses_received.*outside"),
        ({"disease": "COVID 19 "}, r"disease \(field 4.*not a code"),
        ({"vaccine": "J07BX\n"}, r"vaccine \(field 8.*not a code"),
        ({"manufacturer": "Sinopharm\u00ae"}, r"manufacturer \(field 10.*not a code"),
        ({"product": ""}, r"product.*not a code"),
        ({"product": " EU/1/20/1528"}, r"product.*not a code"),
        ({"product": "x" * 81}, r"product.*not a code"),
        ({"certificate_id": ""}, r"certificate_id \(field 11"),
        ({"certificate_id": "URN:UVCI:01:VN:" + "A" * 70}, "certificate_id"),
        ({"certificate_id": "URN UVCI"}, "certificate_id"),
        ({"full_name": ("", "")}, r"full_name \(field 1, Full name\): .*both empty"),
        ({"full_name": ("   ", "")}, "full_name.*both empty"),
        ({"full_name": ("N" * 81, "")}, "full_name.*81 characters, over 80"),
        ({"full_name": ("Nguyễn", "Ä" * 41)}, "full_name.*ICAO form is over 80"),
        ({"full_name": ("Иванов", "")}, "full_name.*ICAO 9303"),
        ({"full_name": ("Nguyễn", "'")}, "full_name.*has no letters"),
        ({"full_name": ("Nguyễn\x00", "")}, "full_name.*control"),
        ({"full_name": {"family": "X", "family_icao": "x"}}, "full_name.*ICAO form must match"),
    ],
)
def test_validation_names_the_field_and_the_rule(changes: dict[str, Any], match: str) -> None:
    _rejects(match, **changes)


def test_partial_dates_of_birth() -> None:
    assert make(date_of_birth="1990").date_of_birth == "1990"
    assert make(date_of_birth="1990-05").date_of_birth == "1990-05"
    assert make(date_of_birth="1990-05-17").date_of_birth == dt.date(1990, 5, 17)
    assert make(date_of_birth="").date_of_birth == ""  # the DCC's "unknown"
    # Born in September 2021 (day unknown): vaccinated on the 20th is possible.
    assert make(date_of_birth="2021-09").vaccination_date == dt.date(2021, 9, 20)
    assert make(date_of_birth="2021").date_of_birth == "2021"


@pytest.mark.parametrize(
    "changes",
    [
        {"dose_number": "2"},
        {"dose_number": True},
        {"dose_number": 2.0},
        {"doses_received": None},
        {"nationality": 84},
        {"vaccine": None},
        {"certificate_id": b"URN"},
        {"full_name": "Nguyễn Văn An"},
        {"full_name": ("Nguyễn", None)},
        {"date_of_birth": 1990},
        {"date_of_birth": dt.datetime(1990, 5, 17, tzinfo=dt.UTC)},
        {"vaccination_date": dt.datetime(2021, 9, 20, tzinfo=dt.UTC)},
        {"vaccination_date": 20210920},
    ],
)
def test_wrong_types_are_programming_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        make(**changes)


def test_the_record_checks_form_not_value_sets() -> None:
    # Whether an unknown code may be issued is the operation's choice (issue()), not the
    # record's: the record holds any well-formed code and says which are unknown.
    record = make(disease="COVID-19", vaccine="J07BX", product="Vero Cell", manufacturer="X-1")
    assert record.unknown_codes() == (
        ("disease", "COVID-19"),
        ("vaccine", "J07BX"),
        ("product", "Vero Cell"),
        ("manufacturer", "X-1"),
    )
    assert VaccinationRecord.from_cbor(record.to_cbor()) == record
    assert VaccinationRecord.from_wire(record.to_wire()) == record


def test_allow_unknown_codes_is_deprecated_and_does_nothing() -> None:
    base = sample_record()
    fields = {f.name: getattr(base, f.name) for f in attrs.fields(VaccinationRecord)}
    for value in (True, False):
        with pytest.warns(DeprecationWarning, match="allow_unknown_codes") as warned:
            assert VaccinationRecord(**fields, allow_unknown_codes=value) == base
        assert warned[0].filename == __file__  # the warning points at the caller
        with pytest.warns(DeprecationWarning, match="allow_unknown_codes"):
            assert VaccinationRecord.from_wire(base.to_wire(), allow_unknown_codes=value) == base
        with pytest.warns(DeprecationWarning, match="allow_unknown_codes"):
            assert VaccinationRecord.from_cbor(base.to_cbor(), allow_unknown_codes=value) == base
        dcc = base.to_dcc(issuer="MoH")
        with pytest.warns(DeprecationWarning, match="allow_unknown_codes"):
            again = VaccinationRecord.from_dcc(dcc, nationality="VN", allow_unknown_codes=value)
        assert again == base
    with pytest.warns(DeprecationWarning, match="allow_unknown_codes"):
        assert attrs.evolve(base, allow_unknown_codes=False) == base
    assert not hasattr(base, "allow_unknown_codes")


def test_the_sample_moved_to_the_test_kit() -> None:
    with pytest.warns(DeprecationWarning, match=r"testing\.sample_record"):
        old = rec.sample
    assert old is sample_record
    with pytest.warns(DeprecationWarning, match=r"record_cbor\.key_problems"):
        assert rec.key_problems is record_cbor.key_problems
    with pytest.raises(AttributeError, match="no_such_name"):
        rec.no_such_name  # noqa: B018


def test_dated_after_outside_the_calendar_says_nothing() -> None:
    assert sample_record().dated_after(-1) == ()
    assert sample_record().dated_after(0) == ("date_of_birth", "vaccination_date")


def test_inactive_codes_are_known() -> None:
    record = make(vaccine="J07BX03", product="Inactivated-SARS-CoV-2-Vero-Cell")
    assert record.unknown_codes() == ()


@pytest.mark.parametrize("name", valuesets.VN_VACCINES)
def test_sample_with_every_vn_vaccine(name: str) -> None:
    record = sample_record(vaccine=name)
    assert (record.vaccine, record.product, record.manufacturer) == valuesets.vaccine(name).codes


# --- wire form and CBOR ----------------------------------------------------------------

SAMPLE_WIRE: dict[Any, Any] = {
    1: ["Nguyễn", "Thị Bảo Ngọc"],
    2: "1990-05-17",
    3: "VN",
    4: "840539006",
    5: 2,
    6: "2021-09-20",
    7: 2,
    8: "29061000087103",
    9: "EU/1/21/1529",
    10: "ORG-100001699",
    11: "URN:UVCI:01:VN:79001/4F3A9C2E7B1D4E8A#Q",
}


def test_wire_form() -> None:
    assert sample_record().to_wire() == SAMPLE_WIRE
    assert VaccinationRecord.from_wire(SAMPLE_WIRE) == sample_record()


def test_wire_form_carries_explicit_icao_forms() -> None:
    record = make(full_name=FullName("Иванов", "", family_icao="IVANOV"))
    assert record.to_wire()[1] == ["Иванов", "", "IVANOV", None]
    assert VaccinationRecord.from_cbor(record.to_cbor()) == record


def test_cbor_is_deterministic_and_pinned() -> None:
    data = sample_record().to_cbor()
    assert data == cbor2.dumps(SAMPLE_WIRE, canonical=True)
    assert data[:1] == b"\xab"  # a map of 11 pairs
    assert data[1:2] == b"\x01"  # keys in ascending order
    assert data == sample_record().to_cbor()
    assert VaccinationRecord.from_cbor(data) == sample_record()
    assert VaccinationRecord.from_cbor(bytearray(data)) == sample_record()


def test_from_cbor_refuses_non_canonical_encoding() -> None:
    reordered = cbor2.dumps(dict(reversed(SAMPLE_WIRE.items())))
    with pytest.raises(InvalidRecord, match="deterministic"):
        VaccinationRecord.from_cbor(reordered)


def test_from_cbor_wrong_type() -> None:
    with pytest.raises(TypeError):
        VaccinationRecord.from_cbor("a1")  # type: ignore[arg-type]


def _wire(**changes: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = dict(SAMPLE_WIRE)
    for key, value in changes.items():
        k = int(key[1:])
        if value is _DROP:
            del out[k]
        else:
            out[k] = value
    return out


_DROP = object()


@pytest.mark.parametrize(
    "data",
    [
        [],
        "record",
        {},
        _wire(k11=_DROP),
        {**SAMPLE_WIRE, 12: "extra"},
        {**SAMPLE_WIRE, "1": "x"},
        _wire(k1="Nguyễn Thị Bảo Ngọc"),
        _wire(k1=["Nguyễn"]),
        _wire(k1=["Nguyễn", "A", "B"]),
        _wire(k1=["Nguyễn", 7]),
        _wire(k1=["Nguyễn", "", 1, None]),
        _wire(k2=19900517),
        _wire(k2="1990-5-17"),
        _wire(k2=None),
        _wire(k4=" unknown"),
        _wire(k5="2"),
        _wire(k5=True),
        _wire(k5=0),
        _wire(k5=2**70),
        _wire(k6=b"2021-09-20"),
        _wire(k6="2021-09-31"),
        _wire(k7=-2),
        _wire(k8=["29061000087103"]),
        _wire(k11=None),
    ],
)
def test_from_wire_raises_only_invalid_record(data: Any) -> None:
    with pytest.raises(InvalidRecord):
        VaccinationRecord.from_wire(data)


def test_from_wire_holds_an_unknown_code() -> None:
    record = VaccinationRecord.from_wire(_wire(k9="NEW-2027"))
    assert record.unknown_codes() == (("product", "NEW-2027"),)
    assert VaccinationRecord.from_cbor(record.to_cbor()) == record


@given(st.binary(max_size=300))
def test_from_cbor_garbage_raises_only_our_errors(data: bytes) -> None:
    with contextlib.suppress(InvalidRecord, MalformedCBOR):  # anything else fails the test
        VaccinationRecord.from_cbor(data)


@given(st.data())
def test_from_cbor_mutated_record_raises_only_our_errors(data: st.DataObject) -> None:
    good = bytearray(sample_record().to_cbor())
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(good) - 1))
        good[index] = data.draw(st.integers(0, 255))
    with contextlib.suppress(InvalidRecord, MalformedCBOR):
        VaccinationRecord.from_cbor(bytes(good))


def test_cbor_module_bounds_apply() -> None:
    with pytest.raises(MalformedCBOR):
        VaccinationRecord.from_cbor(b"\xa1" * 20 + b"\x01")
    with pytest.raises(MalformedCBOR):
        VaccinationRecord.from_cbor(sample_record().to_cbor() + b"\x00")
    assert _cbor.loads(sample_record().to_cbor()) == SAMPLE_WIRE
