"""What ``verify()`` returns: every check, in a fixed order, and what was decoded."""

from __future__ import annotations

import enum
import functools
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from .errors import Code, InvalidRecord, SchemaError, VaxpassError
from .messages import message
from .summary import summarize


if TYPE_CHECKING:
    from collections.abc import Mapping

    from .certlogic import RulesResult
    from .record import VaccinationRecord


__all__ = ["CHECK_ORDER", "Advisory", "Check", "Outcome", "Status", "VerificationResult"]


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class Outcome(enum.StrEnum):
    """A check's outcome as a verifier app shows it: :class:`Status`, with PASSED split in
    two (see :meth:`VerificationResult.outcome`)."""

    PASSED = "passed"
    PASSED_WITH_WARNING = "passed-with-warning"
    FAILED = "failed"
    SKIPPED = "skipped"


#: Every check ``verify()`` reports, in the order it reports them. A name never
#: changes once released (outside code, logs and vector files compare whole lists).
CHECK_ORDER: tuple[str, ...] = (
    "hc1.prefix",  # the text starts with HC1:
    "hc1.base45",  # the rest is Base45
    "hc1.zlib",  # that inflates, within the size bound
    "cose.structure",  # a COSE_Sign1 in bounded, well-formed CBOR
    "cose.algorithm",  # a known algorithm the policy allows
    "cwt.claims",  # the payload is a CWT with an hcert claim
    "key.known",  # a kid the trust store knows
    "signature",  # the signature verifies with a certificate sharing that kid
    "key.validity",  # that certificate is valid now, and covers iat..exp
    "key.usage",  # its extended key usage allows this DCC type
    "time.issued",  # iat is not in the future
    "time.expiry",  # exp is not in the past
    "dcc.schema",  # the DCC validates against the schema version it declares
    "dcc.valuesets",  # its codes are in the shipped value sets
    "facility.attestation",  # Viet Nam's level-1 attestation is present (or not required)
    "facility.certificate",  # its facility certificate is known, chained, valid, not revoked
    "facility.signature",  # the facility signed exactly the record the passport carries
    "revocation",  # the passport is not on the trust store's revocation list
)


def _code_iff_failed(instance: Check, _attribute: attrs.Attribute[Any], value: Code | None) -> None:
    if (value is None) == (instance.status is Status.FAILED):
        raise ValueError("a check has a code exactly when it failed")


@attrs.frozen
class Check:
    """One step of verification.

    ``depends_on`` names the check whose failure caused a SKIPPED one; a check
    skipped because it does not apply (no attestation, not required) has none.
    """

    name: str
    status: Status
    code: Code | None = attrs.field(default=None, validator=_code_iff_failed)
    detail: str = ""
    depends_on: str | None = None

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED


@attrs.frozen
class Advisory:
    """Something worth showing that does not make the passport invalid: a warning.

    ``code`` is stable (:class:`~vaxpass_core.errors.Code`); ``check`` names the check that
    passed with this warning (a check's status stays PASSED: ``result.ok`` and every
    comparison of statuses are unchanged); ``detail`` says where, in English.
    """

    code: Code
    detail: str
    check: str = ""

    def message(self, lang: str = "en") -> str:
        """The plain message for this warning in ``"vi"`` or ``"en"``."""
        return message(self.code, lang)


@attrs.frozen
class VerificationResult:
    """The outcome of :func:`vaxpass_core.verify`. Never truthy or falsy: use ``.ok``."""

    checks: tuple[Check, ...]
    warnings: tuple[Advisory, ...] = ()
    #: The decoded DCC JSON object, once decoded, whether or not it verified. For display.
    dcc: Mapping[str, Any] | None = None
    #: The CWT claims as decoded (issuer, iat, exp, ...); None before decoding.
    claims: Mapping[Any, Any] | None = None
    #: Field 3, from the facility attestation; None where the passport does not state it.
    nationality: str | None = None
    #: The ISO 3166-1 country of the signer certificate, when known.
    signer_country: str | None = None
    #: The ``now`` the passport was checked at (UTC epoch seconds), for display.
    checked_at: int | None = None
    #: The key id of the Document Signer whose signature verified; None before that.
    signer_kid: bytes | None = None
    #: The business rules' outcomes when ``verify()`` was given ``rules=``; evaluated only
    #: for a passport that is ``ok`` (None otherwise), as the verifier apps do.
    rules: RulesResult | None = None

    @property
    def ok(self) -> bool:
        """Every check passed or did not apply, and the signature verified."""
        signature_passed = False
        for check in self.checks:
            if check.status is Status.FAILED:
                return False
            if check.name == "signature":
                signature_passed = check.status is Status.PASSED
        return signature_passed

    @property
    def accepted(self) -> bool:
        """The border officer's answer: ``ok``, and every applicable business rule passed.

        Without ``rules=`` it is ``ok``. With rules, an OPEN verdict (a rule that could not
        be evaluated, or no rule for this kind of certificate) is not acceptance: the officer
        decides, reading ``rules``.
        """
        return self.ok and (self.rules is None or self.rules.ok)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAILED)

    @property
    def codes(self) -> tuple[Code, ...]:
        """The failure codes, in check order."""
        return tuple(c.code for c in self.checks if c.code is not None)

    @property
    def warning_codes(self) -> tuple[Code, ...]:
        """The warnings' codes, in the order they were found (check order)."""
        return tuple(w.code for w in self.warnings)

    def outcome(self, name: str) -> Outcome:
        """Check *name*'s outcome: PASSED_WITH_WARNING when it passed with a warning."""
        status = self.check(name).status
        if status is Status.PASSED and any(w.check == name for w in self.warnings):
            return Outcome.PASSED_WITH_WARNING
        return Outcome(status.value)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    @functools.cached_property
    def unverified_record(self) -> VaccinationRecord | None:
        """The 11-field record of a vaccination DCC that passed the schema, unverified.

        Built on first use (a border app that only needs ``ok`` never pays for it);
        ``nationality`` is None ("not stated") unless the passport carries an attestation.
        """
        from .record import VaccinationRecord  # noqa: PLC0415 - record imports this module's peers

        dcc = self.dcc
        schema_passed = any(c.name == "dcc.schema" and c.passed for c in self.checks)
        if dcc is None or not schema_passed or "v" not in dcc:
            return None
        try:
            return VaccinationRecord.from_dcc(dcc, nationality=self.nationality)
        except (InvalidRecord, SchemaError):
            return None

    @property
    def record(self) -> VaccinationRecord:
        """The verified 11-field record; raises the first failure's error unless ``ok``."""
        self.raise_for_failure()
        if self.unverified_record is None:
            raise ValueError("this passport verified but carries no vaccination record")
        return self.unverified_record

    def summary(self, lang: str = "both") -> str:
        """A short text a border officer can read: see :func:`vaxpass_core.summary.summarize`."""
        return summarize(self, lang=lang)

    def raise_for_failure(self) -> None:
        """Raise the :class:`VaxpassError` of the first failed check, if any."""
        for check in self.checks:
            if check.code is not None:
                error = VaxpassError.for_code(check.code)(f"{check.name}: {check.detail}")
                error.result = self
                raise error
        if not self.ok:
            raise ValueError("verification did not complete")

    def __bool__(self) -> NoReturn:
        raise TypeError("a VerificationResult has no truth value: use result.ok")
