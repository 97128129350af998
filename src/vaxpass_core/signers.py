"""Signers: a private key and the X.509 certificate that vouches for it.

Two roles, one shape (DESIGN.md, "The two-level chain"):

* :class:`FacilitySigner` -- a vaccination facility (level 1). Its certificate is issued by the
  ministry's facility CA and names the facility in the subject's ``serialNumber`` attribute
  (:data:`FACILITY_ID_OID`, X.520 2.5.4.5, "an identifier of the entity within the issuer's
  namespace"). Every parser knows that attribute, unlike a private OID.
* :class:`DocumentSigner` -- the Ministry of Health's Document Signer (level 2), with the
  issuing country (``co``/``iss``) and the ``is`` text it writes into each DCC.

Both are frozen attrs classes holding ``cryptography`` objects. They check, once, that the key
belongs to the certificate, and cache what a signer needs on every signature: the ``kid`` (first
8 bytes of SHA-256 over the certificate DER, hcert spec 1.0.x section 3.3.1) and the COSE
``alg``. Nothing here reads a file: the named constructors take bytes.
"""

from __future__ import annotations

import re
from typing import Any, Final, TypeGuard

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed448

from ._deprecated import renamed
from .hazmat.cose import (
    EDDSA,
    ES256,
    ES384,
    ES512,
    PS256,
    PrivateKey,
    PublicKey,
    _check_fit,
    algorithm_for_key,
    kid_for_certificate,
)


__all__ = [
    "ALG_NAMES",
    "FACILITY_ID_OID",
    "DocumentSigner",
    "FacilitySigner",
    "PrivateKey",
    "PublicKey",
    "cose_alg",
    "facility_id_of",
    "is_signer_key",
    "kid_for_certificate",
    "load_certificate",
]

# The key types are hazmat's (:data:`vaxpass_core.hazmat.cose.PrivateKey`); a signer holds
# any of them but Ed448, which no DCC verifier accepts.
_REFUSED_KEYS: Final = (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)

#: The subject attribute carrying a facility's id (``serialNumber``, 2.5.4.5).
FACILITY_ID_OID: Final = x509.NameOID.SERIAL_NUMBER

#: COSE algorithm label -> name.
ALG_NAMES: Final = {ES256: "ES256", ES384: "ES384", ES512: "ES512", EDDSA: "EdDSA", PS256: "PS256"}

_COUNTRY = re.compile(r"[A-Z]{2}")
# The DCC schema's bound on "is" (eu-dcc-schema, $defs/issuer).
_ISSUER_MAX: Final = 80
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def __getattr__(name: str) -> object:
    # Deprecated names: one meaning, one name.
    if name == "kid_of":
        return renamed(f"{__name__}.kid_of", "kid_for_certificate", kid_for_certificate)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_signer_key(key: object) -> bool:
    """Whether a signer may hold *key* (private) or a certificate carry it (public)."""
    return isinstance(key, PrivateKey | PublicKey) and not isinstance(key, _REFUSED_KEYS)


def _signer_key(key: object) -> TypeGuard[PrivateKey]:
    return isinstance(key, PrivateKey) and is_signer_key(key)


def cose_alg(key: PrivateKey | PublicKey) -> int:
    """The COSE algorithm a key signs with: ES256/384/512 by curve, PS256 for RSA, EdDSA.

    :func:`vaxpass_core.hazmat.cose.algorithm_for_key` picks the algorithm; a signer also refuses
    Ed448 keys (:class:`TypeError`). A key the algorithm does not fit (an unknown curve, RSA
    below 2048 bits) raises :class:`~vaxpass_core.errors.AlgorithmError`, a
    :class:`ValueError`, as signing with it would.
    """
    if not is_signer_key(key):
        raise TypeError(f"unsupported key type {type(key).__name__}")
    alg = algorithm_for_key(key)
    _check_fit(alg, key)  # the rule signing applies: said once, in cose
    return alg


def validity_of(certificate: x509.Certificate) -> tuple[int, int]:
    """A certificate's notBefore and notAfter as UTC epoch seconds."""
    return (
        int(certificate.not_valid_before_utc.timestamp()),
        int(certificate.not_valid_after_utc.timestamp()),
    )


def facility_id_of(certificate: x509.Certificate) -> str | None:
    """The facility id in a certificate's subject ``serialNumber``, or None if it has none."""
    values = certificate.subject.get_attributes_for_oid(FACILITY_ID_OID)
    if len(values) != 1:
        return None  # absent, or ambiguous: never guess between two ids
    value = values[0].value
    return value if isinstance(value, str) and value else None


def load_certificate(data: bytes | str) -> x509.Certificate:
    """Parse one certificate from DER or PEM (bytes or text)."""
    if isinstance(data, str):
        data = data.encode("ascii")
    if not isinstance(data, bytes):
        raise TypeError(f"expected certificate bytes or PEM text, got {type(data).__name__}")
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def _load_key(data: bytes | str, password: bytes | None) -> PrivateKey:
    if isinstance(data, str):
        data = data.encode("ascii")
    if not isinstance(data, bytes):
        raise TypeError(f"expected private key bytes or PEM text, got {type(data).__name__}")
    if data.lstrip().startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password)
    else:
        key = serialization.load_der_private_key(data, password)
    if not _signer_key(key):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def _check_key(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _signer_key(value):
        kind = type(value).__name__
        raise TypeError(f"{attribute.name} must be an EC, RSA or Ed25519 private key, got {kind}")


class _Signer:
    """What both signers share: a key bound to its certificate, and what that binding caches."""

    __slots__ = ()
    key: PrivateKey
    certificate: x509.Certificate
    alg: int

    def _bind(self) -> None:
        """Check that key and certificate belong together; cache kid, alg and validity."""
        cert = self.certificate
        if self.key.public_key().public_bytes(*_SPKI) != cert.public_key().public_bytes(*_SPKI):
            raise ValueError("the private key does not belong to the certificate")
        alg = cose_alg(self.key)
        not_before, not_after = validity_of(cert)
        object.__setattr__(self, "kid", kid_for_certificate(cert))
        object.__setattr__(self, "alg", alg)
        object.__setattr__(self, "not_before", not_before)
        object.__setattr__(self, "not_after", not_after)

    @classmethod
    def from_der(cls, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: ``from_pem`` reads DER as well (it sniffs the PEM armour)."""
        from_pem = cls.from_pem  # type: ignore[attr-defined]
        return renamed(f"{cls.__name__}.from_der", "from_pem (PEM and DER alike)", from_pem)(
            *args, **kwargs
        )

    @property
    def alg_name(self) -> str:
        """The name of :attr:`alg`: "ES256", "PS256", "EdDSA", ..."""
        return ALG_NAMES[self.alg]


@attrs.frozen
class FacilitySigner(_Signer):
    """A vaccination facility's signing key and its certificate from the facility CA.

    *facility_id* must equal the certificate subject's ``serialNumber`` (:data:`FACILITY_ID_OID`):
    the trust store reads the id from the certificate, so the two can never disagree.

    :ivar kid: SHA-256(certificate DER)[:8], computed once.
    :ivar alg: the COSE algorithm label of the key (-7 ES256, -37 PS256, -8 EdDSA, ...).
    :ivar not_before: start of the certificate's validity, UTC epoch seconds.
    :ivar not_after: end of the certificate's validity, UTC epoch seconds.
    """

    facility_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    key: PrivateKey = attrs.field(validator=_check_key, eq=False, repr=False)
    certificate: x509.Certificate = attrs.field(
        validator=attrs.validators.instance_of(x509.Certificate)
    )
    kid: bytes = attrs.field(init=False, eq=False)
    alg: int = attrs.field(init=False, eq=False)
    not_before: int = attrs.field(init=False, eq=False, repr=False)
    not_after: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.facility_id:
            raise ValueError("facility_id must not be empty")
        in_cert = facility_id_of(self.certificate)
        if in_cert != self.facility_id:
            raise ValueError(
                f"facility_id {self.facility_id!r} does not match the certificate subject's "
                f"serialNumber {in_cert!r}"
            )
        self._bind()

    @classmethod
    def from_pem(
        cls,
        key_pem: bytes | str,
        cert_pem: bytes | str,
        *,
        facility_id: str | None = None,
        password: bytes | None = None,
    ) -> FacilitySigner:
        """Build from a PEM (or DER) private key and certificate; the id defaults to the cert's."""
        certificate = load_certificate(cert_pem)
        if facility_id is None:
            facility_id = facility_id_of(certificate)
            if facility_id is None:
                raise ValueError("the certificate subject carries no facility serialNumber")
        return cls(
            facility_id=facility_id, key=_load_key(key_pem, password), certificate=certificate
        )


@attrs.frozen
class DocumentSigner(_Signer):
    """The ministry's Document Signer: key, DSC certificate, country and the DCC ``is`` text.

    :ivar kid: SHA-256(certificate DER)[:8], computed once; goes in the protected header.
    :ivar alg: the COSE algorithm label of the key (-7 ES256, -37 PS256, ...). EU verifiers
        support ES256 and PS256 only; other keys are accepted here for tests and future use.
    :ivar not_before: start of the certificate's validity, UTC epoch seconds.
    :ivar not_after: end of the certificate's validity, UTC epoch seconds.
    """

    key: PrivateKey = attrs.field(validator=_check_key, eq=False, repr=False)
    certificate: x509.Certificate = attrs.field(
        validator=attrs.validators.instance_of(x509.Certificate)
    )
    country: str = attrs.field(default="VN", validator=attrs.validators.instance_of(str))
    issuer_name: str = attrs.field(
        default="Ministry of Health of Viet Nam", validator=attrs.validators.instance_of(str)
    )
    kid: bytes = attrs.field(init=False, eq=False)
    alg: int = attrs.field(init=False, eq=False)
    not_before: int = attrs.field(init=False, eq=False, repr=False)
    not_after: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not _COUNTRY.fullmatch(self.country):
            raise ValueError(f"country must be an ISO 3166-1 alpha-2 code, got {self.country!r}")
        if not self.issuer_name or len(self.issuer_name) > _ISSUER_MAX:
            raise ValueError(f"issuer_name must be 1 to {_ISSUER_MAX} characters (DCC 'is')")
        self._bind()

    @classmethod
    def from_pem(
        cls,
        key_pem: bytes | str,
        cert_pem: bytes | str,
        *,
        country: str = "VN",
        issuer_name: str = "Ministry of Health of Viet Nam",
        password: bytes | None = None,
    ) -> DocumentSigner:
        """Build from a PEM (or DER) private key and certificate."""
        return cls(
            key=_load_key(key_pem, password),
            certificate=load_certificate(cert_pem),
            country=country,
            issuer_name=issuer_name,
        )
