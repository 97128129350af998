"""Our reference vectors, verified by python-cwt 3.3 and pycose 1.1.

A vector whose EXPECTEDRESULTS say ``EXPECTEDVERIFY: true`` must verify with the peers
(its ``COSE`` with the key of ``TESTCTX.CERTIFICATE``); one that says ``false`` must not.
The peers run ``tests/peers/vectors_peer.py`` in ``.venv-peers`` (they pin ``cbor2<6``),
found the way the other interop tests find them (``peer_python`` in this folder's
``conftest.py``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import cbor2
import pytest

from vaxpass_core import cose, cwt
from vaxpass_core.testing import vectors


HERE = Path(__file__).resolve().parent
PEER_SCRIPT = HERE.parent / "peers" / "vectors_peer.py"
LIBS = ("cwt", "pycose")


VECTORS = {Path(path).stem: content for path, content in vectors.generate(0)}
WITH_VERIFY = sorted(
    name for name, c in VECTORS.items() if "EXPECTEDVERIFY" in c["EXPECTEDRESULTS"]
)


@pytest.fixture(scope="module")
def answers(peers_python: Path) -> dict[tuple[str, str], dict[str, Any]]:
    python = peers_python
    keys = [(name, lib) for name in WITH_VERIFY for lib in LIBS]
    requests = "".join(
        json.dumps(
            {
                "lib": lib,
                "cose": VECTORS[name]["COSE"],
                "certificate": VECTORS[name]["TESTCTX"]["CERTIFICATE"],
            }
        )
        + "\n"
        for name, lib in keys
    )
    done = subprocess.run(
        [str(python), str(PEER_SCRIPT)],
        input=requests,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr:
        pytest.skip(f"{python} lacks python-cwt or pycose: {done.stderr[-200:]}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(keys), done.stderr
    return {key: json.loads(line) for key, line in zip(keys, lines, strict=True)}


def test_the_vectors_say_both_things() -> None:
    said = {VECTORS[name]["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] for name in WITH_VERIFY}
    assert said == {True, False}
    algs = {cose.decode_sign1(bytes.fromhex(VECTORS[n]["COSE"])).alg for n in WITH_VERIFY}
    assert algs >= {cose.ES256, cose.PS256}


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("name", WITH_VERIFY)
def test_peers_agree_with_expected_verify(
    answers: dict[tuple[str, str], dict[str, Any]], name: str, lib: str
) -> None:
    vector = VECTORS[name]
    answer = answers[name, lib]
    assert answer["ok"] is vector["EXPECTEDRESULTS"]["EXPECTEDVERIFY"], answer.get("error")
    if answer["ok"]:
        # The peer's payload is the signed CWT; where it decodes, it carries the file's CBOR.
        payload = bytes.fromhex(answer["payload"])
        cose_payload = cose.decode_sign1(bytes.fromhex(vector["COSE"])).payload
        assert payload == cose_payload
        if vector["EXPECTEDRESULTS"].get("EXPECTEDDECODE"):
            assert cwt.decode_claims(payload).hcert == cbor2.loads(bytes.fromhex(vector["CBOR"]))
