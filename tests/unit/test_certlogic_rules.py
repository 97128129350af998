"""Rules as data: loading and checking gateway rule JSON, selection, outcomes, the verdict."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import attrs
import pytest

from tests.certlogic_cases import gateway_rule
from vaxpass_core import certlogic, valuesets
from vaxpass_core.certlogic import CertificateType, RuleType, RuleVerdict
from vaxpass_core.errors import Code


CLOCK = dt.datetime(2022, 3, 1, 12, tzinfo=dt.UTC)


def raw_rule(**changes: Any) -> dict[str, Any]:
    """Viet Nam's course-complete rule; a change to None removes that field."""
    rule = gateway_rule(
        {
            "if": [
                {"var": "payload.v.0"},
                {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
                True,
            ]
        },
        Identifier="VR-VN-0001",
        CertificateType="Vaccination",
        Description=[
            {"lang": "en", "desc": "The vaccination course must be complete."},
            {"lang": "vi", "desc": "Phải tiêm đủ liều theo phác đồ."},
        ],
        ValidFrom="2022-01-01T00:00:00Z",
        ValidTo="2030-01-01T00:00:00+07:00",
        AffectedFields=["v.0.dn", "v.0.sd"],
    )
    for key, value in changes.items():
        if value is None:
            del rule[key]
        else:
            rule[key] = value
    return rule


def vaccination(dn: int = 2, sd: int = 2) -> dict[str, Any]:
    return {"ver": "1.3.0", "v": [{"dn": dn, "sd": sd, "dt": "2022-01-10", "mp": "EU/1/20/1528"}]}


def test_load_from_text_bytes_and_object() -> None:
    raw = raw_rule(Region="HN")
    for source in (raw, json.dumps(raw), json.dumps(raw).encode()):
        rule = certlogic.load_rule(source)
        assert rule.identifier == "VR-VN-0001"
        assert rule.type is RuleType.ACCEPTANCE
        assert rule.certificate_type is CertificateType.VACCINATION
        assert rule.region == "HN"
        assert rule.version_key == (1, 0, 0)
        assert rule.valid_to == dt.datetime(2029, 12, 31, 17, tzinfo=dt.UTC)
        assert rule.affected_fields == ("v.0.dn", "v.0.sd")
        assert rule.description("vi") == "Phải tiêm đủ liều theo phác đồ."
        assert rule.description("vi-VN") == "Phải tiêm đủ liều theo phác đồ."
        assert rule.description("fr") == "The vaccination course must be complete."
        assert rule.compiled is not None
    assert len(certlogic.load_rules([raw])) == 1


def test_a_rule_built_without_english_falls_back_to_its_first_description() -> None:
    rule = certlogic.load_rule(raw_rule())
    only_vi = attrs.evolve(rule, descriptions=(certlogic.Description("vi", "Tiếng Việt thôi nhé"),))
    assert only_vi.description("en") == "Tiếng Việt thôi nhé"


def test_validation_refuses_bools_as_numbers() -> None:
    assert certlogic.validate({"plusTime": ["2021", True, "day"]})
    assert certlogic.validate({"extractFromUVCI": ["x", False]})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Logic": None}, "missing Logic"),
        ({"Identifier": "VR-VN-A1"}, "Identifier 'VR-VN-A1' does not have the right form"),
        ({"Identifier": 7}, "Identifier must be a string"),
        ({"Type": "Entry"}, "Type 'Entry' is not one of Acceptance, Invalidation"),
        ({"Country": "vn"}, "Country 'vn' does not have the right form"),
        ({"Version": "one"}, "Version 'one' is not a semantic version"),
        ({"CertificateType": "Passport"}, "CertificateType 'Passport' is not one of"),
        ({"ValidFrom": "2022-01-01"}, "ValidFrom '2022-01-01' does not have the right form"),
        ({"ValidFrom": "2022-02-30T00:00:00Z"}, "is not a date-time"),
        ({"Description": []}, "Description must be a non-empty array"),
        ({"Description": [{"lang": "en"}]}, "each Description needs lang and desc"),
        ({"Description": [{"lang": "EN", "desc": "x" * 20}]}, "is not a language code"),
        ({"Description": [{"lang": "en", "desc": "too short"}]}, "20 characters or more"),
        ({"Description": [{"lang": "vi", "desc": "x" * 20}]}, "must include English"),
        ({"Region": 5}, "Region must be a string"),
        ({"AffectedFields": "v.0.dn"}, "AffectedFields must be an array of strings"),
        ({"Logic": {}}, "Logic must be a non-empty JSON object"),
        ({"Logic": [1]}, "Logic must be a non-empty JSON object"),
    ],
)
def test_schema_violations(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(certlogic.InvalidRule, match=message) as raised:
        certlogic.load_rule(raw_rule(**changes))
    assert raised.value.code is Code.RULE_INVALID
    assert isinstance(raised.value, ValueError)


def test_not_json_and_not_an_object() -> None:
    for source in ("{", "[1]", b"\xff"):
        with pytest.raises(certlogic.InvalidRule):
            certlogic.load_rule(source)
    with pytest.raises(certlogic.InvalidRule, match="not JSON"):
        certlogic.load_rules("[")
    with pytest.raises(certlogic.InvalidRule, match="not a JSON array"):
        certlogic.load_rules("{}")
    with pytest.raises(certlogic.InvalidRule, match="not a JSON object"):
        certlogic.load_rules("[1]")
    assert len(certlogic.load_rules(json.dumps([raw_rule(), raw_rule()]))) == 2


def test_logic_that_does_not_compile_loads_but_is_open() -> None:
    rule = certlogic.load_rule(raw_rule(Logic={"nope": [1]}))
    assert rule.compiled is None
    assert rule.logic_error is not None
    outcome = certlogic.evaluate_rule(rule, vaccination(), {})
    assert outcome.outcome is RuleVerdict.OPEN
    assert outcome.reason is not None
    assert "not valid CertLogic" in outcome.reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Engine": "JSONLOGIC"}, "is not CertLogic"),
        ({"EngineVersion": "2.0.0"}, "needs CertLogic 2.0.0"),
        ({"SchemaVersion": "2.0.0"}, "written for DCC schema 2.0.0"),
        ({"Logic": {"plusTime": [{"var": "payload.v.0.dn"}, 0, "day"]}}, "evaluation failed"),
        ({"Logic": {"plusTime": ["2021", 0, "day"]}}, "gave a date-time, not true or false"),
        ({"Logic": {"var": "payload.v.0.mp"}}, "gave the str 'EU/1/20/1528', not true or false"),
        ({"Logic": {"var": "payload.v"}}, "gave an array, not true or false"),
        ({"Logic": {"var": "payload.v.0"}}, "gave an object, not true or false"),
        ({"Logic": {"var": "payload.v.0.dn"}}, "gave the int 2, not true or false"),
        ({"Logic": {"var": "payload.nothing"}}, "gave null, not true or false"),
    ],
)
def test_a_rule_that_cannot_say_is_open_never_passed(changes: dict[str, Any], reason: str) -> None:
    rule = certlogic.load_rule(raw_rule(**changes))
    outcome = certlogic.evaluate_rule(rule, vaccination(), {})
    assert outcome.outcome is RuleVerdict.OPEN
    assert outcome.reason is not None
    assert reason in outcome.reason


def test_passed_and_failed_with_description_in_the_officers_language() -> None:
    rule = certlogic.load_rule(raw_rule())
    passed = certlogic.evaluate_rule(rule, vaccination(2, 2), {}, language="vi")
    assert passed.outcome is RuleVerdict.PASSED
    assert passed.description == "Phải tiêm đủ liều theo phác đồ."
    failed = certlogic.evaluate_rule(rule, vaccination(1, 2), {})
    assert failed.outcome is RuleVerdict.FAILED
    assert failed.description == "The vaccination course must be complete."
    assert failed.reason is None


def test_certificate_type_by_content() -> None:
    assert certlogic.certificate_type(vaccination()) is CertificateType.VACCINATION
    assert certlogic.certificate_type({"t": [{}]}) is CertificateType.TEST
    assert certlogic.certificate_type({"r": [{}], "v": []}) is CertificateType.RECOVERY
    assert certlogic.certificate_type({}) is CertificateType.GENERAL


def _rules() -> certlogic.RuleSet:
    return certlogic.RuleSet(
        certlogic.load_rule(raw)
        for raw in (
            raw_rule(),
            raw_rule(Version="1.10.0", Logic={"===": [1, 1]}),
            raw_rule(Version="1.9.0", Logic={"===": [1, 2]}),
            raw_rule(Version="2.0.0", ValidFrom="2023-01-01T00:00:00Z"),
            raw_rule(Identifier="GR-VN-0001", CertificateType="General", Logic={"!": [False]}),
            raw_rule(Identifier="TR-VN-0001", CertificateType="Test"),
            raw_rule(Identifier="VR-VN-0002", Region="HN"),
            raw_rule(Identifier="VR-VN-0003", Region="SG"),
            raw_rule(Identifier="VR-DE-0001", Country="DE"),
            raw_rule(Identifier="IR-DE-0001", Country="DE", Type="Invalidation"),
            raw_rule(Identifier="IR-VN-0001", Type="Invalidation"),
        )
    )


def _ids(rules: tuple[certlogic.Rule, ...]) -> list[tuple[str, str]]:
    return [(rule.identifier, rule.version) for rule in rules]


def test_selection_as_the_verifier_apps_do_it() -> None:
    rules = _rules()
    kind = CertificateType.VACCINATION
    assert _ids(rules.select(country="VN", clock=CLOCK, kind=kind, issuing_country="DE")) == [
        ("GR-VN-0001", "1.0.0"),
        ("IR-DE-0001", "1.0.0"),
        ("VR-VN-0001", "1.10.0"),  # newest valid version, compared as numbers
    ]
    regional = rules.select(country="VN", clock=CLOCK, kind=kind, region="HN")
    assert _ids(regional) == [("VR-VN-0002", "1.0.0")]  # a region's rules only, as the apps
    later = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)
    assert ("VR-VN-0001", "2.0.0") in _ids(rules.select(country="VN", clock=later, kind=kind))
    test_rules = rules.select(country="VN", clock=CLOCK, kind=CertificateType.TEST)
    assert _ids(test_rules) == [("GR-VN-0001", "1.0.0"), ("TR-VN-0001", "1.0.0")]
    end = dt.datetime(2029, 12, 31, 17, tzinfo=dt.UTC)  # ValidTo itself is outside
    assert rules.select(country="VN", clock=end, kind=kind) == ()


def test_a_region_selects_its_own_acceptance_rules_only() -> None:
    rules = _rules()
    kind = CertificateType.VACCINATION
    for region in ("HN", "hn", " Hn "):
        selected = rules.select(country="VN", clock=CLOCK, kind=kind, region=region)
        assert _ids(selected) == [("VR-VN-0002", "1.0.0")]
    national = [("GR-VN-0001", "1.0.0"), ("VR-VN-0001", "1.10.0")]
    for no_region in (None, "", "  "):
        chosen = rules.select(country="VN", clock=CLOCK, kind=kind, region=no_region)
        assert _ids(chosen) == national
    assert rules.select(country="VN", clock=CLOCK, kind=kind, region="HP") == ()
    invalidation = rules.select(
        country="VN", clock=CLOCK, kind=kind, region="HN", issuing_country="DE"
    )
    assert _ids(invalidation) == [("IR-DE-0001", "1.0.0"), ("VR-VN-0002", "1.0.0")]


@pytest.mark.parametrize(
    ("dcc_version", "schema_version", "outcome"),
    [
        ("1.3.0", "1.0.0", RuleVerdict.PASSED),
        ("1.3.0", "1.3.0", RuleVerdict.PASSED),
        ("1.3.1", "1.3.0", RuleVerdict.PASSED),
        (
            "1.2.1",
            "1.3.0",
            RuleVerdict.OPEN,
        ),  # older than the rule's schema: the apps leave it open
        ("1.3.0", "1.3.1", RuleVerdict.OPEN),
        ("2.0.0", "1.0.0", RuleVerdict.OPEN),
        ("1.3.0", "2.0.0", RuleVerdict.OPEN),
    ],
)
def test_a_dcc_older_than_the_rules_schema_version_is_open(
    dcc_version: str, schema_version: str, outcome: RuleVerdict
) -> None:
    rule = certlogic.load_rule(raw_rule(SchemaVersion=schema_version))
    dcc = {**vaccination(), "ver": dcc_version}
    result = certlogic.evaluate_rule(rule, dcc, {})
    assert result.outcome is outcome
    if outcome is RuleVerdict.OPEN:
        assert result.reason == f"written for DCC schema {schema_version}, the DCC is {dcc_version}"
    checked = certlogic.RuleSet([rule]).check(dcc, country="VN", clock=CLOCK)
    assert checked.verdict is outcome


def test_check_builds_external_and_gives_a_verdict() -> None:
    rules = _rules()
    result = rules.check(vaccination(), country="VN", clock=CLOCK, language="vi")
    assert result.verdict is RuleVerdict.PASSED
    assert result.ok
    assert [o.rule.identifier for o in result.outcomes] == ["GR-VN-0001", "VR-VN-0001"]
    assert result.with_outcome(RuleVerdict.FAILED) == ()
    failing = certlogic.RuleSet([certlogic.load_rule(raw_rule())])
    result = failing.check(vaccination(1, 2), country="VN", clock=CLOCK)
    assert result.verdict is RuleVerdict.FAILED
    assert not result.ok
    assert len(result.with_outcome(RuleVerdict.FAILED)) == 1
    nothing = failing.check(vaccination(), country="FR", clock=CLOCK)
    assert nothing.verdict is RuleVerdict.OPEN  # no rule applies: nothing says it may enter
    mixed = certlogic.RuleSet(
        [
            certlogic.load_rule(raw_rule()),
            certlogic.load_rule(raw_rule(Identifier="VR-VN-0009", Engine="X")),
        ]
    ).check(vaccination(), country="VN", clock=CLOCK)
    assert mixed.verdict is RuleVerdict.OPEN


def test_rules_read_every_external_parameter() -> None:
    names = ["validationClock", "countryCode", "issuerCountryCode", "region", "exp", "iat", "kid"]
    logic = {"reduce": [[{"var": f"external.{name}"} for name in names], {"var": "current"}, 0]}
    rule = certlogic.load_rule(raw_rule(Logic={"===": [logic, "a2lk"]}))
    rules = certlogic.RuleSet([rule, *certlogic.RuleSet.from_json(json.dumps([raw_rule()])).rules])
    result = rules.check(
        vaccination(),
        country="VN",
        clock=CLOCK,
        issuing_country="VN",
        region=None,
        exp=1_700_000_000,
        iat=dt.datetime(2022, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        kid=b"kid",
    )
    assert result.outcomes[0].outcome is RuleVerdict.PASSED
    external = certlogic.external_parameters(
        clock=CLOCK, country="VN", exp=1_700_000_000, iat=CLOCK, kid="abc", region="HN"
    )
    assert external == {
        "validationClock": "2022-03-01T12:00:00Z",
        "valueSets": {},
        "countryCode": "VN",
        "issuerCountryCode": "",
        "region": "HN",
        "exp": "2023-11-14T22:13:20Z",
        "iat": "2022-03-01T12:00:00Z",
        "kid": "abc",
    }
    with pytest.raises(ValueError, match="timezone-aware"):
        certlogic.external_parameters(clock=dt.datetime(2022, 1, 1), country="VN")  # noqa: DTZ001


def test_rule_value_sets_come_from_the_shipped_release() -> None:
    sets = certlogic.rule_value_sets()
    assert set(sets) == set(valuesets.GATEWAY_IDS)
    assert "EU/1/20/1528" in sets["vaccines-covid-19-names"]
    assert sets["country-2-codes"] == sorted(valuesets.entries("co"))
    sets["country-2-codes"].clear()  # a fresh copy each call
    assert certlogic.rule_value_sets()["country-2-codes"]
    mine = valuesets.load(
        {"valueSetId": "country-2-codes", "valueSetValues": {"VN": {"display": "Viet Nam"}}}
    )
    assert certlogic.rule_value_sets(mine)["country-2-codes"] == ["VN"]
    rule = certlogic.load_rule(
        raw_rule(
            Logic={
                "in": [
                    {"var": "payload.v.0.mp"},
                    {"var": "external.valueSets.vaccines-covid-19-names"},
                ]
            }
        )
    )
    ok = certlogic.RuleSet([rule]).check(
        vaccination(), country="VN", clock=CLOCK, value_sets=certlogic.rule_value_sets()
    )
    assert ok.ok
    unknown = copy.deepcopy(vaccination())
    unknown["v"][0]["mp"] = "Made-Up"
    bad = certlogic.RuleSet([rule]).check(
        unknown, country="VN", clock=CLOCK, value_sets=certlogic.rule_value_sets()
    )
    assert bad.verdict is RuleVerdict.FAILED


def test_a_payload_that_is_not_an_object_leaves_every_rule_open() -> None:
    rules = _rules()
    result = rules.check(["not", "a", "dcc"], country="VN", clock=CLOCK)  # type: ignore[arg-type]
    assert [o.rule.identifier for o in result.outcomes] == ["GR-VN-0001"]
    assert result.verdict is RuleVerdict.OPEN
    assert result.outcomes[0].reason == "the DCC is not a JSON object"


def test_outcome_is_a_deprecated_name_of_rule_verdict() -> None:
    from vaxpass_core import certlogic

    with pytest.warns(DeprecationWarning, match="RuleVerdict"):
        assert certlogic.Outcome is RuleVerdict
    with pytest.raises(AttributeError):
        certlogic.no_such_name  # noqa: B018
