"""The certificates a trust store holds, each inspected once: signers, facility roots, facilities.

* :class:`SignerCertificate` -- a Document Signer (DSC) certificate as a verifier uses it: its
  public key loaded, validity as UTC epoch ints, the DCC types its extended key usage allows
  (hcert spec 1.0.x section 5.1.1) and its country. When ``cryptography`` refuses the
  certificate or its extensions, the fields come from the DER walker in :mod:`._der`.
* :class:`FacilityRoot` -- a facility CA root; :class:`FacilityCertificate` -- a facility's
  certificate, its facility id from the subject's ``serialNumber``
  (:data:`vaxpass_core.signers.FACILITY_ID_OID`).

Every name here is public through :mod:`vaxpass_core.trust`.
"""

from __future__ import annotations

import contextlib
import enum
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ._der import Walked, walk
from .hazmat.cose import PublicKey, algorithm_for_key, kid_for_certificate
from .signers import (
    DocumentSigner,
    FacilitySigner,
    facility_id_of,
    is_signer_key,
    load_certificate,
    validity_of,
)


if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "CertificateInput",
    "DccType",
    "FacilityCertificate",
    "FacilityRoot",
    "SignerCertificate",
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


def _dcc_types(eku_oids: Iterable[str]) -> frozenset[DccType] | None:
    """The DCC types an EKU allows; None (every type) when it names none of the DCC OIDs."""
    found = frozenset(_DCC_EKU[oid] for oid in eku_oids if oid in _DCC_EKU)
    return found or None


# -- Signer (DSC) certificates. ---------------------------------------------------------------


def _load(data: bytes | str) -> x509.Certificate:
    """``load_certificate``, with every refusal a ValueError: ``cryptography`` raises
    ``InvalidVersion`` (not a ValueError) for a certificate version it does not know."""
    try:
        return load_certificate(data)
    except x509.InvalidVersion as exc:
        raise ValueError(f"unreadable certificate: {exc}") from None


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
        return _load(value).public_bytes(serialization.Encoding.DER)
    return value


def _public_key(load: Callable[[], Any]) -> PublicKey:
    """The key *load* returns, if it is one a signer may hold; ValueError otherwise.

    ``cryptography`` raises ``UnsupportedAlgorithm`` (not a ValueError) for a key it cannot
    load, an EC key on a curve it does not know for one: that is bad data too.
    """
    try:
        value = load()
    except UnsupportedAlgorithm as exc:
        raise ValueError(f"unsupported public key: {exc}") from None
    if isinstance(value, PublicKey) and is_signer_key(value):
        key: PublicKey = value
        return key
    raise ValueError(f"unsupported public key type {type(value).__name__}")


def _strict_fields(
    cert: x509.Certificate,
) -> tuple[PublicKey, int, int, str | None, tuple[str, ...] | None]:
    """Key, validity, country and EKU OIDs as ``cryptography`` reads them (EKU None: it
    refused the extensions).

    ``cryptography`` parses fields lazily, on first access, and a malformed one raises
    ``ValueError`` or ``TypeError`` there (a name attribute of the BIT STRING type under
    another OID raises TypeError: found by fuzzing).
    """
    key = _public_key(cert.public_key)
    not_before, not_after = validity_of(cert)
    countries = cert.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    country = str(countries[0].value) if countries else None
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return key, not_before, not_after, country, ()
    except Exception:  # a strict parser's refusal: the caller reads the EKU with the walker
        return key, not_before, not_after, country, None
    return key, not_before, not_after, country, tuple(o.dotted_string for o in eku.value)


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
        default=attrs.Factory(lambda self: kid_for_certificate(self.der), takes_self=True),
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
        walked: Walked | None = None
        strict = None
        if cert is not None:
            try:
                strict = _strict_fields(cert)
            except (ValueError, TypeError):  # a lazily read field refused: the walker decides
                cert = None
        if strict is not None:
            key, not_before, not_after, country, eku_oids = strict
            if eku_oids is None:  # a strict parser's refusal of the extensions
                walked = walk(self.der)
                eku_oids = walked.eku_oids
        else:
            walked = walk(self.der)
            spki = walked.spki
            key = _public_key(lambda: serialization.load_der_public_key(spki))
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


# -- The facility side. -----------------------------------------------------------------------


@contextlib.contextmanager
def _unreadable_as_value_error() -> Iterator[None]:
    """A field ``cryptography`` reads lazily and refuses with TypeError is bad data too."""
    try:
        yield
    except TypeError as exc:
        raise ValueError(f"unreadable certificate: {exc}") from exc


def _cert_of(value: CertificateInput | FacilitySigner) -> x509.Certificate:
    if isinstance(value, FacilitySigner):
        return value.certificate
    if isinstance(value, x509.Certificate):
        return value
    return _load(value)


@attrs.frozen
class FacilityRoot:
    """A facility CA root: it signs facility certificates."""

    certificate: x509.Certificate = attrs.field(converter=_cert_of)
    not_before: int = attrs.field(init=False, eq=False)
    not_after: int = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # The key is not kept (cryptography checks each signature against the certificate),
        # but a root of a key type no signer may hold is still refused here.
        with _unreadable_as_value_error():
            _public_key(self.certificate.public_key)
            not_before, not_after = validity_of(self.certificate)
            _ = self.certificate.subject  # a store groups roots by it: read it here, once
        set_ = object.__setattr__
        set_(self, "not_before", not_before)
        set_(self, "not_after", not_after)


@attrs.frozen
class FacilityCertificate:
    """A facility's certificate: kid, facility id (subject serialNumber), key and validity.

    ``alg`` is the COSE algorithm of the key (what its attestations are signed with); a key
    with none (an EC curve COSE has no algorithm for) is refused with
    :class:`~vaxpass_core.errors.AlgorithmError`, a :class:`ValueError`.
    """

    certificate: x509.Certificate = attrs.field(converter=_cert_of)
    kid: bytes = attrs.field(init=False, eq=False)
    facility_id: str = attrs.field(init=False, eq=False)
    serial: int = attrs.field(init=False, eq=False, repr=False)
    public_key: PublicKey = attrs.field(init=False, eq=False, repr=False)
    alg: int = attrs.field(init=False, eq=False, repr=False)
    not_before: int = attrs.field(init=False, eq=False)
    not_after: int = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        cert = self.certificate
        with _unreadable_as_value_error():
            facility_id = facility_id_of(cert)
            key = _public_key(cert.public_key)
            not_before, not_after = validity_of(cert)
        if facility_id is None:
            raise ValueError("a facility certificate needs exactly one subject serialNumber")
        set_ = object.__setattr__
        set_(self, "kid", kid_for_certificate(cert))
        set_(self, "facility_id", facility_id)
        set_(self, "serial", cert.serial_number)
        set_(self, "public_key", key)
        # Once here, not per facility on every verify: its attestations' protected header.
        set_(self, "alg", algorithm_for_key(key))
        set_(self, "not_before", not_before)
        set_(self, "not_after", not_after)
