"""Reading the EU DCC Gateway's published JSON: trust lists and revocation batches.

Both come as JSON text or bytes (or already parsed) with binary fields in base64. Bad data
raises :class:`ValueError`: callers document it as such.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


__all__ = ["b64_field", "parsed"]


def b64_field(value: object) -> bytes:
    """The bytes of a base64 string field; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")  # noqa: TRY004 (bad JSON data)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"bad base64: {exc}") from exc


def parsed(data: bytes | str | object) -> Any:
    """*data* parsed as JSON when it is text or bytes, else as given (already parsed)."""
    if isinstance(data, bytes | str):
        return json.loads(data)
    return data
