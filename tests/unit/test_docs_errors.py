"""The errors page is generated from ``Code``: every code, its class, meaning and checks."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from vaxpass_core.errors import Code, VaxpassError
from vaxpass_core.result import CHECK_ORDER


if TYPE_CHECKING:
    from types import ModuleType


ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _load(ROOT / "tools" / "gen_errors_page.py", "gen_errors_page")


def _table_rows(markdown: str) -> dict[str, list[str]]:
    """The summary table's rows, keyed by the code in their first cell."""
    rows = {}
    for line in markdown.split("\n\n", 1)[0].splitlines()[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        code = re.fullmatch(r"\{ref\}`(\S+) <code-(\S+)>`", cells[0])
        assert code is not None, line
        assert code[1] == code[2], line
        rows[code[1]] = cells
    return rows


def _sections(markdown: str) -> dict[str, str]:
    """Each code's section text (after its heading), keyed by the code."""
    parts = re.split(r"^\(code-(\S+)\)=\n### `(\S+)`\n", markdown, flags=re.MULTILINE)
    sections = {}
    for target, heading, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        assert target == heading
        sections[heading] = body
    return sections


def test_every_code_has_one_row_and_one_section(gen: ModuleType) -> None:
    page = gen.render()
    codes = sorted(code.value for code in Code)
    assert sorted(_table_rows(page)) == codes
    assert sorted(_sections(page)) == codes
    assert len(page.split("\n\n", 1)[0].splitlines()) == len(Code) + 2  # header, rule, rows


def test_rows_name_the_class_that_carries_the_code(gen: ModuleType) -> None:
    rows = _table_rows(gen.render())
    for code in Code:
        cls = VaxpassError.for_code(code)
        exception_cell = rows[code.value][1]
        assert exception_cell.startswith(f"{{py:class}}`~vaxpass_core.errors.{cls.__name__}`")
        for base in cls.__mro__[1:]:
            if base is ValueError or base is LookupError:
                assert f"`{base.__name__}`" in exception_cell, (code, base)


def test_every_code_is_explained_and_nothing_else(gen: ModuleType) -> None:
    assert set(gen.DOCS) == set(Code)
    assert gen.problems() == []
    for code, doc in gen.DOCS.items():
        assert doc.meaning.strip(), code
        assert doc.when.strip(), code
        assert set(doc.checks) <= set(CHECK_ORDER), code


def test_meaning_when_and_checks_reach_the_page(gen: ModuleType) -> None:
    page = gen.render()
    rows, sections = _table_rows(page), _sections(page)
    for code, doc in gen.DOCS.items():
        assert doc.meaning in sections[code.value]
        assert f"**When:** {doc.when}" in sections[code.value]
        for check in doc.checks:
            assert f"`{check}`" in rows[code.value][2]
            assert f"`{check}`" in sections[code.value]
        if not doc.checks:
            assert rows[code.value][2] == "none: raised only"


def test_a_code_without_an_explanation_stops_the_page(
    gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = dict(gen.DOCS)
    del docs[Code.REVOKED]
    monkeypatch.setattr(gen, "DOCS", docs)
    assert gen.problems() == ["revoked: no meaning in tools/gen_errors_page.py"]
    with pytest.raises(ValueError, match="revoked"):
        gen.render()


def test_a_check_that_does_not_exist_is_refused(
    gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = dict(gen.DOCS)
    docs[Code.REVOKED] = gen.CodeDoc("m", "w", ("no.such.check",))
    monkeypatch.setattr(gen, "DOCS", docs)
    assert gen.problems() == ["revoked: no check named 'no.such.check'"]


def test_the_errors_page_includes_the_generated_table() -> None:
    # Read as text: the extension imports Sphinx, which the test environment need not have.
    ext = (ROOT / "docs" / "_ext" / "vaxpass_docs.py").read_text(encoding="utf-8")
    assert 'MARKER = "```{vaxpass-errors}\\n```"' in ext
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert page.count("```{vaxpass-errors}\n```") == 1
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert '"vaxpass_docs"' in conf
