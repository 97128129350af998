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
:func:`vaxpass_core.shell.devpki.pki` (EC keys derive from the seed; one fixed RSA key), ES256
signatures are deterministic (RFC 6979), every clock is a constant of this module, and zlib
writes stored blocks (level 0, the library's default), whose bytes do not depend on the zlib
build. PS256 (RSASSA-PSS) is randomised by design: its 32-byte salt is normally random.
Here the salt is derived from the seed and the signed bytes (SHA-256), and the PSS
encoding (RFC 8017 section 9.1.1) is done here (``_signing``), so PS256 vectors are byte-exact
too while remaining ordinary PS256 signatures (salt length 32) that any verifier accepts;
each one is verified with ``cryptography`` before it is written. A deterministic salt is
fine for published test keys and wrong for real ones. The one field whose bytes may differ
across machines is ``2DCODE``: the PNG's image data is zlib level 9, whose output depends on
the zlib build; the picture it decodes to does not.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from vaxpass_core import uvci, valuesets
from vaxpass_core.attestation import ATTESTATION_CLAIM, EmbeddedAttestation
from vaxpass_core.chain import add_months, attest
from vaxpass_core.hazmat import base45, cose, cwt, hc1
from vaxpass_core.shell._signing import sign1, with_kid
from vaxpass_core.shell._vector_check import (
    FlagResult,
    VectorCheck,
    VectorReport,
    check,
    check_one,
)
from vaxpass_core.shell._vector_format import (
    DECODED,
    FLAG_CHECKS,
    FLAGS,
    TRANSPORT,
    VALIDATION_CLOCK,
    Vector,
    flags,
    layers,
)
from vaxpass_core.shell.demo import demo_record
from vaxpass_core.shell.devpki import PKI
from vaxpass_core.shell.devpki import pki as make_pki


if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from cryptography import x509

    from vaxpass_core.record import VaccinationRecord
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
#: When the valid passports were issued, and attested the day before.
ISSUED_AT: Final = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ATTESTED_AT: Final = datetime(2026, 1, 14, 8, 30, tzinfo=UTC)
# The expired vector: issued 2025-03-01, so its 12 months end before the clock.
_EXPIRED_AT: Final = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# The not-yet-valid vector: issued a month after the clock.
_FUTURE_AT: Final = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
_ONE_DAY: Final = timedelta(days=1)


def dumps(content: Mapping[str, Any]) -> bytes:
    """The exact bytes of a vector file: UTF-8 JSON, keys in order, two-space indent."""
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
            demo_record(),
            certificate_id=uvci.new(issuer="79001", unique=unique.hexdigest()[:16].upper()),
        )

    def _message(
        self,
        dcc: Mapping[str, Any],
        signer: DocumentSigner,
        issued_at: datetime = ISSUED_AT,
        embedded: EmbeddedAttestation | None = None,
    ) -> bytes:
        """The signed COSE_Sign1 of a passport carrying *dcc* (and *embedded*)."""
        # As vp.issue() builds it: exp is 12 calendar months on, within the certificate.
        iat = int(issued_at.timestamp())
        exp = min(add_months(iat, 12), signer.not_after)
        extra = None if embedded is None else {ATTESTATION_CLAIM: embedded.to_claim()}
        payload = cwt.encode_claims(
            dcc=dcc, issuer=signer.country, issued_at=iat, expires_at=exp, extra=extra
        )
        return sign1(payload, signer, self.seed)

    def _embedded(
        self, record: VaccinationRecord, at: datetime, facility: FacilitySigner | None = None
    ) -> EmbeddedAttestation:
        return attest(record, facility=facility or self.facility, now=at).embedded()

    def _passport(
        self, *, signer: DocumentSigner, attested: bool, issued_at: datetime = ISSUED_AT
    ) -> tuple[dict[str, Any], bytes]:
        dcc = self.record.to_dcc(country=signer.country, issuer=signer.issuer_name)
        embedded = None
        if attested:
            at = issued_at.replace(hour=8, minute=30) - _ONE_DAY
            embedded = self._embedded(self.record, at)
        return dcc, self._message(dcc, signer, issued_at, embedded)

    def _signed(
        self,
        name: str,
        description: str,
        *,
        signer: DocumentSigner,
        expected: dict[str, bool],
        dcc: Mapping[str, Any],
        message: bytes | None = None,
        facility: FacilitySigner | None = None,
        json_field: Mapping[str, Any] | None = None,
    ) -> Vector:
        """A vector whose every form is present, from the signed *message* down (by
        default *dcc* signed at :data:`ISSUED_AT`, without an attestation)."""
        if message is None:
            message = self._message(dcc, signer)
        root: x509.Certificate | None = None
        if facility is not None:
            root = self.pki.facility_ca.certificate
        return Vector(
            name=name,
            description=description,
            signer=signer.certificate,
            expected=expected,
            dcc=dcc,
            facility=facility,
            facility_root=root,
            json=json_field,
            **layers(message),
        )

    def _vaccination(
        self,
        name: str,
        description: str,
        *,
        signer: DocumentSigner,
        attested: bool,
        expected: dict[str, bool],
        issued_at: datetime = ISSUED_AT,
    ) -> Vector:
        dcc, message = self._passport(signer=signer, attested=attested, issued_at=issued_at)
        facility = self.facility if attested else None
        return self._signed(
            name,
            description,
            signer=signer,
            expected=expected,
            dcc=dcc,
            message=message,
            facility=facility,
        )

    def vectors(self) -> Iterator[Vector]:
        es256, ps256 = self.pki.document_signer, self.pki.document_signer_ps256
        for signer in (es256, ps256):
            alg = signer.alg_name
            yield self._vaccination(
                f"VALID-{alg}-ATTESTED",
                f"VALID: {alg} passport with Viet Nam's facility attestation",
                signer=signer,
                attested=True,
                expected=flags(DECODED, FACILITY=True),
            )
            yield self._vaccination(
                f"VALID-{alg}",
                f"VALID: {alg} passport without a facility attestation, as any EU DCC "
                "(Viet Nam's domestic policy requires one: EXPECTEDFACILITY false)",
                signer=signer,
                attested=False,
                expected=flags(DECODED, FACILITY=False),
            )
        yield from self._other_types()
        yield from self._transport(es256)
        yield from self._content(es256)
        yield from self._facility(es256)

    def _other_types(self) -> Iterator[Vector]:
        # A test and a recovery DCC, each signed by a certificate whose EKU allows it.
        tester, anyone = self.pki.test_only_document_signer, self.any_type_signer
        device = "1232"
        assert valuesets.is_known("t.ma", device)  # a constant of this module
        test = {
            "tg": "840539006",
            "tt": "LP217198-3",
            "ma": device,
            "sc": "2026-01-14T08:30:00Z",
            "tr": "260415000",
            "tc": "Bệnh viện Bạch Mai",
            "co": "VN",
            "is": tester.issuer_name,
            "ci": self._record("test").certificate_id,
        }
        recovery = {
            "tg": "840539006",
            "fr": "2026-01-02",
            "co": "VN",
            "is": anyone.issuer_name,
            "df": "2026-01-13",
            "du": "2026-07-01",
            "ci": self._record("recovery").certificate_id,
        }
        person = self.record.to_dcc(country="VN", issuer="-")
        person = {"ver": person["ver"], "nam": person["nam"], "dob": person["dob"]}
        yield self._signed(
            "VALID-TEST",
            "VALID: test DCC (rapid antigen, not detected); "
            "the certificate's extended key usage allows tests only",
            signer=tester,
            expected=flags(DECODED),
            dcc=person | {"t": [test]},
        )
        yield self._signed(
            "VALID-RECOVERY",
            "VALID: recovery DCC; the certificate has no DCC extended key usage, "
            "so it may sign every type",
            signer=anyone,
            expected=flags(DECODED),
            dcc=person | {"r": [recovery]},
        )

    def _transport(self, signer: DocumentSigner) -> Iterator[Vector]:
        _, message = self._passport(signer=signer, attested=False)
        good = layers(message)
        cert = signer.certificate
        yield Vector(
            name="INVALID-PREFIX",
            description="INVALID: prefix HC2: (only HC1: is defined)",
            signer=cert,
            expected={"EXPECTEDUNPREFIX": False},
            base45=good["base45"],
            prefix="HC2:" + good["base45"],
        )
        # One character outside the alphabet, as the EU's B1.
        broken = good["base45"][:10] + "a" + good["base45"][11:]
        yield Vector(
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
        yield Vector(
            name="INVALID-ZLIB",
            description="INVALID: zlib stream with a wrong Adler-32 checksum",
            signer=cert,
            expected=flags(TRANSPORT, COMPRESSION=False),
            cose=message,
            compressed=compressed,
            base45=text,
            prefix=hc1.PREFIX + text,
        )
        yield Vector(
            name="INVALID-COSE",
            description="INVALID: the COSE_Sign1 is cut short (not well-formed CBOR)",
            signer=cert,
            expected=flags(TRANSPORT, DECODE=False),
            **layers(message[:-20]),
        )
        payload = b"\xa4\x01bVN\x04"  # a CWT map that ends after three items
        yield Vector(
            name="INVALID-CBOR",
            description="INVALID: the signed payload is not well-formed CBOR "
            "(the signature over it is good)",
            signer=cert,
            expected=flags(TRANSPORT, DECODE=False, VERIFY=True),
            **layers(sign1(payload, signer, self.seed)),
        )

    def _content(self, signer: DocumentSigner) -> Iterator[Vector]:
        valid = flags(DECODED)
        dcc, message = self._passport(signer=signer, attested=False)
        yield from self._tampered(signer, dcc, message)
        yield from self._out_of_time(signer)
        yield self._vaccination(
            "INVALID-KEY-USAGE",
            "INVALID: a vaccination DCC signed by a certificate whose extended key usage "
            "allows tests only",
            signer=self.pki.test_only_document_signer,
            attested=False,
            expected=valid | {"EXPECTEDKEYUSAGE": False},
        )
        yield self._signed(
            "INVALID-JSON",
            "INVALID: the JSON field is not what the passport carries (the date of birth "
            "differs by a day); CBOR is the signed DCC",
            signer=signer,
            expected=valid | {"EXPECTEDVALIDJSON": False},
            dcc=dcc,
            message=message,
            json_field=dict(dcc, dob="1990-05-18"),
        )
        yield self._signed(
            "INVALID-SCHEMA",
            "INVALID: DCC against its schema (v[0].dn is 0; the minimum is 1)",
            signer=signer,
            expected=valid | {"EXPECTEDSCHEMAVALIDATION": False},
            dcc=dict(dcc, v=[dict(dcc["v"][0], dn=0)]),
        )

    def _tampered(self, signer: DocumentSigner, dcc: Any, message: bytes) -> Iterator[Vector]:
        valid = flags(DECODED)
        flipped = bytearray(message)
        flipped[-7] ^= 0x10  # one bit of the signature (the message ends with it)
        other_kid = hashlib.sha256(f"vaxpass-core/vectors/v1/{self.seed}/kid".encode()).digest()
        swapped = with_kid(cose.decode_sign1(message), other_kid[:8])
        # Key usage and the certificate's validity are only judged once the signature holds.
        unverified = {
            k: v
            for k, v in valid.items()
            if k not in {"EXPECTEDKEYUSAGE", "EXPECTEDEXPIRATIONCHECK"}
        } | {"EXPECTEDVERIFY": False}
        yield self._signed(
            "INVALID-SIGNATURE",
            "INVALID: one bit of the signature flipped",
            signer=signer,
            expected=unverified,
            dcc=dcc,
            message=bytes(flipped),
        )
        yield self._signed(
            "INVALID-KID",
            "INVALID: the kid is not the certificate's (a verifier cannot find the key); "
            "the signature is the original",
            signer=signer,
            expected=unverified,
            dcc=dcc,
            message=swapped,
        )

    def _out_of_time(self, signer: DocumentSigner) -> Iterator[Vector]:
        valid = flags(DECODED)
        for name, description, issued_at in (
            (
                "INVALID-EXPIRED",
                "INVALID: expired (issued 2025-03-01 for 12 months) at the validation clock",
                _EXPIRED_AT,
            ),
            (
                "INVALID-NOT-YET-VALID",
                "INVALID: issued (iat) a month after the validation clock",
                _FUTURE_AT,
            ),
        ):
            yield self._vaccination(
                name,
                description,
                signer=signer,
                attested=True,
                issued_at=issued_at,
                expected=valid | {"EXPECTEDEXPIRATIONCHECK": False, "EXPECTEDFACILITY": True},
            )

    def _facility(self, signer: DocumentSigner) -> Iterator[Vector]:
        # Viet Nam's level 1: the ministry's signature is good; the facility's is not.
        record = self.record
        dcc = record.to_dcc(country=signer.country, issuer=signer.issuer_name)
        embedded = self._embedded(record, ATTESTED_AT)
        signature = bytearray(embedded.signature)
        signature[5] ^= 0x01
        rogue = self.pki.untrusted_facility()
        cases = (
            (
                "INVALID-FACILITY-SIGNATURE",
                (
                    "INVALID (Viet Nam): the facility's signature over the record is broken; "
                    "the ministry's signature and every EU check pass"
                ),
                attrs.evolve(embedded, signature=bytes(signature)),
                self.facility,
            ),
            (
                "INVALID-FACILITY-MISMATCH",
                (
                    "INVALID (Viet Nam): the facility attested another record (dose 1 of 2); "
                    "the ministry signed this one (dose 2 of 2)"
                ),
                self._embedded(attrs.evolve(record, dose_number=1), ATTESTED_AT),
                self.facility,
            ),
            (
                "INVALID-FACILITY-UNTRUSTED",
                (
                    "INVALID (Viet Nam): the facility certificate names the facility CA but is "
                    "not signed by it"
                ),
                self._embedded(record, ATTESTED_AT, rogue),
                rogue,
            ),
        )
        for name, description, claim, facility in cases:
            yield self._signed(
                name,
                description,
                signer=signer,
                expected=flags(DECODED, FACILITY=False),
                dcc=dcc,
                message=self._message(dcc, signer, ISSUED_AT, claim),
                facility=facility,
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
