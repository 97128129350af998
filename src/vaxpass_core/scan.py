"""Reading QR codes from pictures: the optional ``vaxpass-core[scan]`` extra.

Decoding uses zxing-cpp (a self-contained wheel, no system library), with pillow
to open PNG and JPEG bytes and numpy for arrays. They are imported on first use,
so ``import vaxpass_core.scan`` always works; without them, :func:`read_qr` raises
:class:`ScanUnavailable` (an :class:`ImportError`) saying what to install.

Pictures come in as objects or bytes, never as paths: this module reads no file.
The text read is untrusted; hand it to ``verify()``.

Work is bounded: a picture is measured before its pixels are decoded, and one larger than
:data:`MAX_PIXELS` (or :data:`MAX_SIDE` a side) is refused with
:class:`~vaxpass_core.errors.PictureTooLarge` (``qr.too-large``), so a few kilobytes of
PNG declaring 12000 x 12000 pixels cost nothing. A picture the decoder reads on its first
pass costs that pass only; when it finds nothing, :func:`read_qr` tries harder (the
picture enlarged and sharpened, for a code photographed at two pixels a module; stretched
to full contrast with another binarizer, for a faint one) before saying there is none.
"""

from __future__ import annotations

import importlib
import io
import warnings
from typing import TYPE_CHECKING, Any, Final

from .errors import AmbiguousQR, PictureTooLarge, QRNotFound
from .hazmat.hc1 import PREFIX


if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType


__all__ = [
    "MAX_PIXELS",
    "MAX_SIDE",
    "AmbiguousQR",
    "PictureTooLarge",
    "ScanUnavailable",
    "read_passport",
    "read_qr",
]

#: The most pixels a picture may have (40 megapixels: any phone's photo, not a bomb).
MAX_PIXELS: Final = 40_000_000
#: The longest side a picture may have, in pixels.
MAX_SIDE: Final = 16_384
# Pictures up to this many pixels are also tried enlarged 2x when the first pass finds
# nothing (the enlarged copy then has at most 4 times as many).
_ENLARGE_UP_TO: Final = 4_000_000

_INSTALL = "pip install 'vaxpass-core[scan]'"
# Decoding formats pillow may try on untrusted bytes: only those passports come in.
_FORMATS = ("PNG", "JPEG")


class ScanUnavailable(ImportError):
    """The optional dependencies for reading pictures are not installed."""


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ScanUnavailable(
            f"reading QR codes from pictures needs {name}, from the optional extra: {_INSTALL}"
        ) from exc


def read_qr(image: Any) -> list[str]:
    """The texts of all QR codes in *image*, in the order zxing-cpp reports them.

    *image* is a ``PIL.Image.Image``, a ``numpy`` array (``uint8``: height x width
    grey, or height x width x 3 or 4 in RGB(A) order, as pillow gives them) or the
    bytes of a PNG or JPEG file. Rotated and inverted (light on dark) codes are
    found, and every code in the picture. No code gives an empty list.

    A numpy array is read as grey levels (or RGB(A)); an array of palette indices
    (``numpy.asarray`` of a ``P`` mode image) is not grey, but a two-colour one is
    still read (its contrast is stretched when the first pass finds nothing). Pass
    the pillow image itself, or ``image.convert("L")``, for other palette pictures.

    Raises :class:`ScanUnavailable` without the ``[scan]`` extra,
    :class:`~vaxpass_core.errors.QRNotFound` when the bytes are no readable PNG or
    JPEG, :class:`~vaxpass_core.errors.PictureTooLarge` (a ``QRNotFound``, code
    ``qr.too-large``) for a picture over :data:`MAX_PIXELS` or :data:`MAX_SIDE`,
    :class:`TypeError` for a path, any other object or an array that is not
    ``uint8``, and :class:`ValueError` for an array of another shape.
    """
    grey = _grey(image)
    zxingcpp = _load("zxingcpp")
    for attempt in _attempts(grey, zxingcpp):
        found = _decode(zxingcpp, *attempt)
        if found:
            return found
    return []


def _attempts(grey: Any, zxingcpp: ModuleType) -> Iterator[tuple[Any, Any]]:
    """(picture, binarizer) to try in turn, made only when the one before found nothing.

    zxing-cpp itself tries each rotated, inverted and downscaled.
    """
    pil = _load("PIL.Image")
    filters = _load("PIL.ImageFilter")
    ops = _load("PIL.ImageOps")
    yield grey, zxingcpp.Binarizer.LocalAverage
    width, height = grey.size
    if width * height <= _ENLARGE_UP_TO:
        # A code photographed at about two pixels a module: enlarged and sharpened, the
        # modules are wide enough again for the detector to find the finder patterns.
        enlarged = grey.resize((2 * width, 2 * height), pil.Resampling.BICUBIC)
        yield (
            enlarged.filter(filters.UnsharpMask(radius=3, percent=150, threshold=0)),
            (zxingcpp.Binarizer.LocalAverage),
        )
    # A faint code, or palette indices read as grey: full contrast, one threshold.
    yield ops.autocontrast(grey, cutoff=1), zxingcpp.Binarizer.GlobalHistogram


def _decode(zxingcpp: ModuleType, picture: Any, binarizer: Any) -> list[str]:
    try:
        found = zxingcpp.read_barcodes(
            picture, formats=zxingcpp.BarcodeFormat.QRCode, binarizer=binarizer
        )
    except Exception as exc:  # the decoder is C++; wrap whatever it raises
        raise QRNotFound(f"the QR decoder failed on this picture: {exc}") from exc
    return [code.text for code in found]


def read_passport(image: Any) -> str:
    """The one passport (``HC1:`` text) in *image*.

    Codes that do not start with ``HC1:`` are ignored, and the same passport shown
    twice counts once. Raises :class:`~vaxpass_core.errors.QRNotFound` (code
    ``qr.not-found``) when there is none, and :class:`AmbiguousQR` (a
    ``QRNotFound``) when there are several different ones; otherwise as
    :func:`read_qr`.
    """
    passports = list(dict.fromkeys(t for t in read_qr(image) if t.startswith(PREFIX)))
    if not passports:
        raise QRNotFound("no QR code holding an HC1: passport was found in the picture")
    if len(passports) > 1:
        raise AmbiguousQR(
            f"the picture holds {len(passports)} different passports; read_qr() returns all"
        )
    return passports[0]


def _grey(image: Any) -> Any:
    """*image* as an 8-bit grey pillow image, transparency flattened onto white."""
    if isinstance(image, str):
        raise TypeError(
            "read_qr takes a picture (PIL image, numpy array, PNG/JPEG bytes), not a "
            "str: read the file yourself and pass its bytes"
        )
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _flatten(_open(bytes(image)))
    pil = _load("PIL.Image")
    if isinstance(image, pil.Image):
        _check_size(*image.size)
        return _flatten(image)
    numpy = _load("numpy")
    if isinstance(image, numpy.ndarray):
        if image.ndim >= 2:
            _check_size(image.shape[1], image.shape[0])
        return _flatten(_from_array(image, pil, numpy))
    raise TypeError(
        f"read_qr takes a PIL image, a numpy array, or PNG/JPEG bytes, not {type(image).__name__}"
    )


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise PictureTooLarge(
            f"the picture is {width} x {height} pixels, more than a passport photo needs "
            f"(at most {MAX_PIXELS:,} pixels, {MAX_SIDE:,} a side): make it smaller"
        )


def _open(data: bytes) -> Any:
    pil = _load("PIL.Image")
    try:
        with warnings.catch_warnings():
            # pillow's own bomb warning comes at 89 megapixels; the limits here are lower.
            warnings.simplefilter("ignore", pil.DecompressionBombWarning)
            picture = pil.open(io.BytesIO(data), formats=_FORMATS)  # reads the header only
    except pil.DecompressionBombError as exc:  # pillow's hard limit, far past ours
        raise PictureTooLarge(f"the picture is far too large: {exc}") from exc
    except Exception as exc:  # pillow raises many types on bad data; all mean unreadable
        raise QRNotFound(f"the bytes are not a readable PNG or JPEG picture: {exc}") from exc
    _check_size(*picture.size)  # before a single pixel is decoded
    try:
        picture.load()
    except Exception as exc:
        raise QRNotFound(f"the bytes are not a readable PNG or JPEG picture: {exc}") from exc
    return picture


def _from_array(array: Any, pil: ModuleType, numpy: ModuleType) -> Any:
    if array.dtype != numpy.uint8:
        raise TypeError(f"a picture array must have dtype uint8, not {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4)):
        # pillow reads the mode from the shape: L, RGB or RGBA.
        return pil.fromarray(numpy.ascontiguousarray(array))
    raise ValueError(
        f"a picture array must be height x width (x 1, 3 or 4), not shape {array.shape}"
    )


def _flatten(picture: Any) -> Any:
    """Grey, 8 bits; transparent pixels become white (a QR code's light modules)."""
    pil = _load("PIL.Image")
    if picture.mode == "P" and "transparency" in picture.info:
        picture = picture.convert("RGBA")
    if picture.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = picture.convert("RGBA")
        background = pil.new("RGBA", rgba.size, (255, 255, 255, 255))
        picture = pil.alpha_composite(background, rgba)
    return picture if picture.mode == "L" else picture.convert("L")
