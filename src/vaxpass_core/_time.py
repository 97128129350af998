"""``now`` arguments: the library never reads the clock, so every time comes in as one."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from typing import Final


__all__ = ["LATEST_OFFSET", "epoch", "epoch_of", "iso", "latest_local_date", "latest_local_day"]

#: The time zone furthest ahead (UTC+14, Line Islands): a date is a local day.
LATEST_OFFSET: Final = 14 * 3600
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MAX_EPOCH: Final = 253402300799 - LATEST_OFFSET  # the last second before 9999-12-31 there


def epoch_of(now: datetime) -> int:
    """*now* as UTC epoch seconds; a naive datetime is refused, never guessed."""
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    tz = now.tzinfo
    # A plain datetime in UTC (the usual call) has an offset; anything else is asked.
    if tz is None or ((tz is not UTC or type(now) is not datetime) and now.utcoffset() is None):
        raise ValueError(
            "a naive datetime is refused: pass a timezone-aware one "
            "(the library never guesses a time zone)"
        )
    return int(now.timestamp())


def epoch(at: int | datetime) -> int:
    """*at* as UTC epoch seconds: an int as is, an aware datetime as :func:`epoch_of` has it."""
    if type(at) is int:  # the usual call: epoch seconds already
        return at
    if isinstance(at, datetime):
        return epoch_of(at)
    if isinstance(at, bool) or not isinstance(at, int):
        raise TypeError(f"expected epoch seconds (int) or an aware datetime, got {type(at)}")
    return at


def iso(at: int) -> str:
    """Epoch seconds as ISO 8601 UTC (``2026-03-01T09:30:00Z``), for messages people read;
    a time no calendar holds is shown as the number it is."""
    try:
        return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return str(at)


def latest_local_day(moment: int, leeway: int = 0) -> str | None:
    """The latest calendar day (``YYYY-MM-DD``) anywhere at *moment* (+ *leeway*) seconds
    since the epoch; None outside 1970..9999.

    ISO dates and partial dates of birth compare with it as text: one is after *moment*
    exactly when it is greater (``"2027" > "2026-03-01"``, ``"2026" < "2026-03-01"``).
    """
    day = latest_local_date(moment + leeway)
    return None if day is None else _text(day)


def latest_local_date(moment: int) -> date | None:
    """:func:`latest_local_day` as a :class:`datetime.date` (a full date compares with it
    as a date, without being written out as text first)."""
    if not 0 <= moment <= _MAX_EPOCH:
        return None
    return _day((moment + LATEST_OFFSET) // 86400)


# Every verify asks for the day of its iat and of now, every attestation of a batch for the
# day of the batch: a few days, asked again and again.
@functools.lru_cache(maxsize=256)
def _day(days: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + days)


_text = functools.lru_cache(maxsize=256)(date.isoformat)
