"""VerificationResult and its bilingual summary for a border officer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vaxpass_core as vp
from tests._helpers import NOW, sample_passport, signed_dcc
from vaxpass_core.errors import Code
from vaxpass_core.hazmat import hc1
from vaxpass_core.summary import MESSAGES, message, summarize
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record


PKI = make_pki(seed=0)
PASSPORT = sample_passport()


def _verify(text: str, now: datetime = NOW) -> vp.VerificationResult:
    return vp.verify(text, trust=PKI.trust, now=now)


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_has_a_message_in_both_languages(code: Code) -> None:
    vi, en = MESSAGES[code]
    assert vi.strip()
    assert en.strip()
    assert vi != en
    assert message(code, "vi") == vi
    assert message(code, "en") == en


def test_messages_are_distinct() -> None:
    assert len({vi for vi, _ in MESSAGES.values()}) == len(Code)
    assert len({en for _, en in MESSAGES.values()}) == len(Code)


def test_valid_summary_in_order() -> None:
    text = summarize(_verify(PASSPORT.qr_text), lang="en")
    lines = text.splitlines()
    assert lines[0] == "VALID"
    assert lines[1] == "Name: Nguyễn, Thị Bảo Ngọc (NGUYEN<<THI<BAO<NGOC)"
    assert lines[2] == "Date of birth: 1990-05-17"
    assert lines[3] == "Nationality: VN"
    assert lines[4] == "COVID-19 vaccination: dose 2/2 of Vaxzevria on 2021-09-20"
    assert lines[5] == "Valid until: 2027-06-01 12:00 UTC"
    assert "Problem" not in text
    assert lines[-1] == "Checked at: 2026-06-01 12:00 UTC"


def test_vietnamese_and_both() -> None:
    result = _verify(PASSPORT.qr_text)
    vi = result.summary(lang="vi").splitlines()
    assert vi[0] == "HỢP LỆ"
    assert vi[4] == "Tiêm chủng COVID-19: mũi 2/2 vắc xin Vaxzevria, ngày 2021-09-20"
    both = result.summary().splitlines()
    assert both[0] == "HỢP LỆ / VALID"
    assert both[2] == "Ngày sinh / Date of birth: 1990-05-17"
    assert len(both) == len(vi)
    with pytest.raises(ValueError, match="lang"):
        result.summary(lang="fr")
    with pytest.raises(ValueError, match="lang"):
        message(Code.REVOKED, "both")


def test_invalid_summary_says_why_and_that_data_is_unverified() -> None:
    result = _verify(PASSPORT.qr_text, now=NOW + timedelta(days=400))
    lines = result.summary(lang="both").splitlines()
    assert lines[0] == "KHÔNG HỢP LỆ / INVALID"
    assert "NOT verified" in lines[1]
    assert "Lỗi / Problem: Chứng nhận đã hết hạn / The certificate has expired" in lines


def test_summary_of_garbage_is_the_verdict_and_the_reason() -> None:
    lines = _verify("HC1:!!").summary(lang="en").splitlines()
    assert lines[0] == "INVALID"
    assert lines[1] == "Problem: The QR code is damaged (bad Base45 encoding)"
    assert lines[2].startswith("Checked at:")


def test_warnings_are_listed() -> None:
    record = attrs.evolve(sample_record(), product="CVnCoV-VN")
    att = vp.attest(record, facility=PKI.facilities[0], now=NOW)
    passport = vp.issue(
        att, issuer=PKI.document_signer, trust=PKI.trust, now=NOW, allow_unknown_codes=True
    )
    text = _verify(passport.qr_text).summary(lang="en")
    assert text.startswith("VALID")
    assert "Note: A code (vaccine, test, ...) is not in the standard value sets" in text
    assert "of CVnCoV-VN on" in text  # an unknown product shows its code


def _signed(dcc: dict[str, Any], signer: vp.DocumentSigner) -> str:
    return signed_dcc(dcc, signer, like=PASSPORT, issuer="DE")


def test_test_and_recovery_summaries() -> None:
    base: dict[str, Any] = {"ver": "1.3.0", "nam": {"fnt": "MUSTER", "gnt": "ERIKA"}, "dob": ""}
    test = {
        **base,
        "t": [
            {
                "tg": "840539006",
                "tt": "LP6464-4",
                "sc": "2026-05-31T08:00:00Z",
                "tr": "260415000",
                "co": "DE",
                "is": "RKI",
                "ci": "URN:UVCI:01:DE:T1#S",
            }
        ],
    }
    recovery = {
        **base,
        "r": [
            {
                "tg": "840539006",
                "fr": "2026-01-02",
                "co": "DE",
                "is": "RKI",
                "df": "2026-01-20",
                "du": "2026-07-01",
                "ci": "URN:UVCI:01:DE:R1#S",
            }
        ],
    }
    signer = PKI.test_only_document_signer
    t_text = _verify(_signed(test, signer)).summary(lang="both")
    assert "Họ tên / Name: MUSTER, ERIKA" in t_text
    assert "Ngày sinh / Date of birth: không rõ / unknown" in t_text
    assert "Xét nghiệm COVID-19 / COVID-19 test: PCR: âm tính, lấy mẫu" in t_text
    assert "Nucleic acid amplification with probe detection: not detected, sampled" in t_text
    assert "Nước cấp / Issuing country: DE" in t_text
    r_result = _verify(_signed(recovery, signer))
    r_text = r_result.summary(lang="en")
    assert "Recovered from COVID-19: first positive 2026-01-02; valid 2026-01-20 to 2026-07-01" in (
        r_text
    )
    assert "Problem: The signing key may not sign this type of certificate" in r_text


def test_summary_is_pure() -> None:
    result = _verify(PASSPORT.qr_text)
    assert summarize(result) == summarize(result) == result.summary()
    assert result.checked_at == int(NOW.timestamp())


@settings(max_examples=200)
@given(st.data())
def test_summary_never_raises_on_mutated_passports(data: st.DataObject) -> None:
    raw = bytearray(hc1.decode(PASSPORT.qr_text))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= 1 << data.draw(st.integers(0, 7))
    result = _verify(hc1.encode(bytes(raw)))
    for lang in ("vi", "en", "both"):
        text = result.summary(lang=lang)
        assert text.splitlines()[0] in {"KHÔNG HỢP LỆ", "INVALID", "KHÔNG HỢP LỆ / INVALID"}


@settings(max_examples=200)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["nam", "dob", "v", "t", "fn", "dn", b"v", b"nam", b"fn"]), inner
            )
        ),
        max_leaves=12,
    )
)
def test_summary_never_raises_on_odd_decoded_data(dcc: object) -> None:
    result = vp.VerificationResult(
        checks=(vp.Check("hc1.prefix", vp.Status.FAILED, Code.HC1_PREFIX),),
        dcc=dcc if isinstance(dcc, dict) else {"v": dcc},
        claims={4: "not an int", 1: 7},
    )
    assert summarize(result, lang="both").startswith("KHÔNG HỢP LỆ / INVALID")
