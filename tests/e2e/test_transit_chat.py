"""End to end: buses over the REST channel, in both languages."""

from __future__ import annotations

import uuid

import pytest

from .conversation import say

pytestmark = pytest.mark.e2e
ZHUJIANG_NEW_TOWN = {"latitude": 23.1190, "longitude": 113.3215}


def sender() -> str:
    return f"web:e2e-bus-{uuid.uuid4().hex[:8]}"


def test_next_bus_in_chinese(running_stack):
    [reply] = say(running_stack, sender(), "55路还有几分钟到天河客运站")
    assert reply["text"].startswith("天河客运站：")
    assert "55路（开往" in reply["text"] or "接下来一小时没有车到站" in reply["text"]


def test_next_bus_in_english_names_the_stop_in_english(running_stack):
    [reply] = say(running_stack, sender(), "When is the next bus at Zhujiang New Town?")
    assert reply["text"].startswith("Zhujiang New Town: ")
    assert "route " in reply["text"] or "no buses" in reply["text"]


def test_nearby_stops_from_the_shared_location_then_tap_one(running_stack):
    citizen = sender()
    [nearby] = say(running_stack, citizen, "附近有什么公交站", location=ZHUJIANG_NEW_TOWN)
    assert nearby["text"].startswith("附近的公交站：")
    assert nearby["buttons"]
    [board] = say(running_stack, citizen, nearby["buttons"][0]["payload"])
    assert board["text"].startswith(nearby["buttons"][0]["title"] + "：")


def test_which_routes_go_to_a_place(running_stack):
    [reply] = say(running_stack, sender(), "去体育中心坐几路")
    assert reply["text"].startswith("去体育中心可以坐：")
    assert "路" in reply["text"]


# --- bare answers to the bot's questions (issue #21): the stack's NLU, forms and actions ------
def said(message_id: str, locale: str, **arguments) -> str:
    """The sentence the catalogs hold for ``message_id`` (there must be one)."""
    from miniapp_api.i18n import translate

    text = translate(message_id, locale, **arguments)
    assert text != message_id, f"{message_id} is not in the {locale} catalog"
    return text


def test_a_bare_stop_name_after_which_stop_gives_the_next_buses(running_stack):
    citizen = sender()
    [question] = say(running_stack, citizen, "下一班55路什么时候来")
    assert question["text"] == said("utter_ask_stop", "zh_CN")
    [board] = say(running_stack, citizen, "珠江新城")
    assert board["text"].startswith("珠江新城：")
    assert "55路" in board["text"] or "接下来一小时没有车到站" in board["text"]


def test_a_bare_stop_name_in_english(running_stack):
    citizen = sender()
    [question] = say(running_stack, citizen, "when's the 55 getting here?")
    assert question["text"] == said("utter_ask_stop", "en")
    [board] = say(running_stack, citizen, "sports centre")
    assert board["text"].startswith("Sports Center: ")


def test_a_name_of_several_stops_offers_them_and_an_ordinal_picks_one(running_stack):
    citizen = sender()
    say(running_stack, citizen, "下一班车几点到站")
    [which] = say(running_stack, citizen, "天河")
    assert which["text"] == said("utter_ask_which_stop", "zh_CN")
    titles = [b["title"] for b in which["buttons"]]
    assert set(titles) == {"天河城", "天河客运站"}
    [board] = say(running_stack, citizen, "第二个")
    assert board["text"].startswith(titles[1] + "：")


def english_which_stop(stack, citizen: str) -> list[str]:
    """An English conversation asked which stop, offering buttons: the demo feed's English
    names are never alike, so the stop is named as its sign writes it (the replies stay in
    English: the message's ``lang``). The buttons' titles."""
    say(stack, citizen, "when's the 55 getting here?")
    [which] = say(stack, citizen, "天河", lang="en")
    assert which["text"] == said("utter_ask_which_stop", "en")
    return [b["title"] for b in which["buttons"]]


@pytest.mark.parametrize("answer, index", [("yes, that one", 0), ("the second one", 1)])
def test_which_stop_in_english_answered_by_pointing_or_counting(running_stack, answer, index):
    citizen = sender()
    titles = english_which_stop(running_stack, citizen)
    assert set(titles) == {"Tianhe City", "Tianhe Coach Terminal"}
    [board] = say(running_stack, citizen, answer)
    assert board["text"].startswith(titles[index] + ": ")


@pytest.mark.parametrize("answer, index", [("第二個", 1), ("呢個", 0), ("嗰個", 0)])
def test_which_stop_answered_in_cantonese(running_stack, answer, index):
    citizen = sender()
    say(running_stack, citizen, "下一班车几点到站")
    [which] = say(running_stack, citizen, "天河")
    titles = [b["title"] for b in which["buttons"]]
    # Replied in simplified script, as the buttons were (the message's lang decides first).
    [board] = say(running_stack, citizen, answer, lang="zh_CN")
    assert board["text"].startswith(titles[index] + "：")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_buttons_title_typed_instead_of_tapped(running_stack, language):
    citizen = sender()
    if language == "en":
        typed = english_which_stop(running_stack, citizen)[-1]
    else:
        say(running_stack, citizen, "下一班车几点到站")
        [which] = say(running_stack, citizen, "天河")
        typed = which["buttons"][-1]["title"]
    [board] = say(running_stack, citizen, typed)
    assert board["text"].startswith(typed + (": " if language == "en" else "："))


def test_a_bare_place_after_where_gives_the_stops_nearby(running_stack):
    citizen = sender()
    [question] = say(running_stack, citizen, "这附近哪有公交站")
    assert question["text"] == said("utter_ask_location", "zh_CN")
    [nearby] = say(running_stack, citizen, "我在珠江新城")
    assert nearby["text"].startswith("附近的公交站：") and nearby["buttons"]


def test_a_bare_place_in_english(running_stack):
    citizen = sender()
    [question] = say(running_stack, citizen, "bus stops close to me?")
    assert question["text"] == said("utter_ask_location", "en")
    [nearby] = say(running_stack, citizen, "near Canton Tower")
    assert nearby["text"].startswith("Bus stops nearby: ")


@pytest.mark.parametrize(
    "question, answer, locale, routes_to",
    [
        ("我要坐公交，坐几路好", "去体育中心", "zh_CN", "去体育中心可以坐："),
        ("which bus should I take", "to the sports centre", "en", "To get to sports centre"),
    ],
)
def test_a_bare_destination_gives_the_routes_there(
    running_stack, question, answer, locale, routes_to
):
    citizen = sender()
    [asked] = say(running_stack, citizen, question)
    assert asked["text"] == said("utter_ask_destination", locale)
    [routes] = say(running_stack, citizen, answer)
    assert routes["text"].startswith(routes_to)


@pytest.mark.parametrize(
    "answer, locale",
    [("那算了吧", "zh_CN"), ("取消", "zh_CN"), ("唔使喇", "zh_CN"), ("oh never mind then", "en")],
)
def test_forget_it_instead_of_the_stop_drops_the_question(running_stack, answer, locale):
    citizen = sender()
    question = "下一班55路什么时候来" if locale == "zh_CN" else "when's the 55 getting here?"
    say(running_stack, citizen, question)
    [dropped] = say(running_stack, citizen, answer)
    assert dropped["text"] == said("utter_transit_dropped", locale)
    # Nothing is asked any more: a stop's name alone is no longer an answer.
    [reply] = say(running_stack, citizen, "珠江新城")
    assert not reply["text"].startswith("珠江新城：")


def test_another_request_instead_of_the_stop_is_answered_and_the_question_left(running_stack):
    citizen = sender()
    say(running_stack, citizen, "下一班55路什么时候来")
    replies = say(running_stack, citizen, "现在外面空气质量好不好")
    assert said("utter_ask_stop", "zh_CN") not in [r.get("text") for r in replies]
    assert any("空气" in (r.get("text") or "") or "AQI" in (r.get("text") or "") for r in replies)
    [reply] = say(running_stack, citizen, "珠江新城")
    assert not reply["text"].startswith("珠江新城：")
