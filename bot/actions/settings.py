"""The action server's settings, read from the environment when first needed (not at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEV_BOT_SERVICE_TOKEN = "development-bot-service-token-not-for-production"


@dataclass(frozen=True)
class Settings:
    api_url: str
    service_token: str
    timeout_seconds: float
    connect_attempts: int


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        api_url=os.environ.get("API_URL", "http://127.0.0.1:5000").rstrip("/"),
        service_token=os.environ.get("BOT_SERVICE_TOKEN", DEV_BOT_SERVICE_TOKEN),
        timeout_seconds=float(os.environ.get("API_TIMEOUT_SECONDS", "5")),
        connect_attempts=int(os.environ.get("API_CONNECT_ATTEMPTS", "3")),
    )
