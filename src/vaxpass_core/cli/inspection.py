"""Decode a passport layer by layer WITHOUT verifying it, for ``vaxpass inspect``.

Each layer that decodes adds a :class:`Layer`; the first that does not stops the walk and is
recorded as the error, with its failure code. Garbage never raises: anything a decoder throws
is caught here (the library's decoders raise only :class:`VaxpassError`, but this is a
debugging tool for hostile input, so it trusts nothing).
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from vaxpass_core.attestation import ATTESTATION_CLAIM, EmbeddedAttestation
from vaxpass_core.errors import VaxpassError
from vaxpass_core.hazmat import cose, cwt, hc1
from vaxpass_core.hazmat.base45 import b45decode
from vaxpass_core.signers import ALG_NAMES

from ._common import epoch_iso


__all__ = ["Inspection", "Layer", "inspect_text"]

_BLOCK_TYPES: Final = {0: "stored", 1: "deflated (fixed Huffman)", 2: "deflated (dynamic Huffman)"}
_CLAIM_NAMES: Final = {
    cwt.CLAIM_ISS: "iss",
    cwt.CLAIM_EXP: "exp",
    cwt.CLAIM_IAT: "iat",
    cwt.CLAIM_HCERT: "hcert",
    ATTESTATION_CLAIM: "attestation",
}


@attrs.frozen
class Layer:
    name: str
    fields: dict[str, Any]


@attrs.frozen
class Inspection:
    layers: tuple[Layer, ...]
    #: ``(layer, code, message)`` of the layer that did not decode, or None.
    error: tuple[str, str, str] | None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Stop(Exception):
    def __init__(self, layer: str, error: BaseException) -> None:
        super().__init__(layer)
        self.layer = layer
        self.code = str(error.code) if isinstance(error, VaxpassError) else "unexpected"
        self.message = error.message if isinstance(error, VaxpassError) else repr(error)


def _step(layer: str, func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except Exception as exc:  # a debugging tool for hostile input: report, never crash
        raise _Stop(layer, exc) from exc


def _zlib_fields(packed: bytes, inflated: bytes) -> dict[str, Any]:
    block = _BLOCK_TYPES.get((packed[2] >> 1) & 3, "reserved") if len(packed) > 2 else "?"
    return {
        "method": "deflate" if packed and packed[0] & 0x0F == 8 else "?",
        "window_bytes": 1 << ((packed[0] >> 4) + 8) if packed else None,
        "first_block": block,
        "compressed_bytes": len(packed),
        "decompressed_bytes": len(inflated),
    }


def _alg_name(alg: object) -> str | None:
    if alg is None:
        return None
    return ALG_NAMES.get(alg, f"unknown ({alg})") if isinstance(alg, int) else repr(alg)


def _walk(text: str, layers: list[Layer]) -> None:
    body = _step("prefix", hc1.strip_prefix, text)
    layers.append(Layer("prefix", {"prefix": hc1.PREFIX, "text_chars": len(text)}))
    packed = _step("base45", b45decode, body)
    layers.append(Layer("base45", {"chars": len(body), "bytes": len(packed)}))
    inflated = _step("zlib", hc1.decompress, packed)
    layers.append(Layer("zlib", _zlib_fields(packed, inflated)))
    message = _step("cose", cose.decode_sign1, inflated)
    kid = message.kid
    layers.append(
        Layer(
            "cose",
            {
                "tagged": message.tagged,
                "alg": _alg_name(message.alg),
                "kid": kid.hex() if isinstance(kid, bytes) else None,
                "protected": dict(message.protected_header),
                "unprotected": dict(message.unprotected_header),
                "payload_bytes": len(message.payload),
                "signature_bytes": len(message.signature),
            },
        )
    )
    claims = _step("claims", cwt.decode_claims, message.payload)
    layers.append(
        Layer(
            "claims",
            {
                "iss": claims.issuer,
                "iat": epoch_iso(claims.issued_at),
                "exp": epoch_iso(claims.expires_at),
                "labels": [_CLAIM_NAMES.get(k, str(k)) for k in claims.claims],
            },
        )
    )
    # The DCC under its own key: its fields are the issuer's, and may be named anything.
    layers.append(Layer("dcc", {"dcc": dict(claims.hcert)}))
    raw = claims.claims.get(ATTESTATION_CLAIM)
    if raw is None:
        layers.append(Layer("attestation", {"present": False}))
        return
    embedded = _step("attestation", EmbeddedAttestation.from_claim, raw)
    layers.append(
        Layer(
            "attestation",
            {
                "present": True,
                "claim": ATTESTATION_CLAIM,
                "facility_kid": embedded.facility_kid.hex(),
                "signed_at": epoch_iso(embedded.signed_at),
                "nationality": embedded.nationality,
                "record_digest": embedded.record_digest.hex(),
                "signature_bytes": len(embedded.signature),
            },
        )
    )


def inspect_text(text: str) -> Inspection:
    """Every layer of HC1 *text* that decodes, and the error where decoding stopped."""
    layers: list[Layer] = []
    try:
        _walk(text, layers)
    except _Stop as stop:
        return Inspection(tuple(layers), (stop.layer, stop.code, stop.message))
    return Inspection(tuple(layers), None)
