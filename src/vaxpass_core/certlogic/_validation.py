"""``validate()``: is a JSON value a well-formed CertLogic expression?

The checks and their messages follow the specification's validation test suite (and the
reference validator it comes with): each problem is an :class:`Issue` naming the offending
sub-expression. Validation looks at the expression only, never at data, and is bounded: an
expression nested deeper than :data:`MAX_DEPTH` levels is one issue, not a ``RecursionError``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import attrs

from vaxpass_core.errors import Code


__all__ = [
    "ARITY",
    "COMPARISONS",
    "DATE_COMPARISONS",
    "INFIX",
    "MAX_DEPTH",
    "TIME_UNITS",
    "Issue",
    "validate",
]

#: How deeply operations and arrays may nest. Real rules stay well under 50.
MAX_DEPTH: Final = 200

TIME_UNITS: Final = ("year", "month", "day", "hour")
INT_COMPARISONS: Final = frozenset({"<", ">", "<=", ">="})
DATE_COMPARISONS: Final = frozenset({"after", "before", "not-after", "not-before"})
COMPARISONS: Final = INT_COMPARISONS | DATE_COMPARISONS
INFIX: Final = COMPARISONS | {"===", "and", "in", "+"}

_PATH: Final = re.compile(r"[^.]+(\.[^.]+)*")


@attrs.frozen(hash=False)
class Issue:
    """One problem with an expression: the sub-expression at fault and what is wrong."""

    expr: Any
    message: str
    #: ``certlogic.limit`` for the depth cap, ``certlogic.invalid`` for everything else.
    code: Code = attrs.field(default=Code.CERTLOGIC_INVALID, eq=False)

    def __str__(self) -> str:
        return self.message


def validate(expression: Any, *, lenient: bool = False) -> list[Issue]:
    """Every problem that makes *expression* invalid CertLogic; an empty list if it is valid.

    *lenient* checks only what the reference evaluator itself refuses: it lets through
    ``var`` paths with an empty fragment (``"x."``, read as a missing key) and operands
    beyond an operation's fixed number (never evaluated). :func:`compile` uses it.
    """
    issues: list[Issue] = []
    _check(expression, 0, issues, lenient=lenient)
    return issues


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _check(expr: Any, depth: int, issues: list[Issue], *, lenient: bool) -> None:
    if isinstance(expr, str | bool) or _is_int(expr):
        return
    if depth > MAX_DEPTH:
        message = f"expression nested deeper than {MAX_DEPTH} levels"
        issues.append(Issue(expr, message, Code.CERTLOGIC_LIMIT))
        return
    if isinstance(expr, float):
        issues.append(Issue(expr, f"{expr!r} is a non-integer number"))
    elif isinstance(expr, list):
        for item in expr:
            _check(item, depth + 1, issues, lenient=lenient)
    elif isinstance(expr, dict):
        if len(expr) != 1:
            message = f"expression object must have exactly one key, but it has {len(expr)}"
            issues.append(Issue(expr, message))
            return
        ((operator, values),) = expr.items()
        if operator == "var":
            _check_var(expr, values, issues, lenient=lenient)
        elif not isinstance(values, list):
            message = 'operation not of the form { "<operator>": [ <values...> ] }'
            issues.append(Issue(expr, message))
        else:
            for message, operands in _operation(str(operator), values, lenient=lenient):
                if message:
                    issues.append(Issue(expr, message))
                for operand in operands:
                    _check(operand, depth + 1, issues, lenient=lenient)
    else:
        issues.append(Issue(expr, "invalid CertLogic expression"))


def _check_var(expr: Any, path: Any, issues: list[Issue], *, lenient: bool) -> None:
    if not isinstance(path, str):
        issues.append(Issue(expr, 'not of the form { "var": "<path>" }'))
    elif not lenient and path and not _PATH.fullmatch(path):
        issues.append(Issue(expr, f"data access path doesn't have a valid format: {path}"))


#: The operations with a fixed number of operands.
ARITY: Final = {
    "if": 3,
    "reduce": 3,
    "plusTime": 3,
    "extractFromUVCI": 2,
    "!": 1,
    "dccDateOfBirth": 1,
}


def _arity(operator: str, count: int, *, lenient: bool) -> str:
    wanted = ARITY[operator]
    if count == wanted or (lenient and count > wanted):
        return ""
    return f'a "{operator}"-operation must have exactly {wanted} operands, but it has {count}'


def _operation(operator: str, values: list[Any], *, lenient: bool) -> list[tuple[str, list[Any]]]:
    """(message or "", operands to check further) pairs for one operation."""
    count = len(values)
    if operator in {"if", "reduce"}:
        return [(_arity(operator, count, lenient=lenient), values[:3])]
    if operator in {"!", "dccDateOfBirth"}:
        message = _arity(operator, count, lenient=lenient)
        return [(message, [] if message else values[:1])]
    if operator in INFIX:
        return [_infix(operator, values)]
    if operator == "plusTime":
        found = [(_arity(operator, count, lenient=lenient), values[:1])]
        if count > 1 and not _is_int(values[1]):
            found.append(
                (f'"amount" argument (#2) of "plusTime" must be an integer: {values[1]!r}', [])
            )
        if count > 2 and values[2] not in TIME_UNITS:
            units = ", ".join(TIME_UNITS)
            found.append(
                (f'"unit" argument (#3) of "plusTime" must be one of {units}: {values[2]!r}', [])
            )
        return found
    if operator == "extractFromUVCI":
        found = [(_arity(operator, count, lenient=lenient), values[:1])]
        if count > 1 and not _is_int(values[1]):
            found.append(
                (
                    f'"index" argument (#2) of "extractFromUVCI" must be an integer: {values[1]!r}',
                    [],
                )
            )
        return found
    return [(f'unrecognised operator: "{operator}"', [])]


def _infix(operator: str, values: list[Any]) -> tuple[str, list[Any]]:
    count = len(values)
    if operator == "and":
        if count < 2:
            return f'an "and" operation must have at least 2 operands, but it has {count}', values
        return "", values
    if operator in COMPARISONS:
        if not 2 <= count <= 3:
            message = (
                f'an operation with operator "{operator}" must have 2 or 3 operands, '
                f"but it has {count}"
            )
            return message, values[:3]
        return "", values
    if count != 2:
        message = (
            f'an operation with operator "{operator}" must have 2 operands, but it has {count}'
        )
        return message, values[:2]
    return "", values
