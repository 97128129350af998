"""Schema validation speed: vaxpass_core.hazmat.schema against a pre-built jsonschema validator.

Run: .venv/bin/python benchmarks/bench_schema.py
Both check the same thing: Draft 2020-12, format asserted for date and date-time (jsonschema
needs rfc3339-validator for date-time). Prints microseconds per call (best of several runs)
and the ratio. The verifier's budget for schema validation is about 5 us.
"""

from __future__ import annotations

import timeit

import jsonschema

from vaxpass_core.hazmat import schema


VACCINATION = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
    "dob": "1990-01-31",
    "v": [
        {
            "tg": "840539006",
            "vp": "J07BX03",
            "mp": "BBIBP-CorV",
            "ma": "ORG-100020693",
            "dn": 2,
            "sd": 2,
            "dt": "2021-09-15",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:ABC123DEF456#K",
        }
    ],
}
TEST = {
    "ver": "1.3.0",
    "nam": {"fnt": "NGUYEN", "gnt": "VAN<AN"},
    "dob": "1990",
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "sc": "2021-05-03T10:27:15+07:00",
            "tr": "260415000",
            "tc": "Test centre Ha Noi",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": "URN:UVCI:01:VN:T1#S",
        }
    ],
}


def best_us(func: object, number: int) -> float:
    times = timeit.repeat(func, number=number, repeat=7)  # type: ignore[arg-type]
    return min(times) / number * 1e6


def main() -> None:
    document = schema._schema_document("1.3.0")  # noqa: SLF001 - the document schema compiles
    checker = jsonschema.FormatChecker(formats=["date", "date-time"])
    if "date-time" not in checker.checkers:
        print("note: rfc3339-validator is missing; jsonschema skips date-time")
    reference = jsonschema.Draft202012Validator(document, format_checker=checker)
    schema.validate(VACCINATION)  # compile once, outside the timing
    for name, dcc in (("vaccination", VACCINATION), ("test", TEST)):
        assert reference.is_valid(dcc)
        ours = best_us(lambda d=dcc: schema.validate(d), 20_000)
        theirs = best_us(lambda d=dcc: reference.is_valid(d), 500)
        print(
            f"{name:12s} vaxpass_core.hazmat.schema {ours:6.2f} us   jsonschema {theirs:8.1f} us"
            f"   ratio {theirs / ours:5.0f}x"
        )
    cold = timeit.timeit(
        lambda: schema._Compiler(document, "1.3.0").compile(),  # noqa: SLF001
        number=20,
    )
    print(f"compile one version (once per process, lazily): {cold / 20 * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
