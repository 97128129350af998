"""The seed corpus: genuine passports and re-signed structure mutations, per fuzz target.

Usage: ``python fuzz/make_corpus.py [OUT_DIR]`` (default ``build/fuzz-corpus``) writes one
folder per target of ``fuzz/targets.py``, one file per seed, named by its SHA-256.

Random bytes rarely get past a signature, so most seeds here are *signed*: the claims of a
genuine passport are decoded, their structure mutated (claims dropped, retyped, nested,
relabelled; the DCC and the facility attestation altered), and the result signed again with
the test PKI's own Document Signer. The fuzzer then starts from messages that reach the
claims, schema, attestation and time checks, not only the parsers. Deterministic: the same
seeds on every run (the test PKI and every signature are deterministic).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402
import segno  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402

import vaxpass_core as vp  # noqa: E402
from fuzz.targets import NOW, TARGETS, fuzz_pki  # noqa: E402
from vaxpass_core.attestation import ATTESTATION_CLAIM  # noqa: E402
from vaxpass_core.hazmat import base45, cose, cwt, hc1  # noqa: E402
from vaxpass_core.hazmat import cbor as _cbor  # noqa: E402
from vaxpass_core.qr import qr_png  # noqa: E402
from vaxpass_core.shell.record_json import record_to_json  # noqa: E402
from vaxpass_core.testing import sample_record  # noqa: E402


if TYPE_CHECKING:
    from collections.abc import Iterator

    from vaxpass_core.signers import DocumentSigner


__all__ = ["mutated_claims", "seeds"]


def _sign(payload: bytes, signer: DocumentSigner, extra: dict[Any, Any] | None = None) -> bytes:
    """A tagged COSE_Sign1 of *payload* by *signer*, its protected header plus *extra*."""
    header = _cbor.dumps(
        {cose.HEADER_ALG: signer.alg, cose.HEADER_KID: signer.kid, **(extra or {})}
    )
    signature = cose.sign_with_protected(header, payload, key=signer.key, alg=signer.alg)
    bstr = _cbor.bstr
    return b"\xd2\x84" + bstr(header) + b"\xa0" + bstr(payload) + bstr(signature)


def _passports() -> list[vp.Passport]:
    keys = fuzz_pki()
    records = [
        sample_record(),
        attrs.evolve(sample_record(), dose_number=1, doses_received=1),
        attrs.evolve(sample_record(), nationality="FR"),
    ]
    out = []
    for record, signer in zip(
        records,
        (keys.document_signer, keys.document_signer_ps256, keys.document_signer),
        strict=True,
    ):
        attestation = vp.attest(record, facility=keys.facilities[0], now=NOW)
        out.append(vp.issue(attestation, issuer=signer, trust=keys.trust, now=NOW))
    return out


_ODD_VALUES: tuple[Any, ...] = (
    0,
    -1,
    2**63,
    1.5,
    "x",
    b"\x00",
    [],
    {},
    None,
    True,
    _cbor.CBORTag(1, 1.5e9),
)


def mutated_claims(claims: dict[Any, Any]) -> Iterator[dict[Any, Any]]:
    """Structure mutations of a CWT claims map, each a new map (the input is not changed)."""
    for label, value in claims.items():
        yield {k: v for k, v in claims.items() if k != label}  # a claim dropped
        for odd in _ODD_VALUES:
            yield {**claims, label: odd}  # a claim retyped
        yield {**claims, label: [value]}  # a claim nested
    yield {**claims, 99: "unknown", "text-label": 1}
    dcc = claims[cwt.CLAIM_HCERT][cwt.HCERT_EU_DCC_V1]
    for key in list(dcc):
        changed = copy.deepcopy(dcc)
        del changed[key]
        yield {**claims, cwt.CLAIM_HCERT: {1: changed}}
        changed = copy.deepcopy(dcc)
        changed[key] = 7
        yield {**claims, cwt.CLAIM_HCERT: {1: changed}}
    entry = dcc["v"][0]
    for key in list(entry):
        changed = copy.deepcopy(dcc)
        changed["v"][0][key] = "" if key not in ("dn", "sd") else 99
        yield {**claims, cwt.CLAIM_HCERT: {1: changed}}
    extras: tuple[dict[str, Any], ...] = (
        {"t": [entry]},
        {"r": [entry]},
        {"v": [entry, entry]},
        {"v": []},
    )
    for extra in extras:
        yield {**claims, cwt.CLAIM_HCERT: {1: {**dcc, **extra}}}
    for ver in ("1.0.0", "1.3.0", "2.0.0", "1.x", ""):
        yield {**claims, cwt.CLAIM_HCERT: {1: {**dcc, "ver": ver}}}
    if ATTESTATION_CLAIM in claims:
        raw = claims[ATTESTATION_CLAIM]
        for cut in (0, 1, 8, 12, len(raw) - 1):
            yield {**claims, ATTESTATION_CLAIM: raw[:cut]}
        for where in (0, 8, 12, len(raw) // 2, len(raw) - 1):
            flipped = bytearray(raw)
            flipped[where] ^= 0x01
            yield {**claims, ATTESTATION_CLAIM: bytes(flipped)}
    yield {**claims, cwt.CLAIM_EXP: claims[cwt.CLAIM_IAT] - 1}  # expired at issue


def _float_label_payload(claims: dict[Any, Any], label: int) -> bytes:
    """*claims* with *label* written as a float of equal value (refused by the decoder)."""
    rest = {k: v for k, v in claims.items() if k != label}
    body = b"".join(_cbor.dumps(k) + _cbor.dumps(v) for k, v in rest.items())
    return (
        _cbor.head(5, len(rest) + 1)
        + body
        + b"\xfb"
        + struct.pack(">d", float(label))
        + _cbor.dumps(claims[label])
    )


def _messages(passport: vp.Passport, signer: DocumentSigner) -> Iterator[bytes]:
    """The genuine message, then re-signed structure and header mutations of it."""
    message = hc1.decode(passport.qr_text)
    yield message
    parsed = cose.decode_sign1(message)
    claims = dict(cwt.decode_claims(parsed.payload).claims)
    for mutated in mutated_claims(claims):
        yield _sign(_cbor.dumps(mutated), signer)
    for label in (cwt.CLAIM_EXP, cwt.CLAIM_HCERT, ATTESTATION_CLAIM):
        if label in claims:
            yield _sign(_float_label_payload(claims, label), signer)
    headers: tuple[dict[Any, Any], ...] = (
        {2: [99], 99: 0},
        {2: []},
        {2: [1]},
        {3: "application/cwt"},
        {33: b"x"},
    )
    for header in headers:
        yield _sign(parsed.payload, signer, header)
    bstr = _cbor.bstr
    for unprotected in (b"\xa1\x04\x41\x00", b"\xa1\x02\x81\x01", b"\xa1\x81\x20\x00"):
        yield (
            b"\xd2\x84"
            + bstr(parsed.protected)
            + unprotected
            + bstr(parsed.payload)
            + bstr(parsed.signature)
        )
    yield message[1:]  # untagged
    yield b"\xd8\x3d" + message  # inside the CWT tag


def _qr_pixels(text: str, scale: int = 2) -> bytes:
    """A read_qr pixel-mode input: a width byte (odd: pixels), then grey rows of a QR code."""
    matrix = segno.make(text, error="l", boost_error=False).matrix
    quiet = 4
    modules = len(matrix) + 2 * quiet
    width = modules * scale
    if width > 127:  # the width byte holds 7 bits
        raise ValueError(f"a {width}-pixel-wide QR code does not fit the width byte")
    rows = []
    for y in range(modules):
        row = bytes(
            0
            if quiet <= y < modules - quiet
            and quiet <= x < modules - quiet
            and matrix[y - quiet][x - quiet]
            else 255
            for x in range(modules)
            for _ in range(scale)
        )
        rows.extend([row] * scale)
    return bytes([width << 1 | 1]) + b"".join(rows)


def seeds() -> dict[str, list[bytes]]:
    """Seed inputs per target name of ``fuzz.targets.TARGETS``."""
    keys = fuzz_pki()
    passports = _passports()
    out: dict[str, list[bytes]] = {name: [] for name in TARGETS}
    for passport, signer in zip(
        passports,
        (keys.document_signer, keys.document_signer_ps256, keys.document_signer),
        strict=True,
    ):
        for message in _messages(passport, signer):
            text = hc1.encode(message)
            out["verify"] += [b"\x00" + text.encode(), b"\x01" + message, b"\x02" + message]
            out["cose"].append(message)
            out["hc1"].append(text.encode())
            out["base45"].append(text[4:].encode())
        parsed = cose.decode_sign1(hc1.decode(passport.qr_text))
        claims = cwt.decode_claims(parsed.payload)
        out["cwt"].append(parsed.payload)
        out["cbor"] += [parsed.payload, parsed.protected]
        dcc = dict(claims.hcert)
        out["schema"] += [b"\x01" + _cbor.dumps(dcc), b"\x00" + json.dumps(dcc).encode()]
        out["record_cbor"].append(passport.record.to_cbor())
        out["record_json"].append(json.dumps(record_to_json(passport.record)).encode())
        out["read_qr"].append(qr_png(passport.qr_text, scale=2, border=2))
        batch = {
            "kid": base64.b64encode(passport.kid).decode(),
            "hashType": "SIGNATURE",
            "entries": [
                {"hash": base64.b64encode(entry.value).decode()}
                for entry in passport.revocation_entries()
            ][-1:],
        }
        out["revocation_batch"].append(json.dumps(batch).encode())
    attestation = vp.attest(sample_record(), facility=keys.facilities[0], now=NOW)
    out["attestation"].append(attestation.to_bytes())
    out["cbor"].append(attestation.to_bytes())
    der = [
        s.certificate.public_bytes(Encoding.DER)
        for s in (keys.document_signer, keys.document_signer_ps256)
    ]
    trust_list = [
        {"kid": base64.b64encode(cose.kid_for_certificate(d)).decode(), "country": "VN"}
        | {"certificateType": "DSC", "rawData": base64.b64encode(d).decode()}
        for d in der
    ]
    out["trust_list"] += [json.dumps(trust_list).encode(), json.dumps(trust_list[:1]).encode()]
    # Certificates cryptography refuses in ways it once let escape: an unknown curve OID
    # (UnsupportedAlgorithm), an unknown X.509 version (InvalidVersion), a name attribute
    # typed BIT STRING (TypeError when the subject is read; found by this fuzzing).
    p256, v3 = bytes.fromhex("06082a8648ce3d030107"), bytes.fromhex("a003020102")
    country = bytes.fromhex("0603550406") + b"\x13\x02VN"
    at = der[0].rindex(country)
    bit_string = der[0][:at] + country[:5] + b"\x03\x02\x00N" + der[0][at + len(country) :]
    odd_certificates = (
        der[0].replace(p256, p256[:-1] + b"\x7f"),
        der[0].replace(v3, v3[:-1] + b"\x05"),
        bit_string,
    )
    for odd in odd_certificates:
        entry = {"rawData": base64.b64encode(odd).decode()}
        out["trust_list"].append(json.dumps([entry]).encode())
    out["base45"].append(base45.b45encode(b"vaxpass").encode())
    out["read_qr"].append(
        _qr_pixels("HC1:NCFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQ")
    )
    return out


def main() -> None:
    target_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "fuzz-corpus"
    total = 0
    for name, items in seeds().items():
        folder = target_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            (folder / hashlib.sha256(item).hexdigest()[:16]).write_bytes(item)
        total += len(items)
    print(f"{total} seeds for {len(TARGETS)} targets in {target_dir}")


if __name__ == "__main__":
    main()
