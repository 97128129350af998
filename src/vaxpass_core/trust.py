"""The trust store: Document Signer certificates, the facility registry and revocations.

A :class:`TrustStore` is a frozen attrs value (``attrs.fields``/``attrs.evolve`` work) that
holds four tuples -- ``signers``, ``facility_roots``, ``facilities`` and ``revocations`` --
and precomputes, once, everything a verifier looks up per passport:

* kid -> every :class:`SignerCertificate` sharing it (hcert spec 1.0.x section 3.3.1: a
  verifier must try them all), each with its public key loaded, its validity as UTC epoch
  ints, the DCC types its extended key usage allows, and its country;
* facility kid -> :class:`FacilityCertificate`, each already checked against the facility
  CA roots (issuer name and signature), so :meth:`TrustStore.check_facility` only compares
  integers;
* the revocation entries as hash sets.

The entries live in their own modules and are re-exported here, so ``vaxpass_core.trust``
names them all: the certificates in ``_certificates`` (with the fallback DER walker for
imperfect Document Signer certificates in ``_der``) and the revocation entries in
:mod:`vaxpass_core.revocation`.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.hashes import SHA256

from ._certificates import (
    CertificateInput,
    DccType,
    FacilityCertificate,
    FacilityRoot,
    SignerCertificate,
)
from ._gateway import b64_field, parsed
from ._time import epoch
from .errors import FacilityExpired, FacilityRevoked, FacilityUnknown, InvalidTrustData
from .hazmat.cose import kid_for_certificate
from .revocation import (
    PASSPORT_KINDS,
    REVOCATION_HASH_LENGTH,
    Revocation,
    RevocationKind,
    country_code_uci_hash,
    revocation_entries,
    revocations_from_batch,
    signature_hash,
    uci_hash,
)
from .signers import DocumentSigner, FacilitySigner


if TYPE_CHECKING:
    from datetime import datetime

    from cryptography import x509


__all__ = [
    "PASSPORT_KINDS",
    "REVOCATION_HASH_LENGTH",
    "CertificateInput",
    "DccType",
    "FacilityCertificate",
    "FacilityRoot",
    "Revocation",
    "RevocationKind",
    "SignerCertificate",
    "TrustStore",
    "revocation_entries",
    "revocations_from_batch",
]

SignerInput: TypeAlias = CertificateInput | DocumentSigner | SignerCertificate
FacilityInput: TypeAlias = CertificateInput | FacilitySigner | FacilityCertificate


def _collection(value: object, name: str) -> Iterable[Any]:
    if isinstance(value, bytes | str | Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be an iterable of entries, got {type(value).__name__}")
    return value


def _signers(value: Iterable[SignerInput]) -> tuple[SignerCertificate, ...]:
    items = _collection(value, "signers")
    return tuple(s if isinstance(s, SignerCertificate) else SignerCertificate(s) for s in items)


def _roots(value: Iterable[CertificateInput | FacilityRoot]) -> tuple[FacilityRoot, ...]:
    items = _collection(value, "facility_roots")
    return tuple(r if isinstance(r, FacilityRoot) else FacilityRoot(r) for r in items)


def _facilities(value: Iterable[FacilityInput]) -> tuple[FacilityCertificate, ...]:
    items = _collection(value, "facilities")
    return tuple(f if isinstance(f, FacilityCertificate) else FacilityCertificate(f) for f in items)


def _revocations(value: Iterable[Revocation]) -> tuple[Revocation, ...]:
    items = tuple(_collection(value, "revocations"))
    for item in items:
        if not isinstance(item, Revocation):
            raise TypeError(f"revocations must be Revocation objects, got {type(item).__name__}")
    return items


def _group(pairs: Iterable[tuple[Any, Any]]) -> Mapping[Any, tuple[Any, ...]]:
    out: dict[Any, tuple[Any, ...]] = {}
    for key, value in pairs:
        out[key] = (*out.get(key, ()), value)
    return types.MappingProxyType(out)


def _issued_by(cert: x509.Certificate, root: FacilityRoot) -> bool:
    try:
        cert.verify_directly_issued_by(root.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@attrs.frozen
class TrustStore:
    """Everything a verifier or issuer trusts. Build it once; look up per passport.

    Each field accepts an iterable of certificates as DER or PEM bytes, PEM text or
    ``x509.Certificate`` objects (signers also as :class:`DocumentSigner`, facilities as
    :class:`FacilitySigner`) and holds a tuple of inspected entries.
    """

    signers: tuple[SignerCertificate, ...] = attrs.field(default=(), converter=_signers)
    facility_roots: tuple[FacilityRoot, ...] = attrs.field(default=(), converter=_roots)
    facilities: tuple[FacilityCertificate, ...] = attrs.field(default=(), converter=_facilities)
    revocations: tuple[Revocation, ...] = attrs.field(default=(), converter=_revocations)
    _by_kid: Mapping[bytes, tuple[SignerCertificate, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _facilities_by_kid: Mapping[bytes, tuple[FacilityCertificate, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    # facility kid+DER -> the chaining roots' common validity window, or None if none chains
    _chains: Mapping[bytes, tuple[int, int] | None] = attrs.field(init=False, eq=False, repr=False)
    # Whether any entry revokes passports (not facilities): most stores hold none.
    _revokes_passports: bool = attrs.field(init=False, eq=False, repr=False)
    _revoked: Mapping[tuple[RevocationKind, bytes], tuple[Revocation, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _roots_by_subject: Mapping[x509.Name, tuple[FacilityRoot, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _facility_status: Mapping[
        bytes, tuple[tuple[FacilityCertificate, tuple[int, int] | None, Revocation | None], ...]
    ] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_by_kid", _group((s.kid, s) for s in self.signers))
        set_(self, "_facilities_by_kid", _group((f.kid, f) for f in self.facilities))
        roots = _group((r.certificate.subject, r) for r in self.facility_roots)
        set_(self, "_roots_by_subject", roots)
        chains = {_fkey(f): _chain_window(f, roots) for f in self.facilities}
        set_(self, "_chains", types.MappingProxyType(chains))
        set_(self, "_revoked", _group(((r.kind, r.value), r) for r in self.revocations))
        set_(self, "_revokes_passports", any(r.kind in PASSPORT_KINDS for r in self.revocations))
        # per facility kid: (certificate, usable window or None, revoking entry or None)
        set_(
            self,
            "_facility_status",
            _group(
                (f.kid, (f, chains[_fkey(f)], self.facility_revoked(f))) for f in self.facilities
            ),
        )

    # Construction from the usual published forms.

    @classmethod
    def from_certificates(
        cls,
        certificates: Iterable[SignerInput],
        *,
        facility_roots: Iterable[CertificateInput | FacilityRoot] = (),
        facilities: Iterable[FacilityInput] = (),
        revocations: Iterable[Revocation] = (),
    ) -> TrustStore:
        """A store of Document Signer certificates (DER, PEM or objects), kid = SHA-256[:8]."""
        return cls(
            signers=certificates,
            facility_roots=facility_roots,
            facilities=facilities,
            revocations=revocations,
        )

    @classmethod
    def from_kid_map(
        cls, kids: Mapping[bytes, SignerInput | Iterable[SignerInput]], **more: Any
    ) -> TrustStore:
        """A store from ``{kid: certificate or [certificates]}``; the given kids are kept as is."""
        if not isinstance(kids, Mapping):
            raise TypeError("from_kid_map expects a mapping of kid bytes to certificates")
        signers: list[SignerCertificate] = []
        for kid, value in kids.items():
            if not isinstance(kid, bytes):
                raise TypeError(f"kids must be bytes, got {type(kid).__name__}")
            group = value if isinstance(value, list | tuple) else (value,)
            signers.extend(_as_signer(item, kid=kid) for item in group)
        return cls(signers=signers, **more)

    @classmethod
    def from_trust_list(cls, trust_list: bytes | str | Any, **more: Any) -> TrustStore:
        """A store from the EU DCC Gateway's trust list JSON (bytes, text or parsed).

        The list holds entries with ``kid`` (base64), ``country``, ``certificateType`` and
        ``rawData`` (base64 DER); an object with such a list under ``certificates`` is accepted
        too. ``DSC`` entries (and entries without a type) become signers with the published
        kid and country; ``CSCA`` and other types are not used for DCC verification and are
        skipped.

        Raises :class:`~vaxpass_core.errors.InvalidTrustData` (``trust.invalid``, a
        ValueError) for any list it cannot read, and nothing else.

        .. versionchanged:: Unreleased
           ``InvalidTrustData`` (a ValueError) instead of a plain ValueError, and never
           another exception (``IndexError``, ``RecursionError``, ``UnsupportedAlgorithm``).
        """
        try:
            signers = _trust_list_signers(trust_list)
        except InvalidTrustData:
            raise
        except ValueError as exc:  # the certificates' and the gateway helpers' refusals
            raise InvalidTrustData(f"unreadable trust list: {exc}") from exc
        return cls(signers=signers, **more)

    def with_revocations(self, *revocations: Revocation) -> TrustStore:
        """A copy of this store with *revocations* added."""
        return attrs.evolve(self, revocations=(*self.revocations, *revocations))

    # Document Signers.

    def signers_for(self, kid: bytes) -> tuple[SignerCertificate, ...]:
        """Every signer certificate sharing *kid*, in insertion order; () if none."""
        return self._by_kid.get(kid, ())

    @property
    def kids(self) -> frozenset[bytes]:
        return frozenset(self._by_kid)

    # Facilities.

    def facilities_for(self, kid: bytes) -> tuple[FacilityCertificate, ...]:
        """Every registered facility certificate with *kid*; () if none."""
        return self._facilities_by_kid.get(kid, ())

    def _window(self, entry: FacilityCertificate) -> tuple[int, int] | None:
        key = _fkey(entry)
        if key in self._chains:
            return self._chains[key]
        return _chain_window(entry, self._roots_by_subject)

    def chains_to_root(
        self, facility: FacilityCertificate | FacilitySigner | CertificateInput
    ) -> bool:
        """Whether a facility root whose subject is the certificate's issuer signed it."""
        return self._window(_as_facility(facility)) is not None

    def facility_valid_at(
        self, facility: FacilityCertificate | FacilitySigner | CertificateInput, at: int | datetime
    ) -> bool:
        """Whether the certificate chains to a root, and it and that root are valid at *at*.

        Revocation is a separate question: :meth:`facility_revoked`, :meth:`check_facility`.
        """
        when = epoch(at)
        window = self._window(_as_facility(facility))
        return window is not None and window[0] <= when <= window[1]

    def facility_revoked(self, facility: FacilityCertificate | FacilitySigner) -> Revocation | None:
        """The entry revoking this facility certificate (by kid or serial), or None."""
        entry = _as_facility(facility)
        serial = Revocation.facility_serial(entry.serial).value
        for key in (
            (RevocationKind.FACILITY_KID, entry.kid),
            (RevocationKind.FACILITY_SERIAL, serial),
        ):
            found = self._revoked.get(key)
            if found:
                return found[0]
        return None

    def check_facility(self, kid: bytes, *, at: int | datetime) -> tuple[FacilityCertificate, ...]:
        """The usable facility certificates for *kid* at *at*, or raise why there are none.

        A certificate is usable when it chains to a facility root, it and that root are valid
        at *at*, and it is not revoked. With none usable, the error says why, the most
        specific first: :class:`FacilityRevoked`, :class:`FacilityExpired`, then
        :class:`FacilityUnknown` (no such kid, or no chain to a root).
        """
        when = epoch(at)
        candidates = self._facility_status.get(kid, ())
        usable = []
        revoked = expired = False
        for entry, window, revocation in candidates:
            if window is None:
                continue
            if revocation is not None:
                revoked = True
            elif not window[0] <= when <= window[1]:
                expired = True
            else:
                usable.append(entry)
        if usable:
            return tuple(usable)
        if revoked:
            raise FacilityRevoked(f"facility certificate {kid.hex()} is revoked")
        if expired:
            raise FacilityExpired(f"facility certificate {kid.hex()} is not valid at {when}")
        if candidates:
            raise FacilityUnknown(f"facility certificate {kid.hex()} does not chain to a root")
        raise FacilityUnknown(f"no facility certificate with kid {kid.hex()}")

    # Passports.

    @property
    def revokes_passports(self) -> bool:
        """Whether any entry revokes passports (not only facility certificates)."""
        return self._revokes_passports

    def revoked(
        self,
        *,
        uci: str,
        country: str,
        signature: bytes,
        alg: int,
        kid: bytes | None = None,
    ) -> Revocation | None:
        """The first entry revoking this passport, or None.

        With *kid* (the passport's Document Signer), entries scoped to another kid do not
        match; without it, every entry does.
        """
        if not self._revokes_passports:  # most stores: skip hashing probes
            return None
        # Only the hashes: the keys of _revoked, with no Revocation built to carry them.
        probes = [
            (RevocationKind.UCI, uci_hash(uci)),
            (RevocationKind.COUNTRYCODEUCI, country_code_uci_hash(country, uci)),
        ]
        # A verifier asks about untrusted passports: a signature no rule covers (an unknown
        # alg, an odd-length ECDSA value) cannot be on a list, so it is simply not probed.
        with contextlib.suppress(ValueError):
            probes.append((RevocationKind.SIGNATURE, signature_hash(signature, alg)))
        for probe in probes:
            for entry in self._revoked.get(probe, ()):
                if kid is None or entry.kid is None or entry.kid == kid:
                    return entry
        return None


def _trust_list_signers(trust_list: bytes | str | Any) -> list[SignerCertificate]:
    """The DSC entries of a gateway trust list; ValueError (InvalidTrustData) for bad data."""
    obj = parsed(trust_list)
    if isinstance(obj, Mapping):
        obj = obj.get("certificates")
    if not isinstance(obj, list):
        raise InvalidTrustData("a trust list is a JSON list of certificate entries")
    signers = []
    for entry in obj:
        if not isinstance(entry, Mapping):
            raise InvalidTrustData("each trust list entry is a JSON object")
        if entry.get("certificateType", "DSC") != "DSC":
            continue
        der = b64_field(entry.get("rawData"))
        kid = b64_field(entry["kid"]) if entry.get("kid") else kid_for_certificate(der)
        country = entry.get("country")
        if country is not None and not isinstance(country, str):
            raise InvalidTrustData("country must be a string")
        signers.append(SignerCertificate(der, kid, country))
    return signers


def _fkey(entry: FacilityCertificate) -> bytes:
    return entry.certificate.fingerprint(SHA256())


def _chain_window(
    facility: FacilityCertificate, roots: Mapping[x509.Name, tuple[FacilityRoot, ...]]
) -> tuple[int, int] | None:
    """When *facility* is usable through a root that signed it, or None if none did.

    The window is the certificate's validity cut to the widest window of its chaining roots.
    """
    cert = facility.certificate
    signing = [r for r in roots.get(cert.issuer, ()) if _issued_by(cert, r)]
    if not signing:
        return None
    start = max(facility.not_before, min(r.not_before for r in signing))
    end = min(facility.not_after, max(r.not_after for r in signing))
    return (start, end) if start <= end else None


def _as_facility(
    value: FacilityCertificate | FacilitySigner | CertificateInput,
) -> FacilityCertificate:
    return value if isinstance(value, FacilityCertificate) else FacilityCertificate(value)


def _as_signer(value: SignerInput, *, kid: bytes) -> SignerCertificate:
    if isinstance(value, SignerCertificate):
        return attrs.evolve(value, kid=kid)
    return SignerCertificate(value, kid)
