"""Citizens, their channel identities, the bot acting for them, and the development login."""

import pytest

from miniapp_api.privacy import mask_id_card, mask_phone, mask_text


def test_bot_acts_for_the_citizen_its_sender_id_names(client, auth):
    first = client.get("/api/v1/me", headers=auth.bot("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"))
    assert first.status_code == 200
    again = client.get("/api/v1/me", headers=auth.bot("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"))
    other = client.get("/api/v1/me", headers=auth.bot("hotline:13800001111"))
    assert first.get_json()["data"]["id"] == again.get_json()["data"]["id"]
    assert other.get_json()["data"]["id"] != first.get_json()["data"]["id"]
    assert first.get_json()["data"]["identities"] == [
        {"channel": "wechat", "external_id": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"}
    ]


def test_bot_without_an_assertion_is_a_guest(client, auth):
    """A sender id the bot names is no proof: without an assertion nothing personal, no citizen
    made (a guest may still ask public questions)."""
    response = client.get("/api/v1/me", headers=auth.bot("web:nobody-proved-this", proven=False))
    assert response.status_code == 401 and response.get_json()["errcode"] == 40104
    public = client.get(
        "/api/v1/hospitals", headers=auth.bot("web:nobody-proved-this", proven=False)
    )
    assert public.status_code == 200
    from miniapp_api.citizens.service import find_by_identity

    with client.application.app_context():
        assert find_by_identity("web", "nobody-proved-this") is None


def test_an_assertion_for_another_conversation_proves_nothing(client, auth):
    _, _ = auth.citizen("web:victim")
    headers = {
        **auth.bot("web:victim", proven=False),
        "X-Identity-Assertion": auth.bot("web:mallory")["X-Identity-Assertion"],
    }
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_bot_without_identity_is_refused(client, app):
    headers = {"Authorization": f"Bearer {app.config['BOT_SERVICE_TOKEN']}"}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401


def test_profile_update_and_masked_phone(client, auth):
    _, headers = auth.citizen(phone="13812345678")
    response = client.patch(
        "/api/v1/me", headers=headers, json={"display_name": "李雷", "locale": "en"}
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["display_name"] == "李雷" and data["locale"] == "en"
    assert data["phone"] == "138****5678"
    assert "13812345678" not in response.get_data(as_text=True)


def test_dev_login_only_in_development(app_factory):
    development = app_factory(PROFILE="development").test_client()
    response = development.post("/api/v1/auth/dev-login", json={"identity": "web:demo-alice"})
    assert response.status_code == 200
    token = response.get_json()["data"]["token"]
    me = development.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["data"]["identities"][0]["external_id"] == "demo-alice"

    testing = app_factory().test_client()
    assert (
        testing.post("/api/v1/auth/dev-login", json={"identity": "web:demo-alice"}).status_code
        == 404
    )


def test_seed_is_idempotent(app):
    from sqlalchemy import func, select

    from miniapp_api.citizens.models import ChannelIdentity, Citizen
    from miniapp_api.db import db
    from miniapp_api.seed import seed_demo_data

    with app.app_context():
        first = seed_demo_data()
        second = seed_demo_data()
        assert first["citizens"] == second["citizens"] == 3
        assert second["air_readings_added"] in (0, 10)  # at most the hour that just began
        assert db.session.scalar(select(func.count()).select_from(ChannelIdentity)) == 3
        assert (
            db.session.scalar(select(Citizen.role).where(Citizen.display_name == "Operator"))
            == "operator"
        )


@pytest.mark.parametrize(
    "value, masked", [("13812345678", "138****5678"), (None, None), ("", ""), ("123", "***")]
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_id_card_and_free_text():
    assert mask_id_card("44010619900101123X") == "440**************X"
    text = "ID 44010619900101123X, phone 13812345678, order 202611230001"
    assert mask_text(text) == "ID 440**************X, phone 138****5678, order 202611230001"


def test_url_credentials_are_masked():
    line = "GET /sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=abc&grant_type=x HTTP/1.1"
    assert mask_text(line) == (
        "GET /sns/jscode2session?appid=wx1&secret=***&js_code=***&grant_type=x HTTP/1.1"
    )


def test_log_lines_are_masked(app, caplog):
    import logging

    with caplog.at_level(logging.INFO):
        logging.getLogger("miniapp_api.test").info(
            "caller %s id %s", "13812345678", "44010619900101123X"
        )
    assert "13812345678" not in caplog.text and "44010619900101123X" not in caplog.text
    assert "138****5678" in caplog.text
