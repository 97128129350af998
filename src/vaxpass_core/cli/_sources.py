"""Reading what commands are given: passports (text, file, stdin, picture), attestations, JSON."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from vaxpass_core.hazmat.base45 import ALPHABET
from vaxpass_core.hazmat.hc1 import PREFIX
from vaxpass_core.shell.record_json import RecordFormatError, record_from_json

from ._common import InputError, one_line
from .pki_files import PkiFiles, PkiFilesError, load_pki_dir, utf8_json


if TYPE_CHECKING:
    from collections.abc import Iterator

    from vaxpass_core.record import VaccinationRecord


__all__ = [
    "load_pki",
    "load_record",
    "read_attestation",
    "read_bytes",
    "read_json",
    "read_passport_input",
    "reading",
    "write_output",
]

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
# What a QR code's alphanumeric mode holds, Base45's alphabet exactly (HC1 text is made of it):
# an argument of only these characters is passport text; anything else that is not an existing
# file is a missing file.
_QR_TEXT: Final = re.compile(f"[{re.escape(ALPHABET)}]+")


@contextlib.contextmanager
def reading(name: str, what: str) -> Iterator[None]:
    """Whatever a library reader raises on the content of file *name* means the file is not
    *what*: exit 2 with one line. The readers document a ``ValueError`` family; this boundary
    holds even for what they fail to document (hostile files find such things first)."""
    try:
        yield
    except click.ClickException:
        raise
    except RecursionError as exc:
        raise InputError(f"{name} is not {what}: nested too deeply to read") from exc
    except Exception as exc:
        raise InputError(f"{name} is not {what}: {one_line(exc)}") from exc


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
        return utf8_json(data)
    except ValueError as exc:
        raise InputError(f"{name} is not JSON: {exc}") from exc


def _names_a_file(name: str) -> bool:
    """True when *name* is an existing file; any name the system refuses to look up is not
    one (``ENAMETOOLONG`` for passport text over 255 bytes, ``EACCES``, a NUL character)."""
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


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

    Returns ``(text, where)``. An argument that starts with ``HC1:`` and is made only of QR
    alphanumeric characters (upper-case letters, digits, `` $%*+-./:``, as every HC1 text is)
    is the passport text itself. Otherwise *source* is a file when one exists by that name
    (a name the system cannot even look up, too long for instance, is no file); failing that,
    other QR text is still taken as the text (``verify`` reports what is wrong with it), and
    anything else is a missing file (exit 2).
    Raises :class:`QRNotFound` when a picture holds no passport.
    """
    text = source.strip()
    if source == "-":
        data, where = sys.stdin.buffer.read(), "stdin"
    elif text.startswith(PREFIX) and _QR_TEXT.fullmatch(text):
        return text, "argument"
    elif _names_a_file(source):
        data, where = read_bytes(source), source
    elif _QR_TEXT.fullmatch(text):
        return text, "argument"
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


def load_record(name: str) -> VaccinationRecord:
    """A record JSON file; a wrong shape exits 2, a broken record rule raises InvalidRecord."""
    try:
        return record_from_json(read_json(name))
    except RecordFormatError as exc:
        raise InputError(f"{name}: {exc}") from exc


def write_output(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
