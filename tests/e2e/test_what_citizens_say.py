"""End to end: what citizens really write, through the running Rasa server (issue #21's
findings): traditional script and Cantonese answered as Mandarin is, complaints answered as
reports rather than application lookups, out of scope said honestly, and the reply in the
language the citizen writes unless they chose one. None of these texts is in the training data
or the held-out set."""

from __future__ import annotations

import re
import uuid

import pytest
from citizen_common.script import to_simplified

from .conversation import say, texts

pytestmark = pytest.mark.e2e

REPORT_ZH = "谢谢您反映。噪音、井盖、路灯、占道、垃圾这类城市问题由 12345 市民服务热线受理"
REPORT_EN = "Thank you for reporting it. City problems such as noise"
OUT_OF_SCOPE_ZH = "抱歉，这个我帮不上忙。我能帮您办的是：预约挂号、办件进度、公交到站、空气质量"
OUT_OF_SCOPE_EN = "Sorry, that is not something I can help with. What I can do: "


def same_but_for_formats(text: str) -> str:
    return re.sub(
        r"(上午|下午|晚上|凌晨|中午|午夜|清晨|早上)?\d{1,2}:\d{2}(:\d{2})?",
        "T",
        text.replace(" ", ""),
    )


def new_sender() -> str:
    return f"web:say-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize(
    "written, as_mandarin",
    [
        # Traditional script: the same booking, the same question back.
        ("我想掛下週三協和醫院皮膚科的號", "我想挂下周三协和医院皮肤科的号"),
        # Cantonese: "when is there a bus", with the route.
        ("55路幾點有車呀", "55路几点有车呀"),
        ("外面空氣點呀", "外面空气怎么样"),
        ("聽日上晝想睇皮膚科", "明天上午想看皮肤科"),
    ],
)
def test_traditional_script_and_cantonese_are_answered_as_mandarin_is(
    running_stack, written, as_mandarin
):
    answer = texts(say(running_stack, new_sender(), written))
    expected = texts(say(running_stack, new_sender(), as_mandarin))
    # The same answer; in traditional script to a citizen who writes it (with zh_Hant's own
    # date and time formats: "12月9日 週三", "晚上10:00:00").
    assert [same_but_for_formats(to_simplified(text)) for text in answer] == [
        same_but_for_formats(text) for text in expected
    ]
    if to_simplified(written) != written:
        assert answer != expected
    assert not any(to_simplified(text).startswith("抱歉，我没太明白") for text in answer), answer


@pytest.mark.parametrize(
    "thanks, reply_text",
    [
        ("唔該晒", "不客氣，很高興能幫到您！"),
        ("多谢你呀", "不客气，很高兴能帮到您！"),
        ("thx a lot m8", "You're welcome, glad I could help!"),
    ],
)
def test_thanks_in_cantonese_and_sms_english(running_stack, thanks, reply_text):
    assert texts(say(running_stack, new_sender(), thanks)) == [reply_text]


def test_traditional_replies_chosen_in_chat(running_stack):
    sender = new_sender()
    assert texts(say(running_stack, sender, "以后用繁体字回复我吧")) == [
        "好的，接下來我用繁體中文和您交流。"
    ]
    # Chosen: kept when the citizen writes simplified script again.
    assert texts(say(running_stack, sender, "谢谢你")) == ["不客氣，很高興能幫到您！"]


@pytest.mark.parametrize(
    "complaint, opening",
    [
        ("隔壁工地每天半夜十二点还在打桩，吵得根本睡不着", REPORT_ZH),
        ("我们小区门口那个井盖不见了，晚上很危险", REPORT_ZH),
        ("我屋企樓下嗰個巴士站嘅候車亭俾人打爛咗", REPORT_ZH),
        ("the bus shelter at my stop was smashed last night, glass everywhere", REPORT_EN),
    ],
)
def test_a_complaint_is_a_report_never_an_application_lookup(running_stack, complaint, opening):
    [reply] = say(running_stack, new_sender(), complaint)
    assert to_simplified(reply["text"]).startswith(opening), reply
    # A person is offered, and no application number is asked for.
    assert [b["payload"] for b in reply["buttons"]] == ["/handoff"]
    assert "申请编号" not in reply["text"] and "application number" not in reply["text"]


@pytest.mark.parametrize(
    "request_text, opening",
    [
        ("这周末广州会不会下雨啊", OUT_OF_SCOPE_ZH),
        ("帮我订一张去北京的机票", OUT_OF_SCOPE_ZH),
        ("what's the dollar to yuan rate today", OUT_OF_SCOPE_EN),
        ("translate 'good morning' into Japanese for me", OUT_OF_SCOPE_EN),
    ],
)
def test_out_of_scope_says_what_the_assistant_can_do_instead(running_stack, request_text, opening):
    [reply] = say(running_stack, new_sender(), request_text)
    assert reply["text"].startswith(opening), reply
    assert len(reply["buttons"]) == 4


def test_the_reply_is_in_the_language_the_citizen_writes_on_an_english_page(running_stack):
    chinese = texts(say(running_stack, new_sender(), "谢谢你帮我查这些", interface_lang="en"))
    assert chinese == ["不客气，很高兴能帮到您！"]
    english = texts(say(running_stack, new_sender(), "thanks for checking", interface_lang="zh_CN"))
    assert english == ["You're welcome, glad I could help!"]


def test_a_language_chosen_on_the_page_is_kept(running_stack):
    assert texts(say(running_stack, new_sender(), "谢谢你帮我查这些", lang="en")) == [
        "You're welcome, glad I could help!"
    ]
