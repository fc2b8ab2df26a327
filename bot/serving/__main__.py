"""``python -m bot.serving rasa|actions [arguments]``: Rasa's server or the action server, with
the speed-ups of ``rasa_speedups`` or ``action_threads`` (and for Rasa, ``resilience``) installed first (before Sanic forks its
workers, so every worker has them)."""

from __future__ import annotations

import os
import sys

USAGE = "usage: python -m bot.serving rasa [rasa arguments] | actions [rasa_sdk arguments]"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("rasa", "actions"):
        print(USAGE, file=sys.stderr)
        return 2
    which, arguments = argv[0], argv[1:]
    # CITIZEN_SPEEDUPS=0 runs them as shipped, to measure what the speed-ups bring (bench/).
    speedups = os.environ.get("CITIZEN_SPEEDUPS", "1") != "0"
    if which == "rasa":
        from rasa.__main__ import main as rasa_main

        from . import resilience
        from .rasa_speedups import install

        resilience.install()  # not a speed-up: the apology when an action fails, always
        if speedups:
            install()
        sys.argv = ["rasa", *arguments]
        rasa_main()
    else:
        import gc

        from rasa_sdk.__main__ import main as sdk_main

        from . import action_guard
        from .action_threads import install

        action_guard.register()  # not a speed-up: Rasa's token and bounded bodies, always
        if speedups:
            install()
            import bot.actions  # noqa: F401  (what --actions loads, imported before freezing)

            gc.collect()
            gc.freeze()  # the libraries out of the garbage collector's full collections
        sys.argv = ["rasa_sdk", *arguments]
        sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
