"""The two virtual environments are named once (``environments.mk``), and the package they share
(``packages/citizen_common``) is installed into both, not found through ``PYTHONPATH``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from launcher import environments
from launcher.environments import API_PYTHON, BOT_PYTHON, COMMON_PACKAGE, ROOT

SHARED_MODULES = ("errcodes", "identity", "language", "nlg_wire", "privacy", "script", "settings")


def without_project_path() -> dict[str, str]:
    """The environment of a process that is not told where the checkout is."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CITIZEN_LOCALES_DIR")}


@pytest.mark.parametrize("python", [API_PYTHON, BOT_PYTHON], ids=["api", "bot"])
def test_each_environment_imports_the_shared_package_from_its_installation(python, tmp_path):
    probe = (
        "import importlib, os, citizen_common, sys; "
        f"[importlib.import_module('citizen_common.' + m) for m in {SHARED_MODULES!r}]; "
        "from citizen_common.language import LOCALES_DIR; "
        "print(citizen_common.__file__); print(LOCALES_DIR); "
        "print(any(os.path.abspath(p or '.') == sys.argv[1] for p in sys.path))"
    )
    run = subprocess.run(
        [str(python), "-c", probe, str(ROOT)],
        cwd=tmp_path,  # not the checkout: nothing is found by being next to it
        env=without_project_path(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    module_file, locales_dir, checkout_on_path = run.stdout.split()
    assert module_file.startswith(str(COMMON_PACKAGE / "citizen_common"))
    # Editable: the catalogs are the checkout's, which `make` compiles.
    assert locales_dir == str(ROOT / "locales")
    assert checkout_on_path == "False"


def test_an_image_names_where_its_catalogs_are(tmp_path):
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    run = subprocess.run(
        [
            str(API_PYTHON),
            "-c",
            "from citizen_common.language import LOCALES_DIR, compiled_catalog; "
            "print(LOCALES_DIR); print(type(compiled_catalog('en')).__name__)",
        ],
        cwd=tmp_path,
        env={**without_project_path(), "CITIZEN_LOCALES_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    # No compiled catalog there: an empty one, not the checkout's.
    assert run.stdout.split() == [str(tmp_path), "NullTranslations"]


def test_the_shared_modules_live_only_in_the_package():
    assert not sorted(p.name for p in ROOT.glob("citizen_*.py"))
    assert sorted(p.stem for p in (COMMON_PACKAGE / "citizen_common").glob("[a-z]*.py")) == list(
        SHARED_MODULES
    )


def test_the_makefile_takes_the_environments_from_the_one_file():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "include environments.mk" in makefile
    assert ".venv" not in makefile.replace("environments.mk", "")
    assert makefile.count("pip install -qq -e $(COMMON_PACKAGE)") == 2
    assert environments.API_VENV == ROOT / ".venv" and environments.BOT_VENV == ROOT / ".venv-bot"


def test_no_other_module_spells_an_environment_path():
    spelled = []
    for folder in ("launcher", "tests", "bench", "bot", "miniapp_api", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path in (ROOT / "launcher" / "environments.py", Path(__file__).resolve()):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ('".venv' in line or "'.venv" in line) and not line.lstrip().startswith("#"):
                    spelled.append(f"{path.relative_to(ROOT)}:{number}")
    assert spelled == []


def test_every_image_installs_the_shared_package():
    for dockerfile in sorted((ROOT / "deploy").glob("*Dockerfile*")):
        text = dockerfile.read_text(encoding="utf-8")
        assert "pip install --no-cache-dir ./packages/citizen_common" in text, dockerfile.name
        assert "citizen_" not in text.replace("citizen_common", ""), dockerfile.name
        assert "CITIZEN_LOCALES_DIR=/app/locales" in text, dockerfile.name


def test_this_process_runs_in_the_api_environment():
    assert sys.prefix == str(environments.API_VENV)
