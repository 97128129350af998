"""``vaxpass pki init DIR``: a development PKI on disk (layout: :mod:`.pki_files`)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import click

from vaxpass_core.shell.devpki import pki as make_pki

from ._common import EXIT_VALID, InputError, echo_json, finish, require_empty_dir
from .pki_files import MANIFEST, TRUST_FILE, write_pki_dir


@click.group()
def pki() -> None:
    """Development PKIs on disk."""


@pki.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Derive every key from this seed (reproducible). Default: a fresh random seed.",
)
@click.option(
    "--alg",
    type=click.Choice(["ES256", "PS256"], case_sensitive=False),
    default="ES256",
    show_default=True,
    help="The Document Signer's algorithm.",
)
@click.option(
    "--facilities",
    "count",
    type=click.IntRange(1, 1000),
    default=3,
    show_default=True,
    help="How many facilities (VN-FAC-0001, ...).",
)
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def init(
    *, directory: Path, seed: int | None, alg: str, count: int, force: bool, as_json: bool
) -> None:
    """Write a development PKI to DIRECTORY: ministry root, Document Signer, facility CA,
    facilities, and trust.json for verifiers.

    Private keys are unencrypted PEM files with mode 0600. NEVER use them for real passports;
    the PS256 Document Signer key is the library's published RSA test key whatever the seed.
    """
    require_empty_dir(directory, force=force)
    if seed is None:
        seed = secrets.randbits(63)  # the command line may use randomness; the library never
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    try:
        manifest = write_pki_dir(
            directory, make_pki(seed, facilities=count), alg=alg.upper(), created=created
        )
    except OSError as exc:
        raise InputError(f"cannot write {directory}: {exc.strerror or exc}") from exc
    if as_json:
        echo_json({"directory": str(directory), **manifest})
        finish(EXIT_VALID)
    ds = manifest["document_signer"]
    click.echo(f"Development PKI written to {click.style(str(directory), bold=True)}")
    click.echo(f"  seed             {seed}")
    click.echo(f"  Document Signer  {ds['alg']}, kid {ds['kid']}")
    click.echo(f"  facilities       {', '.join(f['id'] for f in manifest['facilities'])}")
    click.echo(f"  manifest         {directory / MANIFEST}")
    click.echo(f"  trust store      {directory / TRUST_FILE}")
    click.secho("  Test keys only: never use them for real passports.", fg="yellow")
    finish(EXIT_VALID)
