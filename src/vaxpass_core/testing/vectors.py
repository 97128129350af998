"""Reference test vectors in the EU dgc-testdata layout, and a checker for them.

They are made by :mod:`vaxpass_core.shell.vectors`, which ``vaxpass vectors DIR`` writes
to disk; these are the same functions under the test kit's name.
"""

from __future__ import annotations

from vaxpass_core.shell.vectors import *  # noqa: F403 - the same names under the test kit's path
from vaxpass_core.shell.vectors import __all__  # noqa: F401 - re-exported
