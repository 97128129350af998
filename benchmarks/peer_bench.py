"""Peer side of ``benchmarks/run.py``: python-cwt and pycose, timed in their own venv.

Runs under the peers' interpreter (they pin ``cbor2<6``). Reads one JSON object
on stdin: ``{"texts": [...HC1...], "public_key": PEM, "kid": hex, "rounds": n}``;
prints one JSON object of timings in microseconds per passport. The floor (one raw
``cryptography`` ECDSA P-256 verify of the same Sig_structure) is measured in this
same process, so each peer's ratio is to a floor measured under identical conditions.

Base45 is not part of either peer library; this script decodes it with a plain
per-group loop, the way verifiers built on them do (the ``base45`` package is the
same kind of loop). Timings without that step are reported too.
"""

from __future__ import annotations

import json
import sys
import zlib
from typing import Any

from _timing import best  # this folder's helper: the same measure on both sides


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUES = {c: i for i, c in enumerate(_ALPHABET)}


def b45decode(text: str) -> bytes:
    out = bytearray()
    for i in range(0, len(text), 3):
        group = text[i : i + 3]
        if len(group) == 3:
            v = _VALUES[group[0]] + 45 * _VALUES[group[1]] + 2025 * _VALUES[group[2]]
            if v > 0xFFFF:
                raise ValueError("bad group")
            out += v.to_bytes(2, "big")
        else:
            v = _VALUES[group[0]] + 45 * _VALUES[group[1]]
            if v > 0xFF:
                raise ValueError("bad group")
            out.append(v)
    return bytes(out)


def main() -> None:
    import cbor2
    import cwt
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from pycose.keys import CoseKey
    from pycose.messages import Sign1Message

    req = json.load(sys.stdin)
    texts: list[str] = req["texts"]
    rounds: int = req["rounds"]
    pem: str = req["public_key"]
    kid = bytes.fromhex(req["kid"])
    public = serialization.load_pem_public_key(pem.encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    cwt_key = cwt.COSEKey.from_pem(pem.encode(), kid=kid)
    pycose_key = CoseKey.from_pem_public_key(pem)
    cose_ctx = cwt.COSE.new()
    ecdsa = ec.ECDSA(hashes.SHA256())

    coses = [zlib.decompress(b45decode(t[4:])) for t in texts]
    floors = []
    for data in coses:
        msg = cbor2.loads(data).value
        tbs = cbor2.dumps(["Signature1", msg[0], b"", msg[2]])
        sig = msg[3]
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        floors.append((der, tbs))

    def floor(item: tuple[bytes, bytes]) -> None:
        public.verify(item[0], item[1], ecdsa)

    def cwt_full(text: str) -> Any:
        if not text.startswith("HC1:"):
            raise ValueError("prefix")
        claims = cwt.decode(zlib.decompress(b45decode(text[4:])), cwt_key)
        return claims[-260][1]

    def cwt_only(data: bytes) -> Any:
        return cwt.decode(data, cwt_key)[-260][1]

    def cwt_cose_only(data: bytes) -> Any:
        return cbor2.loads(cose_ctx.decode(data, cwt_key))[-260][1]

    def pycose_full(text: str) -> Any:
        if not text.startswith("HC1:"):
            raise ValueError("prefix")
        msg = Sign1Message.decode(zlib.decompress(b45decode(text[4:])))
        msg.key = pycose_key
        if not msg.verify_signature():
            raise ValueError("signature")
        return cbor2.loads(msg.payload)[-260][1]

    # Each result must be right before it is timed.
    for text, data in zip(texts, coses, strict=True):
        assert cwt_full(text) == pycose_full(text) == cwt_only(data) == cwt_cose_only(data)

    few = texts[: max(1, len(texts) // 10)]  # pycose is slow: a tenth of the set
    result = {
        "floor_us": best(floor, floors, rounds),
        "cwt_full_us": best(cwt_full, texts, rounds),
        "cwt_cwt_only_us": best(cwt_only, coses, rounds),
        "cwt_cose_only_us": best(cwt_cose_only, coses, rounds),
        "pycose_full_us": best(pycose_full, few, max(1, rounds // 3)),
        "b45_loop_us": best(lambda t: b45decode(t[4:]), texts, rounds),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
