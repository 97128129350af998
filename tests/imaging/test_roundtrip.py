"""Passports through real pixels: make_qr -> PNG -> (damage) -> read_qr -> the same text.

Texts are HC1-like: ``HC1:`` and Base45 characters, at the lengths passports have
(about 350 to 1100 characters; Viet Nam's test passport has 825). The damage is
what a phone camera or a printer does: rotation, few pixels a module, blur, JPEG,
noise, a perspective warp, and all of them at once. Strengths are fixed, chosen to
be clearly visible yet readable at every level; the comment on each says how far
from the edge it is.
"""

from __future__ import annotations

import io
import itertools
import random
from typing import TYPE_CHECKING, Any

import pytest

from tests._helpers import NOW, sample_passport
from vaxpass_core import qr


if TYPE_CHECKING:
    from collections.abc import Callable

pytest.importorskip("zxingcpp", reason="reading pictures needs the [scan] extra (zxing-cpp)")
np = pytest.importorskip("numpy", reason="reading pictures needs the [scan] extra (numpy)")
Image = pytest.importorskip("PIL.Image", reason="reading pictures needs the [scan] extra")
ImageFilter = pytest.importorskip("PIL.ImageFilter", reason="reading pictures needs pillow")

from vaxpass_core import scan  # noqa: E402 - after the extra is known to be there


BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
LENGTHS = (350, 600, 825, 1100)
LEVELS = ("L", "M", "Q")


def hc1_like(length: int) -> str:
    rng = random.Random(length)
    return "HC1:" + "".join(rng.choice(BASE45) for _ in range(length - 4))


def picture(text: str, error: str, *, scale: int = 4) -> Any:
    """The PNG from qr_png, opened as an 8-bit grey image."""
    symbol = qr.make_qr(text, error=error)
    return Image.open(io.BytesIO(qr.qr_png(symbol, scale=scale, border=4))).convert("L")


def jpeg(image: Any, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def noisy(image: Any, sigma: float, seed: int = 0) -> Any:
    """Gaussian noise on every pixel, as a numpy array (read_qr takes arrays too)."""
    pixels = np.asarray(image, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return np.clip(pixels + rng.normal(0.0, sigma, pixels.shape), 0, 255).astype(np.uint8)


def perspective(image: Any, amount: float) -> Any:
    """Moves the corners inwards by up to *amount* of the width, each differently."""
    w, h = image.size
    d = amount * w
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [(d, 0.5 * d), (w - 0.3 * d, d), (w - d, h - 0.4 * d), (0.2 * d, h - d)]
    # PIL wants the 8 coefficients that map each output pixel back into the input.
    rows, values = [], []
    for (x, y), (u, v) in zip(moved, corners, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend([u, v])
    coefficients = np.linalg.solve(np.array(rows), np.array(values)).tolist()
    return image.transform(
        image.size,
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BILINEAR,
        fillcolor=255,
    )


def rotated(image: Any, degrees: float) -> Any:
    return image.rotate(degrees, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=255)


def two_pixels_a_module(text: str, error: str) -> Any:
    # Drawn at 5 pixels a module and resampled to 2: module edges fall inside pixels.
    big = picture(text, error, scale=5)
    side = round(big.width * 2 / 5)
    return big.resize((side, side), Image.Resampling.BILINEAR)


def photo(image: Any) -> bytes:
    """Everything at once, each milder: tilt, warp, blur, noise, then JPEG."""
    tilted = perspective(rotated(image, 12), 0.06).filter(ImageFilter.GaussianBlur(1.0))
    return jpeg(Image.fromarray(noisy(tilted, 25)), 40)


DAMAGE: dict[str, Callable[[str, str], Any]] = {
    "none": picture,
    "png-bytes": lambda t, e: qr.qr_png(qr.make_qr(t, error=e), scale=3),
    "rotate-90": lambda t, e: picture(t, e).rotate(90, expand=True),
    "rotate-30": lambda t, e: rotated(picture(t, e), 30),
    "2-pixels-a-module": two_pixels_a_module,
    # Gaussian blur of 1.5 px at 4 px a module; 2.0 px no longer reads.
    "blur": lambda t, e: picture(t, e).filter(ImageFilter.GaussianBlur(1.5)),
    # JPEG at quality 10 (blocky, ringing); 5 still reads.
    "jpeg": lambda t, e: jpeg(picture(t, e), 10),
    # Noise with sigma 40 of 255 on every pixel; 50 fails for some texts.
    "noise": lambda t, e: noisy(picture(t, e), 40),
    # Corners pulled in by up to 10 % of the width, unevenly.
    "perspective": lambda t, e: perspective(picture(t, e), 0.10),
    "photo": lambda t, e: photo(picture(t, e)),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("error", LEVELS)
@pytest.mark.parametrize("length", LENGTHS)
def test_text_survives_pixels(length: int, error: str, damage: str) -> None:
    text = hc1_like(length)
    image = DAMAGE[damage](text, error)
    assert scan.read_qr(image) == [text]
    assert scan.read_passport(image) == text


# Which quarters of a character cell each quadrant block fills: (UL, UR, LL, LR).
_QUARTERS = dict(zip(" ▗▖▄▝▐▞▟▘▚▌▙▀▜▛█", itertools.product((0, 1), repeat=4), strict=True))


def terminal_pixels(art: str, *, invert: bool, cell: tuple[int, int] = (8, 16)) -> Any:
    """*art* drawn as a terminal draws it: cells *cell* pixels (width, height), each
    character's quarters in the foreground colour, the rest in the background colour."""
    ink, paper = (255, 0) if invert else (0, 255)
    rows: list[list[int]] = []
    for line in art.splitlines():
        quarters = [_QUARTERS[c] for c in line]
        rows.append([ink if q else paper for ul, ur, _, _ in quarters for q in (ul, ur)])
        rows.append([ink if q else paper for _, _, ll, lr in quarters for q in (ll, lr)])
    half_w, half_h = cell[0] // 2, cell[1] // 2
    block = np.ones((half_h, half_w), dtype=np.uint8)
    return np.kron(np.array(rows, dtype=np.uint8), block)


@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("cell", [(8, 16), (7, 15), (10, 18)])
def test_terminal_quadrants_read_back(invert: bool, cell: tuple[int, int]) -> None:
    """Quadrant art, drawn in real terminal cells (about twice as tall as wide), scans."""
    for length in (723, 1014):  # ES256 and PS256 passports: versions 21 and 25
        text = hc1_like(length)
        pixels = terminal_pixels(qr.qr_terminal(text, invert=invert), invert=invert, cell=cell)
        assert scan.read_passport(pixels) == text


@pytest.mark.parametrize("invert", [True, False])
def test_terminal_art_reads_back(invert: bool) -> None:
    """qr_terminal's half-block text, drawn as a terminal would draw it, is a readable QR."""
    text = hc1_like(825)
    art = qr.qr_terminal(text, invert=invert, quadrants=False)
    # A terminal: the foreground draws the characters, the background fills the rest.
    ink, paper = (255, 0) if invert else (0, 255)
    halves = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
    rows: list[list[int]] = []
    for line in art.splitlines():
        upper = [ink if halves[c][0] else paper for c in line]
        lower = [ink if halves[c][1] else paper for c in line]
        rows.extend([upper, lower])
    pixels = np.kron(np.array(rows, dtype=np.uint8), np.ones((4, 4), dtype=np.uint8))
    assert scan.read_passport(pixels) == text


def test_bigger_damage_is_really_damage() -> None:
    # The strengths above are not idle: a little more and reading fails, so the
    # round trips test the reader's margin, not an easy picture.
    text = hc1_like(1100)
    image = picture(text, "L")
    assert scan.read_qr(image.filter(ImageFilter.GaussianBlur(3.0))) == []


# --- real passports from the library, through a photo, into verify() -------------------------


@pytest.fixture(scope="module")
def passports() -> dict[str, Any]:
    from vaxpass_core.testing import pki

    keys = pki(seed=0)
    signers = {"ES256": keys.document_signer, "PS256": keys.document_signer_ps256}
    issued: dict[str, Any] = {alg: sample_passport(signer) for alg, signer in signers.items()}
    return issued | {"trust": keys.trust}


@pytest.mark.parametrize("error", LEVELS)
@pytest.mark.parametrize("alg", ["ES256", "PS256"])
def test_issued_passport_through_a_photo_verifies(
    passports: dict[str, Any], alg: str, error: str
) -> None:
    import vaxpass_core as vp

    passport = passports[alg]
    symbol = passport.qr(error=error)
    assert symbol.matrix == qr.make_qr(passport.qr_text, error=error).matrix
    picture = photo(Image.open(io.BytesIO(qr.qr_png(symbol))).convert("L"))
    text = scan.read_passport(picture)
    assert text == passport.qr_text
    result = vp.verify(text, trust=passports["trust"], now=NOW)
    assert result.ok, result.failures
