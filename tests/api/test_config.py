"""Configuration from the environment; production refuses default secrets."""
import pytest

from miniapp_api import create_app
from miniapp_api.config import Config, ConfigurationError

STRONG = "x" * 40


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


@pytest.mark.parametrize("overrides, refused", [
    ({}, "BOT_SERVICE_TOKEN, PATIENT_DATA_KEY, SECRET_KEY, WECHAT_SECRET"),
    ({"SECRET_KEY": STRONG, "BOT_SERVICE_TOKEN": STRONG, "PATIENT_DATA_KEY": STRONG},
     "WECHAT_SECRET"),
    ({"SECRET_KEY": "short", "BOT_SERVICE_TOKEN": STRONG, "WECHAT_SECRET": "s",
      "PATIENT_DATA_KEY": STRONG}, "SECRET_KEY"),
    ({"SECRET_KEY": STRONG, "BOT_SERVICE_TOKEN": STRONG, "WECHAT_SECRET": "s"},
     "PATIENT_DATA_KEY"),
    ({"SECRET_KEY": STRONG, "BOT_SERVICE_TOKEN": STRONG, "WECHAT_SECRET": "s",
      "PATIENT_DATA_KEY": "short"}, "PATIENT_DATA_KEY"),
])
def test_production_refuses_default_or_short_secrets(monkeypatch, overrides, refused):
    monkeypatch.setenv("CITIZEN_PROFILE", "production")
    for name, value in overrides.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as error:
        create_app(Config())
    assert str(error.value).endswith(refused)


def test_production_starts_with_real_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("CITIZEN_PROFILE", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    for name in ("SECRET_KEY", "BOT_SERVICE_TOKEN", "WECHAT_SECRET", "PATIENT_DATA_KEY"):
        monkeypatch.setenv(name, STRONG + name)
    app = create_app(Config())
    # The development login does not exist in production.
    response = app.test_client().post("/api/v1/auth/dev-login", json={"identity": "web:x"})
    assert response.status_code == 404


def test_unknown_profile_is_refused(monkeypatch):
    monkeypatch.setenv("CITIZEN_PROFILE", "staging-ish")
    with pytest.raises(ConfigurationError):
        Config().check()
