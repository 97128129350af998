"""``vp.verify()`` with every check on, against the raw ECDSA P-256 floor it cannot beat.

Run: ``.venv/bin/python benchmarks/bench_verify.py [--passports N] [--rounds R] [--profile]``

Over many *different* passports issued with the test PKI (``vp.testing.pki``; names, dates of
birth, vaccination dates, products and certificate ids all vary), in one run:

(a) an EU-style passport, no facility attestation (default policy): the floor is one raw
    ``cryptography`` ECDSA P-256 verify of the same Sig_structure;
(b) a Vietnamese passport with the facility attestation (``Policy.vietnam()``): the floor is
    two, the ministry's signature and the facility's.

Prints microseconds per passport (best of R rounds of the mean over the N passports) and the
ratio to the floor; the issue's target is 1.5x. ``--profile`` prints a cProfile of (b).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

import vaxpass_core as vp  # noqa: E402
from _records import NOW, make_record  # noqa: E402 - this folder's helpers
from _timing import best  # noqa: E402
from vaxpass_core.hazmat import cose, cwt, hc1  # noqa: E402
from vaxpass_core.testing import pki as make_pki  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    rng = random.Random(20260601)
    pki = make_pki(seed=0)
    signer = pki.document_signer  # ES256
    facility = pki.facilities[0]
    trust = pki.trust
    ministry_key = signer.certificate.public_key()
    facility_key = facility.certificate.public_key()
    assert isinstance(ministry_key, ec.EllipticCurvePublicKey)
    assert isinstance(facility_key, ec.EllipticCurvePublicKey)
    ecdsa = ec.ECDSA(hashes.SHA256())
    der = cose._der_signature  # noqa: SLF001 - the floor verifies DER, as cryptography wants

    vn_texts, eu_texts = [], []
    ministry_floor, facility_floor = [], []
    for _ in range(args.passports):
        record = make_record(rng)
        att = vp.attest(record, facility=facility, now=NOW - dt.timedelta(days=1))
        passport = vp.issue(att, issuer=signer, trust=trust, now=NOW)
        vn_texts.append(passport.qr_text)
        # The same DCC as any EU issuer makes it: no attestation claim.
        payload = cwt.encode_claims(
            dcc=passport.dcc,
            issuer="VN",
            issued_at=passport.issued_at,
            expires_at=passport.expires_at,
        )
        eu_texts.append(hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid)))
        message = cose.decode_sign1(att.to_bytes())
        facility_floor.append((message.sig_structure(), der(message.signature, 32)))
    for text in eu_texts:
        message = cose.decode_sign1(hc1.decode(text))
        ministry_floor.append((message.sig_structure(), der(message.signature, 32)))
    vn_ministry_floor = []
    for text in vn_texts:
        message = cose.decode_sign1(hc1.decode(text))
        vn_ministry_floor.append((message.sig_structure(), der(message.signature, 32)))

    vietnam = vp.Policy.vietnam()
    for text in eu_texts:
        assert vp.verify(text, trust=trust, now=NOW).ok
    for text in vn_texts:
        assert vp.verify(text, trust=trust, now=NOW, policy=vietnam).ok

    def verify_eu(text: str) -> object:
        return vp.verify(text, trust=trust, now=NOW)

    def verify_vn(text: str) -> object:
        return vp.verify(text, trust=trust, now=NOW, policy=vietnam)

    def floor_one(item: tuple[bytes, bytes]) -> None:
        ministry_key.verify(item[1], item[0], ecdsa)

    def floor_two(item: tuple[tuple[bytes, bytes], tuple[bytes, bytes]]) -> None:
        ministry_key.verify(item[0][1], item[0][0], ecdsa)
        facility_key.verify(item[1][1], item[1][0], ecdsa)

    rounds = args.rounds
    eu = best(verify_eu, eu_texts, rounds)
    eu_floor = best(floor_one, ministry_floor, rounds)
    vn = best(verify_vn, vn_texts, rounds)
    vn_floor = best(floor_two, list(zip(vn_ministry_floor, facility_floor, strict=True)), rounds)

    print(f"{args.passports} passports, best of {rounds} rounds, microseconds per passport")
    for label, took, floor in (
        ("(a) EU-style, no attestation, floor 1 ECDSA", eu, eu_floor),
        ("(b) Viet Nam, attestation,    floor 2 ECDSA", vn, vn_floor),
    ):
        print(f"{label}: verify {took:7.1f}  floor {floor:7.1f}  ratio {took / floor:.2f}x")
    print("target: 1.5x")

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            for text in vn_texts:
                verify_vn(text)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
