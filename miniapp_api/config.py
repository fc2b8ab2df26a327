"""Configuration: the API's settings (one frozen dataclass, ``ApiSettings``) read from the
environment, with safe local defaults, and Flask's config object made of them.

Profiles: ``development`` (default), ``testing`` and ``production``. Production refuses to start
while any secret still has its development default. ``docs/configuration.md`` is generated from
the fields below (``python -m scripts.configuration_doc``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from citizen_common.identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN, DEV_RASA_TOKEN
from citizen_common.settings import (
    DEV_BOT_SERVICE_TOKEN,
    SettingsError,
    at_least,
    city_time_zone,
    load,
    positive,
    setting,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "development-secret-key-not-for-production"
DEV_PATIENT_DATA_KEY = "development-patient-data-key-not-for-production"
# The secrets production needs, each its own: a leak of one must not open another's door.
SECRETS = (
    "SECRET_KEY",
    "BOT_SERVICE_TOKEN",
    "PATIENT_DATA_KEY",
    "IDENTITY_ASSERTION_KEY",
    "RASA_TOKEN",
    "RASA_CHANNEL_TOKEN",
)
MIN_SECRET_LENGTH = 32
# Shannon entropy of the secret's own characters, times its length: 32 random URL-safe
# characters carry about 190 bits; a phrase or a repeated pattern far less.
MIN_SECRET_BITS = 128
# Words of placeholders and samples ("change-me-at-least-32-random-characters").
PLACEHOLDER_WORDS = (
    "change",
    "changeme",
    "example",
    "placeholder",
    "secret",
    "password",
    "default",
    "development",
    "sample",
    "replace",
    "your-",
    "todo",
    "xxxx",
)


class ConfigurationError(RuntimeError):
    """The configuration cannot be used (for example a default secret in production)."""


@dataclass(frozen=True)
class ApiSettings:
    """Every environment variable the API's processes (gunicorn's workers, the ``flask``
    commands) read; the field names are Flask's config keys."""

    PROFILE: str = setting(
        "CITIZEN_PROFILE",
        "development",
        "`development`, `testing` or `production`; production refuses default "
        "or short secrets, and has no dev login",
    )
    SECRET_KEY: str = setting(
        "SECRET_KEY",
        DEV_SECRET_KEY,
        "signs citizens' session tokens (HS256 JWT)",
        shown_default="dev value",
    )
    BOT_SERVICE_TOKEN: str = setting(
        "BOT_SERVICE_TOKEN",
        DEV_BOT_SERVICE_TOKEN,
        "the action server's token; with `X-Citizen-Identity` it acts for that citizen",
        shown_default="dev value",
    )
    SQLALCHEMY_DATABASE_URI: str = setting(
        "DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'var' / 'citizen.sqlite3'}",
        "the API's database (e.g. `postgresql+psycopg://user@host/db`)",
        shown_default="`sqlite:///var/citizen.sqlite3`",
    )
    RASA_URL: str = setting(
        "RASA_URL",
        "http://127.0.0.1:5005",
        "the Rasa server the API's chat, history and handoff resume call",
    )
    # Rasa's HTTP API token (``rasa run --auth-token``); empty when Rasa runs without one.
    RASA_TOKEN: str = setting(
        "RASA_TOKEN",
        DEV_RASA_TOKEN,
        "the API's calls to Rasa (chat, history, handoff resume); the token "
        "only if Rasa runs with `--auth-token` (empty: none)",
        shown_default="dev value",
    )
    RASA_CHANNEL_TOKEN: str = setting(
        "RASA_CHANNEL_TOKEN",
        DEV_CHANNEL_TOKEN,
        "the credential of Rasa's REST channel, which only the API's /chat may use",
        shown_default="dev value",
    )
    IDENTITY_ASSERTION_KEY: str = setting(
        "IDENTITY_ASSERTION_KEY",
        DEV_ASSERTION_KEY,
        "signs identity assertions (`citizen_common.identity`): the API for its sessions, the WeChat "
        "channel after its signature check, the hotline gateway; the API verifies them",
        shown_default="dev value",
    )
    RASA_TIMEOUT_SECONDS: float = setting(
        "RASA_TIMEOUT_SECONDS", 20.0, "timeout of the API's calls to Rasa", check=positive
    )
    API_URL: str = setting(
        "API_URL", "http://127.0.0.1:5000", "where the action server and Rasa's NLG reach the API"
    )
    DEFAULT_LOCALE: str = setting("DEFAULT_LOCALE", "zh_CN", "fallback locale")
    TIMEZONE: str = city_time_zone()
    CITY_NAME_KEY: str = setting("CITY", "demo_city", "the city's name (its locale key)")
    SESSION_TTL_SECONDS: int = setting(
        "SESSION_TTL_SECONDS", 7 * 24 * 3600, "lifetime of a mini-app session token", check=positive
    )
    MAX_CONTENT_LENGTH: int = setting(
        "MAX_CONTENT_LENGTH",
        64 * 1024,
        "larger request bodies get 413 (refused before anything else runs)",
        check=positive,
    )
    BOT_MAX_CONTENT_LENGTH: int = setting(
        "BOT_MAX_CONTENT_LENGTH",
        16 * 1024 * 1024,
        "the bot's own calls (service token): Rasa's NLG call carries the whole tracker, a "
        "handoff ticket the latest turns",
        check=positive,
    )
    WECHAT_APPID: str = setting(
        "WECHAT_APPID",
        "wx-demo-appid",
        "the mini-program's app id: mini-app login (`jscode2session`)",
        shown_default="demo value",
    )
    WECHAT_SECRET: str = setting(
        "WECHAT_SECRET",
        "wx-demo-secret",
        "the mini-program's secret (production refuses the demo one)",
        shown_default="demo value",
    )
    WECHAT_API_BASE: str = setting(
        "WECHAT_API_BASE", "https://api.weixin.qq.com", "WeChat's API, for the mini-app login"
    )
    ALIPAY_APP_ID: str = setting(
        "ALIPAY_APP_ID",
        "2021000000000000",
        "mini-app login (`alipay.system.oauth.token`, RSA2): the app id",
        shown_default="demo id",
    )
    ALIPAY_GATEWAY: str = setting(
        "ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do", "Alipay's gateway"
    )
    ALIPAY_APP_PRIVATE_KEY: str = setting(
        "ALIPAY_APP_PRIVATE_KEY", "", "the app's RSA2 private key (PEM)"
    )
    ALIPAY_PUBLIC_KEY: str = setting("ALIPAY_PUBLIC_KEY", "", "Alipay's RSA2 public key (PEM)")
    PLATFORM_TIMEOUT_SECONDS: float = setting(
        "PLATFORM_TIMEOUT_SECONDS", 5.0, "timeout of calls to WeChat and Alipay", check=positive
    )
    RATELIMIT_STORAGE_URI: str = setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "the rate limits' store: `memory://`, or `redis://…` when scaled out",
    )
    TRUSTED_PROXIES: int = setting(
        "TRUSTED_PROXIES",
        0,
        "reverse proxies in front of the API whose `X-Forwarded-For` gives the client's address "
        "for the rate limits (deploy/'s nginx: `1`); with `0` the header is ignored",
        check=at_least(0),
    )
    LOGIN_RATE_LIMIT: str = setting(
        "LOGIN_RATE_LIMIT", "20 per minute", "mini-app logins per client address"
    )
    NEW_CITIZEN_RATE_LIMIT: str = setting(
        "NEW_CITIZEN_RATE_LIMIT",
        "60 per hour",
        "new web chat visitors (each a new citizen) per client address: no flood of throwaway "
        "accounts holding a doctor's slots",
    )
    GUEST_LOOKUP_RATE_LIMIT: str = setting(
        "GUEST_LOOKUP_RATE_LIMIT",
        "10 per minute",
        "guests' progress queries (a number and four ID characters) per client address",
    )
    GUEST_LOOKUP_NUMBER_BUDGET: int = setting(
        "GUEST_LOOKUP_NUMBER_BUDGET",
        10,
        "a day's guest lookups per application number, whoever asks (counted in the database)",
        check=at_least(0),
    )
    GUEST_LOOKUP_CLIENT_BUDGET: int = setting(
        "GUEST_LOOKUP_CLIENT_BUDGET", 30, "a day's guest lookups per client", check=at_least(0)
    )
    CHAT_RATE_LIMIT: str = setting(
        "CHAT_RATE_LIMIT",
        "30 per minute",
        "`POST /api/v1/chat` per citizen (429 with `Retry-After`)",
    )
    CHAT_ADDRESS_RATE_LIMIT: str = setting(
        "CHAT_ADDRESS_RATE_LIMIT",
        "120 per minute",
        "`POST /api/v1/chat` per client address (many citizens behind one NAT)",
    )
    SMS_SENDER: str = setting(
        "SMS_SENDER",
        "log",
        "sends the one-time codes proving a phone: `log` (development), "
        "`jsonl:PATH` (a local stand-in), or a gateway's adapter",
    )
    PHONE_CODE_TTL_SECONDS: int = setting(
        "PHONE_CODE_TTL_SECONDS", 300, "lifetime of a phone's one-time code", check=positive
    )
    PHONE_CODE_MAX_ATTEMPTS: int = setting(
        "PHONE_CODE_MAX_ATTEMPTS", 5, "wrong tries before a code is spent", check=positive
    )
    PHONE_CODE_DAILY_BUDGET: int = setting(
        "PHONE_CODE_DAILY_BUDGET",
        5,
        "codes sent a day per citizen and per phone (the hotline's: per call and per phone)",
        check=at_least(0),
    )
    HOLIDAY_CALENDAR: str = setting(
        "HOLIDAY_CALENDAR",
        "",
        "public holidays and make-up working days (JSON); empty: "
        "`miniapp_api/seed_data/holidays.json`",
    )
    BOOKING_MIN_DAYS_AHEAD: int = setting(
        "BOOKING_MIN_DAYS_AHEAD",
        1,
        "the first bookable date, counted from today in the city's time zone",
        check=at_least(0),
    )
    BOOKING_MAX_DAYS_AHEAD: int = setting(
        "BOOKING_MAX_DAYS_AHEAD",
        7,
        "the last bookable date, counted from today in the city's time zone",
        check=at_least(0),
    )
    MAX_APPOINTMENTS_PER_DOCTOR_DAY: int = setting(
        "MAX_APPOINTMENTS_PER_DOCTOR_DAY",
        1,
        "active appointments per citizen with one doctor on one day",
        check=at_least(1),
    )
    MAX_APPOINTMENTS_PER_DAY: int = setting(
        "MAX_APPOINTMENTS_PER_DAY",
        3,
        "active appointments per citizen on one day",
        check=at_least(1),
    )
    CANCEL_CUTOFF_MINUTES: int = setting(
        "CANCEL_CUTOFF_MINUTES",
        0,
        "cancel or reschedule until this long before the slot starts",
        check=at_least(0),
    )
    MAX_PATIENTS_PER_CITIZEN: int = setting(
        "MAX_PATIENTS_PER_CITIZEN", 10, "patients one citizen may register", check=at_least(1)
    )
    APPOINTMENT_SLOT_DAYS: int = setting(
        "APPOINTMENT_SLOT_DAYS",
        14,
        "days of demo slots `flask seed` keeps ahead",
        check=at_least(0),
    )
    PATIENT_DATA_KEY: str = setting(
        "PATIENT_DATA_KEY",
        DEV_PATIENT_DATA_KEY,
        "seals patients' ID-card and phone numbers (AES-GCM) and keys their digests; "
        "production refuses the default or a short one",
        shown_default="dev value",
    )
    TRANSIT_REALTIME_MAX_AGE_SECONDS: int = setting(
        "TRANSIT_REALTIME_MAX_AGE_SECONDS",
        120,
        "realtime older than this falls back to the timetable (and the answer says so)",
        check=positive,
    )
    TRANSIT_REALTIME_URLS: str = setting(
        "TRANSIT_REALTIME_URLS",
        "",
        "GTFS-Realtime sources polled by `flask transit realtime --follow` (comma-separated); "
        "when set, `make run` polls them instead of running the simulator",
    )
    TRANSIT_REALTIME_INTERVAL_SECONDS: int = setting(
        "TRANSIT_REALTIME_INTERVAL_SECONDS",
        15,
        "seconds between two polls of those sources",
        check=positive,
    )
    TRANSIT_REALTIME_TIMEOUT_SECONDS: int = setting(
        "TRANSIT_REALTIME_TIMEOUT_SECONDS", 10, "timeout of one poll", check=positive
    )
    TRANSIT_ALIASES: str = setting(
        "TRANSIT_ALIASES",
        str(PROJECT_ROOT / "miniapp_api" / "seed_data" / "transit_aliases.json"),
        "other names of stops, for the stop search",
        shown_default="`miniapp_api/seed_data/transit_aliases.json`",
    )
    TRANSIT_DEMO_FEED: str = setting(
        "TRANSIT_DEMO_FEED",
        str(PROJECT_ROOT / "var" / "transit" / "demo-gtfs.zip"),
        "the demo feed `flask seed` writes and imports",
        shown_default="`var/transit/demo-gtfs.zip`",
    )
    TRANSIT_SIMULATOR_FEED: str = setting(
        "TRANSIT_SIMULATOR_FEED",
        str(PROJECT_ROOT / "var" / "transit" / "realtime.pb"),
        "the simulator's GTFS-Realtime file",
        shown_default="`var/transit/realtime.pb`",
    )
    RESPONSE_CACHE: bool = setting(
        "RESPONSE_CACHE",
        True,
        "public answers (current AQI 60 s, arrivals 3 s, slot searches 2 s, hospital, "
        "department, doctor and stop searches 60 s) served again for that long per locale; a "
        "write in the same process drops them at once, a new hour of air readings anywhere too. "
        "A citizen's appointment list is served again for up to 10 s only while their records "
        "version (raised by every change of their appointments or patients, in any process) "
        "stays the same",
        empty_is_default=True,
    )
    BENCH_NOOP_ENDPOINT: bool = setting(
        "BENCH_NOOP_ENDPOINT",
        False,
        "`GET /api/v1/noop`, which does nothing: the baseline of `bench/api_load.py`",
        empty_is_default=True,
    )


# Hospital appointments: the booking rules (miniapp_api/appointments/rules.py) and the demo
# schedule; the tests' configuration pins them to these defaults whatever the environment says.
APPOINTMENT_DEFAULTS = {
    f.name: f.default
    for f in fields(ApiSettings)
    if f.name
    in (
        "BOOKING_MIN_DAYS_AHEAD",
        "BOOKING_MAX_DAYS_AHEAD",
        "MAX_APPOINTMENTS_PER_DOCTOR_DAY",
        "MAX_APPOINTMENTS_PER_DAY",
        "CANCEL_CUTOFF_MINUTES",
        "MAX_PATIENTS_PER_CITIZEN",
        "APPOINTMENT_SLOT_DAYS",
    )
}


def load_settings() -> ApiSettings:
    """The API's settings from the environment now; a bad value is a ``ConfigurationError``
    naming its variable."""
    try:
        return load(ApiSettings)
    except SettingsError as error:
        raise ConfigurationError(str(error)) from None


@lru_cache(maxsize=1)
def settings() -> ApiSettings:
    """The process's settings, read once: for what is fixed when a module is imported (the
    city's time zone) rather than per application."""
    return load_settings()


def city_zone() -> ZoneInfo:
    """The city's time zone (``CITIZEN_TIMEZONE``), the one every local date and time uses."""
    return ZoneInfo(settings().TIMEZONE)


class Config:
    """Flask's configuration: the settings read from the environment when the class is
    instantiated (each test's app sees its own), and the fixed keys of the extensions."""

    def __init__(self) -> None:
        for name, value in vars(load_settings()).items():
            setattr(self, name, value)
        self.RATELIMIT_HEADERS_ENABLED = True
        # The booking rules' clock: None is the real time; tests set a function returning one.
        self.APPOINTMENT_CLOCK = None
        # flask-smorest / OpenAPI
        self.API_TITLE = "Citizen Assistant API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.JSON_AS_ASCII = False

    @property
    def is_development(self) -> bool:
        return self.PROFILE == "development"

    @property
    def SQLALCHEMY_ENGINE_OPTIONS(self) -> dict:
        """A database server may restart under the pool: each pooled connection is tested
        before use. A SQLite file cannot, and the test would cost a query per request."""
        return {"pool_pre_ping": not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")}

    def check(self) -> None:
        """Refuse unusable settings; called by ``create_app``."""
        if self.PROFILE not in {"development", "testing", "production"}:
            raise ConfigurationError(f"unknown CITIZEN_PROFILE {self.PROFILE!r}")
        if self.PROFILE != "production":
            return
        problems = {name: weakness(getattr(self, name)) for name in SECRETS}
        problems["WECHAT_SECRET"] = "default" if self.WECHAT_SECRET == "wx-demo-secret" else None
        values = [getattr(self, name) for name in SECRETS]
        for name in SECRETS:
            if values.count(getattr(self, name)) > 1 and not problems[name]:
                problems[name] = "the same as another secret"
        weak = {name: why for name, why in problems.items() if why}
        if weak:
            raise ConfigurationError(
                "production profile refuses these secrets: "
                + "; ".join(f"{name} ({why})" for name, why in sorted(weak.items()))
            )


def weakness(secret: str) -> str | None:
    """Why ``secret`` is unfit for production (``None`` when it is fit): a development default,
    too short, a placeholder's words, or too little entropy."""
    lowered = (secret or "").lower()
    if "not-for-production" in lowered:
        return "development default"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return "a placeholder"
    counts = Counter(secret)
    bits = -sum(n * math.log2(n / len(secret)) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return "too little entropy"
    return None


class TestingConfig(Config):
    """Tests: a temporary database is supplied by the fixture through ``DATABASE_URL``."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.PROFILE = "testing"
        self.TESTING = True
        if database_url:
            self.SQLALCHEMY_DATABASE_URI = database_url
        self.RATELIMIT_STORAGE_URI = "memory://"
        for name, default in APPOINTMENT_DEFAULTS.items():
            setattr(self, name, default)
