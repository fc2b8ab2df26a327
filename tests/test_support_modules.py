"""Test modules share helpers through support modules and conftest.py, never through each other.

Importing from another test module runs that module's import-time code and makes pytest collect
its fixtures twice (once per importer, shadowing the conftest's); moving or renaming a test then
breaks unrelated suites. Helpers live in modules whose names do not start with ``test_``
(``tests/bot/trackers.py``, ``tests/e2e/booking.py``...), shared fixtures in a ``conftest.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(dotted: str) -> bool:
    return any(part.startswith("test_") for part in dotted.split(".") if part)


def imports_of_test_modules(source: str) -> list[str]:
    """The imports of test modules in ``source`` (``from .test_x import y``, ``import
    tests.a.test_x``, ``from . import test_x``...), as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _is_test_module(module):
                found.append(module)
            else:
                found += [
                    f"{module}.{alias.name}" if node.module else module + alias.name
                    for alias in node.names
                    if alias.name.startswith("test_")
                ]
    return found


def test_the_check_sees_every_form_of_import():
    samples = {
        "from .test_actions import run": [".test_actions"],
        "from tests.api.test_login import Keys": ["tests.api.test_login"],
        "import tests.e2e.test_web_chat": ["tests.e2e.test_web_chat"],
        "from . import test_air_api": [".test_air_api"],
        "def f():\n    from ..api.test_fuzz import x\n": ["..api.test_fuzz"],
        "from .trackers import run, tracker_for\nfrom tests.edge import say": [],
    }
    for source, expected in samples.items():
        assert imports_of_test_modules(source) == expected, source


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        found = imports_of_test_modules(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(TESTS.parent))] = found
    assert offenders == {}, "move these helpers into support modules or conftest.py"
