"""Wire-layer benchmarks: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``).

Measures in one run, on the same ES256 passports:

* verify: this library's full wire verify (HC1 text -> verified claims) against the
  floor, one raw ``cryptography`` ECDSA P-256 verify of the same Sig_structure;
  python-cwt's and pycose's (in the peers' venv, each against a floor measured in
  that process);
* issue: claims -> COSE_Sign1 -> HC1 text against one raw ECDSA P-256 sign;
* the wire steps one by one, Base45 ours against the ``base45`` package, zlib
  levels (size and time), and how long a 1 GiB zlib bomb takes to be refused.

Every figure is the best of several rounds of the mean over many *different*
passports (names, dates, identifiers vary), never one input repeated.
Options: ``--passports N`` (default 300), ``--rounds R`` (default 7).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import random
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from _records import ISSUER, make_record  # noqa: E402 - this folder's helpers
from _timing import best  # noqa: E402
from vaxpass_core.errors import TooLarge  # noqa: E402
from vaxpass_core.hazmat import base45, cose, cwt, hc1  # noqa: E402


if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def make_dcc(rng: random.Random) -> dict[str, Any]:
    return make_record(rng).to_dcc(country="VN", issuer=ISSUER)


def peers_python() -> Path | None:
    env = os.environ.get("VAXPASS_PEERS_PYTHON")
    for candidate in ([Path(env)] if env else []) + [ROOT / ".venv-peers" / "bin" / "python"]:
        if candidate.is_file():
            return candidate
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    n, rounds = args.passports, args.rounds

    rng = random.Random(20260601)
    key = ec.derive_private_key(rng.getrandbits(200), ec.SECP256R1())
    public = key.public_key()
    kid = bytes.fromhex("0011223344556677")
    iat = int(time.time())  # the benchmark may read the clock; the library never does
    exp = iat + 365 * 86400
    dccs = [make_dcc(rng) for _ in range(n)]

    def issue(dcc: dict[str, Any]) -> str:
        payload = cwt.encode_claims(dcc=dcc, issuer="VN", issued_at=iat, expires_at=exp)
        return hc1.encode(cose.sign1(payload, key=key, kid=kid))

    texts = [issue(d) for d in dccs]
    coses = [hc1.decode(t) for t in texts]
    messages = [cose.decode_sign1(c) for c in coses]
    tbss = [m.sig_structure() for m in messages]
    der = cose._der_signature  # noqa: SLF001 (timed on its own below)
    ders = [der(m.signature, 32) for m in messages]
    ecdsa = ec.ECDSA(hashes.SHA256())
    ecdsa_det = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)

    def verify(text: str) -> cwt.Claims:
        msg = cose.decode_sign1(hc1.decode(text))
        cose.verify_sign1(msg, public)
        return cwt.decode_claims(msg.payload)

    for text, dcc in zip(texts, dccs, strict=True):
        assert verify(text).hcert == dcc

    def wire_only(text: str) -> object:
        msg = cose.decode_sign1(hc1.decode(text))
        msg.sig_structure()
        der(msg.signature, 32)
        return cwt.decode_claims(msg.payload)

    pairs = list(zip(ders, tbss, strict=True))
    floor = best(lambda p: public.verify(p[0], p[1], ecdsa), pairs, rounds)
    ours = best(verify, texts, rounds)
    wire = best(wire_only, texts, rounds)
    sizes = [len(c) for c in coses]
    chars = [len(t) for t in texts]
    print(f"{n} different ES256 passports: COSE {min(sizes)}-{max(sizes)} bytes "
          f"(mean {sum(sizes) / n:.0f}), HC1 text {min(chars)}-{max(chars)} chars; "
          f"best of {rounds} rounds, microseconds per passport")  # fmt: skip
    print()
    print("VERIFY (HC1 text -> verified claims)")
    print(f"  floor: raw cryptography ECDSA P-256 verify  {floor:8.2f} us   1.00x")
    print(f"  vaxpass_core full wire verify              {ours:8.2f} us   {ours / floor:.2f}x")
    print(f"    of which wire layer without the crypto   {wire:8.2f} us   {wire / floor:.2f}x")

    steps: list[tuple[str, Callable[[Any], object], Sequence[Any]]] = [
        ("strip_prefix", hc1.strip_prefix, texts),
        ("b45decode", lambda t: base45.b45decode(t[4:]), texts),
        ("decompress (stored)", hc1.decompress, [base45.b45decode(t[4:]) for t in texts]),
        ("decode_sign1", cose.decode_sign1, coses),
        ("sig_structure", lambda m: m.sig_structure(), messages),
        ("raw r||s -> DER", lambda m: der(m.signature, 32), messages),
        ("decode_claims", cwt.decode_claims, [m.payload for m in messages]),
    ]
    for name, fn, items in steps:
        t = best(fn, items, rounds)
        print(f"      {name:36} {t:8.2f} us   {t / floor:.2f}x")

    python = peers_python()
    if python is None:
        print("  python-cwt / pycose: skipped (no .venv-peers; set VAXPASS_PEERS_PYTHON)")
    else:
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        request = {"texts": texts, "public_key": pem, "kid": kid.hex(), "rounds": rounds}
        done = subprocess.run(
            [str(python), str(ROOT / "benchmarks" / "peer_bench.py")],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=True,
        )
        peer = json.loads(done.stdout)
        pf = peer["floor_us"]
        print(f"  peers' process floor (same verify)         {pf:8.2f} us   1.00x")
        for label, k in [
            ("python-cwt full (plain-loop Base45)", "cwt_full_us"),
            ("python-cwt cwt.decode only", "cwt_cwt_only_us"),
            ("python-cwt COSE.decode + cbor2", "cwt_cose_only_us"),
            ("pycose full (plain-loop Base45)", "pycose_full_us"),
            ("plain-loop Base45 decode alone", "b45_loop_us"),
        ]:
            print(f"  {label:42} {peer[k]:8.2f} us   {peer[k] / pf:.2f}x")

    print()
    print("ISSUE (DCC -> HC1 text)")
    sign_floor = best(lambda tbs: key.sign(tbs, ecdsa_det), tbss, rounds)
    sign_floor_random = best(lambda tbs: key.sign(tbs, ecdsa), tbss, rounds)
    issued = best(issue, dccs, rounds)
    print(f"  floor: raw ECDSA P-256 sign (RFC 6979)      {sign_floor:8.2f} us   1.00x")
    print(f"  raw ECDSA P-256 sign (random k)            {sign_floor_random:8.2f} us   "
          f"{sign_floor_random / sign_floor:.2f}x")  # fmt: skip
    ratio = issued / sign_floor
    print(f"  vaxpass_core issue (claims+sign1+HC1)      {issued:8.2f} us   {ratio:.2f}x")
    payloads = [m.payload for m in messages]

    def claims_only(d: dict[str, Any]) -> bytes:
        return cwt.encode_claims(dcc=d, issuer="VN", issued_at=iat, expires_at=exp)

    issue_steps: list[tuple[str, Callable[[Any], object], Sequence[Any]]] = [
        ("encode_claims", claims_only, dccs),
        ("sign1 (incl. the raw sign)", lambda p: cose.sign1(p, key=key, kid=kid), payloads),
        ("hc1.encode (stored)", hc1.encode, coses),
    ]
    for name, fn, items in issue_steps:
        t = best(fn, items, rounds)
        print(f"      {name:36} {t:8.2f} us   {t / sign_floor:.2f}x")

    print()
    print("BASE45 (the same passports)")
    raw = [base45.b45decode(t[4:]) for t in texts]
    ours_dec = best(lambda t: base45.b45decode(t[4:]), texts, rounds)
    ours_enc = best(base45.b45encode, raw, rounds)
    try:
        reference = importlib.import_module("base45")  # test/bench dependency only
    except ImportError:
        print(f"  ours: decode {ours_dec:.2f} us, encode {ours_enc:.2f} us "
              "(`pip install base45` to compare)")  # fmt: skip
    else:
        ref_dec = best(lambda t: reference.b45decode(t[4:]), texts, rounds)
        ref_enc = best(reference.b45encode, raw, rounds)
        print(f"  decode: ours {ours_dec:7.2f} us, base45 package {ref_dec:7.2f} us "
              f"({ref_dec / ours_dec:.1f}x faster)")  # fmt: skip
        print(f"  encode: ours {ours_enc:7.2f} us, base45 package {ref_enc:7.2f} us "
              f"({ref_enc / ours_enc:.1f}x faster)")  # fmt: skip

    print()
    print("ZLIB (per passport; text chars include the prefix)")
    for level in (0, 1, 6, 9):

        def at_level(c: bytes, lv: int = level) -> str:
            return hc1.encode(c, compress=lv)

        packed = [base45.b45decode(at_level(c)[4:]) for c in coses]
        enc = best(at_level, coses, rounds)
        dec = best(hc1.decompress, packed, rounds)
        mean_bytes = sum(map(len, packed)) / n
        mean_chars = 4 + sum(len(base45.b45encode(p)) for p in packed) / n
        print(
            f"  level {level} (wbits 10, memLevel 2): {mean_bytes:6.1f} bytes, {mean_chars:6.1f}"
            f" chars, hc1.encode {enc:6.2f} us, decompress {dec:5.2f} us"
        )
    stock = best(lambda c: zlib.compress(c, 9), coses, rounds)
    small = best(lambda c: hc1.encode(c, compress=9), coses, rounds)
    print(f"  zlib.compress(level 9) alone: {stock:.2f} us; hc1.encode at level 9 "
          f"(Base45 included): {small:.2f} us")  # fmt: skip

    print()
    chunk = b"\x00" * (1 << 20)
    c = zlib.compressobj(9)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    body = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    bomb = first + body * 1023  # inflates to 1 GiB (no trailer: never reached)
    for label, data in [("1 GiB zlib bomb", bomb), ("its first QR-sized part", bomb[:2860])]:
        start = time.perf_counter()
        with contextlib.suppress(TooLarge):
            hc1.decompress(data)
        spent = (time.perf_counter() - start) * 1e6
        print(f"BOMB: {label} ({len(data)} bytes) refused in {spent:.0f} us")


if __name__ == "__main__":
    main()
