"""Fuzz targets: every parser an attacker's bytes reach, each with the errors it documents.

A target takes one ``bytes`` input and returns None. It lets through only the errors the
parser documents for bad input; anything else escaping (an ``IndexError``, a
``RecursionError``, a ``TypeError``) is a finding, and so is a broken invariant (an
``AssertionError``). The same functions run under atheris (``fuzz/run.py``, ``make fuzz``)
and as bounded hypothesis tests in ``make test`` (``tests/property/test_fuzz_targets.py``).

The first byte of some inputs picks a mode, so that one target reaches one layer directly
(the HC1 text as given, or bytes wrapped as a valid HC1 text so the COSE layer is reached).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from typing import TYPE_CHECKING, Final

import vaxpass_core as vp
from vaxpass_core._gateway import loads_json
from vaxpass_core.attestation import Attestation
from vaxpass_core.errors import (
    AlgorithmError,
    HC1Error,
    InvalidBase45,
    InvalidCWTClaims,
    InvalidRecord,
    InvalidSignature,
    InvalidTrustData,
    MalformedCBOR,
    MalformedCOSE,
    QRNotFound,
    SchemaError,
    VaxpassError,
)
from vaxpass_core.hazmat import base45, cose, cwt, hc1, schema
from vaxpass_core.hazmat import cbor as _cbor
from vaxpass_core.record import VaccinationRecord
from vaxpass_core.result import CHECK_ORDER
from vaxpass_core.shell.record_json import record_from_json
from vaxpass_core.trust import TrustStore, revocations_from_batch


if TYPE_CHECKING:
    from collections.abc import Callable

    from vaxpass_core.testing import PKI


__all__ = ["NOW", "TARGETS", "fuzz_pki"]

#: Inside the test PKI's validity window (the tests' clock).
NOW: Final = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@functools.cache
def fuzz_pki() -> PKI:
    """The test PKI (seed 0), built once: its trust store is what ``verify`` trusts here."""
    return vp.testing.pki(seed=0)


def _text(data: bytes) -> str:
    # Latin-1 maps every byte to one character: the fuzzer can write any code point < 256.
    return data.decode("latin-1")


def _signed_by_trusted_key(message: cose.Sign1Message) -> bool:
    """Whether a signer the test trust store holds under the message's kid signed it."""
    kid = message.kid
    for signer in fuzz_pki().trust.signers_for(kid) if type(kid) is bytes else ():
        try:
            cose.verify_sign1(message, signer.public_key)
        except (AlgorithmError, InvalidSignature):
            continue
        return True
    return False


def _message_of(text: str) -> cose.Sign1Message:
    """The COSE message in HC1 *text*, as given or with whitespace at its ends dropped (a
    verifier may forgive what scanners add around the text)."""
    try:
        return cose.decode_sign1(hc1.decode(text))
    except VaxpassError:
        return cose.decode_sign1(hc1.decode(text.strip()))


def fuzz_verify(data: bytes) -> None:
    """``vp.verify`` never raises and always reports every check, in order."""
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    text = _text(rest) if mode == 0 else hc1.encode(rest)  # 1, 2: reach the COSE layer
    policy = vp.Policy.vietnam() if mode == 2 else vp.Policy()
    result = vp.verify(text, trust=fuzz_pki().trust, now=NOW, policy=policy)
    assert [check.name for check in result.checks] == list(CHECK_ORDER)
    if result.ok:  # a pass needs a signature by a trusted key over these very bytes
        assert _signed_by_trusted_key(_message_of(text))


def fuzz_hc1(data: bytes) -> None:
    """``hc1.decode`` raises only the HC1 errors (prefix, Base45, zlib, size)."""
    with contextlib.suppress(HC1Error):
        hc1.decode(_text(data))


def fuzz_base45(data: bytes) -> None:
    """Strict Base45: only ``InvalidBase45``; what decodes encodes back to the same text."""
    text = _text(data)
    try:
        decoded = base45.b45decode(text)
    except InvalidBase45:
        return
    assert base45.b45encode(decoded) == text


def fuzz_cbor(data: bytes) -> None:
    """The bounded CBOR decoder raises only ``MalformedCBOR``."""
    with contextlib.suppress(MalformedCBOR):
        _cbor.loads(data)


def fuzz_cose(data: bytes) -> None:
    """COSE_Sign1 parsing, then verification against the test keys: documented errors only."""
    try:
        message = cose.decode_sign1(data)
    except (MalformedCBOR, MalformedCOSE):
        return
    _signed_by_trusted_key(message)


def fuzz_cwt(data: bytes) -> None:
    """CWT claims: only ``MalformedCBOR`` or ``InvalidCWTClaims``."""
    with contextlib.suppress(MalformedCBOR, InvalidCWTClaims):
        cwt.decode_claims(data)


def fuzz_schema(data: bytes) -> None:
    """DCC schema validation of any decoded CBOR or JSON value: only ``SchemaError``."""
    if not data:
        return
    try:
        value = _cbor.loads(data[1:]) if data[0] & 1 else loads_json(data[1:])
    except ValueError:  # MalformedCBOR is one; not a DCC to validate
        return
    with contextlib.suppress(SchemaError):
        schema.validate(value)


def fuzz_record_cbor(data: bytes) -> None:
    """The facility-signed record form: only ``InvalidRecord`` or ``MalformedCBOR``."""
    with contextlib.suppress(InvalidRecord, MalformedCBOR):
        VaccinationRecord.from_cbor(data)


def fuzz_attestation(data: bytes) -> None:
    """A facility attestation from bytes: only the errors ``Attestation.from_bytes`` names."""
    with contextlib.suppress(MalformedCBOR, MalformedCOSE, InvalidRecord):
        Attestation.from_bytes(data)


def fuzz_record_json(data: bytes) -> None:
    """``record_from_json``: only ``InvalidRecord`` (``RecordFormatError`` is one)."""
    with contextlib.suppress(InvalidRecord):
        record_from_json(data)


def fuzz_trust_list(data: bytes) -> None:
    """``TrustStore.from_trust_list``: only ``InvalidTrustData``."""
    with contextlib.suppress(InvalidTrustData):
        TrustStore.from_trust_list(data)


def fuzz_revocation_batch(data: bytes) -> None:
    """``revocations_from_batch``: only ``InvalidTrustData``."""
    with contextlib.suppress(InvalidTrustData):
        revocations_from_batch(data)


def fuzz_read_qr(data: bytes) -> None:
    """``scan.read_qr`` on picture bytes, or on the bytes as grey pixels (a ``uint8`` array
    whose width the first byte gives): a list of texts, or ``QRNotFound``."""
    import numpy as np  # noqa: PLC0415 - the [scan] extra, only when asked

    from vaxpass_core import scan  # noqa: PLC0415

    image: bytes | np.ndarray[tuple[int, int], np.dtype[np.uint8]] = data
    if data and data[0] & 1:  # pixels: reach the QR decoder, past the PNG reader
        width = max(1, data[0] >> 1)
        pixels = np.frombuffer(data[1:], dtype=np.uint8)
        rows = len(pixels) // width
        image = pixels[: rows * width].reshape(rows, width) if rows else data
    try:
        texts = scan.read_qr(image)
    except QRNotFound:
        return
    assert all(isinstance(text, str) for text in texts)


#: name -> target, in the order ``make fuzz`` runs them.
TARGETS: Final[dict[str, Callable[[bytes], None]]] = {
    "verify": fuzz_verify,
    "hc1": fuzz_hc1,
    "base45": fuzz_base45,
    "cbor": fuzz_cbor,
    "cose": fuzz_cose,
    "cwt": fuzz_cwt,
    "schema": fuzz_schema,
    "record_cbor": fuzz_record_cbor,
    "attestation": fuzz_attestation,
    "record_json": fuzz_record_json,
    "trust_list": fuzz_trust_list,
    "revocation_batch": fuzz_revocation_batch,
    "read_qr": fuzz_read_qr,
}
