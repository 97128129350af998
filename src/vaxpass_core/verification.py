"""``verify()``: every check a border app needs, in a fixed order, never raising on bad input.

The checks are a table, :data:`vaxpass_core.checks.RULES`, one rule per check in the order
of :data:`~vaxpass_core.result.CHECK_ORDER`; :func:`verify` is its one driver. A check runs
when the checks it needs have passed; otherwise it is SKIPPED and names the failure that
stopped it. A check that does not apply (the facility level of a passport without an
attestation, when the policy does not require one) is SKIPPED without a ``depends_on``, and
so is what needs it.

Speed matters here (a border app verifies every traveller): while every check passes, the
driver builds no check objects at all, and the result of a passport that passes every check
shares one constant tuple of checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import valuesets
from ._entry_rules import apply_rules
from ._entry_rules import check_arguments as check_rule_arguments
from ._time import epoch_of
from .checks import RULES, Run
from .errors import VaxpassError
from .policy import Policy
from .result import CHECK_ORDER, Check, Status, VerificationResult
from .trust import TrustStore
from .valuesets import ValueSets


if TYPE_CHECKING:
    from datetime import datetime

    from .certlogic import RuleSet


__all__ = ["DEFAULT_POLICY", "verify"]

DEFAULT_POLICY: Final = Policy()

_PASSED: Final = {name: Check(name, Status.PASSED) for name in CHECK_ORDER}
_ALL_PASSED: Final = tuple(_PASSED.values())
# The checks of a passport whose only deviations are checks that do not apply, by which and
# why: a handful of shapes (no attestation; no facility registry), each built once.
_SHAPES: dict[tuple[tuple[str, str], ...], tuple[Check, ...]] = {}
_default_valuesets: Final = valuesets.default
_RULE_CHECKS: Final = tuple(rule.check for rule in RULES)
# Where the straight run stops at check i, every check before i passed: the rules after i,
# each with only its needs from i on (the table's needs are earlier checks), are all the
# bookkeeping that is left.
_TAILS: Final = tuple(
    tuple(
        (name, tuple(need for need in needs if CHECK_ORDER.index(need) >= at), rule)
        for name, needs, rule in RULES[at + 1 :]
    )
    for at in range(len(RULES))
)


def verify(
    text: str | bytes,
    *,
    trust: TrustStore,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    valuesets: ValueSets | None = None,
    rules: RuleSet | None = None,
    country: str | None = None,
    region: str | None = None,
) -> VerificationResult:
    """Verify HC1 *text* against *trust* at *now*; every check is in the result.

    Never raises on bad input: garbage gives a result whose failures carry stable codes.
    Wrong *calls* (a naive ``now``, a trust store that is not one) raise ``TypeError`` or
    ``ValueError``. *text* may be ``bytes`` as a scanner hands it over (ASCII); whitespace
    at its ends (a file's trailing newline) is ignored.

    *valuesets* are the value sets codes are checked against (:func:`.valuesets.load` reads
    the ones a border app downloads); the shipped release by default.

    *rules* (a :class:`~vaxpass_core.certlogic.RuleSet`, as downloaded from the gateway) with
    *country* (the arrival country, ISO 3166-1 alpha-2) and optionally *region* (then only
    that region's acceptance rules apply, as in the EU verifier apps): once the
    passport is ``ok``, the rules that apply are evaluated at *now* and their outcomes are
    ``result.rules``; ``result.accepted`` is the officer's answer. Rules read *valuesets*.

    Deviations real issuers make and the reference verifiers accept pass with a warning
    (``result.warnings``, each with its code and the check it belongs to) unless *policy*
    makes them failures (:meth:`Policy.strict`); docs/verifying.md has the table.
    """
    if type(trust) is not TrustStore and not isinstance(trust, TrustStore):
        raise TypeError(f"trust must be a TrustStore, not {type(trust).__name__}")
    if type(policy) is not Policy and not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, not {type(policy).__name__}")
    if valuesets is None:
        valuesets = _default_valuesets()
    elif not isinstance(valuesets, ValueSets):
        raise TypeError(f"valuesets must be ValueSets, not {type(valuesets).__name__}")
    check_rule_arguments(rules, country, region)
    run = Run(text if type(text) is str else _ascii(text), trust, epoch_of(now), policy, valuesets)
    checks = _drive(run)
    claims, attestation, signer = run.claims, run.attestation, run.signer
    # Positional (checks, warnings, dcc, claims, nationality, signer_country, checked_at,
    # signer_kid): keywords cost a fifth of a microsecond on every verify.
    result = VerificationResult(
        checks,
        tuple(run.warnings) if run.warnings else (),
        run.dcc,
        claims.claims if claims is not None else None,
        attestation.nationality if attestation is not None else None,
        signer.country if signer is not None else None,
        run.now,
        signer.kid if signer is not None else None,
    )
    if rules is None or country is None:  # country is set whenever rules are
        return result
    return apply_rules(result, rules, country=country, region=region, now=now, valuesets=valuesets)


def _ascii(text: object) -> str | None:
    """*text* as str; None for bytes that are not ASCII (``hc1.prefix`` fails on them)."""
    if isinstance(text, str):
        return text
    if isinstance(text, bytes | bytearray | memoryview):  # as a scanner hands it over
        try:
            return bytes(text).decode("ascii")
        except UnicodeDecodeError:
            return None
    raise TypeError(f"text must be str or bytes, not {type(text).__name__}")


def _drive(run: Run) -> tuple[Check, ...]:
    """Run the table's rules in order; the checks, in order."""
    # Most passports pass every check: run the rules straight through, recording nothing,
    # until one fails or does not apply; only then does the bookkeeping start (and finds
    # where it stopped: each rule is its own function).
    try:
        for rule in _RULE_CHECKS:
            why_moot = rule(run)
            if why_moot is not None:
                break
        else:
            return _ALL_PASSED
    except VaxpassError as exc:
        at = _RULE_CHECKS.index(rule)
        name = CHECK_ORDER[at]
        return _rest(run, at, {name: _failed(name, exc)}, {})
    at = _RULE_CHECKS.index(rule)
    return _rest(run, at, {}, {CHECK_ORDER[at]: why_moot})


def _rest(run: Run, at: int, off: dict[str, Check], moot: dict[str, str]) -> tuple[Check, ...]:
    """The rules after *at*, once its check has failed (*off*) or does not apply (*moot*)."""
    for name, needs, rule in _TAILS[at]:
        for need in needs:  # the first check it needs that did not pass stops it
            blocker = off.get(need)
            if blocker is not None:
                cause = blocker.depends_on or need  # the failure at the root
                off[name] = Check(name, Status.SKIPPED, detail=f"needs {cause}", depends_on=cause)
                break
            if need in moot:  # what needs a check that does not apply does not apply either
                moot[name] = moot[need]
                break
        else:
            try:
                why_moot = rule(run)
            except VaxpassError as exc:
                off[name] = _failed(name, exc)
            else:
                if why_moot is not None:
                    moot[name] = why_moot
    if off:
        return tuple(off.get(name) or _check(name, moot) for name in CHECK_ORDER)
    # Only checks that do not apply, for one of a few fixed reasons: one shared tuple each.
    shape = tuple(moot.items())
    checks = _SHAPES.get(shape)
    if checks is None:
        checks = _SHAPES.setdefault(shape, tuple(_check(name, moot) for name in CHECK_ORDER))
    return checks


def _failed(name: str, error: VaxpassError) -> Check:
    return Check(name, Status.FAILED, error.code, error.message)


def _check(name: str, moot: dict[str, str]) -> Check:
    why = moot.get(name)
    return _PASSED[name] if why is None else Check(name, Status.SKIPPED, detail=why)
