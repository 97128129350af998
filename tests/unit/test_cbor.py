"""The bounded CBOR decoder and the deterministic encoder."""

from __future__ import annotations

import concurrent.futures

import pytest

from vaxpass_core.errors import Code, MalformedCBOR
from vaxpass_core.hazmat import cbor as _cbor


def test_deterministic_encoding_sorts_keys_and_uses_shortest_forms() -> None:
    # RFC 8949 4.2.1: keys in bytewise order of their encodings.
    value = {"b": 1, 10: 2, -1: 3, "a": [1.5, 1000000], 1: b"x"}
    assert _cbor.dumps(value) == bytes.fromhex("a50141780a022003616182f93e001a000f4240616201")


def test_round_trip() -> None:
    value = {1: "VN", 4: 1700000000, -260: {1: {"ver": "1.3.0", "v": [{"dn": 1}]}}}
    assert _cbor.loads(_cbor.dumps(value)) == value


MALFORMED = {
    "empty": "",
    "truncated map": "a201",
    "truncated text": "6361",
    "trailing byte": "0102",
    "two items": "a0a0",
    "indefinite array": "9f01ff",
    "indefinite map": "bf0102ff",
    "indefinite bytes": "5f4101ff",
    "indefinite text": "7f6161ff",
    "lone break": "ff",
    "duplicate int key": "a2010201 03",
    "duplicate text key": "a2616101616102",
    "reserved additional info": "1c",
    "invalid utf-8": "62c328",
    "shared value 28": "d81c01",
    "shared reference 29": "82d81c01d81d00",
    "string reference 25": "d81900",
    "string ref namespace 256": "d9010080",
    "array of 2**32 items": "9b0000000100000000",
    "bytes of 2**63": "5b7fffffffffffffff",
    "map with 2**32 pairs": "bb0000000100000000",
    "tag 0 on a number": "c001",
    "tag 1 on text": "c16161",
}


@pytest.mark.parametrize("hexdata", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed(hexdata: str) -> None:
    with pytest.raises(MalformedCBOR) as info:
        _cbor.loads(bytes.fromhex(hexdata.replace(" ", "")))
    assert info.value.code is Code.CBOR_MALFORMED


def test_nesting_bound() -> None:
    ok = b"\x81" * (_cbor.MAX_DEPTH - 1) + b"\x00"
    assert _cbor.loads(ok) is not None
    with pytest.raises(MalformedCBOR):
        _cbor.loads(b"\x81" * 10_000 + b"\x00")
    with pytest.raises(MalformedCBOR):
        _cbor.loads(b"\xa1\x00" * 10_000 + b"\x00")


def test_size_bound() -> None:
    big = b"\x5a" + (_cbor.MAX_CBOR_BYTES).to_bytes(4, "big") + b"\x00" * _cbor.MAX_CBOR_BYTES
    with pytest.raises(MalformedCBOR):
        _cbor.loads(big)


def test_bignums_stay_raw_bytes() -> None:
    # 2**(8*4000): no big-integer conversion happens on untrusted input.
    raw = b"\x01" + b"\x00" * 4000
    value = _cbor.loads(b"\xc2\x59" + len(raw).to_bytes(2, "big") + raw)
    assert value == _cbor.CBORTag(2, raw)


@pytest.mark.parametrize("tag", [3, 4, 5, 30, 35, 36, 37, 52, 54, 100, 258, 260, 261, 1004, 55799])
def test_semantic_tags_are_not_interpreted(tag: int) -> None:
    value = _cbor.loads(_cbor.dumps(_cbor.CBORTag(tag, [1, "x"])))
    assert value == _cbor.CBORTag(tag, [1, "x"])


def test_date_tags() -> None:
    assert _cbor.loads(bytes.fromhex("c074323032312d30362d31355430393a32343a30325a")) == (
        "2021-06-15T09:24:02Z"
    )
    assert _cbor.loads(bytes.fromhex("c11a60d1e0a9")) == _cbor.CBORTag(1, 1624367273)


def test_unknown_tag_kept() -> None:
    assert _cbor.loads(bytes.fromhex("d2820102")) == _cbor.CBORTag(18, (1, 2))


def test_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        _cbor.loads("a0")  # type: ignore[arg-type]


def _refused(data: bytes) -> bool:
    try:
        _cbor.loads(data)
    except MalformedCBOR:
        return True
    return False


def test_decodes_keep_their_bounds() -> None:
    # Neither a failed decode nor many clean ones may change what the
    # next decode accepts (depth, duplicates, indefinite lengths, trailing bytes).
    deep_ok = b"\x81" * (_cbor.MAX_DEPTH - 1) + b"\x00"
    for bad in ("81" * 20 + "00", "a20000" + "0001", "9f00ff", "0000", "81" * 30 + "00"):
        with pytest.raises(MalformedCBOR):
            _cbor.loads(bytes.fromhex(bad))
        assert _cbor.loads(deep_ok) is not None
        assert _cbor.loads(b"\xa1\x01\x82\x02\x03") == {1: [2, 3]}
    # Where the first decode draws the depth line, every later one draws it too.
    deepest = next(n for n in range(64) if _refused(b"\x81" * n + b"\x00"))
    for _ in range(200):
        assert _cbor.loads(deep_ok) is not None
    assert _refused(b"\x81" * deepest + b"\x00")
    assert not _refused(b"\x81" * (deepest - 1) + b"\x00")
    with pytest.raises(MalformedCBOR):
        _cbor.loads(b"\x01\x02")


def test_decoding_from_many_threads() -> None:
    items = [{"n": n, "s": "x" * n, "l": list(range(n % 7))} for n in range(64)]
    encoded = [_cbor.dumps(item) for item in items]

    def decode_all(_: int) -> bool:
        return all(_cbor.loads(data) == item for data, item in zip(encoded, items, strict=True))

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(decode_all, range(32)))


# Map keys: COSE labels and CWT claim keys are integers or text (RFC 9052 section 3, RFC 8392
# section 3), the DCC's JSON keys are text. Anything else is refused before it is decoded.
BAD_KEYS = {
    "array of -1 and -2": "a1822021" + "00",
    "empty array": "a180" + "00",
    "map": "a1a10102" + "00",
    "float 1.0 (alg)": "a1f93c00" + "00",
    "double 4.0 (kid, exp)": "a1fb4010000000000000" + "00",
    "float -260.0 (hcert)": "a1f9dc10" + "00",
    "double -65537.0 (attestation)": "a1fbc0f0001000000000" + "00",
    "true": "a1f5" + "00",
    "null": "a1f6" + "00",
    "bytes": "a1416b" + "00",
    "tagged integer": "a1c101" + "00",
    "second key bad": "a2" + "0100" + "f93c00" + "00",
    "nested map key": "a101a1f500" + "00",
}


@pytest.mark.parametrize("hexdata", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_map_keys_are_integers_or_text_only(hexdata: str) -> None:
    with pytest.raises(MalformedCBOR, match="map key"):
        _cbor.loads(bytes.fromhex(hexdata))


def test_integer_and_text_keys_and_tagged_values_pass() -> None:
    data = bytes.fromhex(
        "a4" + "01" + "c11a60d1e0a9" + "20" + "f93c00" + "6161" + "8101" + "390401" + "a0"
    )
    assert _cbor.loads(data) == {
        1: _cbor.CBORTag(1, 1624367273),
        -1: 1.0,
        "a": [1],
        -1026: {},
    }


def test_map_entry_bound() -> None:
    def int_map(entries: int) -> bytes:
        return _cbor.dumps(dict.fromkeys(range(entries), 0))

    assert len(_cbor.loads(int_map(_cbor.MAX_MAP_ENTRIES))) == _cbor.MAX_MAP_ENTRIES
    with pytest.raises(MalformedCBOR, match="entries"):
        _cbor.loads(int_map(_cbor.MAX_MAP_ENTRIES + 1))


def test_item_bound_counts_every_item_tags_included() -> None:
    # The top-level array is one item: it may hold MAX_ITEMS - 1 more.
    fits = _cbor.dumps([0] * (_cbor.MAX_ITEMS - 1))
    assert len(_cbor.loads(fits)) == _cbor.MAX_ITEMS - 1
    with pytest.raises(MalformedCBOR, match="items"):
        _cbor.loads(_cbor.dumps([0] * _cbor.MAX_ITEMS))
    with pytest.raises(MalformedCBOR, match="items"):  # spread over small maps
        _cbor.loads(_cbor.dumps([{1: 0, 2: 0}] * 500))
    with pytest.raises(MalformedCBOR, match="items"):  # tags count as items
        _cbor.loads(_cbor.dumps([_cbor.CBORTag(100, 0)] * (_cbor.MAX_ITEMS // 2)))


def test_tags_count_as_nesting() -> None:
    # A tag holds its content one level down, as cbor2 counts it: a chain is a deep nest.
    assert _cbor.loads(b"\xd8\x64" * (_cbor.MAX_DEPTH - 1) + b"\x00") is not None
    with pytest.raises(MalformedCBOR, match="nested deeper"):
        _cbor.loads(b"\xd8\x64" * 30_000 + b"\x00")


@pytest.mark.parametrize(
    "hexdata",
    [
        "83010203" + "00",  # a trailing item after the array
        "a2" + "01" + "02",  # a map missing its last entry
        "82" + "78",  # a long text head without its length byte
        "82" + "5820" + "00",  # a byte string longer than what is left
        "c1",  # a tag with no content
        "d9",  # a tag head cut short
        "98ff" + "00",  # an array declaring more items than there are bytes
        "b8",  # an empty map's long head cut short
    ],
)
def test_truncations_found_by_the_scan(hexdata: str) -> None:
    with pytest.raises(MalformedCBOR):
        _cbor.loads(bytes.fromhex(hexdata))


def test_long_text_keys() -> None:
    value = {"k" * 30: 1, "l" * 300: 2, "m" * 3000: [3]}
    assert _cbor.loads(_cbor.dumps(value)) == value
    for bad in ("a17f6161ff00", "a17c00", "a11c00", "a17901"):  # indefinite, reserved, cut
        with pytest.raises(MalformedCBOR):
            _cbor.loads(bytes.fromhex(bad))


def test_long_form_heads_of_empty_containers() -> None:
    # Not the shortest form, but well-formed: an empty array and map with one-byte lengths.
    assert _cbor.loads(bytes.fromhex("82" + "9800" + "b800")) == [[], {}]
    with pytest.raises(MalformedCBOR, match="more items than there are bytes"):
        _cbor.loads(bytes.fromhex("98"))  # its length byte missing


def test_scan_accepts_what_the_encoder_writes() -> None:
    # Every head width, long strings, nested containers, tags, floats and simple values.
    value = {
        1: [0, 23, 24, 255, 256, 65535, 65536, 2**32, 2**64 - 1, -(2**64)],
        "t": "x" * 300,
        -3: b"y" * 300,
        4: [1.5, 1e300, True, False, None, _cbor.CBORTag(1, 1.5)],
        5: {"a": {"b": {"c": []}}},
    }
    assert _cbor.loads(_cbor.dumps(value)) == value
