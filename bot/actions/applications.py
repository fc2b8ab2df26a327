"""Application progress, the materials to bring or supplement, and how to apply."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .answers import BareAnswerForm, place_named
from .api_client import ApiRefused, CitizenApi, SignInRequired
from .base import ApiAction, latest_entity
from .verification import is_hotline

NOT_FOUND = 404
# "您想了解哪个事项？" asked and not answered yet: a rule opens its form, whose slot takes the bare
# answer ("居住证吧", "the business licence") and whose validation resolves it in the catalog.
ITEM_QUESTION = "item_question"
ITEM_FORM, ITEM_ANSWER = "service_item_form", "service_item_answer"
# What the catalog is searched with at most (an item's name is a few words).
ITEM_QUERY_LENGTH = 40


def _known_item(api: CitizenApi, code: Optional[str]) -> Optional[str]:
    """The item code if the catalog has it."""
    if not code:
        return None
    try:
        return api.catalog_item(code)["code"]
    except ApiRefused:
        return None


def status_arguments(application: Dict[str, Any]) -> Dict[str, Any]:
    """The codes and figures a status reply needs; the NLG endpoint words them."""
    return {
        "number": application["display_number"],
        "item_code": application["item_code"],
        "state": application["state"],
        "due_date": application["due_on"],
        "overdue": application["overdue"],
        "materials": application["missing_materials"],
        "reason": application["suspension_reason"],
    }


class ActionApplicationStatus(ApiAction):
    """Explains where an application stands.

    A logged-in citizen's own applications come first (by number, by service, or the list);
    otherwise a number plus the last four ID characters makes a guest query.
    """

    def name(self) -> Text:
        return "action_application_status"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        number, last4 = tracker.get_slot("application_number"), tracker.get_slot("id_last4")
        if number:
            return self._by_number(api, dispatcher, number, last4)
        try:
            mine = api.my_applications()
        except SignInRequired:
            if is_hotline(tracker.sender_id):
                raise  # a hotline caller is asked to prove who they are
            mine = []  # a guest asks by number and the last four ID characters
        item = latest_entity(tracker, "service_item")
        candidates = [a for a in mine if a["item_code"] == item] if item else mine
        if len(candidates) == 1:
            dispatcher.utter_message(
                response="utter_application_status", **status_arguments(candidates[0])
            )
        elif candidates:
            dispatcher.utter_message(
                response="utter_application_list",
                applications=[
                    {
                        "number": a["display_number"],
                        "item_code": a["item_code"],
                        "state": a["state"],
                    }
                    for a in candidates
                ],
            )
        else:
            dispatcher.utter_message(response="utter_ask_application_number")
        return []

    @staticmethod
    def _by_number(
        api: CitizenApi, dispatcher: CollectingDispatcher, number: str, last4: Optional[str]
    ) -> List[Dict[Text, Any]]:
        try:
            application = api.my_application(number)
        except (ApiRefused, SignInRequired) as refused:
            if isinstance(refused, ApiRefused) and refused.status != NOT_FOUND:
                raise
            if not last4:
                dispatcher.utter_message(response="utter_ask_id_last4")
                return []
            try:
                application = api.guest_lookup(number, last4)
            except ApiRefused:
                dispatcher.utter_message(response="utter_application_not_found")
                return [SlotSet("application_number", None), SlotSet("id_last4", None)]
        dispatcher.utter_message(
            response="utter_application_status", **status_arguments(application)
        )
        return []


class ActionApplicationMaterials(ApiAction):
    """What to bring for a service, or what an application still needs (supplement)."""

    def name(self) -> Text:
        return "action_application_materials"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        item = _known_item(api, latest_entity(tracker, "service_item"))
        if item:
            dispatcher.utter_message(response="utter_item_materials", item_code=item)
            return []
        waiting = [a for a in api.my_applications() if a["state"] == "supplement_requested"]
        if waiting:
            for application in waiting:
                dispatcher.utter_message(
                    response="utter_application_status", **status_arguments(application)
                )
        else:
            dispatcher.utter_message(response="utter_ask_service_item")
        return []


class ActionHowToApply(ApiAction):
    """How to apply for a service item, from the catalog."""

    def name(self) -> Text:
        return "action_how_to_apply"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        item = tracker.get_slot(ITEM_ANSWER) or _known_item(
            api, latest_entity(tracker, "service_item")
        )
        if not item:
            dispatcher.utter_message(response="utter_ask_service_item")
            # Asked in its form (a rule opens it), unless another form is asking already.
            return [] if tracker.active_loop_name else [SlotSet(ITEM_QUESTION, True)]
        dispatcher.utter_message(response="utter_how_to_apply", item_code=item)
        return [SlotSet(ITEM_QUESTION, None), SlotSet(ITEM_ANSWER, None)]


class ActionAskServiceItemAnswer(ApiAction):
    """ "您想了解哪个事项？", asked by its form (again after an answer the catalog does not have)."""

    def name(self) -> Text:
        return f"action_ask_{ITEM_ANSWER}"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_ask_service_item")
        return []


class ValidateServiceItemForm(BareAnswerForm):
    """The item, after "您想了解哪个事项？": its name as NLU found it, or the answer's words
    searched in the catalog ("居住证吧", "个体户营业执照", "the business licence")."""

    form, slot = ITEM_FORM, ITEM_ANSWER
    own_intents = frozenset({"ask_how_to_apply", "ask_application_materials"})
    question_slots = (ITEM_QUESTION,)

    @staticmethod
    def found(tracker: Tracker) -> Optional[Dict[str, Any]]:
        """The catalog's best item for the answer, or None."""
        api = CitizenApi.for_tracker(tracker)
        if code := _known_item(api, latest_entity(tracker, "service_item")):
            return {"code": code, "exact": True}
        words = place_named((tracker.latest_message or {}).get("text") or "")
        if not words or len(words) > ITEM_QUERY_LENGTH:
            return None
        items = api.catalog_search(words)
        if not items:
            return None
        names = {str(items[0].get(key) or "").lower() for key in ("name", "name_zh", "name_en")}
        return {"code": items[0]["code"], "exact": words.lower() in names}

    def is_a_name(self, tracker: Tracker) -> bool:
        found = self.found(tracker)
        return bool(found and found["exact"])

    def validate_service_item_answer(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        found = self.found(tracker)
        return {self.slot: found["code"] if found else None}
