"""The HC1 transport: ``"HC1:" + Base45(zlib(COSE_Sign1))``, both ways, bounded.

Input policy (hcert spec 1.0.x, section 3, and the dgc-testdata expectations):

* The prefix is exactly ``HC1:`` (upper case, no leading or trailing whitespace):
  ``HL0:``, ``HC2:`` and bare Base45 are refused (dgc-testdata H1, H2, H3).
* zlib is mandatory: a Base45 payload that is raw COSE is refused with
  ``hc1.zlib`` (dgc-testdata Z2 expects exactly that), though some verifiers in the
  field fall back to it.
* Any valid zlib stream is accepted: stored blocks (Viet Nam's own test passport
  uses them) as well as deflated ones, any window size. A stream must end
  cleanly: truncated data and bytes after its end are refused.
* Sizes are bounded before work is done: the text by what a QR code can hold, the
  compressed bytes by what that text can carry, the decompressed bytes by
  :data:`MAX_DECOMPRESSED_BYTES`, enforced *while* inflating, so a zlib bomb costs
  at most that much memory and stops at once.

Output: :func:`encode` writes stored blocks by default. Measured over many
different signed passports (``benchmarks/run.py``), deflate saves only a few
bytes on signed CBOR (names and identifiers barely repeat, and the signature is
random) while costing time on both ends; any zlib level can still be asked for.
"""

from __future__ import annotations

import zlib

from vaxpass_core.errors import InvalidPrefix, InvalidZlib, TooLarge

from .base45 import b45decode, b45encode
from .cbor import MAX_CBOR_BYTES


__all__ = [
    "DEFAULT_COMPRESS",
    "MAX_COMPRESSED_BYTES",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_TEXT_CHARS",
    "PREFIX",
    "WHITESPACE",
    "decode",
    "decompress",
    "encode",
    "strip_prefix",
]

PREFIX = "HC1:"
#: A version 40 QR code holds at most 4296 alphanumeric characters, prefix included.
MAX_TEXT_CHARS = 4296
#: What Base45 text of that length can carry.
MAX_COMPRESSED_BYTES = (MAX_TEXT_CHARS - len(PREFIX)) * 2 // 3 + 1
#: Real passports inflate to under 3 KiB; this is the same bound the CBOR decoder applies.
MAX_DECOMPRESSED_BYTES = MAX_CBOR_BYTES
#: zlib level :func:`encode` uses unless told otherwise: 0 writes stored blocks.
DEFAULT_COMPRESS = 0

# Small window and memLevel: the stream stays standard zlib, yet the compressor's
# state is small, so glibc does not trim and refault it on every call.
_WBITS = 10
_MEM_LEVEL = 2


def encode(cose: bytes, *, compress: int = DEFAULT_COMPRESS) -> str:
    """``HC1:`` text for a COSE message; *compress* is the zlib level (0 = stored)."""
    if type(cose) is not bytes and not isinstance(cose, bytes | bytearray | memoryview):
        raise TypeError(f"COSE message must be bytes, not {type(cose).__name__}")
    if not isinstance(compress, int) or isinstance(compress, bool) or not 0 <= compress <= 9:
        raise ValueError(f"compress must be a zlib level 0..9, not {compress!r}")
    compressor = zlib.compressobj(compress, zlib.DEFLATED, _WBITS, _MEM_LEVEL)
    packed = compressor.compress(cose) + compressor.flush()
    return PREFIX + b45encode(packed)


#: What scanners and files put around a QR text (a trailing newline): stripped at the ends.
WHITESPACE = " \t\n\r\f\v"


def strip_prefix(text: str) -> str:
    """The Base45 part of HC1 *text*; :class:`InvalidPrefix` unless it starts with ``HC1:``.

    ASCII whitespace at either end (a file's trailing newline) is ignored; inside, it is not.
    """
    if not isinstance(text, str):
        raise TypeError(f"HC1 text must be str, not {type(text).__name__}")
    if text[:1] in WHITESPACE or text[-1:] in WHITESPACE:
        text = text.strip(WHITESPACE)
    if len(text) > MAX_TEXT_CHARS:
        raise TooLarge(f"{len(text)} characters exceed the {MAX_TEXT_CHARS} a QR code holds")
    if not text.startswith(PREFIX):
        raise InvalidPrefix(f"the text does not start with {PREFIX!r}")
    return text[len(PREFIX) :]


def decompress(data: bytes) -> bytes:
    """Inflate one complete zlib stream, never producing more than the bound."""
    if len(data) > MAX_COMPRESSED_BYTES:
        raise TooLarge(f"{len(data)} compressed bytes exceed the {MAX_COMPRESSED_BYTES} bound")
    inflater = zlib.decompressobj()
    try:
        # One byte over the bound is enough to know the bound is exceeded.
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise InvalidZlib(f"not a zlib stream: {exc}") from None
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise TooLarge(f"inflates to more than {MAX_DECOMPRESSED_BYTES} bytes")
    if not inflater.eof:
        raise InvalidZlib("the zlib stream is truncated")
    if inflater.unused_data:
        raise InvalidZlib(f"{len(inflater.unused_data)} bytes follow the zlib stream")
    return out


def decode(text: str) -> bytes:
    """HC1 *text* -> the COSE message bytes it carries."""
    return decompress(b45decode(strip_prefix(text)))
