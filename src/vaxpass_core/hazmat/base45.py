"""Base45 (RFC 9285), strict, and fast without a C extension.

Per-character Python loops cost about 60 ns a character; a passport has 600 of
them on the verify path. Both directions here work on *all groups at once*: the
groups are laid out in fixed-width slots of one big integer, and a handful of
C-level big-integer operations (mask, shift, multiply, add) do the arithmetic for
every slot in parallel. Slots are wide enough that no slot ever carries into its
neighbour, so the result is exact. Strided slice assignment moves bytes in and
out of the slots.

Decoding is strict: only the 45 characters of the alphabet, no whitespace, no
length of the form 3n+1, and no group whose value overflows its byte count
(RFC 9285 section 4.2 requires rejecting those).
"""

from __future__ import annotations

from vaxpass_core.errors import InvalidBase45


__all__ = ["ALPHABET", "b45decode", "b45encode"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

# Groups handled per big-integer pass; longer input runs in several passes. Keeps
# the precomputed masks small (a few KiB) and every operation linear in size.
_BLOCK = 1024

# ---- decoding ---------------------------------------------------------------
# Character -> digit value; 0xFF marks a character outside the alphabet.
_DIGITS = bytes(ALPHABET.index(chr(c)) if chr(c) in ALPHABET else 0xFF for c in range(256))
# A group c d e (three digit bytes, big-endian) sits in one 24-bit slot; these
# select the d and e byte of every slot.
_MASK_D = int.from_bytes(b"\x00\xff\x00" * _BLOCK, "big")
_MASK_E = _MASK_D >> 8
# A slot's c 2**16 + d 2**8 + e, plus (45 * 2**8 - 1) d 2**8 and (2025 * 2**16 - 1) e,
# is (c + 45 d + 2025 e) 2**16: the group's value, two bytes up.
_D_WEIGHT, _E_WEIGHT = (45 << 8) - 1, (2025 << 16) - 1
# A value's third byte (2**16 and above: over 65535), two bytes up, in every slot.
_OVER = int.from_bytes(b"\xff\x00\x00" * _BLOCK + b"\x00\x00", "big")


def _decode_groups(digits: bytes) -> bytearray:
    """Full 3-digit groups -> 2 bytes each; raises ValueError on an overflowing group."""
    groups = len(digits) // 3
    x = int.from_bytes(digits, "big")
    # Every value is below 91125 < 2**24, so the sum is exactly the values in 24-bit slots
    # shifted left 16 bits: their bytes, then two zero bytes (cheaper than shifting back).
    v = x + _D_WEIGHT * (x & _MASK_D) + _E_WEIGHT * (x & _MASK_E)
    if v & _OVER:  # a slot's top byte is set: the group's value exceeds 65535
        raise ValueError("a Base45 group encodes a value above 65535")
    out = bytearray(v.to_bytes(3 * groups + 2, "big"))
    del out[0::3]  # every slot's top byte, zero, and one of the two zero bytes below
    del out[-1]  # the other
    return out


def b45decode(text: str) -> bytes:
    """Decode strict Base45 *text*; raise :class:`InvalidBase45` on anything else."""
    if not isinstance(text, str):
        raise TypeError(f"Base45 text must be str, not {type(text).__name__}")
    try:
        digits = text.encode("ascii").translate(_DIGITS)
    except UnicodeEncodeError:
        raise InvalidBase45("Base45 text contains a character outside the alphabet") from None
    if 0xFF in digits:  # an int: a bytes needle would first be tried as one, and fail
        raise InvalidBase45("Base45 text contains a character outside the alphabet")
    size = len(digits)
    rest = size % 3
    if rest == 1:
        raise InvalidBase45(f"Base45 text of length {size} (3n+1) cannot be decoded")
    if rest:
        # The final pair c d, read as the group c d 0: its value c + 45 d lands in the
        # group's two bytes, the first of which must be zero (the value at most 255).
        digits += b"\x00"
    step = 3 * _BLOCK
    try:
        if size <= step:
            out = _decode_groups(digits)
        else:
            out = bytearray().join(
                _decode_groups(digits[i : i + step]) for i in range(0, len(digits), step)
            )
    except ValueError as exc:
        raise InvalidBase45(str(exc)) from None
    if rest:
        if out[-2]:
            raise InvalidBase45("the final Base45 pair encodes a value above 255")
        del out[-2]
    return bytes(out)


# ---- encoding ---------------------------------------------------------------
# Each 16-bit value v sits in a 32-bit slot, the slots little-endian (the first pair in the
# lowest), so a slot's low byte comes out first. q = v // 45 is computed for all slots at
# once as (v * 11651) >> 19 (exact for v < 2**16, checked in the tests); v * 11651 < 2**30
# stays inside the slot. After the shift, the next slot's low bits sit above bit 13 of
# this one: an 11-bit mask keeps q (< 1457) alone. The same constant divides q by 45 again.
# Four bytes a slot rather than five make every big-integer operation a fifth shorter.
_ENC_MUL, _ENC_SHIFT = 11651, 19
_MASK_Q = int.from_bytes(b"\xff\x07\x00\x00" * _BLOCK, "little")
_MASK_E8 = _MASK_Q << 8  # e = q // 45 < 33, moved up a byte
_FILL = int.from_bytes(b"\x00\x00\x00\xff" * _BLOCK, "little")
_FILLS: dict[int, int] = {}
_FILLS_CACHE_SIZE = 64
# 256 - 45: what turns v into c + 256 d, and q into d + 256 e (see below).
_DIGIT_STEP = 256 - 45
_TO_ALPHABET = bytes.maketrans(bytes(range(45)), ALPHABET.encode("ascii"))


def _encode_groups(data: bytes) -> bytes:
    """Pairs of bytes -> four bytes each: three digits (0..44), then a 0xFF filler.

    An odd last byte is left out (the caller encodes it).
    """
    groups = len(data) // 2
    buf = bytearray(4 * groups)
    buf[0::4] = data[1::2]  # a slot's low byte: the pair's second
    buf[1::4] = data[0 : 2 * groups : 2]  # an odd last byte is the caller's
    v = int.from_bytes(buf, "little")
    q = ((v * _ENC_MUL) >> _ENC_SHIFT) & _MASK_Q  # v // 45 in every slot
    e = ((q * _ENC_MUL) >> (_ENC_SHIFT - 8)) & _MASK_E8  # (v // 2025) << 8
    # Slot bytes become [c, d, e, 0xFF] with c = v - 45 q and d = q - 45 e: c + 256 d +
    # 65536 e is v + (256 - 45) q + (256 - 45) 256 e, all terms positive and each slot's sum
    # below 2**24 (no carry crosses a slot), and the fillers are or-ed in above. The
    # caller's translate() deletes them (a digit is never 0xFF) while mapping digits to
    # characters.
    fill = _FILLS.get(groups)
    if fill is None:  # the fillers for this many slots, remembered: a few sizes recur
        if len(_FILLS) >= _FILLS_CACHE_SIZE:
            _FILLS.clear()
        fill = _FILLS[groups] = _FILL >> (32 * (_BLOCK - groups))
    return (v + _DIGIT_STEP * (q + e) | fill).to_bytes(4 * groups, "little")


def b45encode(data: bytes | bytearray | memoryview) -> str:
    """Encode *data* as Base45 (RFC 9285)."""
    if type(data) is not bytes:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"Base45 input must be bytes, not {type(data).__name__}")
        data = bytes(data)
    size = len(data)
    if size > 2 * _BLOCK:
        step = 2 * _BLOCK
        digits = b"".join(_encode_groups(data[i : i + step]) for i in range(0, size - 1, step))
    elif size > 1:
        digits = _encode_groups(data)
    else:
        digits = b""
    if size % 2:
        last = data[-1]
        digits += bytes((last % 45, last // 45))
    return digits.translate(_TO_ALPHABET, b"\xff").decode("ascii")
