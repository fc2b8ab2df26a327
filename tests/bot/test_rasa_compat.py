"""bot/rasa_compat.py: the wrong Rasa refuses to start, each patch off by name leaves Rasa's
attribute as it was, apply and restore round-trip; and in all of bot/ at most three changes of a
Rasa or rasa-sdk class or module remain (everything else goes through Rasa's seams)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import rasa_compat

from .conftest import ROOT, probe_record

MAX_PATCHES = 3
RASA_PACKAGES = ("rasa", "rasa_sdk")


@pytest.mark.parametrize(
    "versions",
    [{"rasa": "3.6.20", "rasa-sdk": "3.6.2"}, {"rasa": "3.6.21", "rasa-sdk": "3.7.0"}],
)
def test_another_version_refuses_to_start(versions):
    with pytest.raises(SystemExit, match="written against"):
        rasa_compat.check_versions(versions.__getitem__)


def test_the_required_versions_start():
    rasa_compat.check_versions(rasa_compat.REQUIRED_VERSIONS.__getitem__)


@pytest.mark.bot
def test_every_patch_applies_and_restores():
    record = probe_record("rasa_compat_probe.py")
    assert record["applied"] == ["action_validation", "apology", "debug_copies"]
    assert record["again"] == record["applied"]
    assert record["changed"] == record["targets"]
    assert record["restored"] is True


@pytest.mark.bot
@pytest.mark.parametrize("off", ["action_validation", "debug_copies"])
def test_a_patch_switched_off_by_name_leaves_rasa_untouched(off, monkeypatch):
    monkeypatch.setenv("CITIZEN_SPEEDUPS_OFF", off)
    record = probe_record("rasa_compat_probe.py")
    assert off not in record["applied"]
    assert record["changed"][off] == []
    others = [name for name in record["targets"] if name != off]
    assert all(record["changed"][name] == record["targets"][name] for name in others)


@pytest.mark.bot
def test_every_speedup_off_leaves_only_the_apology(monkeypatch):
    monkeypatch.setenv("CITIZEN_SPEEDUPS", "0")
    record = probe_record("rasa_compat_probe.py")
    assert record["applied"] == ["apology"]
    assert record["changed"]["action_validation"] == record["changed"]["debug_copies"] == []


def rasa_names(tree: ast.AST) -> set:
    """The names a module binds to something imported from Rasa or rasa-sdk."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in RASA_PACKAGES:
                    found.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in RASA_PACKAGES:
                found.update(alias.asname or alias.name for alias in node.names)
    return found


def root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def rasa_assignments(path: Path) -> list:
    """Where ``path`` assigns onto a Rasa class or module (``X.attr = ...``, ``setattr(X,
    ...)``, X imported from Rasa) or registers a ``Patch`` (which assigns when applied)."""
    tree = ast.parse(path.read_text(), str(path))
    names = rasa_names(tree)
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and root_name(part) in names:
                    found.append(f"{path}:{node.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "setattr" and node.args and root_name(node.args[0]) in names:
                found.append(f"{path}:{node.lineno}")
            elif node.func.id == "Patch":
                found.append(f"{path}:{node.lineno} (Patch)")
    return found


def test_at_most_three_changes_of_rasa_remain():
    found = [hit for path in sorted((ROOT / "bot").rglob("*.py")) for hit in rasa_assignments(path)]
    assert len(found) <= MAX_PATCHES, found


def test_the_scan_sees_an_assignment_onto_rasa(tmp_path):
    module = tmp_path / "patched.py"
    module.write_text(
        "from rasa.core import run\nimport rasa_sdk.endpoint as endpoint\n"
        "def install():\n    run.close_resources = None\n    setattr(endpoint, 'x', 1)\n"
        "    other.attribute = 2\n"
    )
    assert len(rasa_assignments(module)) == 2
