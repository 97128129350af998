"""Failure codes and the exception tree.

Every failure the library can report has a stable string code (:class:`Code`).
The codes are a contract: outside code stores and compares them, so a value is
never renamed once released; new ones are only added.

Exceptions are for callers who ask for them: ``attest()`` and ``issue()`` raise
when they refuse, decoders raise on bad bytes, and
:meth:`VerificationResult.raise_for_failure` turns a result into one.
``verify()`` itself never raises on bad input.

Wrong *calls* (a naive ``now``, ``str`` where ``bytes`` belong) are programming
errors and raise plain :class:`TypeError` or :class:`ValueError`, never a
:class:`VaxpassError`.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar


__all__ = [
    "AlgorithmError",
    "AmbiguousQR",
    "BatchInternalError",
    "CertLogicError",
    "CertLogicEvaluationError",
    "CertLogicLimitExceeded",
    "Code",
    "CriticalHeader",
    "DateTimeInDateField",
    "FacilityError",
    "FacilityExpired",
    "FacilityMismatch",
    "FacilityMissing",
    "FacilityNotYetValid",
    "FacilityRevoked",
    "FacilitySignatureInvalid",
    "FacilityUnknown",
    "FutureDate",
    "HC1Error",
    "InvalidBase45",
    "InvalidBatchLine",
    "InvalidCWTClaims",
    "InvalidCertLogic",
    "InvalidPrefix",
    "InvalidRecord",
    "InvalidRule",
    "InvalidSignature",
    "InvalidTrustData",
    "InvalidUVCI",
    "InvalidValueSets",
    "InvalidZlib",
    "KeyExpired",
    "KeyOutsideValidity",
    "KeyUsageError",
    "MalformedCBOR",
    "MalformedCOSE",
    "NotYetValid",
    "NullProperty",
    "PassportExpired",
    "PictureTooLarge",
    "QRNotFound",
    "Revoked",
    "SchemaError",
    "TooLarge",
    "UnknownKey",
    "UnknownValueSetCode",
    "VaxpassError",
]


class Code(enum.StrEnum):
    """Stable failure codes. Extend, never rename."""

    HC1_PREFIX = "hc1.prefix"
    HC1_BASE45 = "hc1.base45"
    HC1_ZLIB = "hc1.zlib"
    HC1_TOO_LARGE = "hc1.too-large"
    CBOR_MALFORMED = "cbor.malformed"
    COSE_MALFORMED = "cose.malformed"
    COSE_ALGORITHM = "cose.algorithm"
    CWT_CLAIMS = "cwt.claims"
    KEY_UNKNOWN = "key.unknown"
    KEY_USAGE = "key.usage"
    KEY_EXPIRED = "key.expired"
    KEY_VALIDITY = "key.validity"
    SIGNATURE_INVALID = "signature.invalid"
    TIME_EXPIRED = "time.expired"
    TIME_NOT_YET_VALID = "time.not-yet-valid"
    SCHEMA_INVALID = "schema.invalid"
    VALUESET_UNKNOWN = "valueset.unknown"
    FACILITY_MISSING = "facility.missing"
    FACILITY_UNKNOWN = "facility.unknown"
    FACILITY_SIGNATURE = "facility.signature"
    FACILITY_MISMATCH = "facility.mismatch"
    FACILITY_EXPIRED = "facility.expired"
    FACILITY_REVOKED = "facility.revoked"
    REVOKED = "revoked"
    RECORD_INVALID = "record.invalid"
    UVCI_INVALID = "uvci.invalid"
    QR_NOT_FOUND = "qr.not-found"
    QR_AMBIGUOUS = "qr.ambiguous"
    BATCH_LINE = "batch.line"
    BATCH_INTERNAL = "batch.internal"
    # Real-world deviations verify() tolerates by default, as warnings (Policy.strict()
    # turns each into a failure); key.validity and valueset.unknown above are two more.
    SCHEMA_DATE_TIME = "schema.date-time"
    SCHEMA_NULL = "schema.null"
    DCC_FUTURE_DATE = "dcc.future-date"
    FACILITY_NOT_YET_VALID = "facility.not-yet-valid"
    VALUESETS_INVALID = "valuesets.invalid"
    CERTLOGIC_INVALID = "certlogic.invalid"
    CERTLOGIC_EVALUATION = "certlogic.evaluation"
    CERTLOGIC_LIMIT = "certlogic.limit"
    RULE_INVALID = "rule.invalid"
    QR_TOO_LARGE = "qr.too-large"
    COSE_CRIT = "cose.crit"
    TRUST_INVALID = "trust.invalid"


class VaxpassError(Exception):
    """Base of every error the library raises about bad data.

    Abstract: raise a subclass. Each concrete subclass carries one :class:`Code`.
    """

    code: ClassVar[Code]
    _by_code: ClassVar[dict[Code, type[VaxpassError]]] = {}

    def __init__(self, message: str) -> None:
        if not hasattr(type(self), "code"):
            raise TypeError(f"{type(self).__name__} is abstract; raise a subclass with a code")
        super().__init__(message)
        self.message = message
        #: The :class:`~vaxpass_core.VerificationResult` the error comes from, if any. Not
        #: typed by name: this module is the lowest layer and imports no other.
        self.result: Any = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if cls.code in VaxpassError._by_code:
                raise TypeError(f"code {cls.code} already belongs to another class")
            VaxpassError._by_code[cls.code] = cls

    @classmethod
    def for_code(cls, code: Code | str) -> type[VaxpassError]:
        """The exception class that carries *code*."""
        return VaxpassError._by_code[Code(code)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code.value!r})"


# Transport: the HC1 text and its layers.
class HC1Error(VaxpassError, ValueError):
    """Grouping: the QR text could not be unpacked."""


class InvalidPrefix(HC1Error):
    code = Code.HC1_PREFIX


class InvalidBase45(HC1Error):
    code = Code.HC1_BASE45


class InvalidZlib(HC1Error):
    code = Code.HC1_ZLIB


class TooLarge(HC1Error):
    code = Code.HC1_TOO_LARGE


class MalformedCBOR(VaxpassError, ValueError):
    code = Code.CBOR_MALFORMED


class MalformedCOSE(VaxpassError, ValueError):
    code = Code.COSE_MALFORMED


class AlgorithmError(VaxpassError, ValueError):
    """The algorithm is unknown, not allowed, or does not fit the key."""

    code = Code.COSE_ALGORITHM


class InvalidCWTClaims(VaxpassError, ValueError):
    code = Code.CWT_CLAIMS


# Keys and signatures.
class UnknownKey(VaxpassError, LookupError):
    code = Code.KEY_UNKNOWN


class KeyUsageError(VaxpassError):
    code = Code.KEY_USAGE


class KeyExpired(VaxpassError):
    code = Code.KEY_EXPIRED


class KeyOutsideValidity(VaxpassError):
    """The CWT's ``iat`` or ``exp`` lies outside the signer certificate's validity."""

    code = Code.KEY_VALIDITY


class InvalidSignature(VaxpassError):
    code = Code.SIGNATURE_INVALID


# Time.
class PassportExpired(VaxpassError):
    code = Code.TIME_EXPIRED


class NotYetValid(VaxpassError):
    code = Code.TIME_NOT_YET_VALID


# Content.
class SchemaError(VaxpassError, ValueError):
    code = Code.SCHEMA_INVALID


class DateTimeInDateField(SchemaError):
    """A date-time where the schema says ``format: date`` (tolerated by default)."""

    code = Code.SCHEMA_DATE_TIME


class NullProperty(SchemaError):
    """A property given as ``null`` where the schema allows no null (read as absent by default)."""

    code = Code.SCHEMA_NULL


class FutureDate(VaxpassError, ValueError):
    """A date in the DCC (birth, vaccination, test, first positive test) after its ``iat``."""

    code = Code.DCC_FUTURE_DATE


class InvalidValueSets(VaxpassError, ValueError):
    """Value-set JSON given to :func:`vaxpass_core.valuesets.load` is not usable."""

    code = Code.VALUESETS_INVALID


class UnknownValueSetCode(VaxpassError, ValueError):
    code = Code.VALUESET_UNKNOWN


class InvalidRecord(VaxpassError, ValueError):
    code = Code.RECORD_INVALID


class InvalidUVCI(VaxpassError, ValueError):
    code = Code.UVCI_INVALID


# The facility level (Viet Nam's level-1 attestation).
class FacilityError(VaxpassError):
    """Grouping: the facility attestation did not hold."""


class FacilityMissing(FacilityError):
    code = Code.FACILITY_MISSING


class FacilityUnknown(FacilityError, LookupError):
    code = Code.FACILITY_UNKNOWN


class FacilitySignatureInvalid(FacilityError):
    code = Code.FACILITY_SIGNATURE


class FacilityMismatch(FacilityError):
    code = Code.FACILITY_MISMATCH


class FacilityExpired(FacilityError):
    code = Code.FACILITY_EXPIRED


class FacilityRevoked(FacilityError):
    code = Code.FACILITY_REVOKED


class FacilityNotYetValid(FacilityError):
    """The facility attestation is dated after the passport's ``iat`` or after ``now``."""

    code = Code.FACILITY_NOT_YET_VALID


class Revoked(VaxpassError):
    code = Code.REVOKED


class QRNotFound(VaxpassError, LookupError):
    code = Code.QR_NOT_FOUND


class AmbiguousQR(QRNotFound):
    """A picture holds several different passports: no single one was found."""

    code = Code.QR_AMBIGUOUS


# Bulk issuance: how an input line that is not a record is rejected.
class InvalidBatchLine(VaxpassError, ValueError):
    """A JSON Lines input line is not a JSON object (bad JSON, not UTF-8, blank, an array)."""

    code = Code.BATCH_LINE


class BatchInternalError(VaxpassError):
    """An unexpected error on one record; the batch goes on and reports it."""

    code = Code.BATCH_INTERNAL


# Business rules (CertLogic): an expression or rule is bad, or evaluating it failed.
class CertLogicError(VaxpassError, ValueError):
    """Grouping: a CertLogic expression could not be compiled or evaluated."""


class InvalidCertLogic(CertLogicError):
    """The expression is not well-formed CertLogic (found before any evaluation)."""

    code = Code.CERTLOGIC_INVALID


class CertLogicEvaluationError(CertLogicError):
    """Evaluating a well-formed expression met a value of the wrong type."""

    code = Code.CERTLOGIC_EVALUATION


class CertLogicLimitExceeded(CertLogicError):
    """The expression is nested too deeply or its evaluation does too much work."""

    code = Code.CERTLOGIC_LIMIT


class InvalidRule(VaxpassError, ValueError):
    """A business rule's JSON does not follow the gateway's rule schema."""

    code = Code.RULE_INVALID


class PictureTooLarge(QRNotFound):
    """A picture has more pixels than any passport photo needs: refused before decoding."""

    code = Code.QR_TOO_LARGE


# Added by the hardening of issue 13.
class CriticalHeader(MalformedCOSE):
    """A ``crit`` header parameter (RFC 9052 section 3.1) this library cannot honour: one
    naming a label it does not act on, empty, not an array of labels, naming a label absent
    from the protected header, or in the unprotected header."""

    code = Code.COSE_CRIT


class InvalidTrustData(VaxpassError, ValueError):
    """Published trust data that cannot be read: a trust list, a revocation batch, or a
    certificate in one (bad JSON, wrong shape, unreadable DER, an unsupported key)."""

    code = Code.TRUST_INVALID
