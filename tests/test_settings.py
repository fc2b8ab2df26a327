"""The settings machinery (citizen_common.settings) and each process's settings: typed values from the
environment, defaults when unset, and a clear error naming the variable on a bad value."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from typing import Optional

import pytest
from citizen_common import settings
from citizen_common.settings import SettingsError, at_least, city_time_zone, load, setting


@dataclass(frozen=True)
class Sample:
    count: int = setting("SAMPLE_COUNT", 3, "a count", check=at_least(1))
    ratio: float = setting("SAMPLE_RATIO", 0.5, "a ratio")
    name: str = setting("SAMPLE_NAME", "x", "a name")
    enabled: bool = setting("SAMPLE_ENABLED", True, "a switch", empty_is_default=True)
    limit: Optional[int] = setting("SAMPLE_LIMIT", None, "a limit", empty_is_default=True)
    zone: str = city_time_zone()


def test_defaults_when_unset():
    settings = load(Sample, {})
    assert settings == Sample(
        count=3, ratio=0.5, name="x", enabled=True, limit=None, zone="Asia/Shanghai"
    )


def test_values_are_parsed_by_their_type():
    settings = load(
        Sample,
        {
            "SAMPLE_COUNT": "7",
            "SAMPLE_RATIO": "2.5",
            "SAMPLE_NAME": "",
            "SAMPLE_ENABLED": "no",
            "SAMPLE_LIMIT": "9",
            "CITIZEN_TIMEZONE": "Europe/Paris",
        },
    )
    assert (
        settings.count,
        settings.ratio,
        settings.name,
        settings.enabled,
        settings.limit,
        settings.zone,
    ) == (7, 2.5, "", False, 9, "Europe/Paris")


def test_empty_means_the_default_only_where_declared():
    assert load(Sample, {"SAMPLE_ENABLED": "", "SAMPLE_LIMIT": ""}).enabled is True
    with pytest.raises(SettingsError, match="SAMPLE_COUNT=''"):
        load(Sample, {"SAMPLE_COUNT": ""})


@pytest.mark.parametrize(
    "variable, value, why",
    [
        ("SAMPLE_COUNT", "three", "must be a whole number"),
        ("SAMPLE_COUNT", "0", "must be at least 1"),
        ("SAMPLE_RATIO", "half", "must be a number"),
        ("SAMPLE_ENABLED", "maybe", "must be true or false"),
        ("CITIZEN_TIMEZONE", "Mars/Olympus", "not a known IANA time zone"),
    ],
)
def test_a_bad_value_names_its_variable(variable, value, why):
    with pytest.raises(SettingsError) as error:
        load(Sample, {variable: value})
    assert str(error.value).startswith(f"{variable}={value!r}: ")
    assert why in str(error.value)


def test_settings_are_frozen():
    with pytest.raises(FrozenInstanceError):
        load(Sample, {}).count = 4


def test_the_service_token_defaults_are_written_once():
    from bot.actions import settings as actions
    from bot.serving.action_guard import DEV_ACTION_SERVER_TOKEN
    from bot.settings import RasaSettings
    from launcher.stack import INTERNAL_CREDENTIALS
    from miniapp_api.config import ApiSettings

    assert (
        ApiSettings.BOT_SERVICE_TOKEN
        == actions.Settings.service_token
        == RasaSettings.bot_service_token
        == INTERNAL_CREDENTIALS["BOT_SERVICE_TOKEN"]
        == settings.DEV_BOT_SERVICE_TOKEN
    )
    # bot/serving keeps its own copy until it reads bot.settings (then this line goes).
    assert (
        DEV_ACTION_SERVER_TOKEN
        == settings.DEV_ACTION_SERVER_TOKEN
        == actions.Settings.action_server_token
        == INTERNAL_CREDENTIALS["ACTION_SERVER_TOKEN"]
    )


def test_the_city_time_zone_is_one_setting(monkeypatch):
    from bot.actions import settings as actions
    from miniapp_api.config import Config

    monkeypatch.setenv("CITIZEN_TIMEZONE", "Asia/Urumqi")
    actions.settings.cache_clear()
    try:
        assert Config().TIMEZONE == actions.settings().time_zone == "Asia/Urumqi"
    finally:
        actions.settings.cache_clear()


def test_the_api_refuses_a_bad_value_with_its_name(monkeypatch):
    from miniapp_api.config import Config, ConfigurationError

    monkeypatch.setenv("SESSION_TTL_SECONDS", "a week")
    with pytest.raises(ConfigurationError, match="SESSION_TTL_SECONDS='a week': must be a whole"):
        Config()


def test_the_launcher_refuses_a_bad_port(monkeypatch):
    from launcher.stack import Ports

    monkeypatch.setenv("API_PORT", "70000")
    with pytest.raises(SettingsError, match="API_PORT='70000'"):
        Ports.from_environment()


def test_gunicorn_reads_its_numbers_from_the_environment():
    from miniapp_api.gunicorn_conf import ServerSettings

    assert load(ServerSettings, {"API_WORKERS": "3", "API_THREADS": "1"}) == ServerSettings(
        workers=3, threads=1, graceful_timeout_seconds=5
    )
    with pytest.raises(SettingsError, match="API_THREADS='0'"):
        load(ServerSettings, {"API_THREADS": "0"})
