"""The trust store: Document Signer certificates, the facility registry and revocations.

A :class:`TrustStore` is a frozen attrs value (``attrs.fields``/``attrs.evolve`` work) that
holds four tuples -- ``signers``, ``facility_roots``, ``facilities`` and ``revocations`` --
and precomputes, once, everything a verifier looks up per passport:

* kid -> every :class:`SignerCertificate` sharing it (hcert spec 1.0.x section 3.3.1: a
  verifier must try them all), each with its public key loaded, its validity as UTC epoch
  ints, the DCC types its extended key usage allows, and its country;
* facility kid -> :class:`FacilityCertificate`, each already checked against the facility
  CA roots (issuer name and signature), so :meth:`TrustStore.check_facility` only compares
  integers;
* the revocation entries as hash sets.

Document Signer certificates in the wild are imperfect: some carry extensions a strict X.509
parser rejects (a duplicate extension, a ``BasicConstraints`` with an encoded default). Their
public key still has to serve, so :class:`SignerCertificate` keeps the DER, lets
``cryptography`` parse it, and when the extension block (or the whole certificate) is refused
falls back to a small DER walker of its own for SubjectPublicKeyInfo, validity, the subject
country and the extended key usage.

Facility ids come from the subject's ``serialNumber`` attribute
(:data:`vaxpass_core.signers.FACILITY_ID_OID`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import enum
import hashlib
import json
import types
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.hashes import SHA256

from .errors import FacilityExpired, FacilityRevoked, FacilityUnknown
from .signers import (
    KID_LENGTH,
    DocumentSigner,
    FacilitySigner,
    PublicKey,
    facility_id_of,
    kid_of,
    load_certificate,
)


__all__ = [
    "REVOCATION_HASH_LENGTH",
    "CertificateInput",
    "DccType",
    "FacilityCertificate",
    "FacilityRoot",
    "Revocation",
    "RevocationKind",
    "SignerCertificate",
    "TrustStore",
    "revocation_entries",
    "revocations_from_batch",
]

#: Anything a certificate can be given as: DER bytes, PEM bytes or text, or a parsed object.
CertificateInput: TypeAlias = bytes | str | x509.Certificate


class DccType(enum.StrEnum):
    """The DCC entry types a Document Signer may sign (the key of the DCC's entry array)."""

    TEST = "t"
    VACCINATION = "v"
    RECOVERY = "r"


# hcert spec 1.0.x section 5.1.1 (DSC extended key usage); the ".0." variant is seen in the wild.
_DCC_EKU: Final = {
    f"{prefix}.{arc}": kind
    for prefix in ("1.3.6.1.4.1.1847.2021.1", "1.3.6.1.4.1.0.1847.2021.1")
    for arc, kind in (("1", DccType.TEST), ("2", DccType.VACCINATION), ("3", DccType.RECOVERY))
}
_EKU_OID: Final = "2.5.29.37"
_COUNTRY_OID: Final = "2.5.4.6"


def _epoch(at: int | datetime) -> int:
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("a naive datetime is ambiguous; pass an aware one")
        return int(at.timestamp())
    if isinstance(at, bool) or not isinstance(at, int):
        raise TypeError(f"expected epoch seconds (int) or an aware datetime, got {type(at)}")
    return at


def _dcc_types(eku_oids: Iterable[str]) -> frozenset[DccType] | None:
    """The DCC types an EKU allows; None (every type) when it names none of the DCC OIDs."""
    found = frozenset(_DCC_EKU[oid] for oid in eku_oids if oid in _DCC_EKU)
    return found or None


# -- A minimal DER walker, for certificates whose extensions cryptography refuses. ----------


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at *pos*; ValueError if broken."""
    if pos + 2 > end:
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER high tag numbers do not occur in certificates")
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or pos + count > end:
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise ValueError("DER element overruns its parent")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element in data[start:end]."""
    out = []
    while start < end:
        tag, body, stop = _tlv(data, start, end)
        out.append((tag, start, body, stop))
        start = stop
    return out


def _oid(content: bytes) -> str:
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, (first, arcs[0] - 40 * first, *arcs[1:])))


def _der_time(tag: int, text: bytes) -> int:
    raw = text.decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ; RFC 5280 4.1.2.5.1 pivots at 50
        year = int(raw[:2])
        raw = f"{1900 + year if year >= 50 else 2000 + year}{raw[2:]}"
    elif tag != 0x18:
        raise ValueError("validity is neither UTCTime nor GeneralizedTime")
    if len(raw) != 15 or not raw.endswith("Z"):
        raise ValueError("validity time is not YYYYMMDDHHMMSSZ")
    return int(datetime.strptime(raw, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC).timestamp())


@attrs.frozen
class _Walked:
    spki: bytes
    not_before: int
    not_after: int
    country: str | None
    eku_oids: tuple[str, ...]


def _walk(der: bytes) -> _Walked:
    """Read what a signer needs from certificate DER without judging its extensions."""
    _, body, end = _tlv(der, 0, len(der))
    tbs_tag, _, tbs_body, tbs_end = _children(der, body, end)[0]
    if tbs_tag != 0x30:
        raise ValueError("no tbsCertificate")
    fields = _children(der, tbs_body, tbs_end)
    if fields and fields[0][0] == 0xA0:  # explicit version
        fields = fields[1:]
    if len(fields) < 6:
        raise ValueError("tbsCertificate too short")
    validity, subject, spki = fields[3], fields[4], fields[5]
    times = _children(der, validity[2], validity[3])
    if len(times) != 2:
        raise ValueError("validity must hold two times")
    not_before, not_after = (_der_time(t, der[b:e]) for t, _, b, e in times)
    country = None
    for rdn in _children(der, subject[2], subject[3]):
        for atv in _children(der, rdn[2], rdn[3]):
            parts = _children(der, atv[2], atv[3])
            if len(parts) == 2 and _oid(der[parts[0][2] : parts[0][3]]) == _COUNTRY_OID:
                country = der[parts[1][2] : parts[1][3]].decode("ascii", "replace")
    eku: list[str] = []
    for tag, _, ext_body, ext_end in fields[6:]:
        if tag != 0xA3:
            continue
        (_, _, seq_body, seq_end), *_ = _children(der, ext_body, ext_end)
        for _, _, one_body, one_end in _children(der, seq_body, seq_end):
            parts = _children(der, one_body, one_end)
            if _oid(der[parts[0][2] : parts[0][3]]) != _EKU_OID:
                continue
            try:  # every EKU extension counts, duplicates included; unreadable ones add nothing
                value = der[parts[-1][2] : parts[-1][3]]
                (_, _, oids_body, oids_end), *_ = _children(value, 0, len(value))
                eku.extend(_oid(value[b:e]) for _, _, b, e in _children(value, oids_body, oids_end))
            except (ValueError, IndexError):
                continue
    return _Walked(der[spki[1] : spki[3]], not_before, not_after, country, tuple(eku))


# -- Signer (DSC) certificates. ---------------------------------------------------------------


def _der_of(value: CertificateInput | DocumentSigner | FacilitySigner) -> bytes:
    if isinstance(value, DocumentSigner | FacilitySigner):
        value = value.certificate
    if isinstance(value, x509.Certificate):
        return value.public_bytes(serialization.Encoding.DER)
    if isinstance(value, str):
        value = value.encode("ascii")
    if not isinstance(value, bytes):
        raise TypeError(f"expected a certificate (DER, PEM or object), got {type(value).__name__}")
    if value.lstrip().startswith(b"-----BEGIN"):
        return load_certificate(value).public_bytes(serialization.Encoding.DER)
    return value


def _public_key(value: Any) -> PublicKey:
    if not isinstance(value, PublicKey):
        raise ValueError(f"unsupported public key type {type(value).__name__}")  # noqa: TRY004
    return value


@attrs.frozen
class SignerCertificate:
    """One Document Signer certificate as a verifier uses it, inspected once at construction.

    ``kid`` defaults to SHA-256(DER)[:8]; a trust list may assign another. ``country`` defaults to
    the subject's countryName. ``dcc_types`` is None when the extended key usage names none of
    the DCC OIDs (then every type is allowed). ``strict`` tells whether ``cryptography`` read the
    whole certificate; when False, the fields came from the fallback DER walker and
    ``certificate`` may be None.
    """

    der: bytes = attrs.field(converter=_der_of, repr=False)
    kid: bytes = attrs.field(
        default=attrs.Factory(lambda self: kid_of(self.der), takes_self=True),
        validator=attrs.validators.instance_of(bytes),
    )
    country: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    certificate: x509.Certificate | None = attrs.field(init=False, eq=False, repr=False)
    public_key: PublicKey = attrs.field(init=False, eq=False, repr=False)
    not_before: int = attrs.field(init=False, eq=False)
    not_after: int = attrs.field(init=False, eq=False)
    dcc_types: frozenset[DccType] | None = attrs.field(init=False, eq=False)
    strict: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.kid:
            raise ValueError("kid must not be empty")
        try:
            cert: x509.Certificate | None = x509.load_der_x509_certificate(self.der)
        except Exception:  # ValueError, InvalidVersion, ...: the walker decides
            cert = None
        walked: _Walked | None = None
        if cert is not None:
            key = _public_key(cert.public_key())
            not_before = int(cert.not_valid_before_utc.timestamp())
            not_after = int(cert.not_valid_after_utc.timestamp())
            countries = cert.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
            country = str(countries[0].value) if countries else None
            try:
                eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
                eku_oids: tuple[str, ...] = tuple(o.dotted_string for o in eku.value)
            except x509.ExtensionNotFound:
                eku_oids = ()
            except Exception:  # a strict parser's refusal: read the EKU ourselves
                walked = _walk(self.der)
                eku_oids = walked.eku_oids
        else:
            walked = _walk(self.der)
            key = _public_key(serialization.load_der_public_key(walked.spki))
            not_before, not_after = walked.not_before, walked.not_after
            country, eku_oids = walked.country, walked.eku_oids
        set_ = object.__setattr__
        set_(self, "certificate", cert)
        set_(self, "public_key", key)
        set_(self, "not_before", not_before)
        set_(self, "not_after", not_after)
        set_(self, "dcc_types", _dcc_types(eku_oids))
        set_(self, "strict", walked is None)
        if self.country is None:
            set_(self, "country", country)

    def valid_at(self, at: int | datetime) -> bool:
        """Whether *at* lies in [notBefore, notAfter]."""
        return self.not_before <= _epoch(at) <= self.not_after

    def allows(self, dcc_type: DccType | str) -> bool:
        """Whether this signer may sign a DCC of *dcc_type* ("t", "v" or "r")."""
        return self.dcc_types is None or DccType(dcc_type) in self.dcc_types


# -- The facility side. -----------------------------------------------------------------------


def _cert_of(value: CertificateInput | FacilitySigner) -> x509.Certificate:
    if isinstance(value, FacilitySigner):
        return value.certificate
    if isinstance(value, x509.Certificate):
        return value
    return load_certificate(value)


@attrs.frozen
class FacilityRoot:
    """A facility CA root: it signs facility certificates."""

    certificate: x509.Certificate = attrs.field(converter=_cert_of)
    public_key: PublicKey = attrs.field(init=False, eq=False, repr=False)
    not_before: int = attrs.field(init=False, eq=False)
    not_after: int = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "public_key", _public_key(self.certificate.public_key()))
        object.__setattr__(
            self, "not_before", int(self.certificate.not_valid_before_utc.timestamp())
        )
        object.__setattr__(self, "not_after", int(self.certificate.not_valid_after_utc.timestamp()))


@attrs.frozen
class FacilityCertificate:
    """A facility's certificate: kid, facility id (subject serialNumber), key and validity."""

    certificate: x509.Certificate = attrs.field(converter=_cert_of)
    kid: bytes = attrs.field(init=False, eq=False)
    facility_id: str = attrs.field(init=False, eq=False)
    serial: int = attrs.field(init=False, eq=False, repr=False)
    public_key: PublicKey = attrs.field(init=False, eq=False, repr=False)
    not_before: int = attrs.field(init=False, eq=False)
    not_after: int = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        cert = self.certificate
        facility_id = facility_id_of(cert)
        if facility_id is None:
            raise ValueError("a facility certificate needs exactly one subject serialNumber")
        set_ = object.__setattr__
        set_(self, "kid", kid_of(cert))
        set_(self, "facility_id", facility_id)
        set_(self, "serial", cert.serial_number)
        set_(self, "public_key", _public_key(cert.public_key()))
        set_(self, "not_before", int(cert.not_valid_before_utc.timestamp()))
        set_(self, "not_after", int(cert.not_valid_after_utc.timestamp()))

    def valid_at(self, at: int | datetime) -> bool:
        return self.not_before <= _epoch(at) <= self.not_after


# -- Revocation. ------------------------------------------------------------------------------

#: EU DCC revocation hashes are SHA-256 truncated to the first 128 bits.
REVOCATION_HASH_LENGTH: Final = 16
# COSE labels whose signatures are ECDSA (r || s): only r is hashed.
_ECDSA_ALGS: Final = frozenset({-7, -35, -36})
_WHOLE_SIGNATURE_ALGS: Final = frozenset({-37, -8})  # PS256 (EU rule); EdDSA (no malleable half)


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


_DCC_KINDS: Final = frozenset(
    {RevocationKind.UCI, RevocationKind.COUNTRYCODEUCI, RevocationKind.SIGNATURE}
)


def _sha16(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:REVOCATION_HASH_LENGTH]


def _check_revocation(instance: Revocation, _: Any, value: bytes) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"value must be bytes, got {type(value).__name__}")
    kind = instance.kind
    if kind in _DCC_KINDS and len(value) != REVOCATION_HASH_LENGTH:
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
        if self.kid is not None and self.kind not in _DCC_KINDS:
            raise ValueError("only DCC entries are scoped by a Document Signer kid")

    @classmethod
    def uci(cls, uci: str, *, kid: bytes | None = None) -> Revocation:
        return cls(RevocationKind.UCI, _sha16(_text(uci, "uci").encode()), kid)

    @classmethod
    def country_code_uci(cls, country: str, uci: str, *, kid: bytes | None = None) -> Revocation:
        data = (_text(country, "country") + _text(uci, "uci")).encode()
        return cls(RevocationKind.COUNTRYCODEUCI, _sha16(data), kid)

    @classmethod
    def signature(cls, signature: bytes, alg: int, *, kid: bytes | None = None) -> Revocation:
        if not isinstance(signature, bytes) or isinstance(alg, bool) or not isinstance(alg, int):
            raise TypeError("signature must be bytes and alg a COSE algorithm label (int)")
        if alg in _ECDSA_ALGS:
            if not signature or len(signature) % 2:
                raise ValueError("an ECDSA signature is r || s of equal halves")
            signature = signature[: len(signature) // 2]
        elif alg not in _WHOLE_SIGNATURE_ALGS:
            raise ValueError(f"no revocation rule for COSE algorithm {alg}")
        return cls(RevocationKind.SIGNATURE, _sha16(signature), kid)

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


def _b64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")  # noqa: TRY004 (bad JSON data)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"bad base64: {exc}") from exc


def _json(data: bytes | str | object) -> Any:
    if isinstance(data, bytes | str):
        return json.loads(data)
    return data


def revocations_from_batch(batch: bytes | str | Mapping[str, Any]) -> tuple[Revocation, ...]:
    """Entries of one EU DCC Gateway revocation batch (``kid``, ``hashType``, ``entries``)."""
    obj = _json(batch)
    if not isinstance(obj, Mapping) or not isinstance(obj.get("entries"), list):
        raise ValueError("a revocation batch is an object with an 'entries' list")  # noqa: TRY004
    kid = _b64(obj["kid"]) if obj.get("kid") not in (None, "UNKNOWN_KID") else None
    kind = RevocationKind(str(obj.get("hashType")))
    if kind not in _DCC_KINDS:
        raise ValueError(f"unknown hashType {kind}")
    return tuple(Revocation(kind, _b64(entry.get("hash")), kid) for entry in obj["entries"])


# -- The store. -------------------------------------------------------------------------------

SignerInput: TypeAlias = CertificateInput | DocumentSigner | SignerCertificate
FacilityInput: TypeAlias = CertificateInput | FacilitySigner | FacilityCertificate


def _collection(value: object, name: str) -> Iterable[Any]:
    if isinstance(value, bytes | str | Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be an iterable of entries, got {type(value).__name__}")
    return value


def _signers(value: Iterable[SignerInput]) -> tuple[SignerCertificate, ...]:
    items = _collection(value, "signers")
    return tuple(s if isinstance(s, SignerCertificate) else SignerCertificate(s) for s in items)


def _roots(value: Iterable[CertificateInput | FacilityRoot]) -> tuple[FacilityRoot, ...]:
    items = _collection(value, "facility_roots")
    return tuple(r if isinstance(r, FacilityRoot) else FacilityRoot(r) for r in items)


def _facilities(value: Iterable[FacilityInput]) -> tuple[FacilityCertificate, ...]:
    items = _collection(value, "facilities")
    return tuple(f if isinstance(f, FacilityCertificate) else FacilityCertificate(f) for f in items)


def _revocations(value: Iterable[Revocation]) -> tuple[Revocation, ...]:
    items = tuple(_collection(value, "revocations"))
    for item in items:
        if not isinstance(item, Revocation):
            raise TypeError(f"revocations must be Revocation objects, got {type(item).__name__}")
    return items


def _group(pairs: Iterable[tuple[Any, Any]]) -> Mapping[Any, tuple[Any, ...]]:
    out: dict[Any, tuple[Any, ...]] = {}
    for key, value in pairs:
        out[key] = (*out.get(key, ()), value)
    return types.MappingProxyType(out)


def _issued_by(cert: x509.Certificate, root: FacilityRoot) -> bool:
    try:
        cert.verify_directly_issued_by(root.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@attrs.frozen
class TrustStore:
    """Everything a verifier or issuer trusts. Build it once; look up per passport.

    Each field accepts an iterable of certificates as DER or PEM bytes, PEM text or
    ``x509.Certificate`` objects (signers also as :class:`DocumentSigner`, facilities as
    :class:`FacilitySigner`) and holds a tuple of inspected entries.
    """

    signers: tuple[SignerCertificate, ...] = attrs.field(default=(), converter=_signers)
    facility_roots: tuple[FacilityRoot, ...] = attrs.field(default=(), converter=_roots)
    facilities: tuple[FacilityCertificate, ...] = attrs.field(default=(), converter=_facilities)
    revocations: tuple[Revocation, ...] = attrs.field(default=(), converter=_revocations)
    _by_kid: Mapping[bytes, tuple[SignerCertificate, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _facilities_by_kid: Mapping[bytes, tuple[FacilityCertificate, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    # facility kid+DER -> the chaining roots' common validity window, or None if none chains
    _chains: Mapping[bytes, tuple[int, int] | None] = attrs.field(init=False, eq=False, repr=False)
    _revoked: Mapping[tuple[RevocationKind, bytes], tuple[Revocation, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _roots_by_subject: Mapping[x509.Name, tuple[FacilityRoot, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _facility_status: Mapping[
        bytes, tuple[tuple[FacilityCertificate, tuple[int, int] | None, Revocation | None], ...]
    ] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_by_kid", _group((s.kid, s) for s in self.signers))
        set_(self, "_facilities_by_kid", _group((f.kid, f) for f in self.facilities))
        roots = _group((r.certificate.subject, r) for r in self.facility_roots)
        set_(self, "_roots_by_subject", roots)
        chains = {_fkey(f): _chain_window(f, roots) for f in self.facilities}
        set_(self, "_chains", types.MappingProxyType(chains))
        set_(self, "_revoked", _group(((r.kind, r.value), r) for r in self.revocations))
        # per facility kid: (certificate, usable window or None, revoking entry or None)
        set_(
            self,
            "_facility_status",
            _group(
                (f.kid, (f, chains[_fkey(f)], self.facility_revoked(f))) for f in self.facilities
            ),
        )

    # Construction from the usual published forms.

    @classmethod
    def from_certificates(
        cls,
        certificates: Iterable[SignerInput],
        *,
        facility_roots: Iterable[CertificateInput | FacilityRoot] = (),
        facilities: Iterable[FacilityInput] = (),
        revocations: Iterable[Revocation] = (),
    ) -> TrustStore:
        """A store of Document Signer certificates (DER, PEM or objects), kid = SHA-256[:8]."""
        return cls(
            signers=certificates,
            facility_roots=facility_roots,
            facilities=facilities,
            revocations=revocations,
        )

    @classmethod
    def from_kid_map(
        cls, kids: Mapping[bytes, SignerInput | Iterable[SignerInput]], **more: Any
    ) -> TrustStore:
        """A store from ``{kid: certificate or [certificates]}``; the given kids are kept as is."""
        if not isinstance(kids, Mapping):
            raise TypeError("from_kid_map expects a mapping of kid bytes to certificates")
        signers: list[SignerCertificate] = []
        for kid, value in kids.items():
            if not isinstance(kid, bytes):
                raise TypeError(f"kids must be bytes, got {type(kid).__name__}")
            group = value if isinstance(value, list | tuple) else (value,)
            signers.extend(_as_signer(item, kid=kid) for item in group)
        return cls(signers=signers, **more)

    @classmethod
    def from_trust_list(cls, trust_list: bytes | str | Any, **more: Any) -> TrustStore:
        """A store from the EU DCC Gateway's trust list JSON (bytes, text or parsed).

        The list holds entries with ``kid`` (base64), ``country``, ``certificateType`` and
        ``rawData`` (base64 DER); an object with such a list under ``certificates`` is accepted
        too. ``DSC`` entries (and entries without a type) become signers with the published
        kid and country; ``CSCA`` and other types are not used for DCC verification and are
        skipped.
        """
        obj = _json(trust_list)
        if isinstance(obj, Mapping):
            obj = obj.get("certificates")
        if not isinstance(obj, list):
            raise ValueError("a trust list is a JSON list of certificate entries")  # noqa: TRY004
        signers = []
        for entry in obj:
            if not isinstance(entry, Mapping):
                raise ValueError("each trust list entry is a JSON object")  # noqa: TRY004
            if entry.get("certificateType", "DSC") != "DSC":
                continue
            der = _b64(entry.get("rawData"))
            kid = _b64(entry["kid"]) if entry.get("kid") else kid_of(der)
            country = entry.get("country")
            if country is not None and not isinstance(country, str):
                raise ValueError("country must be a string")
            signers.append(SignerCertificate(der, kid, country))
        return cls(signers=signers, **more)

    def with_revocations(self, *revocations: Revocation) -> TrustStore:
        """A copy of this store with *revocations* added."""
        return attrs.evolve(self, revocations=(*self.revocations, *revocations))

    # Document Signers.

    def signers_for(self, kid: bytes) -> tuple[SignerCertificate, ...]:
        """Every signer certificate sharing *kid*, in insertion order; () if none."""
        return self._by_kid.get(kid, ())

    @property
    def kids(self) -> frozenset[bytes]:
        return frozenset(self._by_kid)

    # Facilities.

    def facilities_for(self, kid: bytes) -> tuple[FacilityCertificate, ...]:
        """Every registered facility certificate with *kid*; () if none."""
        return self._facilities_by_kid.get(kid, ())

    def _window(self, entry: FacilityCertificate) -> tuple[int, int] | None:
        key = _fkey(entry)
        if key in self._chains:
            return self._chains[key]
        return _chain_window(entry, self._roots_by_subject)

    def chains_to_root(
        self, facility: FacilityCertificate | FacilitySigner | CertificateInput
    ) -> bool:
        """Whether a facility root whose subject is the certificate's issuer signed it."""
        return self._window(_as_facility(facility)) is not None

    def facility_valid_at(
        self, facility: FacilityCertificate | FacilitySigner | CertificateInput, at: int | datetime
    ) -> bool:
        """Whether the certificate chains to a root, and it and that root are valid at *at*.

        Revocation is a separate question: :meth:`facility_revoked`, :meth:`check_facility`.
        """
        when = _epoch(at)
        window = self._window(_as_facility(facility))
        return window is not None and window[0] <= when <= window[1]

    def facility_revoked(self, facility: FacilityCertificate | FacilitySigner) -> Revocation | None:
        """The entry revoking this facility certificate (by kid or serial), or None."""
        entry = _as_facility(facility)
        serial = Revocation.facility_serial(entry.serial).value
        for key in (
            (RevocationKind.FACILITY_KID, entry.kid),
            (RevocationKind.FACILITY_SERIAL, serial),
        ):
            found = self._revoked.get(key)
            if found:
                return found[0]
        return None

    def check_facility(self, kid: bytes, *, at: int | datetime) -> tuple[FacilityCertificate, ...]:
        """The usable facility certificates for *kid* at *at*, or raise why there are none.

        A certificate is usable when it chains to a facility root, it and that root are valid
        at *at*, and it is not revoked. With none usable, the error says why, the most
        specific first: :class:`FacilityRevoked`, :class:`FacilityExpired`, then
        :class:`FacilityUnknown` (no such kid, or no chain to a root).
        """
        when = _epoch(at)
        candidates = self._facility_status.get(kid, ())
        usable = []
        revoked = expired = False
        for entry, window, revocation in candidates:
            if window is None:
                continue
            if revocation is not None:
                revoked = True
            elif not window[0] <= when <= window[1]:
                expired = True
            else:
                usable.append(entry)
        if usable:
            return tuple(usable)
        if revoked:
            raise FacilityRevoked(f"facility certificate {kid.hex()} is revoked")
        if expired:
            raise FacilityExpired(f"facility certificate {kid.hex()} is not valid at {when}")
        if candidates:
            raise FacilityUnknown(f"facility certificate {kid.hex()} does not chain to a root")
        raise FacilityUnknown(f"no facility certificate with kid {kid.hex()}")

    # Passports.

    def revoked(
        self,
        *,
        uci: str,
        country: str,
        signature: bytes,
        alg: int,
        kid: bytes | None = None,
    ) -> Revocation | None:
        """The first entry revoking this passport, or None.

        With *kid* (the passport's Document Signer), entries scoped to another kid do not
        match; without it, every entry does.
        """
        probes = [Revocation.uci(uci), Revocation.country_code_uci(country, uci)]
        # A verifier asks about untrusted passports: a signature no rule covers (an unknown
        # alg, an odd-length ECDSA value) cannot be on a list, so it is simply not probed.
        with contextlib.suppress(ValueError):
            probes.append(Revocation.signature(signature, alg))
        for probe in probes:
            for entry in self._revoked.get((probe.kind, probe.value), ()):
                if kid is None or entry.kid is None or entry.kid == kid:
                    return entry
        return None


def _fkey(entry: FacilityCertificate) -> bytes:
    return entry.certificate.fingerprint(SHA256())


def _chain_window(
    facility: FacilityCertificate, roots: Mapping[x509.Name, tuple[FacilityRoot, ...]]
) -> tuple[int, int] | None:
    """When *facility* is usable through a root that signed it, or None if none did.

    The window is the certificate's validity cut to the widest window of its chaining roots.
    """
    cert = facility.certificate
    signing = [r for r in roots.get(cert.issuer, ()) if _issued_by(cert, r)]
    if not signing:
        return None
    start = max(facility.not_before, min(r.not_before for r in signing))
    end = min(facility.not_after, max(r.not_after for r in signing))
    return (start, end) if start <= end else None


def _as_facility(
    value: FacilityCertificate | FacilitySigner | CertificateInput,
) -> FacilityCertificate:
    return value if isinstance(value, FacilityCertificate) else FacilityCertificate(value)


def _as_signer(value: SignerInput, *, kid: bytes) -> SignerCertificate:
    if isinstance(value, SignerCertificate):
        return attrs.evolve(value, kid=kid)
    return SignerCertificate(value, kid)
