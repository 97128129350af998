"""Compile a CertLogic expression once into nested Python closures, then evaluate it often.

Compiling validates first (so an ill-formed expression fails before any evaluation, as the
specification asks) and resolves everything static: ``var`` paths are split once, literal
``in`` lists become sets. Evaluation then only walks closures. Its work is bounded: the
expression's depth is capped by validation, and every ``reduce`` step and ``in`` scan is
charged to an operation budget, so a hostile rule cannot run for long.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, Final, NoReturn

from vaxpass_core.errors import (
    CertLogicEvaluationError,
    CertLogicLimitExceeded,
    Code,
    InvalidCertLogic,
)

from . import _dates
from ._validation import ARITY, DATE_COMPARISONS, INT_COMPARISONS, validate
from ._values import access as _access
from ._values import as_int, compile_path, contains, strict_equals, truthiness


__all__ = ["DEFAULT_MAX_OPERATIONS", "Budget", "Node", "compile_node"]

#: The operation budget of one evaluation: reduce steps (weighted by the lambda's size) plus
#: array items scanned by ``in``. A country's rules on one DCC use a few thousand.
DEFAULT_MAX_OPERATIONS: Final = 1_000_000


class Budget:
    """The operations one evaluation may still spend."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise CertLogicLimitExceeded("evaluation exceeded its operation budget")


Node = Callable[[Any, Budget], Any]


def _fail(message: str) -> CertLogicEvaluationError:
    return CertLogicEvaluationError(message)


# Not a CertLogic operator: marks where an ill-formed part stood in a lazily compiled tree.
_INVALID: Final = "\x00invalid"


def compile_node(expression: Any, *, lazy: bool = False) -> tuple[Node, int]:
    """The closure for *expression* and its size in nodes.

    An ill-formed part raises :class:`InvalidCertLogic` here, or, when *lazy*, only when an
    evaluation reaches it (as the reference evaluator does). Nesting past the depth cap
    always raises :class:`CertLogicLimitExceeded` here.
    """
    issues = validate(expression, lenient=True)
    if issues:
        limit = [issue for issue in issues if issue.code is Code.CERTLOGIC_LIMIT]
        if limit:
            raise CertLogicLimitExceeded(f"invalid CertLogic expression: {limit[0].message}")
        if not lazy:
            raise InvalidCertLogic(f"invalid CertLogic expression: {issues[0].message}")
        expression = _mark_invalid(expression, {id(issue.expr): issue.message for issue in issues})
    return _compile(expression)


def _mark_invalid(expr: Any, faulty: dict[int, str]) -> Any:
    """*expr* with each ill-formed part (by identity) replaced by an :data:`_INVALID` marker."""
    message = faulty.get(id(expr))
    if message is not None:
        return {_INVALID: message}
    if isinstance(expr, list):
        return [_mark_invalid(item, faulty) for item in expr]
    if isinstance(expr, dict):  # a well-formed operation: one key, operands in a list
        ((operator, values),) = expr.items()
        if operator != "var":
            return {operator: [_mark_invalid(value, faulty) for value in values]}
    return expr


def _invalid(message: str) -> Node:
    def invalid(_data: Any, _budget: Budget) -> NoReturn:
        raise InvalidCertLogic(f"invalid CertLogic expression: {message}")

    return invalid


def _compile(expr: Any) -> tuple[Node, int]:
    if isinstance(expr, list):
        return _array([_compile(item) for item in expr])
    if not isinstance(expr, dict):
        value = as_int(expr) if isinstance(expr, float) else expr
        return (lambda _data, _budget: value), 1
    ((operator, values),) = expr.items()
    if operator == _INVALID:
        return _invalid(values), 1
    if operator == "var":
        return _var(values), 1
    values = values[: ARITY.get(operator)]  # the reference evaluator ignores any extra
    if operator == "in":
        return _in(values)
    if operator == "plusTime":
        return _plus_time(_compile(values[0]), as_int(values[1]) or 0, values[2])
    if operator == "extractFromUVCI":
        return _extract_from_uvci(_compile(values[0]), as_int(values[1]) or 0)
    if operator == "reduce":
        return _reduce([_compile(value) for value in values])
    operands = [_compile(value) for value in values]
    size = 1 + sum(size for _, size in operands)
    nodes = [node for node, _ in operands]
    if operator in INT_COMPARISONS or operator in DATE_COMPARISONS:
        return _comparison(operator, nodes), size
    return _BUILDERS[operator](nodes, size), size


def _array(items: list[tuple[Node, int]]) -> tuple[Node, int]:
    nodes = [node for node, _ in items]

    def array(data: Any, budget: Budget) -> list[Any]:
        return [node(data, budget) for node in nodes]

    return array, 1 + sum(size for _, size in items)


def _var(path: str) -> Node:
    if path == "":
        return lambda data, _budget: data
    steps = compile_path(path)
    if len(steps) == 1 and steps[0][1] is None:
        key = steps[0][0]

        def one_key(data: Any, _budget: Budget) -> Any:
            return data.get(key) if isinstance(data, dict) else _access(data, steps)

        return one_key
    return lambda data, _budget: _access(data, steps)


def _if(nodes: list[Node], _size: int) -> Node:
    guard, then, else_ = nodes

    def if_(data: Any, budget: Budget) -> Any:
        value = guard(data, budget)
        verdict = truthiness(value)
        if verdict is None:
            raise _fail(f'guard of an "if" operation is neither truthy nor falsy: {value!r}')
        return then(data, budget) if verdict else else_(data, budget)

    return if_


def _and(nodes: list[Node], _size: int) -> Node:
    first, rest = nodes[0], nodes[1:]

    def and_(data: Any, budget: Budget) -> Any:
        value = first(data, budget)
        for node in rest:
            verdict = truthiness(value)
            if verdict is None:
                raise _fail(f'an operand of "and" is neither truthy nor falsy: {value!r}')
            if not verdict:
                return value
            value = node(data, budget)
        return value

    return and_


def _not(nodes: list[Node], _size: int) -> Node:
    (operand,) = nodes

    def not_(data: Any, budget: Budget) -> bool:
        value = operand(data, budget)
        verdict = truthiness(value)
        if verdict is None:
            raise _fail(f'the operand of "!" is neither truthy nor falsy: {value!r}')
        return not verdict

    return not_


def _equals(nodes: list[Node], _size: int) -> Node:
    left, right = nodes
    return lambda data, budget: strict_equals(left(data, budget), right(data, budget))


def _plus(nodes: list[Node], _size: int) -> Node:
    left, right = nodes

    def plus(data: Any, budget: Budget) -> int:
        lhs, rhs = as_int(left(data, budget)), as_int(right(data, budget))
        if lhs is None or rhs is None:
            raise _fail('the operands of "+" must both be integers')
        return lhs + rhs

    return plus


def _in(values: list[Any]) -> tuple[Node, int]:
    needle, needle_size = _compile(values[0])
    haystack_expr = values[1]
    if isinstance(haystack_expr, list) and all(
        isinstance(item, str | bool | int | float) for item in haystack_expr
    ):
        strings = frozenset(item for item in haystack_expr if isinstance(item, str))
        others = tuple(item for item in haystack_expr if not isinstance(item, str))

        def in_literal(data: Any, budget: Budget) -> bool:
            value = needle(data, budget)
            if isinstance(value, str):
                return value in strings
            return contains(others, value)

        return in_literal, 1 + needle_size + len(haystack_expr)
    haystack, haystack_size = _compile(haystack_expr)

    def in_(data: Any, budget: Budget) -> bool:
        value = needle(data, budget)
        items = haystack(data, budget)
        if not isinstance(items, list | tuple):
            raise _fail('the right-hand side of an "in" operation must be an array')
        budget.spend(len(items))
        return contains(items, value)

    return in_, 1 + needle_size + haystack_size


def _comparison(operator: str, nodes: list[Node]) -> Node:
    dates = operator in DATE_COMPARISONS
    compare = _COMPARE[operator]

    def comparison(data: Any, budget: Budget) -> bool:
        values = [node(data, budget) for node in nodes]
        if dates:
            if not all(isinstance(value, _dates.DateTime) for value in values):
                raise _fail(f'all operands of "{operator}" must be date-times')
            numbers = [value.epoch_ms for value in values]
        else:
            numbers = [as_int(value) for value in values]
            if None in numbers:
                raise _fail(f'all operands of "{operator}" must be integers')
        if None in numbers:  # an invalid date-time compares false, like JavaScript's NaN
            return False
        return all(compare(a, b) for a, b in itertools.pairwise(numbers))

    return comparison


_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    ">": lambda a, b: a > b,
    "after": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "before": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "not-before": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "not-after": lambda a, b: a <= b,
}


def _reduce(operands: list[tuple[Node, int]]) -> tuple[Node, int]:
    (operand, operand_size), (lambda_, step), (initial, initial_size) = operands

    def reduce(data: Any, budget: Budget) -> Any:
        items = operand(data, budget)
        accumulator = initial(data, budget)
        if items is None:
            return accumulator
        if not isinstance(items, list | tuple):
            raise _fail('the operand of "reduce" must be an array or null')
        for current in items:
            budget.spend(step)  # the lambda's size: what one step can cost
            accumulator = lambda_({"accumulator": accumulator, "current": current}, budget)
        return accumulator

    return reduce, 1 + operand_size + step + initial_size


def _plus_time(operand: tuple[Node, int], amount: int, unit: str) -> tuple[Node, int]:
    node, size = operand

    def plus_time(data: Any, budget: Budget) -> _dates.DateTime:
        text = node(data, budget)
        if not isinstance(text, str):
            raise _fail(f'the date argument of "plusTime" must be a string: {text!r}')
        start = _dates.parse(text)
        if start is None:
            raise _fail(f"not an allowed date or date-time format: {text!r}")
        return _dates.plus_time(start, amount, unit)

    return plus_time, size + 1


def _date_of_birth(nodes: list[Node], _size: int) -> Node:
    (operand,) = nodes

    def date_of_birth(data: Any, budget: Budget) -> _dates.DateTime:
        text = operand(data, budget)
        if not isinstance(text, str):
            raise _fail(f'the operand of "dccDateOfBirth" must be a string: {text!r}')
        result = _dates.date_of_birth(text)
        if result is None:
            raise _fail(f"can't parse {text!r} as an EU DCC date of birth")
        return result

    return date_of_birth


_UCI_PREFIX: Final = "URN:UVCI:"
_UCI_SEPARATORS: Final = str.maketrans({"#": "/", ":": "/"})


def _extract_from_uvci(operand: tuple[Node, int], index: int) -> tuple[Node, int]:
    node, size = operand

    def extract_from_uvci(data: Any, budget: Budget) -> str | None:
        uci = node(data, budget)
        if uci is None:
            return None
        if not isinstance(uci, str):
            raise _fail(f'the UCI argument of "extractFromUVCI" must be a string or null: {uci!r}')
        if index < 0:
            return None
        uci = uci.removeprefix(_UCI_PREFIX)
        fragments = uci.translate(_UCI_SEPARATORS).split("/")
        return fragments[index] if index < len(fragments) else None

    return extract_from_uvci, size + 1


_BUILDERS: Final[dict[str, Callable[[list[Node], int], Node]]] = {
    "if": _if,
    "and": _and,
    "!": _not,
    "===": _equals,
    "+": _plus,
    "dccDateOfBirth": _date_of_birth,
}
