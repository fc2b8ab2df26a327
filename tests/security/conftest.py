"""The stacks the attack suite attacks: the default profile (the session's running stack) and
the production profile (generated secrets, no demo people), each over real HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from miniapp_api.config import SECRETS
from tests.conftest import ATTACK_SETTINGS


def production_secrets() -> dict[str, str]:
    return {name: secrets.token_urlsafe(32) for name in (*SECRETS, "ACTION_SERVER_TOKEN")}


@pytest.fixture(scope="session")
def production_stack(tmp_path_factory):
    from launcher.stack import MODEL, ROOT, Ports, Stack
    from tests.wechat_standin import stack_env as wechat_env

    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    var_dir = tmp_path_factory.mktemp("production")
    env = {
        "CITIZEN_PROFILE": "production",
        **production_secrets(),
        **wechat_env(),
        **ATTACK_SETTINGS,
        "WECHAT_SECRET": secrets.token_urlsafe(24),
        "WECHAT_TOKEN": secrets.token_hex(16),
        "DATABASE_URL": f"sqlite:///{var_dir / 'citizen.sqlite3'}",
        "SMS_SENDER": f"jsonl:{var_dir / 'sms.jsonl'}",
    }
    flask_env = {**os.environ, **env, "FLASK_APP": "miniapp_api", "PYTHONPATH": str(ROOT)}
    for command in (["db-upgrade"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *command],
            cwd=ROOT,
            env=flask_env,
            check=True,
            capture_output=True,
        )
    stack = Stack(ports=Ports.free(), var_dir=var_dir, api_workers=1, env=env)
    stack.start(timeout=300)
    yield stack
    stack.stop()


@pytest.fixture(scope="session", params=["default", "production"])
def stack(request):
    """Each attack runs against both profiles."""
    if request.param == "default":
        return request.getfixturevalue("running_stack")
    return request.getfixturevalue("production_stack")
