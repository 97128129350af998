"""The deterministic test PKI (``vaxpass_core.testing.pki(seed)``).

It is minted by :mod:`vaxpass_core.shell.devpki`, which the command line uses too (``vaxpass
demo``, ``vaxpass pki init``); these are the same objects under the test kit's name.
EVERYTHING HERE IS PUBLIC: test keys, never for anything real.
"""

from __future__ import annotations

from vaxpass_core.shell.devpki import (
    CA_NOT_AFTER,
    CA_NOT_BEFORE,
    DCC_EKU_OIDS,
    EXPIRED_NOT_AFTER,
    EXPIRED_NOT_BEFORE,
    PKI,
    SIGNER_NOT_AFTER,
    SIGNER_NOT_BEFORE,
    TEST_RSA_KEY_PEM,
    CertificateAuthority,
    derive_ec_key,
    derive_ed25519_key,
    facility_id,
    pki,
)


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
