"""CertLogic's date-times: parsing, ``plusTime`` offsets and ``dccDateOfBirth``.

The specification defines offsets by JavaScript's ``Date`` methods (``setUTCFullYear`` and
friends), so the arithmetic here is ECMA-262's, on integer milliseconds since the epoch:
``MakeDay`` lets a day or month past the end spill into the next one (2020-02-29 plus one
year is 2021-03-01), and a time outside ECMA's range, or a string the reference evaluator
parses to an invalid ``Date``, is an *invalid* date-time that compares false with everything.
"""

from __future__ import annotations

import re
from typing import Final, final


__all__ = ["DateTime", "date_of_birth", "parse", "plus_time"]

DAY_MS: Final = 86_400_000
HOUR_MS: Final = 3_600_000
_MAX_MS: Final = 8_640_000_000_000_000  # ECMA-262 TimeClip

_YEAR: Final = re.compile(r"[0-9]{4}")
_YEAR_MONTH: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(\.[0-9]+?)?(Z|([+-])([0-9]{1,2}):?([0-9]{2})?)?"
)


@final
class DateTime:
    """A CertLogic date-time: what ``plusTime`` and ``dccDateOfBirth`` produce.

    ``epoch_ms`` is milliseconds since 1970-01-01T00:00:00Z, or ``None`` for an invalid
    date-time (JavaScript's ``Invalid Date``). Equality is identity, as for JavaScript's
    ``Date`` objects under ``===``: compare date-times with ``after``/``before``.
    """

    __slots__ = ("epoch_ms",)

    def __init__(self, epoch_ms: int | None) -> None:
        if epoch_ms is not None and abs(epoch_ms) > _MAX_MS:
            epoch_ms = None
        self.epoch_ms = epoch_ms

    def isoformat(self) -> str:
        """The form of JavaScript's ``toISOString()``, e.g. ``2021-06-01T00:00:00.000Z``."""
        if self.epoch_ms is None:
            return "Invalid Date"
        days, ms = divmod(self.epoch_ms, DAY_MS)
        year, month, day = civil_from_days(days)
        seconds, millis = divmod(ms, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        if 0 <= year <= 9999:
            year_text = f"{year:04d}"
        else:
            year_text = f"{year:+07d}"
        return (
            f"{year_text}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"
        )

    def __repr__(self) -> str:
        return f"DateTime({self.isoformat()!r})"


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (*month* 1-12, *day* may spill)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) of a day number since 1970-01-01."""
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def make_day(year: int, month0: int, date: int) -> int:
    """ECMA-262 ``MakeDay``: *month0* counts from 0 and may be any integer, as may *date*."""
    return days_from_civil(year + month0 // 12, month0 % 12 + 1, 1) + date - 1


def _valid_date(month: int, day: int) -> bool:
    # V8 accepts any day 1-31 and lets it spill (2021-02-30 is 2021-03-02).
    return 1 <= month <= 12 and 1 <= day <= 31


def _parse_date_time(match: re.Match[str]) -> int | None:
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    fraction, zone, sign, zone_hours, zone_minutes = (
        match[7],
        match[8],
        match[9],
        match[10],
        match[11],
    )
    millis = int((fraction[1:] + "00")[:3]) if fraction else 0
    if not _valid_date(month, day) or minute > 59 or second > 59:
        return None
    if hour > 24 or (hour == 24 and (minute or second or millis)):
        return None
    offset = 0
    if zone and zone != "Z":
        offset_minutes = int(zone_minutes or "0")
        if int(zone_hours) > 23 or offset_minutes > 59:
            return None
        offset = (int(zone_hours) * 60 + offset_minutes) * 60_000
        if sign == "-":
            offset = -offset
    time_ms = ((hour * 60 + minute) * 60 + second) * 1000 + millis
    return make_day(year, month - 1, day) * DAY_MS + time_ms - offset


def date_of_birth(text: str) -> DateTime | None:
    """``dccDateOfBirth``: the last instant-date consistent with ``YYYY[-MM[-DD]]``.

    ``None`` means *text* has none of the three forms (an evaluation error for the caller).
    """
    if _YEAR.fullmatch(text):
        return DateTime(days_from_civil(int(text), 12, 31) * DAY_MS)
    if match := _YEAR_MONTH.fullmatch(text):
        month = int(match[2])
        if not 1 <= month <= 12:
            return DateTime(None)
        # The day before the first of the next month.
        return DateTime(make_day(int(match[1]), month, 0) * DAY_MS)
    if match := _DATE.fullmatch(text):
        month, day = int(match[2]), int(match[3])
        if not _valid_date(month, day):
            return DateTime(None)
        return DateTime(make_day(int(match[1]), month - 1, day) * DAY_MS)
    return None


def parse(text: str) -> DateTime | None:
    """A date(-time) string in one of the formats ``plusTime`` allows, or ``None`` if none fits."""
    if len(text) <= 10:
        return date_of_birth(text)
    if match := _DATE_TIME.fullmatch(text):
        return DateTime(_parse_date_time(match))
    return None


def plus_time(start: DateTime, amount: int, unit: str) -> DateTime:
    """``dateTime.setUTC<unit>(dateTime.getUTC<unit>() + amount)``, as ECMA-262 defines it."""
    time = start.epoch_ms
    if amount == 0:
        return start
    if unit == "year" and time is None:
        time = 0  # setUTCFullYear starts an invalid date from +0
    if time is None:
        return start
    if unit == "hour":
        return DateTime(time + amount * HOUR_MS)
    if unit == "day":
        return DateTime(time + amount * DAY_MS)
    days, within_day = divmod(time, DAY_MS)
    year, month, day = civil_from_days(days)
    if unit == "month":
        return DateTime(make_day(year, month - 1 + amount, day) * DAY_MS + within_day)
    return DateTime(make_day(year + amount, month - 1, day) * DAY_MS + within_day)
