"""Run profiles: how many workers each server gets, and which stores they share.

``default`` — one machine, nothing to install: the API on SQLite (``var/citizen.sqlite3``), Rasa's
tracker store on SQLite (``var/tracker.sqlite3``), its lock store in memory, one Rasa process.

``scale`` — what several machines would run, on one: the API on PostgreSQL under several
gunicorn workers, Rasa's tracker store on PostgreSQL (any Rasa process can continue any
conversation), its lock store on Redis (so several Sanic workers, or several Rasa servers behind
a load balancer, handle one conversation's messages one at a time, in order), several
action-server workers. ``make run PROFILE=scale``; the databases are created when missing.

Every figure and address can be overridden by the environment variable of the same name
(``API_WORKERS``, ``API_THREADS``, ``SANIC_WORKERS``, ``ACTION_SERVER_SANIC_WORKERS``,
``ACTION_THREADS``, ``DATABASE_URL``, ``TRACKER_STORE_URL``, ``LOCK_STORE_URL``).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .environments import API_PYTHON
from .settings import launcher_settings

ROOT = Path(__file__).resolve().parent.parent
SCALE_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/citizen_scale"
SCALE_TRACKER_STORE_URL = "postgresql://postgres@127.0.0.1:5432/citizen_tracker_scale"
# Redis database 5 of the local server: the lock store's own, apart from rate limits (db 0).
SCALE_LOCK_STORE_URL = "redis://127.0.0.1:6379/5"


@dataclass(frozen=True)
class Profile:
    name: str
    api_workers: int
    api_threads: int
    rasa_workers: int  # Sanic workers of the Rasa server (several need a shared lock store)
    action_workers: int  # Sanic workers of the action server
    action_threads: int  # threads running actions in each action-server worker
    database_url: str | None  # the API's; None: its default (SQLite under var/)
    tracker_store_url: str | None  # Rasa's; None: SQLite under the stack's var directory
    lock_store_url: str | None  # Rasa's; None: in memory (one Rasa process only)

    def environment(self, var_dir: Path) -> dict[str, str]:
        """The variables the processes read (the API's config, endpoints.yml, Sanic)."""
        env = {
            "API_WORKERS": str(self.api_workers),
            "SANIC_WORKERS": str(self.rasa_workers),
            "ACTION_SERVER_SANIC_WORKERS": str(self.action_workers),
            "ACTION_THREADS": str(self.action_threads),
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(tracker_store_environment(self.tracker_store_url, var_dir))
        env.update(lock_store_environment(self.lock_store_url))
        return env


def tracker_store_environment(url: str | None, var_dir: Path) -> dict[str, str]:
    """``bot/endpoints.yml``'s SQL tracker store variables for a database URL."""
    if not url:
        return {
            "TRACKER_STORE_DIALECT": "sqlite",
            "TRACKER_STORE_HOST": "",
            "TRACKER_STORE_DB": str(var_dir / "tracker.sqlite3"),
        }
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    return {
        "TRACKER_STORE_DIALECT": dialect,
        "TRACKER_STORE_HOST": url,
        "TRACKER_STORE_DB": parts.path.lstrip("/"),
    }


def lock_store_environment(url: str | None) -> dict[str, str]:
    """``bot/endpoints.yml``'s lock store variables: in memory, or Redis from ``redis://``."""
    if not url:
        return {
            "LOCK_STORE_TYPE": "bot.serving.locks.QuickInMemoryLockStore",
            "LOCK_STORE_HOST": "",
            "LOCK_STORE_PORT": "0",
            "LOCK_STORE_DB": "0",
            "LOCK_STORE_PASSWORD": "",
        }
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError(f"LOCK_STORE_URL must be redis://host:port/db, not {url!r}")
    # Rasa's RedisLockStore with atomic queue changes (bot/serving/locks.py explains why).
    return {
        "LOCK_STORE_TYPE": "bot.serving.locks.AtomicRedisLockStore",
        "LOCK_STORE_HOST": parts.hostname or "127.0.0.1",
        "LOCK_STORE_PORT": str(parts.port or 6379),
        "LOCK_STORE_DB": parts.path.lstrip("/") or "0",
        "LOCK_STORE_PASSWORD": parts.password or "",
    }


PROFILES = {
    "default": Profile(
        "default",
        api_workers=2,
        api_threads=4,
        rasa_workers=1,
        action_workers=1,
        action_threads=8,
        database_url=None,
        tracker_store_url=None,
        lock_store_url=None,
    ),
    "scale": Profile(
        "scale",
        api_workers=4,
        api_threads=4,
        rasa_workers=2,
        action_workers=2,
        action_threads=8,
        database_url=SCALE_DATABASE_URL,
        tracker_store_url=SCALE_TRACKER_STORE_URL,
        lock_store_url=SCALE_LOCK_STORE_URL,
    ),
}


def profile_named(name: str | None = None, environ: dict[str, str] | None = None) -> Profile:
    """The profile ``name`` (default: ``CITIZEN_STACK_PROFILE`` or ``default``), with the
    environment's overrides applied."""
    settings = launcher_settings(environ)
    name = name or settings.profile
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")
    overrides = (
        "api_workers",
        "api_threads",
        "rasa_workers",
        "action_workers",
        "action_threads",
        "database_url",
        "tracker_store_url",
        "lock_store_url",
    )
    changes = {
        field: getattr(settings, field)
        for field in overrides
        if getattr(settings, field) is not None
    }
    return replace(PROFILES[name], **changes)


# --- preparing the stores of a profile -------------------------------------------------------
def ensure_postgres_database(url: str) -> bool:
    """Creates the database named by a PostgreSQL URL when it does not exist; True if created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def check_redis(url: str) -> None:
    """Raises ``ConnectionError`` with the address when the lock store's Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise ConnectionError(f"Redis not reachable at {url}: {error}") from error


def prepare(profile: Profile, python: Path = API_PYTHON) -> None:
    """Creates a profile's PostgreSQL databases when missing, migrates and seeds the API's
    (``flask db-upgrade`` and ``flask seed``, both idempotent), and checks its Redis.

    The default profile needs nothing here: ``make run`` migrates and seeds its SQLite file.
    """
    if profile.database_url and profile.database_url.startswith("postgresql"):
        ensure_postgres_database(profile.database_url)
        env = {
            **os.environ,
            "DATABASE_URL": profile.database_url,
            "FLASK_APP": "miniapp_api",
            "PYTHONPATH": str(ROOT),
        }
        for command in (["db-upgrade"], ["seed"]):
            subprocess.run(
                [str(python), "-m", "flask", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
    if profile.tracker_store_url and profile.tracker_store_url.startswith("postgresql"):
        ensure_postgres_database(profile.tracker_store_url)
    if profile.lock_store_url:
        check_redis(profile.lock_store_url)
