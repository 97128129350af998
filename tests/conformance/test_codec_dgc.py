"""Every case of the EU dgc-testdata against the wire layer.

For each file and each step the file makes a claim about, the codec's
intermediate forms must equal the file's fields where the file says the step
succeeds (``BASE45``, ``COMPRESSED``, ``COSE``, ``CBOR``, ``JSON``), and fail with
the right failure code where it says the step fails.

Steps checked (the file's EXPECTEDRESULTS key in brackets):

* unprefix [EXPECTEDUNPREFIX]: PREFIX -> BASE45, or ``hc1.prefix``
* base45 [EXPECTEDB45DECODE]: BASE45 -> COMPRESSED, or ``hc1.base45``
* zlib [EXPECTEDCOMPRESSION]: COMPRESSED -> COSE, or ``hc1.zlib``
* chain: PREFIX -> COSE in one call, where every step above is expected to pass
* cbor [EXPECTEDDECODE]: the COSE payload decodes to the file's CBOR (decoded and
  compared as values, as the dgc-testdata README asks), or the chain from PREFIX
  fails with ``cbor.malformed``, ``cose.malformed`` or ``cwt.claims``
* verify [EXPECTEDVERIFY]: the COSE parses, its kid is the certificate's and the
  signature verifies with the certificate's key; or one of these fails
* json [EXPECTEDVALIDJSON]: the DCC in the payload equals the file's JSON

Disagreements are listed in REVIEWED with the reason; the test fails if the set
of disagreements changes in either direction.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509

from vaxpass_core.errors import (
    InvalidSignature,
    InvalidZlib,
    MalformedCBOR,
    MalformedCOSE,
    VaxpassError,
)
from vaxpass_core.hazmat import base45, cose, cwt, hc1
from vaxpass_core.shell._vector_check import _plain, _reference_cbor


if TYPE_CHECKING:
    from collections.abc import Callable


#: (case, step) -> why the file and this codec disagree, after review.
REVIEWED: dict[tuple[str, str], str] = {
    ("FR/2DCode/raw/test_pcr_ok.json", "json"): (
        "the file's JSON has sc/dr two hours off the signed CBOR (14:34:56Z in the "
        "payload, 12:34:56Z in JSON): the generator shifted a local time; the "
        "signed payload is what a verifier sees"
    ),
}

STEPS = ("unprefix", "base45", "zlib", "chain", "cbor", "verify", "json")


def _code(fn: Callable[[], object]) -> str | None:
    try:
        fn()
    except VaxpassError as exc:
        return exc.code.value
    return None


def _check(name: str, case: dict[str, Any], step: str) -> bool | None:
    """True if the codec agrees with the file, False if not, None if not applicable."""
    exp: dict[str, bool] = case["EXPECTEDRESULTS"]
    if step == "unprefix" and "EXPECTEDUNPREFIX" in exp and "PREFIX" in case:
        if exp["EXPECTEDUNPREFIX"]:
            return bool(hc1.strip_prefix(case["PREFIX"]) == case["BASE45"])
        return _code(lambda: hc1.strip_prefix(case["PREFIX"])) == "hc1.prefix"
    if step == "base45" and "EXPECTEDB45DECODE" in exp and {"BASE45", "COMPRESSED"} <= set(case):
        if exp["EXPECTEDB45DECODE"]:
            return base45.b45decode(case["BASE45"]) == bytes.fromhex(case["COMPRESSED"])
        return _code(lambda: base45.b45decode(case["BASE45"])) == "hc1.base45"
    if step == "zlib" and "EXPECTEDCOMPRESSION" in exp and {"COMPRESSED", "COSE"} <= set(case):
        if exp["EXPECTEDCOMPRESSION"]:
            return hc1.decompress(bytes.fromhex(case["COMPRESSED"])) == bytes.fromhex(case["COSE"])
        return _code(lambda: hc1.decompress(bytes.fromhex(case["COMPRESSED"]))) == "hc1.zlib"
    if step == "chain" and {"PREFIX", "COSE"} <= set(case):
        keys = ("EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION")
        if not all(exp.get(k, True) for k in keys):
            return None
        return hc1.decode(case["PREFIX"]) == bytes.fromhex(case["COSE"])
    if step == "cbor" and "EXPECTEDDECODE" in exp:
        if exp["EXPECTEDDECODE"]:
            payload = cose.decode_sign1(bytes.fromhex(case["COSE"])).payload
            claims = cwt.decode_claims(payload)
            # The file's CBOR is reference data, read leniently (CO28's is an
            # indefinite-length map, which the codec refuses on input).
            expected = _reference_cbor(case["CBOR"])
            # The CBOR field holds the whole claims set in some files, the DCC in most.
            return expected in (_plain(claims.claims), _plain(claims.hcert))
        code = _code(
            lambda: cwt.decode_claims(cose.decode_sign1(hc1.decode(case["PREFIX"])).payload)
        )
        return code in {"cbor.malformed", "cose.malformed", "cwt.claims"}
    if step == "verify" and "EXPECTEDVERIFY" in exp and "COSE" in case:
        return _verifies(case) == exp["EXPECTEDVERIFY"]
    if step == "json" and exp.get("EXPECTEDVALIDJSON") and {"JSON", "COSE"} <= set(case):
        claims = cwt.decode_claims(cose.decode_sign1(bytes.fromhex(case["COSE"])).payload)
        return bool(_plain(claims.hcert) == case["JSON"])
    return None


def _verifies(case: dict[str, Any]) -> bool:
    try:
        msg = cose.decode_sign1(bytes.fromhex(case["COSE"]))
    except (MalformedCBOR, MalformedCOSE):
        return False
    cert = x509.load_der_x509_certificate(base64.b64decode(case["TESTCTX"]["CERTIFICATE"]))
    if msg.kid != cose.kid_for_certificate(cert):
        return False  # a verifier looks the key up by kid: this one would not be found
    try:
        cose.verify_sign1(msg, cert.public_key())  # type: ignore[arg-type]
    except InvalidSignature:
        return False
    return True


def tally(cases: list[tuple[str, dict[str, Any]]]) -> dict[str, tuple[int, int]]:
    """Step -> (agreed, checked); ``python tests/conformance/test_codec_dgc.py`` prints it."""
    out: dict[str, tuple[int, int]] = {}
    for step in STEPS:
        results = [_check(name, case, step) for name, case in cases]
        checked = [r for r in results if r is not None]
        out[step] = (sum(checked), len(checked))
    return out


@pytest.mark.parametrize("step", STEPS)
def test_step(dgc_cases: list[tuple[str, dict[str, Any]]], step: str) -> None:
    checked = 0
    disagreements: set[tuple[str, str]] = set()
    for name, case in dgc_cases:
        agreed = _check(name, case, step)
        if agreed is None:
            continue
        checked += 1
        if not agreed:
            disagreements.add((name, step))
    assert checked > 0
    reviewed = {key for key in REVIEWED if key[1] == step}
    assert disagreements == reviewed, f"{step}: {len(disagreements)} of {checked} disagree"


def test_failure_cases_fail_with_their_codes(
    dgc_cases: list[tuple[str, dict[str, Any]]],
) -> None:
    # The negative cases by name, so that a change in the data set shows.
    by_name = dict(dgc_cases)
    assert _code(lambda: hc1.strip_prefix(by_name["common/2DCode/raw/H1.json"]["PREFIX"])) == (
        "hc1.prefix"
    )
    assert _code(lambda: hc1.decode(by_name["common/2DCode/raw/B1.json"]["PREFIX"])) == (
        "hc1.base45"
    )
    for name in ("Z1", "Z2"):
        with pytest.raises(InvalidZlib):
            hc1.decode(by_name[f"common/2DCode/raw/{name}.json"]["PREFIX"])
    cbo2 = bytes.fromhex(by_name["common/2DCode/raw/CBO2.json"]["COSE"])
    assert _code(lambda: cose.decode_sign1(cbo2)) in {"cbor.malformed", "cose.malformed"}


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for tests/
    from tests._helpers import load_dgc_testdata, vector_cases

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[3] / "shared" / "data"
    all_cases = vector_cases(load_dgc_testdata(root))
    agreed_total = checked_total = 0
    for step, (agreed, checked) in tally(all_cases).items():
        agreed_total += agreed
        checked_total += checked
        print(f"{step:10} {agreed}/{checked}")
    print(f"{'all':10} {agreed_total}/{checked_total} over {len(all_cases)} files")
