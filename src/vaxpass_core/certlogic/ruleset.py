"""Which rules apply to a DCC, and what they say about it: the way the EU verifier apps do it.

Selection (:meth:`RuleSet.select`): the *acceptance* rules of the arrival country whose
region is the officer's (``dgc-certlogic-android``'s ``DefaultGetRulesUseCase``: without a
region only the rules without one; with a region only that region's rules, compared
case-insensitively) and the *invalidation* rules of the issuing country; of those, the
``General`` rules and the ones for the DCC's kind (vaccination, test or recovery); of each
identifier, the newest version valid at the validation clock (``ValidFrom <= clock < ValidTo``).

Evaluation (:meth:`RuleSet.check`): each rule sees ``{"payload": dcc, "external": {...}}``
and is PASSED when its logic gives ``true``, FAILED when it gives ``false`` (the apps'
``DefaultJsonLogicValidator`` takes only a JSON boolean). It is OPEN, never PASSED, when it
cannot be trusted to say: an engine other than CertLogic or a newer CertLogic than this one,
a DCC schema of another major version or older than the rule's ``SchemaVersion`` (as the
apps' ``DefaultCertLogicEngine``), logic that does not compile, an evaluation that raises,
or a value other than a boolean. The verdict is FAILED if any rule failed, else OPEN if any
is open (or none applied), else PASSED.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Final

import attrs

from vaxpass_core.errors import CertLogicError

from .rules import CertificateType, Rule, RuleType, load_rules, parse_version


if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


__all__ = [
    "ENGINE",
    "ENGINE_VERSION",
    "RuleOutcome",
    "RuleSet",
    "RuleVerdict",
    "RulesResult",
    "certificate_type",
    "external_parameters",
]

ENGINE: Final = "CERTLOGIC"
#: The CertLogic specification version this evaluator implements; rules may ask for up to it.
ENGINE_VERSION: Final = (1, 3, 3)

_KINDS: Final = (
    ("v", CertificateType.VACCINATION),
    ("t", CertificateType.TEST),
    ("r", CertificateType.RECOVERY),
)


class RuleVerdict(enum.StrEnum):
    """A business rule's outcome: PASSED, FAILED or OPEN (the officer decides).

    Not :class:`vaxpass_core.Outcome`, which is a verification check's.
    """

    PASSED = "passed"
    FAILED = "failed"
    OPEN = "open"


@attrs.frozen
class RuleOutcome:
    """One rule's outcome, with its description in the language asked for."""

    rule: Rule
    outcome: RuleVerdict
    description: str
    #: Why the rule is OPEN (``None`` when PASSED or FAILED).
    reason: str | None = None


@attrs.frozen
class RulesResult:
    """Every applicable rule's outcome and the overall verdict."""

    outcomes: tuple[RuleOutcome, ...]

    @property
    def verdict(self) -> RuleVerdict:
        found = {outcome.outcome for outcome in self.outcomes}
        if RuleVerdict.FAILED in found:
            return RuleVerdict.FAILED
        if RuleVerdict.OPEN in found or not found:
            return RuleVerdict.OPEN
        return RuleVerdict.PASSED

    @property
    def ok(self) -> bool:
        """Whether every applicable rule passed (and at least one applied)."""
        return self.verdict is RuleVerdict.PASSED

    def with_outcome(self, outcome: RuleVerdict) -> tuple[RuleOutcome, ...]:
        return tuple(found for found in self.outcomes if found.outcome is outcome)


def certificate_type(payload: Mapping[str, Any]) -> CertificateType:
    """The DCC's kind by its content: the first non-empty of ``v``, ``t``, ``r``."""
    if not isinstance(payload, dict):
        return CertificateType.GENERAL
    for key, kind in _KINDS:
        if payload.get(key):
            return kind
    return CertificateType.GENERAL


def _timestamp(value: dt.datetime | int) -> str:
    if isinstance(value, int):
        value = dt.datetime.fromtimestamp(value, dt.UTC)
    if value.tzinfo is None:
        raise ValueError("date-times for rules must be timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def external_parameters(
    *,
    clock: dt.datetime,
    country: str,
    issuing_country: str = "",
    region: str | None = None,
    value_sets: Mapping[str, Any] | None = None,
    exp: dt.datetime | int | None = None,
    iat: dt.datetime | int | None = None,
    kid: bytes | str | None = None,
) -> dict[str, Any]:
    """The ``external`` object the verifier apps give the rules.

    *exp* and *iat* are the CWT's claims (seconds since the epoch, or date-times); *kid*
    is the signer's key id (bytes are Base64-encoded, as the apps do).
    """
    external: dict[str, Any] = {
        "validationClock": _timestamp(clock),
        "valueSets": dict(value_sets) if value_sets is not None else {},
        "countryCode": country,
        "issuerCountryCode": issuing_country,
        "region": region or "",
    }
    if exp is not None:
        external["exp"] = _timestamp(exp)
    if iat is not None:
        external["iat"] = _timestamp(iat)
    if kid is not None:
        external["kid"] = base64.b64encode(kid).decode() if isinstance(kid, bytes) else kid
    return external


def _dcc_version(payload: Mapping[str, Any]) -> tuple[int, int, int] | None:
    version = payload.get("ver")
    return parse_version(version) if isinstance(version, str) else None


def _open_reason(
    rule: Rule, payload: Mapping[str, Any], dcc_version: tuple[int, int, int] | None
) -> str | None:
    if not isinstance(payload, dict):
        return "the DCC is not a JSON object"
    if rule.engine.upper() != ENGINE:
        return f"engine {rule.engine!r} is not CertLogic"
    if rule.engine_version_key > ENGINE_VERSION:
        return f"needs CertLogic {rule.engine_version}; this engine is 1.3.3"
    if dcc_version is not None and (
        dcc_version[0] != rule.schema_version_key[0] or dcc_version < rule.schema_version_key
    ):
        return f"written for DCC schema {rule.schema_version}, the DCC is {payload.get('ver')}"
    if rule.compiled is None:
        return f"logic is not valid CertLogic: {rule.logic_error}"
    return None


def evaluate_rule(
    rule: Rule, payload: Mapping[str, Any], external: Mapping[str, Any], *, language: str = "en"
) -> RuleOutcome:
    """One rule's outcome on *payload* with *external*; never raises on bad data."""
    dcc_version = _dcc_version(payload) if isinstance(payload, dict) else None
    return _evaluate(rule, {"payload": payload, "external": external}, dcc_version, language)


def _evaluate(
    rule: Rule, data: dict[str, Any], dcc_version: tuple[int, int, int] | None, language: str
) -> RuleOutcome:
    description = rule.description(language)
    reason = _open_reason(rule, data["payload"], dcc_version)
    if reason is None and rule.compiled is not None:
        try:
            value = rule.compiled(data)
        except CertLogicError as error:
            reason = f"evaluation failed: {error.message}"
        else:
            if isinstance(value, bool):
                outcome = RuleVerdict.PASSED if value else RuleVerdict.FAILED
                return RuleOutcome(rule, outcome, description)
            # The apps cast the result to a JSON boolean: a truthy string is not a pass.
            reason = f"the logic gave {_kind_of(value)}, not true or false"
    return RuleOutcome(rule, RuleVerdict.OPEN, description, reason)


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str | int | float):
        return f"the {type(value).__name__} {value!r}"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a date-time"


def _region_key(region: str | None) -> str:
    return region.strip().casefold() if region else ""


def _as_tuple(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(rules)


@attrs.frozen
class RuleSet:
    """A collection of rules (usually every country's, as downloaded) to select from."""

    rules: tuple[Rule, ...] = attrs.field(converter=_as_tuple)

    @classmethod
    def from_json(cls, source: str | bytes | list[Any]) -> RuleSet:
        """A rule set from a JSON array of gateway rule objects."""
        return cls(load_rules(source))

    def select(
        self,
        *,
        country: str,
        clock: dt.datetime,
        kind: CertificateType,
        issuing_country: str | None = None,
        region: str | None = None,
    ) -> tuple[Rule, ...]:
        """The rules that apply, newest version of each identifier, in identifier order."""
        newest: dict[str, Rule] = {}
        wanted_region = _region_key(region)
        for rule in self.rules:
            if rule.type is RuleType.ACCEPTANCE:
                applies = rule.country == country and _region_key(rule.region) == wanted_region
            else:
                applies = rule.country == issuing_country
            general = rule.certificate_type is CertificateType.GENERAL
            if not applies or not (general or rule.certificate_type is kind):
                continue
            if not rule.is_valid_at(clock):
                continue
            current = newest.get(rule.identifier)
            if current is None or rule.version_key > current.version_key:
                newest[rule.identifier] = rule
        return tuple(newest[identifier] for identifier in sorted(newest))

    def check(
        self,
        payload: Mapping[str, Any],
        *,
        country: str,
        clock: dt.datetime,
        issuing_country: str = "",
        region: str | None = None,
        value_sets: Mapping[str, Any] | None = None,
        exp: dt.datetime | int | None = None,
        iat: dt.datetime | int | None = None,
        kid: bytes | str | None = None,
        language: str = "en",
    ) -> RulesResult:
        """Select the rules for *payload* (a decoded DCC) and evaluate each of them.

        *country* is the arrival country whose acceptance rules apply; *issuing_country*
        (the CWT issuer) brings in that country's invalidation rules. Never raises on bad
        data: a rule that cannot be evaluated is OPEN.
        """
        external = external_parameters(
            clock=clock,
            country=country,
            issuing_country=issuing_country,
            region=region,
            value_sets=value_sets,
            exp=exp,
            iat=iat,
            kid=kid,
        )
        rules = self.select(
            country=country,
            clock=clock,
            kind=certificate_type(payload),
            issuing_country=issuing_country,
            region=region,
        )
        data = {"payload": payload, "external": external}
        dcc_version = _dcc_version(payload) if isinstance(payload, dict) else None
        return RulesResult(tuple(_evaluate(rule, data, dcc_version, language) for rule in rules))
