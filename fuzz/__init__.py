"""Fuzzing vaxpass-core: the targets (``targets.py``), the atheris runner (``run.py``) and the
seed corpus generator (``make_corpus.py``). ``make fuzz`` runs them; see ``fuzz/README.md``."""
