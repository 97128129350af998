"""``vaxpass verify``: every check, coloured; exit 0 valid, 1 invalid, 2 input error."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from cryptography import x509

from vaxpass_core import certlogic
from vaxpass_core.errors import QRNotFound
from vaxpass_core.policy import Policy
from vaxpass_core.trust import TrustStore
from vaxpass_core.verification import verify as verify_text

from ._common import (
    EXIT_INVALID,
    EXIT_VALID,
    NOW,
    InputError,
    echo_json,
    finish,
    now_or_clock,
    print_checks,
    print_rules,
    result_json,
    verdict,
)
from ._sources import read_bytes, read_passport_input, reading
from .pki_files import TRUST_FILE, PkiFilesError, load_trust_file


if TYPE_CHECKING:
    import datetime as dt


_POLICIES = {"eu": Policy(), "vn": Policy.vietnam(), "strict": Policy.strict()}


def load_rule_set(name: str) -> certlogic.RuleSet:
    """Rules from a gateway download (a JSON array), one rule file, or a folder in the
    gateway's layout (``<id>/rule.json``); anything unreadable or invalid: exit 2."""
    path = Path(name)
    if path.is_dir():
        files = sorted(path.glob("*/rule.json")) or sorted(path.glob("rule.json"))
        if not files:
            raise InputError(f"{name} holds no rule.json (nor <id>/rule.json)")
        with reading(name, "a folder of business rules"):
            return certlogic.RuleSet(certlogic.load_rule(f.read_bytes()) for f in files)
    data = read_bytes(name)
    with reading(name, "business rules (a JSON array of gateway rules, or one rule)"):
        if data.lstrip()[:1] == b"[":
            return certlogic.RuleSet.from_json(data)
        return certlogic.RuleSet([certlogic.load_rule(data)])


def _certificates(name: str) -> list[bytes | x509.Certificate]:
    data = read_bytes(name)
    with reading(name, "a DER or PEM certificate"):
        if b"-----BEGIN" in data:  # a PEM file may hold a bundle
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]


def build_trust(pki_dir: Path | None, certs: tuple[str, ...], trust_list: str | None) -> TrustStore:
    """One store from every source given; at least one is needed."""
    if pki_dir is None and not certs and trust_list is None:
        raise click.UsageError("say whom to trust: --pki DIR, --cert FILE or --trust-list FILE")
    parts: list[TrustStore] = []
    if pki_dir is not None:
        try:
            parts.append(load_trust_file(pki_dir / TRUST_FILE))
        except PkiFilesError as exc:
            raise InputError(str(exc)) from exc
    if certs:
        signers = [cert for name in certs for cert in _certificates(name)]
        with reading(", ".join(certs), "a Document Signer certificate"):
            parts.append(TrustStore.from_certificates(signers))
    if trust_list is not None:
        data = read_bytes(trust_list)
        with reading(trust_list, "an EU DCC trust list"):
            parts.append(TrustStore.from_trust_list(data))
    return TrustStore(
        signers=[s for p in parts for s in p.signers],
        facility_roots=[r for p in parts for r in p.facility_roots],
        facilities=[f for p in parts for f in p.facilities],
        revocations=[r for p in parts for r in p.revocations],
    )


@click.command()
@click.argument("source", metavar="TEXT|FILE|-")
@click.option(
    "--pki",
    "pki_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Trust the PKI in DIR (its trust.json; no private key is read).",
)
@click.option(
    "--cert",
    "certs",
    multiple=True,
    metavar="FILE",
    help="Trust this Document Signer certificate (DER or PEM). Repeatable.",
)
@click.option("--trust-list", metavar="FILE", help="Trust an EU DCC gateway trust list (JSON).")
@click.option(
    "--policy",
    type=click.Choice(sorted(_POLICIES), case_sensitive=False),
    default="eu",
    show_default=True,
    help="eu: the EU DCC rules; vn: also require Viet Nam's facility attestation; "
    "strict: every tolerated deviation fails (issuers' own QA).",
)
@click.option(
    "--rules",
    "rules_source",
    metavar="FILE|DIR",
    help="Also evaluate these business rules (CertLogic): a gateway rule list, a rule file, or "
    "a folder of <id>/rule.json. Needs --country; exit 0 only when accepted for entry.",
)
@click.option("--country", metavar="XX", help="The arrival country whose rules apply.")
@click.option("--region", metavar="R", help="The region within it, for its own rules.")
@NOW
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(
    *,
    source: str,
    pki_dir: Path | None,
    certs: tuple[str, ...],
    trust_list: str | None,
    policy: str,
    rules_source: str | None,
    country: str | None,
    region: str | None,
    now: dt.datetime | None,
    as_json: bool,
) -> None:
    """Verify a passport: HC1 TEXT, a FILE (text, PNG or JPEG), or '-' for stdin."""
    if (rules_source is None) != (country is None) or (region is not None and country is None):
        raise click.UsageError("--rules and --country go together (and --region with them)")
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise click.UsageError(f"--country takes a two-letter country code, not {country!r}")
    trust = build_trust(pki_dir, certs, trust_list)
    rules = load_rule_set(rules_source) if rules_source is not None else None
    try:
        text, _where = read_passport_input(source)
    except QRNotFound as exc:
        if as_json:
            echo_json({"ok": False, "codes": [str(exc.code)], "message": exc.message})
        else:
            click.echo(f"{verdict(ok=False)}  [{exc.code}] {exc.message}")
        finish(EXIT_INVALID)
    result = verify_text(
        text,
        trust=trust,
        now=now_or_clock(now),
        policy=_POLICIES[policy.lower()],
        rules=rules,
        country=None if country is None else country.upper(),
        region=region,
    )
    summary = result.summary()
    if as_json:
        echo_json({**result_json(result), "summary": summary})
    else:
        click.echo(f"Verification: {verdict(result.ok)}")
        print_checks(result)
        if result.rules is not None:
            click.echo(f"Entry rules: {verdict(result.accepted, 'ACCEPTED', 'NOT ACCEPTED')}")
            print_rules(result.rules)
        click.echo("\n" + summary)
    finish(EXIT_VALID if result.accepted else EXIT_INVALID)
