"""Benchmark: bulk issuance (``issue_batch``) over generated records.

    .venv/bin/python benchmarks/bench_batch.py [--records 1000000] [--workers N] [--dir DIR]
                                               [--alg ES256|PS256]
    .venv/bin/python benchmarks/bench_batch.py --floor [--records 4000] [--alg ES256|PS256]

Generates a JSON Lines file of varied records (Vietnamese names with every tone mark, dates
of birth from 1930 to 2015, vaccination dates in 2021-2025, the 8 vaccines licensed in Viet
Nam, three test facilities, unique UVCIs) with a fast generator of its own, plus one bad line
in a thousand (bad JSON, an unknown facility, an impossible date), runs
:func:`vaxpass_core.shell.bulk.issue_batch` with the seeded test PKI, and prints records per
second, the load average and peak memory (RSS of this process and of the largest worker).
Then it checks that every input line is in exactly one output file and verifies a sample of
the passports.

``--floor`` measures instead, in this one process on one core, a worker's whole pipeline per
input line (JSON in, output line out) against its crypto floor: the two signatures and two
verifications every passport needs (the facility's ES256 and the ministry's ES256 or PS256),
made with ``cryptography`` directly over messages of the same size. The two are timed in
interleaved blocks of one chunk each, in CPU time of this process (other work on a shared
machine then costs cache misses, not whole time slices), best of several blocks, and the
ratio printed (the issue's target is 1.3x). ``--profile`` adds a cProfile of the pipeline.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import vaxpass_core as vp
from _records import NOW  # this folder's helper
from vaxpass_core import uvci, valuesets
from vaxpass_core.shell import bulk
from vaxpass_core.shell.bulk import issue_batch
from vaxpass_core.testing import pki as make_pki


_FAMILIES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Ưng",
)  # fmt: skip
_ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh",
           "ph", "qu", "s", "t", "th", "tr", "v", "x")  # fmt: skip
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_CODAS = ("", "", "c", "m", "n", "ng", "nh", "t", "i", "o", "u", "y")


def _word(rng: random.Random) -> str:
    word = rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
    return word[:1].upper() + word[1:]


def generate(path: Path, count: int, *, facility_ids: list[str], seed: int = 0) -> int:
    """Write *count* record lines to *path*; return how many are deliberately bad."""
    rng = random.Random(seed)
    vaccines = [v.codes for v in valuesets.vn_vaccines()]
    born0 = date(1930, 1, 1).toordinal()
    jabbed0 = date(2021, 3, 1).toordinal()
    bad = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            if i % 1000 == 999:
                bad += 1
                kind = (i // 1000) % 3
                if kind == 0:
                    f.write('{"full_name": {"family": "Lê", "given": "An"},\n')
                    continue
            else:
                kind = -1
            vp_, mp, ma = rng.choice(vaccines)
            dose = rng.randint(1, 3)
            line = {
                "facility_id": "VN-NOWHERE" if kind == 1 else rng.choice(facility_ids),
                "full_name": {
                    "family": rng.choice(_FAMILIES),
                    "given": " ".join(_word(rng) for _ in range(rng.randint(1, 3))),
                },
                "date_of_birth": date.fromordinal(born0 + rng.randrange(31000)).isoformat(),
                "nationality": "VN",
                "disease": "840539006",
                "doses_received": dose,
                "vaccination_date": (
                    "2021-02-30"
                    if kind == 2
                    else date.fromordinal(jabbed0 + rng.randrange(1500)).isoformat()
                ),
                "dose_number": dose,
                "vaccine": vp_,
                "product": mp,
                "manufacturer": ma,
                "certificate_id": uvci.new(issuer="79001", unique=f"{i:012X}{seed:04X}"),
            }
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return bad


def _check(source: Path, out: Path, rejects: Path, trust: vp.TrustStore, sample: int) -> None:
    seen: dict[int, int] = {}
    lines = sum(1 for _ in source.open("rb"))
    texts: list[str] = []
    for path in (out, rejects):
        with path.open("rb") as f:
            for raw in f:
                entry = json.loads(raw)
                seen[entry["line"]] = seen.get(entry["line"], 0) + 1
                if "qr_text" in entry and len(texts) < sample:
                    texts.append(entry["qr_text"])
    missing = lines - len(seen)
    doubled = sum(1 for c in seen.values() if c > 1)
    print(f"check: {lines} input lines, {missing} missing, {doubled} duplicated")
    failed = [t for t in texts if not vp.verify(t, trust=trust, now=NOW).ok]
    print(f"check: {len(texts)} passports verified, {len(failed)} failed")
    if missing or doubled or failed:
        sys.exit(1)


# -- One worker's pipeline against its crypto floor. ----------------------------------------

_ECDSA = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def _raw_sign(key: Any, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, _PSS, hashes.SHA256())
    return key.sign(data, _ECDSA)


def _raw_verify(key: Any, signature: bytes, data: bytes) -> None:
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, _PSS, hashes.SHA256())
    else:
        key.verify(signature, data, _ECDSA)


def _floor_items(pki: Any, issuer: vp.DocumentSigner, lines: list[bytes]) -> list[Any]:
    """Per good line: the facility's and the ministry's keys and a message of the size each
    signs (the record's CBOR, ~200 bytes; the CWT claims, ~500), signed once to verify."""
    items = []
    facilities = {f.facility_id: f for f in pki.facilities}
    for raw in lines:
        try:
            data = json.loads(raw)
            facility = facilities[data["facility_id"]]
        except (ValueError, KeyError):
            continue
        record_bytes = raw[:200].ljust(200, b" ")
        claims_bytes = (raw * 3)[:500].ljust(500, b" ")
        pairs = []
        for key, message in ((facility.key, record_bytes), (issuer.key, claims_bytes)):
            pairs.append((key, key.public_key(), message, _raw_sign(key, message)))
        items.append(pairs)
    return items


def _floor(items: list[Any]) -> None:
    for pairs in items:
        for key, public, message, signature in pairs:
            _raw_sign(key, message)
            _raw_verify(public, signature, message)


def measure_floor(args: argparse.Namespace) -> None:
    """Print per-line microseconds of one worker's pipeline and of its crypto floor."""
    pki = make_pki(seed=0)
    issuer = pki.document_signer if args.alg == "ES256" else pki.document_signer_ps256
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        generate(source, args.records, facility_ids=[f.facility_id for f in pki.facilities])
        lines = source.read_bytes().splitlines(keepends=True)
    bulk._STATE = bulk._build(bulk._spec(pki.facilities, issuer, pki.trust, NOW))  # noqa: SLF001
    size = bulk._CHUNK_LINES  # noqa: SLF001
    chunks = [lines[i : i + size] for i in range(0, len(lines), size)]
    floors = [_floor_items(pki, issuer, chunk) for chunk in chunks]
    good = sum(len(f) for f in floors)
    work = bulk._work  # noqa: SLF001
    pipeline = floor = float("inf")
    for _ in range(args.rounds):
        for first, (chunk, items) in enumerate(zip(chunks, floors, strict=True)):
            start = time.process_time_ns()
            work(1 + first * size, chunk)
            took = time.process_time_ns() - start
            pipeline = min(pipeline, took / len(chunk) / 1000)
            start = time.process_time_ns()
            _floor(items)
            floor = min(floor, (time.process_time_ns() - start) / len(chunk) / 1000)
    print(f"{len(lines)} lines ({good} good), Document Signer {args.alg}, "
          f"chunks of {size}, best block of {args.rounds} rounds")  # fmt: skip
    print(f"per line: pipeline {pipeline:.1f} us, crypto floor {floor:.1f} us "
          f"(2 signatures + 2 verifications), ratio {pipeline / floor:.2f}x")  # fmt: skip
    print("target: 1.3x")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for first, chunk in enumerate(chunks):
            work(1 + first * size, chunk)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=None, help="default 1000000 (4000 with --floor)"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=None, help="keep the files here")
    parser.add_argument("--verify-sample", type=int, default=2000)
    parser.add_argument(
        "--alg",
        choices=("ES256", "PS256"),
        default="ES256",
        help="the Document Signer's algorithm (Viet Nam's own signs with PS256)",
    )
    parser.add_argument("--floor", action="store_true", help="one worker against its floor")
    parser.add_argument("--rounds", type=int, default=5, help="with --floor: rounds of blocks")
    parser.add_argument("--profile", action="store_true", help="with --floor: cProfile too")
    args = parser.parse_args()
    if args.floor:
        args.records = args.records or 4000
        measure_floor(args)
        return
    args.records = args.records or 1_000_000

    pki = make_pki(seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source, out, rejects = folder / "in.jsonl", folder / "out.jsonl", folder / "rej.jsonl"
        for stale in (out, rejects, out.with_name(out.name + ".checkpoint")):
            stale.unlink(missing_ok=True)
        t = time.perf_counter()
        ids = [f.facility_id for f in pki.facilities]
        bad = generate(source, args.records, facility_ids=ids)
        size = source.stat().st_size
        print(f"generated {args.records} lines ({bad} bad), {size / 1e6:.0f} MB, "
              f"in {time.perf_counter() - t:.1f} s")  # fmt: skip

        load_before = os.getloadavg()[0]
        report = issue_batch(
            source,
            out=out,
            rejects=rejects,
            facilities=pki.facilities,
            issuer=pki.document_signer if args.alg == "ES256" else pki.document_signer_ps256,
            trust=pki.trust,
            now=NOW,
            workers=args.workers,
        )
        rate = report.read / report.seconds
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{report}")
        print(f"Document Signer: {args.alg}; cores: {os.cpu_count()}, "
              f"workers: {args.workers or os.cpu_count()}")  # fmt: skip
        # A shared machine's other work shows here: compare runs at similar load only.
        print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"rate: {rate:,.0f} records/s; 14.3 million would take "
              f"{timedelta(seconds=round(14_300_000 / rate))}")  # fmt: skip
        print(f"peak RSS: main process {own:.0f} MiB, largest worker {kids:.0f} MiB")
        _check(source, out, rejects, pki.trust, args.verify_sample)


if __name__ == "__main__":
    main()
