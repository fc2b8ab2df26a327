"""The action server's settings (``Settings``): what its actions and its plugins
(``bot/serving``'s guard and threads) and rasa-sdk read from the environment, read when first
needed, not at import (the tests set the variables, then clear the cache).
``docs/configuration.md`` is generated from these fields."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from citizen_common.settings import (
    DEV_BOT_SERVICE_TOKEN,
    at_least,
    city_time_zone,
    load,
    positive,
    setting,
)

from bot.settings import action_server_token, speedups

__all__ = ["DEV_BOT_SERVICE_TOKEN", "Settings", "settings"]


def _without_trailing_slash(url: str) -> str:
    return url.rstrip("/")


@dataclass(frozen=True)
class Settings:
    api_url: str = setting(
        "API_URL",
        "http://127.0.0.1:5000",
        "where the actions call the API (its `/api/v1/bot/...` endpoints)",
        check=_without_trailing_slash,
    )
    service_token: str = setting(
        "BOT_SERVICE_TOKEN",
        DEV_BOT_SERVICE_TOKEN,
        "the actions' credential at the API (the API's own "
        "`BOT_SERVICE_TOKEN`); also keys the sealed slots",
        shown_default="dev value",
    )
    timeout_seconds: float = setting(
        "API_TIMEOUT_SECONDS", 5.0, "timeout of each call to the API", check=positive
    )
    connect_attempts: int = setting(
        "API_CONNECT_ATTEMPTS",
        3,
        "tries of a call to the API (retried only when nothing was sent)",
        check=at_least(1),
    )
    time_zone: str = city_time_zone()
    # bot/serving (the guard, the threads) and rasa-sdk itself
    action_server_token: str = action_server_token()
    max_body_bytes: int = setting(
        "ACTION_SERVER_MAX_BODY_BYTES",
        8 * 1024 * 1024,
        "largest request body (inflated) the action server reads "
        "(a tracker late in a long conversation is a few hundred "
        "kilobytes)",
        check=positive,
    )
    threads: int = setting(
        "ACTION_THREADS", 8, "threads running actions in each action-server worker (at least 1)"
    )
    speedups: bool = speedups()
    host: str = setting(
        "SANIC_HOST",
        "0.0.0.0",
        "the address rasa-sdk binds; the launcher sets loopback, or `ACTION_SERVER_HOST`",
    )
    sanic_workers: int = setting(
        "ACTION_SERVER_SANIC_WORKERS",
        1,
        "Sanic workers of the action server (rasa-sdk's own variable)",
        check=at_least(1),
        empty_is_default=True,
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings, parsed and checked once (a bad value stops the first
    action with the variable's name)."""
    return load(Settings)
