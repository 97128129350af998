"""The only module that imports cbor2: bounded decoding and deterministic encoding.

Untrusted CBOR is decoded with hard limits: a size bound, a nesting bound, no
indefinite lengths, no duplicate map keys and no trailing bytes. Work is bounded too, not
only bytes: before cbor2 builds anything, one linear pass over the heads refuses map keys
that are not integers or text (what COSE labels, CWT claim keys and the DCC's JSON keys all
are), maps of more than :data:`MAX_MAP_ENTRIES` entries and more than :data:`MAX_ITEMS`
items in all. Container or float keys are what make a dict quadratic in CPython (every
array of -1s and -2s hashes alike, since ``hash(-1) == hash(-2)``), and a float or bool key
would be read as the integer label it equals (``1.0 == True == 1``). Tags are never
*interpreted*: a tag comes back as a :class:`CBORTag` holding its raw content,
so a bignum stays a byte string (no multi-megabyte integer arithmetic) and an
epoch date stays a number. The reference-making tags (value sharing 28/29, string
references 25/256) are refused: they can build cycles or amplify size. One
exception: a date-time text (tag 0) decodes to the bare text, as in JSON.
"""

from __future__ import annotations

from typing import Any, Final

import cbor2

from vaxpass_core.errors import MalformedCBOR


__all__ = [
    "MAX_CBOR_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_MAP_ENTRIES",
    "CBORTag",
    "bstr",
    "dumps",
    "frozendict",
    "head",
    "item_end",
    "loads",
    "loads_reference",
    "tstr",
]

CBORTag = cbor2.CBORTag
#: What a map inside a tag decodes to (cbor2 decodes tag content immutably).
frozendict = cbor2.frozendict

#: Nothing a QR code carries comes near this; larger input is refused unread.
MAX_CBOR_BYTES = 64 * 1024
#: A DCC nests five levels deep; the COSE and CWT wrappers add three.
MAX_DEPTH = 16
#: Entries in one map: a COSE header, the CWT claims and every DCC map hold a dozen or fewer.
MAX_MAP_ENTRIES = 64
#: Data items in one input, tags included: a passport's claims hold about sixty.
MAX_ITEMS = 2048

# Tags that make references between items: refused outright.
_REFUSED_TAGS = frozenset({25, 28, 29, 256})
# Tags cbor2 would otherwise interpret (dates, bignums, decimals, regexes, MIME,
# UUIDs, sets, IP addresses...). The list is cbor2 6's built-in set; a tag that is
# not in it reaches no built-in decoder and comes back as a CBORTag anyway.
_NEUTRAL_TAGS = (2, 3, 4, 5, 30, 35, 36, 37, 52, 54, 100, 258, 260, 261, 1004, 55799)


def _refuse(tag: int) -> Any:
    def refuse(_value: Any, _immutable: bool) -> Any:
        raise ValueError(f"CBOR tag {tag} is not accepted")

    return refuse


def _keep_raw(tag: int) -> Any:
    def keep(value: Any, _immutable: bool) -> Any:
        return CBORTag(tag, value)

    return keep


def _date_string(value: Any, _immutable: bool) -> Any:
    # Tag 0 (RFC 3339 text): some issuers (Sweden) wrap DCC timestamps in it. The
    # DCC is JSON, where the tag has no place, so keep just the text, unparsed.
    if type(value) is not str:
        raise ValueError("tag 0 must hold a text string")
    return value


def _epoch_date(value: Any, _immutable: bool) -> Any:
    # Tag 1 (epoch seconds): kept as a tag so that claim decoding can tell it was there.
    if type(value) not in (int, float):
        raise ValueError("tag 1 must hold a number")
    return CBORTag(1, value)


_SEMANTIC_DECODERS: dict[int, Any] = {t: _refuse(t) for t in _REFUSED_TAGS}
_SEMANTIC_DECODERS.update({t: _keep_raw(t) for t in _NEUTRAL_TAGS})
_SEMANTIC_DECODERS.update({0: _date_string, 1: _epoch_date})


def head(major: int, length: int) -> bytes:
    """The shortest CBOR head of major type *major* and argument *length* < 2**32 (RFC 8949 3).

    With :func:`bstr` and :func:`tstr`, for hot paths that write a fixed shape by hand
    rather than through the general encoder; the bytes are the same as :func:`dumps` gives.
    """
    mt = major << 5
    if length < 24:  # one byte: the argument fits in the initial byte
        return bytes((mt | length,))
    if length < 0x100:
        return bytes((mt | 24, length))
    if length < 0x10000:
        return bytes((mt | 25,)) + length.to_bytes(2, "big")
    return bytes((mt | 26,)) + length.to_bytes(4, "big")


def bstr(data: bytes) -> bytes:
    """A definite-length byte string."""
    return head(2, len(data)) + data


def tstr(text: str) -> bytes:
    """A definite-length text string (UTF-8)."""
    data = text.encode("utf-8")
    return head(3, len(data)) + data


def _leaf_size(initial: int) -> int:
    """The whole size of an item that its first byte alone tells (0: read more to know)."""
    major, info = initial >> 5, initial & 0x1F
    if major in (0, 1) or (major == 7 and info != 31):  # integers, simple values, floats
        return {24: 2, 25: 3, 26: 5, 27: 9}.get(info, 1 if info < 24 else 0)
    if major in (2, 3) and info < 24:  # short strings
        return 1 + info
    if initial in (0x80, 0xA0):  # the empty array and map open nothing
        return 1
    return 0


# Per initial byte: the size of a leaf item, and whether a map key may start with it (an
# integer or a text string: what COSE labels, CWT claim keys and JSON keys are).
_LEAF: Final = bytes(_leaf_size(b) for b in range(256))
_KEY: Final = bytes(b >> 5 in (0, 1, 3) for b in range(256))
_KEY_LEAF: Final = bytes(size if key else 0 for size, key in zip(_LEAF, _KEY, strict=True))


def _opens(initial: int) -> tuple[int, bool] | None:
    """What a container or tag head of one byte opens: (items, whether a map); else None."""
    major, info = initial >> 5, initial & 0x1F
    if info >= 24 or initial in (0x80, 0xA0):  # a longer head, or an empty array or map
        return None
    return {4: (info, False), 5: (2 * info, True), 6: (1, False)}.get(major)


# Per initial byte: what a one-byte container or tag head opens (a map's entries count twice,
# key and value; 23 entries at most, within MAX_MAP_ENTRIES), None for any other head.
_OPENS: Final = tuple(_opens(b) for b in range(256))


def _scan(data: bytes, pos: int = 0) -> int:
    """Walk the heads of the item at *pos* once, refuse what :func:`loads` never accepts
    (``ValueError``), and return where the item ends. Linear in ``len(data)``: one head a step
    (a map's key and value in one), forward only; a count larger than the bytes left is refused.
    """
    end, leaf, key_leaf, opens = len(data), _LEAF, _KEY_LEAF, _OPENS
    items = todo = 1  # declared so far (top level, containers, tags); left in the open one
    in_map = False  # whether the open container is a map: then each step starts at a key
    stack: list[tuple[int, bool]] = []
    try:
        while True:
            # Runs of leaves (most of a passport) stay in these inner loops; a break leaves
            # the first item that is not a leaf at pos; a run to the end closes the container.
            if in_map:
                while todo:  # a key (an integer or a text string) and its value, a step
                    size = key_leaf[data[pos]]
                    pos = pos + size if size else _skip_key(data, pos)
                    todo -= 2
                    size = leaf[data[pos]]
                    if not size:
                        break
                    pos += size
                else:
                    if not stack:
                        break
                    todo, in_map = stack.pop()
                    continue
            else:
                while todo:
                    todo -= 1
                    size = leaf[data[pos]]
                    if not size:
                        break
                    pos += size
                else:
                    if not stack:
                        break
                    todo, in_map = stack.pop()
                    continue
            initial = data[pos]
            opened = opens[initial]
            if opened is None:  # a head with its argument after it
                pos, opened = _long_head(data, pos, initial)
                if opened is None:  # a string, or an empty container: skipped whole
                    continue
            else:
                pos += 1
            if opened[0] > end - pos:  # every item takes a byte at least
                raise ValueError("a container declares more items than there are bytes")
            items += opened[0]
            if items > MAX_ITEMS:
                raise ValueError(f"more than {MAX_ITEMS} CBOR items")
            if len(stack) >= MAX_DEPTH:
                raise ValueError(f"CBOR nested deeper than {MAX_DEPTH}")
            stack.append((todo, in_map))
            todo, in_map = opened
    except IndexError:
        raise ValueError("truncated CBOR") from None
    return pos


def _long_head(data: bytes, pos: int, initial: int) -> tuple[int, tuple[int, bool] | None]:
    """The position after the head at *pos* whose argument follows its initial byte, or
    after the whole string it heads; and what it opens (items, whether a map), if anything."""
    if initial == 0x78 or initial == 0x58:  # noqa: PLR1714 - a 24-255 byte string
        return pos + 2 + data[pos + 1], None
    major = initial >> 5
    pos, arg = _argument(data, pos, initial)
    if major < 4:  # a longer string
        return pos + arg, None
    if major == 6:  # a tag opens one level holding its content, as cbor2 counts it
        return pos, (1, False)
    if major == 5 and arg > MAX_MAP_ENTRIES:
        raise ValueError(f"a map of {arg} entries (at most {MAX_MAP_ENTRIES})")
    if arg:
        return pos, (2 * arg, True) if major == 5 else (arg, False)
    if pos > len(data):  # an empty array or map whose head runs past the end
        raise ValueError("a container declares more items than there are bytes")
    return pos, None


def _argument(data: bytes, pos: int, initial: int) -> tuple[int, int]:
    """The position after the head at *pos* whose argument follows its initial byte
    *initial* (additional information 24 to 27), and that argument."""
    info = initial & 0x1F
    if info < 28:
        width = 1 << (info - 24)
        return pos + 1 + width, int.from_bytes(data[pos + 1 : pos + 1 + width], "big")
    raise ValueError(f"additional information {info} (indefinite or reserved)")


def _skip_key(data: bytes, pos: int) -> int:
    """The position after the map key at *pos* that is not a one-byte-head leaf."""
    initial = data[pos]
    if not _KEY[initial]:
        raise ValueError("a map key must be an integer or a text string")
    if initial == 0x78:  # a 24-255 byte text key
        return pos + 2 + data[pos + 1]
    pos, length = _argument(data, pos, initial)  # a longer text key, or a reserved head
    return pos + length


def dumps(value: Any) -> bytes:
    """Encode *value* as core deterministic CBOR (RFC 8949 section 4.2)."""
    return cbor2.dumps(value, canonical=True)


def loads(data: bytes) -> Any:
    """Decode exactly one CBOR item from untrusted *data*; raise only :class:`MalformedCBOR`."""
    if type(data) is not bytes and not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"CBOR input must be bytes, not {type(data).__name__}")
    size = len(data)
    if size > MAX_CBOR_BYTES:
        raise MalformedCBOR(f"CBOR of {size} bytes exceeds the {MAX_CBOR_BYTES}-byte bound")
    if size == 0:
        raise MalformedCBOR("empty input is not CBOR")
    try:
        end = _scan(data)
    except ValueError as exc:
        raise MalformedCBOR(f"not accepted CBOR: {exc}") from None
    if end != size:
        why = "truncated CBOR" if end > size else f"{size - end} trailing bytes"
        raise MalformedCBOR(f"not accepted CBOR: {why}")
    # Straight from the bytes, no decoder kept between calls: the cheapest way through cbor2.
    try:
        value = cbor2.loads(
            data,
            max_depth=MAX_DEPTH,
            allow_indefinite=False,
            allow_duplicate_keys=False,
            semantic_decoders=_SEMANTIC_DECODERS,
        )
    except Exception as exc:  # cbor2 has raised many exception types on garbage over time
        raise MalformedCBOR(f"not valid CBOR: {exc}") from exc
    return value  # the scan saw that the one item ends where the data does


def item_end(data: bytes, pos: int) -> int:
    """Where the CBOR item whose head is at *pos* ends (a reader of a fixed envelope skips
    what it does not read with it). ``ValueError`` for an item :func:`loads` refuses, or one
    that runs past the end of *data*."""
    end = _scan(data, pos)
    if end > len(data):
        raise ValueError("truncated CBOR")
    return end


def loads_reference(data: bytes) -> Any:
    """Decode *trusted* reference CBOR (a test vector file's own data) as plain cbor2 does,
    indefinite lengths included; a date-time (tag 0) stays its text, as :func:`loads` gives
    it. Never for untrusted input: it has none of :func:`loads`'s bounds."""
    return cbor2.loads(data, semantic_decoders={0: _date_string})
