"""What a verifier demands beyond the format: a plain, immutable policy object."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from .hazmat.cose import EDDSA, ES256, ES384, ES512, PS256


if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["DEFAULT_ALGORITHMS", "Policy"]

# COSE algorithm identifiers (RFC 9053): ES256, PS256 are what the hcert spec
# requires; ES384, ES512 and EdDSA are accepted where a signer uses them.
DEFAULT_ALGORITHMS: frozenset[int] = frozenset({ES256, PS256, ES384, ES512, EDDSA})


def _non_negative(
    _instance: object, attribute: attrs.Attribute[timedelta], value: timedelta
) -> None:
    if value < timedelta(0):
        raise ValueError(f"{attribute.name} must not be negative")


def _algorithms(value: Iterable[int]) -> frozenset[int]:
    algorithms = frozenset(value)
    if not all(type(a) is int for a in algorithms):
        raise TypeError("algorithms are COSE algorithm ids (ints)")
    return algorithms


@attrs.frozen(kw_only=True)
class Policy:
    """Verification policy.

    - ``algorithms``: COSE algorithm ids accepted (others fail ``cose.algorithm``).
    - ``require_attestation``: fail with ``facility.missing`` when a vaccination passport
      carries no facility attestation (Viet Nam's level 1; tests and recoveries have none).
      Foreign EU DCCs carry none, so a border app checking every traveller leaves this off.
    - ``leeway``: clock skew tolerated on ``iat`` and ``exp`` (and the signer certificate's
      validity).
    - ``check_key_validity_window``: report a CWT whose ``iat`` predates its signer
      certificate or whose ``exp`` outlives it (``key.validity``); off, it is not even
      a warning.

    Real issuers deviate from the specification in ways the reference verifiers accept;
    ``verify()`` accepts them too and lists each as a warning (``result.warnings``) with
    its own code. Each ``strict_*`` knob turns one of them into a failure instead
    (``Policy.strict()`` turns on all of them; docs/verifying.md has the table):

    - ``strict_valuesets``: a code outside the value sets (``valueset.unknown``).
    - ``strict_key_validity``: ``iat``/``exp`` outside the signer certificate's validity
      (``key.validity``). The certificate must be valid at ``now`` in any case
      (``key.expired``).
    - ``strict_date_times``: a date-time where the schema says ``format: date``
      (``schema.date-time``); impossible dates fail ``schema.invalid`` in any case.
    - ``strict_nulls``: a property given as ``null`` where the schema allows none, read as
      absent (``schema.null``).
    - ``strict_future_dates``: a date of birth, vaccination, test or first positive test
      after the passport's ``iat`` (``dcc.future-date``).
    """

    algorithms: frozenset[int] = attrs.field(default=DEFAULT_ALGORITHMS, converter=_algorithms)
    require_attestation: bool = False
    leeway: timedelta = attrs.field(default=timedelta(0), validator=_non_negative)
    strict_valuesets: bool = False
    check_key_validity_window: bool = True
    strict_key_validity: bool = False
    strict_date_times: bool = False
    strict_nulls: bool = False
    strict_future_dates: bool = False
    #: ``leeway`` in whole seconds, computed once (verify compares epoch seconds).
    leeway_seconds: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "leeway_seconds", int(self.leeway.total_seconds()))

    @classmethod
    def vietnam(cls) -> Policy:
        """Viet Nam's domestic policy: the facility attestation is required."""
        return cls(require_attestation=True)

    @classmethod
    def strict(cls, *, require_attestation: bool = False) -> Policy:
        """Every tolerated deviation fails: the specification to the letter, for an issuer's
        own quality assurance (what ``issue()`` makes always passes it)."""
        return cls(
            require_attestation=require_attestation,
            strict_valuesets=True,
            strict_key_validity=True,
            strict_date_times=True,
            strict_nulls=True,
            strict_future_dates=True,
        )
