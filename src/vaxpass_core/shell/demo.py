"""The sample citizen the demo, the docs and the published test vectors show."""

from __future__ import annotations

from vaxpass_core import uvci, valuesets
from vaxpass_core.record import FullName, VaccinationRecord


__all__ = ["demo_record"]


def demo_record(*, vaccine: str = "AstraZeneca") -> VaccinationRecord:
    """A sample record for demos and docs: a Vietnamese citizen, with diacritics in the name.

    *vaccine* is one of the eight licensed in Viet Nam, by common name.
    """
    vp, mp, ma = valuesets.vaccine(vaccine).codes
    return VaccinationRecord(
        full_name=FullName(family="Nguyễn", given="Thị Bảo Ngọc"),
        date_of_birth="1990-05-17",
        nationality="VN",
        disease="840539006",
        doses_received=2,
        vaccination_date="2021-09-20",
        dose_number=2,
        vaccine=vp,
        product=mp,
        manufacturer=ma,
        certificate_id=uvci.new(issuer="79001", unique="4F3A9C2E7B1D4E8A"),
    )
