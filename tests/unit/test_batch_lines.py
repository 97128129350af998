"""issue_batch's output lines (the same bytes json.dumps gives) and its workers' set-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core import attest
from vaxpass_core.batch import _build, _one, _out_line, _quiet, _spec
from vaxpass_core.hazmat.base45 import ALPHABET
from vaxpass_core.record_json import record_to_json
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


@given(
    line=st.integers(1, 10**12),
    certificate_id=st.text(max_size=40)
    | st.text(st.characters(min_codepoint=33, max_codepoint=126)),
    qr=st.text(st.sampled_from(ALPHABET), max_size=50),
)
def test_batch_output_line_is_json_dumps(line: int, certificate_id: str, qr: str) -> None:
    qr_text = "HC1:" + qr
    expected = json.dumps({"line": line, "certificate_id": certificate_id, "qr_text": qr_text})
    assert _out_line(line, certificate_id, qr_text) == expected.encode() + b"\n"


def test_a_worker_recognises_its_own_attestations() -> None:
    # A worker rebuilds signers and trust from bytes; the store must hold the signers' own
    # certificate objects, so issue() recognises attest()'s work and skips re-verifying it.
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    facility = worker.facilities[pki.facilities[0].facility_id]
    attestation = attest(sample_record(), facility=facility, now=now)
    usable = worker.trust.check_facility(attestation.facility_kid, at=attestation.signed_at)
    assert any(f.certificate is facility.certificate for f in usable)
    assert attestation.origin_proven(usable)


def test_a_worker_judges_each_line_in_process() -> None:
    # The same judgements the batch tests see through worker processes, counted here too.
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    good = {"facility_id": pki.facilities[0].facility_id, **record_to_json(sample_record())}
    ok, text = _one(worker, 1, json.dumps(good).encode())
    assert ok
    assert json.loads(text)["qr_text"].startswith("HC1:")
    for raw, error in (
        (b'{"a": "\xe9"}', "not UTF-8: byte 0xe9 at 7"),
        (b"{\x00\xff}", "not UTF-8: byte 0xff at 2"),
        (b"[" * 100_000, "not JSON this reader takes: nested too deeply"),
        (b"{oops", "not JSON: "),
        (b"[1]", "not a JSON object but list"),
    ):
        ok, text = _one(worker, 2, raw)
        assert not ok
        assert json.loads(text)["error"].startswith(error)


class _Exits:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def run(self) -> None:
        raise self.exc


def test_a_worker_whose_parent_is_gone_ends_quietly() -> None:
    quiet = _quiet(_Exits)
    assert quiet.__name__ == "Quiet_Exits"
    assert quiet(BrokenPipeError()).run() is None  # the parent died: nothing to say
    with pytest.raises(ValueError, match="a real error"):  # anything else still shows
        quiet(ValueError("a real error")).run()
