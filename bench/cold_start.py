"""Cold start through the launcher, and the training time of our assistant.

    .venv/bin/python bench/cold_start.py [--runs 2] [--profile default|scale] [--no-train]

Cold start: ``python -m launcher --profile P`` (what ``make run`` runs after setup) on free ports
(``API_PORT``, ``ACTIONS_PORT``, ``RASA_PORT``), a temporary ``CITIZEN_VAR_DIR`` and its own
seeded database, then a greeting posted to Rasa's REST channel every 0.2 s until it is answered.
Printed: from the launcher's start to its "Starting the API ..." line (the scale profile's
database preparation), from there to the first answered message (the processes' start), and the
"ready in" the launcher reports. Then Ctrl-C (SIGTERM) and the launcher must stop everything.

Training: ``rasa train`` with the project's configuration, domain and data into
``/tmp/citizen-bench/train-<pid>`` (never bot/models), from scratch (an empty Rasa cache of its
own), timed; the model is deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from citizen_common.identity import DEV_CHANNEL_TOKEN
from common import API_PYTHON, BOT_BIN, CACHE, ROOT, prepared_profile

from launcher.stack import Ports

# The REST channel is the API's alone: its development credential.
REST_HEADERS = {"Authorization": f"Bearer {DEV_CHANNEL_TOKEN}"}


def cold_start(profile_name: str, work: Path) -> dict[str, float]:
    profile = prepared_profile(profile_name, work)
    ports = Ports.free()
    env = {
        **os.environ,
        "API_PORT": str(ports.api),
        "ACTIONS_PORT": str(ports.actions),
        "RASA_PORT": str(ports.rasa),
        "CITIZEN_VAR_DIR": str(work),
        "DATABASE_URL": profile.database_url,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    url = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
    marks: dict[str, float] = {}
    output: list[str] = []
    began = time.monotonic()
    launcher = subprocess.Popen(
        [str(API_PYTHON), "-m", "launcher", "--profile", profile_name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def read() -> None:
        for line in launcher.stdout:
            output.append(line)
            if line.startswith("Starting the API") and "starting" not in marks:
                marks["starting"] = time.monotonic()
            if match := re.search(r"\(ready in ([\d.]+) s\)", line):
                marks["reported"] = float(match.group(1))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sender = f"web:cold-{uuid.uuid4().hex[:8]}"
    try:
        while True:
            if launcher.poll() is not None:
                raise RuntimeError("the launcher stopped:\n" + "".join(output[-30:]))
            try:
                response = requests.post(
                    url,
                    json={"sender": sender, "message": "你好"},
                    headers=REST_HEADERS,
                    timeout=10,
                )
                if response.status_code == 200 and response.json():
                    marks["answered"] = time.monotonic()
                    # The launcher notices readiness on its own poll; let it say so.
                    waited = time.monotonic()
                    while "reported" not in marks and time.monotonic() - waited < 15:
                        time.sleep(0.1)
                    break
            except requests.RequestException:
                pass
            if time.monotonic() - began > 600:
                raise TimeoutError("no answer after 600 s")
            time.sleep(0.2)
    finally:
        launcher.send_signal(signal.SIGINT)
        try:
            code = launcher.wait(60)
        except subprocess.TimeoutExpired:
            launcher.kill()
            code = launcher.wait()
        reader.join(5)
    if code != 0:
        raise RuntimeError(f"the launcher exited with {code}:\n" + "".join(output[-30:]))
    starting = marks.get("starting", began)
    return {
        "prepare": starting - began,
        "first_answer": marks["answered"] - starting,
        "reported_ready": marks.get("reported", float("nan")),
        "total": marks["answered"] - began,
    }


def training_seconds() -> float:
    """A training from scratch: its own empty Rasa cache (``RASA_CACHE_DIRECTORY``), so nothing
    trained before (by `make train` in .rasa/cache) is reused, and nothing is left there."""
    out = CACHE / f"train-{os.getpid()}"
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(ROOT),
        "RASA_CACHE_DIRECTORY": str(out / "cache"),
    }
    started = time.monotonic()
    try:
        subprocess.run(
            [
                str(BOT_BIN / "rasa"),
                "train",
                "--quiet",
                "--config",
                "bot/config.yml",
                "--domain",
                "bot/domain",
                "--data",
                "intents",
                "bot/data",
                "--out",
                str(out),
                "--fixed-model-name",
                "citizen",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        return time.monotonic() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", default="default", choices=["default", "scale"])
    parser.add_argument("--no-train", action="store_true", help="skip the training time")
    args = parser.parse_args()
    print(f"== cold start through the launcher, profile {args.profile}", flush=True)
    firsts = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
            marks = cold_start(args.profile, Path(tmp))
        firsts.append(marks["first_answer"])
        print(
            f"run {run}: processes started to first answered message "
            f"{marks['first_answer']:.1f} s (launcher says ready in "
            f"{marks['reported_ready']:.1f} s; preparing the stores before that "
            f"{marks['prepare']:.1f} s)",
            flush=True,
        )
    print(
        f"cold start: best {min(firsts):.1f} s, spread {max(firsts) - min(firsts):.1f} s "
        f"over {len(firsts)} runs"
    )
    if not args.no_train:
        print("training our assistant (rasa train, into /tmp) ...", flush=True)
        print(f"training: {training_seconds():.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
