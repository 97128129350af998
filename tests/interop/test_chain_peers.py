"""Every passport the chain issues is a valid EU DCC to python-cwt and pycose.

The facility attestation rides in a private-use claim (-65537); independent verifiers must
neither choke on it nor need it. python-cwt checks ``exp`` against its own clock, so these
passports are issued at the real time with a test PKI whose window spans it (the library
itself never reads the clock; this test does, on purpose).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives import serialization

import vaxpass_core as vp
from vaxpass_core.attestation import ATTESTATION_CLAIM
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from .conftest import Peer


# The real clock, not the fixed test clock: python-cwt's cwt.decode ("cwt-claims") checks
# exp and nbf against datetime.now() and cannot be given another time, so a passport issued
# at a fixed date would fail there once that date is 12 months past.
NOW = datetime.now(UTC).replace(microsecond=0)
PKI = make_pki(
    seed=7,
    not_before=datetime(NOW.year - 1, 1, 1, tzinfo=UTC),
    not_after=datetime(NOW.year + 3, 1, 1, tzinfo=UTC),
)


def _public_pem(signer: vp.DocumentSigner) -> str:
    pem: bytes = signer.certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


@pytest.mark.parametrize("lib", ["cwt", "cwt-claims", "pycose"])
@pytest.mark.parametrize("signer_name", ["document_signer", "document_signer_ps256"])
@pytest.mark.parametrize("vaccine", ["AstraZeneca", "Vero Cell", "Abdala"])
def test_peers_accept_issued_passports(
    peer: Peer, lib: str, signer_name: str, vaccine: str
) -> None:
    signer: vp.DocumentSigner = getattr(PKI, signer_name)
    record = sample_record(vaccine=vaccine)
    attestation = vp.attest(record, facility=PKI.facilities[0], now=NOW - timedelta(hours=1))
    passport = vp.issue(attestation, issuer=signer, trust=PKI.trust, now=NOW)
    data = hc1.decode(passport.qr_text)
    answer: dict[str, Any] = peer.ask(
        op="verify",
        lib=lib,
        cose=data.hex(),
        key=_public_pem(signer),
        alg=signer.alg,
        kid=signer.kid.hex(),
    )
    assert answer["ok"], answer.get("error")
    claims = cwt.decode_claims(bytes.fromhex(answer["payload"]))
    assert claims.hcert == passport.dcc
    assert ATTESTATION_CLAIM in claims.claims
    assert cose.decode_sign1(data).kid == signer.kid
