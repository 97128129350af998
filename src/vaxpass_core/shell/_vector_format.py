"""The file format of the reference vectors: the EXPECTEDRESULTS flags, what each stands
for in ``verify()``, and one vector as the dgc-testdata fields.

Private: :mod:`vaxpass_core.shell.vectors` re-exports the public names.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs
from cryptography.hazmat.primitives import serialization

from vaxpass_core.hazmat import base45, hc1
from vaxpass_core.hazmat import cbor as _cbor


if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cryptography import x509

    from vaxpass_core.signers import FacilitySigner


#: The verification clock of every vector (``TESTCTX.VALIDATIONCLOCK``).
VALIDATION_CLOCK: Final = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

#: Each EXPECTEDRESULTS flag :func:`check` reads, and the ``verify()`` checks it stands for.
FLAG_CHECKS: Final[Mapping[str, tuple[str, ...]]] = {
    "EXPECTEDUNPREFIX": ("hc1.prefix",),
    "EXPECTEDB45DECODE": ("hc1.base45",),
    "EXPECTEDCOMPRESSION": ("hc1.zlib",),
    "EXPECTEDDECODE": ("cose.structure", "cwt.claims"),
    "EXPECTEDVERIFY": ("cose.algorithm", "key.known", "signature"),
    "EXPECTEDKEYUSAGE": ("key.usage",),
    # Valid at the clock: iat and exp, and the signer certificate valid then and covering
    # iat..exp (as tests/conformance/test_verify_dgc.py reads the EU's files).
    "EXPECTEDEXPIRATIONCHECK": ("key.validity", "time.issued", "time.expiry"),
    "EXPECTEDSCHEMAVALIDATION": ("dcc.schema",),
    "EXPECTEDVALIDJSON": ("hc1.prefix", "hc1.base45", "hc1.zlib", "cose.structure", "cwt.claims"),
    "EXPECTEDFACILITY": ("facility.attestation", "facility.certificate", "facility.signature"),
    "EXPECTEDPICTUREDECODE": (),
}
#: Every flag the generated vectors use, in file order.
FLAGS: Final = tuple(FLAG_CHECKS)

#: The flags of the three transport steps, and of every step up to the DCC.
TRANSPORT: Final = ("EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION")
DECODED: Final = (
    *TRANSPORT,
    "EXPECTEDDECODE",
    "EXPECTEDVERIFY",
    "EXPECTEDKEYUSAGE",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDSCHEMAVALIDATION",
    "EXPECTEDVALIDJSON",
)


def flags(names: Iterable[str], **changed: bool) -> dict[str, bool]:
    """*names* set true, then ``EXPECTED<NAME>`` set as *changed* says, in file order."""
    out = dict.fromkeys(names, True)
    out.update({f"EXPECTED{name}": value for name, value in changed.items()})
    return {flag: out[flag] for flag in FLAGS if flag in out}


def layers(cose_bytes: bytes) -> dict[str, Any]:
    """The transport forms of a COSE message, as :class:`Vector` fields (zlib level 0)."""
    compressed = base45.b45decode(hc1.encode(cose_bytes, compress=0)[len(hc1.PREFIX) :])
    text = base45.b45encode(compressed)
    return {
        "cose": cose_bytes,
        "compressed": compressed,
        "base45": text,
        "prefix": hc1.PREFIX + text,
    }


def _der_b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def _picture(text: str) -> str | None:
    from vaxpass_core.qr import qr_png  # noqa: PLC0415 - segno only when pictures are made

    try:
        return base64.b64encode(qr_png(text)).decode("ascii")
    except ValueError:  # not QR alphanumeric text (a lower-case prefix): no picture
        return None


@attrs.frozen(kw_only=True)
class Vector:
    """One vector file before it is written: the forms it carries and its flags."""

    name: str
    description: str
    signer: x509.Certificate
    expected: dict[str, bool]
    dcc: Mapping[str, Any] | None = None
    cose: bytes | None = None
    compressed: bytes | None = None
    base45: str | None = None
    prefix: str
    facility: FacilitySigner | None = None
    facility_root: x509.Certificate | None = None
    #: The JSON field, when it is not the DCC itself (the EXPECTEDVALIDJSON vector).
    json: Mapping[str, Any] | None = None

    def content(self) -> dict[str, Any]:
        """The file's JSON object, fields in the dgc-testdata order."""
        out: dict[str, Any] = {}
        if self.dcc is not None:
            out["JSON"] = self.json or self.dcc
            out["CBOR"] = _cbor.dumps(self.dcc).hex()
        if self.cose is not None:
            out["COSE"] = self.cose.hex()
        if self.compressed is not None:
            out["COMPRESSED"] = self.compressed.hex()
        if self.base45 is not None:
            out["BASE45"] = self.base45
        out["PREFIX"] = self.prefix
        expected = dict(self.expected)
        picture = _picture(self.prefix)
        if picture is not None:
            out["2DCODE"] = picture
            expected["EXPECTEDPICTUREDECODE"] = True
        context: dict[str, Any] = {
            "VERSION": 1,
            "SCHEMA": (self.dcc or {}).get("ver", "1.3.0"),
            "CERTIFICATE": _der_b64(self.signer),
            "VALIDATIONCLOCK": VALIDATION_CLOCK.isoformat().replace("+00:00", "Z"),
            "DESCRIPTION": self.description,
        }
        if self.facility is not None and self.facility_root is not None:
            context["FACILITYCERTIFICATE"] = _der_b64(self.facility.certificate)
            context["FACILITYROOT"] = _der_b64(self.facility_root)
        out["TESTCTX"] = context
        out["EXPECTEDRESULTS"] = {flag: expected[flag] for flag in FLAGS if flag in expected}
        return out
