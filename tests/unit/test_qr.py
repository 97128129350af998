"""QR symbols: segno's symbol module for module, fast; renderers in memory."""

from __future__ import annotations

import io
import itertools
import random
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass_core import _qrencode, qr


if TYPE_CHECKING:
    from collections.abc import Callable


BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
LEVELS = ("L", "M", "Q", "H")


def hc1_like(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "HC1:" + "".join(rng.choice(BASE45) for _ in range(length - 4))


def reference(text: str, error: str, mask: int | None = None) -> segno.QRCode:
    """segno's own symbol, with the settings make_qr promises."""
    return segno.make(
        text, error=error, mode="alphanumeric", mask=mask, micro=False, boost_error=False
    )


def assert_same_symbol(got: segno.QRCode, want: segno.QRCode) -> None:
    assert (got.version, got.error, got.mode, got.mask) == (
        want.version,
        want.error,
        want.mode,
        want.mask,
    )
    assert got.matrix == want.matrix


def fullest_text(version: int, error: str, seed: int) -> str:
    """The longest text that still fits *version* at *error* (the version's last byte used)."""
    low, high = 1, 4296
    while low < high:
        mid = (low + high + 1) // 2
        try:
            fits = qr.qr_version("A" * mid, error=error) <= version
        except segno.DataOverflowError:
            fits = False
        if fits:
            low = mid
        else:
            high = mid - 1
    rng = random.Random(seed)
    return "".join(rng.choice(BASE45) for _ in range(low))


# --- the same symbol as segno, over every version and level -----------------------


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_full_symbol_equals_segno(version: int) -> None:
    # One level per version keeps this quick; the levels rotate through all four.
    error = LEVELS[version % 4]
    text = fullest_text(version, error, seed=version)
    symbol = qr.make_qr(text, error=error)
    assert symbol.version == version
    assert_same_symbol(symbol, reference(text, error))


@pytest.mark.parametrize("error", LEVELS)
@pytest.mark.parametrize("length", [350, 480, 600, 725, 825, 950, 1100])
@pytest.mark.parametrize("seed", range(3))
def test_passport_sizes_equal_segno(length: int, error: str, seed: int) -> None:
    text = hc1_like(length, seed)
    assert_same_symbol(qr.make_qr(text, error=error), reference(text, error))


@settings(max_examples=150)
@given(
    text=st.text(alphabet=BASE45, min_size=1, max_size=700),
    error=st.sampled_from(LEVELS),
)
def test_any_text_equals_segno(text: str, error: str) -> None:
    assert_same_symbol(qr.make_qr(text, error=error), reference(text, error))


def test_the_encoder_gives_segnos_symbol() -> None:
    # The one encoder, called directly: segno.make is only this test's reference.
    text = hc1_like(825, 99)
    level = _qrencode.consts.ERROR_LEVEL_Q
    assert_same_symbol(_qrencode.encode(text, level), reference(text, "Q"))
    assert_same_symbol(_qrencode.encode(text, level, 3), reference(text, "Q", 3))


# --- the penalty evaluation itself, rule by rule, against segno's ------------------


def penalties(matrix: list[bytearray]) -> int:
    """Our N1+N2+N3+N4 of an already masked matrix, through the module's string form."""
    size = len(matrix)
    layout = _qrencode.Layout(
        size=size,
        rows_from=lambda s: (),
        cols_from=lambda s: (),
        row_masks=(),
        col_masks=(),
    )
    stride = size + 1
    rows = b"\x02".join(map(bytes, matrix)) + b"\x02" + b"\x02" * stride
    cols = b"\x02".join(bytes(c) for c in zip(*matrix, strict=True)) + b"\x02"
    return _qrencode.penalty(int.from_bytes(rows, "little"), int.from_bytes(cols, "little"), layout)


# 1011101 alone, overlapping twice, and with a light margin on either side.
PLANTED = [
    "01000101010001",
    "0100010101000101010001",
    "0000000001000101010001",
    "0100010101000100000000",
]


@st.composite
def matrices(draw: st.DrawFn) -> list[bytearray]:
    """Square 0/1 matrices, biased so that long runs, blocks and 1011101 patterns occur."""
    size = draw(st.sampled_from([8, 11, 12, 21, 25, 29]))
    dark = draw(st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    rows = [bytearray(rng.random() < dark for _ in range(size)) for _ in range(size)]
    # Plant finder-like patterns (with and without light margins) at random places,
    # including at both ends of lines, and overlapping ones (10111011101).
    for _ in range(draw(st.integers(0, 6))):
        pattern = bytes.fromhex(rng.choice(PLANTED))
        if len(pattern) > size:
            continue
        i = rng.randrange(size)
        j = rng.choice([0, size - len(pattern), rng.randrange(size - len(pattern) + 1)])
        if rng.random() < 0.5:
            rows[i][j : j + len(pattern)] = pattern
        else:
            for k, value in enumerate(pattern):
                rows[j + k][i] = value
    return rows


@settings(max_examples=400)
@given(matrices())
def test_penalty_equals_segno_rule_by_rule(matrix: list[bytearray]) -> None:
    size = len(matrix)
    want = sum(_qrencode.enc.mask_scores(matrix, size, size))
    assert penalties(matrix) == want


def test_penalty_examples() -> None:
    # All light 21x21: N1 = 2 * 21 * (21 - 2), N2 = 3 * 20 * 20, no N3, N4 = 100.
    light = [bytearray(21) for _ in range(21)]
    assert penalties(light) == 2 * 21 * 19 + 3 * 400 + 0 + 100
    # A checkerboard has no runs, no blocks, no finder-like patterns, half dark.
    board = [bytearray((i + j) % 2 for j in range(21)) for i in range(21)]
    assert penalties(board) == 0


# --- make_qr's contract -------------------------------------------------------------


def test_alphanumeric_mode_and_level_as_given() -> None:
    text = hc1_like(825, 1)
    for error in LEVELS:
        symbol = qr.make_qr(text, error=error)
        assert symbol.mode == "alphanumeric"
        assert symbol.error == error
        assert symbol.designator == f"{symbol.version}-{error}"


def test_default_level_is_q() -> None:
    assert qr.make_qr(hc1_like(400, 2)).error == "Q"


def test_no_silent_error_boosting() -> None:
    # segno's default raises L to the best level that fits the same version.
    text = "HC1:ABC"
    assert segno.make(text, error="L", micro=False).error != "L"
    assert qr.make_qr(text, error="L").error == "L"


def test_level_is_case_insensitive() -> None:
    text = hc1_like(400, 3)
    assert qr.make_qr(text, error="m").matrix == qr.make_qr(text, error="M").matrix


def test_deterministic() -> None:
    text = hc1_like(1100, 4)
    first = qr.make_qr(text)
    again = qr.make_qr(text)
    assert first.matrix == again.matrix
    assert first.mask == again.mask


def test_forced_mask_equals_segno_with_that_mask() -> None:
    text = hc1_like(600, 5)
    for mask in range(8):
        symbol = qr.make_qr(text, mask=mask)
        assert symbol.mask == mask
        assert_same_symbol(symbol, reference(text, "Q", mask))


def test_viet_nam_passport(vn_passport: str) -> None:
    text = vn_passport
    assert len(text) == 825
    symbol = qr.make_qr(text)
    assert_same_symbol(symbol, reference(text, "Q"))
    assert symbol.version == qr.qr_version(text) == 23
    # Viet Nam's own test QR used level L.
    assert qr.qr_version(text, error="L") == 16


@pytest.mark.parametrize(
    ("text", "error_type"),
    [
        (b"HC1:ABC", TypeError),
        (None, TypeError),
        ("", ValueError),
        ("HC1:abc", ValueError),  # lower case is not alphanumeric mode
        ("HC1:AB=", ValueError),
        ("HC1:\u0110", ValueError),
    ],
)
def test_refuses_texts_outside_alphanumeric_mode(text: Any, error_type: type[Exception]) -> None:
    with pytest.raises(error_type):
        qr.make_qr(text)
    with pytest.raises(error_type):
        qr.qr_version(text)


@pytest.mark.parametrize(
    ("error", "error_type"), [("X", ValueError), ("", ValueError), (1, TypeError)]
)
def test_refuses_unknown_levels(error: Any, error_type: type[Exception]) -> None:
    with pytest.raises(error_type):
        qr.make_qr("HC1:ABC", error=error)
    with pytest.raises(error_type):
        qr.qr_version("HC1:ABC", error=error)


@pytest.mark.parametrize(
    ("mask", "error_type"), [(8, ValueError), (-1, ValueError), ("1", TypeError), (True, TypeError)]
)
def test_refuses_bad_masks(mask: Any, error_type: type[Exception]) -> None:
    with pytest.raises(error_type):
        qr.make_qr("HC1:ABC", mask=mask)


def test_too_long_for_any_symbol() -> None:
    with pytest.raises(segno.DataOverflowError):
        qr.make_qr("A" * 4297, error="L")
    with pytest.raises(ValueError, match=r"(?i)data"):
        qr.make_qr("A" * 3000, error="H")
    assert qr.make_qr("A" * 4296, error="L").version == 40


def test_qr_version_grows_with_level_and_length() -> None:
    text = hc1_like(825, 6)
    versions = [qr.qr_version(text, error=e) for e in LEVELS]
    assert versions == sorted(versions)
    assert versions[0] < versions[-1]
    assert qr.qr_version(hc1_like(350, 6)) < qr.qr_version(hc1_like(1100, 6))
    for error in LEVELS:
        assert qr.qr_version(text, error=error) == qr.make_qr(text, error=error).version


# --- renderers ------------------------------------------------------------------------


def terminal_to_matrix(art: str, *, invert: bool) -> list[list[int]]:
    """Reads qr_terminal's half blocks back into modules (1 = dark)."""
    halves = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
    lines = art.split("\n")
    assert lines[-1] == ""
    out: list[list[int]] = []
    for line in lines[:-1]:
        upper = [halves[c][0] for c in line]
        lower = [halves[c][1] for c in line]
        out.extend([upper, lower])
    # Drawn means light when inverted, dark otherwise.
    return [[(1 - v) if invert else v for v in row] for row in out]


QUADRANT_BITS = {
    char: bits
    for bits, char in zip(itertools.product((0, 1), repeat=4), " ▗▖▄▝▐▞▟▘▚▌▙▀▜▛█", strict=True)
}


def quadrants_to_matrix(art: str, *, invert: bool) -> list[list[int]]:
    """Reads qr_terminal's quadrant blocks back into modules (1 = dark)."""
    lines = art.split("\n")
    assert lines[-1] == ""
    out: list[list[int]] = []
    for line in lines[:-1]:
        bits = [QUADRANT_BITS[c] for c in line]
        out.append([v for ul, ur, _, _ in bits for v in (ul, ur)])
        out.append([v for _, _, ll, lr in bits for v in (ll, lr)])
    return [[(1 - v) if invert else v for v in row] for row in out]


@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("border", [0, 1, 2, 4])
def test_terminal_quadrants_hold_the_symbol(invert: bool, border: int) -> None:
    symbol = qr.make_qr(hc1_like(400, 7))
    art = qr.qr_terminal(symbol, border=border, invert=invert)
    assert set(art) <= set(QUADRANT_BITS) | {"\n"}
    width = int(symbol.symbol_size(scale=1, border=border)[0])
    grid = quadrants_to_matrix(art, invert=invert)
    assert len(grid) == len(grid[0]) == width + 1  # two by two a character, odd: padded
    want = [[int(bool(v)) for v in row] for row in symbol.matrix_iter(border=border)]
    assert [row[:width] for row in grid[:width]] == want
    assert grid[width] == [0] * (width + 1)  # the padding is light
    assert [row[width] for row in grid] == [0] * (width + 1)


def test_a_passport_in_quadrants_fits_80_columns() -> None:
    # Version 21 (an ES256 passport): 101 modules and 2 x 2 of quiet zone.
    symbol = qr.make_qr(hc1_like(723, 3))
    assert symbol.version == 21
    art = qr.qr_terminal(symbol)
    assert max(len(line) for line in art.splitlines()) == 53
    assert len(art.splitlines()) == 53
    half_blocks = qr.qr_terminal(symbol, quadrants=False)
    assert max(len(line) for line in half_blocks.splitlines()) == 105
    # Version 35 is the largest that fits: 157 modules.
    assert qr.qr_terminal(qr.make_qr(hc1_like(2300, 1), error="L")).index("\n") <= 80


@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("border", [0, 1, 2, 4])
def test_terminal_art_holds_the_symbol(invert: bool, border: int) -> None:
    symbol = qr.make_qr(hc1_like(400, 7))
    art = qr.qr_terminal(symbol, border=border, invert=invert, quadrants=False)
    assert set(art) <= {" ", "\u2580", "\u2584", "\u2588", "\n"}
    width = int(symbol.symbol_size(scale=1, border=border)[0])
    grid = terminal_to_matrix(art, invert=invert)
    assert width % 2 == 1
    assert len(grid) == width + 1  # two module rows a line, the last half padding
    want = [[int(bool(v)) for v in row] for row in symbol.matrix_iter(border=border)]
    assert grid[:width] == want
    assert grid[width] == [0] * width  # the padding half line is light


def test_terminal_default_is_for_dark_terminals() -> None:
    art = qr.qr_terminal("HC1:ABC")
    # The quiet zone is light, and light is drawn on a dark terminal: full blocks.
    assert art.splitlines()[0] == "\u2588" * len(art.splitlines()[0])


def test_png_is_a_png_of_the_right_size() -> None:
    symbol = qr.make_qr(hc1_like(825, 8))
    data = qr.qr_png(symbol, scale=3, border=4)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # IHDR: width and height, big-endian, right after the chunk header.
    side = int(symbol.symbol_size(scale=1, border=4)[0]) * 3
    assert int.from_bytes(data[16:20], "big") == side
    assert int.from_bytes(data[20:24], "big") == side


@pytest.mark.parametrize(("scale", "border"), [(1, 0), (2, 4), (3, 1), (8, 4)])
def test_png_pixels_are_the_modules(scale: int, border: int) -> None:
    # (Not compared with segno's own PNG writer: it packs with bytes struct formats,
    # which next to pillow's str ones raise BytesWarning under `python -bb`.)
    image = pytest.importorskip("PIL.Image", reason="decoding PNG in the test needs pillow")
    symbol = qr.make_qr(hc1_like(600, 11))
    ours = image.open(io.BytesIO(qr.qr_png(symbol, scale=scale, border=border)))
    want = bytes(
        0 if dark else 255 for row in symbol.matrix_iter(scale=scale, border=border) for dark in row
    )
    assert ours.size == symbol.symbol_size(scale=scale, border=border)
    assert ours.mode == "1"
    assert ours.convert("L").tobytes() == want


def test_png_from_text_uses_the_default_level() -> None:
    text = hc1_like(600, 9)
    assert qr.qr_png(text) == qr.qr_png(qr.make_qr(text, error="Q"))
    assert qr.qr_png(text) != qr.qr_png(qr.make_qr(text, error="L"))


def test_svg_is_svg_of_the_right_size() -> None:
    symbol = qr.make_qr(hc1_like(600, 10))
    data = qr.qr_svg(symbol, scale=2, border=1)
    root = ET.fromstring(data)  # our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    side = symbol.symbol_size(scale=2, border=1)[0]
    assert float(root.attrib["width"]) == side
    assert float(root.attrib["height"]) == side
    assert re.search(rb"<path", data)


@pytest.mark.parametrize("render", [qr.qr_png, qr.qr_svg])
@pytest.mark.parametrize(
    ("kwargs", "error_type"),
    [
        ({"scale": 0}, ValueError),
        ({"border": -1}, ValueError),
        ({"scale": 1.5}, TypeError),
        ({"scale": True}, TypeError),
    ],
)
def test_renderers_refuse_bad_geometry(
    render: Callable[..., bytes], kwargs: dict[str, Any], error_type: type[Exception]
) -> None:
    with pytest.raises(error_type):
        render("HC1:ABC", **kwargs)


@pytest.mark.parametrize("render", [qr.qr_png, qr.qr_svg, qr.qr_terminal])
def test_renderers_refuse_other_objects(render: Callable[..., object]) -> None:
    with pytest.raises(TypeError):
        render(b"HC1:ABC")
    with pytest.raises(ValueError):
        render("hc1:abc")
