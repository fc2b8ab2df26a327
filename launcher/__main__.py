"""``python -m launcher`` (what ``make run`` runs): start everything, print how to talk to it."""
from __future__ import annotations

import signal
import sys
import time

from miniapp_api.i18n import translate

from .stack import Ports, Stack

BANNER = """
Citizen Assistant is running.
  API            {api}/api/v1/health   (OpenAPI: {api}/api/v1/openapi.json)
  Action server  {actions}/health
  Rasa server    {rasa}/status   (REST and socket.io channels)
  Air feeder     fills the demo network's current hour (flask air feed --follow)
  Outbox worker  delivers notifications (flask applications deliver --follow)
  Bus realtime   moves the demo city's buses (flask transit simulate --follow)
  Logs           var/log/{{api,actions,rasa,air-feed,outbox,transit-realtime}}.log

Talk to the bot:
  curl -s {rasa}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{{"sender": "web:demo-wang", "message": "{example_zh}"}}'
  curl -s {rasa}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{{"sender": "web:demo-alice", "message": "{example_en}"}}'

Press Ctrl-C to stop them all.
"""


def banner(stack: Stack) -> str:
    examples = {f"example_{lang[:2]}": translate("button.help", lang) for lang in ("zh_CN", "en")}
    return BANNER.format(api=stack.api_url, actions=stack.actions_url, rasa=stack.rasa_url,
                         **examples)


def main() -> int:
    stack = Stack(ports=Ports())

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
                    print(f"{process.name} stopped unexpectedly:\n{process.log_tail()}",
                          file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
