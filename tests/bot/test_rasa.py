"""The training data validates, the conversation stories pass, and NLU generalizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import yaml

from bot.nlu.normalise import normalise
from tests.edge import RASA_TOKEN

from .conftest import BOT_BIN, MODEL, ROOT, run_in_bot_env

pytestmark = pytest.mark.bot
HELD_OUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
TRAINING = ROOT / "intents"
_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def examples(path: Path, unusual: bool | None = None) -> list[tuple[str, str]]:
    """(intent, plain text) pairs of a Rasa NLU YAML file, entity annotations removed; with
    ``unusual``, only the blocks marked ``metadata: {held_out: unusual}`` (or only the others)."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in block:
            continue
        marked = (block.get("metadata") or {}).get("held_out") == "unusual"
        if unusual is not None and marked != unusual:
            continue
        for line in block["examples"].splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text:
                pairs.append((block["intent"], _ANNOTATION.sub(r"\1", text)))
    return pairs


def normalized(text: str) -> str:
    """The text as the model reads it (traditional script and Cantonese made Mandarin), lower
    case, without spaces or punctuation: two texts alike here are the same example."""
    return re.sub(r"[\W_]+", "", normalise(text).text.lower())


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
    assert len(held_out) >= 300
    # A third of it as callers write when they are not careful: traditional script, Cantonese,
    # typos, pinyin, SMS English, long hotline sentences.
    assert len(examples(HELD_OUT, unusual=True)) >= len(held_out) / 3
    # Every intent is tested on phrasings it never saw.
    assert {intent for intent, _ in held_out} == {intent for intent, _ in training_examples}
    assert set(SERVICE_OF_INTENT) == {intent for intent, _ in training_examples}
    leaked = [text for _, text in held_out if normalized(text) in training]
    assert leaked == []


# What a citizen came for: an intent mistaken for another of the same service still reaches it
# (a booking detail read as a booking request), one of another service does not.
SERVICE_OF_INTENT = {
    **dict.fromkeys(
        (
            "book_appointment",
            "inform_booking",
            "change_booking",
            "stop_booking",
            "cancel_appointment",
            "list_appointments",
        ),
        "appointments",
    ),
    **dict.fromkeys(
        (
            "ask_application_status",
            "ask_application_materials",
            "ask_how_to_apply",
            "provide_application_info",
        ),
        "applications",
    ),
    **dict.fromkeys(("ask_bus_arrival", "ask_nearby_stops", "ask_route_to"), "transit"),
    "ask_air_quality": "air",
    "report_problem": "reports",
    "handoff": "handoff",
    "provide_verification_code": "verification",
    "out_of_scope": "out_of_scope",
    **{
        intent: intent
        for intent in ("greet", "goodbye", "thanks", "help", "switch_language", "affirm", "deny")
    },
}


def held_out_figures(predicted: dict[str, str], held_out: list[tuple[str, str]]) -> dict:
    def service(intent: str) -> str | None:
        return SERVICE_OF_INTENT.get(intent)

    in_scope = [(intent, text) for intent, text in held_out if intent != "out_of_scope"]
    out_of_scope = [text for intent, text in held_out if intent == "out_of_scope"]
    return {
        "intent accuracy": sum(predicted[t] == i for i, t in held_out) / len(held_out),
        "service accuracy": sum(service(predicted[t]) == service(i) for i, t in in_scope)
        / len(in_scope),
        "out-of-scope recall": sum(predicted[t] == "out_of_scope" for t in out_of_scope)
        / len(out_of_scope),
        "out-of-scope precision": sum(predicted[t] == "out_of_scope" for t in out_of_scope)
        / max(1, sum(p == "out_of_scope" for p in predicted.values())),
    }


def test_held_out_accuracy_through_the_running_server(running_stack):
    held_out = examples(HELD_OUT)
    predicted = {}
    for _, text in held_out:
        parsed = requests.post(
            f"{running_stack.rasa_url}/model/parse",
            json={"text": text},
            params=RASA_TOKEN,
            timeout=30,
        ).json()
        predicted[text] = parsed["intent"]["name"]
    figures = held_out_figures(predicted, held_out)
    unusual = examples(HELD_OUT, unusual=True)
    figures["intent accuracy, unusual phrasings"] = held_out_figures(predicted, unusual)[
        "intent accuracy"
    ]
    wrong = [
        (text, intent, predicted[text]) for intent, text in held_out if predicted[text] != intent
    ]
    print(f"held-out, {len(held_out)} phrasings ({len(unusual)} unusual):")
    for name, value in figures.items():
        print(f"  {name}: {value:.1%}")
    print(f"wrong: {wrong}")
    assert figures["service accuracy"] >= 0.95, wrong
    assert figures["out-of-scope recall"] >= 0.85, wrong
    assert figures["intent accuracy"] >= 0.90, wrong
