"""Run in the bot environment: Rasa's NLG client against the live API; prints JSON.

``python tests/bot/nlg_reuse_probe.py API_URL TOKEN`` — the same responses asked for several
times in several languages, with and without arguments; each answer and the number of calls
that reached the API. tests/bot/test_nlg_client.py asserts on the record.
"""

import asyncio
import json
import sys

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.plugins.nlg import SlimCallbackNLG

SLOTS = Domain.from_yaml(
    "version: '3.1'\nslots:\n  language:\n    type: text\n    mappings: []\n"
).slots


def tracker(sender: str, text: str, language=None) -> DialogueStateTracker:
    events = [UserUttered(text, {"name": "greet"}, message_id=f"{sender}-1")]
    if language:
        events.append(SlotSet("language", language))
    return DialogueStateTracker.from_events(sender, events, slots=SLOTS)


async def probe(url: str, token: str) -> dict:
    nlg = SlimCallbackNLG(
        EndpointConfig(f"{url}/nlg", headers={"Authorization": f"Bearer {token}"})
    )
    calls = []
    original = nlg.nlg_endpoint.request

    async def counted(*args, **kwargs):
        calls.append(kwargs["json"]["response"])
        return await original(*args, **kwargs)

    nlg.nlg_endpoint.request = counted
    zh, zh_other = tracker("web:a", "你好"), tracker("web:b", "在吗")
    en, chosen = tracker("web:c", "hello"), tracker("web:d", "12345", language="en")
    record = {"greet_zh": await nlg.generate("utter_greet", zh, "rest")}
    record["greet_zh"]["text"] += " (changed by Rasa)"  # Rasa takes messages apart
    record["greet_zh_again"] = await nlg.generate("utter_greet", zh_other, "rest")
    record["greet_en"] = await nlg.generate("utter_greet", en, "rest")
    record["greet_chosen_en"] = await nlg.generate("utter_greet", chosen, "rest")
    # As rasa-sdk's utter_message sends it: its message fields, empty.
    record["greet_en_from_action"] = await nlg.generate(
        "utter_greet",
        en,
        "rest",
        text=None,
        buttons=[],
        elements=[],
        custom={},
        image=None,
        attachment=None,
        template="utter_greet",
    )
    record["help_zh"] = await nlg.generate("utter_help", zh, "rest")
    record["help_zh_again"] = await nlg.generate("utter_help", zh, "rest")
    record["help_zh_other_channel"] = await nlg.generate("utter_help", zh, "wechat")
    record["named"] = [
        await nlg.generate("utter_greet_named", en, "rest", name=name) for name in ("Ann", "Bob")
    ]
    record["calls"] = calls
    from bot.plugins.endpoints import KeptAliveEndpoint, close_shared_sessions

    record["endpoint"] = type(nlg.nlg_endpoint).__name__
    record["endpoint_is_kept_alive"] = isinstance(nlg.nlg_endpoint, KeptAliveEndpoint)
    await close_shared_sessions()
    return record


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1], sys.argv[2])), ensure_ascii=False))
