"""The HC1 codec: prefix, zlib, Base45, and its bounds."""

from __future__ import annotations

import os
import tracemalloc
import zlib
from typing import TYPE_CHECKING

import pytest

from vaxpass_core.errors import Code, InvalidBase45, InvalidPrefix, InvalidZlib, TooLarge
from vaxpass_core.hazmat import hc1
from vaxpass_core.hazmat.base45 import b45decode, b45encode


if TYPE_CHECKING:
    from collections.abc import Callable


COSE = bytes.fromhex("d28443a10126a0") + bytes([0x58, 0x40]) + os.urandom(0x40) + os.urandom(64)


@pytest.mark.parametrize("level", range(10))
def test_round_trip_at_every_level(level: int) -> None:
    text = hc1.encode(COSE, compress=level)
    assert text.startswith("HC1:")
    assert hc1.decode(text) == COSE


def test_default_writes_stored_blocks() -> None:
    stream = b45decode(hc1.strip_prefix(hc1.encode(COSE)))
    assert stream[2] & 0b110 == 0  # first block header: BTYPE 00, stored
    assert hc1.decompress(stream) == COSE
    assert hc1.DEFAULT_COMPRESS == 0


def test_output_is_standard_zlib() -> None:
    for level in (0, 6, 9):
        stream = b45decode(hc1.strip_prefix(hc1.encode(COSE, compress=level)))
        assert zlib.decompress(stream) == COSE  # the stock inflater, default window


@pytest.mark.parametrize("wbits", [9, 12, 15])
@pytest.mark.parametrize("level", [0, 1, 9])
def test_accepts_any_standard_stream(wbits: int, level: int) -> None:
    c = zlib.compressobj(level, zlib.DEFLATED, wbits)
    text = "HC1:" + b45encode(c.compress(COSE) + c.flush())
    assert hc1.decode(text) == COSE


@pytest.mark.parametrize(
    "text",
    ["", "HC1", "hc1:BB8", "HC2:BB8", "HL0:BB8", "\u00a0HC1:BB8", "BB8", "HC1 :BB8", "\uff28C1:"],
)
def test_prefix_is_strict(text: str) -> None:
    with pytest.raises(InvalidPrefix) as info:
        hc1.strip_prefix(text)
    assert info.value.code is Code.HC1_PREFIX


def test_strip_prefix() -> None:
    assert hc1.strip_prefix("HC1:BB8") == "BB8"
    assert hc1.strip_prefix("HC1:") == ""


@pytest.mark.parametrize("text", ["HC1:BB8\n", " HC1:BB8", "\r\nHC1:BB8\r\n", "\tHC1:BB8 \f\v"])
def test_whitespace_at_the_ends_is_ignored(text: str) -> None:
    # A file's trailing newline, a scanner's padding: only at the ends (issue 13, item 10).
    assert hc1.strip_prefix(text) == "BB8"


def test_whitespace_inside_is_not() -> None:
    with pytest.raises(InvalidBase45):
        hc1.decode("HC1:" + b45encode(zlib.compress(COSE))[:4] + "\n" + "BB8")


def test_absurd_text_is_too_large_before_any_work() -> None:
    with pytest.raises(TooLarge) as info:
        hc1.strip_prefix("HC1:" + "0" * hc1.MAX_TEXT_CHARS)
    assert info.value.code is Code.HC1_TOO_LARGE
    assert len("HC1:" + "0" * (hc1.MAX_TEXT_CHARS - 4)) == hc1.MAX_TEXT_CHARS
    with pytest.raises(InvalidBase45):  # within the bound: gets as far as Base45
        hc1.decode("HC1:" + "0" * (hc1.MAX_TEXT_CHARS - 5))


def test_bounds_are_consistent() -> None:
    # The largest QR text carries at most MAX_COMPRESSED_BYTES.
    assert (hc1.MAX_TEXT_CHARS - 4) // 3 * 2 + 1 <= hc1.MAX_COMPRESSED_BYTES
    assert hc1.MAX_DECOMPRESSED_BYTES >= 16 * 1024


def test_base45_error_passes_through() -> None:
    with pytest.raises(InvalidBase45):
        hc1.decode("HC1:GGW")


def test_missing_zlib_is_refused() -> None:
    # Raw COSE after Base45 (dgc-testdata Z2 expects a failure here).
    with pytest.raises(InvalidZlib) as info:
        hc1.decode("HC1:" + b45encode(COSE))
    assert info.value.code is Code.HC1_ZLIB


@pytest.mark.parametrize(
    "stream",
    [
        b"",
        b"\x78",
        b"\x78\x9c",  # header only: truncated
        zlib.compress(COSE)[:-1],  # checksum cut
        zlib.compress(COSE)[:-4] + b"\x00\x00\x00\x00",  # wrong Adler-32
        zlib.compress(COSE) + b"\x00",  # bytes after the stream
        zlib.compress(COSE) + zlib.compress(COSE),  # two streams
        zlib.compress(COSE, wbits=-15),  # raw deflate, no zlib header
        zlib.compress(COSE, wbits=31),  # gzip
        b"\x78\xda" + os.urandom(40),
    ],
)
def test_bad_zlib(stream: bytes) -> None:
    with pytest.raises(InvalidZlib) as info:
        hc1.decompress(stream)
    assert info.value.code is Code.HC1_ZLIB


def test_exactly_the_bound_inflates() -> None:
    data = b"\x00" * hc1.MAX_DECOMPRESSED_BYTES
    assert hc1.decompress(zlib.compress(data, 9)) == data
    with pytest.raises(TooLarge):
        hc1.decompress(zlib.compress(data + b"\x00", 9))


def test_compressed_size_bound() -> None:
    with pytest.raises(TooLarge):
        hc1.decompress(b"\x78\x01" + b"\x00" * hc1.MAX_COMPRESSED_BYTES)


def test_bomb_builder_makes_a_real_stream(zlib_bomb: Callable[..., bytes]) -> None:
    assert zlib.decompress(zlib_bomb(4 << 20)) == b"\x00" * (4 << 20)
    assert zlib.decompress(zlib_bomb(2 << 20, b"\xa0")) == b"\xa0" * (2 << 20)


def test_small_bomb_stops_at_the_bound_with_little_memory(
    zlib_bomb: Callable[..., bytes],
) -> None:
    bomb = zlib_bomb(8 << 20)  # 8 MiB of zeros in about 8 KiB
    bomb = bomb[: hc1.MAX_COMPRESSED_BYTES]  # what a QR could carry (truncated stream)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            hc1.decompress(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * hc1.MAX_DECOMPRESSED_BYTES


def test_gibibyte_bomb_is_refused_unread(zlib_bomb: Callable[..., bytes]) -> None:
    # 1 GiB of output in about 1 MiB: refused on its size, before inflating
    # (benchmarks/run.py times this; tests do not assert on time).
    bomb = zlib_bomb(1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            hc1.decompress(bomb)
        with pytest.raises(TooLarge):
            hc1.decompress(bomb[: hc1.MAX_COMPRESSED_BYTES])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * hc1.MAX_DECOMPRESSED_BYTES
    with pytest.raises(TooLarge):
        hc1.decode("HC1:" + b45encode(bomb[:200_000]))


def test_wrong_types() -> None:
    with pytest.raises(TypeError):
        hc1.strip_prefix(b"HC1:")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hc1.encode("x")  # type: ignore[arg-type]
    for level in (-1, 10, True, 1.0):
        with pytest.raises(ValueError):
            hc1.encode(COSE, compress=level)  # type: ignore[arg-type]
