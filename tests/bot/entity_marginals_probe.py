"""Run in the bot environment: whole parses of the trained assistant (intent ranking, entities
with their confidences) with ``entity_marginals`` off by name (Rasa's own CRF code) and on
(``bot.nlu.entity_marginals.CitizenCRFEntityExtractor``), for every training example and phrasings none of them has; prints JSON.
``python tests/bot/entity_marginals_probe.py`` — tests/bot/test_entity_marginals.py asserts on
the record."""

import asyncio
import json
from pathlib import Path

from count_vectors_probe import UNSEEN, texts
from rasa.core.agent import Agent
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from speedup_switch import turned_off

from bot.nlu import entity_marginals

ROOT = Path(__file__).resolve().parents[2]


async def parses(agent: Agent, messages: list) -> list:
    return [await agent.parse_message(text) for text in messages]


def main() -> dict:
    agent = Agent.load(str(ROOT / "bot" / "models" / "citizen.tar.gz"))
    messages = texts() + UNSEEN
    with turned_off("entity_marginals", entity_marginals, "predict_marginals_single"):
        theirs = asyncio.run(parses(agent, messages))
    ours = asyncio.run(parses(agent, messages))
    extractors = [
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, CRFEntityExtractor)
    ]
    different = [
        {"text": m, "ours": o, "theirs": t} for m, o, t in zip(messages, ours, theirs) if o != t
    ]
    return {
        "compared": len(messages),
        "with_entities": sum(bool(t.get("entities")) for t in theirs),
        "entity_confidences": sorted(
            {
                round(e.get("confidence_entity", -1), 3)
                for t in theirs
                for e in t.get("entities", [])
            }
        )[:5],
        "different_count": len(different),
        "different": different[:3],
        "classes": [type(extractor).__name__ for extractor in extractors],
        "extractor_names": sorted(
            {e.get("extractor") for t in ours for e in t.get("entities", [])} - {None}
        ),
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, default=str))
