"""The business rules of an arrival country on a verified passport: ``verify(rules=...)``.

The verifier apps evaluate the rules only once the certificate is technically valid, giving
them the DCC and the ``external`` parameters taken from the CWT and the signer's key id.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from .certlogic import RuleSet, rule_value_sets
from .hazmat.cwt import CLAIM_EXP, CLAIM_IAT, CLAIM_ISS


if TYPE_CHECKING:
    from .result import VerificationResult
    from .valuesets import ValueSets


__all__ = ["apply_rules", "check_arguments"]

_COUNTRY: Final = re.compile(r"[A-Z]{2}")


def check_arguments(rules: object, country: object, region: object) -> None:
    """Refuse a wrong call before any work (a wrong call raises; bad data never does)."""
    if rules is None:
        if country is not None or region is not None:
            raise TypeError("country= and region= go with rules=")
        return
    if not isinstance(rules, RuleSet):
        raise TypeError(f"rules must be a certlogic.RuleSet, not {type(rules).__name__}")
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise ValueError("rules= needs country=, the arrival country (ISO 3166-1 alpha-2)")
    if region is not None and not isinstance(region, str):
        raise TypeError("region must be a str or None")


def _epoch(value: Any) -> int | None:
    # The CWT check accepted it; a float (as some issuers write) is read as whole seconds.
    if type(value) in (int, float):
        seconds = int(value)
        if 0 <= seconds < 253_402_300_800:  # before year 10000: a datetime can hold it
            return seconds
    return None


def apply_rules(
    result: VerificationResult,
    rules: RuleSet,
    *,
    country: str,
    region: str | None,
    now: datetime,
    valuesets: ValueSets,
) -> VerificationResult:
    """*result* with ``rules`` set, when it is ``ok``; unchanged otherwise."""
    if not result.ok or result.dcc is None or result.claims is None:
        return result
    claims = result.claims
    issuer = claims.get(CLAIM_ISS)
    outcomes = rules.check(
        result.dcc,
        country=country,
        region=region,
        clock=now.astimezone(UTC),
        issuing_country=issuer if type(issuer) is str else (result.signer_country or ""),
        value_sets=rule_value_sets(valuesets),
        exp=_epoch(claims.get(CLAIM_EXP)),
        iat=_epoch(claims.get(CLAIM_IAT)),
        kid=result.signer_kid,
    )
    return attrs.evolve(result, rules=outcomes)
