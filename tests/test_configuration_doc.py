"""docs/configuration.md is what the settings classes generate: a setting added, renamed or
given another default fails here until ``python -m scripts.configuration_doc`` rewrites it."""

from scripts.configuration_doc import DOC, main, render


def test_the_committed_page_is_what_the_code_generates():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is out of date: run python -m scripts.configuration_doc"
    )


def test_check_mode_agrees():
    assert main(["--check"]) == 0


def test_every_variable_the_readme_listed_is_documented():
    page = render()
    for variable in (
        "CITIZEN_PROFILE",
        "SECRET_KEY",
        "BOT_SERVICE_TOKEN",
        "DATABASE_URL",
        "SESSION_TTL_SECONDS",
        "MAX_CONTENT_LENGTH",
        "BOT_MAX_CONTENT_LENGTH",
        "LOGIN_RATE_LIMIT",
        "RATELIMIT_STORAGE_URI",
        "TRUSTED_PROXIES",
        "DEFAULT_LOCALE",
        "CITIZEN_TIMEZONE",
        "WECHAT_APPID",
        "WECHAT_SECRET",
        "WECHAT_API_BASE",
        "ALIPAY_APP_ID",
        "ALIPAY_GATEWAY",
        "ALIPAY_APP_PRIVATE_KEY",
        "ALIPAY_PUBLIC_KEY",
        "PLATFORM_TIMEOUT_SECONDS",
        "API_URL",
        "ACTION_SERVER_URL",
        "RASA_URL",
        "RASA_ACTION_TIMEOUT_SECONDS",
        "RESPONSE_CACHE",
        "API_TIMEOUT_SECONDS",
        "API_CONNECT_ATTEMPTS",
        "TRACKER_STORE_DIALECT",
        "TRACKER_STORE_HOST",
        "TRACKER_STORE_DB",
        "TRACKER_CACHE_CONVERSATIONS",
        "API_WORKERS",
        "API_THREADS",
        "PATIENT_DATA_KEY",
        "BOOKING_MIN_DAYS_AHEAD",
        "BOOKING_MAX_DAYS_AHEAD",
        "MAX_APPOINTMENTS_PER_DOCTOR_DAY",
        "MAX_APPOINTMENTS_PER_DAY",
        "CANCEL_CUTOFF_MINUTES",
        "MAX_PATIENTS_PER_CITIZEN",
        "APPOINTMENT_SLOT_DAYS",
        "CHAT_RATE_LIMIT",
        "CHAT_ADDRESS_RATE_LIMIT",
        "RASA_TOKEN",
        "RASA_TIMEOUT_SECONDS",
        "WECHAT_TOKEN",
        "WECHAT_APP_ID",
        "WECHAT_APP_SECRET",
        "WECHAT_ENCODING_AES_KEY",
        "WECHAT_REPLY_DEADLINE_SECONDS",
        "WECHAT_TIMESTAMP_WINDOW_SECONDS",
        "WECHAT_MAX_BODY_BYTES",
        "WECHAT_LANG",
        "WECHAT_MEMORY_URL",
        "CITIZEN_MODEL",
        "TRANSIT_REALTIME_MAX_AGE_SECONDS",
        "TRANSIT_REALTIME_URLS",
        "TRANSIT_REALTIME_INTERVAL_SECONDS",
        "TRANSIT_REALTIME_TIMEOUT_SECONDS",
        "TRANSIT_ALIASES",
        "TRANSIT_DEMO_FEED",
        "TRANSIT_SIMULATOR_FEED",
        "RASA_TELEMETRY_ENABLED",
    ):
        assert f"`{variable}`" in page, variable
