"""read_qr's bounds and its second try: picture bombs refused unread, small codes still read.

The pictures are real: passports issued with the test PKI, drawn by the project's qr module,
shrunk with pillow to about two pixels a module, blurred, set in a noisy scene.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

import vaxpass_core as vp
from vaxpass_core import qr
from vaxpass_core.cli import vaxpass
from vaxpass_core.errors import Code, PictureTooLarge, QRNotFound
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from pathlib import Path

zxingcpp = pytest.importorskip("zxingcpp", reason="reading pictures needs the [scan] extra")
np = pytest.importorskip("numpy", reason="reading pictures needs the [scan] extra (numpy)")
Image = pytest.importorskip("PIL.Image", reason="reading pictures needs the [scan] extra")
ImageFilter = pytest.importorskip("PIL.ImageFilter", reason="the [scan] extra")

from vaxpass_core import scan  # noqa: E402 - after the extra is known to be there


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(side: int = 12_000) -> bytes:
    """A valid 1-bit PNG of *side* x *side* white pixels: tens of kilobytes on disk."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def ps256_passport() -> str:
    pki = make_pki(seed=0)
    record = vp.attest(sample_record(), facility=pki.facilities[0], now=NOW)
    passport = vp.issue(record, issuer=pki.document_signer_ps256, trust=pki.trust, now=NOW)
    assert passport.qr().version == 25
    return passport.qr_text


# -- Bombs. ------------------------------------------------------------------------------------


def test_a_small_png_declaring_a_huge_picture_is_refused_before_decoding() -> None:
    bomb = png_bomb()
    assert len(bomb) < 64_000
    with pytest.raises(PictureTooLarge) as caught:
        scan.read_qr(bomb)
    assert caught.value.code is Code.QR_TOO_LARGE
    assert "12000 x 12000" in caught.value.message
    assert isinstance(caught.value, QRNotFound)  # callers that catch "not found" still do
    with pytest.raises(PictureTooLarge):
        scan.read_passport(bomb)


def test_a_png_past_pillows_own_limit_is_too_large_too() -> None:
    with pytest.raises(PictureTooLarge, match="far too large"):
        scan.read_qr(png_bomb(20_000))


def test_the_limits_hold_for_every_kind_of_picture() -> None:
    wide = np.zeros((1, scan.MAX_SIDE + 1), dtype=np.uint8)
    with pytest.raises(PictureTooLarge, match="16,384 a side"):
        scan.read_qr(wide)
    with pytest.raises(PictureTooLarge):
        scan.read_qr(Image.new("L", (8000, 6000)))  # 48 megapixels
    # At the limits, a picture is read (here: nothing in it).
    assert scan.read_qr(np.full((1, scan.MAX_SIDE), 255, dtype=np.uint8)) == []


@pytest.mark.parametrize("command", ["inspect", "verify"])
def test_the_commands_refuse_a_bomb_with_its_code(tmp_path: Path, command: str) -> None:
    (tmp_path / "bomb.png").write_bytes(png_bomb())
    (tmp_path / "nobody.json").write_text("[]", encoding="ascii")
    extra = ["--trust-list", str(tmp_path / "nobody.json")] if command == "verify" else []
    result = CliRunner().invoke(vaxpass, [command, str(tmp_path / "bomb.png"), *extra])
    assert result.exit_code == 1, result.output
    assert "[qr.too-large]" in result.output


# -- Palette pictures as arrays. ----------------------------------------------------------------


def test_an_array_of_two_colour_palette_indices_is_read(ps256_passport: str) -> None:
    picture = Image.open(io.BytesIO(qr.qr_png(ps256_passport, scale=3))).convert("L")
    palette = picture.quantize(colors=2)
    indices = np.asarray(palette)
    assert indices.max() == 1  # indices, not grey levels
    assert scan.read_qr(indices) == [ps256_passport]
    assert scan.read_qr(palette) == [ps256_passport]  # the image itself: converted properly


# -- Small pictures: the second try. ------------------------------------------------------------


def photographed(text: str, *, pixels_per_module: float, blur: float, seed: int = 7) -> Any:
    """*text*'s code shrunk to *pixels_per_module*, blurred, in a noisy 1600 x 1200 scene."""
    sharp = Image.open(io.BytesIO(qr.qr_png(text, scale=10, border=4))).convert("L")
    side = round(sharp.width / 10 * pixels_per_module)
    small = sharp.resize((side, side), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(blur))
    rng = np.random.default_rng(seed)
    scene = np.clip(180 + rng.normal(0, 10, (1200, 1600)), 0, 255).astype(np.uint8)
    picture = Image.fromarray(scene)
    picture.paste(small, (500, 300))
    return picture


def first_pass(picture: Any) -> list[str]:
    return [c.text for c in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize(("ppm", "blur"), [(2.1, 1.0), (2.0, 1.1), (1.8, 1.0)])
def test_a_code_at_about_two_pixels_a_module_is_read(
    ps256_passport: str, ppm: float, blur: float
) -> None:
    picture = photographed(ps256_passport, pixels_per_module=ppm, blur=blur)
    assert first_pass(picture) == [], "the decoder reads this one at once: make it harder"
    assert scan.read_passport(picture) == ps256_passport
    assert scan.read_passport(_png(picture)) == ps256_passport


def _png(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


class _Count:
    def __init__(self) -> None:
        self.calls = 0
        self.real = scan._decode

    def __call__(self, *args: Any) -> list[str]:
        self.calls += 1
        return self.real(*args)


def test_a_picture_read_at_once_costs_one_pass(
    ps256_passport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = _Count()
    monkeypatch.setattr(scan, "_decode", count)
    assert scan.read_qr(photographed(ps256_passport, pixels_per_module=3.0, blur=0.5)) == [
        ps256_passport
    ]
    assert count.calls == 1


def test_a_picture_with_no_code_costs_a_bounded_number_of_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = _Count()
    monkeypatch.setattr(scan, "_decode", count)
    assert scan.read_qr(Image.new("L", (640, 480), 200)) == []
    assert count.calls == 3
    count.calls = 0
    assert scan.read_qr(Image.new("L", (2400, 2000), 200)) == []
    assert count.calls == 2
