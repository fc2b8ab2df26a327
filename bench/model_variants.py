"""What model changes would buy: trains variants of bot/config.yml into /tmp and measures them.

    .venv-bot/bin/python bench/model_variants.py [--variants current,neural,diet-only]

Never touches bot/config.yml or bot/models: each variant's configuration is written to
/tmp/citizen-bench/variants/<name>/config.yml and trained there. For each variant prints:
training time; NLU time per message in-process (our parse of the held-out phrasings, after a
warm-up); dialogue policy time per prediction (the final trackers of the conversation stories
in tests/bot/conversations, which include forms, fallbacks and handoff); held-out intent
accuracy (tests/data/nlu_heldout.yml, as tests/bot/test_rasa.py counts it); and the stories
that ``rasa test core`` gets wrong. Figures move with the machine's load: compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from launcher.environments import BOT_BIN  # noqa: E402

WORK = Path("/tmp/citizen-bench/variants")
STORIES = ROOT / "tests" / "bot" / "conversations"
HELD_OUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


# The neural models this assistant used until 24 November 2026, in place of the linear intent
# classifier and the CRF: DIET (a one-layer transformer) for intents and entities, and TED.
DIET = {
    "name": "DIETClassifier",
    "epochs": 80,
    "constrain_similarities": True,
    "model_confidence": "softmax",
    "number_of_transformer_layers": 1,
    "transformer_size": 128,
    "hidden_layers_sizes": {"text": [256, 128]},
    "random_seed": 1,
}
TED = {
    "name": "TEDPolicy",
    "max_history": 5,
    "epochs": 40,
    "constrain_similarities": True,
    "random_seed": 1,
}
REPLACED_BY_DIET = ("LinearIntentClassifier", "CRFEntityExtractor", "RegexFeaturizer")


def variant(name: str, config: dict) -> dict:
    """The configuration of a variant (a changed copy of ours)."""
    config = copy.deepcopy(config)
    if name == "current":
        return config
    if name in ("neural", "diet-only"):  # DIET for intents and entities (and TED)
        pipeline = []
        for component in config["pipeline"]:
            if component["name"].endswith("LinearIntentClassifier"):
                pipeline.append(dict(DIET))
            elif not component["name"].endswith(REPLACED_BY_DIET):
                pipeline.append(component)
        config["pipeline"] = pipeline
        if name == "neural":
            config["policies"] = [*config["policies"], dict(TED)]
        return config
    raise SystemExit(f"unknown variant {name}")


def train(name: str, config: dict, reuse: bool = False) -> tuple[Path, float]:
    folder = WORK / name
    if reuse and (folder / "citizen.tar.gz").exists() and (folder / "seconds.txt").exists():
        return folder / "citizen.tar.gz", float((folder / "seconds.txt").read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    started = time.monotonic()
    # From scratch: an empty Rasa cache of its own (not .rasa/cache, which `make train` uses).
    subprocess.run(
        [
            str(BOT_BIN / "rasa"),
            "train",
            "--quiet",
            "--config",
            str(folder / "config.yml"),
            "--domain",
            "bot/domain",
            "--data",
            "intents",
            "bot/data",
            "--out",
            str(folder),
            "--fixed-model-name",
            "citizen",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_CACHE_DIRECTORY": str(folder / "cache")},
        check=True,
        capture_output=True,
    )
    shutil.rmtree(folder / "cache", ignore_errors=True)
    seconds = time.monotonic() - started
    (folder / "seconds.txt").write_text(f"{seconds:.1f}")
    return folder / "citizen.tar.gz", seconds


def held_out() -> list[tuple[str, str]]:
    pairs = []
    for block in yaml.safe_load(HELD_OUT.read_text(encoding="utf-8")).get("nlu", []):
        for line in block.get("examples", "").splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text and "intent" in block:
                pairs.append((block["intent"], _ANNOTATION.sub(r"\1", text)))
    return pairs


def story_trackers(domain) -> list:
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.core.training_data.structures import StoryGraph

    steps = []
    for path in sorted(STORIES.glob("*.yml")):
        steps.extend(YAMLStoryReader(domain).read_from_file(str(path)))
    generator = TrainingDataGenerator(
        StoryGraph(steps), domain, augmentation_factor=0, use_story_concatenation=False
    )
    return [
        DialogueStateTracker.from_events(t.sender_id, list(t.events), domain.slots)
        for t in generator.generate()
    ]


async def measure(model: Path) -> dict[str, float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    pairs = held_out()
    for _, text in pairs[:10]:
        await agent.parse_message(text)
    started, right = time.perf_counter(), 0
    for intent, text in pairs:
        right += (await agent.parse_message(text))["intent"]["name"] == intent
    nlu_ms = (time.perf_counter() - started) * 1000 / len(pairs)
    trackers = story_trackers(agent.domain)
    for tracker in trackers[:5]:
        agent.processor.predict_next_with_tracker(tracker)
    started = time.perf_counter()
    for tracker in trackers:
        agent.processor.predict_next_with_tracker(tracker)
    policy_ms = (time.perf_counter() - started) * 1000 / len(trackers)
    return {"nlu_ms": nlu_ms, "policy_ms": policy_ms, "accuracy": right / len(pairs)}


def failed_stories(model: Path, out: Path) -> int:
    result = subprocess.run(
        [
            str(BOT_BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(STORIES),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    failed = out / "failed_test_stories.yml"
    if not failed.exists():
        return -1 if result.returncode else 0
    return len(re.findall(r"^- story:", failed.read_text(), flags=re.M))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", default="current,neural")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the models trained by an earlier run again"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's in-process default is debug, which costs
    ours = yaml.safe_load((ROOT / "bot" / "config.yml").read_text(encoding="utf-8"))
    print(
        f"{'variant':<10} {'training':>9} {'NLU/msg':>8} {'policy/step':>11} "
        f"{'held-out':>8} {'failed stories':>14}",
        flush=True,
    )
    for name in args.variants.split(","):
        model, seconds = train(name, variant(name, ours), args.reuse)
        figures = asyncio.run(measure(model))
        failed = failed_stories(model, WORK / name / "test")
        print(
            f"{name:<10} {seconds:8.1f}s {figures['nlu_ms']:6.1f}ms {figures['policy_ms']:9.1f}ms "
            f"{figures['accuracy']:8.1%} {failed:>14}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
