"""The one-layer breakers behind :func:`vaxpass_core.testing.strategies.corrupted_passports`:
each takes a valid passport's QR text and breaks one layer of it, with the failure code
``vp.verify`` must report.

Private, and needs hypothesis: :mod:`vaxpass_core.testing.strategies` re-exports
:data:`LAYERS` and :class:`Corruption`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

from hypothesis import strategies as st

from vaxpass_core.errors import Code
from vaxpass_core.hazmat import base45, cose, hc1
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.shell._signing import with_kid


if TYPE_CHECKING:
    from collections.abc import Callable

    from vaxpass_core.shell.devpki import PKI


#: The layers :func:`corrupted_passports` breaks, outermost first.
LAYERS: Final = ("prefix", "base45", "zlib", "cose", "signature", "kid", "clock")


class Corruption(NamedTuple):
    """A broken passport: its *text*, and the failure *code* ``vp.verify`` must report
    (``None`` where the damage may surface at more than one check; it must still fail)."""

    text: str
    code: Code | None


def _reencode(cose_bytes: bytes, draw: st.DrawFn) -> str:
    return hc1.encode(cose_bytes, compress=draw(st.sampled_from((0, 9))))


def break_prefix(draw: st.DrawFn, text: str) -> Corruption:
    prefix = draw(st.sampled_from(("", "HC2:", "hc1:", "HC1", "HL0:", "\u00a0HC1:", "HC:", "1:")))
    return Corruption(prefix + text[len(hc1.PREFIX) :], Code.HC1_PREFIX)


def break_base45(draw: st.DrawFn, text: str) -> Corruption:
    body = text[len(hc1.PREFIX) :]
    how = draw(st.sampled_from(("character", "length", "overflow")))
    if how == "character":  # one character outside the 45-letter alphabet
        at = draw(st.integers(0, len(body)))
        bad = draw(st.sampled_from("abz#_!~@\"'\n;=?[]^&"))
        body = body[:at] + bad + body[at:]
    elif how == "length":  # 3n+1 characters cannot be Base45
        body += "0" * ((1 - len(body)) % 3 or 3)
    elif len(body) % 3 == 0:  # the last triple above 65535
        body = body[:-3] + ":::"
    else:  # the last pair above 255
        body = body[:-2] + "::"
    return Corruption(hc1.PREFIX + body, Code.HC1_BASE45)


def break_zlib(draw: st.DrawFn, text: str) -> Corruption:
    packed = bytearray(base45.b45decode(text[len(hc1.PREFIX) :]))
    how = draw(st.sampled_from(("header", "checksum", "truncate", "trailing")))
    if how == "header":  # any one-bit change breaks the header's mod-31 check
        packed[draw(st.integers(0, 1))] ^= 1 << draw(st.integers(0, 7))
    elif how == "checksum":  # the Adler-32 trailer no longer matches
        packed[-draw(st.integers(1, 4))] ^= 1 << draw(st.integers(0, 7))
    elif how == "truncate":
        del packed[-draw(st.integers(1, min(16, len(packed) - 1))) :]
    else:
        packed += draw(st.binary(min_size=1, max_size=8))
    return Corruption(hc1.PREFIX + base45.b45encode(bytes(packed)), Code.HC1_ZLIB)


def break_cose(draw: st.DrawFn, text: str) -> Corruption:
    data = bytearray(hc1.decode(text))
    how = draw(st.sampled_from(("truncate", "tag", "array", "garbage")))
    code: Code | None
    if how == "truncate":  # CBOR that ends early
        del data[-draw(st.integers(1, len(data) - 1)) :]
        code = Code.CBOR_MALFORMED
    elif how == "tag":  # tag 18 (COSE_Sign1) -> another tag
        data[0] = draw(st.sampled_from((0xD1, 0xD3, 0xC0 | 17, 0xD0)))
        code = Code.COSE_MALFORMED
    elif how == "array":  # four items -> two or three (or five, one missing)
        data[1] = draw(st.sampled_from((0x82, 0x83, 0x85)))
        code = None
    else:  # something that is not a COSE message at all
        data = bytearray(_cbor.dumps(draw(st.sampled_from(([1, 2, 3, 4], {"a": 1}, "HC1", 0)))))
        code = Code.COSE_MALFORMED
    return Corruption(_reencode(bytes(data), draw), code)


def break_signature(draw: st.DrawFn, text: str) -> Corruption:
    data = bytearray(hc1.decode(text))
    size = len(cose.decode_sign1(bytes(data)).signature)  # the signature ends the message
    data[-draw(st.integers(1, size))] ^= 1 << draw(st.integers(0, 7))
    return Corruption(_reencode(bytes(data), draw), Code.SIGNATURE_INVALID)


def break_kid(draw: st.DrawFn, text: str, the_pki: PKI) -> Corruption:
    message = cose.decode_sign1(hc1.decode(text))
    same_kind = [
        s.kid
        for s in the_pki.trust.signers
        if s.kid != message.kid and cose.algorithm_for_key(s.public_key) == message.alg
    ]
    known = the_pki.trust.kids
    unknown = st.binary(min_size=8, max_size=8).filter(lambda k: k not in known)
    choices = [unknown.map(lambda k: (k, Code.KEY_UNKNOWN))]
    if same_kind:  # a trusted key of the same type: found, but the signature is not its
        choices.append(st.sampled_from(same_kind).map(lambda k: (k, Code.SIGNATURE_INVALID)))
    kid, code = draw(st.one_of(choices))
    return Corruption(_reencode(with_kid(message, kid), draw), code)


#: The breakers of the layers that need nothing but the text.
BREAKERS: Final[dict[str, Callable[[st.DrawFn, str], Corruption]]] = {
    "prefix": break_prefix,
    "base45": break_base45,
    "zlib": break_zlib,
    "cose": break_cose,
    "signature": break_signature,
}
