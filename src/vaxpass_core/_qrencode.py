"""The QR encoder behind :func:`vaxpass_core.qr.make_qr`: the same symbols as segno, faster.

segno takes about 29 ms for Viet Nam's 825-character passport at level Q, 23 of
them choosing the data mask: it applies each of the 8 masks and scores each
candidate with the four penalty rules of ISO/IEC 18004 7.8.3.1, in a Python loop
over every module. A fixed mask would save that time, but the mask exists to keep
large uniform areas and finder-like patterns out of the symbol, and a mask picked
without looking can leave them in: symbols would be harder to scan. So we keep the
standard's choice and compute it faster, exactly:

- the symbol is held as two byte strings, rows and columns, one byte a module, each
  line closed by a separator byte (2) that no run or pattern can cross; each mask
  is a precomputed big integer over those strings, so masking is one XOR;
- N1 (runs of five or more) and N2 (2x2 blocks) come from XORs of that integer with
  shifted copies of itself: equal neighbours give zero bytes, which
  ``bytes.count`` counts;
- N3 (the 1:1:3:1:1 finder-like pattern) is found with ``bytes.find`` and judged by
  segno's reading of the light-area rule; N4 (dark share) is ``bytes.count`` and
  segno's own arithmetic.

The scores equal segno's, so the mask equals the one segno picks, and the symbol
equals ``segno.make(text, error=..., mode="alphanumeric", micro=False,
boost_error=False)`` module for module; the tests check this over hundreds of texts
at every level and version. segno still encodes the data bits and adds the format
and version information; block splitting, Reed-Solomon, interleaving and module
placement are done here with tables cached per version (placement becomes one
gather by ``operator.itemgetter``), because in segno they cost about 4 ms more.
Result: about 4 ms instead of 29 (``python benchmarks/bench_qr.py``; docs/qr.md).

Alternatives weighed: caching whole symbols helps only repeated texts, and every
passport is unique; numpy is not a core dependency, and ``int`` and ``bytes`` already
do the work in C, well inside the 8 ms target, so there is one code path only.

The per-version tables are memoised (bounded ``functools.lru_cache`` of immutable
values, the same for every caller): a cache, not state.

It is the only encoder: a forced mask (``make_qr(text, mask=k)``) goes through it too,
and ``segno.make`` is only the tests' reference. It relies on ``segno.encoder`` and
``segno.consts``, which segno does not document as public: the equality tests against
``segno.make`` flag any segno release that changes them.
"""

from __future__ import annotations

import functools
import importlib
import operator
from typing import TYPE_CHECKING, Any, Final

import attrs
import segno


if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


__all__ = ["Layout", "consts", "enc", "encode", "penalty"]

# segno's encoder internals carry no type information; the tests pin their behaviour.
enc: Any = importlib.import_module("segno.encoder")
consts: Any = importlib.import_module("segno.consts")
_QRCode: Any = segno.QRCode

# A separator byte closes every line of modules, so no run or pattern spans two lines.
_SEP: Final = b"\x02"
_FINDER_LIKE: Final = b"\x01\x00\x01\x01\x01\x00\x01"
# bytes.translate table: a zero byte -> "0", any other byte -> "1".
_ZERO_FLAGS: Final = b"0" + b"1" * 255

# ISO/IEC 18004:2015 table 10, i = row, j = column.
_MASK_CONDITIONS: Final[tuple[Callable[[int, int], bool], ...]] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, _: i % 2 == 0,
    lambda _, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
# Every mask repeats with period 12 in both directions (lcm of 2, 3 and 2*2, 3*2).
_TILE: Final = 12


def encode(text: str, level: int, mask: int | None = None) -> segno.QRCode:
    """The symbol for an alphanumeric *text* at segno's error level constant *level*.

    *mask* (0-7) forces the data mask; None picks the one the penalty evaluation selects.
    """
    # segno encodes the data bits; the rest of ISO/IEC 18004 clause 7 is done here,
    # with tables cached per version.
    segments = enc.prepare_data(text, consts.MODE_ALPHANUMERIC, None)
    version: int = enc.find_version(segments, level, eci=False, micro=False)
    buff = enc.Buffer()
    for segment in segments:
        enc.write_segment(buff, segment, None, enc.version_range(version), False)
    capacity = consts.SYMBOL_CAPACITY[version][level]
    enc.write_terminator(buff, capacity, None, len(buff))
    enc.write_padding_bits(buff, version, len(buff))
    enc.write_pad_codewords(buff, version, capacity, len(buff))
    bits = bytes(buff.getbits())
    data = int(bits.translate(_BITS_TO_ASCII), 2).to_bytes(len(bits) // 8, "big")
    message = _final_message(data, version, level)
    layout = _layout(version)
    # Module values in placement order, then the constants that fill the other modules.
    source = _message_bits(message) + _CONSTANTS
    row_str = bytes(layout.rows_from(source))
    col_str = bytes(layout.cols_from(source))
    if mask is None:
        best, rows = _best_mask(row_str, col_str, layout)
    else:
        best = mask
        rows = _masked(int.from_bytes(row_str, "little"), layout, mask, len(row_str))
    size = layout.size
    stride = size + 1
    final = tuple(bytearray(rows[i * stride : i * stride + size]) for i in range(size))
    enc.add_format_info(final, version, level, best)
    enc.add_version_info(final, version)
    symbol: segno.QRCode = _QRCode(enc.Code(final, version, level, best, segments))
    return symbol


_BITS_TO_ASCII: Final = bytes.maketrans(b"\x00\x01", b"01")
_ASCII_TO_BITS: Final = bytes.maketrans(b"01", b"\x00\x01")
# Appended after the message bits: the values 0, 1 and the separator 2, which the
# gather tables use for function patterns, remainder bits and line ends.
_CONSTANTS: Final = b"\x00\x01\x02"


def _message_bits(message: bytes) -> bytes:
    """One byte (0 or 1) per bit, most significant bit first."""
    width = 8 * len(message)
    return format(int.from_bytes(message, "big"), f"0{width}b").encode().translate(_ASCII_TO_BITS)


def _final_message(data: bytes, version: int, level: int) -> bytes:
    """ISO/IEC 18004 7.5-7.6: split into blocks, add Reed-Solomon codewords, interleave."""
    blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    pos = 0
    for info in consts.ECC[version][level]:
        n_ec = info.num_total - info.num_data
        for _ in range(info.num_blocks):
            block = data[pos : pos + info.num_data]
            pos += info.num_data
            blocks.append(block)
            ec_blocks.append(_reed_solomon(block, n_ec))
    return _interleave(blocks) + _interleave(ec_blocks)


def _interleave(blocks: Sequence[bytes]) -> bytes:
    # Blocks differ in length by at most one codeword (the later ones are longer).
    short = min(map(len, blocks))
    head = b"".join(bytes(column) for column in zip(*(b[:short] for b in blocks), strict=True))
    return head + bytes(b[short] for b in blocks if len(b) > short)


def _reed_solomon(block: bytes, n_ec: int) -> bytes:
    """The *n_ec* error correction codewords of *block* (polynomial division in GF(256))."""
    table = _ec_table(n_ec)
    top = 8 * (n_ec - 1)
    keep = (1 << (8 * n_ec)) - 1
    remainder = 0
    for value in block:
        remainder = ((remainder << 8) & keep) ^ table[value ^ (remainder >> top)]
    return remainder.to_bytes(n_ec, "big")


@functools.lru_cache(maxsize=32)
def _ec_table(n_ec: int) -> tuple[int, ...]:
    """For each codeword c: c times the generator polynomial (without its leading term)."""
    log = consts.GALIOS_LOG
    exp = consts.GALIOS_EXP
    gen = consts.GEN_POLY[n_ec]
    multiples = (
        int.from_bytes(bytes(exp[log[c] + gen[n]] for n in range(n_ec)), "big")
        for c in range(1, 256)
    )
    return (0, *multiples)


@attrs.frozen
class Layout:
    """What one version needs, computed once: where each module comes from, and the masks.

    The row string holds the symbol row by row, each row followed by a separator,
    then one more row of separators; the column string holds it column by column.
    ``rows_from``/``cols_from`` build them from the message bits followed by
    :data:`_CONSTANTS`; ``row_masks``/``col_masks`` hold each mask over the same strings.
    """

    size: int
    rows_from: Callable[[bytes], tuple[int, ...]]
    cols_from: Callable[[bytes], tuple[int, ...]]
    row_masks: tuple[int, ...]
    col_masks: tuple[int, ...]


@functools.lru_cache(maxsize=16)
def _layout(version: int) -> Layout:
    size: int = enc.calc_matrix_size(version)
    stride = size + 1
    # segno's matrix before placement: function patterns, format and version areas
    # (and the dark module) as 0 or 1, the encoding region as 2.
    template = enc.make_matrix(size, size)
    enc.add_finder_patterns(template, size, size)
    enc.add_alignment_patterns(template, size, size)
    n_bits = 8 * sum(i.num_total * i.num_blocks for i in consts.ECC[version][consts.ERROR_LEVEL_M])
    zero, sep = n_bits, n_bits + 2
    source = [[zero + cell for cell in row] for row in template]  # constants by default
    region = [[cell == 2 for cell in row] for row in template]
    # ISO/IEC 18004 7.7.3: two-module columns, right to left, alternately up and down,
    # skipping the vertical timing pattern (this follows segno's add_codewords).
    k = 0
    for right in range(size - 1, 0, -2):
        pair = right - 1 if right <= 6 else right
        for vertical in range(size):
            for j in (pair, pair - 1):
                upwards = ((pair & 2) == 0) ^ (j < 6)
                i = size - 1 - vertical if upwards else vertical
                if region[i][j]:
                    # Remainder bits (past the message) are 0.
                    source[i][j] = k if k < n_bits else zero
                    k += 1
    row_index = [idx for row in source for idx in [*row, sep]] + [sep] * stride
    col_index = [idx for col in zip(*source, strict=True) for idx in [*col, sep]]
    region_rows = [bytes(row) for row in region]
    region_cols = [bytes(col) for col in zip(*region_rows, strict=True)]
    reps = size // _TILE + 1
    row_masks: list[int] = []
    col_masks: list[int] = []
    for condition in _MASK_CONDITIONS:
        tile = [bytes(condition(i, j) for j in range(_TILE)) * reps for i in range(_TILE)]
        pattern = [tile[i % _TILE][:size] for i in range(size)]
        row_masks.append(_lines_to_int(pattern, region_rows))
        pattern_t = [bytes(col) for col in zip(*pattern, strict=True)]
        col_masks.append(_lines_to_int(pattern_t, region_cols))
    return Layout(
        size=size,
        rows_from=operator.itemgetter(*row_index),
        cols_from=operator.itemgetter(*col_index),
        row_masks=tuple(row_masks),
        col_masks=tuple(col_masks),
    )


def _lines_to_int(pattern: Sequence[bytes], region: Sequence[bytes]) -> int:
    """A mask as an integer over a row or column string: 1 where it flips a module."""
    size = len(pattern)
    anded = (
        (int.from_bytes(p, "little") & int.from_bytes(r, "little")).to_bytes(size, "little")
        for p, r in zip(pattern, region, strict=True)
    )
    # Separators stay as they are: a mask is 0 there.
    return int.from_bytes(b"\x00".join(anded) + b"\x00", "little")


def _best_mask(row_str: bytes, col_str: bytes, layout: Layout) -> tuple[int, bytes]:
    """ISO/IEC 18004 7.8.3.1: the mask with the lowest penalty (the first on ties).

    Returns the mask and the masked row string. Format and version areas are still
    light here, as in segno: the standard evaluates before adding them.
    """
    rows_base = int.from_bytes(row_str, "little")
    cols_base = int.from_bytes(col_str, "little")
    scores = [
        penalty(rows_base ^ layout.row_masks[k], cols_base ^ layout.col_masks[k], layout)
        for k in range(8)
    ]
    best = scores.index(min(scores))
    return best, _masked(rows_base, layout, best, len(row_str))


def _masked(rows_base: int, layout: Layout, mask: int, length: int) -> bytes:
    """The row string with data mask *mask* applied."""
    return (rows_base ^ layout.row_masks[mask]).to_bytes(length, "little")


def penalty(rows_int: int, cols_int: int, layout: Layout) -> int:
    """N1 + N2 + N3 + N4 of one masked symbol, given as integers over its row and column strings."""
    size = layout.size
    stride = size + 1
    row_len = stride * (size + 1)
    col_len = stride * size
    rows = rows_int.to_bytes(row_len, "little")
    cols = cols_int.to_bytes(col_len, "little")
    return (
        _n1(rows_int, row_len, size)
        + _n1(cols_int, col_len, size)
        + _n2(rows_int, row_len, stride)
        + _n3(rows, size)
        + _n3(cols, size)
        + _n4(rows, size)
    )


def _n1(lines: int, length: int, size: int) -> int:
    """Runs of 5 + i same-colour modules score 3 + i (N1 = 3)."""
    # A zero byte in `same` marks a module equal to its right neighbour; a zero byte
    # in `five` marks the start of 5 equal modules. A run of L >= 5 has L - 4 such
    # starts, and scores L - 2: the zero bytes plus 2 for each block of them.
    same = lines ^ (lines >> 8)
    five = same | (same >> 8) | (same >> 16) | (same >> 24)
    # Stop before the separator that ends the last line (beyond it lie padding bytes).
    flags = five.to_bytes(length, "little")[: size * (size + 1) - 1].translate(_ZERO_FLAGS)
    return flags.count(b"0") + 2 * (flags.count(b"10") + flags.startswith(b"0"))


def _n2(rows: int, length: int, stride: int) -> int:
    """Each 2x2 block of one colour scores 3 (N2 = 3); larger blocks count every 2x2."""
    right = rows ^ (rows >> 8)
    below = rows ^ (rows >> (8 * stride))
    diagonal = rows ^ (rows >> (8 * stride + 8))
    return 3 * (right | below | diagonal).to_bytes(length, "little").count(0)


def _n3(lines: bytes, size: int) -> int:
    """1:1:3:1:1 patterns with 4 light modules on one side score 40 each (N3 = 40).

    Follows segno's reading: a pattern touching either end of its line counts, the
    light area may be cut short by the symbol's edge, and the search resumes after a
    counted pattern.
    """
    stride = size + 1
    score = 0
    pos = lines.find(_FINDER_LIKE)
    while pos != -1:
        col = pos % stride
        start = pos - col
        end = pos + 7
        if (
            col in (0, size - 7)
            or 1 not in lines[max(pos - 4, start) : pos]
            or 1 not in lines[end : min(end + 4, start + size)]
        ):
            score += 40
            pos = lines.find(_FINDER_LIKE, end)
        else:
            pos = lines.find(_FINDER_LIKE, pos + 4)
    return score


def _n4(rows: bytes, size: int) -> int:
    """10 points for every 5 % the dark share strays from 50 % (N4 = 10)."""
    # The same float arithmetic as segno, so that borderline cases round the same way.
    percent = float(rows.count(1)) / (size**2)
    return 10 * int(abs(percent * 100 - 50) / 5)
