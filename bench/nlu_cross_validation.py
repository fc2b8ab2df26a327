"""Rasa's own k-fold cross-validation of the NLU data: per-intent precision, recall and F1.

    .venv-bot/bin/python bench/nlu_cross_validation.py [--folds 5] [--out /tmp/citizen-bench/cv]

Runs ``rasa test nlu --cross-validation`` with bot/config.yml on intents/nlu/ (each fold trains
on four fifths of the examples and is tested on the fifth) and prints, from Rasa's intent
report, one line per intent, sorted from the worst F1, then the weighted and macro averages, and
the mistakes Rasa counts most often (true intent → predicted). The held-out phrasings
(tests/data/nlu_heldout.yml, tested in ``make test``) say how the model meets what it has never
seen; this says which intents' training examples are thin or overlap, so that a change to the
data is judged by numbers. Not part of the test suite: it trains the pipeline ``--folds`` times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from launcher.environments import BOT_BIN  # noqa: E402


def cross_validate(folds: int, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(BOT_BIN / "rasa"),
        "test",
        "nlu",
        "--config",
        "bot/config.yml",
        "--nlu",
        "intents/nlu",
        "--cross-validation",
        "--folds",
        str(folds),
        "--out",
        str(out),
        "--no-plot",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit((result.stdout + result.stderr)[-4000:])
    print(f"{folds}-fold cross-validation in {time.perf_counter() - started:.0f} s")
    return json.loads((out / "intent_report.json").read_text(encoding="utf-8"))


def confusions(out: Path, limit: int) -> list[tuple[tuple[str, str], int]]:
    errors_file = out / "intent_errors.json"
    if not errors_file.exists():
        return []
    errors = json.loads(errors_file.read_text(encoding="utf-8"))
    counted = Counter(
        (error["intent"], (error.get("intent_prediction") or {}).get("name")) for error in errors
    )
    return counted.most_common(limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/citizen-bench/cv"))
    arguments = parser.parse_args()
    report = cross_validate(arguments.folds, arguments.out)
    averages = {"accuracy", "macro avg", "weighted avg", "micro avg"}
    intents = {name: row for name, row in report.items() if name not in averages}
    print(f"{'intent':28} {'precision':>9} {'recall':>7} {'F1':>6} {'examples':>8}")
    for name, row in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        print(
            f"{name:28} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} "
            f"{row['support']:8d}"
        )
    for name in ("weighted avg", "macro avg"):
        if name in report:
            row = report[name]
            print(f"{name:28} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f}")
    if "accuracy" in report:
        print(f"accuracy {report['accuracy']:.3f}")
    for (true, predicted), count in confusions(arguments.out, 10):
        print(f"  {count:3d} × {true} → {predicted}")


if __name__ == "__main__":
    main()
