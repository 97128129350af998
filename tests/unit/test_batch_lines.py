"""issue_batch's output lines (the same bytes json.dumps gives) and its workers' set-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core import VaxpassError, attest, attest_and_issue, chain
from vaxpass_core.hazmat.base45 import ALPHABET
from vaxpass_core.shell import bulk
from vaxpass_core.shell.bulk import _build, _issue_chunk, _out_line, _quiet, _reject, _spec
from vaxpass_core.shell.record_json import record_from_json, record_to_json
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


def _judge(worker: Any, lines: list[bytes]) -> list[tuple[bool, bytes]]:
    """(True, out line) or (False, rejects line) per line, as a worker writes them."""
    return [
        (False, _reject(n, r)) if isinstance(r, bytes) else (True, _out_line(n, *r))
        for n, r in enumerate(_issue_chunk(worker, lines), 1)
    ]


def test_a_worker_trusts_no_attestation_by_where_it_came_from() -> None:
    # A worker rebuilds signers and trust from bytes: the store holds certificates read
    # from DER, never the signers' own objects, and every facility signature is verified.
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    facility = worker.facilities[pki.facilities[0].facility_id]
    attestation = attest(sample_record(), facility=facility, now=now)
    usable = worker.trust.check_facility(attestation.facility_kid, at=attestation.signed_at)
    assert not any(f.certificate is facility.certificate for f in usable)
    assert any(f.certificate == facility.certificate for f in usable)


def test_a_worker_judges_each_line_in_process() -> None:
    # The same judgements the batch tests see through worker processes, counted here too.
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    good = {"facility_id": pki.facilities[0].facility_id, **record_to_json(sample_record())}
    bad = [
        (b'{"a": "\xe9"}', "not UTF-8: byte 0xe9 at 7"),
        (b"{\x00\xff}", "not UTF-8: byte 0xff at 2"),
        (b"[" * 100_000, "not JSON this reader takes: nested too deeply"),
        (b"{oops", "not JSON: "),
        (b"[1]", "not a JSON object but list"),
    ]
    judged = _judge(worker, [json.dumps(good).encode(), *(raw for raw, _ in bad)])
    ok, text = judged[0]
    assert ok
    assert json.loads(text)["qr_text"].startswith("HC1:")
    for (ok, text), (_, error) in zip(judged[1:], bad, strict=True):
        assert not ok
        assert json.loads(text)["error"].startswith(error)


def test_each_stage_rejects_a_line_as_the_one_call_does() -> None:
    # A chunk whose lines fail at different stages: each line's reject (code and message)
    # is what vp.attest_and_issue() raises for it, the good lines' passports are its own,
    # and a failure in one line leaves its neighbours alone.
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    facility = pki.facilities[0]
    record = sample_record()
    good = {"facility_id": facility.facility_id, **record_to_json(record)}
    cases = [
        good,
        {**good, "dose_number": "two"},  # the record's shape
        {**good, "vaccination_date": "2027-01-01"},  # dated after the attestation
        {**good, "nationality": None},  # no nationality: cannot be attested
        {**good, "certificate_id": 7},
        good,
    ]
    judged = _judge(worker, [json.dumps(case).encode() for case in cases])
    assert [ok for ok, _ in judged] == [True, False, False, False, False, True]
    passport = attest_and_issue(
        record, facility=facility, issuer=pki.document_signer, trust=pki.trust, now=now
    )
    assert json.loads(judged[0][1])["qr_text"] == passport.qr_text
    assert judged[0][1].replace(b'"line": 1', b'"line": 6') == judged[5][1]
    for (_, text), case in zip(judged[1:5], cases[1:5], strict=True):
        rejected = json.loads(text)
        data = dict(case)
        del data["facility_id"]
        with pytest.raises((VaxpassError, TypeError, ValueError)) as caught:
            attest_and_issue(
                record_from_json(data),
                facility=facility,
                issuer=pki.document_signer,
                trust=pki.trust,
                now=now,
            )
        error = caught.value
        code = error.code if isinstance(error, VaxpassError) else "record.invalid"
        assert (rejected["code"], rejected["error"]) == (code, str(error))


def test_a_bug_in_a_stage_costs_its_line_only(monkeypatch: pytest.MonkeyPatch) -> None:
    pki = make_pki(seed=0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = _build(_spec(pki.facilities, pki.document_signer, pki.trust, now))
    good = {"facility_id": pki.facilities[0].facility_id, **record_to_json(sample_record())}
    real = chain.draft_passport
    calls = []

    def flaky(attestation: Any, **options: Any) -> Any:
        calls.append(attestation)
        if len(calls) == 2:
            raise KeyError("a bug")
        return real(attestation, **options)

    monkeypatch.setattr(bulk, "draft_passport", flaky)
    judged = _judge(worker, [json.dumps(good).encode()] * 3)
    assert [ok for ok, _ in judged] == [True, False, True]
    assert json.loads(judged[1][1]) == {
        "line": 2,
        "code": "batch.internal",
        "error": "KeyError: 'a bug'",
    }


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


_JSON_LINES = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda value, before, after: before + json.dumps(value) + after,
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
            max_leaves=6,
        ),
        st.sampled_from(["", " ", "\ufeff", "\t"]),
        st.sampled_from(["", "\n", " \r\n", "\u00a0", "x", "{}", "\x00"]),
    ),
)


@given(_JSON_LINES)
def test_a_line_is_read_as_json_loads_reads_it(text: str) -> None:
    def outcome(read: Any) -> tuple[str, Any]:
        try:
            return "value", read(text)
        except ValueError as exc:
            return type(exc).__name__, str(exc)

    assert outcome(bulk._json_object) == outcome(json.loads)
