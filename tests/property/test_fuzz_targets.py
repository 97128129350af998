"""The fuzz targets (``fuzz/targets.py``) as bounded, deterministic hypothesis tests.

``make fuzz`` runs the same functions under atheris for as long as it is given; here each
gets every seed of the corpus generator once, then a few dozen derandomized inputs: raw
bytes, and seeds with bytes flipped, cut or inserted (so the signed, deeper seeds are
perturbed too). A target fails only on an error its parser does not document, or a broken
invariant (``verify`` passing a message no trusted key signed, Base45 not round-tripping).
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.make_corpus import seeds
from fuzz.targets import TARGETS


FEW = settings(max_examples=25, derandomize=True, database=None)
NAMES = list(TARGETS)


@functools.cache
def _seeds() -> dict[str, list[bytes]]:
    return seeds()


def test_every_target_has_seeds() -> None:
    assert set(_seeds()) == set(TARGETS)
    assert all(_seeds()[name] for name in TARGETS)


@pytest.mark.parametrize("name", NAMES)
def test_every_seed_passes_its_target(name: str) -> None:
    for seed in _seeds()[name]:
        TARGETS[name](seed)


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.binary(max_size=2048))
def test_targets_on_raw_bytes(name: str, data: bytes) -> None:
    TARGETS[name](data)


@st.composite
def _mutated(draw: st.DrawFn, name: str) -> bytes:
    seed = bytearray(draw(st.sampled_from(_seeds()[name])))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(len(seed) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and seed:
            seed[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del seed[where : where + draw(st.integers(1, 16))]
        elif action == "insert":
            seed[where:where] = draw(st.binary(min_size=1, max_size=8))
        else:
            del seed[where:]
    return bytes(seed)


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.data())
def test_targets_on_mutated_seeds(name: str, data: st.DataObject) -> None:
    TARGETS[name](data.draw(_mutated(name)))
