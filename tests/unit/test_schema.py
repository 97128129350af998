"""Schema validation: differential tests against ``jsonschema`` and an exact oracle.

Two oracles, both built on ``jsonschema``'s Draft 2020-12 validator with ``format`` asserted
for ``date`` and ``date-time``:

* STOCK: ``jsonschema`` as shipped (``pattern`` through Python's ``re.search``, ``date-time``
  through ``rfc3339-validator``).
* EXACT: the same, with ``pattern`` run by a real ECMA-262 engine (``regress``, u flag) and
  three corrections to the format checkers (see ``_exact_date_time``).

Ours must agree with EXACT on every input, and with STOCK on every input except where STOCK
is wrong; each such divergence is listed in ``STOCK_IS_WRONG`` with the reason.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
import warnings
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import cbor2
import jsonschema
import pytest
import regress
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.errors import Code, SchemaError
from vaxpass_core.hazmat import hc1, schema
from vaxpass_core.hazmat._ecma import date_ok, date_time_ok, ecma_regex
from vaxpass_core.hazmat._schema_runtime import format_path


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime


# ---------------------------------------------------------------------------------------
# Oracles

VERSIONS = schema.SUPPORTED_VERSIONS


@cache
def shipped(version: str) -> dict[str, Any]:
    path = resources.files("vaxpass_core").joinpath("_data", "schemas", f"{version}.json")
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def _stock_format_checker() -> Any:
    checker = jsonschema.FormatChecker(formats=["date", "date-time"])
    # Without rfc3339-validator, jsonschema silently skips date-time: the test would lie.
    assert "date-time" in checker.checkers, "install rfc3339-validator (a test dependency)"
    return checker


_LEAP = re.compile(r"(....-..-..T)(..):(..):60(\.[0-9]+)?(Z|([+-])(..):(..))", re.ASCII)


def _exact_date(value: object) -> bool:
    """RFC 3339 full-date. Python's date has no year 0, which RFC 3339 allows (a leap year,
    like 2000); so map 0000 to 2000 before asking ``jsonschema``'s own checker."""
    if isinstance(value, str) and value.startswith("0000"):
        value = "2000" + value[4:]
    return bool(jsonschema.FormatChecker(formats=["date"]).conforms(value, "date"))


def _exact_date_time(value: object) -> bool:
    """RFC 3339 date-time from ``rfc3339-validator``, corrected in three ways: its ``$``
    accepts a trailing newline; it has no year 0; it refuses every leap second, where
    RFC 3339 (and the JSON-Schema-Test-Suite) accept 23:59:60 in UTC."""
    if not isinstance(value, str):
        return True
    if value.endswith("\n"):
        return False
    if value.startswith("0000"):
        value = "2000" + value[4:]
    m = _LEAP.fullmatch(value.upper())
    if m is not None and m[2].isdigit() and m[3].isdigit():
        offset = 0
        if m[6] and m[7].isdigit() and m[8].isdigit():
            offset = (int(m[7]) * 60 + int(m[8])) * (1 if m[6] == "+" else -1)
        if (int(m[2]) * 60 + int(m[3]) - offset) % 1440 == 23 * 60 + 59:
            value = value[:17] + "59" + value[19:]
    return bool(_stock_format_checker().conforms(value, "date-time"))


def _ecma_pattern(validator: Any, pattern: str, instance: object, _schema: Any) -> Any:
    if isinstance(instance, str) and regress.Regex(pattern, "u").find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def stock(version: str) -> Any:
    return jsonschema.Draft202012Validator(shipped(version), format_checker=_stock_format_checker())


@cache
def exact(version: str) -> Any:
    checker = jsonschema.FormatChecker(formats=[])
    checker.checks("date")(_exact_date)
    checker.checks("date-time")(_exact_date_time)
    cls = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, validators={"pattern": _ecma_pattern}
    )
    return cls(shipped(version), format_checker=checker)


def ours(dcc: object, version: str | None = None) -> str | None:
    """None when valid, else the message; anything but SchemaError fails the test."""
    error: SchemaError | None = None
    try:
        schema.validate(dcc, version=version)
    except SchemaError as exc:
        error = exc
    if error is None:
        return None
    assert error.code is Code.SCHEMA_INVALID
    return str(error)


def error_paths(validator: Any, dcc: object) -> set[str]:
    return {format_path(tuple(e.absolute_path)) for e in validator.iter_errors(dcc)}


def check_against_oracles(dcc: Any, version: str) -> str | None:
    """Assert ours == EXACT (and the path we name is one EXACT names); return our verdict."""
    got = ours(dcc, version)
    paths = error_paths(exact(version), dcc)
    assert (got is None) == (not paths), (version, dcc, got, paths)
    if got is not None and not got.startswith("ver: "):
        assert got.split(": ", 1)[0] in paths, (got, paths)
    return got


def stock_divergence(dcc: object) -> str | None:
    """Why STOCK may judge *dcc* differently from EXACT, or None if it may not."""
    stack = [dcc]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            reason = _string_divergence(v)
            if reason:
                return reason
    return None


def _string_divergence(s: str) -> str | None:
    if s.endswith("\n"):
        return "Python's $ matches before a trailing newline; ECMA's $ does not"
    if any(unicodedata.category(c) == "Nd" and not c.isascii() for c in s):
        return "Python's \\d matches non-ASCII digits in str patterns; ECMA's \\d is [0-9]"
    if any(c in "\r\u2028\u2029" for c in s):
        return "Python's . matches \\r, U+2028, U+2029; ECMA's . stops at line terminators"
    if s.startswith("0000"):
        return "year 0000 is a valid RFC 3339 date; Python's date (used by STOCK) has no year 0"
    if re.search(r"T..:..:60", s, re.IGNORECASE):
        return "rfc3339-validator refuses all leap seconds; RFC 3339 allows 23:59:60 UTC"
    return None


# ---------------------------------------------------------------------------------------
# A typical DCC of each type, valid under every version.

VACCINATION: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
    "dob": "1990-01-31",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-09-15",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:ABC123#K",
        }
    ],
}
TEST: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fnt": "NGUYEN"},
    "dob": "1990-01-31",
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "nm": "Roche LightCycler qPCR",
            "sc": "2021-05-03T10:27:15Z",
            "tr": "260415000",
            "tc": "Test centre Ha Noi",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:T1#S",
        }
    ],
}
RECOVERY: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fnt": "NGUYEN"},
    "dob": "1990-01-31",
    "r": [
        {
            "tg": "840539006",
            "fr": "2021-01-10",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "df": "2021-01-29",
            "du": "2021-06-29",
            "ci": "URN:UVCI:01:VN:R1#T",
        }
    ],
}
TYPICAL = {"v": VACCINATION, "t": TEST, "r": RECOVERY}


def with_version(dcc: dict[str, Any], version: str) -> dict[str, Any]:
    out = copy.deepcopy(dcc)
    out["ver"] = version
    return out


@pytest.mark.parametrize("kind", "vtr")
@pytest.mark.parametrize("version", VERSIONS)
def test_typical_dccs_are_valid_under_every_version(kind: str, version: str) -> None:
    dcc = with_version(TYPICAL[kind], version)
    assert check_against_oracles(dcc, version) is None
    assert stock(version).is_valid(dcc)


def test_message_names_path_and_rule() -> None:
    dcc = copy.deepcopy(VACCINATION)
    dcc["v"][0]["dn"] = -1
    with pytest.raises(SchemaError, match=r"^v\[0\]\.dn: -1 is less than the minimum 1$"):
        schema.validate(dcc)


# ---------------------------------------------------------------------------------------
# Hand-written edge cases: every rule broken once, and the boundaries next to it.
# (id, version, base, path to set or delete, new value or DELETE, expected error path or
# None when valid). Paths are tuples into the base DCC.

DELETE = object()
Case = tuple[str, str, dict[str, Any], tuple[Any, ...], Any, str | None]

CASES: list[Case] = [
    # type
    ("root-not-object", "1.3.3", VACCINATION, (), [1], "$"),
    ("ver-not-string", "1.3.3", VACCINATION, ("ver",), 1, "ver"),
    ("nam-not-object", "1.3.3", VACCINATION, ("nam",), "NGUYEN", "nam"),
    ("fn-not-string", "1.3.3", VACCINATION, ("nam", "fn"), None, "nam.fn"),
    ("v-not-array", "1.3.3", VACCINATION, ("v",), VACCINATION["v"][0], "v"),
    ("v-entry-not-object", "1.3.3", VACCINATION, ("v", 0), [], "v[0]"),
    ("dn-bool", "1.3.3", VACCINATION, ("v", 0, "dn"), True, "v[0].dn"),
    ("dn-string", "1.3.3", VACCINATION, ("v", 0, "dn"), "1", "v[0].dn"),
    ("dn-fraction", "1.3.3", VACCINATION, ("v", 0, "dn"), 1.5, "v[0].dn"),
    ("dn-integral-float-is-integer", "1.3.3", VACCINATION, ("v", 0, "dn"), 1.0, None),
    ("dn-huge", "1.3.3", VACCINATION, ("v", 0, "dn"), 10**400, None),
    ("dn-huge-negative", "1.3.3", VACCINATION, ("v", 0, "dn"), -(10**400), "v[0].dn"),
    ("dt-number", "1.3.3", VACCINATION, ("v", 0, "dt"), 20210915, "v[0].dt"),
    # minimum / maximum
    ("dn-zero", "1.3.3", VACCINATION, ("v", 0, "dn"), 0, "v[0].dn"),
    ("sd-zero", "1.3.3", VACCINATION, ("v", 0, "sd"), 0, "v[0].sd"),
    ("dn-10-before-1.3", "1.2.1", VACCINATION, ("v", 0, "dn"), 10, "v[0].dn"),
    ("dn-9-before-1.3", "1.2.1", VACCINATION, ("v", 0, "dn"), 9, None),
    ("dn-10-since-1.3", "1.3.0", VACCINATION, ("v", 0, "dn"), 10, None),
    # required
    ("no-dob", "1.3.3", VACCINATION, ("dob",), DELETE, "$"),
    ("no-nam-old", "1.2.1", VACCINATION, ("nam",), DELETE, "$"),
    ("no-ci", "1.3.3", VACCINATION, ("v", 0, "ci"), DELETE, "v[0]"),
    ("no-sc", "1.3.3", TEST, ("t", 0, "sc"), DELETE, "t[0]"),
    ("no-tc-1.3", "1.3.3", TEST, ("t", 0, "tc"), DELETE, None),
    ("no-tc-1.2", "1.2.1", TEST, ("t", 0, "tc"), DELETE, "t[0]"),
    ("no-du", "1.3.3", RECOVERY, ("r", 0, "du"), DELETE, "r[0]"),
    ("no-fnt-1.3.1", "1.3.1", VACCINATION, ("nam", "fnt"), DELETE, "nam"),
    ("no-fnt-1.3.2-gnt-ok", "1.3.2", VACCINATION, ("nam", "fnt"), DELETE, None),
    # oneOf (1.3.x) and anyOf (1.3.2+)
    ("no-group-1.3", "1.3.3", VACCINATION, ("v",), DELETE, "$"),
    ("no-group-1.2", "1.2.1", VACCINATION, ("v",), DELETE, None),
    ("two-groups-1.3", "1.3.3", VACCINATION, ("t",), TEST["t"], "$"),
    ("two-groups-1.2", "1.2.1", VACCINATION, ("t",), TEST["t"], None),
    ("no-fnt-no-gnt", "1.3.3", VACCINATION, ("nam",), {"fn": "A", "gn": "B"}, "nam"),
    ("only-gnt", "1.3.3", VACCINATION, ("nam",), {"gnt": "AN"}, None),
    # minItems / maxItems
    ("v-empty", "1.3.3", VACCINATION, ("v",), [], "v"),
    ("v-two-1.3", "1.3.3", VACCINATION, ("v",), VACCINATION["v"] * 2, "v"),
    ("v-two-1.2", "1.2.1", VACCINATION, ("v",), VACCINATION["v"] * 2, None),
    ("v-second-bad-1.2", "1.2.1", VACCINATION, ("v",), [VACCINATION["v"][0], {}], "v[1]"),
    # maxLength: 50 before 1.3.0, 80 since
    ("fnt-80", "1.3.3", VACCINATION, ("nam", "fnt"), "A" * 80, None),
    ("fnt-81", "1.3.3", VACCINATION, ("nam", "fnt"), "A" * 81, "nam.fnt"),
    ("fnt-51-old", "1.2.1", VACCINATION, ("nam", "fnt"), "A" * 51, "nam.fnt"),
    ("is-81", "1.3.3", VACCINATION, ("v", 0, "is"), "x" * 81, "v[0].is"),
    ("ci-81", "1.3.3", VACCINATION, ("v", 0, "ci"), "x" * 81, "v[0].ci"),
    ("nm-81", "1.3.3", TEST, ("t", 0, "nm"), "x" * 81, "t[0].nm"),
    ("nm-81-old-unbounded", "1.2.1", TEST, ("t", 0, "nm"), "x" * 81, None),
    ("fn-80-astral", "1.3.3", VACCINATION, ("nam", "fn"), "😀" * 80, None),
    # pattern
    ("ver-garbage", "1.3.3", VACCINATION, ("ver",), "1.3", "ver"),
    ("ver-dot-is-any-char", "1.3.3", VACCINATION, ("ver",), "1x3x0", None),
    ("fnt-lower", "1.3.3", VACCINATION, ("nam", "fnt"), "Nguyen", "nam.fnt"),
    ("fnt-empty", "1.3.3", VACCINATION, ("nam", "fnt"), "", None),
    ("gnt-space", "1.3.3", VACCINATION, ("nam", "gnt"), "VAN AN", "nam.gnt"),
    ("co-lower", "1.3.3", VACCINATION, ("v", 0, "co"), "vn", "v[0].co"),
    ("co-unanchored", "1.3.3", VACCINATION, ("v", 0, "co"), "xVNx", None),
    ("dob-empty-1.3", "1.3.3", VACCINATION, ("dob",), "", None),
    ("dob-year-1.3", "1.3.3", VACCINATION, ("dob",), "1950", None),
    ("dob-month-1.3", "1.3.3", VACCINATION, ("dob",), "1901-08", None),
    ("dob-1899", "1.3.3", VACCINATION, ("dob",), "1899-01-01", "dob"),
    ("dob-2100", "1.3.3", VACCINATION, ("dob",), "2100", "dob"),
    ("dob-empty-1.2", "1.2.1", VACCINATION, ("dob",), "", "dob"),
    ("dob-year-1.2", "1.2.1", VACCINATION, ("dob",), "1950", None),
    ("dob-year-1.0", "1.0.0", VACCINATION, ("dob",), "1950", "dob"),
    ("dob-month-13-1.3-pattern-only", "1.3.3", VACCINATION, ("dob",), "1990-13-45", None),
    ("dob-month-13-1.0-format", "1.0.0", VACCINATION, ("dob",), "1990-13-01", "dob"),
    # format: date
    ("dt-29-feb-2021", "1.3.3", VACCINATION, ("v", 0, "dt"), "2021-02-29", "v[0].dt"),
    ("dt-29-feb-2020", "1.3.3", VACCINATION, ("v", 0, "dt"), "2020-02-29", None),
    ("dt-29-feb-1900", "1.3.3", VACCINATION, ("v", 0, "dt"), "1900-02-29", "v[0].dt"),
    ("dt-29-feb-2000", "1.3.3", VACCINATION, ("v", 0, "dt"), "2000-02-29", None),
    ("dt-31-apr", "1.3.3", VACCINATION, ("v", 0, "dt"), "2021-04-31", "v[0].dt"),
    ("dt-datetime", "1.3.3", VACCINATION, ("v", 0, "dt"), "2021-04-01T00:00:00Z", "v[0].dt"),
    ("dt-basic-format", "1.3.3", VACCINATION, ("v", 0, "dt"), "20210401", "v[0].dt"),
    ("dt-week-date", "1.3.3", VACCINATION, ("v", 0, "dt"), "2021-W01-1", "v[0].dt"),
    ("dt-short", "1.3.3", VACCINATION, ("v", 0, "dt"), "2021-4-1", "v[0].dt"),
    ("fr-bad", "1.3.3", RECOVERY, ("r", 0, "fr"), "2021-00-10", "r[0].fr"),
    ("df-bad", "1.3.3", RECOVERY, ("r", 0, "df"), "2021-01-32", "r[0].df"),
    ("du-bad", "1.3.3", RECOVERY, ("r", 0, "du"), "", "r[0].du"),
    # format: date-time
    ("sc-offset", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27:15+02:00", None),
    ("sc-fraction", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27:15.123456789Z", None),
    ("sc-lowercase", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03t10:27:15z", None),
    ("sc-no-zone", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27:15", "t[0].sc"),
    ("sc-no-seconds", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27Z", "t[0].sc"),
    ("sc-compact-offset", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27:15+0200", "t[0].sc"),
    ("sc-space", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03 10:27:15Z", "t[0].sc"),
    ("sc-hour-24", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T24:00:00Z", "t[0].sc"),
    ("sc-offset-24", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:00:00+24:00", "t[0].sc"),
    ("sc-feb-30", "1.3.3", TEST, ("t", 0, "sc"), "2021-02-30T10:00:00Z", "t[0].sc"),
    ("sc-empty-fraction", "1.3.3", TEST, ("t", 0, "sc"), "2021-05-03T10:27:15.Z", "t[0].sc"),
    ("sc-leap-wrong-minute", "1.3.3", TEST, ("t", 0, "sc"), "1998-12-31T23:58:60Z", "t[0].sc"),
    ("sc-61", "1.3.3", TEST, ("t", 0, "sc"), "1998-12-31T23:59:61Z", "t[0].sc"),
    ("dr-1.0-checked", "1.0.0", TEST, ("t", 0, "dr"), "2021-05-03", "t[0].dr"),
    ("dr-1.3-unknown", "1.3.3", TEST, ("t", 0, "dr"), "2021-05-03", None),
    # unknown properties are allowed (no additionalProperties in the EU schemas)
    ("extra-top", "1.3.3", VACCINATION, ("x",), {"y": [1, None, True]}, None),
    ("extra-entry", "1.3.3", VACCINATION, ("v", 0, "x"), 1.5, None),
    ("dob-null", "1.3.3", VACCINATION, ("dob",), None, "dob"),
]

# Where STOCK (jsonschema + rfc3339-validator) is wrong, and why. Ours and EXACT agree.
STOCK_IS_WRONG: list[tuple[str, str, dict[str, Any], tuple[Any, ...], Any, str | None, str]] = [
    (
        "ver-trailing-newline",
        "1.3.3",
        VACCINATION,
        ("ver",),
        "1.3.3\n",
        "ver",
        "Python's $ matches before a trailing newline; ECMA-262's $ only at the end",
    ),
    (
        "fnt-trailing-newline",
        "1.3.3",
        VACCINATION,
        ("nam", "fnt"),
        "NGUYEN\n",
        "nam.fnt",
        "Python's $ matches before a trailing newline; ECMA-262's $ only at the end",
    ),
    (
        "dob-trailing-newline",
        "1.3.3",
        VACCINATION,
        ("dob",),
        "1990-01-31\n",
        "dob",
        "Python's $ matches before a trailing newline; ECMA-262's $ only at the end",
    ),
    (
        "ver-arabic-indic-digits",
        "1.3.3",
        VACCINATION,
        ("ver",),
        "\u0661.\u0663.\u0663",
        "ver",
        "Python's \\d matches any Unicode digit in a str pattern; ECMA-262's \\d is [0-9]",
    ),
    (
        "dob-devanagari-digits",
        "1.3.3",
        VACCINATION,
        ("dob",),
        "19\u0969\u0966",
        "dob",
        "Python's \\d matches any Unicode digit in a str pattern; ECMA-262's \\d is [0-9]",
    ),
    (
        "ver-carriage-returns",
        "1.3.3",
        VACCINATION,
        ("ver",),
        "1\r3\r3",
        "ver",
        "Python's . matches \\r; ECMA-262's . excludes every line terminator",
    ),
    (
        "ver-line-separator",
        "1.3.3",
        VACCINATION,
        ("ver",),
        "1\u20283\u20293",
        "ver",
        "Python's . matches U+2028/U+2029; ECMA-262's . excludes them",
    ),
    (
        "sc-trailing-newline",
        "1.3.3",
        TEST,
        ("t", 0, "sc"),
        "2021-05-03T10:27:15Z\n",
        "t[0].sc",
        "rfc3339-validator's regex ends in $, which matches before a trailing newline",
    ),
    (
        "sc-leap-second-utc",
        "1.3.3",
        TEST,
        ("t", 0, "sc"),
        "1998-12-31T23:59:60Z",
        None,
        (
            "RFC 3339 allows a leap second (JSON-Schema-Test-Suite: valid); "
            "rfc3339-validator refuses all"
        ),
    ),
    (
        "sc-leap-second-offset",
        "1.3.3",
        TEST,
        ("t", 0, "sc"),
        "1998-12-31T15:59:60.123-08:00",
        None,
        "23:59:60 in UTC once the offset is undone; rfc3339-validator refuses all leap seconds",
    ),
    (
        "dt-year-zero",
        "1.3.3",
        VACCINATION,
        ("v", 0, "dt"),
        "0000-02-29",
        None,
        "RFC 3339 full-date allows year 0000 (a leap year); Python's date has no year 0",
    ),
]


def mutate(base: dict[str, Any], path: tuple[Any, ...], value: Any, version: str) -> Any:
    if not path:
        return copy.deepcopy(value)
    dcc = with_version(base, version) if path != ("ver",) else copy.deepcopy(base)
    node = dcc
    for part in path[:-1]:
        node = node[part]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = copy.deepcopy(value)
    return dcc


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_edge_case(case: Case) -> None:
    _, version, base, path, value, where = case
    dcc = mutate(base, path, value, version)
    got = check_against_oracles(dcc, version)
    assert stock(version).is_valid(dcc) == (where is None), "STOCK disagrees: list it"
    if where is None:
        assert got is None
    else:
        assert got is not None
        assert got.startswith(f"{where}: "), got


@pytest.mark.parametrize("case", STOCK_IS_WRONG, ids=[c[0] for c in STOCK_IS_WRONG])
def test_where_stock_jsonschema_is_wrong(case: tuple[Any, ...]) -> None:
    _, version, base, path, value, where, why = case
    dcc = mutate(base, path, value, version)
    got = check_against_oracles(dcc, version)
    assert (got is None) == (where is None)
    if got is not None:
        assert got.startswith(f"{where}: "), got
    # The divergence is real (else drop it from the list) and the detector sees it.
    assert stock(version).is_valid(dcc) != (where is None), why
    assert stock_divergence(dcc) is not None


# ---------------------------------------------------------------------------------------
# The public conformance data: every JSON in dgc-testdata against its declared version.

# Expectations we do not share, with the reason.
DGC_DISAGREEMENTS = {
    "common/2DCode/raw/DGC2.json": (
        "expects a schema failure for a DCC holding v, t and r, while its description says it "
        "'adheres to schema'; the version it declares (1.2.1) has no oneOf and allows several "
        "groups (exactly one group is schema 1.3.0's oneOf, and a business rule before it)"
    ),
}


def _dgc_payloads(cases: Mapping[str, dict[str, Any]]) -> list[tuple[str, Any, bool | None]]:
    out = []
    for name, case in cases.items():
        expected = case.get("EXPECTEDRESULTS", {}).get("EXPECTEDSCHEMAVALIDATION")
        if "JSON" in case:
            out.append((name, case["JSON"], expected))
        elif expected is not None and "CBOR" in case:
            # DGC1 ships only the CBOR (with indefinite-length maps).
            out.append((name, cbor2.loads(bytes.fromhex(case["CBOR"])), expected))
    return out


def test_dgc_testdata(dgc_testdata: Mapping[str, dict[str, Any]]) -> None:
    payloads = _dgc_payloads(dgc_testdata)
    assert len(payloads) > 120
    disagreements = {}
    versions_seen = set()
    for name, dcc, expected in payloads:
        version = schema.schema_version_for(dcc)
        versions_seen.add(version)
        got = check_against_oracles(dcc, version)
        assert stock(version).is_valid(dcc) == (got is None), name
        if expected is not None and expected != (got is None):
            disagreements[name] = got
    assert set(disagreements) == set(DGC_DISAGREEMENTS), disagreements
    assert versions_seen >= {"1.0.0", "1.0.1", "1.2.1", "1.3.0"}


def test_dgc2_is_invalid_under_1_3(dgc_testdata: Mapping[str, dict[str, Any]]) -> None:
    case = dgc_testdata["common/2DCode/raw/DGC2.json"]
    assert ours(case["JSON"]) is None
    got = ours(case["JSON"], "1.3.3")
    assert got is not None
    assert got.startswith("$: matches 3 of the oneOf alternatives")


def test_dgc1_is_invalid(dgc_testdata: Mapping[str, dict[str, Any]]) -> None:
    case = dgc_testdata["common/2DCode/raw/DGC1.json"]
    got = ours(cbor2.loads(bytes.fromhex(case["CBOR"])))
    assert got == '$: required property "dob" is missing'


def test_viet_nam_test_passport(vn_passport: str) -> None:
    sign1 = cbor2.loads(hc1.decode(vn_passport))
    dcc = cbor2.loads(sign1.value[2])[-260][1]
    assert schema.schema_version_for(dcc) == "1.3.0"
    assert check_against_oracles(dcc, "1.3.0") is None


def test_shipped_schemas_are_the_published_ones(shared_json: Callable[[str], Any]) -> None:
    for version in VERSIONS:
        published = shared_json(f"eu-dcc-schema/versions/{version}.combined-schema.json")
        assert shipped(version) == published, version


# ---------------------------------------------------------------------------------------
# Hypothesis: valid DCCs of all three types, then mutated ones.

NASTY_STRINGS = [
    "",
    "A",
    "AB<C",
    "abc",
    "1.3.0",
    "1.3.3\n",
    "1x3x0",
    "\u0661.\u0663.\u0660",
    "1\r3\r0",
    "1990",
    "1990-01",
    "1990-01-31",
    "1899-12-31",
    "2021-02-29",
    "2020-02-29",
    "0000-02-29",
    "2021-13-01",
    "20210101",
    "2021-01-01T00:00:00Z",
    "2021-01-01t00:00:00z",
    "2021-01-01T00:00:00+0000",
    "2021-01-01T00:00:00.5-23:59",
    "1998-12-31T23:59:60Z",
    "1998-12-31T15:59:60-08:00",
    "1998-12-31T23:58:60Z",
    "2021-01-01T00:00:00Z\n",
    "VN",
    "vn",
    "\U0001d7d9\U0001d7e1\U0001d7e1\U0001d7d8",
    "X" * 50,
    "X" * 51,
    "X" * 80,
    "X" * 81,
]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.integers(min_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 2.5, -1.0]),
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=4),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)

upper_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ<", max_size=50)
free_text = st.text(max_size=50)
dates = st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)


@st.composite
def valid_dccs(draw: st.DrawFn, version: str) -> dict[str, Any]:
    old = version < "1.3.0"
    name: dict[str, Any] = {}
    for key, strategy in (("fn", free_text), ("gn", free_text), ("gnt", upper_names)):
        if draw(st.booleans()):
            name[key] = draw(strategy)
    if version < "1.3.2" or draw(st.booleans()) or "gnt" not in name:
        name["fnt"] = draw(upper_names)
    year = draw(st.integers(1900, 2099))
    if version < "1.1.0":
        dob = draw(st.dates().filter(lambda d: 1900 <= d.year <= 2099)).isoformat()
    else:
        dob = draw(
            st.sampled_from([f"{year}", f"{year}-07", f"{year}-07-31"] + ([] if old else [""]))
        )
    common = {
        "tg": "840539006",
        "co": draw(st.sampled_from(["VN", "DE", "AT", "XK", "EU"])),
        "is": draw(free_text),
        "ci": draw(free_text),
    }
    kind = draw(st.sampled_from("vtr"))
    if kind == "v":
        sd = draw(st.integers(1, 9 if old else 1000))
        entry = {**common, "vp": "J07BX03", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
                 "dn": draw(st.integers(1, sd)), "sd": sd, "dt": draw(dates)}  # fmt: skip
    elif kind == "t":
        moment = draw(st.datetimes()).isoformat(timespec="seconds")
        zone = draw(st.sampled_from(["Z", "+07:00", "-00:00"]))
        entry = {**common, "tt": "LP6464-4", "tr": "260415000", "tc": draw(free_text)}
        entry["sc"] = moment + zone
        if draw(st.booleans()):
            entry["nm"] = draw(free_text)
    else:
        entry = {**common, "fr": draw(dates), "df": draw(dates), "du": draw(dates)}
    return {"ver": version, "nam": name, "dob": dob, kind: [entry]}


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _containers(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _containers(v, (*path, i))
    return out


@st.composite
def mutated_dccs(draw: st.DrawFn) -> tuple[str, Any]:
    version = draw(st.sampled_from(VERSIONS))
    dcc: Any = draw(valid_dccs(version))
    for _ in range(draw(st.integers(1, 3))):
        paths = _containers(dcc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["set", "delete", "add"]))
        if not path:
            if op == "set" and draw(st.integers(0, 9)) == 0:
                dcc = draw(json_values)
            continue
        parent = dcc
        for part in path[:-1]:
            parent = parent[part]
        if op == "set":
            parent[path[-1]] = draw(json_values)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["x", "v", "t", "r", "nam", "fnt", "gnt", "tc", "dr"]))] = (
                draw(json_values)
            )
        else:
            parent.append(draw(json_values))
    return version, dcc


@given(data=st.data(), version=st.sampled_from(VERSIONS))
def test_valid_dccs_are_valid(data: st.DataObject, version: str) -> None:
    dcc = data.draw(valid_dccs(version))
    assert check_against_oracles(dcc, version) is None
    assert stock(version).is_valid(dcc)


@given(mutated_dccs())
def test_mutated_dccs_agree_with_the_oracles(case: tuple[str, Any]) -> None:
    version, dcc = case
    got = check_against_oracles(dcc, version)
    if stock_divergence(dcc) is None:
        assert stock(version).is_valid(dcc) == (got is None)


@given(mutated_dccs())
def test_declared_version_is_used(case: tuple[str, Any]) -> None:
    _, dcc = case
    try:
        version = schema.schema_version_for(dcc)
    except SchemaError:
        assert ours(dcc) is not None
        return
    assert ours(dcc) == ours(dcc, version)


def _short_id(value: object) -> str:
    # pytest would str() a 5000-digit int, which Python refuses.
    return value if isinstance(value, str) and len(value) < 40 else type(value).__name__


# ---------------------------------------------------------------------------------------
# Version selection


@pytest.mark.parametrize(
    ("ver", "expected"),
    [
        *((v, v) for v in VERSIONS),
        ("1.0.2", "1.0.1"),
        ("1.2.9", "1.2.1"),
        ("1.3.4", "1.3.3"),
        ("1.4.0", "1.3.3"),
        ("1.10.0", "1.3.3"),
        ("1." + "9" * 5000 + ".0", "1.3.3"),
    ],
    ids=_short_id,
)
def test_schema_version_for(ver: str, expected: str) -> None:
    assert schema.schema_version_for({"ver": ver}) == expected


@pytest.mark.parametrize(
    ("dcc", "message"),
    [
        ([], "$: an array of 0 items is not of type object"),
        ({}, '$: required property "ver" (the schema version) is missing'),
        ({"ver": 1.3}, "ver: 1.3 is not of type string"),
        ({"ver": None}, "ver: null is not of type string"),
        ({"ver": "1.3"}, 'ver: "1.3" is not a schema version MAJOR.MINOR.PATCH'),
        ({"ver": "1.3.0\n"}, 'ver: "1.3.0\\n" is not a schema version MAJOR.MINOR.PATCH'),
        ({"ver": "1.03.0"}, 'ver: "1.03.0" is not a schema version MAJOR.MINOR.PATCH'),
        ({"ver": "1.3.0-rc1"}, 'ver: "1.3.0-rc1" is not a schema version MAJOR.MINOR.PATCH'),
        (
            {"ver": "\u0661.\u0663.\u0660"},
            'ver: "\\u0661.\\u0663.\\u0660" is not a schema version MAJOR.MINOR.PATCH',
        ),
        ({"ver": "0.9.0"}, 'ver: "0.9.0" has an unsupported major version; 1.x.y is'),
        ({"ver": "2.0.0"}, 'ver: "2.0.0" has an unsupported major version; 1.x.y is'),
    ],
)
def test_garbage_ver_is_a_schema_failure(dcc: Any, message: str) -> None:
    with pytest.raises(SchemaError) as info:
        schema.schema_version_for(dcc)
    assert str(info.value) == message
    assert ours(dcc) == message


def test_newer_version_is_checked_against_the_newest() -> None:
    dcc = with_version(VACCINATION, "1.4.0")
    dcc["nam"] = {"gnt": "AN"}  # valid from 1.3.2 on only
    assert ours(dcc) is None
    dcc["dn"] = True  # unknown top-level keys are still allowed
    assert ours(dcc) is None
    dcc["v"][0]["dn"] = 0
    assert ours(dcc) == "v[0].dn: 0 is less than the minimum 1"


def test_forced_version() -> None:
    dcc = with_version(VACCINATION, "1.0.0")
    dcc["dob"] = ""
    assert ours(dcc) is not None
    assert ours(dcc, "1.3.3") is None
    with pytest.raises(ValueError, match="unknown schema version"):
        schema.validate(dcc, version="1.9.9")
    with pytest.raises(ValueError, match="unknown schema version"):
        schema.validate(dcc, version=b"1.3.3")  # type: ignore[arg-type]


def test_supported_versions() -> None:
    assert schema.SUPPORTED_VERSIONS == (
        "1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.1", "1.3.2", "1.3.3",
    )  # fmt: skip
    assert schema.LATEST_VERSION == "1.3.3"


# ---------------------------------------------------------------------------------------
# Not JSON: CBOR can carry what JSON cannot. Always SchemaError, never another exception.


class _Exploding(dict[str, Any]):
    def keys(self) -> Any:
        raise RuntimeError("boom")


def _cyclic() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((1,), "x", "$: has a key that is not a string: 1"),
        (("nam", b"fnt"), "x", "nam: has a key that is not a string: a value of type bytes"),
        (("v", 0, -1), 1, "v[0]: has a key that is not a string: -1"),
        (("x",), float("nan"), "x: NaN is not a JSON number"),
        (("x",), [1, float("-inf")], "x[1]: -Infinity is not a JSON number"),
        (("x",), b"\x00", "x: a value of type bytes is not a JSON value"),
        (("x",), (1, 2), "x: a value of type tuple is not a JSON value"),
        (("x",), {1, 2}, "x: a value of type set is not a JSON value"),
        (("x",), cbor2.CBORTag(1234, 5), "x: a value of type CBORTag is not a JSON value"),
        (("x",), cbor2.undefined, "x: a value of type UndefinedType is not a JSON value"),
        (("x",), {"y": {2: 3}}, "x.y: has a key that is not a string: 2"),
        (("x",), _cyclic(), "x[0][0][0]"),
        (("v", 0, "dn"), float("nan"), "v[0].dn: NaN is not of type integer"),
        (("v", 0, "dn"), float("inf"), "v[0].dn: Infinity is not of type integer"),
        (("v", 0, "dn"), False, "v[0].dn: false is not of type integer"),
        (("v", 0, "dn"), -(10**5000), "v[0].dn: a negative integer of about 5000 digits is less"),
        (("v", 0, "dt"), b"2021-01-01", "v[0].dt: a value of type bytes is not of type string"),
        (("v",), (VACCINATION["v"][0],), "v: a value of type tuple is not of type array"),
        (("nam", "fnt"), "NGUYEN\ud800", 'nam.fnt: "NGUYEN\\ud800" does not match the pattern'),
        (("ver",), 10**5000, "ver: an integer of about 5000 digits is not of type string"),
    ],
    ids=_short_id,
)
def test_non_json_is_a_schema_error(path: tuple[Any, ...], value: Any, message: str) -> None:
    dcc = copy.deepcopy(VACCINATION)
    node = dcc
    for part in path[:-1]:
        node = node[part]
    with warnings.catch_warnings():
        # A bytes key and a str key hash alike; -bb would turn their comparison into an error.
        warnings.simplefilter("ignore", BytesWarning)
        node[path[-1]] = value
        got = ours(dcc)
    assert got is not None
    assert got.startswith(message), got


def test_odd_objects_are_schema_errors() -> None:
    assert ours(_Exploding(VACCINATION)) == "$: cannot be validated (RuntimeError)"
    assert ours(None) == "$: null is not of type object"
    assert ours(True) == "$: true is not of type object"
    assert ours("HC1:...") == '$: "HC1:..." is not of type object'


python_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=5),
        st.binary(max_size=3),
        st.sampled_from(NASTY_STRINGS),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(
            st.one_of(st.text(max_size=2), st.integers(), st.binary(max_size=1)), inner
        )
    ),
    max_leaves=8,
)


# Dicts mixing bytes and str keys (which hash alike) make Python compare them; under -bb that
# comparison is an error, also inside hypothesis's own example cache, which is not under test.
@pytest.mark.filterwarnings("ignore::BytesWarning")
@given(mutated_dccs(), python_values, st.data())
def test_anything_gives_schema_error_or_passes(
    case: tuple[str, Any], junk: Any, data: st.DataObject
) -> None:
    version, dcc = case
    paths = _containers(dcc)
    path = data.draw(st.sampled_from(paths))
    if path:
        node = dcc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = junk
    else:
        dcc = junk
    ours(dcc)
    ours(dcc, version)


# ---------------------------------------------------------------------------------------
# The compiler refuses what it does not implement; the pattern translator is exact.

BASE = {"$schema": "https://json-schema.org/draft/2020-12/schema"}


@pytest.mark.parametrize(
    "fragment",
    [
        {"enum": [1]},
        {"const": 1},
        {"patternProperties": {"a": {}}},
        {"dependentRequired": {}},
        {"not": {}},
        {"if": {}},
        {"format": "email"},
        {"type": "strnig"},
        {"$ref": "https://example.org/x.json"},
        {"$ref": "#/$defs/missing"},
        {"items": [{}]},
        {"pattern": "\\bA"},
        {"pattern": "(?=A)"},
        {"pattern": "(?<n>A)"},
        {"pattern": "\\1"},
        {"pattern": "\\p{L}"},
        {"pattern": "a{"},
        {"pattern": "a*+"},
        {"pattern": "a{2}+"},
        {"pattern": "(?>a)"},
        {"pattern": "a{,2}"},
        {"pattern": "\\"},
        {"pattern": "[\\D]"},
        {"pattern": "[z-a]"},
        {"properties": {"a": {"$id": "x"}}},
        {"maxLength": -1},
        {"minimum": "1"},
        {"oneOf": []},
        {"required": "a"},
    ],
)
def test_compiler_refuses_unknown_keywords(fragment: dict[str, Any]) -> None:
    with pytest.raises(schema.UnsupportedSchema, match="DCC schema test"):
        schema._Compiler({**BASE, **fragment}, "test").compile()


def test_compiler_refuses_other_drafts_and_recursion() -> None:
    with pytest.raises(schema.UnsupportedSchema, match=r"\$schema"):
        schema._Compiler({"$schema": "http://json-schema.org/draft-07/schema#"}, "test").compile()
    recursive = {**BASE, "$defs": {"a": {"items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}
    with pytest.raises(schema.UnsupportedSchema, match="recursive"):
        schema._Compiler(recursive, "test").compile()


def _compiled(fragment: dict[str, Any]) -> Callable[[object], None]:
    fn: Callable[[object], None] = schema._Compiler({**BASE, **fragment}, "test").compile()
    return fn


def _valid(fn: Callable[[object], None], value: object) -> bool:
    try:
        fn(value)
    except SchemaError:
        return False
    return True


# The keywords the EU schemas do not use (yet), checked against jsonschema too.
EXTRA_SCHEMAS: list[dict[str, Any]] = [
    {"type": ["string", "null"], "minLength": 2},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "maximum": 5},
    {"minimum": 1},
    {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
    {"type": "object", "additionalProperties": {"type": "string"}},
    {"allOf": [{"required": ["a"]}, {"properties": {"a": {"type": "integer"}}}]},
    {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 2}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 5}]},
    {"type": "array", "items": {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}},
    {"type": "array", "items": False},
    {"properties": {"a": True, "b": False}},
    {"type": "object"},
    {"type": "array"},
    {},
]


@pytest.mark.parametrize("fragment", EXTRA_SCHEMAS)
@given(value=json_values)
def test_other_keywords_agree_with_jsonschema(fragment: dict[str, Any], value: Any) -> None:
    reference = jsonschema.Draft202012Validator({**BASE, **fragment})
    assert _valid(_compiled(fragment), value) == reference.is_valid(value)


PATTERNS = [
    "^\\d+.\\d+.\\d+$",
    "(19|20)\\d{2}-\\d{2}-\\d{2}",
    "^(19|20)\\d\\d(-\\d\\d){0,2}$",
    "^((19|20)\\d\\d(-\\d\\d){0,2}){0,1}$",
    "^[A-Z<]*$",
    "[A-Z]{1,10}",
    "^\\w+\\s\\S\\W$",
    "^[^\\d\\s]*$",
    "^[\\u0041-\\u005A]+\\.\\x41$",
    "^\\ud83d\\ude00|\\u{1F600}$",
    "^[\\-\\]\\\\a-c]+\\/$",
    "^.{2,}?\\t[]|[^]$",
    "^(?:ab)+|c*$",
    "^\\cJ\\0$",
    "^(a|b)+?[^\\]]{1,}?\\$?$",
]
pattern_text = st.text(
    alphabet=st.sampled_from(
        [*"0123456789.-ABZaz<_ \t\n\r/\\]^", "\u0661", "\u00a0", "\u2028", "😀", "\ufeff", "\x00"]
    ),
    max_size=12,
)


@given(pattern=st.sampled_from(PATTERNS), text=pattern_text)
def test_patterns_are_ecma_262(pattern: str, text: str) -> None:
    ecma = regress.Regex(pattern, "u").find(text) is not None
    assert (ecma_regex(pattern).search(text) is not None) == ecma


@given(text=st.one_of(pattern_text, st.sampled_from(NASTY_STRINGS), st.text(max_size=40)))
def test_formats_are_rfc_3339(text: str) -> None:
    assert date_ok(text) == _exact_date(text)
    assert date_time_ok(text) == _exact_date_time(text)


@given(
    st.datetimes(),
    st.sampled_from(["Z", "z", "+00:00", "-08:00", "+14:00", "+05:45"]),
    st.sampled_from(["", ".0", ".123456789"]),
    st.booleans(),
)
def test_date_time_generated(moment: datetime, zone: str, fraction: str, leap: bool) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if leap:
        text = text[:17] + "60"
    text += fraction + zone
    assert date_time_ok(text) == _exact_date_time(text)
    assert date_ok(text[:10]) == _exact_date(text[:10])
