"""COSE_Sign1 bytes for the test vectors and the test kit: deterministic signing (PS256 with a salt
derived from the seed) and re-wrapping a message under another kid.

Private: :mod:`vaxpass_core.shell.vectors` and :mod:`vaxpass_core.testing.strategies`
use it. A derived PSS salt is fine for published test keys and wrong for real ones.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.hazmat import cose
from vaxpass_core.hazmat.cose import _protected_bytes, _sig_structure


if TYPE_CHECKING:
    from vaxpass_core.signers import DocumentSigner


_SHA256_BYTES: Final = 32


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b"".join(
        hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        for counter in range(-(-length // _SHA256_BYTES))
    )
    return out[:length]


def pss_sign(key: rsa.RSAPrivateKey, data: bytes, salt: bytes) -> bytes:
    """RSASSA-PSS with SHA-256, MGF1-SHA-256 and the given 32-byte *salt* (RFC 8017 8.1.1)."""
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    em_bits = n.bit_length() - 1
    em_len = -(-em_bits // 8)
    digest = hashlib.sha256(b"\0" * 8 + hashlib.sha256(data).digest() + salt).digest()
    block = b"\0" * (em_len - len(salt) - _SHA256_BYTES - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(block, _mgf1(digest, len(block)), strict=True))
    masked = bytes((masked[0] & (0xFF >> (8 * em_len - em_bits)),)) + masked[1:]
    m = int.from_bytes(masked + digest + b"\xbc", "big")
    # m^d mod n by the Chinese remainder theorem.
    s_p = pow(m, numbers.dmp1, numbers.p)
    s_q = pow(m, numbers.dmq1, numbers.q)
    s = s_q + numbers.q * (numbers.iqmp * (s_p - s_q) % numbers.p)
    signature = s.to_bytes(-(-n.bit_length() // 8), "big")
    # Never publish a vector that is not a standard PS256 signature.
    key.public_key().verify(
        signature,
        data,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=_SHA256_BYTES),
        hashes.SHA256(),
    )
    return signature


def _tagged(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    return _cbor.dumps(_cbor.CBORTag(cose.TAG_SIGN1, [protected, {}, payload, signature]))


def sign1(payload: bytes, signer: DocumentSigner, seed: int) -> bytes:
    """A tagged COSE_Sign1 over *payload*, ``alg`` and ``kid`` in the protected header,
    the same bytes for the same *seed* (ES256 by RFC 6979, PS256 with a derived salt)."""
    if not isinstance(signer.key, rsa.RSAPrivateKey):
        # cose.sign1 signs EC keys deterministically: nothing to add here.
        return cose.sign1(payload, key=signer.key, kid=signer.kid, alg=signer.alg)
    # cose.sign1 would draw a random PSS salt: sign the same bytes with a derived one.
    protected = _protected_bytes(signer.alg, signer.kid)
    to_sign = _sig_structure(protected, payload)
    salt = hashlib.sha256(f"vaxpass-core/vectors/v1/pss/{seed}/".encode() + to_sign).digest()
    return _tagged(protected, payload, pss_sign(signer.key, to_sign, salt))


def with_kid(message: cose.Sign1Message, kid: bytes) -> bytes:
    """*message* with *kid* in its protected header and its original signature (which no
    longer covers the header)."""
    assert message.alg is not None  # the toolkit re-wraps only messages it signed
    protected = _protected_bytes(message.alg, kid)
    return _tagged(protected, message.payload, message.signature)
