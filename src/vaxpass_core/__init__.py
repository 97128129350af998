"""vaxpass-core: Viet Nam's vaccine passport and the EU Digital COVID Certificate.

The whole public API is importable from here::

    import vaxpass_core as vp

    att = vp.attest(record, facility=facility_signer, now=now)            # level 1
    passport = vp.issue(att, issuer=ministry_signer, trust=trust, now=now)  # level 2
    result = vp.verify(passport.qr_text, trust=trust, now=now)            # never raises

Nothing in the library reads a file, the network or the clock: keys, trust and ``now`` are
always arguments.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING

from . import _moved, certlogic, errors, uvci, valuesets
from .attestation import Attestation, EmbeddedAttestation
from .chain import Passport, attest, attest_and_issue, issue, reissue
from .errors import Code, VaxpassError
from .icao import transliterate
from .policy import Policy
from .record import FullName, VaccinationRecord
from .result import CHECK_ORDER, Advisory, Check, Outcome, Status, VerificationResult
from .signers import DocumentSigner, FacilitySigner
from .trust import Revocation, TrustStore, revocation_entries, revocations_from_batch
from .valuesets import ValueSets
from .verification import verify


if TYPE_CHECKING:  # loaded when first asked for (below); named here for type checkers
    from . import qr, scan


_moved.install()

__all__ = [
    "CHECK_ORDER",
    "Advisory",
    "Attestation",
    "Check",
    "Code",
    "DocumentSigner",
    "EmbeddedAttestation",
    "FacilitySigner",
    "FullName",
    "Outcome",
    "Passport",
    "Policy",
    "Revocation",
    "Status",
    "TrustStore",
    "VaccinationRecord",
    "ValueSets",
    "VaxpassError",
    "VerificationResult",
    "__version__",
    "attest",
    "attest_and_issue",
    "certlogic",
    "errors",
    "issue",
    "qr",
    "reissue",
    "revocation_entries",
    "revocations_from_batch",
    "scan",
    "testing",
    "transliterate",
    "uvci",
    "valuesets",
    "verify",
]


# Façade modules loaded when first asked for: `testing` pulls in the test PKI (and, on demand,
# hypothesis), `qr` segno, `scan` the optional [scan] extra.
_LAZY_MODULES = frozenset({"qr", "scan", "testing"})


def __getattr__(name: str) -> object:
    if name in _LAZY_MODULES:
        import importlib  # noqa: PLC0415

        return importlib.import_module(f".{name}", __name__)
    if name == "__version__":
        return _metadata.version("vaxpass-core")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
