"""One citizen across channels, through the API: a WeChat mini-app login and the official
account's push of the same openid, and a hotline caller whose verified phone is on file."""
from __future__ import annotations

import pytest

from miniapp_api.applications.service import seed_catalog
from miniapp_api.citizens import platforms
from miniapp_api.identity import id_card_check_char
from tests.platform_standins import WeChatStandIn

OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
PHONE = "13812345678"
ID_CARD = "44010619900307123" + id_card_check_char("44010619900307123")


@pytest.fixture
def wechat():
    with WeChatStandIn("wx-appid", "wx-secret", {"code-1": OPENID}) as standin:
        yield standin


@pytest.fixture
def app(app_factory, wechat):
    app = app_factory(WECHAT_APPID="wx-appid", WECHAT_SECRET="wx-secret",
                      WECHAT_API_BASE=wechat.url, LOGIN_RATE_LIMIT="100 per minute")
    with app.app_context():
        seed_catalog()
    yield app
    platforms._session.close()


def me(client, headers) -> dict:
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def mini_app_login(client) -> dict:
    session = client.post("/api/v1/auth/login", json={"platform": "wechat", "code": "code-1"})
    assert session.status_code == 200, session.get_json()
    return {"Authorization": f"Bearer {session.get_json()['data']['token']}"}


def test_mini_app_login_and_official_account_push_are_one_citizen(client, auth):
    mini_app = mini_app_login(client)
    # The mini-app submits an application; the WeChat push conversation (the bot, acting for
    # wechat:<openid>) sees the same citizen and the same application.
    submitted = client.post("/api/v1/applications", headers=mini_app, json={
        "item_code": "residence_permit", "applicant_name": "Li Lei", "id_card": ID_CARD})
    assert submitted.status_code == 201
    push = auth.bot(f"wechat:{OPENID}")
    assert me(client, push)["id"] == me(client, mini_app)["id"]
    numbers = [a["number"] for a in client.get("/api/v1/applications", headers=push)
               .get_json()["data"]]
    assert numbers == [submitted.get_json()["data"]["number"]]


@pytest.mark.parametrize("caller", [PHONE, f"+86{PHONE}", f"0086{PHONE}",
                                    f"{PHONE}-call-0042"])
def test_a_hotline_caller_with_a_verified_phone_is_that_citizen(client, auth, caller):
    citizen_id, mini_app = auth.citizen("wechat:o-phone-owner")
    assert client.patch("/api/v1/me", headers=mini_app, json={"phone": PHONE}).status_code == 200
    hotline = me(client, auth.bot(f"hotline:{caller}"))
    assert hotline["id"] == citizen_id
    assert hotline["phone"] == "138****5678"
    assert {"channel": "hotline", "external_id": caller} in hotline["identities"]
    assert {"channel": "wechat", "external_id": "o-phone-owner"} in hotline["identities"]


def test_an_unknown_caller_is_a_citizen_of_their_own(client, auth):
    citizen_id, mini_app = auth.citizen("wechat:o-someone")
    client.patch("/api/v1/me", headers=mini_app, json={"phone": PHONE})
    stranger = me(client, auth.bot("hotline:13900009999"))
    assert stranger["id"] != citizen_id
    # A number that merely contains the phone is not the phone.
    assert me(client, auth.bot(f"hotline:9{PHONE}"))["id"] != citizen_id


def test_a_line_that_called_before_the_phone_was_verified_joins_its_owner(client, auth):
    first_call = me(client, auth.bot(f"hotline:{PHONE}"))
    citizen_id, mini_app = auth.citizen("wechat:o-verifies-later")
    assert first_call["id"] != citizen_id
    assert client.patch("/api/v1/me", headers=mini_app, json={"phone": PHONE}).status_code == 200
    assert me(client, auth.bot(f"hotline:{PHONE}"))["id"] == citizen_id
    assert me(client, auth.bot(f"hotline:{PHONE}"))["id"] == citizen_id
