from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core import uvci
from vaxpass_core.errors import Code, InvalidUVCI


NL = "URN:UVCI:01:NL:187/37512422923"


def test_checksum_of_the_guidelines_example() -> None:
    assert uvci.checksum(NL) == "Z"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Worked by hand: values A=0..Z=25, 0=26..9=35, /=36, :=37; the rightmost
        # character is doubled (digits of the product summed in base 38).
        ("A", "A"),  # 2*0 = 0 -> (38 - 0) % 38 = 0 -> A
        ("B", "/"),  # 2*1 = 2 -> 36 -> /
        ("T", ":"),  # 2*19 = 38 = 1*38 + 0 -> 1 + 0 = 1 -> 37 -> :
        ("BA", ":"),  # B (x1) = 1, A (x2) = 0 -> 1 -> 37 -> :
    ],
)
def test_checksum_small_cases(body: str, expected: str) -> None:
    assert uvci.checksum(body) == expected


def test_checksum_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(InvalidUVCI) as info:
        uvci.checksum("urn:uvci:01:nl:187")
    assert info.value.code is Code.UVCI_INVALID
    with pytest.raises(InvalidUVCI):
        uvci.checksum(NL + "#Z")
    with pytest.raises(TypeError):
        uvci.checksum(NL.encode())  # type: ignore[arg-type]


def test_check() -> None:
    assert uvci.check(NL + "#Z") is uvci.ChecksumStatus.VALID
    assert uvci.check(NL) is uvci.ChecksumStatus.ABSENT
    assert uvci.check(NL + "#A") is uvci.ChecksumStatus.WRONG
    # Without the prefix, the checksum is still computed over URN:UVCI:...
    assert uvci.check("01:NL:187/37512422923#Z") is uvci.ChecksumStatus.VALID


def test_check_of_viet_nams_production_identifier_shape() -> None:
    assert uvci.check("URN:UVCI:01:VN:FFFE3D31FABD035899134A9D3BAE9BCF") is (
        uvci.ChecksumStatus.ABSENT
    )


def test_parse() -> None:
    parsed = uvci.parse(NL + "#Z")
    assert parsed.version == "01"
    assert parsed.country == "NL"
    assert parsed.blocks == ("187", "37512422923")
    assert parsed.checksum == "Z"
    assert parsed.has_prefix
    assert parsed.body == NL
    assert str(parsed) == NL + "#Z"
    bare = uvci.parse("01:AT:10807843F94AEE0EE5093FBC254BD813")
    assert not bare.has_prefix
    assert bare.body == "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "URN:UVCI:",
        "URN:UVCI:01:VN:",
        "URN:UVCI:1:VN:ABC",
        "URN:UVCI:01:vn:ABC",
        "URN:UVCI:01:VN:abc",
        "URN:UVCI:01:VN:A//B",
        "URN:UVCI:01:VN:ABC#",
        "URN:UVCI:01:VN:ABC#ZZ",
        "URN:UVCI:01:VN:A B",
        "URN:UVCI:01:VN:" + "A" * 70,
    ],
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(InvalidUVCI):
        uvci.parse(text)
    with pytest.raises(InvalidUVCI):
        uvci.check(text)


def test_new() -> None:
    assert uvci.new(unique="ABC123") == "URN:UVCI:01:VN:ABC123#" + uvci.checksum(
        "URN:UVCI:01:VN:ABC123"
    )
    assert uvci.new(issuer="79001", unique="X1", with_checksum=False) == ("URN:UVCI:01:VN:79001/X1")
    assert uvci.new(country="NL", issuer="187", unique="37512422923") == NL + "#Z"


def test_new_random_is_32_hex_digits_and_fresh() -> None:
    a, b = uvci.new(), uvci.new()
    assert a != b
    assert re.fullmatch(r"URN:UVCI:01:VN:[0-9A-F]{32}#[A-Z0-9/:]", a)
    assert uvci.check(a) is uvci.ChecksumStatus.VALID


@pytest.mark.parametrize(
    "kwargs",
    [
        {"unique": "abc"},
        {"unique": ""},
        {"unique": "A/B"},
        {"issuer": "F-1", "unique": "A"},
        {"country": "vn", "unique": "A"},
        {"unique": "A" * 80},
    ],
)
def test_new_refuses_bad_parts(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"UVCI|country"):
        uvci.new(**kwargs)


_BLOCK = st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True)


@given(issuer=st.one_of(st.none(), _BLOCK), unique=_BLOCK, data=st.data())
def test_every_single_substitution_is_caught(
    issuer: str | None, unique: str, data: st.DataObject
) -> None:
    text = uvci.new(issuer=issuer, unique=unique)
    assert uvci.check(text) is uvci.ChecksumStatus.VALID
    # Luhn mod N detects every single-character substitution in the identifier.
    body = text.split("#")[0]
    start = len("URN:UVCI:01:VN:")
    index = data.draw(st.integers(start, len(body) - 1))
    replacement = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    if replacement == body[index] or body[index] in "/:":
        return
    forged = body[:index] + replacement + body[index + 1 :] + "#" + text[-1]
    assert uvci.check(forged) is uvci.ChecksumStatus.WRONG
