"""Our reference vectors, verified by python-cwt 3.3 and pycose 1.1.

A vector whose EXPECTEDRESULTS say ``EXPECTEDVERIFY: true`` must verify with the peers
(its ``COSE`` with the key of ``TESTCTX.CERTIFICATE``); one that says ``false`` must not.
The peers answer through the ``peer`` fixture of this folder's ``conftest.py`` (python-cwt and
pycose in ``.venv-peers``, as for the other interop tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import cbor2
import pytest

from vaxpass_core.hazmat import cose, cwt
from vaxpass_core.testing import vectors


if TYPE_CHECKING:
    from .conftest import Peer

LIBS = ("cwt", "pycose")


VECTORS = {Path(path).stem: content for path, content in vectors.generate(0)}
WITH_VERIFY = sorted(
    name for name, c in VECTORS.items() if "EXPECTEDVERIFY" in c["EXPECTEDRESULTS"]
)


@pytest.fixture(scope="module")
def answers(peer: Peer) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (name, lib): peer.ask(
            op="verify-vector",
            lib=lib,
            cose=VECTORS[name]["COSE"],
            certificate=VECTORS[name]["TESTCTX"]["CERTIFICATE"],
        )
        for name in WITH_VERIFY
        for lib in LIBS
    }


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
