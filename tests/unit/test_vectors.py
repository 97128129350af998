"""The reference vectors (``vaxpass_core.testing.vectors``): layout, determinism,
consistency of every intermediate form, and agreement with ``verify()``.

The intermediate forms are checked with other code than the library's: the ``base45``
package, the standard library's ``zlib`` and plain ``cbor2``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib
import importlib.util
import json
import zlib
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import vaxpass_core as vp
from tests._helpers import vector_cases
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import cose
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import vectors


# The reference Base45 (a test dependency; it ships no type information).
reference_base45: Any = importlib.import_module("base45")
FILES = list(vectors.generate(0))
VECTORS = {Path(path).stem: content for path, content in FILES}
NAMES = sorted(VECTORS)

#: What verify() reports for each vector with the default policy (no attestation required).
CODES: dict[str, set[Code]] = {
    "VALID-ES256-ATTESTED": set(),
    "VALID-ES256": set(),
    "VALID-PS256-ATTESTED": set(),
    "VALID-PS256": set(),
    "VALID-TEST": set(),
    "VALID-RECOVERY": set(),
    "INVALID-PREFIX": {Code.HC1_PREFIX},
    "INVALID-BASE45": {Code.HC1_BASE45},
    "INVALID-ZLIB": {Code.HC1_ZLIB},
    "INVALID-COSE": {Code.CBOR_MALFORMED},
    "INVALID-CBOR": {Code.CBOR_MALFORMED},
    "INVALID-SIGNATURE": {Code.SIGNATURE_INVALID},
    "INVALID-KID": {Code.KEY_UNKNOWN},
    "INVALID-EXPIRED": {Code.TIME_EXPIRED},
    "INVALID-NOT-YET-VALID": {Code.TIME_NOT_YET_VALID},
    "INVALID-KEY-USAGE": {Code.KEY_USAGE},
    "INVALID-JSON": set(),  # verify() reads the signed DCC; only the file's JSON is wrong
    "INVALID-SCHEMA": {Code.SCHEMA_INVALID},
    "INVALID-FACILITY-SIGNATURE": {Code.FACILITY_SIGNATURE},
    "INVALID-FACILITY-MISMATCH": {Code.FACILITY_MISMATCH},
    "INVALID-FACILITY-UNTRUSTED": {Code.FACILITY_UNKNOWN},
}


def _trust(context: dict[str, Any]) -> vp.TrustStore:
    def der(name: str) -> list[bytes]:
        return [base64.b64decode(context[name])] if name in context else []

    return vp.TrustStore(
        signers=der("CERTIFICATE"),
        facility_roots=der("FACILITYROOT"),
        facilities=der("FACILITYCERTIFICATE"),
    )


def _verify(vector: dict[str, Any], policy: vp.Policy | None = None) -> vp.VerificationResult:
    context = vector["TESTCTX"]
    now = dt.datetime.fromisoformat(context["VALIDATIONCLOCK"])
    return vp.verify(vector["PREFIX"], trust=_trust(context), now=now, policy=policy or vp.Policy())


def test_layout() -> None:
    paths = [path for path, _ in FILES]
    assert len(set(paths)) == len(paths) == len(CODES)
    assert all(p.startswith("VN/2DCode/raw/") and p.endswith(".json") for p in paths)
    assert set(NAMES) == set(CODES)
    for content in VECTORS.values():
        context = content["TESTCTX"]
        assert context["VERSION"] == 1
        assert context["VALIDATIONCLOCK"] == "2026-06-01T12:00:00Z"
        assert context["DESCRIPTION"].startswith(("VALID", "INVALID"))
        x509.load_der_x509_certificate(base64.b64decode(context["CERTIFICATE"]))
        assert set(content["EXPECTEDRESULTS"]) <= set(vectors.FLAGS)


def test_same_seed_same_bytes() -> None:
    again = [(path, vectors.dumps(content)) for path, content in vectors.generate(0)]
    assert again == [(path, vectors.dumps(content)) for path, content in FILES]


# SHA-256 over every seed-0 file but its 2DCODE (PNG bytes depend on the zlib build). The
# vectors are published: a change here must be deliberate (a new vector, a new version).
SEED_0_DIGEST = "ce725e0d6752dc2ffd134f102e75276849d7b0d3c018c430714d201fd3f38e92"


def test_seed_0_vectors_are_the_published_bytes() -> None:
    digest = hashlib.sha256()
    for path, content in FILES:
        without_picture = {k: v for k, v in content.items() if k != "2DCODE"}
        digest.update(path.encode() + b"\0" + vectors.dumps(without_picture))
    assert digest.hexdigest() == SEED_0_DIGEST


def test_another_seed_other_keys() -> None:
    other = {Path(p).stem: c for p, c in vectors.generate(1)}
    assert set(other) == set(VECTORS)
    for name in ("VALID-ES256-ATTESTED", "VALID-PS256-ATTESTED"):
        assert other[name]["COSE"] != VECTORS[name]["COSE"]
        assert other[name]["TESTCTX"]["CERTIFICATE"] != VECTORS[name]["TESTCTX"]["CERTIFICATE"]
    assert vectors.check(other.items()).ok


def test_dumps_is_json_of_the_content() -> None:
    for content in VECTORS.values():
        data = vectors.dumps(content)
        assert data.endswith(b"\n")
        assert json.loads(data) == content


@pytest.mark.parametrize(("seed", "error"), [("0", TypeError), (True, TypeError), (-1, ValueError)])
def test_generate_refuses_wrong_seeds(seed: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        next(vectors.generate(seed))


def test_every_failure_a_flag_can_express_has_a_vector() -> None:
    failing = {
        flag
        for content in VECTORS.values()
        for flag, v in content["EXPECTEDRESULTS"].items()
        if not v
    }
    assert failing == set(vectors.FLAGS) - {"EXPECTEDPICTUREDECODE"}
    # A valid passport per signer algorithm, with and without the facility attestation.
    for alg in ("ES256", "PS256"):
        for suffix, facility in (("-ATTESTED", True), ("", False)):
            results = dict(VECTORS[f"VALID-{alg}{suffix}"]["EXPECTEDRESULTS"])
            assert results.pop("EXPECTEDFACILITY") is facility
            assert all(results.values())


def _reference_cbor(hexdata: str) -> Any:
    return cbor2.loads(bytes.fromhex(hexdata))


@pytest.mark.parametrize("name", NAMES)
def test_intermediate_forms_are_consistent(name: str) -> None:
    """PREFIX -> BASE45 -> COMPRESSED -> COSE -> CBOR -> JSON, where the file says the step
    works; where it says a step fails, that step does fail (with other code than ours)."""
    v = VECTORS[name]
    exp = v["EXPECTEDRESULTS"]
    steps = 0
    if "BASE45" in v:
        assert v["PREFIX"].endswith(v["BASE45"])
        assert v["PREFIX"].startswith("HC1:") is exp["EXPECTEDUNPREFIX"]
        steps += 1
    if {"BASE45", "COMPRESSED"} <= set(v) and exp.get("EXPECTEDB45DECODE"):
        assert reference_base45.b45decode(v["BASE45"]) == bytes.fromhex(v["COMPRESSED"])
        steps += 1
    elif exp.get("EXPECTEDB45DECODE") is False:
        with pytest.raises(ValueError):
            reference_base45.b45decode(v["BASE45"])
        steps += 1
    if {"COMPRESSED", "COSE"} <= set(v):
        if exp["EXPECTEDCOMPRESSION"]:
            assert zlib.decompress(bytes.fromhex(v["COMPRESSED"])) == bytes.fromhex(v["COSE"])
        else:
            with pytest.raises(zlib.error):
                zlib.decompress(bytes.fromhex(v["COMPRESSED"]))
        steps += 1
    if "COSE" in v and exp.get("EXPECTEDDECODE"):
        tag = cbor2.loads(bytes.fromhex(v["COSE"]))
        assert tag.tag == 18
        claims = cbor2.loads(tag.value[2])
        dcc = claims[-260][1]
        assert dcc == _reference_cbor(v["CBOR"])
        assert (dcc == v["JSON"]) is exp["EXPECTEDVALIDJSON"]
        assert cbor2.dumps(dcc, canonical=True).hex() == v["CBOR"]
        steps += 1
    assert steps > 0


@pytest.mark.parametrize("name", NAMES)
def test_verify_reports_the_expected_failures(name: str) -> None:
    result = _verify(VECTORS[name])
    assert set(result.codes) == CODES[name], result.failures
    assert result.ok is (not CODES[name])
    if result.ok:
        assert (result.dcc == VECTORS[name]["JSON"]) is (name != "INVALID-JSON")


FACILITY_NAMES = [n for n in NAMES if "EXPECTEDFACILITY" in VECTORS[n]["EXPECTEDRESULTS"]]


@pytest.mark.parametrize("name", FACILITY_NAMES)
def test_expected_facility_is_what_the_domestic_policy_sees(name: str) -> None:
    vector = VECTORS[name]
    result = _verify(vector, vp.Policy.vietnam())
    facility = [result.check(n) for n in ("facility.attestation", "facility.signature")]
    passed = all(c.passed for c in facility)
    assert passed is vector["EXPECTEDRESULTS"]["EXPECTEDFACILITY"]


def test_check_agrees_on_every_vector() -> None:
    report = vectors.check(FILES)
    assert report.ok, report.summary()
    assert [v.path for v in report.vectors] == [p for p, _ in FILES]
    assert report.summary().startswith(f"{len(FILES)}/{len(FILES)} vectors agree")
    checked = {f.flag for v in report.vectors for f in v.flags if f.observed is not None}
    assert checked >= set(vectors.FLAGS) - {"EXPECTEDPICTUREDECODE"}
    # Codes are those of Viet Nam's policy: an EU passport lacks the attestation.
    by_name = {Path(v.path).stem: set(v.codes) for v in report.vectors}
    assert by_name["VALID-ES256"] == {Code.FACILITY_MISSING}
    assert by_name["VALID-ES256-ATTESTED"] == set()


def test_check_reads_the_pictures_when_it_can() -> None:
    pytest.importorskip("zxingcpp", reason="reading 2DCODE needs the [scan] extra")
    report = vectors.check(dict(FILES))
    pictures = [f for v in report.vectors for f in v.flags if f.flag == "EXPECTEDPICTUREDECODE"]
    assert pictures
    assert all(f.observed is True for f in pictures)


def test_check_without_pictures_leaves_them_unchecked() -> None:
    report = vectors.check(FILES, read_pictures=False)
    assert report.ok
    pictures = [f for v in report.vectors for f in v.flags if f.flag == "EXPECTEDPICTUREDECODE"]
    assert all(f.observed is None and not f.checked for f in pictures)


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("VALID-ES256", "EXPECTEDVERIFY"),
        ("VALID-PS256-ATTESTED", "EXPECTEDFACILITY"),
        ("INVALID-EXPIRED", "EXPECTEDEXPIRATIONCHECK"),
        ("INVALID-PREFIX", "EXPECTEDUNPREFIX"),
        ("INVALID-SCHEMA", "EXPECTEDSCHEMAVALIDATION"),
    ],
)
def test_check_finds_a_wrong_flag(name: str, flag: str) -> None:
    vector = json.loads(vectors.dumps(VECTORS[name]))
    vector["EXPECTEDRESULTS"][flag] = not vector["EXPECTEDRESULTS"][flag]
    report = vectors.check({"x.json": vector})
    assert not report.ok
    (wrong,) = report.failed[0].disagreements
    assert wrong.flag == flag
    assert f"x.json: {flag} expected" in report.summary()


def test_check_finds_a_json_that_is_not_the_payload() -> None:
    vector = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    vector["JSON"]["dob"] = "1990-05-18"
    report = vectors.check([("x.json", vector)])
    (wrong,) = report.failed[0].disagreements
    assert wrong.flag == "EXPECTEDVALIDJSON"
    assert "JSON" in wrong.detail


def test_check_finds_a_cbor_that_is_not_the_payload() -> None:
    vector = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    vector["CBOR"] = cbor2.dumps({"ver": "1.3.0"}).hex()
    (wrong,) = vectors.check([("x.json", vector)]).failed[0].disagreements
    assert wrong.flag == "EXPECTEDDECODE"


def _indefinite_map(value: dict[str, Any]) -> bytes:
    """*value* as an indefinite-length CBOR map, as many EU files write their CBOR field."""
    items = b"".join(cbor2.dumps(k) + cbor2.dumps(v) for k, v in value.items())
    return b"\xbf" + items + b"\xff"


def test_check_reads_the_cbor_field_as_the_eu_files_write_it() -> None:
    # The file's CBOR is reference data, read leniently: an indefinite-length map, the whole
    # claims set instead of the DCC, a date-time in tag 0 (Sweden) all hold the same values.
    vector = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    vector["CBOR"] = _indefinite_map(vector["JSON"]).hex()
    claims = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    claims["CBOR"] = cose.decode_sign1(bytes.fromhex(claims["COSE"])).payload.hex()
    test = json.loads(vectors.dumps(VECTORS["VALID-TEST"]))
    dcc = test["JSON"]
    tagged = {**dcc, "t": [{**dcc["t"][0], "sc": cbor2.CBORTag(0, dcc["t"][0]["sc"])}]}
    test["CBOR"] = cbor2.dumps(tagged).hex()
    report = vectors.check({"indefinite": vector, "claims": claims, "tag-0": test})
    assert report.ok, report.summary()
    decode = [f for v in report.vectors for f in v.flags if f.flag == "EXPECTEDDECODE"]
    assert len(decode) == 3
    assert all(f.observed is True for f in decode)


def test_check_reports_a_cbor_field_that_is_not_cbor() -> None:
    vector = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    vector["CBOR"] = "bf01"  # an indefinite map that never ends
    (wrong,) = vectors.check([("x.json", vector)]).failed[0].disagreements
    assert wrong.flag == "EXPECTEDDECODE"
    assert "does not decode" in wrong.detail


def test_check_counts_a_step_after_a_failed_one_as_failed() -> None:
    vector = json.loads(vectors.dumps(VECTORS["INVALID-PREFIX"]))
    vector["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] = True  # verify() never gets that far
    (wrong,) = vectors.check([("x.json", vector)]).failed[0].disagreements
    assert wrong.observed is False
    assert "signature" in wrong.detail


def test_check_reports_files_it_cannot_check_and_skips_non_vectors() -> None:
    broken = json.loads(vectors.dumps(VECTORS["VALID-ES256"]))
    broken["TESTCTX"]["VALIDATIONCLOCK"] = "yesterday"
    report = vectors.check({"a.json": broken, "README.json": {"title": "not a vector"}})
    (only,) = report.vectors
    assert only.error is not None
    assert "cannot check" in report.summary()
    assert not vectors.check({}).ok  # nothing checked is not a pass


def test_es256_vector_is_exactly_what_issue_makes() -> None:
    pki = make_pki(0)
    vector = VECTORS["VALID-ES256-ATTESTED"]
    record = vp.VaccinationRecord.from_dcc(vector["JSON"], nationality="VN")
    attestation = vp.attest(record, facility=pki.facilities[0], now=vectors.ATTESTED_AT)
    passport = vp.issue(
        attestation, issuer=pki.document_signer, trust=pki.trust, now=vectors.ISSUED_AT
    )
    assert passport.qr_text == vector["PREFIX"]


def test_ps256_vectors_are_standard_pss_with_a_32_byte_salt() -> None:
    for name in ("VALID-PS256", "VALID-PS256-ATTESTED"):
        vector = VECTORS[name]
        message = cose.decode_sign1(bytes.fromhex(vector["COSE"]))
        assert message.alg == cose.PS256
        cert = x509.load_der_x509_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))
        key = cert.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(
            message.signature,
            message.sig_structure(),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        )


def _load(name: str) -> Any:
    path = Path(__file__).resolve().parents[1] / "conformance" / name
    spec = importlib.util.spec_from_file_location(f"_vaxpass_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_codec_conformance_checks_pass_on_our_vectors() -> None:
    # tests/conformance/test_codec_dgc.py, given our files instead of the EU's.
    codec = _load("test_codec_dgc.py")
    cases = vector_cases(FILES)
    assert len(cases) == len(FILES)
    checked = 0
    for step in codec.STEPS:
        for name, case in cases:
            agreed = codec._check(name, case, step)
            assert agreed is not False, (name, step)
            checked += agreed is True
    assert checked > 5 * len(FILES)


def test_the_verify_conformance_checks_pass_on_our_vectors() -> None:
    # tests/conformance/test_verify_dgc.py, given our files instead of the EU's.
    matched, total, disagreements = _load("test_verify_dgc.py").run_all(FILES)
    assert disagreements == set()
    assert matched == total > 5 * len(FILES)


def test_vectors_are_reached_lazily_from_the_testing_package() -> None:
    assert vp.testing.vectors is vectors
    assert "vectors" in dir(vp.testing)
