"""The errors page's table, generated from ``vaxpass_core.errors.Code`` so it cannot drift.

The docs build puts :func:`render`'s Markdown where ``docs/errors.md`` has the
``{vaxpass-errors}`` marker (``docs/_ext/vaxpass_docs.py``), and
``tests/unit/test_docs_errors.py`` checks that every code is in it. The code, the exception
class and its bases come from the library itself; only the meaning and the circumstances
are written here, and :func:`problems` refuses a code that has none (a new ``Code`` member
fails the docs build, and the test, until someone explains it here).

Run it to see the Markdown: ``.venv/bin/python tools/gen_errors_page.py``.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from vaxpass_core.errors import Code, VaxpassError
from vaxpass_core.result import CHECK_ORDER


__all__ = ["DOCS", "CodeDoc", "Row", "label", "problems", "render", "rows"]


class CodeDoc(NamedTuple):
    """What a code means and when it happens, in words; *checks* are ``verify()`` check names."""

    meaning: str
    when: str
    checks: tuple[str, ...] = ()


DOCS: Final[dict[Code, CodeDoc]] = {
    Code.HC1_PREFIX: CodeDoc(
        "The text does not start with exactly `HC1:` (or, given as bytes, is not ASCII).",
        "Decoding any QR text: `hc1.strip_prefix`, `hc1.decode`. `HL0:`, `HC2:`, lower case, "
        "whitespace other than ASCII whitespace at the ends (which is ignored) and bare Base45 are "
        "all refused.",
        ("hc1.prefix",),
    ),
    Code.HC1_BASE45: CodeDoc(
        "The part after the prefix is not strict Base45 (RFC 9285).",
        "A character outside the 45-character alphabet, a length of the form 3n+1, or a group "
        "encoding a value above 65535 (255 for a final pair).",
        ("hc1.base45",),
    ),
    Code.HC1_ZLIB: CodeDoc(
        "The Base45 bytes are not one complete zlib stream.",
        "Raw COSE without zlib (the hcert spec makes zlib mandatory), a truncated stream, or "
        "bytes after its end.",
        ("hc1.zlib",),
    ),
    Code.HC1_TOO_LARGE: CodeDoc(
        "The input is larger than any passport can be, so it is refused before any work.",
        "A text longer than a version 40 QR code holds (4296 characters), or a stream that "
        "inflates past 64 KiB (a zlib bomb stops there).",
        ("hc1.prefix", "hc1.zlib"),
    ),
    Code.CBOR_MALFORMED: CodeDoc(
        "The bytes are not well-formed, bounded CBOR.",
        "Truncated or trailing bytes, duplicate map keys, indefinite lengths, nesting too deep, "
        "hostile tags, a map key that is not an integer or text (a float, `true`, an array), a "
        "map of more than 64 entries or more than 2048 items in all; in the COSE structure, "
        "the CWT payload, an attestation or a record.",
        ("cose.structure", "cwt.claims"),
    ),
    Code.COSE_MALFORMED: CodeDoc(
        "The CBOR is not a COSE_Sign1 message of the expected form.",
        "A tag other than 18, not a four-item array, a header that is not a map, a protected "
        "header, payload or signature that is not a byte string, an `alg` or `kid` of the "
        "wrong type; an attestation whose header is not exactly "
        "`{1: alg, 4: kid, 15: {6: signed_at}}`.",
        ("cose.structure",),
    ),
    Code.COSE_ALGORITHM: CodeDoc(
        "The signature algorithm is missing, unknown, not allowed, or does not fit the key.",
        "No `alg` header, an algorithm outside `Policy.algorithms`, or a key of another type "
        "than the algorithm names (an RSA key for ES256).",
        ("cose.algorithm", "signature"),
    ),
    Code.CWT_CLAIMS: CodeDoc(
        "The payload is not a CWT carrying an EU DCC.",
        "The claims set is not a map, `iss` is not text, `iat`/`exp` are not numeric dates, "
        "the `hcert` claim (-260) has no DCC under key 1, or there is no `exp` at all.",
        ("cwt.claims", "time.expiry"),
    ),
    Code.KEY_UNKNOWN: CodeDoc(
        "No trusted Document Signer has the passport's key id.",
        "The `kid` (protected or unprotected header) is missing or not in the "
        "`TrustStore`: a foreign passport whose country's certificates were not loaded, or a "
        "forgery.",
        ("key.known",),
    ),
    Code.KEY_USAGE: CodeDoc(
        "The Document Signer certificate may not sign this type of DCC.",
        "Its extended key usage (OIDs 1.3.6.1.4.1.1847.2021.1.1/.2/.3) lists types and the "
        "DCC's type (test, vaccination, recovery) is not among them.",
        ("key.usage",),
    ),
    Code.KEY_EXPIRED: CodeDoc(
        "The Document Signer certificate is not valid at `now`.",
        "`verify()`: the signer certificate has expired or is not yet valid (leeway "
        "included). `issue()` raises it when the ministry's own certificate is not valid at "
        "`now`.",
        ("key.validity",),
    ),
    Code.KEY_VALIDITY: CodeDoc(
        "The passport's lifetime does not fit in its signer certificate's validity.",
        "The CWT's `iat` predates the certificate's notBefore or its `exp` passes its "
        "notAfter. Real issuers do this (Viet Nam's test passport among them) and the reference "
        "apps accept it: by default a warning (`result.warnings`, the check passes), a failure "
        "under `Policy(strict_key_validity=True)` or `Policy.strict()`; "
        "`check_key_validity_window=False` drops even the warning. The certificate must be "
        "valid at `now` in any case (`key.expired`). `issue()` never makes such a passport: it "
        "clamps `exp`.",
        ("key.validity",),
    ),
    Code.SIGNATURE_INVALID: CodeDoc(
        "The ministry-level signature does not verify.",
        "No certificate sharing the `kid` verifies the COSE signature: the passport was "
        "altered after signing, or signed by another key with a colliding kid.",
        ("signature",),
    ),
    Code.TIME_EXPIRED: CodeDoc(
        "The passport has expired.",
        "Its `exp` lies before `now` minus `Policy.leeway`. Viet Nam's passports are valid "
        "12 months from issue.",
        ("time.expiry",),
    ),
    Code.TIME_NOT_YET_VALID: CodeDoc(
        "The passport claims to be issued in the future.",
        "Its `iat` lies after `now` plus `Policy.leeway`: usually a wrong clock on one side.",
        ("time.issued",),
    ),
    Code.SCHEMA_INVALID: CodeDoc(
        "The DCC does not validate against the EU DCC JSON schema of the version it declares.",
        "A missing or malformed field, a wrong date, a value that is not JSON; "
        "`schema.validate()` raises it, and the message names the JSON path and the rule.",
        ("dcc.schema",),
    ),
    Code.VALUESET_UNKNOWN: CodeDoc(
        "A coded field holds a code that is not in the shipped EU DCC value sets.",
        "`verify()` reports it as a warning (`result.warnings`) and stays ok, unless "
        "`Policy(strict_valuesets=True)` makes it a failure. `issue()` refuses it unless "
        "`allow_unknown_codes=True`; a `VaccinationRecord` checks form only and holds it.",
        ("dcc.valuesets",),
    ),
    Code.FACILITY_MISSING: CodeDoc(
        "The passport carries no facility attestation, and the policy requires one.",
        "`Policy.vietnam()` or `require_attestation=True` on a passport without claim "
        "-65537: a foreign EU DCC, or one issued without Viet Nam's level 1.",
        ("facility.attestation",),
    ),
    Code.FACILITY_UNKNOWN: CodeDoc(
        "The attesting facility is not in the facility registry, or does not chain to a root.",
        "The facility kid is not among `TrustStore.facilities`, or its certificate is not "
        "issued (name and signature) by one of `facility_roots`. `issue()` raises it for "
        "such an attestation.",
        ("facility.certificate",),
    ),
    Code.FACILITY_SIGNATURE: CodeDoc(
        "The facility's signature is malformed or does not verify.",
        "The embedded attestation (claim -65537) is not of the documented layout, or no "
        "registered key with its kid verifies it. `issue()` raises it also for an "
        "attestation signed after the time of issue.",
        ("facility.attestation", "facility.signature"),
    ),
    Code.FACILITY_MISMATCH: CodeDoc(
        "The facility attested a different record than the passport carries.",
        "The record rebuilt from the DCC has another digest than the attestation's "
        "(changed after the facility signed, or by the issuer), or the DCC does not form "
        "an 11-field record at all.",
        ("facility.signature",),
    ),
    Code.FACILITY_EXPIRED: CodeDoc(
        "The facility certificate (or its root) was not valid at the time that matters.",
        "`verify()`: when the facility signed. `issue()`: when it signed or at `now`. "
        "`attest()` raises it when the facility's own certificate is not valid at `now`.",
        ("facility.certificate",),
    ),
    Code.FACILITY_REVOKED: CodeDoc(
        "The facility certificate is revoked.",
        "The store holds `Revocation.facility_kid(...)` or `Revocation.facility_serial(...)` "
        "for it: a closed facility, or a compromised key.",
        ("facility.certificate",),
    ),
    Code.REVOKED: CodeDoc(
        "The passport itself is revoked.",
        "The store holds an EU DCC revocation entry (UCI, COUNTRYCODEUCI or SIGNATURE hash) "
        "that matches it; `reissue()` returns these entries for the passport a correction "
        "replaces.",
        ("revocation",),
    ),
    Code.RECORD_INVALID: CodeDoc(
        "An 11-field record breaks one of its rules.",
        "`VaccinationRecord(...)`, `from_dcc`, `from_wire`, `from_cbor` (the message names "
        "the field and the rule); `reissue()` when the corrected record reuses the old "
        "certificate id. Never reported by `verify()`.",
    ),
    Code.UVCI_INVALID: CodeDoc(
        "A certificate identifier is not a well-formed UVCI.",
        "`uvci.parse()`: not `URN:UVCI:01:CC:...` with blocks of `A-Z 0-9`, or too long. A "
        "wrong checksum is not an error: `uvci.check()` reports it.",
    ),
    Code.QR_NOT_FOUND: CodeDoc(
        "No QR code, or no passport, could be read from a picture.",
        "`scan.read_qr()` and `scan.read_passport()`: bytes that are not a PNG or JPEG, a "
        "picture with no `HC1:` code.",
    ),
    Code.QR_AMBIGUOUS: CodeDoc(
        "A picture holds several different passports, so no single one was read.",
        "`scan.read_passport()` (`AmbiguousQR`, a kind of `QRNotFound`): use `scan.read_qr()` "
        "to get every code in the picture.",
    ),
    Code.BATCH_LINE: CodeDoc(
        "A line of a bulk-issuance input is not a JSON object.",
        "`batch.issue_batch()` and `vaxpass issue-batch`, in the rejects file: bad JSON, not "
        "UTF-8, a blank line or an array. The run goes on.",
    ),
    Code.BATCH_INTERNAL: CodeDoc(
        "An unexpected error while issuing one record of a batch (a bug: please report it).",
        "`batch.issue_batch()`, in the rejects file; the run goes on with the next line.",
    ),
    Code.SCHEMA_DATE_TIME: CodeDoc(
        "A date-time (e.g. `2022-01-17T05:00:00Z`, `2021-03-09T00:00:00`) where the schema "
        "says `format: date` (`dob`, `dt`, `fr`, `df`, `du`).",
        "Issued so by several states (DE, PL, BG, ...) and read leniently by the reference "
        "apps: by default a warning and the date part is used everywhere (the result's `dcc`, "
        "the record, the summary, the facility digest); a failure under "
        "`Policy(strict_date_times=True)` or `Policy.strict()`. An impossible date "
        "(`2022-17-01`, `2021-02-30`) is `schema.invalid` whatever the policy.",
        ("dcc.schema",),
    ),
    Code.SCHEMA_NULL: CodeDoc(
        "A property is given as `null` (no DCC schema allows null), e.g. IE's test "
        '`"ma": null` or BG\'s `"t": null` beside a vaccination.',
        "By default a warning and the property is read as absent (a required one is then "
        "missing: `schema.invalid`); a failure under `Policy(strict_nulls=True)` or "
        "`Policy.strict()`.",
        ("dcc.schema",),
    ),
    Code.DCC_FUTURE_DATE: CodeDoc(
        "A date of birth, vaccination, sample collection or first positive test is after the "
        "day the passport was signed (`iat`, allowing for the latest time zone, UTC+14).",
        "Dated after `iat` but not after `now`: a data error of the issuer (the signature is "
        "good), by default a warning, a failure under `Policy(strict_future_dates=True)` or "
        "`Policy.strict()`. Dated after `now` (the event has not happened yet, as the "
        "reference apps refuse): a failure under every policy. `attest()` and `issue()` "
        "refuse such a record (`record.invalid`).",
        ("dcc.schema",),
    ),
    Code.FACILITY_NOT_YET_VALID: CodeDoc(
        "The facility attestation is dated after the passport's `iat` (or, without an `iat`, "
        "after `now`).",
        "Always a failure: the facility signs before the ministry issues, so a later date "
        "is a broken chain, not clock skew (`Policy.leeway` applies). `issue()` refuses such "
        "an attestation (`facility.signature`).",
        ("facility.attestation",),
    ),
    Code.VALUESETS_INVALID: CodeDoc(
        "Value-set JSON given to `valuesets.load()` is not usable.",
        "Not JSON, not an object, an unknown `valueSetId`, `valueSetValues` or `deviceList` "
        "of the wrong shape, an entry whose display is not a string; the message names the "
        "document and the field. `verify()` never raises it.",
    ),
    Code.CERTLOGIC_INVALID: CodeDoc(
        "A business rule's CertLogic expression is not well-formed (found before evaluating).",
        "`certlogic.compile()` and `certlogic.evaluate()`: an unknown operation, a wrong number "
        "of operands, a `null` or fractional literal, a `plusTime` unit that is not one of "
        "year/month/day/hour. `certlogic.validate()` lists these instead of raising.",
    ),
    Code.CERTLOGIC_EVALUATION: CodeDoc(
        "Evaluating a well-formed CertLogic expression met a value of the wrong type.",
        "`certlogic.evaluate()`: an `if` guard neither truthy nor falsy, `in` on a non-array, "
        "`plusTime` on a non-string or an unparsable date, a comparison of non-integers. A rule "
        "that fails this way is OPEN, never PASSED.",
    ),
    Code.CERTLOGIC_LIMIT: CodeDoc(
        "A CertLogic expression is nested too deeply or its evaluation does too much work.",
        "`certlogic.compile()` past 200 nested levels; `certlogic.evaluate()` past its operation "
        "budget (`reduce` steps and `in` scans, a million by default).",
    ),
    Code.RULE_INVALID: CodeDoc(
        "A business rule's JSON does not follow the gateway's rule schema.",
        "`certlogic.load_rule()` and `load_rules()`: a missing or mistyped field, a bad "
        "identifier, country, version or date-time, an unknown rule or certificate type, "
        "or JSON that does not parse.",
    ),
    Code.QR_TOO_LARGE: CodeDoc(
        "A picture has more pixels than any passport photo needs, so it is refused before its "
        "pixels are decoded.",
        "`scan.read_qr()` and `scan.read_passport()` (`PictureTooLarge`, a kind of "
        "`QRNotFound`), and so `vaxpass verify` and `vaxpass inspect` given a picture: over "
        "`scan.MAX_PIXELS` (40 megapixels) or `scan.MAX_SIDE` (16,384 pixels a side). A small "
        "PNG declaring 12000 x 12000 pixels stops here.",
    ),
    Code.COSE_CRIT: CodeDoc(
        "The COSE header's `crit` (RFC 9052 section 3.1) names what this verifier cannot honour.",
        "`crit` lists a label other than `alg` (1) or `kid` (4), or one absent from the "
        "protected header; it is empty or not an array of integer or text labels; or it is in "
        "the unprotected header. A kind of `cose.malformed` (`MalformedCOSE`).",
        ("cose.structure",),
    ),
    Code.TRUST_INVALID: CodeDoc(
        "Published trust data cannot be read.",
        "`TrustStore.from_trust_list()` and `revocations_from_batch()`: not JSON (or nested "
        "too deep), the wrong shape, bad base64, a certificate that cannot be read or holds "
        "an unsupported key (an unknown curve), a revocation entry of the wrong length.",
    ),
}


class Row(NamedTuple):
    code: Code
    exception: type[VaxpassError]
    also: tuple[str, ...]  # the grouping classes and builtin exceptions it also is
    doc: CodeDoc


def _also(cls: type[VaxpassError]) -> tuple[str, ...]:
    names = []
    for base in cls.__mro__[1:]:
        if base in {VaxpassError, Exception, BaseException, object}:
            continue
        if issubclass(base, VaxpassError):
            names.append(f"{{py:class}}`~vaxpass_core.errors.{base.__name__}`")
        else:
            names.append(f"`{base.__name__}`")
    return tuple(names)


def problems() -> list[str]:
    """Why the table cannot be made, if it cannot: empty when every code is explained."""
    found = [
        f"{code.value}: no meaning in tools/gen_errors_page.py" for code in Code if code not in DOCS
    ]
    found += [f"{code}: not a Code member" for code in DOCS if not isinstance(code, Code)]
    for code, doc in DOCS.items():
        found += [
            f"{code}: no check named {name!r}" for name in doc.checks if name not in CHECK_ORDER
        ]
    for code in Code:
        try:
            VaxpassError.for_code(code)
        except KeyError:
            found.append(f"{code.value}: no exception class carries it")
    return found


def rows() -> list[Row]:
    """One row per :class:`Code`, in the enum's order."""
    wrong = problems()
    if wrong:
        raise ValueError("the errors page cannot be generated: " + "; ".join(wrong))
    out = []
    for code in Code:
        cls = VaxpassError.for_code(code)
        out.append(Row(code, cls, _also(cls), DOCS[code]))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def label(code: Code) -> str:
    """The cross-reference target of *code*'s section: ``{ref}`code-hc1.prefix```."""
    return f"code-{code.value}"


def _exception(row: Row) -> str:
    text = f"{{py:class}}`~vaxpass_core.errors.{row.exception.__name__}`"
    if row.also:
        text += " (also " + ", ".join(row.also) + ")"
    return text


def _checks(row: Row) -> str:
    return ", ".join(f"`{name}`" for name in row.doc.checks) or "none: raised only"


def render() -> str:
    """The Markdown (MyST): a summary table, then a section per code (meaning, when)."""
    table = [
        "| Code | Exception | `verify()` check |",
        "|---|---|---|",
    ]
    sections = []
    for row in rows():
        code = row.code.value
        cells = [f"{{ref}}`{code} <{label(row.code)}>`", _exception(row), _checks(row)]
        table.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        sections += [
            f"({label(row.code)})=",
            f"### `{code}`",
            "",
            row.doc.meaning,
            "",
            f"**When:** {row.doc.when}",
            "",
            f"**Exception:** {_exception(row)}. **`verify()` check:** {_checks(row)}.",
            "",
        ]
    return "\n".join([*table, "", *sections])


def main() -> None:
    print(render(), end="")


if __name__ == "__main__":
    main()
