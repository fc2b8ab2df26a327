"""Bare answers to the question just asked: "您在哪个站等车？" — "珠江新城"; "您说的是哪一个？" —
"第二个", "是这个", or a button's title typed instead of tapped.

The citizen's answer alone carries no intent NLU could know (a stop's name is not a request), so
a question that waits for one is a form: the action that cannot answer yet sets
``transit_question`` (or another service's question slot), a rule opens the form, the form asks,
and the answer's text fills the form's slot by a ``from_text`` mapping conditioned on that form
asking for that slot (bot/domain/). ``BareAnswerForm`` here is what such a form's
``validate_<form>`` shares:

- an answer that is clearly another request leaves the form and is answered as that request: a
  different intent at ``LEAVE_CONFIDENCE`` or more that is not an answer's (``ANSWER_INTENTS``
  and the form's own), unless the text is exactly a name the question accepts (a stop called
  like a request). The form ends (``ActiveLoop(None)``) and rejects the message
  (``ActionExecutionRejected``), so its ActionExecuted is not logged and the rules answer the
  message as if no question had been asked;
- "算了", "取消", "不用了", "never mind" (the words of words.yml's ``stops``, or NLU sure of
  ``STOP_INTENTS``) end the form with nothing taken and the question's slots emptied: the rules
  that follow the form (bot/data/) tell a dropped question from an answered one by those slots,
  and say so;
- anything else is the answer: ``validate_<slot>`` resolves it (through the API) and either
  accepts it, or leaves the slot empty with what the question asked again should say.

What the answer words mean (ordinals, "this one") is data: words.yml, section ``answers``.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from .api_client import ApiRefused, ApiUnavailable
from .base import NOT_UNDERSTOOD, SERVICE_UNAVAILABLE
from .words import pattern, words

logger = logging.getLogger(__name__)

# Intents a bare answer is often taken for: no request of its own ("珠江新城" is nlu_fallback,
# "the second one" inform_booking, "是这个" affirm).
ANSWER_INTENTS = frozenset({"nlu_fallback", "inform_booking", "affirm"})
# "算了", "取消", "不用了" as NLU reads them: the question is dropped (so are the words of
# words.yml's ``stops``, whatever NLU thought).
STOP_INTENTS = frozenset({"stop_booking", "cancel_appointment", "deny"})
# How sure NLU must be of another intent for the answer to be taken for that request instead.
LEAVE_CONFIDENCE = 0.8
# The ordinal that means the last choice.
LAST = -1

_APOSTROPHES = re.compile(r"['\u2019]")
_PUNCTUATION = re.compile(r"[^\w#]+")


def normalized(text: str) -> str:
    """Lower-cased, apostrophes dropped ("that's" is "thats"), other punctuation made spaces,
    spaces collapsed."""
    return " ".join(_PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text.lower())).split())


def _shortenings(text: str, before: re.Pattern, after: re.Pattern) -> Iterator[str]:
    """``text``, then ``text`` with what ``before`` and ``after`` match around it stripped,
    one at a time ("就係呢個啦", "呢個啦", "呢個"), until nothing more is."""
    yield text
    while True:
        shorter = before.sub("", text, count=1).strip()
        if shorter == text:
            shorter = after.sub("", text, count=1).strip()
        if shorter == text:
            return
        text = shorter
        yield text


def _said(text: str, table: Any) -> Optional[str]:
    """The form of ``text`` (itself, or without what may come around an answer) that is in
    ``table``, if any."""
    shortenings = _shortenings(
        normalized(text), pattern("answers", "before"), pattern("answers", "after")
    )
    return next((form for form in shortenings if form in table), None)


@lru_cache(maxsize=None)
def _stop_words() -> frozenset:
    return frozenset(normalized(word) for word in words("answers")["stops"])


def says_stop(text: str) -> bool:
    """Whether ``text`` drops the question: "算了", "那算了吧", "oh never mind then"."""
    return _said(text, _stop_words()) is not None


@lru_cache(maxsize=None)
def _choice_words() -> Dict[str, int]:
    """Each ordinal and deictic word (normalized) → the choice it names (1-based; -1 last)."""
    section = words("answers")
    table = {normalized(word): 1 for word in section["deictics"]}
    for index, said in section["ordinals"].items():
        table.update({normalized(str(word)): int(index) for word in said})
    return table


def chosen_index(text: str) -> Optional[int]:
    """Which of the choices just offered ``text`` names: "第二个" → 1, "yes, that one" → 0 (the
    first), "the last one" → -1; None when it names none (it may be a name)."""
    table = _choice_words()
    form = _said(text, table)
    if form is None:
        return None
    number = table[form]
    return LAST if number == LAST else number - 1


def choose(offered: Sequence[Any], text: str) -> Optional[Any]:
    """The offered choice ``text`` names by its place ("第二个"), if it names one that exists."""
    index = chosen_index(text)
    if index is None or not offered:
        return None
    if index == LAST:
        return offered[-1]
    return offered[index] if index < len(offered) else None


def names_a_choice(text: str) -> bool:
    """Whether ``text`` is an ordinal or a deictic ("第二个", "that one") at all."""
    return chosen_index(text) is not None


def place_named(text: str) -> str:
    """The place in an answer ("我在珠江新城" → "珠江新城", "I'm at the sports centre" → "sports
    centre"), as said otherwise."""
    plain = " ".join(text.split()).strip(" 。.,，!！?？")
    lowered = plain.lower()
    *_, core = _shortenings(
        lowered, pattern("answers", "place_before"), pattern("answers", "place_after")
    )
    if not core:
        return plain
    start = lowered.find(core)
    return plain[start : start + len(core)] if start >= 0 else core


def intent_of(tracker: Tracker) -> tuple[str, float]:
    """The latest message's intent and NLU's confidence in it."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


class BareAnswerForm(FormValidationAction, ABC):
    """``validate_<form>`` of a form with one question, answered by the text of the reply.

    Subclasses name the form (``form``) and its slot (``slot``) as class attributes, the
    intents that ask the same question (``own_intents``, whose messages are answers too:
    "10路到体育中心" while asked for the stop), the slots a dropped question clears
    (``question_slots``), and implement ``validate_<slot>`` and ``is_a_name`` (whether the text
    is exactly a name the question accepts, so that a stop named like a request is still an
    answer). A class that names no form is abstract, so the action server registers none.
    """

    own_intents: frozenset = frozenset()
    question_slots: tuple = ()

    @property
    @abstractmethod
    def form(self) -> str:
        """The form's name."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form's one slot: the answer."""

    def name(self) -> Text:
        return f"validate_{self.form}"

    def domain_slots(self, domain: Dict[Text, Any]) -> List[Text]:
        """The form's one slot (also when the domain is not sent)."""
        return [self.slot]

    @abstractmethod
    def is_a_name(self, tracker: Tracker) -> bool:
        """Whether the answer is exactly a name this question accepts."""

    def answering(self, tracker: Tracker) -> bool:
        """Whether this run reads the citizen's answer to the form's question (not the form's
        activation, nor its return after another request)."""
        return (
            tracker.get_slot(REQUESTED_SLOT) == self.slot
            and self.slot in tracker.slots_to_validate()
        )

    def clears(self) -> List[Dict[Text, Any]]:
        """The question's slots emptied: the question is no longer asked."""
        return [SlotSet(self.slot, None)] + [SlotSet(name, None) for name in self.question_slots]

    def another_request(self, tracker: Tracker) -> Optional[str]:
        """``"stop"`` when the message drops the question, ``"leave"`` when it is clearly another
        request, None when it is the answer."""
        text = (tracker.latest_message or {}).get("text") or ""
        intent, confidence = intent_of(tracker)
        sure = confidence >= LEAVE_CONFIDENCE
        if names_a_choice(text):
            return None
        stop = says_stop(text) or (sure and intent in STOP_INTENTS)
        other = sure and intent not in ANSWER_INTENTS | self.own_intents
        if not (stop or other) or self.is_a_name(tracker):
            return None
        return "stop" if stop else "leave"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """rasa-sdk's loop (``validate_<slot>``) on the citizen's answer, unless the message is
        another request. Nothing when the form opens or comes back (the message then is the
        question, not its answer, even where a slot was set in its turn)."""
        if not self.answering(tracker):
            return []
        try:
            other = self.another_request(tracker)
            if other == "stop":
                # The form ends with its question's slots empty: the rules say it was dropped.
                return self.clears() + [SlotSet(REQUESTED_SLOT, None)]
            if other == "leave":
                # The form ends and takes nothing: the rules answer the request.
                return self.clears() + [
                    SlotSet(REQUESTED_SLOT, None),
                    ActiveLoop(None),
                    ActionExecutionRejected(self.form),
                ]
            return await super().run(dispatcher, tracker, domain)
        except ApiUnavailable as error:
            logger.warning("%s: API unavailable (%s)", self.name(), error)
            dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
        except ApiRefused as refused:
            logger.warning("%s: API refused (%s)", self.name(), refused)
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
        # The question stays asked (an event, so that Rasa keeps the reply and asks again).
        return [SlotSet(self.slot, None)]
