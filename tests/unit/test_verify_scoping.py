"""verify(): revocation entries scoped to a Document Signer, and bytes from a scanner."""

from __future__ import annotations

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport
from vaxpass_core.errors import Code
from vaxpass_core.testing import pki as make_pki


PKI = make_pki(seed=0)
PASSPORT = sample_passport()
OTHER_KID = PKI.document_signer_ps256.kid


def _both(trust: vp.TrustStore) -> tuple[vp.VerificationResult, vp.VerificationResult]:
    """verify()'s result for PASSPORT, twice: it depends on nothing but its arguments."""
    return vp.verify(PASSPORT.qr_text, trust=trust, now=NOW), vp.verify(
        PASSPORT.qr_text, trust=trust, now=NOW
    )


def test_an_entry_scoped_to_another_signer_does_not_revoke() -> None:
    # EU revocation batches are published per Document Signer kid (docs/trust.md).
    uci = PASSPORT.certificate_id
    for entry in (
        vp.Revocation.uci(uci, kid=OTHER_KID),
        vp.Revocation.country_code_uci("VN", uci, kid=OTHER_KID),
    ):
        result, full = _both(PKI.trust_with(entry))
        assert result.ok, entry
        assert full == result


def test_an_entry_scoped_to_the_signer_or_to_none_revokes() -> None:
    uci = PASSPORT.certificate_id
    for entry in (
        vp.Revocation.uci(uci, kid=PASSPORT.kid),
        vp.Revocation.uci(uci),
        vp.Revocation.signature(PASSPORT.signature, PASSPORT.alg, kid=PASSPORT.kid),
    ):
        result, full = _both(PKI.trust_with(entry))
        assert result.codes == (Code.REVOKED,), entry
        assert full == result


def test_ascii_bytes_verify_as_their_text() -> None:
    as_text = vp.verify(PASSPORT.qr_text, trust=PKI.trust, now=NOW)
    assert as_text.ok
    assert vp.verify(PASSPORT.qr_text.encode("ascii"), trust=PKI.trust, now=NOW) == as_text
    broken = vp.verify(PASSPORT.qr_text.encode("ascii") + b"\xff", trust=PKI.trust, now=NOW)
    assert broken.codes == (Code.HC1_PREFIX,)
