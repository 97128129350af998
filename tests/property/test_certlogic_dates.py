"""``plusTime``, ``dccDateOfBirth`` and the date comparisons against a plain model of the spec.

The model is written here with :mod:`datetime`, independently of the evaluator's integer
calendar arithmetic: parse to an aware datetime, convert to UTC, then

* ``day`` and ``hour`` add a fixed duration (UTC has no DST),
* ``month`` and ``year`` move the calendar month and keep the day number, and a day past
  the new month's end spills into the next month (JavaScript's ``setUTCMonth`` /
  ``setUTCFullYear``: 2020-02-29 plus one year is 2021-03-01),
* ``YYYY`` is 31 December and ``YYYY-MM`` the month's last day (``dccDateOfBirth``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vaxpass_core import certlogic


if TYPE_CHECKING:
    from collections.abc import Callable


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
UNITS = ("year", "month", "day", "hour")


def model_parse(text: str) -> dt.datetime:
    if len(text) == 4:
        return dt.datetime(int(text), 12, 31, tzinfo=dt.UTC)
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return dt.datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=dt.UTC)
    date = dt.date.fromisoformat(text[:10])
    if len(text) == 10:
        return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    clock, zone = text[11:19], text[19:]
    fraction = ""
    if zone.startswith("."):
        end = 1
        while end < len(zone) and zone[end].isdigit():
            end += 1
        fraction, zone = zone[1:end], zone[end:]
    micros = int((fraction + "000")[:3]) * 1000
    offset = dt.timedelta(0)
    if zone not in {"", "Z"}:
        sign = -1 if zone[0] == "-" else 1
        body = zone[1:].replace(":", "")  # h, hh, hmm, hhmm
        hours, minutes = (body, "0") if len(body) <= 2 else (body[:-2], body[-2:])
        offset = sign * dt.timedelta(hours=int(hours), minutes=int(minutes))
    hour, minute, second = (int(part) for part in clock.split(":"))
    local = dt.datetime(
        date.year, date.month, date.day, hour, minute, second, micros, dt.timezone(offset)
    )
    return local.astimezone(dt.UTC)


def model_plus(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "day":
        return start + dt.timedelta(days=amount)
    if unit == "hour":
        return start + dt.timedelta(hours=amount)
    months = amount if unit == "month" else 12 * amount
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    first = start.replace(year=year, month=month0 + 1, day=1)
    return first + dt.timedelta(days=start.day - 1)  # spill past the month's end


def model_ms(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def evaluated_ms(text: str, amount: int, unit: str) -> int | None:
    value = certlogic.evaluate({"plusTime": [text, amount, unit]}, None)
    assert isinstance(value, certlogic.DateTime)
    return value.epoch_ms


# Leap days and month ends are drawn often: they are where implementations differ.
days = st.one_of(st.sampled_from([1, 28, 29, 30, 31]), st.integers(1, 31))
years = st.one_of(st.sampled_from([1900, 2000, 2020, 2021, 2024, 2100]), st.integers(1801, 2199))


@st.composite
def dates(draw: st.DrawFn) -> str:
    year, month = draw(years), draw(st.integers(1, 12))
    day = min(draw(days), calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{day:02d}"


@st.composite
def date_times(draw: st.DrawFn) -> str:
    date = draw(dates())
    clock = f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:"
    clock += f"{draw(st.integers(0, 59)):02d}"
    fraction = draw(st.sampled_from(["", ".5", ".123", ".1234567"]))
    hours, minutes = draw(st.integers(0, 14)), draw(st.sampled_from([0, 30, 45]))
    zone = draw(
        st.sampled_from(
            [
                "",
                "Z",
                f"+{hours:02d}:{minutes:02d}",
                f"-{hours:02d}:{minutes:02d}",
                f"+{hours}",
                f"-{hours:02d}{minutes:02d}",
            ]
        )
    )
    return f"{date}T{clock}{fraction}{zone}"


@st.composite
def partial_dates(draw: st.DrawFn) -> str:
    year = draw(years)
    if draw(st.booleans()):
        return f"{year:04d}"
    return f"{year:04d}-{draw(st.integers(1, 12)):02d}"


any_date = st.one_of(dates(), date_times(), partial_dates())
amounts = st.one_of(st.integers(-30, 30), st.integers(-1500, 1500))


@settings(max_examples=500)
@given(any_date, amounts, st.sampled_from(UNITS))
@example("2020-02-29", 1, "year")
@example("2020-02-29", -4, "year")
@example("2021-01-31", 1, "month")
@example("2021-03-31", -1, "month")
@example("2024-02", 12, "month")
@example("2021-12-31T23:30:00-01:00", 2, "month")
@example("2021-03-01T00:30:00+01:00", 1, "year")
def test_plus_time_follows_the_model(text: str, amount: int, unit: str) -> None:
    expected = model_plus(model_parse(text), amount, unit)
    assert evaluated_ms(text, amount, unit) == model_ms(expected)


@given(st.one_of(dates(), partial_dates()))
def test_date_of_birth_is_plus_time_zero(text: str) -> None:
    value = certlogic.evaluate({"dccDateOfBirth": [text]}, None)
    assert isinstance(value, certlogic.DateTime)
    assert value.epoch_ms == model_ms(model_parse(text))
    assert value.isoformat() == model_parse(text).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _plus(text: str, amount: int, unit: str) -> dict[str, Any]:
    return {"plusTime": [{"var": text}, amount, unit]}


OPERATORS: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {
    "after": lambda a, b: a > b,
    "before": lambda a, b: a < b,
    "not-after": lambda a, b: a <= b,
    "not-before": lambda a, b: a >= b,
}


@settings(max_examples=300)
@given(
    st.lists(any_date, min_size=3, max_size=3),
    st.lists(st.tuples(amounts, st.sampled_from(UNITS)), min_size=3, max_size=3),
    st.sampled_from(sorted(OPERATORS)),
)
def test_comparisons_follow_the_model(
    texts: list[str], offsets: list[tuple[int, str]], operator: str
) -> None:
    data = {str(index): text for index, text in enumerate(texts)}
    operands = [_plus(str(index), amount, unit) for index, (amount, unit) in enumerate(offsets)]
    moments = [
        model_plus(model_parse(text), amount, unit)
        for text, (amount, unit) in zip(texts, offsets, strict=True)
    ]
    compare = OPERATORS[operator]
    binary = certlogic.evaluate({operator: operands[:2]}, data)
    assert binary is compare(moments[0], moments[1])
    ternary = certlogic.evaluate({operator: operands}, data)
    assert ternary is (compare(moments[0], moments[1]) and compare(moments[1], moments[2]))


@given(dates(), st.integers(0, 23))
def test_a_date_equals_its_midnight_in_any_form(date: str, hour: int) -> None:
    forms = [date, f"{date}T00:00:00", f"{date}T00:00:00Z", f"{date}T00:00:00.000+00:00"]
    values = {evaluated_ms(form, hour, "hour") for form in forms}
    assert len(values) == 1
