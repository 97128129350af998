"""verify() is one table of rules (vaxpass_core.checks.RULES) and one driver.

The table's order is the report's; a check runs only when every check it needs passed, and a
skipped check names the failure at the root of it. A clean pass builds no check object (the
result shares a constant tuple), and a failing passport pays for the crypto once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed_dcc
from vaxpass_core import attestation, checks
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import cbor, cose, hc1
from vaxpass_core.result import CHECK_ORDER, Status
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import strategies as vst


if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime


PKI = make_pki(seed=0)
NO_REGISTRY = vp.TrustStore(signers=PKI.trust.signers)
PASSPORT = sample_passport()
NEEDS = {rule.name: rule.needs for rule in checks.RULES}
POLICIES = (
    vp.Policy(),
    vp.Policy.vietnam(),
    vp.Policy(strict_valuesets=False),
    vp.Policy(leeway=timedelta(days=400)),
    vp.Policy(check_key_validity_window=False),
    vp.Policy(algorithms={-37}),  # PS256 only
    vp.Policy.strict(),
)


def _eu_style(passport: vp.Passport) -> str:
    """The passport's DCC signed the way an EU issuer signs it: no attestation claim."""
    return signed_dcc(passport.dcc, PKI.document_signer, like=passport)


def _obeys_the_table(result: vp.VerificationResult) -> None:
    """Each check ran exactly when what it needs passed; a skip names its root failure."""
    status = {c.name: c for c in result.checks}
    for check in result.checks:
        blocker = next((status[n] for n in NEEDS[check.name] if not status[n].passed), None)
        if blocker is None:
            assert check.status is not Status.SKIPPED or check.depends_on is None, check
            continue
        assert check.status is Status.SKIPPED, check
        if blocker.status is Status.SKIPPED and blocker.depends_on is None:
            assert check.depends_on is None  # does not apply, as what it needs
            assert check.detail == blocker.detail
        else:
            root = blocker.depends_on or blocker.name
            assert check.depends_on == root
            assert status[root].status is Status.FAILED


def test_the_table_is_the_report_order_and_needs_only_earlier_checks() -> None:
    assert tuple(rule.name for rule in checks.RULES) == CHECK_ORDER
    for i, rule in enumerate(checks.RULES):
        assert set(rule.needs) <= set(CHECK_ORDER[:i]), rule.name
    # The driver finds where its straight run stopped by the rule: each is its own function.
    assert len({rule.check for rule in checks.RULES}) == len(checks.RULES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vst.passports(PKI, now=NOW), st.sampled_from(POLICIES))
def test_clean_passes_share_their_checks(passport: vp.Passport, policy: vp.Policy) -> None:
    for text in (passport.qr_text, _eu_style(passport)):
        for trust in (PKI.trust, NO_REGISTRY):
            result = vp.verify(text, trust=trust, now=NOW, policy=policy)
            _obeys_the_table(result)
            again = vp.verify(text, trust=trust, now=NOW, policy=policy)
            assert again == result
            if result.ok:
                assert again.checks is result.checks


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vst.corrupted_passports(PKI, now=NOW))
def test_corrupted_passports_obey_the_table(corruption: vst.Corruption) -> None:
    result = vp.verify(corruption.text, trust=PKI.trust, now=NOW)
    assert not result.ok
    _obeys_the_table(result)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60).map(lambda s: "HC1:" + s) | st.text(max_size=60))
def test_garbage_obeys_the_table(text: str) -> None:
    result = vp.verify(text, trust=PKI.trust, now=NOW)
    assert not result.ok
    _obeys_the_table(result)


def test_the_three_shapes_of_a_clean_pass() -> None:
    full = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW)
    assert all(c.status is Status.PASSED for c in full.checks)
    assert full.nationality == "VN"

    abroad = vp.verify(PASSPORT.qr_text, trust=NO_REGISTRY, now=NOW)
    assert abroad.ok
    assert abroad.check("facility.attestation").passed
    for name in ("facility.certificate", "facility.signature"):
        assert abroad.check(name).detail == checks.NO_REGISTRY
        assert abroad.check(name).depends_on is None

    eu = vp.verify(_eu_style(PASSPORT), trust=PKI.trust, now=NOW)
    assert eu.ok
    assert eu.nationality is None
    for name in ("facility.attestation", "facility.certificate", "facility.signature"):
        assert eu.check(name).status is Status.SKIPPED
        assert eu.check(name).detail == checks.NO_ATTESTATION
    assert len({id(r.checks) for r in (full, abroad, eu)}) == 3


@pytest.mark.parametrize(
    ("trust", "now", "policy", "code"),
    [
        (NO_REGISTRY, NOW, vp.Policy.vietnam(), Code.FACILITY_UNKNOWN),
        (PKI.trust, NOW + timedelta(days=800), vp.Policy(), Code.TIME_EXPIRED),
        (PKI.trust, NOW - timedelta(days=400), vp.Policy(), Code.TIME_NOT_YET_VALID),
        (PKI.trust, NOW, vp.Policy(algorithms={-37}), Code.COSE_ALGORITHM),
        (vp.TrustStore(), NOW, vp.Policy(), Code.KEY_UNKNOWN),
        (PKI.trust_with(*PASSPORT.revocation_entries()[:1]), NOW, vp.Policy(), Code.REVOKED),
    ],
)
def test_each_failure_is_reported_with_its_code(
    trust: vp.TrustStore, now: datetime, policy: vp.Policy, code: Code
) -> None:
    result = vp.verify(PASSPORT.qr_text, trust=trust, now=now, policy=policy)
    assert code in result.codes
    _obeys_the_table(result)


def test_a_store_that_revokes_other_passports_passes() -> None:
    other = vp.Revocation.uci("URN:UVCI:01:VN:NOT-THIS-ONE")
    assert vp.verify(PASSPORT.qr_text, trust=PKI.trust_with(other), now=NOW).ok


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> Callable[[], int]:
    calls: list[None] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return lambda: len(calls)


def test_a_failing_passport_pays_the_crypto_once(monkeypatch: pytest.MonkeyPatch) -> None:
    signatures = _counting(monkeypatch, cose, "verify_signature")
    facility = _counting(monkeypatch, attestation, "verify_embedded")
    # A good passport: the ministry's signature, then the facility's: two in all.
    assert vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW).ok
    assert (signatures(), facility()) == (2, 1)
    # One that fails late (expired): the same crypto, not a second round.
    late = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW + timedelta(days=800))
    assert late.codes == (Code.TIME_EXPIRED,)
    assert (signatures(), facility()) == (4, 2)
    # A forged signature: each signature verified once, and nothing that needs it runs.
    message = cose.decode_sign1(hc1.decode(PASSPORT.qr_text))
    bad = bytes([message.signature[0] ^ 1]) + message.signature[1:]
    forged = cbor.dumps(cbor.CBORTag(18, [message.protected, {}, message.payload, bad]))
    result = vp.verify(hc1.encode(forged), trust=PKI.trust, now=NOW)
    assert result.codes == (Code.SIGNATURE_INVALID,)
    assert result.check("key.validity").depends_on == "signature"
    assert (signatures(), facility()) == (6, 3)
