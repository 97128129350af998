"""A short, ordered, bilingual (VI/EN) text of a :class:`VerificationResult` for a border officer.

:func:`summarize` (also ``result.summary()``) puts the verdict first, then who the
certificate names, what it certifies, until when, and every problem in plain words::

    HỢP LỆ / VALID
    Họ tên / Name: Nguyễn, Thị Bảo Ngọc (NGUYEN<<THI<BAO<NGOC)
    Ngày sinh / Date of birth: 1990-05-17
    Quốc tịch / Nationality: VN

It is pure: no clock (the time shown is the ``now`` the result was made with), no I/O, and it
never raises on any result ``verify()`` returns, however broken the decoded data. Every
:class:`~vaxpass_core.errors.Code` has a message in both languages (:data:`MESSAGES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from . import valuesets
from .hazmat.cwt import CLAIM_EXP, CLAIM_ISS
from .messages import MESSAGES, message


if TYPE_CHECKING:
    from collections.abc import Sequence

    from .certlogic import RulesResult
    from .errors import Code


__all__ = ["LANGUAGES", "MESSAGES", "Verified", "message", "summarize"]

LANGUAGES: Final = ("vi", "en", "both")


class _Coded(Protocol):
    @property
    def code(self) -> Code | None: ...


class _Warning(Protocol):
    @property
    def code(self) -> Code: ...


class Verified(Protocol):
    """What :func:`summarize` reads of a result; a :class:`~vaxpass_core.VerificationResult`
    is one. (A protocol, not the class: the result's ``summary()`` calls into this module, so
    this module names nothing of the result's.)"""

    @property
    def ok(self) -> bool: ...
    @property
    def dcc(self) -> Mapping[str, Any] | None: ...
    @property
    def nationality(self) -> str | None: ...
    @property
    def claims(self) -> Mapping[Any, Any] | None: ...
    @property
    def checks(self) -> Sequence[_Coded]: ...
    @property
    def warnings(self) -> Sequence[_Warning]: ...
    @property
    def rules(self) -> RulesResult | None: ...
    @property
    def checked_at(self) -> int | None: ...


# Test results and types whose Vietnamese name an officer knows; others show the value set's.
_VI_DISPLAY: Final = {
    ("tr", "260415000"): "âm tính",
    ("tr", "260373001"): "dương tính",
    ("tt", "LP6464-4"): "PCR",
    ("tt", "LP217198-3"): "test nhanh kháng nguyên",
}
_MAX_ENTRIES = 4  # pre-1.3.0 DCCs may list several; an officer needs the latest few


# A line is (Vietnamese label, English label, Vietnamese value, English value).
_Line = tuple[str, str, str, str]


def _field(data: Mapping[Any, Any], key: str) -> Any:
    """``data[key]`` or None, comparing str keys only.

    Undecodable data may hold a bytes key that hashes like the str one; comparing the two
    is a ``BytesWarning`` (an error under ``python -bb``), so look-ups never do it.
    """
    for k, value in data.items():
        if type(k) is str and k == key:
            return value
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _display(valueset: str, code: object, lang: str) -> str:
    if not isinstance(code, str):
        return "?"
    if lang == "vi" and (valueset, code) in _VI_DISPLAY:
        return _VI_DISPLAY[valueset, code]
    entry = valuesets.lookup(valueset, code)
    return entry.display if entry is not None else code


def _when(epoch: int) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return str(epoch)


def _name(dcc: Mapping[str, Any]) -> _Line | None:
    nam = _field(dcc, "nam")
    if not isinstance(nam, Mapping):
        return None
    family, given = _text(_field(nam, "fn")), _text(_field(nam, "gn"))
    fnt, gnt = _text(_field(nam, "fnt")), _text(_field(nam, "gnt"))
    shown = ", ".join(p for p in (family or fnt, given or gnt) if p)
    icao = "<<".join(p for p in (fnt, gnt) if p)
    if icao and icao != shown:
        shown = f"{shown} ({icao})" if shown else icao
    return ("Họ tên", "Name", shown, shown) if shown else None


def _dob(dcc: Mapping[str, Any]) -> _Line | None:
    dob = _field(dcc, "dob")
    if not isinstance(dob, str):
        return None
    if not dob:
        return ("Ngày sinh", "Date of birth", "không rõ", "unknown")
    return ("Ngày sinh", "Date of birth", dob, dob)


def _vaccination(entry: Mapping[str, Any]) -> _Line:
    disease = _display("tg", _field(entry, "tg"), "en")
    dn, sd = _field(entry, "dn"), _field(entry, "sd")
    product = {lang: _display("mp", _field(entry, "mp"), lang) for lang in ("vi", "en")}
    day = _text(_field(entry, "dt")) or "?"
    return (
        f"Tiêm chủng {disease}",
        f"{disease} vaccination",
        f"mũi {dn}/{sd} vắc xin {product['vi']}, ngày {day}",
        f"dose {dn}/{sd} of {product['en']} on {day}",
    )


def _test(entry: Mapping[str, Any]) -> _Line:
    disease = _display("tg", _field(entry, "tg"), "en")
    kind = {lang: _display("tt", _field(entry, "tt"), lang) for lang in ("vi", "en")}
    outcome = {lang: _display("tr", _field(entry, "tr"), lang) for lang in ("vi", "en")}
    sampled = _text(_field(entry, "sc")) or "?"
    return (
        f"Xét nghiệm {disease}",
        f"{disease} test",
        f"{kind['vi']}: {outcome['vi']}, lấy mẫu {sampled}",
        f"{kind['en']}: {outcome['en'].lower()}, sampled {sampled}",
    )


def _recovery(entry: Mapping[str, Any]) -> _Line:
    disease = _display("tg", _field(entry, "tg"), "en")
    first = _text(_field(entry, "fr")) or "?"
    start, end = _text(_field(entry, "df")) or "?", _text(_field(entry, "du")) or "?"
    return (
        f"Đã khỏi {disease}",
        f"Recovered from {disease}",
        f"dương tính lần đầu {first}; hiệu lực {start} đến {end}",
        f"first positive {first}; valid {start} to {end}",
    )


_EVENTS: Final = {"v": _vaccination, "t": _test, "r": _recovery}


def _events(dcc: Mapping[str, Any]) -> list[_Line]:
    lines: list[_Line] = []
    for kind, describe in _EVENTS.items():
        group = _field(dcc, kind)
        if isinstance(group, list):
            entries = [e for e in group if isinstance(e, Mapping)]
            lines.extend(describe(e) for e in entries[-_MAX_ENTRIES:])
    return lines


def _lines(result: Verified) -> list[_Line]:
    ok = result.ok
    lines: list[_Line] = [
        ("", "", "HỢP LỆ", "VALID") if ok else ("", "", "KHÔNG HỢP LỆ", "INVALID")
    ]
    dcc = result.dcc
    if isinstance(dcc, Mapping):
        if not ok:
            lines.append(
                ("", "", "Thông tin dưới đây CHƯA được xác minh", "The data below is NOT verified")
            )
        lines.extend(line for line in (_name(dcc), _dob(dcc)) if line is not None)
        nationality = result.nationality  # field 3 travels in the facility attestation
        if nationality is not None:
            lines.append(("Quốc tịch", "Nationality", nationality, nationality))
        lines.extend(_events(dcc))
    claims = result.claims if isinstance(result.claims, Mapping) else {}
    exp = claims.get(CLAIM_EXP)
    if type(exp) is int:
        lines.append(("Hiệu lực đến", "Valid until", _when(exp), _when(exp)))
    iss = _text(claims.get(CLAIM_ISS))
    if iss is not None:
        lines.append(("Nước cấp", "Issuing country", iss, iss))
    for check in result.checks:
        if check.code is not None:
            vi, en = MESSAGES[check.code]
            lines.append(("Lỗi", "Problem", vi, en))
    for advisory in result.warnings:
        vi, en = MESSAGES[advisory.code]
        lines.append(("Lưu ý", "Note", vi, en))
    if result.rules is not None:
        lines.extend(_rule_lines(result.rules))
    if result.checked_at is not None:
        at = _when(result.checked_at)
        lines.append(("Kiểm tra lúc", "Checked at", at, at))
    return lines


# The verdict of the business rules, and the label of a rule that did not pass, by outcome.
_RULE_VERDICTS: Final = {
    "passed": ("ĐẠT", "PASSED"),
    "failed": ("KHÔNG ĐẠT", "FAILED"),
    "open": ("CHƯA XÁC ĐỊNH (cán bộ quyết định)", "OPEN (the officer decides)"),
}
_RULE_LABELS: Final = {
    "failed": ("Quy tắc không đạt", "Rule failed"),
    "open": ("Quy tắc chưa xác định", "Rule open"),
}


def _rule_lines(rules: RulesResult) -> list[_Line]:
    vi, en = _RULE_VERDICTS[rules.verdict.value]
    lines: list[_Line] = [("Quy tắc nhập cảnh", "Entry rules", vi, en)]
    for found in rules.outcomes:
        labels = _RULE_LABELS.get(found.outcome.value)
        if labels is not None:
            rule = found.rule
            lines.append(
                (
                    *labels,
                    f"{rule.identifier}: {rule.description('vi')}",
                    f"{rule.identifier}: {rule.description('en')}",
                )
            )
    return lines


def _render(line: _Line, lang: str) -> str:
    label_vi, label_en, vi, en = line
    if lang == "vi":
        label, value = label_vi, vi
    elif lang == "en":
        label, value = label_en, en
    else:
        label = f"{label_vi} / {label_en}" if label_vi else ""
        value = vi if vi == en else f"{vi} / {en}"
    return f"{label}: {value}" if label else value


def summarize(result: Verified, *, lang: str = "both") -> str:
    """The result as a few lines a border officer reads top to bottom.

    *lang* is ``"vi"``, ``"en"`` or ``"both"`` (each line in Vietnamese, then English).
    Order: the verdict; a warning that the data is unverified when it is invalid; name and
    date of birth; nationality when the facility attestation states it; what it certifies;
    valid until and the issuing country; each failure, in check order; each warning; the
    business rules' verdict and each rule that did not pass, when ``verify()`` was given
    rules; the time it was checked. Times are UTC.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    return "\n".join(_render(line, lang) for line in _lines(result))
