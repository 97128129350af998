"""The package's structure, read from its source with ``ast``: no import cycle, the layers
kept apart, and no function longer than a reader can hold (docs/design.md, "Layout").

Every import counts: at module level, inside functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from types import ModuleType

    import pytest


ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = "vaxpass_core"
#: What is not the core: it may import the core, never the other way round.
OUTER = ("cli", "shell", "testing")

# Known offenders in files other helpers own, each with its owner: the coordinator empties
# these lists at the merge. An entry that no longer offends fails the test, so none lingers.
ALLOWED_EDGES: Mapping[tuple[str, str], str] = {}
ALLOWED_LONG: Mapping[str, str] = {}


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "longest_functions", ROOT / "tools" / "longest_functions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuple wants its module importable
    spec.loader.exec_module(module)
    return module


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted((SRC / PACKAGE).rglob("*.py"))}


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The package's modules that one import statement names."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE)
        return
    target = node.module or ""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, *([node.module] if node.module else [])])
    if target.split(".")[0] != PACKAGE:
        return
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        yield sub if sub in MODULES else target


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update(_imported(module, path.name == "__init__.py", node))
        found.discard(module)
        graph[module] = found
    return graph


GRAPH = _graph()


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".")


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_import_resolves_to_a_module_of_the_package() -> None:
    unknown = {(m, d) for m, deps in GRAPH.items() for d in deps if d not in MODULES}
    assert unknown == set()


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    graph = {m: set(deps) for m, deps in GRAPH.items()}
    for src, dst in ALLOWED_EDGES:
        module, target = f"{PACKAGE}.{src}", f"{PACKAGE}.{dst}"
        assert target in graph[module], f"{src} -> {dst} is gone: drop it from ALLOWED_EDGES"
        graph[module].discard(target)
    assert [[_short(m) for m in cycle] for cycle in _cycles(graph)] == []


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in (*OUTER, "hazmat"):
        return parts[1]
    return "core"


def _imports(layers: tuple[str, ...], allowed: Callable[[str], bool]) -> set[tuple[str, str]]:
    """The imports from a module in *layers* of a module *allowed* refuses."""
    return {
        (_short(m), _short(d))
        for m, deps in GRAPH.items()
        if _layer(m) in layers
        for d in deps
        if not allowed(d)
    }


def test_hazmat_imports_only_errors_and_itself() -> None:
    only = ("hazmat",)
    assert _imports(only, lambda d: _layer(d) == "hazmat" or d == f"{PACKAGE}.errors") == set()


def test_the_core_imports_no_shell_cli_or_test_kit() -> None:
    assert _imports(("core", "hazmat"), lambda d: _layer(d) not in OUTER) == set()


def test_the_shell_does_not_import_the_test_kit() -> None:
    assert _imports(("cli", "shell"), lambda d: _layer(d) != "testing") == set()


def test_the_layer_checks_see_an_upward_import() -> None:
    GRAPH[f"{PACKAGE}.hazmat.cose"].add(f"{PACKAGE}.shell.devpki")
    try:
        assert _imports(("core", "hazmat"), lambda d: _layer(d) not in OUTER) == {
            ("hazmat.cose", "shell.devpki")
        }
    finally:
        GRAPH[f"{PACKAGE}.hazmat.cose"].discard(f"{PACKAGE}.shell.devpki")


def test_every_function_is_at_most_60_lines() -> None:
    tool = _load_tool()
    lengths = {f"{f.path}:{f.name}": f.lines for f in tool.functions(SRC)}
    for name in ALLOWED_LONG:
        assert lengths.get(name, 0) > tool.MAX_LINES, f"{name}: gone or short, drop it"
    too_long = {
        name: lines
        for name, lines in lengths.items()
        if lines > tool.MAX_LINES and name not in ALLOWED_LONG
    }
    assert too_long == {}


def test_the_tool_lists_the_longest_first(capsys: pytest.CaptureFixture[str]) -> None:
    tool = _load_tool()
    assert tool.main(["3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    counts = [int(line.split()[0]) for line in lines]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == tool.functions()[0].lines
