"""The Rasa server's settings (``RasaSettings``): what its plugins (``bot/serving``,
``bot/plugins``), its channels (``bot/channels``) and its ``endpoints.yml`` read from the
environment, parsed and checked once when first needed. ``docs/configuration.md`` is generated
from these fields.

The variables ``endpoints.yml`` substitutes (``${ACTION_SERVER_URL}``...) are Rasa's own
reading; they are declared here so that they are documented and checked with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict

from citizen_common.identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN, DEV_RASA_TOKEN
from citizen_common.settings import (
    DEV_ACTION_SERVER_TOKEN,
    DEV_BOT_SERVICE_TOKEN,
    at_least,
    load,
    positive,
    setting,
)

# The speed-ups by name (bot/speedups.py asks whether one is on): what each speeds up
# (docs/performance.md has the figures); CITIZEN_SPEEDUPS_OFF accepts these names only.
SPEEDUPS: Dict[str, str] = {
    "graph_runner": "the model graph run node after node, without dask's scheduler",
    "dialogue_states": "each conversation's dialogue states resumed where the last prediction "
    "left them",
    "tracker_copy": "the tracker copied from its state, not by replaying the conversation",
    "applied_events": "each conversation's applied events worked out from where the last "
    "working-out stopped",
    "count_vectors": "count-vector features built as COO matrices in one pass",
    "rule_lookup": "the rule policy's lookup ended at the longest rule, each rule parsed once",
    "entity_marginals": "the CRF's tag probabilities read with the tagger looked up once",
    "action_validation": "the action server's replies validated by a compiled schema, "
    "event by event",
    "nlg_validation": "NLG replies validated by a compiled schema, debug lines built only when "
    "logged",
    "kept_alive_endpoints": "one kept-alive connection pool per endpoint, JSON by ujson",
    "event_json": "each event's dict and JSON made once for the action calls that send it",
    "event_classes": "event classes found by type name once",
    "lean_reads": "the SQL tracker store selecting the events' JSON only",
    "sqlite_wal": "the SQLite tracker store in write-ahead-log mode, its connection kept open",
    "lock_polling": "a waiting message polls its conversation's lock every 50 ms, not 1 s",
    "sole_writer": "one Rasa process with an in-memory lock store reads remembered "
    "conversations with no statement",
    "debug_copies": "the processor's debug lines' deep copies made only when they are written",
    "frozen_heap": "the loaded model frozen out of the garbage collector's full collections",
    "action_threads": "the action server running actions on a thread pool",
}


@lru_cache(maxsize=64)  # read on every check of a speed-up: a handful of distinct values
def names(value: str) -> frozenset:
    """The names in a comma-separated list."""
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def known_names(value: str) -> str:
    """A check: a comma-separated list of speed-up names, each known."""
    unknown = sorted(names(value) - SPEEDUPS.keys())
    if unknown:
        raise ValueError(f"unknown speed-up {', '.join(unknown)}; known: {', '.join(SPEEDUPS)}")
    return value


# The WeChat official account's development token; production refuses it.
DEV_WECHAT_TOKEN = "citizen-dev-wechat-token"


def speedups() -> Any:
    """``CITIZEN_SPEEDUPS``: both servers (``python -m bot.serving``) read it before starting."""
    return setting(
        "CITIZEN_SPEEDUPS",
        True,
        "every speed-up (`bot/speedups.py`, measured in `bench/`); `0` runs Rasa and "
        "rasa-sdk as shipped, to measure what they bring",
        empty_is_default=True,
    )


def action_server_token() -> Any:
    """``ACTION_SERVER_TOKEN``: Rasa sends it (``endpoints.yml``), the action server checks it."""
    return setting(
        "ACTION_SERVER_TOKEN",
        DEV_ACTION_SERVER_TOKEN,
        "Rasa's credential at the action server (`Authorization: Bearer`, "
        "`endpoints.yml`); every other caller is refused",
        shown_default="dev value",
        empty_is_default=True,
    )


@dataclass(frozen=True)
class RasaSettings:
    profile: str = setting(
        "CITIZEN_PROFILE",
        "development",
        "`production` refuses the WeChat channel's development token",
    )
    action_timeout_seconds: float = setting(
        "RASA_ACTION_TIMEOUT_SECONDS",
        15.0,
        "how long Rasa waits for the action server before it answers with the apology (Rasa's "
        "own wait is five minutes)",
        check=positive,
        empty_is_default=True,
    )
    speedups: bool = speedups()
    speedups_off: str = setting(
        "CITIZEN_SPEEDUPS_OFF",
        "",
        "comma-separated names of speed-ups to turn off (`bot/speedups.py` lists them), to find "
        "which one a difference comes from",
        check=known_names,
    )
    tracker_cache_conversations: int = setting(
        "TRACKER_CACHE_CONVERSATIONS",
        2000,
        "conversations each Rasa process remembers as it stored them "
        "(`bot/plugins/tracker_store.py`): a remembered one is read with one indexed lookup of "
        "its last event, any other (or one another process wrote to since) from the database",
        check=at_least(0),
    )
    identity_assertion_key: str = setting(
        "IDENTITY_ASSERTION_KEY",
        DEV_ASSERTION_KEY,
        "signs the identity assertions the channels issue and verifies those they receive "
        "(the API's own key)",
        shown_default="dev value",
        empty_is_default=True,
    )
    channel_token: str = setting(
        "RASA_CHANNEL_TOKEN",
        DEV_CHANNEL_TOKEN,
        "the REST channel's credential, which only the API's /chat holds",
        shown_default="dev value",
        empty_is_default=True,
    )
    auth_token: str = setting(
        "RASA_TOKEN",
        DEV_RASA_TOKEN,
        "Rasa's HTTP API token (`rasa run --auth-token`, which the "
        "launcher passes; the hotline replay sends it)",
        shown_default="dev value",
    )
    # endpoints.yml
    action_server_url: str = setting(
        "ACTION_SERVER_URL",
        "http://127.0.0.1:5055",
        "the action server (`endpoints.yml`; the launcher sets it)",
    )
    action_server_token: str = action_server_token()
    api_url: str = setting(
        "API_URL",
        "http://127.0.0.1:5000",
        "the API, Rasa's NLG server (`endpoints.yml`; the launcher sets it)",
    )
    bot_service_token: str = setting(
        "BOT_SERVICE_TOKEN",
        DEV_BOT_SERVICE_TOKEN,
        "Rasa's NLG credential at the API (`endpoints.yml`)",
        shown_default="dev value",
    )
    tracker_store_dialect: str = setting(
        "TRACKER_STORE_DIALECT", "sqlite", "Rasa's SQL tracker store (`endpoints.yml`): dialect"
    )
    tracker_store_host: str = setting(
        "TRACKER_STORE_HOST", "", "the tracker store's server (a URL; empty for SQLite)"
    )
    tracker_store_db: str = setting(
        "TRACKER_STORE_DB", "var/tracker.sqlite3", "the tracker store's database (SQLite: its file)"
    )
    lock_store_type: str = setting(
        "LOCK_STORE_TYPE",
        "bot.serving.locks.QuickInMemoryLockStore",
        "Rasa's lock store (`endpoints.yml`): in memory, polled every 50 ms (one Rasa "
        "process), or the Redis one (the launcher sets it from "
        "`LOCK_STORE_URL`)",
    )
    sanic_workers: int = setting(
        "SANIC_WORKERS",
        1,
        "Sanic workers of the Rasa server (several need a shared lock store)",
        check=at_least(1),
        empty_is_default=True,
    )
    # The WeChat official account (bot/channels/wechat.py); credentials.yml may set each too.
    wechat_token: str = setting(
        "WECHAT_TOKEN",
        DEV_WECHAT_TOKEN,
        "the WeChat **official account**'s server-configuration token "
        "(push channel; not the mini-program's `WECHAT_APPID`/"
        "`WECHAT_SECRET`); production refuses the dev token",
        shown_default="dev value",
    )
    wechat_app_id: str = setting(
        "WECHAT_APP_ID",
        "wx-dev-official-account",
        "the official account's AppID",
        shown_default="dev value",
    )
    wechat_app_secret: str = setting(
        "WECHAT_APP_SECRET",
        "wx-dev-official-secret",
        "the official account's AppSecret",
        shown_default="dev value",
    )
    wechat_encoding_aes_key: str = setting(
        "WECHAT_ENCODING_AES_KEY", "", "43 characters: AES safe mode; empty: plaintext only"
    )
    wechat_api_base: str = setting(
        "WECHAT_API_BASE",
        "https://api.weixin.qq.com",
        "WeChat's API (customer-service messages, access tokens)",
    )
    wechat_reply_deadline_seconds: float = setting(
        "WECHAT_REPLY_DEADLINE_SECONDS",
        4.0,
        "passive-reply budget, counted from WeChat's timestamp (of its 5 s); later answers go "
        "through the customer-service API",
        check=positive,
    )
    wechat_timestamp_window_seconds: int = setting(
        "WECHAT_TIMESTAMP_WINDOW_SECONDS",
        300,
        "accepted clock skew of WeChat's timestamp",
        check=positive,
    )
    wechat_max_body_bytes: int = setting(
        "WECHAT_MAX_BODY_BYTES", 65536, "largest message", check=positive
    )
    wechat_lang: str = setting(
        "WECHAT_LANG",
        "",
        "the account's language: the replies' default when a message has no words (empty: Chinese)",
    )
    wechat_memory_url: str = setting(
        "WECHAT_MEMORY_URL",
        "",
        "`redis://…` to share seen `MsgId`s and menu links between "
        "several Rasa processes (empty: in memory)",
    )


@lru_cache(maxsize=1)
def settings() -> RasaSettings:
    """The Rasa server's settings, read once (tests that change the variables clear it)."""
    return load(RasaSettings)
