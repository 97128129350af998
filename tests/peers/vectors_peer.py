"""Peer side of the vector interoperability test: python-cwt and pycose verify our vectors.

Runs under the interpreter of ``.venv-peers`` (python-cwt and pycose pin ``cbor2<6``).
Reads one JSON request per line on stdin, writes one JSON answer per line on stdout:

    {"lib": "cwt"|"pycose", "cose": hex, "certificate": base64 DER}
        -> {"ok": true, "payload": hex} | {"ok": false, "error": "..."}

It does what a verifier given a vector's ``COSE`` and ``TESTCTX.CERTIFICATE`` does: reads
the algorithm and kid from the protected header, looks the key up by kid (the hcert
``kid`` is the first 8 bytes of SHA-256 over the certificate's DER) and checks the
signature with the certificate's public key. Nothing here imports vaxpass_core.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from typing import Any


def _key_for(data: bytes, der: bytes) -> tuple[str, int, bytes]:
    import cbor2
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    item = cbor2.loads(data)
    if isinstance(item, cbor2.CBORTag):
        item = item.value
    protected = cbor2.loads(item[0]) if item[0] else {}
    unprotected = item[1]
    alg = protected.get(1, unprotected.get(1))
    kid = protected.get(4, unprotected.get(4))
    if kid != hashlib.sha256(der).digest()[:8]:
        raise LookupError("the message's kid is not the certificate's: no key to verify with")
    pem = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return pem, alg, kid


def verify(req: dict[str, Any]) -> dict[str, Any]:
    data = bytes.fromhex(req["cose"])
    pem, alg, kid = _key_for(data, base64.b64decode(req["certificate"]))
    if req["lib"] == "cwt":
        from cwt import COSE, COSEKey

        key = COSEKey.from_pem(pem.encode(), alg=alg, kid=kid)
        return {"ok": True, "payload": COSE.new().decode(data, key).hex()}
    if req["lib"] == "pycose":
        from pycose.keys import CoseKey
        from pycose.messages import Sign1Message

        msg = Sign1Message.decode(data)
        msg.key = CoseKey.from_pem_public_key(pem)
        if not msg.verify_signature():
            return {"ok": False, "error": "pycose: signature does not verify"}
        return {"ok": True, "payload": bytes(msg.payload).hex()}
    raise ValueError(f"unknown lib {req['lib']!r}")


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = verify(json.loads(line))
        except Exception as exc:  # the peer reports; the test decides
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
