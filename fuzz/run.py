"""Run one fuzz target under atheris (libFuzzer), coverage-guided.

Usage: ``python fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR ...]``, for example
``python fuzz/run.py verify -max_total_time=60 build/fuzz-corpus/verify``;
``python fuzz/run.py --list`` names the targets. ``make fuzz`` runs every target in turn.
The library is instrumented as it is imported, so coverage of its own code guides the
search; a crash is any exception the target does not document (see ``targets.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = sys.argv[1:]
    if args == ["--list"]:
        from fuzz.targets import TARGETS  # noqa: PLC0415

        print(" ".join(TARGETS))
        return
    import atheris  # noqa: PLC0415 - only the fuzzing run needs it

    with atheris.instrument_imports(include=["vaxpass_core", "fuzz"]):
        import vaxpass_core.scan  # noqa: F401, PLC0415 - instrumented before read_qr needs it
        from fuzz import targets  # noqa: PLC0415

    if not args or args[0] not in targets.TARGETS:
        sys.exit(f"usage: run.py TARGET [libFuzzer options]; targets: {' '.join(targets.TARGETS)}")
    target = targets.TARGETS[args[0]]
    targets.fuzz_pki()  # the test PKI and its trust store, built once before the clock starts
    atheris.Setup([sys.argv[0], *args[1:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
