"""Reading the EU DCC Gateway's published JSON: trust lists and revocation batches.

Both come as JSON text or bytes (or already parsed) with binary fields in base64. Bad data
raises :class:`ValueError`, never anything else: the readers turn it into their documented
error. :func:`loads_json` is the one JSON parser every reader of untrusted JSON uses.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


__all__ = ["b64_field", "loads_json", "parsed"]


def b64_field(value: object) -> bytes:
    """The bytes of a base64 string field; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")  # noqa: TRY004 (bad JSON data)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"bad base64: {exc}") from exc


def loads_json(data: bytes | str) -> Any:
    """JSON text (or bytes in UTF-8, -16 or -32) parsed; :class:`ValueError` for anything else.

    ``json.loads`` raises ``JSONDecodeError`` and ``UnicodeDecodeError`` (both ValueErrors)
    on bad text, and :class:`RecursionError` on deep nesting (``"[" * 100000``): that one
    is bad data too, so it becomes a ValueError here and no reader has to remember it.
    """
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def parsed(data: bytes | str | object) -> Any:
    """*data* parsed as JSON when it is text or bytes, else as given (already parsed)."""
    if isinstance(data, bytes | str):
        return loads_json(data)
    return data
