"""Configuration: one class read from the environment, with safe local defaults.

Profiles: ``development`` (default), ``testing`` and ``production``. Production refuses to start
while any secret still has its development default.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "development-secret-key-not-for-production"
DEV_BOT_SERVICE_TOKEN = "development-bot-service-token-not-for-production"
DEV_PATIENT_DATA_KEY = "development-patient-data-key-not-for-production"
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
        self.RASA_TOKEN = _env("RASA_TOKEN", "")
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
        # Guests query progress with a number and four ID characters: slow down guessing.
        self.GUEST_LOOKUP_RATE_LIMIT = _env("GUEST_LOOKUP_RATE_LIMIT", "10 per minute")
        # Chat turns: each citizen, and each client address (many citizens behind one NAT).
        self.CHAT_RATE_LIMIT = _env("CHAT_RATE_LIMIT", "30 per minute")
        self.CHAT_ADDRESS_RATE_LIMIT = _env("CHAT_ADDRESS_RATE_LIMIT", "120 per minute")
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
        defaults = {
            "SECRET_KEY": self.SECRET_KEY == DEV_SECRET_KEY,
            "BOT_SERVICE_TOKEN": self.BOT_SERVICE_TOKEN == DEV_BOT_SERVICE_TOKEN,
            "WECHAT_SECRET": self.WECHAT_SECRET == "wx-demo-secret",
            "PATIENT_DATA_KEY": self.PATIENT_DATA_KEY == DEV_PATIENT_DATA_KEY,
        }
        weak = [name for name, is_default in defaults.items() if is_default]
        weak += [n for n in ("SECRET_KEY", "BOT_SERVICE_TOKEN", "PATIENT_DATA_KEY")
                 if len(getattr(self, n)) < 32]
        if weak:
            raise ConfigurationError(
                "production profile refuses default or short secrets: " + ", ".join(sorted(set(weak)))
            )


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
