"""Benchmark: making QR symbols for a passport, and reading them back from pictures.

    .venv/bin/python benchmarks/bench_qr.py [--repeat N]

Symbol creation for Viet Nam's 825-character test passport (``VAC_VN.hc1.txt`` from
``../shared/data/vn``, or an HC1-like text of the same length when that is absent):

* ``vaxpass make_qr``: ours (segno's symbol, mask evaluation done fast and exactly);
* ``segno.make``: plain segno, which evaluates all 8 masks in Python;
* ``segno.make, fixed mask``: segno told the mask (what skipping the evaluation costs);
* ``zxing-cpp writer``: zxing-cpp's C++ encoder, for scale.

Reading: ``read_qr`` on PNG bytes, a PIL image, a photo-like JPEG, and ``VAC_VN.png``.
Prints the median of N runs (after warm-up) and ratios; not part of the test suite.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno

from vaxpass_core import qr
from vaxpass_core.hazmat.base45 import ALPHABET as BASE45


if TYPE_CHECKING:
    from collections.abc import Callable


def shared_vn() -> Path | None:
    env = os.environ.get("VAXPASS_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    vn = root / "data" / "vn"
    return vn if vn.is_dir() else None


def passport_text() -> tuple[str, str]:
    vn = shared_vn()
    if vn is not None:
        return (vn / "VAC_VN.hc1.txt").read_text(encoding="ascii").strip(), "VAC_VN.hc1.txt"
    rng = random.Random(825)
    text = "HC1:" + "".join(rng.choice(BASE45) for _ in range(821))
    return text, "an HC1-like text (../shared/data absent)"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def report(title: str, rows: list[tuple[str, float]], baseline: str) -> None:
    base = dict(rows)[baseline]
    print(f"\n{title}")
    print(f"  {'':34} {'median':>10} {'vs ' + baseline:>24}")
    for name, ms in rows:
        print(f"  {name:34} {ms:8.2f} ms {ms / base:22.2f}x")


def creation(text: str, error: str, repeat: int) -> None:
    ours = qr.make_qr(text, error=error)

    def plain() -> segno.QRCode:
        return segno.make(text, error=error, mode="alphanumeric", micro=False, boost_error=False)

    def fixed() -> segno.QRCode:
        return segno.make(
            text, error=error, mode="alphanumeric", micro=False, boost_error=False, mask=ours.mask
        )

    same = plain().matrix == ours.matrix
    rows = [
        ("vaxpass make_qr", median_ms(lambda: qr.make_qr(text, error=error), repeat)),
        ("segno.make", median_ms(plain, repeat)),
        (f"segno.make, fixed mask {ours.mask}", median_ms(fixed, repeat)),
    ]
    zxing = _zxing_writer(text, error, ours)
    if zxing is not None:
        rows.append(("zxing-cpp writer", median_ms(zxing[0], repeat)))
    report(
        f"Symbol creation, {len(text)} characters, level {error} "
        f"(version {ours.version}, mask {ours.mask}; identical to segno's: {same})",
        rows,
        "vaxpass make_qr",
    )
    if zxing is not None:
        print(f"  zxing-cpp's symbol identical to ours: {zxing[1]}")


def _zxing_writer(
    text: str, error: str, ours: segno.QRCode
) -> tuple[Callable[[], Any], bool] | None:
    try:
        import numpy as np
        import zxingcpp
    except ImportError:
        print("  (zxing-cpp or numpy missing: pip install 'vaxpass-core[scan]')")
        return None
    fmt = zxingcpp.BarcodeFormat.QRCode

    def write() -> Any:
        return zxingcpp.create_barcode(text, fmt, ec_level=error)

    image = np.asarray(write().to_image(scale=1, add_quiet_zones=False))
    mine = np.array([[bool(v) for v in row] for row in ours.matrix])
    return write, image.shape == mine.shape and bool(((image < 128) == mine).all())


def reading(text: str, repeat: int) -> None:
    try:
        import numpy as np
        from PIL import Image, ImageFilter

        from vaxpass_core import scan
    except ImportError:
        print("\nReading: needs pip install 'vaxpass-core[scan]'")
        return
    png = qr.qr_png(qr.make_qr(text), scale=4)
    image = Image.open(io.BytesIO(png)).convert("L")
    tilted = image.rotate(12, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=255)
    blurred = tilted.filter(ImageFilter.GaussianBlur(1.0))
    noisy = np.clip(
        np.asarray(blurred, dtype=np.float64)
        + np.random.default_rng(0).normal(0, 25, (blurred.height, blurred.width)),
        0,
        255,
    ).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, format="JPEG", quality=40)
    photo = out.getvalue()
    cases: list[tuple[str, Any]] = [
        (f"PNG bytes, 4 px a module ({len(png)} B)", png),
        ("PIL image, grey", image),
        ("numpy array, grey", np.asarray(image)),
        (f"photo-like JPEG ({len(photo)} B)", photo),
    ]
    vn = shared_vn()
    if vn is not None:
        cases.append(("VAC_VN.png (published)", (vn / "VAC_VN.png").read_bytes()))
    rows = []
    for name, picture in cases:
        if scan.read_qr(picture) != [text]:
            print(f"  !! {name} did not read back", file=sys.stderr)
        rows.append((name, median_ms(functools.partial(scan.read_qr, picture), repeat)))
    report("Reading with read_qr (zxing-cpp), the same passport", rows, rows[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per case")
    args = parser.parse_args()
    text, source = passport_text()
    print(
        f"Passport: {source}, {len(text)} characters; Python {sys.version.split()[0]}, "
        f"segno {segno.__version__}; {os.cpu_count()} CPUs"
    )
    creation(text, "Q", args.repeat)
    creation(text, "L", args.repeat)
    reading(text, args.repeat)


if __name__ == "__main__":
    main()
