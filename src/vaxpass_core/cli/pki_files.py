"""A development PKI on disk: written by ``vaxpass pki init``, read by ``--pki DIR``.

Layout (PEM everywhere; private keys are unencrypted PKCS #8, mode 0600)::

    DIR/
      pki.json                         manifest: format, seed, algorithm, which file is what
      trust.json                       the trust store description (paths relative to DIR)
      ministry-root/cert.pem, key.pem  the ministry root (CSCA); signs the Document Signer
      document-signer/cert.pem, key.pem  the Document Signer (ES256, or PS256)
      facility-ca/cert.pem, key.pem    the facility CA; signs the facility certificates
      facilities/<ID>/cert.pem, key.pem  one directory per facility (ID: VN-FAC-0001, ...)

``trust.json`` is all a verifier needs (no private key): ``{"format": "vaxpass-trust/1",
"signers": [...], "facility_roots": [...], "facilities": [...], "revocations": [...]}``, the
first three lists of certificate file paths (PEM or DER), revocations as ``{"kind": ...,
"value": hex, "kid": hex or null}`` (:class:`vaxpass_core.Revocation`).

This module is the command line's (it reads and writes files); the library never does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
from cryptography.hazmat.primitives import serialization

from vaxpass_core.signers import DocumentSigner, FacilitySigner
from vaxpass_core.trust import Revocation, TrustStore


if TYPE_CHECKING:
    from cryptography import x509

    from vaxpass_core.shell.devpki import PKI
    from vaxpass_core.signers import PrivateKey


__all__ = [
    "MANIFEST",
    "PKI_FORMAT",
    "TRUST_FILE",
    "TRUST_FORMAT",
    "PkiFiles",
    "PkiFilesError",
    "load_pki_dir",
    "load_trust_file",
    "utf8_json",
    "write_pki_dir",
]

MANIFEST: Final = "pki.json"
TRUST_FILE: Final = "trust.json"
PKI_FORMAT: Final = "vaxpass-pki/1"
TRUST_FORMAT: Final = "vaxpass-trust/1"
KEY_MODE: Final = 0o600
FILE_MODE: Final = 0o644


class PkiFilesError(ValueError):
    """A PKI directory or trust file is missing, unreadable or inconsistent."""


@attrs.frozen
class PkiFiles:
    """What ``load_pki_dir`` read: the signers and the trust store of one PKI directory."""

    path: Path
    seed: int | None
    document_signer: DocumentSigner
    facilities: tuple[FacilitySigner, ...]
    trust: TrustStore

    def facility(self, facility_id: str | None = None) -> FacilitySigner:
        """The facility with *facility_id*; the first one when None."""
        if not self.facilities:
            raise PkiFilesError(f"{self.path} holds no facility")
        if facility_id is None:
            return self.facilities[0]
        for facility in self.facilities:
            if facility.facility_id == facility_id:
                return facility
        known = ", ".join(f.facility_id for f in self.facilities)
        raise PkiFilesError(f"no facility {facility_id!r} in {self.path} (it has {known})")


# -- writing -----------------------------------------------------------------------------


def _pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode (never briefly world-readable), and fixed if it existed.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
    finally:
        os.close(fd)


def _pair(root: Path, folder: str, key: PrivateKey, cert: x509.Certificate) -> dict[str, str]:
    _write(root / folder / "key.pem", _pem_key(key), KEY_MODE)
    _write(root / folder / "cert.pem", _pem_cert(cert), FILE_MODE)
    return {"certificate": f"{folder}/cert.pem", "key": f"{folder}/key.pem"}


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def write_pki_dir(root: Path, pki: PKI, *, alg: str = "ES256", created: str) -> dict[str, Any]:
    """Write *pki* (its ministry root, one Document Signer, facility CA and good facilities).

    The caller decides whether *root* may be written to. Returns the manifest written.
    """
    if alg not in ("ES256", "PS256"):
        raise ValueError(f"alg must be ES256 or PS256, not {alg!r}")
    signer = pki.document_signer if alg == "ES256" else pki.document_signer_ps256
    manifest: dict[str, Any] = {
        "format": PKI_FORMAT,
        "seed": pki.seed,
        "alg": alg,
        "created": created,
        "warning": "a development PKI: never use these keys for real passports",
        "ministry_root": _pair(
            root, "ministry-root", pki.ministry_root.key, pki.ministry_root.certificate
        ),
        "document_signer": {
            **_pair(root, "document-signer", signer.key, signer.certificate),
            "alg": signer.alg_name,
            "kid": signer.kid.hex(),
            "country": signer.country,
            "issuer_name": signer.issuer_name,
        },
        "facility_ca": _pair(root, "facility-ca", pki.facility_ca.key, pki.facility_ca.certificate),
        "facilities": [
            {
                "id": f.facility_id,
                "kid": f.kid.hex(),
                **_pair(root, f"facilities/{f.facility_id}", f.key, f.certificate),
            }
            for f in pki.facilities
        ],
    }
    trust = {
        "format": TRUST_FORMAT,
        "signers": [manifest["document_signer"]["certificate"]],
        "facility_roots": [manifest["facility_ca"]["certificate"]],
        "facilities": [f["certificate"] for f in manifest["facilities"]],
        "revocations": [],
    }
    _write(root / TRUST_FILE, _json_bytes(trust), FILE_MODE)
    _write(root / MANIFEST, _json_bytes(manifest), FILE_MODE)
    return manifest


# -- reading -----------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PkiFilesError(f"cannot read {path}: {exc.strerror or exc}") from exc


def utf8_json(data: bytes) -> Any:
    """The JSON value in *data*, read as UTF-8 (a leading BOM allowed), as JSON files are.

    ``json.loads`` given bytes guesses the encoding, and takes bytes that are not UTF-8 for
    UTF-16 and reports that; this says what is wrong. Raises ``ValueError`` for bytes that
    are not UTF-8, not JSON, or nested too deeply to read.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: byte {exc.object[exc.start]:#04x} at {exc.start}") from exc
    try:
        return json.loads(text)
    except RecursionError as exc:  # json recurses once per level: "[" * 100000
        raise ValueError("nested too deeply to read") from exc


def _json_file(path: Path, form: str) -> dict[str, Any]:
    try:
        data = utf8_json(_read(path))
    except ValueError as exc:
        raise PkiFilesError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != form:
        raise PkiFilesError(f"{path} is not a {form} file")
    return data


def _inside(root: Path, name: object, where: Path) -> Path:
    if not isinstance(name, str) or not name:
        raise PkiFilesError(f"{where}: file names must be non-empty strings")
    return root / name


def _paths(root: Path, data: dict[str, Any], field: str, where: Path) -> list[Path]:
    names = data.get(field, [])
    if not isinstance(names, list):
        raise PkiFilesError(f"{where}: {field} must be a list of file names")
    return [_inside(root, n, where) for n in names]


def _revocation(entry: object, where: Path) -> Revocation:
    if not isinstance(entry, dict):
        raise PkiFilesError(f"{where}: a revocation entry is an object, not {entry!r}")
    try:
        kid = entry.get("kid")
        return Revocation(
            entry["kind"], bytes.fromhex(entry["value"]), bytes.fromhex(kid) if kid else None
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PkiFilesError(f"{where}: bad revocation entry {entry!r}") from exc


def load_trust_file(path: Path) -> TrustStore:
    """The trust store a ``trust.json`` describes (certificate paths relative to its folder)."""
    path = Path(path)
    data = _json_file(path, TRUST_FORMAT)
    root = path.parent
    revocations = data.get("revocations", [])
    if not isinstance(revocations, list):
        raise PkiFilesError(f"{path}: revocations must be a list")
    try:
        return TrustStore(
            signers=[_read(p) for p in _paths(root, data, "signers", path)],
            facility_roots=[_read(p) for p in _paths(root, data, "facility_roots", path)],
            facilities=[_read(p) for p in _paths(root, data, "facilities", path)],
            revocations=[_revocation(r, path) for r in revocations],
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, PkiFilesError):
            raise
        raise PkiFilesError(f"{path}: a certificate does not load: {exc}") from exc


def _entry(data: dict[str, Any], field: str, where: Path) -> dict[str, Any]:
    value = data.get(field)
    if not isinstance(value, dict):
        raise PkiFilesError(f"{where}: {field} is missing")
    return value


def load_pki_dir(path: Path | str) -> PkiFiles:
    """Read a directory written by ``vaxpass pki init``: its signers and its trust store.

    Raises :class:`PkiFilesError` (a ``ValueError``) for anything missing or inconsistent.
    """
    root = Path(path)
    if not root.is_dir():
        raise PkiFilesError(f"{root} is not a directory (make one with: vaxpass pki init DIR)")
    where = root / MANIFEST
    manifest = _json_file(where, PKI_FORMAT)
    ds = _entry(manifest, "document_signer", where)
    facilities = manifest.get("facilities")
    if not isinstance(facilities, list):
        raise PkiFilesError(f"{where}: facilities must be a list")
    try:
        document_signer = DocumentSigner.from_pem(
            _read(_inside(root, ds.get("key"), where)),
            _read(_inside(root, ds.get("certificate"), where)),
            country=ds.get("country", "VN"),
            issuer_name=ds.get("issuer_name", "Ministry of Health of Viet Nam"),
        )
        signers = tuple(
            FacilitySigner.from_pem(
                _read(_inside(root, f.get("key"), where)),
                _read(_inside(root, f.get("certificate"), where)),
            )
            for f in facilities
            if isinstance(f, dict)
        )
    except PkiFilesError:
        raise
    except (TypeError, ValueError) as exc:
        raise PkiFilesError(f"{where}: a key or certificate does not load: {exc}") from exc
    if len(signers) != len(facilities):
        raise PkiFilesError(f"{where}: every facility entry must be an object")
    seed = manifest.get("seed")
    return PkiFiles(
        path=root,
        seed=seed if isinstance(seed, int) else None,
        document_signer=document_signer,
        facilities=signers,
        trust=load_trust_file(root / TRUST_FILE),
    )
