"""No import cycles inside the project's packages, counting imports inside functions too (a
lazy import that breaks a cycle at run time still ties the two modules together)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def module_imports(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of ``package`` (a folder of ``root``) and the project modules it imports
    (anywhere in its body)."""
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        home = parts if is_package else parts[:-1]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = home[: len(home) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                imported.add(target)
                imported.update(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        found[name] = imported
    return {
        name: {m for m in imported if m in found and m != name and not name.startswith(m + ".")}
        for name, imported in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "package, root",
    [
        ("miniapp_api", ROOT),
        ("bot", ROOT),
        ("launcher", ROOT),
        ("citizen_common", ROOT / "packages" / "citizen_common"),
    ],
)
def test_no_import_cycles(package, root):
    graph = module_imports(package, root)
    assert graph and cycles(graph) == []
