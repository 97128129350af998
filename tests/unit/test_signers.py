from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from vaxpass_core.errors import AlgorithmError
from vaxpass_core.signers import (
    ALG_NAMES,
    DocumentSigner,
    FacilitySigner,
    PrivateKey,
    PublicKey,
    cose_alg,
    facility_id_of,
    kid_for_certificate,
    load_certificate,
    validity_of,
)
from vaxpass_core.testing import pki
from vaxpass_core.testing.pki import SIGNER_NOT_AFTER, SIGNER_NOT_BEFORE, TEST_RSA_KEY_PEM


if TYPE_CHECKING:
    from collections.abc import Callable


PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


def _key_bytes(key: PrivateKey, encoding: serialization.Encoding) -> bytes:
    return key.private_bytes(
        encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _issue(public_key: PublicKey, *, facility_id: str | None = None) -> x509.Certificate:
    attrs_ = [(NameOID.COUNTRY_NAME, "VN"), (NameOID.COMMON_NAME, "x")]
    if facility_id is not None:
        attrs_.append((NameOID.SERIAL_NUMBER, facility_id))
    subject = x509.Name([x509.NameAttribute(o, v) for o, v in attrs_])
    return pki().ministry_root.issue(
        subject, public_key, serial=7, not_before=SIGNER_NOT_BEFORE, not_after=SIGNER_NOT_AFTER
    )


def test_kid_is_the_first_8_bytes_of_sha256_of_the_der() -> None:
    signer = pki().document_signer
    der = signer.certificate.public_bytes(DER)
    assert signer.kid == hashlib.sha256(der).digest()[:8]
    assert kid_for_certificate(der) == kid_for_certificate(signer.certificate) == signer.kid
    with pytest.raises(TypeError):
        kid_for_certificate("not a certificate")  # type: ignore[arg-type]


def test_kid_of_is_a_deprecated_name() -> None:
    from vaxpass_core import signers

    with pytest.warns(DeprecationWarning, match="kid_for_certificate") as warned:
        assert signers.kid_of is kid_for_certificate
    assert warned[0].filename == __file__  # the warning points at the code that used the name
    with pytest.raises(AttributeError):
        signers.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("make_key", "alg", "name"),
    [
        (lambda: ec.generate_private_key(ec.SECP256R1()), -7, "ES256"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), -35, "ES384"),
        (lambda: ec.generate_private_key(ec.SECP521R1()), -36, "ES512"),
        (lambda: serialization.load_pem_private_key(TEST_RSA_KEY_PEM, None), -37, "PS256"),
        (ed25519.Ed25519PrivateKey.generate, -8, "EdDSA"),
    ],
    ids=["P-256", "P-384", "P-521", "RSA-2048", "Ed25519"],
)
def test_alg_follows_the_key(make_key: Callable[[], Any], alg: int, name: str) -> None:
    key = make_key()
    signer = DocumentSigner(key=key, certificate=_issue(key.public_key()))
    assert signer.alg == alg
    assert signer.alg_name == name == ALG_NAMES[alg]
    assert cose_alg(key.public_key()) == alg


def test_unsupported_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="curve"):
        cose_alg(ec.generate_private_key(ec.SECP256K1()))
    small = rsa.generate_private_key(65537, 1024)
    with pytest.raises(ValueError, match="2048"):
        cose_alg(small)
    with pytest.raises(AlgorithmError, match="1024 bits"):  # cose's rule, said once
        cose_alg(small.public_key())
    with pytest.raises(TypeError):
        cose_alg("key")  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # cose.algorithm_for_key knows Ed448; signers do not
        cose_alg(ed448.Ed448PrivateKey.generate())


def test_validity_is_read_once_for_signers_and_certificates() -> None:
    signer = pki().document_signer
    window = (int(SIGNER_NOT_BEFORE.timestamp()), int(SIGNER_NOT_AFTER.timestamp()))
    assert validity_of(signer.certificate) == (signer.not_before, signer.not_after) == window


def test_key_must_match_certificate() -> None:
    p = pki()
    with pytest.raises(ValueError, match="does not belong"):
        DocumentSigner(key=p.facilities[0].key, certificate=p.document_signer.certificate)
    with pytest.raises(ValueError, match="does not belong"):
        FacilitySigner(
            facility_id=p.facilities[0].facility_id,
            key=p.facilities[1].key,
            certificate=p.facilities[0].certificate,
        )


def test_wrong_types_are_type_errors() -> None:
    p = pki()
    der = p.document_signer.certificate.public_bytes(DER)
    with pytest.raises(TypeError):
        DocumentSigner(key=p.document_signer.key, certificate=der)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DocumentSigner(key="secret", certificate=p.document_signer.certificate)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DocumentSigner(
            key=p.document_signer.key,
            certificate=p.document_signer.certificate,
            country=704,  # type: ignore[arg-type]
        )
    facility = p.facilities[0]
    with pytest.raises(TypeError):
        FacilitySigner(facility_id=1, key=facility.key, certificate=facility.certificate)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        load_certificate(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("country", ["vn", "VNM", "", "V1"])
def test_country_must_be_alpha2(country: str) -> None:
    signer = pki().document_signer
    with pytest.raises(ValueError, match="alpha-2"):
        attrs.evolve(signer, country=country)


@pytest.mark.parametrize("issuer_name", ["", "x" * 81])
def test_issuer_name_bounds(issuer_name: str) -> None:
    with pytest.raises(ValueError, match="issuer_name"):
        attrs.evolve(pki().document_signer, issuer_name=issuer_name)


def test_issuer_name_at_the_bound_is_fine() -> None:
    assert len(attrs.evolve(pki().document_signer, issuer_name="x" * 80).issuer_name) == 80


def test_facility_id_must_match_the_certificate() -> None:
    facility = pki().facilities[0]
    assert facility_id_of(facility.certificate) == facility.facility_id == "VN-FAC-0001"
    assert facility.alg_name == "ES256"
    with pytest.raises(ValueError, match="does not match"):
        attrs.evolve(facility, facility_id="VN-FAC-9999")
    with pytest.raises(ValueError, match="empty"):
        attrs.evolve(facility, facility_id="")


def test_certificate_without_or_with_two_facility_ids_has_none() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    bare = _issue(key.public_key())
    assert facility_id_of(bare) is None
    with pytest.raises(ValueError, match="does not match"):
        FacilitySigner(facility_id="F1", key=key, certificate=bare)
    two = x509.Name(
        [
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "A"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "B"),
        ]
    )
    cert = pki().facility_ca.issue(
        two, key.public_key(), serial=9, not_before=SIGNER_NOT_BEFORE, not_after=SIGNER_NOT_AFTER
    )
    assert facility_id_of(cert) is None


def test_from_pem_and_der_round_trip() -> None:
    p = pki()
    facility = p.facilities[0]
    key_pem = _key_bytes(facility.key, PEM)
    cert_pem = facility.certificate.public_bytes(PEM)
    assert FacilitySigner.from_pem(key_pem, cert_pem) == facility
    assert FacilitySigner.from_pem(key_pem.decode(), cert_pem.decode()) == facility
    assert (
        FacilitySigner.from_pem(
            _key_bytes(facility.key, DER),
            facility.certificate.public_bytes(DER),
            facility_id="VN-FAC-0001",
        ).kid
        == facility.kid
    )
    with pytest.warns(DeprecationWarning, match="from_pem") as warned:
        again = FacilitySigner.from_der(key_pem, cert_pem)
    assert warned[0].filename == __file__
    assert again == facility
    signer = p.document_signer
    loaded = DocumentSigner.from_pem(
        _key_bytes(signer.key, PEM),
        signer.certificate.public_bytes(PEM),
        issuer_name=signer.issuer_name,
    )
    assert loaded == signer
    assert loaded.kid == signer.kid
    assert loaded.alg == -7


def test_from_pem_with_a_password() -> None:
    signer = pki().document_signer
    encrypted = signer.key.private_bytes(
        PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    loaded = DocumentSigner.from_pem(
        encrypted, signer.certificate.public_bytes(PEM), password=b"pw"
    )
    assert loaded.kid == signer.kid


def test_from_pem_needs_a_facility_id_somewhere() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ValueError, match="serialNumber"):
        FacilitySigner.from_pem(_key_bytes(key, PEM), _issue(key.public_key()).public_bytes(PEM))


def test_from_pem_refuses_other_key_types() -> None:
    from cryptography.hazmat.primitives.asymmetric import x25519

    key = x25519.X25519PrivateKey.generate()
    pem = key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ValueError, match="unsupported"):
        DocumentSigner.from_pem(pem, pki().document_signer.certificate.public_bytes(PEM))


def test_signers_are_frozen_and_cache_their_validity() -> None:
    signer = pki().document_signer
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        signer.country = "DE"  # type: ignore[misc]
    assert signer.not_before == int(SIGNER_NOT_BEFORE.timestamp())
    assert signer.not_after == int(SIGNER_NOT_AFTER.timestamp())
    assert [f.name for f in attrs.fields(DocumentSigner)][:4] == [
        "key",
        "certificate",
        "country",
        "issuer_name",
    ]


def test_evolve_recomputes_the_kid() -> None:
    p = pki()
    other = p.make_document_signer("evolve")
    moved = attrs.evolve(p.document_signer, key=other.key, certificate=other.certificate)
    assert moved.kid == other.kid != p.document_signer.kid


def test_key_loader_refuses_non_bytes() -> None:
    with pytest.raises(TypeError):
        DocumentSigner.from_pem(5, pki().document_signer.certificate.public_bytes(PEM))  # type: ignore[arg-type]
