"""Regenerate ``src/vaxpass_core/_data/valuesets.json`` from the EU DCC value sets.

Usage: ``python tools/gen_valuesets.py [VALUESETS_DIR] [--release X.Y.Z] [--test-manf FILE]``

VALUESETS_DIR defaults to ``../shared/data/eu-dcc-valuesets`` beside the checkout (a
copy of ehn-dcc-development/eu-dcc-valuesets). The release is read from its README
(``Release: X.Y.Z``) unless given. The output is sorted and stable, so a regeneration
from the same release changes nothing.

The rapid-test devices (``t.ma``) are not part of a release: the repository's
``test-manf-example.json`` is a 2021-07-01 example of 88 devices, while its
``test-manf.json`` (the gateway's ``covid-19-lab-test-manufacturer-and-name`` value set,
generated from the JRC/HSC common list) is what issuers used. The shipped data takes
``--test-manf FILE`` when given, else ``test-manf.json`` in VALUESETS_DIR when there is one,
else the example. (The shipped copy: ``test-manf.json`` of 2021-07-15, 126 devices, from
ehn-dcc-development/eu-dcc-valuesets.)
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "vaxpass_core" / "_data" / "valuesets.json"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "eu-dcc-valuesets"

#: Short name (the DCC field it serves) -> file in the value-set repository.
FILES = {
    "tg": "disease-agent-targeted.json",
    "vp": "vaccine-prophylaxis.json",
    "mp": "vaccine-medicinal-product.json",
    "ma": "vaccine-mah-manf.json",
    "co": "country-2-codes.json",
    "tt": "test-type.json",
    "tr": "test-result.json",
    "t.ma": "test-manf-example.json",
}


def _release(source: Path) -> str:
    match = re.search(r"^Release:\s*(\S+)", (source / "README.md").read_text("utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no 'Release:' line in {source / 'README.md'}; pass --release")
    return match.group(1)


def _valueset(path: Path) -> dict[str, object]:
    raw = json.loads(path.read_text("utf-8"))
    values = {
        code: {
            "display": entry["display"],
            "active": bool(entry["active"]),
            "system": entry.get("system", ""),
            "version": entry.get("version", ""),
        }
        for code, entry in sorted(raw["valueSetValues"].items())
    }
    return {
        "id": raw["valueSetId"],
        "date": raw["valueSetDate"],
        "file": path.name,
        "values": values,
    }


def _encodings(path: Path) -> dict[str, object]:
    """Product code -> manufacturer and allowed prophylaxis codes (encoding instructions)."""
    raw = json.loads(path.read_text("utf-8"))
    out: dict[str, object] = {}
    for name, entry in sorted(raw["valueSetValues"].items()):
        # Deprecated entries carry " (deprecated)" after the code; the code is the first word.
        code = entry["vaccine-code"].split(" ")[0]
        out[code] = {
            "name": name,
            "ma": entry["vaccine-manufacturer"],
            "vp": list(entry["sct-codes"]),
            "note": entry.get("note", ""),
        }
    return {"id": raw["valueSetId"], "date": raw["valueSetDate"], "products": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--release", default=None)
    parser.add_argument("--test-manf", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    source: Path = args.source
    files = {name: source / file for name, file in FILES.items()}
    devices = args.test_manf or source / "test-manf.json"
    if devices.is_file():
        files["t.ma"] = devices
    valuesets = {name: _valueset(path) for name, path in files.items()}
    data = {
        "source": "https://github.com/ehn-dcc-development/eu-dcc-valuesets",
        "release": args.release or _release(source),
        "valuesets": valuesets,
        "encoding": _encodings(source / "vaccine-encoding-instructions.json"),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    args.output.write_text(text, "utf-8")
    print(f"wrote {args.output} (release {data['release']})")


if __name__ == "__main__":
    main()
