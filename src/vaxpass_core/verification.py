"""``verify()``: every check a border app needs, in a fixed order, never raising on bad input.

The checks and their order are :data:`~vaxpass_core.result.CHECK_ORDER`. Each runs when the
checks it needs have passed; otherwise it is SKIPPED and names the one it depended on. A
check that does not apply (the facility level of a passport without an attestation, when
the policy does not require one) is SKIPPED without a ``depends_on``.

Speed matters here (a border app verifies every traveller): a passport that passes every
check (with at most the ``key.validity`` warning real passports often carry) is answered by a
straight-line fast path whose result is a shared constant tuple of checks; anything else goes
to the general path, which reports every detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NoReturn

from . import attestation as _att
from . import valuesets
from ._entry_rules import apply_rules
from ._entry_rules import check_arguments as check_rule_arguments
from ._time import epoch_of, iso
from .dcc import certificate_id
from .errors import Code, FacilityError, SchemaError, VaxpassError
from .hazmat import cose, hc1, schema
from .hazmat.base45 import b45decode
from .hazmat.cwt import decode_claims
from .policy import Policy
from .record import latest_local_day, signed_form
from .result import CHECK_ORDER, Advisory, Check, Status, VerificationResult
from .trust import TrustStore
from .valuesets import ValueSets


if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from .certlogic import RuleSet
    from .hazmat.cose import Sign1Message
    from .hazmat.cwt import Claims
    from .trust import SignerCertificate


__all__ = ["DEFAULT_POLICY", "verify"]

DEFAULT_POLICY: Final = Policy()

_PASSED: Final = {name: Check(name, Status.PASSED) for name in CHECK_ORDER}
_NOT_APPLICABLE: Final = {
    name: Check(name, Status.SKIPPED, detail="the passport carries no facility attestation")
    for name in ("facility.attestation", "facility.certificate", "facility.signature")
}
_NO_REGISTRY: Final = "the trust store holds no facility registry"
_NO_REGISTRY_CHECKS: Final = tuple(
    Check(name, Status.SKIPPED, detail=_NO_REGISTRY)
    for name in ("facility.certificate", "facility.signature")
)
_DCC_TYPES: Final = ("v", "t", "r")
_DCC_TYPE_SET: Final = frozenset(_DCC_TYPES)

# Each tolerated schema deviation: its warning code and the Policy knob that fails it.
_DEVIATIONS: Final = {
    "date-time": (Code.SCHEMA_DATE_TIME, "strict_date_times", "a date-time where a date belongs"),
    "null": (Code.SCHEMA_NULL, "strict_nulls", "a property given as null, read as absent"),
}


def _iso_or_none(at: int | None) -> str:
    return "none" if at is None else iso(at)


def _failed(name: str, error: VaxpassError | Code, detail: str = "") -> Check:
    if isinstance(error, VaxpassError):
        return Check(name, Status.FAILED, error.code, detail or error.message)
    return Check(name, Status.FAILED, error, detail)


def _skipped(name: str, depends_on: str) -> Check:
    return Check(name, Status.SKIPPED, detail=f"needs {depends_on}", depends_on=depends_on)


class _Run:
    """The state of one verification: what was decoded, and the checks so far."""

    __slots__ = (
        "attestation",
        "checks",
        "claims",
        "dcc",
        "dcc_type",
        "dcc_types",
        "facility_checked",
        "now",
        "policy",
        "schema_ok",
        "signer",
        "trust",
        "valuesets",
        "warnings",
    )

    def __init__(
        self,
        trust: TrustStore,
        now: int,
        policy: Policy,
        facility_checked: bytes | None,
        valuesets: ValueSets,
    ) -> None:
        self.trust = trust
        self.valuesets = valuesets
        self.facility_checked = facility_checked
        self.now = now
        self.policy = policy
        self.checks: list[Check] = []
        self.warnings: list[Advisory] = []
        self.claims: Claims | None = None
        self.dcc: Mapping[str, Any] | None = None
        self.dcc_type: str | None = None  # the one of v, t, r the DCC holds, if exactly one
        self.dcc_types: tuple[str, ...] = ()  # those of v, t, r it holds, in that order
        self.signer: SignerCertificate | None = None
        self.attestation: _att.EmbeddedAttestation | None = None
        # Only a DCC that passed the schema is read further: it is then plain JSON (string
        # keys), so look-ups cannot meet a bytes key that merely hashes like a str one.
        self.schema_ok = False

    def result(self) -> VerificationResult:
        claims = self.claims
        attestation, signer = self.attestation, self.signer
        # Positional (checks, warnings, dcc, claims, nationality, signer_country, checked_at):
        # keywords cost a fifth of a microsecond on every verify.
        return VerificationResult(
            tuple(self.checks),
            tuple(self.warnings) if self.warnings else (),
            self.dcc,
            claims.claims if claims is not None else None,
            attestation.nationality if attestation is not None else None,
            signer.country if signer is not None else None,
            self.now,
            signer.kid if signer is not None else None,
        )


def verify(
    text: str | bytes,
    *,
    trust: TrustStore,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    valuesets: ValueSets | None = None,
    rules: RuleSet | None = None,
    country: str | None = None,
    region: str | None = None,
    _facility_checked: bytes | None = None,
) -> VerificationResult:
    """Verify HC1 *text* against *trust* at *now*; every check is in the result.

    Never raises on bad input: garbage gives a result whose failures carry stable codes.
    Wrong *calls* (a naive ``now``, a trust store that is not one) raise ``TypeError`` or
    ``ValueError``. *text* may be ``bytes`` as a scanner hands it over (ASCII); whitespace
    at its ends (a file's trailing newline) is ignored.

    *valuesets* are the value sets codes are checked against (:func:`.valuesets.load` reads
    the ones a border app downloads); the shipped release by default.

    *rules* (a :class:`~vaxpass_core.certlogic.RuleSet`, as downloaded from the gateway) with
    *country* (the arrival country, ISO 3166-1 alpha-2) and optionally *region* (then only
    that region's acceptance rules apply, as in the EU verifier apps): once the
    passport is ``ok``, the rules that apply are evaluated at *now* and their outcomes are
    ``result.rules``; ``result.accepted`` is the officer's answer. Rules read *valuesets*.

    Deviations real issuers make and the reference verifiers accept pass with a warning
    (``result.warnings``, each with its code and the check it belongs to) unless *policy*
    makes them failures (:meth:`Policy.strict`); docs/verifying.md has the table.

    ``_facility_checked`` is private, NOT part of the public contract, and may change
    without notice: it is for ``issue()``'s self-check only. When it equals the raw bytes
    of the passport's embedded attestation claim (:data:`~.attestation.ATTESTATION_CLAIM`),
    the caller has just verified that facility signature over those same bytes itself, so
    ``facility.signature`` checks the record digest (``facility.mismatch``) and relies on
    ``facility.certificate`` for a usable certificate, but skips the signature crypto.
    Any other value (or None) changes nothing.
    """
    if type(trust) is not TrustStore and not isinstance(trust, TrustStore):
        raise TypeError(f"trust must be a TrustStore, not {type(trust).__name__}")
    if type(policy) is not Policy and not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, not {type(policy).__name__}")
    if _facility_checked is not None and type(_facility_checked) is not bytes:
        raise TypeError("_facility_checked must be bytes or None")
    if valuesets is None:
        valuesets = _default_valuesets()
    elif not isinstance(valuesets, ValueSets):
        raise TypeError(f"valuesets must be ValueSets, not {type(valuesets).__name__}")
    check_rule_arguments(rules, country, region)
    checked_at = epoch_of(now)
    if type(text) is bytes and text.isascii():  # as a scanner hands it over
        text = text.decode("ascii")
    result = None
    if type(text) is str:
        result = _verify_passing(
            text, trust, checked_at, policy, _facility_checked, valuesets=valuesets
        )
    if result is None:
        result = _verify_in_full(
            text, trust, checked_at, policy, _facility_checked, valuesets=valuesets
        )
    if rules is None or country is None:  # country is set whenever rules are
        return result
    return apply_rules(result, rules, country=country, region=region, now=now, valuesets=valuesets)


_default_valuesets: Final = valuesets.default


def _verify_in_full(
    text: str | bytes,
    trust: TrustStore,
    now: int,
    policy: Policy,
    facility_checked: bytes | None,
    *,
    valuesets: ValueSets | None = None,
) -> VerificationResult:
    """The general path: every check reported, whatever the input."""
    run = _Run(trust, now, policy, facility_checked, valuesets or _default_valuesets())
    checks = run.checks
    cose_bytes = _unpack(text, checks)
    if cose_bytes is None:
        return _rest_skipped(run)
    try:
        message = cose.decode_sign1(cose_bytes)
    except VaxpassError as exc:
        checks.append(_failed("cose.structure", exc))
        return _rest_skipped(run, "cose.structure")
    checks.append(_PASSED["cose.structure"])

    alg = message.alg
    alg_ok = alg is not None and alg in policy.algorithms
    if alg_ok:
        checks.append(_PASSED["cose.algorithm"])
    elif alg is None:
        checks.append(_failed("cose.algorithm", Code.COSE_ALGORITHM, "no alg in the headers"))
    else:
        checks.append(_failed("cose.algorithm", Code.COSE_ALGORITHM, f"alg {alg} not allowed"))

    claims: Claims | None = None
    try:
        claims = decode_claims(message.payload)
    except VaxpassError as exc:
        checks.append(_failed("cwt.claims", exc))
    else:
        run.claims = claims
        run.dcc = dcc = claims.hcert
        _find_types(run, dcc)
        checks.append(_PASSED["cwt.claims"])

    _check_signature(run, message, alg_ok=alg_ok)
    _check_signer(run, claims)
    _check_times(run, claims)
    _check_content(run, claims)
    _check_facility(run, claims)
    _check_revocation(run, message, claims)
    return run.result()


def _find_types(run: _Run, dcc: Mapping[Any, Any]) -> None:
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


def _attested_late(signed_at: int, now: int, iat: int | None, leeway: int) -> bool:
    """The facility signed after the ministry issued the passport (or, with no iat to
    compare with, after now). An iat after now fails ``time.issued`` by itself."""
    return signed_at > (now if iat is None else iat) + leeway


# -- The fast path: a passport every check passes. ----------------------------------------------
# Most passports a border app or issue()'s self-check sees pass every check. The general path
# below spends about 8 us on its bookkeeping (a Check per step, a function per group), more
# than the 1.5x-the-crypto budget leaves. _verify_passing() runs the same checks straight
# through and returns the result only when every one of them passed (or, for the facility
# level, did not apply); at the first doubt it returns None and the general path decides,
# from the start, with every detail. Where both give a result, it is the same one
# (tests/unit/test_verify_fast_path.py holds them to that). The signatures are verified
# last, so a doubt costs the cheap checks twice, never the crypto (a failing signature
# does: such a passport is verified again by the general path).

_PASSED_CHECKS: Final = tuple(_PASSED[name] for name in CHECK_ORDER)
_PASSED_NO_ATTESTATION: Final = (
    *_PASSED_CHECKS[:14],
    *_NOT_APPLICABLE.values(),
    _PASSED["revocation"],
)
_PASSED_NO_REGISTRY: Final = (
    *_PASSED_CHECKS[:15],
    *_NO_REGISTRY_CHECKS,
    _PASSED["revocation"],
)


def _verify_passing(
    text: str,
    trust: TrustStore,
    now: int,
    policy: Policy,
    facility_checked: bytes | None,
    *,
    valuesets: ValueSets | None = None,
) -> VerificationResult | None:
    """The result of a passport that passes every check, with no warning but perhaps
    ``key.validity``'s; None if any check might not, or might warn."""
    if text[:1] in hc1.WHITESPACE or text[-1:] in hc1.WHITESPACE:
        text = text.strip(hc1.WHITESPACE)
    if len(text) > hc1.MAX_TEXT_CHARS or not text.startswith(hc1.PREFIX):
        return None
    try:
        message = cose.decode_sign1(hc1.decompress(b45decode(text[4:])))
        claims = decode_claims(message.payload)
    except VaxpassError:
        return None
    alg, kid = message.alg, message.kid
    if alg is None or alg not in policy.algorithms or kid is None:
        return None
    signers = trust.signers_for(kid)
    if len(signers) != 1:  # unknown, or several to try in turn: the general path
        return None
    signer = signers[0]
    dcc = claims.hcert
    dcc_type = None
    for key in dcc:
        if type(key) is str and key in _DCC_TYPE_SET:
            if dcc_type is not None:
                return None
            dcc_type = key
    if dcc_type is None:
        return None

    leeway = policy.leeway_seconds
    iat, exp = claims.issued_at, claims.expires_at
    # A passport outliving its signer certificate (Viet Nam's do) passes with a warning:
    # common enough at a border to be answered here, with the general path's very warning.
    warnings: tuple[Advisory, ...] = ()
    if policy.check_key_validity_window and _outside_signer(iat, exp, signer):
        if policy.strict_key_validity:
            return None
        warnings = (_outside_signer_warning(iat, exp, signer),)
    if (
        not signer.not_before - leeway <= now <= signer.not_after + leeway
        or (signer.dcc_types is not None and dcc_type not in signer.dcc_types)
        or (iat is not None and iat > now + leeway)
        or exp is None
        or exp < now - leeway
    ):
        return None
    try:
        schema.validate(dcc)
    except SchemaError:
        return None  # invalid, or a deviation to tolerate: the general path says
    group = dcc[dcc_type]
    if type(group) is not list or not group or type(group[0]) is not dict:
        return None
    get = group[0].get
    for field, known in (valuesets or _default_valuesets()).fields[dcc_type]:
        code = get(field)
        if code is not None and code not in known:
            return None  # unknown codes: a failure or an advisory, the general path says
    if _future_dates(dcc, iat, leeway):
        return None
    if (
        trust.revokes_passports
        and trust.revoked(
            uci=certificate_id(dcc, dcc_type) or "",
            country=claims.issuer or "",
            signature=message.signature,
            alg=alg,
            kid=kid,
        )
        is not None
    ):
        return None

    raw = claims.claims.get(_att.ATTESTATION_CLAIM)
    embedded = facilities = record_cbor = None
    if raw is None:
        if policy.require_attestation and dcc_type == "v":
            return None
        checks = _PASSED_NO_ATTESTATION
    else:
        try:
            embedded = _att.EmbeddedAttestation.from_claim(raw)
        except VaxpassError:
            return None
        if _attested_late(embedded.signed_at, now, iat, leeway):
            return None
        if not trust.facility_roots and not trust.facilities:
            if policy.require_attestation:
                return None
            checks = _PASSED_NO_REGISTRY
        else:
            if dcc_type != "v":
                return None
            record_cbor = signed_form(dcc, nationality=embedded.nationality)
            if record_cbor is None:
                return None
            try:
                _att.check_digest(embedded, record_cbor)
                facilities = trust.check_facility(embedded.facility_kid, at=embedded.signed_at)
            except FacilityError:  # FacilityMismatch among them
                return None
            checks = _PASSED_CHECKS

    try:
        cose.verify_sign1(message, signer.public_key)
        if facilities is not None and facility_checked != raw:
            assert embedded is not None  # set with facilities
            assert record_cbor is not None
            _att.verify_signature(
                kid=embedded.facility_kid,
                signed_at=embedded.signed_at,
                record_cbor=record_cbor,
                signature=embedded.signature,
                facilities=facilities,
            )
    except VaxpassError:
        return None
    return VerificationResult(
        checks,
        warnings,
        dcc,
        claims.claims,
        embedded.nationality if embedded is not None else None,
        signer.country,
        now,
        signer.kid,
    )


# -- The general path. ---------------------------------------------------------------------------


# The transport steps in order, each with the check it reports.
_TRANSPORT: Final[tuple[tuple[str, Callable[[Any], Any]], ...]] = (
    ("hc1.prefix", hc1.strip_prefix),
    ("hc1.base45", b45decode),
    ("hc1.zlib", hc1.decompress),
)


def _unpack(text: object, checks: list[Check]) -> bytes | None:
    """The three transport steps; None (with a failed check) when one fails."""
    if type(text) is not str and isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            checks.append(_failed("hc1.prefix", Code.HC1_PREFIX, "the text is not ASCII"))
            return None
    if not isinstance(text, str):
        raise TypeError(f"text must be str or bytes, not {type(text).__name__}")
    data: Any = text
    for name, step in _TRANSPORT:
        try:
            data = step(data)
        except VaxpassError as exc:
            checks.append(_failed(name, exc))
            return None
        checks.append(_PASSED[name])
    cose_bytes: bytes = data
    return cose_bytes


def _rest_skipped(run: _Run, cause: str | None = None) -> VerificationResult:
    """Mark every check not yet reported as skipped because of the last failure."""
    checks = run.checks
    cause = cause or checks[-1].name
    for name in CHECK_ORDER[len(checks) :]:
        checks.append(_skipped(name, cause))
    return run.result()


def _check_signature(run: _Run, message: Sign1Message, *, alg_ok: bool) -> None:
    checks = run.checks
    kid = message.kid
    candidates = run.trust.signers_for(kid) if kid is not None else ()
    if not candidates:
        detail = "no kid in the headers" if kid is None else f"kid {kid.hex()} is not trusted"
        checks.append(_failed("key.known", Code.KEY_UNKNOWN, detail))
        checks.append(_skipped("signature", "key.known"))
        return
    checks.append(_PASSED["key.known"])
    if not alg_ok:
        checks.append(_skipped("signature", "cose.algorithm"))
        return
    # Every certificate sharing the kid is tried (hcert spec 1.0.x section 3.3.1).
    last: VaxpassError | None = None
    for signer in candidates:
        try:
            cose.verify_sign1(message, signer.public_key)
        except VaxpassError as exc:
            last = exc
            continue
        run.signer = signer
        checks.append(_PASSED["signature"])
        return
    assert last is not None  # at least one candidate was tried
    checks.append(_failed("signature", last))


def _check_signer(run: _Run, claims: Claims | None) -> None:
    """The signer certificate's validity and its key usage for this DCC type."""
    checks = run.checks
    signer = run.signer
    if signer is None:
        checks.append(_skipped("key.validity", "signature"))
        checks.append(_skipped("key.usage", "signature"))
        return
    leeway = run.policy.leeway_seconds
    if not signer.not_before - leeway <= run.now <= signer.not_after + leeway:
        checks.append(
            _failed(
                "key.validity",
                Code.KEY_EXPIRED,
                f"the signer certificate is valid {iso(signer.not_before)}.."
                f"{iso(signer.not_after)}, not at {iso(run.now)}",
            )
        )
    elif (
        claims is not None
        and run.policy.check_key_validity_window
        and _outside_signer(claims.issued_at, claims.expires_at, signer)
    ):
        warning = _outside_signer_warning(claims.issued_at, claims.expires_at, signer)
        if run.policy.strict_key_validity:
            checks.append(_failed("key.validity", Code.KEY_VALIDITY, warning.detail))
        else:
            checks.append(_PASSED["key.validity"])
            run.warnings.append(warning)
    else:
        checks.append(_PASSED["key.validity"])

    if claims is None:
        checks.append(_skipped("key.usage", "cwt.claims"))
        return
    allowed = signer.dcc_types  # None: the certificate names no DCC type, so all are allowed
    if allowed is None or allowed.issuperset(run.dcc_types):
        checks.append(_PASSED["key.usage"])
    else:
        refused = [t for t in run.dcc_types if t not in allowed]
        checks.append(
            _failed(
                "key.usage",
                Code.KEY_USAGE,
                f"the signer certificate may not sign DCC type {', '.join(refused)}",
            )
        )


def _outside_signer(iat: int | None, exp: int | None, signer: SignerCertificate) -> bool:
    """The passport's iat..exp is not within its signer certificate's validity."""
    return (iat is not None and iat < signer.not_before) or (
        exp is not None and exp > signer.not_after
    )


def _outside_signer_warning(
    iat: int | None, exp: int | None, signer: SignerCertificate
) -> Advisory:
    # Real issuers sign passports that outlive their certificate (Viet Nam's among them);
    # the reference apps only ask that the certificate be valid now (key.expired).
    return Advisory(
        Code.KEY_VALIDITY,
        f"the passport's iat..exp ({_iso_or_none(iat)}..{_iso_or_none(exp)}) is not within "
        f"its signer certificate's validity ({iso(signer.not_before)}..{iso(signer.not_after)})",
        "key.validity",
    )


def _check_times(run: _Run, claims: Claims | None) -> None:
    checks = run.checks
    if claims is None:
        checks.append(_skipped("time.issued", "cwt.claims"))
        checks.append(_skipped("time.expiry", "cwt.claims"))
        return
    leeway = run.policy.leeway_seconds
    iat, exp = claims.issued_at, claims.expires_at
    if iat is not None and iat > run.now + leeway:
        checks.append(
            _failed(
                "time.issued",
                Code.TIME_NOT_YET_VALID,
                f"issued at {iso(iat)}, after {iso(run.now)}",
            )
        )
    else:
        checks.append(_PASSED["time.issued"])
    if exp is None:
        checks.append(_failed("time.expiry", Code.CWT_CLAIMS, "the passport has no exp claim"))
    elif exp < run.now - leeway:
        checks.append(_failed("time.expiry", Code.TIME_EXPIRED, f"expired at {iso(exp)}"))
    else:
        checks.append(_PASSED["time.expiry"])


def _check_content(run: _Run, claims: Claims | None) -> None:
    """The DCC's schema and value sets; builds the typed record for a vaccination."""
    checks = run.checks
    if claims is None:
        checks.append(_skipped("dcc.schema", "cwt.claims"))
        checks.append(_skipped("dcc.valuesets", "cwt.claims"))
        return
    dcc = claims.hcert
    policy = run.policy
    warnings: list[Advisory] = []
    try:
        try:
            schema.validate(dcc)
        except SchemaError as exc:
            dcc = _tolerated(run, dcc, exc, warnings)
        if run.dcc_type is None:
            _one_event(run)
        # An event that has not happened yet is refused (as the reference apps refuse a
        # vaccination or a sample dated in the future); one dated after the passport was
        # signed but past now is the issuer's data error: a warning.
        future = _future_dates(dcc, run.now, policy.leeway_seconds)
        if future:
            detail = "dated after now: " + ", ".join(future)
            raise VaxpassError.for_code(Code.DCC_FUTURE_DATE)(detail)
        late = _future_dates(dcc, claims.issued_at, policy.leeway_seconds)
        if late:
            detail = "dated after the passport was issued (iat): " + ", ".join(late)
            if policy.strict_future_dates:
                raise VaxpassError.for_code(Code.DCC_FUTURE_DATE)(detail)
            warnings.append(Advisory(Code.DCC_FUTURE_DATE, detail, "dcc.schema"))
    except VaxpassError as exc:
        checks.append(_failed("dcc.schema", exc))
        checks.append(_skipped("dcc.valuesets", "dcc.schema"))
        return
    checks.append(_PASSED["dcc.schema"])
    run.warnings.extend(warnings)
    run.schema_ok = True

    dcc_type = run.dcc_type  # one of v, t, r: _one_event raised otherwise
    group = dcc[dcc_type] if dcc_type is not None else None
    # Schemas before 1.3.0 allow longer groups; the schema made it a non-empty array.
    entry = group[0] if isinstance(group, list) and group and isinstance(group[0], dict) else None
    unknown: list[str] = []
    if entry is not None and dcc_type is not None:
        get = entry.get
        for field, known in run.valuesets.fields[dcc_type]:
            code = get(field)
            if code is not None and code not in known:
                unknown.append(f"{dcc_type}[0].{field}={code!r}")
    if not unknown:
        checks.append(_PASSED["dcc.valuesets"])
    else:
        detail = "not in the value sets: " + ", ".join(unknown)
        if run.policy.strict_valuesets:
            checks.append(_failed("dcc.valuesets", Code.VALUESET_UNKNOWN, detail))
        else:
            checks.append(_PASSED["dcc.valuesets"])
            run.warnings.append(Advisory(Code.VALUESET_UNKNOWN, detail, "dcc.valuesets"))


def _tolerated(
    run: _Run, dcc: Mapping[str, Any], error: SchemaError, warnings: list[Advisory]
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
                raise VaxpassError.for_code(code)(detail)
            warnings.append(Advisory(code, detail, "dcc.schema"))
    run.dcc = tolerated
    _find_types(run, tolerated)
    return tolerated


def _one_event(run: _Run) -> NoReturn:
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


def _check_facility(run: _Run, claims: Claims | None) -> None:
    """Viet Nam's level 1: the facility signed exactly the record the passport carries."""
    checks = run.checks
    if claims is None:
        for name in ("facility.attestation", "facility.certificate", "facility.signature"):
            checks.append(_skipped(name, "cwt.claims"))
        return
    raw = claims.claims.get(_att.ATTESTATION_CLAIM)
    if raw is None:
        # Facilities attest vaccinations; a test or recovery DCC never carries an attestation.
        if run.policy.require_attestation and run.dcc_type == "v":
            checks.append(
                _failed("facility.attestation", Code.FACILITY_MISSING, "no facility attestation")
            )
            checks.append(_skipped("facility.certificate", "facility.attestation"))
            checks.append(_skipped("facility.signature", "facility.attestation"))
        else:
            checks.extend(_NOT_APPLICABLE.values())
        return
    try:
        run.attestation = embedded = _att.EmbeddedAttestation.from_claim(raw)
        # The facility signs before the ministry issues (issue() refuses otherwise), and
        # nobody signs in the future: a later date is a broken chain, not clock skew.
        if _attested_late(embedded.signed_at, run.now, claims.issued_at, run.policy.leeway_seconds):
            raise VaxpassError.for_code(Code.FACILITY_NOT_YET_VALID)(
                f"the facility attestation is dated {iso(embedded.signed_at)}, after the "
                f"passport's iat ({_iso_or_none(claims.issued_at)}) or now ({iso(run.now)})"
            )
    except VaxpassError as exc:
        checks.append(_failed("facility.attestation", exc))
        checks.append(_skipped("facility.certificate", "facility.attestation"))
        checks.append(_skipped("facility.signature", "facility.attestation"))
        return
    checks.append(_PASSED["facility.attestation"])
    trust = run.trust
    if not trust.facility_roots and not trust.facilities:
        # A verifier abroad holds the ministry's signer certificates, not Viet Nam's facility
        # registry: the ministry's signature vouches for the passport, and the facility level
        # is checked where the registry is (a policy that requires it fails here).
        if run.policy.require_attestation:
            checks.append(_failed("facility.certificate", Code.FACILITY_UNKNOWN, _NO_REGISTRY))
            checks.append(_skipped("facility.signature", "facility.certificate"))
        else:
            checks.extend(_NO_REGISTRY_CHECKS)
        return
    record_cbor = _record_cbor(run, embedded.nationality)

    try:
        facilities = run.trust.check_facility(embedded.facility_kid, at=embedded.signed_at)
    except FacilityError as exc:
        checks.append(_failed("facility.certificate", exc))
        checks.append(_skipped("facility.signature", "facility.certificate"))
        return
    checks.append(_PASSED["facility.certificate"])

    if record_cbor is None:
        checks.append(
            _failed(
                "facility.signature",
                Code.FACILITY_MISMATCH,
                "the passport's DCC does not form a valid 11-field record",
            )
        )
        return
    try:
        if run.facility_checked == raw:
            # The caller verified this very signature a moment ago (issue()'s self-check).
            _att.check_digest(embedded, record_cbor)
        else:
            _att.verify_embedded(embedded, record_cbor, facilities)
    except VaxpassError as exc:
        checks.append(_failed("facility.signature", exc))
    else:
        checks.append(_PASSED["facility.signature"])


def _record_cbor(run: _Run, nationality: str | None) -> bytes | None:
    """What the facility signed: the CBOR of the vaccination DCC's 11-field record.

    None when the DCC is no valid record (or not a vaccination, or failed the schema).
    The record object itself is built only if someone reads ``unverified_record``.
    """
    dcc = run.dcc
    if run.dcc_type != "v" or dcc is None or not run.schema_ok:
        return None
    return signed_form(dcc, nationality=nationality)


def _check_revocation(run: _Run, message: Sign1Message, claims: Claims | None) -> None:
    checks = run.checks
    if claims is None:
        checks.append(_skipped("revocation", "cwt.claims"))
        return
    if not run.trust.revokes_passports:  # the common case: nothing could match
        checks.append(_PASSED["revocation"])
        return
    uci = certificate_id(run.dcc, run.dcc_type) if run.schema_ok and run.dcc is not None else None
    # COUNTRYCODEUCI hashes the issuing country as the CWT iss claim states it.
    country = claims.issuer or ""
    alg = message.alg if message.alg is not None else 0
    # An entry scoped to one Document Signer (EU batches are per kid) revokes only its passports.
    entry = run.trust.revoked(
        uci=uci or "", country=country, signature=message.signature, alg=alg, kid=message.kid
    )
    if entry is not None:
        checks.append(_failed("revocation", Code.REVOKED, f"revoked ({entry.kind})"))
    else:
        checks.append(_PASSED["revocation"])
