"""Hypothesis strategies for vaxpass_core values, for this project's tests and yours.

Needs hypothesis (a test dependency; the core never imports this module)::

    from vaxpass_core.testing import strategies as vst

    @given(vst.records())
    def test_something(record): ...

What there is: the 11-field :func:`records` (and their parts :func:`full_names`,
:func:`dates_of_birth`, :func:`vietnamese_words`); EU DCC JSON objects of every type
(:func:`dccs`, :func:`vaccination_dccs`, :func:`diagnostic_test_dccs`,
:func:`recovery_dccs`); issued :func:`passports` (through ``vp.attest`` and ``vp.issue``
with the seeded test PKI, ES256 and PS256); and :func:`corrupted_passports`, passports
broken at one layer each, with the failure code ``vp.verify`` must report where the layer
decides it.

Names are Vietnamese (every vowel with every tone mark, Đ/đ, common family names) with
some other Latin names (ICAO table letters, hyphens, apostrophes) mixed in.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, Literal

from hypothesis import strategies as st

from vaxpass_core import uvci, valuesets
from vaxpass_core._record_rules import earliest
from vaxpass_core._time import epoch_of
from vaxpass_core.chain import attest, issue
from vaxpass_core.errors import Code
from vaxpass_core.record import DateOfBirth, FullName, VaccinationRecord
from vaxpass_core.shell._vector_format import VALIDATION_CLOCK
from vaxpass_core.shell.devpki import PKI
from vaxpass_core.shell.devpki import pki as make_pki
from vaxpass_core.testing._corruptions import BREAKERS, LAYERS, Corruption, break_kid


if TYPE_CHECKING:
    from collections.abc import Sequence

    from vaxpass_core.chain import Passport
    from vaxpass_core.signers import DocumentSigner, FacilitySigner


__all__ = [
    "DEFAULT_NOW",
    "LAYERS",
    "Corruption",
    "corrupted_passports",
    "dates_of_birth",
    "dccs",
    "diagnostic_test_dccs",
    "full_names",
    "passports",
    "records",
    "recovery_dccs",
    "vaccination_dccs",
    "vietnamese_words",
]

#: The clock :func:`passports` and :func:`corrupted_passports` use unless given one: inside
#: the test PKI's validity window (2025-01-01 to 2030-01-01), never the real clock. The
#: toolkit has one test clock: this is the reference vectors' ``VALIDATION_CLOCK``.
DEFAULT_NOW: Final = VALIDATION_CLOCK

_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
    "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip
_CODAS = ("", "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y")
_FAMILIES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Ưng",
)  # fmt: skip
_FOREIGN = (
    "Müller", "Ørsted", "d'Červenková", "Jiřina-Maria", "O'Brien", "Åsa", "Łukasz",
    "Straße", "Þórr", "Ærø", "Œuvre", "Ñúñez", "Smith", "García", "Ðorđević",
)  # fmt: skip
_EPOCH = dt.date(2020, 12, 1)  # no COVID-19 vaccination before this
_LAST = dt.date(2030, 12, 31)
_LAST_BIRTH = dt.date(2025, 12, 31)
_DISEASE = "840539006"


def _case(word: str, style: int) -> str:
    if style == 0:
        return word.lower()
    if style == 1:
        return word.upper()
    return word[:1].upper() + word[1:]


@st.composite
def vietnamese_words(draw: st.DrawFn) -> str:
    """One Vietnamese syllable: onset, a vowel with any tone mark, coda, in any case."""
    word = draw(st.sampled_from(_ONSETS)) + draw(st.sampled_from(_VOWELS))
    word += draw(st.sampled_from(_CODAS))
    return _case(word, draw(st.sampled_from((0, 1, 2, 2, 2, 2))))


_WORD = st.one_of(
    vietnamese_words(), vietnamese_words(), st.sampled_from(_FAMILIES), st.sampled_from(_FOREIGN)
)


_FAMILY_NAME = st.sampled_from(_FAMILIES)


def _part(min_words: int, max_words: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda words, sep: sep.join(words),
        st.lists(_WORD, min_size=min_words, max_size=max_words),
        st.sampled_from((" ", " ", " ", "-", "  ")),
    )


@st.composite
def full_names(draw: st.DrawFn) -> FullName:
    """Field 1: a family name (rarely none) and zero to four given names."""
    family = "" if draw(st.integers(0, 15)) == 0 else draw(st.one_of(_FAMILY_NAME, _part(1, 2)))
    given = draw(_part(0 if family else 1, 4))
    return FullName(family, given)


def dates_of_birth(*, max_value: dt.date = _LAST_BIRTH) -> st.SearchStrategy[DateOfBirth]:
    """Field 2: full dates (as ``date``), partial ``YYYY`` / ``YYYY-MM``, and rarely ``""``.

    Dates lie between 1900-01-01 and *max_value* (default 2025-12-31).
    """
    days = st.dates(dt.date(1900, 1, 1), max(dt.date(1900, 1, 1), max_value))
    return st.one_of(
        days,
        days,
        days.map(lambda d: f"{d.year:04d}"),
        days.map(lambda d: f"{d.year:04d}-{d.month:02d}"),
        st.just(""),
    )


def _codes(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(valuesets.entries(name)))


_UNKNOWN_CODE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/.\- ]{0,30}[A-Za-z0-9]", fullmatch=True)


def records(
    *,
    allow_unknown_codes: bool = False,
    latest_vaccination: dt.date | None = None,
) -> st.SearchStrategy[VaccinationRecord]:
    """Valid records. Codes come from the Vietnamese vaccines or any value-set entries;
    with ``allow_unknown_codes=True``, some codes are outside the value sets too.

    *latest_vaccination* bounds the vaccination date (and so the date of birth), e.g. to
    the day a passport is attested; it must not precede 2020-12-01 (``ValueError``).
    """
    last = _LAST if latest_vaccination is None else min(_LAST, latest_vaccination)
    if last < _EPOCH:
        raise ValueError(f"latest_vaccination must not precede {_EPOCH}")
    return _records(allow_unknown_codes, last)


@st.composite
def _records(draw: st.DrawFn, allow_unknown_codes: bool, last: dt.date) -> VaccinationRecord:
    dob = draw(dates_of_birth(max_value=min(_LAST_BIRTH, last)))
    start = max(earliest(dob) or _EPOCH, _EPOCH)  # no date of birth: none before _EPOCH
    if draw(st.booleans()):
        vp, mp, ma = draw(st.sampled_from(valuesets.vn_vaccines())).codes
    else:
        vp, mp, ma = draw(_codes("vp")), draw(_codes("mp")), draw(_codes("ma"))
    disease = _DISEASE
    if allow_unknown_codes:
        pick = draw(st.integers(0, 4))
        vp = draw(_UNKNOWN_CODE) if pick == 1 else vp
        mp = draw(_UNKNOWN_CODE) if pick == 2 else mp
        ma = draw(_UNKNOWN_CODE) if pick == 3 else ma
        disease = draw(_UNKNOWN_CODE) if pick == 4 else disease
    unique = draw(st.from_regex(r"[0-9A-F]{8,32}", fullmatch=True))
    issuer = draw(st.one_of(st.none(), st.from_regex(r"[0-9]{5}", fullmatch=True)))
    return VaccinationRecord(
        full_name=draw(full_names()),
        date_of_birth=dob,
        nationality=draw(st.one_of(st.just("VN"), _codes("co"))),
        disease=disease,
        doses_received=draw(st.integers(1, 4)),
        vaccination_date=draw(st.dates(start, max(start, last))),
        dose_number=draw(st.integers(1, 5)),
        vaccine=vp,
        product=mp,
        manufacturer=ma,
        certificate_id=uvci.new(issuer=issuer, unique=unique, with_checksum=draw(st.booleans())),
    )


_ISSUERS = st.one_of(
    st.just("Ministry of Health of Viet Nam"),
    st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=80),
)
_COUNTRIES = st.one_of(st.just("VN"), _codes("co"))
_UNIQUE = st.from_regex(r"[0-9A-F]{8,32}", fullmatch=True)
_TIMES = st.datetimes(
    dt.datetime(2020, 12, 1),  # noqa: DTZ001 - hypothesis draws naive; the zone is added below
    dt.datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@st.composite
def vaccination_dccs(draw: st.DrawFn, *, allow_unknown_codes: bool = False) -> dict[str, Any]:
    """Vaccination DCCs (schema 1.3.0, one ``v`` entry) made from :func:`records`."""
    record = draw(records(allow_unknown_codes=allow_unknown_codes))
    return record.to_dcc(country=draw(_COUNTRIES), issuer=draw(_ISSUERS))


@st.composite
def _person(draw: st.DrawFn) -> dict[str, Any]:
    # The name and date of birth of a DCC of any type: as a record would write them.
    record = draw(records())
    dcc = record.to_dcc(country="VN", issuer="x")
    return {"ver": dcc["ver"], "nam": dcc["nam"], "dob": dcc["dob"]}


def _uci(draw: st.DrawFn, country: str) -> str:
    return uvci.new(
        country=country if len(country) in (2, 3) and country.isalpha() else "VN",
        unique=draw(_UNIQUE),
        with_checksum=draw(st.booleans()),
    )


@st.composite
def diagnostic_test_dccs(draw: st.DrawFn) -> dict[str, Any]:
    """Test DCCs (schema 1.3.0, one ``t`` entry): NAA tests with a name, rapid antigen tests
    with a device from the ``t.ma`` value set; type, result and country from the value sets."""
    dcc = draw(_person())
    country = draw(_COUNTRIES)
    test_type = draw(_codes("tt"))
    sample = draw(_TIMES)
    entry: dict[str, Any] = {
        "tg": _DISEASE,
        "tt": test_type,
        "sc": sample.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tr": draw(_codes("tr")),
        "co": country,
        "is": draw(_ISSUERS),
        "ci": _uci(draw, country),
    }
    if test_type == "LP6464-4":  # NAA (PCR): a free-text test name
        if draw(st.booleans()):
            entry["nm"] = draw(st.sampled_from(("Roche LightCycler qPCR", "Cobas SARS-CoV-2")))
    else:  # rapid antigen: the device from the value set
        entry["ma"] = draw(_codes("t.ma"))
    if draw(st.booleans()):
        entry["tc"] = draw(st.sampled_from(("Bệnh viện Bạch Mai", "Test Centre 1", "CDC HCMC")))
    dcc["t"] = [entry]
    return dcc


@st.composite
def recovery_dccs(draw: st.DrawFn) -> dict[str, Any]:
    """Recovery DCCs (schema 1.3.0, one ``r`` entry): valid from 11 days after the first
    positive test until at most 180 days after it (the EU rule)."""
    dcc = draw(_person())
    country = draw(_COUNTRIES)
    first = draw(st.dates(dt.date(2020, 3, 1), dt.date(2030, 6, 30)))
    valid_from = first + dt.timedelta(days=11)
    until = valid_from + dt.timedelta(days=draw(st.integers(1, 169)))
    dcc["r"] = [
        {
            "tg": _DISEASE,
            "fr": first.isoformat(),
            "co": country,
            "is": draw(_ISSUERS),
            "df": valid_from.isoformat(),
            "du": until.isoformat(),
            "ci": _uci(draw, country),
        }
    ]
    return dcc


def dccs(
    kind: Literal["v", "t", "r"] | None = "v", *, allow_unknown_codes: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """EU DCC JSON objects (schema 1.3.0) of *kind*: ``"v"`` vaccination (the default),
    ``"t"`` test, ``"r"`` recovery, or ``None`` for any of the three.

    Every one validates against its schema; its codes are in the value sets unless
    *allow_unknown_codes* (vaccinations only).
    """
    makers = {
        "v": vaccination_dccs(allow_unknown_codes=allow_unknown_codes),
        "t": diagnostic_test_dccs(),
        "r": recovery_dccs(),
    }
    if kind is None:
        return st.one_of(*makers.values())
    if kind not in makers:
        raise ValueError(f"kind must be 'v', 't', 'r' or None, not {kind!r}")
    return makers[kind]


# ---- passports -------------------------------------------------------------------------

_DAY = 86_400
_ALGORITHMS: Final = ("ES256", "PS256")


def _at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _signers(the_pki: PKI, algorithms: Sequence[str]) -> list[DocumentSigner]:
    by_name = {"ES256": the_pki.document_signer, "PS256": the_pki.document_signer_ps256}
    unknown = set(algorithms) - set(by_name)
    if unknown or not algorithms:
        raise ValueError(f"algorithms must be a non-empty choice of {_ALGORITHMS}")
    return [by_name[name] for name in algorithms]


def _issue_at(
    draw: st.DrawFn,
    the_pki: PKI,
    *,
    signer: DocumentSigner,
    facility: FacilitySigner,
    issued_at: int,
    validity_months: int,
) -> Passport:
    """Attest (up to 30 days before) and issue at *issued_at*, the way a facility and the
    ministry would: through ``vp.attest`` and ``vp.issue``."""
    earliest = max(facility.not_before, issued_at - 30 * _DAY)
    signed_at = draw(st.integers(earliest, issued_at))
    record = draw(records(latest_vaccination=_at(signed_at).date()))
    attestation = attest(record, facility=facility, now=_at(signed_at))
    return issue(
        attestation,
        issuer=signer,
        trust=the_pki.trust,
        now=_at(issued_at),
        validity_months=validity_months,
        compress=draw(st.sampled_from((0, 0, 6, 9))),
    )


def _setup(
    the_pki: PKI | None, now: dt.datetime | None, algorithms: Sequence[str]
) -> tuple[PKI, int, list[DocumentSigner]]:
    the_pki = make_pki(0) if the_pki is None else the_pki
    if not isinstance(the_pki, PKI):
        raise TypeError(f"pki must be a vaxpass_core.testing.PKI, not {type(the_pki).__name__}")
    at = epoch_of(DEFAULT_NOW if now is None else now)
    signers = _signers(the_pki, algorithms)
    if not the_pki.facilities:
        raise ValueError("the PKI has no facilities to attest with")
    parties: list[DocumentSigner | FacilitySigner] = [*signers, *the_pki.facilities]
    for signer in parties:
        if not signer.not_before <= at <= signer.not_after:
            raise ValueError(f"now ({_at(at)}) lies outside the test PKI's validity window")
    return the_pki, at, signers


def passports(
    pki: PKI | None = None,
    *,
    now: dt.datetime | None = None,
    algorithms: Sequence[str] = _ALGORITHMS,
) -> st.SearchStrategy[Passport]:
    """Issued passports (``vp.Passport``) that verify against ``pki.trust`` at *now*.

    *pki* defaults to ``vaxpass_core.testing.pki(0)``, *now* to :data:`DEFAULT_NOW`. Each is
    a :func:`records` record attested by one of ``pki.facilities`` and issued by the ES256
    or PS256 Document Signer (*algorithms*), at most 300 days before *now*, valid 12 months,
    zlib level 0, 6 or 9. ``now`` must lie in the PKI's validity window (``ValueError``).
    """
    the_pki, at, signers = _setup(pki, now, algorithms)

    @st.composite
    def build(draw: st.DrawFn) -> Passport:
        signer = draw(st.sampled_from(signers))
        facility = draw(st.sampled_from(the_pki.facilities))
        earliest = max(signer.not_before, facility.not_before, at - 300 * _DAY)
        issued_at = draw(st.integers(earliest, at))
        return _issue_at(
            draw, the_pki, signer=signer, facility=facility, issued_at=issued_at, validity_months=12
        )

    return build()


# ---- corrupted passports ---------------------------------------------------------------
# The text-level breakers are in _corruptions; the clock one issues passports, so it is here.


def corrupted_passports(
    pki: PKI | None = None,
    *,
    now: dt.datetime | None = None,
    layers: Sequence[str] = LAYERS,
    algorithms: Sequence[str] = _ALGORITHMS,
) -> st.SearchStrategy[Corruption]:
    """:class:`Corruption` (text, expected code or None): a passport from :func:`passports`
    broken at one of *layers* (default :data:`LAYERS`, every one), so that
    ``vp.verify(text, trust=pki.trust, now=now)`` fails, with the code where given:

    - ``prefix``: not ``HC1:`` (``hc1.prefix``);
    - ``base45``: a character outside the alphabet, a 3n+1 length, a group out of range
      (``hc1.base45``);
    - ``zlib``: a broken header, Adler-32 checksum, a truncated stream, bytes after its end
      (``hc1.zlib``);
    - ``cose``: truncated CBOR (``cbor.malformed``), another tag or no COSE_Sign1 at all
      (``cose.malformed``), a wrong item count (None);
    - ``signature``: one bit of the signature flipped (``signature.invalid``);
    - ``kid``: the protected kid swapped for an unknown one (``key.unknown``) or another
      trusted signer's of the same algorithm (``signature.invalid``);
    - ``clock``: issued so that at *now* it has expired (``time.expired``) or is not valid
      yet (``time.not-yet-valid``); the text itself is intact.
    """
    the_pki, at, signers = _setup(pki, now, algorithms)
    unknown = set(layers) - set(LAYERS)
    if unknown or not layers:
        raise ValueError(f"layers must be a non-empty choice of {LAYERS}")
    valid = passports(the_pki, now=_at(at), algorithms=algorithms)

    @st.composite
    def build(draw: st.DrawFn) -> Corruption:
        layer = draw(st.sampled_from(tuple(layers)))
        if layer == "clock":
            return _break_clock(draw, the_pki, at, signers)
        text = draw(valid).qr_text
        if layer == "kid":
            return break_kid(draw, text, the_pki)
        return BREAKERS[layer](draw, text)

    return build()


def _break_clock(
    draw: st.DrawFn, the_pki: PKI, at: int, signers: Sequence[DocumentSigner]
) -> Corruption:
    signer = draw(st.sampled_from(signers))
    facility = draw(st.sampled_from(the_pki.facilities))
    start = max(signer.not_before, facility.not_before)
    end = min(signer.not_after, facility.not_after)
    # Expired: issued 40 to 300 days ago for one month; not yet valid: issued in the future.
    expired_ok = at - 40 * _DAY >= start
    future_ok = at + 3600 <= end
    if expired_ok and (not future_ok or draw(st.booleans())):
        issued_at = draw(st.integers(max(start, at - 300 * _DAY), at - 40 * _DAY))
        passport = _issue_at(
            draw, the_pki, signer=signer, facility=facility, issued_at=issued_at, validity_months=1
        )
        return Corruption(passport.qr_text, Code.TIME_EXPIRED)
    if not future_ok:  # pragma: no cover - needs a PKI valid for under 40 days
        raise ValueError("the test PKI's window is too short for a clock corruption")
    issued_at = draw(st.integers(at + 3600, min(end, at + 30 * _DAY)))
    passport = _issue_at(
        draw, the_pki, signer=signer, facility=facility, issued_at=issued_at, validity_months=12
    )
    return Corruption(passport.qr_text, Code.TIME_NOT_YET_VALID)
