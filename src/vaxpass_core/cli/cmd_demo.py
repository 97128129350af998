"""``vaxpass demo``: a throwaway test PKI, a sample citizen, attest, issue, QR, verify."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from vaxpass_core.chain import attest, issue
from vaxpass_core.qr import qr_terminal
from vaxpass_core.shell.demo import demo_record
from vaxpass_core.shell.devpki import pki as make_pki
from vaxpass_core.shell.record_json import record_to_json
from vaxpass_core.verification import verify

from ._common import (
    EXIT_INVALID,
    EXIT_VALID,
    NOW,
    echo_json,
    finish,
    now_or_clock,
    print_checks,
    result_json,
    verdict,
)


if TYPE_CHECKING:
    import datetime as dt


@click.command()
@NOW
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
def demo(now: dt.datetime | None, as_json: bool) -> None:
    """Issue, show and verify a passport for a sample citizen (in-memory test PKI).

    Nothing is written: the keys are the library's published test keys (seed 0).
    """
    now = now_or_clock(now)
    pki = make_pki(seed=0)
    record = demo_record()
    facility = pki.facilities[0]
    passport = issue(
        attest(record, facility=facility, now=now),
        issuer=pki.document_signer,
        trust=pki.trust,
        now=now,
    )
    result = verify(passport.qr_text, trust=pki.trust, now=now)
    code = EXIT_VALID if result.ok else EXIT_INVALID
    if as_json:
        echo_json(
            {
                "record": record_to_json(record),
                "facility": facility.facility_id,
                "dcc": passport.dcc,
                "qr_text": passport.qr_text,
                "verification": result_json(result),
            }
        )
        finish(code)

    click.secho("Vaccination record (Decision 5772/QĐ-BYT, 11 fields):", bold=True)
    for (vi, value), (en, _) in zip(record.labelled("vi"), record.labelled("en"), strict=True):
        click.echo(f"  {vi} / {en}: {value}")
    click.echo(f"\nLevel 1: facility {facility.facility_id} attested the record.")
    click.echo("Level 2: the ministry issued the passport (ES256, test PKI).\n")
    click.secho("EU DCC payload:", bold=True)
    echo_json(passport.dcc)
    symbol = passport.qr()
    click.echo(
        f"\nQR text: {len(passport.qr_text)} characters, "
        f"QR version {symbol.version} at level {symbol.error}"
    )
    click.echo(passport.qr_text)
    click.echo(qr_terminal(symbol), nl=False)
    click.echo(f"Verification: {verdict(result.ok)}")
    print_checks(result)
    finish(code)
