"""verify(rules=..., country=...): the arrival country's business rules on a passport."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport
from tests.certlogic_cases import gateway_rule as rule
from vaxpass_core import certlogic, valuesets
from vaxpass_core.certlogic import RuleVerdict
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


ROOT = Path(__file__).resolve().parents[2]
KEYS = make_pki(0)
VN_RULES = certlogic.RuleSet.from_json(
    [json.loads(p.read_text("utf-8")) for p in sorted(ROOT.glob("docs/rules/VN/*/rule.json"))]
)


NEVER: Any = {"===": [1, 2]}


def stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def recent_passport(days_ago: int = 30) -> vp.Passport:
    """The sample record vaccinated *days_ago* days before the test clock."""
    record = attrs.evolve(sample_record(), vaccination_date=(NOW - timedelta(days=days_ago)).date())
    attestation = vp.attest(record, facility=KEYS.facilities[0], now=NOW)
    return vp.issue(attestation, issuer=KEYS.document_signer, trust=KEYS.trust, now=NOW)


def test_viet_nams_example_rules_accept_a_recent_full_course() -> None:
    result = vp.verify(
        recent_passport().qr_text, trust=KEYS.trust, now=NOW, rules=VN_RULES, country="VN"
    )
    assert result.ok
    assert result.rules is not None
    assert result.rules.verdict is RuleVerdict.PASSED
    assert [o.rule.identifier for o in result.rules.outcomes] == [
        "VR-VN-0001",
        "VR-VN-0002",
        "VR-VN-0003",
        "VR-VN-0004",
    ]  # vaccination rules and no test rules: selection by certificate type
    assert result.accepted


def test_a_dose_too_old_is_valid_but_not_accepted_and_the_summary_says_why() -> None:
    result = vp.verify(
        recent_passport(300).qr_text, trust=KEYS.trust, now=NOW, rules=VN_RULES, country="VN"
    )
    assert result.ok
    assert not result.accepted
    assert result.rules is not None
    failed = result.rules.with_outcome(RuleVerdict.FAILED)
    assert [o.rule.identifier for o in failed] == ["VR-VN-0003"]
    summary = result.summary()
    assert "Quy tắc nhập cảnh / Entry rules: KHÔNG ĐẠT / FAILED" in summary
    assert "VR-VN-0003: The last dose must be at most 270 days old." in summary
    assert "VR-VN-0003: Liều cuối" in result.summary(lang="vi")
    assert "Rule failed" not in result.summary(lang="vi")


def test_rules_are_not_evaluated_for_a_passport_that_failed() -> None:
    text = recent_passport().qr_text
    result = vp.verify(
        text, trust=KEYS.trust, now=NOW + timedelta(days=800), rules=VN_RULES, country="VN"
    )
    assert not result.ok
    assert result.rules is None
    assert not result.accepted
    assert "Entry rules" not in result.summary()


def test_without_rules_accepted_is_ok() -> None:
    result = vp.verify(sample_passport().qr_text, trust=KEYS.trust, now=NOW)
    assert result.rules is None
    assert result.accepted is result.ok is True


def test_rules_see_the_external_parameters_the_verifier_apps_pass() -> None:
    passport = recent_passport()
    kid = base64.b64encode(KEYS.document_signer.kid).decode()
    checks = {
        "countryCode": "VN",
        "issuerCountryCode": "VN",
        "region": "HN",
        "kid": kid,
        "exp": stamp(passport.expires_at),
        "iat": stamp(passport.issued_at),
        "validationClock": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    logic = {"and": [{"===": [{"var": f"external.{k}"}, v]} for k, v in checks.items()]}
    rules = certlogic.RuleSet.from_json([rule(logic, Region="HN")])
    result = vp.verify(
        passport.qr_text, trust=KEYS.trust, now=NOW, rules=rules, country="VN", region="HN"
    )
    assert result.rules is not None
    assert [o.outcome for o in result.rules.outcomes] == [RuleVerdict.PASSED]


def test_rules_of_another_country_or_region_do_not_apply() -> None:
    rules = certlogic.RuleSet.from_json(
        [rule(NEVER), rule(NEVER, Identifier="GR-VN-0101", Region="HCM")]
    )
    text = recent_passport().qr_text
    elsewhere = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="DE")
    assert elsewhere.rules is not None
    assert elsewhere.rules.outcomes == ()
    assert elsewhere.rules.verdict is RuleVerdict.OPEN  # no rule: the officer decides
    assert not elsewhere.accepted
    here = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="VN")
    assert here.rules is not None
    assert [o.rule.identifier for o in here.rules.outcomes] == ["GR-VN-0100"]
    # As the apps: a region's officer applies that region's rules, not the national ones.
    hcm = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="VN", region="HCM")
    assert hcm.rules is not None
    assert [o.rule.identifier for o in hcm.rules.outcomes] == ["GR-VN-0101"]
    hn = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="VN", region="HN")
    assert hn.rules is not None
    assert hn.rules.outcomes == ()


def test_rules_read_the_value_sets_given_to_verify() -> None:
    logic = {"in": [{"var": "payload.v.0.co"}, {"var": "external.valueSets.country-2-codes"}]}
    rules = certlogic.RuleSet.from_json([rule(logic)])
    text = recent_passport().qr_text
    shipped = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="VN")
    assert shipped.accepted
    no_vn = valuesets.load(
        {"valueSetId": "country-2-codes", "valueSetValues": {"DE": {"display": "Germany"}}}
    )
    mine = vp.verify(text, trust=KEYS.trust, now=NOW, rules=rules, country="VN", valuesets=no_vn)
    assert mine.ok  # a country outside the value sets is a warning, not a failure
    assert mine.rules is not None
    assert mine.rules.verdict is RuleVerdict.FAILED


def test_a_rule_that_cannot_run_is_open_never_passed() -> None:
    rules = certlogic.RuleSet.from_json([rule({"in": [{"var": "payload.v.0.dn"}, 3]})])
    result = vp.verify(
        recent_passport().qr_text, trust=KEYS.trust, now=NOW, rules=rules, country="VN"
    )
    assert result.ok
    assert result.rules is not None
    assert result.rules.verdict is RuleVerdict.OPEN
    assert not result.accepted
    assert "Rule open" in result.summary(lang="en")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"rules": [rule(True)], "country": "VN"}, TypeError),
        ({"rules": VN_RULES}, ValueError),
        ({"rules": VN_RULES, "country": "vn"}, ValueError),
        ({"rules": VN_RULES, "country": "VN", "region": 7}, TypeError),
        ({"country": "VN"}, TypeError),
        ({"region": "HN"}, TypeError),
    ],
)
def test_wrong_calls_raise(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        vp.verify(sample_passport().qr_text, trust=KEYS.trust, now=NOW, **kwargs)


@pytest.mark.parametrize(
    ("claim", "seconds"),
    [
        (1_700_000_000, 1_700_000_000),
        (1_700_000_000.75, 1_700_000_000),
        (True, None),
        ("1700000000", None),
        (-1, None),
        (10**20, None),
        (None, None),
    ],
)
def test_cwt_times_reach_rules_as_whole_seconds_or_not_at_all(claim: Any, seconds: Any) -> None:
    from vaxpass_core import _entry_rules

    assert _entry_rules._epoch(claim) == seconds
