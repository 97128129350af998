"""A deterministic development PKI: ministry CSCA, Document Signers, facility CA and facilities.

``pki(seed)`` returns the same keys, the same certificate DER and so the same kids every time,
on every machine:

* EC keys are derived from the seed: the private scalar is SHA-256 over the seed and a label,
  reduced into [1, n-1] (``ec.derive_private_key``); Ed25519 keys take the same 32 bytes.
* The PS256 Document Signer uses one fixed RSA-2048 key (:data:`TEST_RSA_KEY_PEM`, in ``_devkeys``):
  deriving RSA primes from a seed is slow and buys nothing for tests.
* Certificates are signed by EC CAs with deterministic ECDSA (RFC 6979,
  ``ecdsa_deterministic=True``), with fixed serials (from the seed and label) and fixed
  validity windows; nothing reads the clock.

Facility ids go in the subject ``serialNumber`` (:data:`vaxpass_core.signers.FACILITY_ID_OID`).

The command line mints it for demos and pilots (``vaxpass demo``, ``vaxpass pki init``); the
test kit's ``vaxpass_core.testing.pki(seed)`` is this same function.

EVERYTHING HERE IS PUBLIC. These keys are test keys, published with the source; never use
them, or certificates chaining to them, for anything real.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from vaxpass_core.shell._devkeys import (
    TEST_RSA_KEY_PEM,
    derive_ec_key,
    derive_ed25519_key,
    key_for,
    secret,
)
from vaxpass_core.signers import FACILITY_ID_OID, DocumentSigner, FacilitySigner
from vaxpass_core.trust import (
    DccType,
    FacilityCertificate,
    Revocation,
    SignerCertificate,
    TrustStore,
)


if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cryptography.hazmat.primitives.asymmetric import ec

    from vaxpass_core.hazmat.cose import PublicKey


__all__ = [
    "CA_NOT_AFTER",
    "CA_NOT_BEFORE",
    "DCC_EKU_OIDS",
    "EXPIRED_NOT_AFTER",
    "EXPIRED_NOT_BEFORE",
    "PKI",
    "SIGNER_NOT_AFTER",
    "SIGNER_NOT_BEFORE",
    "TEST_RSA_KEY_PEM",
    "CertificateAuthority",
    "derive_ec_key",
    "derive_ed25519_key",
    "facility_id",
    "pki",
]

#: Validity of the test Document Signers and facilities (a fixed window, never "now").
SIGNER_NOT_BEFORE: Final = datetime(2025, 1, 1, tzinfo=UTC)
SIGNER_NOT_AFTER: Final = datetime(2030, 1, 1, tzinfo=UTC)
#: Validity of the test CAs.
CA_NOT_BEFORE: Final = datetime(2020, 1, 1, tzinfo=UTC)
CA_NOT_AFTER: Final = datetime(2040, 1, 1, tzinfo=UTC)
#: Validity of :attr:`PKI.expired_facility`: over before the signers' window opens.
EXPIRED_NOT_BEFORE: Final = datetime(2023, 1, 1, tzinfo=UTC)
EXPIRED_NOT_AFTER: Final = datetime(2024, 1, 1, tzinfo=UTC)

#: The hcert DSC extended key usage OIDs, by DCC type.
DCC_EKU_OIDS: Final = {
    DccType.TEST: x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.1"),
    DccType.VACCINATION: x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.2"),
    DccType.RECOVERY: x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.3"),
}


def _serial(seed: int, label: str) -> int:
    # 63 bits, odd: positive, non-zero, well under RFC 5280's 20 octets
    return (int.from_bytes(secret(seed, "serial/" + label)[:8], "big") >> 1) | 1


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


@attrs.frozen
class CertificateAuthority:
    """A test CA: an EC key and its certificate. :meth:`issue` signs deterministically."""

    key: ec.EllipticCurvePrivateKey = attrs.field(repr=False, eq=False)
    certificate: x509.Certificate

    @classmethod
    def self_signed(
        cls,
        key: ec.EllipticCurvePrivateKey,
        subject: x509.Name,
        *,
        serial: int,
        not_before: datetime = CA_NOT_BEFORE,
        not_after: datetime = CA_NOT_AFTER,
    ) -> CertificateAuthority:
        public = key.public_key()
        builder = _builder(
            subject=subject,
            issuer=subject,
            public_key=public,
            serial=serial,
            not_before=not_before,
            not_after=not_after,
        )
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(_key_usage(cert_sign=True), critical=True)
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public), critical=False
        )
        return cls(key, builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True))

    def issue(
        self,
        subject: x509.Name,
        public_key: PublicKey,
        *,
        serial: int,
        not_before: datetime,
        not_after: datetime,
        eku: Sequence[x509.ObjectIdentifier] = (),
    ) -> x509.Certificate:
        """An end-entity certificate for *public_key*; *eku* adds an extended key usage."""
        builder = _builder(
            subject=subject,
            issuer=self.certificate.subject,
            public_key=public_key,
            serial=serial,
            not_before=not_before,
            not_after=not_after,
        )
        builder = builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(_key_usage(cert_sign=False), critical=True)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
            critical=False,
        )
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        return builder.sign(self.key, hashes.SHA256(), ecdsa_deterministic=True)


def _builder(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_key: PublicKey,
    serial: int,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


_MINISTRY = "Ministry of Health (TEST)"


def _ca(seed: int, label: str, common_name: str) -> CertificateAuthority:
    subject = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, _MINISTRY),
        (NameOID.COMMON_NAME, f"{common_name} (test, seed {seed})"),
    )
    return CertificateAuthority.self_signed(
        derive_ec_key(seed, label), subject, serial=_serial(seed, label)
    )


def _document_signer(
    seed: int,
    issuer: CertificateAuthority,
    label: str,
    *,
    alg: str,
    dcc_types: Iterable[DccType | str],
    not_before: datetime,
    not_after: datetime,
) -> DocumentSigner:
    key = key_for(seed, "dsc/" + label, alg, ("ES256", "PS256", "EdDSA"))
    subject = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, _MINISTRY),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "Department of Preventive Medicine"),
        (NameOID.COMMON_NAME, f"VN DSC {label} {alg} (test, seed {seed})"),
    )
    certificate = issuer.issue(
        subject,
        key.public_key(),
        serial=_serial(seed, f"dsc/{label}/{alg}"),
        not_before=not_before,
        not_after=not_after,
        eku=[DCC_EKU_OIDS[DccType(t)] for t in dcc_types],
    )
    return DocumentSigner(
        key=key,
        certificate=certificate,
        country="VN",
        issuer_name="Ministry of Health Vietnam (TEST)",
    )


def _facility(
    seed: int,
    issuer: CertificateAuthority,
    facility_id: str,
    *,
    not_before: datetime,
    not_after: datetime,
    alg: str,
) -> FacilitySigner:
    label = f"facility/{facility_id}/{not_before:%Y%m%d}-{not_after:%Y%m%d}"
    key = key_for(seed, label, alg, ("ES256", "EdDSA"))
    subject = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, f"Vaccination facility {facility_id} (test)"),
        (FACILITY_ID_OID, facility_id),
        (NameOID.COMMON_NAME, facility_id),
    )
    certificate = issuer.issue(
        subject,
        key.public_key(),
        serial=_serial(seed, f"{label}/{alg}"),
        not_before=not_before,
        not_after=not_after,
    )
    return FacilitySigner(facility_id=facility_id, key=key, certificate=certificate)


@attrs.frozen
class PKI:
    """One seed's test PKI. Build it with :func:`pki`.

    ``trust`` holds the three trusted Document Signers (ES256, PS256, test-only), the facility
    CA root, the facilities (good, expired and revoked) and the revocation of
    ``revoked_facility`` (by kid).
    """

    seed: int
    ministry_root: CertificateAuthority
    facility_ca: CertificateAuthority
    document_signer: DocumentSigner
    document_signer_ps256: DocumentSigner
    test_only_document_signer: DocumentSigner
    facilities: tuple[FacilitySigner, ...]
    expired_facility: FacilitySigner
    revoked_facility: FacilitySigner
    trust: TrustStore

    def make_document_signer(
        self,
        label: str,
        *,
        alg: str = "ES256",
        dcc_types: Iterable[DccType | str] = (DccType.VACCINATION,),
        not_before: datetime = SIGNER_NOT_BEFORE,
        not_after: datetime = SIGNER_NOT_AFTER,
        issuer: CertificateAuthority | None = None,
    ) -> DocumentSigner:
        """A Document Signer (ES256, PS256 or EdDSA) issued by *issuer* (the ministry root).

        It is not added to :attr:`trust`; see :meth:`trust_with`. Empty *dcc_types* leaves
        out the extended key usage (every DCC type allowed).
        """
        return _document_signer(
            self.seed,
            issuer or self.ministry_root,
            label,
            alg=alg,
            dcc_types=dcc_types,
            not_before=not_before,
            not_after=not_after,
        )

    def make_facility(
        self,
        facility_id: str,
        *,
        not_before: datetime = SIGNER_NOT_BEFORE,
        not_after: datetime = SIGNER_NOT_AFTER,
        issuer: CertificateAuthority | None = None,
        alg: str = "ES256",
    ) -> FacilitySigner:
        """A facility signer (ES256 or EdDSA) issued by *issuer* (the facility CA).

        It is not added to :attr:`trust`; see :meth:`trust_with`.
        """
        return _facility(
            self.seed,
            issuer or self.facility_ca,
            facility_id,
            not_before=not_before,
            not_after=not_after,
            alg=alg,
        )

    def untrusted_document_signer(self, alg: str = "ES256") -> DocumentSigner:
        """A Document Signer issued by a rogue CSCA with the real one's name; never trusted."""
        return self.make_document_signer("untrusted", alg=alg, issuer=_rogue(self.seed, "csca"))

    def untrusted_facility(self, facility_id: str = "VN-ROGUE-0001") -> FacilitySigner:
        """A facility whose certificate names the facility CA as issuer but is signed by a
        rogue key: issuer-name matching alone would accept it, the signature check does not.
        """
        return self.make_facility(facility_id, issuer=_rogue(self.seed, "facility-ca"))

    def trust_with(
        self, *extra: DocumentSigner | FacilitySigner | Revocation, base: TrustStore | None = None
    ) -> TrustStore:
        """:attr:`trust` (or *base*) with extra signers, facilities or revocations added."""
        store = base or self.trust
        signers: list[SignerCertificate] = list(store.signers)
        facilities: list[FacilityCertificate] = list(store.facilities)
        revocations = list(store.revocations)
        for item in extra:
            if isinstance(item, DocumentSigner):
                signers.append(SignerCertificate(item))
            elif isinstance(item, FacilitySigner):
                facilities.append(FacilityCertificate(item))
            elif isinstance(item, Revocation):
                revocations.append(item)
            else:
                raise TypeError(f"cannot add {type(item).__name__} to a trust store")
        return attrs.evolve(store, signers=signers, facilities=facilities, revocations=revocations)


@functools.cache
def _rogue(seed: int, which: str) -> CertificateAuthority:
    name = "VN CSCA" if which == "csca" else "VN Facility CA"
    real = _ca(seed, which, name)
    return CertificateAuthority.self_signed(
        derive_ec_key(seed, "rogue/" + which),
        real.certificate.subject,
        serial=_serial(seed, "rogue/" + which),
    )


def facility_id(index: int) -> str:
    """The id of the *index*-th (0-based) test facility: ``VN-FAC-0001``, ..."""
    return f"VN-FAC-{index + 1:04d}"


def _check_pki_args(seed: int, facilities: int, not_before: datetime, not_after: datetime) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError("seed must be an int")
    if isinstance(facilities, bool) or not isinstance(facilities, int):
        raise TypeError("facilities must be an int")
    if seed < 0 or not 0 <= facilities <= 10_000:
        raise ValueError("seed must be >= 0 and facilities in 0..10000")
    for when in (not_before, not_after):
        if not isinstance(when, datetime):
            raise TypeError("not_before and not_after must be aware datetimes")
        if when.tzinfo is None:
            raise ValueError("not_before and not_after must be aware datetimes")


@functools.cache
def pki(
    seed: int = 0,
    *,
    facilities: int = 3,
    not_before: datetime = SIGNER_NOT_BEFORE,
    not_after: datetime = SIGNER_NOT_AFTER,
) -> PKI:
    """The test PKI for *seed*: identical keys, DER and kids on every call (cached per args).

    *facilities* good facilities (ids ``VN-FAC-0001``...) and both Document Signers are valid
    from *not_before* to *not_after* (default 2025-01-01 to 2030-01-01 UTC).
    """
    _check_pki_args(seed, facilities, not_before, not_after)
    csca = _ca(seed, "csca", "VN CSCA")
    facility_ca = _ca(seed, "facility-ca", "VN Facility CA")
    window = {"not_before": not_before, "not_after": not_after}
    vaccination = (DccType.VACCINATION,)
    es256 = _document_signer(seed, csca, "1", alg="ES256", dcc_types=vaccination, **window)
    ps256 = _document_signer(seed, csca, "1", alg="PS256", dcc_types=vaccination, **window)
    test_only = _document_signer(
        seed, csca, "test-only", alg="ES256", dcc_types=(DccType.TEST,), **window
    )
    good = tuple(
        _facility(seed, facility_ca, facility_id(i), alg="ES256", **window)
        for i in range(facilities)
    )
    expired = _facility(
        seed,
        facility_ca,
        "VN-EXPIRED-0001",
        not_before=EXPIRED_NOT_BEFORE,
        not_after=EXPIRED_NOT_AFTER,
        alg="ES256",
    )
    revoked = _facility(seed, facility_ca, "VN-REVOKED-0001", alg="ES256", **window)
    trust = TrustStore(
        signers=[es256, ps256, test_only],
        facility_roots=[facility_ca.certificate],
        facilities=[*good, expired, revoked],
        revocations=[Revocation.facility_kid(revoked.kid)],
    )
    return PKI(
        seed=seed,
        ministry_root=csca,
        facility_ca=facility_ca,
        document_signer=es256,
        document_signer_ps256=ps256,
        test_only_document_signer=test_only,
        facilities=good,
        expired_facility=expired,
        revoked_facility=revoked,
        trust=trust,
    )
