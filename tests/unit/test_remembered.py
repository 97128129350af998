"""What the facility side of issuing works out once and remembers: the same answers as
working it out each time, bounded, and never a failure remembered as a pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from vaxpass_core import _record_rules, _time, attestation, dcc
from vaxpass_core.chain import attest, attest_at
from vaxpass_core.errors import FacilitySignatureInvalid, InvalidRecord
from vaxpass_core.testing import pki, sample_record


SIGNED_AT = 1_780_000_000


def test_an_attestation_carries_its_protected_header() -> None:
    facility = pki().facilities[0]
    made = attestation.sign(sample_record(), facility=facility, signed_at=SIGNED_AT)
    header = attestation.protected_header(facility.alg, facility.kid, SIGNED_AT)
    assert made.protected == header
    read = attestation.Attestation.from_bytes(made.to_bytes())
    assert read.protected == header
    # One built from its fields works its header out, once.
    plain = attestation.Attestation(
        made.record, made.facility_kid, made.signed_at, made.alg, made.signature
    )
    assert plain.protected == header
    assert plain.protected is plain.protected
    assert plain == made


def test_verify_signature_takes_the_header_with_its_alg_only() -> None:
    p = pki()
    facility = p.facilities[0]
    made = attestation.sign(sample_record(), facility=facility, signed_at=SIGNED_AT)
    facilities = p.trust.facilities_for(made.facility_kid)
    kwargs: dict[str, Any] = {
        "kid": made.facility_kid,
        "signed_at": SIGNED_AT,
        "record_cbor": made.record_cbor,
        "signature": made.signature,
        "facilities": facilities,
    }
    found = attestation.verify_signature(**kwargs, alg=made.alg, header=made.protected)
    assert found.kid == made.facility_kid
    with pytest.raises(FacilitySignatureInvalid):  # the header is what gets verified
        attestation.verify_signature(**kwargs, alg=made.alg, header=made.protected + b"\x00")
    with pytest.raises(ValueError, match="goes with its alg"):
        attestation.verify_signature(**kwargs, header=made.protected)


def test_attest_at_is_attest_at_that_time() -> None:
    facility = pki().facilities[0]
    now = dt.datetime.fromtimestamp(SIGNED_AT, dt.UTC)
    record = sample_record()
    assert attest_at(record, facility=facility, signed_at=SIGNED_AT) == attest(
        record, facility=facility, now=now
    )
    with pytest.raises(ValueError, match="between 1970 and 2106"):
        attest_at(record, facility=facility, signed_at=-1)
    with pytest.raises(TypeError, match="VaccinationRecord"):
        attest_at("record", facility=facility, signed_at=SIGNED_AT)  # type: ignore[arg-type]


def test_a_code_that_passed_is_remembered_and_one_that_failed_is_not() -> None:
    _record_rules._CODES_PASSED.clear()
    assert _record_rules.code("vaccine", "J07BX03") == "J07BX03"
    assert "J07BX03" in _record_rules._CODES_PASSED
    assert _record_rules.code("vaccine", "J07BX03") == "J07BX03"
    for _ in range(2):
        with pytest.raises(InvalidRecord, match="is not a code"):
            _record_rules.code("vaccine", " J07")
    assert " J07" not in _record_rules._CODES_PASSED


def test_codes_and_countries_are_remembered_apart() -> None:
    _record_rules._CODES_PASSED.clear()
    _record_rules._COUNTRIES_PASSED.clear()
    assert _record_rules.code("disease", "XX") == "XX"  # a code's form, not a country
    with pytest.raises(InvalidRecord, match="country code"):
        _record_rules.nationality("XX")
    assert _record_rules.nationality("VN") == "VN"
    assert _record_rules.nationality("VN") == "VN"
    assert {"VN"} == _record_rules._COUNTRIES_PASSED


class _Odd(str):
    __slots__ = ()


def test_a_str_subclass_is_checked_but_never_remembered() -> None:
    _record_rules._CODES_PASSED.clear()
    assert _record_rules.code("vaccine", _Odd("J07BX03")) == "J07BX03"
    assert not _record_rules._CODES_PASSED


def test_the_remembered_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_record_rules, "_MAX_PASSED", 3)
    _record_rules._CODES_PASSED.clear()
    for n in range(7):
        _record_rules.code("vaccine", f"C{n}")
        assert len(_record_rules._CODES_PASSED) <= 3


def test_the_dcc_context_checked_once_is_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dcc, "_MAX_CONTEXTS", 2)
    dcc._CONTEXTS_CHECKED.clear()
    record = sample_record()
    first = record.to_dcc(country="VN", issuer="Ministry")
    assert record.to_dcc(country="VN", issuer="Ministry") == first
    for issuer in ("A", "B", "C"):
        record.to_dcc(country="VN", issuer=issuer)
        assert len(dcc._CONTEXTS_CHECKED) <= 2
    for _ in range(2):  # a context that fails is never remembered
        with pytest.raises(ValueError, match="country value set"):
            record.to_dcc(country="XX", issuer="Ministry")
    with pytest.raises(ValueError, match="upper-case country code"):
        record.to_dcc(country=["VN"], issuer="Ministry")  # type: ignore[arg-type]


def test_latest_local_date_is_the_day_of_latest_local_day() -> None:
    for moment in (0, SIGNED_AT, SIGNED_AT + 11 * 3600):
        day = _time.latest_local_date(moment)
        assert day is not None
        assert day.isoformat() == _time.latest_local_day(moment)
    assert _time.latest_local_date(-1) is None


def test_dated_after_compares_full_and_partial_dates_of_birth() -> None:
    record = sample_record()
    day = dt.date(2030, 1, 2)  # the day after the latest local day
    moment = int(dt.datetime(2029, 12, 31, 12, tzinfo=dt.UTC).timestamp())  # 1 Jan at UTC+14
    assert record.dated_after(moment) == ()
    late = attrs.evolve(record, date_of_birth="2030", vaccination_date=day)
    assert late.dated_after(moment) == ("vaccination_date",)  # "2030" is before "2030-01-01"
    later = attrs.evolve(record, date_of_birth="2031", vaccination_date=dt.date(2031, 1, 2))
    assert later.dated_after(moment) == ("date_of_birth", "vaccination_date")
    full = attrs.evolve(
        record, date_of_birth=dt.date(2030, 1, 2), vaccination_date=day.replace(month=2)
    )
    assert full.dated_after(moment) == ("date_of_birth", "vaccination_date")


def test_a_day_that_passed_is_remembered_per_field_and_one_that_failed_is_not() -> None:
    _record_rules._BIRTH_DAYS.clear()
    _record_rules._VACCINATION_DAYS.clear()
    day = _record_rules.vaccination_date("2021-09-20")
    assert day == dt.date(2021, 9, 20)
    assert _record_rules.vaccination_date("2021-09-20") is day
    assert not _record_rules._BIRTH_DAYS  # each field its own: their rules differ
    with pytest.raises(InvalidRecord, match="outside 1900-2099"):
        _record_rules.date_of_birth("1899-12-31")  # a real day, but not a date of birth
    assert _record_rules.vaccination_date("1899-12-31") == dt.date(1899, 12, 31)
    with pytest.raises(InvalidRecord, match="outside 1900-2099"):
        _record_rules.date_of_birth("1899-12-31")  # the other field's pass is not this one's
    for _ in range(2):
        with pytest.raises(InvalidRecord, match="not a real day"):
            _record_rules.vaccination_date("2021-02-30")
    assert "2021-02-30" not in _record_rules._VACCINATION_DAYS
    assert _record_rules.date_of_birth("1983") == "1983"  # partial dates stay text
    assert set(_record_rules._BIRTH_DAYS) == set()
    assert _record_rules.date_of_birth(_Odd("1990-05-17")) == dt.date(1990, 5, 17)
    assert not _record_rules._BIRTH_DAYS  # a str subclass is never remembered


def test_the_remembered_days_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_record_rules, "_MAX_DAYS", 3)
    _record_rules._BIRTH_DAYS.clear()
    _record_rules._DAY_TEXTS.clear()
    for n in range(1, 10):
        assert _record_rules.date_of_birth(f"1990-01-0{n}") == dt.date(1990, 1, n)
        assert len(_record_rules._BIRTH_DAYS) <= 3
        assert len(_record_rules._DAY_TEXTS) <= 6


class _Day(dt.date):
    def isoformat(self) -> str:
        return "a day of its own"


def test_a_day_is_written_as_its_isoformat() -> None:
    _record_rules._DAY_TEXTS.clear()
    _record_rules._VACCINATION_DAYS.clear()
    day = dt.date(2021, 9, 20)
    assert _record_rules.day_text(day) == "2021-09-20"  # not read from text: worked out
    read = _record_rules.vaccination_date("2021-09-20")
    assert {read: "2021-09-20"} == _record_rules._DAY_TEXTS
    assert _record_rules.day_text(day) == "2021-09-20"  # an equal day: the text it was read from
    assert _record_rules.day_text("1983-10") == "1983-10"  # a partial date of birth
    assert _record_rules.day_text(_Day(2021, 9, 20)) == "a day of its own"  # a subclass asked
