"""Varied vaccination records for the benchmark scripts (imported from the script's own folder).

Names, dates of birth, vaccination dates, vaccines and certificate ids all vary, so that a
figure is the mean over *different* passports, never one input repeated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import vaxpass_core as vp
from vaxpass_core import uvci, valuesets
from vaxpass_core.testing.vectors import VALIDATION_CLOCK


if TYPE_CHECKING:
    import random


#: The clock passports are issued and verified at: the test toolkit's fixed clock
#: (``strategies.DEFAULT_NOW``), inside the test PKI's validity window.
NOW: Final = VALIDATION_CLOCK
#: The Document Signers' issuer name in the DCCs.
ISSUER: Final = "Ministry of Health of Viet Nam"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
GIVEN = ["Bảo Duy", "Thị Hồng", "Văn An", "Minh Châu", "Đức Anh", "Thu Trang", "Quốc Việt",
         "Ngọc Ánh", "Hữu Phước", "Thị Thanh Hương", "Trương Ưng"]  # fmt: skip


def make_record(rng: random.Random) -> vp.VaccinationRecord:
    """One record drawn from *rng*: a vaccine licensed in Viet Nam, dose 1 to 3."""
    vaccine, product, manufacturer = rng.choice(valuesets.vn_vaccines()).codes
    dose = rng.randint(1, 3)
    return vp.VaccinationRecord(
        full_name=vp.FullName(rng.choice(FAMILY), rng.choice(GIVEN)),
        date_of_birth=f"{rng.randint(1930, 2015)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
        nationality="VN",
        disease="840539006",
        doses_received=max(dose, rng.randint(2, 3)),
        vaccination_date=f"2021-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
        dose_number=dose,
        vaccine=vaccine,
        product=product,
        manufacturer=manufacturer,
        certificate_id=uvci.new(issuer="79001", unique=rng.randbytes(8).hex().upper()),
    )
