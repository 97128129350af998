"""CertLogic, the EU DCC business-rules language, and the rules that use it.

``evaluate(expression, data)`` is the evaluator exactly as the CertLogic specification
(version 1.3.3) defines it; ``validate(expression)`` lists what makes an expression
ill-formed; ``compile(expression)`` validates once and returns a callable for many
evaluations. :class:`RuleSet` selects and evaluates the gateway's business rules for a
decoded DCC. See ``docs/certlogic.md``.
"""

from __future__ import annotations

from vaxpass_core._deprecated import renamed
from vaxpass_core.errors import (
    CertLogicError,
    CertLogicEvaluationError,
    CertLogicLimitExceeded,
    InvalidCertLogic,
    InvalidRule,
)

from ._compiler import DEFAULT_MAX_OPERATIONS
from ._dates import DateTime
from ._evaluator import CompiledExpression, evaluate
from ._evaluator import compile_expression as compile  # noqa: A004
from ._validation import MAX_DEPTH, Issue, validate
from .rules import CertificateType, Description, Rule, RuleType, load_rule, load_rules
from .ruleset import (
    ENGINE_VERSION,
    RuleOutcome,
    RuleSet,
    RulesResult,
    RuleVerdict,
    certificate_type,
    evaluate_rule,
    external_parameters,
)
from .valuesets import rule_value_sets


__all__ = [
    "DEFAULT_MAX_OPERATIONS",
    "ENGINE_VERSION",
    "MAX_DEPTH",
    "CertLogicError",
    "CertLogicEvaluationError",
    "CertLogicLimitExceeded",
    "CertificateType",
    "CompiledExpression",
    "DateTime",
    "Description",
    "InvalidCertLogic",
    "InvalidRule",
    "Issue",
    "Rule",
    "RuleOutcome",
    "RuleSet",
    "RuleType",
    "RuleVerdict",
    "RulesResult",
    "certificate_type",
    "compile",
    "evaluate",
    "evaluate_rule",
    "external_parameters",
    "load_rule",
    "load_rules",
    "rule_value_sets",
    "validate",
]


def __getattr__(name: str) -> object:
    # A rule's outcome was once ``Outcome``, the name of a verification check's (vp.Outcome).
    if name == "Outcome":
        return renamed(f"{__name__}.Outcome", "certlogic.RuleVerdict", RuleVerdict)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
