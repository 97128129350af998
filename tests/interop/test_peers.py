"""Interoperability, both ways, with python-cwt 3.3 and pycose 1.1.

The peers pin ``cbor2<6``, so they live in their own virtual environment and run
``tests/peers/cose_peer.py`` as a subprocess; the two sides share only bytes
(hex in JSON lines). The peer interpreter is ``$VAXPASS_PEERS_PYTHON``, else
``.venv-peers/bin/python`` at the repository root (``make peers`` builds it). The
``peer`` fixture is in ``tests/interop/conftest.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from vaxpass_core.hazmat import cose, cwt, hc1


if TYPE_CHECKING:
    from .conftest import Peer


KID = bytes.fromhex("f30da46716f7882d")
DCC: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Bảo Duy", "gnt": "BAO<DUY"},
    "dob": "1983-10-10",
    "v": [
        {
            "tg": "840539006",
            "vp": "J07BX03",
            "mp": "EU/1/21/1529",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-03-18",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:FFFE3D31FABD035899134A9D3BAE9BCF",
        }
    ],
}
# python-cwt checks exp against its own clock: keep exp far ahead of any run.
PAYLOAD = cwt.encode_claims(dcc=DCC, issuer="VN", issued_at=1700000000, expires_at=4102444800)


@pytest.fixture(scope="module")
def keys() -> dict[int, Any]:
    return {
        cose.ES256: ec.derive_private_key(99, ec.SECP256R1()),
        cose.ES384: ec.derive_private_key(99, ec.SECP384R1()),
        cose.ES512: ec.derive_private_key(99, ec.SECP521R1()),
        cose.PS256: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        cose.EDDSA: ed25519.Ed25519PrivateKey.from_private_bytes(b"\x2a" * 32),
    }


def _public_pem(key: Any) -> str:
    pem: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


def _private_pem(key: Any) -> str:
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode()


ALGS = [cose.ES256, cose.ES384, cose.ES512, cose.PS256, cose.EDDSA]
VERIFIERS = ["cwt", "cwt-claims", "pycose"]


@pytest.mark.parametrize("lib", VERIFIERS)
@pytest.mark.parametrize("alg", ALGS)
def test_peers_verify_what_we_sign(peer: Peer, keys: dict[int, Any], alg: int, lib: str) -> None:
    text = hc1.encode(cose.sign1(PAYLOAD, key=keys[alg], kid=KID))
    data = hc1.decode(text)
    answer = peer.ask(
        op="verify", lib=lib, cose=data.hex(), key=_public_pem(keys[alg]), alg=alg, kid=KID.hex()
    )
    assert answer["ok"], answer.get("error")
    assert cwt.decode_claims(bytes.fromhex(answer["payload"])).hcert == DCC


@pytest.mark.parametrize("lib", VERIFIERS)
def test_peers_reject_a_tampered_passport(peer: Peer, keys: dict[int, Any], lib: str) -> None:
    # Shows the peers do verify: one flipped payload byte fails with both.
    data = bytearray(cose.sign1(PAYLOAD, key=keys[cose.ES256], kid=KID))
    data[data.index(b"NGUYEN")] ^= 0x01
    answer = peer.ask(
        op="verify",
        lib=lib,
        cose=bytes(data).hex(),
        key=_public_pem(keys[cose.ES256]),
        alg=cose.ES256,
        kid=KID.hex(),
    )
    assert not answer["ok"]


@pytest.mark.parametrize("lib", ["cwt", "pycose"])
@pytest.mark.parametrize("alg", ALGS)
def test_we_verify_what_peers_sign(peer: Peer, keys: dict[int, Any], alg: int, lib: str) -> None:
    answer = peer.ask(
        op="sign",
        lib=lib,
        payload=PAYLOAD.hex(),
        key=_private_pem(keys[alg]),
        alg=alg,
        kid=KID.hex(),
    )
    assert answer["ok"], answer.get("error")
    text = hc1.encode(bytes.fromhex(answer["cose"]), compress=9)
    msg = cose.decode_sign1(hc1.decode(text))
    assert msg.alg == alg
    assert msg.kid == KID
    cose.verify_sign1(msg, keys[alg].public_key())
    claims = cwt.decode_claims(msg.payload)
    assert claims.hcert == DCC
    assert claims.issuer == "VN"
