"""What the project changes inside Rasa where Rasa offers no seam, in one registry; and the
versions of Rasa and rasa-sdk it was written against, checked before anything starts.

Everything else extends Rasa through its own seams (components and policies named in
``config.yml``, the tracker store, lock store and NLG client named in ``endpoints.yml``, the
project's endpoint class, the channels' Sanic listeners, the action server's own app). The
patches here replace an attribute of a Rasa class or module; each is written against Rasa 3.6.21
exactly, hence the version check. A speed-up's patch is applied only when
``bot.speedups.enabled(<its name>)``; ``apology`` is not a speed-up and is always applied.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from bot.serving import debug_copies
from bot.speedups import SPEEDUPS, enabled

# The distributions the patches (and the project's subclasses) were written against.
REQUIRED_VERSIONS = {"rasa": "3.6.21", "rasa-sdk": "3.6.2"}


def check_versions(installed: Optional[Callable[[str], str]] = None) -> None:
    """Refuses to start (``SystemExit``) on any Rasa or rasa-sdk but the required ones."""
    version_of = installed or metadata.version
    for distribution, required in REQUIRED_VERSIONS.items():
        try:
            found = version_of(distribution)
        except metadata.PackageNotFoundError:
            found = "not installed"
        if found != required:
            raise SystemExit(
                f"{distribution} {found} is installed; this bot is written against "
                f"{distribution} {required} exactly (bot/rasa_compat.py): install "
                f"bot/requirements.txt with bot/constraints.txt"
            )


@dataclass(frozen=True)
class Patch:
    """``attribute`` of each module or class in ``targets`` (``"module"`` or
    ``"module:Class"``) replaced by what ``replacement(original, target_name)`` returns."""

    name: str
    targets: Tuple[str, ...]
    attribute: str
    replacement: Callable[[Any, str], Any]

    def resolved(self) -> List[Tuple[str, Any]]:
        found = []
        for target in self.targets:
            module_name, _, class_name = target.partition(":")
            owner = importlib.import_module(module_name)
            found.append((target, getattr(owner, class_name) if class_name else owner))
        return found


def _validated_action_result(original: Any, _: str) -> Any:
    from bot.serving.action_validation import compiled_action_result_validation

    return compiled_action_result_validation()


def _apologising_run_action(original: Any, _: str) -> Any:
    from bot.serving.resilience import apologising_run_action

    return apologising_run_action(original)


def _copies_for_debug_lines(original: Any, target: str) -> Any:
    return debug_copies.CopiesForDebugLines(target)


PATCHES: Dict[str, Patch] = {
    patch.name: patch
    for patch in (
        # RemoteAction validates each action reply with jsonschema.validate, which checks and
        # compiles Rasa's schema again every time; no setting or subclass picks the class.
        Patch(
            "action_validation",
            ("rasa.core.actions.action:RemoteAction",),
            "_validate_action_result",
            _validated_action_result,
        ),
        # The processor runs every action through _run_action; an action that fails is
        # swallowed there, and the processor's class is not configurable.
        Patch(
            "apology",
            ("rasa.core.processor:MessageProcessor",),
            "_run_action",
            _apologising_run_action,
        ),
        # The deep copies that these modules make for their debug lines, as call arguments.
        Patch(
            "debug_copies",
            debug_copies.MODULES,
            "copy",
            _copies_for_debug_lines,
        ),
    )
}

# (owner, attribute) -> the original value, for what is applied now.
_originals: Dict[Tuple[int, str], Tuple[Any, str, Any]] = {}


def wanted(name: str) -> bool:
    """Whether the patch ``name`` is to be applied: a speed-up's when it is enabled."""
    return enabled(name) if name in SPEEDUPS else True


def apply(names: Optional[Iterable[str]] = None) -> List[str]:
    """Applies the patches named (all by default) that are wanted; returns those applied.
    Applying one twice changes nothing."""
    applied = []
    for name in PATCHES if names is None else names:
        patch = PATCHES[name]
        if not wanted(name):
            continue
        for target, owner in patch.resolved():
            key = (id(owner), patch.attribute)
            if key in _originals:
                continue
            original = owner.__dict__[patch.attribute]
            _originals[key] = (owner, patch.attribute, original)
            setattr(owner, patch.attribute, patch.replacement(original, target))
        applied.append(name)
    return applied


def restore() -> None:
    """Puts back every original that ``apply`` replaced."""
    while _originals:
        _, (owner, attribute, original) = _originals.popitem()
        setattr(owner, attribute, original)
