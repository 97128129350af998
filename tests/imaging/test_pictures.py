"""Published pictures read back to their published texts.

* dgc-testdata: every case whose JSON says the picture decodes
  (``EXPECTEDRESULTS.EXPECTEDPICTUREDECODE`` true) must read to its ``PREFIX``, and the
  one that says it does not (false) must not. ``2DCODE`` holds the picture itself,
  a Base64-encoded PNG, not a file name.
* Viet Nam's ``VAC_VN.png`` reads to ``VAC_VN.hc1.txt``.

Where the data disagrees with reality, the case is in :data:`DISAGREEMENTS`, the one
reviewed list, with the reason and what we test instead.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest

from vaxpass_core.errors import AmbiguousQR, Code, QRNotFound


if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

pytest.importorskip("zxingcpp", reason="reading pictures needs the [scan] extra (zxing-cpp)")
pytest.importorskip("PIL", reason="reading pictures needs the [scan] extra (pillow)")

from vaxpass_core import qr, scan


FLAG = "EXPECTEDPICTUREDECODE"
_FR_NO_2DCODE = (
    "EXPECTEDPICTUREDECODE is true but the JSON has no 2DCODE; the picture is the "
    "separate file {png}, which we read instead"
)
_FR = {
    **{f"DGC_QrCode_{n:05d}_Raw": f"DGC_QrCode_{n:05d}" for n in range(1, 19)},
    "recovery_ok": "recovery_ok",
    "test_pcr_ok": "test-pcr_ok",
    "vaccin_ok": "vaccin_ok",
}

#: case (path under dgc-testdata) -> (reason, picture to read instead or None).
DISAGREEMENTS: dict[str, tuple[str, str | None]] = {
    "common/2DCode/raw/B1.json": (
        (
            "EXPECTEDPICTUREDECODE is true but there is no picture (no 2DCODE, no PNG), "
            "and PREFIX contains '=', which QR alphanumeric mode cannot hold: the test "
            "checks that make_qr refuses it"
        ),
        None,
    ),
    **{
        f"FR/2DCode/raw/{raw}.json": (
            _FR_NO_2DCODE.format(png=f"FR/png/{png}.png"),
            f"FR/png/{png}.png",
        )
        for raw, png in _FR.items()
    },
}


def cases(testdata: Mapping[str, dict[str, Any]]) -> list[str]:
    """Every case whose JSON file has an expectation about its picture."""
    return [name for name, case in testdata.items() if FLAG in case.get("EXPECTEDRESULTS", {})]


def read_or_nothing(picture: bytes) -> list[str]:
    """read_qr, with "not a picture" (QRNotFound, code qr.not-found) as no text."""
    try:
        return scan.read_qr(picture)
    except AmbiguousQR:  # a kind of QRNotFound, but a finding, not "no text"
        raise
    except QRNotFound:
        return []


def check(root: Path, name: str, case: Mapping[str, Any]) -> str | None:
    """None if the case holds, else what went wrong (*root*: where the PNG files are)."""
    decodes = case["EXPECTEDRESULTS"][FLAG]
    if name in DISAGREEMENTS:
        _, instead = DISAGREEMENTS[name]
        if instead is None:
            try:
                qr.make_qr(case["PREFIX"])
            except ValueError:
                return None
            return "make_qr accepted a text alphanumeric mode cannot hold"
        picture = (root / instead).read_bytes()
    else:
        picture = base64.b64decode(case["2DCODE"])
    texts = read_or_nothing(picture)
    if decodes and texts != [case["PREFIX"]]:
        return f"read {[t[:30] for t in texts]}, expected the PREFIX"
    if decodes and scan.read_passport(picture) != case["PREFIX"]:
        return "read_passport disagrees with read_qr"
    if not decodes and case["PREFIX"] in texts:
        return "read the PREFIX from a picture said not to decode"
    return None


def test_dgc_testdata_pictures(
    shared_data: Path, dgc_testdata: Mapping[str, dict[str, Any]]
) -> None:
    # One test over all cases (the list is only known once the data is found);
    # the failure message names every case that went wrong.
    root = shared_data / "dgc-testdata"
    names = cases(dgc_testdata)
    problems = {n: problem for n in names if (problem := check(root, n, dgc_testdata[n]))}
    assert problems == {}
    # 82 pictures inside their JSON files, 21 French ones beside them, B1, and Q1
    # (the one picture said not to decode: its 2DCODE is not a PNG).
    assert len(names) == 105
    assert sum(name in DISAGREEMENTS for name in names) == 22


def test_every_disagreement_is_a_real_case(
    shared_data: Path, dgc_testdata: Mapping[str, dict[str, Any]]
) -> None:
    root = shared_data / "dgc-testdata"
    for name, (_, instead) in DISAGREEMENTS.items():
        case = dgc_testdata[name]
        assert "2DCODE" not in case, f"{name} has a picture now; drop it from the list"
        assert case["EXPECTEDRESULTS"][FLAG] is True
        assert instead is None or (root / instead).is_file()


def test_broken_picture_is_not_found(dgc_testdata: Mapping[str, dict[str, Any]]) -> None:
    # Q1 ("QR encoding broken"): its 2DCODE is not a PNG at all.
    case = dgc_testdata["common/2DCode/raw/Q1.json"]
    assert case["EXPECTEDRESULTS"][FLAG] is False
    with pytest.raises(QRNotFound) as info:
        scan.read_qr(base64.b64decode(case["2DCODE"]))
    assert info.value.code is Code.QR_NOT_FOUND


def test_viet_nam_test_passport(shared_data: Path, vn_passport: str) -> None:
    text = vn_passport
    picture = (shared_data / "vn" / "VAC_VN.png").read_bytes()
    assert scan.read_qr(picture) == [text]
    assert scan.read_passport(picture) == text
    # The published symbol is level L; ours at L is the same size.
    assert text.startswith("HC1:")
    assert qr.make_qr(text, error="L").version == 16
