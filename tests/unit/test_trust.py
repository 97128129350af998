from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests._helpers import NOW
from vaxpass_core._der import walk
from vaxpass_core.errors import (
    AlgorithmError,
    Code,
    FacilityExpired,
    FacilityRevoked,
    FacilityUnknown,
)
from vaxpass_core.hazmat import cose
from vaxpass_core.revocation import country_code_uci_hash, signature_hash, uci_hash
from vaxpass_core.signers import validity_of
from vaxpass_core.testing import pki
from vaxpass_core.testing.pki import (
    SIGNER_NOT_AFTER,
    SIGNER_NOT_BEFORE,
    CertificateAuthority,
    derive_ec_key,
)
from vaxpass_core.trust import (
    DccType,
    FacilityCertificate,
    FacilityRoot,
    Revocation,
    RevocationKind,
    SignerCertificate,
    TrustStore,
    revocation_entries,
    revocations_from_batch,
)


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM
SPKI = (DER, serialization.PublicFormat.SubjectPublicKeyInfo)
EPOCH_2025 = 1735689600
EPOCH_2030 = 1893456000


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(DER)


# -- Document Signer certificates --------------------------------------------------------


def test_from_certificates_accepts_every_form() -> None:
    cert = pki().document_signer.certificate
    forms: list[bytes | str | x509.Certificate] = [
        _der(cert),
        cert.public_bytes(PEM),
        cert.public_bytes(PEM).decode(),
        cert,
    ]
    stores = [TrustStore.from_certificates([form]) for form in forms]
    stores.append(TrustStore.from_certificates([pki().document_signer]))
    kid = pki().document_signer.kid
    for store in stores:
        (entry,) = store.signers_for(kid)
        assert entry.der == _der(cert)
        assert entry.country == "VN"
        assert entry.not_before == EPOCH_2025
        assert entry.not_after == EPOCH_2030
        assert entry.dcc_types == frozenset({DccType.VACCINATION})
        assert entry.strict
        assert entry.public_key.public_bytes(*SPKI) == cert.public_key().public_bytes(*SPKI)
    assert len(set(stores)) == 1  # equal and hashable


def test_unknown_kid_gives_nothing() -> None:
    assert pki().trust.signers_for(b"\0" * 8) == ()
    assert pki().document_signer.kid in pki().trust.kids


def test_every_certificate_sharing_a_kid_is_kept_in_order() -> None:
    p = pki()
    kid = b"shared!!"
    first, second = p.document_signer, p.document_signer_ps256
    store = TrustStore.from_kid_map({kid: [first.certificate, _der(second.certificate)]})
    entries = store.signers_for(kid)
    assert [e.der for e in entries] == [_der(first.certificate), _der(second.certificate)]
    assert all(e.kid == kid for e in entries)
    one = TrustStore.from_kid_map({b"k1": SignerCertificate(first)})
    assert one.signers_for(b"k1")[0].der == _der(first.certificate)
    assert one.signers_for(first.kid) == ()
    with pytest.raises(TypeError):
        TrustStore.from_kid_map({"k1": first.certificate})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        TrustStore.from_kid_map([(b"k1", first.certificate)])  # type: ignore[arg-type]


def _trust_list_entry(
    cert: x509.Certificate, kid: bytes, country: str, kind: str
) -> dict[str, str]:
    return {
        "kid": base64.b64encode(kid).decode(),
        "country": country,
        "certificateType": kind,
        "thumbprint": hashlib.sha256(_der(cert)).hexdigest(),
        "timestamp": "2025-01-01T00:00:00Z",
        "rawData": base64.b64encode(_der(cert)).decode(),
    }


def test_from_trust_list_keeps_dscs_with_their_published_kid_and_country() -> None:
    p = pki()
    entries = [
        _trust_list_entry(p.document_signer.certificate, b"gatewyK1", "XA", "DSC"),
        _trust_list_entry(p.ministry_root.certificate, b"gatewyK2", "VN", "CSCA"),
        _trust_list_entry(
            p.document_signer_ps256.certificate, p.document_signer_ps256.kid, "VN", "DSC"
        ),
    ]
    for form in (
        json.dumps(entries).encode(),
        json.dumps(entries),
        entries,
        {"certificates": entries},
    ):
        store = TrustStore.from_trust_list(form)
        assert len(store.signers) == 2
        (entry,) = store.signers_for(b"gatewyK1")
        assert entry.country == "XA"  # the list's word, not the subject's
        assert store.signers_for(b"gatewyK2") == ()  # CSCA: not a signer
        assert store.signers_for(p.document_signer_ps256.kid)[0].country == "VN"


def test_from_trust_list_without_kid_computes_it() -> None:
    p = pki()
    entry = _trust_list_entry(p.document_signer.certificate, b"x", "VN", "DSC")
    del entry["kid"], entry["certificateType"]
    store = TrustStore.from_trust_list([entry])
    assert store.signers_for(p.document_signer.kid)


@pytest.mark.parametrize(
    "bad",
    [
        b"{}",
        "[1]",
        [{"kid": "AAAA", "rawData": "not base64!"}],
        [{"kid": "AAAA", "rawData": 5}],
        [{"kid": "AAAA", "country": 5, "rawData": ""}],
        [{"kid": "AAAA", "rawData": base64.b64encode(b"garbage").decode()}],
    ],
)
def test_from_trust_list_refuses_malformed_lists(bad: object) -> None:
    with pytest.raises(ValueError):
        TrustStore.from_trust_list(bad)


def _dsc_with_eku(oids: list[x509.ObjectIdentifier] | None) -> x509.Certificate:
    key = derive_ec_key(0, f"eku/{oids}")
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    return pki().ministry_root.issue(
        subject,
        key.public_key(),
        serial=11,
        not_before=SIGNER_NOT_BEFORE,
        not_after=SIGNER_NOT_AFTER,
        eku=oids or (),
    )


@pytest.mark.parametrize(
    ("oids", "expected"),
    [
        (None, None),
        ([ExtendedKeyUsageOID.SERVER_AUTH], None),
        (["1.3.6.1.4.1.1847.2021.1.1"], {"t"}),
        (["1.3.6.1.4.1.1847.2021.1.2"], {"v"}),
        (["1.3.6.1.4.1.1847.2021.1.3"], {"r"}),
        (["1.3.6.1.4.1.0.1847.2021.1.2"], {"v"}),  # the ".0." variant in the wild
        (["1.3.6.1.4.1.0.1847.2021.1.1", "1.3.6.1.4.1.1847.2021.1.3"], {"t", "r"}),
        (["1.3.6.1.4.1.1847.2021.1.9"], None),  # an unknown arc restricts nothing
    ],
)
def test_dcc_types_from_the_extended_key_usage(
    oids: list[x509.ObjectIdentifier | str] | None, expected: set[str] | None
) -> None:
    parsed = [
        o if isinstance(o, x509.ObjectIdentifier) else x509.ObjectIdentifier(o) for o in oids or []
    ]
    entry = SignerCertificate(_dsc_with_eku(parsed or None))
    assert entry.dcc_types == (None if expected is None else frozenset(map(DccType, expected)))
    assert walk(entry.der).eku_oids == tuple(o.dotted_string for o in parsed)


def _duplicate_eku_certificate() -> tuple[bytes, x509.Certificate, ed25519.Ed25519PrivateKey]:
    """A DSC with two extendedKeyUsage extensions: test + recovery, then vaccination.

    cryptography's builder refuses duplicates, so the second one is added under a placeholder
    OID of the same encoded length and renamed in the DER, and the TBS is signed again with
    an Ed25519 CA (fixed-length signature, so every length in the DER stays put).
    """
    ca_key = ed25519.Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "duplicate CA")])
    key = ec.derive_private_key(12345, ec.SECP256R1())
    second = x509.ExtendedKeyUsage([x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.2")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "XD")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(99)
        .not_valid_before(SIGNER_NOT_BEFORE)
        .not_valid_after(SIGNER_NOT_AFTER)
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.1"),
                    x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.3"),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.99"), second.public_bytes()),
            critical=False,
        )
        .sign(ca_key, None)
    )
    placeholder, eku = bytes.fromhex("0603551d63"), bytes.fromhex("0603551d25")
    tbs = cert.tbs_certificate_bytes.replace(placeholder, eku)
    der = _der(cert).replace(placeholder, eku)
    der = der[:-64] + ca_key.sign(tbs)
    return der, cert, ca_key


def test_duplicate_extension_still_serves_its_public_key() -> None:
    der, original, _ = _duplicate_eku_certificate()
    strict = x509.load_der_x509_certificate(der)
    with pytest.raises(x509.DuplicateExtension):
        _ = strict.extensions
    entry = SignerCertificate(der)
    assert not entry.strict
    assert entry.public_key.public_bytes(*SPKI) == original.public_key().public_bytes(*SPKI)
    assert (entry.not_before, entry.not_after) == (EPOCH_2025, EPOCH_2030)
    assert entry.country == "XD"
    # every EKU extension counts: test + recovery from the first, vaccination from the second
    assert entry.dcc_types == frozenset(DccType)
    store = TrustStore.from_certificates([der])
    assert store.signers_for(hashlib.sha256(der).digest()[:8]) == (entry,)


def test_malformed_extension_value_still_serves_its_public_key() -> None:
    key = derive_ec_key(0, "malformed-eku")
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "XM")]))
        .issuer_name(pki().ministry_root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(5)
        .not_valid_before(SIGNER_NOT_BEFORE)
        .not_valid_after(SIGNER_NOT_AFTER)
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.37"), b"\x30\x03\x06\x01"),
            critical=False,
        )
        .sign(pki().ministry_root.key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    with pytest.raises(ValueError):
        _ = x509.load_der_x509_certificate(_der(cert)).extensions
    entry = SignerCertificate(cert)
    assert not entry.strict
    assert entry.country == "XM"
    assert entry.dcc_types is None  # an unreadable EKU restricts nothing
    assert entry.public_key.public_bytes(*SPKI) == key.public_key().public_bytes(*SPKI)


def test_a_certificate_cryptography_refuses_entirely_still_serves() -> None:
    der = _der(pki().document_signer.certificate)
    assert der[8:13] == bytes.fromhex("a003020102")  # explicit version v3
    bad = der[:12] + b"\x05" + der[13:]  # version 6: not X.509 at all for cryptography
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_certificate(bad)
    entry = SignerCertificate(bad)
    assert entry.certificate is None
    assert not entry.strict
    assert entry.dcc_types == frozenset({DccType.VACCINATION})
    assert (entry.not_before, entry.not_after, entry.country) == (EPOCH_2025, EPOCH_2030, "VN")


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x30",
        b"\x30\x05\x02\x01\x01",
        b"\x30\x84\xff\xff\xff\xff",
        b"\x1f\x00",
        b"\x30\x03\x31\x01\x00",
    ],
)
def test_garbage_is_a_value_error(garbage: bytes) -> None:
    with pytest.raises(ValueError):
        SignerCertificate(garbage)


def test_signer_certificate_checks_its_arguments() -> None:
    cert = pki().document_signer.certificate
    with pytest.raises(TypeError):
        SignerCertificate(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SignerCertificate(cert, kid="kid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kid"):
        SignerCertificate(cert, kid=b"")
    with pytest.raises(ValueError, match="public key"):
        SignerCertificate(_x25519_certificate())


def _x25519_certificate() -> x509.Certificate:
    from cryptography.hazmat.primitives.asymmetric import x25519

    return pki().ministry_root.issue(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x25519")]),
        x25519.X25519PrivateKey.generate().public_key(),  # type: ignore[arg-type]
        serial=3,
        not_before=SIGNER_NOT_BEFORE,
        not_after=SIGNER_NOT_AFTER,
    )


def test_signer_validity_window_is_read_from_the_certificate() -> None:
    entry = pki().trust.signers_for(pki().document_signer.kid)[0]
    assert (entry.not_before, entry.not_after) == (EPOCH_2025, EPOCH_2030)


# The EU conformance certificates: the walker must agree with cryptography where both read.
DCC_TYPES_BY_CASE = {
    "CO6": {"t"},
    "CO7": {"t"},
    "CO8": {"v"},
    "CO9": {"v"},
    "CO10": {"r"},
    "CO11": {"r"},
    "CO12": {"t"},
    "CO13": {"v"},
    "CO14": {"r"},
    "CO15": None,
}


def test_every_conformance_certificate_serves(
    dgc_testdata: Mapping[str, dict[str, Any]],
) -> None:
    certificates = {
        name: base64.b64decode(cert)
        for name, case in dgc_testdata.items()
        if (cert := case.get("TESTCTX", {}).get("CERTIFICATE"))
    }
    assert len(certificates) > 50
    lenient = []
    for name, der in certificates.items():
        entry = SignerCertificate(der)
        walked = walk(der)
        assert entry.public_key.public_bytes(*SPKI) == walked.spki, name
        assert (entry.not_before, entry.not_after) == (walked.not_before, walked.not_after), name
        if entry.strict:
            assert entry.certificate is not None
            assert walked.country == entry.country, name
        else:
            lenient.append(name)
        stem = name.rsplit("/", 1)[-1].removesuffix(".json")
        if name.startswith("common/") and stem in DCC_TYPES_BY_CASE:
            expected = DCC_TYPES_BY_CASE[stem]
            assert entry.dcc_types == (expected and frozenset(map(DccType, expected))), name
    # CO15 (an empty extension value) and FI/3 (BasicConstraints with an encoded default)
    assert {certificates[name] for name in lenient} == {
        certificates["FI/2DCode/raw/3.json"],
        certificates["common/2DCode/raw/CO15.json"],
    }


# -- Facilities ----------------------------------------------------------------------------


def test_good_facilities_check_out() -> None:
    p = pki()
    for facility in p.facilities:
        (entry,) = p.trust.check_facility(facility.kid, at=NOW)
        assert entry.facility_id == facility.facility_id
        assert entry.kid == facility.kid
        assert entry.serial == facility.certificate.serial_number
        assert p.trust.chains_to_root(facility)
        assert p.trust.facility_valid_at(facility, NOW)
        assert p.trust.facility_valid_at(entry, int(NOW.timestamp()))
        assert p.trust.facility_revoked(facility) is None
        assert p.trust.facilities_for(facility.kid) == (entry,)


def test_expired_facility() -> None:
    p = pki()
    with pytest.raises(FacilityExpired) as caught:
        p.trust.check_facility(p.expired_facility.kid, at=NOW)
    assert caught.value.code is Code.FACILITY_EXPIRED
    assert p.trust.chains_to_root(p.expired_facility)
    assert not p.trust.facility_valid_at(p.expired_facility, NOW)
    assert p.trust.check_facility(p.expired_facility.kid, at=datetime(2023, 6, 1, tzinfo=UTC))


def test_revoked_facility_by_kid_and_by_serial() -> None:
    p = pki()
    with pytest.raises(FacilityRevoked) as caught:
        p.trust.check_facility(p.revoked_facility.kid, at=NOW)
    assert caught.value.code is Code.FACILITY_REVOKED
    assert p.trust.facility_revoked(p.revoked_facility) == Revocation.facility_kid(
        p.revoked_facility.kid
    )
    good = p.facilities[1]
    by_serial = p.trust.with_revocations(Revocation.facility_serial(good.certificate.serial_number))
    with pytest.raises(FacilityRevoked):
        by_serial.check_facility(good.kid, at=NOW)
    assert by_serial.facility_revoked(good) is not None
    # revocation outranks expiry
    both = p.trust.with_revocations(Revocation.facility_kid(p.expired_facility.kid))
    with pytest.raises(FacilityRevoked):
        both.check_facility(p.expired_facility.kid, at=NOW)


def test_unknown_facility() -> None:
    p = pki()
    with pytest.raises(FacilityUnknown, match="no facility") as caught:
        p.trust.check_facility(b"\x00" * 8, at=NOW)
    assert caught.value.code is Code.FACILITY_UNKNOWN


def test_facility_signed_by_a_rogue_key_under_the_right_name_does_not_chain() -> None:
    p = pki()
    rogue = p.untrusted_facility()
    assert rogue.certificate.issuer == p.facility_ca.certificate.subject
    assert not p.trust.chains_to_root(rogue)
    assert not p.trust.facility_valid_at(rogue, NOW)
    registered = p.trust_with(rogue)
    with pytest.raises(FacilityUnknown, match="does not chain"):
        registered.check_facility(rogue.kid, at=NOW)


def test_facility_outlives_its_root() -> None:
    p = pki()
    short_root = CertificateAuthority.self_signed(
        derive_ec_key(0, "short root"),
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "short-lived facility CA")]),
        serial=77,
        not_before=datetime(2024, 1, 1, tzinfo=UTC),
        not_after=datetime(2026, 1, 1, tzinfo=UTC),
    )
    facility = p.make_facility("VN-SHORT-0001", issuer=short_root)
    store = TrustStore(facility_roots=[short_root.certificate], facilities=[facility])
    assert store.chains_to_root(facility)
    assert store.facility_valid_at(facility, datetime(2025, 6, 1, tzinfo=UTC))
    assert not store.facility_valid_at(facility, NOW)  # the facility is valid, its root is not
    with pytest.raises(FacilityExpired):
        store.check_facility(facility.kid, at=NOW)
    # a facility that is not registered is still judged against the roots
    assert store.facility_valid_at(p.make_facility("VN-SHORT-0002", issuer=short_root), 1750000000)
    assert not store.chains_to_root(p.facilities[0])


def test_facility_certificate_carries_its_key_algorithm() -> None:
    p = pki()
    for signer in (p.facilities[0], p.make_facility("VN-ED-0001", alg="EdDSA")):
        assert FacilityCertificate(signer).alg == signer.alg
    assert FacilityCertificate(p.facilities[0]).alg == cose.ES256


def test_facility_certificate_on_a_curve_cose_has_no_algorithm_for_is_refused() -> None:
    p = pki()
    key = ec.generate_private_key(ec.SECP256K1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "VN-K1-0001"),
            x509.NameAttribute(NameOID.COMMON_NAME, "VN-K1-0001"),
        ]
    )
    cert = p.facility_ca.issue(
        subject,
        key.public_key(),
        serial=99,
        not_before=SIGNER_NOT_BEFORE,
        not_after=SIGNER_NOT_AFTER,
    )
    with pytest.raises(AlgorithmError, match="curve"):
        FacilityCertificate(cert)


def test_facility_certificate_needs_an_id() -> None:
    with pytest.raises(ValueError, match="serialNumber"):
        FacilityCertificate(pki().document_signer.certificate)


def test_facility_roots_and_facilities_accept_bytes() -> None:
    p = pki()
    store = TrustStore(
        facility_roots=[_der(p.facility_ca.certificate)],
        facilities=[p.facilities[0].certificate.public_bytes(PEM)],
    )
    assert store.check_facility(p.facilities[0].kid, at=NOW)
    assert store.facility_roots == (FacilityRoot(p.facility_ca.certificate),)


# -- Revocation ------------------------------------------------------------------------------

UCI = "URN:UVCI:01:VN:TEST0000000001#X"


def test_revocation_hashes_follow_the_eu_forms() -> None:
    ecdsa_signature = bytes(range(64))
    uci, country_uci, signature = revocation_entries(UCI, "VN", ecdsa_signature, -7)
    assert uci == Revocation(RevocationKind.UCI, hashlib.sha256(UCI.encode()).digest()[:16])
    assert country_uci.value == hashlib.sha256(b"VN" + UCI.encode()).digest()[:16]
    assert signature.value == hashlib.sha256(bytes(range(32))).digest()[:16]  # r only
    rsa_signature = bytes(range(256))
    entry = Revocation.signature(rsa_signature, -37)
    assert entry.value == hashlib.sha256(rsa_signature).digest()[:16]  # PS256: whole
    assert Revocation.signature(bytes(64), -8).value == hashlib.sha256(bytes(64)).digest()[:16]


def test_revocation_hash_of_a_non_ascii_uci_is_over_utf8() -> None:
    assert Revocation.uci("Đ").value == hashlib.sha256("Đ".encode()).digest()[:16]


def test_hash_functions_are_the_entries_values() -> None:
    ecdsa, rsa_signature = bytes(range(64)), bytes(range(256))
    assert uci_hash(UCI) == Revocation.uci(UCI).value
    assert country_code_uci_hash("VN", UCI) == Revocation.country_code_uci("VN", UCI).value
    assert signature_hash(ecdsa, -7) == Revocation.signature(ecdsa, -7).value
    assert signature_hash(rsa_signature, -37) == Revocation.signature(rsa_signature, -37).value
    with pytest.raises(TypeError):
        uci_hash(b"uci")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        country_code_uci_hash(None, UCI)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="equal halves"):
        signature_hash(bytes(63), -7)


def test_revoked_probes_what_it_can_and_refuses_wrong_types() -> None:
    store = TrustStore(revocations=[Revocation.uci(UCI)])
    # no rule covers the signature: the UCI still matches, the signature is not probed
    assert store.revoked(uci=UCI, country="VN", signature=bytes(63), alg=-7)
    assert store.revoked(uci=UCI, country="VN", signature=bytes(64), alg=-257)
    assert store.revoked(uci="other", country="VN", signature=bytes(63), alg=-7) is None
    with pytest.raises(TypeError):
        store.revoked(uci=b"uci", country="VN", signature=bytes(64), alg=-7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.revoked(uci=UCI, country="VN", signature="sig", alg=-7)  # type: ignore[arg-type]


def test_ecdsa_r_half_ignores_s() -> None:
    # (r, s) and (r, n - s) both verify; the entry must catch both
    r, s1, s2 = b"\x11" * 32, b"\x22" * 32, b"\x33" * 32
    assert Revocation.signature(r + s1, -7) == Revocation.signature(r + s2, -7)
    assert Revocation.signature(r + s1, -37) != Revocation.signature(r + s2, -37)


def test_store_finds_revoked_passports() -> None:
    signature = bytes(range(64))
    for entry in revocation_entries(UCI, "VN", signature, -7):
        store = pki().trust.with_revocations(entry)
        assert store.revoked(uci=UCI, country="VN", signature=signature, alg=-7) == entry
        assert (
            store.revoked(uci="URN:UVCI:01:VN:OTHER", country="DE", signature=bytes(64), alg=-7)
            is None
        )
    assert pki().trust.revoked(uci=UCI, country="VN", signature=signature, alg=-7) is None


def test_country_code_entry_is_bound_to_its_country() -> None:
    store = TrustStore(revocations=[Revocation.country_code_uci("VN", UCI)])
    assert store.revoked(uci=UCI, country="VN", signature=bytes(64), alg=-7)
    assert store.revoked(uci=UCI, country="DE", signature=bytes(64), alg=-7) is None


def test_kid_scoped_entries() -> None:
    kid = pki().document_signer.kid
    store = TrustStore(revocations=[Revocation.uci(UCI, kid=kid)])
    assert store.revoked(uci=UCI, country="VN", signature=bytes(64), alg=-7, kid=kid)
    assert (
        store.revoked(uci=UCI, country="VN", signature=bytes(64), alg=-7, kid=b"other!!!") is None
    )
    assert store.revoked(uci=UCI, country="VN", signature=bytes(64), alg=-7)  # kid unknown: match


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: Revocation("UCI", b"short"), ValueError),
        (lambda: Revocation("NOPE", bytes(16)), ValueError),
        (lambda: Revocation("UCI", "text"), TypeError),  # type: ignore[arg-type]
        (lambda: Revocation("FACILITY_KID", bytes(16)), ValueError),
        (lambda: Revocation("FACILITY_SERIAL", b""), ValueError),
        (lambda: Revocation("FACILITY_KID", bytes(8), kid=bytes(8)), ValueError),
        (lambda: Revocation.uci(b"uci"), TypeError),  # type: ignore[arg-type]
        (lambda: Revocation.country_code_uci("VN", 5), TypeError),  # type: ignore[arg-type]
        (lambda: Revocation.signature("sig", -7), TypeError),  # type: ignore[arg-type]
        (lambda: Revocation.signature(b"x" * 64, True), TypeError),
        (lambda: Revocation.signature(b"x" * 63, -7), ValueError),
        (lambda: Revocation.signature(b"x" * 64, -257), ValueError),
        (lambda: Revocation.facility_serial(-1), ValueError),
        (lambda: Revocation.facility_serial("1"), TypeError),  # type: ignore[arg-type]
    ],
)
def test_revocation_refuses_bad_arguments(
    call: Callable[[], object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        call()


def test_facility_serial_encoding() -> None:
    assert Revocation.facility_serial(0).value == b"\x00"
    assert Revocation.facility_serial(256).value == b"\x01\x00"


def test_revocations_from_an_eu_batch() -> None:
    signature = bytes(range(64))
    kid = pki().document_signer.kid
    entry = Revocation.signature(signature, -7)
    batch = {
        "country": "VN",
        "expires": "2027-01-01T00:00:00Z",
        "kid": base64.b64encode(kid).decode(),
        "hashType": "SIGNATURE",
        "entries": [{"hash": base64.b64encode(entry.value).decode()}],
    }
    (loaded,) = revocations_from_batch(json.dumps(batch))
    assert loaded == Revocation(RevocationKind.SIGNATURE, entry.value, kid)
    unscoped = revocations_from_batch({**batch, "kid": "UNKNOWN_KID"})
    assert unscoped[0].kid is None
    with pytest.raises(ValueError):
        revocations_from_batch({**batch, "hashType": "FACILITY_KID"})
    with pytest.raises(ValueError):
        revocations_from_batch([batch])  # type: ignore[arg-type]


# -- The store as a value ----------------------------------------------------------------


def test_store_is_an_attrs_value() -> None:
    store = pki().trust
    assert [f.name for f in attrs.fields(TrustStore) if f.init] == [
        "signers",
        "facility_roots",
        "facilities",
        "revocations",
    ]
    assert all(
        isinstance(getattr(store, f), tuple) for f in ("signers", "facilities", "revocations")
    )
    emptied = attrs.evolve(store, revocations=[])
    assert emptied.revocations == ()
    assert emptied.check_facility(pki().revoked_facility.kid, at=NOW)  # index rebuilt
    assert emptied != store
    assert attrs.evolve(emptied, revocations=store.revocations) == store
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        store.signers = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"signers": pki().document_signer.certificate.public_bytes(DER)},
        {"signers": "PEM"},
        {"signers": 5},
        {"revocations": [b"entry"]},
        {"facilities": {"a": 1}},
    ],
)
def test_store_fields_are_collections(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        TrustStore(**kwargs)


def test_check_facility_time_argument() -> None:
    with pytest.raises(ValueError, match="naive"):
        pki().trust.check_facility(pki().facilities[0].kid, at=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError):
        pki().trust.check_facility(pki().facilities[0].kid, at=1.5)  # type: ignore[arg-type]


# -- The fallback DER walker, on hand-made certificates -----------------------------------


def _tlv(tag: int, *parts: bytes) -> bytes:
    content = b"".join(parts)
    n = len(content)
    length = bytes([n]) if n < 0x80 else bytes([0x82]) + n.to_bytes(2, "big")
    return bytes([tag]) + length + content


def _encode_oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk, rest = [arc & 0x7F], arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))


_SPKI = derive_ec_key(0, "walker").public_key().public_bytes(*SPKI)
_NAME = _tlv(0x30, _tlv(0x31, _tlv(0x30, _encode_oid("2.5.4.6"), _tlv(0x13, b"XW"))))
_ALG = _tlv(0x30, _encode_oid("1.2.840.10045.4.3.2"))


def _handmade(*, version: bool = True, validity: bytes | None = None, tail: bytes = b"") -> bytes:
    validity = validity or _tlv(0x30, _tlv(0x17, b"250101000000Z"), _tlv(0x18, b"20491231235959Z"))
    tbs = _tlv(
        0x30,
        _tlv(0xA0, _tlv(0x02, b"\x02")) if version else b"",
        _tlv(0x02, b"\x01"),
        _ALG,
        _NAME,
        validity,
        _NAME,
        _SPKI,
        tail,
    )
    return _tlv(0x30, tbs, _ALG, _tlv(0x03, b"\x00" + bytes(8)))


def test_walker_reads_v1_certificates_and_both_time_forms() -> None:
    walked = walk(_handmade(version=False))
    assert walked.spki == _SPKI
    assert walked.country == "XW"
    assert walked.not_before == EPOCH_2025
    assert walked.not_after == int(datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
    assert walked.eku_oids == ()
    old = _tlv(0x30, _tlv(0x17, b"500101000000Z"), _tlv(0x17, b"491231235959Z"))
    walked = walk(_handmade(validity=old))
    assert walked.not_before == int(datetime(1950, 1, 1, tzinfo=UTC).timestamp())
    assert walked.not_after == int(datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def test_walker_skips_unique_ids_and_reads_eku_among_other_extensions() -> None:
    eku = _tlv(
        0x30,
        _encode_oid("2.5.29.37"),
        _tlv(0x04, _tlv(0x30, _encode_oid("1.3.6.1.4.1.1847.2021.1.3"))),
    )
    other = _tlv(0x30, _encode_oid("2.5.29.19"), _tlv(0x01, b"\xff"), _tlv(0x04, _tlv(0x30)))
    broken_eku = _tlv(0x30, _encode_oid("2.5.29.37"), _tlv(0x04, b"\x30\x05"))
    tail = _tlv(0x81, b"\x00\x01") + _tlv(0xA3, _tlv(0x30, other, broken_eku, eku))
    der = _handmade(tail=tail)
    assert walk(der).eku_oids == ("1.3.6.1.4.1.1847.2021.1.3",)
    entry = SignerCertificate(der)
    assert not entry.strict
    assert entry.dcc_types == frozenset({DccType.RECOVERY})


@pytest.mark.parametrize(
    "der",
    [
        _handmade(validity=_tlv(0x30, _tlv(0x17, b"250101000000Z"))),  # one time
        _handmade(validity=_tlv(0x30, _tlv(0x02, b"\x01"), _tlv(0x02, b"\x01"))),  # not a time
        _handmade(validity=_tlv(0x30, _tlv(0x18, b"2025010100Z"), _tlv(0x18, b"2025010100Z"))),
        _tlv(0x30, _tlv(0x30, _tlv(0x02, b"\x01"), _ALG), _ALG),  # tbs too short
        _tlv(0x30, _tlv(0x04, b""), _ALG),  # no tbsCertificate
        b"\x30\x80\x00\x00",  # indefinite length
        _handmade(tail=_tlv(0xA3, _tlv(0x30, _tlv(0x30, b"\x06\x01\x80", _tlv(0x04))))),  # bad OID
        _tlv(0x30),  # an empty certificate (it raised IndexError once)
        b"\x30\x00",  # the trust list entry "MAA=" of issue 13
        _handmade(tail=_tlv(0xA3, _tlv(0x30, _tlv(0x30)))),  # an empty extension
        _handmade(tail=_tlv(0xA3)),  # an empty extensions field
    ],
    ids=[
        "one-time",
        "not-a-time",
        "short-time",
        "short-tbs",
        "no-tbs",
        "indefinite",
        "bad-oid",
        "empty",
        "MAA=",
        "empty-extension",
        "empty-extensions",
    ],
)
def test_walker_refuses_broken_structure(der: bytes) -> None:
    with pytest.raises(ValueError) as info:
        walk(der)
    assert type(info.value) is ValueError  # not an IndexError, nor anything else


def test_facility_certificate_validity() -> None:
    entry = FacilityCertificate(pki().facilities[0])
    assert entry.not_before <= int(NOW.timestamp()) <= entry.not_after
    assert (entry.not_before, entry.not_after) == validity_of(entry.certificate)


def test_trust_still_names_what_moved_out() -> None:
    from vaxpass_core import _certificates, revocation, trust

    for module in (revocation, _certificates):
        for name in module.__all__:
            assert getattr(trust, name) is getattr(module, name), name
            assert name in trust.__all__, name
