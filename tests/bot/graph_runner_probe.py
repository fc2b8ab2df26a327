"""Run in the bot environment: the trained assistant's parses of every training example and
unseen phrasings, and its predictions before every action of every story and rule, run by the
``DaskGraphRunner`` Rasa loads and by ``bot.graph_runner.InOrderGraphRunner`` adopting it (and
by the latter with ``graph_runner`` off by name); prints JSON.
``python tests/bot/graph_runner_probe.py`` — tests/bot/test_graph_runner.py asserts on the
record."""

import asyncio
import json
from pathlib import Path

from assistant_stories import domain_and_stories
from count_vectors_probe import UNSEEN, texts
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from speedup_switch import turned_off

import bot.graph_runner
from bot.graph_runner import InOrderGraphRunner
from bot.serving.lifecycle import after_agent_loaded

ROOT = Path(__file__).resolve().parents[2]


def played(domain) -> list:
    """(conversation, its events) before every action of every story and rule, in one order."""
    found = []
    for index, story in enumerate(domain_and_stories(domain)[1]):
        events = list(story.events)
        for end in range(1, len(events) + 1):
            if end == len(events) or isinstance(events[end], ActionExecuted):
                found.append((f"c-{index}", events[:end]))
    return found


def without_timestamp(event: dict) -> dict:
    """An event as a dict, without when it was made (each run makes its own)."""
    return {key: value for key, value in event.items() if key != "timestamp"}


def answers(agent: Agent, messages: list, conversations: list) -> list:
    """The parses of ``messages``, and the predictions on fresh trackers (a prediction clears
    a tracker's follow-up action)."""

    async def parses() -> list:
        return [await agent.parse_message(text) for text in messages]

    found = asyncio.run(parses())
    for sender, events in conversations:
        tracker = DialogueStateTracker.from_events(sender, events, agent.domain.slots)
        prediction = agent.processor._predict_next_with_tracker(tracker)
        found.append(
            [
                prediction.probabilities,
                prediction.policy_name,
                [without_timestamp(event.as_dict()) for event in prediction.events],
                prediction.max_confidence,
            ]
        )
    return found


def main() -> dict:
    agent = Agent.load(str(ROOT / "bot" / "models" / "citizen.tar.gz"))
    rasas = agent.processor.graph_runner
    messages, conversations = texts() + UNSEEN, played(agent.domain)
    theirs = answers(agent, messages, conversations)
    after_agent_loaded(agent)  # what the Rasa server and bot/replay do with a loaded agent
    adopted = agent.processor.graph_runner
    ours = answers(agent, messages, conversations)
    with turned_off("graph_runner", bot.graph_runner, "execution_order"):
        off = answers(agent, messages, conversations)
        not_adopted = InOrderGraphRunner.adopt(rasas) is rasas
    different = [{"ours": o, "theirs": t} for o, t in zip(ours, theirs) if o != t]
    return {
        "parses": len(messages),
        "predictions": len(theirs) - len(messages),
        "rasas_class": type(rasas).__name__,
        "adopted_class": type(adopted).__name__,
        "nodes_shared": adopted._instantiated_nodes is rasas._instantiated_nodes,
        "different_count": len(different),
        "different": different[:2],
        "different_off_count": sum(o != t for o, t in zip(off, theirs)),
        "not_adopted_when_off": not_adopted,
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, default=str))
