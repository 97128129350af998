"""Timing shared by the benchmark scripts (imported from the script's own folder)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def best(fn: Callable[[Any], object], items: Sequence[Any], rounds: int) -> float:
    """Best-of-rounds mean microseconds per item: the least disturbed round counts."""
    result = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for item in items:
            fn(item)
        result = min(result, (time.perf_counter_ns() - start) / len(items) / 1000)
    return result
