"""Business rules against a signature: a country's full rule set on one DCC vs one ECDSA verify.

Run: .venv/bin/python benchmarks/bench_certlogic.py
The rule set is the EU's 14 template rules plus Viet Nam's 6 example rules (docs/rules/VN),
compiled once at load, as an app keeps them; each evaluation gets the full shipped value
sets in ``external``. The floor is one raw ``cryptography`` ECDSA P-256 / SHA-256 verify of
a DCC-sized message, measured in the same run. Prints microseconds and the ratio; the
target is a ratio below 1 (all rules together cost less than one signature check).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best
from vaxpass_core import certlogic


ROOT = Path(__file__).resolve().parents[1]
EU_RULES = ROOT.parent / "shared" / "data" / "certlogic" / "rules-example" / "EU"
VN_RULES = ROOT / "docs" / "rules" / "VN"
CLOCK = dt.datetime(2022, 3, 1, 8, tzinfo=dt.UTC)
DCC = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
    "dob": "1990-01-31",
    "v": [
        {
            "tg": "840539006",
            "vp": "J07BX03",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2022-01-10",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:ABC123DEF456#K",
        }
    ],
}


def load_rules() -> list[certlogic.Rule]:
    files = sorted(VN_RULES.glob("*/rule.json"))
    if EU_RULES.is_dir():
        files += sorted(EU_RULES.glob("*/rule.json"))
    else:
        print("note: ../shared/data is absent; Viet Nam's 6 rules only")
    rules = [certlogic.load_rule(path.read_bytes()) for path in files]
    # One country's set: the EU templates stand in for a member state's acceptance rules.
    return [attrs.evolve(rule, country="VN") for rule in rules]


def main() -> None:
    rules = load_rules()
    external = certlogic.external_parameters(
        clock=CLOCK, country="VN", issuing_country="VN", value_sets=certlogic.rule_value_sets()
    )
    compiled = [rule.compiled for rule in rules if rule.compiled is not None]
    data = {"payload": DCC, "external": external}
    outcomes = [bool(run(data)) for run in compiled]
    print(f"{len(compiled)} rules, {sum(outcomes)} truthy on the sample vaccination DCC")

    key = ec.generate_private_key(ec.SECP256R1())
    message = json.dumps(DCC).encode() * 2  # about the size of a COSE Sig_structure
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()

    def verify(_: object) -> None:
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))

    def rule_set(_: object) -> None:
        for run in compiled:
            run(data)

    def rule_set_with_selection(_: object) -> None:
        certlogic.RuleSet(rules).check(
            DCC, country="VN", clock=CLOCK, issuing_country="VN", value_sets=external["valueSets"]
        )

    items = list(range(200))
    ecdsa_us = best(verify, items, rounds=7)
    rules_us = best(rule_set, items, rounds=7)
    full_us = best(rule_set_with_selection, items, rounds=7)
    print(f"ECDSA P-256 verify (cryptography)        {ecdsa_us:8.1f} us")
    print(f"{len(compiled)} compiled rules on one DCC             {rules_us:8.1f} us")
    print(f"select + evaluate + outcomes (RuleSet)   {full_us:8.1f} us")
    print(
        f"ratio rules / ECDSA verify: {rules_us / ecdsa_us:.2f}"
        f" (with selection {full_us / ecdsa_us:.2f})"
    )


if __name__ == "__main__":
    main()
