"""The two-level chain: a facility attests (level 1), the ministry issues (level 2).

``attest()`` is what a vaccination facility runs; ``issue()`` what the Ministry of
Health's Department of Preventive Medicine runs; ``attest_and_issue()`` both, for a service
that holds both keys; ``reissue()`` handles a correction. The steps of issuing are functions
of their own (:func:`accept_attestation`, :func:`draft_passport`, :func:`sign_passport`,
:func:`checked_text`): the verbs run them one passport at a time, bulk issuance
(:mod:`vaxpass_core.shell.bulk`) one stage at a time over a chunk of records.
Each verb takes its keys, trust and ``now`` as arguments and refuses by raising a
:class:`~vaxpass_core.errors.VaxpassError` whose ``.code`` is the one ``verify()``
would report for the same fault.
"""

from __future__ import annotations

import calendar
import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple

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
    VaxpassError,
)
from .hazmat import cose, cwt, hc1
from .hazmat.cose import _is_sign1_of, _protected_bytes
from .policy import Policy
from .record import VaccinationRecord
from .trust import Revocation, revocation_entries
from .verification import verify


if TYPE_CHECKING:
    from collections.abc import Mapping

    import segno

    from .signers import DocumentSigner, FacilitySigner
    from .trust import TrustStore


__all__ = [
    "DEFAULT_VALIDITY_MONTHS",
    "Draft",
    "Passport",
    "Signed",
    "accept_attestation",
    "attest",
    "attest_and_issue",
    "attest_at",
    "checked_text",
    "draft_passport",
    "finish_passport",
    "issue",
    "reissue",
    "sign_passport",
]

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
    _attestable(record)  # before reading now, as it always was
    return _attest_at(record, facility, epoch_of(now))


def attest_at(
    record: VaccinationRecord, *, facility: FacilitySigner, signed_at: int
) -> Attestation:
    """:func:`attest` at *signed_at*, UTC epoch seconds: the step bulk issuance runs, at the
    one time of its batch (worked out once, not per record)."""
    _attestable(record)
    return _attest_at(record, facility, signed_at)


def _attest_at(record: VaccinationRecord, facility: FacilitySigner, signed_at: int) -> Attestation:
    """The rest of :func:`attest_at`, for a record :func:`_attestable` has passed."""
    if not 0 <= signed_at < 1 << 32:
        raise ValueError("an attestation's time must lie between 1970 and 2106")
    if not facility.not_before <= signed_at <= facility.not_after:
        raise FacilityExpired(
            f"facility {facility.facility_id}'s certificate is not valid at {iso(signed_at)}"
        )
    _not_dated_after(record, signed_at, "attested")
    return sign_attestation(record, facility=facility, signed_at=signed_at)


def _attestable(record: VaccinationRecord) -> None:
    if not isinstance(record, VaccinationRecord):
        raise TypeError(f"record must be a VaccinationRecord, not {type(record).__name__}")
    if record.nationality is None:
        raise InvalidRecord("a record without a stated nationality (field 3) cannot be attested")


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
    not valid at *now*; and when the passport it made does not pass its self-check (so
    *trust* must hold *issuer*'s certificate, ``key.unknown`` otherwise).

    ``exp`` is ``iat`` plus *validity_months* calendar months, never past the signer
    certificate's notAfter.
    """
    if isinstance(attestation, bytes | bytearray | memoryview):
        attestation = Attestation.from_bytes(bytes(attestation))
    if not isinstance(attestation, Attestation):
        raise TypeError(f"attestation must be an Attestation or bytes, not {type(attestation)}")
    options = _options(validity_months, allow_unknown_codes)
    iat = epoch_of(now)
    if attestation.signed_at > iat:
        raise FacilitySignatureInvalid("the attestation is signed after the time of issue")
    _not_dated_after(attestation.record, attestation.signed_at, "attested")  # so before iat too
    return _issue_at(
        iat, attestation, issuer=issuer, trust=trust, now=now, options=options, compress=compress
    )


def attest_and_issue(
    record: VaccinationRecord,
    *,
    facility: FacilitySigner,
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
    allow_unknown_codes: bool = False,
    compress: int = hc1.DEFAULT_COMPRESS,
) -> Passport:
    """Levels 1 and 2 in one call, for a service that holds both keys (bulk issuance).

    The passport is the one ``issue(attest(record, facility=facility, now=now), ...)``
    gives, with the same refusals and codes; each step is done once (the facility
    signature is verified against *trust* right after it is made, not again).
    """
    options = _options(validity_months, allow_unknown_codes)
    attestation = attest(record, facility=facility, now=now)
    # attest() signed at now and checked the record's dates against it: issue()'s own
    # time checks hold by construction.
    return _issue_at(
        attestation.signed_at,
        attestation,
        issuer=issuer,
        trust=trust,
        now=now,
        options=options,
        compress=compress,
    )


def _issue_at(
    iat: int,
    attestation: Attestation,
    *,
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    options: dict[str, Any],
    compress: int,
) -> Passport:
    """The steps after the time checks, one passport at a time: accept, draft, sign, finish."""
    accept_attestation(attestation, trust=trust, iat=iat)
    draft = draft_passport(attestation, issuer=issuer, iat=iat, **options)
    return finish_passport(
        draft, sign_passport(draft, issuer), trust=trust, now=now, compress=compress
    )


def _options(validity_months: int, allow_unknown_codes: bool) -> dict[str, Any]:
    """draft_passport()'s options, checked."""
    if validity_months < 1:
        raise ValueError("validity_months must be at least 1")
    return {"validity_months": validity_months, "allow_unknown_codes": allow_unknown_codes}


# -- The steps of issuing, one function each: issue() and attest_and_issue() run them one
# passport at a time, bulk issuance one stage at a time over a chunk of records. ------------


def accept_attestation(attestation: Attestation, *, trust: TrustStore, iat: int) -> None:
    """The ministry accepts *attestation* at *iat*: its facility is trusted both when it
    signed and at *iat*, and its signature verifies (raise otherwise).

    The caller has checked that it was signed no later than *iat*.
    """
    facilities = trust.check_facility(attestation.facility_kid, at=attestation.signed_at)
    if iat != attestation.signed_at:  # attest_and_issue() signs at iat: one check is both
        trust.check_facility(attestation.facility_kid, at=iat)
    verify_signature(
        kid=attestation.facility_kid,
        signed_at=attestation.signed_at,
        record_cbor=attestation.record_cbor,
        signature=attestation.signature,
        facilities=facilities,
        alg=attestation.alg,
        header=attestation.protected,
    )


class Draft(NamedTuple):
    """A passport before the ministry signs it: its claims and what they say."""

    attestation: Attestation
    embedded: EmbeddedAttestation
    dcc: Mapping[str, Any]
    issued_at: int
    expires_at: int
    payload: bytes  # the CWT claims set, what the ministry signs
    allow_unknown_codes: bool


def draft_passport(
    attestation: Attestation,
    *,
    issuer: DocumentSigner,
    iat: int,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
    allow_unknown_codes: bool = False,
) -> Draft:
    """The claims of the passport for an accepted *attestation*; raise if the record's codes
    are outside the value sets (unless *allow_unknown_codes*) or *issuer*'s certificate is
    not valid at *iat*."""
    record = attestation.record
    unknown = record.unknown_codes()
    if unknown and not allow_unknown_codes:
        listed = ", ".join(f"{name}={code!r}" for name, code in unknown)
        raise UnknownValueSetCode(f"codes outside the value sets: {listed}")
    if not issuer.not_before <= iat <= issuer.not_after:
        raise KeyExpired(f"the Document Signer certificate is not valid at {iso(iat)}")
    exp = min(_expiry(iat, validity_months), issuer.not_after)
    dcc = record.to_dcc(country=issuer.country, issuer=issuer.issuer_name)
    embedded = attestation.embedded()
    payload = cwt.encode_claims(
        dcc=dcc,
        issuer=issuer.country,
        issued_at=iat,
        expires_at=exp,
        extra={ATTESTATION_CLAIM: embedded.to_claim()},
    )
    return Draft(attestation, embedded, dcc, iat, exp, payload, allow_unknown_codes)


class Signed(NamedTuple):
    """The ministry's COSE_Sign1 over a draft's claims, and the signature it holds."""

    message: bytes
    signature: bytes
    kid: bytes
    alg: int
    country: str


def sign_passport(draft: Draft, issuer: DocumentSigner) -> Signed:
    """The ministry's signature over *draft*."""
    message, signature = cose.sign1_with_signature(
        draft.payload, key=issuer.key, kid=issuer.kid, alg=issuer.alg
    )
    return Signed(message, signature, issuer.kid, issuer.alg, issuer.country)


def finish_passport(
    draft: Draft,
    signed: Signed,
    *,
    trust: TrustStore,
    now: datetime,
    compress: int = hc1.DEFAULT_COMPRESS,
) -> Passport:
    """The passport: *signed* as HC1 text that passed :func:`checked_text`."""
    return Passport(
        qr_text=checked_text(draft, signed, trust=trust, now=now, compress=compress),
        record=draft.attestation.record,
        dcc=draft.dcc,
        issued_at=draft.issued_at,
        expires_at=draft.expires_at,
        kid=signed.kid,
        alg=signed.alg,
        signature=signed.signature,
        country=signed.country,
        attestation=draft.embedded,
    )


def checked_text(
    draft: Draft,
    signed: Signed,
    *,
    trust: TrustStore,
    now: datetime,
    compress: int = hc1.DEFAULT_COMPRESS,
) -> str:
    """*signed* as HC1 text, checked; raise rather than return a passport that fails.

    An issuer never emits a passport it has not verified. The checks made on the way here
    (the facility's certificate and signature, the record's dates and codes, the issuer's
    validity) are not repeated; what is left is checked on the text itself: it decodes
    back to exactly the COSE bytes that were signed, a certificate of *trust* with the
    issuer's kid verifies the signature (a faulty signing must not leave: with
    deterministic ECDSA it can leak the key), that certificate may sign a vaccination at
    these dates, and no revocation entry of *trust* names the passport. At the first doubt
    the full ``verify()`` decides, and says why it refuses.
    (tests/property/test_issue_verifies.py shows that everything else ``verify()`` checks
    passes for what this makes.)
    """
    text = hc1.encode(signed.message, compress=compress)
    try:
        carried = hc1.decode(text)
    except VaxpassError:
        carried = None  # too long for a QR code, say: verify() below says what
    if carried != signed.message or not _trusted(signed, draft, trust):
        policy = _SELF_CHECK_LENIENT if draft.allow_unknown_codes else _SELF_CHECK_STRICT
        verify(text, trust=trust, now=now, policy=policy).raise_for_failure()
        if carried != signed.message:  # a passport, but not the one that was signed
            raise RuntimeError("the HC1 text does not carry the COSE message that was signed")
    return text


def _trusted(signed: Signed, draft: Draft, trust: TrustStore) -> bool:
    """A certificate of *trust* verifies *signed* (tried in turn, as verify() does) and may
    sign a vaccination passport at the draft's dates, and no entry of *trust* revokes it."""
    payload, signature, alg = draft.payload, signed.signature, signed.alg
    protected = _protected_bytes(alg, signed.kid)
    # Not parsed again: the message is exactly what sign_passport writes for the draft's
    # claims and this signature, or verify() decides. Then decode_sign1 would read just
    # these parts back (the message came out of hc1.decode: within its size bound too).
    if not _is_sign1_of(signed.message, protected, payload, signature):
        return False
    for signer in trust.signers_for(signed.kid):
        try:
            cose.verify_signature(alg, signer.public_key, protected, payload, signature)
        except VaxpassError:
            continue
        allowed = signer.dcc_types
        if not (
            signer.not_before <= draft.issued_at
            and draft.expires_at <= signer.not_after
            and (allowed is None or "v" in allowed)
        ):
            return False
        return not trust.revokes_passports or (
            trust.revoked(
                uci=certificate_id(draft.dcc) or "",
                country=signed.country,
                signature=signature,
                alg=alg,
                kid=signed.kid,
            )
            is None
        )
    return False


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
