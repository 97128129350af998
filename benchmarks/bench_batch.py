"""Benchmark: bulk issuance (``issue_batch``) over generated records.

    .venv/bin/python benchmarks/bench_batch.py [--records 1000000] [--workers N] [--dir DIR]
                                               [--alg ES256|PS256]

Generates a JSON Lines file of varied records (Vietnamese names with every tone mark, dates
of birth from 1930 to 2015, vaccination dates in 2021-2025, the 8 vaccines licensed in Viet
Nam, three test facilities, unique UVCIs) with a fast generator of its own, plus one bad line
in a thousand (bad JSON, an unknown facility, an impossible date), runs
:func:`vaxpass_core.batch.issue_batch` with the seeded test PKI, and prints records per
second, the load average and peak memory (RSS of this process and of the largest worker).
Then it checks that every input line is in exactly one output file and verifies a sample of
the passports.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import vaxpass_core as vp
from _records import NOW  # this folder's helper
from vaxpass_core import uvci, valuesets
from vaxpass_core.batch import issue_batch
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=None, help="keep the files here")
    parser.add_argument("--verify-sample", type=int, default=2000)
    parser.add_argument(
        "--alg",
        choices=("ES256", "PS256"),
        default="ES256",
        help="the Document Signer's algorithm (Viet Nam's own signs with PS256)",
    )
    args = parser.parse_args()

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
