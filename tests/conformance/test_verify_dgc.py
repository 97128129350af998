"""``vp.verify()`` over every case of the EU dgc-testdata, flag by flag.

Each case is verified as a border app would: a trust store holding only the case's
``TESTCTX.CERTIFICATE`` and ``now`` = ``TESTCTX.VALIDATIONCLOCK`` (naive times are UTC).
Each flag is judged as the library's own checker, ``vaxpass_core.testing.vectors.check()``,
judges it: a flag speaks of some of verify's checks (``vectors.FLAG_CHECKS``); a true flag
agrees when all of them PASSED, a false one when one of them FAILED or was SKIPPED because a
check it depends on FAILED (CBO2: a broken CWT cannot be verified); a check skipped for
no failure (it does not apply) is not the failure the flag predicts. ``EXPECTEDDECODE``
also needs the decoded payload to equal the file's ``CBOR``, and ``EXPECTEDVALIDJSON`` the
DCC verify decoded to equal the file's JSON. An absent flag is not tested.

What this test adds to ``check()``: the transport flags and the JSON are judged on
``PREFIX`` (as ``check()`` judges every flag); the others on the file's ``COSE`` when it
has one (the README: "Data from input in COSE can be cryptographically verified"), else
on ``PREFIX``. Flags about producing data or reading pictures (``EXPECTEDENCODE``,
``EXPECTEDVALIDOBJECT``, ``EXPECTEDPICTUREDECODE``) are not verify's, and the codec-level
comparisons of intermediate forms are ``test_codec_dgc.py``'s.

``python tests/conformance/test_verify_dgc.py [DATA_DIR]`` prints the tally per flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import vaxpass_core as vp
from vaxpass_core import verification
from vaxpass_core.hazmat import hc1
from vaxpass_core.shell._vector_check import _clock, _observe, _trust
from vaxpass_core.shell._vector_format import TRANSPORT
from vaxpass_core.testing import vectors


#: The flags verify() speaks to (each stands for the checks :data:`vectors.FLAG_CHECKS`
#: names). Not EXPECTEDPICTUREDECODE (reading a picture is not verify's) nor Viet Nam's
#: EXPECTEDFACILITY, which no EU file has.
FLAGS = frozenset(vectors.FLAG_CHECKS) - {"EXPECTEDPICTUREDECODE", "EXPECTEDFACILITY"}
JSON_FLAG = "EXPECTEDVALIDJSON"
#: Judged on PREFIX: the transport steps, and the JSON of what a scanner reads.
ON_PREFIX = frozenset({*TRANSPORT, JSON_FLAG})

#: (case, flag) -> why verify and the file disagree, after review.
REVIEWED: dict[tuple[str, str], str] = {
    ("FR/2DCode/raw/test_pcr_ok.json", JSON_FLAG): (
        "the file's JSON has sc two hours off the signed CBOR (14:34:56Z in the payload, "
        "12:34:56Z in JSON): the generator shifted a local time; a verifier shows what "
        "was signed"
    ),
}


class Case:
    """One file, verified once or twice (its PREFIX, and its COSE when it has one), each
    flag judged as :func:`vaxpass_core.testing.vectors.check` judges it."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data
        self.expected: dict[str, bool] = data["EXPECTEDRESULTS"]
        ctx = data["TESTCTX"]
        trust, now = _trust(ctx), _clock(ctx)
        self.prefix = vp.verify(data["PREFIX"], trust=trust, now=now)
        cose = data.get("COSE")
        self.cose = (
            vp.verify(hc1.encode(bytes.fromhex(cose)), trust=trust, now=now)
            if cose
            else self.prefix
        )

    def agrees(self, flag: str) -> bool:
        result = self.prefix if flag in ON_PREFIX else self.cose
        observed, _ = _observe(flag, self.data, result, read_pictures=False)
        return observed is bool(self.expected[flag])

    def flags(self) -> list[str]:
        return [f for f in self.expected if f in FLAGS]


def run_all(cases: list[tuple[str, dict[str, Any]]]) -> tuple[int, int, set[tuple[str, str]]]:
    """(matched, total, disagreements) over every tested flag of every case."""
    matched = total = 0
    disagreements: set[tuple[str, str]] = set()
    for name, data in cases:
        case = Case(name, data)
        for flag in case.flags():
            total += 1
            if case.agrees(flag):
                matched += 1
            else:
                disagreements.add((name, flag))
    return matched, total, disagreements


@pytest.fixture(scope="module")
def outcome(dgc_cases: list[tuple[str, dict[str, Any]]]) -> tuple[int, int, set[Any]]:
    return run_all(dgc_cases)


def test_every_flag_matches_but_the_reviewed(outcome: tuple[int, int, set[Any]]) -> None:
    matched, total, disagreements = outcome
    print(f"dgc-testdata: verify() matches {matched}/{total} flags")
    assert disagreements == set(REVIEWED)
    assert matched == total - len(REVIEWED)


def test_the_library_checker_agrees(
    dgc_cases: list[tuple[str, dict[str, Any]]], outcome: tuple[int, int, set[Any]]
) -> None:
    # vectors.check() judges every flag on PREFIX, with Viet Nam's policy (it only decides
    # EXPECTEDFACILITY, which no EU file has): on these files it disagrees exactly where
    # this test does, and can check every file.
    report = vectors.check(dgc_cases, read_pictures=False)
    assert [v.path for v in report.vectors] == [name for name, _ in dgc_cases]
    assert all(v.error is None for v in report.vectors)
    found = {(v.path, f.flag) for v in report.vectors for f in v.disagreements}
    assert found == outcome[2] == set(REVIEWED)
    agree = len(dgc_cases) - len({name for name, _ in REVIEWED})
    assert report.summary().startswith(f"{agree}/{len(dgc_cases)} vectors agree")


def test_every_verify_flag_is_tested(dgc_cases: list[tuple[str, dict[str, Any]]]) -> None:
    # A flag this mapping does not know would silently go untested.
    known = {*FLAGS, "EXPECTEDENCODE", "EXPECTEDVALIDOBJECT", "EXPECTEDPICTUREDECODE"}
    seen = {flag for _, data in dgc_cases for flag in data["EXPECTEDRESULTS"]}
    assert seen <= known, seen - known
    assert seen >= FLAGS
    assert JSON_FLAG in FLAGS


def test_the_negative_cases_fail_where_the_spec_says(
    dgc_cases: list[tuple[str, dict[str, Any]]],
) -> None:
    # BasicDgcTestsList.md by id, so that a change in the data set or in verify shows.
    by_name = dict(dgc_cases)
    expected = {
        "H1": "hc1.prefix",
        "H2": "hc1.prefix",
        "H3": "hc1.prefix",
        "B1": "hc1.base45",
        "Z1": "hc1.zlib",
        "Z2": "hc1.zlib",
        "CO5": "signature.invalid",
        **{f"CO{n}": "key.usage" for n in range(6, 12)},
        "CO16": "time.not-yet-valid",
        "CO17": "time.expired",
        "CO22": "key.unknown",  # the protected kid wins (hcert spec 3.3.1)
        "CO23": "key.unknown",
        "CBO2": "cbor.malformed",
        "DGC1": "schema.invalid",
        "DGC2": "schema.invalid",
    }
    for case_id, code in expected.items():
        name = f"common/2DCode/raw/{case_id}.json"
        case = Case(name, by_name[name])
        result = case.cose if case_id.startswith(("CO", "CBO", "DGC")) else case.prefix
        assert code in result.codes, (case_id, result.codes)


def test_a_clean_pass_builds_no_check(
    dgc_cases: list[tuple[str, dict[str, Any]]],
) -> None:
    # verify() builds check objects only for what fails: on real data from many issuers, every
    # passport that is ok shares one constant tuple of checks per shape (with or without the
    # facility level), the same object whichever passport it was.
    shared = 0
    for name, data in dgc_cases:
        ctx = data["TESTCTX"]
        trust, now = _trust(ctx), _clock(ctx)
        texts = [data["PREFIX"]]
        if data.get("COSE"):
            texts.append(hc1.encode(bytes.fromhex(data["COSE"])))
        for text in texts:
            if not isinstance(text, str):
                continue
            result = verification.verify(text, trust=trust, now=now)
            again = verification.verify(text, trust=trust, now=now)
            assert result == again, name
            if result.ok:
                assert result.checks is again.checks, name
                shared += 1
            else:
                assert result.checks is not again.checks, name
    print(f"dgc-testdata: {shared} clean passes shared their checks")
    assert shared > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-05-03T18:00:00Z", dt.datetime(2021, 5, 3, 18, tzinfo=dt.UTC)),
        ("2021-06-09T15:15:34+0200", dt.datetime(2021, 6, 9, 13, 15, 34, tzinfo=dt.UTC)),
        ("2021-06-18T23:59:59+03:00", dt.datetime(2021, 6, 18, 20, 59, 59, tzinfo=dt.UTC)),
        ("2021-06-01T20:00:00", dt.datetime(2021, 6, 1, 20, tzinfo=dt.UTC)),
        ("2021-05-21T12:26:07.390079123Z", dt.datetime(2021, 5, 21, 12, 26, 7, 390079, dt.UTC)),
        ("2021-05-21T12:33:43.12+02:00", dt.datetime(2021, 5, 21, 10, 33, 43, 120000, dt.UTC)),
    ],
)
def test_validation_clocks_parse(text: str, expected: dt.datetime) -> None:
    # The EU's clocks as the library's checker reads them: naive is UTC, nanoseconds cut.
    assert _clock({"VALIDATIONCLOCK": text}) == expected


if __name__ == "__main__":
    import sys
    from collections import Counter
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for tests/
    from tests._helpers import load_dgc_testdata, vector_cases

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[3] / "shared" / "data"
    all_cases = vector_cases(load_dgc_testdata(root))
    per_flag: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    for case_name, case_data in all_cases:
        one = Case(case_name, case_data)
        for one_flag in one.flags():
            per_flag[one_flag] += 1
            agreed[one_flag] += one.agrees(one_flag)
            if not one.agrees(one_flag):
                print("disagree:", case_name, one_flag, one.cose.codes, one.prefix.codes)
    for one_flag, count in sorted(per_flag.items()):
        print(f"{one_flag:26} {agreed[one_flag]}/{count}")
    print(f"{'all':26} {sum(agreed.values())}/{sum(per_flag.values())}")
