"""The keys of the test PKI: EC and Ed25519 keys derived from a seed and a label, and one
published RSA-2048 key for PS256 (deriving RSA primes from a seed is slow and buys nothing).

Private: :mod:`vaxpass_core.shell.devpki` (and so the test kit's ``testing.pki``) re-exports
the public names. EVERYTHING HERE IS PUBLIC: test keys, published with the source; never use
them for anything real.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa


if TYPE_CHECKING:
    from vaxpass_core.signers import PrivateKey


# A PUBLIC TEST KEY, generated once for this package and published with it. It signs test
# passports only; anyone can forge with it, which is the point.
TEST_RSA_KEY_PEM: Final = b"""\
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC3jR8hkuC9AF1g
YUBAcu24dNPNrmJ2xOZNX0IjKloOPlrVypicgz883GL6ct2Gtqhc9p13xaBzSGW1
3OQZwoJ53NrX23Y6BA7wKV3UdfhU95OQM/4kDS5omvO5/ubSbsQ7FekNovhACH1N
+XO1P20hDPyVdGg9+Kxa0YqrMGOMoEOZqHpvDwcujr3hKwFcN1x2ub3BTcGDUNYb
5v8GVLY11WiMNIQFXiZXxjBu7OuDVguMlVmUz87Brg977u5KNmLOluWV11N5V8I3
bW2UvlRVYaerNWKH6WEhDPYWnMIXoDQnfDsoCyfGjEs03XaBf8huKlf5L7M6fwCc
mYV1lGfnAgMBAAECggEAHMh3ekdTELBO9D8r2S9skcFYOWfALwm/Z6CpeWQ5zQQA
MIhdmCWItB2HM+jxTh+0lSdjGBYYjBttP7CM4HE9DqkQdEsI5h4ezZBfE2MQdxp/
vFw63SJoBaVO1Prg7VzLTsynyCinLztlkuWsPF7e2RD1RuaDNjyZooA7c47Z/YIc
OzO2CHi6MNzFW78JydfN03OpbuRXTwST8UA4uNt4416i1uU9LnnE2kwtkFuVAYgM
ln6XnMIncGZueNLn2o6IBN4l2U5LBkq+f4IcGvr9XKRFgZ8mS/L6hXPaR+x+TfKM
zaA/pL6oirG/xFov0P1WQRAYkNTCOqFNFpVNvnMOeQKBgQDZ4aI7We3yymumtsqj
jS5MjaC+7vrIGpKXmxlr3wQSd/UhQz2RSWrbj37QjE4G4q1L8/T62Pm7eidgMAiF
FZ0qxnSZuSCLhRoYx8o1JhD/PWdGI9iqvGyz1qQ2a40ghlBDR4qc2BETxeD8BBLJ
SpjvVVfk+CX0mc9vf89ybB8/wwKBgQDXqe1BfoeEmJLUytyUSjNXuDyrW/t8QJ2w
EnKarKdCDHQ9FWYk/BhGeKQLDalYoW4VGUHVfu/m7QGkxzHyMuuB1IQsvQACGrUp
Cy9yy1CiP8S4neOurOQESl/8rahGHK/zQwJzauWlEdMtwkRoVXzGdE7IxV7cT4pu
3TWT5wl5DQKBgQCmBYprE0F/acLRzCNosKGA78J2+v7ZD3Z4U1Txn4Qo1oNRDz2Q
wZLNLvCA1Qh3sq4+W+xmYIMa2h+66Z70Wd3ixEoBANHNvmR+UW7BRPpao11YUuQ8
ZUunVXzXguiMygvK2G7EyNdqa7PeFPSDsXYLmMpazMOPOMyZt5hJJh5BpQKBgA+u
Jjb12SqV4U8hdMo/Xt5I4fhflrhhBlYP8U83sG2H9Eegr62OusEc8mhvVNnB2vwj
uvqn4Q98OfteFE6UzzTAW9/Y2hBNGtDiJFAHYlR5qHb3298OaQG62qHHio2WdmCM
hbgYlJvc4OrZzhl75beUK0pDt3LzQZBv+v5G9RRdAoGAcGRze4/EChYk7kTHlTWk
LhN20mh0hbM7EQkaXLU434OgRHbchfshcdB33nwuCnGwzULmjsYpNa20OAMUMKcM
E7KuLBh/1Y85mEWBFMLNeIY8412cnBAEsnPaRsmyqwNV99AzUPQJYeqE2lnAxCTC
P4H5KoR+yq+34cbFUwEBy/4=
-----END PRIVATE KEY-----
"""

_P256_ORDER: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def secret(seed: int, label: str) -> bytes:
    return hashlib.sha256(f"vaxpass-core/testing.pki/v1/{seed}/{label}".encode()).digest()


def derive_ec_key(seed: int, label: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key determined by *seed* and *label*."""
    scalar = int.from_bytes(secret(seed, label), "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def derive_ed25519_key(seed: int, label: str) -> ed25519.Ed25519PrivateKey:
    """An Ed25519 key determined by *seed* and *label*."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(secret(seed, label))


@functools.cache
def _rsa_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(TEST_RSA_KEY_PEM, None)
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover (a constant of this module)
        raise TypeError("TEST_RSA_KEY_PEM is not an RSA key")
    return key


def key_for(seed: int, label: str, alg: str, allowed: tuple[str, ...]) -> PrivateKey:
    """The key for *alg* (one of *allowed*, else ``ValueError``): derived from *seed* and
    *label*, or the published RSA key for PS256."""
    if alg not in allowed:
        choices = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise ValueError(f"alg must be {choices}, not {alg!r}")
    if alg == "PS256":
        return _rsa_key()
    if alg == "EdDSA":
        return derive_ed25519_key(seed, label)
    return derive_ec_key(seed, label)
