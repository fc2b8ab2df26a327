"""The Rasa server as the launcher runs it, with Rasa's action timeout taken from
``RASA_ACTION_TIMEOUT_SECONDS``.

Rasa 3.6 waits for the action server for ``DEFAULT_REQUEST_TIMEOUT`` (five minutes, a module
constant with no setting); the fault tests set the same constant lower, so an action server that
is "slower than Rasa's timeout" takes seconds to provoke instead of minutes.

``python -m tests.e2e.rasa_action_timeout run --model ... [rasa run arguments]`` in .venv-bot.
"""
from __future__ import annotations

import os
import sys


def main() -> None:
    import rasa.core.actions.action as remote_action

    remote_action.DEFAULT_REQUEST_TIMEOUT = float(os.environ["RASA_ACTION_TIMEOUT_SECONDS"])
    arguments = sys.argv[1:]
    try:  # the launcher's way of running Rasa (with its speed-ups), where it exists
        from bot.serving.__main__ import main as serving_main
    except ImportError:
        from rasa.__main__ import main as rasa_main

        sys.argv = ["rasa", *arguments]
        rasa_main()
    else:
        sys.exit(serving_main(["rasa", *arguments]))


if __name__ == "__main__":
    main()
