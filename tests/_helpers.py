"""Plain helpers the test modules share (``from tests._helpers import ...``): the fixed test
clock, the sample passport, passports signed by hand, and the readers of the conformance data.

Plain functions rather than fixtures: modules build their passports once, at import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import vaxpass_core as vp
from vaxpass_core.hazmat import cbor, cose, cwt, hc1
from vaxpass_core.testing import pki as make_pki
from vaxpass_core.testing import sample_record
from vaxpass_core.testing.strategies import DEFAULT_NOW


if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime
    from pathlib import Path

    from vaxpass_core.testing import PKI


#: The tests' clock, never the real one: inside the test PKI's validity window, and the
#: clock of the toolkit (``strategies.DEFAULT_NOW``, ``vectors.VALIDATION_CLOCK``).
NOW: Final = DEFAULT_NOW


def sample_passport(
    signer: vp.DocumentSigner | None = None,
    *,
    keys: PKI | None = None,
    now: datetime = NOW,
    attested_at: datetime | None = None,
) -> vp.Passport:
    """``record.sample()`` attested by the first test facility (at *attested_at*, default
    *now*) and issued at *now* by *signer* (default the test PKI's ES256 Document Signer)."""
    keys = keys or make_pki(0)
    attestation = vp.attest(sample_record(), facility=keys.facilities[0], now=attested_at or now)
    return vp.issue(attestation, issuer=signer or keys.document_signer, trust=keys.trust, now=now)


def signed(payload: bytes, signer: vp.DocumentSigner) -> str:
    """The HC1 text of *payload* in a COSE_Sign1 by *signer*: a passport made by hand, for
    claims that ``vp.issue()`` would never sign."""
    return hc1.encode(cose.sign1(payload, key=signer.key, kid=signer.kid, alg=signer.alg))


def signed_with_headers(
    payload: bytes,
    signer: vp.DocumentSigner,
    *,
    protected: Mapping[Any, Any] | None = None,
    unprotected: bytes = b"\xa0",
) -> bytes:
    """A COSE_Sign1 by *signer* whose protected header is ``{1: alg, 4: kid}`` plus
    *protected* (encoded deterministically) and whose unprotected header is the CBOR
    *unprotected*, byte for byte: messages that ``cose.sign1`` would never make."""
    header = {cose.HEADER_ALG: signer.alg, cose.HEADER_KID: signer.kid, **(protected or {})}
    protected_bytes = cbor.dumps(header)
    signature = cose.sign_with_protected(protected_bytes, payload, key=signer.key, alg=signer.alg)
    bstr = cbor.bstr
    return b"\xd2\x84" + bstr(protected_bytes) + unprotected + bstr(payload) + bstr(signature)


def signed_dcc(
    dcc: Mapping[str, Any], signer: vp.DocumentSigner, *, like: vp.Passport, issuer: str = "VN"
) -> str:
    """*dcc* signed by *signer* as any EU issuer signs it (no attestation claim), with the
    issue and expiry times of the passport *like*."""
    payload = cwt.encode_claims(
        dcc=dcc, issuer=issuer, issued_at=like.issued_at, expires_at=like.expires_at
    )
    return signed(payload, signer)


def load_dgc_testdata(data: Path) -> dict[str, dict[str, Any]]:
    """Every dgc-testdata file: its path below ``dgc-testdata`` (posix) -> its JSON, sorted.

    The ``dgc_testdata`` fixture reads it once a session; the conformance scripts
    (``python tests/conformance/test_codec_dgc.py``) call it themselves.
    """
    base = data / "dgc-testdata"
    return {
        path.relative_to(base).as_posix(): json.loads(path.read_text("utf-8"))
        for path in sorted(base.rglob("*.json"))
    }


def vector_cases(
    files: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> list[tuple[str, dict[str, Any]]]:
    """``(path, content)`` of the files that make claims (``EXPECTEDRESULTS``), in order:
    the EU's dgc-testdata or this library's reference vectors."""
    pairs = files.items() if isinstance(files, Mapping) else files
    return [
        (path, content)
        for path, content in pairs
        if isinstance(content, dict) and "EXPECTEDRESULTS" in content
    ]
