"""``vaxpass inspect``: every layer, decoded without verifying; garbage never crashes it."""

from __future__ import annotations

import json
import zlib
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.cli.inspection import inspect_text
from vaxpass_core.cli.pki_files import load_pki_dir
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.hazmat.base45 import b45encode
from vaxpass_core.testing import sample_record


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from click.testing import Result


def test_every_layer_of_a_passport(
    pki_dir: Path, passport: str, cli: Callable[..., Result]
) -> None:
    result = cli("inspect", passport, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    layers = {layer.pop("layer"): layer for layer in report["layers"]}
    assert list(layers) == ["prefix", "base45", "zlib", "cose", "claims", "dcc", "attestation"]
    pki = load_pki_dir(pki_dir)
    assert layers["zlib"]["first_block"] == "stored"  # what issue() writes by default
    assert layers["cose"]["alg"] == "ES256"
    assert layers["cose"]["kid"] == pki.document_signer.kid.hex()
    assert layers["cose"]["protected"] == {"1": -7, "4": pki.document_signer.kid.hex()}
    assert layers["claims"]["iss"] == "VN"
    assert layers["claims"]["iat"] == "2026-06-01T12:00:00Z"
    assert layers["claims"]["exp"] == "2027-06-01T12:00:00Z"
    assert layers["dcc"]["dcc"]["ver"] == "1.3.0"
    assert layers["attestation"]["facility_kid"] == pki.facilities[0].kid.hex()
    assert layers["attestation"]["nationality"] == "VN"
    assert report["error"] is None
    text = cli("inspect", passport).stdout
    for heading in ("PREFIX", "BASE45", "ZLIB", "COSE", "CLAIMS", "DCC", "ATTESTATION"):
        assert f"\n{heading}\n" in "\n" + text


def test_a_dcc_with_its_own_layer_key(pki_dir: Path, cli: Callable[..., Result]) -> None:
    # A hostile DCC may hold a "layer" key: it must not rename its layer, be lost, or crash.
    signer = load_pki_dir(pki_dir).document_signer
    dcc = {**sample_record().to_dcc(country="VN", issuer=signer.issuer_name), "layer": 5}
    payload = cwt.encode_claims(dcc=dcc, issuer="VN", issued_at=1780000000, expires_at=1790000000)
    text = hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid, alg=signer.alg))
    result = cli("inspect", text, "--json")
    assert result.exit_code == 0, result.output
    layers = json.loads(result.stdout)["layers"]
    names = [layer["layer"] for layer in layers]
    assert names == ["prefix", "base45", "zlib", "cose", "claims", "dcc", "attestation"]
    assert layers[5]["dcc"]["ver"] == "1.3.0"
    assert layers[5]["dcc"]["layer"] == 5
    result = cli("inspect", text)
    assert result.exit_code == 0, result.output
    assert "\nDCC\n" in result.stdout
    assert '"layer": 5' in result.stdout  # the text output shows the DCC whole


def test_deflated_and_unattested(pki_dir: Path, passport: str) -> None:
    deflated = hc1.encode(hc1.decode(passport), compress=9)
    zlib_layer = inspect_text(deflated).layers[2]
    assert zlib_layer.fields["first_block"].startswith("deflated")
    signer = load_pki_dir(pki_dir).document_signer
    message = cose.decode_sign1(hc1.decode(passport))
    bare = cose.sign1(b"\xa1\x01\x02", key=signer.key, kid=signer.kid, alg=signer.alg)
    found = inspect_text(hc1.encode(bare))
    assert found.error is not None
    assert found.error[:2] == ("claims", "cwt.claims")
    assert [layer.name for layer in found.layers] == ["prefix", "base45", "zlib", "cose"]
    assert message.kid == signer.kid


def test_garbage_shows_how_far_it_got(tmp_path: Path, cli: Callable[..., Result]) -> None:
    cases = {
        "HC1:A": "base45",  # one character is no Base45 group
        "HC1:" + b45encode(b"not zlib at all"): "zlib",
        hc1.encode(b"\xff\x00"): "cose",
        "hello": "prefix",
    }
    for text, layer in cases.items():
        (tmp_path / "in.txt").write_text(text)
        result = cli("inspect", str(tmp_path / "in.txt"), "--json")
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        assert report["error"]["layer"] == layer
        assert report["error"]["code"].startswith(("hc1.", "cbor.", "cose."))
    (tmp_path / "bin").write_bytes(bytes(range(256)))
    result = cli("inspect", str(tmp_path / "bin"))
    assert result.exit_code == 1
    assert "stopped at prefix: [hc1.prefix]" in result.stdout
    assert cli("inspect", str(tmp_path / "absent.txt")).exit_code == 2


@given(st.binary(max_size=300))
def test_inspect_never_raises_on_any_payload(data: bytes) -> None:
    for text in ("HC1:" + b45encode(data), "HC1:" + b45encode(zlib.compress(data))):
        found = inspect_text(text)
        assert found.ok == (found.error is None)
        assert len(found.layers) >= 2


@given(st.text(max_size=200))
def test_inspect_never_raises_on_any_text(text: str) -> None:
    found = inspect_text(text)
    assert found.error is not None or found.layers[-1].name == "attestation"
