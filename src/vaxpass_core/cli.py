"""The ``vaxpass`` command: the only part of the package that touches the clock and stdout.

Exit codes: 0 valid, 1 invalid, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from . import __name__ as _package
from .chain import attest, issue
from .record import sample
from .result import Status
from .testing import pki as make_pki
from .verify import verify


if TYPE_CHECKING:
    from collections.abc import Sequence

    from .result import VerificationResult


__all__ = ["main"]

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_COLOURS = {Status.PASSED: "32", Status.FAILED: "31", Status.SKIPPED: "33"}


def _paint(text: str, colour: str, out: TextIO) -> str:
    return f"\x1b[{colour}m{text}\x1b[0m" if out.isatty() else text


def _print_checks(result: VerificationResult, out: TextIO) -> None:
    for check in result.checks:
        status = _paint(f"{check.status.value:>7}", _COLOURS[check.status], out)
        extra = f"  [{check.code}] {check.detail}" if check.code else ""
        if check.status is Status.SKIPPED:
            extra = f"  ({check.detail})"
        print(f"  {status}  {check.name}{extra}", file=out)
    for advisory in result.warnings:
        print(f"  warning  [{advisory.code}] {advisory.detail}", file=out)


def _demo(out: TextIO) -> int:
    """Issue a passport for a sample citizen with a throwaway test PKI, show it, verify it."""
    now = datetime.now(UTC)
    pki = make_pki(seed=0)
    record = sample()
    print("Vaccination record (Decision 5772/QĐ-BYT, 11 fields):", file=out)
    for (vi, value), (en, _) in zip(record.labelled("vi"), record.labelled("en"), strict=True):
        print(f"  {vi} / {en}: {value}", file=out)

    facility = pki.facilities[0]
    attestation = attest(record, facility=facility, now=now)
    print(f"\nLevel 1: facility {facility.facility_id} attested the record.", file=out)
    passport = issue(attestation, issuer=pki.document_signer, trust=pki.trust, now=now)
    print("Level 2: the ministry issued the passport (ES256, test PKI).\n", file=out)

    print("EU DCC payload:", file=out)
    print(json.dumps(passport.dcc, ensure_ascii=False, indent=2), file=out)
    symbol = passport.qr()
    print(
        f"\nQR text: {len(passport.qr_text)} characters, "
        f"QR version {symbol.version} at level {symbol.error}",
        file=out,
    )
    print(passport.qr_text, file=out)
    from .qr import qr_terminal  # noqa: PLC0415 - segno is only needed here

    print(qr_terminal(symbol), file=out)

    result = verify(passport.qr_text, trust=pki.trust, now=now)
    verdict = _paint("VALID" if result.ok else "INVALID", "32" if result.ok else "31", out)
    print(f"Verification: {verdict}", file=out)
    _print_checks(result, out)
    return EXIT_VALID if result.ok else EXIT_INVALID


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaxpass", description=f"{_package}: Viet Nam's vaccine passport (EU DCC)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="issue, show and verify a sample passport (test PKI)")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command == "demo":
        return _demo(out)
    return EXIT_USAGE  # pragma: no cover - argparse refuses unknown commands first


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
