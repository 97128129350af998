"""Revocation: EU DCC revocation entries for passports, and entries for facility certificates.

A :class:`Revocation` is one entry of a list a :class:`~vaxpass_core.trust.TrustStore` holds
(``TrustStore.revocations``, ``with_revocations``); the store answers ``revoked(...)`` and
``facility_revoked(...)`` from them. Every name here is also importable from
:mod:`vaxpass_core.trust`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._gateway import b64_field, parsed
from .errors import InvalidTrustData
from .hazmat.cose import EDDSA, ES256, ES384, ES512, KID_LENGTH, PS256


__all__ = [
    "PASSPORT_KINDS",
    "REVOCATION_HASH_LENGTH",
    "Revocation",
    "RevocationKind",
    "revocation_entries",
    "revocations_from_batch",
]

#: EU DCC revocation hashes are SHA-256 truncated to the first 128 bits.
REVOCATION_HASH_LENGTH: Final = 16
# COSE labels whose signatures are ECDSA (r || s): only r is hashed.
_ECDSA_ALGS: Final = frozenset({ES256, ES384, ES512})
_WHOLE_SIGNATURE_ALGS: Final = frozenset({PS256, EDDSA})  # PS256: EU rule; EdDSA: not malleable


class RevocationKind(enum.StrEnum):
    """What a :class:`Revocation` entry hashes or names.

    The first three are the EU DCC revocation ``hashType`` values (their names are the wire
    values); the last two are this library's, for facility certificates.
    """

    UCI = "UCI"
    COUNTRYCODEUCI = "COUNTRYCODEUCI"
    SIGNATURE = "SIGNATURE"
    FACILITY_KID = "FACILITY_KID"
    FACILITY_SERIAL = "FACILITY_SERIAL"


#: The kinds of entry that revoke passports (the EU DCC hash types), not facilities.
PASSPORT_KINDS: Final = frozenset(
    {RevocationKind.UCI, RevocationKind.COUNTRYCODEUCI, RevocationKind.SIGNATURE}
)


def _sha16(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:REVOCATION_HASH_LENGTH]


def _check_revocation(instance: Revocation, _: Any, value: bytes) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"value must be bytes, got {type(value).__name__}")
    kind = instance.kind
    if kind in PASSPORT_KINDS and len(value) != REVOCATION_HASH_LENGTH:
        raise ValueError(f"a {kind} entry is {REVOCATION_HASH_LENGTH} bytes, got {len(value)}")
    if kind is RevocationKind.FACILITY_KID and len(value) != KID_LENGTH:
        raise ValueError(f"a facility kid is {KID_LENGTH} bytes, got {len(value)}")
    if not value:
        raise ValueError("empty revocation value")


@attrs.frozen
class Revocation:
    """One revocation entry.

    The EU DCC revocation forms. Sources checked: the EU DCC Gateway's ``RevocationHashTypeDto``
    (eu-digital-green-certificates/dgc-gateway, the ``hashType`` names and what each hashes)
    and two verifiers that implement them (Corona-Warn-App's revocation calculation and its
    test cases; the ``r``-half rule is theirs, the gateway text says only "the signature").
    Each value is the first 16 bytes (128 bits) of SHA-256 over

    * ``UCI``: the UTF-8 UCI (the DCC's ``ci``, as written, ``URN:UVCI:`` prefix included);
    * ``COUNTRYCODEUCI``: the UTF-8 issuing country code (the CWT ``iss``) followed by the UCI;
    * ``SIGNATURE``: the COSE_Sign1 signature bytes -- for ECDSA only the first half, ``r``
      (``s`` is malleable: ``(r, n - s)`` verifies too), for RSA-PSS the whole signature.

    EU revocation batches are published per Document Signer ``kid``; ``kid`` scopes an entry
    the same way (None: any signer). ``FACILITY_KID`` (8 bytes) and ``FACILITY_SERIAL`` (the
    certificate serial, big-endian) revoke a facility certificate.
    """

    kind: RevocationKind = attrs.field(converter=RevocationKind)
    value: bytes = attrs.field(validator=_check_revocation)
    kid: bytes | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bytes))
    )

    def __attrs_post_init__(self) -> None:
        if self.kid is not None and self.kind not in PASSPORT_KINDS:
            raise ValueError("only DCC entries are scoped by a Document Signer kid")

    @classmethod
    def uci(cls, uci: str, *, kid: bytes | None = None) -> Revocation:
        return cls(RevocationKind.UCI, uci_hash(uci), kid)

    @classmethod
    def country_code_uci(cls, country: str, uci: str, *, kid: bytes | None = None) -> Revocation:
        return cls(RevocationKind.COUNTRYCODEUCI, country_code_uci_hash(country, uci), kid)

    @classmethod
    def signature(cls, signature: bytes, alg: int, *, kid: bytes | None = None) -> Revocation:
        return cls(RevocationKind.SIGNATURE, signature_hash(signature, alg), kid)

    @classmethod
    def facility_kid(cls, kid: bytes) -> Revocation:
        return cls(RevocationKind.FACILITY_KID, kid)

    @classmethod
    def facility_serial(cls, serial: int) -> Revocation:
        if isinstance(serial, bool) or not isinstance(serial, int):
            raise TypeError("serial must be an int")
        if serial < 0:
            raise ValueError("certificate serials are positive")
        return cls(
            RevocationKind.FACILITY_SERIAL, serial.to_bytes(max(1, -(-serial.bit_length() // 8)))
        )


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, got {type(value).__name__}")
    return value


# The hash of each EU form, apart from the entry: TrustStore.revoked() hashes a passport's
# probes with these on every verify, and building validated entries for that cost 3x more.


def uci_hash(uci: str) -> bytes:
    """The ``UCI`` hash of *uci* (see :class:`Revocation`)."""
    return _sha16(_text(uci, "uci").encode())


def country_code_uci_hash(country: str, uci: str) -> bytes:
    """The ``COUNTRYCODEUCI`` hash of *country* and *uci* (see :class:`Revocation`)."""
    return _sha16((_text(country, "country") + _text(uci, "uci")).encode())


def signature_hash(signature: bytes, alg: int) -> bytes:
    """The ``SIGNATURE`` hash of a COSE signature made with *alg* (see :class:`Revocation`).

    :class:`ValueError` when no rule covers *alg*, or an ECDSA value has no two equal halves.
    """
    if not isinstance(signature, bytes) or isinstance(alg, bool) or not isinstance(alg, int):
        raise TypeError("signature must be bytes and alg a COSE algorithm label (int)")
    if alg in _ECDSA_ALGS:
        if not signature or len(signature) % 2:
            raise ValueError("an ECDSA signature is r || s of equal halves")
        signature = signature[: len(signature) // 2]
    elif alg not in _WHOLE_SIGNATURE_ALGS:
        raise ValueError(f"no revocation rule for COSE algorithm {alg}")
    return _sha16(signature)


def revocation_entries(
    uci: str, country: str, signature: bytes, alg: int, *, kid: bytes | None = None
) -> tuple[Revocation, ...]:
    """The three EU DCC revocation entries (UCI, COUNTRYCODEUCI, SIGNATURE) for one passport.

    *country* is the issuing country (the CWT ``iss``), *signature* the COSE_Sign1 signature
    and *alg* its COSE algorithm label. See :class:`Revocation` for the hash rules.
    """
    return (
        Revocation.uci(uci, kid=kid),
        Revocation.country_code_uci(country, uci, kid=kid),
        Revocation.signature(signature, alg, kid=kid),
    )


def revocations_from_batch(batch: bytes | str | Mapping[str, Any]) -> tuple[Revocation, ...]:
    """Entries of one EU DCC Gateway revocation batch (``kid``, ``hashType``, ``entries``).

    Raises :class:`~vaxpass_core.errors.InvalidTrustData` (``trust.invalid``, a ValueError)
    for any batch it cannot read, and nothing else.

    .. versionchanged:: Unreleased
       ``InvalidTrustData`` instead of a plain ValueError, and never another exception.
    """
    try:
        return _batch_entries(parsed(batch))
    except InvalidTrustData:
        raise
    except ValueError as exc:  # bad JSON, base64 or entry values
        raise InvalidTrustData(f"unreadable revocation batch: {exc}") from exc


def _batch_entries(obj: object) -> tuple[Revocation, ...]:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("entries"), list):
        raise InvalidTrustData("a revocation batch is an object with an 'entries' list")
    kid = b64_field(obj["kid"]) if obj.get("kid") not in (None, "UNKNOWN_KID") else None
    hash_type = obj.get("hashType")
    if not isinstance(hash_type, str) or hash_type not in _BATCH_KINDS:
        raise InvalidTrustData(f"unknown hashType {hash_type!r}")
    kind = RevocationKind(hash_type)
    entries = []
    for entry in obj["entries"]:
        if not isinstance(entry, Mapping):
            raise InvalidTrustData("each revocation entry is an object with a 'hash'")
        entries.append(Revocation(kind, b64_field(entry.get("hash")), kid))
    return tuple(entries)


# The hashType names a batch may carry: the passport kinds' wire values.
_BATCH_KINDS: Final = frozenset(kind.value for kind in PASSPORT_KINDS)
