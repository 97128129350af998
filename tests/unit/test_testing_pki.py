from __future__ import annotations

import hashlib
import importlib
import subprocess
import sys
from datetime import UTC, datetime

import attrs
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

import vaxpass_core.testing
from tests._helpers import NOW
from vaxpass_core.errors import FacilityExpired, FacilityRevoked
from vaxpass_core.signers import DocumentSigner, FacilitySigner
from vaxpass_core.testing import PKI, pki
from vaxpass_core.testing.pki import (
    DCC_EKU_OIDS,
    EXPIRED_NOT_AFTER,
    SIGNER_NOT_AFTER,
    SIGNER_NOT_BEFORE,
    derive_ec_key,
    derive_ed25519_key,
)
from vaxpass_core.trust import DccType, Revocation, SignerCertificate


DER = serialization.Encoding.DER


def _ders(p: PKI) -> list[bytes]:
    certs = [
        p.ministry_root.certificate,
        p.facility_ca.certificate,
        p.document_signer.certificate,
        p.document_signer_ps256.certificate,
        p.test_only_document_signer.certificate,
        p.expired_facility.certificate,
        p.revoked_facility.certificate,
        *(f.certificate for f in p.facilities),
        p.untrusted_document_signer().certificate,
        p.untrusted_facility().certificate,
    ]
    return [c.public_bytes(DER) for c in certs]


def test_same_seed_same_der_and_kids_even_uncached() -> None:
    first = pki(0)
    assert pki(0) is first  # cached
    ders = _ders(first)
    kids = [first.document_signer.kid, first.document_signer_ps256.kid]
    pki.cache_clear()
    # the private helper of the module that mints it (the test kit re-exports its names)
    importlib.import_module("vaxpass_core.shell.devpki")._rogue.cache_clear()
    again = pki(0)
    assert again is not first
    assert _ders(again) == ders
    assert [again.document_signer.kid, again.document_signer_ps256.kid] == kids
    assert again == first


def test_known_kids_for_seed_0() -> None:
    # Pinned: test vectors and docs quote these; a change here is a breaking change for them.
    p = pki(0)
    assert p.document_signer.kid.hex() == "b7ab11e28107d36f"
    assert p.document_signer_ps256.kid.hex() == "09e142564a0247b9"
    assert p.facilities[0].kid.hex() == "0e5a780b0e426213"


def test_different_seeds_differ() -> None:
    a, b = pki(0), pki(1)
    assert a.document_signer.kid != b.document_signer.kid
    assert a.document_signer_ps256.kid != b.document_signer_ps256.kid
    assert a.facilities[0].kid != b.facilities[0].kid
    assert not set(_ders(a)) & set(_ders(b))


def test_key_derivation_is_seeded() -> None:
    one = derive_ec_key(0, "x").private_numbers().private_value
    assert one == derive_ec_key(0, "x").private_numbers().private_value
    assert one != derive_ec_key(1, "x").private_numbers().private_value
    assert one != derive_ec_key(0, "y").private_numbers().private_value
    raw = serialization.Encoding.Raw, serialization.PrivateFormat.Raw
    no = serialization.NoEncryption()
    assert derive_ed25519_key(0, "x").private_bytes(*raw, no) == (
        derive_ed25519_key(0, "x").private_bytes(*raw, no)
    )


def test_document_signers() -> None:
    p = pki()
    es, ps = p.document_signer, p.document_signer_ps256
    assert isinstance(es.key, ec.EllipticCurvePrivateKey)
    assert es.key.curve.name == "secp256r1"
    assert es.alg_name == "ES256"
    assert isinstance(ps.key, rsa.RSAPrivateKey)
    assert ps.key.key_size == 2048
    assert ps.alg_name == "PS256"
    for signer in (es, ps):
        cert = signer.certificate
        assert signer.country == "VN"
        assert cert.not_valid_before_utc == SIGNER_NOT_BEFORE
        assert cert.not_valid_after_utc == SIGNER_NOT_AFTER
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [DCC_EKU_OIDS[DccType.VACCINATION]]
        assert eku[0].dotted_string == "1.3.6.1.4.1.1847.2021.1.2"
        assert cert.issuer == p.ministry_root.certificate.subject
        cert.verify_directly_issued_by(p.ministry_root.certificate)
        assert signer.kid == hashlib.sha256(cert.public_bytes(DER)).digest()[:8]
    assert p.test_only_document_signer.kid in p.trust.kids
    (entry,) = p.trust.signers_for(p.test_only_document_signer.kid)
    assert entry.dcc_types == frozenset({DccType.TEST})


def test_signers_actually_sign() -> None:
    p = pki()
    message = b"level 2"
    es_key, es_public = p.document_signer.key, p.document_signer.certificate.public_key()
    assert isinstance(es_key, ec.EllipticCurvePrivateKey)
    assert isinstance(es_public, ec.EllipticCurvePublicKey)
    es_public.verify(
        es_key.sign(message, ec.ECDSA(hashes.SHA256())), message, ec.ECDSA(hashes.SHA256())
    )
    ps_key, ps_public = (
        p.document_signer_ps256.key,
        p.document_signer_ps256.certificate.public_key(),
    )
    assert isinstance(ps_key, rsa.RSAPrivateKey)
    assert isinstance(ps_public, rsa.RSAPublicKey)
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), 32)
    ps_public.verify(ps_key.sign(message, pss, hashes.SHA256()), message, pss, hashes.SHA256())


def test_ministry_root_is_a_ca() -> None:
    cert = pki().ministry_root.certificate
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.subject == cert.issuer
    cert.verify_directly_issued_by(cert)
    assert cert.not_valid_before_utc < SIGNER_NOT_BEFORE
    assert cert.not_valid_after_utc > SIGNER_NOT_AFTER


@pytest.mark.parametrize("count", [0, 1, 5])
def test_facility_count(count: int) -> None:
    p = pki(3, facilities=count)
    assert [f.facility_id for f in p.facilities] == [f"VN-FAC-{i:04d}" for i in range(1, count + 1)]
    for facility in p.facilities:
        assert isinstance(facility, FacilitySigner)
        assert p.trust.check_facility(facility.kid, at=NOW)
        facility.certificate.verify_directly_issued_by(p.facility_ca.certificate)


def test_negative_facilities_are_in_the_trust_store() -> None:
    p = pki()
    assert p.expired_facility.certificate.not_valid_after_utc == EXPIRED_NOT_AFTER
    with pytest.raises(FacilityExpired):
        p.trust.check_facility(p.expired_facility.kid, at=NOW)
    with pytest.raises(FacilityRevoked):
        p.trust.check_facility(p.revoked_facility.kid, at=NOW)
    assert Revocation.facility_kid(p.revoked_facility.kid) in p.trust.revocations


def test_untrusted_helpers_are_not_trusted() -> None:
    p = pki()
    rogue_signer = p.untrusted_document_signer()
    assert rogue_signer.certificate.issuer == p.ministry_root.certificate.subject
    assert p.trust.signers_for(rogue_signer.kid) == ()
    with pytest.raises(InvalidSignature):
        rogue_signer.certificate.verify_directly_issued_by(p.ministry_root.certificate)
    assert p.untrusted_document_signer("PS256").alg_name == "PS256"
    assert not p.trust.chains_to_root(p.untrusted_facility())


def test_make_helpers_and_trust_with() -> None:
    p = pki()
    eddsa = p.make_document_signer("ed", alg="EdDSA", dcc_types=())
    assert isinstance(eddsa.key, ed25519.Ed25519PrivateKey)
    assert eddsa.alg_name == "EdDSA"
    with pytest.raises(x509.ExtensionNotFound):
        eddsa.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    late = p.make_facility(
        "VN-LATE-0001",
        not_before=datetime(2027, 1, 1, tzinfo=UTC),
        alg="EdDSA",
    )
    extra = Revocation.uci("URN:UVCI:01:VN:X")
    store = p.trust_with(eddsa, late, extra)
    assert store.signers_for(eddsa.kid) == (SignerCertificate(eddsa),)
    assert store.facility_valid_at(late, datetime(2027, 6, 1, tzinfo=UTC))
    assert not store.facility_valid_at(late, NOW)
    assert extra in store.revocations
    assert p.trust_with(base=store) == store
    with pytest.raises(TypeError):
        p.trust_with("signer")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alg"):
        p.make_document_signer("x", alg="ES384")
    with pytest.raises(ValueError, match="alg"):
        p.make_facility("VN-X-0001", alg="PS256")


def test_the_trust_store_holds_it_all() -> None:
    p = pki()
    kids = {p.document_signer.kid, p.document_signer_ps256.kid, p.test_only_document_signer.kid}
    assert p.trust.kids == kids
    assert [r.certificate for r in p.trust.facility_roots] == [p.facility_ca.certificate]
    assert {f.kid for f in p.trust.facilities} == {
        *(f.kid for f in p.facilities),
        p.expired_facility.kid,
        p.revoked_facility.kid,
    }
    assert isinstance(p.document_signer, DocumentSigner)
    assert attrs.evolve(p, seed=0) == p


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"seed": "0"}, TypeError),
        ({"seed": True}, TypeError),
        ({"seed": -1}, ValueError),
        ({"facilities": 1.0}, TypeError),
        ({"facilities": -1}, ValueError),
        ({"not_before": "2025-01-01"}, TypeError),
        ({"not_after": datetime(2030, 1, 1)}, ValueError),  # noqa: DTZ001
    ],
)
def test_pki_arguments(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        pki(**kwargs)


def test_custom_window() -> None:
    start, end = datetime(2021, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)
    p = pki(0, not_before=start, not_after=end)
    assert p.document_signer.certificate.not_valid_after_utc == end
    assert p.facilities[0].certificate.not_valid_before_utc == start
    assert p.document_signer.kid != pki(0).document_signer.kid


def test_importing_testing_pulls_in_neither_hypothesis_nor_strategies() -> None:
    code = (
        "import sys, vaxpass_core.testing as t\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'\n"
        "assert 'vaxpass_core.testing.strategies' not in sys.modules\n"
        "assert 'strategies' in dir(t)\n"
        "t.pki(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_vectors_need_no_hypothesis() -> None:
    # `vaxpass vectors` runs without the test dependencies.
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # importing it fails\n"
        "from vaxpass_core.testing import vectors\n"
        "assert next(vectors.generate(0))[0].startswith(vectors.DIRECTORY)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error() -> None:
    assert {"pki", "PKI", "strategies"} <= set(dir(vaxpass_core.testing))
    with pytest.raises(AttributeError, match="nope"):
        _ = vaxpass_core.testing.nope


def test_strategies_load_lazily() -> None:
    module = vaxpass_core.testing.strategies
    assert module.__name__ == "vaxpass_core.testing.strategies"


def test_the_test_kit_and_the_shell_mint_the_same_pki() -> None:
    from vaxpass_core import testing
    from vaxpass_core.shell import devpki, vectors

    assert testing.pki is devpki.pki
    assert testing.pki(0) is devpki.pki(0)
    assert testing.vectors.generate is vectors.generate
