"""Configuration from the environment; production refuses default secrets."""

import secrets

import pytest

from miniapp_api import create_app
from miniapp_api.config import SECRETS, Config, ConfigurationError


def test_defaults_work_locally(monkeypatch):
    monkeypatch.delenv("CITIZEN_PROFILE", raising=False)
    config = Config()
    assert config.PROFILE == "development"
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    config.check()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.example/city")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1024")
    config = Config()
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db.example/city"
    assert config.MAX_CONTENT_LENGTH == 1024


def strong_secrets() -> dict[str, str]:
    """A production's secrets as `secrets.token_urlsafe(32)` makes them, each its own."""
    return {name: secrets.token_urlsafe(32) for name in (*SECRETS, "WECHAT_SECRET")}


@pytest.mark.parametrize(
    "name, value, why",
    [
        ("SECRET_KEY", None, "development default"),
        ("BOT_SERVICE_TOKEN", "short", "shorter than 32 characters"),
        ("RASA_TOKEN", "change-me-at-least-32-random-characters", "a placeholder"),
        ("IDENTITY_ASSERTION_KEY", "ab" * 24, "too little entropy"),
        ("PATIENT_DATA_KEY", "a1b2c3d4" * 5, "too little entropy"),
        ("RASA_CHANNEL_TOKEN", "same", "the same as another secret"),
        ("WECHAT_SECRET", "wx-demo-secret", "default"),
    ],
)
def test_production_refuses_weak_secrets(monkeypatch, name, value, why):
    monkeypatch.setenv("CITIZEN_PROFILE", "production")
    chosen = strong_secrets()
    if value == "same":
        value = chosen["SECRET_KEY"]
    for secret, strong in chosen.items():
        monkeypatch.setenv(secret, strong)
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as error:
        create_app(Config())
    assert f"{name} ({why})" in str(error.value)


def test_production_names_every_weak_secret(monkeypatch):
    monkeypatch.setenv("CITIZEN_PROFILE", "production")
    with pytest.raises(ConfigurationError) as error:
        create_app(Config())
    for name in (*SECRETS, "WECHAT_SECRET"):
        assert name in str(error.value)


def test_production_starts_with_real_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("CITIZEN_PROFILE", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    for name, value in strong_secrets().items():
        monkeypatch.setenv(name, value)
    app = create_app(Config())
    # The development login does not exist in production.
    response = app.test_client().post("/api/v1/auth/dev-login", json={"identity": "web:x"})
    assert response.status_code == 404


def test_unknown_profile_is_refused(monkeypatch):
    monkeypatch.setenv("CITIZEN_PROFILE", "staging-ish")
    with pytest.raises(ConfigurationError):
        Config().check()
