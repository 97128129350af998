"""The ``external.valueSets`` rules read: value-set id -> list of codes.

Rules name value sets by their gateway ids (``"vaccines-covid-19-names"``), the ids
:data:`vaxpass_core.valuesets.GATEWAY_IDS` maps to the library's names. Every code is listed,
active or not, as the verifier apps pass them.
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import TYPE_CHECKING

from vaxpass_core import valuesets


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["rule_value_sets"]


# A border app passes the same few ValueSets objects (compared by identity) on every verify:
# build each one's listing once.
@functools.lru_cache(maxsize=8)
def _listing(sets: valuesets.ValueSets) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(
        {
            gateway_id: tuple(sorted(sets.entries(name)))
            for gateway_id, name in valuesets.GATEWAY_IDS.items()
        }
    )


def rule_value_sets(sets: valuesets.ValueSets | None = None) -> dict[str, list[str]]:
    """A fresh ``{gateway id: [codes]}`` of *sets* (the shipped release by default)."""
    listing = _listing(sets if sets is not None else valuesets.default())
    return {gateway_id: list(codes) for gateway_id, codes in listing.items()}
