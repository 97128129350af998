# The two ways in: `make demo` and `make test`. Each builds its own virtual
# environment from PyPI; nothing is assumed installed but python3.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# python-cwt and pycose pin cbor2<6 and cryptography<52, so the interoperability
# peers live in their own environment and talk to the tests over a pipe.
PEERS := .venv-peers
PEERS_PY := $(PEERS)/bin/python

.PHONY: demo test lint typecheck pytest docs bench bench-batch peers clean fuzz

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[scan,test,lint,docs]'
	touch $@

$(PEERS)/.installed: tests/peers/requirements.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS_PY) -m pip install --quiet --disable-pip-version-check -r tests/peers/requirements.txt
	touch $@

peers: $(PEERS)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/vaxpass demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# -bb: mixing bytes and str fails loudly. Branch coverage must not fall below the floor in
# pyproject.toml (subprocess and worker runs are not counted).
pytest: $(VENV)/.installed $(PEERS)/.installed
	VAXPASS_PEERS_PYTHON=$(abspath $(PEERS_PY)) $(PY) -bb -m coverage run -m pytest -q -p no:cacheprovider
	$(PY) -m coverage report

# Warnings are errors; the doctests run the tutorials against the real library.
docs: $(VENV)/.installed
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	$(VENV)/bin/sphinx-build -W --keep-going -q -b doctest docs docs/_build/doctest

test: lint typecheck pytest docs

# Speed is reported as ratios to a floor measured in the same run (the machines are noisy).
bench: $(VENV)/.installed $(PEERS)/.installed
	VAXPASS_PEERS_PYTHON=$(abspath $(PEERS_PY)) $(PY) benchmarks/run.py
	$(PY) benchmarks/bench_verify.py
	$(PY) benchmarks/bench_schema.py
	$(PY) benchmarks/bench_qr.py

# Bulk issuance: one worker's pipeline per line against its crypto floor (2 signatures and
# 2 verifications, measured in the same run), then BATCH_RECORDS generated records through
# issue_batch() on every core, records/s and peak memory; each for an ES256 and a PS256
# Document Signer. `make bench-batch BATCH_RECORDS=1000000` for the million (a few minutes).
BATCH_RECORDS ?= 200000
bench-batch: $(VENV)/.installed
	$(PY) benchmarks/bench_batch.py --floor --alg ES256
	$(PY) benchmarks/bench_batch.py --floor --alg PS256
	$(PY) benchmarks/bench_batch.py --records $(BATCH_RECORDS) --alg ES256
	$(PY) benchmarks/bench_batch.py --records $(BATCH_RECORDS) --alg PS256

# Coverage-guided fuzzing with atheris, FUZZ_SECONDS per target (all of fuzz/targets.py, or
# those named in FUZZ_TARGETS): `make fuzz FUZZ_SECONDS=60 FUZZ_TARGETS="verify cose"`.
# Seeds from fuzz/make_corpus.py; what a crash leaves is in build/fuzz-artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_CORPUS := build/fuzz-corpus
fuzz: $(VENV)/.installed
	$(PY) -c 'import atheris' 2>/dev/null || $(PY) -m pip install --quiet --disable-pip-version-check atheris
	$(PY) fuzz/make_corpus.py $(FUZZ_CORPUS)
	mkdir -p build/fuzz-artifacts
	targets="$(FUZZ_TARGETS)"; [ -n "$$targets" ] || targets=$$($(PY) fuzz/run.py --list); \
	for target in $$targets; do \
	  $(PY) fuzz/run.py $$target -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=build/fuzz-artifacts/$$target- $(FUZZ_CORPUS)/$$target || exit 1; \
	done

clean:
	rm -rf $(VENV) $(PEERS) build dist .mypy_cache .ruff_cache docs/_build .coverage
