"""Shared test fixtures: the public conformance data and its readers, a zlib bomb.

The fixed test clock and the plain helpers are in ``tests/_helpers.py``."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from tests._helpers import load_dgc_testdata


# Property tests are judged on what they find, never on how long they take.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the checkout, or ``$VAXPASS_SHARED/data``; None if absent."""
    env = os.environ.get("VAXPASS_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    data = root / "data"
    return data if data.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public conformance data. It lives outside this repository: a checkout without it
    beside skips the tests that read it, but one that names it in ``$VAXPASS_SHARED`` fails
    them when it is not there."""
    data = shared_data_dir()
    if data is None:
        where = os.environ.get("VAXPASS_SHARED")
        if where:
            pytest.fail(f"VAXPASS_SHARED={where} holds no data/ folder")
        pytest.skip("the shared conformance data (../shared/data) is not beside this checkout")
    return data


@pytest.fixture(scope="session")
def dgc_testdata(shared_data: Path) -> Mapping[str, dict[str, Any]]:
    """:func:`load_dgc_testdata` once per session; the cases are shared: do not change them."""
    return MappingProxyType(load_dgc_testdata(shared_data))


@pytest.fixture(scope="session")
def shared_json(shared_data: Path) -> Callable[[str], Any]:
    """Parse a JSON file of the shared data, named by its path below it."""

    def load(relative: str) -> Any:
        return json.loads((shared_data / relative).read_text("utf-8"))

    return load


@pytest.fixture(scope="session")
def vn_passport(shared_data: Path) -> str:
    """Viet Nam's official test passport: the HC1 text of ``vn/VAC_VN.hc1.txt``."""
    return (shared_data / "vn" / "VAC_VN.hc1.txt").read_text("ascii").strip()


def zlib_bomb(size: int, fill: bytes = b"\x00") -> bytes:
    """A zlib stream inflating to *size* bytes of *fill* (whole MiB), without compressing them.

    Z_FULL_FLUSH byte-aligns each 1 MiB chunk and drops back-references, so every chunk
    after the first compresses to the same bytes: a GiB bomb costs about 1 MiB to build.
    """
    chunk = fill * (1 << 20)
    c = zlib.compressobj(9)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    body = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(size >> 20):
        checksum = zlib.adler32(chunk, checksum)
    return first + body * ((size >> 20) - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


@pytest.fixture(name="zlib_bomb")
def zlib_bomb_fixture() -> Callable[..., bytes]:
    """:func:`zlib_bomb`, for the tests of the decompression bounds."""
    return zlib_bomb
