"""The only module that imports cbor2: bounded decoding and deterministic encoding."""

from __future__ import annotations

from typing import Any

import cbor2

from .errors import MalformedCBOR


__all__ = ["MAX_CBOR_BYTES", "MAX_DEPTH", "dumps", "loads"]

#: Nothing a QR code carries comes near this; larger input is refused unread.
MAX_CBOR_BYTES = 64 * 1024
#: A DCC nests five levels deep; the COSE and CWT wrappers add three.
MAX_DEPTH = 16


def dumps(value: Any) -> bytes:
    """Encode *value* as core deterministic CBOR (RFC 8949 section 4.2)."""
    return cbor2.dumps(value, canonical=True)


def loads(data: bytes) -> Any:
    """Decode one CBOR item from untrusted *data*; raise only :class:`MalformedCBOR`."""
    if len(data) > MAX_CBOR_BYTES:
        raise MalformedCBOR(f"CBOR of {len(data)} bytes exceeds the {MAX_CBOR_BYTES}-byte bound")
    try:
        return cbor2.loads(
            data,
            max_depth=MAX_DEPTH,
            allow_indefinite=False,
            allow_duplicate_keys=False,
        )
    except Exception as exc:  # cbor2 has raised many exception types on garbage over time
        raise MalformedCBOR(f"not valid CBOR: {exc}") from exc
