"""Reading what commands are given: passports (text, file, stdin, picture), attestations, JSON."""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from vaxpass_core.base45 import ALPHABET
from vaxpass_core.record_json import RecordFormatError, record_from_json

from ._common import InputError
from .pki_files import PkiFiles, PkiFilesError, load_pki_dir


if TYPE_CHECKING:
    from vaxpass_core.record import VaccinationRecord


__all__ = [
    "load_pki",
    "load_record",
    "read_attestation",
    "read_bytes",
    "read_json",
    "read_passport_input",
    "write_output",
]

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
# What a QR code's alphanumeric mode holds, Base45's alphabet exactly (HC1 text is made of it):
# an argument of only these characters is passport text; anything else that is not an existing
# file is a missing file.
_QR_TEXT: Final = re.compile(f"[{re.escape(ALPHABET)}]+")


def read_bytes(name: str) -> bytes:
    """The bytes of file *name*, or of stdin for ``-``; missing or unreadable: exit 2."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc


def read_json(name: str) -> Any:
    data = read_bytes(name)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise InputError(f"{name} is not JSON: {exc}") from exc


def _is_picture(data: bytes) -> bool:
    return data.startswith((_PNG, _JPEG))


def _scan(data: bytes, where: str) -> str:
    from vaxpass_core import scan  # noqa: PLC0415 - the optional [scan] extra, only for pictures

    try:
        return scan.read_passport(data)
    except scan.ScanUnavailable as exc:
        raise InputError(
            f"{where} is a picture; reading QR codes from pictures needs the optional extra: "
            "pip install 'vaxpass-core[scan]'"
        ) from exc


def read_passport_input(source: str) -> tuple[str, str]:
    """The HC1 text from an argument, a file, ``-`` (stdin) or a PNG/JPEG picture.

    Returns ``(text, where)``. *source* is a file when one exists by that name; otherwise an
    argument made only of QR alphanumeric characters (upper-case letters, digits, `` $%*+-./:``,
    as every HC1 text is) is the passport text itself, and anything else is a missing file
    (exit 2).
    Raises :class:`QRNotFound` when a picture holds no passport.
    """
    if source == "-":
        data, where = sys.stdin.buffer.read(), "stdin"
    elif Path(source).is_file():
        data, where = read_bytes(source), source
    elif _QR_TEXT.fullmatch(source.strip()):
        return source.strip(), "argument"
    else:
        raise InputError(f"no such file: {source}")
    if _is_picture(data):
        return _scan(data, where), where
    # Whatever the bytes are, inspection and verification report them; never crash here.
    return data.decode("utf-8", errors="replace").strip(), where


def read_attestation(name: str) -> bytes:
    """An attestation file: the COSE_Sign1 bytes, or their base64 text (either alphabet)."""
    data = read_bytes(name)
    if data[:1] == b"\xd2":  # CBOR tag 18: binary COSE_Sign1
        return data
    text = b"".join(data.split())
    try:
        if b"-" in text or b"_" in text:
            return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
        return base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{name} is neither a binary attestation nor base64 text") from exc


def load_pki(directory: Path) -> PkiFiles:
    """``--pki DIR`` with its private keys (for attest, issue, issue-batch); exit 2 if broken."""
    try:
        return load_pki_dir(directory)
    except PkiFilesError as exc:
        raise InputError(str(exc)) from exc


def load_record(name: str, *, allow_unknown_codes: bool) -> VaccinationRecord:
    """A record JSON file; a wrong shape exits 2, a broken record rule raises InvalidRecord."""
    try:
        return record_from_json(read_json(name), allow_unknown_codes=allow_unknown_codes)
    except RecordFormatError as exc:
        raise InputError(f"{name}: {exc}") from exc


def write_output(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
