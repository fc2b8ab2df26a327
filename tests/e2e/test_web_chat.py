"""The web chat page and the mini-app chat endpoint against the running system.

The browser test drives Debian's Chromium with Playwright: load the page, talk in each
language, tap a button and a quick reply, share a location, reload and find the conversation
again, and walk the focus order. Screenshots are kept in ``var/test-artifacts/``.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.edge import RASA_TOKEN

from .browser import ARTIFACTS, TIANHE_STATION

pytestmark = pytest.mark.e2e


# --- the chat endpoint, through the API to Rasa ------------------------------------------


def web_session(stack) -> dict:
    response = requests.post(f"{stack.api_url}/api/v1/chat/session", timeout=30)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def chat(stack, headers, **body) -> requests.Response:
    return requests.post(f"{stack.api_url}/api/v1/chat", headers=headers, json=body, timeout=60)


def test_mini_app_chat_in_each_language_with_buttons_and_location(running_stack):
    headers = web_session(running_stack)
    zh = chat(running_stack, headers, text="你好呀")
    assert zh.status_code == 200, zh.text
    assert zh.json()["data"]["replies"] == [{"text": "您好！我是市民助手，请问有什么可以帮您？"}]
    menu = chat(running_stack, headers, payload="/help", title="What can you do?", lang="en")
    [reply] = menu.json()["data"]["replies"]
    titles = [b["title"] for b in reply["buttons"]]
    assert titles == [
        "Hospital appointments",
        "Application progress",
        "Bus arrivals",
        "Air quality",
    ]
    air_button = reply["buttons"][3]
    air = chat(
        running_stack,
        headers,
        payload=air_button["payload"],
        title=air_button["title"],
        lang="en",
        location=TIANHE_STATION,
    )
    [answer] = air.json()["data"]["replies"]
    assert answer["text"].startswith("Air quality in Tianhe Vocational Kindergarten now: AQI")
    turns = requests.get(
        f"{running_stack.api_url}/api/v1/chat/history", headers=headers, timeout=30
    ).json()["data"]["turns"]
    assert [t["role"] for t in turns] == ["citizen", "bot"] * 3
    assert turns[2]["text"] == "What can you do?"  # the button's title, not its payload


def test_a_mini_app_login_chats_as_its_wechat_identity(running_stack):
    """Mini-app login (jscode2session) and the chat endpoint speak in wechat:<openid>."""
    from tests.wechat_standin import official_account

    openid = "o" + uuid.uuid4().hex[:27]
    official_account().codes["mini-code-" + openid] = openid
    login = requests.post(
        f"{running_stack.api_url}/api/v1/auth/login",
        json={"platform": "wechat", "code": "mini-code-" + openid},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
    assert chat(running_stack, headers, text="谢谢").status_code == 200
    tracker = requests.get(
        f"{running_stack.rasa_url}/conversations/wechat:{openid}/tracker",
        params=RASA_TOKEN,
        timeout=30,
    ).json()
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["谢谢"]


# --- the page in a real browser ---------------------------------------------------------


def bot_texts(page) -> list[str]:
    return page.locator(".turn.bot .bubble").all_inner_texts()


def wait_for_bot_text(page, count: int) -> None:
    # Locator waits: the page's CSP forbids the string evaluation wait_for_function would use.
    page.locator(".turn.bot .bubble").nth(count - 1).wait_for(timeout=60_000)


def test_the_page_in_chromium(page, running_stack, tmp_path):
    from playwright.sync_api import expect

    page.goto(f"{running_stack.api_url}/")
    assert page.locator("h1").inner_text() == "市民助手"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    box = page.get_by_label("输入消息")

    # Chinese: type and send with Enter.
    box.fill("你好呀")
    box.press("Enter")
    wait_for_bot_text(page, 2)
    assert bot_texts(page)[-1] == "您好！我是市民助手，请问有什么可以帮您？"
    assert page.evaluate("document.activeElement.id") == "text"
    page.screenshot(path=str(ARTIFACTS / "webchat-zh.png"))

    # Markup typed by the citizen is shown as text, never run.
    hostile = "<img src=x onerror=\"document.title='pwned'\">你好"
    box.fill(hostile)
    box.press("Enter")
    wait_for_bot_text(page, 3)
    assert page.locator(".turn.me .bubble").last.inner_text() == hostile
    assert page.locator("#log img").count() == 0 and page.title() == "市民助手"

    # Switch to English, ask, then tap a quick reply and a button of the answer.
    switch = page.get_by_role("button", name="English")  # its name is its visible text
    assert switch.get_attribute("lang") == "en" and switch.get_attribute("title") == "切换为英文"
    switch.click()
    assert page.locator("h1").inner_text() == "Citizen Assistant"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Your message").fill("hello there")
    page.get_by_role("button", name="Send").click()
    wait_for_bot_text(page, 4)
    assert bot_texts(page)[-1] == "Hello! I'm the Citizen Assistant. How can I help you?"
    page.get_by_role("button", name="What can you do?").click()
    wait_for_bot_text(page, 5)
    assert bot_texts(page)[-1].startswith("I can help you with:")
    page.screenshot(path=str(ARTIFACTS / "webchat-buttons.png"), full_page=False)

    # Share the location, then a button: the answer is for the nearest station.
    page.get_by_role("button", name="Share my location").click()
    expect(page.locator("#locate")).to_have_attribute("aria-pressed", "true")
    assert page.get_by_role("status").inner_text().startswith("Location shared")
    page.locator(".turn.bot").last.get_by_role("button", name="Air quality").click()
    wait_for_bot_text(page, 6)
    assert bot_texts(page)[-1].startswith("Air quality in Tianhe Vocational Kindergarten now")
    page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
    page.screenshot(path=str(tmp_path / "webchat.png"), full_page=True)

    # A reload keeps the conversation and the language.
    page.reload()
    page.locator(".turn.me").nth(4).wait_for(timeout=30_000)
    assert page.locator("h1").inner_text() == "Citizen Assistant"
    mine = page.locator(".turn.me .bubble").all_inner_texts()
    assert mine[:5] == ["你好呀", hostile, "hello there", "What can you do?", "Air quality"]
    assert page.locator("#log img").count() == 0
    assert "Hello! I'm the Citizen Assistant. How can I help you?" in bot_texts(page)

    # Keyboard: the focus goes through the controls in reading order.
    page.locator("h1").click()
    order = []
    while "send" not in order and len(order) < 60:
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert order[:2] == ["lang-switch", "log"]
    assert order[-3:] == ["locate", "text", "send"]
    assert set(order[2:-3]) <= {"option", "chip"}  # the answers' buttons, then quick replies
    assert page.problems == []  # no script error, no Content Security Policy violation
