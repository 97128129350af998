"""Business rules as data: the gateway's rule JSON, checked and loaded into :class:`Rule`.

The checks are those of the gateway's rule schema (``validation-rule.schema.json``, in
eu-digital-green-certificates/dgc-business-rules-testdata): the required fields, their types,
enumerations and patterns, an English description, descriptions of 20 characters or more.
One deliberate difference: that schema's identifier pattern ends in ``[1-9]\\d*`` while the
EU's own template rules are numbered ``GR-EU-0000``; any digits are accepted here.

Loading is pure: text, bytes or an already-parsed object in, :class:`Rule` out, or
:class:`~vaxpass_core.errors.InvalidRule` naming the first field at fault. The rule's
``Logic`` is compiled once at load; an expression that does not compile does not stop the
load (the gateway accepted it) but its rule can only ever be OPEN.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from typing import Any, Final, TypeVar

import attrs

from vaxpass_core.errors import CertLogicError, InvalidRule

from ._evaluator import CompiledExpression, compile_expression


__all__ = [
    "CertificateType",
    "Description",
    "Rule",
    "RuleType",
    "load_rule",
    "load_rules",
    "parse_version",
]


_E = TypeVar("_E", bound=enum.StrEnum)


class RuleType(enum.StrEnum):
    ACCEPTANCE = "Acceptance"  # the arrival country's entry rules
    INVALIDATION = "Invalidation"  # the issuing country's rules on its own certificates


class CertificateType(enum.StrEnum):
    GENERAL = "General"  # applies to every DCC
    VACCINATION = "Vaccination"
    TEST = "Test"
    RECOVERY = "Recovery"


@attrs.frozen
class Description:
    lang: str
    desc: str


_IDENTIFIER: Final = re.compile(r"(GR|VR|TR|RR|IR)-[A-Z]{2}-[0-9]+")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_SEMVER_PREFIX: Final = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")
_LANG: Final = re.compile(r"[a-z]{2}(-[a-z]{2})?")
_TIMESTAMP: Final = re.compile(
    r"[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]([-+][0-2][0-9]:[0-5][0-9]|Z)"
)
_REQUIRED: Final = (
    "AffectedFields",
    "Country",
    "CertificateType",
    "Description",
    "Engine",
    "EngineVersion",
    "Identifier",
    "Logic",
    "SchemaVersion",
    "Type",
    "ValidFrom",
    "ValidTo",
    "Version",
)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The (major, minor, patch) a version string starts with, or ``None``."""
    match = _SEMVER_PREFIX.match(text)
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def _numbers(version: str) -> tuple[int, int, int]:
    return parse_version(version) or (0, 0, 0)


@attrs.frozen(eq=False)
class Rule:
    """One business rule, as the gateway publishes it (field names in snake case)."""

    identifier: str
    type: RuleType
    country: str
    region: str | None
    version: str
    schema_version: str
    engine: str
    engine_version: str
    certificate_type: CertificateType
    descriptions: tuple[Description, ...]
    valid_from: dt.datetime
    valid_to: dt.datetime
    affected_fields: tuple[str, ...]
    logic: Any
    #: The compiled ``Logic``; ``None`` when it is not valid CertLogic (see ``logic_error``).
    compiled: CompiledExpression | None = attrs.field(repr=False)
    logic_error: str | None = None
    #: The version as numbers, so ``1.10.0`` sorts after ``1.9.0``.
    version_key: tuple[int, int, int] = attrs.field(
        init=False, repr=False, default=attrs.Factory(lambda rule: _numbers(rule.version), True)
    )
    engine_version_key: tuple[int, int, int] = attrs.field(
        init=False,
        repr=False,
        default=attrs.Factory(lambda rule: _numbers(rule.engine_version), True),
    )
    schema_version_key: tuple[int, int, int] = attrs.field(
        init=False,
        repr=False,
        default=attrs.Factory(lambda rule: _numbers(rule.schema_version), True),
    )

    def description(self, lang: str = "en") -> str:
        """The description in *lang* (``"vi"``, ``"de"``, ...), else in English."""
        wanted = lang.casefold()
        for candidate in (wanted, wanted.split("-")[0], "en"):
            for description in self.descriptions:
                if description.lang == candidate:
                    return description.desc
        return self.descriptions[0].desc

    def is_valid_at(self, clock: dt.datetime) -> bool:
        """``ValidFrom <= clock < ValidTo``."""
        return self.valid_from <= clock < self.valid_to


def _fail(identifier: object, message: str) -> InvalidRule:
    prefix = f"rule {identifier}: " if isinstance(identifier, str) else "rule: "
    return InvalidRule(prefix + message)


def _string(raw: dict[str, Any], field: str, pattern: re.Pattern[str] | None = None) -> str:
    value = raw[field]
    if not isinstance(value, str):
        raise _fail(raw.get("Identifier"), f"{field} must be a string")
    if pattern is not None and not pattern.fullmatch(value):
        raise _fail(raw.get("Identifier"), f"{field} {value!r} does not have the right form")
    return value


def _version(raw: dict[str, Any], field: str) -> str:
    value = _string(raw, field)
    if parse_version(value) is None:
        raise _fail(raw.get("Identifier"), f"{field} {value!r} is not a semantic version")
    return value


def _timestamp(raw: dict[str, Any], field: str) -> dt.datetime:
    value = _string(raw, field, _TIMESTAMP)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise _fail(raw.get("Identifier"), f"{field} {value!r} is not a date-time") from None


def _descriptions(raw: dict[str, Any]) -> tuple[Description, ...]:
    items = raw["Description"]
    identifier = raw.get("Identifier")
    if not isinstance(items, list) or not items:
        raise _fail(identifier, "Description must be a non-empty array")
    found = []
    for item in items:
        if not isinstance(item, dict) or not {"lang", "desc"} <= item.keys():
            raise _fail(identifier, "each Description needs lang and desc")
        lang, desc = item["lang"], item["desc"]
        if not isinstance(lang, str) or not _LANG.fullmatch(lang):
            raise _fail(identifier, f"Description language {lang!r} is not a language code")
        if not isinstance(desc, str) or len(desc) < 20:
            raise _fail(identifier, f"Description in {lang} must be 20 characters or more")
        found.append(Description(lang, desc))
    if not any(description.lang == "en" for description in found):
        raise _fail(identifier, "Description must include English (lang 'en')")
    return tuple(found)


def _enum(raw: dict[str, Any], field: str, kind: type[_E]) -> _E:
    value = _string(raw, field)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise _fail(raw.get("Identifier"), f"{field} {value!r} is not one of {allowed}") from None


def _json(source: str | bytes, what: str) -> Any:
    try:
        return json.loads(source)
    except (ValueError, RecursionError) as error:
        raise InvalidRule(f"{what}: not JSON ({error})") from None


def _parse(source: str | bytes | dict[str, Any]) -> dict[str, Any]:
    raw = source if isinstance(source, dict) else _json(source, "rule")
    if not isinstance(raw, dict):
        raise InvalidRule("rule: not a JSON object")
    return raw


def load_rule(source: str | bytes | dict[str, Any]) -> Rule:
    """A :class:`Rule` from the gateway's JSON for one rule (text, bytes or parsed)."""
    raw = _parse(source)
    missing = [field for field in _REQUIRED if field not in raw]
    if missing:
        raise _fail(raw.get("Identifier"), "missing " + ", ".join(missing))
    region = raw.get("Region")
    if region is not None and not isinstance(region, str):
        raise _fail(raw.get("Identifier"), "Region must be a string")
    fields = raw["AffectedFields"]
    if not isinstance(fields, list) or not all(isinstance(field, str) for field in fields):
        raise _fail(raw.get("Identifier"), "AffectedFields must be an array of strings")
    logic = raw["Logic"]
    if not isinstance(logic, dict) or not logic:
        raise _fail(raw.get("Identifier"), "Logic must be a non-empty JSON object")
    compiled, logic_error = None, None
    try:
        compiled = compile_expression(logic)
    except CertLogicError as error:
        logic_error = error.message
    return Rule(
        identifier=_string(raw, "Identifier", _IDENTIFIER),
        type=_enum(raw, "Type", RuleType),
        country=_string(raw, "Country", _COUNTRY),
        region=region or None,
        version=_version(raw, "Version"),
        schema_version=_version(raw, "SchemaVersion"),
        engine=_string(raw, "Engine"),
        engine_version=_version(raw, "EngineVersion"),
        certificate_type=_enum(raw, "CertificateType", CertificateType),
        descriptions=_descriptions(raw),
        valid_from=_timestamp(raw, "ValidFrom"),
        valid_to=_timestamp(raw, "ValidTo"),
        affected_fields=tuple(fields),
        logic=logic,
        compiled=compiled,
        logic_error=logic_error,
    )


def load_rules(source: str | bytes | list[Any]) -> tuple[Rule, ...]:
    """Rules from a JSON array of rule objects (as a country's rule list is downloaded)."""
    raw = source if isinstance(source, list) else _json(source, "rules")
    if not isinstance(raw, list):
        raise InvalidRule("rules: not a JSON array")
    if not all(isinstance(item, dict) for item in raw):
        raise InvalidRule("rules: an item is not a JSON object")
    return tuple(load_rule(item) for item in raw)
