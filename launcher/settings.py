"""The launcher's settings (``LauncherSettings``): what ``python -m launcher`` and
``launcher.stack`` read from the environment to choose the processes' ports, profile, stores and
credentials, parsed and checked at once. ``docs/configuration.md`` is generated from these
fields.

The launcher passes its whole environment on to the processes it starts; the variables here are
those it reads itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from citizen_common.identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN, DEV_RASA_TOKEN
from citizen_common.settings import DEV_BOT_SERVICE_TOKEN, at_least, load, setting

from bot.settings import action_server_token

ROOT = Path(__file__).resolve().parent.parent


def _port(value: int) -> int:
    if not 0 < value < 65536:
        raise ValueError("must be a TCP port (1-65535)")
    return value


def _count(variable: str, description: str) -> Optional[int]:
    """A number of workers or threads; unset or empty: the profile's."""
    return setting(
        variable,
        None,
        description,
        shown_default="the profile's",
        check=at_least(1),
        empty_is_default=True,
    )


def _url(variable: str, description: str) -> Optional[str]:
    """A store's address; unset or empty: the profile's."""
    return setting(
        variable, None, description, shown_default="the profile's", empty_is_default=True
    )


@dataclass(frozen=True)
class LauncherSettings:
    profile: str = setting(
        "CITIZEN_STACK_PROFILE",
        "default",
        "the run profile (`launcher/profiles.py`): `default` or `scale` (`make run PROFILE=scale`)",
        empty_is_default=True,
    )
    var_dir: str = setting(
        "CITIZEN_VAR_DIR",
        str(ROOT / "var"),
        "where the stack keeps its logs, SQLite files and transit feeds",
        shown_default="`var/`",
        empty_is_default=True,
    )
    model: str = setting(
        "CITIZEN_MODEL",
        str(ROOT / "bot" / "models" / "citizen.tar.gz"),
        "the model the launcher's Rasa server loads (a candidate being "
        "checked instead of the default)",
        shown_default="`bot/models/citizen.tar.gz`",
        empty_is_default=True,
    )
    api_port: int = setting("API_PORT", 5000, "the API's port", check=_port)
    actions_port: int = setting("ACTIONS_PORT", 5055, "the action server's port", check=_port)
    rasa_port: int = setting("RASA_PORT", 5005, "the Rasa server's port", check=_port)
    action_server_host: str = setting(
        "ACTION_SERVER_HOST",
        "127.0.0.1",
        "the address the action server binds (its `SANIC_HOST`): "
        "loopback, or the internal address given",
    )
    outbox_sender: str = setting(
        "OUTBOX_SENDER",
        "log",
        "how the outbox worker delivers citizens' notifications "
        "(`flask applications deliver --sender`)",
    )
    transit_realtime_urls: str = setting(
        "TRANSIT_REALTIME_URLS",
        "",
        "when set, the stack polls these GTFS-Realtime feeds instead of running the simulator",
    )
    api_workers: Optional[int] = _count("API_WORKERS", "gunicorn workers of the API")
    api_threads: Optional[int] = _count("API_THREADS", "threads in each API worker")
    rasa_workers: Optional[int] = _count("SANIC_WORKERS", "Sanic workers of the Rasa server")
    action_workers: Optional[int] = _count(
        "ACTION_SERVER_SANIC_WORKERS", "Sanic workers of the action server"
    )
    action_threads: Optional[int] = _count(
        "ACTION_THREADS", "threads running actions in each action-server worker"
    )
    database_url: Optional[str] = _url("DATABASE_URL", "the API's database")
    tracker_store_url: Optional[str] = _url(
        "TRACKER_STORE_URL", "Rasa's tracker store (`postgresql://…`)"
    )
    lock_store_url: Optional[str] = _url(
        "LOCK_STORE_URL", "Rasa's lock store (`redis://host:port/db`)"
    )
    # Set, they replace what the profile derives from TRACKER_STORE_URL (even when empty).
    tracker_store_dialect: Optional[str] = setting(
        "TRACKER_STORE_DIALECT",
        None,
        "passed to Rasa as given, over the profile's",
        shown_default="the profile's",
    )
    tracker_store_host: Optional[str] = setting(
        "TRACKER_STORE_HOST",
        None,
        "passed to Rasa as given, over the profile's",
        shown_default="the profile's",
    )
    tracker_store_db: Optional[str] = setting(
        "TRACKER_STORE_DB",
        None,
        "passed to Rasa as given, over the profile's",
        shown_default="the profile's",
    )
    # The credentials between the processes, each its own (the production profile of the API
    # refuses the development defaults): the environment's, else those defaults.
    bot_service_token: str = setting(
        "BOT_SERVICE_TOKEN",
        DEV_BOT_SERVICE_TOKEN,
        "given to the API, the action server and Rasa's NLG",
        shown_default="dev value",
        empty_is_default=True,
    )
    rasa_token: str = setting(
        "RASA_TOKEN",
        DEV_RASA_TOKEN,
        "Rasa's `--auth-token`, given to the API too",
        shown_default="dev value",
        empty_is_default=True,
    )
    rasa_channel_token: str = setting(
        "RASA_CHANNEL_TOKEN",
        DEV_CHANNEL_TOKEN,
        "the REST channel's credential, given to the API and Rasa",
        shown_default="dev value",
        empty_is_default=True,
    )
    identity_assertion_key: str = setting(
        "IDENTITY_ASSERTION_KEY",
        DEV_ASSERTION_KEY,
        "given to the API and Rasa's channels",
        shown_default="dev value",
        empty_is_default=True,
    )
    action_server_token: str = action_server_token()


CREDENTIALS = {
    "bot_service_token": "BOT_SERVICE_TOKEN",
    "rasa_token": "RASA_TOKEN",
    "rasa_channel_token": "RASA_CHANNEL_TOKEN",
    "identity_assertion_key": "IDENTITY_ASSERTION_KEY",
    "action_server_token": "ACTION_SERVER_TOKEN",
}


def launcher_settings(environ: Optional[Mapping[str, str]] = None) -> LauncherSettings:
    """The launcher's settings from ``environ`` (default: this process's environment), read
    each time: the tests and the benchmarks change the variables between two stacks."""
    return load(LauncherSettings, environ)
