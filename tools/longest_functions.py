"""The longest functions in ``src/``, longest first, with their line counts.

A function's length is from its ``def`` line (decorators not counted) to its last line,
docstring and comments included: what a reader has to hold in mind. Nested functions
are counted on their own as well as inside their parent.
``tests/unit/test_layers.py`` holds every function to :data:`MAX_LINES`.

Run it: ``.venv/bin/python tools/longest_functions.py [how many, default 10]``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Final, NamedTuple


__all__ = ["MAX_LINES", "SRC", "Function", "functions", "main"]

#: The most lines a function in src/ may have.
MAX_LINES: Final = 60
#: The package sources, from this file's place in the repository.
SRC: Final = Path(__file__).resolve().parents[1] / "src"


class Function(NamedTuple):
    """One function: where it is and how long."""

    lines: int
    path: str  # relative to src/
    line: int
    name: str  # qualified: Class.method, outer.inner

    def __str__(self) -> str:
        return f"{self.lines:4d}  {self.path}:{self.line}  {self.name}"


def _walk(node: ast.AST, prefix: str, path: str) -> list[Function]:
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + child.name
            end = child.end_lineno or child.lineno
            found.append(Function(end - child.lineno + 1, path, child.lineno, name))
            found += _walk(child, name + ".", path)
        elif isinstance(child, ast.ClassDef):
            found += _walk(child, prefix + child.name + ".", path)
        else:
            found += _walk(child, prefix, path)
    return found


def functions(src: Path = SRC) -> list[Function]:
    """Every function under *src*, longest first."""
    found = []
    for file in sorted(src.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        found += _walk(tree, "", file.relative_to(src).as_posix())
    return sorted(found, key=lambda f: (-f.lines, f.path, f.line))


def main(argv: list[str]) -> int:
    """Print the *argv[0]* (default 10) longest functions."""
    count = int(argv[0]) if argv else 10
    for function in functions()[:count]:
        print(function)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
