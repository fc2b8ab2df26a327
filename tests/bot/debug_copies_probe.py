"""Run in the bot environment: what ``bot.serving.debug_copies`` relies on in Rasa's source, and
what it does; prints JSON. ``python tests/bot/debug_copies_probe.py`` —
tests/bot/test_debug_copies.py asserts on the record.

For each module it changes: every use of ``copy`` in the module's source, and whether each is
the argument of a ``structlogger.debug(...)`` call; then, installed, what ``copy.deepcopy`` gives
with the module's logger at INFO and at DEBUG.
"""

import ast
import importlib
import inspect
import json
import logging

from bot.serving import debug_copies


def uses_of_copy(module) -> list:
    tree = ast.parse(inspect.getsource(module))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "copy"
        ):
            call = parents.get(node)
            keyword = parents.get(call)
            outer = parents.get(keyword)
            in_debug_line = (
                isinstance(call, ast.Call)
                and call.func is node
                and isinstance(keyword, ast.keyword)
                and isinstance(outer, ast.Call)
                and ast.unparse(outer.func) == "structlogger.debug"
            )
            uses.append(
                {"line": node.lineno, "attribute": node.attr, "in_debug_line": in_debug_line}
            )
    return uses


def main() -> dict:
    record = {"modules": {}}
    from bot import rasa_compat

    rasa_compat.apply(["debug_copies"])
    rasa_compat.apply(["debug_copies"])  # twice: still one wrapper
    for name in debug_copies.MODULES:
        module = importlib.import_module(name)
        logger = logging.getLogger(name)
        value = {"events": [{"event": "slot", "value": [1, 2]}]}
        logger.setLevel(logging.INFO)
        quiet = module.copy.deepcopy(value)
        logger.setLevel(logging.DEBUG)
        loud = module.copy.deepcopy(value)
        logger.setLevel(logging.NOTSET)
        record["modules"][name] = {
            "uses": uses_of_copy(module),
            "wrapped": isinstance(module.copy, debug_copies.CopiesForDebugLines),
            "wrapped_once": not isinstance(
                getattr(module.copy, "_logger", None), debug_copies.CopiesForDebugLines
            ),
            "quiet_is_the_value": quiet is value,
            "loud_is_a_copy": loud == value
            and loud is not value
            and loud["events"] is not value["events"],
            "shallow_copy_is_real": module.copy.copy is __import__("copy").copy,
        }
    return record


if __name__ == "__main__":
    print(json.dumps(main()))
