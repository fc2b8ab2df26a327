"""End to end: book, list, reschedule and cancel over the REST channel, in both languages,
then see the same state through the mini-app API."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
import requests


from .booking import PERIOD_ZH, api, free_cardiology_slot
from .conversation import say
from tests.edge import RASA_TOKEN

pytestmark = pytest.mark.e2e
ID_CARD = "11010519491231002X"


def click(stack, sender, reply, title):
    button = next(b for b in reply["buttons"] if b["title"] == title)
    return say(stack, sender, button["payload"])


def test_booking_in_chinese_list_reschedule_cancel(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    free = free_cardiology_slot(running_stack, sender)
    day = date.fromisoformat(free["date"])
    spoken_day = f"{day.month}月{day.day}号"
    [ask_doctor] = say(running_stack, sender,
                       f"帮我挂{spoken_day}{PERIOD_ZH[free['period']]}协和医院心内科的号")
    assert "您想挂哪一位" in ask_doctor["text"], ask_doctor
    assert "任意医生" in [b["title"] for b in ask_doctor["buttons"]]
    [ask_name] = click(running_stack, sender, ask_doctor, "任意医生")
    assert "就诊人的姓名" in ask_name["text"]
    [ask_id] = say(running_stack, sender, "我叫王小明")
    assert "身份证号码" in ask_id["text"]
    [ask_phone] = say(running_stack, sender, ID_CARD)
    assert "手机号码" in ask_phone["text"]
    [confirm] = say(running_stack, sender, "13800138000")
    assert confirm["text"].startswith("请确认预约：协和医院心内科")
    assert "就诊人王小明" in confirm["text"]
    assert ID_CARD not in confirm["text"]
    [booked] = click(running_stack, sender, confirm, "确认预约")
    assert booked["text"].startswith("预约成功！王小明：协和医院心内科")
    [mine] = api(running_stack, sender, "/appointments")["items"]
    assert f"您是第{mine['queue_number']}号" in booked["text"]
    assert mine["slot"]["hospital"]["address"] in booked["text"]
    assert mine["patient"]["id_card"] != ID_CARD  # masked in the mini-app API too
    # What Rasa keeps of the conversation holds the numbers masked only.
    stored = json.dumps(requests.get(f"{running_stack.rasa_url}/conversations/{sender}/tracker",
                                     params=RASA_TOKEN, timeout=10).json(), ensure_ascii=False)
    assert "我叫王小明" in stored
    assert ID_CARD not in stored and "13800138000" not in stored
    assert "110**************X" in stored

    [listed] = say(running_stack, sender, "我挂了哪些号")
    assert listed["text"].startswith("您有1个有效预约")
    assert f"第{mine['queue_number']}号（王小明）" in listed["text"]

    other = next(p for p in PERIOD_ZH if p != free["period"])
    [changed] = say(running_stack, sender, f"换成{PERIOD_ZH[other]}")
    [after] = api(running_stack, sender, "/appointments")["items"]
    if changed["text"].startswith("已改约"):
        assert after["slot"]["period"] == other and after["id"] != mine["id"]
    else:
        assert "原来的预约" in changed["text"] and after["id"] == mine["id"]

    [cancelled] = say(running_stack, sender, f"取消我{spoken_day}的预约")
    assert cancelled["text"].startswith("已取消王小明在")
    assert api(running_stack, sender, "/appointments")["items"] == []
    history = api(running_stack, sender, "/appointments", status="all")["items"]
    assert {a["status"] for a in history} <= {"cancelled", "rescheduled"}
    assert after["id"] in {a["id"] for a in history if a["status"] == "cancelled"}


def test_english_booking_asks_the_hospital_then_stops_on_request(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    [ask_hospital] = say(running_stack, sender, "I need to see a dermatologist on Friday")
    assert ask_hospital["text"].startswith("These hospitals have that department. "
                                           "Which hospital"), ask_hospital
    assert len(ask_hospital["buttons"]) >= 2
    replies = click(running_stack, sender, ask_hospital, ask_hospital["buttons"][0]["title"])
    assert replies[-1]["text"], replies
    [stopped] = say(running_stack, sender, "never mind, forget it")
    assert stopped["text"] == "OK, I haven't booked anything."
    assert api(running_stack, sender, "/appointments")["items"] == []


def test_another_question_mid_booking_then_the_booking_goes_on(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    [ask_department] = say(running_stack, sender, "我想挂协和医院的号")
    assert "您想挂协和医院的哪个科室" in ask_department["text"]
    air, again = say(running_stack, sender, "对了，今天空气怎么样")
    assert "空气质量指数" in air["text"]
    assert again["text"] == ask_department["text"]
    [next_question] = say(running_stack, sender, "心内科")
    assert "哪一天" in next_question["text"] or "约满" in next_question["text"]


def test_corrections_mid_form_and_another_doctor_after_booking(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    free = free_cardiology_slot(running_stack, sender)
    day = date.fromisoformat(free["date"])
    other = next(p for p in PERIOD_ZH if p != free["period"])
    [ask_doctor] = say(running_stack, sender,
                       f"我要挂协和医院心内科{day.month}月{day.day}号{PERIOD_ZH[other]}的号")
    # Whatever that period offers, correcting it to the free one asks for the doctor again.
    replies = say(running_stack, sender, f"不对，换成{PERIOD_ZH[free['period']]}")
    assert "您想挂哪一位" in replies[-1]["text"], replies
    doctor_button = next(b for b in replies[-1]["buttons"] if b["title"] != "任意医生")
    [ask_name] = say(running_stack, sender, doctor_button["payload"])
    assert "就诊人的姓名" in ask_name["text"]
    say(running_stack, sender, "李小红")
    say(running_stack, sender, ID_CARD)
    [confirm] = say(running_stack, sender, "13900001111")
    assert confirm["text"].startswith("请确认预约")
    [booked] = say(running_stack, sender, "好的，确认")
    assert booked["text"].startswith("预约成功！李小红")
    [before] = api(running_stack, sender, "/appointments")["items"]
    [changed] = say(running_stack, sender, "换个医生吧")
    [after] = api(running_stack, sender, "/appointments")["items"]
    if changed["text"].startswith("已改约"):
        assert after["slot"]["doctor"]["id"] != before["slot"]["doctor"]["id"]
        assert after["slot"]["date"] == before["slot"]["date"]
    else:
        assert after["id"] == before["id"]
