"""The WeChat official-account channel in a running Rasa server, with wechatpy playing WeChat:
URL verification, plaintext and AES safe mode, refusals, retries, the 5-second window and the
customer-service message API, menu buttons, and one citizen with the mini-app login."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.edge import RASA_TOKEN
from tests.wechat_client import WeChatServer, subscribe_event, text_message
from tests.wechat_standin import OFFICIAL_TOKEN, official_account

pytestmark = pytest.mark.e2e
GREETING_ZH = "您好！我是市民助手，请问有什么可以帮您？"
GREETING_EN = "Hello! I'm the Citizen Assistant. How can I help you?"


@pytest.fixture(scope="module")
def wechat(running_stack) -> WeChatServer:
    return WeChatServer(running_stack.rasa_url)


def new_openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


def user_texts(stack, openid: str) -> list[str]:
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/wechat:{openid}/tracker", params=RASA_TOKEN, timeout=30
    ).json()
    return [e.get("text") for e in tracker.get("events") or [] if e.get("event") == "user"]


# --- URL verification ---------------------------------------------------------------------


def test_url_verification_echoes_only_for_a_good_signature(wechat):
    good = wechat.verify("echo-4711")
    assert good.status_code == 200 and good.text == "echo-4711"
    assert wechat.verify("echo", signature="0" * 40).status_code == 403
    stale = wechat.query(timestamp=int(time.time()) - 3600)
    response = requests.get(wechat.url, params={**stale, "echostr": "x"}, timeout=30)
    assert response.status_code == 403


# --- plaintext and safe mode ----------------------------------------------------------------


def test_plaintext_is_refused_once_safe_mode_is_configured(wechat, running_stack):
    """With an AES key configured, a plaintext message (its body not covered by any signature)
    is a forgery: refused, and nothing is heard."""
    openid = new_openid()
    assert wechat.post_plain(text_message(openid, "你好呀")).status_code == 400
    assert user_texts(running_stack, openid) == []


def test_safe_mode_message_gets_an_encrypted_reply(wechat):
    openid = new_openid()
    response, _ = wechat.post_encrypted(text_message(openid, "hello there"))
    assert response.status_code == 200, response.text
    assert "<Encrypt>" in response.text and "Hello" not in response.text
    reply = wechat.decrypt_reply(response)
    assert reply.content == GREETING_EN and reply.target == openid


def test_a_new_follower_is_greeted(wechat):
    reply = wechat.say(subscribe_event(new_openid()))
    assert reply.content == GREETING_ZH


# --- refusals ---------------------------------------------------------------------------------


def test_bad_signatures_are_refused_and_nothing_is_heard(wechat, running_stack):
    openid = new_openid()
    forged = wechat.post_plain(text_message(openid, "你好"), signature="f" * 40)
    assert forged.status_code == 403
    response, _ = wechat.post_encrypted(text_message(openid, "你好"), tamper_signature=True)
    assert response.status_code == 403
    other_token = WeChatServer(running_stack.rasa_url, token="not-" + OFFICIAL_TOKEN)
    assert other_token.post_plain(text_message(openid, "你好")).status_code == 403
    assert user_texts(running_stack, openid) == []


def test_a_message_for_another_account_is_refused(running_stack):
    stranger = WeChatServer(running_stack.rasa_url, app_id="wx-someone-else")
    response, _ = stranger.post_encrypted(text_message(new_openid(), "你好"))
    assert response.status_code == 400


def test_stale_and_future_timestamps_are_refused(wechat, running_stack):
    openid = new_openid()
    for skew in (-301, +301, -86400):
        response = wechat.post_plain(
            text_message(openid, "你好"), timestamp=int(time.time()) + skew
        )
        assert response.status_code == 403, skew
    assert user_texts(running_stack, openid) == []


def test_oversized_and_malformed_xml_is_refused(wechat, running_stack):
    openid = new_openid()
    big = text_message(openid, "好" * 30000)  # 90 kB of UTF-8, above the 64 KiB limit
    assert wechat.post_plain(big).status_code == 413
    for body in (
        "<xml><Content>unclosed",
        "no xml",
        "<xml><a>&nope;</a></xml>",
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f"<xml><FromUserName>{openid}</FromUserName><MsgType>text</MsgType>"
        "<Content>&b;</Content><MsgId>1</MsgId></xml>",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f"<xml><FromUserName>{openid}</FromUserName><Content>&e;</Content></xml>",
        "<xml><FromUserName>bad openid!</FromUserName><Content>hi</Content></xml>",
    ):
        assert wechat.post_plain(body).status_code == 400, body
    assert user_texts(running_stack, openid) == []


# --- WeChat's retries and the 5-second window ----------------------------------------------


def test_a_retried_message_is_answered_once(wechat, running_stack):
    openid = new_openid()
    message = text_message(openid, "谢谢你", msg_id=880011223344)
    first = wechat.say(message)
    assert first.content == "不客气，很高兴能帮到您！"
    for _ in range(2):  # WeChat retries up to three times
        again, _ = wechat.post_encrypted(message)
        assert again.status_code == 200 and again.text == "success"
    assert user_texts(running_stack, openid) == ["谢谢你"]


def test_late_answers_go_through_the_customer_service_api(wechat, running_stack):
    """WeChat sent this 5 s ago (its timestamp): no time is left for a passive reply, so the
    channel acknowledges at once and sends the answer as a customer-service message."""
    standin = official_account()
    openid = new_openid()
    standin.expire_next = True  # the cached token is refused once: the channel fetches another
    started = time.monotonic()
    response, _ = wechat.post_encrypted(
        text_message(openid, "你好"), timestamp=int(time.time()) - 5
    )
    assert response.status_code == 200 and response.text == "success"
    assert time.monotonic() - started < 4.5
    [sent] = standin.wait_for(openid)
    assert sent == {
        "touser": openid,
        "msgtype": "text",
        "text": {"content": GREETING_ZH},
        "raw_utf8": True,
    }


def test_buttons_become_menu_links_that_send_their_payload(wechat):
    openid = new_openid()
    reply = wechat.say(text_message(openid, "你都能帮我干点啥"))
    assert reply.content.startswith("我可以帮您办理")
    links = [line for line in reply.content.splitlines() if "weixin://bizmsgmenu" in line]
    assert [line.rsplit(">", 2)[1].removesuffix("</a") for line in links] == [
        "预约挂号",
        "办件进度",
        "公交到站",
        "空气质量",
    ]
    air = links[3]
    menu_id = air.split("msgmenuid=")[1].split('"')[0]
    # Tapping the link: WeChat sends the title as text, with the menu id.
    answer = wechat.say(text_message(openid, "空气质量", menu_id=menu_id))
    assert "空气质量指数（AQI）" in answer.content


# --- one citizen: the mini-app login and the official account's push of the same openid ----


def mini_app_login(running_stack, openid: str) -> dict[str, str]:
    """The mini-program login of the citizen behind ``openid`` (the stand-in platform gives the
    same openid for the code); returns the session's headers."""
    official_account().codes["mini-" + openid] = openid
    login = requests.post(
        f"{running_stack.api_url}/api/v1/auth/login",
        json={"platform": "wechat", "code": "mini-" + openid},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['data']['token']}"}


def test_an_application_from_the_mini_app_is_seen_through_wechat_push(wechat, running_stack):
    from miniapp_api.identity import id_card_check_char

    openid = new_openid()
    headers = mini_app_login(running_stack, openid)
    body = "44010619900307123"
    submitted = requests.post(
        f"{running_stack.api_url}/api/v1/applications",
        headers=headers,
        json={
            "item_code": "residence_permit",
            "applicant_name": "李雷",
            "id_card": body + id_card_check_char(body),
        },
        timeout=30,
    )
    assert submitted.status_code == 201, submitted.text
    application = submitted.json()["data"]
    reply = wechat.say(text_message(openid, "我的居住证办到哪一步了"))
    assert "目前处于「已提交」阶段" in reply.content
    assert application["number"] in reply.content or application["display_number"] in reply.content


def test_an_appointment_booked_in_the_mini_app_is_listed_through_wechat_push(wechat, running_stack):
    openid = new_openid()
    headers = mini_app_login(running_stack, openid)
    api = f"{running_stack.api_url}/api/v1"
    [hospital] = requests.get(f"{api}/hospitals", params={"q": "协和医院"}, timeout=30).json()[
        "data"
    ]["items"]
    department = requests.get(
        f"{api}/departments", params={"q": "皮肤科", "hospital_id": hospital["id"]}, timeout=30
    ).json()["data"]["items"][0]
    slot = requests.get(
        f"{api}/slots", params={"department_id": department["id"], "available": "true"}, timeout=30
    ).json()["data"]["items"][0]
    patient = requests.post(
        f"{api}/patients",
        headers=headers,
        timeout=30,
        json={"name": "韩梅梅", "id_card": "11010519491231002X", "phone": "13700001234"},
    ).json()["data"]
    booked = requests.post(
        f"{api}/appointments",
        headers=headers,
        timeout=30,
        json={"slot_id": slot["id"], "patient_id": patient["id"]},
    )
    assert booked.status_code == 201, booked.text
    queue_number = booked.json()["data"]["queue_number"]
    reply = wechat.say(text_message(openid, "我挂了哪些号"))
    assert reply.content.startswith("您有1个有效预约")
    assert f"第{queue_number}号（韩梅梅）" in reply.content
    assert "协和医院" in reply.content


def test_a_signed_url_replayed_with_another_message_is_refused(wechat, running_stack):
    """The same timestamp and nonce with a different message (another FromUserName) is a
    replay of a captured URL: refused, and the forged openid is never heard."""
    victim, mallory = new_openid(), new_openid()
    query = wechat.query()
    first, _ = wechat.post_encrypted(text_message(victim, "谢谢"), query=query)
    assert first.status_code == 200
    replayed, _ = wechat.post_encrypted(text_message(mallory, "我挂了哪些号"), query=query)
    assert replayed.status_code == 403
    assert user_texts(running_stack, mallory) == []


def test_the_push_conversation_is_proven_by_the_channel(wechat):
    """After its signature and AES checks the channel vouches for the openid: the actions act
    for that citizen (a guest would be asked to sign in)."""
    reply = wechat.say(text_message(new_openid(), "我挂了哪些号"))
    assert reply.content == "您目前没有有效的预约。"
