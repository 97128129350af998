"""verify()'s fast path gives the general path's result, or leaves the passport to it.

``_verify_passing`` answers only for a passport that passes every check; anything else
must come back None so that ``_verify_in_full`` reports it in detail. Each test runs both
on the same input and holds them to that: equal results where the fast path answers, and
an answer wherever every check passed (so the fast path is really taken).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed_dcc
from vaxpass_core import verification
from vaxpass_core._time import epoch_of
from vaxpass_core.errors import Code
from vaxpass_core.result import Status
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.testing import strategies as vst


PKI = make_pki(seed=0)
NO_REGISTRY = vp.TrustStore(signers=PKI.trust.signers)
POLICIES = (
    vp.Policy(),
    vp.Policy.vietnam(),
    vp.Policy(strict_valuesets=False),
    vp.Policy(leeway=timedelta(days=400)),
    vp.Policy(check_key_validity_window=False),
    vp.Policy(algorithms={-37}),  # PS256 only
    vp.Policy.strict(),  # what issue() makes has no deviation to tolerate
)


def _both(
    text: str,
    trust: vp.TrustStore = PKI.trust,
    now: datetime = NOW,
    policy: vp.Policy = verification.DEFAULT_POLICY,
    facility_checked: bytes | None = None,
) -> tuple[vp.VerificationResult | None, vp.VerificationResult]:
    at = epoch_of(now)
    fast = verification._verify_passing(text, trust, at, policy, facility_checked)
    full = verification._verify_in_full(text, trust, at, policy, facility_checked)
    if fast is not None:
        assert fast == full
    # The public entry point gives the general path's answer either way.
    assert (
        vp.verify(text, trust=trust, now=now, policy=policy, _facility_checked=facility_checked)
        == full
    )
    return fast, full


def _all_passed(result: vp.VerificationResult) -> bool:
    """Every check passed or did not apply, and nothing to warn about but the one warning
    the fast path gives too (a passport outliving its signer certificate)."""
    return result.ok and all(w.code is Code.KEY_VALIDITY for w in result.warnings)


def _eu_style(passport: vp.Passport) -> str:
    """The passport's DCC signed the way an EU issuer signs it: no attestation claim."""
    return signed_dcc(passport.dcc, PKI.document_signer, like=passport)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vst.passports(PKI, now=NOW), st.sampled_from(POLICIES))
def test_valid_passports_take_the_fast_path(passport: vp.Passport, policy: vp.Policy) -> None:
    for text in (passport.qr_text, _eu_style(passport)):
        for trust in (PKI.trust, NO_REGISTRY):
            fast, full = _both(text, trust=trust, policy=policy)
            assert (fast is not None) == _all_passed(full)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vst.corrupted_passports(PKI, now=NOW))
def test_corrupted_passports_are_left_to_the_general_path(corruption: vst.Corruption) -> None:
    fast, full = _both(corruption.text)
    assert fast is None
    assert not full.ok


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60).map(lambda s: "HC1:" + s) | st.text(max_size=60))
def test_garbage_is_left_to_the_general_path(text: str) -> None:
    fast, full = _both(text)
    assert fast is None
    assert not full.ok


PASSPORT = sample_passport()


def test_the_facility_levels_three_outcomes_are_fast() -> None:
    fast, _ = _both(PASSPORT.qr_text)
    assert fast is not None
    assert all(c.status is Status.PASSED for c in fast.checks)
    assert fast.nationality == "VN"

    fast, _ = _both(PASSPORT.qr_text, trust=NO_REGISTRY)  # a verifier abroad
    assert fast is not None
    assert fast.check("facility.attestation").passed
    assert fast.check("facility.signature").detail == verification._NO_REGISTRY

    fast, _ = _both(_eu_style(PASSPORT))
    assert fast is not None
    assert fast.check("facility.attestation").status is Status.SKIPPED
    assert fast.nationality is None


@pytest.mark.parametrize(
    ("trust", "now", "policy"),
    [
        (NO_REGISTRY, NOW, vp.Policy.vietnam()),  # the registry is required
        (PKI.trust, NOW + timedelta(days=800), vp.Policy()),  # expired
        (PKI.trust, NOW - timedelta(days=400), vp.Policy()),  # not yet valid
        (PKI.trust, NOW, vp.Policy(algorithms={-37})),  # ES256 not allowed
        (vp.TrustStore(), NOW, vp.Policy()),  # nothing trusted
        (
            PKI.trust_with(*PASSPORT.revocation_entries()[:1]),
            NOW,
            vp.Policy(),
        ),  # revoked
    ],
)
def test_each_failure_is_left_to_the_general_path(
    trust: vp.TrustStore, now: datetime, policy: vp.Policy
) -> None:
    fast, full = _both(PASSPORT.qr_text, trust=trust, now=now, policy=policy)
    assert fast is None
    assert not full.ok


def test_a_store_that_revokes_other_passports_stays_fast() -> None:
    other = vp.Revocation.uci("URN:UVCI:01:VN:NOT-THIS-ONE")
    fast, full = _both(PASSPORT.qr_text, trust=PKI.trust_with(other))
    assert fast is not None
    assert full.ok


def test_issue_self_check_is_fast_and_still_checks_the_digest() -> None:
    claim = PASSPORT.attestation.to_claim() if PASSPORT.attestation else b""
    fast, _ = _both(PASSPORT.qr_text, facility_checked=claim)
    assert fast is not None
    # A claim that is not this passport's changes nothing: the signature is verified.
    fast, _ = _both(PASSPORT.qr_text, facility_checked=claim[:-1] + bytes([claim[-1] ^ 1]))
    assert fast is not None


def test_unknown_codes_warn_through_the_general_path() -> None:
    record = attrs.evolve(sample_record(), product="EU/1/99/999")
    att = vp.attest(record, facility=PKI.facilities[0], now=NOW)
    passport = vp.issue(
        att, issuer=PKI.document_signer, trust=PKI.trust, now=NOW, allow_unknown_codes=True
    )
    fast, full = _both(passport.qr_text, policy=vp.Policy(strict_valuesets=False))
    assert fast is None
    assert full.ok
    assert [w.code for w in full.warnings] == [Code.VALUESET_UNKNOWN]
    fast, full = _both(passport.qr_text, policy=vp.Policy(strict_valuesets=True))
    assert fast is None
    assert full.codes == (Code.VALUESET_UNKNOWN,)
