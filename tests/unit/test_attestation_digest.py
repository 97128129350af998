"""attestation.check_digest: the passport's record digest against the record it holds."""

from __future__ import annotations

import attrs
import pytest

from vaxpass_core import attestation
from vaxpass_core.errors import Code, FacilityMismatch
from vaxpass_core.testing import pki, sample_record


def _attested() -> tuple[attestation.EmbeddedAttestation, bytes]:
    p = pki()
    made = attestation.sign(sample_record(), facility=p.facilities[0], signed_at=1_780_000_000)
    return made.embedded(), made.record_cbor


def test_the_attested_record_passes() -> None:
    embedded, record_cbor = _attested()
    attestation.check_digest(embedded, record_cbor)


def test_another_record_is_a_mismatch() -> None:
    embedded, record_cbor = _attested()
    with pytest.raises(FacilityMismatch, match="different record") as caught:
        attestation.check_digest(embedded, record_cbor + b"\x00")
    assert caught.value.code is Code.FACILITY_MISMATCH
    other = attrs.evolve(embedded, record_digest=bytes(attestation.DIGEST_BYTES))
    with pytest.raises(FacilityMismatch):
        attestation.check_digest(other, record_cbor)


def test_verify_embedded_checks_the_digest_before_any_signature() -> None:
    embedded, record_cbor = _attested()
    p = pki()
    facilities = p.trust.facilities_for(embedded.facility_kid)
    assert attestation.verify_embedded(embedded, record_cbor, facilities).kid == (
        embedded.facility_kid
    )
    # no facility at all: a mismatch is still told apart from a bad signature
    with pytest.raises(FacilityMismatch):
        attestation.verify_embedded(embedded, record_cbor + b"\x00", ())
