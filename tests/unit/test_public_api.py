"""The public API is the façade, ``vaxpass_core.__all__``, and the docs keep to it.

A page may import façade names, modules listed in ``__all__``, ``vaxpass_core.hazmat.*``
(hazmat), ``vaxpass_core.shell.*`` and the command line (shell), and the test kit
(``vaxpass_core.testing``): docs/api.md, "What is public".
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import vaxpass_core


ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
GROUPS = ("hazmat", "shell", "cli", "testing")

# Pages that still import a module other helpers move, each with its owner; the coordinator
# empties this at the merge. An entry that no longer occurs fails the test, so none lingers.
KNOWN: dict[str, str] = {}

_FROM = re.compile(r"^\s*(?:>>> |\.\.\. )?from (vaxpass_core[\w.]*) import ([^#\n]+)", re.MULTILINE)
_IMPORT = re.compile(r"^\s*(?:>>> |\.\.\. )?import (vaxpass_core[\w.]*)", re.MULTILINE)
_VP_ATTRIBUTE = re.compile(r"\bvp\.(\w+)")


def _imports(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import of the package in *text* (names empty: ``import``)."""
    found: list[tuple[str, tuple[str, ...]]] = [(m.group(1), ()) for m in _IMPORT.finditer(text)]
    for match in _FROM.finditer(text):
        names = match.group(2).strip().strip("()`").split(",")
        found.append((match.group(1), tuple(n.split(" as ")[0].strip() for n in names if n)))
    return found


def _allowed(module: str, names: tuple[str, ...]) -> bool:
    parts = module.split(".")
    if len(parts) == 1:  # from vaxpass_core import X: X must be the façade's
        return all(name in vaxpass_core.__all__ for name in names)
    return parts[1] in vaxpass_core.__all__ or parts[1] in GROUPS


def _outside() -> dict[str, set[str]]:
    """Module -> the pages that import it from outside the façade and the groups."""
    found: dict[str, set[str]] = {}
    for page in PAGES:
        for module, names in _imports(page.read_text(encoding="utf-8")):
            if not _allowed(module, names):
                found.setdefault(module, set()).add(page.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize("name", vaxpass_core.__all__)
def test_every_name_in_all_resolves(name: str) -> None:
    assert getattr(vaxpass_core, name) is not None


def test_the_facade_modules_are_the_modules_themselves() -> None:
    for name in ("certlogic", "errors", "qr", "scan", "testing", "uvci", "valuesets"):
        assert getattr(vaxpass_core, name) is importlib.import_module(f"vaxpass_core.{name}")
    with pytest.raises(AttributeError, match="no attribute 'signers'"):
        vaxpass_core.__getattr__("signers")


def test_docs_import_only_the_facade_and_the_documented_groups() -> None:
    found = _outside()
    for module in KNOWN:
        assert module in found, f"no page imports {module} now: drop it from KNOWN"
    assert {m: pages for m, pages in found.items() if m not in KNOWN} == {}


def test_docs_use_only_facade_names_on_vp() -> None:
    used = {
        (name, page.name)
        for page in PAGES
        for name in _VP_ATTRIBUTE.findall(page.read_text(encoding="utf-8"))
    }
    assert {(n, p) for n, p in used if n not in vaxpass_core.__all__} == set()


def test_the_import_reader_sees_each_form() -> None:
    text = (
        "import vaxpass_core.scan\n"
        ">>> from vaxpass_core import qr, scan\n"
        "from vaxpass_core.signers import DocumentSigner  # a comment\n"
        "from vaxpass_core import (\n"
    )
    assert _imports(text) == [
        ("vaxpass_core.scan", ()),
        ("vaxpass_core", ("qr", "scan")),
        ("vaxpass_core.signers", ("DocumentSigner",)),
        ("vaxpass_core", ()),
    ]
    assert not _allowed("vaxpass_core.signers", ("DocumentSigner",))
    assert not _allowed("vaxpass_core", ("sample",))
    assert _allowed("vaxpass_core.hazmat.cose", ("sign1",))
    assert _allowed("vaxpass_core", ("DocumentSigner", "qr"))
