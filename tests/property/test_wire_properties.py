"""Property tests for the wire layer: round trips, and garbage never escapes.

Whatever bytes or text arrive, the decoders raise only the library's own errors
(subclasses of VaxpassError, each with its code); a mutated passport either
fails that way or still carries exactly the signed content.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass_core.errors import Code, MalformedCOSE, VaxpassError
from vaxpass_core.hazmat import base45, cose, cwt, hc1
from vaxpass_core.hazmat import cbor as _cbor


if TYPE_CHECKING:
    from collections.abc import Callable


KEY = ec.derive_private_key(20260601, ec.SECP256R1())
PUBLIC = KEY.public_key()
KID = b"\x01\x02\x03\x04\x05\x06\x07\x08"
WIRE_CODES = {
    Code.HC1_PREFIX,
    Code.HC1_BASE45,
    Code.HC1_ZLIB,
    Code.HC1_TOO_LARGE,
    Code.CBOR_MALFORMED,
    Code.COSE_MALFORMED,
    Code.COSE_ALGORITHM,
    Code.CWT_CLAIMS,
    Code.SIGNATURE_INVALID,
}

names = st.text(st.characters(codec="utf-8"), max_size=40)
dccs = st.fixed_dictionaries(
    {
        "ver": st.just("1.3.0"),
        "nam": st.fixed_dictionaries(
            {"fn": names, "fnt": st.from_regex(r"[A-Z<]{1,30}", fullmatch=True)}
        ),
        "dob": st.from_regex(r"(19|20)\d\d-[01]\d-[0-3]\d", fullmatch=True),
        "v": st.lists(
            st.fixed_dictionaries(
                {"dn": st.integers(1, 9), "sd": st.integers(1, 9), "ci": st.text(max_size=50)}
            ),
            min_size=1,
            max_size=2,
        ),
    }
)


def wire_verify(text: str) -> cwt.Claims:
    """HC1 text -> verified claims, the whole wire layer."""
    msg = cose.decode_sign1(hc1.decode(text))
    cose.verify_sign1(msg, PUBLIC)
    return cwt.decode_claims(msg.payload)


def issue(dcc: dict[str, Any], compress: int = 0) -> str:
    payload = cwt.encode_claims(dcc=dcc, issuer="VN", issued_at=1700000000, expires_at=1731536000)
    return hc1.encode(cose.sign1(payload, key=KEY, kid=KID), compress=compress)


BASE_TEXT = issue(
    {
        "ver": "1.3.0",
        "nam": {"fn": "Nguyễn", "fnt": "NGUYEN"},
        "dob": "1983-10-10",
        "v": [{"dn": 2}],
    }
)
BASE_CLAIMS = wire_verify(BASE_TEXT)


def _outcome(fn: Any, *args: Any) -> Any:
    """What *fn* returned, or the code of the library error it raised."""
    try:
        return fn(*args)
    except VaxpassError as exc:
        return exc.code


def _only_our_errors(fn: Any, *args: Any) -> None:
    outcome = _outcome(fn, *args)
    assert not isinstance(outcome, Code) or outcome in WIRE_CODES


@given(dccs, st.integers(0, 9))
def test_issue_verify_round_trip(dcc: dict[str, Any], level: int) -> None:
    claims = wire_verify(issue(dcc, level))
    assert claims.hcert == dcc
    assert claims.issuer == "VN"


@given(st.binary(max_size=3000))
def test_base45_round_trip(data: bytes) -> None:
    assert base45.b45decode(base45.b45encode(data)) == data


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.integers(-(2**64), 2**64 - 1) | st.text(max_size=5), children, max_size=4
        )
    ),
    max_leaves=20,
)


@given(cbor_values)
def test_cbor_round_trip(value: Any) -> None:
    # Integers beyond 64 bits would be bignums (tag 2), which decode as raw tags.
    assert _cbor.loads(_cbor.dumps(value)) == value


@given(st.binary(max_size=600))
def test_random_bytes_only_raise_our_errors(data: bytes) -> None:
    _only_our_errors(_cbor.loads, data)
    _only_our_errors(cose.decode_sign1, data)
    _only_our_errors(cwt.decode_claims, data)
    _only_our_errors(hc1.decompress, data)
    _only_our_errors(hc1.decompress, zlib.compress(data))
    _only_our_errors(lambda: cose.verify_sign1(cose.decode_sign1(data), PUBLIC))


@given(st.text(max_size=600))
def test_random_text_only_raises_our_errors(text: str) -> None:
    _only_our_errors(wire_verify, text)
    _only_our_errors(wire_verify, "HC1:" + text)
    _only_our_errors(base45.b45decode, text)


@given(st.text(alphabet=base45.ALPHABET, max_size=900))
def test_random_base45_only_raises_our_errors(text: str) -> None:
    _only_our_errors(wire_verify, "HC1:" + text)


@given(st.data())
@settings(max_examples=300)
def test_mutated_text_fails_or_carries_the_signed_content(data: st.DataObject) -> None:
    text = list(BASE_TEXT)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["replace", "insert", "delete"]))
        char = data.draw(st.sampled_from(base45.ALPHABET + "a\n:"))
        if op == "replace":
            text[pos] = char
        elif op == "insert":
            text.insert(pos, char)
        elif len(text) > 1:
            del text[pos]
    outcome = _outcome(wire_verify, "".join(text))
    assert (isinstance(outcome, Code) and outcome in WIRE_CODES) or outcome == BASE_CLAIMS


@given(st.data())
@settings(max_examples=300)
def test_mutated_cose_fails_or_carries_the_signed_content(data: st.DataObject) -> None:
    raw = bytearray(hc1.decode(BASE_TEXT))
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    outcome = _outcome(wire_verify, hc1.encode(bytes(raw)))
    # Success is possible only if bytes outside the signature's reach changed.
    assert (isinstance(outcome, Code) and outcome in WIRE_CODES) or outcome == BASE_CLAIMS


@given(st.binary(min_size=1, max_size=64), st.integers(0, 700))
def test_bytes_spliced_into_the_zlib_stream(junk: bytes, pos: int) -> None:
    stream = bytearray(base45.b45decode(hc1.strip_prefix(BASE_TEXT)))
    stream[pos:pos] = junk
    _only_our_errors(wire_verify, "HC1:" + base45.b45encode(bytes(stream)))


@pytest.mark.parametrize("size", [1 << 20, 1 << 30])
def test_bombs_are_refused(zlib_bomb: Callable[..., bytes], size: int) -> None:
    bomb = zlib_bomb(size, b"\xa0")
    for candidate in (bomb, bomb[: hc1.MAX_COMPRESSED_BYTES]):
        with pytest.raises(VaxpassError) as info:
            hc1.decompress(candidate)
        assert info.value.code is Code.HC1_TOO_LARGE


def _reference_sign1(data: bytes) -> tuple[Any, ...]:
    """The COSE_Sign1 reading the envelope reader must agree with: the whole message
    through the CBOR decoder, then RFC 9052's structure (the oracle, kept in the tests)."""
    item = _cbor.loads(data)
    tagged = type(item) is _cbor.CBORTag
    if tagged:
        if item.tag == cose.TAG_CWT and type(item.value) is _cbor.CBORTag:
            item = item.value
        if item.tag != cose.TAG_SIGN1:
            raise MalformedCOSE("tag")
        item = item.value
    if type(item) not in (list, tuple) or len(item) != 4:
        raise MalformedCOSE("array")
    protected, unprotected, payload, signature = item
    if not all(type(x) is bytes for x in (protected, payload, signature)):
        raise MalformedCOSE("bytes")
    header = cose._protected_header(protected)
    return (
        protected,
        header,
        cose._check_header(unprotected, "unprotected"),
        payload,
        signature,
        tagged,
    )


def _read(message: cose.Sign1Message) -> tuple[Any, ...]:
    m = message
    return m.protected, m.protected_header, m.unprotected_header, m.payload, m.signature, m.tagged


_HEADS = st.sampled_from([b"\xd8\x3d", b"\xd2", b"\xd8\x12", b"\xc1", b"\xd9\x00\x12", b"\xd8\x19"])
_ITEMS = st.sampled_from(
    [
        b"\xa0",
        b"\xa1\x04\x41\x01",
        b"\xa1\x01\x26",
        b"\xb8\x00",
        b"\x80",
        b"\x60",
        b"\x40",
        b"\x58\x01\x00",
        b"\xa1\x21\x61\xff",
        b"\xa2\x01\x01\x01\x01",
        b"\xf8\x10",
        b"\xf6",
        b"\x5f",
    ]
)


@given(st.data())
@settings(max_examples=500)
def test_the_envelope_reader_agrees_with_the_cbor_decoder(data: st.DataObject) -> None:
    # The reader takes a COSE_Sign1 apart by its heads; on every input it gives what decoding
    # the whole message would (the same message, or an error with the same code).
    raw = bytearray(hc1.decode(BASE_TEXT))
    if data.draw(st.booleans()):  # rebuild around other tags and items
        parts = cose.decode_sign1(bytes(raw))
        prefix = b"".join(data.draw(st.lists(_HEADS, max_size=2)))
        count = data.draw(st.sampled_from([b"\x84", b"\x98\x04", b"\x83", b"\x85"]))
        items = [_cbor.bstr(parts.protected), data.draw(_ITEMS), _cbor.bstr(parts.payload)]
        items.append(data.draw(st.sampled_from([_cbor.bstr(parts.signature), b"\x60", b""])))
        raw = bytearray(
            prefix + count + b"".join(items) + data.draw(st.sampled_from([b"", b"\x00"]))
        )
    for _ in range(data.draw(st.integers(0, 2))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    ours = _outcome(cose.decode_sign1, bytes(raw))
    expected = _outcome(_reference_sign1, bytes(raw))
    assert (_read(ours) if isinstance(ours, cose.Sign1Message) else ours) == expected
    assert _outcome(cose.decode_sign1, raw) == ours  # a bytearray reads the same
