"""The public evaluator: ``compile()`` once, call the result on many data contexts."""

from __future__ import annotations

from typing import Any, final

from vaxpass_core.errors import CertLogicLimitExceeded

from ._compiler import DEFAULT_MAX_OPERATIONS, Budget, compile_node


__all__ = ["CompiledExpression", "compile_expression", "evaluate"]


@final
class CompiledExpression:
    """A validated CertLogic expression, ready to evaluate against any data context."""

    __slots__ = ("_node", "expression", "size")

    def __init__(self, expression: Any, *, lazy: bool = False) -> None:
        self.expression = expression
        self._node, self.size = compile_node(expression, lazy=lazy)

    def __call__(self, data: Any, *, max_operations: int = DEFAULT_MAX_OPERATIONS) -> Any:
        """Evaluate against *data*; see :func:`evaluate` for the result and the errors."""
        try:
            return self._node(data, Budget(max_operations))
        except RecursionError:  # only a caller already near Python's limit gets here
            raise CertLogicLimitExceeded("evaluation ran out of Python stack") from None

    def __repr__(self) -> str:
        return f"<CompiledExpression of {self.size} nodes>"


def compile_expression(expression: Any, *, _lazy: bool = False) -> CompiledExpression:
    """Validate and compile *expression*; raises :class:`~vaxpass_core.errors.InvalidCertLogic`
    for any ill-formed part, reached or not (a rule is checked once, before it is used)."""
    try:
        return CompiledExpression(expression, lazy=_lazy)
    except RecursionError:
        raise CertLogicLimitExceeded("compiling ran out of Python stack") from None


def evaluate(expression: Any, data: Any, *, max_operations: int = DEFAULT_MAX_OPERATIONS) -> Any:
    """Evaluate the CertLogic *expression* against the data context *data*.

    Both are JSON values as :func:`json.loads` returns them. The result is a JSON value, or a
    :class:`DateTime` for an expression that yields a date-time. Raises
    :class:`~vaxpass_core.errors.InvalidCertLogic` when the evaluation reaches an ill-formed
    part (as the reference evaluator, certlogic-js, does: the specification lets an evaluator
    throw for an invalid expression, and a branch never taken does not throw; :func:`compile`
    and :func:`validate` find every ill-formed part up front),
    :class:`~vaxpass_core.errors.CertLogicEvaluationError` when an
    operation meets a value of the wrong type, and
    :class:`~vaxpass_core.errors.CertLogicLimitExceeded` past the depth cap or the operation
    budget; all three are :class:`~vaxpass_core.errors.CertLogicError` (a ``ValueError``).
    """
    return compile_expression(expression, _lazy=True)(data, max_operations=max_operations)
