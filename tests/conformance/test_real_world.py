"""Real, published certificates verify as the reference verifier apps verify them (issue 11).

Three sources:

- every dgc-testdata certificate whose file says its signature verifies, from 15 states,
  checked as a border app checks a fresh one: against the file's Document Signer, one
  minute after it was issued;
- Viet Nam's official test passport against its Document Signer (``vn/DSC_VN.json``): its
  ``exp`` outlives the certificate, so it verifies with the ``key.validity`` warning;
- for each deviation class the real world has but these files lack (a date-time in a date
  field as DE and PL issued, nulls as BG and IE issued, a test device missing from the value
  sets, a date after issue), a real DCC of those files changed that one way and re-signed
  with the test PKI.

Each deviation verifies ok with its warning under the default policy and fails under
``Policy.strict()``.
"""

from __future__ import annotations

import base64
import copy
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

import vaxpass_core as vp
from vaxpass_core import valuesets
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.result import Outcome
from vaxpass_core.shell._vector_check import _trust
from vaxpass_core.testing import pki as make_pki


if TYPE_CHECKING:
    from collections.abc import Callable

STRICT = vp.Policy.strict()
PKI = make_pki(seed=0)
#: A Document Signer whose certificate allows every DCC type, as many states' do.
ANY_TYPE = PKI.make_document_signer("real-world", dcc_types=())
ANY_TYPE_TRUST = vp.TrustStore.from_certificates([ANY_TYPE.certificate.public_bytes(Encoding.DER)])
#: What these files may warn of: nothing else is a deviation in them.
EXPECTED_WARNINGS = {Code.KEY_VALIDITY, Code.VALUESET_UNKNOWN}


def _claims(text: str) -> cwt.Claims:
    return cwt.decode_claims(cose.decode_sign1(hc1.decode(text)).payload)


def _fresh(text: str) -> datetime:
    """One minute after *text* was issued."""
    iat = _claims(text).issued_at
    assert iat is not None
    return datetime.fromtimestamp(iat + 60, UTC)


@pytest.fixture(scope="module")
def published(dgc_cases: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The states' own certificates whose signature the file says verifies."""
    return [
        (name, data)
        for name, data in dgc_cases
        if not name.startswith("common/") and data["EXPECTEDRESULTS"].get("EXPECTEDVERIFY")
    ]


def test_every_published_certificate_verifies_when_fresh(
    published: list[tuple[str, dict[str, Any]]],
) -> None:
    states: Counter[str] = Counter()
    warned: Counter[Code] = Counter()
    for name, data in published:
        text, trust = data["PREFIX"], _trust(data["TESTCTX"])
        result = vp.verify(text, trust=trust, now=_fresh(text))
        assert result.ok, (name, result.codes)
        assert set(result.warning_codes) <= EXPECTED_WARNINGS, (name, result.warnings)
        states[name.split("/")[0]] += 1
        warned.update(result.warning_codes)
        # The strict preset fails exactly the ones with a warning, on the warning's check.
        strict = vp.verify(text, trust=trust, now=_fresh(text), policy=STRICT)
        assert set(strict.codes) == set(result.warning_codes), name
        for warning in result.warnings:
            assert result.outcome(warning.check) is Outcome.PASSED_WITH_WARNING
            assert strict.outcome(warning.check) is Outcome.FAILED
    print(f"real-world: {len(published)} certificates of {len(states)} states verify; {warned}")
    assert len(states) >= 15
    assert len(published) >= 110
    # Two French ones outlive their signer; two name codes the shipped value sets lack.
    assert warned[Code.KEY_VALIDITY] >= 1


# --- Viet Nam ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vn_trust(shared_json: Callable[[str], Any]) -> vp.TrustStore:
    entry = shared_json("vn/DSC_VN.json")["certificates"][0]
    return vp.TrustStore.from_certificates([base64.b64decode(entry["rawData"])])


def test_viet_nams_test_passport_verifies_with_the_key_validity_warning(
    vn_passport: str, vn_trust: vp.TrustStore
) -> None:
    now = _fresh(vn_passport)
    result = vp.verify(vn_passport + "\n", trust=vn_trust, now=now)  # as a file holds it
    assert result.ok
    assert result.warning_codes == (Code.KEY_VALIDITY,)
    assert result.outcome("key.validity") is Outcome.PASSED_WITH_WARNING
    assert result.signer_country == "VN"
    assert result.record.certificate_id.startswith("URN:UVCI:01:VN:")
    assert "Lưu ý / Note" in result.summary()
    strict = vp.verify(vn_passport, trust=vn_trust, now=now, policy=STRICT)
    assert strict.codes == (Code.KEY_VALIDITY,)
    # The certificate itself must still be valid when checked.
    late = datetime(2024, 5, 1, tzinfo=UTC)
    assert Code.KEY_EXPIRED in vp.verify(vn_passport, trust=vn_trust, now=late).codes


# --- each deviation class, on a real DCC re-signed with the test PKI ---------------------


def _real_dcc(dgc_testdata: Any, name: str) -> dict[str, Any]:
    dcc: dict[str, Any] = copy.deepcopy(dict(_claims(dgc_testdata[name]["PREFIX"]).hcert))
    return dcc


def _resigned(dcc: dict[str, Any], issuer: str) -> str:
    payload = cwt.encode_claims(
        dcc=dcc, issuer=issuer, issued_at=1_780_000_000, expires_at=1_790_000_000
    )
    return hc1.encode(cose.sign1(payload, key=ANY_TYPE.key, kid=ANY_TYPE.kid, alg=ANY_TYPE.alg))


NOW = datetime.fromtimestamp(1_780_000_000 + 30 * 86400, UTC)  # a month after iat


def _date_time(dcc: dict[str, Any]) -> None:  # DE, PL, CO, JO, LB, SG (dt); BG (fr, df, du)
    if "v" in dcc:
        dcc["v"][0]["dt"] += "T05:00:00Z"
    else:
        for field in ("fr", "df", "du"):
            dcc["r"][0][field] += "T00:00:00"


def _null_device(dcc: dict[str, Any]) -> None:  # IE's test certificates
    dcc["t"][0]["ma"] = None


def _null_groups(dcc: dict[str, Any]) -> None:  # BG's: "t": null, "r": null beside "v"
    for group in ("v", "t", "r"):
        dcc.setdefault(group, None)


def _unknown_device(dcc: dict[str, Any]) -> None:  # a device newer than the value sets
    dcc["t"][0]["ma"] = "99999"


def _vaccinated_later(dcc: dict[str, Any]) -> None:  # dated after it was signed (2026-05-28)
    dcc["v"][0]["dt"] = "2026-06-15"


DEVIATIONS = [
    ("DE/2DCode/raw/1.json", _date_time, Code.SCHEMA_DATE_TIME),
    ("BE/2DCode/raw/1.json", _date_time, Code.SCHEMA_DATE_TIME),
    ("AT/2DCode/raw/2.json", _date_time, Code.SCHEMA_DATE_TIME),
    ("BE/2DCode/raw/3.json", _null_device, Code.SCHEMA_NULL),
    ("AT/2DCode/raw/1.json", _null_groups, Code.SCHEMA_NULL),
    ("AT/2DCode/raw/4.json", _unknown_device, Code.VALUESET_UNKNOWN),
    ("DE/2DCode/raw/1.json", _vaccinated_later, Code.DCC_FUTURE_DATE),
]


@pytest.mark.parametrize(
    ("name", "change", "code"), DEVIATIONS, ids=lambda v: getattr(v, "__name__", str(v))
)
def test_each_deviation_verifies_with_its_warning_and_fails_strict(
    dgc_testdata: Any, name: str, change: Callable[[dict[str, Any]], None], code: Code
) -> None:
    original = _real_dcc(dgc_testdata, name)
    dcc = copy.deepcopy(original)
    change(dcc)
    text = _resigned(dcc, name[:2])
    result = vp.verify(text, trust=ANY_TYPE_TRUST, now=NOW)
    assert result.ok, result.codes
    assert result.warning_codes == (code,)
    assert result.outcome(result.warnings[0].check) is Outcome.PASSED_WITH_WARNING
    strict = vp.verify(text, trust=ANY_TYPE_TRUST, now=NOW, policy=STRICT)
    assert strict.codes == (code,)
    if code in {Code.SCHEMA_DATE_TIME, Code.SCHEMA_NULL}:
        # The DCC read is the original one: dates as dates, nulls as absent.
        assert result.dcc == original
    if "v" in original and code is Code.SCHEMA_DATE_TIME:
        assert result.record.vaccination_date.isoformat() == original["v"][0]["dt"]


def test_an_impossible_date_is_refused_whatever_the_policy(dgc_testdata: Any) -> None:
    # LV issued 2022-17-01: month 17. Tolerating a time of day never tolerates that.
    for bad in ("2022-17-01", "2022-17-01T00:00:00Z", "2021-02-30", "2021-02-30T05:00:00Z"):
        dcc = _real_dcc(dgc_testdata, "DE/2DCode/raw/1.json")
        dcc["v"][0]["dt"] = bad
        text = _resigned(dcc, "DE")
        for policy in (vp.Policy(), STRICT):
            result = vp.verify(text, trust=ANY_TYPE_TRUST, now=NOW, policy=policy)
            assert result.codes == (Code.SCHEMA_INVALID,), bad


def test_a_border_apps_value_sets_know_the_new_device(dgc_testdata: Any) -> None:
    dcc = _real_dcc(dgc_testdata, "AT/2DCode/raw/4.json")
    _unknown_device(dcc)
    text = _resigned(dcc, "AT")
    jrc = {"deviceList": [{"id_device": "99999", "commercial_name": "New rapid test"}]}
    current = valuesets.load(jrc)
    result = vp.verify(text, trust=ANY_TYPE_TRUST, now=NOW, valuesets=current)
    assert result.ok
    assert not result.warnings
    strict = vp.verify(text, trust=ANY_TYPE_TRUST, now=NOW, valuesets=current, policy=STRICT)
    assert strict.ok
