"""The sample record of the demos, docs and tests: the shell's demo citizen
(:func:`vaxpass_core.shell.demo.demo_record`), under the test kit's name."""

from __future__ import annotations

from vaxpass_core.shell.demo import demo_record as sample_record


__all__ = ["sample_record"]
