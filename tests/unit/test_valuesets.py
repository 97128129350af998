from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from vaxpass_core import valuesets


REPO = Path(__file__).resolve().parents[2]


def test_release_is_recorded() -> None:
    assert valuesets.release() == "2.12.0"


def test_every_named_value_set_loads() -> None:
    for name in valuesets.NAMES:
        assert valuesets.entries(name), name
    assert len(valuesets.entries("co")) == 250


@pytest.mark.parametrize(
    ("name", "code", "display", "active"),
    [
        ("tg", "840539006", "COVID-19", True),
        ("vp", "1119349007", "SARS-CoV-2 mRNA vaccine", True),
        ("vp", "J07BX03", "covid-19 vaccines (deprecated)", False),
        ("mp", "EU/1/20/1528", "Comirnaty", True),
        (
            "mp",
            "Inactivated-SARS-CoV-2-Vero-Cell",
            "Inactivated SARS-CoV-2 (Vero Cell) (deprecated)",
            False,
        ),
        ("ma", "ORG-100030215", "Biontech Manufacturing GmbH", True),
        ("co", "VN", "Viet Nam", True),
        ("tt", "LP6464-4", "Nucleic acid amplification with probe detection", True),
        ("tr", "260415000", "Not detected", True),
        ("vaccine-medicinal-product", "Abdala", "Abdala", True),
    ],
)
def test_lookup(name: str, code: str, display: str, active: bool) -> None:
    entry = valuesets.lookup(name, code)
    assert entry is not None
    assert (entry.code, entry.display, entry.active) == (code, display, active)
    assert valuesets.is_known(name, code)


def test_unknown_codes_and_names() -> None:
    assert valuesets.lookup("mp", "Vero Cell") is None
    assert not valuesets.is_known("mp", "")
    assert not valuesets.is_known("tg", "840539006 ")
    with pytest.raises(ValueError, match="no value set"):
        valuesets.lookup("nope", "x")
    with pytest.raises(ValueError, match="no value set"):
        valuesets.is_known("", "x")


def test_entries_are_read_only() -> None:
    with pytest.raises(TypeError):
        valuesets.entries("tg")["x"] = None  # type: ignore[index]


# The eight vaccines licensed in Viet Nam: common name -> (vp, mp, ma).
VN = {
    "AstraZeneca": ("29061000087103", "EU/1/21/1529", "ORG-100001699"),
    "Sputnik V": ("29061000087103", "Sputnik-V", "Gamaleya-Research-Institute"),
    "Vero Cell": ("1157024006", "BBIBP-CorV", "ORG-100020693"),
    "Pfizer": ("1119349007", "EU/1/20/1528", "ORG-100030215"),
    "Moderna": ("1119349007", "EU/1/20/1507", "ORG-100031184"),
    "Janssen": ("29061000087103", "EU/1/20/1525", "ORG-100001417"),
    "Hayat-Vax": ("1157024006", "Hayat-Vax", "ORG-100023050"),
    "Abdala": ("28531000087107", "Abdala", "CIGB"),
}


@pytest.mark.parametrize(("name", "codes"), VN.items())
def test_vn_vaccines_by_common_name(name: str, codes: tuple[str, str, str]) -> None:
    vaccine = valuesets.vaccine(name)
    assert vaccine.name == name
    assert vaccine.codes == codes
    assert valuesets.vaccine(name.upper()) is vaccine
    assert valuesets.vaccine(f"  {name.lower()} ") is vaccine
    # Every product is in the shipped value sets and active in release 2.12.0.
    assert vaccine.product.active
    assert vaccine.manufacturer.active
    assert vaccine.prophylaxis.active


def test_vn_vaccines_list() -> None:
    assert [v.name for v in valuesets.vn_vaccines()] == list(VN)
    assert tuple(VN) == valuesets.VN_VACCINES


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Sinopharm", "Vero Cell"),
        ("BBIBP-CorV", "Vero Cell"),
        ("Vaxzevria", "AstraZeneca"),
        ("Comirnaty", "Pfizer"),
        ("Pfizer-BioNTech", "Pfizer"),
        ("Spikevax", "Moderna"),
        ("Johnson & Johnson", "Janssen"),
        ("Sputnik-V", "Sputnik V"),
        ("hayat vax", "Hayat-Vax"),
    ],
)
def test_aliases(alias: str, name: str) -> None:
    assert valuesets.vaccine(alias).name == name


@pytest.mark.parametrize("name", ["", "Covaxin", "Vero", "Nuvaxovid"])
def test_vaccines_not_licensed_in_viet_nam(name: str) -> None:
    with pytest.raises(LookupError, match="not a vaccine licensed in Viet Nam"):
        valuesets.vaccine(name)


def _shipped() -> dict[str, object]:
    text = resources.files("vaxpass_core").joinpath("_data", "valuesets.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_vn_vaccines_follow_the_encoding_instructions() -> None:
    products = _shipped()["encoding"]["products"]  # type: ignore[index]
    for vaccine in valuesets.vn_vaccines():
        instruction = products[vaccine.product.code]
        assert instruction["ma"] == vaccine.manufacturer.code, vaccine.name
        assert vaccine.prophylaxis.code in instruction["vp"], vaccine.name


def _generate(source: Path, out: Path, *options: str) -> dict[str, Any]:
    command = [sys.executable, str(REPO / "tools" / "gen_valuesets.py"), str(source)]
    subprocess.run([*command, "--output", str(out), *options], check=True, capture_output=True)
    data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return data


def test_shipped_data_is_what_the_generator_makes(shared_data: Path, tmp_path: Path) -> None:
    # The release (2.12.0) as published, but for the rapid-test devices: the release has only
    # the 2021-07-01 example list; the shipped one is the repository's test-manf.json.
    shipped: dict[str, Any] = _shipped()
    release = _generate(shared_data / "eu-dcc-valuesets", tmp_path / "release.json")
    devices = shipped["valuesets"]["t.ma"]
    example = release["valuesets"]["t.ma"]
    assert {k: v for k, v in release["valuesets"].items() if k != "t.ma"} == {
        k: v for k, v in shipped["valuesets"].items() if k != "t.ma"
    }
    assert release["encoding"] == shipped["encoding"]
    assert (example["file"], example["date"], len(example["values"])) == (
        "test-manf-example.json",
        "2021-07-01",
        88,
    )
    assert (devices["file"], devices["date"], len(devices["values"])) == (
        "test-manf.json",
        "2021-07-15",
        126,
    )
    assert set(devices["values"]) > set(example["values"])
    assert {"770", "1618", "1457"} <= set(devices["values"])
    # Fed that file back (--test-manf), the generator makes exactly the shipped data.
    gateway = {
        "valueSetId": devices["id"],
        "valueSetDate": devices["date"],
        "valueSetValues": devices["values"],
    }
    (tmp_path / "test-manf.json").write_text(json.dumps(gateway), "utf-8")
    again = _generate(
        shared_data / "eu-dcc-valuesets",
        tmp_path / "again.json",
        "--test-manf",
        str(tmp_path / "test-manf.json"),
    )
    assert again == shipped
