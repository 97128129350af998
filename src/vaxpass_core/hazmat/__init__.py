"""The wire formats, one module each: the "hazardous materials" layer.

These are the building blocks the façade (:mod:`vaxpass_core`) is made of, for callers who
need one layer on its own: a codec test suite, an inspector, another issuer.

- :mod:`~vaxpass_core.hazmat.base45`: Base45 (RFC 9285)
- :mod:`~vaxpass_core.hazmat.hc1`: the ``HC1:`` text, zlib and their bounds
- :mod:`~vaxpass_core.hazmat.cbor`: bounded CBOR decoding and the deterministic encoding
- :mod:`~vaxpass_core.hazmat.cose`: COSE_Sign1 (RFC 9052): decode, sign, verify
- :mod:`~vaxpass_core.hazmat.cwt`: CWT claims (RFC 8392) with the ``hcert`` claim
- :mod:`~vaxpass_core.hazmat.schema`: the EU DCC JSON schemas, compiled

Like cryptography's ``hazmat``, these check the format and nothing else: a signature that
verifies here says nothing about whether the signer is trusted, the passport is current or
the record is true. :func:`vaxpass_core.verify` is what answers that. Each module depends
only on the ones above it in this list and on :mod:`vaxpass_core.errors`; nothing here imports
the rest of the library.
"""
