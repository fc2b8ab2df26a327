"""Configuration: one class read from the environment, with safe local defaults.

Profiles: ``development`` (default), ``testing`` and ``production``. Production refuses to start
while any secret still has its development default.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

from citizen_identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN, DEV_RASA_TOKEN

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "development-secret-key-not-for-production"
DEV_BOT_SERVICE_TOKEN = "development-bot-service-token-not-for-production"
DEV_PATIENT_DATA_KEY = "development-patient-data-key-not-for-production"
# The secrets production needs, each its own: a leak of one must not open another's door.
SECRETS = ("SECRET_KEY", "BOT_SERVICE_TOKEN", "PATIENT_DATA_KEY", "IDENTITY_ASSERTION_KEY",
           "RASA_TOKEN", "RASA_CHANNEL_TOKEN")
MIN_SECRET_LENGTH = 32
# Shannon entropy of the secret's own characters, times its length: 32 random URL-safe
# characters carry about 190 bits; a phrase or a repeated pattern far less.
MIN_SECRET_BITS = 128
# Words of placeholders and samples ("change-me-at-least-32-random-characters").
PLACEHOLDER_WORDS = ("change", "changeme", "example", "placeholder", "secret", "password",
                     "default", "development", "sample", "replace", "your-", "todo", "xxxx")
# Hospital appointments: the booking rules (miniapp_api/appointments/rules.py) and the demo
# schedule; each is an environment variable of the same name.
APPOINTMENT_DEFAULTS = {"BOOKING_MIN_DAYS_AHEAD": 1, "BOOKING_MAX_DAYS_AHEAD": 7,
                        "MAX_APPOINTMENTS_PER_DOCTOR_DAY": 1, "MAX_APPOINTMENTS_PER_DAY": 3,
                        "CANCEL_CUTOFF_MINUTES": 0, "MAX_PATIENTS_PER_CITIZEN": 10,
                        "APPOINTMENT_SLOT_DAYS": 14}


class ConfigurationError(RuntimeError):
    """The configuration cannot be used (for example a default secret in production)."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings read from the environment when the class is instantiated."""

    def __init__(self) -> None:
        self.PROFILE = _env("CITIZEN_PROFILE", "development")
        self.SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
        self.BOT_SERVICE_TOKEN = _env("BOT_SERVICE_TOKEN", DEV_BOT_SERVICE_TOKEN)
        default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'citizen.sqlite3'}"
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", default_db)
        self.RASA_URL = _env("RASA_URL", "http://127.0.0.1:5005")
        # Rasa's HTTP API token (``rasa run --auth-token``); empty when Rasa runs without one.
        self.RASA_TOKEN = _env("RASA_TOKEN", DEV_RASA_TOKEN)
        # The credential of Rasa's REST channel, which only the API's /chat may use.
        self.RASA_CHANNEL_TOKEN = _env("RASA_CHANNEL_TOKEN", DEV_CHANNEL_TOKEN)
        # Signs identity assertions (citizen_identity): the API for its sessions, the WeChat
        # channel after its signature check, the hotline gateway; the API verifies them.
        self.IDENTITY_ASSERTION_KEY = _env("IDENTITY_ASSERTION_KEY", DEV_ASSERTION_KEY)
        self.RASA_TIMEOUT_SECONDS = float(_env("RASA_TIMEOUT_SECONDS", "20"))
        self.API_URL = _env("API_URL", "http://127.0.0.1:5000")
        self.DEFAULT_LOCALE = _env("DEFAULT_LOCALE", "zh_CN")
        self.TIMEZONE = _env("CITIZEN_TIMEZONE", "Asia/Shanghai")
        self.CITY_NAME_KEY = _env("CITY", "demo_city")
        # Session tokens issued at mini-app login.
        self.SESSION_TTL_SECONDS = _env_int("SESSION_TTL_SECONDS", 7 * 24 * 3600)
        # Request bodies above this size are refused with 413 before they are read.
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 64 * 1024)
        # The bot's calls (service token) carry whole conversations: Rasa's NLG call the
        # tracker, a handoff ticket the transcript.
        self.BOT_MAX_CONTENT_LENGTH = _env_int("BOT_MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
        # Mini-app platforms: login code exchange.
        self.WECHAT_APPID = _env("WECHAT_APPID", "wx-demo-appid")
        self.WECHAT_SECRET = _env("WECHAT_SECRET", "wx-demo-secret")
        self.WECHAT_API_BASE = _env("WECHAT_API_BASE", "https://api.weixin.qq.com")
        self.ALIPAY_APP_ID = _env("ALIPAY_APP_ID", "2021000000000000")
        self.ALIPAY_GATEWAY = _env("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do")
        self.ALIPAY_APP_PRIVATE_KEY = _env("ALIPAY_APP_PRIVATE_KEY", "")
        self.ALIPAY_PUBLIC_KEY = _env("ALIPAY_PUBLIC_KEY", "")
        self.PLATFORM_TIMEOUT_SECONDS = float(_env("PLATFORM_TIMEOUT_SECONDS", "5"))
        # Rate limits (Flask-Limiter); memory by default, Redis when scaled out.
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Reverse proxies in front of the API whose X-Forwarded-For is trusted (nginx: 1).
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        self.LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "20 per minute")
        # New web chat visitors (each a new citizen) per client address: no flood of throwaway
        # accounts holding a doctor's slots.
        self.NEW_CITIZEN_RATE_LIMIT = _env("NEW_CITIZEN_RATE_LIMIT", "60 per hour")
        # Guests query progress with a number and four ID characters: slow down guessing.
        self.GUEST_LOOKUP_RATE_LIMIT = _env("GUEST_LOOKUP_RATE_LIMIT", "10 per minute")
        # ...and a day's tries per application number (whoever asks) and per client, counted
        # in the database so every worker and the bot's path share them (trust/budgets.py).
        self.GUEST_LOOKUP_NUMBER_BUDGET = _env_int("GUEST_LOOKUP_NUMBER_BUDGET", 10)
        self.GUEST_LOOKUP_CLIENT_BUDGET = _env_int("GUEST_LOOKUP_CLIENT_BUDGET", 30)
        # Chat turns: each citizen, and each client address (many citizens behind one NAT).
        self.CHAT_RATE_LIMIT = _env("CHAT_RATE_LIMIT", "30 per minute")
        self.CHAT_ADDRESS_RATE_LIMIT = _env("CHAT_ADDRESS_RATE_LIMIT", "120 per minute")
        # One-time codes proving a phone before it is bound (trust/phone_codes.py), sent by
        # SMS_SENDER: log (development), jsonl:PATH (a local stand-in), or a gateway's adapter.
        self.SMS_SENDER = _env("SMS_SENDER", "log")
        self.PHONE_CODE_TTL_SECONDS = _env_int("PHONE_CODE_TTL_SECONDS", 300)
        self.PHONE_CODE_MAX_ATTEMPTS = _env_int("PHONE_CODE_MAX_ATTEMPTS", 5)
        self.PHONE_CODE_DAILY_BUDGET = _env_int("PHONE_CODE_DAILY_BUDGET", 5)
        # Public holidays and make-up working days (JSON); default: seed_data/holidays.json.
        self.HOLIDAY_CALENDAR = _env("HOLIDAY_CALENDAR", "")
        for name, default in APPOINTMENT_DEFAULTS.items():
            setattr(self, name, _env_int(name, default))
        # Seals patients' ID-card and phone numbers at rest (AES-GCM); production needs its own.
        self.PATIENT_DATA_KEY = _env("PATIENT_DATA_KEY", DEV_PATIENT_DATA_KEY)
        # The booking rules' clock: None is the real time; tests set a function returning one.
        self.APPOINTMENT_CLOCK = None
        # Transit: realtime older than this falls back to the schedule (and says so).
        self.TRANSIT_REALTIME_MAX_AGE_SECONDS = _env_int("TRANSIT_REALTIME_MAX_AGE_SECONDS", 120)
        # GTFS-Realtime sources polled by `flask transit realtime --follow` (comma-separated).
        self.TRANSIT_REALTIME_URLS = _env("TRANSIT_REALTIME_URLS", "")
        self.TRANSIT_REALTIME_INTERVAL_SECONDS = _env_int("TRANSIT_REALTIME_INTERVAL_SECONDS", 15)
        self.TRANSIT_REALTIME_TIMEOUT_SECONDS = _env_int("TRANSIT_REALTIME_TIMEOUT_SECONDS", 10)
        self.TRANSIT_ALIASES = _env("TRANSIT_ALIASES", str(PROJECT_ROOT / "miniapp_api" / "seed_data"
                                                         / "transit_aliases.json"))
        self.TRANSIT_DEMO_FEED = _env("TRANSIT_DEMO_FEED", str(PROJECT_ROOT / "var" / "transit"
                                                             / "demo-gtfs.zip"))
        self.TRANSIT_SIMULATOR_FEED = _env("TRANSIT_SIMULATOR_FEED", str(
            PROJECT_ROOT / "var" / "transit" / "realtime.pb"))
        # Public answers (AQI, arrivals) kept for a few seconds (miniapp_api/response_cache.py).
        self.RESPONSE_CACHE = _env("RESPONSE_CACHE", "true").lower() not in ("0", "false", "no")
        # GET /api/v1/noop, which does nothing: the baseline of bench/api_load.py.
        self.BENCH_NOOP_ENDPOINT = _env("BENCH_NOOP_ENDPOINT", "0") == "1"
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
    def SQLALCHEMY_ENGINE_OPTIONS(self) -> dict:  # noqa: N802 (Flask-SQLAlchemy's name)
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
            raise ConfigurationError("production profile refuses these secrets: " + "; ".join(
                f"{name} ({why})" for name, why in sorted(weak.items())))


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
