"""The CertLogic evaluator's semantics beyond the official suite, its errors and its bounds."""

from __future__ import annotations

import sys
import traceback
from collections import OrderedDict
from typing import Any

import pytest

from tests.certlogic_cases import same_json
from vaxpass_core import certlogic
from vaxpass_core.errors import Code


def _ev(expression: Any, data: Any = None) -> Any:
    return certlogic.evaluate(expression, data)


def _iso(expression: Any, data: Any = None) -> str:
    value = _ev(expression, data)
    assert isinstance(value, certlogic.DateTime)
    return value.isoformat()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, False),
        ("", False),
        ("0", True),
        (0, False),
        (0.0, False),
        (-1, True),
        (2.5, True),
        ([], False),
        ([0], True),
        ({}, False),
        ({"a": None}, True),
    ],
)
def test_truthiness_through_not(value: Any, expected: bool) -> None:
    assert _ev({"!": [{"var": "x"}]}, {"x": value}) is (not expected)


def test_a_date_time_is_neither_truthy_nor_falsy() -> None:
    date = {"plusTime": ["2021-01-01", 0, "day"]}
    for expression in ({"!": [date]}, {"if": [date, 1, 2]}, {"and": [date, True]}):
        with pytest.raises(certlogic.CertLogicEvaluationError) as raised:
            _ev(expression)
        assert raised.value.code is Code.CERTLOGIC_EVALUATION
    # The last operand of "and" is returned as it is, whatever it is.
    assert isinstance(_ev({"and": [True, date]}), certlogic.DateTime)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (1, 1, True),
        (1, 1.0, True),  # one number type, as in JSON
        (1, True, False),
        (0, False, False),
        (None, None, True),
        (None, False, False),
        ("a", "a", True),
        ("1", 1, False),
        (True, True, True),
    ],
)
def test_strict_equality(left: Any, right: Any, expected: bool) -> None:
    data = {"l": left, "r": right}
    assert _ev({"===": [{"var": "l"}, {"var": "r"}]}, data) is expected
    assert _ev({"in": [{"var": "l"}, [{"var": "r"}]]}, data) is expected


def test_arrays_objects_and_dates_are_equal_only_to_themselves() -> None:
    data = {"a": [1], "b": [1], "o": {"k": 1}}
    assert _ev({"===": [{"var": "a"}, {"var": "a"}]}, data) is True
    assert _ev({"===": [{"var": "a"}, {"var": "b"}]}, data) is False
    assert _ev({"===": [{"var": "o"}, {"var": "o"}]}, data) is True
    assert _ev({"===": [[1], [1]]}) is False
    date = {"plusTime": ["2021-01-01", 0, "day"]}
    assert _ev({"===": [date, date]}) is False


def test_in_with_a_literal_list_is_strict_too() -> None:
    assert _ev({"in": [1, ["1", True, 1.0]]}) is True
    assert _ev({"in": [True, [1, "true"]]}) is False
    assert _ev({"in": [{"var": "x"}, ["a", False]]}, {}) is False
    assert _ev({"in": ["b", ["a", 2]]}) is False
    assert _ev({"in": [[1], [[1]]]}) is False


def test_in_needs_an_array() -> None:
    for right in (None, "abc", {"a": 1}, 3):
        with pytest.raises(certlogic.CertLogicEvaluationError):
            _ev({"in": ["a", {"var": "r"}]}, {"r": right})
    assert _ev({"in": ["a", {"var": "r"}]}, {"r": ("a",)}) is True


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("a.0", {"a": {"0": "zero"}}, "zero"),  # integer fragments also key objects
        ("a.01", {"a": {"1": "one"}}, "one"),  # ... by their decimal value, as parseInt reads
        ("a.-1", {"a": [1, 2]}, None),
        ("a.5", {"a": [1, 2]}, None),
        ("a.1", {"a": "xyz"}, "y"),
        ("a.length", {"a": [1, 2, 3]}, 3),
        ("a.length", {"a": "xy"}, 2),
        ("a.b", {"a": [1]}, None),
        ("a.b", {"a": 5}, None),
        ("a.b", {"a": True}, None),
        ("a.", {"a": {"": 1}}, 1),
        ("a.b.c", {"a": {"b": None}}, None),
    ],
)
def test_var_paths(path: str, data: Any, expected: Any) -> None:
    assert same_json(_ev({"var": path}, data), expected)


def test_var_on_nothing_is_null() -> None:
    assert _ev({"var": "payload.v.0.dn"}, {"payload": {}}) is None
    assert _ev({"var": "x"}, [1]) is None


def test_integer_literals_may_be_written_as_integral_floats() -> None:
    got = _ev({"+": [1.0, 2]})
    assert same_json(got, 3)
    assert same_json(_ev(2.0), 2)


@pytest.mark.parametrize(
    "expression",
    [
        {"+": [1, "2"]},
        {"+": [True, 2]},
        {"<": [1, "2"]},
        {"<": [1, {"var": "half"}]},
        {">=": [{"var": "x"}, 1]},
        {"after": ["2021-01-01", {"plusTime": ["2021-01-01", 0, "day"]}]},
        {"plusTime": [{"var": "x"}, 1, "day"]},
        {"plusTime": [42, 1, "day"]},
        {"plusTime": ["1 May 2021", 1, "day"]},
        {"plusTime": ["2021-05-01T10:00Z", 1, "day"]},
        {"dccDateOfBirth": [{"var": "x"}]},
        {"dccDateOfBirth": ["2021-5-1"]},
        {"dccDateOfBirth": [""]},
        {"extractFromUVCI": [42, 1]},
        {"reduce": ["abc", {"var": "current"}, 0]},
        {"if": [{"plusTime": ["2021", 0, "day"]}, 1, 2]},
    ],
)
def test_type_mismatches_are_evaluation_errors(expression: Any) -> None:
    with pytest.raises(certlogic.CertLogicEvaluationError) as raised:
        _ev(expression, {"x": None, "half": 2.5})
    assert isinstance(raised.value, ValueError)
    assert raised.value.code is Code.CERTLOGIC_EVALUATION


def test_extra_operands_are_ignored_by_the_evaluator_but_not_by_validate() -> None:
    expression = {"!": [False, "ignored", {"unknown": []}]}
    assert _ev(expression) is True
    assert certlogic.validate(expression)
    assert certlogic.validate(expression, lenient=True) == []


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (None, "invalid CertLogic expression"),
        (1.5, "1.5 is a non-integer number"),
        ({"foo": [1]}, 'unrecognised operator: "foo"'),
        ({"if": [True, 1]}, 'a "if"-operation must have exactly 3 operands, but it has 2'),
        ({"and": [True]}, 'an "and" operation must have at least 2 operands, but it has 1'),
        ({"<": [1]}, 'an operation with operator "<" must have 2 or 3 operands, but it has 1'),
        ({"===": [1, 2, 3]}, 'an operation with operator "===" must have 2 operands, but it has'),
        ({"plusTime": ["2021", 1.5, "day"]}, '"amount" argument (#2) of "plusTime" must be'),
        ({"plusTime": ["2021", 1, "week"]}, '"unit" argument (#3) of "plusTime" must be one of'),
        ({"extractFromUVCI": ["x", "1"]}, '"index" argument (#2) of "extractFromUVCI" must be'),
        ({"dccDateOfBirth": []}, 'a "dccDateOfBirth"-operation must have exactly 1 operands'),
        ({"var": ["x", 1]}, 'not of the form { "var": "<path>" }'),
        ({"!": {"var": "x"}}, 'operation not of the form { "<operator>": [ <values...> ] }'),
        (object(), "invalid CertLogic expression"),
    ],
)
def test_ill_formed_expressions_fail_before_evaluation(expression: Any, message: str) -> None:
    issues = certlogic.validate(expression)
    assert issues
    assert issues[0].message.startswith(message)
    assert str(issues[0]) == issues[0].message
    with pytest.raises(certlogic.InvalidCertLogic, match="invalid CertLogic expression") as raised:
        certlogic.compile(expression)
    assert raised.value.code is Code.CERTLOGIC_INVALID


def test_evaluate_raises_for_an_ill_formed_part_only_when_it_is_reached() -> None:
    # As the reference evaluator (certlogic-js): a branch never taken does not throw.
    expression = {"if": [{"var": "x"}, 1, {"nope": [1.5, None]}]}
    assert _ev(expression, {"x": True}) == 1
    with pytest.raises(certlogic.InvalidCertLogic, match="unrecognised operator"):
        _ev(expression, {"x": False})
    bad_operand = {"and": [{"var": "x"}, {"plusTime": [{"var": "d"}, 1, "fortnight"]}]}
    assert _ev(bad_operand, {"x": False}) is False
    with pytest.raises(certlogic.InvalidCertLogic):
        _ev(bad_operand, {"x": True, "d": "2021-01-01"})
    assert _ev([1, {"if": [False, 0.5, 2]}]) == [1, 2]  # a non-integer literal never read
    # compile() and validate() still find every ill-formed part up front.
    with pytest.raises(certlogic.InvalidCertLogic):
        certlogic.compile(expression)
    assert certlogic.validate(expression)


def test_the_depth_cap_holds_even_in_an_unreached_branch() -> None:
    deep: object = 1
    for _ in range(certlogic.MAX_DEPTH + 5):
        deep = {"!": [deep]}
    with pytest.raises(certlogic.CertLogicLimitExceeded):
        _ev({"if": [False, deep, 1]})


def test_extract_from_uvci() -> None:
    expression = {"extractFromUVCI": [{"var": "u"}, {"var": "i"}]}
    assert certlogic.validate(expression)  # the index must be a literal integer
    uci = "URN:UVCI:01:VN:ABC#X"
    assert _ev({"extractFromUVCI": [uci, 0]}) == "01"
    assert _ev({"extractFromUVCI": [uci, 3]}) == "X"
    assert _ev({"extractFromUVCI": ["urn:uvci:01", 0]}) == "urn"  # the prefix is upper case
    assert _ev({"extractFromUVCI": [uci, -1]}) is None
    assert _ev({"extractFromUVCI": [{"var": "x"}, -1]}, {}) is None


@pytest.mark.parametrize(
    ("text", "amount", "unit", "expected"),
    [
        ("2020-02-29", 1, "day", "2020-03-01T00:00:00.000Z"),
        ("2020-02-29", 1, "month", "2020-03-29T00:00:00.000Z"),
        ("2020-02-29", 1, "year", "2021-03-01T00:00:00.000Z"),
        ("2020-02-29", -1, "year", "2019-03-01T00:00:00.000Z"),
        ("2021-01-31", 1, "month", "2021-03-03T00:00:00.000Z"),
        ("2021-03-31", -1, "month", "2021-03-03T00:00:00.000Z"),
        ("2021-12-15", 1, "month", "2022-01-15T00:00:00.000Z"),
        ("2021-01-15", -13, "month", "2019-12-15T00:00:00.000Z"),
        ("2021", 0, "day", "2021-12-31T00:00:00.000Z"),
        ("2024-02", 0, "day", "2024-02-29T00:00:00.000Z"),
        ("2021-02", 1, "day", "2021-03-01T00:00:00.000Z"),
        ("2021-06-01T12:00:00", 0, "hour", "2021-06-01T12:00:00.000Z"),
        ("2021-06-01T12:00:00.5Z", 0, "hour", "2021-06-01T12:00:00.500Z"),
        ("2021-06-01T12:00:00.123987Z", 0, "hour", "2021-06-01T12:00:00.123Z"),
        ("2021-06-01T12:00:00+2", 0, "hour", "2021-06-01T10:00:00.000Z"),
        ("2021-06-01T12:00:00-02", 0, "hour", "2021-06-01T14:00:00.000Z"),
        ("2021-06-01T12:00:00+130", 0, "hour", "2021-06-01T10:30:00.000Z"),
        ("2021-06-01T12:00:00+0130", 0, "hour", "2021-06-01T10:30:00.000Z"),
        ("2021-06-01T12:00:00+1:30", 0, "hour", "2021-06-01T10:30:00.000Z"),
        ("2021-06-01T12:00:00.1-05:30", 0, "hour", "2021-06-01T17:30:00.100Z"),
        # Offsets work on the UTC fields: 05-31T23:30Z plus a month spills into July.
        ("2021-06-01T00:30:00+01:00", 1, "month", "2021-07-01T23:30:00.000Z"),
        ("2021-06-01T23:00:00Z", 2, "hour", "2021-06-02T01:00:00.000Z"),
        ("2021-06-01T24:00:00Z", 0, "hour", "2021-06-02T00:00:00.000Z"),
        ("2021-02-30", 0, "day", "2021-03-02T00:00:00.000Z"),  # V8 lets days up to 31 spill
        ("0000-01-01", -1, "day", "-000001-12-31T00:00:00.000Z"),
    ],
)
def test_plus_time(text: str, amount: int, unit: str, expected: str) -> None:
    assert _iso({"plusTime": [text, amount, unit]}) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021-13-01",
        "2021-00-10",
        "2021-02-32",
        "2021-01-01T25:00:00Z",
        "2021-01-01T24:00:01Z",
        "2021-01-01T10:60:00Z",
        "2021-01-01T10:00:60Z",
        "2021-01-01T10:00:00+24:00",
        "2021-01-01T10:00:00+01:60",
        "2021-13",
    ],
)
def test_an_invalid_date_compares_false_like_javascripts_invalid_date(text: str) -> None:
    date = {"plusTime": [text, 1, "day"]}
    assert _iso(date) == "Invalid Date"
    valid = {"plusTime": ["2021-01-01", 0, "day"]}
    for operator in ("after", "before", "not-after", "not-before"):
        assert _ev({operator: [date, valid]}) is False
        assert _ev({operator: [valid, date]}) is False


def test_year_offsets_restart_an_invalid_date_at_the_epoch() -> None:
    # ECMA-262 setUTCFullYear on an invalid date starts from +0.
    assert _iso({"plusTime": ["2021-13-01", 1, "year"]}) == "1971-01-01T00:00:00.000Z"
    assert _iso({"plusTime": ["2021-13-01", 0, "year"]}) == "Invalid Date"


def test_results_beyond_ecma_range_are_invalid() -> None:
    assert _iso({"plusTime": ["2021-01-01", 300_000, "year"]}) == "Invalid Date"
    assert _iso({"plusTime": ["2021-01-01", 200_000, "year"]}) == "+202021-01-01T00:00:00.000Z"
    assert _iso({"plusTime": ["2021-01-01", -(10**100), "day"]}) == "Invalid Date"


def test_date_of_birth() -> None:
    assert _iso({"dccDateOfBirth": ["1990"]}) == "1990-12-31T00:00:00.000Z"
    assert _iso({"dccDateOfBirth": ["2000-02"]}) == "2000-02-29T00:00:00.000Z"
    assert _iso({"dccDateOfBirth": ["1990-12"]}) == "1990-12-31T00:00:00.000Z"
    assert _iso({"dccDateOfBirth": ["1990-05-17"]}) == "1990-05-17T00:00:00.000Z"
    assert _iso({"dccDateOfBirth": ["1990-13"]}) == "Invalid Date"
    assert _iso({"dccDateOfBirth": ["1990-12-32"]}) == "Invalid Date"
    assert repr(_ev({"dccDateOfBirth": ["1990"]})) == "DateTime('1990-12-31T00:00:00.000Z')"


def test_ternary_date_comparison() -> None:
    def date(text: str) -> dict[str, Any]:
        return {"plusTime": [text, 0, "day"]}

    inside = {"not-after": [date("2021-01-01"), date("2021-01-02"), date("2021-01-03")]}
    assert _ev(inside) is True
    outside = {"before": [date("2021-01-01"), date("2021-01-04"), date("2021-01-03")]}
    assert _ev(outside) is False


def test_reduce_sees_only_accumulator_and_current() -> None:
    expression = {"reduce": [[1, 2], {"var": "data"}, "init"]}
    assert _ev(expression, {"data": "outer"}) is None
    assert _ev({"reduce": [{"var": "x"}, {"var": "current"}, 7]}, {}) == 7


def test_deep_nesting_is_a_limit_error_not_a_recursion_error() -> None:
    for build in (lambda x: {"!": [x]}, lambda x: [x], lambda x: {"if": [x, 1, 2]}):
        expression: Any = {"var": "x"}
        for _ in range(100_000):
            expression = build(expression)
        with pytest.raises(certlogic.CertLogicLimitExceeded) as raised:
            certlogic.evaluate(expression, {})
        assert raised.value.code is Code.CERTLOGIC_LIMIT
        issues = certlogic.validate(expression)
        assert [issue.code for issue in issues] == [Code.CERTLOGIC_LIMIT]


def test_nesting_up_to_the_cap_evaluates() -> None:
    expression: Any = True
    for _ in range(certlogic.MAX_DEPTH):
        expression = {"!": [expression]}
    assert _ev(expression) is True  # an even number of negations


def test_huge_reduce_work_is_bounded() -> None:
    items = list(range(1000))
    inner = {"reduce": [items, {"+": [{"var": "accumulator"}, 1]}, 0]}
    outer = {"reduce": [items, {"reduce": [items, inner, 0]}, 0]}  # 10^9 steps unbounded
    with pytest.raises(certlogic.CertLogicLimitExceeded, match="operation budget"):
        certlogic.evaluate(outer, None)
    assert certlogic.evaluate(inner, None) == 1000


def test_in_scans_are_charged_to_the_budget() -> None:
    data = {"big": list(range(5000))}
    expression = {"in": [-1, {"var": "big"}]}
    assert certlogic.evaluate(expression, data, max_operations=5000) is False
    with pytest.raises(certlogic.CertLogicLimitExceeded):
        certlogic.evaluate(expression, data, max_operations=4999)


def test_a_caller_near_the_stack_limit_gets_the_documented_error() -> None:
    deep: Any = True
    for _ in range(60):
        deep = {"!": [deep]}
    compiled = certlogic.compile(deep)
    nested: Any = True
    for _ in range(100):
        nested = [nested]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + 30)
    try:
        with pytest.raises(certlogic.CertLogicLimitExceeded, match="Python stack"):
            compiled({})
        with pytest.raises(certlogic.CertLogicLimitExceeded, match="Python stack"):
            certlogic.compile(nested)
    finally:
        sys.setrecursionlimit(limit)


def test_compiled_expression() -> None:
    compiled = certlogic.compile({"var": "a"})
    assert compiled({"a": 1}) == 1
    assert compiled.expression == {"var": "a"}
    assert compiled.size == 1
    assert repr(compiled) == "<CompiledExpression of 1 nodes>"
    assert _ev({"var": ""}, 5) == 5
    assert _ev({"var": "a.b"}, {"a": {"b": 2}}) == 2
    assert _ev({"var": "k"}, ["x"]) is None


def test_var_reads_dict_subclasses_and_tuples_too() -> None:
    data = OrderedDict(a=("x", OrderedDict(b=1)))
    assert _ev({"var": "a.1.b"}, data) == 1
    assert _ev({"var": "a.length"}, data) == 2
