"""Progress as lines, for a log: what ``issue-batch`` shows when stderr is not a terminal.

A bar redraws one line in place, which a log file or a CI console shows only at the end.
:class:`ProgressLines` prints a line every *interval* seconds instead: lines done, the
rate, and the time left. The clock is a parameter, so tests drive it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = ["ProgressLines", "duration"]


def duration(seconds: float) -> str:
    """``H:MM:SS`` for a number of seconds (rounded up: an ETA of 0:00:00 means done)."""
    whole = max(0, int(-(-seconds // 1)))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class ProgressLines:
    """Call with increments (as a progress bar's ``update``); prints a line now and then.

    A line comes once *interval* seconds have passed since the last (or the start);
    :meth:`finish` prints the last one. The rate is measured from the first increment on:
    that one is either a resumed run's skipped lines (no work) or the first chunk (which
    also paid for starting the workers), so neither distorts the estimate.
    """

    def __init__(
        self,
        total: int,
        *,
        echo: Callable[[str], None],
        label: str = "issuing",
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._total = total
        self._echo = echo
        self._label = label
        self._interval = interval
        self._clock = clock
        self._last = clock()
        self._done = 0
        self._first: tuple[float, int] | None = None  # (when, lines) of the first increment

    def __call__(self, lines: int) -> None:
        now = self._clock()
        self._done += lines
        if self._first is None:
            self._first = (now, self._done)
        if now - self._last >= self._interval:
            self._last = now
            self._echo(self.line(now))

    def line(self, now: float) -> str:
        """``issuing: 1,500 of 10,000 lines (15%), 750 lines/s, 0:00:12 left``."""
        share = f" ({100 * self._done // self._total}%)" if self._total else ""
        text = f"{self._label}: {self._done:,} of {self._total:,} lines{share}"
        if self._first is not None and now > self._first[0] and self._done > self._first[1]:
            rate = (self._done - self._first[1]) / (now - self._first[0])
            left = max(0, self._total - self._done) / rate
            text += f", {rate:,.0f} lines/s, {duration(left)} left"
        return text

    def finish(self) -> None:
        """The last line, whatever the interval."""
        self._echo(self.line(self._clock()))
