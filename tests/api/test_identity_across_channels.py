"""One citizen across channels, through the API: a WeChat mini-app login and the official
account's push of the same openid, and a hotline caller whose verified phone is on file."""

from __future__ import annotations

import pytest

from miniapp_api.applications.service import seed_service_items
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
    app = app_factory(
        WECHAT_APPID="wx-appid",
        WECHAT_SECRET="wx-secret",
        WECHAT_API_BASE=wechat.url,
        LOGIN_RATE_LIMIT="100 per minute",
    )
    with app.app_context():
        seed_service_items()
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
    submitted = client.post(
        "/api/v1/applications",
        headers=mini_app,
        json={"item_code": "residence_permit", "applicant_name": "Li Lei", "id_card": ID_CARD},
    )
    assert submitted.status_code == 201
    push = auth.bot(f"wechat:{OPENID}")
    assert me(client, push)["id"] == me(client, mini_app)["id"]
    numbers = [
        a["number"] for a in client.get("/api/v1/applications", headers=push).get_json()["data"]
    ]
    assert numbers == [submitted.get_json()["data"]["number"]]


def phone_owner(app, auth) -> int:
    citizen_id, _ = auth.citizen("wechat:o-phone-owner", phone=PHONE)
    return citizen_id


@pytest.mark.parametrize("caller", [PHONE, f"+86{PHONE}", f"0086{PHONE}", f"{PHONE}-call-0042"])
def test_caller_id_proves_nothing(app, client, auth, caller):
    """Caller ID can be spoofed: a caller showing a citizen's verified phone is a guest, and
    is nobody else's record even once the hotline gateway vouches for the line itself."""
    owner = phone_owner(app, auth)
    guest = client.get("/api/v1/me", headers=auth.bot(f"hotline:{caller}", proven=False))
    assert guest.status_code == 401 and guest.get_json()["errcode"] == 40104
    assert (
        client.get(
            "/api/v1/applications", headers=auth.bot(f"hotline:{caller}", proven=False)
        ).status_code
        == 401
    )
    line = me(client, auth.bot(f"hotline:{caller}"))
    assert line["id"] != owner and line["phone"] is None
    assert line["identities"] == [{"channel": "hotline", "external_id": caller}]


def test_a_verified_phone_does_not_pull_its_line_over(app, client, auth):
    first_call = me(client, auth.bot(f"hotline:{PHONE}"))
    owner = phone_owner(app, auth)
    assert me(client, auth.bot(f"hotline:{PHONE}"))["id"] == first_call["id"] != owner
