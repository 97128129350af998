"""The verifier's rules: one table, one rule per check, in the order ``verify()`` reports them.

Each row of :data:`RULES` is a check of :data:`~vaxpass_core.result.CHECK_ORDER`: its name, the
checks it needs, and one rule. A rule reads what the rules before it decoded (a :class:`Run`)
and says how the check went:

- it returns ``None``: the check passed (a rule that passes with a warning appends an
  :class:`~vaxpass_core.result.Advisory` to ``run.warnings`` first);
- it raises a :class:`~vaxpass_core.errors.VaxpassError`: the check failed with that error's
  stable code;
- it returns a string: the check does not apply, for that reason (the facility level of a
  passport without an attestation). What needs it does not apply either.

The driver (:mod:`vaxpass_core.verification`) runs a rule only when every check it needs
passed. This module is the one place each rule of verification is written down; docs/design.md
lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple

from . import attestation as _att
from ._time import iso, latest_local_day
from .dcc import certificate_id, signed_form
from .errors import (
    AlgorithmError,
    Code,
    FacilityMismatch,
    InvalidCWTClaims,
    SchemaError,
    UnknownKey,
    VaxpassError,
)
from .hazmat import cose, hc1, schema
from .hazmat.base45 import b45decode
from .hazmat.cwt import decode_claims
from .result import Advisory


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .hazmat.cose import Sign1Message
    from .hazmat.cwt import Claims
    from .policy import Policy
    from .trust import FacilityCertificate, SignerCertificate, TrustStore
    from .valuesets import ValueSets


__all__ = ["RULES", "Rule", "Run"]

_DCC_TYPES: Final = ("v", "t", "r")
_DCC_TYPE_SET: Final = frozenset(_DCC_TYPES)
NO_ATTESTATION: Final = "the passport carries no facility attestation"
NO_REGISTRY: Final = "the trust store holds no facility registry"

# Each tolerated schema deviation: its warning code and the Policy knob that fails it.
_DEVIATIONS: Final = {
    "date-time": (Code.SCHEMA_DATE_TIME, "strict_date_times", "a date-time where a date belongs"),
    "null": (Code.SCHEMA_NULL, "strict_nulls", "a property given as null, read as absent"),
}


class Run:
    """One verification: its inputs, and what the rules have decoded so far."""

    __slots__ = (
        "attestation",
        "candidates",
        "claims",
        "data",
        "dcc",
        "dcc_type",
        "dcc_types",
        "facilities",
        "message",
        "now",
        "policy",
        "schema_ok",
        "signer",
        "text",
        "trust",
        "valuesets",
        "warnings",
    )

    def __init__(
        self, text: str | None, trust: TrustStore, now: int, policy: Policy, valuesets: ValueSets
    ) -> None:
        self.text = text  # None: the bytes handed over were not ASCII
        self.trust = trust
        self.now = now
        self.policy = policy
        self.valuesets = valuesets
        self.warnings: list[Advisory] = []
        self.data: Any = None  # the transport layer being unpacked
        self.message: Sign1Message | None = None
        self.claims: Claims | None = None
        self.dcc: Mapping[str, Any] | None = None
        self.dcc_type: str | None = None  # the one of v, t, r the DCC holds, if exactly one
        self.dcc_types: tuple[str, ...] = ()  # those of v, t, r it holds, in that order
        self.candidates: tuple[SignerCertificate, ...] = ()
        self.signer: SignerCertificate | None = None
        self.attestation: _att.EmbeddedAttestation | None = None
        self.facilities: tuple[FacilityCertificate, ...] = ()
        # Only a DCC that passed the schema is read further: it is then plain JSON (string
        # keys), so look-ups cannot meet a bytes key that merely hashes like a str one.
        self.schema_ok = False


class Rule(NamedTuple):
    name: str
    needs: tuple[str, ...]
    check: Callable[[Run], str | None]


def _error(code: Code, detail: str) -> VaxpassError:
    return VaxpassError.for_code(code)(detail)


def _iso_or_none(at: int | None) -> str:
    return "none" if at is None else iso(at)


# -- Transport: HC1 text, Base45, zlib. -------------------------------------------------------


def _prefix(run: Run) -> None:
    if run.text is None:
        raise _error(Code.HC1_PREFIX, "the text is not ASCII")
    run.data = hc1.strip_prefix(run.text)


def _base45(run: Run) -> None:
    run.data = b45decode(run.data)


def _zlib(run: Run) -> None:
    run.data = hc1.decompress(run.data)


# -- COSE and CWT. --------------------------------------------------------------------------


def _cose_structure(run: Run) -> None:
    run.message = cose.decode_sign1(run.data)


def _algorithm(run: Run) -> None:
    assert run.message is not None  # cose.structure passed
    alg = run.message.alg
    if alg is None:
        raise AlgorithmError("no alg in the headers")
    if alg not in run.policy.algorithms:
        raise AlgorithmError(f"alg {alg} not allowed")


def _claims(run: Run) -> None:
    assert run.message is not None  # cose.structure passed
    run.claims = claims = decode_claims(run.message.payload)
    run.dcc = claims.hcert
    _find_types(run, claims.hcert)
    # hcert spec 1.0.x section 3.3.2: exp is one of the claims a DCC must carry.
    if claims.expires_at is None:
        raise InvalidCWTClaims("the passport has no exp claim")


def _find_types(run: Run, dcc: Mapping[Any, Any]) -> None:
    """Which of v, t, r the DCC holds. A null one is absent (the schema check warns of it)."""
    present: tuple[str, ...] = ()
    for key, value in dcc.items():
        # Only str keys are looked up: a bytes key hashing like "v" is not a type (and
        # comparing it with "v" is an error under python -bb).
        if type(key) is str and key in _DCC_TYPE_SET and value is not None:
            present += (key,)
    run.dcc_type = present[0] if len(present) == 1 else None
    if len(present) > 1:  # invalid (the schema check says so); named in v, t, r order
        present = tuple(sorted(present, key=_DCC_TYPES.index))
    run.dcc_types = present


# -- The Document Signer. -------------------------------------------------------------------


def _key_known(run: Run) -> None:
    assert run.message is not None  # cose.structure passed
    kid = run.message.kid
    if kid is None:
        raise UnknownKey("no kid in the headers")
    run.candidates = run.trust.signers_for(kid)
    if not run.candidates:
        raise UnknownKey(f"kid {kid.hex()} is not trusted")


def _signature(run: Run) -> None:
    assert run.message is not None  # cose.structure passed
    # Every certificate sharing the kid is tried (hcert spec 1.0.x section 3.3.1).
    last: VaxpassError | None = None
    for signer in run.candidates:
        try:
            cose.verify_sign1(run.message, signer.public_key)
        except VaxpassError as exc:
            last = exc
            continue
        run.signer = signer
        return
    assert last is not None  # key.known passed: at least one candidate was tried
    raise last


def _key_validity(run: Run) -> None:
    """The signer certificate is valid now; the passport's iat..exp within it is a warning."""
    signer = run.signer
    assert signer is not None  # signature passed
    leeway = run.policy.leeway_seconds
    if not signer.not_before - leeway <= run.now <= signer.not_after + leeway:
        raise _error(
            Code.KEY_EXPIRED,
            f"the signer certificate is valid {iso(signer.not_before)}.."
            f"{iso(signer.not_after)}, not at {iso(run.now)}",
        )
    claims = run.claims
    if claims is None or not run.policy.check_key_validity_window:
        return
    iat, exp = claims.issued_at, claims.expires_at
    if (iat is None or iat >= signer.not_before) and (exp is None or exp <= signer.not_after):
        return
    # Real issuers sign passports that outlive their certificate (Viet Nam's among them);
    # the reference apps only ask that the certificate be valid now (key.expired).
    detail = (
        f"the passport's iat..exp ({_iso_or_none(iat)}..{_iso_or_none(exp)}) is not within "
        f"its signer certificate's validity ({iso(signer.not_before)}..{iso(signer.not_after)})"
    )
    if run.policy.strict_key_validity:
        raise _error(Code.KEY_VALIDITY, detail)
    run.warnings.append(Advisory(Code.KEY_VALIDITY, detail, "key.validity"))


def _key_usage(run: Run) -> None:
    assert run.signer is not None  # signature passed
    allowed = run.signer.dcc_types  # None: the certificate names no DCC type: all are allowed
    if allowed is None or allowed.issuperset(run.dcc_types):
        return
    refused = [t for t in run.dcc_types if t not in allowed]
    raise _error(
        Code.KEY_USAGE, f"the signer certificate may not sign DCC type {', '.join(refused)}"
    )


# -- Time. ----------------------------------------------------------------------------------


def _issued(run: Run) -> None:
    assert run.claims is not None  # cwt.claims passed
    iat = run.claims.issued_at
    if iat is not None and iat > run.now + run.policy.leeway_seconds:
        raise _error(Code.TIME_NOT_YET_VALID, f"issued at {iso(iat)}, after {iso(run.now)}")


def _expiry(run: Run) -> None:
    assert run.claims is not None  # cwt.claims passed: exp is there
    exp = run.claims.expires_at
    if exp is not None and exp < run.now - run.policy.leeway_seconds:
        raise _error(Code.TIME_EXPIRED, f"expired at {iso(exp)}")


# -- The DCC. -------------------------------------------------------------------------------


def _schema(run: Run) -> None:
    """The DCC's schema (with the tolerated deviations), one event, no date in the future."""
    claims = run.claims
    assert claims is not None  # cwt.claims passed
    dcc = claims.hcert
    policy = run.policy
    warnings: list[Advisory] = []
    try:
        schema.validate(dcc)
    except SchemaError as exc:
        dcc = _tolerated(run, dcc, exc, warnings)
    if run.dcc_type is None:
        _one_event(run)
    # An event that has not happened yet is refused (as the reference apps refuse a
    # vaccination or a sample dated in the future); one dated after the passport was
    # signed but past now is the issuer's data error: a warning. Most passports have
    # neither, and an iat before now rules out the first when the second is absent.
    iat, leeway = claims.issued_at, policy.leeway_seconds
    late = _future_dates(dcc, iat, leeway) if iat is not None else None
    if late is None or late or iat is None or iat > run.now:
        future = _future_dates(dcc, run.now, leeway)
        if future:
            raise _error(Code.DCC_FUTURE_DATE, "dated after now: " + ", ".join(future))
    if late:
        detail = "dated after the passport was issued (iat): " + ", ".join(late)
        if policy.strict_future_dates:
            raise _error(Code.DCC_FUTURE_DATE, detail)
        warnings.append(Advisory(Code.DCC_FUTURE_DATE, detail, "dcc.schema"))
    run.warnings.extend(warnings)
    run.schema_ok = True


def _tolerated(
    run: Run, dcc: Mapping[str, Any], error: SchemaError, warnings: list[Advisory]
) -> Mapping[str, Any]:
    """The DCC as the reference verifiers read it, when only tolerated deviations break its
    schema (each a warning, or under a strict policy a failure); else raise *error*.

    The DCC so read (nulls dropped, the date part of a date-time in a date field) is the
    result's ``dcc``: the record, the summary and the facility digest all read it.
    """
    try:
        tolerated, deviations = schema.tolerate(dcc)
    except SchemaError:
        raise error from None
    for kind, (code, knob, what) in _DEVIATIONS.items():
        paths = [d.path for d in deviations if d.kind == kind]
        if paths:
            detail = f"{what}: {', '.join(paths)}"
            if getattr(run.policy, knob):
                raise _error(code, detail)
            warnings.append(Advisory(code, detail, "dcc.schema"))
    run.dcc = tolerated
    _find_types(run, tolerated)
    return tolerated


def _one_event(run: Run) -> None:
    """Exactly one of v, t, r: a DCC certifies one kind of event (called when it is not).

    Schema 1.3.0 states it (``oneOf``); the earlier schemas left it to the specification, so
    it holds whatever version a DCC declares (dgc-testdata DGC2, "contains multiple
    certificates", is invalid). How many entries the group holds is the declared schema's
    business: before 1.3.0 several were allowed (dgc-testdata SK/3 is valid).
    """
    present = run.dcc_types
    raise SchemaError(
        "$: a DCC holds exactly one of v, t, r; this one has "
        + (", ".join(present) if present else "none")
    )


def _future_dates(dcc: Mapping[str, Any], moment: int | None, leeway: int) -> list[str]:
    """The event dates of a schema-valid DCC after the day of *moment* (its iat, or now),
    as paths.

    Birth, vaccination, sample collection and first positive test happen before they are
    certified, and before they are checked. Dates are compared as text (valid dates and
    partial dates of birth order so).
    """
    # A date is a local day, iat a UTC instant: the latest local day anywhere (UTC+14) is
    # the last one an event certified at iat can have.
    limit = latest_local_day(moment, leeway) if type(moment) is int else None
    if limit is None:
        return []
    late: list[str] = []
    dob = dcc.get("dob")
    if type(dob) is str and dob > limit:
        late.append("dob")
    for group, field in (("v", "dt"), ("t", "sc"), ("r", "fr")):
        entries = dcc.get(group)
        if type(entries) is list:
            for i, entry in enumerate(entries):
                value = entry.get(field) if type(entry) is dict else None
                if type(value) is str and value[:10] > limit:
                    late.append(f"{group}[{i}].{field}")
    return late


def _valuesets(run: Run) -> None:
    dcc, dcc_type = run.dcc, run.dcc_type
    assert dcc is not None  # dcc.schema passed: one of v, t, r, a non-empty array
    assert dcc_type is not None
    group = dcc[dcc_type]
    # Schemas before 1.3.0 allow longer groups; the first entry is the one certified.
    entry = group[0] if type(group) is list and group and type(group[0]) is dict else {}
    get = entry.get
    unknown = None
    for field, known in run.valuesets.fields[dcc_type]:
        code = get(field)
        if code is not None and code not in known:
            unknown = unknown or []
            unknown.append(f"{dcc_type}[0].{field}={code!r}")
    if unknown is None:
        return
    detail = "not in the value sets: " + ", ".join(unknown)
    if run.policy.strict_valuesets:
        raise _error(Code.VALUESET_UNKNOWN, detail)
    run.warnings.append(Advisory(Code.VALUESET_UNKNOWN, detail, "dcc.valuesets"))


# -- Viet Nam's level 1: the facility attestation. -------------------------------------------


def _attestation(run: Run) -> str | None:
    claims = run.claims
    assert claims is not None  # cwt.claims passed
    raw = claims.claims.get(_att.ATTESTATION_CLAIM)
    if raw is None:
        # Facilities attest vaccinations; a test or recovery DCC never carries one.
        if run.policy.require_attestation and run.dcc_type == "v":
            raise _error(Code.FACILITY_MISSING, "no facility attestation")
        return NO_ATTESTATION
    run.attestation = embedded = _att.EmbeddedAttestation.from_claim(raw)
    # The facility signs before the ministry issues (issue() refuses otherwise), and nobody
    # signs in the future: a later date is a broken chain, not clock skew.
    signed_at, iat = embedded.signed_at, claims.issued_at
    if signed_at > (run.now if iat is None else iat) + run.policy.leeway_seconds:
        raise _error(
            Code.FACILITY_NOT_YET_VALID,
            f"the facility attestation is dated {iso(signed_at)}, after the "
            f"passport's iat ({_iso_or_none(iat)}) or now ({iso(run.now)})",
        )
    return None


def _facility_certificate(run: Run) -> str | None:
    embedded = run.attestation
    assert embedded is not None  # facility.attestation passed
    trust = run.trust
    if not trust.facility_roots and not trust.facilities:
        # A verifier abroad holds the ministry's signer certificates, not Viet Nam's facility
        # registry: the ministry's signature vouches for the passport, and the facility level
        # is checked where the registry is (a policy that requires it fails here).
        if run.policy.require_attestation:
            raise _error(Code.FACILITY_UNKNOWN, NO_REGISTRY)
        return NO_REGISTRY
    run.facilities = trust.check_facility(embedded.facility_kid, at=embedded.signed_at)
    return None


def _facility_signature(run: Run) -> None:
    """The facility signed exactly the record the passport carries."""
    embedded = run.attestation
    assert embedded is not None  # facility.certificate passed
    dcc = run.dcc
    record_cbor = None
    if run.dcc_type == "v" and dcc is not None and run.schema_ok:
        record_cbor = signed_form(dcc, nationality=embedded.nationality)
    if record_cbor is None:
        raise FacilityMismatch("the passport's DCC does not form a valid 11-field record")
    _att.verify_embedded(embedded, record_cbor, run.facilities)


# -- Revocation. ----------------------------------------------------------------------------


def _revocation(run: Run) -> None:
    trust = run.trust
    if not trust.revokes_passports:  # the common case: nothing could match
        return
    claims, message = run.claims, run.message
    assert claims is not None  # cwt.claims passed
    assert message is not None
    uci = certificate_id(run.dcc, run.dcc_type) if run.schema_ok and run.dcc is not None else None
    # An entry scoped to one Document Signer (EU batches are per kid) revokes only its
    # passports; COUNTRYCODEUCI hashes the issuing country as the CWT iss claim states it.
    entry = trust.revoked(
        uci=uci or "",
        country=claims.issuer or "",
        signature=message.signature,
        alg=message.alg if message.alg is not None else 0,
        kid=message.kid,
    )
    if entry is not None:
        raise _error(Code.REVOKED, f"revoked ({entry.kind})")


#: Every check, in report order (:data:`~vaxpass_core.result.CHECK_ORDER`), with the checks
#: it needs: a rule runs only when those passed. The needs list the whole chain back to the
#: text, so a skipped check names the failure that stopped it, not the skip in between.
_TRANSPORT: Final = ("hc1.prefix", "hc1.base45", "hc1.zlib", "cose.structure")
_CLAIMS: Final = (*_TRANSPORT, "cwt.claims")
_SIGNED: Final = (*_TRANSPORT, "key.known", "cose.algorithm", "signature")
RULES: Final = (
    Rule("hc1.prefix", (), _prefix),
    Rule("hc1.base45", _TRANSPORT[:1], _base45),
    Rule("hc1.zlib", _TRANSPORT[:2], _zlib),
    Rule("cose.structure", _TRANSPORT[:3], _cose_structure),
    Rule("cose.algorithm", _TRANSPORT, _algorithm),
    Rule("cwt.claims", _TRANSPORT, _claims),
    Rule("key.known", _TRANSPORT, _key_known),
    Rule("signature", _SIGNED[:-1], _signature),
    Rule("key.validity", _SIGNED, _key_validity),
    Rule("key.usage", (*_SIGNED, "cwt.claims"), _key_usage),
    Rule("time.issued", _CLAIMS, _issued),
    Rule("time.expiry", _CLAIMS, _expiry),
    Rule("dcc.schema", _CLAIMS, _schema),
    Rule("dcc.valuesets", (*_CLAIMS, "dcc.schema"), _valuesets),
    Rule("facility.attestation", _CLAIMS, _attestation),
    Rule("facility.certificate", (*_CLAIMS, "facility.attestation"), _facility_certificate),
    Rule(
        "facility.signature",
        (*_CLAIMS, "facility.attestation", "facility.certificate"),
        _facility_signature,
    ),
    Rule("revocation", _CLAIMS, _revocation),
)
