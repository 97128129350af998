"""Sphinx configuration: MyST markdown, furo, autodoc and doctest; no network at build time."""

from __future__ import annotations

import sys
from pathlib import Path


_HERE = Path(__file__).resolve().parent
# The project's own extensions (errors page, API completeness) live next to this file.
sys.path.insert(0, str(_HERE / "_ext"))

project = "vaxpass-core"
author = "vaxpass-core developers"
copyright = "vaxpass-core developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "vaxpass_docs",
]

# Markdown (MyST) only; CHANGELOG.md comes in through an include.
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
# Lets pages link to sections: [...](fields.md#why-field-5-maps-to-sd).
myst_heading_anchors = 3

# Nothing is fetched while building: no intersphinx inventories, no remote images.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# The public API re-exports names defined in private modules: show them as vaxpass_core.X.
add_module_names = False

html_theme = "furo"
html_title = "vaxpass-core"
html_static_path: list[str] = []

# Doctests run against the installed package, exactly as the reader sees them: no hidden
# set-up (no doctest_global_setup, no testsetup blocks), so every page's examples, from its
# first import on, paste into a fresh interpreter. tests/unit/test_docs_runnable.py keeps it so.
