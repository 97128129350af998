"""The checker of the reference vectors: runs :func:`vaxpass_core.verify` over vector files
and compares what it sees with each file's ``EXPECTEDRESULTS``.

Private: :mod:`vaxpass_core.shell.vectors` re-exports the public names.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from vaxpass_core.errors import Code, VaxpassError
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.policy import Policy
from vaxpass_core.result import Status
from vaxpass_core.shell._vector_format import FLAG_CHECKS
from vaxpass_core.trust import TrustStore
from vaxpass_core.verification import verify


if TYPE_CHECKING:
    from collections.abc import Iterable

    from vaxpass_core.result import Check, VerificationResult


__all__ = ["FlagResult", "VectorCheck", "VectorReport", "check", "check_one"]


@attrs.frozen
class FlagResult:
    """One EXPECTEDRESULTS flag of one file: what it says and what ``verify()`` saw.

    ``observed`` is True when every check the flag stands for (:data:`FLAG_CHECKS`) passed,
    False when one failed or was skipped because one it depends on failed, and None when
    the step could not be observed (skipped as not applicable; for
    ``EXPECTEDPICTUREDECODE``, no QR reader installed).
    """

    flag: str
    expected: bool
    observed: bool | None
    detail: str = ""

    @property
    def agrees(self) -> bool:
        return self.observed is self.expected

    @property
    def checked(self) -> bool:
        return self.observed is not None or self.flag != "EXPECTEDPICTUREDECODE"


@attrs.frozen
class VectorCheck:
    """The outcome for one file."""

    path: str
    description: str
    flags: tuple[FlagResult, ...]
    #: The failure codes ``verify()`` reported (Viet Nam's policy: attestation required).
    codes: tuple[Code, ...] = ()
    #: Why the file could not be checked at all (missing field, unreadable certificate).
    error: str | None = None

    @property
    def disagreements(self) -> tuple[FlagResult, ...]:
        return tuple(f for f in self.flags if f.checked and not f.agrees)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.disagreements


@attrs.frozen
class VectorReport:
    """What :func:`check` found: one :class:`VectorCheck` per vector file."""

    vectors: tuple[VectorCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.vectors) and all(v.ok for v in self.vectors)

    @property
    def failed(self) -> tuple[VectorCheck, ...]:
        return tuple(v for v in self.vectors if not v.ok)

    def summary(self) -> str:
        """A few lines for people: the count, then each file that disagrees and why."""
        lines = [f"{len(self.vectors) - len(self.failed)}/{len(self.vectors)} vectors agree"]
        for vector in self.failed:
            if vector.error is not None:
                lines.append(f"{vector.path}: {vector.error}")
            lines.extend(
                f"{vector.path}: {flag.flag} expected {flag.expected}, "
                f"observed {flag.observed} {flag.detail}".rstrip()
                for flag in vector.disagreements
            )
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    """A decoded CBOR value as JSON holds it (frozen maps and tuples made plain)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _reference_cbor(hexdata: str) -> Any:
    """A vector file's own ``CBOR`` field, as plain values.

    It is the file's reference data, not input under test: read leniently, accepting the
    indefinite lengths the EU's files use (``verify()`` refuses them in a passport), with a
    date-time (tag 0, in Sweden's files) kept as its text, as ``verify()`` reads it.
    """
    return _plain(_cbor.loads_reference(bytes.fromhex(hexdata)))


def _failed_because(result: VerificationResult, check: Check) -> bool:
    """The check failed, or was skipped because one it depends on failed."""
    while check.status is Status.SKIPPED and check.depends_on is not None:
        check = result.check(check.depends_on)
    return check.status is Status.FAILED


def _status(result: VerificationResult, names: Iterable[str]) -> tuple[bool | None, str]:
    checks = [result.check(name) for name in names]
    if all(c.status is Status.PASSED for c in checks):
        return True, ""
    failed = [c for c in checks if _failed_because(result, c)]
    if failed:
        return False, "; ".join(f"{c.name}: {c.code or c.detail}" for c in failed)
    return None, "; ".join(f"{c.name} {c.status.value}" for c in checks if not c.passed)


def _observe(
    flag: str, vector: Mapping[str, Any], result: VerificationResult, read_pictures: bool
) -> tuple[bool | None, str]:
    if flag == "EXPECTEDPICTUREDECODE":
        return _picture_decodes(vector, read_pictures)
    observed, detail = _status(result, FLAG_CHECKS[flag])
    if observed and flag == "EXPECTEDDECODE" and "CBOR" in vector:
        # Compared as values: map order is free (dgc-testdata README, note 2).
        try:
            reference = _reference_cbor(vector["CBOR"])
        except Exception as exc:  # cbor2 raises several kinds on garbage
            return False, f"the file's CBOR field does not decode: {exc}"
        # The field holds the DCC in most files, the whole CWT claims set in some EU ones.
        if reference not in (_plain(result.dcc), _plain(result.claims)):
            return False, "the payload's DCC differs from the file's CBOR"
    if observed and flag == "EXPECTEDVALIDJSON" and _plain(result.dcc) != vector.get("JSON"):
        return False, "the payload's DCC differs from the file's JSON"
    return observed, detail


def _picture_decodes(vector: Mapping[str, Any], read_pictures: bool) -> tuple[bool | None, str]:
    if "2DCODE" not in vector or not read_pictures:
        return None, "not read"
    from vaxpass_core import scan  # noqa: PLC0415 - the optional [scan] extra

    try:
        texts = scan.read_qr(base64.b64decode(vector["2DCODE"]))
    except scan.ScanUnavailable:
        return None, "no QR reader installed (the [scan] extra)"
    except VaxpassError as exc:
        return False, str(exc)
    return texts == [vector.get("PREFIX")], f"read {texts!r}"


def _trust(context: Mapping[str, Any]) -> TrustStore:
    def der(name: str) -> list[bytes]:
        value = context.get(name)
        return [] if value is None else [base64.b64decode(value)]

    return TrustStore(
        signers=der("CERTIFICATE"),
        facility_roots=der("FACILITYROOT"),
        facilities=der("FACILITYCERTIFICATE"),
    )


def _clock(context: Mapping[str, Any]) -> datetime:
    clock = datetime.fromisoformat(context["VALIDATIONCLOCK"])
    # Some EU files give a naive clock; they mean UTC.
    return clock if clock.tzinfo is not None else clock.replace(tzinfo=UTC)


def check_one(path: str, vector: Mapping[str, Any], *, read_pictures: bool = True) -> VectorCheck:
    """Check one vector file's EXPECTEDRESULTS against :func:`vaxpass_core.verify`.

    ``verify()`` runs on ``PREFIX`` at ``TESTCTX.VALIDATIONCLOCK``, trusting only the
    file's ``CERTIFICATE`` (and its facility certificates), with Viet Nam's policy (the
    facility attestation required: it only affects ``EXPECTEDFACILITY``).
    """
    context = vector.get("TESTCTX", {})
    description = str(context.get("DESCRIPTION", ""))
    expected: Mapping[str, Any] = vector.get("EXPECTEDRESULTS", {})
    try:
        trust = _trust(context)
        clock = _clock(context)
        text = vector["PREFIX"]
    except (KeyError, TypeError, ValueError, VaxpassError) as exc:
        return VectorCheck(path, description, (), error=f"cannot check: {exc!r}")
    result = verify(text, trust=trust, now=clock, policy=Policy.vietnam())
    flags = []
    for flag, value in expected.items():
        if flag not in FLAG_CHECKS:
            continue  # EXPECTEDVALIDOBJECT, EXPECTEDENCODE: about making data, not reading it
        observed, detail = _observe(flag, vector, result, read_pictures)
        flags.append(FlagResult(flag, bool(value), observed, detail))
    return VectorCheck(path, description, tuple(flags), result.codes)


def check(
    files: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
    *,
    read_pictures: bool = True,
) -> VectorReport:
    """Check vector files (``{path: content}`` or ``(path, content)`` pairs, as
    :func:`generate` yields and as read back from a directory) with this library's
    ``verify()``. Files without ``EXPECTEDRESULTS`` are not vectors and are left out.

    *read_pictures* reads ``2DCODE`` with the optional QR reader, when installed.
    """
    pairs = files.items() if isinstance(files, Mapping) else files
    return VectorReport(
        tuple(
            check_one(path, content, read_pictures=read_pictures)
            for path, content in pairs
            if isinstance(content, dict) and "EXPECTEDRESULTS" in content
        )
    )
