"""Production images carry what the services run and nothing of the test suite: the runtime
requirements name no test-only package, and no Dockerfile installs the test requirements."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_ONLY = {
    "pytest",
    "python-alipay-sdk",
    "openapi-spec-validator",
    "fhirclient",
    "aqi-hub",
    "wechatpy",
    "python-socketio",
    "playwright",
    "schemathesis",
    "hypothesis",
    "ruff",
}


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[=<>~! ]", line, maxsplit=1)[0].lower())
    return names


def test_runtime_requirements_name_no_test_package():
    for runtime in ("requirements.txt", "bot/requirements.txt"):
        assert not requirement_names(ROOT / runtime) & TEST_ONLY, runtime


def test_the_test_requirements_hold_the_test_packages_on_top_of_the_runtime():
    text = (ROOT / "requirements-test.txt").read_text(encoding="utf-8")
    assert "-r requirements.txt" in text.splitlines()
    assert {"pytest", "playwright", "schemathesis", "ruff"} <= requirement_names(
        ROOT / "requirements-test.txt"
    )


def test_no_image_installs_the_test_requirements():
    dockerfiles = sorted((ROOT / "deploy").glob("*Dockerfile*"))
    assert dockerfiles
    for dockerfile in dockerfiles:
        text = dockerfile.read_text(encoding="utf-8")
        assert "requirements-test" not in text, dockerfile.name
        assert "pip install" in text, dockerfile.name
