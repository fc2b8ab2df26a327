"""``python -m bot.serving rasa|actions [arguments]``: Rasa's server or the action server, on the
versions checked and with the patches of ``bot/rasa_compat.py`` applied first (before Sanic
forks its workers, so every worker has them). Each speed-up asks ``bot.speedups.enabled``
(``CITIZEN_SPEEDUPS``, ``CITIZEN_SPEEDUPS_OFF``)."""

from __future__ import annotations

import sys

USAGE = "usage: python -m bot.serving rasa [rasa arguments] | actions [rasa_sdk arguments]"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("rasa", "actions"):
        print(USAGE, file=sys.stderr)
        return 2
    which, arguments = argv[0], argv[1:]
    from bot import rasa_compat
    from bot.speedups import enabled

    rasa_compat.check_versions()
    if which == "rasa":
        from rasa.__main__ import main as rasa_main

        rasa_compat.apply()
        sys.argv = ["rasa", *arguments]
        rasa_main()
    else:
        from .action_server import main as action_server_main

        if enabled("frozen_heap"):
            import bot.actions  # noqa: F401  (what --actions loads, imported before freezing)
        action_server_main(arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
