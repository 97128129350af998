"""Reference test vectors in the EU dgc-testdata layout, and a checker for them.

Other implementations test themselves against these files, as against the EU's own
``dgc-testdata``: :func:`generate` yields ``(relative path, file content)`` pairs and the
``vaxpass vectors DIR`` command writes them (:func:`dumps` gives the exact file bytes);
:func:`check` runs :func:`vaxpass_core.verify` over such files and compares what it sees
with each file's ``EXPECTEDRESULTS``, so the library tests itself on its own vectors.

Each file holds the dgc-testdata fields: ``JSON`` (the DCC), ``CBOR`` (hex, the DCC),
``COSE``, ``COMPRESSED`` (hex), ``BASE45``, ``PREFIX``, ``2DCODE`` (base64 PNG),
``TESTCTX`` (``VERSION``, ``SCHEMA``, ``CERTIFICATE`` as base64 DER, ``VALIDATIONCLOCK``,
``DESCRIPTION``) and ``EXPECTEDRESULTS``. A flag is set only for the steps a file tests;
after a step that fails, later steps are not set (as in the EU's files). Two additions
for Viet Nam's level-1 facility attestation, which the EU flags cannot express:

* ``EXPECTEDRESULTS.EXPECTEDFACILITY``: true when the passport carries a facility
  attestation and it holds (the facility certificate chains to the facility root, was
  valid when it signed, and the facility signed exactly the record the DCC carries);
  false when it is missing or does not hold. Only set on vaccination vectors where the
  attestation is what is being tested.
* ``TESTCTX.FACILITYCERTIFICATE`` and ``TESTCTX.FACILITYROOT``: base64 DER of the
  facility's certificate and the ministry's facility CA, for checking that flag.

Determinism: the same *seed* gives the same bytes, on every run. Keys come from
:func:`vaxpass_core.testing.pki` (EC keys derive from the seed; one fixed RSA key), ES256
signatures are deterministic (RFC 6979), every clock is a constant of this module, and zlib
writes stored blocks (level 0, the library's default), whose bytes do not depend on the zlib
build. PS256 (RSASSA-PSS) is randomised by design: its 32-byte salt is normally random.
Here the salt is derived from the seed and the signed bytes (SHA-256), and the PSS
encoding (RFC 8017 section 9.1.1) is done in this module, so PS256 vectors are byte-exact
too while remaining ordinary PS256 signatures (salt length 32) that any verifier accepts;
each one is verified with ``cryptography`` before it is written. A deterministic salt is
fine for published test keys and wrong for real ones. The one field whose bytes may differ
across machines is ``2DCODE``: the PNG's image data is zlib level 9, whose output depends on
the zlib build; the picture it decodes to does not.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from vaxpass_core import _cbor, base45, cose, cwt, hc1, uvci, valuesets
from vaxpass_core.attestation import ATTESTATION_CLAIM, EmbeddedAttestation
from vaxpass_core.chain import add_months, attest
from vaxpass_core.errors import Code, VaxpassError
from vaxpass_core.policy import Policy
from vaxpass_core.record import VaccinationRecord, sample
from vaxpass_core.result import Status
from vaxpass_core.testing.pki import PKI
from vaxpass_core.testing.pki import pki as make_pki
from vaxpass_core.trust import TrustStore
from vaxpass_core.verification import verify


if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cryptography import x509

    from vaxpass_core.result import Check, VerificationResult
    from vaxpass_core.signers import DocumentSigner, FacilitySigner


__all__ = [
    "ATTESTED_AT",
    "DIRECTORY",
    "FLAGS",
    "FLAG_CHECKS",
    "ISSUED_AT",
    "VALIDATION_CLOCK",
    "FlagResult",
    "VectorCheck",
    "VectorReport",
    "check",
    "check_one",
    "dumps",
    "generate",
]

#: Where the files go, relative to the output directory (the dgc-testdata layout).
DIRECTORY: Final = "VN/2DCode/raw"
#: The verification clock of every vector (``TESTCTX.VALIDATIONCLOCK``).
VALIDATION_CLOCK: Final = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
#: When the valid passports were issued, and attested the day before.
ISSUED_AT: Final = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ATTESTED_AT: Final = datetime(2026, 1, 14, 8, 30, tzinfo=UTC)
# The expired vector: issued 2025-03-01, so its 12 months end before the clock.
_EXPIRED_AT: Final = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# The not-yet-valid vector: issued a month after the clock.
_FUTURE_AT: Final = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
_ONE_DAY: Final = timedelta(days=1)

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

_TRANSPORT: Final = ("EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION")
_DECODED: Final = (
    *_TRANSPORT,
    "EXPECTEDDECODE",
    "EXPECTEDVERIFY",
    "EXPECTEDKEYUSAGE",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDSCHEMAVALIDATION",
    "EXPECTEDVALIDJSON",
)


def dumps(content: Mapping[str, Any]) -> bytes:
    """The exact bytes of a vector file: UTF-8 JSON, keys in order, two-space indent."""
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---- PS256 with a derived salt ------------------------------------------------------------

_SHA256_BYTES: Final = 32


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b"".join(
        hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        for counter in range(-(-length // _SHA256_BYTES))
    )
    return out[:length]


def _pss_sign(key: rsa.RSAPrivateKey, data: bytes, salt: bytes) -> bytes:
    """RSASSA-PSS with SHA-256, MGF1-SHA-256 and the given 32-byte *salt* (RFC 8017 8.1.1)."""
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    em_bits = n.bit_length() - 1
    em_len = -(-em_bits // 8)
    digest = hashlib.sha256(b"\0" * 8 + hashlib.sha256(data).digest() + salt).digest()
    block = b"\0" * (em_len - len(salt) - _SHA256_BYTES - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(block, _mgf1(digest, len(block)), strict=True))
    masked = bytes((masked[0] & (0xFF >> (8 * em_len - em_bits)),)) + masked[1:]
    m = int.from_bytes(masked + digest + b"\xbc", "big")
    # m^d mod n by the Chinese remainder theorem.
    s_p = pow(m, numbers.dmp1, numbers.p)
    s_q = pow(m, numbers.dmq1, numbers.q)
    s = s_q + numbers.q * (numbers.iqmp * (s_p - s_q) % numbers.p)
    signature = s.to_bytes(-(-n.bit_length() // 8), "big")
    # Never publish a vector that is not a standard PS256 signature.
    key.public_key().verify(
        signature,
        data,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=_SHA256_BYTES),
        hashes.SHA256(),
    )
    return signature


def _sign1(payload: bytes, signer: DocumentSigner, seed: int, *, kid: bytes | None = None) -> bytes:
    """A tagged COSE_Sign1 over *payload*, ``alg`` and ``kid`` in the protected header."""
    protected = _cbor.dumps({cose.HEADER_ALG: signer.alg, cose.HEADER_KID: kid or signer.kid})
    if isinstance(signer.key, rsa.RSAPrivateKey):
        to_sign = _cbor.dumps(["Signature1", protected, b"", payload])
        salt = hashlib.sha256(f"vaxpass-core/vectors/v1/pss/{seed}/".encode() + to_sign).digest()
        signature = _pss_sign(signer.key, to_sign, salt)
    else:
        assert isinstance(signer.key, ec.EllipticCurvePrivateKey)  # the test PKI's signers
        signature = cose.sign_with_protected(protected, payload, key=signer.key, alg=signer.alg)
    return _cbor.dumps(_cbor.CBORTag(cose.TAG_SIGN1, [protected, {}, payload, signature]))


# ---- building one file --------------------------------------------------------------------


def _der_b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def _flags(names: Iterable[str], **changed: bool) -> dict[str, bool]:
    flags = dict.fromkeys(names, True)
    flags.update({f"EXPECTED{name}": value for name, value in changed.items()})
    return {flag: flags[flag] for flag in FLAGS if flag in flags}


def _picture(text: str) -> str | None:
    from vaxpass_core.qr import qr_png  # noqa: PLC0415 - segno only when pictures are made

    try:
        return base64.b64encode(qr_png(text)).decode("ascii")
    except ValueError:  # not QR alphanumeric text (a lower-case prefix): no picture
        return None


@attrs.frozen(kw_only=True)
class _Vector:
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


def _layers(cose_bytes: bytes) -> dict[str, Any]:
    compressed = _compress(cose_bytes)
    text = base45.b45encode(compressed)
    return {
        "cose": cose_bytes,
        "compressed": compressed,
        "base45": text,
        "prefix": hc1.PREFIX + text,
    }


def _compress(cose_bytes: bytes) -> bytes:
    return base45.b45decode(hc1.encode(cose_bytes, compress=0)[len(hc1.PREFIX) :])


class _Generator:
    """The vectors of one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.pki: PKI = make_pki(seed)
        self.facility = self.pki.facilities[0]
        self.record = self._record("1")
        self.any_type_signer = self.pki.make_document_signer("any-type", dcc_types=())

    def _record(self, label: str) -> VaccinationRecord:
        unique = hashlib.sha256(f"vaxpass-core/vectors/v1/{self.seed}/{label}".encode())
        return attrs.evolve(
            sample(),
            certificate_id=uvci.new(issuer="79001", unique=unique.hexdigest()[:16].upper()),
        )

    def _payload(
        self,
        dcc: Mapping[str, Any],
        signer: DocumentSigner,
        issued_at: datetime,
        embedded: EmbeddedAttestation | None,
    ) -> bytes:
        # As vp.issue() builds it: exp is 12 calendar months on, within the certificate.
        iat = int(issued_at.timestamp())
        exp = min(add_months(iat, 12), signer.not_after)
        extra = None if embedded is None else {ATTESTATION_CLAIM: embedded.to_claim()}
        return cwt.encode_claims(
            dcc=dcc, issuer=signer.country, issued_at=iat, expires_at=exp, extra=extra
        )

    def _embedded(
        self, record: VaccinationRecord, at: datetime, facility: FacilitySigner | None = None
    ) -> EmbeddedAttestation:
        return attest(record, facility=facility or self.facility, now=at).embedded()

    def _passport(
        self,
        *,
        signer: DocumentSigner,
        attested: bool,
        issued_at: datetime = ISSUED_AT,
        record: VaccinationRecord | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        record = record or self.record
        dcc = record.to_dcc(country=signer.country, issuer=signer.issuer_name)
        embedded = None
        if attested:
            embedded = self._embedded(record, issued_at.replace(hour=8, minute=30) - _ONE_DAY)
        payload = self._payload(dcc, signer, issued_at, embedded)
        return dcc, _sign1(payload, signer, self.seed)

    def _vaccination(
        self,
        name: str,
        description: str,
        *,
        signer: DocumentSigner,
        attested: bool,
        expected: dict[str, bool],
        issued_at: datetime = ISSUED_AT,
    ) -> _Vector:
        dcc, message = self._passport(signer=signer, attested=attested, issued_at=issued_at)
        return _Vector(
            name=name,
            description=description,
            signer=signer.certificate,
            expected=expected,
            dcc=dcc,
            facility=self.facility if attested else None,
            facility_root=self.pki.facility_ca.certificate if attested else None,
            **_layers(message),
        )

    def vectors(self) -> Iterator[_Vector]:
        es256, ps256 = self.pki.document_signer, self.pki.document_signer_ps256
        valid = _flags(_DECODED)
        for signer in (es256, ps256):
            alg = signer.alg_name
            yield self._vaccination(
                f"VALID-{alg}-ATTESTED",
                f"VALID: {alg} passport with Viet Nam's facility attestation",
                signer=signer,
                attested=True,
                expected=_flags(_DECODED, FACILITY=True),
            )
            yield self._vaccination(
                f"VALID-{alg}",
                f"VALID: {alg} passport without a facility attestation, as any EU DCC "
                "(Viet Nam's domestic policy requires one: EXPECTEDFACILITY false)",
                signer=signer,
                attested=False,
                expected=_flags(_DECODED, FACILITY=False),
            )
        yield self._test_dcc()
        yield self._recovery_dcc()
        yield from self._transport(es256)
        yield from self._content(es256, valid)
        yield from self._facility(es256)

    def _test_dcc(self) -> _Vector:
        signer = self.pki.test_only_document_signer
        device = "1232"
        assert valuesets.is_known("t.ma", device)  # a constant of this module
        dcc = self._person() | {
            "t": [
                {
                    "tg": "840539006",
                    "tt": "LP217198-3",
                    "ma": device,
                    "sc": "2026-01-14T08:30:00Z",
                    "tr": "260415000",
                    "tc": "Bệnh viện Bạch Mai",
                    "co": "VN",
                    "is": signer.issuer_name,
                    "ci": self._record("test").certificate_id,
                }
            ]
        }
        message = _sign1(self._payload(dcc, signer, ISSUED_AT, None), signer, self.seed)
        return _Vector(
            name="VALID-TEST",
            description="VALID: test DCC (rapid antigen, not detected); "
            "the certificate's extended key usage allows tests only",
            signer=signer.certificate,
            expected=_flags(_DECODED),
            dcc=dcc,
            **_layers(message),
        )

    def _recovery_dcc(self) -> _Vector:
        signer = self.any_type_signer
        dcc = self._person() | {
            "r": [
                {
                    "tg": "840539006",
                    "fr": "2026-01-02",
                    "co": "VN",
                    "is": signer.issuer_name,
                    "df": "2026-01-13",
                    "du": "2026-07-01",
                    "ci": self._record("recovery").certificate_id,
                }
            ]
        }
        message = _sign1(self._payload(dcc, signer, ISSUED_AT, None), signer, self.seed)
        return _Vector(
            name="VALID-RECOVERY",
            description="VALID: recovery DCC; the certificate has no DCC extended key usage, "
            "so it may sign every type",
            signer=signer.certificate,
            expected=_flags(_DECODED),
            dcc=dcc,
            **_layers(message),
        )

    def _person(self) -> dict[str, Any]:
        dcc = self.record.to_dcc(country="VN", issuer="-")
        return {"ver": dcc["ver"], "nam": dcc["nam"], "dob": dcc["dob"]}

    def _transport(self, signer: DocumentSigner) -> Iterator[_Vector]:
        _, message = self._passport(signer=signer, attested=False)
        good = _layers(message)
        cert = signer.certificate
        yield _Vector(
            name="INVALID-PREFIX",
            description="INVALID: prefix HC2: (only HC1: is defined)",
            signer=cert,
            expected={"EXPECTEDUNPREFIX": False},
            base45=good["base45"],
            prefix="HC2:" + good["base45"],
        )
        # One character outside the alphabet, as the EU's B1.
        broken = good["base45"][:10] + "a" + good["base45"][11:]
        yield _Vector(
            name="INVALID-BASE45",
            description="INVALID: a lower-case letter in the Base45 text",
            signer=cert,
            expected={"EXPECTEDUNPREFIX": True, "EXPECTEDB45DECODE": False},
            compressed=good["compressed"],
            base45=broken,
            prefix=hc1.PREFIX + broken,
        )
        # The Adler-32 checksum that ends the zlib stream no longer matches.
        compressed = good["compressed"][:-1] + bytes((good["compressed"][-1] ^ 0x01,))
        text = base45.b45encode(compressed)
        yield _Vector(
            name="INVALID-ZLIB",
            description="INVALID: zlib stream with a wrong Adler-32 checksum",
            signer=cert,
            expected=_flags(_TRANSPORT, COMPRESSION=False),
            cose=message,
            compressed=compressed,
            base45=text,
            prefix=hc1.PREFIX + text,
        )
        yield _Vector(
            name="INVALID-COSE",
            description="INVALID: the COSE_Sign1 is cut short (not well-formed CBOR)",
            signer=cert,
            expected=_flags(_TRANSPORT, DECODE=False),
            **_layers(message[:-20]),
        )
        payload = b"\xa4\x01bVN\x04"  # a CWT map that ends after three items
        yield _Vector(
            name="INVALID-CBOR",
            description="INVALID: the signed payload is not well-formed CBOR "
            "(the signature over it is good)",
            signer=cert,
            expected=_flags(_TRANSPORT, DECODE=False, VERIFY=True),
            **_layers(_sign1(payload, signer, self.seed)),
        )

    def _content(self, signer: DocumentSigner, valid: dict[str, bool]) -> Iterator[_Vector]:
        dcc, message = self._passport(signer=signer, attested=False)
        flipped = bytearray(message)
        flipped[-7] ^= 0x10  # one bit of the signature (the message ends with it)
        # Key usage and the certificate's validity are only judged once the signature holds.
        no_usage = {
            k: v
            for k, v in valid.items()
            if k not in {"EXPECTEDKEYUSAGE", "EXPECTEDEXPIRATIONCHECK"}
        }
        yield _Vector(
            name="INVALID-SIGNATURE",
            description="INVALID: one bit of the signature flipped",
            signer=signer.certificate,
            expected=no_usage | {"EXPECTEDVERIFY": False},
            dcc=dcc,
            **_layers(bytes(flipped)),
        )
        decoded = cose.decode_sign1(message)
        other_kid = hashlib.sha256(f"vaxpass-core/vectors/v1/{self.seed}/kid".encode()).digest()
        swapped = _cbor.dumps(
            _cbor.CBORTag(
                cose.TAG_SIGN1,
                [
                    _cbor.dumps({cose.HEADER_ALG: signer.alg, cose.HEADER_KID: other_kid[:8]}),
                    {},
                    decoded.payload,
                    decoded.signature,
                ],
            )
        )
        yield _Vector(
            name="INVALID-KID",
            description="INVALID: the kid is not the certificate's (a verifier cannot find the "
            "key); the signature is the original",
            signer=signer.certificate,
            expected=no_usage | {"EXPECTEDVERIFY": False},
            dcc=dcc,
            **_layers(swapped),
        )
        yield self._vaccination(
            "INVALID-EXPIRED",
            "INVALID: expired (issued 2025-03-01 for 12 months) at the validation clock",
            signer=signer,
            attested=True,
            issued_at=_EXPIRED_AT,
            expected=valid | {"EXPECTEDEXPIRATIONCHECK": False, "EXPECTEDFACILITY": True},
        )
        yield self._vaccination(
            "INVALID-NOT-YET-VALID",
            "INVALID: issued (iat) a month after the validation clock",
            signer=signer,
            attested=True,
            issued_at=_FUTURE_AT,
            expected=valid | {"EXPECTEDEXPIRATIONCHECK": False, "EXPECTEDFACILITY": True},
        )
        yield self._vaccination(
            "INVALID-KEY-USAGE",
            "INVALID: a vaccination DCC signed by a certificate whose extended key usage "
            "allows tests only",
            signer=self.pki.test_only_document_signer,
            attested=False,
            expected=valid | {"EXPECTEDKEYUSAGE": False},
        )
        yield _Vector(
            name="INVALID-JSON",
            description="INVALID: the JSON field is not what the passport carries (the date "
            "of birth differs by a day); CBOR is the signed DCC",
            signer=signer.certificate,
            expected=valid | {"EXPECTEDVALIDJSON": False},
            dcc=dcc,
            json=dict(dcc, dob="1990-05-18"),
            **_layers(message),
        )
        bad = dict(dcc)
        bad["v"] = [dict(dcc["v"][0], dn=0)]
        message = _sign1(self._payload(bad, signer, ISSUED_AT, None), signer, self.seed)
        yield _Vector(
            name="INVALID-SCHEMA",
            description="INVALID: DCC against its schema (v[0].dn is 0; the minimum is 1)",
            signer=signer.certificate,
            expected=valid | {"EXPECTEDSCHEMAVALIDATION": False},
            dcc=bad,
            **_layers(message),
        )

    def _facility(self, signer: DocumentSigner) -> Iterator[_Vector]:
        # Viet Nam's level 1: the ministry's signature is good; the facility's is not.
        eu_valid = _flags(_DECODED, FACILITY=False)
        record, root = self.record, self.pki.facility_ca.certificate
        dcc = record.to_dcc(country=signer.country, issuer=signer.issuer_name)
        embedded = self._embedded(record, ATTESTED_AT)
        signature = bytearray(embedded.signature)
        signature[5] ^= 0x01
        cases = [
            (
                "INVALID-FACILITY-SIGNATURE",
                (
                    "INVALID (Viet Nam): the facility's signature over the record is broken; "
                    "the ministry's signature and every EU check pass"
                ),
                dcc,
                attrs.evolve(embedded, signature=bytes(signature)),
                self.facility,
            ),
            (
                "INVALID-FACILITY-MISMATCH",
                (
                    "INVALID (Viet Nam): the facility attested another record (dose 1 of 2); "
                    "the ministry signed this one (dose 2 of 2)"
                ),
                dcc,
                self._embedded(attrs.evolve(record, dose_number=1), ATTESTED_AT),
                self.facility,
            ),
        ]
        rogue = self.pki.untrusted_facility()
        cases.append(
            (
                "INVALID-FACILITY-UNTRUSTED",
                (
                    "INVALID (Viet Nam): the facility certificate names the facility CA but is "
                    "not signed by it"
                ),
                dcc,
                self._embedded(record, ATTESTED_AT, rogue),
                rogue,
            )
        )
        for name, description, content, claim, facility in cases:
            payload = self._payload(content, signer, ISSUED_AT, claim)
            yield _Vector(
                name=name,
                description=description,
                signer=signer.certificate,
                expected=eu_valid,
                dcc=content,
                facility=facility,
                facility_root=root,
                **_layers(_sign1(payload, signer, self.seed)),
            )


def generate(seed: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """The reference vectors for *seed*: ``(relative path, file content)`` pairs.

    Paths are ``VN/2DCode/raw/<NAME>.json``; write ``dumps(content)`` to each. Positive
    vectors: ES256 and PS256 passports with and without the facility attestation, a test
    and a recovery DCC. Negative: one per failure the EU flags express (prefix, Base45,
    zlib, COSE structure, payload CBOR, signature, kid, expired, not yet valid, key usage,
    JSON, schema) and Viet Nam's facility failures (``EXPECTEDFACILITY``).
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError("seed must be an int")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    for vector in _Generator(seed).vectors():
        yield f"{DIRECTORY}/{vector.name}.json", vector.content()


# ---- checking ---------------------------------------------------------------------------


@attrs.frozen
class FlagResult:
    """One EXPECTEDRESULTS flag of one file: what it says and what ``verify()`` saw.

    ``observed`` is True when every check the flag stands for (:data:`FLAG_CHECKS`) passed,
    False when one failed or was skipped because one it depends on failed, and None when
    the step could not be observed (skipped as not applicable; for
    ``EXPECTEDPICTUREDECODE``, no QR reader installed).
    """

    flag: str
    expected: bool
    observed: bool | None
    detail: str = ""

    @property
    def agrees(self) -> bool:
        return self.observed is self.expected

    @property
    def checked(self) -> bool:
        return self.observed is not None or self.flag != "EXPECTEDPICTUREDECODE"


@attrs.frozen
class VectorCheck:
    """The outcome for one file."""

    path: str
    description: str
    flags: tuple[FlagResult, ...]
    #: The failure codes ``verify()`` reported (Viet Nam's policy: attestation required).
    codes: tuple[Code, ...] = ()
    #: Why the file could not be checked at all (missing field, unreadable certificate).
    error: str | None = None

    @property
    def disagreements(self) -> tuple[FlagResult, ...]:
        return tuple(f for f in self.flags if f.checked and not f.agrees)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.disagreements


@attrs.frozen
class VectorReport:
    """What :func:`check` found: one :class:`VectorCheck` per vector file."""

    vectors: tuple[VectorCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.vectors) and all(v.ok for v in self.vectors)

    @property
    def failed(self) -> tuple[VectorCheck, ...]:
        return tuple(v for v in self.vectors if not v.ok)

    def summary(self) -> str:
        """A few lines for people: the count, then each file that disagrees and why."""
        lines = [f"{len(self.vectors) - len(self.failed)}/{len(self.vectors)} vectors agree"]
        for vector in self.failed:
            if vector.error is not None:
                lines.append(f"{vector.path}: {vector.error}")
            lines.extend(
                f"{vector.path}: {flag.flag} expected {flag.expected}, "
                f"observed {flag.observed} {flag.detail}".rstrip()
                for flag in vector.disagreements
            )
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    """A decoded CBOR value as JSON holds it (frozen maps and tuples made plain)."""
    if isinstance(value, dict | _cbor.frozendict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _failed_because(result: VerificationResult, check: Check) -> bool:
    """The check failed, or was skipped because one it depends on failed."""
    while check.status is Status.SKIPPED and check.depends_on is not None:
        check = result.check(check.depends_on)
    return check.status is Status.FAILED


def _status(result: VerificationResult, names: Iterable[str]) -> tuple[bool | None, str]:
    checks = [result.check(name) for name in names]
    if all(c.status is Status.PASSED for c in checks):
        return True, ""
    failed = [c for c in checks if _failed_because(result, c)]
    if failed:
        return False, "; ".join(f"{c.name}: {c.code or c.detail}" for c in failed)
    return None, "; ".join(f"{c.name} {c.status.value}" for c in checks if not c.passed)


def _observe(
    flag: str, vector: Mapping[str, Any], result: VerificationResult, read_pictures: bool
) -> tuple[bool | None, str]:
    if flag == "EXPECTEDPICTUREDECODE":
        return _picture_decodes(vector, read_pictures)
    observed, detail = _status(result, FLAG_CHECKS[flag])
    if observed and flag == "EXPECTEDDECODE" and "CBOR" in vector:
        # Compared as values: map order is free (dgc-testdata README, note 2).
        try:
            reference = _cbor.loads(bytes.fromhex(vector["CBOR"]))
        except (ValueError, VaxpassError) as exc:
            return False, f"the file's CBOR field does not decode: {exc}"
        if _plain(reference) != _plain(result.dcc):
            return False, "the payload's DCC differs from the file's CBOR"
    if observed and flag == "EXPECTEDVALIDJSON" and _plain(result.dcc) != vector.get("JSON"):
        return False, "the payload's DCC differs from the file's JSON"
    return observed, detail


def _picture_decodes(vector: Mapping[str, Any], read_pictures: bool) -> tuple[bool | None, str]:
    if "2DCODE" not in vector or not read_pictures:
        return None, "not read"
    from vaxpass_core import scan  # noqa: PLC0415 - the optional [scan] extra

    try:
        texts = scan.read_qr(base64.b64decode(vector["2DCODE"]))
    except scan.ScanUnavailable:
        return None, "no QR reader installed (the [scan] extra)"
    except VaxpassError as exc:
        return False, str(exc)
    return texts == [vector.get("PREFIX")], f"read {texts!r}"


def _trust(context: Mapping[str, Any]) -> TrustStore:
    def der(name: str) -> list[bytes]:
        value = context.get(name)
        return [] if value is None else [base64.b64decode(value)]

    return TrustStore(
        signers=der("CERTIFICATE"),
        facility_roots=der("FACILITYROOT"),
        facilities=der("FACILITYCERTIFICATE"),
    )


def _clock(context: Mapping[str, Any]) -> datetime:
    clock = datetime.fromisoformat(context["VALIDATIONCLOCK"])
    # Some EU files give a naive clock; they mean UTC.
    return clock if clock.tzinfo is not None else clock.replace(tzinfo=UTC)


def check_one(path: str, vector: Mapping[str, Any], *, read_pictures: bool = True) -> VectorCheck:
    """Check one vector file's EXPECTEDRESULTS against :func:`vaxpass_core.verify`.

    ``verify()`` runs on ``PREFIX`` at ``TESTCTX.VALIDATIONCLOCK``, trusting only the
    file's ``CERTIFICATE`` (and its facility certificates), with Viet Nam's policy (the
    facility attestation required: it only affects ``EXPECTEDFACILITY``).
    """
    context = vector.get("TESTCTX", {})
    description = str(context.get("DESCRIPTION", ""))
    expected: Mapping[str, Any] = vector.get("EXPECTEDRESULTS", {})
    try:
        trust = _trust(context)
        clock = _clock(context)
        text = vector["PREFIX"]
    except (KeyError, TypeError, ValueError, VaxpassError) as exc:
        return VectorCheck(path, description, (), error=f"cannot check: {exc!r}")
    result = verify(text, trust=trust, now=clock, policy=Policy.vietnam())
    flags = []
    for flag, value in expected.items():
        if flag not in FLAG_CHECKS:
            continue  # EXPECTEDVALIDOBJECT, EXPECTEDENCODE: about making data, not reading it
        observed, detail = _observe(flag, vector, result, read_pictures)
        flags.append(FlagResult(flag, bool(value), observed, detail))
    return VectorCheck(path, description, tuple(flags), result.codes)


def check(
    files: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
    *,
    read_pictures: bool = True,
) -> VectorReport:
    """Check vector files (``{path: content}`` or ``(path, content)`` pairs, as
    :func:`generate` yields and as read back from a directory) with this library's
    ``verify()``. Files without ``EXPECTEDRESULTS`` are not vectors and are left out.

    *read_pictures* reads ``2DCODE`` with the optional QR reader, when installed.
    """
    pairs = files.items() if isinstance(files, Mapping) else files
    return VectorReport(
        tuple(
            check_one(path, content, read_pictures=read_pictures)
            for path, content in pairs
            if isinstance(content, dict) and "EXPECTEDRESULTS" in content
        )
    )
