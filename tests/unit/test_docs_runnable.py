"""The docs' examples paste into a fresh interpreter: no hidden set-up, imports included.

The docs build runs them too (``make docs``); this keeps the rule itself from slipping:
no ``doctest_global_setup`` in ``docs/conf.py``, no ``{testsetup}`` block on any page, and
each tutorial's runnable blocks, in order, in one fresh namespace, do what they show.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest


DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["quickstart.md", "tutorials/border-check.md", "tutorials/issuing.md"]
PAGES += ["tutorials/test-suite.md", "tutorials/business-rules.md"]
_BLOCK = re.compile(r"^```\{(doctest|testcode|testsetup)\}\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_nothing_is_set_up_out_of_sight() -> None:
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "doctest_global_setup" not in conf.replace("(no doctest_global_setup", "")
    for page in DOCS.rglob("*.md"):
        assert "{testsetup}" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_shown_in_a_fresh_namespace(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = _BLOCK.findall(text)
    assert blocks, page
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for n, (kind, body) in enumerate(blocks):
        if kind == "testcode":
            exec(compile(body, f"{page} block {n}", "exec"), namespace)
            continue
        test = parser.get_doctest(body, {}, f"{page} block {n}", page, 0)
        test.globs = namespace  # one namespace for the page, as a reader's interpreter
        runner.run(test, clear_globs=False)
    assert runner.summarize(verbose=False).failed == 0
