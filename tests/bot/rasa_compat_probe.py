"""Run in the bot environment: ``bot.rasa_compat``'s patches applied and restored; prints JSON.

``python tests/bot/rasa_compat_probe.py`` (with ``CITIZEN_SPEEDUPS_OFF`` or
``CITIZEN_SPEEDUPS`` as the test sets them) — tests/bot/test_rasa_compat.py asserts on it.
"""

import json

from bot import rasa_compat


def attributes() -> dict:
    """Each patch's attribute on each of its targets, by identity."""
    return {
        name: {target: id(owner.__dict__[patch.attribute]) for target, owner in patch.resolved()}
        for name, patch in rasa_compat.PATCHES.items()
    }


def main() -> None:
    rasa_compat.check_versions()
    before = attributes()
    applied = rasa_compat.apply()
    again = rasa_compat.apply()
    after = attributes()
    rasa_compat.apply()  # twice: the originals are still the ones remembered
    rasa_compat.restore()
    restored = attributes()
    changed = {
        name: [target for target in targets if after[name][target] != targets[target]]
        for name, targets in before.items()
    }
    print(
        json.dumps(
            {
                "applied": applied,
                "again": again,
                "changed": changed,
                "restored": restored == before,
                "targets": {name: list(targets) for name, targets in before.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
