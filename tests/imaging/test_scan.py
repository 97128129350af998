"""read_qr / read_passport: what they accept, what they return, how they refuse."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from vaxpass_core import qr
from vaxpass_core.errors import Code, QRNotFound, VaxpassError


pytest.importorskip("zxingcpp", reason="reading pictures needs the [scan] extra (zxing-cpp)")
np = pytest.importorskip("numpy", reason="reading pictures needs the [scan] extra (numpy)")
Image = pytest.importorskip("PIL.Image", reason="reading pictures needs the [scan] extra")

from vaxpass_core import scan  # noqa: E402 - after the extra is known to be there


PASSPORT = "HC1:" + "NCFOXN%TS3DHMSCEQVSU9$BJD$45NL-AH-R6IOOW%IHOT$E08WAWN0%W0AT4V22F" * 6
OTHER = "HC1:" + "6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4" * 5


def grey(text: str, *, scale: int = 4) -> Any:
    return Image.open(io.BytesIO(qr.qr_png(text, scale=scale))).convert("L")


def side_by_side(*images: Any) -> Any:
    width = sum(i.width for i in images) + 40 * (len(images) - 1)
    height = max(i.height for i in images)
    canvas = Image.new("L", (width, height), 255)
    x = 0
    for image in images:
        canvas.paste(image, (x, 0))
        x += image.width + 40
    return canvas


def encoded(image: Any, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


# --- what goes in -------------------------------------------------------------------------


def as_rgb_array(image: Any) -> Any:
    return np.asarray(image.convert("RGB"))


def as_rgba_array(image: Any) -> Any:
    return np.asarray(image.convert("RGBA"))


def as_column_array(image: Any) -> Any:
    return np.asarray(image)[:, :, np.newaxis]


def as_strided_array(image: Any) -> Any:
    return np.asarray(image.convert("RGB"))[:, :, ::-1]  # BGR view, not contiguous


INPUTS = {
    "pil-grey": lambda im: im,
    "pil-rgb": lambda im: im.convert("RGB"),
    "pil-1bit": lambda im: im.convert("1"),
    "pil-palette": lambda im: im.convert("P"),
    "numpy-grey": np.asarray,
    "numpy-rgb": as_rgb_array,
    "numpy-rgba": as_rgba_array,
    "numpy-hxwx1": as_column_array,
    "numpy-bgr-view": as_strided_array,
    "png-bytes": lambda im: encoded(im, "PNG"),
    "jpeg-bytes": lambda im: encoded(im.convert("RGB"), "JPEG"),
    "bytearray": lambda im: bytearray(encoded(im, "PNG")),
    "memoryview": lambda im: memoryview(encoded(im, "PNG")),
}


@pytest.mark.parametrize("kind", list(INPUTS))
def test_accepted_inputs(kind: str) -> None:
    picture = INPUTS[kind](grey(PASSPORT))
    assert scan.read_qr(picture) == [PASSPORT]
    assert scan.read_passport(picture) == PASSPORT


def test_transparent_background_counts_as_light() -> None:
    # Black modules on a transparent background: the transparent pixels are (0, 0, 0, 0),
    # black if the alpha were dropped; they must count as white.
    image = grey(PASSPORT)
    rgba = Image.new("RGBA", image.size, (0, 0, 0, 0))
    rgba.putalpha(image.point(lambda v: 255 - v))
    for picture in (rgba, encoded(rgba, "PNG"), np.asarray(rgba), rgba.convert("LA")):
        assert scan.read_passport(picture) == PASSPORT


def test_palette_transparency_counts_as_light() -> None:
    image = grey(PASSPORT).convert("P")
    white = image.getpixel((20, 20))  # a quiet-zone pixel: its palette entry is white
    image.info["transparency"] = white
    # Make the transparent palette entry black, so only flattening makes it white.
    palette = image.getpalette() or []
    palette[3 * white : 3 * white + 3] = [0, 0, 0]
    image.putpalette(palette)
    assert scan.read_passport(image) == PASSPORT


def test_decoder_failures_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    import zxingcpp

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("decoder blew up")

    monkeypatch.setattr(zxingcpp, "read_barcodes", broken)
    with pytest.raises(QRNotFound, match="blew up") as info:
        scan.read_qr(grey(PASSPORT))
    assert info.value.code is Code.QR_NOT_FOUND


def test_light_on_dark_is_read() -> None:
    inverted = grey(PASSPORT).point(lambda v: 255 - v)
    assert scan.read_passport(inverted) == PASSPORT


# --- what comes out ---------------------------------------------------------------------


def test_several_codes_give_all_of_them() -> None:
    greeting = grey("HELLO WORLD", scale=6)
    picture = side_by_side(grey(PASSPORT), greeting, grey(OTHER))
    assert sorted(scan.read_qr(picture)) == sorted([PASSPORT, "HELLO WORLD", OTHER])


def test_no_code_is_an_empty_list_and_not_found() -> None:
    blank = Image.new("L", (200, 200), 255)
    assert scan.read_qr(blank) == []
    with pytest.raises(QRNotFound) as info:
        scan.read_passport(blank)
    assert info.value.code is Code.QR_NOT_FOUND
    assert isinstance(info.value, VaxpassError)
    assert isinstance(info.value, LookupError)


def test_read_passport_ignores_codes_that_are_not_passports() -> None:
    picture = side_by_side(grey("HELLO WORLD", scale=6), grey(PASSPORT))
    assert scan.read_passport(picture) == PASSPORT
    with pytest.raises(QRNotFound, match="HC1"):
        scan.read_passport(grey("HC2:NOT A PASSPORT", scale=6))


def test_the_same_passport_twice_is_one() -> None:
    picture = side_by_side(grey(PASSPORT), grey(PASSPORT))
    assert scan.read_qr(picture) == [PASSPORT, PASSPORT]
    assert scan.read_passport(picture) == PASSPORT


def test_two_different_passports_are_ambiguous() -> None:
    picture = side_by_side(grey(PASSPORT), grey(OTHER))
    with pytest.raises(scan.AmbiguousQR) as info:
        scan.read_passport(picture)
    assert isinstance(info.value, QRNotFound)
    assert info.value.code is Code.QR_AMBIGUOUS


def test_text_is_handed_back_untouched() -> None:
    # Spaces and symbols of alphanumeric mode survive, at every level.
    text = "HC1: $%*+-./:0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 8
    for error in ("L", "M", "Q", "H"):
        assert scan.read_qr(qr.qr_png(qr.make_qr(text, error=error))) == [text]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"not a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\x00" * 40],
)
def test_bytes_that_are_no_png_or_jpeg(data: bytes) -> None:
    with pytest.raises(QRNotFound) as info:
        scan.read_qr(data)
    assert info.value.code is Code.QR_NOT_FOUND


def test_other_formats_are_not_decoded() -> None:
    # Only PNG and JPEG decoders run on untrusted bytes, even where pillow knows more.
    with pytest.raises(QRNotFound):
        scan.read_qr(encoded(grey(PASSPORT), "BMP"))


def test_paths_are_refused() -> None:
    with pytest.raises(TypeError, match="bytes"):
        scan.read_qr("VAC_VN.png")
    with pytest.raises(TypeError):
        scan.read_passport("/tmp/passport.png")  # never opened


@pytest.mark.parametrize("thing", [None, 42, [1, 2, 3], object()])
def test_other_objects_are_refused(thing: Any) -> None:
    with pytest.raises(TypeError):
        scan.read_qr(thing)


def test_arrays_must_be_bytes_of_pixels() -> None:
    image = np.asarray(grey(PASSPORT))
    with pytest.raises(TypeError, match="uint8"):
        scan.read_qr(image.astype(np.float64))
    with pytest.raises(ValueError, match="shape"):
        scan.read_qr(image[:, :, np.newaxis].repeat(2, axis=2))
    with pytest.raises(ValueError, match="shape"):
        scan.read_qr(image[0])


# --- without the extra ----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["zxingcpp", "PIL", "numpy"])
def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for name in list(sys.modules):
        if name == missing or name.startswith(missing + "."):
            monkeypatch.setitem(sys.modules, name, None)  # makes `import name` fail
    monkeypatch.setitem(sys.modules, missing, None)
    # scan imports its dependencies on first use, so this is the state without them.
    picture: Any = np.zeros((10, 10), dtype=np.uint8)
    if missing == "PIL":
        picture = b"\x89PNG"
    if missing == "numpy":
        picture = object()
    with pytest.raises(scan.ScanUnavailable, match=r"pip install 'vaxpass-core\[scan\]'"):
        scan.read_qr(picture)
    assert issubclass(scan.ScanUnavailable, ImportError)


def test_import_needs_no_extra() -> None:
    # In a fresh interpreter where the extra cannot be imported.
    code = (
        "import sys\n"
        "for name in ('zxingcpp', 'PIL', 'numpy'): sys.modules[name] = None\n"
        "import vaxpass_core.scan as s\n"
        "try:\n"
        "    s.read_qr(b'x')\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    done = subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("ScanUnavailable ")
    assert "pip install 'vaxpass-core[scan]'" in done.stdout
