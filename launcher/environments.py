"""The two virtual environments, as ``environments.mk`` names them (the Makefile includes it):
the API's (``.venv``: the API, the launcher, the tests) and the bot's (``.venv-bot``: Rasa 3.6
on Python 3.10). Every process that starts another reads their paths here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DEFINITION = re.compile(r"^(\w+)\s*:=\s*(\S+)\s*$", re.M)
_NAMED = dict(_DEFINITION.findall((ROOT / "environments.mk").read_text(encoding="utf-8")))

API_VENV = ROOT / _NAMED["API_VENV"]
BOT_VENV = ROOT / _NAMED["BOT_VENV"]
API_BIN = API_VENV / "bin"
BOT_BIN = BOT_VENV / "bin"
API_PYTHON = API_BIN / "python"
BOT_PYTHON = BOT_BIN / "python"
COMMON_PACKAGE = ROOT / _NAMED["COMMON_PACKAGE"]
