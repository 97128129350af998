"""``vaxpass pki init`` and the loader other code uses: ``load_pki_dir``."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING

import pytest

from vaxpass_core.cli.pki_files import PkiFilesError, load_pki_dir, load_trust_file
from vaxpass_core.signers import DocumentSigner, FacilitySigner
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.trust import TrustStore


if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from click.testing import Result


def test_init_writes_the_documented_layout(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("pki", "init", str(tmp_path / "p"), "--seed", "5", "--facilities", "2")
    assert result.exit_code == 0, result.output
    root = tmp_path / "p"
    for folder in ("ministry-root", "document-signer", "facility-ca", "facilities/VN-FAC-0002"):
        assert stat.S_IMODE((root / folder / "key.pem").stat().st_mode) == 0o600
        assert (root / folder / "cert.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    manifest = json.loads((root / "pki.json").read_text())
    assert (manifest["format"], manifest["seed"], manifest["alg"]) == ("vaxpass-pki/1", 5, "ES256")
    trust = json.loads((root / "trust.json").read_text())
    assert trust["signers"] == ["document-signer/cert.pem"]
    assert len(trust["facilities"]) == 2


def test_loader_shape_and_seed_derivation(tmp_path: Path, cli: Callable[..., Result]) -> None:
    assert cli("pki", "init", str(tmp_path), "--seed", "5").exit_code == 0
    files = load_pki_dir(tmp_path)
    reference = make_pki(5)
    assert isinstance(files.document_signer, DocumentSigner)
    assert isinstance(files.trust, TrustStore)
    assert isinstance(files.facilities, tuple)
    assert all(isinstance(f, FacilitySigner) for f in files.facilities)
    assert files.document_signer.kid == reference.document_signer.kid
    assert [f.kid for f in files.facilities] == [f.kid for f in reference.facilities]
    assert files.seed == 5
    assert files.trust.kids == {reference.document_signer.kid}
    assert files.trust.chains_to_root(files.facilities[0])
    assert files.facility("VN-FAC-0003") is files.facilities[2]
    assert files.facility() is files.facilities[0]
    with pytest.raises(PkiFilesError, match="no facility 'VN-FAC-9999'"):
        files.facility("VN-FAC-9999")


def test_ps256_and_fresh_random_seeds(tmp_path: Path, cli: Callable[..., Result]) -> None:
    assert cli("pki", "init", str(tmp_path / "a"), "--alg", "PS256").exit_code == 0
    assert cli("pki", "init", str(tmp_path / "b"), "--json").exit_code == 0
    a, b = load_pki_dir(tmp_path / "a"), load_pki_dir(tmp_path / "b")
    assert a.document_signer.alg_name == "PS256"
    assert b.document_signer.alg_name == "ES256"
    assert a.seed != b.seed  # 63 random bits each
    assert a.facilities[0].kid != b.facilities[0].kid


def test_init_refuses_a_non_empty_directory_unless_forced(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = cli("pki", "init", str(tmp_path), "--seed", "1")
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert not (tmp_path / "pki.json").exists()
    assert cli("pki", "init", str(tmp_path), "--seed", "1", "--force").exit_code == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert load_pki_dir(tmp_path).seed == 1
    assert cli("pki", "init", str(tmp_path / "notes.txt")).exit_code == 2  # a file, not a dir


def test_loader_errors_are_pki_files_errors(tmp_path: Path, pki_dir: Path) -> None:
    with pytest.raises(PkiFilesError, match="not a directory"):
        load_pki_dir(tmp_path / "absent")
    with pytest.raises(PkiFilesError, match="cannot read"):
        load_pki_dir(tmp_path)  # no pki.json
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("pki.json", "trust.json"):
        (copy / name).write_bytes((pki_dir / name).read_bytes())
    with pytest.raises(PkiFilesError, match="cannot read"):
        load_pki_dir(copy)  # the key files are missing
    (copy / "pki.json").write_text('{"format": "something else"}')
    with pytest.raises(PkiFilesError, match="is not a vaxpass-pki/1 file"):
        load_pki_dir(copy)
    (copy / "pki.json").write_text("[")
    with pytest.raises(PkiFilesError, match="not JSON"):
        load_pki_dir(copy)


def test_trust_file_with_revocations_and_bad_entries(tmp_path: Path, pki_dir: Path) -> None:
    trust = json.loads((pki_dir / "trust.json").read_text())
    kid = load_pki_dir(pki_dir).facilities[0].kid
    trust["revocations"] = [{"kind": "FACILITY_KID", "value": kid.hex(), "kid": None}]
    path = pki_dir / "trust-revoked.json"
    path.write_text(json.dumps(trust))
    try:
        store = load_trust_file(path)
        assert store.facility_revoked(load_pki_dir(pki_dir).facilities[0]) is not None
        trust["revocations"] = [{"kind": "FACILITY_KID", "value": "zz"}]
        path.write_text(json.dumps(trust))
        with pytest.raises(PkiFilesError, match="bad revocation entry"):
            load_trust_file(path)
        trust["revocations"] = []
        trust["signers"] = ["pki.json"]  # not a certificate
        path.write_text(json.dumps(trust))
        with pytest.raises(PkiFilesError, match="does not load"):
            load_trust_file(path)
    finally:
        path.unlink()
