"""What a verifier demands beyond the format: a plain, immutable policy object."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from .cose import EDDSA, ES256, ES384, ES512, PS256


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
    - ``strict_valuesets``: codes outside the shipped value sets fail with
      ``valueset.unknown`` instead of being reported as warnings.
    - ``check_key_validity_window``: report a CWT whose ``iat`` predates its signer
      certificate or whose ``exp`` outlives it (``key.validity``).
    """

    algorithms: frozenset[int] = attrs.field(default=DEFAULT_ALGORITHMS, converter=_algorithms)
    require_attestation: bool = False
    leeway: timedelta = attrs.field(default=timedelta(0), validator=_non_negative)
    strict_valuesets: bool = False
    check_key_validity_window: bool = True
    #: ``leeway`` in whole seconds, computed once (verify compares epoch seconds).
    leeway_seconds: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "leeway_seconds", int(self.leeway.total_seconds()))

    @classmethod
    def vietnam(cls) -> Policy:
        """Viet Nam's domestic policy: the facility attestation is required."""
        return cls(require_attestation=True)
