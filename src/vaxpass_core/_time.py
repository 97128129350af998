"""``now`` arguments: the library never reads the clock, so every time comes in as one."""

from __future__ import annotations

from datetime import UTC, datetime


__all__ = ["epoch", "epoch_of", "iso"]


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
