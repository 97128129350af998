"""Reading QR codes from pictures: the optional ``vaxpass-core[scan]`` extra.

Decoding uses zxing-cpp (a self-contained wheel, no system library), with pillow
to open PNG and JPEG bytes and numpy for arrays. They are imported on first use,
so ``import vaxpass_core.scan`` always works; without them, :func:`read_qr` raises
:class:`ScanUnavailable` (an :class:`ImportError`) saying what to install.

Pictures come in as objects or bytes, never as paths: this module reads no file.
The text read is untrusted; hand it to ``verify()``.
"""

from __future__ import annotations

import importlib
import io
from typing import TYPE_CHECKING, Any

from .errors import AmbiguousQR, QRNotFound
from .hc1 import PREFIX


if TYPE_CHECKING:
    from types import ModuleType


__all__ = ["AmbiguousQR", "ScanUnavailable", "read_passport", "read_qr"]

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

    Raises :class:`ScanUnavailable` without the ``[scan]`` extra,
    :class:`~vaxpass_core.errors.QRNotFound` when the bytes are no readable PNG or
    JPEG, :class:`TypeError` for a path, any other object or an array that is not
    ``uint8``, and :class:`ValueError` for an array of another shape.
    """
    grey = _grey(image)
    zxingcpp = _load("zxingcpp")
    try:
        found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
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
        return _flatten(image)
    numpy = _load("numpy")
    if isinstance(image, numpy.ndarray):
        return _flatten(_from_array(image, pil, numpy))
    raise TypeError(
        f"read_qr takes a PIL image, a numpy array, or PNG/JPEG bytes, not {type(image).__name__}"
    )


def _open(data: bytes) -> Any:
    pil = _load("PIL.Image")
    try:
        picture = pil.open(io.BytesIO(data), formats=_FORMATS)
        picture.load()
    except Exception as exc:  # pillow raises many types on bad data; all mean unreadable
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
