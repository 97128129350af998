"""CertLogic, the EU DCC business-rules language, and the rules that use it.

``evaluate(expression, data)`` is the evaluator exactly as the CertLogic specification
(version 1.3.3) defines it; ``validate(expression)`` lists what makes an expression
ill-formed; ``compile(expression)`` validates once and returns a callable for many
evaluations. See ``docs/certlogic.md``.
"""

from __future__ import annotations

from vaxpass_core.errors import (
    CertLogicError,
    CertLogicEvaluationError,
    CertLogicLimitExceeded,
    InvalidCertLogic,
)

from ._compiler import DEFAULT_MAX_OPERATIONS
from ._dates import DateTime
from ._evaluator import CompiledExpression, evaluate
from ._evaluator import compile_expression as compile  # noqa: A004
from ._validation import MAX_DEPTH, Issue, validate


__all__ = [
    "DEFAULT_MAX_OPERATIONS",
    "MAX_DEPTH",
    "CertLogicError",
    "CertLogicEvaluationError",
    "CertLogicLimitExceeded",
    "CompiledExpression",
    "DateTime",
    "InvalidCertLogic",
    "Issue",
    "compile",
    "evaluate",
    "validate",
]
