"""Base45 (RFC 9285): the RFC's examples, strictness, and agreement with the `base45` package."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.errors import Code, InvalidBase45
from vaxpass_core.hazmat import base45
from vaxpass_core.hazmat.base45 import ALPHABET, b45decode, b45encode


# RFC 9285 sections 4.3 and 4.4, and the worked examples in section 4.
RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]


@pytest.mark.parametrize(("raw", "text"), RFC_EXAMPLES)
def test_rfc_examples(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


def test_alphabet_is_the_rfc_table() -> None:
    assert len(ALPHABET) == 45
    assert ALPHABET == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def test_every_16_bit_value_round_trips_and_matches_the_formula() -> None:
    # Exhaustive: the big-integer slot arithmetic against the RFC's definition.
    data = b"".join(v.to_bytes(2, "big") for v in range(65536))
    text = b45encode(data)
    expected = "".join(
        ALPHABET[v % 45] + ALPHABET[v // 45 % 45] + ALPHABET[v // 2025] for v in range(65536)
    )
    assert text == expected
    assert b45decode(text) == data


def test_every_single_byte_tail() -> None:
    for v in range(256):
        text = b45encode(bytes((v,)))
        assert text == ALPHABET[v % 45] + ALPHABET[v // 45]
        assert b45decode(text) == bytes((v,))


def test_the_encoder_division_constant_is_exact() -> None:
    assert all((v * base45._ENC_MUL) >> base45._ENC_SHIFT == v // 45 for v in range(65536))
    # The product stays inside its 32-bit slot; the mask keeps all of q (and e), and none
    # of the next slot's bits, which the shift brings to bit 32 - 19 and above.
    mask = base45._MASK_Q & 0xFFFFFFFF
    assert 0xFFFF * base45._ENC_MUL < 1 << 30
    assert mask >= 0xFFFF // 45
    assert mask < 1 << (32 - base45._ENC_SHIFT)


def test_many_input_sizes_each_encode_right() -> None:
    # More sizes than the filler cache holds: it is emptied and refilled on the way.
    for size in range(2, 2 * base45._FILLS_CACHE_SIZE + 40):
        data = bytes(range(256))[:size] if size <= 256 else os.urandom(size)
        assert b45decode(b45encode(data)) == data
        assert b45encode(data)[:3] == b45encode(data[:2])


def test_every_pair_value_encodes_to_its_three_digits() -> None:
    # All 65536 pairs in one input (several blocks of slots), against RFC 9285's definition
    # v = c + 45 d + 2025 e: the slot arithmetic is exact for every value a slot can hold.
    data = b"".join(v.to_bytes(2, "big") for v in range(65536))
    expected = "".join(
        ALPHABET[v % 45] + ALPHABET[v // 45 % 45] + ALPHABET[v // 2025] for v in range(65536)
    )
    assert b45encode(data) == expected


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        2,
        3,
        2 * base45._BLOCK - 1,
        2 * base45._BLOCK,
        2 * base45._BLOCK + 1,
        5 * base45._BLOCK + 3,
    ],
)
def test_lengths_around_the_block_size(size: int) -> None:
    data = os.urandom(size)
    assert b45decode(b45encode(data)) == data


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("GGW", "group 65536 (RFC 9285 section 4.2: must be rejected)"),
        (":::", "group 91124"),
        ("::", "pair 2024 > 255"),
        ("A", "length 3n+1"),
        ("ABCD", "length 3n+1"),
        ("bb8", "lower case is not in the alphabet"),
        ("BB8\n", "a trailing newline"),
        (" BB8", "length 3n+1 with a leading space"),
        ("BB_", "underscore"),
        ("BBÄ", "non-ASCII"),
        ("BB\x00", "NUL"),
        ("B\u00a08", "no-break space"),
    ],
)
def test_strict_rejection(text: str, why: str) -> None:
    with pytest.raises(InvalidBase45) as info:
        b45decode(text)
    assert info.value.code is Code.HC1_BASE45, why


def test_invalid_group_deep_in_a_long_text_is_found() -> None:
    text = b45encode(os.urandom(3 * 2 * base45._BLOCK))
    bad = text[: 3 * 1500] + "GGW" + text[3 * 1501 :]
    with pytest.raises(InvalidBase45):
        b45decode(bad)


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        b45decode(b"BB8")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        b45encode("AB")  # type: ignore[arg-type]


def test_accepts_bytearray_and_memoryview() -> None:
    assert b45encode(bytearray(b"AB")) == "BB8"
    assert b45encode(memoryview(b"AB")) == "BB8"


# The `base45` PyPI package is a test dependency only: an independent implementation.
reference = pytest.importorskip("base45", reason="the `base45` reference package is not installed")


@given(st.binary(max_size=3000))
def test_agrees_with_the_reference_package(data: bytes) -> None:
    text = b45encode(data)
    assert text == reference.b45encode(data).decode("ascii")
    assert b45decode(text) == reference.b45decode(text)


@given(st.text(alphabet=ALPHABET, max_size=60))
def test_accepts_and_refuses_what_the_reference_does(text: str) -> None:
    try:
        expected = reference.b45decode(text)
    except ValueError:
        with pytest.raises(InvalidBase45):
            b45decode(text)
    else:
        assert b45decode(text) == expected
