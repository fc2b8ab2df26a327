"""``python -m launcher`` (what ``make run`` runs): start everything, print how to talk to it."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from miniapp_api.i18n import translate

from .profiles import PROFILES, prepare, profile_named
from .settings import launcher_settings
from .stack import Ports, Stack

BANNER = """
Citizen Assistant is running.
  API            {api}/api/v1/health   (OpenAPI: {api}/api/v1/openapi.json)
  Action server  {actions}/health
  Rasa server    {rasa}   (socket.io and WeChat public; REST for the API alone)
  Air feeder     fills the demo network's current hour (flask air feed --follow)
  Outbox worker  delivers notifications (flask applications deliver --follow)
  Bus realtime   moves the demo city's buses (flask transit simulate --follow)
  Logs           var/log/{{api,actions,rasa,air-feed,outbox,transit-realtime}}.log

Talk to the bot: open the web chat, {api}/, or through the API as the mini-app does:
  token=$(curl -s -X POST {api}/api/v1/chat/session | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')
  curl -s {api}/api/v1/chat -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \\
       -d '{{"text": "{example_zh}"}}'
  curl -s {api}/api/v1/chat -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \\
       -d '{{"text": "{example_en}"}}'

Press Ctrl-C to stop them all.
"""


def banner(stack: Stack) -> str:
    examples = {f"example_{lang[:2]}": translate("button.help", lang) for lang in ("zh_CN", "en")}
    return BANNER.format(
        api=stack.api_url, actions=stack.actions_url, rasa=stack.rasa_url, **examples
    )


def main(argv: list[str] | None = None) -> int:
    settings = launcher_settings()
    parser = argparse.ArgumentParser(prog="python -m launcher", description=__doc__)
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=settings.profile,
        help="workers and stores (launcher/profiles.py); `make run PROFILE=scale`",
    )
    args = parser.parse_args(argv)
    profile = profile_named(args.profile)
    # The scale profile's PostgreSQL databases are created, migrated and seeded when missing.
    prepare(profile)
    stack = Stack(ports=Ports.from_environment(), profile=profile, var_dir=Path(settings.var_dir))

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # Whatever happens from here on (Ctrl-C while loading, a crash), every process is stopped.
    try:
        print("Starting the API, the action server and the Rasa server ...", flush=True)
        started = time.monotonic()
        stack.start()
        print(banner(stack) + f"(ready in {time.monotonic() - started:.1f} s)", flush=True)
        while True:
            for process in stack.processes:
                if process.popen.poll() is not None:
                    print(
                        f"{process.name} stopped unexpectedly:\n{process.log_tail()}",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
