"""End to end: the three processes, real HTTP between them, a conversation in each language."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.edge import bot_headers

from .conversation import say, texts

pytestmark = pytest.mark.e2e


def test_chinese_conversation_for_a_known_citizen(running_stack):
    sender = "web:demo-wang"
    assert texts(say(running_stack, sender, "你好呀")) == [
        "王小明，您好！我是市民助手，请问有什么可以帮您？"
    ]
    help_reply = say(running_stack, sender, "你都能帮我干点啥")
    assert help_reply[0]["text"].startswith(
        "我可以帮您办理：预约挂号、办件进度、公交到站、空气质量"
    )
    assert [b["title"] for b in help_reply[0]["buttons"]] == [
        "预约挂号",
        "办件进度",
        "公交到站",
        "空气质量",
    ]
    assert texts(say(running_stack, sender, "好的 谢谢你")) == ["不客气，很高兴能帮到您！"]
    assert texts(say(running_stack, sender, "拜拜")) == ["再见，祝您生活愉快！有需要随时找我。"]


def test_english_conversation_and_switching_language(running_stack):
    sender = f"web:e2e-{uuid.uuid4().hex[:8]}"
    assert texts(say(running_stack, sender, "hello there")) == [
        "Hello! I'm the Citizen Assistant. How can I help you?"
    ]
    out_of_scope = say(running_stack, sender, "can you recommend a good movie tonight")
    assert out_of_scope[0]["text"].startswith(
        "Sorry, that is not something I can help with. What I can do: Hospital appointments"
    )
    assert [b["title"] for b in out_of_scope[0]["buttons"]][:2] == [
        "Hospital appointments",
        "Application progress",
    ]
    assert texts(say(running_stack, sender, "please reply in Chinese")) == [
        "好的，接下来我用中文和您交流。"
    ]
    # The choice made in chat outranks the script of later messages.
    assert texts(say(running_stack, sender, "thanks a lot")) == ["不客气，很高兴能帮到您！"]


def test_channel_metadata_language_comes_first(running_stack):
    sender = f"web:e2e-{uuid.uuid4().hex[:8]}"
    assert texts(say(running_stack, sender, "thanks", lang="zh_CN")) == ["不客气，很高兴能帮到您！"]


def test_the_api_and_bot_agree_on_the_citizen(running_stack):
    """The greeting came from the API's record: the action server really called it."""
    headers = bot_headers("web:demo-alice")
    me = requests.get(f"{running_stack.api_url}/api/v1/me", headers=headers, timeout=10).json()
    assert texts(say(running_stack, "web:demo-alice", "hi")) == [
        f"Hello {me['data']['display_name']}! I'm the Citizen Assistant. How can I help you?"
    ]


def test_a_long_conversation_keeps_getting_answers(running_stack):
    """Each reply is rendered from a slim view of the conversation, so length does not matter
    (the whole tracker once outgrew the API's request limit after about 28 turns)."""
    sender = f"web:e2e-long-{uuid.uuid4().hex[:8]}"
    for turn in range(40):
        replies = say(running_stack, sender, "谢谢你" if turn % 2 else "今天空气怎么样")
        assert replies and replies[-1].get("text"), (turn, replies)
