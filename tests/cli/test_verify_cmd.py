"""``vaxpass verify``: every input form, every trust source, the policies, the exit codes."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization

import vaxpass_core as vp
from vaxpass_core import scan
from vaxpass_core.cli.pki_files import load_pki_dir
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.qr import qr_png
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.testing.pki import SIGNER_NOT_BEFORE


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest
    from click.testing import Result

NOW = "2026-06-01T12:00:00Z"


def test_valid_passport_from_text_file_and_stdin(
    tmp_path: Path, pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    pki = ("--pki", str(pki_dir), "--now", NOW)
    result = cli("verify", passport, *pki)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Verification: VALID")
    assert "HỢP LỆ / VALID" in result.stdout  # the library's bilingual summary
    (tmp_path / "p.txt").write_text(passport + "\n")
    assert cli("verify", str(tmp_path / "p.txt"), *pki).exit_code == 0
    assert cli("verify", "-", *pki, stdin=passport + "\n").exit_code == 0
    report = json.loads(cli("verify", passport, *pki, "--json").stdout)
    assert [c["name"] for c in report["checks"]] == list(vp.CHECK_ORDER)
    assert {c["status"] for c in report["checks"]} == {"passed"}
    assert report["dcc"]["v"][0]["ci"] == sample_record().certificate_id
    assert report["summary"].startswith("HỢP LỆ / VALID")


def test_invalid_passports_exit_1_with_codes(
    pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    def codes(text: str, *extra: str) -> tuple[int, list[str]]:
        result = cli("verify", text, "--pki", str(pki_dir), "--json", *extra)
        return result.exit_code, json.loads(result.stdout)["codes"]

    assert codes(passport, "--now", "2028-01-01") == (1, ["time.expired"])
    assert codes(passport, "--now", "2026-06-01T11:00") == (1, ["time.not-yet-valid"])
    assert codes("HC1:" + passport[4:20])[0] == 1
    assert codes(passport.replace("HC1:", "HC2:"), "--now", NOW) == (1, ["hc1.prefix"])
    # signed by someone else's key: not trusted
    other = make_pki(seed=99)
    att = vp.attest(sample_record(), facility=other.facilities[0], now=SIGNER_NOT_BEFORE)
    foreign = vp.issue(
        att, issuer=other.document_signer, trust=other.trust, now=SIGNER_NOT_BEFORE
    ).qr_text
    status, found = codes(foreign, "--now", NOW)
    assert (status, found[0]) == (1, "key.unknown")


def _no_attestation(pki_dir: Path) -> str:
    """A passport signed by the PKI's Document Signer without Viet Nam's level 1."""
    signer = load_pki_dir(pki_dir).document_signer
    dcc = sample_record().to_dcc(country="VN", issuer=signer.issuer_name)
    payload = cwt.encode_claims(dcc=dcc, issuer="VN", issued_at=1780000000, expires_at=1790000000)
    return hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid, alg=signer.alg))


def test_policies(pki_dir: Path, cli: Callable[..., Result]) -> None:
    text = _no_attestation(pki_dir)
    base = ("verify", text, "--pki", str(pki_dir), "--now", NOW)
    assert cli(*base).exit_code == 0  # EU rules: no attestation needed
    result = cli(*base, "--policy", "VN", "--json")
    assert (result.exit_code, json.loads(result.stdout)["codes"]) == (1, ["facility.missing"])


def test_trust_from_certificates_and_trust_lists(
    tmp_path: Path, pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    # A passport without Viet Nam's attestation, and ours: with a signer certificate alone,
    # the ministry level is checked; the facility level only with a facility registry.
    text = _no_attestation(pki_dir)
    certificate = load_pki_dir(pki_dir).document_signer.certificate
    der = certificate.public_bytes(serialization.Encoding.DER)
    (tmp_path / "dsc.der").write_bytes(der)
    (tmp_path / "dsc.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    for name in ("dsc.der", "dsc.pem"):
        result = cli("verify", text, "--cert", str(tmp_path / name), "--now", NOW)
        assert result.exit_code == 0, result.output
    result = cli("verify", passport, "--cert", str(tmp_path / "dsc.der"), "--now", NOW, "--json")
    checks = {c["name"]: c["status"] for c in json.loads(result.stdout)["checks"]}
    assert checks["signature"] == "passed"
    assert checks["facility.certificate"] != "passed"  # no registry given: not checked
    entry = {
        "kid": "",
        "country": "VN",
        "certificateType": "DSC",
        "rawData": base64.b64encode(der).decode(),
    }
    (tmp_path / "list.json").write_text(json.dumps([entry]))
    result = cli("verify", text, "--trust-list", str(tmp_path / "list.json"), "--now", NOW)
    assert result.exit_code == 0, result.output
    # wrong trust input: exit 2
    (tmp_path / "junk").write_bytes(b"not a certificate")
    (tmp_path / "bad.json").write_text('{"certificates": 3}')
    assert cli("verify", passport, "--cert", str(tmp_path / "junk")).exit_code == 2
    assert cli("verify", passport, "--cert", str(tmp_path / "absent.pem")).exit_code == 2
    assert cli("verify", passport, "--trust-list", str(tmp_path / "bad.json")).exit_code == 2
    assert cli("verify", passport, "--pki", str(tmp_path)).exit_code == 2  # no trust.json
    assert cli("verify", passport).exit_code == 2  # nobody to trust


def test_pictures(
    tmp_path: Path,
    pki_dir: Path,
    passport: str,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "p.png").write_bytes(qr_png(passport))
    (tmp_path / "other.png").write_bytes(qr_png("HELLO WORLD"))
    base = ("--pki", str(pki_dir), "--now", NOW)
    assert cli("verify", str(tmp_path / "p.png"), *base).exit_code == 0
    result = cli("verify", str(tmp_path / "other.png"), *base, "--json")
    assert (result.exit_code, json.loads(result.stdout)["codes"]) == (1, ["qr.not-found"])

    def unavailable(_: Any) -> str:
        raise scan.ScanUnavailable("no zxingcpp")

    monkeypatch.setattr(scan, "read_passport", unavailable)
    result = cli("verify", str(tmp_path / "p.png"), *base)
    assert result.exit_code == 2
    assert "pip install 'vaxpass-core[scan]'" in result.stderr


def test_missing_files_and_colour(pki_dir: Path, passport: str, cli: Callable[..., Result]) -> None:
    base = ("--pki", str(pki_dir), "--now", NOW)
    result = cli("verify", "missing.txt", *base)
    assert result.exit_code == 2
    assert "no such file: missing.txt" in result.stderr
    assert cli("verify", "./some/dir/", *base).exit_code == 2
    assert "\x1b[" not in cli("verify", passport, *base).stdout
    assert "\x1b[32m" in cli("verify", passport, *base, color=True).stdout
    assert "\x1b[" not in cli("--no-color", "verify", passport, *base, color=True).stdout


def test_the_summary_is_always_printed(
    pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    # result.summary() always has a verdict line, so an invalid passport gets one too.
    base = ("verify", passport, "--pki", str(pki_dir), "--now", "2028-01-01")
    result = cli(*base)
    assert result.exit_code == 1
    assert "\nKHÔNG HỢP LỆ / INVALID\n" in result.stdout
    report = json.loads(cli(*base, "--json").stdout)
    assert report["summary"].startswith("KHÔNG HỢP LỆ / INVALID")
