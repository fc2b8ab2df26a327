"""Application actions with a real Tracker, against the API over HTTP (demo data seeded)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.applications import (
    ActionApplicationMaterials,
    ActionApplicationStatus,
    ActionHowToApply,
    ValidateServiceItemForm,
)
from miniapp_api.applications import numbers
from tests.demo_applications import ALICE_LICENCE, WANG_CARD, WANG_PERMIT

from .trackers import form_answer_tracker, run, tracker_for


def entity(name, value):
    return {"entity": name, "value": value}


def with_slots(tracker, **slots):
    tracker.slots.update(slots)
    return tracker


def test_citizen_with_several_applications_gets_the_list(live_api):
    _, [message] = run(
        ActionApplicationStatus(),
        tracker_for("web:demo-wang", "我的申请办到哪了", "ask_application_status"),
    )
    assert message["response"] == "utter_application_list"
    assert {a["item_code"] for a in message["applications"]} == {
        "residence_permit",
        "social_security_card",
    }


def test_named_service_picks_the_citizens_application(live_api):
    tracker = tracker_for(
        "web:demo-wang",
        "我的居住证办到哪一步了",
        "ask_application_status",
        [entity("service_item", "residence_permit")],
    )
    _, [message] = run(ActionApplicationStatus(), tracker)
    assert message["response"] == "utter_application_status"
    assert (message["state"], message["item_code"]) == ("under_review", "residence_permit")
    assert message["number"] == numbers.display(WANG_PERMIT["number"])
    assert message["due_date"] and message["overdue"] is False


def test_suspended_application_carries_its_reason(live_api):
    tracker = tracker_for(
        "web:demo-alice",
        "status of my business licence",
        "ask_application_status",
        [entity("service_item", "individual_business_licence")],
    )
    _, [message] = run(ActionApplicationStatus(), tracker)
    assert message["state"] == "suspended"
    assert message["reason"] == "Site inspection scheduled with the applicant"


def test_guest_needs_number_and_last_four(live_api):
    number = ALICE_LICENCE["number"].lower()
    ask = tracker_for(
        "hotline:13900001111",
        f"查一下 {number}",
        "ask_application_status",
        [entity("application_number", number)],
        proven=False,
    )
    with_slots(ask, application_number=number)
    assert run(ActionApplicationStatus(), ask)[1] == [{"response": "utter_ask_id_last4"}]
    wrong = with_slots(
        tracker_for("hotline:13900001111", "后四位 0000", "provide_application_info", proven=False),
        application_number=number,
        id_last4="0000",
    )
    events, messages = run(ActionApplicationStatus(), wrong)
    assert messages == [{"response": "utter_application_not_found"}]
    assert events == [SlotSet("application_number", None), SlotSet("id_last4", None)]
    right = with_slots(
        tracker_for("hotline:13900001111", "后四位", "provide_application_info", proven=False),
        application_number=number,
        id_last4=ALICE_LICENCE["id_card"][-4:],
    )
    _, [message] = run(ActionApplicationStatus(), right)
    assert message["response"] == "utter_application_status"
    assert message["state"] == "suspended"


def test_another_citizens_number_without_last_four_reveals_nothing(live_api):
    tracker = with_slots(
        tracker_for("web:demo-wang", "GZ...", "provide_application_info"),
        application_number=ALICE_LICENCE["number"],
    )
    assert run(ActionApplicationStatus(), tracker)[1] == [{"response": "utter_ask_id_last4"}]


def test_nobody_known_is_asked_for_the_number(live_api):
    _, messages = run(
        ActionApplicationStatus(), tracker_for("web:nobody", "进度", "ask_application_status")
    )
    assert messages == [{"response": "utter_ask_application_number"}]


def test_materials_for_a_service_and_for_a_supplement(live_api):
    _, messages = run(
        ActionApplicationMaterials(),
        tracker_for(
            "web:x",
            "办社保卡要带什么",
            "ask_application_materials",
            [entity("service_item", "social_security_card")],
        ),
    )
    assert messages == [{"response": "utter_item_materials", "item_code": "social_security_card"}]
    _, [message] = run(
        ActionApplicationMaterials(),
        tracker_for("web:demo-wang", "还要补什么材料", "ask_application_materials"),
    )
    assert message["state"] == "supplement_requested"
    assert message["materials"] == WANG_CARD["steps"][0]["materials"]


@pytest.mark.parametrize(
    "entities, expected",
    [
        (
            [entity("service_item", "marriage_registration")],
            [{"response": "utter_how_to_apply", "item_code": "marriage_registration"}],
        ),
        ([entity("service_item", "no_such_item")], [{"response": "utter_ask_service_item"}]),
        ([], [{"response": "utter_ask_service_item"}]),
    ],
)
def test_how_to_apply(live_api, entities, expected):
    tracker = tracker_for("web:x", "怎么办理", "ask_how_to_apply", entities)
    assert run(ActionHowToApply(), tracker)[1] == expected


def test_how_to_apply_asks_in_its_form_and_the_bare_answer_is_looked_up(live_api):
    """ "怎么办理" — "您想了解哪个事项？" — "居住证吧" / "the marriage registration one"."""
    events, messages = run(ActionHowToApply(), tracker_for("web:x", "怎么办理", "ask_how_to_apply"))
    assert messages == [{"response": "utter_ask_service_item"}]
    assert events == [SlotSet("item_question", True)]
    for text, code in (
        ("居住证吧", "residence_permit"),
        ("the marriage registration one", "marriage_registration"),
        ("社保卡啊", "social_security_card"),
    ):
        tracker = form_answer_tracker(
            "web:x", "service_item_form", "service_item_answer", text, "nlu_fallback", 0.3
        )
        events, _ = run(ValidateServiceItemForm(), tracker)
        assert SlotSet("service_item_answer", code) in events, (text, events)
        answered = with_slots(tracker_for("web:x", text, "nlu_fallback"), service_item_answer=code)
        events, [message] = run(ActionHowToApply(), answered)
        assert message == {"response": "utter_how_to_apply", "item_code": code}
        assert SlotSet("item_question", None) in events


def test_an_answer_the_catalog_does_not_have_is_asked_again(live_api):
    tracker = form_answer_tracker(
        "web:x", "service_item_form", "service_item_answer", "火星签证", "nlu_fallback", 0.3
    )
    events, _ = run(ValidateServiceItemForm(), tracker)
    assert SlotSet("service_item_answer", None) in events


def test_never_mind_drops_the_item_question(live_api):
    tracker = form_answer_tracker(
        "web:x", "service_item_form", "service_item_answer", "算了", "deny", 0.9
    )
    events, _ = run(ValidateServiceItemForm(), tracker)
    assert SlotSet("item_question", None) in events
    assert SlotSet("requested_slot", None) in events
