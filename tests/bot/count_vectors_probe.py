"""Run in the bot environment: the trained assistant's count-vector features, computed by Rasa's
``CountVectorsFeaturizer`` and by ``bot.nlu.count_vectors.CitizenCountVectorsFeaturizer`` (and by
the latter with ``count_vectors`` off), for every training example and phrasings none of them
has; prints JSON. ``python tests/bot/count_vectors_probe.py`` — tests/bot/test_count_vectors.py
asserts on the record."""

import asyncio
import json
from pathlib import Path

import yaml
from rasa.core.agent import Agent
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from speedup_switch import turned_off

from bot.nlu import count_vectors

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = [
    "",
    " ",
    "？？",
    "😀😀",
    "123456",
    "Q",
    "a",
    "IDK",
    "空气咋样啊今天",
    "天河今天pm2.5多少",
    "what's teh aqi",
    "55路车几点到啊啊啊",
    "I wanna book 心内科 tmrw morning",
    "ＡＢＣ全角",
    "我的居住证申请号是 SZ2024-000123 查一下",
    "后四位是1234",
    "bus 2345 eta?",
    "谢谢!!!",
    "Pls cancel my appt",
    "ok",
    "/greet",
    "Ünïcödé café",
    "a" * 300,
    "空气 " * 50,
]


def texts() -> list:
    found = []
    for path in sorted((ROOT / "intents" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append(line[2:])
    return found


def matrix(features) -> dict:
    if features is None:
        return None
    return {
        "shape": list(features.shape),
        "format": features.format,
        "dtype": str(features.dtype),
        "row": features.row.tolist(),
        "col": features.col.tolist(),
        "data": features.data.tolist(),
    }


def main() -> dict:
    agent = Agent.load(str(ROOT / "bot" / "models" / "citizen.tar.gz"))
    components = [
        node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
    ]
    tokenizer = next(c for c in components if isinstance(c, Tokenizer))
    featurizers = [c for c in components if isinstance(c, CountVectorsFeaturizer)]
    rasas = CountVectorsFeaturizer._create_features
    compared, different, with_features, different_off = 0, [], 0, 0
    examples = texts()
    for text in examples + UNSEEN:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        for featurizer in featurizers:
            tokens = featurizer._get_processed_message_tokens_by_attribute(message, TEXT)
            theirs = [[matrix(m) for m in kind] for kind in rasas(featurizer, TEXT, [tokens])]
            mine = [
                [matrix(m) for m in kind] for kind in featurizer._create_features(TEXT, [tokens])
            ]
            with turned_off("count_vectors", count_vectors, "counts"):
                off = [
                    [matrix(m) for m in kind]
                    for kind in featurizer._create_features(TEXT, [tokens])
                ]
            different_off += off != theirs
            compared += 1
            with_features += theirs[0][0] is not None and bool(theirs[0][0]["data"])
            if mine != theirs:
                different.append({"text": text, "rasa": theirs, "ours": mine})
    return {
        "examples": len(examples),
        "featurizers": len(featurizers),
        "analyzers": sorted(f.vectorizers[TEXT].analyzer for f in featurizers),
        "followed": [count_vectors.follows(f.vectorizers[TEXT]) for f in featurizers],
        "compared": compared,
        "with_features": with_features,
        "different": different[:3],
        "different_count": len(different),
        "different_off_count": different_off,
        "classes": sorted({type(f).__name__ for f in featurizers}),
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
