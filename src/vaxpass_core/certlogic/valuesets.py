"""The ``external.valueSets`` rules read: value-set id -> list of codes, from the shipped sets.

Rules name value sets by their gateway ids (``"vaccines-covid-19-names"``); the library's
:mod:`vaxpass_core.valuesets` names them by DCC field (``"mp"``). Every code is listed,
active or not, as the verifier apps pass them.
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from vaxpass_core import valuesets


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["GATEWAY_IDS", "rule_value_sets"]

#: The library's value-set name -> the id rules use for it in ``external.valueSets``.
GATEWAY_IDS: Final = MappingProxyType(
    {
        "tg": "disease-agent-targeted",
        "vp": "sct-vaccines-covid-19",
        "mp": "vaccines-covid-19-names",
        "ma": "vaccines-covid-19-auth-holders",
        "co": "country-2-codes",
        "tt": "covid-19-lab-test-type",
        "tr": "covid-19-lab-result",
        "t.ma": "covid-19-lab-test-manufacturer-and-name",
    }
)


@functools.cache
def _shipped() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(
        {
            gateway_id: tuple(sorted(valuesets.entries(name)))
            for name, gateway_id in GATEWAY_IDS.items()
        }
    )


def rule_value_sets() -> dict[str, list[str]]:
    """A fresh ``{gateway id: [codes]}`` of the shipped value-set release, for ``external``."""
    return {gateway_id: list(codes) for gateway_id, codes in _shipped().items()}
