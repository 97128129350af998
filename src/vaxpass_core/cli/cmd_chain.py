"""``vaxpass attest`` (level 1, a facility) and ``vaxpass issue`` (level 2, the ministry)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaxpass_core.chain import attest as attest_record
from vaxpass_core.chain import issue as issue_passport
from vaxpass_core.errors import VaxpassError
from vaxpass_core.qr import ERROR_LEVELS, qr_png, qr_svg

from ._common import EXIT_VALID, NOW, b64, echo_json, epoch_iso, finish, now_or_clock, refuse
from ._sources import load_pki, load_record, read_attestation, write_output
from .pki_files import PkiFiles, PkiFilesError


if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    import segno

    from vaxpass_core.attestation import Attestation
    from vaxpass_core.chain import Passport


_PKI = click.option(
    "--pki",
    "pki_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="A directory made by `vaxpass pki init`.",
)
_FACILITY = click.option(
    "--facility", "facility_id", default=None, help="The facility id. Default: the PKI's first."
)
_UNKNOWN = click.option(
    "--allow-unknown-codes", is_flag=True, help="Accept codes outside the EU DCC value sets."
)
# attest takes the flag too, for old scripts, but a record is checked for form only: only
# issue() decides whether codes outside the value sets may be issued.
_UNKNOWN_IGNORED = click.option(
    "--allow-unknown-codes",
    is_flag=True,
    expose_value=False,
    help="Ignored (kept for old scripts): `vaxpass issue` decides on unknown codes.",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
_OUT = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout."
)


def _attest(
    pki: PkiFiles,
    record_file: str,
    facility_id: str | None,
    *,
    now: dt.datetime,
    as_json: bool,
) -> Attestation:
    try:
        facility = pki.facility(facility_id)
    except PkiFilesError as exc:
        raise click.BadParameter(str(exc), param_hint="--facility") from exc
    try:
        record = load_record(record_file)
        return attest_record(record, facility=facility, now=now)
    except VaxpassError as exc:
        refuse(exc, as_json=as_json)


@click.command()
@click.argument("record_file", metavar="RECORD.json")
@_PKI
@_FACILITY
@_OUT
@click.option(
    "--binary", is_flag=True, help="Write the raw COSE_Sign1 bytes, not base64 text (needs --out)."
)
@_UNKNOWN_IGNORED
@NOW
@_JSON
def attest(
    *,
    record_file: str,
    pki_dir: Path,
    facility_id: str | None,
    out: Path | None,
    binary: bool,
    now: dt.datetime | None,
    as_json: bool,
) -> None:
    """Level 1: a facility signs the record in RECORD.json ('-' for stdin).

    The attestation (a COSE_Sign1) goes to stdout as one line of base64, or to --out FILE
    (base64 text, or raw bytes with --binary). `vaxpass issue` reads either form.
    """
    if binary and out is None:
        raise click.UsageError("--binary needs --out FILE (raw bytes do not go to a terminal)")
    att = _attest(
        load_pki(pki_dir),
        record_file,
        facility_id,
        now=now_or_clock(now),
        as_json=as_json,
    )
    data = att.to_bytes()
    if out is not None:
        write_output(out, data if binary else (b64(data) + "\n").encode())
    if as_json:
        echo_json(
            {
                "ok": True,
                "facility_kid": att.facility_kid.hex(),
                "signed_at": epoch_iso(att.signed_at),
                "certificate_id": att.record.certificate_id,
                "out": None if out is None else str(out),
                "attestation": b64(data) if out is None else None,
            }
        )
    elif out is None:
        click.echo(b64(data))
    else:
        click.echo(f"Attestation of {att.record.certificate_id} written to {out}", err=True)
    finish(EXIT_VALID)


@click.command()
@click.argument("attestation_file", metavar="ATTESTATION", required=False)
@_PKI
@click.option(
    "--record",
    "record_file",
    metavar="RECORD.json",
    help="Attest this record and issue in one go (instead of ATTESTATION).",
)
@_FACILITY
@_OUT
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Write a PNG QR.")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Write an SVG QR.")
@click.option(
    "--error-level",
    type=click.Choice(ERROR_LEVELS, case_sensitive=False),
    default="Q",
    show_default=True,
    help="QR error correction level.",
)
@_UNKNOWN
@NOW
@_JSON
def issue(
    *,
    attestation_file: str | None,
    pki_dir: Path,
    record_file: str | None,
    facility_id: str | None,
    out: Path | None,
    png: Path | None,
    svg: Path | None,
    error_level: str,
    allow_unknown_codes: bool,
    now: dt.datetime | None,
    as_json: bool,
) -> None:
    """Level 2: the ministry issues a passport from ATTESTATION (a file, '-' for stdin).

    The HC1 text goes to stdout or --out FILE; --png and --svg write its QR code.
    """
    if (attestation_file is None) == (record_file is None):
        raise click.UsageError("give ATTESTATION or --record RECORD.json (exactly one)")
    if facility_id is not None and record_file is None:
        raise click.UsageError("--facility goes with --record")
    now = now_or_clock(now)
    pki = load_pki(pki_dir)
    if record_file is not None:
        attestation: Attestation | bytes = _attest(
            pki,
            record_file,
            facility_id,
            now=now,
            as_json=as_json,
        )
    else:
        attestation = read_attestation(attestation_file or "-")
    try:
        passport = issue_passport(
            attestation,
            issuer=pki.document_signer,
            trust=pki.trust,
            now=now,
            allow_unknown_codes=allow_unknown_codes,
        )
    except VaxpassError as exc:
        refuse(exc, as_json=as_json)
    _report_passport(
        passport,
        passport.qr(error=error_level.upper()),
        alg_name=pki.document_signer.alg_name,
        files={"out": out, "png": png, "svg": svg},
        as_json=as_json,
    )


def _report_passport(
    passport: Passport,
    symbol: segno.QRCode,
    *,
    alg_name: str,
    files: Mapping[str, Path | None],
    as_json: bool,
) -> None:
    """Write the passport's text and QR pictures where asked, then say what was done."""
    out, png, svg = files["out"], files["png"], files["svg"]
    if out is not None:
        write_output(out, (passport.qr_text + "\n").encode())
    if png is not None:
        write_output(png, qr_png(symbol))
    if svg is not None:
        write_output(svg, qr_svg(symbol))
    if as_json:
        echo_json(
            {
                "ok": True,
                "qr_text": passport.qr_text,
                "certificate_id": passport.certificate_id,
                "issued_at": epoch_iso(passport.issued_at),
                "expires_at": epoch_iso(passport.expires_at),
                "kid": passport.kid.hex(),
                "alg": alg_name,
                "qr_version": symbol.version,
                "error_level": symbol.error,
                "files": {k: str(v) for k, v in files.items() if v},
            }
        )
    elif out is None:
        click.echo(passport.qr_text)
    else:
        click.echo(f"Passport {passport.certificate_id} written to {out}", err=True)
    finish(EXIT_VALID)
