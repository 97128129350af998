"""QR symbols for passports: made with segno, the mask chosen fast and exactly.

A passport travels as a QR code holding its ``HC1:`` text. :func:`make_qr` always
encodes that text in alphanumeric mode at the error correction level asked for
(``Q`` by default, as the hcert spec recommends) and never raises the level on its
own (segno's ``boost_error``), so the same text always gives the same symbol.
Renderers return bytes or a string in memory; nothing here writes a file.

The encoder is in ``_qrencode``: it computes the data mask ISO/IEC 18004's penalty
evaluation selects, exactly as segno does, in about 4 ms instead of segno's 29, and gives
``segno.make(text, error=..., mode="alphanumeric", micro=False, boost_error=False)``
module for module (the tests hold it to that; ``segno.make`` is their reference only).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Final

import segno

from ._qrencode import consts, enc, encode
from .hazmat.base45 import ALPHABET


__all__ = [
    "ERROR_LEVELS",
    "make_qr",
    "qr_png",
    "qr_svg",
    "qr_terminal",
    "qr_version",
]

#: Error correction levels, weakest first (about 7, 15, 25 and 30 % recovery).
ERROR_LEVELS: Final = ("L", "M", "Q", "H")

# ISO/IEC 18004 7.3.4: the 45 characters of alphanumeric mode, Base45's alphabet exactly.
_ALPHANUMERIC: Final = re.compile(f"[{re.escape(ALPHABET)}]*")


def _error_constant(error: str) -> int:
    if not isinstance(error, str):
        raise TypeError(f"error must be one of {ERROR_LEVELS}, not {type(error).__name__}")
    level = error.upper()
    if level not in ERROR_LEVELS:
        raise ValueError(f"error must be one of {ERROR_LEVELS}, not {error!r}")
    constant: int = getattr(consts, f"ERROR_LEVEL_{level}")
    return constant


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text or _ALPHANUMERIC.fullmatch(text) is None:
        raise ValueError(
            "text must be non-empty and use only QR alphanumeric characters "
            "(0-9 A-Z space $ % * + - . / :), as HC1 texts do"
        )


def make_qr(text: str, *, error: str = "Q", mask: int | None = None) -> segno.QRCode:
    """The QR symbol for *text*: alphanumeric mode, level *error*, smallest version.

    *error* is one of ``L``, ``M``, ``Q`` (default) or ``H`` and is used as given,
    never raised. *mask* (0-7) forces a data mask; by default the mask is the one
    ISO/IEC 18004's penalty evaluation selects (the same one segno selects).

    Raises :class:`TypeError` or :class:`ValueError` for a text that is not a
    non-empty alphanumeric-mode string, and segno's ``DataOverflowError`` (a
    :class:`ValueError`) when it does not fit a version 40 symbol at that level.
    """
    _check_text(text)
    level = _error_constant(error)
    if mask is not None:
        if isinstance(mask, bool) or not isinstance(mask, int):
            raise TypeError(f"mask must be an int or None, not {type(mask).__name__}")
        if not 0 <= mask <= 7:
            raise ValueError(f"mask must be from 0 to 7, not {mask}")
    return encode(text, level, mask)


def qr_version(text: str, *, error: str = "Q") -> int:
    """The QR version (1-40) :func:`make_qr` uses for *text* at level *error*.

    A version-*v* symbol is ``17 + 4 v`` modules wide, without the quiet zone.
    """
    _check_text(text)
    level = _error_constant(error)
    segments = enc.prepare_data(text, consts.MODE_ALPHANUMERIC, None)
    version: int = enc.find_version(segments, level, eci=False, micro=False)
    return version


def _symbol(text_or_symbol: str | segno.QRCode) -> segno.QRCode:
    if isinstance(text_or_symbol, segno.QRCode):
        return text_or_symbol
    if isinstance(text_or_symbol, str):
        return make_qr(text_or_symbol)
    raise TypeError(
        f"expected an HC1 text (str) or a segno.QRCode, not {type(text_or_symbol).__name__}"
    )


def _check_geometry(scale: int, border: int) -> None:
    for name, value, low in (("scale", scale, 1), ("border", border, 0)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < low:
            raise ValueError(f"{name} must be at least {low}, not {value}")


def qr_png(text_or_symbol: str | segno.QRCode, *, scale: int = 4, border: int = 4) -> bytes:
    """PNG bytes: black modules on white, *scale* pixels a module, *border* modules quiet zone.

    A text is first made into a symbol with :func:`make_qr` at its default level;
    pass a symbol to choose another. The ISO quiet zone is 4 modules. The image is
    1-bit greyscale, pixel for pixel what segno's PNG writer draws.
    """
    _check_geometry(scale, border)
    symbol = _symbol(text_or_symbol)
    modules = [bytes(row) for row in symbol.matrix_iter(border=border)]
    side = len(modules) * scale
    # 1-bit grey: 0 is black. Each line: filter type 0, then the pixels, padded to bytes.
    pad = -side % 8
    lines = []
    for row in modules:
        pixels = (
            row.translate(_DARK_TO_BLACK).replace(b"0", b"0" * scale).replace(b"1", b"1" * scale)
        )
        line = b"\x00" + int(pixels + b"0" * pad, 2).to_bytes((side + pad) // 8, "big")
        lines.extend([line] * scale)
    # The IHDR: width, height, bit depth 1, colour type 0 (grey), deflate, filter 0, no interlace.
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"".join(lines), 9)),
            _png_chunk(b"IEND", b""),
        )
    )


# Module value (1 dark, 0 light) -> ASCII bit of the PNG pixel (0 black, 1 white).
_DARK_TO_BLACK: Final = bytes.maketrans(b"\x00\x01", b"10")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    # struct formats are str here: segno's PNG writer uses bytes formats, and the two
    # kinds of key in struct's cache compare with a BytesWarning under `python -bb`.
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def qr_svg(text_or_symbol: str | segno.QRCode, *, scale: int = 4, border: int = 4) -> bytes:
    """SVG bytes (UTF-8, with XML declaration); sizes as for :func:`qr_png`."""
    _check_geometry(scale, border)
    out = io.BytesIO()
    _symbol(text_or_symbol).save(out, kind="svg", scale=scale, border=border)
    return out.getvalue()


# Two module rows per line of text: (upper drawn, lower drawn) -> character.
_HALF_BLOCKS: Final = {
    (False, False): " ",
    (True, False): "\N{UPPER HALF BLOCK}",
    (False, True): "\N{LOWER HALF BLOCK}",
    (True, True): "\N{FULL BLOCK}",
}
# Two modules by two per character: (upper left, upper right, lower left, lower right) drawn.
_QUADRANTS: Final = {
    (False, False, False, False): " ",
    (True, False, False, False): "\N{QUADRANT UPPER LEFT}",
    (False, True, False, False): "\N{QUADRANT UPPER RIGHT}",
    (True, True, False, False): "\N{UPPER HALF BLOCK}",
    (False, False, True, False): "\N{QUADRANT LOWER LEFT}",
    (True, False, True, False): "\N{LEFT HALF BLOCK}",
    (False, True, True, False): "\N{QUADRANT UPPER RIGHT AND LOWER LEFT}",
    (True, True, True, False): "\N{QUADRANT UPPER LEFT AND UPPER RIGHT AND LOWER LEFT}",
    (False, False, False, True): "\N{QUADRANT LOWER RIGHT}",
    (True, False, False, True): "\N{QUADRANT UPPER LEFT AND LOWER RIGHT}",
    (False, True, False, True): "\N{RIGHT HALF BLOCK}",
    (True, True, False, True): "\N{QUADRANT UPPER LEFT AND UPPER RIGHT AND LOWER RIGHT}",
    (False, False, True, True): "\N{LOWER HALF BLOCK}",
    (True, False, True, True): "\N{QUADRANT UPPER LEFT AND LOWER LEFT AND LOWER RIGHT}",
    (False, True, True, True): "\N{QUADRANT UPPER RIGHT AND LOWER LEFT AND LOWER RIGHT}",
    (True, True, True, True): "\N{FULL BLOCK}",
}


def qr_terminal(
    text_or_symbol: str | segno.QRCode,
    *,
    border: int = 2,
    invert: bool = True,
    quadrants: bool = True,
) -> str:
    """Text art of the symbol: two by two modules a character, with quadrant blocks.

    A passport's symbol (version 21, 101 modules and the quiet zone) is then 53 columns
    wide and fits an 80-column terminal, as every symbol up to version 35 does. Character
    cells are about twice as tall as wide, so the symbol is drawn half as wide as tall;
    QR readers take that in their stride. With ``quadrants=False``, one module a column
    and two rows a line with half blocks: square modules, twice as wide (105 columns),
    for fonts without the quadrant characters.

    Terminals draw characters in the foreground colour. With ``invert=True`` (the
    default, for the usual light text on a dark background) the characters draw
    the *light* modules and the background shows through as the dark ones; with
    ``invert=False`` they draw the dark modules (dark text on a light background).
    Lines end with ``"\\n"``. A quiet zone of 2 modules is usually enough on screen.
    """
    _check_geometry(1, border)
    symbol = _symbol(text_or_symbol)
    ink = not invert
    rows = [[bool(cell) == ink for cell in row] for row in symbol.matrix_iter(border=border)]
    # A symbol and its quiet zone are an odd number of modules wide: pad with light.
    rows.append([not ink] * len(rows[0]))
    if not quadrants:
        return "".join(
            "".join(_HALF_BLOCKS[pair] for pair in zip(upper, lower, strict=True)) + "\n"
            for upper, lower in zip(rows[::2], rows[1::2], strict=True)
        )
    for row in rows:
        row.append(not ink)
    return "".join(
        "".join(
            _QUADRANTS[upper[x], upper[x + 1], lower[x], lower[x + 1]]
            for x in range(0, len(upper), 2)
        )
        + "\n"
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    )
