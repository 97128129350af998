"""Viet Nam's level 1: a vaccination facility's signature over the 11-field record.

The facility signs the record's deterministic CBOR (:meth:`VaccinationRecord.to_cbor`) as a
COSE_Sign1 whose protected header is exactly, in canonical CBOR::

    {1: alg, 4: facility kid, 15: {6: signed_at}}

(label 15 is "CWT Claims" in a COSE header, RFC 9597; claim 6 is ``iat``). That is an
:class:`Attestation`, what the facility sends the ministry.

When the ministry issues the passport, the attestation travels *inside* the ministry-signed
CWT under the private-use claim :data:`ATTESTATION_CLAIM` (RFC 8392 section 9.1: labels
below -65536 are for private use, so EU verifiers ignore it) as one byte string of fixed
layout, the most compact form a QR code can carry:

======  =====  ==========================================================
offset  bytes  content
======  =====  ==========================================================
0       8      facility kid (SHA-256 of the facility certificate, first 8)
8       4      signed_at, seconds since the epoch, unsigned big-endian
12      2      nationality, ISO 3166-1 alpha-2, ASCII (field 3)
14      4      record digest: SHA-256 of the record's CBOR, first 4 bytes
18      rest   the facility's COSE signature (64 bytes for ES256)
======  =====  ==========================================================

Everything else the facility signed can be rebuilt from the DCC: the record from the DCC
plus the nationality (a DCC has no place for it), and the protected header from the kid,
``signed_at`` and the facility key's algorithm. The digest lets a verifier tell
``facility.mismatch`` (the facility signed another record) from ``facility.signature`` (a
bad signature). For an ES256 facility the claim adds 89 bytes, 134 characters of QR text.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any, Final

import attrs

from .errors import (
    FacilityMismatch,
    FacilitySignatureInvalid,
    InvalidRecord,
    MalformedCOSE,
    VaxpassError,
)
from .hazmat import cbor as _cbor
from .hazmat import cose
from .record import VaccinationRecord


if TYPE_CHECKING:
    from collections.abc import Iterable

    from .signers import FacilitySigner
    from .trust import FacilityCertificate


__all__ = [
    "ATTESTATION_CLAIM",
    "Attestation",
    "EmbeddedAttestation",
    "check_digest",
    "protected_header",
    "record_digest",
    "sign",
    "verify_embedded",
    "verify_signature",
]

#: The private-use CWT claim carrying the facility attestation inside a passport.
ATTESTATION_CLAIM: Final = -65537
#: How much of SHA-256(record CBOR) the passport carries to tell a mismatch apart.
DIGEST_BYTES: Final = 4
_HEADER_CLAIMS: Final = 15  # RFC 9597: CWT claims in a COSE header
_CLAIM_IAT: Final = 6
_KID_BYTES: Final = 8
_MAX_SIGNATURE: Final = 1024  # RSA-8192; anything longer is not a signature
_MAX_TIME: Final = 1 << 32  # signed_at is carried in four bytes: until the year 2106
_FIXED: Final = 18  # kid, signed_at, nationality and digest come before the signature


def protected_header(alg: int, kid: bytes, signed_at: int) -> bytes:
    """The exact protected header bytes of a facility attestation."""
    if (
        type(alg) is int
        and type(kid) is bytes
        and type(signed_at) is int
        and -_MAX_TIME < alg < _MAX_TIME
        and 0 <= signed_at < _MAX_TIME
    ):
        # Written out, as verifying rebuilds it for every passport: the same canonical bytes
        # as the general encoder below (tested so), map(3) {1: alg, 4: kid, 15: {6: iat}}.
        return _header_start(alg, kid) + _cbor.head(0, signed_at)
    return _cbor.dumps({cose.HEADER_ALG: alg, cose.HEADER_KID: kid, _HEADER_CLAIMS: {6: signed_at}})


# All but the time is the same for every attestation of one facility key: remembered.
@functools.lru_cache(maxsize=256)
def _header_start(alg: int, kid: bytes) -> bytes:
    alg_head = _cbor.head(0, alg) if alg >= 0 else _cbor.head(1, -1 - alg)
    return b"\xa3\x01" + alg_head + b"\x04" + _cbor.bstr(kid) + b"\x0f\xa1\x06"


def record_digest(record_cbor: bytes) -> bytes:
    return hashlib.sha256(record_cbor).digest()[:DIGEST_BYTES]


def check_digest(embedded: EmbeddedAttestation, record_cbor: bytes) -> None:
    """Raise :class:`~vaxpass_core.errors.FacilityMismatch` unless *embedded*'s record digest
    is that of *record_cbor*: the facility attested another record than the passport holds."""
    if record_digest(record_cbor) != embedded.record_digest:
        raise FacilityMismatch("the facility attested a different record than the passport holds")


@attrs.frozen
class Attestation:
    """A facility's signed statement that *record* is right (level 1).

    Make one with :func:`vaxpass_core.attest`; send :meth:`to_bytes`; read one back with
    :meth:`from_bytes`. Untrusted until the ministry checks it against its trust store.
    """

    record: VaccinationRecord
    facility_kid: bytes
    signed_at: int
    alg: int
    signature: bytes
    # Not data: caches of the record's CBOR and of the protected header, each a function of
    # the fields above (init=False: a caller cannot pass one).
    _cbor_cache: bytes | None = attrs.field(init=False, default=None, eq=False, repr=False)
    _protected_cache: bytes | None = attrs.field(init=False, default=None, eq=False, repr=False)

    @property
    def record_cbor(self) -> bytes:
        """The record's deterministic CBOR, what the facility signed (computed once)."""
        cached = self._cbor_cache
        if cached is None:
            cached = self.record.to_cbor()
            object.__setattr__(self, "_cbor_cache", cached)
        return cached

    @property
    def protected(self) -> bytes:
        """The protected header, :func:`protected_header` of the fields (computed once)."""
        cached = self._protected_cache
        if cached is None:
            cached = protected_header(self.alg, self.facility_kid, self.signed_at)
            object.__setattr__(self, "_protected_cache", cached)
        return cached

    def to_bytes(self) -> bytes:
        """The COSE_Sign1 (tagged 18), as the facility sends it to the ministry."""
        return _cbor.dumps(
            _cbor.CBORTag(cose.TAG_SIGN1, [self.protected, {}, self.record_cbor, self.signature])
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Attestation:
        """Parse an attestation from untrusted bytes.

        Raises :class:`~vaxpass_core.errors.MalformedCBOR`, ``MalformedCOSE`` (not the header
        form above) or ``InvalidRecord`` (the payload is not a valid record; codes outside
        the value sets are accepted here and judged by the issuer).
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"an attestation is bytes, not {type(data).__name__}")
        message = cose.decode_sign1(bytes(data))
        header = message.protected_header
        alg, kid = header.get(cose.HEADER_ALG), header.get(cose.HEADER_KID)
        claims = header.get(_HEADER_CLAIMS)
        signed_at = claims.get(_CLAIM_IAT) if isinstance(claims, dict) else None
        if (
            type(alg) is not int
            or type(kid) is not bytes
            or len(kid) != _KID_BYTES
            or type(signed_at) is not int
            or not 0 <= signed_at < _MAX_TIME
            or message.protected != protected_header(alg, kid, signed_at)
        ):
            raise MalformedCOSE(
                "an attestation's protected header must be exactly "
                "{1: alg, 4: kid (8 bytes), 15: {6: signed_at}} in canonical CBOR"
            )
        if message.unprotected_header:
            raise MalformedCOSE("an attestation has no unprotected header parameters")
        record = VaccinationRecord.from_cbor(message.payload)
        # from_cbor() checked that the payload is exactly the record's deterministic CBOR,
        # and the header was checked above.
        return _filled(
            cls(record, kid, signed_at, alg, message.signature),
            record_cbor=message.payload,
            protected=message.protected,
        )

    def embedded(self) -> EmbeddedAttestation:
        """The compact form the ministry puts in the passport."""
        nationality = self.record.nationality
        if nationality is None:
            raise InvalidRecord("an attested record needs a stated nationality (field 3)")
        return EmbeddedAttestation(
            facility_kid=self.facility_kid,
            nationality=nationality,
            signed_at=self.signed_at,
            record_digest=record_digest(self.record_cbor),
            signature=self.signature,
        )


@attrs.frozen(kw_only=True)
class EmbeddedAttestation:
    """The attestation as a passport carries it (claim :data:`ATTESTATION_CLAIM`)."""

    facility_kid: bytes
    nationality: str
    signed_at: int
    record_digest: bytes
    signature: bytes

    def to_claim(self) -> bytes:
        return (
            self.facility_kid
            + self.signed_at.to_bytes(4, "big")
            + self.nationality.encode("ascii")
            + self.record_digest
            + self.signature
        )

    @classmethod
    def from_claim(cls, value: Any) -> EmbeddedAttestation:
        """Read the claim from untrusted data; raise ``FacilitySignatureInvalid`` if malformed."""
        if type(value) is not bytes or not _FIXED < len(value) <= _FIXED + _MAX_SIGNATURE:
            raise FacilitySignatureInvalid(
                f"claim {ATTESTATION_CLAIM} is not an attestation byte string"
            )
        nationality = value[12:14]
        if not nationality.isalpha() or not nationality.isupper():
            raise FacilitySignatureInvalid("the attestation's nationality is not two letters")
        return cls(
            facility_kid=value[:8],
            signed_at=int.from_bytes(value[8:12], "big"),
            nationality=nationality.decode("ascii"),
            record_digest=value[14:_FIXED],
            signature=value[_FIXED:],
        )


def sign(record: VaccinationRecord, *, facility: FacilitySigner, signed_at: int) -> Attestation:
    """The facility's signature over *record* at *signed_at*.

    The caller (:func:`vaxpass_core.attest`) has checked the arguments.
    """
    record_cbor = record.to_cbor()
    kid, alg = facility.kid, facility.alg
    protected = protected_header(alg, kid, signed_at)
    signature = cose.sign_with_protected(protected, record_cbor, key=facility.key, alg=alg)
    attestation = Attestation(record, kid, signed_at, alg, signature)
    return _filled(attestation, record_cbor=record_cbor, protected=protected)


def _filled(attestation: Attestation, *, record_cbor: bytes, protected: bytes) -> Attestation:
    """*attestation* with its caches filled, by a caller that holds those bytes already."""
    set_ = object.__setattr__.__get__(attestation)
    set_("_cbor_cache", record_cbor)
    set_("_protected_cache", protected)
    return attestation


def verify_signature(
    *,
    kid: bytes,
    signed_at: int,
    record_cbor: bytes,
    signature: bytes,
    facilities: Iterable[FacilityCertificate],
    alg: int | None = None,
    header: bytes | None = None,
) -> FacilityCertificate:
    """The facility certificate whose key made *signature*; raise if none did.

    With *alg* None (the embedded form, which does not carry it) each key's own algorithm
    is used to rebuild the protected header. With *alg*, a caller that holds the header
    already (:attr:`Attestation.protected`) may pass it as *header*: it is
    ``protected_header(alg, kid, signed_at)``.
    """
    if header is not None and alg is None:
        raise ValueError("a protected header goes with its alg")
    for facility in facilities:
        key_alg = facility.alg
        if alg is not None and key_alg != alg:
            continue
        protected = header if header is not None else protected_header(key_alg, kid, signed_at)
        try:
            cose.verify_signature(key_alg, facility.public_key, protected, record_cbor, signature)
        except VaxpassError:
            continue
        return facility
    raise FacilitySignatureInvalid("the facility signature does not verify")


def verify_embedded(
    embedded: EmbeddedAttestation,
    record: VaccinationRecord | bytes,
    facilities: Iterable[FacilityCertificate],
) -> FacilityCertificate:
    """Check that a facility signed exactly *record*, as the passport says.

    *record* may also be given as its deterministic CBOR (:meth:`VaccinationRecord.to_cbor`,
    or :func:`~vaxpass_core.dcc.signed_form` straight from a DCC).
    """
    record_cbor = record if isinstance(record, bytes) else record.to_cbor()
    check_digest(embedded, record_cbor)
    return verify_signature(
        kid=embedded.facility_kid,
        signed_at=embedded.signed_at,
        record_cbor=record_cbor,
        signature=embedded.signature,
        facilities=facilities,
    )
