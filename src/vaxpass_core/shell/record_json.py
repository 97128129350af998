"""Vaccination records as JSON objects: what ``vaxpass attest``, ``issue --record`` and
``issue-batch`` read (one object a line), and the batch API too.

One JSON object with the :class:`~vaxpass_core.VaccinationRecord` field names::

    {"full_name": {"family": "Nguyễn", "given": "Thị Bảo Ngọc"},
     "date_of_birth": "1990-05-17", "nationality": "VN", "disease": "840539006",
     "doses_received": 2, "vaccination_date": "2021-09-20", "dose_number": 2,
     "vaccine": "J07BX03", "product": "EU/1/21/1529", "manufacturer": "ORG-100001699",
     "certificate_id": "URN:UVCI:01:VN:..."}

``full_name`` may also be a pair ``["Nguyễn", "Thị Bảo Ngọc"]``; dates are ISO 8601.
"""

from __future__ import annotations

from typing import Any, Final

from vaxpass_core._deprecated import ignored
from vaxpass_core._gateway import loads_json
from vaxpass_core.errors import InvalidRecord, VaxpassError
from vaxpass_core.record import FIELDS, FullName, VaccinationRecord
from vaxpass_core.record_cbor import key_problems


__all__ = ["FIELD_NAMES", "RecordFormatError", "record_from_json", "record_to_json"]

#: The eleven keys a record object has, in the Decision's order.
FIELD_NAMES: Final = tuple(f.name for f in FIELDS)


_FIELD_SET: Final = frozenset(FIELD_NAMES)
_NAME_KEYS: Final = frozenset({"family", "given", "family_icao", "given_icao"})


class RecordFormatError(InvalidRecord):
    """The JSON is not a record object (not JSON, missing or unknown keys, wrong types).

    A kind of :class:`~vaxpass_core.errors.InvalidRecord` (code ``record.invalid``), so a
    caller that handles bad records handles this too.

    .. versionchanged:: Unreleased
       Derives from ``InvalidRecord`` (it was a plain ``ValueError``).
    """


def _full_name(value: object) -> FullName:
    if isinstance(value, dict):
        if not value.keys() <= _NAME_KEYS or "family" not in value:
            raise RecordFormatError(
                'full_name is {"family": ..., "given": ...} (optionally family_icao, given_icao)'
            )
        # Named one by one, not **value: a JSON key is a fresh string that a keyword
        # argument matches only by comparing text, an interned name by identity.
        return FullName(
            value["family"],
            value.get("given", ""),
            family_icao=value.get("family_icao"),
            given_icao=value.get("given_icao"),
        )
    if isinstance(value, list) and len(value) == 2:
        return FullName(value[0], value[1])
    raise RecordFormatError('full_name is {"family": ..., "given": ...} or a [family, given] pair')


def record_from_json(data: Any, *, allow_unknown_codes: bool | None = None) -> VaccinationRecord:
    """A record from parsed JSON (or JSON text).

    Raises :class:`RecordFormatError` when the shape is wrong (not an object, keys missing or
    unknown, a value of the wrong type) and :class:`~vaxpass_core.errors.InvalidRecord`
    (``record.invalid``) when a value breaks a record rule; nothing else, whatever the input.
    ``allow_unknown_codes`` is deprecated and does nothing (the record checks form only).
    """
    ignored(
        "record_from_json(allow_unknown_codes=)", "the record checks form only", allow_unknown_codes
    )
    if type(data) is not dict:  # parsed JSON (a batch's line) is the usual call
        if isinstance(data, str | bytes):
            try:
                data = loads_json(data)
            except ValueError as exc:
                raise RecordFormatError(f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordFormatError(f"a record is a JSON object, not {type(data).__name__}")
    if data.keys() != _FIELD_SET:
        missing = [n for n in FIELD_NAMES if n not in data]
        unknown = sorted(map(repr, set(data) - _FIELD_SET))
        raise RecordFormatError(f"the record {key_problems(missing, unknown)}")
    try:
        # The record's constructor checks every value (its rules); only the shape is ours.
        # The keys are the eleven (checked above): named one by one, as in _full_name.
        return VaccinationRecord(
            full_name=_full_name(data["full_name"]),
            date_of_birth=data["date_of_birth"],
            nationality=data["nationality"],
            disease=data["disease"],
            doses_received=data["doses_received"],
            vaccination_date=data["vaccination_date"],
            dose_number=data["dose_number"],
            vaccine=data["vaccine"],
            product=data["product"],
            manufacturer=data["manufacturer"],
            certificate_id=data["certificate_id"],
        )
    except VaxpassError:
        raise
    except (TypeError, ValueError) as exc:  # a wrong JSON type: the shape, not a record rule
        raise RecordFormatError(str(exc)) from exc


def record_to_json(record: VaccinationRecord) -> dict[str, Any]:
    """The JSON object :func:`record_from_json` reads back to an equal record
    (``nationality`` None, "not stated", is ``null``)."""
    out: dict[str, Any] = {name: getattr(record, name) for name in FIELD_NAMES}
    name = record.full_name
    full_name: dict[str, Any] = {"family": name.family, "given": name.given}
    if name.family_icao is not None:
        full_name["family_icao"] = name.family_icao
    if name.given_icao is not None:
        full_name["given_icao"] = name.given_icao
    out["full_name"] = full_name
    out["date_of_birth"] = str(record.date_of_birth)
    out["vaccination_date"] = record.vaccination_date.isoformat()
    return out
