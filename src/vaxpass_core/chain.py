"""The two-level chain: a facility attests (level 1), the ministry issues (level 2).

``attest()`` is what a vaccination facility runs; ``issue()`` what the Ministry of
Health's Department of Preventive Medicine runs; ``reissue()`` handles a correction.
Each takes its keys, trust and ``now`` as arguments and refuses by raising a
:class:`~vaxpass_core.errors.VaxpassError` whose ``.code`` is the one ``verify()``
would report for the same fault.
"""

from __future__ import annotations

import calendar
import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._time import epoch_of, iso
from .attestation import (
    ATTESTATION_CLAIM,
    Attestation,
    EmbeddedAttestation,
    verify_signature,
)
from .attestation import sign as sign_attestation
from .dcc import certificate_id
from .errors import (
    FacilityExpired,
    FacilitySignatureInvalid,
    InvalidRecord,
    KeyExpired,
    UnknownValueSetCode,
)
from .hazmat import cose, cwt, hc1
from .policy import Policy
from .record import VaccinationRecord
from .trust import Revocation, revocation_entries
from .verification import verify


if TYPE_CHECKING:
    from collections.abc import Mapping

    import segno

    from .signers import DocumentSigner, FacilitySigner
    from .trust import TrustStore


__all__ = ["DEFAULT_VALIDITY_MONTHS", "Passport", "attest", "issue", "reissue"]

#: Decision 5772: a passport is valid for 12 months from issue.
DEFAULT_VALIDITY_MONTHS: Final = 12

# The policies of issue()'s self-check, built once.
# Issuing stays strict: what issue() makes passes Policy.strict() (no tolerated deviation).
_SELF_CHECK_STRICT: Final = Policy.strict(require_attestation=True)
_SELF_CHECK_LENIENT: Final = attrs.evolve(_SELF_CHECK_STRICT, strict_valuesets=False)


def add_months(epoch: int, months: int) -> int:
    """*epoch* plus calendar *months* (UTC); the 31st or a 29 February clamps to month end."""
    start = datetime.fromtimestamp(epoch, UTC)
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


# A batch issues at one "now" throughout: its expiry is worked out once.
_expiry = functools.lru_cache(maxsize=64)(add_months)


def attest(record: VaccinationRecord, *, facility: FacilitySigner, now: datetime) -> Attestation:
    """Level 1: *facility* signs *record* at *now*.

    The record must already be valid (it validated itself when built); the facility's
    certificate must be valid at *now* (``facility.expired`` otherwise).
    """
    if not isinstance(record, VaccinationRecord):
        raise TypeError(f"record must be a VaccinationRecord, not {type(record).__name__}")
    if record.nationality is None:
        raise InvalidRecord("a record without a stated nationality (field 3) cannot be attested")
    signed_at = epoch_of(now)
    if not 0 <= signed_at < 1 << 32:
        raise ValueError("an attestation's time must lie between 1970 and 2106")
    if not facility.not_before <= signed_at <= facility.not_after:
        raise FacilityExpired(
            f"facility {facility.facility_id}'s certificate is not valid at {iso(signed_at)}"
        )
    _not_dated_after(record, signed_at, "attested")
    return sign_attestation(record, facility=facility, signed_at=signed_at)


def _not_dated_after(record: VaccinationRecord, moment: int, what: str) -> None:
    late = record.dated_after(moment)
    if late:
        raise InvalidRecord(f"{', '.join(late)}: dated after the record is {what} ({moment})")


@attrs.frozen(kw_only=True)
class Passport:
    """An issued passport: the QR text and what it says.

    ``qr_text`` is what goes in the QR code; the other fields are what the ministry put in
    it, for the issuing service's own records.
    """

    qr_text: str
    record: VaccinationRecord
    dcc: Mapping[str, Any]
    issued_at: int
    expires_at: int
    kid: bytes
    alg: int
    signature: bytes
    country: str
    attestation: EmbeddedAttestation | None = None

    @property
    def certificate_id(self) -> str:
        return self.record.certificate_id

    def qr(self, **options: Any) -> segno.QRCode:
        """The QR symbol (segno, alphanumeric mode, level Q unless *options* say otherwise)."""
        from .qr import make_qr  # noqa: PLC0415 - segno loads only when a symbol is wanted

        return make_qr(self.qr_text, **options)

    def revocation_entries(self) -> tuple[Revocation, ...]:
        """The EU DCC revocation entries that would revoke this passport."""
        return revocation_entries(
            self.certificate_id, self.country, self.signature, self.alg, kid=self.kid
        )


def issue(
    attestation: Attestation | bytes,
    *,
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
    allow_unknown_codes: bool = False,
    compress: int = hc1.DEFAULT_COMPRESS,
) -> Passport:
    """Level 2: check *attestation* against *trust* and issue the passport at *now*.

    Refuses (raises) when the attestation is malformed, its facility is unknown, outside
    its certificate's validity or revoked, its signature fails, or its record uses codes
    outside the value sets (unless *allow_unknown_codes*); when *issuer*'s certificate is
    not valid at *now*; and when the passport it made does not verify against *trust* (so
    *trust* must hold *issuer*'s certificate and the facility registry).

    ``exp`` is ``iat`` plus *validity_months* calendar months, never past the signer
    certificate's notAfter.
    """
    if isinstance(attestation, bytes | bytearray | memoryview):
        attestation = Attestation.from_bytes(bytes(attestation))
    if not isinstance(attestation, Attestation):
        raise TypeError(f"attestation must be an Attestation or bytes, not {type(attestation)}")
    if validity_months < 1:
        raise ValueError("validity_months must be at least 1")
    iat = epoch_of(now)
    record = attestation.record

    if attestation.signed_at > iat:
        raise FacilitySignatureInvalid("the attestation is signed after the time of issue")
    _not_dated_after(record, attestation.signed_at, "attested")  # so before iat too
    # The facility must be trusted both now and when it signed.
    facilities = trust.check_facility(attestation.facility_kid, at=attestation.signed_at)
    trust.check_facility(attestation.facility_kid, at=iat)
    # attest() in this process, with the key of one of these very certificates, made it:
    # its signature is good by construction. Anything else is verified here.
    if not attestation.origin_proven(facilities):
        verify_signature(
            kid=attestation.facility_kid,
            signed_at=attestation.signed_at,
            record_cbor=attestation.record_cbor,
            signature=attestation.signature,
            facilities=facilities,
            alg=attestation.alg,
        )
    unknown = record.unknown_codes()
    if unknown and not allow_unknown_codes:
        listed = ", ".join(f"{name}={code!r}" for name, code in unknown)
        raise UnknownValueSetCode(f"codes outside the value sets: {listed}")

    if not issuer.not_before <= iat <= issuer.not_after:
        raise KeyExpired(f"the Document Signer certificate is not valid at {iso(iat)}")
    exp = min(_expiry(iat, validity_months), issuer.not_after)

    dcc = record.to_dcc(country=issuer.country, issuer=issuer.issuer_name)
    embedded = attestation.embedded()
    claim = embedded.to_claim()
    payload = cwt.encode_claims(
        dcc=dcc,
        issuer=issuer.country,
        issued_at=iat,
        expires_at=exp,
        extra={ATTESTATION_CLAIM: claim},
    )
    message, signature = cose.sign1_with_signature(
        payload, key=issuer.key, kid=issuer.kid, alg=issuer.alg
    )
    text = hc1.encode(message, compress=compress)

    # An issuer never emits a passport it cannot verify itself. The facility signature in
    # *claim* was checked above over these same bytes, so verify() skips only its crypto
    # (it still checks the facility certificate and that the digest matches the record).
    policy = _SELF_CHECK_LENIENT if allow_unknown_codes else _SELF_CHECK_STRICT
    result = verify(text, trust=trust, now=now, policy=policy)
    result.raise_for_failure()
    return Passport(
        qr_text=text,
        record=record,
        dcc=dcc,
        issued_at=iat,
        expires_at=exp,
        kid=issuer.kid,
        alg=issuer.alg,
        signature=signature,
        country=issuer.country,
        attestation=embedded,
    )


def reissue(
    old_passport: str,
    attestation: Attestation | bytes,
    *,
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    **options: Any,
) -> tuple[Passport, tuple[Revocation, ...]]:
    """Issue a corrected passport and the revocation entries for the old one.

    The citizen reported wrong data; the facility attested the corrected record with a new
    certificate id (``vp.uvci.new``). *old_passport* is the QR text of the passport it
    replaces: its signature must verify against *trust* (it may have expired), and the new
    record must not reuse its certificate id.
    """
    old = verify(old_passport, trust=trust, now=now)
    if not old.check("signature").passed or old.dcc is None:
        old.raise_for_failure()
    if isinstance(attestation, bytes | bytearray | memoryview):
        attestation = Attestation.from_bytes(bytes(attestation))
    assert old.dcc is not None  # signature passed, so the claims decoded
    old_uci = certificate_id(old.dcc)
    if old_uci is None:
        raise InvalidRecord("the old passport carries no certificate identifier")
    if attestation.record.certificate_id == old_uci:
        raise InvalidRecord(
            "a corrected record needs a new certificate id (vp.uvci.new); "
            f"{old_uci} is the old passport's"
        )
    new = issue(attestation, issuer=issuer, trust=trust, now=now, **options)
    message = cose.decode_sign1(hc1.decode(old_passport))
    claims = old.claims or {}
    country = claims.get(cwt.CLAIM_ISS)
    entries = revocation_entries(
        old_uci,
        country if isinstance(country, str) else "",
        message.signature,
        message.alg if message.alg is not None else 0,
        kid=message.kid,
    )
    return new, entries
