"""The deterministic test PKI (``vaxpass_core.testing.pki(seed)``).

It is minted by :mod:`vaxpass_core.shell.devpki`, which the command line uses too (``vaxpass
demo``, ``vaxpass pki init``); these are the same objects under the test kit's name.
EVERYTHING HERE IS PUBLIC: test keys, never for anything real.
"""

from __future__ import annotations

from vaxpass_core.shell.devpki import *  # noqa: F403 - the same names under the test kit's path
from vaxpass_core.shell.devpki import __all__  # noqa: F401 - re-exported
