"""issue_batch's output lines: written out by hand, the same bytes json.dumps gives."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from vaxpass_core.base45 import ALPHABET
from vaxpass_core.batch import _out_line


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
