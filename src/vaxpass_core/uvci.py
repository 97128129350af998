"""Unique vaccination certificate identifiers (UVCI), as in the eHealth Network guidelines.

Shape: ``URN:UVCI:01:VN:<blocks>[#<checksum>]``. ``01`` is the UVCI version, ``VN`` the
issuing country, and the blocks (``/``-separated) are opaque to everyone but the issuer.
The characters are ``A-Z 0-9 / :``; ``#`` only introduces the checksum.

The checksum is the optional Luhn mod N character (N = 38 over
``ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:``, in that order), computed over the whole
identifier before ``#`` including the ``URN:UVCI:`` prefix:
``checksum("URN:UVCI:01:NL:187/37512422923") == "Z"``. It is advisory: verifiers report a
wrong one, they do not reject the certificate for it (:func:`check`).
"""

from __future__ import annotations

import enum
import re
import secrets

from attrs import frozen

from .errors import InvalidUVCI


__all__ = [
    "ALPHABET",
    "MAX_LENGTH",
    "PREFIX",
    "UVCI",
    "ChecksumStatus",
    "check",
    "checksum",
    "new",
    "parse",
]

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
PREFIX = "URN:UVCI:"
#: The DCC schema's ``certificate_id`` maximum.
MAX_LENGTH = 80

_N = len(ALPHABET)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_BLOCK = r"[A-Z0-9]+"
_SHAPE = re.compile(
    rf"(?P<prefix>{PREFIX})?(?P<version>[0-9]{{2}}):(?P<country>[A-Z]{{2,3}}):"
    rf"(?P<blocks>{_BLOCK}(?:[/:]{_BLOCK})*)(?:#(?P<checksum>[{re.escape(ALPHABET)}]))?"
)


class ChecksumStatus(enum.StrEnum):
    """What :func:`check` found."""

    VALID = "valid"  # present and right
    ABSENT = "absent"
    WRONG = "wrong"


@frozen
class UVCI:
    """A parsed identifier. ``str(uvci)`` gives back the text it was parsed from."""

    text: str
    version: str
    country: str
    blocks: tuple[str, ...]
    checksum: str | None
    has_prefix: bool

    @property
    def body(self) -> str:
        """The identifier without ``#`` and the checksum, with the ``URN:UVCI:`` prefix."""
        body = self.text.split("#", 1)[0]
        return body if self.has_prefix else PREFIX + body

    def __str__(self) -> str:
        return self.text


def checksum(uvci: str) -> str:
    """The Luhn mod 38 check character of *uvci* (the identifier without ``#...``).

    Raises :class:`InvalidUVCI` if *uvci* has a character outside :data:`ALPHABET`.
    """
    if not isinstance(uvci, str):
        raise TypeError(f"uvci must be str, not {type(uvci).__name__}")
    total = 0
    factor = 2  # the rightmost character is doubled
    for char in reversed(uvci):
        value = _VALUE.get(char)
        if value is None:
            raise InvalidUVCI(f"{char!r} is not a UVCI character (A-Z, 0-9, '/', ':')")
        addend = factor * value
        total += addend // _N + addend % _N
        factor = 3 - factor
    return ALPHABET[(_N - total % _N) % _N]


def parse(text: str) -> UVCI:
    """Split *text* into its parts; raise :class:`InvalidUVCI` if it is not a UVCI.

    The ``URN:UVCI:`` prefix may be absent (the guidelines allow leaving it out). A
    checksum is taken as it is: use :func:`check` to judge it.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise InvalidUVCI(f"UVCI of {len(text)} characters exceeds {MAX_LENGTH}")
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise InvalidUVCI(
            f"{text!r} is not a UVCI (URN:UVCI:<version>:<country>:<blocks>[#<checksum>])"
        )
    return UVCI(
        text=text,
        version=match["version"],
        country=match["country"],
        blocks=tuple(re.split("[/:]", match["blocks"])),
        checksum=match["checksum"],
        has_prefix=match["prefix"] is not None,
    )


def check(text: str) -> ChecksumStatus:
    """Judge the checksum of *text*: present and right, absent, or wrong.

    Advisory by design (the checksum is optional in the guidelines). Raises
    :class:`InvalidUVCI` only when *text* is not a UVCI at all.
    """
    uvci = parse(text)
    if uvci.checksum is None:
        return ChecksumStatus.ABSENT
    if checksum(uvci.body) == uvci.checksum:
        return ChecksumStatus.VALID
    return ChecksumStatus.WRONG


def new(
    *,
    issuer: str | None = None,
    unique: str | None = None,
    country: str = "VN",
    with_checksum: bool = True,
) -> str:
    """A new identifier ``URN:UVCI:01:<country>:[<issuer>/]<unique>[#<checksum>]``.

    *unique* is the opaque part; when omitted, 128 random bits in upper-case hex are
    used (as Viet Nam's production identifiers are). Pass it to get a reproducible id.
    *issuer* is an optional first block naming the issuing entity (e.g. a facility id).
    Raises :class:`ValueError` for blocks with characters other than ``A-Z 0-9`` or an
    identifier longer than :data:`MAX_LENGTH`.
    """
    if unique is None:
        unique = secrets.token_hex(16).upper()
    if not re.fullmatch(r"[A-Z]{2,3}", country):
        raise ValueError(f"country must be 2 or 3 letters A-Z, not {country!r}")
    blocks = [unique] if issuer is None else [issuer, unique]
    for block in blocks:
        if not re.fullmatch(_BLOCK, block):
            raise ValueError(f"UVCI block {block!r} must be one or more of A-Z, 0-9")
    text = f"{PREFIX}01:{country}:{'/'.join(blocks)}"
    if with_checksum:
        text += "#" + checksum(text)
    if len(text) > MAX_LENGTH:
        raise ValueError(f"UVCI {text!r} exceeds {MAX_LENGTH} characters")
    return text
