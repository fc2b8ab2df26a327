"""The training data validates, the conversation stories pass, and NLU generalizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import yaml

from tests.edge import RASA_TOKEN

from .conftest import BOT_BIN, MODEL, ROOT, run_in_bot_env

pytestmark = pytest.mark.bot
HELD_OUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
TRAINING = ROOT / "intents"
_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, plain text) pairs of a Rasa NLU YAML file, entity annotations removed."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text:
                pairs.append((block["intent"], _ANNOTATION.sub(r"\1", text)))
    return pairs


def normalized(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def test_data_validates_without_warnings():
    result = run_in_bot_env(
        [
            str(BOT_BIN / "rasa"),
            "data",
            "validate",
            "--fail-on-warnings",
            "--domain",
            "bot/domain",
            "--data",
            "intents",
            "bot/data",
            "--config",
            "bot/config.yml",
        ]
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "UserWarning" not in output, [
        line for line in output.splitlines() if "UserWarning" in line
    ]


@pytest.mark.parametrize("speedups", ["1", "0"], ids=["speedups", "as-shipped"])
def test_conversation_stories_pass(tmp_path, speedups):
    """The stories, with the speed-ups and with every one off (Rasa's own code paths)."""
    result = run_in_bot_env(
        [
            str(BOT_BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/bot/conversations",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        env={"CITIZEN_SPEEDUPS": speedups},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_held_out_set_is_really_held_out():
    training_examples = [pair for path in TRAINING.rglob("*.yml") for pair in examples(path)]
    training = {normalized(text) for _, text in training_examples}
    held_out = examples(HELD_OUT)
    assert len(held_out) >= 40
    # Every intent is tested on phrasings it never saw.
    assert {intent for intent, _ in held_out} == {intent for intent, _ in training_examples}
    leaked = [text for _, text in held_out if normalized(text) in training]
    assert leaked == []


def test_held_out_accuracy_through_the_running_server(running_stack):
    held_out = examples(HELD_OUT)
    wrong = []
    for intent, text in held_out:
        parsed = requests.post(
            f"{running_stack.rasa_url}/model/parse",
            json={"text": text},
            params=RASA_TOKEN,
            timeout=30,
        ).json()
        if parsed["intent"]["name"] != intent:
            wrong.append((text, intent, parsed["intent"]["name"]))
    accuracy = 1 - len(wrong) / len(held_out)
    print(f"held-out intent accuracy: {accuracy:.1%} of {len(held_out)}; wrong: {wrong}")
    assert accuracy >= 0.90, wrong
