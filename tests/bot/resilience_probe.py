"""Run in the bot environment: what Rasa says when the API or the action server fails; prints JSON.

``python tests/bot/resilience_probe.py`` — the NLG client and the processor's action runner of
``bot.plugins.nlg`` and ``bot.serving.resilience`` against endpoints that refuse connections (a
closed port), with real Rasa trackers; tests/bot/test_resilience.py asserts on the record.
"""

import asyncio
import json
import os
import socket

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.plugins.nlg import SlimCallbackNLG
from bot.serving import resilience


def closed_port_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def tracker(sender: str, text: str, message_id: str, language=None) -> DialogueStateTracker:
    events = [UserUttered(text, {"name": "greet"}, message_id=message_id)]
    if language:
        events.append(SlotSet("language", language))
    return DialogueStateTracker.from_events(
        sender,
        events,
        slots=Domain.from_yaml(
            "version: '3.1'\nslots:\n  language:\n    type: text\n    mappings: []\n"
        ).slots,
    )


class Rejecting:
    def name(self):
        return "validate_x"

    async def run(self, *arguments):
        raise ActionExecutionRejection("validate_x")


async def probe() -> dict:
    url = closed_port_url()
    nlg = SlimCallbackNLG(EndpointConfig(f"{url}/nlg"))
    zh, en = tracker("web:zh", "你好", "m1"), tracker("web:en", "hi there", "m2")
    chosen = tracker("web:chosen", "12345", "m3", language="en")
    record = {
        "greet_zh": await nlg.generate("utter_greet", zh, "rest"),
        "air_en": await nlg.generate("utter_air_quality", en, "rest", aqi=3),
        "air_en_again": await nlg.generate("utter_air_quality", en, "rest", aqi=3),
        "unknown_in_chosen_language": await nlg.generate("utter_no_such", chosen, "rest"),
        "locale_argument": await nlg.generate("utter_greet", zh, "rest", locale="en"),
    }
    os.environ[resilience.ACTION_TIMEOUT_VARIABLE] = "7.5"
    from types import SimpleNamespace

    from bot import rasa_compat
    from bot.serving import lifecycle

    agent = SimpleNamespace(action_endpoint=EndpointConfig(url), processor=SimpleNamespace())
    lifecycle.adopt_action_endpoint(agent)
    record["timeout"] = agent.action_endpoint.timeout_seconds
    record["processor_timeout"] = agent.processor.action_endpoint.timeout_seconds
    record["adopted_url"] = agent.action_endpoint.url == url
    record["apology_applied"] = rasa_compat.apply(["apology"])
    failing = resilience.ApologisingAction(RemoteAction("action_x", EndpointConfig(url)))
    events = await failing.run(
        CollectingOutputChannel(), nlg, tracker("web:f", "你好", "m4"), Domain.empty()
    )
    record["failed_action"] = [event.as_dict()["event"] for event in events]
    record["failed_action_text"] = [event.text for event in events]
    record["failed_action_name"] = failing.name()
    session_start = resilience.ApologisingAction(
        RemoteAction("action_session_start", EndpointConfig(url))
    )
    record["failed_session_start"] = await session_start.run(
        CollectingOutputChannel(), nlg, tracker("web:s", "你好", "m5"), Domain.empty()
    )
    try:
        await resilience.ApologisingAction(Rejecting()).run(None, nlg, None, None)
        record["rejection"] = "swallowed"
    except ActionExecutionRejection:
        record["rejection"] = "passed through"
    return record


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe()), ensure_ascii=False))
