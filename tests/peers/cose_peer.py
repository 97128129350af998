"""Peer side of the interoperability tests: python-cwt and pycose, in their own venv.

Runs under the interpreter of ``.venv-peers`` (python-cwt and pycose pin
``cbor2<6``, so they cannot share the library's environment). Reads one JSON
request per line on stdin, writes one JSON answer per line on stdout:

    {"op": "verify", "lib": "cwt"|"cwt-claims"|"pycose", "cose": hex, "key": PEM}
        -> {"ok": true, "payload": hex} | {"ok": false, "error": "..."}
    {"op": "sign", "lib": "cwt"|"pycose", "payload": hex, "key": PEM, "kid": hex, "alg": int}
        -> {"ok": true, "cose": hex} | {"ok": false, "error": "..."}
    {"op": "verify-vector", "lib": "cwt"|"pycose", "cose": hex, "certificate": base64 DER}
        -> as "verify"

Keys travel as PEM (public for verify, private PKCS#8 for sign). "verify-vector" does what a
verifier given a test vector's ``COSE`` and ``TESTCTX.CERTIFICATE`` does: it reads alg and kid
from the message's headers, takes the certificate's key only if the kid is the certificate's
(the hcert kid is the first 8 bytes of SHA-256 over its DER), and verifies as "verify" does.
Nothing here imports vaxpass_core: the two sides only share bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from typing import Any


def _cwt_key(pem: str, alg: int, kid: bytes) -> Any:
    from cwt import COSEKey

    return COSEKey.from_pem(pem.encode(), alg=alg, kid=kid)


def _pycose_key(pem: str, *, private: bool) -> Any:
    from pycose.keys import CoseKey

    if private:
        return CoseKey.from_pem_private_key(pem)
    return CoseKey.from_pem_public_key(pem)


def _pycose_alg(alg: int) -> Any:
    from pycose.algorithms import CoseAlgorithm

    return CoseAlgorithm.from_id(alg)


def verify(req: dict[str, Any]) -> dict[str, Any]:
    data = bytes.fromhex(req["cose"])
    lib = req["lib"]
    kid = bytes.fromhex(req.get("kid", ""))
    if lib == "cwt":
        from cwt import COSE

        key = _cwt_key(req["key"], req["alg"], kid)
        payload = COSE.new().decode(data, key)
        return {"ok": True, "payload": payload.hex()}
    if lib == "cwt-claims":
        # The CWT layer on top: python-cwt checks exp/nbf against its own clock.
        import cbor2
        import cwt

        key = _cwt_key(req["key"], req["alg"], kid)
        claims = cwt.decode(data, key)
        return {"ok": True, "payload": cbor2.dumps(claims, canonical=True).hex()}
    if lib == "pycose":
        from pycose.messages import Sign1Message

        msg = Sign1Message.decode(data)
        msg.key = _pycose_key(req["key"], private=False)
        if not msg.verify_signature():
            return {"ok": False, "error": "pycose: signature does not verify"}
        return {"ok": True, "payload": bytes(msg.payload).hex()}
    raise ValueError(f"unknown lib {lib!r}")


def verify_vector(req: dict[str, Any]) -> dict[str, Any]:
    import cbor2
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = bytes.fromhex(req["cose"])
    der = base64.b64decode(req["certificate"])
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
    key = {"key": pem, "alg": alg, "kid": kid.hex()}
    return verify({"lib": req["lib"], "cose": req["cose"], **key})


def sign(req: dict[str, Any]) -> dict[str, Any]:
    payload = bytes.fromhex(req["payload"])
    kid = bytes.fromhex(req["kid"])
    alg = req["alg"]
    lib = req["lib"]
    if lib == "cwt":
        from cwt import COSE

        key = _cwt_key(req["key"], alg, kid)
        out = COSE.new(deterministic_header=True).encode_and_sign(
            payload, key, protected={1: alg, 4: kid}
        )
        return {"ok": True, "cose": bytes(out).hex()}
    if lib == "pycose":
        from pycose.headers import KID, Algorithm
        from pycose.messages import Sign1Message

        msg = Sign1Message(phdr={Algorithm: _pycose_alg(alg), KID: kid}, payload=payload)
        msg.key = _pycose_key(req["key"], private=True)
        return {"ok": True, "cose": msg.encode(tag=True).hex()}
    raise ValueError(f"unknown lib {lib!r}")


_OPS = {"verify": verify, "verify-vector": verify_vector, "sign": sign}


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            answer = _OPS[req["op"]](req)
        except Exception as exc:  # the peer reports; the test decides
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
