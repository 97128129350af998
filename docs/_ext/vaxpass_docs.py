"""The docs' own Sphinx extension: pages that are generated, and checks that fail the build.

* The errors table: where a page has the ``{vaxpass-errors}`` marker, the failure codes'
  table and sections, made at build time from ``vaxpass_core.errors.Code`` by
  ``tools/gen_errors_page.py``, so they cannot drift.
* API completeness: every name in ``vaxpass_core.__all__`` must be documented (as
  ``vaxpass_core.NAME`` or under the module that defines it), and no other class, function
  or constant may be documented as ``vaxpass_core.NAME``. A miss is a warning, which ``-W``
  makes an error.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging


if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

# The generator is a plain script beside the project's other tools, importable without Sphinx.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import gen_errors_page


_logger = logging.getLogger(__name__)
_PACKAGE = "vaxpass_core"


#: Where a page wants the generated errors table; replaced before the page is parsed, so the
#: generated Markdown (sections, labels, cross-references) is read like the rest of the page.
MARKER = "```{vaxpass-errors}\n```"


def _insert_errors(app: Sphinx, _docname: str, source: list[str]) -> None:
    if MARKER in source[0]:
        source[0] = source[0].replace(MARKER, gen_errors_page.render())
        # A page that shows the table depends on the code it is made from.
        app.env.note_dependency(gen_errors_page.__file__)


def _canonical_names(name: str, obj: object) -> set[str]:
    """The names under which *obj*, exported as ``vaxpass_core.NAME``, may be documented."""
    names = {f"{_PACKAGE}.{name}"}
    if inspect.ismodule(obj):
        names.add(obj.__name__)
    elif inspect.isclass(obj) or inspect.isfunction(obj):
        names.add(f"{obj.__module__}.{obj.__qualname__}")
    return names


def undocumented(documented: set[str]) -> list[str]:
    """Names of ``vaxpass_core.__all__`` documented under none of their names."""
    import vaxpass_core  # noqa: PLC0415 - imported when the build checks, after autodoc ran

    return [
        name
        for name in vaxpass_core.__all__
        if not _canonical_names(name, getattr(vaxpass_core, name)) & documented
    ]


def _check_api(_app: Sphinx, env: BuildEnvironment) -> None:
    import vaxpass_core  # noqa: PLC0415

    domain: Any = env.get_domain("py")
    documented = set(domain.objects) | set(domain.modules)
    for name in undocumented(documented):
        _logger.warning("vaxpass_core.%s is in __all__ but not documented (docs/api.md)", name)
    # Submodules (the hazmat layers, scan, qr) may have pages of their own; a class,
    # function or constant shown as vaxpass_core.NAME must really be public.
    public = {f"{_PACKAGE}.{name}" for name in vaxpass_core.__all__}
    for full, entry in sorted(domain.objects.items()):
        head, _, rest = full.partition(".")
        if entry.objtype == "module" or head != _PACKAGE or "." in rest or full in public:
            continue
        _logger.warning("%s is documented but is not in vaxpass_core.__all__", full)


def setup(app: Sphinx) -> dict[str, Any]:
    problems = gen_errors_page.problems()
    if problems:
        # Refuse to build a page that would silently miss a code.
        raise RuntimeError("the errors page is incomplete: " + "; ".join(problems))
    app.connect("source-read", _insert_errors)
    app.connect("env-check-consistency", _check_api)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
